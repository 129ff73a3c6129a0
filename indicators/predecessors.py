"""2024 quartiers' indicators through their 2015 predecessor(s) — an approximation, always flagged.

INSEE publishes no indicator in the 2024 geography yet. A 2024 quartier linked by the crosswalk
(territory_link relation `qp2015_qpv2024`, loaders/crosswalk.py) to 2015 quartier(s) takes their values,
edition by edition, under these rules (`approx_method`, vocabulary `approximations`):

- one predecessor (`predecessor`): its value and status, as published — except a count (catalogue
  `aggregation: sum`) when that 2015 quartier is split between several 2024 quartiers
  (`predecessor_shared`): its whole population cannot be given to each part, status `non_transposable`;
- several predecessors: `sum` indicators are summed when every predecessor is published and none is
  shared (`predecessors_sum`); `weighted:<denominator>` indicators are the mean weighted by the
  denominator published for each predecessor at the same edition (`predecessors_weighted`); `none`
  indicators (medians, deciles, indices, rates without a published denominator) get no value
  (`predecessors_not_additive`, status `non_transposable`): the predecessors' own values are listed
  instead, never averaged. A predecessor without a published value leaves the result unknown (`secret`
  if one of them is secret, else `non_disponible`); all predecessors `absent` give `absent`.

A 2024 quartier's own official value (indicator_value: an INSEE file of the 2024 geography, once published)
always wins over the approximation; users' imported figures stay apart, shown beside (indicators.provenance).
Values are computed once per build, and again by every import (a contours import that rebuilds the crosswalk
is followed at once), into the table `approx_value` (loaders/derived.py holds the SQL of these rules).
`derived_sql()` reads it into the ranking and twin queries (twins, map distribution; positions are the table
`quartier_position`); `values()` serves the fiche, gaps and evolutions of given quartiers.
"""
from __future__ import annotations

from indicators import cache, catalog
from loaders import derived

RELATION = derived.RELATION
GENERATION = "2024"
NOT_TRANSPOSABLE = "non_transposable"

_LINKS = derived.LINKS_SQL

COLUMNS = ("territory_code", "indicator_id", "edition", "value", "status", "source_file", "source_variable",
           "ref_year", "approx_method", "predecessors")


def derived_sql() -> str:
    """SQL relation (in parentheses) of the values 2024 quartiers take from their predecessors, columns COLUMNS,
    for the (indicator_id, edition) pairs of a CTE `p` that the enclosing query defines: the warehouse's table
    `approx_value`, computed once per build by loaders/derived.py (APPROX_SQL)."""
    cols = ", ".join(f"a.{c}" for c in COLUMNS)
    return f"(SELECT {cols} FROM approx_value a JOIN p USING (indicator_id, edition))"


def values_relation(generation: str | None) -> str:
    """SQL relation of the quartier values to rank for a generation, over a CTE `p` (indicator_id, edition):
    indicator_value for 2015 (and anything else); for 2024, the quartiers' own values plus the
    approximations. Columns territory_code, indicator_id, edition, value, status, approx_method, predecessors."""
    own = ("(SELECT territory_code, indicator_id, edition, value, status, NULL::VARCHAR AS approx_method, "
           "NULL::VARCHAR[] AS predecessors FROM indicator_value JOIN p USING (indicator_id, edition))")
    if str(generation) != GENERATION:
        return own
    return (f"(SELECT * FROM {own} UNION ALL SELECT territory_code, indicator_id, edition, value, status, "
            f"approx_method, predecessors FROM {derived_sql()})")


def is_2024_code(code: str) -> bool:
    return isinstance(code, str) and code.startswith("QN")


MEMO_QUARTIERS = 64   # approximated values kept per warehouse build: the most recently asked quartiers


def has_own_values(con, code: str) -> bool:
    """Whether the warehouse holds at least one official value published for `code` itself (a 2024 quartier
    without any is shown through its 2015 predecessors)."""
    memo = cache.memo(con)
    if "with_own_values" not in memo:     # every territory's answer, read once per warehouse build
        memo["with_own_values"] = {r[0] for r in con.execute(
            "SELECT DISTINCT territory_code FROM indicator_value WHERE status IN ('ok', 'bruite')").fetchall()}
    return code in memo["with_own_values"]


