"""Comparer page (AppTest, real warehouse): side-by-side values, national rank and distribution with the
selection highlighted, profile, and twins added in one click."""
from __future__ import annotations

from pages_apptest import all_tables, array, figures, read_sigville, run_page, sources

SELECTION = "QP001001,QP001002,QP034001"


def _page():
    return run_page("comparer", selection=SELECTION, indicateur="tx_pauvrete", millesime="2019")


def test_bars_show_real_values(warehouse):
    at = _page()
    figs = figures(at)
    bars = figs[0]
    # data_filo19_qp_revdis.csv DISP_TP60_A19: QP001001 41,9 ; QP001002 48,2 ; QP034001 54,9.
    assert array(bars["data"][0]["x"]) == [41.9, 48.2, 54.9]
    assert [t.split(" (")[0] for t in bars["data"][0]["text"]] == ["41,9 %", "48,2 %", "54,9 %"]
    assert "millésime 2019" in sources(at)[1]                        # [0] is the side-by-side table's


def test_distribution_highlights_the_selection(warehouse, data_dir):
    at = _page()
    dist = figures(at)[1]
    highlighted = {t["meta"]["code"]: array(t["y"])[0] for t in dist["data"]
                   if isinstance(t.get("meta"), dict) and t["meta"].get("role") == "selection"}
    assert highlighted == {"QP001001": 41.9, "QP001002": 48.2, "QP034001": 54.9}
    everyone = dist["data"][0]
    tp60 = read_sigville(data_dir, "data_filo19_qp_revdis.csv", "DISP_TP60_A19")
    published = sorted(v for v in tp60.values() if v is not None)
    assert sorted(array(everyone["y"])) == published                # all 1,348 published values, none other
    # National rank (1 = highest), computed here from the raw file: 1 + number of higher values.
    ranks = all_tables(at)[1]
    expected = 1 + sum(1 for v in published if v > 54.9)
    row = ranks[ranks.Quartier.str.contains("QP034001")].iloc[0]
    assert row["Rang national"] == f"{expected} / 1 348"


def test_side_by_side_table_and_profile(warehouse):
    at = _page()
    table = all_tables(at)[0]
    cols = [c for c in table.columns if "(QP" in c]
    assert [c.split("(")[-1].rstrip(")") for c in cols] == SELECTION.split(",")
    pov = table[table.Indicateur == "Taux de pauvreté au seuil de 60 %"].iloc[0]
    assert [pov[c] for c in cols] == ["41,9 %", "48,2 %", "54,9 %"]
    profile = figures(at)[2]
    assert {t["name"].split(" (")[-1].rstrip(")") for t in profile["data"] if t.get("name")} >= set(SELECTION.split(","))


def test_add_twins_in_one_click(warehouse):
    at = run_page("comparer", selection="QP001001")
    at.button[0].click().run()
    assert not at.exception
    sel = at.query_params["selection"]
    sel = sel.split(",") if isinstance(sel, str) else sel
    assert sel[0] == "QP001001" and len(sel) == 6
    assert len(figures(at)[0]["data"][0]["text"]) == 6            # the bars now show six quartiers


def test_2024_quartiers_compared_through_their_predecessors(warehouse):
    """Issue 9: a selection of 2024 quartiers only. Their 2019 poverty rates are their single 2015
    predecessors' (data_filo19_qp_revdis.csv DISP_TP60_A19: QP031007 Grand Mirail 49,2 ; QP974001 Le Gol 57,1),
    marked « ≈ », ranked among 2024 quartiers on a 2024 distribution."""
    at = run_page("comparer", selection="QN03107M,QN97401I", indicateur="tx_pauvrete", millesime="2019")
    bars, dist = figures(at)[:2]
    assert array(bars["data"][0]["x"]) == [49.2, 57.1]
    assert [t.split(" (")[0] for t in bars["data"][0]["text"]] == ["≈ 49,2 %", "≈ 57,1 %"]
    highlighted = {t["meta"]["code"] for t in dist["data"]
                   if isinstance(t.get("meta"), dict) and t["meta"].get("role") == "selection"}
    assert highlighted == {"QN03107M", "QN97401I"}
    ranks = all_tables(at)[-2] if len(all_tables(at)) > 1 else all_tables(at)[-1]
    assert "None" not in ranks.astype(str).to_string()
    assert "quartiers 2015 correspondants (≈)" in sources(at)[1]
