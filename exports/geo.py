"""Geometry for the print locator maps (charts.locator): the quartiers of a contract or a quartier and its
neighbours, with the administrative outlines around them. Plain selects of territory_geom (WKB decoded
with shapely); the drawing is in charts/locator.py."""
from __future__ import annotations

import shapely

from charts.locator import Place


def _geoms(con, codes: list[str]) -> dict[str, tuple[str, object]]:
    """{code: (kind, geometry)}: the real contour when there is one, else the commune point."""
    rows = con.execute("""
        SELECT code, kind, geom_display FROM territory_geom
        WHERE list_contains(?, code) AND kind IN ('contour', 'commune_point')
    """, [list(codes)]).fetchall()
    out: dict[str, tuple[str, object]] = {}
    for code, kind, wkb in rows:
        if code in out and out[code][0] == "contour":
            continue
        out[code] = (kind, shapely.from_wkb(bytes(wkb)))
    return out


def places(con, quartiers: list[tuple[str, str, int | None]], highlight: set[str] | None = None) -> list[Place]:
    """Places for (code, name, number) triples; quartiers without any geometry are left out."""
    g = _geoms(con, [q[0] for q in quartiers])
    out = []
    for code, name, number in quartiers:
        if code in g:
            kind, geom = g[code]
            out.append(Place(code, name, geom, kind, number, highlight is None or code in highlight))
    return out


def neighbours(con, code: str, generation: str | None, radius_deg: float = 0.08) -> list[tuple[str, str]]:
    """Other quartiers of the same generation near `code` (code, name), for the fiche inset."""
    g = _geoms(con, [code]).get(code)
    if g is None:
        return []
    x0, y0, x1, y1 = shapely.bounds(g[1])
    rows = con.execute("""
        SELECT g.code, t.name, g.geom_display FROM territory_geom g JOIN territory t ON t.code = g.code
        WHERE g.kind IN ('contour', 'commune_point') AND t.level = 'qpv' AND t.generation = ? AND g.code <> ?
    """, [generation, code]).fetchall()
    box = shapely.box(x0 - radius_deg, y0 - radius_deg, x1 + radius_deg, y1 + radius_deg)
    seen, out = set(), []
    for c, n, wkb in rows:
        if c in seen:
            continue
        if shapely.intersects(box, shapely.from_wkb(bytes(wkb))):
            seen.add(c)
            out.append((c, n))
    return out


def outlines(con, around: list, levels=("epci", "departement"), margin: float = 0.25) -> dict[str, list]:
    """Administrative outlines intersecting the extent of `around` (shapely geometries), per level,
    in true coordinates (overseas insets of the ANCT files excluded): {level: [(name, geom)]}."""
    if not around:
        return {lv: [] for lv in levels}
    x0, y0, x1, y1 = shapely.total_bounds(around)
    box = shapely.box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    out = {}
    for level in levels:
        rows = con.execute("""
            SELECT g.code, t.name, g.geom_display FROM territory_geom g JOIN territory t ON t.code = g.code
            WHERE g.kind = 'outline' AND t.level = ? AND NOT coalesce(g.is_inset, FALSE)
        """, [level]).fetchall()
        geoms = shapely.from_wkb([bytes(r[2]) for r in rows]) if rows else []
        out[level] = [(r[1], gm, r[0]) for r, gm in zip(rows, geoms) if shapely.intersects(box, gm)]
    return out
