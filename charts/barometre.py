"""The élu's barometer as a figure (for PNG/SVG export, decks and the annual bilan): one row per key
indicator with its light against the commune/EPCI, its light against an earlier edition, and one sentence."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.source import add_source


def lights_figure(rows: pd.DataFrame, *, title: str, source_line: str, width: int = 900) -> go.Figure:
    """rows: label, light (mieux | comparable | moins_bien | None), light_trend (same or None),
    value_text, sentence."""
    rows = rows.reset_index(drop=True)
    n = len(rows)
    fig = go.Figure()
    ys = list(range(n))[::-1]
    for col_x, col in ((0.02, "light"), (0.075, "light_trend")):
        if col not in rows:
            continue
        st_ = [style.light_style(v) for v in rows[col]]
        fig.add_trace(go.Scatter(
            x=[col_x] * n, y=ys, mode="markers+text", text=[s["symbol"] for s in st_],
            textfont=dict(color="white", size=11), hoverinfo="skip", showlegend=False,
            marker=dict(size=26, color=[s["color"] for s in st_])))
    for y, r in zip(ys, rows.itertuples()):
        sentence = "<br>".join(textwrap.wrap(str(r.sentence or ""), 95))
        fig.add_annotation(x=0.115, y=y, xanchor="left", yanchor="middle", align="left", showarrow=False,
                           text=f"<b>{r.label}</b> : {r.value_text}<br><span style='color:#4a5560'>{sentence}</span>",
                           font=dict(size=12))
    style.base_layout(fig, height=110 + 62 * n, title=title)
    fig.update_xaxes(visible=False, range=[0, 1])
    fig.update_yaxes(visible=False, range=[-0.7, n - 0.3])
    fig.add_annotation(x=0.02, y=n - 0.35, text="commune", showarrow=False, font=dict(size=9, color="#6b7785"),
                       yanchor="bottom")
    fig.add_annotation(x=0.075, y=n - 0.35, text="évolution", showarrow=False,
                       font=dict(size=9, color="#6b7785"), yanchor="bottom")
    fig.update_layout(width=width, margin=dict(l=10, r=10, t=60, b=60))
    add_source(fig, source_line, width=140, min_bottom=60)
    return fig
