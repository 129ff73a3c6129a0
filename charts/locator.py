"""Locator maps for print (COPIL deck, fiche PDF, annual report): a contract's quartiers, numbered, on
administrative outlines — or one quartier highlighted among its neighbours.

Unlike charts.maps (interactive MapLibre choropleth for the Carte page) these are plain cartesian Plotly
figures in a local equirectangular projection: fully vector in SVG/PDF, crisp at 300 dpi, no map engine,
nothing fetched. Quartiers with a real contour are filled polygons; the others are circles at their
commune, said so in the legend.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go
import shapely

from charts import style
from charts.source import add_source
from observatoire import vocabulary
from presentation import locator as locator_view
from presentation.text import plotly_text

CONTOUR_FILL = locator_view.COLOURS["contour"]          # the colours and words of every locator map
CONTOUR_FILL_OTHER = locator_view.COLOURS["other"]
POINT_COLOR = locator_view.COLOURS["point"]
OUTLINE = locator_view.COLOURS["outline"]
OUTLINE_STRONG = locator_view.COLOURS["strong"]
LAND = locator_view.COLOURS["land"]
LEGEND_CONTOUR = locator_view.LEGEND_CONTOUR
LEGEND_POINT = locator_view.LEGEND_POINT


@dataclass
class Place:
    """One quartier to draw: `geom` is a shapely geometry (polygon contour or commune point)."""
    code: str
    name: str
    geom: object
    kind: str            # 'contour' | 'commune_point'
    number: int | None = None
    highlight: bool = True


def _project(lat0: float):
    k = math.cos(math.radians(lat0))

    def xy(lon, lat):
        return lon * k, lat
    return xy


def _rings(geom) -> list:
    """Exterior rings of a (multi)polygon (holes are invisible at a locator's scale)."""
    polys = getattr(geom, "geoms", [geom])
    return [p.exterior for p in polys if p.geom_type == "Polygon" and not p.is_empty]


def _lines(geom) -> list:
    """Boundary lines of an outline (polygon, multipolygon or lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        b = geom.boundary
    else:
        b = geom
    return list(getattr(b, "geoms", [b]))


def _path(lines, xy):
    xs, ys = [], []
    for line in lines:
        for lon, lat in line.coords:
            x, y = xy(lon, lat)
            xs.append(x)
            ys.append(y)
        xs.append(None)
        ys.append(None)
    return xs, ys


def locator_map(places: list[Place], *, outlines: list[tuple[str, object]] | None = None,
                strong_outlines: list[tuple[str, object]] | None = None, title: str | None = None,
                source_line: str, width: int = 900, height: int = 650, label: str = "number",
                pad: float = 0.08) -> go.Figure:
    """Quartiers (filled contours or commune circles), numbered or named, over outlines.

    outlines: thin grey lines (communes, départements); strong_outlines: darker (the EPCI carrying the
    contract). The view fits the highlighted places, padded by `pad` of the extent.
    """
    focus = [p for p in places if p.highlight] or places
    bounds = shapely.total_bounds([p.geom for p in focus])
    lon0, lat0, lon1, lat1 = (float(b) for b in bounds)
    xy = _project((lat0 + lat1) / 2)
    fig = go.Figure()

    for spec, colour, w, legend in ((outlines, OUTLINE, 0.8, False), (strong_outlines, OUTLINE_STRONG, 1.6, True)):
        if not spec:
            continue
        xs, ys = [], []
        for item in spec:  # (name, geometry, ...)
            px, py = _path(_lines(item[1]), xy)
            xs += px
            ys += py
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=w), hoverinfo="skip",
                                 showlegend=legend, name=", ".join(item[0] for item in spec)[:90] if legend else ""))

    contours = [p for p in places if p.kind == "contour"]
    for hl, colour, legend in ((False, CONTOUR_FILL_OTHER, "autres quartiers"),
                               (True, CONTOUR_FILL, LEGEND_CONTOUR)):
        group = [p for p in contours if p.highlight == hl]
        if not group:
            continue
        xs, ys = [], []
        for p in group:
            px, py = _path(_rings(p.geom), xy)
            xs += px
            ys += py
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour,
                                 line=dict(color="white" if hl else colour, width=0.6), name=legend,
                                 hoverinfo="skip", showlegend=True))

    circles = [p for p in places if p.kind != "contour"]
    if circles:
        pts = [xy(*shapely.point_on_surface(p.geom).coords[0]) for p in circles]
        fig.add_trace(go.Scatter(
            x=[a for a, _ in pts], y=[b for _, b in pts], mode="markers",
            marker=dict(size=[13 if p.highlight else 9 for p in circles],
                        color=[POINT_COLOR if p.highlight else CONTOUR_FILL_OTHER for p in circles],
                        line=dict(color="white", width=1)),
            name=LEGEND_POINT, hoverinfo="skip", showlegend=True))

    for p in places:
        if not p.highlight and label != "all":
            continue
        c = shapely.point_on_surface(p.geom)
        x, y = xy(c.x, c.y)
        text = str(p.number) if label == "number" and p.number is not None else p.name
        fig.add_annotation(x=x, y=y, text=f"<b>{plotly_text(text)}</b>", showarrow=True, arrowhead=0,
                           arrowwidth=0.8, arrowcolor=OUTLINE_STRONG,
                           ax=16, ay=-18,
                           font=dict(size=12 if label == "number" else 11, color=style.TEXT),
                           bgcolor=style.rgba(vocabulary.palette("white"), 0.85), bordercolor=OUTLINE_STRONG,
                           borderwidth=0.6, borderpad=2)

    x0, y0 = xy(lon0, lat0)
    x1, y1 = xy(lon1, lat1)
    dx, dy = max(x1 - x0, 0.01), max(y1 - y0, 0.01)
    # Fit the frame's aspect ratio so scaleanchor does not squeeze the extent.
    frame = (width - 20) / max(height - 110, 1)
    if dx / dy < frame:
        grow = (dy * frame - dx) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (dx / frame - dy) / 2
        y0, y1 = y0 - grow, y1 + grow
    px_, py_ = (x1 - x0) * pad, (y1 - y0) * pad
    style.base_layout(fig, height=height, title=title)
    fig.update_layout(width=width, showlegend=True, plot_bgcolor=LAND,
                      legend=dict(orientation="h", yanchor="top", y=-0.01, x=0, xanchor="left",
                                  font=dict(size=11)),
                      margin=dict(l=10, r=10, t=50 if title else 10, b=90))
    fig.update_xaxes(visible=False, range=[x0 - px_, x1 + px_])
    fig.update_yaxes(visible=False, range=[y0 - py_, y1 + py_], scaleanchor="x", scaleratio=1)
    add_source(fig, source_line, width=150, min_bottom=90)
    return fig
