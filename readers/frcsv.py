"""French CSV files as published (SIG Ville, INSEE Filosofi) and as users bring them.

Reading is split in three on purpose:
- a Python pre-scan of the decoded text, one pass over the *lines* (never the cells): encoding, separator,
  header names kept exactly as written (case, trailing spaces), number of fields per line, blank lines,
  truncated last line, duplicated rows. It knows the physical line number of every data row, which is
  what error messages and `source_value.line` need;
- the cells are split by Arrow's C++ CSV reader into string columns ('' for an empty cell, never NULL),
  or by Python's csv module when the file has quotes or irregular rows (small user files);
- numbers are parsed by Arrow compute kernels (`parse_numbers_arrow`: spaces, U+00A0, U+202F removed,
  comma -> dot, strict pattern, cast), measured ~3 times cheaper in CPU than the same rule in DuckDB SQL
  for the 1.4 million source cells. The same rule exists for single cells (`parse_number`) and in SQL
  (`install_macros`: fr_num); tests check the three agree.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from observatoire.frformat import fmt_number
from readers.errors import Collector, InputError, InputErrors

# Thousands separators met in the files: space, no-break space (U+00A0), narrow no-break space (U+202F),
# thin space (U+2009).
_SPACES = " \u00a0\u202f\u2009\t"
# A French number once spaces are dropped and the comma made a dot (Python re and Arrow RE2 alike).
_NUM_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_NUM_RE = re.compile(_NUM_PATTERN)
_TRANS = str.maketrans({**{c: None for c in _SPACES}, ",": ".", "\u2212": "-"})

# Same rule in SQL, for ad-hoc queries: fr_cast drops the spaces, turns the comma into a dot and casts;
# fr_keep rejects what a cast accepts but a French number is not ('inf', 'nan', '1e5', '1_000').
FR_NUM_MACRO = """
CREATE OR REPLACE TEMP MACRO fr_cast(s) AS
    TRY_CAST(replace(replace(replace(replace(replace(replace(s, ',', '.'), '\u202f', ''), '\u00a0', ''),
                     '\u2009', ''), ' ', ''), '\u2212', '-') AS DOUBLE);
CREATE OR REPLACE TEMP MACRO fr_keep(s, v) AS
    CASE WHEN isfinite(v) AND NOT (contains(s, 'e') OR contains(s, 'E') OR contains(s, '_')) THEN v END;
CREATE OR REPLACE TEMP MACRO fr_num(s) AS fr_keep(s, fr_cast(s));
"""

_SEPARATOR_NAMES = {",": "virgule", "\t": "tabulation", "|": "barre verticale", ";": "point-virgule"}


def parse_number(text: str | None) -> float | None:
    """French number -> float ('6 490' -> 6490.0, '55,3' -> 55.3); None for an empty cell.

    Raises ValueError for anything else (text, '1e5', 'inf', '1.234.567'). Same rule as fr_num in SQL."""
    if text is None:
        return None
    s = text.strip(_SPACES)
    if s == "":
        return None
    s = s.translate(_TRANS)
    if not _NUM_RE.fullmatch(s):
        raise ValueError(text)
    return float(s)


def parse_numbers_arrow(raw: pa.Array) -> pa.Array:
    """parse_number over a whole Arrow string array (C++ kernels, ~3 times cheaper than SQL here):
    float64 where the text is a French number, null elsewhere (empty, labels, '1e5', 'inf'…)."""
    s = raw
    for ch in _SPACES:
        s = pc.replace_substring(s, ch, "")
    s = pc.replace_substring(pc.replace_substring(s, ",", "."), "\u2212", "-")
    ok = pc.match_substring_regex(s, _NUM_PATTERN)
    return pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), pa.float64())


def empty_arrow(raw: pa.Array) -> pa.Array:
    """is_empty over a whole Arrow string array (True for '' and cells of spaces only)."""
    return pc.equal(pc.utf8_trim(raw, _SPACES), "")


def is_empty(text: str | None) -> bool:
    return text is None or text.strip(_SPACES) == ""


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define fr_cast / fr_keep / fr_num on this connection (temporary: nothing stored in the warehouse)."""
    con.execute(FR_NUM_MACRO)


