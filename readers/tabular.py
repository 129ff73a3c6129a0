"""Reading the spreadsheets users have (XLSX or CSV, French headers, numbers and dates) for the imports of
programmation, engagements and enquêtes, with every error naming file, line and column.

- XLSX through openpyxl (typed cells: numbers, dates); the header row is the first row, among the first
  ten, that names at least two known columns (exports often start with a title block).
- CSV through readers.frcsv (H1's reader: encodings, separators, truncated lines), separator detected
  from the header line; French numbers through readers.frcsv.parse_number (one parser in the project).
- Headers are matched after normalisation (case, accents, punctuation) against the aliases declared per
  field; `--map "En-tête=champ"` adds a user's own spelling. Unknown columns are listed, not fatal.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from readers import frcsv
from readers.errors import InputError, InputErrors

from readers.text import norm

MAX_ERRORS = 200


@dataclass
class Field:
    name: str                     # internal field name (what --map targets)
    label: str                    # French name shown in templates and messages
    aliases: tuple[str, ...]      # accepted headers (normalised at comparison)
    required: bool = False
    kind: str = "text"            # text | int | number | date | bool | choice | list | siret
    help: str = ""                # notice sheet of the template
    example: Any = None


@dataclass
class Sheet:
    path: Path
    sheet: str | None
    headers: list[str]            # as written in the file
    rows: list[list[Any]]         # cell values (str for CSV; typed for XLSX)
    lines: list[int]              # line (row number) of each data row in the file
    letters: list[str] = field(default_factory=list)   # XLSX column letters
    ragged_lines: list[int] = field(default_factory=list)   # CSV rows padded/cut (frcsv ragged="pad")

    def where(self, j: int) -> str:
        """Column name for messages: « Montant accordé » (col. H)."""
        name = self.headers[j]
        if self.letters:
            return f"{name} (col. {self.letters[j]})"
        return name


class Errors:
    """Collects errors for an all-or-nothing import; raise_if_any() at the end of validation."""

    def __init__(self, path: Path):
        self.path = path
        self.items: list[InputError] = []

    def add(self, message: str, line: int | None = None, column: str | None = None, expected: str | None = None):
        if len(self.items) < MAX_ERRORS:
            self.items.append(InputError(self.path, message, line=line, column=column, expected=expected))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputErrors(self.items)


# --------------------------------------------------------------------------- reading

def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_sheet(path: str | Path, fields: list[Field], sheet: str | None = None,
               header_hint: Callable[[list[str]], int] | None = None, *, data: bytes | None = None,
               **csv_options) -> Sheet:
    """data: the file's bytes when they stay in memory (`path` then only names the file); csv_options go
    to readers.frcsv.read (duplicate_rows, ragged)."""
    path = Path(path)
    if data is None and not path.exists():
        raise InputError(path, "fichier introuvable")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, fields, sheet, data)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, data, **csv_options)
    if suffix == ".xls":
        raise InputError(path, "format Excel 97-2003 (.xls) non pris en charge", line=None,
                         expected="un classeur .xlsx ou un fichier .csv (Fichier > Enregistrer sous)")
    raise InputError(path, f"extension « {suffix} » non prise en charge", expected="un fichier .xlsx ou .csv")


def sheet_names(path: str | Path) -> list[str]:
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _score(headers: list, fields: list[Field]) -> int:
    known = {norm(a) for f in fields for a in (f.aliases + (f.label, f.name))}
    return sum(1 for h in headers if h is not None and norm(h) in known)


def _read_xlsx(path: Path, fields: list[Field], sheet: str | None, data: bytes | None = None) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from zipfile import BadZipFile

    try:
        wb = load_workbook(io.BytesIO(data) if data is not None else path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"classeur illisible ({exc.__class__.__name__})",
                         expected="un fichier .xlsx valide (Excel, LibreOffice « Enregistrer sous .xlsx »)") from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise InputError(path, f"feuille « {sheet} » absente (feuilles : {', '.join(wb.sheetnames)})",
                                 expected="le nom exact d'une feuille, option --sheet")
            ws = wb[sheet]
        else:
            ws = wb[wb.sheetnames[0]]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        name = ws.title
    finally:
        wb.close()
    while grid and all(_blank(v) for v in grid[-1]):
        grid.pop()
    if not grid:
        raise InputError(path, f"feuille « {name} » vide", line=1, expected="une ligne d'en-tête puis des données")
    best, best_score = 0, -1
    for i, row in enumerate(grid[:10]):
        s = _score(row, fields)
        if s > best_score:
            best, best_score = i, s
    if best_score < 2:
        best = 0
    header = grid[best]
    width = max((j + 1 for j, v in enumerate(header) if not _blank(v)), default=0)
    headers = [("" if _blank(v) else str(v).strip()) for v in header[:width]]
    rows, lines = [], []
    for i, row in enumerate(grid[best + 1:], start=best + 2):
        row = list(row[:width]) + [None] * (width - len(row))
        if all(_blank(v) for v in row):
            continue
        rows.append(row)
        lines.append(i)
    _check_headers(path, headers, best + 1)
    if not rows:
        raise InputError(path, f"aucune ligne de données sous l'en-tête (feuille « {name} »)", line=best + 2,
                         expected="au moins une ligne de données")
    return Sheet(path, name, headers, rows, lines, [get_column_letter(j + 1) for j in range(width)])


def _read_csv(path: Path, data: bytes | None = None, **options) -> Sheet:
    raw = path.read_bytes() if data is None else data
    head = raw[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    first = head[0] if head else ""
    sep = max([";", ",", "\t"], key=first.count) if first else ";"
    table = frcsv.read(path, sep=sep, data=data, **options)
    headers = [h.strip() for h in table.columns]
    _check_headers(path, headers, 1)
    return Sheet(path, None, headers, [list(r) for r in table.rows], list(table.lines),
                 ragged_lines=list(table.ragged_lines))


def _check_headers(path: Path, headers: list[str], line: int) -> None:
    errors = Errors(path)
    seen = {}
    for j, h in enumerate(headers):
        if not h:
            continue
        k = norm(h)
        if k in seen:
            errors.add(f"colonne en double (déjà en position {seen[k] + 1})", line, h, "des en-têtes uniques")
        seen.setdefault(k, j)
    errors.raise_if_any()


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


# --------------------------------------------------------------------------- header mapping

def parse_map_options(values: list[str] | None, fields: list[Field], path: Path,
                      dynamic_field: Callable[[str], bool] = lambda name: False) -> dict[str, str]:
    """`--map "En-tête=champ"` → {normalised header: field name}; unknown field names are an error
    (`dynamic_field` accepts names built at run time, such as one amount column per financeur)."""
    names = {f.name for f in fields}
    out = {}
    for v in values or []:
        if "=" not in v:
            raise InputError(path, f"option --map « {v} » mal formée", expected="--map \"En-tête du fichier=champ\"")
        header, target = (s.strip() for s in v.rsplit("=", 1))
        if target not in names and not dynamic_field(target):
            raise InputError(path, f"champ « {target} » inconnu dans --map",
                             expected="un de : " + ", ".join(sorted(names)))
        out[norm(header)] = target
    return out



def map_headers(sheet: Sheet, fields: list[Field], mapping: dict[str, str],
                dynamic: Callable[[str], str | None] | None = None) -> tuple[dict[str, int], list[str]]:
    """{field: column index} and the list of ignored headers. Missing required fields raise InputErrors."""
    alias = {}
    for f in fields:
        for a in (f.name, f.label) + f.aliases:
            alias.setdefault(norm(a), f.name)
    found: dict[str, int] = {}
    ignored = []
    errors = Errors(sheet.path)
    header_line = (sheet.lines[0] - 1) if sheet.lines else 1
    for j, h in enumerate(sheet.headers):
        if not h:
            continue
        key = norm(h)
        target = mapping.get(key) or alias.get(key) or (dynamic(h) if dynamic else None)
        if target is None:
            ignored.append(h)
            continue
        if target in found:
            errors.add(f"deux colonnes pour le même champ « {target} » (« {sheet.headers[found[target]]} » et "
                       f"« {h} »)", header_line, h, "une seule colonne par champ (voir --map)")
            continue
        found[target] = j
    for f in fields:
        if f.required and f.name not in found:
            errors.add(f"colonne obligatoire « {f.label} » absente", header_line, f.label,
                       "un en-tête parmi : " + ", ".join(f"« {a} »" for a in (f.label,) + f.aliases[:4])
                       + " — ou --map \"Votre en-tête=" + f.name + "\"")
    errors.raise_if_any()
    return found, ignored


# --------------------------------------------------------------------------- cells

class CellError(ValueError):
    def __init__(self, message: str, expected: str | None = None):
        super().__init__(message)
        self.expected = expected


def text(v) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat()
    return str(v).strip()


def number(v) -> float | None:
    """French number: '1 234,50', '1 234,50 €', '12 %' (→ 12), or an XLSX number."""
    if _blank(v):
        return None
    if isinstance(v, bool):
        raise CellError(f"valeur non numérique « {v} »", "un nombre au format français (ex. 1 234,50)")
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip()
    s = re.sub(r"\s*(€|eur|euros|%)\s*$", "", s, flags=re.IGNORECASE)
    try:
        return frcsv.parse_number(s)
    except ValueError:
        raise CellError(f"valeur non numérique « {v} »", "un nombre au format français (ex. 1 234,50)") from None


def amount(v) -> float | None:
    x = number(v)
    if x is not None and x < 0:
        raise CellError(f"montant négatif « {v} »", "un montant positif ou nul en euros")
    return x


def integer(v, minimum: int | None = 0) -> int | None:
    x = number(v)
    if x is None:
        return None
    if not float(x).is_integer():
        raise CellError(f"nombre entier attendu, lu « {v} »", "un nombre entier (ex. 12)")
    if minimum is not None and x < minimum:
        raise CellError(f"valeur « {v} » inférieure à {minimum}", f"un entier ≥ {minimum}")
    return int(x)


_DATE_PATTERNS = [
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), lambda m: date(int(m[3]), int(m[2]), int(m[1]))),
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$"), lambda m: date(2000 + int(m[3]), int(m[2]), int(m[1]))),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$"), lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
]


def a_date(v) -> date | None:
    """21/11/2026, 21-11-2026, 21/11/26, 2026-11-21, or an XLSX date (a serial number is accepted too)."""
    if _blank(v):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, (int, float)) and 20000 < v < 80000:      # Excel serial day number
        return date(1899, 12, 30) + timedelta(days=int(v))
    s = str(v).strip()
    for rx, build in _DATE_PATTERNS:
        m = rx.match(s)
        if m:
            try:
                return build(m)
            except ValueError:
                break
    raise CellError(f"date invalide « {v} »", "une date JJ/MM/AAAA (ex. 21/11/2026)")


_TRUE = {"oui", "o", "x", "1", "vrai", "true", "yes", "publiable", "ok"}
_FALSE = {"non", "n", "0", "faux", "false", "no", "non publiable", ""}


def boolean(v) -> bool | None:
    if _blank(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return bool(v)
    k = norm(v)
    if k in _TRUE:
        return True
    if k in _FALSE:
        return False
    raise CellError(f"valeur « {v} » non reconnue", "oui ou non")


def siret(v) -> str | None:
    s = text(v)
    if s is None:
        return None
    digits = re.sub(r"[\s.\u00a0\u202f]", "", s)
    if not re.fullmatch(r"\d{14}", digits):
        raise CellError(f"SIRET « {v} » invalide", "14 chiffres (les espaces sont acceptés)")
    return digits


def choice(v, aliases: dict[str, str], labels: dict[str, str]) -> str | None:
    if _blank(v):
        return None
    k = norm(v)
    if k in aliases:
        return aliases[k]
    if k.replace(" ", "_") in labels:
        return k.replace(" ", "_")
    for code, lab in labels.items():
        if norm(lab) == k:
            return code
    raise CellError(f"valeur « {v} » non reconnue", "une de : " + ", ".join(labels.values()))


def split_list(v) -> list[str]:
    s = text(v)
    if not s:
        return []
    return [p.strip() for p in re.split(r"[;\n,|]+", s) if p.strip()]


class Row:
    """One data row with typed accessors that record errors with line and column."""

    def __init__(self, sheet: Sheet, i: int, cols: dict[str, int], errors: Errors, fields: dict[str, Field]):
        self.sheet, self.i, self.cols, self.errors, self.fields = sheet, i, cols, errors, fields
        self.line = sheet.lines[i]
        self.ok = True

    def raw(self, name: str):
        j = self.cols.get(name)
        return None if j is None else self.sheet.rows[self.i][j]

    def column(self, name: str) -> str:
        j = self.cols.get(name)
        if j is None:
            f = self.fields.get(name)
            return f.label if f else name
        return self.sheet.where(j)

    def error(self, name: str | None, message: str, expected: str | None = None) -> None:
        self.ok = False
        self.errors.add(message, self.line, self.column(name) if name else None, expected)

    def get(self, name: str, parser: Callable = text, required: bool = False, **kw):
        v = self.raw(name)
        try:
            out = parser(v, **kw) if kw else parser(v)
        except CellError as exc:
            self.error(name, str(exc), exc.expected)
            return None
        if out is None and required:
            f = self.fields.get(name)
            self.error(name, "valeur obligatoire manquante", f.help if f and f.help else None)
        return out
