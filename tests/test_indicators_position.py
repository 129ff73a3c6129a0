"""Ranks and percentiles (indicators/position.py) against values recomputed from the raw files.

Definitions checked: rank 1 = highest value, ties share the best rank; percentile = % of quartiers whose
published value is <= the quartier's; only published cells count (empty cell = secret, excluded).
"""
from __future__ import annotations

import pandas as pd
import pytest
from test_indicators_raw import SIG, departement_of, quartier_column, rank_and_percentile, region_of_departement

from indicators import position

SOURCES = {
    # indicator, edition -> (file, column) as published
    ("tx_pauvrete", 2019): (f"{SIG}/data_filo19_qp_revdis.csv", "DISP_TP60_A19"),
    ("tx_emploi", 2022): (f"{SIG}/IPRO_2022.csv", "TX_TOT_EMPL"),
    ("rev_disp_median", 2019): (f"{SIG}/data_filo19_qp_revdis.csv", "DISP_MED_A19"),
}
QUARTIERS = ["QP031006", "QP034007", "QP013032", "QP006006", "QP093035", "QP075001"]


@pytest.mark.parametrize("indicator_id, edition", list(SOURCES))
@pytest.mark.parametrize("code", QUARTIERS)
def test_rank_and_percentile_match_the_raw_file(con, code, indicator_id, edition):
    values = quartier_column(*SOURCES[(indicator_id, edition)])
    p = position.position(con, code, indicator_id, edition)
    assert p["value"] == values[code]
    rank, n, pct = rank_and_percentile(values, code)
    assert (p["rank"], p["n"]) == (rank, n)
    assert p["percentile"] == pytest.approx(pct)
    dep = departement_of(code)
    rank, n, pct = rank_and_percentile(values, code, lambda c: departement_of(c) == dep)
    assert (p["departement"]["rank"], p["departement"]["n"]) == (rank, n)
    assert p["departement"]["percentile"] == pytest.approx(pct)
    reg = region_of_departement()[dep]
    rank, n, pct = rank_and_percentile(values, code, lambda c: region_of_departement().get(departement_of(c)) == reg)
    assert (p["region"]["rank"], p["region"]["n"]) == (rank, n)
    assert p["region"]["percentile"] == pytest.approx(pct)


def test_hand_checked_position_toulouse():
    """Hand count (data_filo19_qp_revdis.csv, DISP_TP60_A19): QP031006 = 45,0 %; 1,348 published quartier
    cells, 550 of them above 45,0 -> rank 551; 798 at or below -> percentile 59,2."""
    values = quartier_column(f"{SIG}/data_filo19_qp_revdis.csv", "DISP_TP60_A19")
    assert rank_and_percentile(values, "QP031006") == (551, 1348, pytest.approx(100 * 798 / 1348))


def test_secret_cell_has_no_rank(con):
    # QP075005: DISP_TP60_A19 empty in data_filo19_qp_revdis.csv line 894
    p = position.position(con, "QP075005", "tx_pauvrete", 2019)
    assert p["status"] == "secret" and p["value"] is None
    assert p["rank"] is None and p["percentile"] is None and p["national"]["n"] is None


def test_distribution_has_every_quartier_and_hides_secret_values(con):
    d = position.distribution(con, "tx_pauvrete", 2019, "2015")
    values = quartier_column(f"{SIG}/data_filo19_qp_revdis.csv", "DISP_TP60_A19")
    shown = d[d.value.notna()]
    assert len(shown) == len(values) == 1348
    assert dict(zip(shown.code, shown.value)) == values
    row = d[d.code == "QP075005"].iloc[0]
    assert row.status == "secret" and pd.isna(row.value) and pd.isna(row["rank"])
    # same numbers as position() (one definition)
    me = d[d.code == "QP031006"].iloc[0]
    assert (me["rank"], me["n"]) == (551, 1348)


def test_latest_edition_by_default(con):
    assert position.position(con, "QP031006", "tx_pauvrete")["edition"] == 2019
    assert position.position(con, "QP031006", "tx_emploi")["edition"] == 2022
