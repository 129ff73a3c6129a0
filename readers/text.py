"""Normalised keys for matching what users type (headers, statuses, names) against declared spellings."""
from __future__ import annotations

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
