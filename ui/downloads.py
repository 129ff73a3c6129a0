"""Download buttons under every chart (PNG, SVG) and table (CSV, XLSX), each file carrying its source line.

Files are produced only when the button is clicked (deferred `data` callables), so a page's script run
stays fast; images go through the one kaleido server of exports/render.py (same code as the exports).
CSV is written for French Excel: UTF-8 with BOM, `;` separator, decimal comma. XLSX keeps numbers as
numbers (French display comes from Excel's locale) with the source line in a row under the table.
Text cells starting with =, +, -, @ are neutralised (presentation.text.spreadsheet_cell): tables carry
text typed by users (action titles, commitments, verbatims) that must never run as a formula.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from charts.source import add_source, figure_source
from exports import render
from presentation.filenames import slug
from presentation.text import spreadsheet_cell, spreadsheet_csv, spreadsheet_frame, spreadsheet_workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------- files (pure, testable)

def figure_with_source(fig: go.Figure, source_line: str | None) -> go.Figure:
    """A copy of `fig` sure to carry `source_line` (charts normally add it already)."""
    fig = go.Figure(fig)
    if source_line and figure_source(fig) != source_line:
        add_source(fig, source_line)
    return fig


def figure_bytes(fig: go.Figure, fmt: str, width: int | None = None, height: int | None = None) -> bytes:
    width = width or int(fig.layout.width or render.DEFAULT_WIDTH)
    height = height or int(fig.layout.height or render.DEFAULT_HEIGHT)
    return render.to_bytes(fig, fmt, width, height)


def csv_bytes(df: pd.DataFrame, source_line: str | None) -> bytes:
    """CSV for French Excel; the source line is the last line of the file."""
    return spreadsheet_csv(df, source_line)


def _excel_format(series: pd.Series, decimals: int | None) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        d = 1 if decimals is None else decimals
        return "#,##0" + ("." + "0" * d if d else "")
    return None


def xlsx_bytes(df: pd.DataFrame, source_line: str | None, sheet: str = "Données",
               decimals: dict[str, int] | None = None) -> bytes:
    """One sheet: bold header, numbers stored as numbers, source line two rows under the table."""
    decimals = decimals or {}
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]\*\?/\\:]", " ", sheet)[:31] or "Données"
    ws.append([spreadsheet_cell(str(c)) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in spreadsheet_frame(df).itertuples(index=False):    # neutralised before openpyxl checks the text
        ws.append([None if (v is None or (isinstance(v, float) and v != v) or v is pd.NA) else
                   (v.item() if hasattr(v, "item") else v) for v in row])
    for j, col in enumerate(df.columns, start=1):
        fmt = _excel_format(df[col], decimals.get(col))
        letter = get_column_letter(j)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(df) + 1, min_col=j, max_col=j):
                cell.number_format = fmt
        width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200).tolist()]) + 2
        ws.column_dimensions[letter].width = min(max(width, 8), 60)
    ws.freeze_panes = "A2"
    if source_line:
        cell = ws.cell(row=len(df) + 3, column=1, value=spreadsheet_cell(source_line))
        cell.font = Font(italic=True, size=9)
    spreadsheet_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- buttons

def _on_click_image(fig, source_line: str | None, fmt: str, width, height) -> bytes:
    """Rendered when a button is clicked, through the process's one kaleido server (started on the
    first click, ~2.5 s, then ~0.3 s per image; kaleido stops it when the app exits)."""
    render.ensure_server()
    if callable(fig):
        fig = fig()
    return figure_bytes(figure_with_source(fig, source_line), fmt, width, height)


def _key(kind: str, basename: str, key: str | None) -> str:
    return f"dl_{kind}_{key or slug(basename)}"


def chart_downloads(fig: go.Figure | Callable[[], go.Figure], basename: str, source_line: str | None = None, *,
                    width: int | None = None, height: int | None = None, key: str | None = None,
                    container=None) -> None:
    """PNG and SVG buttons for `fig`, rendered on click with the source line inside the image. `fig` may be a
    function drawing the figure: a figure made only for the files is then drawn on click, not at every run."""
    container = container or st
    name = slug(basename)
    row = container.container(horizontal=True, gap="small")
    # The copy with its source line is made on click (copying a large figure costs ~0.1 s per run).
    row.download_button("PNG", data=lambda: _on_click_image(fig, source_line, "png", width, height),
                       file_name=f"{name}.png", mime="image/png", on_click="ignore",
                       key=_key("png", basename, key), icon=":material/image:",
                       help="Image PNG (300 dpi) avec la ligne de source")
    row.download_button("SVG", data=lambda: _on_click_image(fig, source_line, "svg", width, height),
                       file_name=f"{name}.svg", mime="image/svg+xml", on_click="ignore",
                       key=_key("svg", basename, key), icon=":material/draw:",
                       help="Image vectorielle SVG avec la ligne de source")


def table_downloads(df: pd.DataFrame, basename: str, source_line: str | None = None, *,
                    decimals: dict[str, int] | None = None, key: str | None = None,
                    container=None) -> None:
    """CSV (Excel français) and XLSX buttons for `df`, with the source line inside the file."""
    container = container or st
    frame = df.copy()
    name = slug(basename)
    row = container.container(horizontal=True, gap="small")
    row.download_button("CSV", data=lambda: csv_bytes(frame, source_line), file_name=f"{name}.csv",
                       mime="text/csv", on_click="ignore", key=_key("csv", basename, key),
                       icon=":material/table:", help="CSV pour Excel (séparateur ;, virgule décimale)")
    row.download_button("XLSX", data=lambda: xlsx_bytes(frame, source_line, decimals=decimals),
                       file_name=f"{name}.xlsx", mime=XLSX_MIME, on_click="ignore",
                       key=_key("xlsx", basename, key), icon=":material/grid_on:",
                       help="Classeur Excel, nombres conservés comme nombres")