def _rows_of(con, codes: list[str]) -> dict[str, dict]:
    """{code: {(indicator_id, edition): row}} for 2024 quartiers, memoised per build (LRU of MEMO_QUARTIERS)."""
    return cache.by_territory(con, "predecessor_values", codes,
                              f"SELECT {', '.join(COLUMNS)} FROM approx_value WHERE {{where}}", _approx_row,
                              MEMO_QUARTIERS)


def _approx_row(r) -> tuple:
    d = dict(zip(COLUMNS, r))
    d["edition"] = int(d["edition"])
    d["predecessors"] = list(d["predecessors"] or [])
    return d["territory_code"], (d["indicator_id"], d["edition"]), d


def values(con, codes, pairs=None) -> dict[tuple[str, str, int], dict]:
    """{(code, indicator_id, edition): row} of the approximated values of the given 2024 quartiers (other
    codes are ignored), restricted to `pairs` [(indicator_id, edition)] when given. Each row has the
    COLUMNS, `predecessors` as a list. Rows are shared with the memo: callers copy before changing them."""
    codes = sorted({c for c in codes if is_2024_code(c)})
    if not codes:
        return {}
    wanted = None if pairs is None else {(i, int(e)) for i, e in pairs}
    out = {}
    for code, rows in _rows_of(con, codes).items():
        for key, d in rows.items():
            if wanted is None or key in wanted:
                out[(code, key[0], key[1])] = d
    return out


def links(con, code: str) -> list[dict]:
    """The 2015 predecessors of a 2024 quartier: [{code, name, method, confidence, n_successors, successors}]
    (method: vocabulary `crosswalk_methods`; successors: every 2024 quartier the predecessor is linked to),
    strongest link first."""
    return [dict(x) for x in _all_links(con).get(code, [])]


def _all_links(con) -> dict[str, list[dict]]:
    """{2024 code: predecessors} of the whole crosswalk, memoised per warehouse build."""
    memo = cache.memo(con)
    key = ("predecessor_links",)
    if key not in memo:
        rows = con.execute(f"""
            SELECT l.code_2024, l.code_2015, t.name, l.method, l.confidence, l.n_succ,
                   (SELECT list(x.parent_code ORDER BY x.parent_code) FROM territory_link x
                    WHERE x.relation = '{RELATION}' AND x.child_code = l.code_2015) AS successors
            FROM ({_LINKS}) l LEFT JOIN territory t ON t.code = l.code_2015
            ORDER BY l.code_2024, l.confidence DESC NULLS LAST, l.code_2015""").fetchall()
        by = {}
        for c24, c15, name, method, conf, n_succ, succ in rows:
            by.setdefault(c24, []).append({
                "code": c15, "name": name, "method": method,
                "confidence": None if conf is None else float(conf), "n_successors": int(n_succ),
                "successors": list(succ or [])})
        memo[key] = by
    return memo[key]


def all_links(con) -> dict[str, list[dict]]:
    """{2024 code: its 2015 predecessors (links())} for every 2024 quartier that has some (map hovers, tables)."""
    return {c: [dict(p) for p in preds] for c, preds in _all_links(con).items()}


def block(con, code: str, row: dict | None, predecessor_values: dict | None = None) -> dict | None:
    """The `approximation` block of one approximated value (None for a quartier's own value):
    {kind: 'predecessor', method (vocabulary `approximations`), via: [{code, name, method, confidence, value,
    status, successors}]}. `predecessor_values` = values of the predecessors at the same key (gaps.values)."""
    if not row or not row.get("approx_method"):
        return None
    i, e = row["indicator_id"], int(row["edition"])
    used = set(row.get("predecessors") or [])
    preds = [p for p in links(con, code) if p["code"] in used] or links(con, code)
    via = []
    for p in preds:
        v, s = (predecessor_values or {}).get((p["code"], i, e), (None, "non_disponible"))[:2]
        via.append(dict(p, value=v, status=s))
    return {"kind": "predecessor", "method": row["approx_method"], "indicator_id": i, "edition": e, "via": via,
            "weight_id": _weight_id(con, i) if row["approx_method"] == "predecessors_weighted" else None}


def _weight_id(con, indicator_id: str) -> str | None:
    agg = str(catalog.indicator(con, indicator_id).get("aggregation") or "")
    return agg.split(":", 1)[1] if agg.startswith("weighted:") else None


def territory_note(con, code: str) -> dict | None:
    """For a 2024 quartier: {predecessors: [...]} — which 2015 fiche(s) its values come from (none: [])."""
    if not is_2024_code(code):
        return None
    return {"predecessors": links(con, code)}
