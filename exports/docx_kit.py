"""Small python-docx toolkit for the annual report skeleton: headings, French tables, figures with their
source line, and clearly marked placeholders where the team writes the prose."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from presentation.sources import DEMO_LABEL

PLACEHOLDER_PREFIX = "[À RÉDIGER"
GREY = RGBColor(0x59, 0x59, 0x59)
DEMO_RED = RGBColor(0xB0, 0x00, 0x20)


def new_document() -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.2)
    sec.top_margin = sec.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Calibri")
    doc.core_properties.language = "fr-FR"
    return doc


def placeholder(doc, what: str) -> None:
    """A highlighted paragraph the team replaces with its own text: « [À RÉDIGER — …] »."""
    p = doc.add_paragraph()
    run = p.add_run(f"{PLACEHOLDER_PREFIX} — {what}]")
    run.italic = True
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def para(doc, text: str, italic: bool = False, bold: bool = False, size: int | None = None,
         colour: RGBColor | None = None, style: str | None = None):
    p = doc.add_paragraph(style=style)
    run = p.add_run(text)
    run.italic, run.bold = italic, bold
    if size:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    return p


def bullets(doc, items: list[str]) -> None:
    for item in items:
        doc.add_paragraph(item, style="List Bullet")


def source(doc, line: str, demo: bool = False):
    """The source line under a figure or table (small grey; red when démo data is shown)."""
    if demo and DEMO_LABEL.lower() not in line.lower():
        line = f"{DEMO_LABEL} — {line}"
    p = para(doc, line, italic=True, size=8, colour=DEMO_RED if demo else GREY)
    p.paragraph_format.space_after = Pt(10)
    return p


def _shade(cell, hex_fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()  # noqa: SLF001 - python-docx has no public cell shading API
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    tc_pr.append(shd)


def table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float] | None = None, size: int = 9):
    """A table of already formatted French strings; numbers right-aligned."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(header):
        cell = t.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(h)
        run.bold = True
        run.font.size = Pt(size)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, "1F2A44")
    for row in rows:
        cells = t.add_row().cells
        for i, val in enumerate(row):
            cells[i].text = ""
            par = cells[i].paragraphs[0]
            run = par.add_run("" if val is None else str(val))
            run.font.size = Pt(size)
            if i > 0 and _looks_numeric(val):
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if widths_cm:
        t.autofit = False
        for i, w in enumerate(widths_cm):
            t.columns[i].width = Cm(w)  # the grid (LibreOffice reads it)
        for row in t.rows:
            for i, w in enumerate(widths_cm):
                row.cells[i].width = Cm(w)  # the cells (Word reads them)
    return t


def _looks_numeric(val) -> bool:
    s = str(val or "").replace("\u202f", "").replace(" ", "").replace(",", "").replace("%", "").replace("€", "")
    s = s.replace("+", "").replace("-", "").replace("pts", "").replace("×", "").replace(".", "")
    return s.isdigit()


def figure(doc, png: bytes, width_cm: float = 16.5) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
