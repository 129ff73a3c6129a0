"""Charts of the Comparer page: several quartiers side by side, their profiles, and where they stand in
the national distribution of one indicator (selection highlighted)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.source import add_source
from observatoire import frformat, vocabulary
from presentation import text

SERIES_COLORS = style.SERIES[:8]


def side_by_side(rows: pd.DataFrame, *, label: str, unit: str | None, decimals: int, edition,
                 source_line: str, references: pd.DataFrame | None = None,
                 height: int | None = None) -> go.Figure:
    """Horizontal bars of one indicator for the selected quartiers; references as vertical lines.

    rows: code, name, value, status (approx: values of 2024 quartiers through their 2015 predecessors, « ≈ »).
    references: name, value (e.g. Ensemble des QPV, France).
    """
    rows = rows.reset_index(drop=True)
    ok = rows.status.isin(vocabulary.shown_statuses()) & rows.value.notna()
    approx = rows["approx"] if "approx" in rows else pd.Series(False, index=rows.index)
    texts = [text.value_text(r.value, r.status if k else (r.status or "non_disponible"), unit, decimals, approx=bool(a))
             for r, k, a in zip(rows.itertuples(), ok, approx)]
    fig = go.Figure(go.Bar(
        y=[style.wrap(f"{r.name} ({r.code})", 34, 2) for r in rows.itertuples()], x=rows.value.where(ok, 0.0),
        orientation="h", text=texts, textposition="outside", cliponaxis=False,
        marker_color=[SERIES_COLORS[i % len(SERIES_COLORS)] for i in range(len(rows))],
        hovertemplate="%{y}<br>%{text}<extra></extra>", showlegend=False))
    xmax = float(rows.value.where(ok).max()) if ok.any() else 1.0
    if references is not None:
        for i, r in enumerate(references.dropna(subset=["value"]).itertuples()):
            xmax = max(xmax, float(r.value))
            fig.add_vline(x=r.value, line=dict(color=style.SECONDARY, width=1.5, dash="dash" if i else "dot"),
                          annotation=dict(text=f"{r.name} : {text.value_text(r.value, 'ok', unit, decimals)}",
                                          font=dict(size=11, color=style.SUBTITLE), textangle=0,
                                          yanchor="bottom", y=1.0 + 0.07 * i))
    style.base_layout(fig, height=height or 130 + 42 * len(rows), title=f"{label} — {edition}")
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
    neutral indicators: percentile of the value), value_text.
    """
    fig = go.Figure()
    rows = rows.assign(indicator_label=[style.wrap(x, 46, 2) for x in rows.indicator_label])
    labels = list(dict.fromkeys(rows.indicator_label))
    for i, (code, g) in enumerate(rows.groupby("code", sort=False)):
        fig.add_trace(go.Scatter(
            x=g.score, y=g.indicator_label, mode="markers", name=f"{g.name.iloc[0]} ({code})",
            marker=dict(size=13, color=SERIES_COLORS[i % len(SERIES_COLORS)], opacity=0.9,
                        line=dict(color="white", width=1)),
            customdata=g[["value_text"]].values,
            hovertemplate="%{y}<br>%{customdata[0]} — position %{x:.0f}/100<extra>%{fullData.name}</extra>"))
    fig.add_vrect(x0=0, x1=25, fillcolor=vocabulary.palette("band_good"), opacity=0.6, line_width=0, layer="below")
    fig.add_vrect(x0=75, x1=100, fillcolor=vocabulary.palette("band_bad"), opacity=0.6, line_width=0, layer="below")
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


def rank_distribution(dist: pd.DataFrame, *, highlight: list[str], label: str, unit: str | None,
                      decimals: int, polarity: str, edition, source_line: str,
                      height: int = 420) -> go.Figure:
    """All quartiers ranked by value (grey dots), the selection highlighted and named.

    dist: code, name, value (shown values only are plotted; the count of the others goes in the title).
    """
    d = dist[dist.value.notna()].sort_values("value").reset_index(drop=True)
    d["rank"] = np.arange(1, len(d) + 1)
    n_missing = int(dist.value.isna().sum())
    hl = d[d.code.isin(highlight)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=d["rank"], y=d.value, mode="markers", marker=dict(size=4, color=vocabulary.palette("other_points")),
        customdata=d[["name", "code"]].values, name="tous les quartiers",
        hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{y}<extra></extra>"))
    q = np.nanpercentile(d.value, [25, 50, 75]) if len(d) else [np.nan] * 3
    for val, txt in zip(q, ("1er quartile", "médiane", "3e quartile")):
        if np.isfinite(val):
            fig.add_hline(y=val, line=dict(color=style.REFERENCE, width=1, dash="dot"),
                          annotation=dict(text=f"{txt} : {text.value_text(val, 'ok', unit, decimals)}",
                                          font=dict(size=10, color=style.SECONDARY), xanchor="left", x=0.0))
    for i, r in enumerate(hl.itertuples()):
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        fig.add_trace(go.Scatter(
            x=[r.rank], y=[r.value], mode="markers", name=f"{r.name} ({r.code})",
            marker=dict(size=13, color=color, line=dict(color="white", width=1.5)),
            hovertemplate=f"{r.name}<br>rang {r.rank} sur {len(d)}<br>%{{y}}<extra></extra>",
            meta={"role": "selection", "code": r.code}))
        fig.add_annotation(x=r.rank, y=r.value, text=f"{r.name}<br>{text.value_text(r.value, 'ok', unit, decimals)}",
                           showarrow=True, arrowhead=0, ax=-40 if r.rank > len(d) / 2 else 40,
                           ay=-30 - 18 * (i % 3), font=dict(size=11, color=color), bgcolor="rgba(255,255,255,0.8)")
    direction = {"higher_worse": " — vers la droite : situation plus défavorable",
                 "higher_better": " — vers la droite : situation plus favorable"}.get(polarity, "")
    title = style.wrap(f"{label} — {edition} : les {frformat.fmt_int(len(d))} quartiers classés{direction}", 95, 2)
    style.base_layout(fig, height=height, title=title)
    fig.update_xaxes(title=f"rang (sur {frformat.fmt_int(len(d))} quartiers avec une valeur"
                           + (f" ; {n_missing} sans valeur publiée)" if n_missing else ")"),
                     showgrid=False, zeroline=False)
    fig.update_yaxes(title=frformat.display_unit(unit) or "", gridcolor=style.GRID,
                     ticksuffix=" %" if unit == "%" else "")
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2, x=0, xanchor="left"),
                      margin=dict(l=70, b=120))
    add_source(fig, source_line, width=130, min_bottom=120)
    return fig
