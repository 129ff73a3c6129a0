"""Position of a quartier among the quartiers of the same generation and edition.

Definitions (docs/INDICATEURS-LIBRARY.md): only published values (status ok/bruite) are ranked.
`rank` 1 = the highest value (competition ranking: ties share the best rank; SQL `rank()`),
`percentile` = share of quartiers whose value is lower than or equal to the quartier's, in % (SQL
`cume_dist()`), so the highest value has percentile 100. Computed nationally, within the département and
within the région. Whether high is good is the indicator's polarity, returned alongside.

A quartier's positions (`positions()`, `position()`) are one read of the warehouse table `quartier_position`,
computed for every quartier once per build by loaders/derived.py with these definitions (percentile written
`100.0 * count(values <= v) / count(values)`); `distribution()` ranks one indicator edition for the
comparison page and the map.
"""
from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from indicators import cache, catalog, predecessors, references, secret
from observatoire import vocabulary

# {vals}: indicators.predecessors.values_relation(generation) over the CTE p — for 2024 quartiers, the values
# taken from their 2015 predecessors (approximations, ranked among 2024 quartiers like any value).
_RANKED = """
    WITH p AS (SELECT unnest(?) AS indicator_id, unnest(?) AS edition),
    q AS (
        SELECT v.indicator_id, v.edition, t.code, t.name, t.departement, t.region, v.value, v.status,
               v.approx_method, v.predecessors
        FROM {vals} v JOIN territory t ON t.code = v.territory_code
        WHERE t.level = 'qpv' AND t.generation = ?
    ), shown AS (
        SELECT * FROM q WHERE status IN ('ok', 'bruite') AND value IS NOT NULL
    )
    SELECT q.indicator_id, q.edition, q.code, q.name, q.departement, q.region, q.value, q.status, q.approx_method,
        q.predecessors,
        r.rank_nat, r.n_nat, r.pct_nat, r.rank_dep, r.n_dep, r.pct_dep, r.rank_reg, r.n_reg, r.pct_reg
    FROM q LEFT JOIN (
        SELECT indicator_id, code,
            rank() OVER w_nat AS rank_nat, count(*) OVER (PARTITION BY indicator_id) AS n_nat,
            100 * cume_dist() OVER (PARTITION BY indicator_id ORDER BY value) AS pct_nat,
            rank() OVER (PARTITION BY indicator_id, departement ORDER BY value DESC) AS rank_dep,
            count(*) OVER (PARTITION BY indicator_id, departement) AS n_dep,
            100 * cume_dist() OVER (PARTITION BY indicator_id, departement ORDER BY value) AS pct_dep,
            rank() OVER (PARTITION BY indicator_id, region ORDER BY value DESC) AS rank_reg,
            count(*) OVER (PARTITION BY indicator_id, region) AS n_reg,
            100 * cume_dist() OVER (PARTITION BY indicator_id, region ORDER BY value) AS pct_reg
        FROM shown WINDOW w_nat AS (PARTITION BY indicator_id ORDER BY value DESC)
    ) r USING (indicator_id, code)
"""


def _ranked(con, pairs: list[tuple[str, int]], generation: str) -> pd.DataFrame:
    """Every quartier of the generation for the pairs, with ranks (approx_method set for approximations)."""
    sql = (_RANKED.format(vals=predecessors.values_relation(generation))
           + " ORDER BY q.indicator_id, r.rank_nat NULLS LAST, q.code")
    return con.execute(sql, [[p[0] for p in pairs], [int(p[1]) for p in pairs], str(generation)]).df()


def _num(v, integer=False):
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    return int(v) if integer else float(v)


def _scope(row, suffix: str) -> dict:
    return {"rank": _num(row[f"rank_{suffix}"], True), "n": _num(row[f"n_{suffix}"], True),
            "percentile": _num(row[f"pct_{suffix}"])}


_POSITION_COLUMNS = ("indicator_id", "edition", "value", "status", "rank_nat", "n_nat", "pct_nat", "rank_dep",
                     "n_dep", "pct_dep", "rank_reg", "n_reg", "pct_reg")


