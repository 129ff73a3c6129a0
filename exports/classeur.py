"""Classeur XLSX: every curated indicator for the selected territories and editions, laid out from
presentation.classeur's view (the fiche's value strings, « ≈ » and status labels).

One sheet per theme (rows: indicator × millésime; per territory a value column and a status column),
a sources sheet and a notes sheet explaining the statuses. Numbers are stored as numbers with number
formats that Excel/LibreOffice display exactly as the fiche prints them (`1 234,5`, `≈ 49,2 %`); a value
that is secret (or missing) leaves its cell EMPTY and says why in the adjacent status column.
"""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

from observatoire import vocabulary
from presentation import classeur as view_model
from presentation.text import spreadsheet_cell

HEADER = {"bold": True, "font_color": vocabulary.palette("white"), "bg_color": vocabulary.palette("navy"),
          "text_wrap": True, "valign": "vcenter"}
STATUS = {"italic": True, "font_color": vocabulary.palette("grey")}
DEMO = {"bold": True, "font_color": vocabulary.palette("demo")}
WRAP = {"text_wrap": True, "valign": "top"}


class _Formats:
    """XlsxWriter formats made once per workbook and per combination (the classeur has a handful)."""

    def __init__(self, wb):
        self.wb, self.made = wb, {}

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self.made:
            self.made[key] = self.wb.add_format(props) if props else None
        return self.made[key]


def _put(ws, row: int, col: int, value, fmt=None) -> None:
    """One cell: text neutralised (spreadsheet_cell: never a formula), numbers as numbers, None left empty."""
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, col, spreadsheet_cell(value), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    else:
        ws.write_number(row, col, value.item() if hasattr(value, "item") else value, fmt)


def _rows(ws, first: int, rows: list[list], fmt=None) -> int:
    """Rows from `first` (0-based); returns the next free row."""
    for r, row in enumerate(rows, start=first):
        for c, value in enumerate(row):
            _put(ws, r, c, value, fmt)
    return first + len(rows)


def _quoted(words: str) -> str:
    """Literal text inside an Excel number format."""
    return '"' + words.replace('"', "") + '"' if words else ""


def number_format(decimals: int | None, prefix: str = "", suffix: str = "") -> str:
    """Excel number format code showing `prefix` + the number + `suffix` (stored in the file's neutral syntax,
    displayed `≈ 1 234,5 %` by a French Excel/LibreOffice): the cell reads as the fiche's text."""
    d = 1 if decimals is None else int(decimals)
    return _quoted(prefix) + "#,##0" + ("." + "0" * d if d > 0 else "") + _quoted(suffix)


def _header(ws, fmt: _Formats, row: int, labels: list[str], widths: list[float] | None = None) -> None:
    for c, lab in enumerate(labels):
        _put(ws, row, c, lab, fmt(**HEADER))
    for c, w in enumerate(widths or []):
        ws.set_column(c, c, w)


def _theme_sheet(ws, fmt: _Formats, sheet: view_model.Sheet, territories: list[tuple[str, str]]) -> None:
    _put(ws, 0, 0, sheet.title, fmt(bold=True, size=13))
    labels = list(view_model.MAIN_COLUMNS)
    for _, header in territories:
        labels += [header, "Statut"]
    labels.append("Source (fichier : variable)")
    _header(ws, fmt, 1, labels, [46, 18, 8, 10, 11] + [16, 18] * len(territories) + [40])
    ws.set_row(1, 45)
    ws.freeze_panes(2, 5)
    for r, row in enumerate(sheet.rows, start=2):
        for c, value in enumerate((row.label, row.indicator_id, row.unit, row.edition, row.ref_year)):
            _put(ws, r, c, value)
        col = 5
        for c in row.cells:
            _put(ws, r, col, c.value, fmt(num_format=number_format(c.decimals, c.prefix, c.suffix)))
            _put(ws, r, col + 1, c.status or None, fmt(**STATUS))
            col += 2
        _put(ws, r, col, row.files)
    ws.autofilter(1, 0, max(len(sheet.rows) + 1, 1), len(labels) - 1)


def _means_sheet(ws, fmt: _Formats, v: view_model.ClasseurView) -> None:
    """State means of the contracts asked for (indicators.means, the one counting rule)."""
    _header(ws, fmt, 0, ["Contrat", "Année", "Dispositif", "Postes financés", "Montant (€)", "Enregistrements lus",
                         "Année partielle", "Fichiers"], [12, 8, 22, 14, 16, 14, 12, 50])
    euros = fmt(num_format=number_format(0, suffix=" €"))
    for r, row in enumerate(v.means, start=1):
        for c, value in enumerate(row):
            _put(ws, r, c, value, euros if c == 4 else None)
    _put(ws, len(v.means) + 2, 0, v.means_line)


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

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    fmt = _Formats(wb)
    ws = wb.add_worksheet("Lisez-moi")
    _put(ws, 0, 0, view_model.TITLE, fmt(bold=True, size=14))
    r = _rows(ws, 1, [[words] if not key else [key, words] for key, words in v.readme], fmt(**WRAP))
    if v.demo:
        _put(ws, r, 0, vocabulary.label("phrases", "demo"), fmt(**DEMO, **WRAP))
        _put(ws, r, 1, "Certains territoires sont des données de démonstration.", fmt(**WRAP))
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 110)

    for i, sheet in enumerate(v.sheets):
        progress(0.1 + 0.7 * i / len(v.sheets), f"Thème {sheet.title}")
        _theme_sheet(wb.add_worksheet(sheet_name(sheet.title)), fmt, sheet, v.territories)
    if v.means_line:
        _means_sheet(wb.add_worksheet("Moyens de l'État"), fmt, v)

    progress(0.85, "Sources")
    ws = wb.add_worksheet("Sources")
    _header(ws, fmt, 0, ["Producteur", "Titre", "Licence", "Géographie", "Millésimes dans ce classeur",
                         "Fichiers et variables"], [34, 50, 26, 24, 22, 60])
    _rows(ws, 1, v.sources, fmt(**WRAP))

    ws = wb.add_worksheet("Notes")
    _header(ws, fmt, 0, ["Statut affiché", "Signification"], [30, 100])
    r = _rows(ws, 1, [list(x) for x in v.statuses], fmt(**WRAP)) + 1
    _put(ws, r, 0, "Seuils du secret statistique", fmt(bold=True, **WRAP))
    r = _rows(ws, r + 1, [list(x) for x in v.secret_rules], fmt(**WRAP)) + 1
    _put(ws, r, 0, "Avertissements INSEE", fmt(bold=True, **WRAP))
    _rows(ws, r + 1, [["", note] for note in v.caveats], fmt(**WRAP))

    progress(0.95, "Écriture du fichier")
    wb.close()
    progress(1.0, "Terminé")
    return out
