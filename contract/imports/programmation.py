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
    while reading and mapping the headers included)."""
    errors = sheet.errors
    fields = {**FIELD_BY_NAME}
    for name in cols:
        fields.setdefault(name, Field(name, sheet.headers[cols[name]], ()))
    out, seen = [], {}
    for i in range(len(sheet.rows)):
        row = tabular.Row(sheet, i, cols, errors, fields)
        r = {}
        r["numero_dossier"] = row.get("numero_dossier", required=True)
        year = row.get("annee", tabular.integer)
        if year is None:
            year = default_year
            if year is None:
                row.error("annee", "année manquante", "une colonne « Année » ou l'option --annee")
        elif not 2000 <= year <= 2100:
            row.error("annee", f"année « {year} » invalide", "une année sur 4 chiffres (ex. 2025)")
        r["annee"] = year
        r["porteur_nom"] = row.get("porteur_nom", required=True)
        r["porteur_siret"] = row.get("porteur_siret", tabular.siret)
        r["porteur_type"] = row.get("porteur_type", tabular.choice, aliases=PORTEUR_ALIASES, labels=vocab.PORTEUR_TYPES)
        r["intitule"] = row.get("intitule", required=True)
        r["objectif"] = row.get("objectif")
        theme = row.get("thematique")
        r["thematique"] = next((t for t in vocab.THEMATIQUES if norm(t) == norm(theme)), theme)
        r["axe"] = row.get("axe")
        r["statut"] = row.get("statut", tabular.choice, aliases=vocab.ACTION_STATUT_ALIASES,
                              labels=vocabulary.labels("action_statuses"))
        r["date_depot"] = row.get("date_depot", tabular.a_date)
        if "date_decision" in cols:     # a file without the column leaves dates typed in the app untouched
            r["date_decision"] = row.get("date_decision", tabular.a_date)
            if r["date_depot"] and r["date_decision"] and r["date_decision"] < r["date_depot"]:
                row.error("date_decision", f"date de décision ({frformat.fmt_date(r['date_decision'])}) antérieure "
                                           f"à la date de dépôt ({frformat.fmt_date(r['date_depot'])})",
                          "une décision postérieure au dépôt du dossier")
        r["cout_total"] = row.get("cout_total", tabular.amount)
        r["montant_sollicite"] = row.get("montant_sollicite", tabular.amount)
        try:
            r["_quartiers"] = matcher.many(row.raw("quartiers"))
        except tabular.CellError as exc:
            row.error("quartiers", str(exc), exc.expected)
            r["_quartiers"] = []
        fin: dict[str, dict] = {}
        for name in cols:
            m = re.fullmatch(r"montant_(sollicite|accorde)_(.+)", name)
            if m:
                v = row.get(name, tabular.amount)
                if v is not None:
                    fin.setdefault(m[2], {})[f"montant_{m[1]}"] = v
        r["_financements"] = [{"financeur": f, "montant_sollicite": d.get("montant_sollicite"),
                               "montant_accorde": d.get("montant_accorde")} for f, d in fin.items()]
        for col in vocab.EVALUATION_CRITERIA:
            note = row.get(col, tabular.integer)
            if note is not None and not vocab.NOTE_MIN <= note <= vocab.NOTE_MAX:
                row.error(col, f"note « {note} » hors de l'échelle", f"un entier de {vocab.NOTE_MIN} à {vocab.NOTE_MAX}")
                note = None
            r[col] = note
        r["evaluation"] = row.get("evaluation")
        r["_beneficiaires"] = _beneficiaries(row)
        if r["statut"] is None and row.ok:
            r["statut"], r["_statut_defaut"] = default_status(r), True
        key = (r["annee"], r["numero_dossier"])
        if r["numero_dossier"] and key in seen:
            row.error("numero_dossier", f"dossier « {r['numero_dossier']} » en double (déjà ligne {seen[key]})",
                      "un numéro de dossier unique par année")
        seen.setdefault(key, row.line)
        r["_line"] = row.line
        r["_key_column"] = row.column("numero_dossier")
        out.append(r)
    errors.raise_if_any()
    return out


def _beneficiaries(row: tabular.Row) -> list[dict]:
    """Rows of action_beneficiaire from the total, sex and age columns (planned and actual); checks sums."""
    out = []
    for phase, total_col, f_col, m_col, age_prefix in (
            ("prevu", "beneficiaires_prevus", "filles", "garcons", "age_"),
            ("realise", "beneficiaires_realises", "filles_realisees", "garcons_realises", None)):
        total = row.get(total_col, tabular.integer)
        f = row.get(f_col, tabular.integer)
        m = row.get(m_col, tabular.integer)
        ages = {}
        if age_prefix:
            for code in vocab.TRANCHES_AGE:
                v = row.get(age_prefix + code, tabular.integer)
                if v is not None:
                    ages[code] = v
        if total is None and f is not None and m is not None:
            total = f + m
        if total is not None:
            if (f or 0) + (m or 0) > total:
                row.error(f_col, f"filles + garçons ({(f or 0) + (m or 0)}) dépasse le total des bénéficiaires "
                                 f"{'prévus' if phase == 'prevu' else 'réalisés'} ({total})",
                          "une répartition par sexe inférieure ou égale au total")
            if sum(ages.values()) > total:
                row.error("age_0-5", f"la somme des tranches d'âge ({sum(ages.values())}) dépasse le total ({total})",
                          "une répartition par âge inférieure ou égale au total")
            out.append({"phase": phase, "sexe": "*", "tranche_age": "*", "n": total})
        for sexe, v in (("F", f), ("M", m)):
            if v is not None:
                out.append({"phase": phase, "sexe": sexe, "tranche_age": "*", "n": v})
        for code, v in ages.items():
            out.append({"phase": phase, "sexe": "*", "tranche_age": code, "n": v})
    return out


PROGRAMMATION_TABLES = ["action_residence", "action_beneficiaire", "action_financement", "action_quartier", "action"]


def write(tx: store.EditSession, contrat: str, info: dict, quartiers: list[dict], rows: list[dict], replace: bool,
          path, sha: str, options: dict) -> list[str]:
    """Write validated rows in the caller's transaction. Returns report lines."""
    details = []
    tx.register_contract(contrat, info["nom"], quartiers, info.get("porteur_code"), info.get("departement"))
    demo_ids = [r[0] for r in tx.query("SELECT id FROM action WHERE contrat_code = ? AND is_demo", [contrat])]
    if demo_ids:
        tx.con.execute("DELETE FROM ref_lien WHERE contrat_code = ? AND is_demo AND action_id IS NOT NULL", [contrat])
        n = tx.purge_demo(contrat, PROGRAMMATION_TABLES)
        details.append(f"{len(demo_ids)} actions de démonstration retirées ({n} lignes)")
    existing = {(a, d): (i, v) for i, a, d, v in tx.query(
        "SELECT id, annee, numero_dossier, row_version FROM action WHERE contrat_code = ?", [contrat])}
    errors = tabular.Errors(path)
    for r in rows:
        if (r["annee"], r["numero_dossier"]) in existing and not replace:
            errors.add(f"dossier « {r['numero_dossier']} » ({r['annee']}) déjà importé pour ce contrat",
                       r["_line"], r["_key_column"],
                       "un nouveau numéro, ou l'option --remplacer pour mettre à jour")
    errors.raise_if_any()
    import_id = tx.log_import("programmation", contrat, path.name, sha, len(rows), options)
    children = {"action_quartier": [], "action_financement": [], "action_beneficiaire": []}
    n_new = n_upd = 0
    for i, r in enumerate(rows):
        values = {k: v for k, v in r.items() if not k.startswith("_")}
        key = (r["annee"], r["numero_dossier"])
        if key in existing:
            aid, version = existing[key]
            tx.update("action", aid, version, {**values, "import_id": import_id})
            for child in children:
                for (cid,) in tx.query(f'SELECT id FROM "{child}" WHERE action_id = ?', [aid]):
                    tx.delete(child, cid)
            n_upd += 1
        else:
            aid = tx.insert("action", {"contrat_code": contrat, **values, "import_id": import_id})
            n_new += 1
        base = {"contrat_code": contrat, "action_id": aid}
        children["action_quartier"] += [{**base, "quartier_code": q} for q in r["_quartiers"]]
        children["action_financement"] += [{**base, **f} for f in r["_financements"]]
        children["action_beneficiaire"] += [{**base, **b} for b in r["_beneficiaires"]]
        tx.progress(i + 1, len(rows))
    for table, items in children.items():
        tx.insert_many(table, items)
    details.insert(0, f"{n_new} action(s) ajoutée(s), {n_upd} mise(s) à jour")
    return details


