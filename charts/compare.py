"""Charts of the Comparer page: several quartiers side by side, their profiles, and where they stand in
the national distribution of one indicator (selection highlighted). Every label, hover and annotation is a
text of presentation.compare's views (value_cell: « ≈ » and status labels kept)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.source import add_source
from observatoire import vocabulary
from presentation.text import plotly_text

SERIES_COLORS = vocabulary.scale("series")      # one colour per selected quartier, in selection order
WHITE = vocabulary.palette("white")
INK = vocabulary.palette("ink")
RULE = vocabulary.palette("rule")


def series_color(i: int) -> str:
    return SERIES_COLORS[int(i) % len(SERIES_COLORS)]


def side_by_side(rows: pd.DataFrame, *, label: str, unit: str | None, edition, source_line: str,
                 references: pd.DataFrame | None = None, height: int | None = None) -> go.Figure:
    """Horizontal bars of one indicator for the selected quartiers; references as vertical lines.

    rows: code, name, value (None when not shown), text (the value_cell text: « ≈ 49,2 % », « secret
    statistique »). references: name, value, text.
    """
    rows = rows.reset_index(drop=True)
    ok = rows.value.notna()
    fig = go.Figure(go.Bar(
        y=[style.wrap(f"{r.name} ({r.code})", 34, 2) for r in rows.itertuples()], x=rows.value.where(ok, 0.0),
        orientation="h", text=[plotly_text(t) for t in rows.text], textposition="outside", cliponaxis=False,
        marker_color=[series_color(i) for i in range(len(rows))],
        hovertemplate="%{y}<br>%{text}<extra></extra>", showlegend=False))
    xmax = float(rows.value.where(ok).max()) if ok.any() else 1.0
    if references is not None:
        for i, r in enumerate(references.dropna(subset=["value"]).itertuples()):
            xmax = max(xmax, float(r.value))
            fig.add_vline(x=r.value, line=dict(color=RULE, width=1.5, dash="dash" if i else "dot"),
                          annotation=dict(text=plotly_text(r.text), font=dict(size=11, color=INK), textangle=0,
                                          yanchor="bottom", y=1.0 + 0.07 * i))
    style.base_layout(fig, height=height or 130 + 42 * len(rows), title=plotly_text(f"{label} — {edition}"))
    n_refs = 0 if references is None else len(references)
    fig.update_layout(margin=dict(l=250, t=60 + 18 * n_refs), bargap=0.3)
    fig.update_xaxes(range=[0, xmax * 1.22 if xmax > 0 else 1], gridcolor=style.GRID, title=None,
                     ticksuffix=" %" if unit == "%" else "")
    fig.update_yaxes(autorange="reversed", automargin=False, title=None)
    add_source(fig, source_line, width=130)
    return fig


def profile(rows: pd.DataFrame, *, source_line: str, height: int | None = None) -> go.Figure:
    """Dot plot of national positions: one line per indicator, one colour per quartier.

    rows: code, name, indicator_label, score (0-100, 100 = most unfavourable among all quartiers; for
    neutral indicators: percentile of the value), score_text, value_text, color_index.
    """
    fig = go.Figure()
    rows = rows.assign(indicator_label=[style.wrap(x, 46, 2) for x in rows.indicator_label])
    labels = list(dict.fromkeys(rows.indicator_label))
    for code, g in sorted(rows.groupby("code", sort=False), key=lambda kv: kv[1].color_index.iloc[0]):
        fig.add_trace(go.Scatter(
            x=g.score, y=g.indicator_label, mode="markers", name=plotly_text(f"{g.name.iloc[0]} ({code})"),
            marker=dict(size=13, color=series_color(g.color_index.iloc[0]), opacity=0.9,
                        line=dict(color=WHITE, width=1)),
            customdata=[[plotly_text(v), plotly_text(sc)] for v, sc in zip(g.value_text, g.score_text)],
            hovertemplate="%{y}<br>%{customdata[0]} — position %{customdata[1]}/100<extra>%{fullData.name}</extra>"))
    fig.add_vrect(x0=0, x1=25, fillcolor=vocabulary.palette("favourable_zone"), opacity=0.6, line_width=0,
                  layer="below")
    fig.add_vrect(x0=75, x1=100, fillcolor=vocabulary.palette("unfavourable_zone"), opacity=0.6, line_width=0,
                  layer="below")
    fig.add_vline(x=50, line=dict(color=style.REFERENCE, width=1, dash="dot"))
    n_codes = rows.code.nunique()
    style.base_layout(fig, height=height or 190 + 40 * len(labels) + 22 * n_codes,
                      title="Position parmi tous les quartiers : 0 = le plus favorable, 100 = le plus défavorable")
    fig.update_xaxes(range=[0, 100], dtick=25, gridcolor=style.GRID, title=None, side="top")
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], automargin=False, title=None)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.03, x=0, xanchor="left"),
                      margin=dict(l=330, t=90, b=60 + 22 * n_codes))
    add_source(fig, source_line, width=130, min_bottom=60 + 22 * n_codes)
    return fig


def rank_distribution(panel: dict, *, unit: str | None, source_line: str, height: int = 420) -> go.Figure:
    """All quartiers of one geography ranked by value (grey dots), the selected ones highlighted and named.

    panel: a distribution of presentation.compare.indicator_view (`points` code, name, value, text,
    position; `selection` the same plus color_index, rank_text; `quartiles`, `title`, `axis_title`,
    `unit_title`).
    """
    d, hl = panel["points"], panel["selection"]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=d.position, y=d.value, mode="markers", marker=dict(size=4, color=vocabulary.palette("cloud")),
        customdata=[[plotly_text(x) for x in r] for r in d[["name", "code", "text"]].values], name="tous les quartiers",
        hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{customdata[2]}<extra></extra>"))
    for q in panel["quartiles"]:
        fig.add_hline(y=q["value"], line=dict(color=style.REFERENCE, width=1, dash="dot"),
                      annotation=dict(text=plotly_text(q["text"]), font=dict(size=10, color=RULE), xanchor="left",
                                      x=0.0))
    n = len(d)
    for i, r in enumerate(hl.itertuples()):
        color = series_color(r.color_index)
        fig.add_trace(go.Scatter(
            x=[r.position], y=[r.value], mode="markers", name=plotly_text(f"{r.name} ({r.code})"),
            marker=dict(size=13, color=color, line=dict(color=WHITE, width=1.5)),
            customdata=[[plotly_text(r.name), plotly_text(r.rank_text), plotly_text(r.text)]],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
            meta={"role": "selection", "code": r.code, "text": r.text}))
        fig.add_annotation(x=r.position, y=r.value, text=f"{plotly_text(r.name)}<br>{plotly_text(r.text)}",
                           showarrow=True, arrowhead=0, ax=-40 if r.position > n / 2 else 40,
                           ay=-30 - 18 * (i % 3), font=dict(size=11, color=color),
                           bgcolor=style.rgba(WHITE, 0.8))
    style.base_layout(fig, height=height, title=style.wrap(panel["title"], 95, 2))
    fig.update_xaxes(title=plotly_text(panel["axis_title"]), showgrid=False, zeroline=False)
    fig.update_yaxes(title=plotly_text(panel["unit_title"]), gridcolor=style.GRID,
                     ticksuffix=" %" if unit == "%" else "")
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2, x=0, xanchor="left"),
                      margin=dict(l=70, b=120))
    add_source(fig, source_line, width=130, min_bottom=120)
    return fig
