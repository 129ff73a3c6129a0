"""XLSX workbooks as users bring them: one reader for every import (indicateurs, programmation, engagements,
enquêtes, référentiel), with what a cell reader alone does not say.

- the cells are read by calamine (python-calamine, Rust): a programmation of 100 000 rows × 16 columns in a
  couple of seconds, where openpyxl took minutes (bench/imports.py); numbers come as floats, dates as dates;
- the sheet: the one asked for, else the only sheet that looks like data (`score` of its first rows); two
  sheets of data and no choice is an error naming them (a « Notice » sheet does not count);
- merged cells inside the table (only the first cell keeps the value: the others would be read empty) and
  formulas without a computed value (a file written by a program and never opened in a spreadsheet: the value
  would be read empty) are reported with their line and column, from a scan of the sheet's XML;
- every row keeps its line number in the sheet (title rows above the header included).
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree as ET

from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from readers.errors import InputError
from readers.frcsv import check_size, not_a_table

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_REF = re.compile(r"^([A-Z]+)(\d+)$")
DATA_SCORE = 2           # a sheet whose best row names at least this many known columns holds data
HEADER_ROWS = 10         # the header is looked for among the first rows (exports start with a title block)


@dataclass
class Grid:
    """One sheet: its non-empty rows with their line numbers, and the problems a cell reader hides."""
    path: Path
    sheet: str
    sheets: list[str]
    rows: list[tuple[int, list]]                      # (line in the sheet, cell values) of non-empty rows
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)   # (row1, col1, row2, col2), 1-based
    formulas: list[tuple[int, int, str]] = field(default_factory=list)      # (row, col, formula) without value


MAX_BYTES = 50_000_000      # a table a user imports: indicators of every commune (~15 MB), a programmation…


_XLS_MESSAGE = "format Excel 97-2003 (.xls) non pris en charge"
_XLS_EXPECTED = "un classeur .xlsx ou un fichier .csv (Fichier > Enregistrer sous)"


def table_kind(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """'xlsx' or 'csv' for a user's table file that exists and is not too big; InputError otherwise.

    The content decides before the name: a workbook saved as « .csv » is read as a workbook, a text file
    named « .xlsx » as a CSV; binary content ends with « ce fichier n'est ni un CSV ni un classeur »."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "fichier introuvable")
    check_size(path, max_bytes)
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and b"opendocument.spreadsheet" in z.read("mimetype"):
                    raise InputError(path, "classeur OpenDocument (.ods) non pris en charge",
                                     expected="un classeur .xlsx (LibreOffice : Fichier > Enregistrer sous > Excel "
                                              "2007-365 .xlsx) ou un fichier .csv")
        except zipfile.BadZipFile:
            if suffix in (".xlsx", ".xlsm"):
                return "xlsx"           # a truncated workbook: the reader says it cannot be read
        raise not_a_table(path, "archive ZIP ou document bureautique sans feuille de calcul")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(path, _XLS_MESSAGE, expected=_XLS_EXPECTED)
    if suffix in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
        return "csv"                    # text (readers.frcsv refuses binary content)
    if suffix == ".xls":
        raise InputError(path, _XLS_MESSAGE, expected=_XLS_EXPECTED)
    raise not_a_table(path, f"extension « {suffix or 'aucune'} »")


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _open(path: Path) -> CalamineWorkbook:
    try:   # from the bytes: the content decides, a workbook may be named « .csv »
        return CalamineWorkbook.from_filelike(io.BytesIO(Path(path).read_bytes()))
    except (CalamineError, OSError, ValueError, TypeError):
        raise InputError(path, "classeur illisible ou tronqué",
                         expected="un fichier .xlsx complet (Excel, LibreOffice « Enregistrer sous .xlsx »)") from None


def sheet_names(path: Path) -> list[str]:
    return list(_open(path).sheet_names)


def _rows(wb: CalamineWorkbook, name: str, path: Path) -> list[tuple[int, list]]:
    """(line, cells) of the sheet's non-empty rows; empty cells are None."""
    try:
        data = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except CalamineError:
        raise InputError(path, f"feuille « {name} » illisible",
                         expected="un fichier .xlsx complet (Excel, LibreOffice « Enregistrer sous .xlsx »)") from None
    out = []
    for i, r in enumerate(data, start=1):
        if any(not blank(v) for v in r):
            out.append((i, [None if v == "" else v for v in r]))
    return out


