"""Twin quartiers (indicators/twins.py): a reduced profile recomputed independently from the raw files with
plain Python (z-scores, RMS distance over common dimensions, minimum overlap), determinism and the handling
of incomplete profiles. No timing here: bench/twins.py prints them."""
from __future__ import annotations

import math

import pytest
from test_indicators_raw import SIG, quartier_column

from indicators import twins
from observatoire import db

PROFILE = {  # indicator -> (file, column) of its latest edition for the 2015 quartiers
    "tx_pauvrete": (f"{SIG}/data_filo19_qp_revdis.csv", "DISP_TP60_A19"),
    "rev_disp_median": (f"{SIG}/data_filo19_qp_revdis.csv", "DISP_MED_A19"),
    "tx_emploi": (f"{SIG}/IPRO_2022.csv", "TX_TOT_EMPL"),
}


def _expected(code: str, n: int = 5) -> list[tuple[str, float]]:
    cols = {i: quartier_column(*src) for i, src in PROFILE.items()}
    z = {}
    for i, vals in cols.items():
        m = sum(vals.values()) / len(vals)
        sd = math.sqrt(sum((v - m) ** 2 for v in vals.values()) / len(vals))  # population sd (ddof=0)
        z[i] = {c: (v - m) / sd for c, v in vals.items()}
    me = {i: z[i].get(code) for i in PROFILE}
    out = []
    for other in set().union(*(set(v) for v in cols.values())) - {code}:
        common = [i for i in PROFILE if me[i] is not None and other in z[i]]
        if len(common) < 2:  # min overlap ceil(0.6 * 3) = 2
            continue
        d = math.sqrt(sum((z[i][other] - me[i]) ** 2 for i in common) / len(common))
        out.append((d, other))
    out.sort()
    return [(c, d) for d, c in out[:n]]


@pytest.mark.parametrize("code", ["QP031006", "QP013032", "QP093035", "QP006009"])
def test_twins_match_an_independent_computation(con, code):
    got = twins.twins(con, code, n=5, indicator_ids=list(PROFILE))
    exp = _expected(code)
    assert [t["code"] for t in got] == [c for c, _ in exp]
    for t, (_, d) in zip(got, exp):
        assert t["distance"] == pytest.approx(d, rel=1e-9)
        assert code != t["code"]


def test_qp006009_uses_two_common_dimensions(con):
    # IPRO_2022.csv: TX_TOT_EMPL secret for QP006009 -> distance over poverty and median only
    got = twins.twins(con, "QP006009", n=3, indicator_ids=list(PROFILE))
    assert got and all(t["n_common"] == 2 for t in got)
    assert all(d["indicator_id"] != "tx_emploi" for t in got for d in t["similar_on"] + t["different_on"])


def test_twins_are_deterministic_across_calls_and_connections(con, warehouse):
    a = twins.twins(con, "QP031006")
    b = twins.twins(con, "QP031006")
    c2 = db.connect(warehouse, read_only=True)
    try:
        c = twins.twins(c2, "QP031006")
    finally:
        c2.close()
    assert a == b == c
    assert len(a) == 5 and [t["distance"] for t in a] == sorted(t["distance"] for t in a)


def test_twin_details(con):
    t = twins.twins(con, "QP031006")[0]
    assert {"code", "name", "distance", "n_common", "similar_on", "different_on", "communes", "contrat",
            "ex_quartier"} <= set(t)
    assert t["similar_on"] and all(d["z_diff"] <= t["similar_on"][-1]["z_diff"] for d in t["similar_on"])
    assert all(d["z_diff"] >= twins.DIFFERENT_Z for d in t["different_on"])
    sim = t["similar_on"][0]
    assert {"indicator_id", "label", "edition", "value", "twin_value", "z_diff"} <= set(sim)


def test_incomplete_profile_gives_no_twin(con):
    # overseas quartiers (QP971…) have no IPRO/Filosofi rows in these files: fewer than the minimum overlap
    prof = twins.profile(con, "QP971001")
    assert sum(p["value"] is not None for p in prof) < twins.default_min_overlap(len(prof))
    assert twins.twins(con, "QP971001") == []


def test_min_overlap_rule():
    assert twins.default_min_overlap(13) == 8
    assert twins.default_min_overlap(3) == 2
    assert twins.default_min_overlap(1) == 1


def test_matrix_is_shared_by_cursors_of_the_same_warehouse(con):
    """Pages use one cursor per call: the z matrix must not be rebuilt for each of them."""
    cur = con.cursor()
    try:
        assert twins.matrix(cur, "2015") is twins.matrix(con, "2015")
    finally:
        cur.close()
