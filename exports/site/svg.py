"""Inline SVG of the static site: small evolution line charts and the contract's map of its quartiers.

No script, no external file: a few hundred bytes per chart, colours by CSS class (the site's stylesheet
reads the vocabulary's palette), every name escaped (presentation.text.html_fragment). Each chart is
followed on the page by its table, the text equivalent; the SVG itself carries a short label.
"""
from __future__ import annotations

import math

import shapely
from markupsafe import Markup

from presentation.text import html_fragment

CHART_W, CHART_H = 320, 150
MAP_W, MAP_H = 600, 420


def _n(x: float) -> str:
    """A coordinate with one decimal at most (pages stay small)."""
    r = round(x, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def line_chart(ev: dict, label: str) -> Markup:
    """The quartier (thick, its values written) and its references over the editions."""
    eds = ev["editions"]
    pts = [p for s in ev["series"] for p in s["points"]]
    if len(eds) < 2 or not pts:
        return Markup("")
    left, right, top, bottom = 14, 14, 16, 22
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.12
    lo, hi = lo - pad, hi + pad
    e0, e1 = eds[0], eds[-1]

    def x(e):
        return left + (e - e0) / (e1 - e0) * (CHART_W - left - right)

    def y(v):
        return top + (hi - v) / (hi - lo) * (CHART_H - top - bottom)

    parts = [html_fragment('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">',
                           CHART_W, CHART_H, label)]
    for e, lab in zip(eds, ev["edition_labels"]):
        parts.append(html_fragment('<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                                   _n(x(e)), CHART_H - 6, lab))
    for s in reversed(ev["series"]):          # the quartier last: drawn on top
        if not s["points"]:
            continue
        cls = "s-" + s["level"]
        for run in s["runs"]:                 # a missing millésime breaks the line (presentation.fiche.line_runs)
            d = " ".join(f"{_n(x(e))},{_n(y(v))}" for e, v in run)
            parts.append(html_fragment('<polyline class="{}" points="{}"/>', cls, d) if len(run) > 1 else
                         html_fragment('<circle class="{}" cx="{}" cy="{}" r="2"/>', cls, _n(x(run[0][0])),
                                       _n(y(run[0][1]))))
        if s["level"] == "qpv":
            ends = {s["points"][0][0], s["points"][-1][0]}      # first and last values written, the rest in the table
            for e, v in s["points"]:
                parts.append(html_fragment('<circle class="{}" cx="{}" cy="{}" r="3"/>', cls, _n(x(e)), _n(y(v))))
                if e in ends:
                    anchor = "start" if e == e0 else ("end" if e == e1 else "middle")
                    parts.append(html_fragment('<text class="val" x="{}" y="{}" text-anchor="{}">{}</text>',
                                               _n(x(e)), _n(y(v) - 7), anchor, s["labels"][e]))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _project(geoms: list, width: float, height: float, margin: float = 12, pad: float = 0.0):
    """A function (lon, lat) arrays -> SVG x, y: equirectangular at the mean latitude, fitted to the box
    (the geometries' extent widened by `pad` of its size on each side)."""
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    x0, y0, x1, y1 = x0 - dx, y0 - dy, x1 + dx, y1 + dy
    k = math.cos(math.radians((y0 + y1) / 2))
    w, h = max((x1 - x0) * k, 1e-9), max(y1 - y0, 1e-9)
    s = min((width - 2 * margin) / w, (height - 2 * margin) / h)
    ox = margin + ((width - 2 * margin) - w * s) / 2
    oy = margin + ((height - 2 * margin) - h * s) / 2

    def fn(coords):
        out = coords.copy()
        out[:, 0] = ox + (coords[:, 0] - x0) * k * s
        out[:, 1] = oy + (y1 - coords[:, 1]) * s
        return out
    return fn, s


def _path(geom) -> str:
    rings = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            c = ring.coords
            if len(c) >= 3:
                rings.append("M" + " ".join(f"{_n(a)} {_n(b)}" for a, b in c[:-1]) + "Z")
    return "".join(rings)


def contract_map(shapes: list[dict], outline=None, outline_name: str | None = None, label: str = "") -> Markup:
    """The contract's quartiers from their real contours (simplified to a fraction of a pixel, so the page
    stays small), numbered like the list beside it; quartiers known only by their commune are dots; the
    carrier EPCI's outline as background."""
    if not any(s["kind"] == "contour" for s in shapes):     # commune points alone make no map worth drawing
        return Markup("")
    geoms = [s["geometry"] for s in shapes]
    fn, _ = _project(geoms, MAP_W, MAP_H, pad=0.12)
    parts = [html_fragment('<svg class="map" viewBox="0 0 {} {}" role="img" aria-label="{}">', MAP_W, MAP_H, label)]
    if outline is not None:
        o = shapely.simplify(shapely.transform(outline, fn), 1.0, preserve_topology=True)
        o = shapely.clip_by_rect(o, 0, 0, MAP_W, MAP_H)
        parts.append(html_fragment('<path class="outline" d="{}"><title>{}</title></path>', _path(o), outline_name or ""))
    labels = []
    for s in shapes:
        g = shapely.transform(s["geometry"], fn)
        if s["kind"] == "contour" and g.geom_type in ("Polygon", "MultiPolygon"):
            g = shapely.simplify(g, 0.6, preserve_topology=True)
            parts.append(html_fragment('<path class="q" d="{}"><title>{}. {}</title></path>', _path(g),
                                       s["number"], s["label"]))
            p = g.representative_point()
        else:
            p = g.centroid
            parts.append(html_fragment('<circle class="q" cx="{}" cy="{}" r="5"><title>{}. {}</title></circle>',
                                       _n(p.x), _n(p.y), s["number"], s["label"]))
        labels.append(html_fragment('<text class="num" x="{}" y="{}" text-anchor="middle">{}</text>',
                                    _n(p.x), _n(p.y + 4), s["number"]))
    parts += labels
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
