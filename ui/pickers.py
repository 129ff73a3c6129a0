"""Territory pickers bound to the URL (quartier code), shared by Fiche, Comparer and Baromètre."""
from __future__ import annotations

import pandas as pd

from indicators import search
from ui import common, state


@common.cached
def _quartier_options(con, generations: tuple[str, ...]) -> pd.DataFrame:
    d = pd.concat([search.directory(con, gen).assign(generation=gen) for gen in generations], ignore_index=True)
    d["label"] = [f"{r.name} — {r.communes} ({r.code})" if isinstance(r.communes, str) and r.communes
                  else f"{r.name} ({r.code})" for r in d.itertuples()]
    return d


def quartier_options(generations: tuple[str, ...] = ("2015", "2024")) -> pd.DataFrame:
    """code, label ('Nom — Commune(s) (code)') for every quartier of the given generations (built once per
    warehouse, not on every rerun)."""
    return _quartier_options(tuple(generations))


def quartier(label: str = "Quartier", default: str = "QP001001", generations=("2015", "2024"),
             container=None) -> str | None:
    """A searchable select box of all quartiers, bound to ?quartier=."""
    opts = quartier_options(tuple(generations))
    labels = dict(zip(opts.code, opts.label))
    return state.selectbox(label, opts.code.tolist(), "quartier", format_func=lambda c: labels.get(c, c),
                           default=default, container=container,
                           help="Tapez une partie du nom, de la commune ou du code")
