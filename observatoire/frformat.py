"""French display formats: `1 234,5`, `21/11/2026`, `12,3 %`. Used by pages, charts and exports alike."""
from __future__ import annotations

import datetime as _dt
import math

NBSP = "\u202f"  # narrow no-break space, INSEE's thousands separator


def fmt_number(value, decimals: int = 1, unit: str | None = None, sep: str = " ") -> str:
    """Format a number the French way. None/NaN give an empty string (callers show the status instead)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    txt = f"{value:,.{decimals}f}".replace(",", "\u0001").replace(".", ",").replace("\u0001", sep)
    if unit == "%":
        return f"{txt} %"
    if unit in ("€", "euros", "EUR"):
        return f"{txt} €"
    if unit:
        return f"{txt} {unit}"
    return txt


def fmt_int(value, unit: str | None = None) -> str:
    return fmt_number(value, 0, unit)


def fmt_date(value) -> str:
    """`21/11/2026` from a date, datetime or ISO string."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")
