"""Atomic warehouse build: every step writes into a new file, swapped in only when all steps succeed
(loaders.swap: under the writers' lock, so a build and an import never overwrite each other, and never
while holding a lock on the file the dashboard reads).

Steps are declared in STEPS (name, "module:function"); each receives a BuildContext. A failing step
leaves the previous warehouse untouched. Before the swap, the previous warehouse (if any) is attached
read-only to carry over load_log.first_loaded_at: when each exact file content was first loaded.
"""
from __future__ import annotations

import hashlib
import importlib
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from loaders import swap
from observatoire import db, settings, vocabulary

SCHEMA_SQL = Path(__file__).with_name("schema.sql")

# Order matters: territories before links, source cells before curated indicators, geometry last.
STEPS: list[tuple[str, str]] = [
    ("catalogue", "loaders.catalogue:load"),            # source_catalog, indicator_catalog, indicator_source
    ("cog", "loaders.cog:load"),                        # communes, EPCI, départements, régions, France
    ("sigville", "loaders.sigville:load"),              # SIG Ville + Filosofi QP files -> source_value, QP 2015
    ("filosofi_refs", "loaders.filosofi_refs:load"),    # Filosofi EPCI/DEP/REG/METRO -> source_value
    ("qpv2024", "loaders.qpv2024:load"),                # QPV 2024 list and their communes
    ("qp2015_links", "loaders.qp2015_links:load"),      # 2015 quartiers -> communes by name within département
    ("contrats", "loaders.contrats:load"),              # contracts, quartier -> contract, State means
    ("crosswalk", "loaders.crosswalk:load"),            # QP 2015 -> QPV 2024
    ("filosofi_communes", "loaders.filosofi_communes:load"),  # Filosofi base communale (quartiers' communes)
    ("indicators", "loaders.indicator_values:load"),    # source_value -> indicator_value through the catalogue
    ("geometry", "loaders.geometry:load"),              # contours, commune points, outlines
    ("programmes", "loaders.programmes:load"),          # cités éducatives, cités de l'emploi
    ("user_imports", "loaders.imports.replay:load"),    # replay the user's imported files
    ("derived", "loaders.derived:load"),                # approximations and positions, read by quartier
]


def default_steps() -> list[tuple[str, str]]:
    """STEPS, with the loader of every level declared in catalogue/vocabulary.yaml (`loader:`) run before
    the indicator step's successors: adding a reference level is one declaration and one loader."""
    extra = [(f"level_{code}", t["loader"]) for code, t in vocabulary.terms("levels").items() if t.get("loader")]
    at = [n for n, _ in STEPS].index("user_imports")   # before the imports, hence before `derived`
    return STEPS[:at] + extra + STEPS[at:]


def schema_sql() -> str:
    """loaders/schema.sql with its vocabulary placeholders ({{levels}}, {{value_statuses}}…) replaced by the
    quoted codes of catalogue/vocabulary.yaml, so CHECK constraints follow the one declaration."""
    text = SCHEMA_SQL.read_text()
    for kind in vocabulary.KINDS:
        text = text.replace("{{" + kind + "}}", ", ".join("'" + c.replace("'", "''") + "'"
                                                           for c in vocabulary.codes(kind)))
    return text


def missing_tables(db_path: Path) -> list[str]:
    """Tables of loaders/schema.sql that the warehouse file lacks: one built by an earlier version of the
    observatoire (before the derived tables, say), to be rebuilt rather than read."""
    declared = re.findall(r"CREATE TABLE (\w+)", SCHEMA_SQL.read_text())
    con = db.connect(db_path, read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                             "WHERE database_name = current_database()").fetchall()}
    finally:
        con.close()
    return [t for t in declared if t not in present]


class BuildError(Exception):
    pass


@dataclass
class BuildContext:
    con: duckdb.DuckDBPyConnection
    data_dir: Path
    step: str = ""
    warnings: list[tuple] = field(default_factory=list)

    def path(self, rel: str) -> Path:
        p = self.data_dir / rel
        if not p.exists():
            raise BuildError(f"Fichier source manquant : {p}")
        return p

    def warn(self, message: str, source_file: str | None = None, line: int | None = None,
             column: str | None = None) -> None:
        self.warnings.append((self.step, source_file, line, column, message))

    def log_file(self, path: Path | None, rows: int, detail: str | None = None, warnings: int = 0) -> None:
        """Record a loaded file in load_log (size and checksum of the exact bytes read)."""
        size = sha = name = None
        if path is not None:
            data = Path(path).read_bytes()
            size, sha, name = len(data), hashlib.sha256(data).hexdigest(), Path(path).name
        now = datetime.now()
        self.con.execute(
            "INSERT INTO load_log (step, source_file, size_bytes, sha256, loaded_at, first_loaded_at, rows, warnings, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.step, name, size, sha, now, now, rows, warnings, detail],
        )


