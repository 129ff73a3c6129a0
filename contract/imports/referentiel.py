"""Référentiel d'évaluation du contrat : une ligne par indicateur (ou par objectif), enjeu → objectif stratégique
→ objectif opérationnel → indicateur, avec les actions et engagements qui y répondent.

`python -m loaders import referentiel FICHIER --contrat CODE [--sheet ...] [--map "En-tête=champ" ...]
 [--remplacer] [--verifier]` (and the Référentiel page's upload)

The tree is read from the columns « Enjeu », « Objectif stratégique », « Objectif opérationnel »: a row names
the path down to the node it describes (the objectives may be left empty), and the same labels on several
rows are the same node (compared without case, accents or punctuation). New nodes get the codes E1, E1.2,
E1.2.3 in the order of the file. An indicator on the row (« Indicateur », or « Indicateur du catalogue » with
its « Territoire », whose current value is then read from the warehouse) belongs to the deepest node of its
row, and so do the actions (« Actions liées » : dossier numbers of the contract's programmation) and
commitments (« Engagements liés » : their references) listed on it.

All or nothing, like the other contract files; the démo référentiel of the contract is removed in the same
transaction. A contract that already has a référentiel is refused unless `--remplacer`: then nodes are
matched by their path, indicators by their code (else by node and label), a cell left empty never erases a
value typed in the application, new links are added, and what the file does not mention is kept as it is
(said in the report).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from contract import store
from contract import warehouse as contract_wh
from contract.imports import common as importing
from observatoire import catalogue, db, settings
from readers import tabular
from readers.errors import InputError
from readers.tabular import Field
from readers.text import norm

LEVELS = ("enjeu", "objectif_strategique", "objectif_operationnel")

FIELDS: list[Field] = [
    Field("enjeu", "Enjeu", ("enjeu", "enjeux", "axe", "orientation", "priorite", "enjeu du contrat"), required=True,
          help="l'enjeu du contrat (les lignes qui répètent le même libellé décrivent le même enjeu)",
          example="Réussite éducative et jeunesse"),
    Field("objectif_strategique", "Objectif stratégique", ("objectif strategique", "objectifs strategiques",
                                                           "os", "objectif general"),
          help="facultatif : l'objectif stratégique sous l'enjeu", example="Faire réussir chaque enfant"),
    Field("objectif_operationnel", "Objectif opérationnel", ("objectif operationnel", "objectifs operationnels",
                                                             "oo", "objectif specifique"),
          help="facultatif : l'objectif opérationnel sous l'objectif stratégique",
          example="Accompagner les collégiens en difficulté"),
    Field("code", "Code indicateur", ("code indicateur", "code de l indicateur", "ref indicateur",
                                      "reference indicateur", "n indicateur"),
          help="référence stable de l'indicateur (créée si vide : IND-01…)", example="IND-01"),
    Field("libelle", "Indicateur", ("indicateur", "libelle de l indicateur", "intitule de l indicateur",
                                    "indicateur de suivi", "indicateurs"),
          help="l'indicateur suivi (vide : la ligne décrit seulement l'objectif)",
          example="Élèves accompagnés à la scolarité"),
    Field("unite", "Unité", ("unite", "unite de mesure"), help="%, nombre, euros, heures…", example="nombre"),
    Field("source", "Source", ("source", "source de la donnee", "producteur", "origine"),
          example="Porteurs d'actions (bilans)"),
    Field("responsable", "Responsable", ("responsable", "pilote", "qui renseigne", "referent", "proprietaire"),
          example="Chargée de mission réussite éducative"),
    Field("frequence", "Fréquence", ("frequence", "periodicite", "frequence de mise a jour"), example="annuelle"),
    Field("catalogue_id", "Indicateur du catalogue", ("indicateur du catalogue", "id catalogue",
                                                      "identifiant catalogue", "catalogue"),
          help="identifiant d'un indicateur de l'observatoire (tx_pauvrete…) : sa valeur actuelle est lue dans "
               "l'entrepôt pour le territoire de la colonne suivante", example=""),
    Field("territoire_code", "Territoire", ("territoire", "code territoire", "code du territoire", "quartier",
                                            "code quartier"),
          help="code du quartier (QN…, QP…) ou du contrat dont l'indicateur du catalogue est lu", example=""),
    Field("valeur_reference", "Valeur de référence", ("valeur de reference", "reference", "situation de depart",
                                                      "valeur initiale", "point de depart"), kind="number",
          example="420"),
    Field("annee_reference", "Année de référence", ("annee de reference", "annee reference", "annee de depart"),
          kind="int", example=2024),
    Field("valeur_cible", "Valeur cible", ("valeur cible", "cible", "objectif chiffre", "valeur visee"),
          kind="number", example="600"),
    Field("annee_cible", "Année cible", ("annee cible", "echeance de la cible", "horizon"), kind="int",
          example=2030),
    Field("valeur_actuelle", "Valeur actuelle", ("valeur actuelle", "derniere valeur", "valeur constatee",
                                                 "realise"), kind="number", example="510"),
    Field("date_actuelle", "Date de la valeur", ("date de la valeur", "date de la valeur actuelle",
                                                 "date de mise a jour", "mis a jour le"), kind="date",
          help="JJ/MM/AAAA", example="31/12/2025"),
    Field("actions", "Actions liées", ("actions liees", "actions", "dossiers", "n dossier", "numeros de dossier",
                                       "actions de la programmation"), kind="list",
          help="numéros de dossier de la programmation importée, séparés par « ; »", example=""),
    Field("engagements", "Engagements liés", ("engagements lies", "engagements", "n engagement",
                                              "engagements des signataires"), kind="list",
          help="références des engagements importés (ENG-001…), séparées par « ; »", example=""),
]
for _f in FIELDS:                       # the labels of the tree land in ref_noeud.libelle
    if _f.name in LEVELS:
        _f.text = store.TABLES["ref_noeud"].text_rule("libelle")
importing.text_rules(FIELDS, "ref_indicateur")
FIELD_BY_NAME = {f.name: f for f in FIELDS}
INDICATOR_VALUES = ("unite", "source", "responsable", "frequence", "catalogue_id", "territoire_code",
                    "valeur_reference", "annee_reference", "valeur_cible", "annee_cible", "valeur_actuelle",
                    "date_actuelle")
REFERENTIEL_TABLES = ["ref_lien", "ref_indicateur", "ref_noeud"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    importing.add_common_arguments(parser, "referentiel")


def _year(v):
    y = tabular.integer(v)
    if y is not None and not 2000 <= y <= 2100:
        raise tabular.CellError(f"année « {y} » invalide", "une année sur 4 chiffres (ex. 2030)")
    return y


def validate(sheet: tabular.Sheet, cols: dict[str, int], territories: set[str]) -> list[dict]:
    """Every row → its path in the tree, its indicator (or None) and its links; every problem of the file
    goes to the sheet's collector (raised by the caller once the links are checked too)."""
    c = tabular.Columns(sheet, cols, FIELD_BY_NAME)
    path = [c.parse(level, required=(level == "enjeu")) for level in LEVELS]
    values = {name: c.parse(name) for name in ("code", "libelle", "unite", "source", "responsable", "frequence")}
    known_ids = {i["id"]: i for i in catalogue.indicators()}

    def catalogue_id(v):
        s = tabular.text(v)
        if s is None:
            return None
        if s not in known_ids:
            raise tabular.CellError(f"indicateur « {s} » absent du catalogue de l'observatoire",
                                    "un identifiant du catalogue (docs/INDICATEURS.md), ex. tx_pauvrete")
        return s

    def territory(v):
        s = tabular.text(v)
        if s is None:
            return None
        if s.upper() not in territories:
            raise tabular.CellError(f"territoire « {s} » inconnu",
                                    "le code d'un quartier (QN…, QP…), d'une commune ou du contrat")
        return s.upper()

    values["catalogue_id"] = c.parse("catalogue_id", catalogue_id)
    values["territoire_code"] = c.parse("territoire_code", territory)
    for name in ("valeur_reference", "valeur_cible", "valeur_actuelle"):
        values[name] = c.parse(name, tabular.number)
    for name in ("annee_reference", "annee_cible"):
        values[name] = c.parse(name, _year)
    values["date_actuelle"] = c.parse("date_actuelle", tabular.a_date)
    actions = c.parse("actions", lambda v: tabular.split_list(v))
    engagements = c.parse("engagements", lambda v: tabular.split_list(v))
    out, codes = [], {}
    for i in range(c.n):
        names = [p[i] for p in path]
        if names[2] and not names[1]:
            c.error(i, "objectif_strategique", "objectif opérationnel sans objectif stratégique",
                    "l'objectif stratégique auquel il se rattache")
        row = {k: v[i] for k, v in values.items()}
        if row["catalogue_id"] and not row["territoire_code"] and c.ok[i]:
            c.error(i, "territoire_code", "indicateur du catalogue sans territoire",
                    "le code du quartier ou du contrat dont la valeur est lue")
        if row["catalogue_id"] and not row["libelle"]:
            row["libelle"] = known_ids[row["catalogue_id"]]["label"]
        has_indicator = bool(row["libelle"])
        if not has_indicator and c.ok[i] and any(row[k] is not None for k in INDICATOR_VALUES + ("code",)):
            c.error(i, "libelle", "valeurs d'indicateur sans indicateur", "le libellé de l'indicateur")
        if row["code"]:
            if row["code"] in codes:
                c.error(i, "code", f"code « {row['code']} » en double (déjà ligne {codes[row['code']]})",
                        "un code unique par indicateur")
            codes.setdefault(row["code"], c.lines[i])
        out.append({"path": [n for n in names if n], "indicator": row if has_indicator else None,
                    "actions": actions[i] or [], "engagements": engagements[i] or [], "_line": c.lines[i],
                    "_i": i})
    for r in out:                       # unknown links are checked against the database (see _links)
        r["_columns"] = {"actions": c.column("actions"), "engagements": c.column("engagements")}
    return out


