"""DuckDB connections configured for offline use (no extension auto-install, project-local extension dir)."""
from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from observatoire import settings


CURRENT = "observatoire"          # name of the attached warehouse in connect_current() connections


class WarehouseLocked(RuntimeError):
    """A read-only open was refused because another program holds the warehouse open for writing."""


def _config() -> dict:
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
        con = duckdb.connect(str(path), read_only=read_only, config=_config())
    except duckdb.IOException as exc:
        if read_only:
            _raise_if_locked(path, exc)
        raise
    if spatial:
        load_spatial(con)
    return con


def _raise_if_locked(path: Path, exc: Exception) -> None:
    if "lock" in str(exc).lower():
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
    con = duckdb.connect(":memory:", config=_config())
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {CURRENT} (READ_ONLY)")
    except duckdb.IOException as exc:
        con.close()
        _raise_if_locked(path, exc)
        raise
    con.execute(f"USE {CURRENT}")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of `con` reading the same database (a cursor starts on the instance's default database:
    for a connect_current() connection, the attached warehouse is selected again). Only the new cursor runs
    queries: `con` is shared by the app's session threads and must not execute anything here."""
    cur = con.cursor()
    attached = cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [CURRENT]).fetchone()
    if attached and attached[0]:
        cur.execute(f"USE {CURRENT}")
    return cur