@dataclass
class CsvTable:
    """A validated CSV file: header names exactly as written, cells as Arrow string columns ('' = empty)."""
    path: Path
    columns: list[str]                      # header names, trailing unnamed empty columns dropped
    data: pa.Table                          # one string column per entry of `columns`, in order
    lines: list[int]                        # 1-based physical line of each row (header is line 1)
    key: str | None = None                  # the key column actually found (case as in the file)
    encoding: str = "utf-8"
    dropped_columns: int = 0                # trailing columns without a name and without any value
    sep: str = ";"                          # the separator read (detected for user files)
    warnings: list[tuple[int | None, str | None, str]] = field(default_factory=list)
    ragged_lines: list[int] = field(default_factory=list)   # rows padded/cut to the header (ragged="pad")
    _rows: list[list[str]] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def encoding_label(self) -> str:
        """« UTF-8 avec BOM », « Windows-1252 (Latin-1) »…: what the import report says it read."""
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def n_rows(self) -> int:
        return self.data.num_rows

    def values(self, column: str) -> list[str]:
        return self.data.column(self.columns.index(column)).to_pylist()

    @property
    def rows(self) -> list[list[str]]:
        """Row-wise cells (built on demand: meant for small user files and tests)."""
        if self._rows is None:
            cols = [c.to_pylist() for c in self.data.columns]
            self._rows = [list(r) for r in zip(*cols)]
        return self._rows

    def text_columns(self, sample: int = 40, secret_marks: tuple[str, ...] = ()) -> set[str]:
        """Label columns: most of an even sample of non-empty cells are not numbers (LIBGEO, LIB_COM).
        Cells equal to a secret mark (« s » in the Filosofi base communale) count as numbers."""
        out = set()
        n = self.n_rows
        idx = pa.array(np.unique(np.linspace(0, n - 1, min(n, sample)).astype(np.int64)))
        for j, c in enumerate(self.columns):
            col = self.data.column(j)
            picked = [x for x in col.take(idx).to_pylist() if not is_empty(x) and x.strip() not in secret_marks]
            if not picked:   # sparse column: look at all its cells
                picked = [x for x in col.to_pylist() if not is_empty(x) and x.strip() not in secret_marks][:sample]
            bad = 0
            for x in picked:
                try:
                    parse_number(x)
                except ValueError:
                    bad += 1
            if picked and bad * 2 > len(picked):
                out.add(c)
        return out

    def cells_arrow(self, codes: list[str] | None = None, edition: int = 0,
                    file_label: str | None = None, secret_marks: tuple[str, ...] = ()) -> pa.Table:
        """Every non-key cell, long format (column after column), with its parsed value and status,
        without any per-cell Python work (Arrow C++ kernels).

        Columns: source_file, variable, territory_code (dictionary-encoded), edition, value, raw, status,
        line — the columns of source_value, in its order. codes: territory code per row (default: the
        key cell, stripped). Status: 'text' in label columns and for non-numbers, 'ok' for numbers, and
        for empty cells 'non_disponible' on the national aggregate row (key 'Ensemble'), else 'secret';
        cells equal to one of `secret_marks` (the file's own secret marker, e.g. « s ») are 'secret' too."""
        kj = self.columns.index(self.key) if self.key is not None else -1
        keep = [j for j in range(len(self.columns)) if j != kj]
        k, n = len(keep), self.n_rows
        keys = [x.strip() for x in self.data.column(kj).to_pylist()] if kj >= 0 else [""] * n
        codes = codes if codes is not None else keys
        text = self.text_columns(secret_marks=secret_marks)
        names = [self.columns[j] for j in keep]
        col_idx = np.repeat(np.arange(k, dtype=np.int32), n)
        row_idx = np.tile(np.arange(n, dtype=np.int32), k)
        raw = (pa.concat_arrays([self.data.column(j).combine_chunks() for j in keep]) if keep
               else pa.array([], pa.string()))
        text_col = pa.array(np.repeat(np.array([c in text for c in names], dtype=bool), n))
        value = pc.if_else(text_col, pa.scalar(None, pa.float64()), parse_numbers_arrow(raw))
        blank = pc.equal(pc.utf8_trim(raw, _SPACES), "")
        if secret_marks:   # a marked cell is treated as an empty published cell: secret statistique
            blank = pc.or_(blank, pc.is_in(pc.utf8_trim(raw, _SPACES), pa.array(list(secret_marks))))
        ensemble_row = np.array([kk.lower() == "ensemble" for kk in keys], dtype=bool)
        on_ensemble = pa.array(np.tile(ensemble_row, k))
        status = pc.case_when(
            pc.make_struct(text_col, pc.is_valid(value), pc.invert(blank), on_ensemble),
            "text", "ok", "text", "non_disponible", "secret")
        return pa.table({
            "source_file": pa.DictionaryArray.from_arrays(np.zeros(n * k, dtype=np.int32),
                                                          pa.array([file_label or self.name])),
            "source_variable": pa.DictionaryArray.from_arrays(col_idx, pa.array(names, pa.string())),
            "territory_code": pa.DictionaryArray.from_arrays(row_idx, pa.array(codes, pa.string())),
            "edition": pa.array(np.full(n * k, edition, dtype=np.int32)),
            "value": value,
            "raw": raw,
            "status": status,
            "line": pa.array(np.tile(np.asarray(self.lines, dtype=np.int32), k)),
            "text_col": text_col,
        })


