"""A small copy of the real data directory for the fast test tier: the same folders, file names, formats and
quirks (BOM, « ; », decimal commas, CRLF, trailing empty columns), keeping only the records about a handful
of real territories, so that the unchanged loaders build a warehouse in seconds.

The filter is generic, per format, so that files added to the data directory later are filtered too:
- a file of at most SMALL_BYTES (dictionaries, régions, départements, Filosofi DEP/REG/METRO) is copied whole;
- CSV (first line = header, always kept): a line is kept when one of its key cells (columns whose header
  names a code: CODGEO, code_*, insee_*, siren_*, id_*) holds a kept code or equals a kept value; the bytes
  of the kept lines are copied, never re-serialised. Only key cells, because in a CSV every cell is text
  and a commune code (31555) is also a plausible decile or median income;
- JSON array of records, or GeoJSON FeatureCollection (`features`): a record is kept when one of its string
  values holds a kept code or equals a kept value; the text of the kept records is copied as it was;
- GeoPackage: the rows of its feature/attribute tables that hold no kept code are deleted (SQLite);
- a file in which no record matches is not keyed by these territories (another level, a dictionary): it is
  copied whole, as is a file in any other format or that cannot be parsed.

Codes are matched as whole alphanumeric tokens (case-insensitive), so that lists (`QN00101M,QN00102M`,
`Nice (06088); Cagnes (06027)`) match; a kept value (« Ensemble », the national aggregate row) must be the
whole cell. Départements, régions and France come whole from their small files; matching département codes
would also match the région codes 01-06 (Guadeloupe… Mayotte).

    python tests/unit/minidata.py OUT_DIR [--data-dir DIR]     writes the copy and prints what it kept
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from observatoire import settings

SMALL_BYTES = 32 * 1024

# The territories kept, with what makes them useful to tests (codes checked against the full warehouse).
QUARTIERS = [
    # Bourg-en-Bresse (01053), CA du Bassin de Bourg-en-Bresse: contracts CV004 (2015), CN00104M (2024)
    "QP001001", "QP001002", "QN00101M", "QN00102M",
    # Toulouse Métropole: the 16 quartiers of CV101 (Toulouse, Blagnac, Colomiers, Cugnaux), CN03103I
    *[f"QP0310{n:02d}" for n in range(4, 20)], "QN03107M",
    # Marseille (13055, its arrondissements), Aix-Marseille-Provence: CV049, CN01303M
    "QP013032", "QN01331M",
    # Métropole Nice Côte d'Azur: CV022 (2015) and the démo contract CN00604I (its 2024 quartiers come
    # with their communes, through the QPV 2024 referentiel and contours)
    "QP006001", *[f"QP0060{n:02d}" for n in range(7, 17)],
]
COMMUNES = ["01053", "31555", "31069", "31149", "31157", "13055",
            "06088", "06054", "06033", "06123", "06114", "06149", "06157"]
EPCI = ["200071751", "240100628",      # Bourg: today's CA, and the 2014-2016 one (old Filosofi, CV004)
        "243100518",                   # Toulouse Métropole
        "200054807", "241300391",      # Aix-Marseille-Provence, and the CU MPM before 2016
        "200030195"]                   # Métropole Nice Côte d'Azur
CONTRATS = ["CV004", "CN00104M", "CV101", "CN03103I", "CV049", "CN01303M", "CV022", "CN00604I"]
CODES = QUARTIERS + COMMUNES + EPCI + CONTRATS
VALUES = ["Ensemble"]            # national aggregate rows of the SIG Ville and Filosofi quartier files

KEY_HEADER = re.compile(r"cod|insee|siren|^id", re.IGNORECASE)
_TOKEN = re.compile(r"[0-9a-z]+")
_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


class Matcher:
    """Does a text hold a kept code (as a token) or equal a kept value?"""

    def __init__(self, codes=CODES, values=VALUES):
        self.codes = {c.casefold() for c in codes}
        self.values = {v.casefold() for v in values}

    def string(self, s: str) -> bool:
        return (s.strip().casefold() in self.values
                or any(t in self.codes for t in _TOKEN.findall(s.casefold())))

    def mentions(self, text: str) -> bool:
        """Cheap pre-check on a whole record's text: could it match at all?"""
        low = text.casefold()
        return any(v in low for v in self.values) or not self.codes.isdisjoint(_TOKEN.findall(low))

    def record(self, obj) -> bool:
        """A parsed JSON record: any string value outside `geometry`, at any depth."""
        if isinstance(obj, str):
            return self.string(obj)
        if isinstance(obj, dict):
            return any(self.record(v) for k, v in obj.items() if k != "geometry")
        if isinstance(obj, list):
            return any(self.record(v) for v in obj)
        return False

    def csv_line(self, line: str, sep: str, keys: list[int]) -> bool:
        """A CSV line, on its key cells (positions `keys`)."""
        cells = next(csv.reader([line], delimiter=sep), [])
        return any(self.string(cells[k]) for k in keys if k < len(cells))


