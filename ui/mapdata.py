"""Geometry for the map page, decoded once per warehouse and cached: quartier contours and commune points
per generation, administrative outlines for the base layers. Plain selects of territory_geom; GeoJSON
building is in charts.maps."""
from __future__ import annotations

import streamlit as st

from charts import maps
from indicators import localiser
from ui import common
from ui.common import cached


@cached
def quartier_shapes(con, generation: str, detail: str = "display") -> dict:
    """{'contours': FeatureCollection of quartiers with a real contour, 'points': DataFrame code/lon/lat
    of the quartiers placed at their commune}. A quartier with a contour is never also a point.

    detail 'overview' gives the national-view contours (territory_geom.geom_overview: coarser, 1e-4°, so
    the 1,600 national contours stay within the payload budget); 'display' the regional and local ones."""
    column = "coalesce(geom_overview, geom_display)" if detail == "overview" else "geom_display"
    rows = con.execute(
        f"SELECT code, kind, {column} FROM territory_geom "
        "WHERE generation = ? AND kind IN ('contour', 'commune_point') ORDER BY code",
        [str(generation)]).fetchall()
    contour = [(c, g) for c, k, g in rows if k == "contour"]
    with_shape = {c for c, _ in contour}
    pts = [(c, g) for c, k, g in rows if k == "commune_point" and c not in with_shape]
    decimals = 4 if detail == "overview" else maps.COORD_DECIMALS
    return {
        "contours": maps.feature_collection([c for c, _ in contour], [g for _, g in contour], decimals=decimals),
        "points": maps.spread_points(maps.points_table([c for c, _ in pts], [g for _, g in pts])),
    }


@cached
def epci_in(con, column: str, value: str) -> tuple[str, ...]:
    """EPCI codes of a département or région (for the zoomed map's intercommunal outlines)."""
    col = "departement" if column == "departement" else "region"
    rows = con.execute(f"SELECT code FROM territory WHERE level = 'epci' AND {col} = ? ORDER BY code",
                       [value]).fetchall()
    return tuple(r[0] for r in rows)


@cached
def outlines(con, level: str, codes: tuple[str, ...] | None = None) -> dict:
    """Administrative outlines ('departement', 'region', 'epci') in true coordinates (overseas insets
    of the ANCT files are left out: they are not where the quartiers are)."""
    sql = ("SELECT g.code, g.geom_display FROM territory_geom g JOIN territory t ON t.code = g.code "
           "WHERE g.kind = 'outline' AND t.level = ? AND NOT coalesce(g.is_inset, FALSE)")
    params: list = [level]
    if codes:
        sql += f" AND g.code IN ({', '.join('?' for _ in codes)})"
        params += list(codes)
    rows = con.execute(sql + " ORDER BY g.code", params).fetchall()
    return maps.feature_collection([r[0] for r in rows], [r[1] for r in rows], decimals=3)


@st.cache_resource(max_entries=2, show_spinner="Lecture des contours des quartiers…")
def _lookup_contours(path: str, mtime_ns: int) -> localiser.Contours:
    with common.cursor() as cur:
        return localiser.load_contours(cur)


def lookup_contours() -> localiser.Contours:
    """The contours of the QPV lookup (page Localiser, beneficiaries upload), decoded once per warehouse file
    and shared by every session (read-only; a resource, not a copy: shapely indexes are not pickled)."""
    return _lookup_contours(*common.warehouse_stamp())


def locate(points_file):
    """The `locate` callable of contract.imports.beneficiaires, reading the contours only when a file comes."""
    return localiser.localise(lookup_contours(), points_file)