def read_grid(path: str | Path, sheet: str | None = None, score: Callable[[list], int] | None = None,
              skip: tuple[str, ...] = ()) -> Grid:
    """The sheet `sheet`, or the data sheet (see module doc; sheets in `skip` are never candidates).
    Raises InputError naming the sheets."""
    path = Path(path)
    wb = _open(path)
    names = list(wb.sheet_names)
    if sheet is not None:
        if sheet not in names:
            raise InputError(path, f"feuille « {sheet} » absente (feuilles : {', '.join(names)})",
                             expected="le nom exact d'une feuille, option --sheet")
        chosen, rows = sheet, _rows(wb, sheet, path)
    else:
        candidates = [n for n in names if n not in skip] or names
        grids = {n: _rows(wb, n, path) for n in candidates}
        chosen = candidates[0]
        if score is not None and len(candidates) > 1:
            scores = {n: max((score(r) for _, r in g[:HEADER_ROWS]), default=0) for n, g in grids.items()}
            data = [n for n in candidates if scores[n] >= DATA_SCORE]
            if len(data) > 1:
                raise InputError(path, f"plusieurs feuilles de données ({', '.join(f'« {n} »' for n in data)})",
                                 expected="une seule feuille de données, ou le nom de la feuille à lire "
                                          "(option --sheet)")
            chosen = data[0] if data else max(candidates, key=lambda n: (scores[n], -candidates.index(n)))
        rows = grids[chosen]
    merged, formulas = _sheet_xml_facts(path, chosen)
    return Grid(path, chosen, names, rows, merged, formulas)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_F = re.compile(rb'<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?f>)', re.S)
_V = re.compile(rb'<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v>', re.S)


def _sheet_xml_facts(path: Path, sheet: str) -> tuple[list, list]:
    """Merged ranges and formulas without a cached value, from a scan of the sheet's XML part (regular
    expressions over the bytes: a 100 000-row sheet in a fraction of a second, no element tree)."""
    try:
        with zipfile.ZipFile(path) as z:
            wbx = ET.fromstring(z.read("xl/workbook.xml"))
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            rid = next((s.get(f"{{{_NS['r']}}}id") for s in wbx.iterfind("m:sheets/m:sheet", _NS)
                        if s.get("name") == sheet), None)
            target = next((r.get("Target") for r in rels.iterfind("rel:Relationship", _NS) if r.get("Id") == rid), None)
            if target is None:
                return [], []
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            xml = z.read(part)
    except (KeyError, zipfile.BadZipFile, ET.ParseError):
        return [], []
    merged = [(int(m[2]), column_index_from_string(m[1].decode()), int(m[4] or m[2]),
               column_index_from_string((m[3] or m[1]).decode())) for m in _MERGE.finditer(xml)]
    formulas = []
    if b"<f" in xml or b":f" in xml:
        for m in _FORMULA_CELL.finditer(xml):
            body = m.group(2)
            f = _F.search(body)
            if f is None:
                continue
            v = _V.search(body)
            ref = _CELL_REF.search(m.group(1))
            if ref and (v is None or not v.group(1).strip()):
                text = (f.group(1) or b"").decode("utf-8", "replace")
                formulas.append((int(ref[2]), column_index_from_string(ref[1].decode()), "=" + _unescape(text)))
    return merged, formulas


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


def cell_problems(grid: Grid, header_line: int, width: int, column_name: Callable[[int], str], add) -> None:
    """Report merged cells and uncomputed formulas at or below the header line through
    `add(message, line, column, expected)`; `column_name(j)` names the 0-based column j."""
    for r1, c1, r2, c2 in grid.merged:
        if r2 < header_line or c1 > width:
            continue
        ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
        add(f"cellules fusionnées {ref} : seule la première garde sa valeur", r1, column_name(c1 - 1),
            "une valeur dans chaque cellule : défusionnez (Accueil > Fusionner et centrer) et recopiez la valeur")
    for r, c, formula in grid.formulas:
        if r < header_line or c > width:
            continue
        add(f"formule sans valeur calculée « {formula[:60]} »", r, column_name(c - 1),
            "des valeurs : ouvrez le fichier dans un tableur et réenregistrez-le, ou collez les valeurs "
            "(Collage spécial > Valeurs)")