def carry_first_loads(ctx: BuildContext, previous: Path) -> int:
    """Keep load_log.first_loaded_at of the files whose exact content (same name, same SHA-256) the previous
    warehouse had already loaded; new or changed files keep this build's time. Returns the rows carried.

    The previous warehouse is still the live one (the swap comes after): attached READ_ONLY, then detached.
    A warehouse built before the column existed gives its loaded_at. If it cannot be read (locked by a
    writing import, damaged), the build goes on and says so in build_warning."""
    if not previous.exists():
        return 0
    con = ctx.con
    try:
        con.execute(f"ATTACH '{str(previous).replace(chr(39), chr(39) * 2)}' AS previous (READ_ONLY)")
    except duckdb.Error as exc:
        ctx.warn(f"entrepôt précédent illisible ({exc.__class__.__name__}) : dates de premier chargement "
                 "remises à la date de cette reconstruction", source_file=previous.name)
        return 0
    try:
        cols = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = 'previous' "
                                          "AND schema_name = 'main' AND table_name = 'load_log'").fetchall()}
        if not {"source_file", "sha256", "loaded_at"} <= cols:
            return 0
        first = "coalesce(first_loaded_at, loaded_at)" if "first_loaded_at" in cols else "loaded_at"
        return con.execute(f"""
            UPDATE load_log AS l SET first_loaded_at = p.first_loaded_at
            FROM (SELECT source_file, sha256, min({first}) AS first_loaded_at FROM previous.main.load_log
                  WHERE source_file IS NOT NULL AND sha256 IS NOT NULL GROUP BY ALL) AS p
            WHERE l.source_file = p.source_file AND l.sha256 = p.sha256 AND p.first_loaded_at < l.first_loaded_at
        """).fetchone()[0]
    except duckdb.Error as exc:
        ctx.warn(f"journal de l'entrepôt précédent illisible ({exc.__class__.__name__}) : dates de premier "
                 "chargement remises à la date de cette reconstruction", source_file=previous.name)
        return 0
    finally:
        con.execute("DETACH previous")


def _resolve(target: str):
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def _progress(i: int, n: int, name: str, elapsed: float, out=sys.stderr) -> None:
    width = 30
    done = int(width * i / n)
    out.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {name:<16} {elapsed:5.1f} s")
    out.flush()
    if i == n:
        out.write("\n")


def build(data_dir: Path | None = None, db_path: Path | None = None, quiet: bool = False,
          steps: list[tuple[str, str]] | None = None) -> dict:
    """Build the warehouse from raw files into a temporary file, then swap it in. Returns a summary."""
    data_dir = Path(data_dir or settings.data_dir())
    db_path = Path(db_path or settings.db_path())
    if not data_dir.is_dir():
        raise BuildError(f"Dossier de données introuvable : {data_dir} (réglez OBSERVATOIRE_DATA_DIR)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    steps = steps if steps is not None else default_steps()
    t0 = time.perf_counter()
    with swap.writer_lock(db_path):
        swap.remove_leftovers(db_path)            # scratch files of builds or imports killed earlier
        tmp = swap.scratch_path(db_path, "tmp")
        con = db.connect(tmp, read_only=False)
        ctx = BuildContext(con=con, data_dir=data_dir)
        try:
            con.execute(schema_sql())
            for i, (name, target) in enumerate(steps):
                ctx.step = name
                if not quiet:
                    _progress(i, len(steps), name, time.perf_counter() - t0)
                _resolve(target)(ctx)
            ctx.step = "first_loads"
            carry_first_loads(ctx, db_path)
            if not quiet:
                _progress(len(steps), len(steps), "terminé", time.perf_counter() - t0)
            if ctx.warnings:
                con.executemany("INSERT INTO build_warning VALUES (?, ?, ?, ?, ?)", ctx.warnings)
            summary = summarize(con)
            con.execute("CHECKPOINT")
            con.close()
        except BaseException:
            con.close()
            swap.remove(tmp)
            raise
        swap.publish(tmp, db_path)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    summary["db_path"] = str(db_path)
    return summary


def summarize(con: duckdb.DuckDBPyConnection) -> dict:
    """Rows per table, unmatched links and warnings: printed by the CLI after every build."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema='main' AND table_type='BASE TABLE' ORDER BY 1"
    ).fetchall()]
    rows = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    report = con.execute(
        "SELECT relation, status, count(*) FROM link_report GROUP BY ALL ORDER BY ALL").fetchall()
    warnings = con.execute("SELECT step, count(*) FROM build_warning GROUP BY ALL ORDER BY ALL").fetchall()
    return {"rows": rows, "link_report": report, "warnings": warnings}


def format_summary(summary: dict) -> str:
    lines = [f"Entrepôt construit : {summary.get('db_path')} en {summary.get('seconds')} s", "Lignes par table :"]
    lines += [f"  {t:<24} {n:>10,}".replace(",", " ") for t, n in summary["rows"].items()]
    if summary["link_report"]:
        lines.append("Liens non établis ou incertains (table link_report) :")
        lines += [f"  {rel:<20} {st:<10} {n}" for rel, st, n in summary["link_report"]]
    if summary["warnings"]:
        lines.append("Avertissements (table build_warning) :")
        lines += [f"  {step:<16} {n}" for step, n in summary["warnings"]]
    return "\n".join(lines)
