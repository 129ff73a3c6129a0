"""Barometer for élus: per quartier and key indicator (catalogue `barometre: true`), a light
« mieux / comparable / moins bien » against a reference territory and a trend against an earlier comparable
edition, with the tolerance, the millésime and the numbers behind them. Numbers, codes and years only: the
sentences are written by presentation/barometre.py from the vocabulary's phrases.

One value per entry: the light and every document use the quartier's latest value (`edition`, `value`).

Reference rule: the levels of the vocabulary's place `barometre` (levels_in("barometre"): commune, EPCI,
Ensemble des QPV), tried in that order; the first with a usable value is used and named. A reference of
another year is usable under the one year rule of every reference level (gaps: `other_year` within
`max_years_apart`) and the baromètre's own condition (gaps.barometre_reference: rates only, gap beyond twice
the tolerance); `notes` say which levels were tried and why they could not be used. When none is usable the
light is None (« sans voyant » when the value is shown). A level is never presented as another. A 2024
quartier's value through its 2015 predecessor(s) carries `approximation`.
"""
from __future__ import annotations

from indicators import catalog, evolution, gaps as gaps_mod, predecessors, references
from observatoire import vocabulary


def reference_levels() -> list[str]:
    """The baromètre's reference levels, in the order they are tried (vocabulary place `barometre`)."""
    return vocabulary.levels_in("barometre")


def light(gap, gap_kind: str, polarity: str, tol: float) -> str | None:
    """'mieux' / 'comparable' / 'moins_bien' from a gap, the polarity and the tolerance (None if neutral)."""
    d = gaps_mod.disadvantage(gap, gap_kind, polarity)
    if d is None:
        return None
    if abs(d) <= tol:
        return "comparable"
    return "moins_bien" if d > 0 else "mieux"


def direction(value, ref_value, gap, gap_kind: str, tol: float) -> str:
    """'proche' (within the tolerance), 'au_dessus' or 'en_dessous': where the quartier stands."""
    d = gap if gap_kind == "points" else gap - 1.0
    if abs(d) <= tol:
        return "proche"
    return "au_dessus" if value > ref_value else "en_dessous"


def _pick(rows: list[dict], meta: dict, tol: float) -> tuple[dict | None, list[dict]]:
    """First reference row (levels of the baromètre, in order) the baromètre may use, and the notes: levels
    tried before without a usable value, why each could not be used (gaps.barometre_reference), several
    territories of the level used."""
    tried, notes = [], []
    for level in reference_levels():
        for r in rows:
            if r["level"] != level:
                continue
            usable, why = gaps_mod.barometre_reference(r, meta, tol)
            if why and why not in notes:
                notes.append(why)
            if usable is None:
                continue
            head = [{"reason": "unusable", "levels": list(dict.fromkeys(tried))}] if tried else []
            same = [{"code": x["ref_code"], "name": x["ref_name"]} for x in rows
                    if x["level"] == level and x["ref_code"]]
            tail = [{"reason": "several", "level": level, "territories": same}] if len(same) > 1 else []
            return usable, head + notes + tail
        tried.append(level)
    return None, notes


def for_indicator(con, t: dict, indicator_id: str, gap_rows: list[dict]) -> dict:
    """Barometer entry for one indicator from its gap rows at the shown edition (see barometre()); `t` is the
    quartier's territory dict."""
    meta = catalog.indicator(con, indicator_id)
    tol = catalog.tolerance(con, indicator_id)
    base = gap_rows[0] if gap_rows else {"value": None, "status": "non_disponible", "edition": None}
    out = {"indicator_id": indicator_id, "label": meta["label"], "short_label": meta.get("short_label") or meta["label"],
           "unit": meta["unit"], "decimals": meta.get("decimals"), "polarity": meta["polarity"],
           "edition": base["edition"], "millesime": base["edition"], "value": base["value"], "status": base["status"],
           "tolerance": tol, "gap_kind": meta["gap_kind"], "light": None, "reference_level": None,
           "reference_code": None, "reference_name": None, "reference_value": None, "reference_edition": None,
           "gap": None, "direction": None, "notes": [], "tried": reference_levels(), "evolution": None,
           "approximation": predecessors.block(con, t["code"], base.get("approx"))}
    if base["value"] is None:
        out["evolution"] = {"light": None, "trend": None, "change": None, "comparison": None,
                            "reason": "no_latest", "status": base["status"]}
        return out
    ref, notes = _pick(gap_rows, meta, tol)
    out["notes"] = notes
    if ref is not None:
        # A reference of another year (gaps.barometre_reference) carries its own edition in ref_edition.
        value, ref_ed = base["value"], ref.get("ref_edition") or ref["edition"]
        gap = gaps_mod.gap_value(value, ref["ref_value"], meta["gap_kind"])
        out.update(light=light(gap, meta["gap_kind"], meta["polarity"], tol), reference_level=ref["level"],
                   reference_code=ref["ref_code"], reference_name=ref["ref_name"], reference_value=ref["ref_value"],
                   reference_edition=ref_ed, gap=gap,
                   direction=direction(value, ref["ref_value"], gap, meta["gap_kind"], tol))
    out["evolution"] = _trend(con, t, indicator_id, base["edition"])
    return out


def _trend(con, t: dict, indicator_id: str, edition) -> dict:
    """Light of the change since the latest comparable (non-consecutive) edition, with the two values, or the
    reason there is none ('no_earlier', 'not_measurable' with the missing value's status)."""
    ev = evolution.evolution(con, t, indicator_id, to_edition=edition)
    comp = ev["comparison"]
    if comp is None:
        return {"light": None, "trend": None, "change": None, "comparison": None, "reason": "no_earlier"}
    if comp["value_from"] is None or comp["value_to"] is None:
        status = comp["status_from"] if comp["value_from"] is None else comp["status_to"]
        return {"light": None, "trend": None, "change": None, "comparison": comp, "reason": "not_measurable",
                "status": status, "from_edition": comp["from_edition"], "to_edition": comp["to_edition"]}
    trend = comp["value_trend"]
    change = "stable" if trend == "stable" else ("hausse" if comp["value_to"] > comp["value_from"] else "baisse")
    return {"light": vocabulary.term("trends", trend).get("light"), "trend": trend, "change": change,
            "from_edition": comp["from_edition"], "to_edition": comp["to_edition"], "tolerance": comp["tolerance"],
            "value_from": comp["value_from"], "value_to": comp["value_to"], "verdict": comp["verdict"],
            "verdict_reference": ev["reference_name"], "comparison": comp, "reason": None}


def barometre(con, code, edition: int | None = None, indicator_ids=None) -> list[dict]:
    """Per key indicator: {light, tolerance, millesime, reference_*, gap, direction, notes, evolution{light,
    trend, change, …}}. `code` is a code or the territory dict already resolved by the caller."""
    t = references.territory(con, code)
    ids = indicator_ids or catalog.ids(con, barometre=True)
    recs = gaps_mod.gap_rows(con, t, edition, ids, levels=reference_levels())
    return [for_indicator(con, t, i, [r for r in recs if r["indicator_id"] == i]) for i in ids]
