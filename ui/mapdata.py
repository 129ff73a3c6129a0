"""Geometry for the map pages, decoded once per warehouse and cached: quartier contours and commune points
per generation, administrative outlines for the base layers (reads through presentation.map; GeoJSON
building in charts.maps), and the contours of the QPV lookup (presentation.localiser)."""
from __future__ import annotations

import streamlit as st

from charts import maps
from presentation import localiser as lookup, map as map_view
from ui import common
from ui.common import cached


@cached
def quartier_shapes(con, generation: str, detail: str = "display") -> dict:
    """{'contours': FeatureCollection of quartiers with a real contour, 'points': DataFrame code/lon/lat
    of the quartiers placed at their commune}. A quartier with a contour is never also a point.

    detail 'overview' gives the national-view contours (territory_geom.geom_overview: coarser, 1e-4°, so
    the 1,600 national contours stay within the payload budget); 'display' the regional and local ones."""
    rows = map_view.shape_rows(con, generation, detail)
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
    return map_view.epci_in(con, column, value)


@cached
def outlines(con, level: str, codes: tuple[str, ...] | None = None) -> dict:
    """Administrative outlines ('departement', 'region', 'epci') in true coordinates (overseas insets
    of the ANCT files are left out: they are not where the quartiers are)."""
    rows = map_view.outline_rows(con, level, codes)
    return maps.feature_collection([r[0] for r in rows], [r[2] for r in rows], decimals=3)


@st.cache_resource(max_entries=2, show_spinner="Lecture des contours des quartiers…")
def _lookup_contours(path: str, mtime_ns: int):
    with common.cursor() as cur:
        return lookup.load_contours(cur)


def lookup_contours():
    """The contours of the QPV lookup (page Localiser, beneficiaries upload), decoded once per warehouse file
    and shared by every session (read-only; a resource, not a copy: shapely indexes are not pickled)."""
    return _lookup_contours(*common.warehouse_stamp())


def locate(points_file):
    """The `locate` callable of contract.imports.beneficiaires, reading the contours only when a file comes."""
    return lookup.localise(lookup_contours(), points_file)
