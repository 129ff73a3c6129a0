"""Native office charts and the report's map picture, without a warehouse: the deck's PowerPoint chart and the
report's Word chart are one implementation (pptx_kit.chart_data + style_chart: the same chart XML), a missing
value stays a gap, every category and series name is neutralised in the chart and in its workbook, numbers
are formatted in French; the map PNG has the printed size at 300 dpi, antialiased edges and the house colours."""
from __future__ import annotations

import io
import zipfile

import pytest
import shapely
from docx import Document
from lxml import etree
from openpyxl import load_workbook

from exports import docx_kit, map_frame, map_picture, pptx_kit
from presentation import locator

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
CATEGORIES = ["2017", "2018", "2019"]
SERIES = {"1. Quartier": [0.61, None, 0.63], "=HYPERLINK(\"http://x\")": [0.7, 0.68, 0.69]}
STYLE = {"number_format": pptx_kit.number_format(2), "title": "Revenu médian : rapport à l'EPCI",
         "legend_position": "right", "axis_titles": ("Millésime", "rapport (1 = égalité)"), "cross_at": 1,
         "value_range": (0.5, 1.0)}


@pytest.fixture(scope="module")
def word_chart():
    doc = docx_kit.new_document()
    docx_kit.chart(doc, "line", CATEGORIES, SERIES, **STYLE)
    buf = io.BytesIO()
    doc.save(buf)
    doc = Document(io.BytesIO(buf.getvalue()))
    rel = next(r for r in doc.part.rels.values() if r.reltype == CHART_REL)
    return doc, rel.target_part, buf.getvalue()


def test_deck_and_report_charts_are_one_implementation(word_chart):
    _, part, _ = word_chart
    prs = pptx_kit.new_deck()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    frame = pptx_kit.chart(slide, "line", CATEGORIES, SERIES, 0, 0, 100, 100, look=docx_kit.REPORT_LOOK, **STYLE)
    deck = etree.tostring(frame.chart._chartSpace.find(f"{C}chart"))
    word = etree.tostring(etree.fromstring(part.blob).find(f"{C}chart"))
    assert deck == word


def test_word_chart_part_workbook_and_inline(word_chart):
    doc, part, data = word_chart
    assert part.partname == "/word/charts/chart1.xml"
    assert part.content_type == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
    root = etree.fromstring(part.blob)
    book = next(iter(part.rels.values()))
    assert book.reltype.endswith("/package") and book.target_part.partname.endswith(".xlsx")
    ext = root.find(f"{C}externalData")
    assert ext.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id") == book.rId
    assert ext.find(f"{C}autoUpdate").get("val") == "0"
    assert root.find(f"{C}lang").get("val") == "fr-FR"
    assert len(doc.inline_shapes) == 1 and round(doc.inline_shapes[0].width.cm, 1) == 16.5
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/embeddings/Microsoft_Excel_Sheet1.xlsx" in z.namelist()


def test_a_missing_value_is_a_gap_never_zero(word_chart):
    _, part, _ = word_chart
    root = etree.fromstring(part.blob)
    first = next(root.iter(f"{C}ser"))
    pts = {int(p.get("idx")): float(p.find(f"{C}v").text) for p in first.find(f"{C}val").iter(f"{C}pt")}
    assert pts == {0: 0.61, 2: 0.63}
    assert root.find(f"{C}chart/{C}dispBlanksAs").get("val") == "gap"
    ws = load_workbook(io.BytesIO(next(iter(part.rels.values())).target_part.blob)).active
    assert [c.value for c in ws["B"]] == ["1. Quartier", 0.61, None, 0.63]


def test_names_are_neutralised_in_the_chart_and_its_workbook(word_chart):
    _, part, _ = word_chart
    root = etree.fromstring(part.blob)
    names = [ser.find(f"{C}tx//{C}v").text for ser in root.iter(f"{C}ser")]
    assert names == ["1. Quartier", "'=HYPERLINK(\"http://x\")"]
    book = next(iter(part.rels.values())).target_part.blob
    ws = load_workbook(io.BytesIO(book)).active
    assert ws["C1"].value == "'=HYPERLINK(\"http://x\")" and ws["C1"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_french_number_formats():
    assert pptx_kit.NUMBER == "[$-40C]#,##0"
    assert pptx_kit.number_format(2) == "[$-40C]#,##0.00"
    assert pptx_kit.number_format(1, signed=True) == "[$-40C]+#,##0.0;-#,##0.0;#,##0.0"
    assert pptx_kit.number_format(suffix=" €") == '[$-40C]#,##0" €"'


def test_map_picture_size_colours_and_antialiasing():
    from PIL import Image

    square = shapely.box(1.40, 43.58, 1.48, 43.64)          # about 6,5 × 6,7 km near Toulouse
    places = [{"geom": square, "kind": "contour", "number": 1, "highlight": True},
              {"geom": shapely.Point(1.30, 43.55), "kind": "commune_point", "number": 2, "highlight": True}]
    png = map_picture.png(places, [], [("EPCI", shapely.box(1.2, 43.5, 1.6, 43.7))], locator.COLOURS, 14, 9.5)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == map_picture.size_px(14, 9.5) == (1654, 1122)
    assert [round(d) for d in Image.open(io.BytesIO(png)).info["dpi"]] == [300, 300]
    hexa = "#{:02x}{:02x}{:02x}".format
    # inside the square, where the one fit and projection (map_frame) puts it: the quartier's colour, flat
    c = shapely.centroid(square)
    x, y = map_frame.fit(places, 0, 0, *img.size, pad=0.08).anchor(shapely.buffer(c, 0.001))
    assert hexa(*img.getpixel((round(x), round(y + 20)))) == locator.COLOURS["contour"]
    assert hexa(*img.getpixel((2, 2))) == locator.COLOURS["land"]
    # an edge is a ramp of intermediate shades (drawn larger, downsampled), not a staircase of two colours
    row = [img.getpixel((i, round(y + 20))) for i in range(img.size[0])]
    assert len(set(row)) > 6
