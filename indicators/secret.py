"""Secret statistique, enforced once for every caller (pages, exports, CLI).

Thresholds are declared in catalogue/indicators.yaml (`secret_rules`). A guarded value below its
threshold comes back as (None, status): callers show the status label (observatoire.vocabulary), never a number.
"""
from __future__ import annotations

import math

from observatoire import catalogue, vocabulary



def threshold(rule: str) -> int:
    """Minimum number of units for `rule` (e.g. 11 fiscal households for 'filosofi_menages')."""
    rules = catalogue.secret_rules()
    if rule not in rules:
        raise KeyError(f"Unknown secret rule {rule!r}; declare it in catalogue/indicators.yaml")
    return int(rules[rule]["min_units"])


def guard(value, n, rule: str) -> tuple[float | None, str]:
    """Return (value, 'ok') when computed on at least the rule's minimum units, else (None, status)."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return None, "non_disponible"
    if n < threshold(rule):
        return None, "effectif_insuffisant"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, "non_disponible"
    return value, "ok"


def visible(value, status: str):
    """The value only when its status allows showing it; None otherwise."""
    return value if status in vocabulary.shown_statuses() else None
