"""One chart of a quartier as a print-ready file (PNG at 300 dpi or SVG, by the extension), from the
command line — the same chart builders and renderer as the pages' download buttons.

    python -m exports graphique --quartier QP034004 --type evolution --indicateur tx_pauvrete --out f.png
"""
from __future__ import annotations

from pathlib import Path

from charts import fiche as fiche_charts
from charts import locator
from exports import geo, render
from presentation import fiche as fiche_view
from presentation import locator as locator_view

KINDS = ("evolution", "references", "carte")
MAP_PX = 520


def map_figure(con, v: fiche_view.FicheView):
    """The locator map of a quartier (itself, its neighbours, EPCI and département outlines) as a Plotly figure,
    or None when the quartier has no geometry: the same view as the fiche PDF's vector inset
    (exports.pdf_charts.locator_map)."""
    loc = locator_view.quartier_locator(con, v.territory, (v.epci or {}).get("code"))
    if loc is None:
        return None
    return locator.locator_map(geo.from_shapes(loc["places"]), outlines=loc["outlines"],
                               strong_outlines=loc["strong_outlines"], source_line=loc["source_line"], width=MAP_PX,
                               height=MAP_PX, label="name", pad=0.6)


def figure(con, quartier: str, kind: str = "evolution", indicator_id: str = "tx_pauvrete"):
    """The Plotly figure of `kind` for `quartier`: the same views and charts as the fiche page (a 2024 quartier
    shows its 2015 predecessors' values, « ≈ »)."""
    if kind not in KINDS:
        raise ValueError(f"Type de graphique inconnu : {kind!r} ({', '.join(KINDS)})")
    if kind == "carte":
        return map_figure(con, fiche_view.view(con, quartier, n_twins=0))
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
