"""Programmation annuelle d'un contrat (export Dauphin ou tableau de suivi) : une ligne par action.

`python -m loaders import programmation FICHIER --contrat CODE [--annee 2025] [--sheet ...]
 [--map "En-tête=champ" ...] [--remplacer] [--verifier]`

The whole file is validated first (every error with its line and column), then written in one
transaction of the saisie database: all rows or none. Démo programmation rows of the contract, if any,
are removed in the same transaction (real data replace the démo). Accepted headers: FIELDS below and
docs/CONTRAT.md; the template is contract.imports.templates.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path


from contract import store, vocab
from contract.imports import common as importing
from readers import tabular
from readers.text import norm
from readers.tabular import Field
from observatoire import frformat, vocabulary

AGE_ALIASES = {
    "0-5": ("moins de 6 ans", "0-5 ans", "0 5 ans", "0 a 5 ans", "moins de 6"),
    "6-11": ("6-11 ans", "6 11 ans", "6 a 11 ans"),
    "12-15": ("12-15 ans", "12 15 ans", "12 a 15 ans"),
    "16-17": ("16-17 ans", "16 17 ans", "16 a 17 ans"),
    "18-25": ("18-25 ans", "18 25 ans", "18 a 25 ans"),
    "26-64": ("26-64 ans", "26 64 ans", "26 a 64 ans"),
    "65+": ("65 ans et plus", "65 ans et +", "plus de 65 ans", "65+", "65 et plus"),
}

FIELDS: list[Field] = [
    Field("numero_dossier", "N° dossier", ("numero dossier", "n dossier", "no dossier", "n de dossier", "dossier",
                                           "numero de dossier", "reference dossier", "numero dauphin", "n dauphin",
                                           "code dossier"), required=True, help="identifiant unique du dossier dans l'année",
          example="2025-06-0042"),
    Field("annee", "Année", ("annee", "exercice", "annee de programmation", "millesime", "annee budgetaire"),
          kind="int", help="année de programmation (ou option --annee)", example=2025),
    Field("porteur_nom", "Porteur", ("porteur", "porteur de projet", "nom du porteur", "structure", "organisme",
                                     "raison sociale", "structure porteuse"), required=True,
          help="nom de la structure qui porte l'action", example="Association Horizons Quartiers"),
    Field("porteur_siret", "SIRET", ("siret", "n siret", "numero siret", "siret du porteur"), kind="siret",
          help="14 chiffres (espaces acceptés)", example="123 456 789 00012"),
    Field("porteur_type", "Type de porteur", ("type de porteur", "type de structure", "statut juridique",
                                              "nature du porteur", "categorie de porteur"), kind="choice",
          help="association, collectivité, bailleur social, établissement public, entreprise, autre",
          example="Association"),
    Field("intitule", "Intitulé de l'action", ("intitule", "intitule de l action", "titre de l action",
                                               "nom de l action", "libelle de l action", "intitule du projet",
                                               "titre", "action", "projet"), required=True,
          example="Accompagnement à la scolarité"),
    Field("objectif", "Objectif", ("objectif", "objectifs", "objectif de l action", "objectif general",
                                   "description"), example="Soutenir 40 collégiens en difficulté"),
    Field("thematique", "Thématique", ("thematique", "theme", "pilier", "domaine", "thematique principale"),
          help="; ".join(vocab.THEMATIQUES) + " (texte libre accepté)", example=vocab.THEMATIQUES[0]),
    Field("axe", "Axe du contrat", ("axe", "axe du contrat", "enjeu", "orientation", "axe strategique"),
          example="Réussite éducative et jeunesse"),
    Field("statut", "Statut", ("statut", "etat", "etat du dossier", "decision", "statut du dossier",
                               "avis"), kind="choice",
          help="Déposé, Accordé, Refusé, Soldé, Abandonné (et variantes : en instruction, financé, rejeté…). "
               "Facultatif : sans statut, une action est « Accordé » si un montant accordé est renseigné, "
               "sinon « Déposé » (dit dans le compte rendu d'import)",
          example="Accordé"),
    Field("date_depot", "Date de dépôt", ("date de depot", "date depot", "depose le", "date de la demande",
                                          "date de reception"), kind="date", help="JJ/MM/AAAA", example="15/01/2025"),
    Field("date_decision", "Date de décision", ("date de decision", "date decision", "date du vote", "date de vote",
                                                "vote le", "date de notification", "date notification", "notifie le",
                                                "date du comite", "date du comite de programmation",
                                                "date d attribution", "date de l attribution"), kind="date",
          help="JJ/MM/AAAA : vote du comité de programmation (ou notification) ; vide tant que le dossier n'est "
               "pas décidé. Sert à la diapositive « Depuis le dernier COPIL »", example="20/03/2025"),
    Field("quartiers", "Quartiers", ("quartiers", "quartier", "qpv", "quartiers concernes", "quartiers vises",
                                     "quartiers prioritaires", "quartier prioritaire"), kind="list",
          help="codes QN… ou noms séparés par « ; », ou « Tous »", example="QN00612M ; Les Moulins - Le Point Du Jour"),
    Field("cout_total", "Coût total", ("cout total", "cout total de l action", "budget total", "budget de l action",
                                       "montant total du projet", "cout de l action"), kind="number",
          help="euros, ex. 12 500,00", example="24 000,00"),
    Field("montant_sollicite", "Montant sollicité", ("montant sollicite", "montant demande", "total sollicite",
                                                     "subvention sollicitee", "montant total sollicite",
                                                     "montant total demande"), kind="number",
          help="total demandé à l'ensemble des financeurs du contrat", example="12 000,00"),
    Field("montant_sollicite_etat_p147", "Montant sollicité État (P147)", ("montant sollicite p147",),
          kind="number", example="8 000,00"),
    Field("montant_accorde_etat_p147", "Montant accordé État (P147)", ("montant accorde p147", "montant accorde etat",
                                                                      "subvention p147 accordee", "p147 accorde"),
          kind="number", help="autres financeurs : « Montant accordé Commune », « … Département », « … CAF »…",
          example="7 500,00"),
    Field("beneficiaires_prevus", "Bénéficiaires prévus", ("beneficiaires prevus", "nombre de beneficiaires",
                                                           "nombre de beneficiaires prevus", "nb beneficiaires",
                                                           "beneficiaires", "public prevu"), kind="int", example=40),
    Field("beneficiaires_realises", "Bénéficiaires réalisés", ("beneficiaires realises", "beneficiaires touches",
                                                               "nombre de beneficiaires realises", "beneficiaires reels",
                                                               "public touche"), kind="int", example=""),
    Field("filles", "Filles", ("filles", "femmes", "dont filles", "dont femmes", "filles prevues", "femmes prevues",
                               "nombre de filles", "filles femmes"), kind="int",
          help="bénéficiaires prévus de sexe féminin", example=22),
    Field("garcons", "Garçons", ("garcons", "hommes", "dont garcons", "dont hommes", "garcons prevus",
                                 "hommes prevus", "nombre de garcons", "garcons hommes"), kind="int", example=18),
    Field("filles_realisees", "Filles réalisées", ("filles realisees", "femmes realisees", "filles touchees"),
          kind="int", example=""),
    Field("garcons_realises", "Garçons réalisés", ("garcons realises", "hommes realises", "garcons touches"),
          kind="int", example=""),
    *[Field(f"age_{code}", label, AGE_ALIASES[code], kind="int", help="bénéficiaires prévus de cet âge",
            example={"12-15": 30, "16-17": 10}.get(code, ""))
      for code, label in vocab.TRANCHES_AGE.items()],
    *[Field(col, f"Note {label.lower()}", (f"note {label}", label, f"note de {label}"), kind="int",
            help="évaluation de 1 (insuffisant) à 4 (très satisfaisant)", example="")
      for col, label in vocab.EVALUATION_CRITERIA.items()],
    Field("evaluation", "Évaluation", ("evaluation", "commentaire d evaluation", "bilan", "appreciation",
                                       "avis d evaluation"), example=""),
]
importing.text_rules(FIELDS, "action")
FIELD_BY_NAME = {f.name: f for f in FIELDS}

PORTEUR_ALIASES = {
    "asso": "association", "association loi 1901": "association", "associations": "association",
    "collectivite territoriale": "collectivite", "commune": "collectivite", "ville": "collectivite",
    "epci": "collectivite", "mairie": "collectivite", "departement": "collectivite",
    "bailleur": "bailleur", "bailleur social": "bailleur", "office hlm": "bailleur", "esh": "bailleur",
    "etablissement public": "etablissement_public", "ccas": "etablissement_public", "college": "etablissement_public",
    "lycee": "etablissement_public", "ep": "etablissement_public",
    "entreprise": "entreprise", "scic": "entreprise", "sas": "entreprise", "sarl": "entreprise",
    "scop": "entreprise", "ess": "entreprise", "autre": "autre",
}
_GRANT = re.compile(r"\b(accorde|accordee|attribue|attribuee|vote|votee|obtenu|notifie|notifiee|octroye)\b")
_ASK = re.compile(r"\b(sollicite|sollicitee|demande|demandee)\b")


def financeur_field(header: str) -> str | None:
    """« Montant accordé Département » → montant_accorde_departement (None if not a per-financeur amount)."""
    n = norm(header)
    if not re.search(r"\b(montant|subvention|financement|participation)\b", n):
        return None
    fin = vocab.financeur_in(header)
    if fin is None:
        return None
    if _GRANT.search(n):
        return f"montant_accorde_{fin}"
    if _ASK.search(n):
        return f"montant_sollicite_{fin}"
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    importing.add_common_arguments(parser, "programmation")
    parser.add_argument("--annee", type=int, default=None, help="année de programmation si le fichier n'a pas de colonne Année")


def default_status(r: dict) -> str:
    """The documented default of a row without « Statut »: « accordé » when an amount granted is given
    (by any financeur), else « déposé »."""
    granted = any((f.get("montant_accorde") or 0) > 0 for f in r["_financements"])
    return "accorde" if granted else "depose"


def validate(sheet: tabular.Sheet, cols: dict[str, int], matcher: importing.QuartierMatcher,
             default_year: int | None) -> list[dict]:
    """Every row → a dict ready to store; raise InputErrors listing every problem of the file (those found
    while reading and mapping the headers included). Column by column (tabular.Columns): a programmation
    of 100 000 actions is checked in seconds (bench/imports.py)."""
    fields = {**FIELD_BY_NAME}
    for name in cols:
        fields.setdefault(name, Field(name, sheet.headers[cols[name]], (), kind="number"))
    c = tabular.Columns(sheet, cols, fields)
    get = c.parse
    numero = get("numero_dossier", required=True)
    years = get("annee", tabular.integer)
    for i, year in enumerate(years):
        if year is None:
            years[i] = default_year
            if default_year is None and c.ok[i]:
                c.error(i, "annee", "année manquante", "une colonne « Année » ou l'option --annee")
        elif not 2000 <= year <= 2100:
            c.error(i, "annee", f"année « {year} » invalide", "une année sur 4 chiffres (ex. 2025)")
    columns = {
        "numero_dossier": numero, "annee": years,
        "porteur_nom": get("porteur_nom", required=True),
        "porteur_siret": get("porteur_siret", tabular.siret),
        "porteur_type": get("porteur_type", tabular.choice, aliases=PORTEUR_ALIASES, labels=vocab.PORTEUR_TYPES),
        "intitule": get("intitule", required=True),
        "objectif": get("objectif"),
        "thematique": _themes(get("thematique")),
        "axe": get("axe"),
        "statut": get("statut", tabular.choice, aliases=vocab.ACTION_STATUT_ALIASES,
                      labels=vocabulary.labels("action_statuses")),
        "date_depot": get("date_depot", tabular.a_date),
        "cout_total": get("cout_total", tabular.amount),
        "montant_sollicite": get("montant_sollicite", tabular.amount),
    }
    if "date_decision" in cols:     # a file without the column leaves dates typed in the app untouched
        columns["date_decision"] = get("date_decision", tabular.a_date)
        for i, (d0, d1) in enumerate(zip(columns["date_depot"], columns["date_decision"])):
            if d0 and d1 and d1 < d0:
                c.error(i, "date_decision", f"date de décision ({frformat.fmt_date(d1)}) antérieure à la date de "
                                            f"dépôt ({frformat.fmt_date(d0)})", "une décision postérieure au dépôt du dossier")
    quartiers = get("quartiers", matcher.many)
    amounts = {}
    for name in cols:
        m = re.fullmatch(r"montant_(sollicite|accorde)_(.+)", name)
        if m:
            amounts[(m[2], f"montant_{m[1]}")] = get(name, tabular.amount)
    for col in vocab.EVALUATION_CRITERIA:
        notes = get(col, tabular.integer)
        for i, note in enumerate(notes):
            if note is not None and not vocab.NOTE_MIN <= note <= vocab.NOTE_MAX:
                c.error(i, col, f"note « {note} » hors de l'échelle", f"un entier de {vocab.NOTE_MIN} à {vocab.NOTE_MAX}")
                notes[i] = None
        columns[col] = notes
    columns["evaluation"] = get("evaluation")
    beneficiaries = _beneficiaries(c)
    out, seen = [], {}
    names = list(columns)
    for i, values in enumerate(zip(*columns.values())):
        r = dict(zip(names, values))
        r["_quartiers"] = quartiers[i] or []
        fin: dict[str, dict] = {}
        for (financeur, col), vals in amounts.items():
            if vals[i] is not None:
                fin.setdefault(financeur, {})[col] = vals[i]
        r["_financements"] = [{"financeur": f, "montant_sollicite": d.get("montant_sollicite"),
                               "montant_accorde": d.get("montant_accorde")} for f, d in fin.items()]
        r["_beneficiaires"] = beneficiaries[i]
        if r["statut"] is None and c.ok[i]:
            r["statut"], r["_statut_defaut"] = default_status(r), True
        key = (r["annee"], r["numero_dossier"])
        if r["numero_dossier"] and key in seen:
            c.error(i, "numero_dossier", f"dossier « {r['numero_dossier']} » en double (déjà ligne {seen[key]})",
                    "un numéro de dossier unique par année")
        seen.setdefault(key, c.lines[i])
        r["_line"] = c.lines[i]
        out.append(r)
    sheet.errors.raise_if_any()
    key_column = c.column("numero_dossier")
    for r in out:
        r["_key_column"] = key_column
    return out


def _themes(values: list) -> list:
    """A thématique typed like a declared one (case, accents) takes its declared spelling; free text stays."""
    declared = {norm(t): t for t in vocab.THEMATIQUES}
    spelled = {v: declared.get(norm(v), v) for v in set(values) if v}
    return [spelled.get(v, v) for v in values]


def _beneficiaries(c: tabular.Columns) -> list[list[dict]]:
    """Rows of action_beneficiaire of every action, from the total, sex and age columns (planned and
    actual); checks that the parts do not exceed the total."""
    out: list[list[dict]] = [[] for _ in range(c.n)]
    for phase, total_col, f_col, m_col, ages in (
            ("prevu", "beneficiaires_prevus", "filles", "garcons", list(vocab.TRANCHES_AGE)),
            ("realise", "beneficiaires_realises", "filles_realisees", "garcons_realises", [])):
        if not any(col in c.cols for col in (total_col, f_col, m_col, *(f"age_{a}" for a in ages))):
            continue
        totals, girls, boys = (c.parse(col, tabular.integer) for col in (total_col, f_col, m_col))
        by_age = {a: c.parse(f"age_{a}", tabular.integer) for a in ages if f"age_{a}" in c.cols}
        for i in range(c.n):
            total, f, m = totals[i], girls[i], boys[i]
            age_values = {a: v[i] for a, v in by_age.items() if v[i] is not None}
            if total is None and f is not None and m is not None:
                total = f + m
            if total is not None:
                if (f or 0) + (m or 0) > total:
                    c.error(i, f_col, f"filles + garçons ({(f or 0) + (m or 0)}) dépasse le total des bénéficiaires "
                                      f"{'prévus' if phase == 'prevu' else 'réalisés'} ({total})",
                            "une répartition par sexe inférieure ou égale au total")
                if sum(age_values.values()) > total:
                    c.error(i, "age_0-5", f"la somme des tranches d'âge ({sum(age_values.values())}) dépasse le total "
                                          f"({total})", "une répartition par âge inférieure ou égale au total")
                out[i].append({"phase": phase, "sexe": "*", "tranche_age": "*", "n": total})
            for sexe, v in (("F", f), ("M", m)):
                if v is not None:
                    out[i].append({"phase": phase, "sexe": sexe, "tranche_age": "*", "n": v})
            for code, v in age_values.items():
                out[i].append({"phase": phase, "sexe": "*", "tranche_age": code, "n": v})
    return out


PROGRAMMATION_TABLES = ["action_residence", "action_beneficiaire", "action_financement", "action_quartier", "action"]


def write(tx: store.EditSession, contrat: str, info: dict, quartiers: list[dict], rows: list[dict], replace: bool,
          path, sha: str, options: dict) -> list[tuple[str, str, int]]:
    """Check the rows against what the contract already holds, then (unless the transaction is a dry run)
    write them in the caller's transaction. Returns the counts of the report (what is, or would be, done)."""
    existing = {(a, d): (i, v) for i, a, d, v in tx.query(
        "SELECT id, annee, numero_dossier, row_version FROM action WHERE contrat_code = ? AND NOT is_demo", [contrat])}
    errors = tabular.Errors(path)
    for r in rows:
        if (r["annee"], r["numero_dossier"]) in existing and not replace:
            errors.add(f"dossier « {r['numero_dossier']} » ({r['annee']}) déjà importé pour ce contrat",
                       r["_line"], r["_key_column"],
                       "un nouveau numéro, ou l'option --remplacer pour mettre à jour")
    errors.raise_if_any()
    n_upd = sum(1 for r in rows if (r["annee"], r["numero_dossier"]) in existing)
    n_demo = tx.query("SELECT count(*) FROM action WHERE contrat_code = ? AND is_demo", [contrat])[0][0]
    counts = [("action", "ajout", len(rows) - n_upd), ("action", "maj", n_upd), ("action_demo", "retrait", n_demo)]
    import_id = importing.start_writing(tx, "programmation", contrat, info, quartiers, n_demo=n_demo,
                                        demo_tables=PROGRAMMATION_TABLES, demo_link="action_id", path=path, sha=sha,
                                        rows=len(rows), options=options)
    if import_id is None:
        return counts
    children = {"action_quartier": [], "action_financement": [], "action_beneficiaire": []}
    new_rows, new_values = [], []
    for i, r in enumerate(rows):
        values = {k: v for k, v in r.items() if not k.startswith("_")}
        key = (r["annee"], r["numero_dossier"])
        if key in existing:
            aid, version = existing[key]
            tx.update("action", aid, version, {**values, "import_id": import_id})
            for child in children:
                for (cid,) in tx.query(f'SELECT id FROM "{child}" WHERE action_id = ?', [aid]):
                    tx.delete(child, cid)
            _children(children, contrat, aid, r)
        else:
            new_rows.append(r)
            new_values.append({"contrat_code": contrat, **values, "import_id": import_id})
        tx.progress(i + 1, len(rows))
    for aid, r in zip(tx.insert_many("action", new_values, audit_rows=True), new_rows):
        _children(children, contrat, aid, r)
    for table, items in children.items():
        tx.insert_many(table, items)
    return counts


