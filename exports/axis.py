"""Round steps for the value axes the exports draw or bound themselves (the fiche PDF's ticks, the report's
gap charts), one rule: 1, 2, 2,5 or 5 × 10^k."""
from __future__ import annotations

import math


def round_step(span: float, intervals: int) -> float:
    """The round step giving about `intervals` intervals over `span` (a positive length)."""
    raw = span / max(intervals, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))
