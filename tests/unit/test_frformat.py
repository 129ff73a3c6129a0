"""observatoire/frformat.py: French numbers, euros and dates through Babel (CLDR fr_FR). No database."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from observatoire.frformat import NBSP, display_unit, fmt_date, fmt_eur, fmt_int, fmt_number, fmt_year, is_missing


def test_numbers():
    assert fmt_number(1234.5) == "1 234,5"
    assert fmt_number(1234567.891, 2) == "1 234 567,89"
    assert fmt_number(-1234.5) == "-1 234,5"
    assert fmt_number(6490, 0) == "6 490" and fmt_int(6490) == "6 490"
    assert fmt_number(41.9, 1, "%") == "41,9 %"
    assert fmt_number(3, 1, "hab.") == "3,0 hab."
    assert fmt_number(1234.5, sep=NBSP) == "1\u202f234,5"   # INSEE's narrow no-break space on demand


def test_negative_zero_is_zero():
    assert fmt_number(-0.0, 0) == "0"
    assert fmt_number(-0.04, 1) == "0,0"
    assert fmt_number(-0.004, 2, "%") == "0,00 %"


def test_euros():
    assert fmt_eur(254919) == "254 919 €"     # CN03103I FONJEP 2025, see test_mini_indicators.py
    assert fmt_eur(22555.73, 2) == "22 555,73 €"
    assert fmt_number(14190, 0, "euros") == "14 190 €"
    assert fmt_eur(None) == ""


def test_dates_and_years():
    assert fmt_date(dt.date(2026, 11, 21)) == "21/11/2026"
    assert fmt_date(dt.datetime(2026, 11, 21, 10, 3)) == "21/11/2026"
    assert fmt_date("2026-11-21T08:00:00") == "21/11/2026"
    assert fmt_date(None) == "" and fmt_date("") == ""
    assert fmt_year(2019) == "2019" and fmt_year(2019.0) == "2019" and fmt_year(None) == ""


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_format_as_empty(missing):
    assert is_missing(missing)
    assert fmt_number(missing) == "" and fmt_int(missing) == "" and fmt_eur(missing) == ""


def test_values_that_are_not_missing():
    assert not any(is_missing(v) for v in (0, 0.0, "", "n.d.", np.array([1.0, float("nan")])))


def test_display_units():
    assert display_unit("%") == "%" and display_unit("€") == "€"
    assert display_unit("nombre") is None and display_unit("indice") is None and display_unit(None) is None


def test_grouping_is_babels_to_the_last_digit():
    """fmt_number's own grouping (Decimal, half-even) against Babel's CLDR formatting it replaced for speed:
    random values of every size and sign, halves and the classic binary ties (2.675, 1.005, 0.125…)."""
    import random

    from observatoire.frformat import NBSP, _babel_number, _grouped

    rng = random.Random(21)
    values = [0.0, -0.0, 2.675, 1.005, 0.125, 0.375, 0.05, 0.15, 0.25, -0.5, 1e-9, 123456789012.5, 1e15, 1e16,
              -1234.5, 999.95, 9999.5, float("inf")]
    values += [round(rng.uniform(-1e7, 1e7), rng.randint(0, 4)) for _ in range(3000)]
    values += [rng.randint(-9, 9) * 0.5 + rng.choice([0, 0.005, 0.05, -0.005, 0.0005]) for _ in range(2000)]
    values += [rng.randint(-10**9, 10**9) / rng.choice([1, 8, 10, 100, 1000]) for _ in range(2000)]
    for v in values:
        for d in (0, 1, 2, 3):
            assert _grouped(v, d, NBSP) == _babel_number(v, d), (v, d)
    assert _grouped(1234567.891, 1, " ") == "1 234 567,9"
