"""Charts of the fiche quartier: the quartier against its reference territories, and the evolution of the
gap over comparable editions. Inputs are the structures returned by indicators.fiche / indicators.gaps."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import style
from charts.source import add_source
from observatoire import frformat, vocabulary
from presentation import fiche as fiche_view
from presentation.text import level_name, plotly_text


def reference_bars(rows: pd.DataFrame, *, label: str, edition, source_line: str, note: str | None = None,
                   unit: str | None = None, height: int | None = None) -> go.Figure:
    """Horizontal bars: the quartier then each reference territory with a shown value; the levels without
    one are named in `note` under the bars (never drawn as zero).

    rows (presentation.fiche.Detail.bars): level, name, value, text — `text` is the value as every table
    prints it (« ≈ 49,2 % », « 22,0 % (2021) »), used for the labels and the hover. First row = the quartier.
    """
    ok = rows.reset_index(drop=True)
    names = [f"<b>{style.wrap(r.name, 30)}</b>" if r.level == "qpv" else style.wrap(level_name(r.level, r.name), 32)
             for r in ok.itertuples()]
    colors = [vocabulary.color("levels", r.level, style.REFERENCE) for r in ok.itertuples()]
    fig = go.Figure(go.Bar(
        y=names, x=ok.value.astype(float), orientation="h", marker_color=colors, text=[plotly_text(t) for t in ok.text],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>%{text}<extra></extra>"))
    vmax = float(ok.value.max()) if len(ok) else 1.0
    n = max(len(ok), 1)
    style.base_layout(fig, height=height or 150 + 46 * n + (24 if note else 0),
                      title=style.wrap(f"{label} — {edition}", 70, 2))
    fig.update_layout(showlegend=False, bargap=0.3, margin=dict(l=240, r=30, t=70))
    fig.update_xaxes(range=[0, vmax * 1.25 if vmax > 0 else 1], showgrid=True, gridcolor=style.GRID,
                     title=None, nticks=6, tickangle=0, ticksuffix=" %" if unit == "%" else "",
                     separatethousands=True)
    fig.update_yaxes(autorange="reversed", title=None, automargin=False)
    if note:
        fig.add_annotation(
            text=style.wrap(note, 120, 2), xref="paper", yref="paper", x=0, y=0, yanchor="top", yshift=-28,
            showarrow=False, align="left", font=dict(size=11, color=style.SECONDARY))
        fig.update_layout(margin=dict(b=110))
    add_source(fig, source_line, width=130, min_bottom=110 if note else 70)
    return fig


def gap_evolution(series: pd.DataFrame, *, label: str, unit: str | None, source_line: str,
                  gaps: pd.DataFrame | None = None, gap_kind: str = "points", gap_title: str | None = None,
                  compared: tuple[int, int] | None = None, caveat: str | None = None,
                  height: int = 520, from_zero: bool = False) -> go.Figure:
    """Top: the quartier and its references over editions (from zero when `from_zero`: print, no truncated
    axis that would exaggerate changes). Bottom: the gap to one reference (points or
    ratio), with the two editions of the INSEE-compliant comparison marked.

    series (presentation.fiche.Detail.evolution): edition, level, name, value, text — `text` keeps « ≈ » for a
    2024 quartier's borrowed values, on the labels and in the hover. gaps: edition, gap, text.
    """
    has_gap = gaps is not None and len(gaps) and gaps.gap.notna().any()
    titles = ["Valeurs", style.wrap(gap_title or "", 90, 2)] if has_gap else None
    fig = make_subplots(rows=2 if has_gap else 1, cols=1, shared_xaxes=True, vertical_spacing=0.16,
                        row_heights=[0.6, 0.4] if has_gap else [1.0], subplot_titles=titles)
    s = series
    order = vocabulary.codes("levels")
    shown = s[s.value.notna()]
    editions = {int(e) for e in shown.edition}
    for level in sorted(shown.level.unique(), key=lambda lv: order.index(lv) if lv in order else 99):
        g = shown[shown.level == level].sort_values("edition")
        raw_name = g.name.iloc[0]
        name = plotly_text(raw_name)
        is_q = level == "qpv"
        texts = dict(zip(g.edition.astype(int), g.text))
        # a missing millésime breaks the line (presentation.fiche.line_runs): a None between two runs
        runs = fiche_view.line_runs(list(zip(g.edition.astype(int), g.value.astype(float))), editions)
        points = [p for k, run in enumerate(runs) for p in ([(None, None)] if k else []) + run]
        g = pd.DataFrame({"edition": [e for e, _ in points], "value": [v for _, v in points],
                          "text": [texts[e] if e is not None else "" for e, _ in points]})
        fig.add_trace(go.Scatter(
            x=g.edition, y=g.value, mode="lines+markers+text" if is_q else "lines+markers",
            name=(f"<b>{name}</b>" if is_q else plotly_text(level_name(level, raw_name))),
            line=dict(color=vocabulary.color("levels", level, style.REFERENCE), width=3 if is_q else 1.6,
                      dash="dot" if level == "ensemble_qpv" else None),
            marker=dict(size=8 if is_q else 6),
            text=[plotly_text(t) for t in g.text] if is_q else None, cliponaxis=False,
            textposition="top center", textfont=dict(size=11),
            customdata=[plotly_text(t) for t in g.text],
            hovertemplate="%{x} : %{customdata}<extra>" + name + "</extra>"), row=1, col=1)
    if len(s):   # headroom above the highest point so that its label is never clipped by the title
        top, low = float(s.value.max()), float(s.value.min())
        low = min(0.0, low) if from_zero else low - 0.1 * ((top - low) or abs(top) or 1.0)
        fig.update_yaxes(range=[low, top + 0.2 * ((top - low) or abs(top) or 1.0)], row=1, col=1)
    if has_gap:
        gg = gaps[gaps.gap.notna()].sort_values("edition")
        base, title = (1.0, "rapport") if gap_kind == "ratio" else (0.0, "écart (points)")
        colors = [style.QUARTIER if compared and e in compared else vocabulary.palette("bar_light") for e in gg.edition]
        fig.add_trace(go.Bar(x=gg.edition, y=gg.gap - base, base=base, text=[plotly_text(t) for t in gg.text],
                             textposition="outside", cliponaxis=False, marker_color=colors, showlegend=False,
                             name=plotly_text(gap_title or ""),
                             hovertemplate="%{x} : %{text}<extra></extra>"), row=2, col=1)
        fig.add_hline(y=base, line=dict(color=style.SECONDARY, width=1), row=2, col=1)
        fig.update_yaxes(title=dict(text=title, font=dict(size=11)), gridcolor=style.GRID, row=2, col=1)
    style.base_layout(fig, height=height if has_gap else 380, title=style.wrap(f"{label} : évolution", 70, 2))
    for ann in fig.layout.annotations:  # subplot titles: small, left-aligned
        ann.update(font=dict(size=12, color=style.SUBTITLE), x=0, xanchor="left")
    fig.update_xaxes(dtick=1, showgrid=False)
    fig.update_xaxes(title="Millésime", row=2 if has_gap else 1, col=1)
    style.year_axis(fig, dtick=1)
    fig.update_yaxes(title=plotly_text(frformat.display_unit(unit) or ""), gridcolor=style.GRID, row=1, col=1)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.14, x=0, xanchor="left",
                                  font=dict(size=11)), margin=dict(l=70, t=90, b=150))
    line = source_line + (f" — {caveat}" if caveat else "")
    add_source(fig, line, width=140, min_bottom=150)
    return fig


def profile_vs_references(rows: pd.DataFrame, *, title: str, source_line: str,
                          height: int | None = None) -> go.Figure:
    """Dot plot of shares (%) for several indicators: the quartier and chosen references side by side.

    rows: indicator_label, level, name, value (only % indicators, shown values).
    """
    fig = go.Figure()
    labels = list(dict.fromkeys(rows.indicator_label))
    order = vocabulary.codes("levels")
    for level in sorted(rows.level.unique(), key=lambda lv: order.index(lv) if lv in order else 99):
        g = rows[rows.level == level]
        is_q = level == "qpv"
        name = plotly_text(g.name.iloc[0])
        fig.add_trace(go.Scatter(
            x=g.value, y=[plotly_text(lab) for lab in g.indicator_label], mode="markers",
            name=(f"<b>{name}</b>" if is_q else vocabulary.level_label(level)),
            marker=dict(size=14 if is_q else 10, color=vocabulary.color("levels", level, style.REFERENCE),
                        symbol="circle" if is_q else "diamond", line=dict(color="white", width=1)),
            customdata=[frformat.fmt_number(v, 1, "%") for v in g.value],
            hovertemplate="%{y}<br>%{customdata}<extra>" + name + "</extra>"))
    style.base_layout(fig, height=height or 120 + 34 * len(labels), title=plotly_text(title))
    fig.update_xaxes(ticksuffix=" %", gridcolor=style.GRID, rangemode="tozero", title=None)
    fig.update_yaxes(categoryorder="array", categoryarray=[plotly_text(lab) for lab in labels[::-1]], title=None,
                     automargin=True)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left"),
                      margin=dict(t=80))
    add_source(fig, source_line, width=130)
    return fig


def means_chart(means: pd.DataFrame, *, source_line: str, height: int = 340) -> go.Figure:
    """State means of a contract per year: posts (bars) by scheme, amount in the hover.
    means: year, kind, n_posts, amount, Dispositif (French label)."""
    fig = go.Figure()
    colors = vocabulary.colors("means_kinds")
    for kind, g in means.groupby("kind", sort=True):
        g = g.sort_values("year")
        fig.add_trace(go.Bar(
            x=g.year.astype(str), y=g.n_posts, name=plotly_text(g.Dispositif.iloc[0]),
            marker_color=colors.get(kind, style.REFERENCE), text=g.n_posts, textposition="outside",
            customdata=[frformat.fmt_number(a, 0, "€") for a in g.amount],
            hovertemplate="%{x} : %{y} postes<br>%{customdata}<extra>" + plotly_text(g.Dispositif.iloc[0])
                          + "</extra>"))
    style.base_layout(fig, height=height, title="Postes financés par l'État dans le contrat")
    fig.update_layout(barmode="group", legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      margin=dict(t=80))
    top = float(means.n_posts.max()) if len(means) else 1.0
    fig.update_yaxes(title="postes", gridcolor=style.GRID, range=[0, top * 1.18])
    fig.update_xaxes(title=None, type="category")
    fig.update_traces(cliponaxis=False)
    add_source(fig, source_line, width=130)
    return fig


def detail_bars(d) -> go.Figure:
    """reference_bars of a presentation.fiche.Detail (the page, `python -m exports graphique`)."""
    return reference_bars(d.bars, label=d.label, edition=d.edition, source_line=d.bars_source_line, note=d.bars_note,
                          unit=d.unit)


def detail_evolution(d, height: int = 520, with_gaps: bool = True, from_zero: bool = False) -> go.Figure | None:
    """gap_evolution of a presentation.fiche.Detail (the page, the PDF, `python -m exports graphique`); None
    when the indicator has fewer than two editions. The PDF's small charts leave the gap bars out and start
    their axis at zero."""
    if d.evolution is None:
        return None
    return gap_evolution(d.evolution, label=d.label, unit=d.unit, source_line=d.evolution_source_line,
                         gaps=d.gaps if with_gaps else None,
                         gap_kind=d.gap_kind, gap_title=d.gap_title, compared=d.compared, caveat=d.evolution_caveat,
                         height=height, from_zero=from_zero)