@dataclass
class Kept:
    """What happened to one file: `whole` (copied), `filtered` (kept of total records)."""
    path: str
    mode: str
    kept: int = 0
    total: int = 0
    size: int = 0


# --------------------------------------------------------------------------- CSV

def _records(data: bytes) -> list[bytes]:
    """Physical lines with their ends (CRLF kept), a quoted cell spanning lines kept in one record."""
    parts = data.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    out, pending = [], b""
    for line in lines:
        pending += line
        if pending.count(b'"') % 2 == 0:
            out.append(pending)
            pending = b""
    if pending:
        out.append(pending)
    return out


def filter_csv(data: bytes, m: Matcher) -> tuple[bytes, int, int]:
    records = _records(data)
    if len(records) < 2:
        return data, 0, 0
    header = records[0].decode("utf-8-sig", "replace")
    sep = max(";,\t|", key=header.count)
    keys = [i for i, name in enumerate(next(csv.reader([header], delimiter=sep))) if KEY_HEADER.search(name.strip())]
    body = records[1:]
    kept = [r for r in body if m.csv_line(r.decode("utf-8", "replace"), sep, keys)]
    out = records[0] + b"".join(kept)
    if not data.endswith(b"\n"):  # a file without a final line end stays so
        out = out.rstrip(b"\r\n")
    return out, len(kept), len(body)


# --------------------------------------------------------------------------- JSON / GeoJSON

def _skip(s: str, i: int) -> int:
    return _WS.match(s, i).end()


def _array(s: str, i: int) -> tuple[list[tuple[int, int, object]], int]:
    """(start, end, value) of the items of the array opening at s[i], and the index after its ']'."""
    i = _skip(s, i + 1)
    items = []
    if s[i] == "]":
        return items, i + 1
    while True:
        value, end = _DECODER.raw_decode(s, i)
        items.append((i, end, value))
        i = _skip(s, end)
        if s[i] == ",":
            i = _skip(s, i + 1)
        elif s[i] == "]":
            return items, i + 1
        else:
            raise ValueError(f"JSON inattendu à la position {i}")


def _records_array(s: str) -> list[tuple[int, int, object]] | None:
    """The records of a top-level array, or of the `features` member of a top-level object."""
    i = _skip(s, 1 if s.startswith("\ufeff") else 0)
    if s[i] == "[":
        return _array(s, i)[0]
    if s[i] != "{":
        return None
    i = _skip(s, i + 1)
    while s[i] != "}":
        key, i = _DECODER.raw_decode(s, i)
        i = _skip(s, i)
        i = _skip(s, i + 1)  # ':'
        if key == "features" and s[i] == "[":
            return _array(s, i)[0]
        _value, i = _DECODER.raw_decode(s, i)
        i = _skip(s, i)
        if s[i] == ",":
            i = _skip(s, i + 1)
    return None


