"""Files behind the download buttons: CSV for French Excel, XLSX with numbers as numbers, PNG/SVG with the
source line inside the image; and the class breaks stated in the map legends."""
from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go
import pytest

from charts import classify
from charts.source import add_source, figure_source
from presentation.sources import millesimes_text, source_line
from ui import downloads

SRC = source_line("INSEE — Filosofi", [2019], "2015")


def _df() -> pd.DataFrame:
    return pd.DataFrame({"Quartier": ["Grande Reyssouze Terre Des Fleurs", "Croix Blanche"],
                         "Taux de pauvreté": [41.9, None], "Population": [6206, 1234]})


def test_source_line_wording():
    assert SRC == ("Source : INSEE — Filosofi — millésime 2019 — géographie prioritaire 2015 — "
                   "Observatoire des contrats de ville")
    demo = source_line("Démo", None, "2024", demo=True)
    assert "DONNÉES DE DÉMONSTRATION" in demo
    assert millesimes_text([2019, 2017, 2018, 2018]) == "2017 à 2019"
    assert millesimes_text([2017, 2019]) == "2017, 2019"


def test_csv_for_french_excel():
    raw = downloads.csv_bytes(_df(), SRC)
    assert raw.startswith(b"\xef\xbb\xbf")                       # UTF-8 BOM: Excel reads accents right
    text = raw.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "Quartier;Taux de pauvreté;Population"
    assert lines[1] == "Grande Reyssouze Terre Des Fleurs;41,9;6206"  # decimal comma
    assert lines[2] == "Croix Blanche;;1234"                      # missing value stays empty
    assert text.rstrip().endswith(SRC)


def test_xlsx_keeps_numbers_and_source():
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(downloads.xlsx_bytes(_df(), SRC, decimals={"Taux de pauvreté": 1})))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["Quartier", "Taux de pauvreté", "Population"]
    assert ws["B2"].value == pytest.approx(41.9) and isinstance(ws["B2"].value, float)
    assert ws["B2"].number_format == "#,##0.0"
    assert ws["C2"].value == 6206 and ws["C2"].number_format == "#,##0"
    assert ws["B3"].value is None
    assert ws["A5"].value == SRC                                  # two rows under the table


def test_source_annotation_is_replaced_not_stacked():
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    add_source(fig, "Source : A")
    add_source(fig, "Source : B")
    assert figure_source(fig) == "Source : B"
    assert sum(1 for a in fig.layout.annotations if a.name == "source") == 1


@pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(), reason="chromium absent")
def test_static_images_carry_the_source_line():
    fig = go.Figure(go.Bar(x=["Quartier", "Commune"], y=[41.9, 17.0]))
    static = downloads.figure_with_source(fig, SRC)
    png = downloads.figure_bytes(static, "png", 600, 400)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = downloads.figure_bytes(static, "svg", 600, 400).decode("utf-8")
    assert "Observatoire des contrats de ville" in svg and "géographie prioritaire 2015" in svg


def test_class_breaks_quantiles_and_jenks():
    values = [1, 2, 3, 10, 11, 12, 30, 31]
    q = classify.breaks(values, 4, "quantiles")
    assert q.counts == [2, 2, 2, 2] and q.edges[0] == 1 and q.edges[-1] == 31
    j = classify.breaks(values, 3, "jenks")
    assert j.edges == [1.0, 3.0, 12.0, 31.0] and j.counts == [3, 3, 2]
    assert j.labels(1, "%") == ["1,0 à 3,0 %", "3,0 à 12,0 %", "12,0 à 31,0 %"]
    assert list(j.assign([3.0, 3.5, None])) == [0, 1, -1]
