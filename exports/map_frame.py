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
class Mark:
    """One thing a locator map draws, in its frame's units: `lines` (outlines: `rings`, `edge`, `width_pt`),
    `areas` (filled contours: `rings`, `fill`, `edge`, `width_pt`), `dot` (a quartier without contour, on its
    commune: `x`, `y`, `fill`, `edge`) or `number` (a highlighted quartier's number at `x`, `y`: `text`)."""
    kind: str
    rings: list = ()
    fill: str | None = None
    edge: str | None = None
    width_pt: float = 0.0
    x: float = 0.0
    y: float = 0.0
    text: str = ""
    highlight: bool = True      # a dot: the map's own quartier (drawn larger) or a neighbour


def marks(frame: MapFrame, places: list[dict], outlines: list[tuple], strong: list[tuple],
          colours: dict[str, str]) -> list[Mark]:
    """What every locator map drawn without a browser shows, bottom to top (the deck's shapes, the report's
    picture and the fiche PDF's vectors draw these marks; the PDF names its quartier instead of numbering it): the outlines, then the strong ones (the carrier EPCI); the
    neighbouring contours, then the highlighted ones edged in white; a dot for each quartier without contour;
    the numbers of the highlighted quartiers. `colours`: presentation.locator.COLOURS."""
    out = [Mark("lines", [r for item in spec or [] for r in frame.rings(item[1], closed=False)], edge=colour,
                width_pt=pt)
           for spec, colour, pt in ((outlines, colours["outline"], 0.75), (strong, colours["strong"], 1.5))]
    out += [Mark("areas", [r for p in places if p["kind"] == "contour" and bool(p.get("highlight", True)) == hl
                           for r in frame.rings(p["geom"], closed=True)],
                 fill=colour, edge=colours["white"] if hl else colour, width_pt=0.5)
            for hl, colour in ((False, colours["other"]), (True, colours["contour"]))]
    for p in places:
        at = frame.anchor(p["geom"])
        if at is None:
            continue
        if p["kind"] != "contour":
            out.append(Mark("dot", x=at[0], y=at[1], edge=colours["white"], width_pt=0.75,
                            fill=colours["point"] if p.get("highlight", True) else colours["other"],
                            highlight=bool(p.get("highlight", True))))
        if p.get("highlight", True) and p.get("number") is not None:
            out.append(Mark("number", x=at[0], y=at[1], text=str(p["number"])))
    return [m for m in out if m.rings or m.kind in ("dot", "number")]


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
