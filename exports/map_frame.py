"""The one geometry of the print locator maps drawn without a browser: the deck's PowerPoint shapes
(pptx_kit.native_map), the fiche PDF's vector map and the report's picture all fit the same places into a box
the same way, so the three documents show the same map.

Projection: equirectangular at the mean latitude of the highlighted places (as charts.locator), fitted to
them with a margin of `pad` of their extent. Coordinates come out in the target's own units (EMU, mm,
pixels), y growing downwards, clipped to the box and simplified below `min_step` units.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import shapely


def rings_of(geom, closed: bool) -> list[list[tuple[float, float]]]:
    """Coordinate lists of a geometry: polygon exteriors (`closed`; holes are invisible at a locator's scale)
    or every boundary line (outlines)."""
    out = []
    for g in getattr(geom, "geoms", [geom]):
        if g.is_empty:
            continue
        if closed and g.geom_type == "Polygon":
            out.append(list(g.exterior.coords)[:-1])
        elif not closed:
            b = g.boundary if g.geom_type in ("Polygon", "MultiPolygon") else g
            out += [list(line.coords) for line in getattr(b, "geoms", [b]) if not line.is_empty]
    return [r for r in out if len(r) >= (3 if closed else 2)]


@dataclass(frozen=True)
class MapFrame:
    """A box of `width` × `height` target units at (`left`, `top`) showing the fitted places."""
    left: float
    top: float
    width: float
    height: float
    k: float            # cos(mean latitude)
    cx: float           # centre, projected
    cy: float
    scale: float        # target units per projected degree
    min_step: float     # vertices closer than this (target units) are dropped

    def _projected(self, geom):
        return shapely.transform(geom, lambda c: c * [self.k, 1] - [self.cx, self.cy])

    @property
    def _clip(self):
        hw, hh = self.width / 2 / self.scale, self.height / 2 / self.scale
        return shapely.box(-hw, -hh, hw, hh)

    def _to_box(self, x: float, y: float) -> tuple[float, float]:
        return self.left + self.width / 2 + x * self.scale, self.top + self.height / 2 - y * self.scale

    def rings(self, geom, closed: bool) -> list[list[tuple[float, float]]]:
        """Filled contours (`closed`) or outline lines of `geom`, in target units, cut at the box's edges."""
        if geom is None:
            return []
        g = self._projected(geom)
        if not closed and g.geom_type in ("Polygon", "MultiPolygon"):
            g = g.boundary                     # an outline is its lines, cut where they leave the frame
        g = shapely.simplify(shapely.intersection(g, self._clip), self.min_step / self.scale)
        return [[self._to_box(x, y) for x, y in r] for r in rings_of(g, closed)]

    def anchor(self, geom) -> tuple[float, float] | None:
        """Where a place's dot or number goes (a point on its surface), or None outside the box."""
        p = shapely.point_on_surface(self._projected(geom))
        return self._to_box(p.x, p.y) if shapely.contains(self._clip, p) else None


def fit(places: list[dict], left: float, top: float, width: float, height: float, pad: float = 0.08,
        min_step: float = 0.0) -> MapFrame:
    """The frame that shows the highlighted `places` (presentation.locator rows: `geom`, `highlight`) in the box."""
    focus = [p for p in places if p.get("highlight", True)] or places
    lon0, lat0, lon1, lat1 = (float(b) for b in shapely.total_bounds([p["geom"] for p in focus]))
    k = math.cos(math.radians((lat0 + lat1) / 2))
    dx, dy = max((lon1 - lon0) * k, 1e-6) * (1 + 2 * pad), max(lat1 - lat0, 1e-6) * (1 + 2 * pad)
    scale = min(width / dx, height / dy)
    return MapFrame(left, top, width, height, k, (lon0 + lon1) / 2 * k, (lat0 + lat1) / 2, scale, min_step)
