"""DuckDB connections configured for offline use (no extension auto-install, project-local extension dir)."""
from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from observatoire import settings


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
    con = duckdb.connect(str(path), read_only=read_only, config=_config())
    if spatial:
        load_spatial(con)
    return con
