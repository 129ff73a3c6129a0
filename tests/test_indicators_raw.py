"""Independent readers of the raw files for the indicator-library tests (tests/test_indicators_*.py).

Nothing here uses the loaders or the indicators package: Python's csv module, a French number parser and the
COG départements list, so that expected gaps, ranks and percentiles are computed from the published files
themselves. The tests in this module check the readers on cells read by eye in the files.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path

from observatoire import settings

SIG = "sigville_qp2015"
REF = "insee_filosofi_references"


def fr_number(text: str | None) -> float | None:
    """'6 490' (narrow/no-break spaces), '55,3', '-10,0' -> float; '' -> None (unpublished cell)."""
    if text is None:
        return None
    t = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    return float(t) if t else None


@lru_cache(maxsize=None)
def table(rel_path: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """(header, {first-column code: row}) of a ';' CSV of the shared data (BOM and CRLF handled)."""
    path = Path(settings.data_dir()) / rel_path
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header = [h.strip() for h in rows[0]]
    return header, {r[0].strip(): dict(zip(header, r)) for r in rows[1:] if r and r[0].strip()}


def value(rel_path: str, code: str, column: str) -> float | None:
    """One cell as a number (None when empty); KeyError when the row or column does not exist."""
    header, rows = table(rel_path)
    if column not in header:
        raise KeyError(f"{column} not in {rel_path}")
    return fr_number(rows[code][column])


def quartier_column(rel_path: str, column: str) -> dict[str, float]:
    """{QP code: value} of every quartier row with a published (non-empty) cell in `column`."""
    header, rows = table(rel_path)
    out = {}
    for code, r in rows.items():
        if code.startswith("QP"):
            v = fr_number(r.get(column))
            if v is not None:
                out[code] = v
    return out


def departement_of(qp_code: str) -> str:
    """Département of a QP 2015 code: 'QP031006' -> '31', 'QP02A003' -> '2A', 'QP971001' -> '971'."""
    d = qp_code[2:5]
    return d if d.startswith("97") else d[1:]


@lru_cache(maxsize=None)
def region_of_departement() -> dict[str, str]:
    data = json.loads((Path(settings.data_dir()) / "cog_etalab" / "departements.json").read_text(encoding="utf-8"))
    return {d["code"]: d["region"] for d in data}


def rank_and_percentile(values: dict[str, float], code: str, keep=lambda c: True) -> tuple[int, int, float]:
    """(rank with 1 = highest, n, % of values <= the quartier's) among the codes kept by `keep`."""
    x = values[code]
    pool = [v for c, v in values.items() if keep(c)]
    return 1 + sum(v > x for v in pool), len(pool), 100.0 * sum(v <= x for v in pool) / len(pool)


def test_fr_number_reads_french_formats():
    assert fr_number("6\u202f490") == 6490.0
    assert fr_number("55,3") == 55.3
    assert fr_number("-10,0") == -10.0
    assert fr_number("") is None


def test_readers_on_cells_read_by_eye():
    # data_filo19_qp_revdis.csv line 2 (row 'Ensemble'): DISP_MED_A19 = 14 010, DISP_TP60_A19 = 43,6
    assert value(f"{SIG}/data_filo19_qp_revdis.csv", "Ensemble", "DISP_MED_A19") == 14010.0
    assert value(f"{SIG}/data_filo19_qp_revdis.csv", "Ensemble", "DISP_TP60_A19") == 43.6
    # FILO2019_DISP_METROPOLE.csv line 2: Q219 = 21930
    assert value(f"{REF}/FILO2019_DISP_METROPOLE.csv", "1", "Q219") == 21930.0
    assert departement_of("QP02A003") == "2A" and departement_of("QP971001") == "971"
    assert region_of_departement()["31"] == "76"
