"""Names of the files users download: what it is, whose it is (the French name, as a slug), the day.

`copil-toulouse-metropole-2026-12-06.pptx`, `fiche-grand-mirail-QN03107M-2026-12-06.pdf`: a chef de projet
finds them in a Downloads folder by contract or quartier and by date, never as `export (3).pptx` or
`indicateurs-QN03104M-et-15-autres.xlsx`. The one naming rule of the pages' export buttons, their download
buttons of charts and tables, and the command line's examples.
"""
from __future__ import annotations

import datetime as dt

from readers.text import norm

SLUG_MAX = 60


def slug(text) -> str:
    """File-name friendly words: « Taux de pauvreté 2019 » → `taux-de-pauvrete-2019`, « Cœur de Ville » →
    `coeur-de-ville` (accents and ligatures through readers.text.norm, the project's one normalisation)."""
    words = norm(text).replace("+", " ").split()
    out = ""
    for w in words:                      # whole words only, within SLUG_MAX characters
        if out and len(out) + 1 + len(w) > SLUG_MAX:
            break
        out = f"{out}-{w}" if out else w[:SLUG_MAX]
    return out or "export"


def file_name(*words, ext: str, code: str | None = None, day: dt.date | None = None) -> str:
    """`words` slugged in order, then the territory code as written (QN03107M), then the day (ISO, sorts by
    date), then the extension: file_name("fiche", "Grand Mirail", code="QN03107M", ext="pdf")."""
    parts = [slug(w) for w in words if w not in (None, "")]
    if code:
        parts.append("".join(c for c in str(code) if c.isalnum()))
    parts.append((day or dt.date.today()).isoformat())
    return f"{'-'.join(parts)}.{ext.lstrip('.')}"


def selection_words(first_name: str | None, count: int) -> list[str]:
    """The words naming a selection of `count` territories: the first one's name, and how many others."""
    if not first_name or count < 1:
        return ["selection"]
    rest = count - 1
    return [first_name] + ([f"et {rest} autre{'s' if rest > 1 else ''}"] if rest else [])


# The exports' names (pages' buttons and the command-line examples of the Exports page).
def copil(contract_name: str, day: dt.date | None = None) -> str:
    return file_name("copil", contract_name, ext="pptx", day=day)


def rapport(year: int, contract_name: str, day: dt.date | None = None) -> str:
    return file_name("rapport annuel", year, contract_name, ext="docx", day=day)


def fiche(quartier_name: str, code: str, day: dt.date | None = None) -> str:
    return file_name("fiche", quartier_name, code=code, ext="pdf", day=day)


def classeur(words: list[str], day: dt.date | None = None) -> str:
    """`words`: a contract's name, or selection_words() of the territories."""
    return file_name("indicateurs", *words, ext="xlsx", day=day)
