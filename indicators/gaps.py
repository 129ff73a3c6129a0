"""Gaps between a quartier and each of its reference territories.

Rates and shares (gap_kind 'points'): quartier minus reference, in points. Amounts (gap_kind 'ratio'):
quartier divided by reference. The reference value is always taken at the *same edition key* as the
quartier's value: for Filosofi income that key is the income year, so a quartier's 2019 median is compared
with the FILO2019 EPCI/département/région/France values, never with another year's. A reference level
without a value at that edition gets status 'non_disponible' and no gap; when it has a value at another
edition at most `max_years_apart` years away (the communes' Filosofi 2021 against a quartier's 2019), that
value comes in `other_year` with its edition — shown with its year, never turned into a same-year gap; the
closest value further away comes only in `other_year_far` (to say why none is used). That distance is
THE year rule of every reference level (catalogue/vocabulary.yaml `comparison_rules`), so the fiche, the
baromètre and every export apply the same one. `barometre_reference()` says when the baromètre may still
compare with a reference of another year (docs/INDICATEURS-LIBRARY.md).

A 2024 quartier's value comes from its 2015 predecessor(s) when it has none of its own
(indicators.predecessors): `approx` carries how; references stay the 2024 quartier's own.
"""
from __future__ import annotations

import pandas as pd

from indicators import cache, catalog, predecessors, references, secret
from observatoire import vocabulary

COLUMNS = [
    "indicator_id", "label", "unit", "gap_kind", "polarity", "edition", "value", "status",
    "level", "ref_code", "ref_name", "ref_value", "ref_edition", "ref_status", "gap", "link_status",
    "approx", "other_year", "other_year_far",
]


def max_years_apart() -> int:
    """THE year-distance rule of every reference level (vocabulary `comparison_rules.reference_year`)."""
    return int(vocabulary.rule("reference_year", "max_years_apart"))


def gap_value(value, ref_value, gap_kind: str):
    """Points difference (value - ref) or ratio (value / ref); None when either side is missing or kind 'none'."""
    if value is None or ref_value is None or gap_kind not in ("points", "ratio"):
        return None
    if gap_kind == "points":
        return float(value) - float(ref_value)
    if float(ref_value) == 0:
        return None
    return float(value) / float(ref_value)


MEMO_TERRITORIES = 256   # territories whose values are kept per warehouse build (quartiers and their references)


def territory_values(con, codes) -> dict[str, dict[tuple[str, int], tuple]]:
    """{code: {(indicator_id, edition): (value, status, source_file, source_variable)}} of indicator_value, every
    indicator and edition of the given territories: one read for the codes not yet memoised (an LRU of
    MEMO_TERRITORIES per warehouse build: a département's, France's and the Ensemble des QPV's values are read
    once for every quartier). indicator_value is sorted by territory: the read is short. Values are as stored
    (secret.visible is the caller's); rows are shared with the memo: never change them."""
    codes = list(dict.fromkeys(c for c in codes if c))
    return cache.by_territory(
        con, "territory_values", codes,
        "SELECT territory_code, indicator_id, edition, value, status, source_file, source_variable "
        "FROM indicator_value WHERE {where}",
        lambda r: (r[0], (r[1], int(r[2])), (r[3], r[4], r[5], r[6])), MEMO_TERRITORIES)


def values(con, codes: list[str], pairs: list[tuple[str, int]]) -> dict[tuple[str, str, int], tuple]:
    """{(code, indicator_id, edition): (visible value, status, source_file, source_variable, approx)} for given
    pairs. `approx` is None for a territory's own value; for a 2024 quartier without one, the value comes
    from its 2015 predecessor(s) and `approx` is the row of indicators.predecessors (approx_method,
    predecessors)."""
    if not codes or not pairs:
        return {}
    wanted = {(i, int(e)) for i, e in pairs}
    out = {}
    for c, rows in territory_values(con, codes).items():
        for key in wanted:
            r = rows.get(key)
            if r is not None:
                out[(c, key[0], key[1])] = (secret.visible(r[0], r[1]), r[1], r[2], r[3], None)
    for key, d in predecessors.values(con, codes, pairs).items():
        out.setdefault(key, (secret.visible(d["value"], d["status"]), d["status"], d["source_file"],
                             d["source_variable"], d))
    return out


def quartier_editions(con, code, indicator_ids, edition=None) -> dict[str, int | None]:
    """Edition to use per indicator for this quartier's generation (latest not after `edition`).

    The 2024 generation's editions are its quartiers' 2015 predecessors': a 2024 quartier without any
    predecessor only has the editions of its own official values, none so far."""
    t = references.territory(con, code)
    gen = t.get("generation") if t["level"] == "qpv" else None
    if gen == predecessors.GENERATION and not predecessors.links(con, t["code"]):
        own = {}
        for i, e in con.execute("SELECT indicator_id, edition FROM indicator_value WHERE territory_code = ? "
                                "AND (? IS NULL OR edition <= ?)", [t["code"], edition, edition]).fetchall():
            own[i] = max(own.get(i, e), e)
        return {i: own.get(i) for i in indicator_ids}
    return {i: catalog.resolve_edition(con, i, edition, gen) for i in indicator_ids}


def gaps(con, code, edition: int | None = None, indicator_ids=None, levels=None) -> pd.DataFrame:
    """One row per indicator x reference territory: quartier value, reference value/edition/status and gap."""
    return pd.DataFrame(gap_rows(con, code, edition, indicator_ids, levels), columns=COLUMNS)


