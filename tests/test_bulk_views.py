"""The bulk path gives the single-quartier path's values (issue 21). Positions and approximations are computed
for every quartier at once by the build (loaders/derived.py: tables `quartier_position`, `approx_value`), and a
quartier's values are read once per build for all its views (indicators.gaps.territory_values); each must equal
what one quartier computed alone gives — the definitions of indicators/position.py (rank = 1 + number of
higher published values, percentile = 100 × share of values <= the quartier's, nationally, in the département
and in the région), the crosswalk rules of indicators/predecessors.py (predecessor counts taken on the whole
crosswalk), and the warehouse's own rows, secret values hidden. On a spread sample of both geographies, with
2024 quartiers seen through one or several predecessors, shared predecessors and secret values."""
from __future__ import annotations

import pytest

# One quartier alone, as indicators/position.py defines its position (the query the library ran per quartier
# before the table existed): its values, and the published values of its generation's quartiers.
SINGLE_POSITION = """
    WITH p AS (SELECT unnest(?) AS indicator_id, unnest(?) AS edition),
    vals AS MATERIALIZED (
        SELECT territory_code, indicator_id, edition, value, status FROM indicator_value JOIN p USING (indicator_id, edition)
        UNION ALL
        SELECT territory_code, indicator_id, edition, value, status FROM approx_value JOIN p USING (indicator_id, edition)),
    me AS (SELECT indicator_id, edition, value, status FROM vals WHERE territory_code = ?),
    peers AS (
        SELECT v.indicator_id, v.value, t.departement, t.region
        FROM vals v JOIN territory t ON t.code = v.territory_code
        WHERE t.level = 'qpv' AND t.generation = ? AND v.status IN ('ok', 'bruite') AND v.value IS NOT NULL)
    SELECT me.indicator_id, me.value, me.status,
        1 + count(*) FILTER (WHERE o.value > me.value)                          AS rank_nat,
        count(o.value)                                                           AS n_nat,
        100.0 * count(*) FILTER (WHERE o.value <= me.value) / count(o.value)     AS pct_nat,
        1 + count(*) FILTER (WHERE o.value > me.value AND o.departement = ?)     AS rank_dep,
        count(*) FILTER (WHERE o.departement = ?)                                AS n_dep,
        100.0 * count(*) FILTER (WHERE o.value <= me.value AND o.departement = ?)
              / nullif(count(*) FILTER (WHERE o.departement = ?), 0)             AS pct_dep,
        1 + count(*) FILTER (WHERE o.value > me.value AND o.region = ?)          AS rank_reg,
        count(*) FILTER (WHERE o.region = ?)                                     AS n_reg,
        100.0 * count(*) FILTER (WHERE o.value <= me.value AND o.region = ?)
              / nullif(count(*) FILTER (WHERE o.region = ?), 0)                  AS pct_reg
    FROM me LEFT JOIN peers o USING (indicator_id)
    GROUP BY me.indicator_id, me.value, me.status
"""


@pytest.fixture(scope="module")
def sample(con) -> list[str]:
    """Every 60th quartier of each geography, plus the quartiers the issues name, a 2024 quartier with several
    predecessors, one whose only predecessor is shared with another 2024 quartier, and a 2015 quartier with
    secret values (QP034004)."""
    codes = []
    for gen in ("2015", "2024"):
        every = [r[0] for r in con.execute("SELECT code FROM territory WHERE level = 'qpv' AND generation = ? "
                                           "ORDER BY code", [gen]).fetchall()]
        codes += every[::60]
    several = con.execute("SELECT parent_code FROM territory_link WHERE relation = 'qp2015_qpv2024' "
                          "GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1").fetchone()[0]
    shared = con.execute("""SELECT min(l.parent_code) FROM territory_link l
                            WHERE l.relation = 'qp2015_qpv2024'
                              AND l.parent_code IN (SELECT parent_code FROM territory_link WHERE relation = 'qp2015_qpv2024'
                                                    GROUP BY 1 HAVING count(*) = 1)
                              AND l.child_code IN (SELECT child_code FROM territory_link WHERE relation = 'qp2015_qpv2024'
                                                   GROUP BY 1 HAVING count(*) > 1)""").fetchone()[0]
    return list(dict.fromkeys(codes + ["QN03107M", "QP031007", "QP034004", "QN00612M", several, shared]))


