"""The fiche PDF's vector pictures (exports/pdf_charts.py), warehouse-free: round ticks from zero, the values a
line stands for read back on the chart's own grid, a missing millésime drawn as a gap (never a zero, never a
bridge), and names, labels and source lines drawn as typed — hostile ones included (no link, no markup read)."""
from __future__ import annotations

import io

import pandas as pd
import pytest
import shapely
from pypdf import PdfReader

from exports import fiche_pdf, pdf_charts
from observatoire import vocabulary
from presentation import fiche as fiche_view
from tests import payloads as P
from tests.pdf_drawing import chart, rgb, strokes, texts

GRID = vocabulary.palette("grid")


@pytest.mark.parametrize(("low", "high", "ticks", "decimals"), [
    (0, 53.6, [0, 10, 20, 30, 40, 50], 0),                   # a poverty rate from zero: Plotly's ticks
    (0, 28056, [0, 5000, 10000, 15000, 20000, 25000], 0),    # a median income in euros
    (0, 2.64, [0, 0.5, 1, 1.5, 2, 2.5], 1),
    (0, 1.3, [0, 0.25, 0.5, 0.75, 1, 1.25], 2),
    (-12, 30, [-10, 0, 10, 20, 30], 0),
])
def test_round_ticks(low, high, ticks, decimals):
    assert pdf_charts.ticks(low, high) == (ticks, decimals)


def test_the_axis_starts_at_zero_with_room_for_the_labels():
    assert pdf_charts.value_range([36.4, 44.7]) == (0.0, pytest.approx(53.64))
    assert pdf_charts.value_range([-3.0, 2.0]) == (-3.0, pytest.approx(3.0))


def _detail(rows, label="Taux de pauvreté au seuil de 60 %", unit="%", source="Source : INSEE", caveat=None):
    """A presentation.fiche.Detail whose evolution is `rows` (edition, level, name, value, text)."""
    ev = pd.DataFrame(rows, columns=["edition", "level", "name", "value", "text"])
    return fiche_view.Detail(indicator_id="tx_pauvrete", label=label, unit=unit, decimals=1, edition=2019,
                             gap_kind="points", bars=pd.DataFrame(), bars_note=None, bars_source_line="", evolution=ev,
                             gaps=None, gap_title=None, compared=None, verdict=None, evolution_caveat=caveat,
                             evolution_source_line=source)


def _bytes(draw) -> bytes:
    """The PDF of one A4 page on which `draw(pdf)` drew, with the fiche's fonts."""
    pdf = fiche_pdf.FichePDF("pied de page")
    pdf.add_page()
    draw(pdf)
    return bytes(pdf.output())


def _page(draw) -> tuple[PdfReader, object]:
    reader = PdfReader(io.BytesIO(_bytes(draw)))
    return reader, reader.pages[0]


def test_values_drawn_and_a_missing_millesime_is_a_gap():
    """The quartier has no 2015 value, the ensemble of the QPV starts in 2015: the quartier's line stops at
    2014 and its 2016 point stands alone; the ensemble's line starts at 2015; nothing is drawn at zero."""
    d = _detail([(2013, "qpv", "Grand Mirail", 46.4, "≈ 46,4 %"), (2014, "qpv", "Grand Mirail", 46.5, "≈ 46,5 %"),
                 (2016, "qpv", "Grand Mirail", 48.6, "≈ 48,6 %"), (2015, "ensemble_qpv", "Ensemble des QPV", 44.0, "44,0 %"),
                 (2016, "ensemble_qpv", "Ensemble des QPV", 44.3, "44,3 %")])
    reader, page = _page(lambda pdf: pdf_charts.evolution_chart(pdf, d, 11, 20, 92, 80))
    c = chart(reader, page, "Taux de pauvreté au seuil de 60 % : évolution", GRID)
    assert c["years"] == [2013, 2014, 2015, 2016]
    assert [v for _, v in c["gridlines"]] == [0, 10, 20, 30, 40, 50]
    def values(level, dashed=False):
        return [[round(c["value"](y), 1) for _, y in s["points"]] for s in c["lines"]
                if s["colour"] == rgb(vocabulary.color("levels", level)) and s["dashed"] == dashed]
    assert values("qpv") == [[46.4, 46.5]]                               # 2013-2014; 2016 alone, no bridge
    assert values("ensemble_qpv", dashed=True) == [[44.0, 44.3]]
    shown = [t for t, _, _ in texts(page)]
    assert {"≈ 46,4 %", "≈ 46,5 %", "≈ 48,6 %", "Grand Mirail", "Ensemble des QPV", "%", "Source : INSEE"} <= set(shown)
    assert "44,0 %" not in shown                                          # only the quartier's values are written


