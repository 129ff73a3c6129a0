"""Evolution of a quartier's value and of its gap to a reference over editions.

INSEE warns against measuring evolutions between two consecutive millésimes at infra-communal level
(sampling noise of the census, changed sources). So by default a quartier's comparison uses the latest
edition and the most recent edition at least MIN_YEARS earlier (`comparable` says whether they are). The verdict on
the gap is 'rattrapage' (the quartier's disadvantage shrinks by more than the catalogue tolerance),
'décrochage' (it grows by more than the tolerance) or 'stable', taking the indicator's polarity into
account; for neutral indicators the verdict is about convergence (|gap| shrinking) instead. Numbers, codes and
years only: presentation/ words them.
"""
from __future__ import annotations

from indicators import catalog, references
from indicators import gaps as gaps_mod
from observatoire import vocabulary

MIN_YEARS = 2


def is_comparable(from_edition: int, to_edition: int, level: str = "qpv", min_years: int = MIN_YEARS) -> bool:
    """False for editions fewer than `min_years` apart at infra-communal level (INSEE's warning)."""
    if level != "qpv":
        return from_edition != to_edition
    return abs(int(to_edition) - int(from_edition)) >= min_years


def pick_comparison(editions, to_edition: int | None = None, min_years: int = MIN_YEARS) -> tuple[int, int] | None:
    """(from, to): `to` = latest (or given) edition, `from` = most recent edition at least min_years earlier."""
    eds = sorted(int(e) for e in editions)
    if to_edition is not None:
        eds = [e for e in eds if e <= int(to_edition)]
    if not eds:
        return None
    to = eds[-1]
    earlier = [e for e in eds if to - e >= min_years]
    return (earlier[-1], to) if earlier else None


def value_trend(v_from, v_to, gap_kind: str, polarity: str, tol: float) -> str | None:
    """'amelioration' / 'degradation' / 'stable' for the value itself ('evolution' when neutral).

    Rates (gap_kind 'points'): change in points against the tolerance; amounts and counts: relative change.
    """
    if v_from is None or v_to is None:
        return None
    change = (v_to - v_from) if gap_kind == "points" else ((v_to / v_from - 1.0) if v_from else None)
    if change is None:
        return None
    if abs(change) <= tol:
        return "stable"
    if polarity not in ("higher_worse", "higher_better"):
        return "hausse" if change > 0 else "baisse"
    better = change < 0 if polarity == "higher_worse" else change > 0
    return "amelioration" if better else "degradation"


def gap_verdict(gap_from, gap_to, gap_kind: str, polarity: str, tol: float) -> str | None:
    """'rattrapage' / 'decrochage' / 'stable' from the change of the quartier's disadvantage."""
    if gap_from is None or gap_to is None:
        return None
    if polarity in ("higher_worse", "higher_better"):
        d0 = gaps_mod.disadvantage(gap_from, gap_kind, polarity)
        d1 = gaps_mod.disadvantage(gap_to, gap_kind, polarity)
    else:  # neutral: convergence towards the reference
        base = 0.0 if gap_kind == "points" else 1.0
        d0, d1 = abs(gap_from - base), abs(gap_to - base)
    delta = d1 - d0
    if abs(delta) <= tol:
        return "stable"
    return "decrochage" if delta > 0 else "rattrapage"


def _series(con, code: str, indicator_id: str, ref_code: str | None, editions, vals=None) -> list[dict]:
    """[{edition, value, status, ref_value, ref_status, gap}] for the given editions (vals: preloaded values)."""
    if vals is None:
        vals = gaps_mod.values(con, [code] + ([ref_code] if ref_code else []), [(indicator_id, e) for e in editions])
    kind = catalog.indicator(con, indicator_id)["gap_kind"]
    out = []
    for e in editions:
        mine = vals.get((code, indicator_id, e), (None, "non_disponible"))
        v, s = mine[:2]
        rv, rs = (vals.get((ref_code, indicator_id, e), (None, "non_disponible"))[:2] if ref_code
                  else (None, "non_disponible"))
        out.append({"edition": e, "value": v, "status": s, "ref_value": rv, "ref_status": rs,
                    "gap": gaps_mod.gap_value(v, rv, kind), "approx_method": _approx_method(mine)})
    return out


def _approx_method(entry: tuple) -> str | None:
    """How a value of gaps.values was approximated (2024 quartier through its 2015 predecessors), else None."""
    return entry[4]["approx_method"] if len(entry) > 4 and entry[4] else None


def _choose_reference(refs, vals, indicator_id, wanted: list[int], reference) -> dict | None:
    """The requested level/code, else the first reference level (vocabulary order) published at every `wanted` edition
    (or, failing that, at two editions at least)."""
    if reference is not None:
        return next((r for r in refs if reference in (r["level"], r["code"])), None)

    def n_pub(r, eds):
        return sum(1 for e in eds if vals.get((r["code"], indicator_id, e), (None,))[0] is not None)

    ordered = [r for level in vocabulary.reference_levels() for r in refs if r["level"] == level]
    return (next((r for r in ordered if wanted and n_pub(r, wanted) == len(wanted)), None)
            or next((r for r in ordered if n_pub(r, sorted({e for (_, _, e) in vals})) >= 2), None))


