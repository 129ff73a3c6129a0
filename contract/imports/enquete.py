"""Enquête habitants : une ligne par répondant, une colonne par question (export de LimeSurvey, Sphinx, Excel).

`python -m loaders import enquete FICHIER --contrat CODE [--enquete "Titre"] [--vague 2] [--libelle-vague ...]
 [--sheet ...] [--map "En-tête=champ" ...] [--verifier]`

Columns: « Quartier » (required: code QN… or name), « Date », « Vague », « Identifiant » (any respondent id:
stored only as a salted hash), free-text columns starting with « Verbatim », « Commentaire » or « Remarque »
(stored as verbatims, published only when the « Publiable » column says oui), and every other column is a
question (« Q3 - Propreté des espaces extérieurs » gives code Q3). Each question's answer scale is
recognised from its answers (d'accord / satisfaction / évolution / oui-non, 4 levels + « ne sait pas »);
an answer outside any scale is an error with its line and column. Columns that would hold personal data
(nom, prénom, adresse, téléphone, e-mail, date de naissance) are refused: surveys are stored pseudonymised.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import secrets
from pathlib import Path
from types import SimpleNamespace

from readers.errors import InputError
from readers.text import norm, text_problem

from contract import store, vocab
from contract.imports import common as importing
from readers import tabular
from readers.tabular import Field

FIELDS: list[Field] = [
    Field("quartier", "Quartier", ("quartier", "qpv", "quartier de residence", "quartier d habitation",
                                   "code quartier"), required=True, help="code QN… ou nom du quartier",
          example="QN00612M"),
    Field("date_reponse", "Date", ("date", "date de reponse", "date de l entretien", "date de passation",
                                   "date de saisie"), kind="date", example="14/10/2025"),
    Field("vague", "Vague", ("vague", "numero de vague", "edition"), kind="int",
          help="numéro de vague (ou option --vague)", example=2),
    Field("identifiant", "Identifiant", ("identifiant", "id", "id repondant", "numero de questionnaire",
                                         "n questionnaire", "reponse id", "id de la reponse"),
          help="identifiant du questionnaire (jamais stocké tel quel : haché)", example="Q-0457"),
    Field("publiable", "Publiable", ("publiable", "verbatim publiable", "a publier", "accord de publication"),
          kind="bool", help="oui / non : le verbatim de la ligne peut-il être cité ?", example="oui"),
]
FIELD_BY_NAME = {f.name: f for f in FIELDS}
VERBATIM_PREFIXES = ("verbatim", "commentaire", "remarque", "texte libre", "expression libre", "suggestion")
PERSONAL = ("nom", "prenom", "adresse", "telephone", "tel", "portable", "email", "e mail", "mail", "courriel",
            "date de naissance", "numero de securite sociale", "nir", "nom prenom", "nom et prenom")
_QCODE = re.compile(r"^\s*(Q\s*\d+[a-z]?)\s*[-.:)]\s*(.+)$", re.IGNORECASE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    importing.add_common_arguments(parser, "enquete")
    parser.add_argument("--enquete", default=None, help="titre de l'enquête (défaut : nom du fichier)")
    parser.add_argument("--vague", type=int, default=None, help="numéro de vague si pas de colonne Vague")
    parser.add_argument("--libelle-vague", default=None, help="libellé de la vague (ex. « Vague 2 – automne 2025 »)")
    parser.add_argument("--methode", default=None, help="mode de collecte (porte-à-porte, en ligne…)")


def _scale_index() -> dict[str, dict[str, str]]:
    """scale code -> {normalised spelling: canonical option label}."""
    out = {}
    for code, (_, opts) in vocab.ECHELLES.items():
        labels = {norm(o[0]): o[0] for o in opts}
        for alias, canon in vocab.MODALITE_ALIASES.items():
            if canon in {o[0] for o in opts}:
                labels.setdefault(norm(alias), canon)
        out[code] = labels
    return out


def classify_columns(sheet: tabular.Sheet, cols: dict[str, int]) -> tuple[list[int], list[int]]:
    """(question column indexes, verbatim column indexes); personal-data columns go to sheet.errors."""
    errors = sheet.errors
    line = sheet.header_line
    used = set(cols.values())
    questions, verbatims = [], []
    for j, h in enumerate(sheet.headers):
        if j in used or not h:
            continue
        n = norm(h)
        if "quartier" not in n and (n in PERSONAL or any(n.startswith(p + " ") for p in ("nom", "prenom", "adresse", "telephone", "email"))):
            errors.add("colonne de données personnelles refusée", line, sheet.where(j),
                       "un fichier sans nom, prénom, adresse ni contact : supprimez cette colonne (RGPD)")
            continue
        if n.startswith(VERBATIM_PREFIXES):
            verbatims.append(j)
            continue
        code, label = question_meta(h, len(questions))
        problem = (text_problem(code, store.TABLES["question"].text_rule("code"))
                   or text_problem(label, store.TABLES["question"].text_rule("libelle")))
        if problem:
            errors.add(f"en-tête de question refusé : {problem[0]}", line, sheet.where(j), problem[1])
            continue
        questions.append(j)
    if not questions and not errors:
        errors.add("aucune colonne de question", line, None, "une colonne par question, en plus de « Quartier »")
    return questions, verbatims


def question_meta(header: str, position: int) -> tuple[str, str]:
    m = _QCODE.match(header)
    if m:
        return m[1].upper().replace(" ", ""), m[2].strip()
    return f"Q{position + 1}", header.strip()


def detect_scales(sheet: tabular.Sheet, qcols: list[int]) -> dict[int, str]:
    """Scale of each question column: the first scale (in vocab order) containing every answer given.
    Answers fitting no scale are reported cell by cell."""
    index = _scale_index()
    errors = sheet.errors
    out = {}
    for j in qcols:
        values = {}
        for row, line in zip(sheet.rows, sheet.lines):
            t = tabular.text(row[j])
            if t is not None:
                values.setdefault(norm(t), (t, line))
        fits = [code for code, labels in index.items() if all(v in labels for v in values)]
        if fits:
            out[j] = fits[0]
            continue
        # the scale matching most answers names the cells that do not fit it
        best = max(index, key=lambda c: sum(1 for v in values if v in index[c]))
        for v, (raw, line) in values.items():
            if v not in index[best]:
                errors.add(f"réponse « {raw} » hors de l'échelle de la question", line, sheet.where(j),
                           "une des réponses : " + " / ".join(o[0] for o in vocab.ECHELLES[best][1]))
    return out


def pseudonym(salt: str, contrat: str, ident: str) -> str:
    return hashlib.sha256(f"{salt}|{contrat}|{ident}".encode("utf-8")).hexdigest()[:16]


def _salt(tx: store.EditSession) -> str:
    """Per-database secret used to hash respondent identifiers (created once, kept in meta; a dry run, which
    writes nothing, only needs one to tell the file's respondents apart)."""
    row = tx.query("SELECT value FROM meta WHERE key = 'pseudonym_salt'")
    if row:
        return row[0][0]
    salt = secrets.token_hex(16)
    if not tx.dry_run:
        tx.con.execute("INSERT INTO meta VALUES ('pseudonym_salt', ?)", [salt])
    return salt


def import_file(path, contrat: str, *, sheet: str | None = None, mapping: list[str] | None = None,
                enquete: str | None = None, vague: int | None = None, libelle_vague: str | None = None,
                methode: str | None = None, verifier: bool = False, user=None, saisie_db=None, db=None) -> dict:
    """Validate then store a survey file (CLI and page); with `verifier`, validate only: nothing is written.
    Returns the report's facts (contract.imports.common.result). The title (`enquete`, else the file's name),
    the wave's label and the method are stored: the store's text rule applies to them first."""
    path = Path(path)
    titre = enquete or path.stem.replace("_", " ")
    importing.check_option(path, "--enquete" if enquete else "--enquete (titre tiré du nom du fichier)", titre)
    importing.check_option(path, "--libelle-vague", libelle_vague)
    importing.check_option(path, "--methode", methode, store.TABLES["enquete"].text_rule("methode"))
    args = SimpleNamespace(contrat=contrat, vague=vague, libelle_vague=libelle_vague, methode=methode)
    data = tabular.read_sheet(path, FIELDS, sheet)
    maps = tabular.parse_map_options(mapping, FIELDS, path)
    cols, _ = tabular.map_headers(data, FIELDS, maps)
    qcols, vcols = classify_columns(data, cols)
    scales = detect_scales(data, qcols)
    sha = tabular.file_sha256(path)
    options = {"sheet": data.sheet, "map": mapping or [], "enquete": titre, "vague": vague}
    counts, waves = [], []
    verbatim_rule = store.TABLES["verbatim"].text_rule("texte")
    with importing.transaction(user, saisie_db, verifier) as tx:
        info, quartiers = importing.contract_and_quartiers(contrat, db, tx.con, path)
        matcher = importing.QuartierMatcher(quartiers)
        errors = data.errors
        salt = _salt(tx)
        respondents = []
        seen = {}
        for i in range(len(data.rows)):
            row = tabular.Row(data, i, cols, errors, FIELD_BY_NAME)
            raw_q = tabular.text(row.raw("quartier"))
            try:
                q = matcher.one(raw_q or "")
            except tabular.CellError as exc:
                row.error("quartier", str(exc) if raw_q else "quartier manquant", exc.expected)
                q = None
            wave = row.get("vague", tabular.integer, minimum=1) or vague or 1
            ident = row.get("identifiant") or f"{sha[:12]}:{row.line}"
            pseudo = pseudonym(salt, contrat, ident)
            if (wave, pseudo) in seen:
                row.error("identifiant", f"répondant en double dans la vague {wave} (déjà ligne {seen[(wave, pseudo)]})",
                          "un identifiant unique par répondant")
            seen.setdefault((wave, pseudo), row.line)
            publiable = row.get("publiable", tabular.boolean)
            texts = [(j, row.get_column(j, lambda v: tabular.safe_text(v, verbatim_rule))) for j in vcols]
            respondents.append({"line": row.line, "quartier_code": q, "vague": wave, "pseudo": pseudo,
                                "date_reponse": row.get("date_reponse", tabular.a_date),
                                "answers": {j: tabular.text(data.rows[i][j]) for j in qcols},
                                "verbatims": [(j, t) for j, t in texts if t], "publiable": bool(publiable)})
        errors.raise_if_any()
        counts, waves = _write(tx, args, info, quartiers, titre, data, qcols, scales, respondents, sha, options)
    return importing.result("enquete", data, len(data.rows), counts, contrat=contrat, dry_run=verifier,
                            facts={"vagues": waves})


def run(args) -> dict:
    return importing.cli(import_file, args, enquete=args.enquete, vague=args.vague,
                         libelle_vague=args.libelle_vague, methode=args.methode)


SURVEY_TABLES = ["reponse", "verbatim", "repondant", "question", "echelle_modalite", "echelle", "enquete_vague",
                 "enquete"]


def _write(tx, args, info, quartiers, titre, sheet, qcols, scales, respondents, sha, options):
    """Check the survey against what the contract holds, then (unless the transaction is a dry run) write it.
    Returns (counts of the report, wave numbers)."""
    contrat = args.contrat
    found = tx.query("SELECT id FROM enquete WHERE contrat_code = ? AND titre = ? AND NOT is_demo", [contrat, titre])
    enq = found[0][0] if found else None
    numbers = sorted({r["vague"] for r in respondents})
    known_waves = {}
    for w in numbers:
        row = tx.query("SELECT id FROM enquete_vague WHERE enquete_id = ? AND numero = ?", [enq, w]) if enq else []
        if row:
            n_old = tx.query("SELECT count(*) FROM repondant WHERE vague_id = ?", [row[0][0]])[0][0]
            if n_old:
                raise InputError(sheet.path, f"la vague {w} de l'enquête « {titre} » a déjà {n_old} répondants",
                                 expected="un autre numéro de vague (--vague) ou un autre titre (--enquete)")
            known_waves[w] = row[0][0]
    existing_q = {c: (i, lab) for i, c, lab in tx.query(
        "SELECT id, code, libelle FROM question WHERE enquete_id = ?", [enq])} if enq else {}
    by_label = {norm(lab): (c, i) for c, (i, lab) in existing_q.items()}
    new_questions = [j for pos, j in enumerate(qcols) if norm(question_meta(sheet.headers[j], pos)[1]) not in by_label
                     and question_meta(sheet.headers[j], pos)[0] not in existing_q]
    n_answers = sum(1 for r in respondents for v in r["answers"].values() if v is not None)
    n_verb = sum(len(r["verbatims"]) for r in respondents)
    n_demo = tx.query("SELECT count(*) FROM enquete WHERE contrat_code = ? AND is_demo", [contrat])[0][0]
    counts = [("repondant", "ajout", len(respondents)), ("question", "ajout", len(new_questions)),
              ("reponse", "ajout", n_answers), ("verbatim", "ajout", n_verb), ("enquete_demo", "retrait", n_demo)]
    import_id = importing.start_writing(tx, "enquete", contrat, info, quartiers, n_demo=n_demo,
                                        demo_tables=SURVEY_TABLES, demo_link=None, path=sheet.path, sha=sha,
                                        rows=len(respondents), options=options)
    if import_id is None:
        return counts, numbers
    if enq is None:
        enq = tx.insert("enquete", {"contrat_code": contrat, "titre": titre, "methode": args.methode})
    D = {"contrat_code": contrat}
    waves = dict(known_waves)
    for w in numbers:
        if w not in waves:
            dates = [r["date_reponse"] for r in respondents if r["vague"] == w and r["date_reponse"]]
            waves[w] = tx.insert("enquete_vague", {**D, "enquete_id": enq, "numero": w,
                                                   "libelle": args.libelle_vague or f"Vague {w}",
                                                   "date_debut": min(dates) if dates else None,
                                                   "date_fin": max(dates) if dates else None})
    # scales and their options
    options_ids: dict[tuple[str, str], int] = {}
    scale_ids = {}
    for code in sorted(set(scales.values())):
        row = tx.query("SELECT id FROM echelle WHERE enquete_id = ? AND code = ?", [enq, code])
        if row:
            scale_ids[code] = row[0][0]
            for mid, lab in tx.query("SELECT id, libelle FROM echelle_modalite WHERE echelle_id = ?", [row[0][0]]):
                options_ids[(code, lab)] = mid
            continue
        label, opts = vocab.ECHELLES[code]
        scale_ids[code] = tx.insert("echelle", {**D, "enquete_id": enq, "code": code, "libelle": label})
        for k, (lab, fav, excl) in enumerate(opts):
            options_ids[(code, lab)] = tx.insert("echelle_modalite", {**D, "echelle_id": scale_ids[code], "ordre": k,
                                                                      "libelle": lab, "favorable": fav, "exclue": excl})
    # questions (matched to existing ones of the survey by code, then label)
    n_order = len(existing_q)
    qids = {}
    for pos, j in enumerate(qcols):
        code, label = question_meta(sheet.headers[j], pos)
        if norm(label) in by_label:
            code, qid = by_label[norm(label)]
        elif code in existing_q:
            qid = existing_q[code][0]
        else:
            qid = tx.insert("question", {**D, "enquete_id": enq, "code": code, "libelle": label,
                                         "echelle_id": scale_ids[scales[j]], "ordre": n_order})
            n_order += 1
        qids[j] = qid
    index = _scale_index()
    answers = []
    for r in respondents:
        rid = tx.insert("repondant", {**D, "enquete_id": enq, "vague_id": waves[r["vague"]], "pseudo": r["pseudo"],
                                      "quartier_code": r["quartier_code"], "date_reponse": r["date_reponse"],
                                      "import_id": import_id}, audit=False)
        for j, raw in r["answers"].items():
            if raw is None:
                continue
            code = scales[j]
            answers.append({**D, "repondant_id": rid, "question_id": qids[j],
                            "modalite_id": options_ids[(code, index[code][norm(raw)])]})
        for j, txt in r["verbatims"]:
            tx.insert("verbatim", {**D, "enquete_id": enq, "vague_id": waves[r["vague"]], "repondant_id": rid,
                                   "quartier_code": r["quartier_code"], "texte": txt, "publiable": r["publiable"]},
                      audit=False)
    tx.insert_many("reponse", answers)
    tx.note("import", contrat, "repondant", f"{len(respondents)} répondant(s) pseudonymisé(s) (import {import_id})")
    return counts, numbers


