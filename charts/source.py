"""The source line drawn inside every Plotly figure (an annotation named 'source'), so a PNG/SVG/PPTX export
can never lose it. Its wording comes from presentation/sources.py.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go

from charts import style
from observatoire import vocabulary

SOURCE_NAME = "source"


def wrap(text: str, width: int = 150) -> str:
    """The source line over lines of `width` characters, escaped for Plotly (it names files and surveys)."""
    return style.wrap(text, width, max_lines=None)


def add_source(fig: go.Figure, text: str, *, width: int = 150, min_bottom: int = 70) -> go.Figure:
    """Put `text` at the bottom-left of the figure (replacing an earlier source annotation). Returns fig.

    Placed from the layout's margins, so call it after the margins are set; charts whose axes use
    automargin (long tick labels) should fix margin.l instead, or the line shifts right."""
    wrapped = wrap(text, width)
    n_lines = wrapped.count("<br>") + 1
    annotations = [a for a in (fig.layout.annotations or []) if a.name != SOURCE_NAME]
    margin = fig.layout.margin
    bottom = max(margin.b if margin.b is not None else 0, min_bottom + 14 * (n_lines - 1))
    fig.layout.annotations = annotations
    fig.update_layout(margin=dict(b=bottom))
    left = margin.l if margin.l is not None else 80  # plotly's default left margin
    fig.add_annotation(
        name=SOURCE_NAME, text=wrapped, showarrow=False, align="left",
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
        xshift=-(left - 6), yshift=-(bottom - 4), font=dict(size=10, color=vocabulary.palette("grey")),
    )
    return fig


def figure_source(fig: go.Figure) -> str | None:
    """The source text of a figure (plain: without line breaks nor Plotly escapes), or None."""
    for a in fig.layout.annotations or []:
        if a.name == SOURCE_NAME:
            return html.unescape((a.text or "").replace("<br>", " "))
    return None