def test_the_sample_covers_what_the_bulk_path_must_get_right(con, sample):
    """2024 approximations of every method and hidden values are in the sample (a test that cannot fail is a
    defect: the comparisons below would pass on an empty sample)."""
    methods = {r[0] for r in con.execute("SELECT DISTINCT approx_method FROM approx_value WHERE list_contains(?, "
                                         "territory_code)", [sample]).fetchall()}
    assert {"predecessor", "predecessors_sum", "predecessors_weighted", "predecessors_not_additive",
            "predecessor_shared"} <= methods
    statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM quartier_position WHERE list_contains(?, "
                                          "territory_code)", [sample]).fetchall()}
    assert {"ok", "secret", "non_transposable"} <= statuses


def test_positions_are_those_of_each_quartier_alone(con, sample):
    from indicators import catalog, gaps, position, references

    ids = catalog.ids(con)
    compared = 0
    for code in sample:
        t = references.territory(con, code)
        eds = gaps.quartier_editions(con, t, ids)
        bulk = position.positions(con, t, eds)
        pairs = [(i, e) for i, e in eds.items() if e is not None]
        dep, reg = t["departement"], t["region"]
        cur = con.execute(SINGLE_POSITION, [[i for i, _ in pairs], [e for _, e in pairs], code, t["generation"]]
                          + [dep] * 4 + [reg] * 4)
        cols = [d[0] for d in cur.description]
        single = {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}
        for i, e in pairs:
            b, s = bulk[i], single.get(i)
            if s is None:
                assert b["status"] == "non_disponible" and b["rank"] is None, (code, i)
                continue
            assert b["status"] == s["status"], (code, i)
            if b["status"] not in ("ok", "bruite") or s["value"] is None:
                assert b["value"] is None and b["rank"] is None and b["percentile"] is None, (code, i)
                continue
            assert b["value"] == s["value"], (code, i)
            for scope, suffix in (("national", "nat"), ("departement", "dep"), ("region", "reg")):
                assert (b[scope]["rank"], b[scope]["n"], b[scope]["percentile"]) == (
                    s[f"rank_{suffix}"], s[f"n_{suffix}"], s[f"pct_{suffix}"]), (code, i, scope)
            compared += 1
    assert compared > 1000


def test_approximations_are_those_of_each_quartier_alone(con, sample):
    from loaders import derived

    cols = ", ".join(derived.APPROX_COLUMNS)
    for code in [c for c in sample if c.startswith("QN")]:
        table = con.execute(f"SELECT {cols} FROM approx_value WHERE territory_code = ? ORDER BY ALL", [code]).fetchall()
        alone = con.execute(f"SELECT {cols} FROM ({derived.approx_sql(for_codes=True)}) ORDER BY ALL",
                            [[code]]).fetchall()
        assert table == alone, code


def test_views_read_the_warehouse_rows_secret_hidden(con, sample):
    """The fiche's values (through the memoised reads) are the warehouse's rows at the fiche's millésime: the
    quartier's own row, else its approximation (« ≈ »); a hidden status never carries a number."""
    from indicators import fiche

    for code in sample:
        f = fiche.fiche(con, code, n_twins=0)
        own = {(i, e): (v, s) for i, e, v, s in con.execute(
            "SELECT indicator_id, edition, value, status FROM indicator_value WHERE territory_code = ?", [code]).fetchall()}
        approx = {(i, e): (v, s) for i, e, v, s in con.execute(
            "SELECT indicator_id, edition, value, status FROM approx_value WHERE territory_code = ?", [code]).fetchall()}
        for x in f["indicators"]:
            if x["edition"] is None:
                continue
            key = (x["indicator_id"], x["edition"])
            value, status = own.get(key) or approx.get(key) or (None, "non_disponible")
            assert x["status"] == status, (code, key)
            assert x["value"] == (value if status in ("ok", "bruite") else None), (code, key)
            assert bool(x["approximation"]) == (key not in own and key in approx), (code, key)