def import_file(path, contrat: str, *, sheet: str | None = None, mapping: list[str] | None = None,
                annee: int | None = None, remplacer: bool = False, verifier: bool = False, user=None,
                saisie_db=None, db=None) -> dict:
    """Validate then store a programmation file (CLI and page). Returns {rows, details, ignored}."""
    path = Path(path)
    data = tabular.read_sheet(path, FIELDS, sheet)
    maps = tabular.parse_map_options(mapping, FIELDS, path, dynamic_field=_financeur_field)
    cols, ignored = tabular.map_headers(data, FIELDS, maps, dynamic=financeur_field)
    sha = tabular.file_sha256(path)
    options = {"sheet": data.sheet, "map": mapping or [], "annee": annee, "remplacer": remplacer}
    rows, details = [], []
    with importing.transaction(user, saisie_db, verifier) as tx:
        info, quartiers = importing.contract_and_quartiers(contrat, db, tx.con, path)
        rows = validate(data, cols, importing.QuartierMatcher(quartiers), annee)
        details = write(tx, contrat, info, quartiers, rows, remplacer, path, sha, options)
    details += _status_defaults(rows, "statut" in cols)
    return importing.result(data, rows, details, ignored)


def _status_defaults(rows: list[dict], column: bool) -> list[str]:
    """The report line saying which statuses were deduced (documented default, never a silent guess)."""
    done = [r for r in rows if r.get("_statut_defaut")]
    if not done:
        return []
    n_acc = sum(1 for r in done if r["statut"] == "accorde")
    where = ("colonne « Statut » absente" if not column else
             "« Statut » vide ligne(s) " + ", ".join(str(r["_line"]) for r in done[:20])
             + (" …" if len(done) > 20 else ""))
    return [f"{where} : statut déduit pour {len(done)} action(s) — {n_acc} « Accordé » (un montant accordé est "
            f"renseigné), {len(done) - n_acc} « Déposé » (aucun montant accordé). Corrigez-les dans la page "
            "Programmation ou réimportez avec une colonne « Statut »."]


def run(args) -> int:
    return importing.cli("programmation", import_file, args, annee=args.annee, remplacer=args.remplacer)


__all__ = ["FIELDS", "add_arguments", "run", "import_file", "validate", "financeur_field"]


def _financeur_field(name: str) -> bool:
    """`montant_accorde_caf`-style targets of --map: one amount column per declared financeur."""
    return bool(re.fullmatch(r"montant_(sollicite|accorde)_[a-z0-9_]+", name)) and \
        name.split("_", 2)[2] in vocabulary.labels("financeurs")
