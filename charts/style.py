"""One visual language for every chart: fonts, French separators, and colours tied to polarity.

Colour rule, everywhere: the darker / the redder, the more unfavourable the situation. For an indicator
where higher is worse (poverty rate), the scale darkens as values rise; where higher is better (income,
employment rate) it darkens as values fall; neutral indicators (population, age) use a blue scale that
carries no judgement.
"""
from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from observatoire import vocabulary
from presentation.text import plotly_text

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"   # installed system font: no web font fetched
# The house palette (catalogue/vocabulary.yaml `palette`, `scales`): every renderer reads the same colours.
TEXT = vocabulary.palette("text")
GRID = vocabulary.palette("grid")
MUTED = vocabulary.palette("muted")            # secret / non disponible
HIGHLIGHT = vocabulary.palette("highlight")    # the selected quartier(s)
QUARTIER = vocabulary.color("levels", "qpv")   # the quartier itself in bar charts
REFERENCE = vocabulary.palette("reference")    # reference territories
WORSE_SCALE = vocabulary.scale("worse")        # light -> dark = unfavourable
NEUTRAL_SCALE = vocabulary.scale("neutral")
SERIES = vocabulary.scale("series")            # distinct series (compared quartiers, COPIL lines)
SECONDARY = vocabulary.palette("rule")    # annotations, reference lines, notes
SUBTITLE = vocabulary.palette("ink")      # subplot titles, secondary text
BORDER = vocabulary.palette("border")
GREY = vocabulary.palette("grey")              # source lines

# Barometer lights, level labels and colours: catalogue/vocabulary.yaml (observatoire.vocabulary).


def class_colors(polarity: str, k: int) -> list[str]:
    """k colours for classes in ascending value order, darkest = most unfavourable."""
    scale = NEUTRAL_SCALE if polarity not in ("higher_worse", "higher_better") else WORSE_SCALE
    if k <= 1:
        return [scale[3]]
    idx = [round(i * (len(scale) - 2) / (k - 1)) for i in range(k)]  # skip the darkest extreme
    colors = [scale[i] for i in idx]
    return colors[::-1] if polarity == "higher_better" else colors


def polarity_note(polarity: str) -> str:
    if polarity == "higher_worse":
        return "plus foncé = valeur plus élevée = situation plus défavorable"
    if polarity == "higher_better":
        return "plus foncé = valeur plus faible = situation plus défavorable"
    return "indicateur descriptif : la couleur n'exprime pas de jugement"


def base_layout(fig: go.Figure, *, height: int | None = None, title: str | None = None,
                legend_bottom: bool = False) -> go.Figure:
    """White background, system font, French number separators, compact margins."""
    fig.update_layout(
        template="plotly_white",
        font=dict(family=FONT_FAMILY, size=13, color=TEXT),
        separators=", ",
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=20, t=(50 + 18 * title.count("<br>")) if title else 20, b=70),
        hoverlabel=dict(font_family=FONT_FAMILY, bgcolor="white"),
    )
    if title:
        fig.update_layout(title=dict(text=title, x=0, xanchor="left", font=dict(size=15)))
    if height:
        fig.update_layout(height=height)
    fig.update_xaxes(separatethousands=True)
    fig.update_yaxes(separatethousands=True)
    if legend_bottom:
        fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, xanchor="left"))
    return fig


def year_axis(fig: go.Figure, **kw) -> go.Figure:
    """An x axis of millésimes: whole years, never « 2 013 » (base_layout groups thousands elsewhere)."""
    fig.update_xaxes(separatethousands=False, tickformat="d", **kw)
    return fig


def wrap(text: str, width: int = 32, max_lines: int | None = 3) -> str:
    """Break a label into <br>-separated lines (long French labels on axes and titles), at most `max_lines`
    (None: all). Each line is escaped for Plotly (presentation.text.plotly_text): names, labels and file names
    are drawn as typed, never read as Plotly's HTML."""
    lines = textwrap.wrap(str(text), width) or [str(text)]
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" ,;") + "…"
    return "<br>".join(plotly_text(line) for line in lines)


def rgba(hex_colour: str, alpha: float) -> str:
    """`rgba(r, g, b, alpha)` of a palette colour: translucent fills and backgrounds keep the house colours."""
    r, g, b = vocabulary.rgb(hex_colour)
    return f"rgba({r}, {g}, {b}, {alpha})"
