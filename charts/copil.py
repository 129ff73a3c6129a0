"""Contract-level charts for the COPIL deck and the annual report: the gap of every quartier of a contract
to one reference, over editions (one line per quartier). Input: presentation.contract.gap_series() output,
itself built on indicators.evolution."""
from __future__ import annotations

import plotly.graph_objects as go

from charts import style
from charts.source import add_source
from observatoire import vocabulary
from presentation.text import plotly_text

LINE_COLORS = vocabulary.scale("series")


def gap_lines(g: dict, *, source_line: str, height: int = 480, width: int = 900) -> go.Figure:
    """g: {title, gap_kind ('ratio' | 'points'), editions, series {name: [gap per edition, None = gap]}}.

    A ratio is drawn around 1 (equality with the reference), a difference in points around 0."""
    fig = go.Figure()
    eds = [str(e) for e in g["editions"]]
    for i, (name, values) in enumerate(g["series"].items()):
        fig.add_trace(go.Scatter(x=eds, y=values, mode="lines+markers", name=plotly_text(name), connectgaps=False,
                                 line=dict(color=LINE_COLORS[i % len(LINE_COLORS)], width=2),
                                 marker=dict(size=6)))
    ratio = g["gap_kind"] == "ratio"
    fig.add_hline(y=1 if ratio else 0, line=dict(color=vocabulary.palette("grey"), width=1.2, dash="dash"))
    style.base_layout(fig, height=height, title=plotly_text(g["title"]))
    fig.update_layout(width=width, legend=dict(font=dict(size=11), x=1.01, xanchor="left", y=1, yanchor="top"),
                      margin=dict(r=10))
    fig.update_xaxes(type="category", title="Millésime", showgrid=False)
    fig.update_yaxes(title="rapport (1 = égalité)" if ratio else "écart (points)", gridcolor=style.GRID,
                     tickformat=".2f" if ratio else "+.1f", zeroline=False)
    add_source(fig, source_line, width=150)
    return fig
