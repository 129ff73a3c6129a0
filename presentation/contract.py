"""View models of a contract for the COPIL deck and the annual report: key figures of the contract, the
ranking table of its quartiers on the key indicators (each cell = the quartier's baromètre entry: same value,
same light as the baromètre page), and the State means table.

Nothing is computed here that the library computes; this module only chooses and words what is shown.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from observatoire import vocabulary
from presentation import text
from presentation.barometre import View

# Key indicators of the ranking table, in reading order (baromètre indicators of the catalogue).
RANKING_IDS = ["tx_pauvrete", "rev_disp_median", "part_alloc_rsa", "tx_emploi", "tx_emploi_precaire", "part_de_jeunes"]
SORT_BY = "tx_pauvrete"


@dataclass
class Figure:
    value: str          # « 16 », « 92 540 », « 36 postes »
    label: str          # what it counts
    note: str = ""      # millésime, source in short


def ranking(views: list[tuple[int, str, View]], ids: list[str] | None = None) -> dict:
    """The quartiers ranked on the key indicators (highest poverty rate first; quartiers without it last).

    `views`: (number, label, baromètre view) per quartier. Returns {header: [..], short: {id: label},
    rows: [{number, label, approx, cells: [{text, light (presentation.barometre.Light) | None, edition}]}],
    editions: {id: [years]}}."""
    ids = ids or RANKING_IDS
    rows, labels, editions = [], {}, {i: set() for i in ids}
    for number, label, v in views:
        by_id = {it.indicator_id: it for it in v.items}
        cells = []
        for i in ids:
            it = by_id.get(i)
            if it is not None:
                labels.setdefault(i, it.short_label)
                if it.edition is not None:
                    editions[i].add(it.edition)
            cells.append({"text": (it.value_text if it.shown else it.value_short) if it else text.DASH, "light": it.light if it and it.shown else None,
                          "value": it.value if it else None, "edition": it.edition if it else None})
        rows.append({"number": number, "label": label, "approx": bool(v.approximation), "cells": cells})
    k = ids.index(SORT_BY) if SORT_BY in ids else 0
    rows.sort(key=lambda r: (r["cells"][k]["value"] is None, -(r["cells"][k]["value"] or 0), r["number"]))
    return {"header": ["Quartier"] + [labels.get(i, i) for i in ids], "ids": ids, "rows": rows,
            "editions": {i: sorted(e) for i, e in editions.items()}}


def means_summary(means: pd.DataFrame | None) -> dict:
    """Latest complete year of State means: {year, adultes_relais, fonjep, amount} ({} when none)."""
    if means is None or means.empty:
        return {}
    full = means[~means["partial"]]
    df = full if len(full) else means
    year = int(df["year"].max())
    sub = df[df["year"] == year]
    n = {k: int(sub.loc[sub.kind == k, "n_posts"].sum()) for k in ("adulte_relais", "fonjep")}
    return {"year": year, "adultes_relais": n["adulte_relais"], "fonjep": n["fonjep"],
            "amount": float(sub["amount"].sum())}


def means_rows(means: pd.DataFrame) -> list[list[str]]:
    """Rows year / adultes-relais / amount / FONJEP / amount (« * » marks a partial year)."""
    rows = []
    for y in sorted(means["year"].unique()):
        part = bool(means.loc[means.year == y, "partial"].any())
        row = [text.year_text(y) + (" *" if part else "")]
        for kind in ("adulte_relais", "fonjep"):
            sub = means[(means.year == y) & (means.kind == kind)]
            row += [text.count_text(sub["n_posts"].sum()) if len(sub) else text.DASH,
                    text.eur_text(sub["amount"].sum()) if len(sub) else text.DASH]
        rows.append(row)
    return rows


def key_figures(n_quartiers: int, population, population_year, means: pd.DataFrame | None,
                life: dict | None, today) -> list[Figure]:
    """The contract at a glance: quartiers, population, State means, programmation, commitments."""
    figs = [Figure(text.count_text(n_quartiers), "quartiers prioritaires")]
    if population:
        figs.append(Figure(text.count_text(population), "habitants dans les quartiers",
                           "ANCT" + (f", {text.year_text(population_year)}" if population_year else "")))
    m = means_summary(means)
    if m:
        figs.append(Figure(f"{text.count_text(m['adultes_relais'])} + {text.count_text(m['fonjep'])}",
                           "postes adultes-relais + FONJEP", f"{text.year_text(m['year'])}, {text.eur_text(m['amount'])}"))
    life = life or {}
    if life.get("n_actions"):
        by = life["by_year"]
        cur = by[by["annee"] == life["year"]]
        if len(cur):
            r = cur.iloc[0]
            figs.append(Figure(text.eur_text(r["montant_accorde"]), f"accordés à {text.count_text(r['n_financees'])} "
                               f"actions", f"programmation {text.year_text(life['year'])}"))
    if life.get("n_engagements"):
        sig = life["by_signataire"]
        tot = sig[sig["signataire"] == "Ensemble"]
        if len(tot):
            t = tot.iloc[0]
            figs.append(Figure(f"{text.count_text(t['en_retard'])} / {text.count_text(t['total'])}",
                               "engagements en retard", f"au {text.date_text(today)}"))
    return figs


def light_legend() -> str:
    """« ▲ mieux · ● comparable · ▼ moins bien » from the vocabulary."""
    return " · ".join(f"{vocabulary.light(k)['symbol']} {vocabulary.light(k)['label']}"
                      for k in ("mieux", "comparable", "moins_bien"))
