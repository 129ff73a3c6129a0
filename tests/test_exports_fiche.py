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
    assert len(page.images) >= 3                                           # 2 evolution charts + map inset


def test_2024_quartier_says_whose_figures(con, tmp_path):
    from exports import fiche_pdf

    out = fiche_pdf.build(con, "QN00612M", tmp_path / "QN00612M.pdf")
    text = PdfReader(str(out)).pages[0].extract_text()
    assert "Ariane - Le Manoir - Gares" in text
    flat = " ".join(text.split())                                          # justified lines, wrapped
    assert "quartiers 2015 correspondants, Ariane - Le Manoir (QP006014)" in flat and "≈ 45,9 %" in flat
