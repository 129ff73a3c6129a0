"""Normalised keys for matching what users type (headers, statuses, names) against declared spellings."""
from __future__ import annotations

import difflib
import re
import unicodedata


def norm(text) -> str:
    """Lower-case, accents and punctuation removed, single spaces: the key for matching user spellings."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace("’", "'").replace("œ", "oe")
    s = re.sub(r"[^a-z0-9+]+", " ", s)
    return s.strip()


def closest(text, spellings: dict[str, str], cutoff: float = 0.8) -> str | None:
    """The target of the declared spelling closest to `text` (keys of `spellings` are norm()-ed), when one
    target stands out: « Taux pauvreté » → tx_pauvrete. Every word of 4 letters or more of `text` must
    begin a word of the spelling (« Part des hommes » is not « Part des femmes »). None when nothing is
    close enough or two targets tie."""
    key = norm(text)
    if not key:
        return None
    words = [w for w in key.split() if len(w) >= 4]

    def fits(spelling: str) -> bool:
        theirs = spelling.split()
        return all(any(t.startswith(w) or w.startswith(t) and len(t) >= 3 for t in theirs) for w in words)

    scored = sorted(((difflib.SequenceMatcher(None, key, s).ratio(), t) for s, t in spellings.items() if fits(s)),
                    reverse=True)
    scored = [(r, t) for r, t in scored if r >= cutoff]
    if not scored:
        return None
    best, target = scored[0]
    rivals = {t for r, t in scored if t != target and r >= best - 0.03}
    return None if rivals else target


# A spreadsheet formula (« =HYPERLINK(…) », « +SUM( », « @cmd( ») or HTML markup in a text cell: refused at
# import, because the text would later be shown in pages and exported to CSV/XLSX.
_FORMULA = re.compile(r"^\s*(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\()")
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?\s*>|javascript\s*:", re.IGNORECASE)


def unsafe_text(text) -> str | None:
    """Why a user's text cell is refused (formula or HTML), in French; None when it is plain text."""
    if not isinstance(text, str):
        return None
    if _FORMULA.match(text):
        return f"formule de tableur dans une cellule de texte « {text[:60]} »"
    m = _MARKUP.search(text)
    if m:
        return f"balise HTML « {m.group(0)[:40]} » dans une cellule de texte"
    return None


UNSAFE_TEXT_EXPECTED = ("du texte simple, sans formule (collez les valeurs : Collage spécial > Valeurs) ni balise "
                        "HTML")
