"""One chart of a quartier as a print-ready file (PNG at 300 dpi or SVG, by the extension), from the
command line — the same chart builders and renderer as the pages' download buttons.

    python -m exports graphique --quartier QP034004 --type evolution --indicateur tx_pauvrete --out f.png
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from charts import fiche as fiche_charts
from presentation.quartier import shown_quartier
from presentation import contract as ct
from exports import fiche_pdf, render
from indicators import catalog, evolution, fiche as fiche_mod, references

KINDS = ("evolution", "references", "carte")


def figure(con, quartier: str, kind: str = "evolution", indicator_id: str = "tx_pauvrete"):
    """The Plotly figure of `kind` for `quartier` (a 2024 quartier without figures uses its 2015 counterpart)."""
    code = references.normalise_code(quartier)
    t = references.territory(con, code)
    if t["level"] != "qpv":
        raise ValueError(f"{code} n'est pas un quartier prioritaire.")
    if kind == "carte":
        return fiche_pdf.map_figure(con, fiche_mod.fiche(con, code, n_twins=0))
    if kind not in KINDS:
        raise ValueError(f"Type de graphique inconnu : {kind!r} ({', '.join(KINDS)})")
    shown = shown_quartier(con, code)["code"]
    f = fiche_mod.fiche(con, shown, n_twins=0)
    x = ct.indicator_of(f, indicator_id)
    if x is None or x["edition"] is None:
        raise ValueError(f"Pas de valeur de {indicator_id} pour {shown}.")
    meta = catalog.indicator(con, indicator_id)
    dec = 1 if meta.get("decimals") is None else int(meta["decimals"])
    gen = f["territory"].get("generation")
    if kind == "evolution":
        ev = evolution.series(con, shown, indicator_id)
        s = pd.DataFrame(ev["series"])
        eds = sorted(s.edition.dropna().astype(int).unique())
        line = ct.indicator_source_line(con, [indicator_id] * len(eds), eds, gen)
        return fiche_charts.gap_evolution(s, label=meta["label"], unit=meta["unit"], decimals=dec,
                                          source_line=line, caveat=ev.get("caveat"))
    rows = pd.DataFrame([{"level": "qpv", "name": f["territory"]["name"], "value": x["value"], "status": x["status"]}]
                        + [{"level": r["level"], "name": r["name"] or r["code"], "value": r["value"],
                            "status": r["status"] or "non_disponible"} for r in x["references"]])
    line = ct.indicator_source_line(con, [indicator_id], [x["edition"]], gen)
    return fiche_charts.reference_bars(rows, label=meta["label"], unit=meta["unit"], decimals=dec,
                                       edition=x["edition"], source_line=line)


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
