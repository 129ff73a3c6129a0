"""Shared by the SIG Ville and Filosofi loaders: declared source files -> every cell in `source_value`.

A source's files, edition pattern and key column come from catalogue/sources.yaml. Each file is read and
validated by readers.frcsv; CsvTable.cells_arrow() turns it into one long Arrow table (values parsed and
statuses set by Arrow kernels, names dictionary-encoded: no per-cell Python work) and one INSERT stores it:

- ok      a number;
- secret  an empty cell in a published (numeric) column — INSEE's secret statistique or not published;
- non_disponible  an empty cell on the national aggregate row (« Ensemble des QPV »): an aggregate of
          millions of people cannot be secret, the figure is simply not published for it;
- text    cells of label columns (most cells not numeric: LIBGEO, LIB_COM) and, with a build warning,
          any non-numeric cell in a numeric column.
'absent' (variable not in an edition) is not stored cell by cell: see loaders/indicator_values.py.
The key column (CODGEO) is not stored as a cell: it is the territory_code of the row's cells.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from readers import frcsv
from observatoire import catalogue


def source_files(ctx, source_id: str) -> list[tuple[Path, int]]:
    """(path, edition) of every file of a declared source, sorted by edition then name."""
    src = catalogue.sources()[source_id]
    pattern = re.compile(src["edition_from_name"])
    found: dict[Path, int] = {}
    for glob in src["files"]:
        matches = sorted(ctx.data_dir.glob(glob))
        if not matches:
            ctx.path(glob)  # raises BuildError "Fichier source manquant"
        for p in matches:
            m = pattern.search(p.name)
            if not m:
                ctx.warn(f"nom de fichier sans année d'édition reconnaissable, ignoré ({pattern.pattern})",
                         source_file=p.name)
                continue
            year = int(m.group(1))
            found[p] = year + 2000 if year < 100 else year
    return sorted(found.items(), key=lambda kv: (kv[1], kv[0].name))


@contextmanager
def unordered_inserts(con):
    """Let DuckDB write big inserts without keeping the input order (row order means nothing in these tables):
    measured about half the CPU for the 1.1 million cells of source_value. The previous setting is restored."""
    previous = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if previous else 'false'}")


def read_source(ctx, source_id: str) -> list[tuple[frcsv.CsvTable, int]]:
    """Read and validate every file of a source; duplicates in published files are warnings, not errors."""
    key = catalogue.sources()[source_id].get("key") or ["CODGEO"]
    out = []
    for path, edition in source_files(ctx, source_id):
        t = frcsv.read(path, sep=";", key=tuple(key), duplicate_rows="warn", duplicate_keys="warn")
        for line, column, message in t.warnings:
            ctx.warn(message, source_file=t.name, line=line, column=column)
        out.append((t, edition))
    return out


def insert_cells(ctx, arrow_tables: list[pa.Table]) -> int:
    """Insert cells built by CsvTable.cells_arrow() (values and statuses already computed) into source_value;
    report stray labels in numeric columns. Returns the number of rows."""
    con = ctx.con
    cells = pa.concat_tables(arrow_tables)
    con.register("_cells", cells)
    try:
        with unordered_inserts(con):
            con.execute("""
                INSERT INTO source_value
                SELECT source_file, source_variable, territory_code, edition, value, raw, status, line FROM _cells
            """)
    finally:
        con.unregister("_cells")
    # Stray labels in numeric columns are kept as text, and reported.
    stray = pc.and_(pc.equal(cells["status"], "text"), pc.invert(cells["text_col"]))
    if pc.any(stray).as_py():
        bad = cells.filter(stray).slice(0, 200).select(["source_file", "line", "source_variable", "raw"]).to_pylist()
        for r in bad:
            ctx.warn(f"valeur non numérique « {r['raw']} » dans une colonne numérique (gardée en texte)",
                     source_file=str(r["source_file"]), line=r["line"], column=str(r["source_variable"]))
    return cells.num_rows


def log_files(ctx, tables: list[tuple[frcsv.CsvTable, int]]) -> None:
    """One load_log row per file: cells stored, rows, columns, dropped empty columns."""
    for t, edition in tables:
        n_cells = t.n_rows * (len(t.columns) - 1)
        detail = (f"édition {edition} ; {t.n_rows} lignes × {len(t.columns) - 1} variables"
                  + (f" ; {t.dropped_columns} colonnes vides sans nom ignorées" if t.dropped_columns else ""))
        ctx.log_file(t.path, n_cells, detail, warnings=len(t.warnings))
