"""Small python-docx toolkit for the annual report skeleton: headings, French tables, NATIVE Word charts
(data editable in Word), pictures, their source lines, and clearly marked placeholders where the team writes
the prose.

Office sinks: every text cell of a table goes through cell_text (presentation.text.spreadsheet_cell, the
one neutralisation of every office writer: a user's « =HYPERLINK(…) » stays text), every category and
series name of a chart through pptx_kit.office_cell (the chart XML and its embedded workbook); amounts and
values never break across two lines (presentation.text.nowrap_numbers)."""
from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor

from exports import pptx_kit
from observatoire import vocabulary
from presentation import text as ptext
from presentation.sources import DEMO_LABEL

PLACEHOLDER_PREFIX = "[À RÉDIGER"
BODY_FONT = "Calibri"
GREY = RGBColor(*vocabulary.rgb(vocabulary.palette("grey")))        # the house palette (vocabulary.yaml)
DEMO_RED = RGBColor(*vocabulary.rgb(vocabulary.palette("demo")))
WHITE = RGBColor(*vocabulary.rgb(vocabulary.palette("white")))
HEADER_FILL = vocabulary.palette("navy").lstrip("#").upper()


def run_text(value) -> str:
    """Text of a paragraph: no break inside amounts, characters XML refuses shown as « \ufffd »
    (presentation.text.xml_text: a row stored before the store's text rule never stops the report)."""
    return ptext.xml_text(ptext.nowrap_numbers("" if value is None else str(value)))


def cell_text(value) -> str:
    """A table cell as written to the DOCX: run_text, neutralised like a spreadsheet cell."""
    return ptext.spreadsheet_cell(run_text(value))


def new_document() -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.2)
    sec.top_margin = sec.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
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
    run = p.add_run(run_text(text))
    run.italic, run.bold = italic, bold
    if size:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    return p


def bullets(doc, items: list[str]) -> None:
    for item in items:
        doc.add_paragraph(run_text(item), style="List Bullet")


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


TEXT_WIDTH_CM = 21 - 2 * 2.2          # A4 minus the margins of new_document()
GLYPH_EM = 0.62                        # generous average glyph width (bold Calibri / DejaVu), in em
CELL_PAD_CM = 0.45                     # left + right cell margins (Word default 0,19 cm each) and borders


def word_cm(word: str, size: float, bold: bool = False) -> float:
    """Width a word needs on one line, in cm (estimate on the generous side)."""
    return len(word) * size * (GLYPH_EM + (0.12 if bold else 0)) * 2.54 / 72 + CELL_PAD_CM


def fit_widths(header: list[str], rows: list[list], widths_cm: list[float] | None, size: float,
               total_cm: float = TEXT_WIDTH_CM) -> tuple[list[float], float]:
    """Column widths that fill the page width and never break a word inside a column: each column gets at
    least its longest word (header in bold); the rest is shared in proportion to the asked widths. When even
    the longest words do not fit, the font size goes down (at most to 6 pt). Returns (widths, size)."""
    n = len(header)
    want = list(widths_cm or [1.0] * n)
    while True:
        need = []
        for i in range(n):
            words = _words(header[i]) or [""]
            need_i = max(word_cm(w, size, bold=True) for w in words)
            for r in rows:
                for w in _words(r[i] if i < len(r) else None):
                    need_i = max(need_i, word_cm(w, size))
            need.append(need_i)
        if sum(need) <= total_cm or size <= 6:
            break
        size -= 0.5
    free = max(total_cm - sum(need), 0.0)
    extra = [max(w - nd, 0.0) for w, nd in zip(want, need)]
    k = free / sum(extra) if sum(extra) else 0.0
    widths = [nd + e * k for nd, e in zip(need, extra)]
    if sum(extra) == 0:
        widths = [nd + free / n for nd in need]
    return widths, size


def _words(value) -> list[str]:
    """What a line may break between: ordinary spaces only (no-break spaces hold an amount together)."""
    return [w for w in re.split(r"[ \t\n]+", cell_text(value)) if w]