def _territories(quartiers: list[dict], contrat: str, warehouse_path) -> set[str]:
    """Codes an indicator of the catalogue may be read for: the contract, its quartiers, and every territory
    of the warehouse (2015 quartiers, communes…) when it is there."""
    codes = {contrat.upper()} | {q["quartier_code"] for q in quartiers}
    try:
        con = db.connect(Path(warehouse_path) if warehouse_path else settings.db_path(), read_only=True)
    except FileNotFoundError:
        return codes
    try:
        return codes | contract_wh.territory_codes(con)
    finally:
        con.close()


def links(tx, contrat: str, rows: list[dict], errors: tabular.Errors) -> dict[int, tuple[list[int], list[int]]]:
    """{row index: (action ids, engagement ids)}; every unknown dossier number or reference goes to `errors`."""
    actions: dict[str, list[int]] = {}
    for aid, num in tx.query("SELECT id, numero_dossier FROM action WHERE contrat_code = ? AND NOT is_demo",
                             [contrat]):
        actions.setdefault(norm(num), []).append(aid)
    engagements = {norm(code): eid for eid, code in tx.query(
        "SELECT id, code FROM engagement WHERE contrat_code = ? AND NOT is_demo", [contrat])}
    out = {}
    for r in rows:
        a_ids, e_ids = [], []
        for num in r["actions"]:
            if norm(num) in actions:
                a_ids += actions[norm(num)]
            else:
                errors.add(f"action « {num} » absente de la programmation du contrat", r["_line"],
                           r["_columns"]["actions"], "le numéro de dossier d'une action importée (page Programmation)")
        for code in r["engagements"]:
            if norm(code) in engagements:
                e_ids.append(engagements[norm(code)])
            else:
                errors.add(f"engagement « {code} » inconnu dans ce contrat", r["_line"], r["_columns"]["engagements"],
                           "la référence d'un engagement importé (page Engagements)")
        out[r["_i"]] = (a_ids, e_ids)
    return out