def _comparison(meta: dict, tol: float, a: dict, b: dict, ref: dict | None, comparable: bool, ok: bool) -> dict:
    kind, pol = meta["gap_kind"], meta["polarity"]
    change = b["value"] - a["value"] if a["value"] is not None and b["value"] is not None else None
    return {
        "indicator_id": meta["indicator_id"], "from_edition": a["edition"], "to_edition": b["edition"],
        "years": abs(b["edition"] - a["edition"]), "comparable": comparable,
        "value_from": a["value"], "value_to": b["value"], "status_from": a["status"], "status_to": b["status"],
        "value_change": change,
        "value_trend": value_trend(a["value"], b["value"], kind, pol, tol) if ok else None,
        "reference_level": ref["level"] if ref else None, "reference_code": ref["code"] if ref else None,
        "reference_name": ref["name"] if ref else None,
        "ref_from": a["ref_value"], "ref_to": b["ref_value"], "gap_from": a["gap"], "gap_to": b["gap"],
        "gap_kind": kind, "tolerance": tol,
        "verdict": gap_verdict(a["gap"], b["gap"], kind, pol, tol) if ok else None,
    }


def compare(con, code, indicator_id: str, from_edition: int, to_edition: int,
            reference: str | None = None, min_years: int = MIN_YEARS, allow_consecutive: bool = False) -> dict:
    """Compare two given editions of one quartier indicator (value trend, gap verdict, tolerance).

    Consecutive editions at quartier level come back with comparable=False and no trend nor verdict unless
    allow_consecutive=True."""
    return evolution(con, code, indicator_id, reference, from_edition, to_edition, min_years,
                     allow_consecutive)["comparison"]


def evolution(con, code, indicator_id: str, reference: str | None = None,
              from_edition: int | None = None, to_edition: int | None = None,
              min_years: int = MIN_YEARS, allow_consecutive: bool = False) -> dict:
    """Series of value and gap over all editions plus the default (non-consecutive) comparison.

    `code` is a code or the territory dict already resolved by the caller. `reference` is a level ('epci',
    'ensemble_qpv'…) or a territory code; None picks the first reference level (vocabulary order) published at
    both compared editions. Returns {series, comparison, long_comparison, reference_*}; `comparison` is None
    when no pair of editions is far enough apart.
    """
    t = references.territory(con, code)
    meta = catalog.indicator(con, indicator_id)
    tol = catalog.tolerance(con, indicator_id)
    gen = t.get("generation") if t["level"] == "qpv" else None
    eds = catalog.editions(con, indicator_id, gen, level=t["level"])
    if from_edition is not None and to_edition is not None:
        eds = sorted(set(eds) | {int(from_edition), int(to_edition)})
    refs = [r for r in references.reference_territories(con, t) if r["code"]] if t["level"] == "qpv" else []
    vals = gaps_mod.values(con, [t["code"]] + [r["code"] for r in refs], [(indicator_id, e) for e in eds])
    mine = [e for e in eds if vals.get((t["code"], indicator_id, e), (None,))[0] is not None]
    if from_edition is not None and to_edition is not None:
        pair = (int(from_edition), int(to_edition))
    else:
        pair = pick_comparison(mine, to_edition, min_years if t["level"] == "qpv" else 1)
    ref = _choose_reference(refs, vals, indicator_id, list(pair) if pair else [], reference)
    series = _series(con, t["code"], indicator_id, ref["code"] if ref else None, eds, vals)
    by_ed = {p["edition"]: p for p in series}
    comp = long_comp = None
    if pair:
        comparable = is_comparable(pair[0], pair[1], t["level"], min_years)
        comp = _comparison(meta, tol, by_ed[pair[0]], by_ed[pair[1]], ref, comparable, comparable or allow_consecutive)
        if mine and mine[0] < min(pair) and from_edition is None:
            long_comp = _comparison(meta, tol, by_ed[mine[0]], by_ed[pair[1]], ref, True, True)
    return {
        "indicator_id": indicator_id, "code": t["code"], "editions": eds, "series": series,
        "reference_level": ref["level"] if ref else None, "reference_code": ref["code"] if ref else None,
        "reference_name": ref["name"] if ref else None,
        "comparison": comp, "long_comparison": long_comp, "min_years": min_years,
    }


def series(con, code, indicator_id: str, levels=None) -> dict:
    """Long table for charts: {series: [{edition, level, code, name, value, status, approx_method}] for the
    quartier ('qpv') and each reference level of `levels` (default: the vocabulary's place `evolution`),
    comparison (indicators.evolution), reference_*}. `code` is a code or a resolved territory dict."""
    t = references.territory(con, code)
    levels = vocabulary.levels_in("evolution") if levels is None else list(levels)
    gen = t.get("generation") if t["level"] == "qpv" else None
    eds = catalog.editions(con, indicator_id, gen, level=t["level"])
    refs = [r for r in references.reference_territories(con, t)
            if r["code"] and r["level"] in levels] if t["level"] == "qpv" else []
    vals = gaps_mod.values(con, [t["code"]] + [r["code"] for r in refs], [(indicator_id, e) for e in eds])
    rows = []
    for who in [{"level": "qpv", "code": t["code"], "name": t["name"]}] + refs:
        for e in eds:
            entry = vals.get((who["code"], indicator_id, e), (None, "non_disponible"))
            v, s = entry[:2]
            if who["level"] != "qpv" and (who["code"], indicator_id, e) not in vals:
                continue
            rows.append({"edition": e, "level": who["level"], "code": who["code"], "name": who["name"],
                         "value": v, "status": s, "approx_method": _approx_method(entry)})
    ev = evolution(con, t, indicator_id)
    return {"indicator_id": indicator_id, "code": t["code"], "series": rows, "comparison": ev["comparison"],
            "reference_level": ev["reference_level"], "reference_name": ev["reference_name"],
            "gaps": [{"edition": p["edition"], "gap": p["gap"]} for p in ev["series"]]}