# ---------------------------------------------------------------------------------------------- reading

ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 avec BOM", "cp1252": "Windows-1252 (Latin-1)",
                   "latin-1": "Latin-1 (ISO-8859-1)", "utf-16": "UTF-16", "utf-16-le": "UTF-16 sans BOM",
                   "utf-16-be": "UTF-16 sans BOM (gros-boutiste)"}
# Files that are not text at all, by their first bytes (what people drop on an import by mistake).
_MAGIC = {b"PK\x03\x04": "archive ZIP ou document bureautique (Word, OpenDocument…)", b"%PDF": "document PDF",
          b"\x89PNG": "image PNG", b"\xff\xd8\xff": "image JPEG", b"GIF8": "image GIF",
          b"\xd0\xcf\x11\xe0": "ancien document Office (.xls, .doc)", b"\x1f\x8b": "archive compressée (gzip)",
          b"SQLite format 3": "base de données SQLite"}
_BINARY = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
NOT_A_TABLE = "ce fichier n'est ni un CSV ni un classeur"


def not_a_table(path: Path, detail: str | None = None) -> InputError:
    """The refusal of a file that is neither a CSV text nor a workbook (binary, image, PDF, one word per line)."""
    return InputError(path, NOT_A_TABLE + (f" ({detail})" if detail else ""),
                      expected="un fichier CSV (du texte, colonnes séparées par « ; ») ou un classeur Excel .xlsx")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the bytes are UTF-16 text saved without its BOM: French text in UTF-16
    has a zero byte in almost every other position, and (nearly) none in the others."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def _check_text(path: Path, text: str) -> None:
    """Refuse binary content decoded as text: control characters by the dozen. A stray one in a cell (a NUL
    pasted from another program) is not binary: the import's text rule names its line and column."""
    head = text[:65536]
    bad = len(_BINARY.findall(head))
    if bad > max(8, len(head) // 100):
        raise not_a_table(path, "contenu binaire")
# What UTF-8 accents look like once read as Windows-1252 (« Ã© » for « é »): a file mixing both encodings.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                       "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 / Latin-1 — the
    encodings French spreadsheets save in. A file mixing UTF-8 and Windows-1252 is refused (line, column)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(path, "fichier UTF-16 illisible (octets incomplets)", line=1,
                             expected="un fichier texte UTF-8 : réenregistrez-le en « CSV UTF-8 »") from None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise not_a_table(path, what)
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise InputError(path, "fichier UTF-16 sans BOM illisible (octets incomplets)", line=1,
                             expected="un fichier texte UTF-8 : réenregistrez-le en « CSV UTF-8 »") from None
        _check_text(path, text)
        return text, utf16
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    try:
        text = data.decode("utf-8")
        _check_text(path, text)
        return text, encoding
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    _check_text(path, text)
    m = _MOJIBAKE.search(text)
    if m is not None or encoding == "utf-8-sig":
        line_start = data.rfind(b"\n", 0, first_bad) + 1
        line = data.count(b"\n", 0, first_bad) + 1
        prefix = data[line_start:first_bad].decode("utf-8", errors="replace")
        header = data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8", errors="replace")
        raise InputError(path, f"encodage mélangé : UTF-8 et Windows-1252 dans le même fichier (octet "
                         f"0x{data[first_bad:first_bad + 1].hex().upper()} invalide en UTF-8)", line=line,
                         column=_column_at(header, prefix),
                         expected="un seul encodage : réenregistrez le fichier en « CSV UTF-8 »") from None
    return text, encoding


def _split_lines(text: str, ends_with_newline: bool) -> list[str]:
    """Physical lines (LF, CRLF, or CR-only files) without their end-of-line characters.

    Not str.splitlines(), which also breaks on U+2028, form feeds etc. and would shift line numbers."""
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    lines = text.split("\n")
    if ends_with_newline:
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _column_at(header: str, prefix: str) -> str | None:
    """Name of the column a position falls in, from the separator count before it on its line."""
    for sep in (";", ",", "\t"):
        if sep in header:
            names = header.lstrip("\ufeff").rstrip("\r").split(sep)
            i = prefix.count(sep)
            return names[i] if i < len(names) else f"n° {i + 1}"
    return None


def detect_separator(header_line: str) -> str:
    """The separator of a header line: the most frequent of ; , tab | (« ; » when none is there)."""
    counts = {s: header_line.count(s) for s in _SEPARATOR_NAMES}
    best = max(counts, key=lambda s: (counts[s], s == ";"))
    return best if counts[best] else ";"


def check_size(path: Path, max_bytes: int | None) -> None:
    """Refuse a file bigger than an import can sensibly hold, before reading it."""
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise InputError(path, f"fichier trop volumineux ({fmt_number(size / 1e6, 1)} Mo ; limite "
                               f"{fmt_number(max_bytes / 1e6, 0)} Mo)",
                         expected="un fichier plus petit : découpez-le (par année, par département) "
                                  "ou importez seulement les colonnes utiles")


def read(path: str | Path, sep: str | None = ";", key: str | tuple[str, ...] | list[str] | None = None,
         duplicate_rows: str = "error", duplicate_keys: str = "error", max_bytes: int | None = None,
         collect: Collector | None = None, ragged: str = "leave_out", empty_ok: bool = False) -> CsvTable:
    """Read and structurally validate a French CSV file.

    sep: the separator, or None to detect it from the header (user files; `CsvTable.sep` says which).
    key: name (or accepted names, compared case-insensitively) of the key column, e.g. ('CODGEO',).
    duplicate_rows / duplicate_keys: 'error' (user files) or 'warn' (published files are kept as they are).
    collect: a readers.errors.Collector that receives the row-level problems (wrong number of fields,
    duplicates) so that the caller reports them with its own cell errors, at once; such rows are left out.
    Without it, raises InputError / InputErrors naming file, line and column. Nothing is written anywhere.
    ragged: 'leave_out' (default: as above) or 'pad': a row with fewer or more fields than the header is
    kept, padded with empty cells or cut, and listed in `ragged_lines` (and `warnings`) instead of being an
    error — for bulk lookups that answer every row of the file, in order (readers.points).
    empty_ok: a header without data rows gives an empty table instead of an error (the caller decides).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "fichier introuvable")
    check_size(path, max_bytes)
    raw_bytes = path.read_bytes()
    if not raw_bytes.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InputError(path, "fichier vide", line=1, expected="une ligne d'en-tête puis des lignes de données")
    text, encoding = _decode(path, raw_bytes)
    if text.startswith("\ufeff"):
        text = text[1:]
    ends_with_newline = text.endswith(("\n", "\r"))
    lines = _split_lines(text, ends_with_newline)
    header_line = lines[0]
    if sep is None:
        sep = detect_separator(header_line)
    elif sep not in header_line:
        found = [s for s in _SEPARATOR_NAMES if s != sep and s in header_line]
        if found:
            raise InputError(path, f"séparateur « {found[0]} » ({_SEPARATOR_NAMES[found[0]]}) détecté dans "
                             "l'en-tête", line=1,
                             expected=f"des colonnes séparées par « {sep} » ({_SEPARATOR_NAMES.get(sep, sep)})")
    quoted = '"' in text
    header = next(csv.reader([header_line], delimiter=sep)) if quoted else header_line.split(sep)
    named = [i for i, h in enumerate(header) if h.strip() != ""]
    if not named:
        raise InputError(path, "en-tête vide", line=1, expected="des noms de colonnes")
    n = named[-1] + 1                      # trailing unnamed columns (REVN 2021/2022: ~990) are dropped
    columns = header[:n]
    _check_header(path, columns)

    if quoted:
        rows, row_lines, texts, errors = _split_with_csv(path, text, sep, n, columns, len(lines), ends_with_newline,
                                                         keep=ragged == "pad")
        data = _columns_to_arrow(rows, n)
    else:
        row_lines, texts, uniform, errors = _prescan(path, lines, sep, n, columns, ends_with_newline,
                                                     keep=ragged == "pad")
        if uniform is not None and "\n" in text:
            body = (raw_bytes[3:] if encoding == "utf-8-sig" else raw_bytes) if encoding.startswith("utf-8") \
                else text.encode("utf-8")
            data = _arrow_split(body, sep, uniform, n)
        else:
            rows = [(ln.split(sep, n) + [""] * n)[:n] for ln in (lines[i - 1] for i in row_lines)]
            data = _columns_to_arrow(rows, n)
    read_lines = set(row_lines) if ragged == "pad" else set()
    kept = [e for e in errors if e.line in read_lines]           # rows of the wrong width, kept (ragged="pad")
    errors = [e for e in errors if e.line not in read_lines]
    if errors:
        if collect is None:
            raise InputErrors(errors)
        for e in errors:
            collect.extend(e)
    if data.num_rows == 0 and not errors and not empty_ok:
        raise InputError(path, "aucune ligne de données après l'en-tête", line=2,
                         expected="au moins une ligne de données")
    table = CsvTable(path=path, columns=columns, data=data, lines=row_lines, encoding=encoding,
                     dropped_columns=len(header) - n, sep=sep,
                     ragged_lines=[e.line for e in kept], warnings=[(e.line, e.column, e.message) for e in kept])
    if key is not None:
        table.key = _find_key(table, key)
        _check_keys(table, duplicate_keys, collect)
    _check_duplicate_rows(table, texts, duplicate_rows, collect)
    return table


def _check_header(path: Path, columns: list[str]) -> None:
    errors: list[InputError] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(columns):
        if h.strip() == "":
            errors.append(InputError(path, f"colonne n° {i + 1} sans nom", line=1, column=f"n° {i + 1}",
                                     expected="un nom pour chaque colonne"))
        elif h in seen:
            errors.append(InputError(path, f"colonne en double (déjà en position {seen[h] + 1})", line=1,
                                     column=h, expected="des noms de colonnes uniques"))
        else:
            seen[h] = i
    if errors:
        raise InputErrors(errors)


def _width_error(path, got, n, columns, line, truncated) -> InputError:
    if truncated:
        msg = f"dernière ligne tronquée : {got} colonne(s) au lieu de {n} (fichier incomplet ?)"
    else:
        msg = f"{got} colonne(s) au lieu de {n} (mauvais séparateur ou ligne incomplète ?)"
    return InputError(path, msg, line=line, column=columns[min(got, n - 1)],
                      expected=f"{n} colonnes séparées comme l'en-tête")


def _extra_value_error(path, value, n, j, line) -> InputError:
    """A value in the j-th (0-based) column beyond the n named ones."""
    return InputError(path, f"valeur « {value} » hors des colonnes nommées (colonne n° {n + j + 1})", line=line,
                      column=f"n° {n + j + 1}", expected=f"{n} colonnes comme l'en-tête")


def _prescan(path, lines, sep, n, columns, ends_with_newline, keep: bool = False):
    """One pass over the lines (no cell split): field counts, blank lines, values beyond the named columns.

    Returns (row_lines, row_texts, uniform, errors): rows with a wrong number of fields are left out (kept
    too with `keep`) and reported in errors; uniform is the common field count of every line (header
    included) when the fast Arrow split can be used, else None."""
    errors: list[InputError] = []
    row_lines: list[int] = []
    texts: list[str] = []
    counts = set()
    header_count = lines[0].count(sep) + 1
    blank = False
    last = len(lines)
    for ln in range(2, last + 1):
        line = lines[ln - 1]
        if line == "" or line.isspace():
            blank = True
            continue
        c = line.count(sep) + 1
        counts.add(c)
        if c < n:
            errors.append(_width_error(path, c, n, columns, ln, ln == last and not ends_with_newline))
            if not keep:
                continue
        elif c > n:
            stripped = line.rstrip(sep + " ")
            sc = stripped.count(sep) + 1
            if sc > n:
                extra = line.split(sep)[n:]
                j = next(i for i, v in enumerate(extra) if v.strip() != "")
                errors.append(_extra_value_error(path, extra[j], n, j, ln))
                if not keep:
                    continue
        row_lines.append(ln)
        texts.append(line)
    uniform = header_count if (not blank and not errors and counts == {header_count}) else None
    return row_lines, texts, uniform, errors


def _arrow_split(body: bytes, sep: str, width: int, n: int) -> pa.Table:
    """Arrow's C++ reader on the validated UTF-8 bytes (BOM removed): every line has exactly `width`
    fields and no quote; keep the first n columns."""
    names = [f"c{i}" for i in range(width)]
    keep = names[:n]
    return pacsv.read_csv(
        pa.py_buffer(body),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
        parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False, ignore_empty_lines=True),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in keep}, include_columns=keep,
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def _columns_to_arrow(rows: list[list[str]], n: int) -> pa.Table:
    cols = list(zip(*rows)) if rows else [()] * n
    return pa.table({f"c{i}": pa.array(list(cols[i]), pa.string()) for i in range(n)})


def _split_with_csv(path, text, sep, n, columns, n_lines, ends_with_newline, keep: bool = False):
    """Quoted files: Python's csv module (quotes, doubled quotes, newlines in values). Rows with a wrong
    number of fields are left out (kept too with `keep`, padded or cut) and returned in errors."""
    errors: list[InputError] = []
    rows, row_lines, texts = [], [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    try:
        next(reader)
        prev = reader.line_num
        for cells in reader:
            start, prev = prev + 1, reader.line_num
            if not cells or all(c.strip() == "" for c in cells) and len(cells) <= 1:
                continue
            if len(cells) < n:
                errors.append(_width_error(path, len(cells), n, columns, start,
                                           start == n_lines and not ends_with_newline))
                if not keep:
                    continue
            elif len(cells) > n and any(c.strip() for c in cells[n:]):
                j = next(i for i, v in enumerate(cells[n:]) if v.strip())
                errors.append(_extra_value_error(path, cells[n + j], n, j, start))
                if not keep:
                    continue
            cells = (cells + [""] * n)[:n]
            rows.append(cells)
            row_lines.append(start)
            texts.append("\x1f".join(cells))
    except csv.Error as exc:
        errors.append(InputError(path, f"guillemets mal fermés ({exc})", line=reader.line_num,
                                 expected="des champs entre guillemets correctement fermés"))
    return rows, row_lines, texts, errors


def _find_key(table: CsvTable, key) -> str:
    wanted = [key] if isinstance(key, str) else list(key)
    lower = {c.strip().lower(): c for c in table.columns}
    for k in wanted:
        if k in table.columns:
            return k
        if k.strip().lower() in lower:
            return lower[k.strip().lower()]
    shown = ", ".join(table.columns[:8]) + ("…" if len(table.columns) > 8 else "")
    raise InputError(table.path, f"colonne clé « {wanted[0]} » absente (colonnes lues : {shown})",
                     line=1, column=wanted[0], expected=f"une colonne « {' » ou « '.join(wanted)} »")


def _check_keys(table: CsvTable, mode: str, collect: Collector | None = None) -> None:
    first: dict[str, int] = {}
    errors = []
    for k, ln in zip(table.values(table.key), table.lines):
        k = k.strip()
        if k == "":
            errors.append(InputError(table.path, "code vide", line=ln, column=table.key,
                                     expected="un code de territoire"))
        elif k in first:
            msg = f"code « {k} » en double (déjà ligne {first[k]})"
            if mode == "error":
                errors.append(InputError(table.path, msg, line=ln, column=table.key,
                                         expected="une seule ligne par territoire"))
            else:
                table.warnings.append((ln, table.key, msg))
        else:
            first[k] = ln
    _report(errors, collect)


def _check_duplicate_rows(table: CsvTable, texts: list[str], mode: str, collect: Collector | None = None) -> None:
    if len(set(texts)) == len(texts):
        return
    first: dict[str, int] = {}
    errors = []
    for t, ln in zip(texts, table.lines):
        if t in first:
            msg = f"ligne en double (identique à la ligne {first[t]})"
            if mode == "error":
                errors.append(InputError(table.path, msg, line=ln, expected="des lignes distinctes"))
            else:
                table.warnings.append((ln, None, msg))
        else:
            first[t] = ln
    _report(errors, collect)


def _report(errors: list[InputError], collect: Collector | None) -> None:
    if not errors:
        return
    if collect is None:
        raise InputErrors(errors)
    for e in errors:
        collect.extend(e)


def check_numeric(table: CsvTable, columns: list[str], markers: set[str] | frozenset = frozenset()) -> None:
    """Every non-empty cell of `columns` must be a French number (or one of `markers`, lower-case).

    Raises InputErrors listing every bad cell with its line and column."""
    errors = []
    for c in columns:
        for cell, ln in zip(table.values(c), table.lines):
            if is_empty(cell) or cell.strip().lower() in markers:
                continue
            try:
                parse_number(cell)
            except ValueError:
                errors.append(InputError(table.path, f"valeur non numérique « {cell} »", line=ln, column=c,
                                         expected="un nombre au format français (ex. 1 234,5)"))
    if errors:
        raise InputErrors(errors)
