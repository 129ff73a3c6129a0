"""The source line carried by every chart and table: producer, millésime, geography generation, démo label.

It is part of the figure itself (an annotation named 'source'), so a PNG/SVG/PPTX export can never lose it.
"""
from __future__ import annotations

import textwrap
from typing import Iterable

import plotly.graph_objects as go

DEMO_LABEL = "Données de démonstration"
OBSERVATORY = "Observatoire des contrats de ville"
SOURCE_NAME = "source"


def _join(values) -> str:
    if values is None:
        return ""
    if isinstance(values, (str, int)):
        return str(values)
    seen: list[str] = []
    for v in values:
        if v is None or v == "":
            continue
        v = str(v)
        if v not in seen:
            seen.append(v)
    return ", ".join(seen)


def millesimes_text(editions: Iterable | int | str | None) -> str:
    """'2019' or '2017 à 2022' or '2017, 2019' (sorted, deduplicated)."""
    if editions is None:
        return ""
    if isinstance(editions, (int, str)):
        return str(editions)
    years = sorted({int(e) for e in editions if e not in (None, "")})
    if not years:
        return ""
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]} à {years[-1]}"
    return ", ".join(map(str, years))


def source_line(producers, millesimes=None, generation: str | None = None, demo: bool = False,
                note: str | None = None) -> str:
    """'Source : INSEE, Filosofi ; ANCT — millésime 2019 — géographie prioritaire 2015 — Observatoire…'."""
    parts = [f"Source : {_join(producers) or 'non renseignée'}"]
    mill = millesimes_text(millesimes)
    if mill:
        parts.append(f"millésime{'s' if (',' in mill or ' à ' in mill) else ''} {mill}")
    if generation:
        parts.append(f"géographie prioritaire {generation}")
    if note:
        parts.append(note)
    if demo:
        parts.append(DEMO_LABEL.upper())
    parts.append(OBSERVATORY)
    return " — ".join(parts)


def wrap(text: str, width: int = 150) -> str:
    return "<br>".join(textwrap.wrap(text, width=width)) or text


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
        xshift=-(left - 6), yshift=-(bottom - 4), font=dict(size=10, color="#555555"),
    )
    return fig


def figure_source(fig: go.Figure) -> str | None:
    """The source text of a figure (plain, without line breaks), or None."""
    for a in fig.layout.annotations or []:
        if a.name == SOURCE_NAME:
            return (a.text or "").replace("<br>", " ")
    return None
