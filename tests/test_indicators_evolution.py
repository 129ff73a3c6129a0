"""Evolution over editions (indicators/evolution.py): INSEE's consecutive-edition rule, gap verdicts with the
catalogue tolerance, polarity. Expected values from the raw Filosofi files (data_filo17/19_qp_revdis.csv,
FILO2017/2019_DISP_EPCI.csv)."""
from __future__ import annotations

import pytest
from test_indicators_raw import REF, SIG, value

from indicators import catalog, evolution
from observatoire import vocabulary
from presentation import fiche as fiche_view

F17, F19 = f"{SIG}/data_filo17_qp_revdis.csv", f"{SIG}/data_filo19_qp_revdis.csv"


def _poverty(code):
    return value(F17, code, "tp60_a17"), value(F19, code, "DISP_TP60_A19")


def test_pick_comparison_skips_consecutive_editions():
    assert evolution.pick_comparison([2017, 2018, 2019, 2020, 2021, 2022]) == (2020, 2022)
    assert evolution.pick_comparison([2017, 2018, 2019, 2021, 2022]) == (2019, 2022)
    assert evolution.pick_comparison([2021, 2022]) is None
    assert evolution.pick_comparison([2016, 2017, 2018, 2019], to_edition=2018) == (2016, 2018)
    assert not evolution.is_comparable(2018, 2019) and evolution.is_comparable(2017, 2019)
    assert evolution.is_comparable(2018, 2019, level="epci")


def test_default_comparison_is_2017_to_2019_vs_ensemble(con):
    ev = evolution.evolution(con, "QP031006", "tx_pauvrete")
    c = ev["comparison"]
    assert (c["from_edition"], c["to_edition"], c["comparable"]) == (2017, 2019, True)
    assert fiche_view.evolution_label(c) == "Évolution 2017 → 2019 (2 ans, millésimes non consécutifs)"
    # only the Ensemble des QPV publishes a poverty rate among the references
    assert ev["reference_level"] == "ensemble_qpv" and c["reference_code"] == "ENSQP2015"
    a, b = _poverty("QP031006")  # 44,6 -> 45,0
    ea, eb = value(F17, "Ensemble", "tp60_a17"), value(F19, "Ensemble", "DISP_TP60_A19")  # 43,5 -> 43,6
    assert (c["value_from"], c["value_to"], c["ref_from"], c["ref_to"]) == (a, b, ea, eb)
    assert c["gap_from"] == pytest.approx(a - ea) and c["gap_to"] == pytest.approx(b - eb)
    assert c["tolerance"] == catalog.tolerance(con, "tx_pauvrete") == 2.0
    assert c["verdict"] == "stable" and c["value_trend"] == "stable"  # +0,3 point of gap, within 2 points
    # the longer comparison starts at the first published edition (income 2013, REVN_2017.csv)
    assert ev["long_comparison"]["from_edition"] == 2013


@pytest.mark.parametrize("code, verdict, trend", [
    ("QP013008", "decrochage", "degradation"),   # Marseille: 42,7 % -> 54,3 % (gap +11,5 points vs Ensemble)
    ("QP034007", "decrochage", "degradation"),   # Montpellier: 43,9 % -> 48,2 % (+4,2 points)
    ("QP006006", "rattrapage", "amelioration"),  # Nice: 42,9 % -> 37,0 % (-6,0 points)
    ("QP031013", "rattrapage", "amelioration"),  # Toulouse: 38,3 % -> 32,3 % (-6,1 points)
])
def test_poverty_verdicts(con, code, verdict, trend):
    a, b = _poverty(code)
    ea, eb = value(F17, "Ensemble", "tp60_a17"), value(F19, "Ensemble", "DISP_TP60_A19")
    delta = (b - eb) - (a - ea)
    assert abs(delta) > 2.0  # the case is outside the tolerance band by construction
    c = evolution.evolution(con, code, "tx_pauvrete")["comparison"]
    assert c["verdict"] == verdict and c["value_trend"] == trend
    assert c["gap_to"] - c["gap_from"] == pytest.approx(delta)


