"""Files of points that users bring to the QPV lookup (indicators.localiser) and to the beneficiaries import
(contract.imports.beneficiaires): CSV (French, or the BAN CSV geocoder's output taken as it is) or XLSX,
with `latitude`/`longitude` (WGS84) or `x`/`y` (Lambert-93) columns.

Reading never fails for one bad row: a row with too few or too many cells is kept (padded or cut) and
listed in `ragged_lines`, cells stay text as written; what the coordinates are worth is decided by the
lookup. Only what concerns the whole file raises InputError (unreadable file, no coordinate column —
then the message says how to get coordinates from addresses).
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from readers import frcsv, tabular, workbook
from readers.errors import InputError
from readers.tabular import Field
from readers.text import norm

BAN_CSV_HELP = ("Géocodez d'abord le fichier avec le géocodeur CSV de la Base Adresse Nationale "
                "(https://adresse.data.gouv.fr/csv : déposez le fichier, choisissez les colonnes de l'adresse, "
                "téléchargez le résultat) puis donnez le fichier obtenu tel quel : ses colonnes latitude, "
                "longitude, result_score… sont reconnues.")

FIELDS: list[Field] = [
    Field("latitude", "latitude", ("lat", "latitude wgs84", "lat wgs84", "latitude gps", "gps latitude")),
    Field("longitude", "longitude", ("lon", "lng", "long", "longitude wgs84", "lon wgs84", "longitude gps",
                                     "gps longitude")),
    Field("x", "x", ("x lambert 93", "x lambert93", "x l93", "coord x", "coordonnee x", "x 2154")),
    Field("y", "y", ("y lambert 93", "y lambert93", "y l93", "coord y", "coordonnee y", "y 2154")),
    Field("result_score", "result_score", ()),
    Field("result_label", "result_label", ()),
    Field("result_type", "result_type", ()),
    Field("result_status", "result_status", ()),
]
ADDRESS_WORDS = ("adresse", "address", "rue", "voie", "code postal", "cp", "commune", "ville", "localite",
                 "numero", "libelle voie")


class NoCoordinates(InputError):
    """The file has no coordinate columns (addresses only): say how to get coordinates."""


@dataclass
class PointsFile:
    """A user's file as read: its cells (text), the coordinate columns found, and the file lines."""
    name: str
    headers: list[str]
    cells: pd.DataFrame                    # one text column per header, '' for an empty cell
    lines: list[int]
    columns: dict[str, str]                # field → header of the file (latitude, longitude, x, y, result_*)
    ragged_lines: set[int] = field(default_factory=set)

    @property
    def mode(self) -> str:
        return "wgs84" if {"latitude", "longitude"} <= set(self.columns) else "lambert93"

    @property
    def is_ban(self) -> bool:
        return "result_score" in self.columns or "result_status" in self.columns


@contextmanager
def _readable(path: Path, data: bytes | None):
    """The file to read: `path` itself, or an upload's bytes written under its name in a private temporary
    folder in memory (/dev/shm, a RAM file system, where there is one), removed as soon as it is read."""
    if data is None:
        yield path
        return
    memory = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="observatoire-", dir=memory) as tmp:
        copy = Path(tmp) / path.name
        copy.write_bytes(data)
        yield copy


def read_points(path: str | Path, data: bytes | None = None, sheet: str | None = None,
                extra_fields: list[Field] | tuple = (), mapping: dict[str, str] | None = None) -> PointsFile:
    """Read a CSV (French or BAN output) or XLSX file of points. `data`: the bytes of an upload that was
    never written to disk; `extra_fields` (a dossier number…) are found like the coordinate columns, with
    the user's `mapping` ({normalised header: field}). Raises InputError only for what concerns the whole
    file (unreadable, no coordinate columns, a required extra column missing)."""
    path = Path(path)
    fields = FIELDS + list(extra_fields)
    with _readable(path, data) as source:
        if workbook.table_kind(source) == "xlsx":
            sh = tabular.read_sheet(source, fields, sheet)      # row-level remarks of sh.errors do not matter
            headers, lines, ragged = sh.headers, list(sh.lines), set()
            rows = [[tabular.text(v) or "" for v in row] for row in sh.rows]
        else:
            table = frcsv.read(source, sep=None, duplicate_rows="warn", ragged="pad")
            headers, lines, ragged = [h.strip() for h in table.columns], list(table.lines), set(table.ragged_lines)
            rows = table.rows
    found = _columns(path, headers, fields, mapping or {})
    if not ({"latitude", "longitude"} <= set(found) or {"x", "y"} <= set(found)):
        raise no_coordinates(path, headers)
    headers = [h or f"colonne {j + 1}" for j, h in enumerate(headers)]
    cells = pd.DataFrame(rows, columns=headers, dtype=object) if rows else pd.DataFrame(columns=headers)
    return PointsFile(path.name, headers, cells, lines, found, ragged)


def _columns(path: Path, headers: list[str], fields: list[Field], mapping: dict[str, str]) -> dict[str, str]:
    """{field: header} by the user's --map or a declared spelling, exactly: unlike tabular.map_headers, no
    approximate match — a coordinate column guessed wrong would give wrong answers."""
    alias = {norm(a): f.name for f in fields for a in (f.name, f.label) + f.aliases}
    found: dict[str, str] = {}
    for h in headers:
        target = mapping.get(norm(h)) or alias.get(norm(h))
        if target is None:
            continue
        if target in found:
            raise InputError(path, f"deux colonnes pour « {target} » (« {found[target]} » et « {h} »)", line=1,
                             column=h, expected="une seule colonne par champ (voir --map)")
        found[target] = h
    missing = [f for f in fields if f.required and f.name not in found]
    if missing:
        f = missing[0]
        raise InputError(path, f"colonne obligatoire « {f.label} » absente", line=1, column=f.label,
                         expected="un en-tête parmi : " + ", ".join(f"« {a} »" for a in (f.label,) + f.aliases[:4])
                         + f" — ou --map \"Votre en-tête={f.name}\"")
    return found


def no_coordinates(path, headers: list[str]) -> NoCoordinates:
    has_address = any(any(w == norm(h) or norm(h).startswith(w + " ") for w in ADDRESS_WORDS) for h in headers)
    what = "des adresses sans coordonnées" if has_address else "aucune colonne de coordonnées"
    return NoCoordinates(
        path, f"le fichier contient {what} ; la localisation se fait hors ligne, sur des coordonnées. "
        + BAN_CSV_HELP, line=1,
        expected="des colonnes « latitude » et « longitude » (WGS84), ou « x » et « y » (Lambert-93)")


def typed_points(text: str) -> PointsFile:
    """Coordinates typed on the page, one point per line: « latitude ; longitude » (or separated by a tab,
    a comma followed by a space, or spaces); decimal commas accepted."""
    rows = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        for sep in (";", "\t", ", ", " ", ","):
            parts = [p.strip() for p in line.split(sep) if p.strip()] if sep == " " else \
                [p.strip() for p in line.split(sep)]
            if len(parts) == 2:
                break
        else:
            parts = [line, ""]
        rows.append(parts)
    cells = pd.DataFrame(rows, columns=["latitude", "longitude"], dtype=object) if rows else \
        pd.DataFrame(columns=["latitude", "longitude"])
    return PointsFile("saisie", ["latitude", "longitude"], cells, list(range(1, len(rows) + 1)),
                      {"latitude": "latitude", "longitude": "longitude"})
