"""Downloadable import templates (XLSX): headers, one example row, and a « Notice » sheet per kind.

Built from the very field declarations the imports use (loaders/imports/*.FIELDS), so a template always
imports cleanly. Pages offer them as downloads; `python -m contract.imports.templates KIND FICHIER.xlsx` writes one.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from contract import vocab
from contract.imports import engagements as engagements_import
from contract.imports import enquete as enquete_import
from contract.imports import programmation as programmation_import
from observatoire import vocabulary

KINDS = {
    "programmation": "Programmation annuelle (une ligne par action)",
    "engagements": "Engagements des signataires (une ligne par engagement, points d'étape en 2e feuille)",
    "enquete": "Enquête habitants (une ligne par répondant, une colonne par question)",
}


def _fields(kind: str):
    modules = {"programmation": programmation_import, "engagements": engagements_import, "enquete": enquete_import}
    if kind in modules:
        return list(modules[kind].FIELDS)
    raise KeyError(f"modèle inconnu : {kind} (attendu : {', '.join(KINDS)})")


def _example_quartier(quartiers: list[dict] | None) -> str:
    if quartiers:
        return quartiers[0]["quartier_code"]
    return "QN00612M"


def build(kind: str, quartiers: list[dict] | None = None) -> bytes:
    """The template workbook as bytes. `quartiers` (of the contract) give a valid example and a list sheet."""
    fields = _fields(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = {"programmation": "Programmation", "engagements": "Engagements", "enquete": "Réponses"}[kind]
    q_example = _example_quartier(quartiers)
    headers, example = [], []
    if kind == "enquete":
        for f in fields:
            headers.append(f.label)
            example.append(q_example if f.name == "quartier" else f.example)
        for code, label, scale, answer in (("Q1", "Je me sens bien dans mon quartier", "accord4", "Plutôt d'accord"),
                                           ("Q2", "Propreté des espaces extérieurs", "satisfaction4", "Plutôt insatisfait"),
                                           ("Q3", "Connaissez-vous le conseil citoyen ?", "oui_non", "Non")):
            headers.append(f"{code} - {label}")
            example.append(answer)
        headers.append("Commentaire libre")
        example.append("Il faudrait plus de bancs et d'ombre.")
    else:
        for f in fields:
            headers.append(f.label)
            example.append(q_example if f.name == "quartiers" else f.example)
        if kind == "programmation":
            headers += ["Montant accordé Commune", "Montant accordé Département"]
            example += ["2 000,00", ""]
    ws.append(headers)
    ws.append([None if v == "" else v for v in example])
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
        wp.append([f.example for f in engagements_import.POINT_FIELDS])
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


def _kind_help(kind: str) -> str:
    return {"int": "nombre entier", "number": "nombre (1 234,50)", "date": "date JJ/MM/AAAA", "bool": "oui / non",
            "siret": "14 chiffres", "list": "liste séparée par « ; »"}.get(kind, "texte")


def file_name(kind: str) -> str:
    return f"modele_import_{kind}.xlsx"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in KINDS:
        print(f"usage : python -m contract.imports.templates {{{'|'.join(KINDS)}}} FICHIER.xlsx", file=sys.stderr)
        return 2
    Path(argv[1]).write_bytes(build(argv[0]))
    print(f"Modèle écrit : {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
