"""Offline choropleth maps of quartiers (Plotly MapLibre traces on a 'white-bg' style: no tile server).

Quartiers with a real contour are filled polygons; quartiers without one are circles placed at their
commune (flagged in the legend). Administrative outlines (régions, départements) are drawn as MapLibre
layers under the traces so the map stays readable with no base map. One data trace per class keeps the
legend readable ("12,3 à 25,0 %"), the classing method is written in the legend title.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from charts import style
from charts.classify import Classes
from charts.source import add_source
from observatoire import vocabulary
from presentation import text

COORD_DECIMALS = 5   # ~1 m: invisible at any zoom a quartier map uses
NO_VALUE_COLOR = vocabulary.palette("map_no_value")
LAND_COLOR = vocabulary.palette("map_land")
OUTLINE_COLOR = vocabulary.palette("map_outline")
INNER_OUTLINE_COLOR = vocabulary.palette("map_inner_outline")
CONTOUR_COLOR = vocabulary.palette("map_contour")
RING_COLOR = vocabulary.palette("ink")
WHITE = vocabulary.palette("white")
SECONDARY = vocabulary.palette("grey")
TRANSPARENT = style.rgba(vocabulary.palette("black"), 0)
POINT_NOTE = "● quartier sans contour disponible : cercle placé sur sa commune"
EMPTY_FC = {"type": "FeatureCollection", "features": []}
DATA_ROLE = "quartiers"
DOTS_BELOW_ZOOM = 9.0    # below this zoom, contoured quartiers also get a dot at their centroid
MAP_WIDTH = 0.70         # share of the figure width given to the map; the legend sits to its right  # trace.meta of traces carrying one value per quartier (tests count them)


# --------------------------------------------------------------------------- geometry payload

def _round_coords(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def feature_collection(codes, wkbs, decimals: int = COORD_DECIMALS) -> dict:
    """GeoJSON FeatureCollection {id: code} from WKB blobs, coordinates rounded to `decimals`."""
    codes = list(codes)
    if not codes:
        return {"type": "FeatureCollection", "features": []}
    geoms = shapely.from_wkb([bytes(w) for w in wkbs])
    geoms = _round_coords(geoms, decimals)
    texts = shapely.to_geojson(geoms)
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": c, "properties": {}, "geometry": json.loads(t)}
                         for c, t in zip(codes, texts)]}


def points_table(codes, wkbs, decimals: int = COORD_DECIMALS) -> pd.DataFrame:
    """code, lon, lat of point geometries (or of the representative point of anything else)."""
    codes = list(codes)
    if not codes:
        return pd.DataFrame({"code": [], "lon": [], "lat": []})
    geoms = shapely.from_wkb([bytes(w) for w in wkbs])
    pts = shapely.point_on_surface(geoms)
    return pd.DataFrame({"code": codes, "lon": np.round(shapely.get_x(pts), decimals),
                         "lat": np.round(shapely.get_y(pts), decimals)})


def spread_points(points: pd.DataFrame, step_deg: float = 0.006) -> pd.DataFrame:
    """Quartiers placed at the same commune point are fanned out on a sunflower spiral around it (one
    stays at the centre), so each can be seen and hovered. Order by code: deterministic."""
    if points.empty:
        return points
    out = points.sort_values("code").copy()
    rank = out.groupby(["lon", "lat"]).cumcount().to_numpy()
    golden = math.pi * (3 - math.sqrt(5))
    r = step_deg * np.sqrt(rank)
    theta = rank * golden
    coslat = np.cos(np.radians(out.lat.to_numpy()))
    out["lon"] = np.round(out.lon.to_numpy() + r * np.cos(theta) / np.maximum(coslat, 0.2), COORD_DECIMALS)
    out["lat"] = np.round(out.lat.to_numpy() + r * np.sin(theta), COORD_DECIMALS)
    return out.reset_index(drop=True)


def centroid_table(fc: dict) -> pd.DataFrame:
    """code, lon, lat of a point inside each polygon of a FeatureCollection."""
    if not fc["features"]:
        return pd.DataFrame(columns=["code", "lon", "lat"])
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in fc["features"]])
    pts = shapely.point_on_surface(geoms)
    return pd.DataFrame({"code": [f["id"] for f in fc["features"]],
                         "lon": np.round(shapely.get_x(pts), COORD_DECIMALS),
                         "lat": np.round(shapely.get_y(pts), COORD_DECIMALS)})


def subset(fc: dict, codes) -> dict:
    keep = set(codes)
    return {"type": "FeatureCollection", "features": [f for f in fc["features"] if f["id"] in keep]}


def bounds_of(fc: dict | None, points: pd.DataFrame | None) -> tuple[float, float, float, float] | None:
    """(lon_min, lat_min, lon_max, lat_max) of polygons and points together."""
    boxes = []
    if fc and fc["features"]:
        geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in fc["features"]])
        boxes.append(shapely.total_bounds(geoms))
    if points is not None and len(points):
        boxes.append([points.lon.min(), points.lat.min(), points.lon.max(), points.lat.max()])
    if not boxes:
        return None
    b = np.array(boxes)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def view_for(bounds, width_px: int = 640, height_px: int = 590, max_zoom: float = 13.5) -> dict:
    """MapLibre centre and zoom that fit `bounds` (Web Mercator) in a width×height view (zoom ≤ max_zoom)."""
    if bounds is None:
        return {"center": {"lon": 2.4, "lat": 46.6}, "zoom": 4.6}
    lon0, lat0, lon1, lat1 = bounds

    def merc(lat):
        lat = max(min(lat, 85), -85)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(lon1 - lon0, 0.02) / 360
    dy = max(merc(lat1) - merc(lat0), 0.0004) / (2 * math.pi)
    zoom = min(math.log2(width_px / 512 / dx), math.log2(height_px / 512 / dy)) - 0.25
    clat = math.degrees(2 * math.atan(math.exp((merc(lat0) + merc(lat1)) / 2)) - math.pi / 2)
    return {"center": {"lon": (lon0 + lon1) / 2, "lat": clat}, "zoom": max(min(zoom, max_zoom), 1.0)}


# --------------------------------------------------------------------------- the map

def _hover(source: str | None) -> str:
    """Hover text: name (code), value, place, source — the source written once in the template when it is the
    same for every quartier (customdata[4] otherwise): 1,600 copies of it would weigh ~0,2 MB."""
    src = "%{customdata[4]}" if source is None else text.plotly_text(source).replace("%", "%%")
    return ("<b>%{customdata[1]}</b> (%{customdata[0]})<br>"
            "%{customdata[2]}<br>"
            f"<span style='color:{SECONDARY}'>%{{customdata[3]}}</span><br>"
            f"<span style='font-size:11px;color:{SECONDARY}'>{src}</span><extra></extra>")


HOVER_COLUMNS = ["code", "name", "value_text", "place_text", "source_text"]


def _customdata(df: pd.DataFrame, with_source: bool) -> list:
    """The hover's texts of each quartier, escaped for Plotly (names, values with their unit, sources)."""
    return [[text.plotly_text(v) for v in row]
            for row in df[HOVER_COLUMNS if with_source else HOVER_COLUMNS[:4]].astype(str).values.tolist()]