def test_the_page_and_the_site_break_the_line_where_the_pdf_does():
    """The same gap on every evolution chart (presentation.fiche.line_runs): the page's Plotly line carries a
    None between 2014 and 2016, the public site's SVG draws two pieces (2013-2014 and 2016 alone)."""
    from charts import fiche as fiche_charts
    from exports.site import svg

    d = _detail([(2013, "qpv", "Grand Mirail", 46.4, "≈ 46,4 %"), (2014, "qpv", "Grand Mirail", 46.5, "≈ 46,5 %"),
                 (2016, "qpv", "Grand Mirail", 48.6, "≈ 48,6 %"), (2015, "ensemble_qpv", "Ensemble des QPV", 44.0, "44,0 %"),
                 (2016, "ensemble_qpv", "Ensemble des QPV", 44.3, "44,3 %")])
    lines = fiche_view.evolution_lines(d)
    assert [r for s in lines for r in s["runs"]] == [[(2013, 46.4), (2014, 46.5)], [(2016, 48.6)],
                                                     [(2015, 44.0), (2016, 44.3)]]
    quartier = fiche_charts.detail_evolution(d, with_gaps=False).data[0]
    assert [None if pd.isna(y) else y for y in quartier.y] == [46.4, 46.5, None, 48.6]   # null: Plotly's gap
    assert list(quartier.text)[2] == "" and not quartier.connectgaps
    drawn = svg.line_chart({"editions": [2013, 2014, 2015, 2016], "edition_labels": ["2013", "2014", "2015", "2016"],
                            "series": lines}, "évolution")
    assert drawn.count('<polyline class="s-qpv"') == 1 and drawn.count('<polyline class="s-ensemble_qpv"') == 1
    assert drawn.count('<circle class="s-qpv"') == 3 + 1                  # its three points, and 2016 alone


def test_only_the_fullwidth_and_the_escape_payloads_lack_glyphs():
    shown = P.ACCEPTED + P.legacy()
    assert {p.marker for p in shown} - {p.marker for p in P.pdf_drawable(shown)} == {"PLD13", "PLD28"}


def test_hostile_names_labels_and_sources_are_drawn_as_typed():
    """Every payload as the quartier's name, a reference's name, the indicator's label, the source line and the
    caveat of a chart, and as the names of the map's quartier, neighbour and EPCI: shown as typed (cut with
    « … » when too long for its place), no link, no JavaScript in the file."""
    payloads = P.pdf_drawable(P.ACCEPTED + P.legacy())
    names = [p.text for p in payloads]
    poly = shapely.box(3.80, 43.60, 3.84, 43.63)
    for k in range(0, len(names), 4):          # each payload in about two of the seven places (a second each)
        name = names[k]
        d = _detail([(2018, "qpv", name, 40.9, "40,9 %"), (2019, "qpv", name, 40.1, "40,1 %"),
                     (2018, "epci", names[(k + 1) % len(names)], 20.0, "20,0 %"),
                     (2019, "epci", names[(k + 1) % len(names)], 21.0, "21,0 %")],
                    label=names[(k + 2) % len(names)], source=names[(k + 3) % len(names)],
                    caveat=names[(k + 4) % len(names)])
        loc = {"places": [{"code": "QP034004", "name": name, "geom": poly, "kind": "contour", "highlight": True},
                          {"code": "QP034005", "name": "voisin", "geom": shapely.box(3.86, 43.6, 3.87, 43.61),
                           "kind": "contour", "highlight": False}],
               "outlines": [], "strong_outlines": [(names[(k + 5) % len(names)], poly.buffer(0.05), "200000000")],
               "source_line": names[(k + 6) % len(names)]}

        def draw(pdf, d=d, loc=loc):
            pdf_charts.evolution_chart(pdf, d, 11, 20, 92, 80)
            pdf_charts.locator_map(pdf, loc, 11, 110, 70, 70)
        data = _bytes(draw)
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert P.mangled(text, payloads) == [], name
        assert all(payloads[(k + i) % len(payloads)].marker in text for i in range(7)), name
        assert P.pdf_problems("fiche.pdf", data) == []


def test_the_map_fills_the_quartier_and_names_it_inside_the_frame():
    poly = shapely.box(3.80, 43.60, 3.84, 43.63)
    loc = {"places": [{"code": "Q", "name": "Celleneuve", "geom": poly, "kind": "contour", "highlight": True},
                      {"code": "P", "name": "Point", "geom": shapely.Point(3.9, 43.6), "kind": "commune_point",
                       "highlight": False}],
           "outlines": [("Hérault", shapely.box(3.82, 43.0, 4.5, 44.0), "DEP34")],      # its west edge crosses the map
           "strong_outlines": [], "source_line": "Source : ANCT"}
    reader, page = _page(lambda pdf: pdf_charts.locator_map(pdf, loc, 11, 20, 70, 70))
    top, left = float(page.mediabox.height) - 20 / 25.4 * 72, 11 / 25.4 * 72
    name = [(x, y) for t, x, y in texts(page) if t == "Celleneuve"]
    assert len(name) == 1 and left < name[0][0] < left + 70 / 25.4 * 72 and top - 70 / 25.4 * 72 < name[0][1] < top
    words = " ".join(t for t, _, _ in texts(page))
    assert "quartier (contour réel)" in words and "autres quartiers" not in words           # the neighbour is a point
    assert "quartier sans contour : cercle sur sa commune" in words and "Source : ANCT" in words
    outline = [p for s in strokes(reader, page) if s["colour"] == rgb(vocabulary.palette("map_outline"))
               for p in s["points"]]
    assert len({round(x, 1) for x, _ in outline}) == 1                                     # the vertical edge
    assert all(top - 70 / 25.4 * 72 - 0.01 <= y <= top + 0.01 for _, y in outline)         # cut at the frame
    assert max(y for _, y in outline) == pytest.approx(top, abs=0.02)
