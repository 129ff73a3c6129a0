"""The élu's barometer as a figure (for PNG/SVG export, decks and the annual bilan): one row per key
indicator with its light against the reference territory, its light against an earlier edition, and
its sentence. Row heights follow the wrapped text, so long sentences never overlap."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.source import add_source
from observatoire import vocabulary
from presentation.text import plotly_text

LINE_PX = 17      # one line of 12 px text
ROW_PAD_PX = 16
WRAP = 100        # characters per sentence line at 900 px


def lights_figure(rows: pd.DataFrame, *, title: str, source_line: str, width: int = 900) -> go.Figure:
    """rows: label, light (mieux | comparable | moins_bien | None), light_trend (same or None),
    value_text, sentence."""
    rows = rows.reset_index(drop=True)
    blocks = []
    y = 0.0
    for r in rows.itertuples():
        lines = [plotly_text(line) for line in textwrap.wrap(str(r.sentence or ""), WRAP)]
        h = LINE_PX * (1 + len(lines)) + ROW_PAD_PX
        blocks.append((y, h, lines))
        y += h
    total = max(y, 1.0)
    fig = go.Figure()
    tops = [b[0] + LINE_PX * 0.6 for b in blocks]
    for col_x, col in ((0.025, "light"), (0.075, "light_trend")):
        if col not in rows:
            continue
        st_ = [vocabulary.light(v) for v in rows[col]]
        fig.add_trace(go.Scatter(
            x=[col_x] * len(rows), y=tops, mode="markers+text", text=[s["symbol"] for s in st_],
            textfont=dict(color="white", size=11), hoverinfo="skip", showlegend=False,
            marker=dict(size=24, color=[s["color"] for s in st_])))
    for (y0, h, lines), r in zip(blocks, rows.itertuples()):
        text = f"<b>{plotly_text(r.label)}</b> : {plotly_text(r.value_text)}"
        if lines:
            text += f"<br><span style='color:{style.SUBTITLE}'>" + "<br>".join(lines) + "</span>"
        fig.add_annotation(x=0.11, y=y0, xanchor="left", yanchor="top", align="left", showarrow=False,
                           text=text, font=dict(size=12))
        fig.add_shape(type="line", x0=0, x1=1, y0=y0 + h - ROW_PAD_PX / 3, y1=y0 + h - ROW_PAD_PX / 3,
                      line=dict(color=style.GRID, width=1))
    for x, label in ((0.025, "réf."), (0.075, "évol.")):
        fig.add_annotation(x=x, y=-4, text=label, showarrow=False, yanchor="bottom",
                           font=dict(size=9, color=style.SECONDARY))
    style.base_layout(fig, height=int(total) + 130, title=plotly_text(title))
    fig.update_xaxes(visible=False, range=[0, 1])
    fig.update_yaxes(visible=False, range=[total + 4, -22])
    fig.update_layout(width=width, margin=dict(l=10, r=10, t=60, b=60))
    add_source(fig, source_line, width=140, min_bottom=60)
    return fig
