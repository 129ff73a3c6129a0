"""Comparer page (AppTest, real warehouse): side-by-side values, national rank and distribution with the
selection highlighted, profile, and twins added in one click."""
from __future__ import annotations

from pages_apptest import all_tables, array, figures, read_sigville, run_page, sources, unescape_md

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


def _panels(at) -> dict[str, dict]:
    """The ranked-distribution figures of the page, by the geography named in their title."""
    out = {}
    for f in figures(at):
        title = (f["layout"].get("title") or {}).get("text", "")
        if "classés" in title:
            out["2024" if "quartiers 2024" in title else "2015"] = f
    return out


def _placed(fig: dict) -> dict[str, str]:
    return {t["meta"]["code"]: t["meta"]["text"] for t in fig["data"]
            if isinstance(t.get("meta"), dict) and t["meta"].get("role") == "selection"}


def test_mixed_selection_places_every_quartier_on_its_own_geography(warehouse, data_dir):
    """Issue 18: a selection mixing 2015 and 2024 quartiers. The 2024 ones were silently left out of the
    ranked distribution; each geography now has its own, the 2024 values (their 2015 predecessors') marked
    « ≈ », and a quartier without a published value is named with the reason.
    data_filo19_qp_revdis.csv DISP_TP60_A19: QP001001 41,9 ; QP031007 (QN03107M's predecessor) 49,2 ;
    QP025002 (Grette) empty = secret. QN03105M comes from two 2015 quartiers: a rate is not transposable."""
    tp60 = read_sigville(data_dir, "data_filo19_qp_revdis.csv", "DISP_TP60_A19")
    assert (tp60["QP001001"], tp60["QP031007"], tp60["QP025002"]) == (41.9, 49.2, None)
    at = run_page("comparer", selection="QP001001,QN03107M,QP025002,QN03105M", indicateur="tx_pauvrete",
                  millesime="2019")
    panels = _panels(at)
    assert set(panels) == {"2015", "2024"}
    assert _placed(panels["2015"]) == {"QP001001": "41,9 %"}
    assert _placed(panels["2024"]) == {"QN03107M": "≈ 49,2 %"}
    notes = [a["text"] for a in panels["2024"]["layout"]["annotations"]]
    assert "Grand Mirail<br>≈ 49,2 %" in notes
    # the grey cloud of the 2024 distribution carries the « ≈ » too
    assert all(row[2].startswith("≈ ") for row in panels["2024"]["data"][0]["customdata"])
    captions = unescape_md(" ".join(str(c.value) for c in at.caption))    # as a reader sees them
    assert "Grette (QP025002) : secret statistique" in captions
    assert "Grand Val d'Aran-en-Jacca (QN03105M) : non transposable depuis la géographie 2015" in captions


def test_percentiles_and_values_are_the_fiche_strings(warehouse, data_dir):
    """The ranks table prints presentation.text.percentile_text (rounded down, as on the fiche) and value_cell."""
    import math

    tp60 = read_sigville(data_dir, "data_filo19_qp_revdis.csv", "DISP_TP60_A19")
    published = [v for v in tp60.values() if v is not None]
    at = _page()
    ranks = all_tables(at)[1]
    row = ranks[ranks.Quartier.str.contains("QP001001")].iloc[0]
    expected = math.floor(100 * sum(1 for v in published if v <= 41.9) / len(published))
    assert row["Centile national"] == str(expected) and row["Valeur"] == "41,9 %"
