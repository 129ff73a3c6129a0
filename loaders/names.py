"""French place-name normalisation and similarity, shared by the commune matcher and the crosswalk.

The rules are deliberately few and explicit (documented in docs/SCHEMA-geography.md): two names that
normalise to the same key are the same name; anything looser is a *fuzzy* match and is reported.
"""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
# Apostrophes (straight, typographic, backtick), hyphens and dashes, slashes, dots, underscores -> space.
_PUNCT = re.compile(r"[’'`´‘\-‐‑–—_/.,;:()\[\]\"«»]+")
_ARTICLE_SUFFIX = re.compile(r"^(.*)\s*\((le|la|les|l)\)$")  # 'Cannet (Le)' -> 'le cannet'
_ABBREV = ((re.compile(r"\bst\b"), "saint"), (re.compile(r"\bste\b"), "sainte"),
           (re.compile(r"\bsts\b"), "saints"), (re.compile(r"\bstes\b"), "saintes"))
_LEADING_ARTICLE = re.compile(r"^(le|la|les|l)\s+")
# Ordinals of municipal arrondissements: '1er', '1re', '2e', '2ème', '2eme' -> '1', '2'.
_ORDINAL = re.compile(r"\b(\d+)\s*(er|re|e|eme|ieme)\b")

# Words that carry no meaning when comparing quartier names (crosswalk): articles, prepositions and the
# generic words of quartier names ('Quartier prioritaire de…', 'Centre ville', 'Saint …').
STOPWORDS = frozenset(
    "le la les l de du des d et en a au aux sur sous les lez quartier quartiers prioritaire intercommunal "
    "intercommunale cite residence secteur zone centre ville qp qpv nouveau saint sainte saints".split())

# The same normalisation as a DuckDB macro, so that 37,000 COG names are keyed set-based (Python would take
# 0.5 s). tests/test_links.py checks that both give the same key for every name of communes.json.
NAME_KEY_MACRO = r"""
CREATE OR REPLACE TEMP MACRO name_key(s) AS trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(trim(lower(strip_accents(replace(replace(replace(replace(replace(s,
            'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE'), 'ß', 'ss')))), '^(.*?)\s*\((le|la|les|l)\)$', '\2 \1'),
        '[’''`´‘\-‐‑–—_/.,;:()\[\]"«»]+', ' ', 'g'),
        '\bst\b', 'saint', 'g'), '\bste\b', 'sainte', 'g'), '\bsts\b', 'saints', 'g'), '\bstes\b', 'saintes', 'g'),
    '\b(\d+)\s*(er|re|e|eme|ieme)\b', '\1', 'g'), '\s+', ' ', 'g'));
"""


def install_name_key(con) -> None:
    """Define the name_key(s) SQL macro on this connection (temporary)."""
    con.execute(NAME_KEY_MACRO)


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65536)
def name_key(name: str | None) -> str:
    """Normalised key of a commune name: no accents, lower case, punctuation and apostrophes as spaces,
    'St'/'Ste' expanded, a trailing '(Le)' article moved to the front, ordinals simplified, single spaces.

    'Saint-Ouen-sur-Seine' == 'ST OUEN SUR SEINE'; "L'Île-Saint-Denis" == 'L Ile St Denis';
    'Marseille 15e  Arrondissement' == 'Marseille 15ème arrondissement'."""
    if not name:
        return ""
    s = strip_accents(name).lower().strip()
    m = _ARTICLE_SUFFIX.match(s)
    if m:
        s = f"{m.group(2)} {m.group(1)}"
    s = _PUNCT.sub(" ", s)
    for pat, repl in _ABBREV:
        s = pat.sub(repl, s)
    s = _ORDINAL.sub(r"\1", s)
    return re.sub(r"\s+", " ", s).strip()


def without_article(key: str) -> str:
    """The key without a leading article ('le cannet' -> 'cannet'): a looser key, used only as fuzzy evidence."""
    return _LEADING_ARTICLE.sub("", key)


def split_communes(lib_com: str | None) -> list[str]:
    """LIB_COM lists several communes separated by ', ' (every SIG Ville edition); commune names never
    contain a comma. Also accepts ';' (used by the QPV 2024 referentiel's lib_com)."""
    if not lib_com:
        return []
    return [p.strip() for p in re.split(r"[,;]", lib_com) if p.strip()]


def tokens(name: str | None) -> list[str]:
    """Meaningful tokens of a quartier name, in order (stop words and 1-letter tokens dropped)."""
    return [t for t in name_key(name).split() if len(t) > 1 and t not in STOPWORDS]


def similarity(a: str | None, b: str | None) -> float:
    """Similarity of two quartier names in [0, 1], on their meaningful tokens (so that 'Saint Henri' and
    'Saint André', or 'Quartier Gare' and 'Quartier Centre Ancien', do not look alike):
    - identical normalised names: 1;
    - otherwise the best of difflib's ratio on the meaningful words (spelling variants:
      'Brillat - Savarin' / 'Brillat-Savarin') and 0.9 x shared words / words of the shorter name
      (containment: 'Maladière' in 'La Maladière - Les Peupliers'), raised to 0.75 when three or more words
      are shared (quartiers merged or split: 'Bologne - Rivière Des Pères - Calebassier - Pintade…' /
      'Rivière des Pères - Pintade - Calebassier - Bas du Bourg')."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return round(difflib.SequenceMatcher(None, ka, kb).ratio() * 0.8, 3)
    ratio = difflib.SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio()
    shared = len(set(ta) & set(tb))
    overlap = 0.9 * shared / min(len(set(ta)), len(set(tb)))
    if shared >= 3:
        overlap = max(overlap, 0.75)
    return round(max(ratio, overlap), 3)


def dep_from_quartier_code(code: str) -> str | None:
    """Département of a quartier code: 'QP' (2015) or 'QN' (2024) + département on 3 characters.

    'QP001001' -> '01', 'QN07501M' -> '75', 'QP02A001' -> '2A', 'QN97101M' -> '971'."""
    if not code or len(code) < 5 or code[:2] not in ("QP", "QN"):
        return None
    d = code[2:5].upper()
    return d[1:] if d.startswith("0") else d