def base_layers(outlines: dict | None, land: dict | None = None, inner: dict | None = None) -> list[dict]:
    """Land fill, then intercommunal lines (zoomed views), then département lines, under the traces."""
    layers = []
    if land and land.get("features"):
        layers.append({"source": land, "type": "fill", "color": LAND_COLOR, "below": "traces"})
    if inner and inner.get("features"):
        layers.append({"source": inner, "type": "line", "color": INNER_OUTLINE_COLOR,
                       "line": {"width": 0.5}, "below": "traces"})
    if outlines and outlines.get("features"):
        layers.append({"source": outlines, "type": "line", "color": OUTLINE_COLOR,
                       "line": {"width": 0.7}, "below": "traces"})
    return layers


def quartier_map(values: pd.DataFrame, contours: dict, points: pd.DataFrame, classes: Classes | None,
                 *, label: str, unit: str | None, decimals: int, polarity: str, source_line: str,
                 outlines: dict | None = None, land: dict | None = None, inner: dict | None = None,
                 view: dict | None = None,
                 no_value_label: str = "secret, non disponible ou non publié", height: int = 650,
                 highlight: list[str] | None = None, legend_note: str | None = None,
                 polygon_hover: bool = True) -> go.Figure:
    """Choropleth of one indicator.

    values: one row per quartier to map with columns code, name, value (None when not shown), value_text
    (French value or status label), place_text (commune…), source_text; `contours` holds the quartiers
    that have a polygon (feature id = code), `points` (code, lon, lat) the others. Every contour is drawn
    at every zoom. `polygon_hover` False (the national view): its hover
    texts ride on its centroid dot only, so that each quartier's texts are sent once (payload ≤ 1.5 MB with
    the 1,600 national contours); the perimeters appear as the user zooms in. `legend_note` is added under
    the legend title (e.g. the 2024 values' approximation).
    """
    fig = go.Figure()
    colors = style.class_colors(polarity, classes.k) if classes else []
    labels = classes.labels(decimals, unit if unit == "%" else None) if classes else []
    v = values.copy()
    v["cls"] = classes.assign(v["value"].astype(float).to_numpy()) if classes else -1
    with_shape = {f["id"] for f in contours["features"]}
    pts = points.set_index("code")
    groups = [(i, colors[i], labels[i]) for i in range(classes.k)] if classes else []
    groups.append((-1, NO_VALUE_COLOR, no_value_label))
    sources = v["source_text"].astype(str).unique() if "source_text" in v.columns else [""]
    with_source = len(sources) > 1
    hover = _hover(None if with_source else str(sources[0]))

    view = view or view_for(bounds_of(contours, points))
    # At national or regional scale a quartier contour is a speck: also mark it with a dot at its centroid.
    dots_carry = not polygon_hover   # the centroid dots carry the hover texts
    centroids = pd.DataFrame(columns=["code", "lon", "lat"])
    if (view["zoom"] < DOTS_BELOW_ZOOM or dots_carry) and contours["features"]:
        centroids = centroid_table(contours)
    # Rings under the circles so light classes stay visible on the pale land. Quartiers placed at their
    # commune get a "target" look (dark ring, white ring, colour) that tells them apart from contour dots.
    pv = v[~v.code.isin(with_shape) & v.code.isin(pts.index)]
    cen_v = centroids[centroids.code.isin(v.code)]
    rings = [(cen_v, 10, RING_COLOR)] if len(cen_v) else []
    if len(pv):
        xy = pts.loc[pv.code].reset_index()
        rings += [(xy, 13, RING_COLOR), (xy, 10, WHITE)]
    for xy, size, color in rings:
        fig.add_trace(go.Scattermap(lon=xy.lon, lat=xy.lat, mode="markers", hoverinfo="skip",
                                    marker=dict(size=size, color=color), showlegend=False, name="anneau"))
    cxy = centroids.set_index("code")
    for i, color, name in groups:
        g = v[v.cls == i]
        if g.empty:
            if i >= 0:  # keep the national scale readable: every class appears in the legend
                fig.add_trace(go.Choroplethmap(
                    geojson=EMPTY_FC, locations=[], z=[], colorscale=[[0, color], [1, color]],
                    showscale=False, name=name, legendgroup=f"c{i}", showlegend=True,
                    marker=dict(line=dict(color=CONTOUR_COLOR, width=0.6))))
            continue
        poly = g[g.code.isin(with_shape)]
        dots = g[~g.code.isin(with_shape) & g.code.isin(pts.index)]
        shown = False
        if len(poly):
            fig.add_trace(go.Choroplethmap(
                geojson=subset(contours, poly.code), locations=poly.code, featureidkey="id",
                z=[max(i, 0)] * len(poly), colorscale=[[0, color], [1, color]], showscale=False,
                marker=dict(line=dict(color=CONTOUR_COLOR, width=0.6), opacity=0.92),
                customdata=None if dots_carry else _customdata(poly, with_source),
                hovertemplate=None if dots_carry else hover, hoverinfo="skip" if dots_carry else None,
                name=name, legendgroup=f"c{i}", showlegend=True,
                meta={"role": "shapes" if dots_carry else DATA_ROLE, "class": int(i), "shape": "contour"}))
            shown = True
        cen = poly[poly.code.isin(cxy.index)]
        if len(cen):
            xy = cxy.loc[cen.code]
            fig.add_trace(go.Scattermap(
                lon=xy.lon, lat=xy.lat, mode="markers", marker=dict(size=8, color=color),
                customdata=_customdata(cen, with_source), hovertemplate=hover, name=name, legendgroup=f"c{i}",
                showlegend=not shown,
                meta={"role": DATA_ROLE if dots_carry else "centroid", "class": int(i), "shape": "centroid"}))
            shown = True
        if len(dots):
            xy = pts.loc[dots.code]
            fig.add_trace(go.Scattermap(
                lon=xy.lon, lat=xy.lat, mode="markers", marker=dict(size=7, color=color),
                customdata=_customdata(dots, with_source), hovertemplate=hover, name=name, legendgroup=f"c{i}",
                showlegend=not shown, meta={"role": DATA_ROLE, "class": int(i), "shape": "point"}))
    if highlight:
        h = v[v.code.isin(highlight)]
        hx = points_for_highlight(h, contours, pts)
        if len(hx):
            # Markers only: map text needs font glyphs from a server (nothing is fetched offline).
            fig.add_trace(go.Scattermap(lon=hx.lon, lat=hx.lat, mode="markers",
                                        marker=dict(size=22, color=style.HIGHLIGHT, opacity=0.45),
                                        hoverinfo="skip", name="quartier sélectionné", showlegend=True))
    # Legend entries explaining the two kinds of dots (no data: nothing to hover).
    if len(cen_v):
        fig.add_trace(go.Scattermap(lon=[None], lat=[None], mode="markers", hoverinfo="skip",
                                    marker=dict(size=9, color=TRANSPARENT), showlegend=True,
                                    name="● quartier avec contour<br>   (zoomez pour voir son périmètre)"))
    if len(pv):
        fig.add_trace(go.Scattermap(lon=[None], lat=[None], mode="markers", hoverinfo="skip",
                                    marker=dict(size=9, color=TRANSPARENT), showlegend=True,
                                    name="◎ quartier sans contour disponible,<br>   placé autour du centre de sa commune"))
    unit_txt = f" ({unit})" if unit and unit not in ("nombre", "%") else ""
    if classes:
        method = (f"{classes.title}, {classes.k} classe{'s' if classes.k > 1 else ''}<br>calculées sur les "
                  f"{text.count_text(sum(classes.counts))} quartiers de France<br>"
                  + style.wrap(style.polarity_note(polarity), 44, max_lines=None))
        title = style.wrap(f"{label}{unit_txt}", 34, max_lines=None)      # the indicator's label may be a user's
    else:
        method = ""  # the single legend entry says why there is no value
        title = style.wrap(label, 34, max_lines=None)
    if legend_note:
        method = (method + "<br>" if method else "") + style.wrap(legend_note, 44, max_lines=None)
    legend_title = "<b>" + title + "</b>" + (
        "<br><span style='font-size:11px'>" + method + "</span>" if method else "")
    style.base_layout(fig, height=height)
    fig.update_layout(
        map=dict(style="white-bg", center=view["center"], zoom=view["zoom"],
                 layers=base_layers(outlines, land, inner), domain=dict(x=[0, MAP_WIDTH], y=[0, 1])),
        margin=dict(l=0, r=0, t=10, b=40),
        legend=dict(title=dict(text=legend_title), x=MAP_WIDTH + 0.01, y=1.0, xanchor="left", yanchor="top",
                    bgcolor=style.rgba(WHITE, 0.88), bordercolor=vocabulary.palette("border"), borderwidth=1,
                    font=dict(size=12), itemsizing="constant"),
        uirevision="carte",
    )
    add_source(fig, source_line, width=170, min_bottom=40)
    return fig


