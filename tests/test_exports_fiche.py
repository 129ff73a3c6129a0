"""Fiche quartier PDF opened with pypdf: two A4 pages, the quartier's real name and figures, secret cells
with their status, sources; the 2024 quartier version says whose figures it shows."""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from tests.exports_raw import csv_cell, fr_number


@pytest.fixture(scope="module")
def celleneuve(con, tmp_path_factory):
    from exports import fiche_pdf

    out = tmp_path_factory.mktemp("fiche") / "QP034004.pdf"
    fiche_pdf.build(con, "QP034004", out)
    return PdfReader(str(out))


def test_two_a4_pages(celleneuve):
    assert len(celleneuve.pages) == 2
    for p in celleneuve.pages:
        w, h = float(p.mediabox.width), float(p.mediabox.height)
        assert round(w / 72 * 25.4) == 210 and round(h / 72 * 25.4) == 297


def test_page1_name_and_real_figures(celleneuve, data_dir):
    """Poverty rate and median income of Celleneuve from data_filo19_qp_revdis.csv (line of QP034004)."""
    text = celleneuve.pages[0].extract_text()
    assert "Celleneuve" in text and "QP034004" in text
    filo = data_dir / "sigville_qp2015" / "data_filo19_qp_revdis.csv"
    tp60 = fr_number(csv_cell(filo, "QP034004", "DISP_TP60_A19"))                # 40,1
    med = fr_number(csv_cell(filo, "QP034004", "DISP_MED_A19"))                  # 14 930
    assert f"{tp60:.1f} %".replace(".", ",") in text
    assert f"{med:,.0f}".replace(",", " ") + " €" in text
    # population from DEMO_2022.csv (POP_MUN)
    pop = fr_number(csv_cell(data_dir / "sigville_qp2015" / "DEMO_2022.csv", "QP034004", "POP_MUN"))
    assert f"{pop:,.0f}".replace(",", " ") + " hab." in text
    assert "Source : " in text


def test_secret_cell_has_status_not_number(celleneuve, data_dir):
    """IND_JEUNE of DEMO_2022.csv is empty for QP034004 (secret): the line shows the status only."""
    assert csv_cell(data_dir / "sigville_qp2015" / "DEMO_2022.csv", "QP034004", "IND_JEUNE").strip() == ""
    lines = celleneuve.pages[0].extract_text().splitlines()
    line = next(ln for ln in lines if ln.startswith("Indice de jeunesse"))
    assert "secret statistique" in line
    assert not re.search(r"\d", re.sub(r"\b20\d\d\b", "", line)), line   # only the millésime is a number


def test_page2_comparison_evolution_map_sources(celleneuve, data_dir):
    page = celleneuve.pages[1]
    text = page.extract_text()
    assert "Comparaison avec les territoires de référence" in text
    epci = fr_number(csv_cell(data_dir / "insee_filosofi_references" / "FILO2019_DISP_EPCI.csv", "243400017", "Q219"))
    assert f"{epci:,.0f}".replace(",", " ") + " €" in text               # EPCI median income, 2019
    assert "Quartiers jumeaux" in text and "Sources et précautions" in text


POVERTY = "Taux de pauvreté au seuil de 60 % : évolution"
INCOME = "Revenu disponible médian par unité de consommation : évolution"


def _filo(data_dir, code: str, year: int, measure: str) -> float:
    """A Filosofi cell of data_filo{yy}_qp_revdis.csv: `measure` tp60 or med (the 2016 and 2017 files name
    the median disp_q2 and write their columns in lower case)."""
    yy = year % 100
    path = data_dir / "sigville_qp2015" / f"data_filo{yy}_qp_revdis.csv"
    column = {"tp60": f"tp60_a{yy}", "med": f"disp_q2_a{yy}"}[measure] if year < 2018 else \
        {"tp60": f"DISP_TP60_A{yy}", "med": f"DISP_MED_A{yy}"}[measure]
    return fr_number(csv_cell(path, code, column))