def test_income_gap_vs_epci_with_polarity(con):
    """higher_better: a ratio to the EPCI that grows is a catching-up (less disadvantage)."""
    c = evolution.evolution(con, "QP031006", "rev_disp_median")["comparison"]
    assert c["reference_level"] == "epci" and c["reference_code"] == "243100518"
    q17, q19 = value(F17, "QP031006", "disp_q2_a17"), value(F19, "QP031006", "DISP_MED_A19")
    e17 = value(f"{REF}/FILO2017_DISP_EPCI.csv", "243100518", "Q217")
    e19 = value(f"{REF}/FILO2019_DISP_EPCI.csv", "243100518", "Q219")
    assert c["gap_from"] == pytest.approx(q17 / e17) and c["gap_to"] == pytest.approx(q19 / e19)
    d = (1 - q19 / e19) - (1 - q17 / e17)
    expected = "stable" if abs(d) <= 0.05 else ("decrochage" if d > 0 else "rattrapage")
    assert c["verdict"] == expected
    # value trend: 13 260 -> 13 860 = +4,5 %, within the 5 % tolerance of the catalogue
    assert q19 / q17 - 1 == pytest.approx(0.0452, abs=1e-3) and c["value_trend"] == "stable"


def test_consecutive_editions_are_labelled_and_not_judged(con):
    c = evolution.compare(con, "QP031006", "tx_pauvrete", 2018, 2019)
    assert c["comparable"] is False and c["verdict"] is None and c["value_trend"] is None
    assert fiche_view.evolution_label(c) == ("Évolution 2018 → 2019 (1 an, millésimes consécutifs : comparaison "
                                             "déconseillée par l'INSEE)")
    assert c["value_from"] == value(f"{SIG}/data_filo18_qp_revdis.csv", "QP031006", "DISP_TP60_A18")
    forced = evolution.compare(con, "QP031006", "tx_pauvrete", 2018, 2019, allow_consecutive=True)
    assert forced["verdict"] in ("stable", "rattrapage", "decrochage")


def test_gap_verdict_rules():
    # points, higher_worse: disadvantage grows by 3 > tol 2 -> décrochage
    assert evolution.gap_verdict(1.0, 4.0, "points", "higher_worse", 2.0) == "decrochage"
    # ratio, higher_better: 0.60 -> 0.70 of the reference -> disadvantage shrinks by 0.10 > 0.05
    assert evolution.gap_verdict(0.60, 0.70, "ratio", "higher_better", 0.05) == "rattrapage"
    # neutral: convergence of |gap|
    assert evolution.gap_verdict(-5.0, 1.0, "points", "neutral", 2.0) == "rattrapage"
    assert evolution.gap_verdict(None, 1.0, "points", "neutral", 2.0) is None


def test_series_for_charts(con):
    s = evolution.series(con, "QP013008", "tx_pauvrete")
    q = {r["edition"]: r["value"] for r in s["series"] if r["level"] == "qpv"}
    ens = {r["edition"]: r["value"] for r in s["series"] if r["level"] == "ensemble_qpv"}
    assert q[2019] == value(F19, "QP013008", "DISP_TP60_A19") and q[2017] == value(F17, "QP013008", "tp60_a17")
    assert ens[2019] == value(F19, "Ensemble", "DISP_TP60_A19")
    assert s["comparison"]["verdict"] == "decrochage" and s["reference_level"] == "ensemble_qpv"
    # the levels of the vocabulary's place `evolution`, and only them
    assert {r["level"] for r in s["series"]} - {"qpv"} <= set(vocabulary.levels_in("evolution"))
    # the words are the view's (presentation.fiche.detail): the verdict names the level, never the code
    d = fiche_view.detail(con, "QP013008", "tx_pauvrete")
    assert "consécutifs" in d.evolution_caveat
    verdict = str(d.verdict)
    assert verdict.startswith("<b>Évolution 2017 → 2019") and "décrochage" in verdict
    assert "par rapport à l'ensemble des quartiers prioritaires : décrochage" in verdict
