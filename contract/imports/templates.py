"""Downloadable import templates (XLSX): headers, an example row, and a « Notice » sheet per kind.

Built from the very field declarations the imports use (contract/imports/*.FIELDS). A template is filled with
the contract's own quartiers and signataires (never another contract's example): `context()` reads them from
the saisie database and the warehouse. Its example rows start with « EXEMPLE » in their first cell: the
imports leave such rows out (readers.tabular.is_example) and say so, so a template downloaded and filled
below its example imports cleanly; the optional « Points d'étape » sheet may be left as it is.
`python -m contract.imports.templates KIND FICHIER.xlsx --contrat CODE` writes one.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from contract import store, vocab
from contract import warehouse as contract_wh
from contract.imports import engagements as engagements_import
from contract.imports import enquete as enquete_import
from contract.imports import programmation as programmation_import
from contract.imports import referentiel as referentiel_import
from observatoire import catalogue, db, settings, vocabulary
from observatoire.cli import ArgumentParser

KINDS = {
    "programmation": "Programmation annuelle (une ligne par action)",
    "engagements": "Engagements des signataires (une ligne par engagement, points d'étape en 2e feuille)",
    "enquete": "Enquête habitants (une ligne par répondant, une colonne par question)",
    "referentiel": "Référentiel d'évaluation (une ligne par indicateur : enjeu, objectifs, indicateur, cibles)",
}
SHEET_TITLES = {"programmation": "Programmation", "engagements": "Engagements", "enquete": "Réponses",
                "referentiel": "Référentiel"}
EXAMPLE = "EXEMPLE — "            # first cell of an example row: readers.tabular.is_example leaves it out
EXAMPLE_NOTE = ("Ligne d'exemple : elle commence par « EXEMPLE » et l'import l'ignore. Remplacez-la par vos "
                "lignes, ou laissez-la.")


def _fields(kind: str):
    modules = {"programmation": programmation_import, "engagements": engagements_import, "enquete": enquete_import,
               "referentiel": referentiel_import}
    if kind in modules:
        return list(modules[kind].FIELDS)
    raise KeyError(f"modèle inconnu : {kind} (attendu : {', '.join(KINDS)})")


def context(contrat: str, saisie_con=None, warehouse_con=None) -> dict:
    """What a template of `contrat` is filled with: its quartiers (the saisie database's, else the
    warehouse's), its real signataires (démo ones excluded), its name."""
    quartiers, signataires, nom = [], [], None
    if saisie_con is not None:
        quartiers = [{"quartier_code": q, "nom": n, "communes": c} for q, n, c in saisie_con.execute(
            "SELECT quartier_code, nom, communes FROM contrat_quartier WHERE contrat_code = ? AND NOT is_demo "
            "ORDER BY quartier_code", [contrat]).fetchall()]
        signataires = signataires_of(saisie_con, contrat)
        row = saisie_con.execute("SELECT nom FROM contrat WHERE contrat_code = ?", [contrat]).fetchone()
        nom = row[0] if row else None
    if warehouse_con is not None:
        try:
            nom = contract_wh.contract_info(warehouse_con, contrat)["nom"]
            quartiers = quartiers or contract_wh.contract_quartiers(warehouse_con, contrat)
        except contract_wh.WarehouseIncomplete:
            pass
    return {"quartiers": quartiers, "signataires": signataires, "contrat_nom": nom}


def signataires_of(saisie_con, contrat: str) -> list[tuple[str, str]]:
    """(nom, type_signataire) of the contract's real signataires, for the engagements template's example."""
    return [(n, t) for n, t in saisie_con.execute(
        "SELECT nom, type_signataire FROM signataire WHERE contrat_code = ? AND NOT is_demo ORDER BY nom",
        [contrat]).fetchall()]


def _example_quartier(quartiers: list[dict] | None) -> str:
    return quartiers[0]["quartier_code"] if quartiers else "QN00000A"


def _example_signataire(signataires, contrat_nom: str | None) -> tuple[str, str]:
    """The contract's first signataire, else the body carrying the contract (its EPCI: always a signataire)."""
    if signataires:
        nom, kind = signataires[0]
        return nom, vocab.SIGNATAIRE_TYPES.get(kind, kind)
    if contrat_nom:
        return contrat_nom, vocab.SIGNATAIRE_TYPES.get(vocab.guess_signataire_type(contrat_nom), "EPCI")
    return "Signataire du contrat", vocab.SIGNATAIRE_TYPES["autre"]


def _example_values(kind: str, fields, quartiers, signataires, contrat_nom) -> tuple[list[str], list]:
    """The data sheet's headers and example row (its first cell marked « EXEMPLE — »)."""
    q_example = _example_quartier(quartiers)
    headers, example = [], []
    if kind == "enquete":
        for f in fields:
            headers.append(f.label)
            example.append(q_example if f.name == "quartier" else f.example)
        for code, label, answer in (("Q1", "Je me sens bien dans mon quartier", "Plutôt d'accord"),
                                    ("Q2", "Propreté des espaces extérieurs", "Plutôt insatisfait"),
                                    ("Q3", "Connaissez-vous le conseil citoyen ?", "Non")):
            headers.append(f"{code} - {label}")
            example.append(answer)
        headers.append("Commentaire libre")
        example.append("Il faudrait plus de bancs et d'ombre.")
    else:
        sig_nom, sig_type = _example_signataire(signataires, contrat_nom)
        own = {"quartiers": q_example, "signataire": sig_nom, "type_signataire": sig_type}
        for f in fields:
            headers.append(f.label)
            example.append(own[f.name] if own.get(f.name) else f.example)
        if kind == "programmation":
            headers += ["Montant accordé Commune", "Montant accordé Département"]
            example += ["2 000,00", ""]
    example[0] = f"{EXAMPLE}{'' if example[0] in (None, '') else example[0]}"
    return headers, [None if v == "" else v for v in example]


def build(kind: str, quartiers: list[dict] | None = None, signataires: list[tuple[str, str]] | None = None,
          contrat_nom: str | None = None) -> bytes:
    """The template workbook as bytes, filled with the contract's quartiers (example, list in the notice) and
    signataires (`context()`)."""
    fields = _fields(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLES[kind]
    headers, example = _example_values(kind, fields, quartiers, signataires, contrat_nom)
    ws.append(headers)
    ws.append(example)
    _mark_example(ws, 2)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE6F1")
    for j, cell in enumerate(ws[1], start=1):
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = max(14, min(40, len(str(cell.value)) + 4))
    ws.freeze_panes = "A2"

    if kind == "engagements":
        wp = wb.create_sheet("Points d'étape")
        wp.append([f.label for f in engagements_import.POINT_FIELDS])
        points = [f.example for f in engagements_import.POINT_FIELDS]
        points[0] = EXAMPLE + str(example[0] or "").replace(EXAMPLE, "")
        wp.append(points)
        _mark_example(wp, 2)
        for cell in wp[1]:
            cell.font, cell.fill = bold, fill

    notice = wb.create_sheet("Notice")
    notice.append([f"Modèle d'import : {KINDS[kind]}"])
    notice["A1"].font = Font(bold=True, size=13)
    notice.append([f"Commande : python -m loaders import {kind} FICHIER.xlsx --contrat CODE "
                   "(ajoutez --verifier pour contrôler sans enregistrer)"])
    notice.append(["Nombres au format français (1 234,50), dates JJ/MM/AAAA. Tout le fichier est refusé s'il contient "
                   "une erreur ; chaque erreur est signalée avec sa ligne et sa colonne."])
    notice.append(["Vos propres en-têtes sont acceptés s'ils figurent parmi les variantes ci-dessous, ou avec "
                   "l'option --map \"Votre en-tête=champ\"."])
    notice.append(["Les lignes dont la première cellule commence par « EXEMPLE » sont ignorées à l'import : "
                   "remplacez-les par vos lignes, ou laissez-les."])
    if kind == "engagements":
        notice.append(["La feuille « Points d'étape » est facultative : laissez-la vide (ou avec son exemple) tant "
                       "qu'aucun point d'étape n'a eu lieu."])
    notice.append([])
    notice.append(["Colonne", "Champ (--map)", "Obligatoire", "Contenu attendu", "Variantes d'en-tête acceptées"])
    for cell in notice[notice.max_row]:
        cell.font, cell.fill = bold, fill
    for f in fields:
        notice.append([f.label, f.name, "oui" if f.required else "", f.help or _kind_help(f.kind),
                       ", ".join(f.aliases)])
    if kind == "programmation":
        notice.append(["Montant accordé / sollicité <financeur>", "montant_accorde_<code>, montant_sollicite_<code>", "",
                       "une colonne par financeur ; codes : " + ", ".join(f"{k} ({v})" for k, v in vocabulary.labels("financeurs").items()),
                       "« Montant accordé Commune », « Montant sollicité CAF », « Subvention attribuée Région »…"])
    if kind == "enquete":
        notice.append(["Q1 - …, Q2 - … (toute autre colonne)", "", "", "une colonne par question ; réponses parmi "
                       "une des échelles ci-dessous", "« Q3 - libellé » donne le code Q3"])
        notice.append(["Commentaire…, Verbatim…, Remarque…", "", "", "texte libre : cité seulement si « Publiable » = oui",
                       ""])
        notice.append([])
        notice.append(["Échelles reconnues", "", "", "favorables (comptées dans la part favorable)", "toutes les réponses"])
        for code, (label, opts) in vocab.ECHELLES.items():
            notice.append([label, code, "", " / ".join(o[0] for o in opts if o[1]), " / ".join(o[0] for o in opts)])
        notice.append([])
        notice.append(["Données personnelles : ne mettez ni nom, ni prénom, ni adresse, ni téléphone, ni e-mail. "
                       "L'identifiant est haché avant stockage."])
    if kind in ("programmation", "engagements"):
        notice.append([])
        values = vocabulary.labels("action_statuses") if kind == "programmation" else vocabulary.labels("engagement_statuses")
        notice.append(["Statuts", "", "", " / ".join(values.values()), ""])
    if kind == "referentiel":
        notice.append([])
        notice.append(["Indicateurs du catalogue", "identifiant", "", "libellé", "unité"])
        for ind in catalogue.indicators():
            notice.append(["", ind["id"], "", ind["label"], ind.get("unit") or ""])
    if kind == "engagements" and signataires:
        notice.append([])
        notice.append(["Signataires du contrat", "", "", "nom (écrit ainsi, il désigne le même signataire)", "type"])
        for nom, type_code in signataires:
            notice.append(["", "", "", nom, vocab.SIGNATAIRE_TYPES.get(type_code, type_code)])
    if quartiers:
        notice.append([])
        notice.append(["Quartiers du contrat", "code", "", "nom", "communes"])
        for q in quartiers:
            notice.append(["", q["quartier_code"], "", q["nom"], q.get("communes") or ""])
    for col, width in zip("ABCDE", (34, 30, 12, 60, 70)):
        notice.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _mark_example(ws, row: int) -> None:
    """An example row in grey italics, with a comment on its first cell saying it is ignored."""
    grey = Font(italic=True, color="7F7F7F")
    for cell in ws[row]:
        cell.font = grey
    ws.cell(row, 1).comment = Comment(EXAMPLE_NOTE, "Observatoire")


def _kind_help(kind: str) -> str:
    return {"int": "nombre entier", "number": "nombre (1 234,50)", "date": "date JJ/MM/AAAA", "bool": "oui / non",
            "siret": "14 chiffres", "list": "liste séparée par « ; »"}.get(kind, "texte")


def file_name(kind: str) -> str:
    return f"modele_import_{kind}.xlsx"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m contract.imports.templates",
                            description="Écrit le modèle d'import XLSX d'un type de fichier, avec sa notice, rempli "
                                        "avec les quartiers et signataires du contrat.")
    parser.add_argument("kind", choices=list(KINDS), metavar="TYPE", help="type de fichier : " + ", ".join(KINDS))
    parser.add_argument("out", type=Path, metavar="FICHIER.xlsx", help="fichier à écrire")
    parser.add_argument("--contrat", default=None, metavar="CODE",
                        help="contrat de ville (ex. CN03103I) : ses quartiers et signataires remplissent le modèle")
    parser.add_argument("--saisie-db", default=None, metavar="FICHIER_OU_URL",
                        help="base de saisie : fichier DuckDB ou URL postgresql://… (défaut : celle configurée)")
    parser.add_argument("--db", type=Path, default=None, help="entrepôt (défaut : OBSERVATOIRE_DB)")
    args = parser.parse_args(argv)
    ctx = {}
    if args.contrat:
        try:
            wh = db.connect(args.db or settings.db_path(), read_only=True)
        except FileNotFoundError:
            wh = None
        try:
            with store.connect(args.saisie_db) as sc:
                ctx = context(args.contrat, sc, wh)
        finally:
            if wh is not None:
                wh.close()
        if not ctx["quartiers"]:
            print(f"ERREUR : contrat de ville « {args.contrat} » inconnu (ni dans l'entrepôt, ni dans la base de "
                  "saisie)", file=sys.stderr)
            return 1
    args.out.write_bytes(build(args.kind, **ctx))
    print(f"Modèle écrit : {args.out}" + (f" (contrat {args.contrat})" if args.contrat else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
