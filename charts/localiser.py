"""Map of the page « Localiser »: the user's points coloured by their answer (en QPV : oui, non, non
géolocalisée, indéterminé — colours from the vocabulary `qpv_answers`) over the 2024 quartier contours,
offline (MapLibre on 'white-bg', département outlines as base layer, nothing fetched)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import shapely

from charts import maps, style
from charts.source import add_source
from observatoire import vocabulary
from presentation import text

CONTOUR_LINE = vocabulary.color("levels", "qpv")
CONTOUR_FILL = style.rgba(CONTOUR_LINE, 0.22)


def lookup_map(points: pd.DataFrame, contours: pd.DataFrame, *, source_line: str,
               outlines: dict | None = None, height: int = 560) -> go.Figure:
    """points: lon, lat, answer (qpv_answers code), hover (text); contours: code, name, geometry (WGS84,
    presentation.localiser.contours_near). One trace per answer, so the legend reads as the result."""
    fig = go.Figure()
    if len(contours):
        fc = maps.feature_collection(contours["code"], shapely.to_wkb(contours["geometry"].to_numpy()))
        fig.add_trace(go.Choroplethmap(
            geojson=fc, locations=contours["code"], featureidkey="id", z=[0] * len(contours),
            colorscale=[[0, CONTOUR_FILL], [1, CONTOUR_FILL]], showscale=False,
            marker=dict(line=dict(color=CONTOUR_LINE, width=1)), name="quartier prioritaire 2024 (contour)",
            customdata=[[text.plotly_text(v) for v in r]
                        for r in contours[["code", "name"]].astype(str).values.tolist()],
            showlegend=True,
            hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<extra>quartier 2024</extra>"))
    labels = vocabulary.labels("qpv_answers")
    for code, label in labels.items():
        d = points[points["answer"] == code]
        if d.empty:
            continue
        fig.add_trace(go.Scattermap(
            lon=d["lon"], lat=d["lat"], mode="markers", name=f"en QPV : {label} ({text.count_text(len(d))})",
            marker=dict(size=9, color=vocabulary.color("qpv_answers", code), opacity=0.9),
            text=[text.plotly_text(h) for h in d["hover"]], hovertemplate="%{text}<extra></extra>",
            meta={"answer": code}))
    view = maps.view_for(maps.bounds_of(None, points) if len(points) else None, width_px=900, height_px=height)
    style.base_layout(fig, height=height)
    fig.update_layout(
        map=dict(style="white-bg", center=view["center"], zoom=view["zoom"], layers=maps.base_layers(outlines)),
        margin=dict(l=0, r=0, t=10, b=40),
        legend=dict(x=0.01, y=0.99, xanchor="left", yanchor="top", bgcolor=style.rgba(vocabulary.palette("white"), 0.9),
                    bordercolor=vocabulary.palette("border"), borderwidth=1),
        uirevision="localiser")
    add_source(fig, source_line, width=150, min_bottom=40)
    return fig