def write(tx: store.EditSession, contrat: str, info: dict, quartiers: list[dict], rows: list[dict],
          row_links: dict, replace: bool, path: Path, sha: str, options: dict) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Check the file against the contract's référentiel, then (unless the transaction is a dry run) write it.
    Returns the counts of the report and the codes the file leaves as they are."""
    nodes = {r[0]: {"id": r[0], "parent": r[1], "niveau": r[2], "code": r[3], "libelle": r[4]} for r in tx.query(
        "SELECT id, parent_id, niveau, code, libelle FROM ref_noeud WHERE contrat_code = ? AND NOT is_demo", [contrat])}
    if nodes and not replace:
        n_enjeux = sum(1 for n in nodes.values() if n["niveau"] == "enjeu")
        raise InputError(path, f"le contrat a déjà un référentiel ({n_enjeux} enjeu(x), {len(nodes)} éléments)",
                         expected="l'option --remplacer pour le mettre à jour (rien de ce qui existe n'est effacé)")
    by_path = {}
    for n in nodes.values():            # (parent id, level, label key) -> node id
        by_path[(n["parent"], n["niveau"], norm(n["libelle"]))] = n["id"]
    used_codes = {n["code"] for n in nodes.values()}
    indicators = {r[1]: {"id": r[0], "code": r[1], "noeud_id": r[2], "libelle": r[3], "row_version": r[4]}
                  for r in tx.query("SELECT id, code, noeud_id, libelle, row_version FROM ref_indicateur "
                                    "WHERE contrat_code = ? AND NOT is_demo", [contrat])}
    used_ind = set(indicators)
    have_links = {(n, a, e) for n, a, e in tx.query(
        "SELECT noeud_id, action_id, engagement_id FROM ref_lien WHERE contrat_code = ? AND NOT is_demo", [contrat])}
    n_demo = sum(tx.query(f"SELECT count(*) FROM {t} WHERE contrat_code = ? AND is_demo", [contrat])[0][0]
                 for t in REFERENTIEL_TABLES)
    # the plan: new nodes (keyed by their path while they have no id), indicators, links
    plan_nodes: dict[tuple, dict] = {}
    children_count: dict = {}

    def node_key(path_names: list[str]) -> tuple:
        """The id of an existing node, else the key of a new one (created once, in file order)."""
        parent, key = None, ()
        for depth, name in enumerate(path_names):
            level = LEVELS[depth]
            key = key + (norm(name),)
            found = by_path.get((parent, level, norm(name))) if not isinstance(parent, tuple) else None
            if found is not None:
                parent = found
                continue
            if key not in plan_nodes:
                siblings = children_count.setdefault(parent, sum(1 for n in nodes.values() if n["parent"] == parent
                                                                and n["niveau"] == level))
                children_count[parent] = siblings + 1
                plan_nodes[key] = {"parent": parent, "niveau": level, "libelle": name, "ordre": siblings + 1,
                                   "code": _node_code(parent, siblings + 1, nodes, plan_nodes, used_codes)}
                used_codes.add(plan_nodes[key]["code"])
            parent = key
        return parent

    new_ind, upd_ind, new_links = [], [], set()
    next_n = 1
    for r in rows:
        target = node_key(r["path"])
        ind = r["indicator"]
        if ind:
            same = indicators.get(ind["code"]) if ind["code"] else next(
                (x for x in indicators.values() if x["noeud_id"] == target and norm(x["libelle"]) == norm(ind["libelle"])),
                None)
            if same is not None:
                upd_ind.append((same, target, ind))
            else:
                if not ind["code"]:
                    while f"IND-{next_n:02d}" in used_ind:
                        next_n += 1
                    ind["code"] = f"IND-{next_n:02d}"
                used_ind.add(ind["code"])
                new_ind.append((target, ind))
        a_ids, e_ids = row_links[r["_i"]]
        for a in a_ids:
            if isinstance(target, tuple) or (target, a, None) not in have_links:
                new_links.add((target, a, None))
        for e in e_ids:
            if isinstance(target, tuple) or (target, None, e) not in have_links:
                new_links.add((target, None, e))
    touched = set()
    for r in rows:
        parent = None
        for depth, name in enumerate(r["path"]):
            found = by_path.get((parent, LEVELS[depth], norm(name))) if not isinstance(parent, tuple) else None
            if found is None:
                break
            touched.add(found)
            parent = found
    kept = sorted(nodes[i]["code"] for i in set(nodes) - touched)
    kept += sorted(set(indicators) - {x[0]["code"] for x in upd_ind})
    counts = [("noeud", "ajout", len(plan_nodes)), ("indicateur", "ajout", len(new_ind)),
              ("indicateur", "maj", len(upd_ind)), ("lien", "ajout", len(new_links)),
              ("demo_ligne", "retrait", n_demo)]
    if importing.start_writing(tx, "referentiel", contrat, info, quartiers, n_demo=n_demo,
                               demo_tables=REFERENTIEL_TABLES, demo_link=None, path=path, sha=sha, rows=len(rows),
                               options=options) is None:
        return counts, kept
    ids: dict = {}
    for key, n in plan_nodes.items():   # parents come first: the file's order
        parent = ids[n["parent"]] if isinstance(n["parent"], tuple) else n["parent"]
        ids[key] = tx.insert("ref_noeud", {"contrat_code": contrat, "parent_id": parent, "niveau": n["niveau"],
                                           "code": n["code"], "libelle": n["libelle"], "ordre": n["ordre"]})

    def node_id(target):
        return ids[target] if isinstance(target, tuple) else target

    for same, target, ind in upd_ind:
        changes = {k: v for k, v in ind.items() if k in INDICATOR_VALUES + ("libelle",) and v is not None}
        changes["noeud_id"] = node_id(target)
        tx.update("ref_indicateur", same["id"], same["row_version"], changes)
    tx.insert_many("ref_indicateur", [{"contrat_code": contrat, "noeud_id": node_id(t), "code": ind["code"],
                                       "libelle": ind["libelle"], **{k: ind[k] for k in INDICATOR_VALUES}}
                                      for t, ind in new_ind], audit_rows=True)
    rows_links = {(node_id(t), a, e) for t, a, e in new_links} - have_links
    tx.insert_many("ref_lien", [{"contrat_code": contrat, "noeud_id": n, "action_id": a, "engagement_id": e}
                                for n, a, e in sorted(rows_links, key=repr)])
    return counts, kept


def _node_code(parent, rank: int, nodes: dict, plan: dict, used: set[str]) -> str:
    """E1 for an enjeu, E1.2 under it, E1.2.3 below: the parent's code and the rank (next free one)."""
    if parent is None:
        prefix = "E"
        sep = ""
    else:
        prefix = plan[parent]["code"] if isinstance(parent, tuple) else nodes[parent]["code"]
        sep = "."
    k = rank
    while f"{prefix}{sep}{k}" in used:
        k += 1
    return f"{prefix}{sep}{k}"


