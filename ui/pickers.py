"""Territory pickers bound to the URL (quartier code), shared by Fiche, Comparer and Baromètre. The options
are presentation.search's, built once per warehouse."""
from __future__ import annotations

from observatoire import vocabulary
from presentation import search
from ui import common, state


def _choices(con, generations: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    """(codes, {code: label}) of the quartier options, made once per warehouse (a dict of ~3,000 Arrow strings
    took 5 % of a fiche's run)."""
    opts = search.quartier_options(con, tuple(generations))
    return opts.code.tolist(), dict(zip(opts.code, opts.label))


def quartier_choices(generations: tuple[str, ...] = ("2015", "2024")) -> tuple[list[str], dict[str, str]]:
    """(codes, {code: label}) of every quartier of the given generations, shared by every session (read only)."""
    return common.shared(_choices, tuple(generations))


def quartier(label: str | None = None, default: str = "QP001001", generations=("2015", "2024"),
             container=None) -> str | None:
    """A searchable select box of all quartiers, bound to ?quartier=."""
    codes, labels = quartier_choices(tuple(generations))
    return state.selectbox(label or vocabulary.level_label("qpv", short=True), codes, "quartier", format_func=lambda c: labels.get(c, c),
                           default=default, container=container,
                           help="Tapez une partie du nom, de la commune ou du code")
