"""Territory pickers bound to the URL (quartier code), shared by Fiche, Comparer and Baromètre. The options
are presentation.search's, built once per warehouse."""
from __future__ import annotations

import pandas as pd

from observatoire import vocabulary
from presentation import search
from ui import common, state


def quartier_options(generations: tuple[str, ...] = ("2015", "2024")) -> pd.DataFrame:
    """code, label ('Nom — Commune(s) (code)'), generation for every quartier of the given generations (built
    once per warehouse, not on every rerun)."""
    return common.run(search.quartier_options, tuple(generations))


def quartier(label: str | None = None, default: str = "QP001001", generations=("2015", "2024"),
             container=None) -> str | None:
    """A searchable select box of all quartiers, bound to ?quartier=."""
    opts = quartier_options(tuple(generations))
    labels = dict(zip(opts.code, opts.label))
    return state.selectbox(label or vocabulary.level_label("qpv", short=True), opts.code.tolist(), "quartier", format_func=lambda c: labels.get(c, c),
                           default=default, container=container,
                           help="Tapez une partie du nom, de la commune ou du code")