def import_file(path, contrat: str, *, sheet: str | None = None, mapping: list[str] | None = None,
                remplacer: bool = False, verifier: bool = False, user=None, saisie_db=None, db=None) -> dict:
    """Validate then store a référentiel file (CLI and page); with `verifier`, validate only: nothing is
    written. Returns the report's facts (contract.imports.common.result)."""
    path = Path(path)
    data = tabular.read_sheet(path, FIELDS, sheet)
    maps = tabular.parse_map_options(mapping, FIELDS, path)
    cols, ignored = tabular.map_headers(data, FIELDS, maps)
    sha = tabular.file_sha256(path)
    options = {"sheet": data.sheet, "map": mapping or [], "remplacer": remplacer}
    counts, kept = [], []
    with importing.transaction(user, saisie_db, verifier) as tx:
        info, quartiers = importing.contract_and_quartiers(contrat, db, tx.con, path)
        rows = validate(data, cols, _territories(quartiers, contrat, db))
        row_links = links(tx, contrat, rows, data.errors)
        data.errors.raise_if_any()
        counts, kept = write(tx, contrat, info, quartiers, rows, row_links, remplacer, path, sha, options)
    return importing.result("referentiel", data, len(data.rows), counts, contrat=contrat, dry_run=verifier,
                            facts={"absents_conserves": kept} if kept else {}, ignored=ignored)


def run(args) -> dict:
    return importing.cli(import_file, args, remplacer=args.remplacer)


__all__ = ["FIELDS", "add_arguments", "run", "import_file", "validate"]
