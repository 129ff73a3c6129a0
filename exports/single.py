"""One chart of a quartier as a print-ready file (PNG at 300 dpi or SVG, by the extension), from the
command line — the same chart builders and renderer as the pages' download buttons.

    python -m exports graphique --quartier QP034004 --type evolution --indicateur tx_pauvrete --out f.png
"""
from __future__ import annotations

from pathlib import Path

from charts import fiche as fiche_charts
from exports import fiche_pdf, render
from presentation import fiche as fiche_view

KINDS = ("evolution", "references", "carte")


def figure(con, quartier: str, kind: str = "evolution", indicator_id: str = "tx_pauvrete"):
    """The Plotly figure of `kind` for `quartier`: the same views and charts as the fiche page (a 2024 quartier
    shows its 2015 predecessors' values, « ≈ »)."""
    if kind not in KINDS:
        raise ValueError(f"Type de graphique inconnu : {kind!r} ({', '.join(KINDS)})")
    if kind == "carte":
        return fiche_pdf.map_figure(con, fiche_view.view(con, quartier, n_twins=0))
    d = fiche_view.detail(con, quartier, indicator_id)
    if d.edition is None:
        raise ValueError(f"Pas de valeur de {indicator_id} pour {quartier}.")
    if kind == "evolution":
        fig = fiche_charts.detail_evolution(d)
        if fig is None:
            raise ValueError(f"Pas de série de {indicator_id} pour {quartier} (un seul millésime).")
        return fig
    return fiche_charts.detail_bars(d)


def build(con, quartier: str, out: str | Path, kind: str = "evolution", indicator_id: str = "tx_pauvrete") -> Path:
    fig = figure(con, quartier, kind, indicator_id)
    if fig is None:
        raise ValueError("Pas de géométrie pour ce quartier.")
    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise ValueError("Le fichier de sortie doit finir par .png ou .svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    width = int(fig.layout.width or render.DEFAULT_WIDTH)
    height = int(fig.layout.height or render.DEFAULT_HEIGHT)
    return render.write(fig, out, width, height)
