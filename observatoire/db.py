"""DuckDB connections configured for offline use (no extension auto-install, project-local extension dir)."""
from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from observatoire import settings


CURRENT = "observatoire"          # name of the attached warehouse in connect_current() connections


class WarehouseLocked(RuntimeError):
    """A read-only open was refused because another program holds the warehouse open for writing."""


class WarehouseDamaged(RuntimeError):
    """The warehouse file cannot be read: truncated, overwritten, corrupt blocks (French message)."""

    def __init__(self, path: Path, exc: BaseException | None = None):
        self.path = Path(path)
        detail = f" ({_short(exc)})" if exc is not None else ""
        super().__init__(f"L'entrepôt {self.path.name} est illisible : fichier endommagé ou tronqué{detail}. Il se "
                         "reconstruit depuis les fichiers sources et les imports enregistrés : "
                         "`python -m loaders ensure`.")


_DAMAGE_KINDS = (("could not read enough bytes", "fichier tronqué"), ("checksum", "blocs corrompus"),
                 ("corrupt", "blocs corrompus"), ("not a valid duckdb", "ce n'est pas une base DuckDB"),
                 ("tables de l'entrepôt absentes", "tables de l'entrepôt absentes"))


def _short(exc: BaseException) -> str:
    """What the engine found, in French and without the server's paths."""
    txt = str(exc).lower()
    return next((fr for key, fr in _DAMAGE_KINDS if key in txt), "lecture impossible")


def is_lock_error(exc: BaseException) -> bool:
    """DuckDB refusing a file another process holds (not « block », which damaged files mention)."""
    txt = str(exc).lower()
    return "lock" in txt and ("could not set" in txt or "conflicting" in txt)


def is_damage(exc: BaseException) -> bool:
    """Whether an engine error means the database file itself is unreadable (not busy, not a bad query)."""
    if isinstance(exc, WarehouseDamaged):
        return True
    if not isinstance(exc, duckdb.Error) or is_lock_error(exc):
        return False
    txt = str(exc).lower()
    return (isinstance(exc, (duckdb.IOException, duckdb.SerializationException)) or "corrupt" in txt
            or "checksum" in txt or "not a valid duckdb" in txt)


def offline_config() -> dict:
    ext = settings.extension_dir()
    ext.mkdir(parents=True, exist_ok=True)
    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "extension_directory": str(ext),
    }


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Load the spatial extension from the pinned `duckdb-extension-spatial` wheel (no network)."""
    pkg = importlib.import_module("duckdb_extension_spatial")
    version = con.sql("PRAGMA version").fetchone()[0]
    path = Path(pkg.__file__).parent / "extensions" / version / "spatial.duckdb_extension"
    con.execute(f"LOAD '{path}'")


def connect(path: str | Path | None = None, read_only: bool = True, spatial: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (default: settings.db_path()). Read-only by default: only loaders write."""
    path = Path(path) if path else settings.db_path()
    if read_only and not path.exists():
        raise FileNotFoundError(
            f"Entrepôt introuvable : {path}. Construisez-le avec `python -m loaders build`."
        )
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=offline_config())
    except duckdb.Error as exc:
        if read_only:
            _raise_if_locked(path, exc)
        if is_damage(exc):
            raise WarehouseDamaged(path, exc) from exc
        raise
    if spatial:
        load_spatial(con)
    return con


def _raise_if_locked(path: Path, exc: Exception) -> None:
    if is_lock_error(exc):
        raise WarehouseLocked(
            f"L'entrepôt {path.name} est ouvert en écriture par un autre programme ({exc}). L'observatoire, "
            "lui, ne l'ouvre jamais ainsi (imports et reconstructions écrivent une copie puis la substituent) : "
            "fermez le programme qui l'a ouvert (client DuckDB, autre outil) puis rechargez la page ou "
            "relancez la commande.") from None


def connect_current(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file AS IT IS NOW, for long-running processes (the app).

    DuckDB keeps one database instance per path in a process: after a build or an import swapped a new file
    in (loaders/swap.py), a plain connect() to the same path would hand back the instance still reading the
    old file while an older connection lives. Here each connection is a private in-memory instance with the
    file attached READ_ONLY and selected (USE), so it always reads the file currently at `path`."""
    path = Path(path) if path else settings.db_path()
    if not path.exists():
        raise FileNotFoundError(
            f"Entrepôt introuvable : {path}. Construisez-le avec `python -m loaders build`."
        )
    con = duckdb.connect(":memory:", config=offline_config())
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {CURRENT} (READ_ONLY)")
    except duckdb.Error as exc:
        con.close()
        _raise_if_locked(path, exc)
        if is_damage(exc):
            raise WarehouseDamaged(path, exc) from exc
        raise
    con.execute(f"USE {CURRENT}")
    return con


def check_integrity(path: str | Path | None = None) -> str | None:
    """None when every table of the warehouse reads to its end, else the French problem (WarehouseDamaged's).

    Opening is not enough: a file damaged in its middle opens, then fails on the first query that reads the
    damaged block. Every column of every table is read (≈ 1 s for the real warehouse)."""
    path = Path(path) if path else settings.db_path()
    try:
        con = connect_current(path)
    except WarehouseDamaged as exc:
        return str(exc)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                            "WHERE database_name = current_database()").fetchall()]
        if "territory" not in tables:
            return str(WarehouseDamaged(path, RuntimeError("tables de l'entrepôt absentes")))
        for t in tables:
            con.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{t}"').fetchall()
    except duckdb.Error as exc:
        if is_damage(exc):
            return str(WarehouseDamaged(path, exc))
        raise
    finally:
        con.close()
    return None


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of `con` reading the same database (a cursor starts on the instance's default database:
    for a connect_current() connection, the attached warehouse is selected again). Only the new cursor runs
    queries: `con` is shared by the app's session threads and must not execute anything here."""
    cur = con.cursor()
    attached = cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [CURRENT]).fetchone()
    if attached and attached[0]:
        cur.execute(f"USE {CURRENT}")
    return cur
