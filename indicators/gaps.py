"""Gaps between a quartier and each of its reference territories.

Rates and shares (gap_kind 'points'): quartier minus reference, in points. Amounts (gap_kind 'ratio'):
quartier divided by reference. The reference value is always taken at the *same edition key* as the
quartier's value: for Filosofi income that key is the income year, so a quartier's 2019 median is compared
with the FILO2019 EPCI/département/région/France values, never with another year's. A reference level
without a value at that edition gets status 'non_disponible' and no gap.
"""
from __future__ import annotations

import pandas as pd

from indicators import catalog, references, secret

COLUMNS = [
    "indicator_id", "label", "unit", "gap_kind", "polarity", "edition", "value", "status",
    "level", "ref_code", "ref_name", "ref_value", "ref_edition", "ref_status", "gap", "link_status",
]


def gap_value(value, ref_value, gap_kind: str):
    """Points difference (value - ref) or ratio (value / ref); None when either side is missing or kind 'none'."""
    if value is None or ref_value is None or gap_kind not in ("points", "ratio"):
        return None
    if gap_kind == "points":
        return float(value) - float(ref_value)
    if float(ref_value) == 0:
        return None
    return float(value) / float(ref_value)


def values(con, codes: list[str], pairs: list[tuple[str, int]]) -> dict[tuple[str, str, int], tuple]:
    """{(code, indicator_id, edition): (visible value, status, source_file, source_variable)} for given pairs."""
    if not codes or not pairs:
        return {}
    rows = con.execute(
        """
        SELECT v.territory_code, v.indicator_id, v.edition, v.value, v.status, v.source_file, v.source_variable
        FROM indicator_value v
        JOIN (SELECT unnest(?) AS indicator_id, unnest(?) AS edition) p
          ON p.indicator_id = v.indicator_id AND p.edition = v.edition
        WHERE list_contains(?, v.territory_code)
        """,
        [[p[0] for p in pairs], [int(p[1]) for p in pairs], list(codes)],
    ).fetchall()
    return {(c, i, int(e)): (secret.visible(v, s), s, f, var) for c, i, e, v, s, f, var in rows}


def quartier_editions(con, code: str, indicator_ids, edition=None) -> dict[str, int | None]:
    """Edition to use per indicator for this quartier's generation (latest not after `edition`)."""
    t = references.territory(con, code)
    gen = t.get("generation") if t["level"] == "qpv" else None
    return {i: catalog.resolve_edition(con, i, edition, gen) for i in indicator_ids}


def gaps(con, code: str, edition: int | None = None, indicator_ids=None, levels=None) -> pd.DataFrame:
    """One row per indicator x reference territory: quartier value, reference value/edition/status and gap."""
    return pd.DataFrame(gap_rows(con, code, edition, indicator_ids, levels), columns=COLUMNS)


def gap_rows(con, code: str, edition: int | None = None, indicator_ids=None, levels=None) -> list[dict]:
    """gaps() as a list of dicts (None, not NaN, for missing numbers): what fiche and barometre use."""
    code = references.normalise_code(code)
    ids = catalog.known(con, indicator_ids) if indicator_ids else catalog.ids(con)
    eds = quartier_editions(con, code, ids, edition)
    refs = [r for r in references.reference_territories(con, code) if levels is None or r["level"] in levels]
    pairs = [(i, e) for i, e in eds.items() if e is not None]
    codes = [code] + [r["code"] for r in refs if r["code"]]
    vals = values(con, codes, pairs)
    rows = []
    for i in ids:
        meta = catalog.indicator(con, i)
        e = eds[i]
        v, s = (None, "non_disponible")
        if e is not None and (code, i, e) in vals:
            v, s = vals[(code, i, e)][:2]
        for r in refs:
            rv, rs = None, "non_disponible"
            if r["code"] and e is not None and (r["code"], i, e) in vals:
                rv, rs = vals[(r["code"], i, e)][:2]
            rows.append({
                "indicator_id": i, "label": meta["label"], "unit": meta["unit"], "gap_kind": meta["gap_kind"],
                "polarity": meta["polarity"], "edition": e, "value": v, "status": s,
                "level": r["level"], "ref_code": r["code"], "ref_name": r["name"], "ref_value": rv,
                "ref_edition": e if rv is not None else None, "ref_status": rs,
                "gap": gap_value(v, rv, meta["gap_kind"]), "link_status": r.get("link_status", "ok"),
            })
    return rows


def disadvantage(gap, gap_kind: str, polarity: str):
    """Signed distance to the reference where positive means 'worse than the reference' (None if neutral).

    points: (value - ref) for higher_worse, (ref - value) for higher_better; ratio: the same on (ratio - 1).
    """
    if gap is None or polarity not in ("higher_worse", "higher_better"):
        return None
    base = gap if gap_kind == "points" else gap - 1.0
    return base if polarity == "higher_worse" else -base