MEMO_QUARTIERS = 64    # quartiers whose position rows are kept per warehouse build (a page asks several times)


def _rows(con, t: dict) -> list[tuple]:
    """The quartier's rows of `quartier_position` (every indicator and edition), memoised per build (LRU)."""
    memo = cache.memo(con).setdefault(("positions",), OrderedDict())
    code = t["code"]
    if code not in memo:
        memo[code] = con.execute(f"SELECT {', '.join(_POSITION_COLUMNS)} FROM quartier_position "
                                 "WHERE territory_code = ? AND generation = ?",
                                 [code, str(t.get("generation") or "2015")]).fetchall()
        while len(memo) > MEMO_QUARTIERS:
            memo.popitem(last=False)
    memo.move_to_end(code)
    return memo[code]


def positions(con, code: str, indicator_editions: dict[str, int | None]) -> dict[str, dict]:
    """position() for many indicators of one quartier in one indexed read of the table `quartier_position`
    (computed once per build by loaders/derived.py): {indicator_id: position dict}.

    Same definitions as the window functions of distribution(): rank = 1 + number of higher values,
    percentile = 100 x share of values <= the quartier's."""
    t = references.territory(con, code)
    pairs = {(i, int(e)) for i, e in indicator_editions.items() if e is not None}
    by_id = {}
    if pairs and t["level"] == "qpv":
        by_id = {r[0]: dict(zip(_POSITION_COLUMNS, r)) for r in _rows(con, t) if (r[0], r[1]) in pairs}
    out = {}
    empty = {"rank": None, "n": None, "percentile": None}
    for i, e in indicator_editions.items():
        meta = catalog.indicator(con, i)
        r = by_id.get(i)
        status = r["status"] if r else "non_disponible"
        shown = r is not None and status in vocabulary.shown_statuses() and r["value"] is not None
        out[i] = {
            "indicator_id": i, "edition": e, "generation": t.get("generation"), "polarity": meta["polarity"],
            "value": secret.visible(_num(r["value"]), status) if r else None, "status": status,
            "national": _scope(r, "nat") if shown else dict(empty),
            "departement": dict(_scope(r, "dep") if shown else empty, code=t.get("departement")),
            "region": dict(_scope(r, "reg") if shown else empty, code=t.get("region")),
        }
        for k in ("rank", "n", "percentile"):
            out[i][k] = out[i]["national"][k]
    return out


def position(con, code: str, indicator_id: str, edition: int | None = None) -> dict:
    """Rank (1 = highest value), n and percentile (% of quartiers <= value): national, département, région.

    `edition` None = the latest edition of the indicator for the quartier's generation.
    """
    t = references.territory(con, code)
    e = catalog.resolve_edition(con, indicator_id, edition, t.get("generation")) if edition is None else int(edition)
    return positions(con, t["code"], {indicator_id: e})[indicator_id]


def distribution(con, indicator_id: str, edition: int | None = None, generation: str = "2015") -> pd.DataFrame:
    """Every quartier of the generation for one indicator edition: value (None unless published), status,
    rank, percentile (national, département, région) — for the comparison page, the map and exports. For the
    2024 generation the values are those of the 2015 predecessors (`approx_method`, `predecessors`: see
    indicators.predecessors), ranked among 2024 quartiers."""
    catalog.indicator(con, indicator_id)
    e = catalog.resolve_edition(con, indicator_id, edition, generation) if edition is None else int(edition)
    if e is None:
        return pd.DataFrame(columns=["code", "name", "departement", "region", "edition", "value", "status",
                                     "approx_method", "predecessors", "rank", "n", "percentile"])
    df = _ranked(con, [(indicator_id, e)], generation)
    df["value"] = [secret.visible(v, s) for v, s in zip(df["value"], df["status"])]
    df = df.rename(columns={"rank_nat": "rank", "n_nat": "n", "pct_nat": "percentile"})
    return df.drop(columns=["indicator_id"]).reset_index(drop=True)
