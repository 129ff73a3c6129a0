"""Classeur XLSX: every curated indicator for the selected territories and editions, laid out from
presentation.classeur's view (the fiche's value strings, « ≈ » and status labels).

One sheet per theme (rows: indicator × millésime; per territory a value column and a status column),
a sources sheet and a notes sheet explaining the statuses. Numbers are stored as numbers with number
formats that Excel/LibreOffice display exactly as the fiche prints them (`1 234,5`, `≈ 49,2 %`); a value
that is secret (or missing) leaves its cell EMPTY and says why in the adjacent status column.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from observatoire import vocabulary
from presentation import classeur as view_model
from presentation.text import spreadsheet_workbook

HEADER_FILL = PatternFill("solid", fgColor=vocabulary.palette("navy").lstrip("#").upper())
HEADER_FONT = Font(bold=True, color=vocabulary.palette("white").lstrip("#").upper())
STATUS_FONT = Font(italic=True, color=vocabulary.palette("grey").lstrip("#").upper())
DEMO_FONT = Font(bold=True, color=vocabulary.palette("demo").lstrip("#").upper())


def _quoted(words: str) -> str:
    """Literal text inside an Excel number format."""
    return '"' + words.replace('"', "") + '"' if words else ""


def number_format(decimals: int | None, prefix: str = "", suffix: str = "") -> str:
    """Excel number format code showing `prefix` + the number + `suffix` (stored in the file's neutral syntax,
    displayed `≈ 1 234,5 %` by a French Excel/LibreOffice): the cell reads as the fiche's text."""
    d = 1 if decimals is None else int(decimals)
    return _quoted(prefix) + "#,##0" + ("." + "0" * d if d > 0 else "") + _quoted(suffix)


def _header(ws, row: int, labels: list[str], widths: list[float] | None = None) -> None:
    for c, lab in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=c, value=lab)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    if widths:
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = w


def _wrap(ws, min_row: int) -> None:
    for row in ws.iter_rows(min_row=min_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _theme_sheet(ws, sheet: view_model.Sheet, territories: list[tuple[str, str]]) -> None:
    ws.append([sheet.title])
    ws["A1"].font = Font(bold=True, size=13)
    labels = list(view_model.MAIN_COLUMNS)
    for _, header in territories:
        labels += [header, "Statut"]
    labels.append("Source (fichier : variable)")
    _header(ws, 2, labels, [46, 18, 8, 10, 11] + [16, 18] * len(territories) + [40])
    ws.row_dimensions[2].height = 45
    ws.freeze_panes = "F3"
    for r, row in enumerate(sheet.rows, start=3):
        ws.cell(r, 1, row.label)
        ws.cell(r, 2, row.indicator_id)
        ws.cell(r, 3, row.unit)
        ws.cell(r, 4, row.edition)
        if row.ref_year is not None:
            ws.cell(r, 5, row.ref_year)
        col = 6
        for c in row.cells:
            if c.value is not None:
                ws.cell(r, col, c.value).number_format = number_format(c.decimals, c.prefix, c.suffix)
            if c.status:
                ws.cell(r, col + 1, c.status).font = STATUS_FONT
            col += 2
        ws.cell(r, col, row.files)
    ws.auto_filter.ref = f"A2:{get_column_letter(len(labels))}{max(len(sheet.rows) + 2, 2)}"


def _means_sheet(ws, v: view_model.ClasseurView) -> None:
    """State means of the contracts asked for (indicators.means, the one counting rule)."""
    _header(ws, 1, ["Contrat", "Année", "Dispositif", "Postes financés", "Montant (€)", "Enregistrements lus",
                    "Année partielle", "Fichiers"], [12, 8, 22, 14, 16, 14, 12, 50])
    for row in v.means:
        ws.append(row)
        ws.cell(ws.max_row, 5).number_format = number_format(0, suffix=" €")
    ws.append([])
    ws.append([v.means_line])


def sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, cut at a word boundary, no []:*?/\\."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)
    if len(clean) <= 31:
        return clean
    return clean[:31].rsplit(" ", 1)[0]


def build(con, codes: list[str], out: str | Path, editions: list[int] | None = None, progress=None) -> Path:
    """Write the workbook; returns its path. `progress(fraction, text)` is called along the way."""
    progress = progress or (lambda f, t: None)
    v = view_model.view(con, list(codes), editions)

    wb = Workbook()
    ws = wb.active
    ws.title = "Lisez-moi"
    ws.append([view_model.TITLE])
    ws["A1"].font = Font(bold=True, size=14)
    for key, words in v.readme:
        ws.append([words] if not key else [key, words])
    if v.demo:
        ws.append([vocabulary.label("phrases", "demo"), "Certains territoires sont des données de démonstration."])
        ws.cell(ws.max_row, 1).font = DEMO_FONT
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 110
    _wrap(ws, 3)

    for i, sheet in enumerate(v.sheets):
        progress(0.1 + 0.7 * i / len(v.sheets), f"Thème {sheet.title}")
        _theme_sheet(wb.create_sheet(title=sheet_name(sheet.title)), sheet, v.territories)
    if v.means_line:
        _means_sheet(wb.create_sheet("Moyens de l'État"), v)

    progress(0.85, "Sources")
    ws = wb.create_sheet("Sources")
    _header(ws, 1, ["Producteur", "Titre", "Licence", "Géographie", "Millésimes dans ce classeur",
                    "Fichiers et variables"], [34, 50, 26, 24, 22, 60])
    for row in v.sources:
        ws.append(row)
    _wrap(ws, 2)

    ws = wb.create_sheet("Notes")
    _header(ws, 1, ["Statut affiché", "Signification"], [30, 100])
    for shown, meaning in v.statuses:
        ws.append([shown, meaning])
    ws.append([])
    ws.append(["Seuils du secret statistique"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for rule, words in v.secret_rules:
        ws.append([rule, words])
    ws.append([])
    ws.append(["Avertissements INSEE"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for note in v.caveats:
        ws.append(["", note])
    _wrap(ws, 2)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    progress(0.95, "Écriture du fichier")
    spreadsheet_workbook(wb)            # labels of user-declared indicators never run as formulas
    wb.save(out)
    progress(1.0, "Terminé")
    return out
