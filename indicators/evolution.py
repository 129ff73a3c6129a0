"""Evolution of a quartier's value and of its gap to a reference over editions.

INSEE warns against measuring evolutions between two consecutive millésimes at infra-communal level
(sampling noise of the census, changed sources). So by default a quartier's comparison uses the latest
edition and the most recent edition at least MIN_YEARS earlier, and says so in its label. The verdict on
the gap is 'rattrapage' (the quartier's disadvantage shrinks by more than the catalogue tolerance),
'décrochage' (it grows by more than the tolerance) or 'stable', taking the indicator's polarity into
account; for neutral indicators the verdict is about convergence (|gap| shrinking) instead.
"""
from __future__ import annotations

from indicators import catalog, gaps as gaps_mod, references

MIN_YEARS = 2
REFERENCE_ORDER = ["commune", "epci", "departement", "region", "france", "ensemble_qpv"]
VERDICT_LABELS = {"rattrapage": "rattrapage", "decrochage": "décrochage", "stable": "stable"}


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


def _series(con, code: str, indicator_id: str, ref_code: str | None, editions) -> list[dict]:
    pairs = [(indicator_id, e) for e in editions]
    codes = [code] + ([ref_code] if ref_code else [])
    vals = gaps_mod.values(con, codes, pairs)
    kind = catalog.indicator(con, indicator_id)["gap_kind"]
    out = []
    for e in editions:
        v, s = vals.get((code, indicator_id, e), (None, "non_disponible"))[:2]
        rv, rs = (vals.get((ref_code, indicator_id, e), (None, "non_disponible"))[:2] if ref_code
                  else (None, "non_disponible"))
        out.append({"edition": e, "value": v, "status": s, "ref_value": rv, "ref_status": rs,
                    "gap": gaps_mod.gap_value(v, rv, kind)})
    return out


def _pick_reference(con, code: str, indicator_id: str, reference, editions) -> dict | None:
    refs = references.reference_territories(con, code)
    if reference is not None:
        for r in refs:
            if reference in (r["level"], r["code"]) and r["code"]:
                return r
        return None
    for level in REFERENCE_ORDER:
        for r in refs:
            if r["level"] == level and r["code"]:
                ser = _series(con, code, indicator_id, r["code"], editions)
                if sum(1 for p in ser if p["ref_value"] is not None) >= 2:
                    return r
    return None


def label(from_edition: int, to_edition: int, comparable: bool) -> str:
    """French label of a comparison, e.g. 'Évolution 2019 → 2022 (3 ans, millésimes non consécutifs)'."""
    years = abs(to_edition - from_edition)
    txt = f"Évolution {from_edition} → {to_edition} ({years} an{'s' if years > 1 else ''}"
    if comparable:
        return txt + ", millésimes non consécutifs)"
    return txt + ", millésimes consécutifs : comparaison déconseillée par l'INSEE)"


def compare(con, code: str, indicator_id: str, from_edition: int, to_edition: int,
            reference: str | None = None, min_years: int = MIN_YEARS, allow_consecutive: bool = False) -> dict:
    """Compare two editions of one quartier indicator (value trend and gap verdict), with label and tolerance."""
    t = references.territory(con, code)
    meta = catalog.indicator(con, indicator_id)
    tol = catalog.tolerance(con, indicator_id)
    comparable = is_comparable(from_edition, to_edition, t["level"], min_years)
    ref = _pick_reference(con, t["code"], indicator_id, reference, [from_edition, to_edition])
    ser = _series(con, t["code"], indicator_id, ref["code"] if ref else None, [from_edition, to_edition])
    a, b = ser
    ok = comparable or allow_consecutive
    kind, pol = meta["gap_kind"], meta["polarity"]
    change = None
    if a["value"] is not None and b["value"] is not None:
        change = b["value"] - a["value"]
    return {
        "indicator_id": indicator_id, "from_edition": from_edition, "to_edition": to_edition,
        "years": abs(to_edition - from_edition), "comparable": comparable,
        "label": label(from_edition, to_edition, comparable),
        "value_from": a["value"], "value_to": b["value"], "status_from": a["status"], "status_to": b["status"],
        "value_change": change,
        "value_trend": value_trend(a["value"], b["value"], kind, pol, tol) if ok else None,
        "reference_level": ref["level"] if ref else None, "reference_code": ref["code"] if ref else None,
        "reference_name": ref["name"] if ref else None,
        "ref_from": a["ref_value"], "ref_to": b["ref_value"], "gap_from": a["gap"], "gap_to": b["gap"],
        "gap_kind": kind, "tolerance": tol,
        "verdict": gap_verdict(a["gap"], b["gap"], kind, pol, tol) if ok else None,
    }


def evolution(con, code: str, indicator_id: str, reference: str | None = None,
              from_edition: int | None = None, to_edition: int | None = None,
              min_years: int = MIN_YEARS, allow_consecutive: bool = False) -> dict:
    """Series of value and gap over all editions plus the default (non-consecutive) comparison.

    `reference` is a level ('epci', 'ensemble_qpv'…) or a territory code; None picks the first level of
    REFERENCE_ORDER with values in at least two editions. Returns {series, comparison, long_comparison,
    reference_*}; `comparison` is None when no pair of editions is far enough apart.
    """
    t = references.territory(con, code)
    gen = t.get("generation") if t["level"] == "qpv" else None
    eds = catalog.editions(con, indicator_id, gen, level=t["level"])
    ref = _pick_reference(con, t["code"], indicator_id, reference, eds) if eds else None
    series = _series(con, t["code"], indicator_id, ref["code"] if ref else None, eds)
    visible_eds = [p["edition"] for p in series if p["value"] is not None]
    if from_edition is not None and to_edition is not None:
        pair = (int(from_edition), int(to_edition))
    else:
        pair = pick_comparison(visible_eds, to_edition, min_years if t["level"] == "qpv" else 1)
    comp = compare(con, t["code"], indicator_id, *pair, reference=ref["code"] if ref else None,
                   min_years=min_years, allow_consecutive=allow_consecutive) if pair else None
    long_comp = None
    if comp and visible_eds and visible_eds[0] < comp["from_edition"]:
        long_comp = compare(con, t["code"], indicator_id, visible_eds[0], comp["to_edition"],
                            reference=ref["code"] if ref else None, min_years=min_years)
    return {
        "indicator_id": indicator_id, "code": t["code"], "editions": eds, "series": series,
        "reference_level": ref["level"] if ref else None, "reference_code": ref["code"] if ref else None,
        "reference_name": ref["name"] if ref else None,
        "comparison": comp, "long_comparison": long_comp, "min_years": min_years,
    }
