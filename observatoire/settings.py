"""Where things live. Every path is configurable by environment variable, with defaults for a fresh clone."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def catalogue_dir() -> Path:
    """Declarations read by every layer (sources, indicators, vocabulary): `OBSERVATOIRE_CATALOGUE_DIR`,
    default `catalogue/` of the clone (tests point it at a modified copy)."""
    return _resolved(catalogue_setting())


def catalogue_setting() -> str:
    """The catalogue folder as set (unresolved): a cheap key of which catalogue is in use."""
    return os.environ.get("OBSERVATOIRE_CATALOGUE_DIR") or _DEFAULT_CATALOGUE


_DEFAULT_CATALOGUE = str(PROJECT_DIR / "catalogue")


@lru_cache(maxsize=16)
def _resolved(raw: str) -> Path:
    """Path.resolve() once per setting: every vocabulary label goes through catalogue_dir(), and resolving
    (realpath system calls) cost a fifth of a quartier page's views (bench/site.py --profile)."""
    return Path(raw).resolve()


def data_dir() -> Path:
    """Raw open data (read-only): `OBSERVATOIRE_DATA_DIR`, default `../shared/data` next to the clone."""
    return Path(os.environ.get("OBSERVATOIRE_DATA_DIR", PROJECT_DIR.parent / "shared" / "data")).resolve()


def db_path() -> Path:
    """The warehouse, rebuilt from sources: `OBSERVATOIRE_DB`, default `data/observatoire.duckdb`."""
    return Path(os.environ.get("OBSERVATOIRE_DB", PROJECT_DIR / "data" / "observatoire.duckdb")).resolve()


def saisie_db_path() -> Path:
    """What users typed or imported for their contract (never rebuilt): `OBSERVATOIRE_SAISIE_DB`,
    default `data/saisie.duckdb`."""
    return Path(os.environ.get("OBSERVATOIRE_SAISIE_DB", PROJECT_DIR / "data" / "saisie.duckdb")).resolve()


def saisie_url() -> str | None:
    """`OBSERVATOIRE_SAISIE_URL=postgresql://…` puts the saisie database on a PostgreSQL server shared by
    several replicas (docs/DEPLOIEMENT.md); unset, the single DuckDB file of saisie_db_path() is used."""
    return os.environ.get("OBSERVATOIRE_SAISIE_URL") or None


def saisie_target() -> str | Path:
    """Where the saisie database is: the PostgreSQL URL when set, else the DuckDB file."""
    return saisie_url() or saisie_db_path()


def imports_dir() -> Path:
    """Copies of user-imported files (contours, indicateurs), replayed by every warehouse rebuild."""
    return Path(os.environ.get("OBSERVATOIRE_IMPORTS_DIR", db_path().parent / "imports")).resolve()


def extension_dir() -> Path:
    """Project-local DuckDB extension directory, so nothing is written to ~/.duckdb."""
    return PROJECT_DIR / "data" / "duckdb_extensions"


def geocoder_url() -> str | None:
    """Optional online geocoding of address files (BAN CSV service, e.g.
    https://api-adresse.data.gouv.fr/search/csv/): `OBSERVATOIRE_GEOCODER_URL`; off (None) by default, so
    that no address ever leaves the machine unless someone asks for it."""
    return os.environ.get("OBSERVATOIRE_GEOCODER_URL") or None


def site_url() -> str | None:
    """Public address of the static site written by `python -m exports site` (e.g.
    https://www.agglo.fr/observatoire/): `OBSERVATOIRE_SITE_URL`; None when the site is not published, so
    that nothing offers a link nobody can open."""
    url = (os.environ.get("OBSERVATOIRE_SITE_URL") or "").strip()
    return (url.rstrip("/") + "/") if url else None