def gap_rows(con, code, edition: int | None = None, indicator_ids=None, levels=None) -> list[dict]:
    """gaps() as a list of dicts (None, not NaN, for missing numbers): what fiche and barometre use. `code` is
    a code or the territory dict already resolved by the caller."""
    t = references.territory(con, code)
    code = t["code"]
    ids = catalog.known(con, indicator_ids) if indicator_ids else catalog.ids(con)
    eds = quartier_editions(con, t, ids, edition)
    refs = [r for r in references.reference_territories(con, t) if levels is None or r["level"] in levels]
    pairs = [(i, e) for i, e in eds.items() if e is not None]
    ref_codes = [r["code"] for r in refs if r["code"]]
    vals = values(con, [code] + ref_codes, pairs)
    others = other_editions(con, ref_codes, [i for i, _ in pairs])
    rows = []
    for i in ids:
        meta = catalog.indicator(con, i)
        e = eds[i]
        v, s, approx = (None, "non_disponible", None)
        if e is not None and (code, i, e) in vals:
            v, s, _f, _var, approx = vals[(code, i, e)]
        for r in refs:
            rv, rs = None, "non_disponible"
            if r["code"] and e is not None and (r["code"], i, e) in vals:
                rv, rs = vals[(r["code"], i, e)][:2]
            other = far = None
            if r["code"] and e is not None and rv is None:
                other = closest_other(others.get((r["code"], i)), e)
                if other is not None and abs(other["years_apart"]) > max_years_apart():
                    other, far = None, other
            rows.append({
                "indicator_id": i, "label": meta["label"], "unit": meta["unit"], "gap_kind": meta["gap_kind"],
                "polarity": meta["polarity"], "edition": e, "value": v, "status": s,
                "level": r["level"], "ref_code": r["code"], "ref_name": r["name"], "ref_value": rv,
                "ref_edition": e if rv is not None else None, "ref_status": rs,
                "gap": gap_value(v, rv, meta["gap_kind"]), "link_status": r.get("link_status", "ok"),
                "approx": approx, "other_year": other, "other_year_far": far,
            })
    return rows


def other_editions(con, codes: list[str], indicator_ids: list[str]) -> dict[tuple[str, str], list[dict]]:
    """{(code, indicator_id): [{edition, value, status, source_file}]} of every published or secret value
    of reference territories (editions in increasing order), to find a reference's value at another year."""
    if not codes or not indicator_ids:
        return {}
    ids = set(indicator_ids)
    kept = ("ok", "bruite", "secret")
    out: dict[tuple[str, str], list[dict]] = {}
    for c, rows in territory_values(con, codes).items():
        for (i, e), (v, s, f, _var) in sorted(rows.items(), key=lambda kv: kv[0][1]):
            if i in ids and s in kept:
                out.setdefault((c, i), []).append({"edition": e, "value": secret.visible(v, s), "status": s,
                                                   "source_file": f})
    return out


def closest_other(candidates: list[dict] | None, edition: int) -> dict | None:
    """The reference's value at the edition closest to `edition` (the later one on a tie), with its year gap."""
    cands = [c for c in candidates or [] if c["edition"] != edition]
    if not cands:
        return None
    best = min(cands, key=lambda c: (abs(c["edition"] - edition), -c["edition"]))
    return dict(best, years_apart=best["edition"] - edition)


def barometre_reference(row: dict, meta: dict, tol: float) -> tuple[dict | None, dict | None]:
    """Which reference the baromètre may compare the quartier with, for one gap row: (row to use, None), or
    (None, why) when it may not — `why` = {reason, level, year, ref_year, status, gap}, reason one of
    'status' (the reference's value is hidden), 'amount' (an amount of another year), 'too_far' (beyond the
    year rule), 'margin' (a gap within twice the tolerance). Rule (docs/INDICATEURS-LIBRARY.md, « Baromètre et
    année différente »; vocabulary `comparison_rules`):

    - a reference of the same edition: always;
    - a reference published for another year only (communes: Filosofi 2021; quartiers: 2019 at most), within
      the year rule of every reference level (max_years_apart): only for a rate or share (gap_kind
      'points' — an amount in euros follows prices and nominal incomes, never compared across years), and
      only when the gap exceeds `tolerance_multiple` times the tolerance, so that a drift of the reference of
      the size of the tolerance between the two years (what EPCI values show: 95 % of 2017→2019 changes of
      income shares are within 1,5 point) could not change the light. The row returned then carries the
      reference's own value and edition (`ref_edition` ≠ `edition`, `cross_year` True)."""
    if row.get("ref_value") is not None:
        return row, None
    if row.get("value") is None:
        return None, None
    other, far = row.get("other_year"), row.get("other_year_far")
    base = {"level": row["level"], "year": row["edition"], "status": None, "gap": None}
    if not other:
        if far:
            return None, dict(base, reason="too_far", ref_year=far["edition"])
        return None, None
    base["ref_year"] = other["edition"]
    if other.get("value") is None:
        return None, dict(base, reason="status", status=other.get("status"))
    if meta.get("gap_kind") != "points":
        return None, dict(base, reason="amount")
    gap = gap_value(row["value"], other["value"], "points")
    d = disadvantage(gap, "points", meta.get("polarity"))
    if d is not None and abs(d) <= float(vocabulary.rule("light_other_year", "tolerance_multiple")) * tol:
        return None, dict(base, reason="margin", gap=gap)
    return dict(row, ref_value=other["value"], ref_edition=other["edition"], ref_status=other["status"], gap=gap,
                cross_year=True), None


def disadvantage(gap, gap_kind: str, polarity: str):
    """Signed distance to the reference where positive means 'worse than the reference' (None if neutral).

    points: (value - ref) for higher_worse, (ref - value) for higher_better; ratio: the same on (ratio - 1).
    """
    if gap is None or polarity not in ("higher_worse", "higher_better"):
        return None
    base = gap if gap_kind == "points" else gap - 1.0
    return base if polarity == "higher_worse" else -base
