"""Normalised keys for matching what users type (headers, statuses, names) against declared spellings."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from observatoire.frformat import fmt_int


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


# ----------------------------------------------------------------------------- the one text rule
# Every text a user gives the contract-life store (imported cell, survey header, command-line option, table
# editor, form) passes text_problem() before it is written: contract.store applies it to every insert and
# update, the imports apply it cell by cell first so that the refusal names file, line and column. Same
# rule on DuckDB and PostgreSQL, since it runs before any SQL.

@dataclass(frozen=True)
class TextRule:
    """What a stored text field may hold: one line or free text (line breaks and tabs kept), and how long."""
    label: str                    # French, for messages: « texte d'une ligne », « texte libre »
    multiline: bool
    max_length: int


CODE = TextRule("code", False, 60)                  # n° de dossier, référence d'engagement, code de nœud
LINE = TextRule("texte d'une ligne", False, 500)    # a name, a title, a label
FREE = TextRule("texte libre", True, 5000)          # an objective, a comment, a verbatim

# C0 controls (NUL, ESC, CR…), DEL and C1 controls; tab and line feed are allowed in free text only.
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_FREE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates: they reorder what a reader sees (« Trojan Source »).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CHAR_NAMES = {0: "NUL", 9: "tabulation", 10: "retour à la ligne", 13: "retour chariot", 27: "ESC", 127: "DEL",
               0x202A: "LRE", 0x202B: "RLE", 0x202C: "PDF", 0x202D: "LRO", 0x202E: "RLO", 0x2066: "LRI",
               0x2067: "RLI", 0x2068: "FSI", 0x2069: "PDI"}

# A spreadsheet formula: « =… » ; or a sign (+ - @) then, past digits and operators, a name followed by a call,
# a DDE link or a sheet reference: « +SUM( », « @cmd( », « +cmd|' /C calc'!A0 », « -2+3+cmd|… ». A sign
# followed by words (« - atelier du mardi », « +33 6 12 34 56 78 ») is plain text.
_FORMULA = re.compile(r"^\s*(=|[+\-@][\s0-9.,+\-*/^&%()]*[A-Za-z_][A-Za-z0-9_.]*[(|!])")
# HTML: what a browser's tokenizer takes for a tag opening (« <img/src=x », « <svg/onload=… », « </b »,
# « <!-- », « <?xml ») and script URLs. « a < b », « <3 », « < 5 ans » stay plain text.
_MARKUP = re.compile(r"<[A-Za-z!/?]|(java|vb)script\s*:|data\s*:\s*text/html", re.IGNORECASE)

UNSAFE_TEXT_EXPECTED = ("du texte simple, sans formule (collez les valeurs : Collage spécial > Valeurs) ni balise "
                        "HTML")
CONTROL_EXPECTED = ("du texte imprimable : retirez le caractère invisible (souvent collé depuis un autre "
                    "logiciel) en retapant le texte")


def _char(c: str) -> str:
    """« NUL (U+0000) », « RLO (U+202E) », « U+0007 »."""
    name = _CHAR_NAMES.get(ord(c))
    return f"{name} (U+{ord(c):04X})" if name else f"U+{ord(c):04X}"


def text_problem(text, rule: TextRule = FREE, echo: bool = True) -> tuple[str, str] | None:
    """(why, what is expected) when a user's text may not be stored, in French; None when it may.

    Refused: control characters (tab and line feed only in free text), bidirectional overrides, text longer
    than the rule allows, spreadsheet formulas and HTML markup. `echo`: quote the start of a refused formula or
    tag (import reports, shown as data); without it the message never repeats the user's text."""
    if not isinstance(text, str):
        return None
    m = (_CONTROL_FREE if rule.multiline else _CONTROL_LINE).search(text)
    if m:
        c = m.group(0)
        if c in "\n\t\r" and not rule.multiline:
            return (f"{_char(c)} en position {m.start() + 1} dans un {rule.label}",
                    "le texte sur une seule ligne, sans tabulation ni retour à la ligne")
        return f"caractère de contrôle {_char(c)} en position {m.start() + 1}", CONTROL_EXPECTED
    m = _BIDI.search(text)
    if m:
        return (f"caractère d'inversion du sens d'écriture {_char(m.group(0))} en position {m.start() + 1}",
                CONTROL_EXPECTED)
    if len(text) > rule.max_length:
        return (f"texte trop long ({fmt_int(len(text))} caractères ; au plus {fmt_int(rule.max_length)} pour un "
                f"{rule.label})", f"au plus {fmt_int(rule.max_length)} caractères")
    reason = unsafe_text(text, echo)
    return (reason, UNSAFE_TEXT_EXPECTED) if reason else None


def unsafe_text(text, echo: bool = True) -> str | None:
    """Why a user's text is refused as a formula or HTML, in French; None when it is plain text."""
    if not isinstance(text, str):
        return None
    if _FORMULA.match(text):
        return "formule de tableur" + (f" « {text.strip()[:60]} »" if echo else "")
    m = _MARKUP.search(text)
    if m:
        return "balise HTML ou lien de script" + (f" « {text[m.start():m.start() + 40]} »" if echo else "")
    return None
