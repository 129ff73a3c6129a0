"""Engagements des signataires (tableau de bord coopératif) : une ligne par engagement, et ses points d'étape.

`python -m loaders import engagements FICHIER --contrat CODE [--sheet ...] [--points-sheet ...]
 [--map "En-tête=champ" ...] [--remplacer] [--verifier]`

Points d'étape: either columns « Date du point », « Commentaire »… on the engagement's row (one review per
row), or a second sheet (« Points d'étape », detected by name, or --points-sheet) with one row per review
and the engagement's reference. New signataires are created (type from « Type de signataire » or guessed
from the name). All-or-nothing; démo engagements of the contract are removed in the same transaction.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from readers.errors import InputError
from readers.text import norm

from contract import store, vocab
from contract.imports import common as importing
from readers import tabular, workbook
from readers.tabular import Field
from observatoire import vocabulary

FIELDS: list[Field] = [
    Field("code", "N° engagement", ("n engagement", "numero engagement", "reference", "ref", "code", "n",
                                    "numero", "identifiant", "id engagement"),
          help="référence stable de l'engagement (créée si vide : ENG-001…)", example="ENG-001"),
    Field("signataire", "Signataire", ("signataire", "partenaire", "institution", "structure signataire",
                                       "organisme signataire", "signataires"), required=True,
          example="Signataire du contrat"),
    Field("type_signataire", "Type de signataire", ("type de signataire", "type de partenaire", "categorie",
                                                    "categorie de signataire", "type"), kind="choice",
          help=", ".join(vocab.SIGNATAIRE_TYPES.values()) + " (deviné d'après le nom si vide)", example="CAF"),
    Field("referent", "Référent", ("referent", "referent de l engagement", "pilote", "responsable", "contact",
                                   "referent signataire"), example="Direction de la politique de la ville"),
    Field("axe", "Axe", ("axe", "enjeu", "axe du contrat", "orientation", "axe strategique"),
          example="Santé, accès aux droits et lien social"),
    Field("objectif", "Objectif", ("objectif", "objectif operationnel", "objectif strategique", "objectifs"),
          example="Faciliter l'accès aux droits et aux soins"),
    Field("intitule", "Engagement", ("engagement", "intitule de l engagement", "intitule", "engagement pris",
                                     "description de l engagement", "contenu de l engagement", "action"),
          required=True, example="Organiser des rendez-vous des droits dans chaque quartier"),
    Field("indicateur", "Indicateur", ("indicateur", "indicateur de suivi", "indicateurs", "indicateur associe"),
          example="Rendez-vous des droits réalisés"),
    Field("valeur_reference", "Valeur de référence", ("valeur de reference", "situation de depart",
                                                      "valeur initiale", "base", "reference 2024", "point de depart"),
          kind="number", example="600"),
    Field("valeur_cible", "Valeur cible", ("valeur cible", "cible", "objectif chiffre", "cible 2030", "valeur visee"),
          kind="number", example="780"),
    Field("echeance", "Échéance", ("echeance", "date d echeance", "date limite", "delai", "date butoir",
                                   "date de realisation prevue"), kind="date", help="JJ/MM/AAAA", example="31/12/2026"),
    Field("statut", "Statut", ("statut", "etat d avancement", "avancement", "etat", "statut de l engagement"),
          required=True, kind="choice", help="Prévu, En cours, Réalisé, Abandonné, En retard", example="En cours"),
    Field("preuve", "Preuve", ("preuve", "justificatif", "elements de preuve", "source de verification",
                               "piece justificative"), example="Bilan annuel 2025"),
    Field("date_point", "Date du point", ("date du point", "date du point d etape", "date de mise a jour",
                                          "derniere revue", "date de revue", "mis a jour le"), kind="date",
          help="date de la revue (point d'étape) décrite sur la ligne", example="11/12/2025"),
    Field("valeur_constatee", "Valeur constatée", ("valeur constatee", "valeur actuelle", "realise",
                                                   "valeur realisee", "resultat"), kind="number", example="650"),
    Field("commentaire", "Commentaire", ("commentaire", "commentaire du point", "point d etape", "observations",
                                         "remarques"), example="Premières permanences ouvertes"),
    Field("instance", "Instance", ("instance", "instance de revue", "reunion"), example="COPIL"),
    Field("auteur", "Auteur du point", ("auteur", "auteur du point", "renseigne par", "redacteur"),
          example="Référent du signataire"),
]
importing.text_rules(FIELDS, "engagement_point")      # the review columns of an engagement's row
importing.text_rules(FIELDS, "engagement")
FIELD_BY_NAME = {f.name: f for f in FIELDS}

POINT_FIELDS: list[Field] = [
    Field("code", "N° engagement", ("n engagement", "numero engagement", "reference", "ref", "code", "n",
                                    "reference engagement", "engagement"), required=True, example="ENG-001"),
    Field("date_point", "Date", ("date", "date du point", "date de revue", "date du point d etape"), required=True,
          kind="date", example="11/12/2025"),
    Field("statut", "Statut", ("statut", "etat d avancement", "avancement", "etat"), required=True, kind="choice",
          example="En cours"),
    Field("valeur_constatee", "Valeur constatée", ("valeur constatee", "valeur actuelle", "realise", "valeur"),
          kind="number", example="650"),
    Field("commentaire", "Commentaire", ("commentaire", "observations", "remarques", "point d etape"),
          example="Premières permanences ouvertes"),
    Field("instance", "Instance", ("instance", "reunion"), example="COPIL"),
    Field("auteur", "Auteur", ("auteur", "renseigne par", "redacteur"), example="Référent du signataire"),
]

importing.text_rules(POINT_FIELDS, "engagement_point")
SIGNATAIRE_TYPE_ALIASES = {norm(v): k for k, v in vocab.SIGNATAIRE_TYPES.items()}
SIGNATAIRE_TYPE_ALIASES.update({"prefecture": "etat", "prefet": "etat", "etat": "etat", "intercommunalite": "epci",
                                "metropole": "epci", "agglomeration": "epci", "ville": "commune",
                                "conseil departemental": "departement", "conseil regional": "region",
                                "pole emploi": "france_travail", "bailleur": "bailleur", "hlm": "bailleur"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    importing.add_common_arguments(parser, "engagements")
    parser.add_argument("--points-sheet", "--feuille-points", dest="points_sheet", default=None,
                        help="feuille des points d'étape (défaut : une feuille dont le nom contient « point »)")


def _point(row: tabular.Row) -> dict | None:
    d = row.get("date_point", tabular.a_date)
    values = {"valeur_constatee": row.get("valeur_constatee", tabular.number),
              "commentaire": row.get("commentaire"), "instance": row.get("instance"), "auteur": row.get("auteur")}
    if d is None:
        if any(v is not None for v in values.values()):
            row.error("date_point", "point d'étape sans date", "la date du point (JJ/MM/AAAA)")
        return None
    return {"date_point": d, **values}


def validate(sheet: tabular.Sheet, cols: dict[str, int], raise_errors: bool = True) -> list[dict]:
    """Every row → a dict ready to store; every problem goes to sheet.errors (raised at the end unless the
    caller still has a points d'étape sheet to check: then it raises both at once)."""
    errors = sheet.errors
    out, seen = [], {}
    for i in range(len(sheet.rows)):
        row = tabular.Row(sheet, i, cols, errors, FIELD_BY_NAME)
        r = {"code": row.get("code"), "_signataire": row.get("signataire", required=True),
             "_type": row.get("type_signataire", tabular.choice, aliases=SIGNATAIRE_TYPE_ALIASES,
                              labels=vocab.SIGNATAIRE_TYPES),
             "referent": row.get("referent"), "axe": row.get("axe"), "objectif": row.get("objectif"),
             "intitule": row.get("intitule", required=True), "indicateur": row.get("indicateur"),
             "valeur_reference": row.get("valeur_reference", tabular.number),
             "valeur_cible": row.get("valeur_cible", tabular.number),
             "echeance": row.get("echeance", tabular.a_date),
             "statut": row.get("statut", tabular.choice, required=True, aliases=vocab.ENGAGEMENT_STATUT_ALIASES,
                               labels=vocabulary.labels("engagement_statuses")),
             "preuve": row.get("preuve"), "_line": row.line, "_key_column": row.column("code")}
        point = _point(row)
        r["_points"] = [{**point, "statut": r["statut"]}] if point and r["statut"] else []
        if r["code"]:
            if r["code"] in seen:
                row.error("code", f"référence « {r['code']} » en double (déjà ligne {seen[r['code']]})",
                          "une référence unique par engagement")
            seen.setdefault(r["code"], row.line)
        out.append(r)
    if raise_errors:
        errors.raise_if_any()
    return out


def validate_points(sheet: tabular.Sheet, cols: dict[str, int], known_codes: set[str]) -> list[dict]:
    errors = sheet.errors
    fields = {f.name: f for f in POINT_FIELDS}
    out = []
    for i in range(len(sheet.rows)):
        row = tabular.Row(sheet, i, cols, errors, fields)
        code = row.get("code", required=True)
        if code and code not in known_codes:
            row.error("code", f"engagement « {code} » inconnu (ni dans la feuille des engagements, ni déjà importé)",
                      "la référence d'un engagement du contrat")
        out.append({"code": code, "date_point": row.get("date_point", tabular.a_date, required=True),
                    "statut": row.get("statut", tabular.choice, required=True, aliases=vocab.ENGAGEMENT_STATUT_ALIASES,
                                      labels=vocabulary.labels("engagement_statuses")),
                    "valeur_constatee": row.get("valeur_constatee", tabular.number),
                    "commentaire": row.get("commentaire"), "instance": row.get("instance"),
                    "auteur": row.get("auteur"), "_line": row.line})
    return out


ENGAGEMENT_TABLES = ["engagement_point", "engagement", "signataire"]


def write(tx: store.EditSession, contrat: str, info: dict, quartiers: list[dict], rows: list[dict],
          points: list[dict], replace: bool, path, sha: str, options: dict) -> list[tuple[str, str, int]]:
    """Check the rows against what the contract holds, then (unless the transaction is a dry run) write them
    in the caller's transaction. Returns the counts of the report (what is, or would be, done)."""
    existing = {c: (i, v) for i, c, v in tx.query(
        "SELECT id, code, row_version FROM engagement WHERE contrat_code = ? AND NOT is_demo", [contrat])}
    errors = tabular.Errors(path)
    for r in rows:
        if r["code"] in existing and not replace:
            errors.add(f"engagement « {r['code']} » déjà importé pour ce contrat", r["_line"],
                       r["_key_column"], "une nouvelle référence, ou l'option --remplacer")
    errors.raise_if_any()
    signataires = {norm(n): i for i, n in tx.query(
        "SELECT id, nom FROM signataire WHERE contrat_code = ? AND NOT is_demo", [contrat])}
    new_signataires = {norm(r["_signataire"]) for r in rows} - set(signataires)
    used = set(existing) | {r["code"] for r in rows if r["code"]}
    next_n = 1
    for r in rows:                      # references for the rows without one: ENG-001, ENG-002…
        if not r["code"]:
            while f"ENG-{next_n:03d}" in used:
                next_n += 1
            r["code"] = f"ENG-{next_n:03d}"
            used.add(r["code"])
    have = {(c, str(d), s, m) for c, d, s, m in tx.query(
        "SELECT e.code, p.date_point, p.statut, coalesce(p.commentaire, '') FROM engagement_point p "
        "JOIN engagement e ON e.id = p.engagement_id WHERE p.contrat_code = ? AND NOT p.is_demo", [contrat])}
    new_points = []
    for p in [{**p, "code": r["code"]} for r in rows for p in r["_points"]] + points:
        k = (p["code"], str(p["date_point"]), p["statut"], p.get("commentaire") or "")
        if k not in have:
            have.add(k)
            new_points.append(p)
    n_upd = sum(1 for r in rows if r["code"] in existing)
    n_demo = tx.query("SELECT count(*) FROM engagement WHERE contrat_code = ? AND is_demo", [contrat])[0][0]
    counts = [("engagement", "ajout", len(rows) - n_upd), ("engagement", "maj", n_upd),
              ("signataire", "creation", len(new_signataires)), ("point", "ajout", len(new_points)),
              ("engagement_demo", "retrait", n_demo)]
    import_id = importing.start_writing(tx, "engagements", contrat, info, quartiers, n_demo=n_demo,
                                        demo_tables=ENGAGEMENT_TABLES, demo_link="engagement_id", path=path, sha=sha,
                                        rows=len(rows), options=options)
    if import_id is None:
        return counts
    ids: dict[str, int] = {c: i for c, (i, _) in existing.items()}
    for r in rows:
        key = norm(r["_signataire"])
        if key not in signataires:
            signataires[key] = tx.insert("signataire", {"contrat_code": contrat, "nom": r["_signataire"],
                                                        "type_signataire": r["_type"] or vocab.guess_signataire_type(r["_signataire"])})
        values = {k: v for k, v in r.items() if not k.startswith("_")}
        values.update(signataire_id=signataires[key], import_id=import_id)
        if r["code"] in existing:
            eid, version = existing[r["code"]]
            tx.update("engagement", eid, version, values)
        else:
            eid = tx.insert("engagement", {"contrat_code": contrat, **values})
        ids[r["code"]] = eid
    tx.insert_many("engagement_point", [
        {"contrat_code": contrat, "engagement_id": ids[p["code"]], "date_point": p["date_point"], "statut": p["statut"],
         "valeur_constatee": p.get("valeur_constatee"), "commentaire": p.get("commentaire"),
         "instance": p.get("instance"), "auteur": p.get("auteur"), "import_id": import_id} for p in new_points])
    return counts


def _points_sheet_name(path, explicit: str | None) -> str | None:
    if explicit or workbook.table_kind(path, tabular.MAX_BYTES) != "xlsx":
        return explicit
    for name in tabular.sheet_names(path):
        if "point" in norm(name):
            return name
    return None


def import_file(path, contrat: str, *, sheet: str | None = None, points_sheet: str | None = None,
                mapping: list[str] | None = None, remplacer: bool = False, verifier: bool = False, user=None,
                saisie_db=None, db=None) -> dict:
    """Validate then store an engagements file (CLI and page); with `verifier`, validate only: nothing is
    written. The points d'étape sheet may be left empty (or with its example only). Returns the report's
    facts (contract.imports.common.result)."""
    path = Path(path)
    points_name = _points_sheet_name(path, points_sheet)
    data = tabular.read_sheet(path, FIELDS, sheet, skip=(points_name,) if points_name and not sheet else ())
    maps = tabular.parse_map_options(mapping, FIELDS, path)
    cols, ignored = tabular.map_headers(data, FIELDS, maps)
    rows = validate(data, cols, raise_errors=not points_name)
    if points_name and points_name == data.sheet:
        raise InputError(path, "la feuille des points d'étape est aussi la feuille des engagements",
                         expected="--sheet pour les engagements et --points-sheet pour les points d'étape")
    sha = tabular.file_sha256(path)
    options = {"sheet": data.sheet, "points_sheet": points_name, "map": mapping or [], "remplacer": remplacer}
    counts = []
    examples = []
    with importing.transaction(user, saisie_db, verifier) as tx:
        info, quartiers = importing.contract_and_quartiers(contrat, db, tx.con, path)
        points = []
        psheet = tabular.read_sheet(path, POINT_FIELDS, points_name, optional=True) if points_name else None
        examples = [(points_name, line) for line in psheet.examples] if psheet else []
        if psheet is not None and psheet.rows:     # an optional sheet left empty, or with its example only
            pcols, pignored = tabular.map_headers(psheet, POINT_FIELDS, maps)
            ignored += [f"{points_name} : {h}" for h in pignored]
            known = {r["code"] for r in rows if r["code"]} | {c for (c,) in tx.query(
                "SELECT code FROM engagement WHERE contrat_code = ? AND NOT is_demo", [contrat])}
            points = validate_points(psheet, pcols, known)
            for e in psheet.errors.items:            # one report for both sheets
                e.message = f"feuille « {points_name} » : {e.message}"
                data.errors.extend(e)
            data.errors.count += psheet.errors.count - len(psheet.errors.items)
        data.errors.raise_if_any()
        counts = write(tx, contrat, info, quartiers, rows, points, remplacer, path, sha, options)
    res = importing.result("engagements", data, len(rows), counts, contrat=contrat, dry_run=verifier, ignored=ignored)
    res["examples"] += examples
    return res


def run(args) -> dict:
    return importing.cli(import_file, args, points_sheet=args.points_sheet, remplacer=args.remplacer)