def table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float] | None = None, size: float = 9):
    """A table of already formatted French strings; numbers right-aligned. Column widths fill the page
    width with no word broken inside a column (fit_widths)."""
    header = [cell_text(h) for h in header]
    rows = [[cell_text(v) for v in r] for r in rows]
    widths_cm, size = fit_widths(header, rows, widths_cm, size)
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(header):
        cell = t.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(h)
        run.bold = True
        run.font.size = Pt(size)
        run.font.color.rgb = WHITE
        _shade(cell, HEADER_FILL)
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
        _fixed_layout(t)
        for i, w in enumerate(widths_cm):
            t.columns[i].width = Cm(w)  # the grid (LibreOffice reads it)
        for row in t.rows:
            for cell, w in zip(row.cells, widths_cm):
                cell.width = Cm(w)  # the cells (Word reads them)
    return t


def _fixed_layout(t) -> None:
    """<w:tblLayout w:type="fixed"/>: Word and LibreOffice keep the widths instead of re-flowing columns."""
    tbl_pr = t._tbl.tblPr  # noqa: SLF001 - python-docx has no public table-layout API
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def guide(doc, prefilled: str, to_write: str) -> None:
    """Under a section heading: what the observatory pre-filled, and what the team writes."""
    p = doc.add_paragraph()
    r = p.add_run("Pré-rempli : ")
    r.bold, r.italic = True, True
    r.font.size, r.font.color.rgb = Pt(8.5), GREY
    r = p.add_run(run_text(prefilled) + " ")
    r.italic, r.font.size, r.font.color.rgb = True, Pt(8.5), GREY
    r = p.add_run("À rédiger : ")
    r.bold, r.italic = True, True
    r.font.size, r.font.color.rgb = Pt(8.5), GREY
    r = p.add_run(run_text(to_write))
    r.italic, r.font.size, r.font.color.rgb = True, Pt(8.5), GREY


def _looks_numeric(val) -> bool:
    s = str(val or "").replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", "").replace("%", "").replace("€", "")
    s = s.replace("+", "").replace("-", "").replace("pts", "").replace("×", "").replace(".", "")
    return s.isdigit()


def figure(doc, png: bytes, width_cm: float = 16.5) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


REPORT_LOOK = pptx_kit.ChartLook(base=8, title=10, legend=8, legend_right=7.5, ticks=8, labels=7.5, axis_title=8,
                                 line=1.5, marker=5, font=BODY_FONT)


def chart(doc, kind: str, categories: list[str], series: dict[str, list], width_cm: float = 16.5,
          height_cm: float = 8.5, **style):
    """A NATIVE Word chart, centred in its own paragraph: the chart part (/word/charts/chartN.xml) with its
    embedded workbook (/word/embeddings/, so Word edits the data), the same data and styling as the deck's
    charts (pptx_kit.chart_space; `style` as pptx_kit.style_chart, sized for the page by REPORT_LOOK)."""
    space, xlsx = pptx_kit.chart_space(kind, categories, series, look=REPORT_LOOK, **style)
    space.find(qn("c:date1904")).addnext(parse_xml(f'<c:lang {nsdecls("c")} val="fr-FR"/>'))
    package = doc.part.package
    chart_part = XmlPart(package.next_partname("/word/charts/chart%d.xml"), CT.DML_CHART, space, package)
    rid = doc.part.relate_to(chart_part, RT.CHART)
    book = Part(package.next_partname("/word/embeddings/Microsoft_Excel_Sheet%d.xlsx"), CT.SML_SHEET, xlsx, package)
    space.get_or_add_externalData().rId = chart_part.relate_to(book, RT.PACKAGE)
    shape_id = doc.part.next_id
    name = cell_text(style.get("title") or f"Graphique {shape_id}")
    drawing = parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a", "c", "r")}><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{Emu(Cm(width_cm))}" cy="{Emu(Cm(height_cm))}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Graphique {shape_id}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline></w:drawing>')
    drawing.find(".//" + qn("wp:docPr")).set("descr", name)     # alternative text: the chart's title
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run()._r.append(drawing)
    return p
