"""Charts of the fiche quartier: the quartier against its reference territories, and the evolution of the
gap over comparable editions. Inputs are the structures returned by indicators.fiche / indicators.gaps."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.source import add_source
from observatoire import frformat

SHOWN = {"ok", "bruite"}


def _unit_txt(unit: str | None) -> str | None:
    return None if unit in (None, "", "nombre", "indice") else unit


def _val_text(value, status, unit, decimals) -> str:
    from indicators.secret import label

    if status not in SHOWN or value is None or value != value:
        return label(status or "non_disponible")
    return frformat.fmt_number(value, decimals, _unit_txt(unit))


def reference_bars(rows: pd.DataFrame, *, label: str, unit: str | None, decimals: int, edition,
                   source_line: str, height: int | None = None) -> go.Figure:
    """Horizontal bars: the quartier then each reference territory.

    rows: level, name, value, status (first row = the quartier). Missing values are written, not drawn.
    """
    rows = rows.reset_index(drop=True)
    names = [f"{style.LEVEL_LABELS.get(r.level, r.level)} : {r.name}" if r.level != "qpv" else f"<b>{r.name}</b>"
             for r in rows.itertuples()]
    shown = rows.status.isin(SHOWN) & rows.value.notna()
    values = rows.value.where(shown, 0.0).astype(float)
    texts = [_val_text(r.value, r.status, unit, decimals) for r in rows.itertuples()]
    colors = [style.LEVEL_COLORS.get(r.level, style.REFERENCE) for r in rows.itertuples()]
    fig = go.Figure(go.Bar(
        y=names, x=values, orientation="h", marker_color=colors, text=texts,
        textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>%{text}<extra></extra>"))
    vmax = float(values.max()) if len(values) else 1.0
    style.base_layout(fig, height=height or 90 + 38 * len(rows),
                      title=f"{label} — {edition}")
    fig.update_layout(showlegend=False, bargap=0.3)
    fig.update_xaxes(range=[0, vmax * 1.25 if vmax > 0 else 1], showgrid=True, gridcolor=style.GRID,
                     title=None, ticksuffix=" %" if unit == "%" else "")
    fig.update_yaxes(autorange="reversed", title=None, automargin=True)
    add_source(fig, source_line, width=120)
    return fig


def gap_evolution(series: pd.DataFrame, *, label: str, unit: str | None, decimals: int,
                  source_line: str, caveat: str | None = None, height: int = 380) -> go.Figure:
    """Lines over editions: the quartier and its references. series: edition, level, name, value, status."""
    fig = go.Figure()
    s = series[series.status.isin(SHOWN) & series.value.notna()].copy()
    order = list(style.LEVEL_LABELS)
    for level in sorted(s.level.unique(), key=lambda lv: order.index(lv) if lv in order else 99):
        g = s[s.level == level].sort_values("edition")
        name = g.name.iloc[0]
        is_q = level == "qpv"
        fig.add_trace(go.Scatter(
            x=g.edition, y=g.value, mode="lines+markers+text" if is_q else "lines+markers",
            name=(f"<b>{name}</b>" if is_q else f"{style.LEVEL_LABELS.get(level, level)} : {name}"),
            line=dict(color=style.LEVEL_COLORS.get(level, style.REFERENCE), width=3 if is_q else 1.6,
                      dash=None if is_q else "dot" if level == "ensemble_qpv" else None),
            marker=dict(size=8 if is_q else 6),
            text=[frformat.fmt_number(v, decimals) for v in g.value] if is_q else None,
            textposition="top center",
            hovertemplate="%{x} : %{y}<extra>" + name + "</extra>"))
    style.base_layout(fig, height=height, title=f"{label} : évolution")
    fig.update_xaxes(dtick=1, title="Millésime", showgrid=False)
    fig.update_yaxes(title=_unit_txt(unit) or "", gridcolor=style.GRID, rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, x=0, xanchor="left"),
                      margin=dict(b=130))
    line = source_line + (f" — {caveat}" if caveat else "")
    add_source(fig, line, width=140, min_bottom=130)
    return fig


def profile_vs_references(rows: pd.DataFrame, *, title: str, source_line: str,
                          height: int | None = None) -> go.Figure:
    """Dot plot of shares (%) for several indicators: the quartier and chosen references side by side.

    rows: indicator_label, level, name, value (only % indicators, shown values).
    """
    fig = go.Figure()
    labels = list(dict.fromkeys(rows.indicator_label))
    order = list(style.LEVEL_LABELS)
    for level in sorted(rows.level.unique(), key=lambda lv: order.index(lv) if lv in order else 99):
        g = rows[rows.level == level]
        is_q = level == "qpv"
        fig.add_trace(go.Scatter(
            x=g.value, y=g.indicator_label, mode="markers",
            name=(f"<b>{g.name.iloc[0]}</b>" if is_q else style.LEVEL_LABELS.get(level, level)),
            marker=dict(size=14 if is_q else 10, color=style.LEVEL_COLORS.get(level, style.REFERENCE),
                        symbol="circle" if is_q else "diamond", line=dict(color="white", width=1)),
            customdata=[frformat.fmt_number(v, 1, "%") for v in g.value],
            hovertemplate="%{y}<br>%{customdata}<extra>" + str(g.name.iloc[0]) + "</extra>"))
    style.base_layout(fig, height=height or 120 + 34 * len(labels), title=title)
    fig.update_xaxes(ticksuffix=" %", gridcolor=style.GRID, rangemode="tozero", title=None)
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], title=None, automargin=True)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left"),
                      margin=dict(t=80))
    add_source(fig, source_line, width=130)
    return fig


def means_chart(means: pd.DataFrame, *, source_line: str, height: int = 340) -> go.Figure:
    """State means of a contract per year: posts (bars) by scheme, amount in the hover.
    means: year, kind, n_posts, amount, Dispositif (French label)."""
    fig = go.Figure()
    colors = {"adulte_relais": "#1f4e79", "fonjep": "#b5651d"}
    for kind, g in means.groupby("kind", sort=True):
        g = g.sort_values("year")
        fig.add_trace(go.Bar(
            x=g.year.astype(str), y=g.n_posts, name=g.Dispositif.iloc[0],
            marker_color=colors.get(kind, style.REFERENCE), text=g.n_posts, textposition="outside",
            customdata=[frformat.fmt_number(a, 0, "€") for a in g.amount],
            hovertemplate="%{x} : %{y} postes<br>%{customdata}<extra>" + g.Dispositif.iloc[0] + "</extra>"))
    style.base_layout(fig, height=height, title="Postes financés par l'État dans le contrat")
    fig.update_layout(barmode="group", legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      margin=dict(t=80))
    fig.update_yaxes(title="postes", gridcolor=style.GRID, rangemode="tozero")
    fig.update_xaxes(title=None, type="category")
    add_source(fig, source_line, width=130)
    return fig