def filter_json(data: bytes, m: Matcher) -> tuple[bytes, int, int]:
    s = data.decode("utf-8")
    items = _records_array(s)
    if not items:
        return data, 0, 0
    kept = [(a, b) for a, b, value in items if m.mentions(s[a:b]) and m.record(value)]
    if not kept:
        return data, 0, len(items)
    sep = s[items[0][1]:items[1][0]] if len(items) > 1 else ","
    out = s[:items[0][0]] + sep.join(s[a:b] for a, b in kept) + s[items[-1][1]:]
    return out.encode("utf-8"), len(kept), len(items)


# --------------------------------------------------------------------------- GeoPackage

def filter_gpkg(src: Path, dest: Path, m: Matcher) -> tuple[int, int]:
    """Copy, then delete the rows holding no kept string in every feature/attribute table. (0, n) and the
    copy left whole when nothing matches."""
    shutil.copyfile(src, dest)
    con = sqlite3.connect(dest)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')")]
        drop, kept, total = {}, 0, 0
        for t in tables:
            q = '"' + t.replace('"', '""') + '"'
            rows = con.execute(f"SELECT rowid, * FROM {q}").fetchall()
            drop[q] = [r[0] for r in rows if not any(isinstance(v, str) and m.string(v) for v in r[1:])]
            kept += len(rows) - len(drop[q])
            total += len(rows)
        if kept:
            for q, ids in drop.items():
                con.executemany(f"DELETE FROM {q} WHERE rowid = ?", [(i,) for i in ids])
            con.commit()
            con.execute("VACUUM")
        return kept, total
    finally:
        con.close()


# --------------------------------------------------------------------------- directory

def copy_file(src: Path, dest: Path, rel: str, m: Matcher) -> Kept:
    dest.parent.mkdir(parents=True, exist_ok=True)
    suffix = src.suffix.lower()
    size = src.stat().st_size
    if size <= SMALL_BYTES or suffix not in (".csv", ".json", ".geojson", ".gpkg"):
        shutil.copyfile(src, dest)
        return Kept(rel, "whole", size=size)
    if suffix == ".gpkg":
        kept, total = filter_gpkg(src, dest, m)
    else:
        data = src.read_bytes()
        try:
            out, kept, total = (filter_csv if suffix == ".csv" else filter_json)(data, m)
        except (UnicodeDecodeError, ValueError, IndexError):
            out, kept, total = data, 0, 0
        dest.write_bytes(out)
    return Kept(rel, "filtered" if kept else "whole", kept, total, dest.stat().st_size)


def write(dest: Path, data_dir: Path | None = None, matcher: Matcher | None = None) -> list[Kept]:
    """Write the small copy of `data_dir` (default: the project's real data) into `dest`."""
    data_dir = Path(data_dir or settings.data_dir())
    m = matcher or Matcher()
    out = []
    for src in sorted(p for p in Path(data_dir).rglob("*") if p.is_file()):
        rel = src.relative_to(data_dir).as_posix()
        out.append(copy_file(src, Path(dest) / rel, rel, m))
    return out


def report(kept: list[Kept]) -> str:
    lines = [f"{k.path:<62} {k.mode:<8} {k.kept:>6}/{k.total:<6} {k.size / 1024:>8.1f} Kio" for k in kept]
    total = sum(k.size for k in kept)
    lines.append(f"{'total':<62} {'':<8} {'':>13} {total / 1024 / 1024:>8.2f} Mio")
    return "\n".join(lines)


def main(argv=None) -> int:
    from observatoire.cli import ArgumentParser

    p = ArgumentParser(description="Copie réduite des données réelles (tests rapides).")
    p.add_argument("out", type=Path)
    p.add_argument("--data-dir", type=Path, default=None)
    args = p.parse_args(argv)
    print(report(write(args.out, args.data_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
