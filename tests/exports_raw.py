"""Read expected figures straight from the raw open-data files (not through the warehouse), for the
export tests: French CSV cells and ANCT JSON records, as published."""
from __future__ import annotations

import csv
import json
from pathlib import Path


def csv_cell(path: Path, code: str, column: str, key: str | None = None) -> str:
    """The text of `column` on the row whose first (or `key`) column is `code` (';' CSV, UTF-8 BOM)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        k = key or reader.fieldnames[0]
        for row in reader:
            if row[k] == code:
                return row[column]
    raise KeyError(f"{code} not in {path.name}")


def fr_number(text: str) -> float:
    """'13 650' / '45,9' -> float (thousands separators are spaces or narrow no-break spaces)."""
    return float(text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))


def json_records(path: Path) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        for k in ("records", "data", "features"):
            if k in data:
                data = data[k]
                break
    return [r.get("properties", r) if isinstance(r, dict) else r for r in data]


def geojson_name(path: Path, code: str, code_key: str = "q", name_key: str = "n") -> str:
    for f in json.loads(Path(path).read_text(encoding="utf-8"))["features"]:
        if f["properties"].get(code_key) == code:
            return f["properties"][name_key]
    raise KeyError(code)