def _children(children: dict[str, list], contrat: str, aid: int, r: dict) -> None:
    base = {"contrat_code": contrat, "action_id": aid}
    children["action_quartier"] += [{**base, "quartier_code": q} for q in r["_quartiers"]]
    children["action_financement"] += [{**base, **f} for f in r["_financements"]]
    children["action_beneficiaire"] += [{**base, **b} for b in r["_beneficiaires"]]


def import_file(path, contrat: str, *, sheet: str | None = None, mapping: list[str] | None = None,
                annee: int | None = None, remplacer: bool = False, verifier: bool = False, user=None,
                saisie_db=None, db=None) -> dict:
    """Validate then store a programmation file (CLI and page); with `verifier`, validate only: nothing is
    written. Returns the report's facts (contract.imports.common.result)."""
    path = Path(path)
    data = tabular.read_sheet(path, FIELDS, sheet)
    maps = tabular.parse_map_options(mapping, FIELDS, path, dynamic_field=_financeur_field)
    cols, ignored = tabular.map_headers(data, FIELDS, maps, dynamic=financeur_field)
    sha = tabular.file_sha256(path)
    options = {"sheet": data.sheet, "map": mapping or [], "annee": annee, "remplacer": remplacer}
    rows, counts = [], []
    with importing.transaction(user, saisie_db, verifier) as tx:
        info, quartiers = importing.contract_and_quartiers(contrat, db, tx.con, path)
        rows = validate(data, cols, importing.QuartierMatcher(quartiers), annee)
        counts = write(tx, contrat, info, quartiers, rows, remplacer, path, sha, options)
    return importing.result("programmation", data, len(rows), counts, contrat=contrat, dry_run=verifier,
                            facts=_status_defaults(rows, "statut" in cols), ignored=ignored)


def _status_defaults(rows: list[dict], column: bool) -> dict:
    """Which statuses were deduced (documented default, never a silent guess): said in the report."""
    done = [r for r in rows if r.get("_statut_defaut")]
    if not done:
        return {}
    return {"statut_deduit": {"n": len(done), "accorde": sum(1 for r in done if r["statut"] == "accorde"),
                              "lines": [r["_line"] for r in done], "column": column}}


def run(args) -> dict:
    return importing.cli(import_file, args, annee=args.annee, remplacer=args.remplacer)


__all__ = ["FIELDS", "add_arguments", "run", "import_file", "validate", "financeur_field"]


def _financeur_field(name: str) -> bool:
    """`montant_accorde_caf`-style targets of --map: one amount column per declared financeur."""
    return bool(re.fullmatch(r"montant_(sollicite|accorde)_[a-z0-9_]+", name)) and \
        name.split("_", 2)[2] in vocabulary.labels("financeurs")
