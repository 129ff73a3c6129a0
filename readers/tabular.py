"""Reading the spreadsheets users have (XLSX or CSV, French headers, numbers and dates) for the imports of
programmation, engagements, enquêtes and référentiel, with every error naming file, line and column.

- XLSX through readers.workbook (typed cells: numbers, dates; the data sheet; merged cells and uncomputed
  formulas reported); the header row is the first row, among the first ten, that names at least two known
  columns (exports often start with a title block).
- CSV through readers.frcsv (encodings UTF-8 / BOM / UTF-16 / Windows-1252 detected, separator detected from
  the header line, truncated lines, binary content refused); French numbers through readers.frcsv.parse_number
  (one parser in the project; its Arrow twin for whole columns).
- The templates' example rows (first cell « EXEMPLE… ») are left out and listed; an optional sheet may be empty.
- Text cells pass the store's text rule (readers.text.text_problem, the field's TextRule).
- Long files are validated column by column (Columns): 100 000 rows in seconds; small ones row by row (Row).
- Headers are matched after normalisation (case, accents, punctuation) against the aliases declared per
  field, then to the closest declared spelling; `--map "En-tête=champ"` adds a user's own spelling. Unknown
  columns are listed, not fatal; the mapping is kept on the Sheet (`Sheet.mapping`) for confirmation.
- EVERY problem of a file goes to one collector (`Sheet.errors`): rows of the wrong width, missing
  columns, each bad cell, duplicates; the import raises it once, at the end of its validation.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils import get_column_letter

from readers import frcsv, workbook
from readers.errors import Collector, InputError
from readers.text import LINE, TextRule, closest, norm, text_problem

MAX_BYTES = workbook.MAX_BYTES          # a programmation, engagements or survey file is a few MB at most


@dataclass
class Field:
    name: str                     # internal field name (what --map targets)
    label: str                    # French name shown in templates and messages
    aliases: tuple[str, ...]      # accepted headers (normalised at comparison)
    required: bool = False
    kind: str = "text"            # text | int | number | date | bool | choice | list | siret
    help: str = ""                # notice sheet of the template
    example: Any = None
    text: TextRule = LINE         # the store's text rule for the column it lands in (contract.store)


@dataclass
class Sheet:
    path: Path
    sheet: str | None
    headers: list[str]            # as written in the file
    rows: list[list[Any]]         # cell values (str for CSV; typed for XLSX)
    lines: list[int]              # line (row number) of each data row in the file
    letters: list[str] = field(default_factory=list)   # XLSX column letters
    errors: Collector | None = None                     # every problem of the file, raised once
    encoding: str | None = None                         # CSV: the encoding read (« Windows-1252 (Latin-1) »)
    mapping: list[tuple[str, str, str]] = field(default_factory=list)   # (header, field label, how recognised)
    header_line: int = 1                                # line of the header row in the file
    examples: list[int] = field(default_factory=list)   # lines of the template's example rows, left out
    kinds: dict[str, str] = field(default_factory=dict)  # field label -> kind, for the typed preview

    def __post_init__(self):
        if self.errors is None:
            self.errors = Collector(self.path)

    def where(self, j: int) -> str:
        """Column name for messages: « Montant accordé » (col. H)."""
        name = self.headers[j]
        if self.letters:
            return f"{name} (col. {self.letters[j]})"
        return name


Errors = Collector      # the contract imports' name for it


# --------------------------------------------------------------------------- reading

def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_sheet(path: str | Path, fields: list[Field], sheet: str | None = None, skip: tuple[str, ...] = (),
               optional: bool = False) -> Sheet:
    """The file's table (XLSX or CSV). Problems found while reading are in the returned `Sheet.errors`
    (raised by the caller with its own); a file that cannot be read at all raises InputError now.
    `skip`: sheets that are not candidates for the data sheet (engagements: the points d'étape sheet).
    `optional`: a sheet that may be left empty (no row under its header, or only the template's example):
    it then gives a Sheet without rows instead of an error. Rows whose first cell starts with « EXEMPLE »
    (the templates' example rows) are left out and listed in `Sheet.examples`."""
    path = Path(path)
    if workbook.table_kind(path, MAX_BYTES) == "xlsx":
        out = _read_xlsx(path, fields, sheet, skip, optional)
    else:
        out = _read_csv(path, fields)
    if not out.rows and not optional and not out.errors:
        what = f" (feuille « {out.sheet} »)" if out.sheet else ""
        example = (f" : la ligne d'exemple du modèle (ligne {', '.join(map(str, out.examples))}) est ignorée"
                   if out.examples else "")
        raise InputError(path, f"aucune ligne de données sous l'en-tête{what}{example}", line=out.header_line + 1,
                         expected="au moins une ligne de données")
    return out


EXAMPLE_MARK = "exemple"          # first cell of a template's example row: « EXEMPLE — 2025-06-0042 »


def is_example(row: list) -> bool:
    """A template's example row: its first cell starts with the word « EXEMPLE » (any case)."""
    first = row[0] if row else None
    if not isinstance(first, str):
        return False
    head = first.lstrip()[:8].casefold()
    return head[:7] == EXAMPLE_MARK and not head[7:8].isalpha()


def _drop_examples(rows: list, lines: list[int]) -> tuple[list, list[int], list[int]]:
    flags = [is_example(r) for r in rows]
    if not any(flags):
        return rows, lines, []
    return ([r for r, f in zip(rows, flags) if not f], [ln for ln, f in zip(lines, flags) if not f],
            [ln for ln, f in zip(lines, flags) if f])


def sheet_names(path: str | Path) -> list[str]:
    return workbook.sheet_names(Path(path))


def _score(headers: list, fields: list[Field]) -> int:
    """How many distinct fields a row names (a « Notice » row naming one field twice counts once)."""
    known = {norm(a): f.name for f in fields for a in (f.aliases + (f.label, f.name))}
    return len({known[norm(h)] for h in headers if isinstance(h, str) and norm(h) in known})


def _read_xlsx(path: Path, fields: list[Field], sheet: str | None, skip: tuple[str, ...] = (),
               optional: bool = False) -> Sheet:
    grid = workbook.read_grid(path, sheet, score=lambda row: _score(row, fields), skip=skip)
    name, rows_in = grid.sheet, grid.rows
    if not rows_in:
        if optional:
            return Sheet(path, name, [], [], [], [])
        raise InputError(path, f"feuille « {name} » vide", line=1, expected="une ligne d'en-tête puis des données")
    best, best_score = 0, -1
    for k, (_, row) in enumerate(rows_in[:workbook.HEADER_ROWS]):
        sc = _score(row, fields)
        if sc > best_score:
            best, best_score = k, sc
    if best_score < 2:
        best = 0
    header_line, header = rows_in[best]
    width = max((j + 1 for j, v in enumerate(header) if not workbook.blank(v)), default=0)
    headers = [("" if workbook.blank(v) else str(v).strip()) for v in header[:width]]
    rows, lines = [], []
    for line, row in rows_in[best + 1:]:
        row = list(row[:width]) + [None] * (width - len(row))
        if all(workbook.blank(v) for v in row):
            continue
        rows.append(row)
        lines.append(line)
    rows, lines, examples = _drop_examples(rows, lines)
    out = Sheet(path, name, headers, rows, lines, [get_column_letter(j + 1) for j in range(width)],
                header_line=header_line, examples=examples)
    _check_headers(out, headers, header_line)
    workbook.cell_problems(grid, header_line, width, lambda j: out.where(j) if j < width else get_column_letter(j + 1),
                           out.errors.add)
    return out


def _read_csv(path: Path, fields: list[Field]) -> Sheet:
    errors = Collector(path)
    table = frcsv.read(path, sep=None, collect=errors, empty_ok=True)   # a header alone: see read_sheet
    headers = [h.strip() for h in table.columns]
    if len(headers) == 1 and _score(headers, fields) == 0:
        raise frcsv.not_a_table(path, "une seule colonne et aucun en-tête reconnu : ni point-virgule, ni virgule, "
                                      "ni tabulation entre les colonnes")
    rows, lines, examples = _drop_examples([list(r) for r in table.rows], list(table.lines))
    out = Sheet(path, None, headers, rows, lines, errors=errors, encoding=table.encoding_label, examples=examples)
    _check_headers(out, headers, 1)
    return out


def _check_headers(sheet: Sheet, headers: list[str], line: int) -> None:
    seen = {}
    for j, h in enumerate(headers):
        if not h:
            continue
        k = norm(h)
        if k in seen:
            sheet.errors.add(f"colonne en double (déjà en position {seen[k] + 1})", line, h, "des en-têtes uniques")
        seen.setdefault(k, j)


_blank = workbook.blank


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
    """{field: column index} and the list of ignored headers. Headers are recognised by --map, by a declared
    spelling, then by the closest declared spelling; `sheet.mapping` keeps how (for confirmation). Missing
    required columns and duplicated fields go to `sheet.errors` (reported with the cell errors)."""
    alias = {}
    for f in fields:
        for a in (f.name, f.label) + f.aliases:
            alias.setdefault(norm(a), f.name)
    labels = {f.name: f.label for f in fields}
    kinds = {f.name: f.kind for f in fields}
    found: dict[str, int] = {}
    ignored = []
    errors = sheet.errors
    header_line = sheet.header_line
    for j, h in enumerate(sheet.headers):
        if not h:
            continue
        key = norm(h)
        how = "--map" if key in mapping else "en-tête reconnu"
        target = mapping.get(key) or alias.get(key) or (dynamic(h) if dynamic else None)
        if target is None:
            target = closest(h, {k: v for k, v in alias.items() if v not in found})
            how = "rapprochement approché : à confirmer"
        if target is None:
            ignored.append(h)
            continue
        if target in found:
            errors.add(f"deux colonnes pour le même champ « {target} » (« {sheet.headers[found[target]]} » et "
                       f"« {h} »)", header_line, h, "une seule colonne par champ (voir --map)")
            continue
        found[target] = j
        sheet.mapping.append((h, labels.get(target, target), how))
        sheet.kinds[labels.get(target, target)] = kinds.get(target, "number")    # dynamic fields: amounts
    for f in fields:
        if f.required and f.name not in found:
            errors.add(f"colonne obligatoire « {f.label} » absente", header_line, f.label,
                       "un en-tête parmi : " + ", ".join(f"« {a} »" for a in (f.label,) + f.aliases[:4])
                       + " — ou --map \"Votre en-tête=" + f.name + "\"")
    return found, ignored


def preview(sheet: Sheet, n: int = 10) -> list[dict]:
    """The first `n` data rows as read, one dict per row: « Ligne » then each recognised column under its
    field label, TYPED by the field's kind (numbers as numbers, dates as dates whether the workbook held a
    date or the text « 30/06/2027 », None when empty): presentation.imports writes them the French way."""
    by_header = {h: label for h, label, _how in sheet.mapping}
    cols = [(j, by_header[h]) for j, h in enumerate(sheet.headers) if h in by_header]
    out = []
    for line, cells in zip(sheet.lines[:n], sheet.rows[:n]):
        row = {"Ligne": line}
        for j, label in cols:
            v = cells[j] if j < len(cells) else None
            parse = _PREVIEW_PARSERS.get(sheet.kinds.get(label, "text"), text)
            try:
                row[label] = parse(v)
            except CellError:
                row[label] = text(v)
        out.append(row)
    return out


# --------------------------------------------------------------------------- cells

class CellError(ValueError):
    def __init__(self, message: str, expected: str | None = None):
        super().__init__(message)
        self.expected = expected


def text(v) -> str | None:
    """A cell as text: stripped, line breaks as « \\n » (CR LF and CR from Windows files), None when empty."""
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat()
    s = str(v).strip()
    return s.replace("\r\n", "\n").replace("\r", "\n") if "\r" in s else s


def safe_text(v, rule: TextRule = LINE) -> str | None:
    """A text cell as stored: refused, with the reason, when the store's text rule refuses it (control or
    bidirectional characters, too long, a line break in a one-line field, a spreadsheet formula, HTML)."""
    s = text(v)
    problem = text_problem(s, rule)
    if problem:
        raise CellError(*problem)
    return s


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


_PREVIEW_PARSERS = {"number": lambda v: number(v), "int": lambda v: integer(v, minimum=None), "date": lambda v: a_date(v),
                    "bool": lambda v: boolean(v)}


class Row:
    """One data row with typed accessors that record errors with line and column (small sheets: the
    points d'étape, survey answers; a long programmation is validated column by column, see Columns)."""

    def __init__(self, sheet: Sheet, i: int, cols: dict[str, int], errors: Errors, fields: dict[str, Field]):
        self.sheet, self.i, self.cols, self.errors, self.fields = sheet, i, cols, errors, fields
        self.line = sheet.lines[i]
        self.ok = True

    def raw(self, name: str):
        j = self.cols.get(name)
        return None if j is None else self.sheet.rows[self.i][j]

    def column(self, name: str) -> str:
        return column_name(self.sheet, self.cols, self.fields, name)

    def error(self, name: str | None, message: str, expected: str | None = None) -> None:
        self.ok = False
        self.errors.add(message, self.line, self.column(name) if name else None, expected)

    def get_column(self, j: int, parser: Callable = safe_text):
        """A cell of a column that is not a declared field (survey verbatims), parsed and checked."""
        try:
            return parser(self.sheet.rows[self.i][j])
        except CellError as exc:
            self.ok = False
            self.errors.add(str(exc), self.line, self.sheet.where(j), exc.expected)
            return None

    def get(self, name: str, parser: Callable | None = None, required: bool = False, **kw):
        v = self.raw(name)
        if parser is None:
            parser, kw = safe_text, {"rule": _rule(self.fields, name)}
        try:
            out = parser(v, **kw) if kw else parser(v)
        except CellError as exc:
            self.error(name, str(exc), exc.expected)
            return None
        if out is None and required and name in self.cols:    # a missing column is reported once, at the header
            f = self.fields.get(name)
            self.error(name, "valeur obligatoire manquante", f.help if f and f.help else None)
        return out


def column_name(sheet: Sheet, cols: dict[str, int], fields: dict[str, Field], name: str) -> str:
    """How messages name a field's column: « Montant accordé (col. H) », or the field's label when absent."""
    j = cols.get(name)
    if j is None:
        f = fields.get(name)
        return f.label if f else name
    return sheet.where(j)


def _rule(fields: dict[str, Field], name: str) -> TextRule:
    f = fields.get(name)
    return f.text if f else LINE


_MISSING = object()
_UNIT = r"(?i)\s*(€|eur|euros|%)\s*$"


class Columns:
    """Column-wise validation of a sheet (the bulk counterpart of Row, for files of 100 000 rows): each field's
    column is parsed at once — French numbers by Arrow kernels, every other parser once per distinct cell
    value — and each bad cell is recorded with its line and column in the sheet's collector, exactly as
    Row.get would. `ok[i]` says whether row i is free of errors so far."""

    def __init__(self, sheet: Sheet, cols: dict[str, int], fields: dict[str, Field]):
        self.sheet, self.cols, self.fields, self.errors = sheet, cols, fields, sheet.errors
        self.n = len(sheet.rows)
        self.lines = sheet.lines
        self.ok = [True] * self.n

    def raw(self, name: str) -> list:
        j = self.cols.get(name)
        if j is None:
            return [None] * self.n
        return [r[j] for r in self.sheet.rows]

    def column(self, name: str) -> str:
        return column_name(self.sheet, self.cols, self.fields, name)

    def error(self, i: int, name: str | None, message: str, expected: str | None = None) -> None:
        self.ok[i] = False
        self.errors.add(message, self.lines[i], self.column(name) if name else None, expected)

    def parse(self, name: str, parser: Callable | None = None, required: bool = False, **kw) -> list:
        """The parsed values of a field's column, in row order (None where empty or refused)."""
        raw = self.raw(name)
        if name not in self.cols:
            return raw
        if parser is None:
            parser, kw = safe_text, {"rule": _rule(self.fields, name)}
        if parser in (number, amount, integer):
            out = self._numbers(name, raw, parser, kw)
        else:
            out, cache = [], {}
            for i, v in enumerate(raw):
                key = (v.__class__, v)
                hit = cache.get(key, _MISSING)
                if hit is _MISSING:
                    try:
                        hit = parser(v, **kw) if kw else parser(v)
                    except CellError as exc:
                        hit = exc
                    cache[key] = hit
                if isinstance(hit, CellError):
                    self.error(i, name, str(hit), hit.expected)
                    hit = None
                out.append(hit)
        if required:
            f = self.fields.get(name)
            for i, (v, r) in enumerate(zip(out, raw)):
                if v is None and _blank(r):
                    self.error(i, name, "valeur obligatoire manquante", f.help if f and f.help else None)
        return out

    def _numbers(self, name: str, raw: list, parser: Callable, kw: dict) -> list:
        """number / amount / integer over a whole column: text cells through readers.frcsv's Arrow kernels,
        workbook numbers as they are; a cell that fails goes through the scalar parser for its message."""
        texts = pa.array([v if isinstance(v, str) else None for v in raw], pa.string())
        parsed = frcsv.parse_numbers_arrow(pc.replace_substring_regex(texts, _UNIT, "")).to_pylist()
        minimum = kw.get("minimum", 0)
        out = []
        for i, (v, x) in enumerate(zip(raw, parsed)):
            if v is None or (x is None and isinstance(v, str) and frcsv.is_empty(v)):
                out.append(None)
                continue
            if x is None and isinstance(v, (int, float)) and not isinstance(v, bool):
                x = float(v)
            ok = x is not None and (
                (parser is number) or (parser is amount and x >= 0)
                or (parser is integer and float(x).is_integer() and (minimum is None or x >= minimum)))
            if not ok:
                try:
                    x = parser(v, **kw) if kw else parser(v)   # raises CellError with the message
                except CellError as exc:
                    self.error(i, name, str(exc), exc.expected)
                    x = None
            elif parser is integer:
                x = int(x)
            out.append(x)
        return out
