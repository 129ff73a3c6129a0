"""Classeur XLSX opened with openpyxl: one sheet per theme, numbers stored as numbers with French-display
formats, secret cells empty with their status beside, sources and notes sheets. Run through the CLI."""
from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest

from tests.exports_raw import csv_cell, fr_number

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def book(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("classeur") / "c.xlsx"
    env = dict(os.environ, OBSERVATOIRE_DB=str(warehouse))
    r = subprocess.run([sys.executable, "-m", "exports", "-q", "classeur", "--territoires",
                        "QP034004,243400017,FRM", "--out", str(out)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return openpyxl.load_workbook(out)


def _find(ws, indicator_id: str, edition: int) -> int:
    for row in ws.iter_rows(min_row=3):
        if row[1].value == indicator_id and row[3].value == edition:
            return row[0].row
    raise AssertionError((indicator_id, edition))


def _col(ws, header: str) -> int:
    return next(c.column for c in ws[2] if c.value == header)


def test_sheets(book):
    names = book.sheetnames
    assert names[0] == "Lisez-moi" and names[-2:] == ["Sources", "Notes"]
    assert {"Démographie", "Revenus et pauvreté", "Emploi et demandeurs d'emploi"} <= set(names)


def test_numbers_as_numbers(book, data_dir):
    ws = book["Revenus et pauvreté"]
    r = _find(ws, "rev_disp_median", 2019)
    q = ws.cell(r, _col(ws, "Celleneuve (QP034004)"))
    e = ws.cell(r, _col(ws, "Montpellier Méditerranée Métropole (243400017)"))
    f = ws.cell(r, _col(ws, "France métropolitaine (FRM)"))
    filo = data_dir / "sigville_qp2015" / "data_filo19_qp_revdis.csv"
    refs = data_dir / "insee_filosofi_references"
    assert q.value == fr_number(csv_cell(filo, "QP034004", "DISP_MED_A19"))                       # 14 930
    assert e.value == fr_number(csv_cell(refs / "FILO2019_DISP_EPCI.csv", "243400017", "Q219"))   # 21 340
    assert f.value == fr_number(csv_cell(refs / "FILO2019_DISP_METROPOLE.csv", "1", "Q219"))       # 21 930
    assert isinstance(q.value, (int, float)) and q.number_format == '#,##0" €"'
    r = _find(ws, "tx_pauvrete", 2019)
    cell = ws.cell(r, _col(ws, "Celleneuve (QP034004)"))
    assert cell.value == fr_number(csv_cell(filo, "QP034004", "DISP_TP60_A19"))
    assert cell.number_format == '#,##0.0" %"'


def test_secret_cell_empty_with_status(book, data_dir):
    """IND_JEUNE of DEMO_2022.csv is empty for QP034004: no value, status « secret statistique » beside."""
    assert csv_cell(data_dir / "sigville_qp2015" / "DEMO_2022.csv", "QP034004", "IND_JEUNE").strip() == ""
    ws = book["Démographie"]
    r = _find(ws, "ind_jeunesse", 2022)
    c = _col(ws, "Celleneuve (QP034004)")
    assert ws.cell(r, c).value is None
    assert ws.cell(r, c + 1).value == "secret statistique"


def test_notes_and_sources(book):
    notes = [tuple(c.value for c in row) for row in book["Notes"].iter_rows()]
    flat = " ".join(str(v) for row in notes for v in row if v)
    assert "secret statistique" in flat and "11 ménages fiscaux" in flat
    src = " ".join(str(c.value) for row in book["Sources"].iter_rows() for c in row if c.value)
    assert "Filosofi" in src and "FILO2019_DISP_EPCI.csv : Q219" in src


def _display(cell) -> str:
    """What a French spreadsheet shows for a number cell: its number format's literal text around the number
    written the French way (the format codes of exports.classeur.number_format)."""
    import re

    from observatoire import frformat

    fmt = cell.number_format
    decimals = len(re.search(r"#,##0(?:\.(0+))?", fmt).group(1) or "")
    lits = re.findall(r'"([^"]*)"', fmt)
    prefix = lits[0] if fmt.startswith('"') else ""
    suffix = lits[-1] if fmt.endswith('"') else ""
    return prefix + frformat.fmt_number(cell.value, decimals) + suffix


def test_2024_contract_quartiers_keep_their_column_with_the_fiche_strings(con, data_dir, tmp_path):
    """Issue 18: a 2024 quartier of a contract keeps its own column; its values are its 2015 predecessor's,
    shown « ≈ » exactly as on its fiche (QN00612M <- QP006014, Ariane - Le Manoir)."""
    from exports import classeur
    from indicators import fiche as fiche_lib
    from presentation import text

    out = classeur.build(con, ["CN00604I"], tmp_path / "nice.xlsx")
    ws = openpyxl.load_workbook(out)["Revenus et pauvreté"]
    headers = [c.value for c in ws[2]]
    col = headers.index("Ariane - Le Manoir - Gares (QN00612M), ≈ quartier 2015 Ariane - Le Manoir (QP006014)") + 1
    assert not any(h and h.startswith("Ariane - Le Manoir (QP006014)") for h in headers)   # no 2015 column
    r = _find(ws, "tx_pauvrete", 2019)
    raw = fr_number(csv_cell(data_dir / "sigville_qp2015" / "data_filo19_qp_revdis.csv", "QP006014", "DISP_TP60_A19"))
    cell = ws.cell(r, col)
    assert cell.value == raw
    assert _display(cell) == "≈ " + text.value_text(raw, "ok", "%", 1)
    assert ws.cell(r, col + 1).value == "valeur du quartier 2015 correspondant"
    # the same string as the quartier's fiche
    x = next(i for i in fiche_lib.fiche(con, "QN00612M", n_twins=0)["indicators"] if i["indicator_id"] == "tx_pauvrete")
    assert x["edition"] == 2019
    assert _display(cell) == text.value_cell(x["value"], x["status"], x["unit"], x["decimals"],
                                             approx=bool(x["approximation"])).text


def test_grand_mirail_2024_reads_like_its_fiche(con, data_dir, tmp_path):
    """QN03107M's poverty rate 2019 is QP031007's (data_filo19 DISP_TP60_A19 = 49,2): « ≈ 49,2 % » in the
    2024 column, « 49,2 % » in the 2015 one; a secret cell stays empty with its status."""
    from exports import classeur

    out = classeur.build(con, ["QN03107M", "QP031007"], tmp_path / "gm.xlsx")
    ws = openpyxl.load_workbook(out)["Revenus et pauvreté"]
    r = _find(ws, "tx_pauvrete", 2019)
    c24 = _col(ws, "Grand Mirail (QN03107M), ≈ quartier 2015 Grand Mirail (QP031007)")
    c15 = _col(ws, "Grand Mirail (QP031007)")
    assert csv_cell(data_dir / "sigville_qp2015" / "data_filo19_qp_revdis.csv", "QP031007", "DISP_TP60_A19") == "49,2"
    assert (_display(ws.cell(r, c24)), _display(ws.cell(r, c15))) == ("≈ 49,2 %", "49,2 %")
    readme = openpyxl.load_workbook(out)["Lisez-moi"]
    lisez = " ".join(str(c.value) for row in readme.iter_rows() for c in row if c.value)
    assert "quartiers 2015 correspondants" in lisez