def points_for_highlight(h: pd.DataFrame, contours: dict, pts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    by_id = {f["id"]: f for f in contours["features"]}
    for r in h.itertuples():
        if r.code in by_id:
            p = shapely.point_on_surface(shapely.from_geojson(json.dumps(by_id[r.code]["geometry"])))
            rows.append((r.code, r.name, p.x, p.y))
        elif r.code in pts.index:
            rows.append((r.code, r.name, pts.loc[r.code, "lon"], pts.loc[r.code, "lat"]))
    return pd.DataFrame(rows, columns=["code", "name", "lon", "lat"])


def mapped_codes(fig: go.Figure) -> list[str]:
    """Quartier codes carried by the data traces (one per mapped quartier)."""
    out = []
    for tr in fig.data:
        if isinstance(tr.meta, dict) and tr.meta.get("role") == DATA_ROLE:
            out += [row[0] for row in tr.customdata]
    return out


def payload_bytes(fig: go.Figure) -> int:
    """Size of the JSON the browser receives for this figure."""
    return len(fig.to_json().encode("utf-8"))


FOCUS_MAX_ZOOM = 14.0
FOCUS_FRAME_PX = (420, 380)   # a focused quartier fills this part of the 640×590 view: its surroundings stay visible


def carte(view, contours: dict, points: pd.DataFrame, classes: Classes | None, *, departements: dict | None,
          regions: dict | None, epci: dict | None = None) -> tuple[go.Figure, int]:
    """The Carte page's map of a presentation.map.MapView: the zone's quartiers (contours of the geography
    `contours`, commune points `points`), framed on the view's frame codes (its focused quartier, zoomed,
    when there is one). Returns (figure, number of the zone's quartiers drawn with their contour)."""
    vz = view.values
    zone_contours = subset(contours, vz.code)
    zone_points = points[points.code.isin(vz.code)]
    frame = (subset(zone_contours, view.frame_codes), zone_points[zone_points.code.isin(view.frame_codes)])
    framing = (view_for(bounds_of(*frame), *FOCUS_FRAME_PX, max_zoom=FOCUS_MAX_ZOOM) if view.highlight
               else view_for(bounds_of(*frame)))
    fig = quartier_map(
        vz, zone_contours, zone_points, classes, label=view.label, unit=view.unit, decimals=view.decimals,
        polarity=view.polarity, source_line=view.source_line, outlines=departements, land=regions, inner=epci,
        view=framing, no_value_label=view.no_value_label, highlight=view.highlight or None,
        legend_note=view.legend_note, polygon_hover=view.zone != "FR")
    return fig, len(zone_contours["features"])