def test_page2_charts_and_map_are_vectors_and_text(celleneuve):
    """No picture left on page 2 but the QR code: the charts and the map are drawn, and what they say is the
    page's text — titles, legend (the quartier, each reference level), axes, source lines, the map's legend
    and the quartier's name in its white box, inside the map."""
    from pypdf.generic import ContentStream

    from tests.pdf_drawing import texts

    page = celleneuve.pages[1]
    assert len(page.images) == 0                                            # no OBSERVATOIRE_SITE_URL: no QR code
    text = page.extract_text()
    for words in (POVERTY, INCOME, "Celleneuve", "Ensemble des QPV", "EPCI : Montpellier Méditerranée Métropole",
                  "Département : Hérault", "France métro.", "Millésime", "millésimes 2013 à 2019",
                  "Montpellier Méditerranée Métropole", "autres quartiers", "quartier (contour réel)",
                  "Source : ANCT / SIG Ville (contours)"):
        assert words in text, words
    pieces = texts(page)
    # the map: the land rectangle drawn under « Quartiers jumeaux »' left, the name inside it
    boxes = [(float(o[0]), float(o[0]) + float(o[2]), min(float(o[1]), float(o[1]) + float(o[3])),
              max(float(o[1]), float(o[1]) + float(o[3]))) for o, op in
             ContentStream(page.get_contents(), celleneuve).operations if op == b"re"]      # x0, x1, y0, y1
    twins_y = next(y for t, x, y in pieces if t.startswith("Quartiers jumeaux"))
    x0, x1, y0, y1 = next(b for b in boxes if abs(b[1] - b[0] - 70 / 25.4 * 72) < 1 and abs(b[3] - twins_y) < 20)
    inside = [t for t, x, y in pieces if t == "Celleneuve" and x0 < x < x1 and y0 < y < y1]
    assert inside == ["Celleneuve"], [(t, x, y) for t, x, y in pieces if t == "Celleneuve"]


def test_page2_charts_draw_the_files_values(celleneuve, data_dir):
    """The lines drawn, read back on the chart's own grid (its gridlines and their tick labels): Celleneuve's
    poverty rate and median income of data_filo16…19_qp_revdis.csv, the ensemble of the QPV's (line
    « Ensemble ») on the poverty chart; the axis starts at zero; the ensemble of the QPV, first published for
    2016, starts at 2016 — no zero drawn for 2013-2015."""
    from observatoire import vocabulary
    from tests.pdf_drawing import chart, rgb

    page = celleneuve.pages[1]
    qpv, ens = vocabulary.color("levels", "qpv"), vocabulary.color("levels", "ensemble_qpv")
    grid = vocabulary.palette("grid")

    def line(c, colour, n):
        found = [s for s in c["lines"] if s["colour"] == rgb(colour) and len(s["points"]) == n]
        assert len(found) == 1, [(s["colour"], len(s["points"])) for s in c["lines"]]
        return found[0]

    for title, measure in ((POVERTY, "tp60"), (INCOME, "med")):
        c = chart(celleneuve, page, title, grid)
        assert c["years"] == list(range(2013, 2020)) and c["gridlines"][0][1] == 0      # from zero
        q = line(c, qpv, 7)                                                             # 2013 … 2019
        assert not q["dashed"]
        drawn = {2013 + k: c["value"](y) for k, (_, y) in enumerate(sorted(q["points"]))}
        for year in (2016, 2017, 2018, 2019):
            expected = _filo(data_dir, "QP034004", year, measure)       # 38,7 36,8 40,9 40,1 % ; 14 270 … 14 930 €
            assert abs(drawn[year] - expected) <= c["precision"], (title, year, drawn[year])
        if measure == "tp60":
            e = line(c, ens, 4)                                                          # 2016 … 2019
            assert e["dashed"]
            xs = sorted(x for x, _ in q["points"])
            assert [round(x, 1) for x, _ in sorted(e["points"])] == [round(x, 1) for x in xs[3:]]
            for (x, y), year in zip(sorted(e["points"]), range(2016, 2020)):
                assert abs(c["value"](y) - _filo(data_dir, "Ensemble", year, "tp60")) <= c["precision"]  # 44,3 …


def test_2024_quartier_says_whose_figures(con, tmp_path):
    from exports import fiche_pdf

    out = fiche_pdf.build(con, "QN00612M", tmp_path / "QN00612M.pdf")
    text = PdfReader(str(out)).pages[0].extract_text()
    assert "Ariane - Le Manoir - Gares" in text
    flat = " ".join(text.split())                                          # justified lines, wrapped
    assert "quartiers 2015 correspondants, Ariane - Le Manoir (QP006014)" in flat and "≈ 45,9 %" in flat
