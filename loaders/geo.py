"""Vector files and geometry helpers shared by the geography steps and the contours import.

Reading goes through pyogrio's raw reader (WKB + NumPy columns: ~50 ms for 1,400 polygons), geometry work
through Shapely 2 vectorised functions; no GeoPandas needed in the build.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyogrio.raw import read as _raw_read

WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"
# Display simplification: tolerance in metres (EPSG:2154) and coordinate precision in degrees. Quartier
# contours have two zoom levels: `contour` (geom_display: regional and local views) and `overview`
# (geom_overview: the national view, where a quartier is a few pixels — 1,600 contours within 1.5 MB).
DISPLAY_TOLERANCE_M = {"contour": 15.0, "outline": 250.0, "overview": 60.0}
DISPLAY_GRID_DEG = 1e-5
OVERVIEW_GRID_DEG = 1e-4
# Metropolitan France (with Corsica) bounding box, degrees: overseas shapes drawn inside it are insets.
METRO_BBOX = (-5.5, 41.0, 10.0, 51.5)


@dataclass
class Layer:
    fields: dict[str, np.ndarray]
    geoms: np.ndarray            # shapely geometries (None where the feature has no geometry)
    crs: str | None
    path: Path

    def __len__(self) -> int:
        return len(self.geoms)


def read_layer(path: Path | str, layer: str | int | None = None) -> Layer:
    """All features of a vector file (GeoJSON, GPKG, SHP...): properties as arrays, geometries as Shapely."""
    meta, _fids, wkb, values = _raw_read(str(path), layer=layer)
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(values[0]) if values else 0, None)
    return Layer(dict(zip(list(meta["fields"]), values)), geoms, meta.get("crs"), Path(path))


@functools.lru_cache(maxsize=8)
def _repaired(path: str, mtime_ns: int, size: int) -> tuple[Layer, np.ndarray, np.ndarray]:
    lay = read_layer(path)
    geoms, repaired = repair(lay.geoms)
    return lay, geoms, repaired


def read_repaired(path: Path | str) -> tuple[Layer, np.ndarray, np.ndarray]:
    """(layer, repaired geometries, repaired mask) of a shipped vector file, read once per build process:
    the national QPV 2024 contours serve the qpv2024, crosswalk and geometry steps. Keyed by the file's
    modification time and size, so a changed file is read again. Callers must not modify the arrays."""
    st = Path(path).stat()
    return _repaired(str(path), st.st_mtime_ns, st.st_size)


def to_wgs84(geoms: np.ndarray, crs: str | None) -> np.ndarray:
    """Reproject to WGS84 longitude/latitude (no-op when already WGS84 / CRS84)."""
    if crs is None:
        return geoms
    src = CRS.from_user_input(crs)
    if src.equals(CRS.from_epsg(4326), ignore_axis_order=True) or src.to_epsg() == 4326:
        return geoms
    tr = Transformer.from_crs(src, WGS84, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


@functools.lru_cache(maxsize=8)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _to_l93(geoms: np.ndarray) -> np.ndarray:
    tr = _transformer(WGS84, LAMBERT93)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _from_l93(geoms: np.ndarray) -> np.ndarray:
    tr = _transformer(LAMBERT93, WGS84)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def display_version(geoms: np.ndarray, tolerance_m: float, grid_deg: float = DISPLAY_GRID_DEG) -> np.ndarray:
    """Map-ready geometries: topology-preserving simplification in EPSG:2154 (metres), back to WGS84,
    coordinates snapped to `grid_deg` (1e-5 degree: about 1 m) and made valid again. Points are only rounded.

    Overseas polygons are simplified in Lambert 93 too: distortion there only changes the effective
    tolerance, which stays small compared with the shapes."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    poly = shapely.get_type_id(geoms) >= 3  # polygons, multi-geometries
    if poly.any():
        simp = _from_l93(shapely.simplify(_to_l93(geoms[poly]), tolerance_m, preserve_topology=True))
        simp = shapely.set_precision(simp, grid_deg)
        bad = ~shapely.is_valid(simp)
        if bad.any():
            simp[bad] = shapely.make_valid(simp[bad])
        # A shape smaller than the grid collapses: keep the full geometry rather than nothing.
        out[poly] = np.where(shapely.is_empty(simp), geoms[poly], simp)
    if (~poly).any():
        out[~poly] = shapely.set_precision(geoms[~poly], grid_deg)
    return out


def repair(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """make_valid on invalid geometries, keeping only their polygonal part. Returns (geoms, repaired mask)."""
    geoms = np.asarray(geoms, dtype=object)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        geoms = geoms.copy()
        geoms[invalid] = fixed
    return geoms, invalid


def _polygonal(g):
    """The polygonal part of a make_valid result (a GeometryCollection may hold stray lines)."""
    if g is None or g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else g


def overview_version(geoms: np.ndarray) -> np.ndarray:
    """The national-view version of quartier contours (geom_overview): coarser simplification and grid."""
    return display_version(geoms, DISPLAY_TOLERANCE_M["overview"], OVERVIEW_GRID_DEG)


def is_polygonal(geoms: np.ndarray) -> np.ndarray:
    """True where a geometry is a non-empty (Multi)Polygon with an area (a contour collapsed to a point by a
    simplified republication is not one)."""
    geoms = np.asarray(geoms, dtype=object)
    ok = np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.is_empty(geoms)
    ok[ok] = shapely.area(geoms[ok]) > 0
    return ok


def in_metro_bbox(geoms: np.ndarray) -> np.ndarray:
    """True where the geometry's centroid lies in metropolitan France's bounding box."""
    c = shapely.centroid(np.asarray(geoms, dtype=object))
    x, y = shapely.get_x(c), shapely.get_y(c)
    x0, y0, x1, y1 = METRO_BBOX
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def is_overseas_dep(dep: str | None) -> bool:
    return bool(dep) and (dep.startswith("97") or dep.startswith("98"))


def wkb(geoms: np.ndarray) -> list:
    """WKB bytes (WGS84, 2D) for BLOB columns."""
    return list(shapely.to_wkb(np.asarray(geoms, dtype=object), output_dimension=2))
