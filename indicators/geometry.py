"""Reads of the warehouse's geometries (territory_geom), so that the map page and the print locator maps
never query: quartier contours or commune points per generation, administrative outlines, neighbours.

The print side gets shapely geometries (WKB decoded here); the map page gets the WKB as stored, which
charts.maps turns into GeoJSON. Overseas insets of the ANCT outline files (is_inset) are never returned:
they are not where the quartiers are.
"""
from __future__ import annotations

import shapely

QUARTIER_KINDS = ("contour", "commune_point")


def quartier_geometries(con, codes: list[str]) -> dict[str, tuple[str, object]]:
    """{code: (kind, shapely geometry)} of quartiers: the real contour when there is one, else the commune
    point; codes without any geometry are absent (the locator maps leave them out)."""
    rows = con.execute("""
        SELECT code, kind, geom_display FROM territory_geom
        WHERE list_contains(?, code) AND kind IN ('contour', 'commune_point')
        QUALIFY row_number() OVER (PARTITION BY code ORDER BY kind = 'contour' DESC) = 1
    """, [list(codes)]).fetchall()
    geoms = shapely.from_wkb([bytes(r[2]) for r in rows])
    return {r[0]: (r[1], g) for r, g in zip(rows, geoms)}


def neighbours(con, code: str, generation: str | None, radius_deg: float = 0.08) -> list[tuple[str, str]]:
    """Other quartiers of the same generation within `radius_deg` of `code`'s bounds, as (code, name): the
    fiche's locator inset draws them around the quartier."""
    own = quartier_geometries(con, [code]).get(code)
    if own is None:
        return []
    x0, y0, x1, y1 = shapely.bounds(own[1])
    box = shapely.box(x0 - radius_deg, y0 - radius_deg, x1 + radius_deg, y1 + radius_deg)
    rows = con.execute("""
        SELECT g.code, t.name, g.geom_display FROM territory_geom g JOIN territory t ON t.code = g.code
        WHERE g.kind IN ('contour', 'commune_point') AND t.level = 'qpv' AND t.generation = ? AND g.code <> ?
    """, [generation, code]).fetchall()
    if not rows:
        return []
    near = shapely.intersects(box, shapely.from_wkb([bytes(r[2]) for r in rows]))
    return list(dict.fromkeys((r[0], r[1]) for r, hit in zip(rows, near) if hit))


def outline_rows(con, level: str, codes: tuple[str, ...] | list[str] | None = None) -> list[tuple[str, str, bytes]]:
    """(code, name, WKB) of the administrative outlines of a level ('departement', 'region', 'epci'), in
    true coordinates, ordered by code; only `codes` when given (the map's zoomed EPCI layer)."""
    return con.execute("""
        SELECT g.code, t.name, g.geom_display FROM territory_geom g JOIN territory t ON t.code = g.code
        WHERE g.kind = 'outline' AND t.level = ? AND NOT coalesce(g.is_inset, FALSE)
          AND (? IS NULL OR list_contains(?, g.code))
        ORDER BY g.code
    """, [level, list(codes) if codes else None, list(codes) if codes else None]).fetchall()


def outlines_around(con, around: list, levels=("epci", "departement"), margin: float = 0.25) -> dict[str, list]:
    """Administrative outlines intersecting the extent of `around` (shapely geometries) padded by `margin`
    degrees, per level: {level: [(name, geometry, code)]}; the print locator maps draw them as context."""
    if not around:
        return {lv: [] for lv in levels}
    x0, y0, x1, y1 = shapely.total_bounds(around)
    box = shapely.box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    out = {}
    for level in levels:
        rows = outline_rows(con, level)
        geoms = shapely.from_wkb([bytes(r[2]) for r in rows])
        hits = shapely.intersects(box, geoms)
        out[level] = [(r[1], g, r[0]) for r, g, hit in zip(rows, geoms, hits) if hit]
    return out


def quartier_shape_rows(con, generation: str, detail: str = "display") -> list[tuple[str, str, bytes]]:
    """(code, kind, WKB) of the quartiers of a generation with a contour or a commune point, ordered by code;
    detail 'overview' takes the coarser national-view contour (geom_overview) where there is one."""
    column = "coalesce(geom_overview, geom_display)" if detail == "overview" else "geom_display"
    return con.execute(
        f"SELECT code, kind, {column} FROM territory_geom "
        "WHERE generation = ? AND kind IN ('contour', 'commune_point') ORDER BY code",
        [str(generation)]).fetchall()


def epci_in(con, column: str, value: str) -> tuple[str, ...]:
    """EPCI codes of a département or région (`column` 'departement' or 'region'), for the zoomed map's
    intercommunal outlines."""
    col = "departement" if column == "departement" else "region"
    rows = con.execute(f"SELECT code FROM territory WHERE level = 'epci' AND {col} = ? ORDER BY code",
                       [value]).fetchall()
    return tuple(r[0] for r in rows)
