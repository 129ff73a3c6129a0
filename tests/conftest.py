"""Shared fixtures: the real warehouse, built once per test session from ../shared/data into a temp dir.

Environment variables are pointed at the temp files so that CLIs, pages (AppTest) and exports run in
tests read the same warehouse and never touch the developer's data/ folder.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from observatoire import settings  # noqa: E402

_SESSION_DIR = None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = settings.data_dir()
    if not d.is_dir():
        pytest.fail(f"Real data not found at {d}; set OBSERVATOIRE_DATA_DIR")
    return d


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("observatoire")


@pytest.fixture(scope="session")
def warehouse(data_dir, session_dir) -> Path:
    """Path of a freshly built real warehouse (also exported as OBSERVATOIRE_DB for subprocesses)."""
    from loaders.build import build

    db_path = session_dir / "observatoire.duckdb"
    os.environ["OBSERVATOIRE_DB"] = str(db_path)
    os.environ["OBSERVATOIRE_IMPORTS_DIR"] = str(session_dir / "imports")
    os.environ.setdefault("OBSERVATOIRE_SAISIE_DB", str(session_dir / "saisie.duckdb"))
    build(data_dir, db_path, quiet=True)
    return db_path


@pytest.fixture(scope="session")
def con(warehouse):
    """Read-only connection to the session warehouse."""
    from observatoire import db

    c = db.connect(warehouse, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def demo_saisie(warehouse, tmp_path_factory) -> Path:
    """The démo contract-life database, generated once per session from the real warehouse.

    Read it only; a test that edits works on `demo_saisie_copy`."""
    from contract import demo

    path = tmp_path_factory.mktemp("demo_saisie") / "saisie.duckdb"
    demo.load(warehouse, path)
    return path


@pytest.fixture()
def demo_saisie_copy(demo_saisie, tmp_path) -> Path:
    """A private, editable copy of the démo database."""
    import shutil

    path = tmp_path / "saisie.duckdb"
    shutil.copyfile(demo_saisie, path)
    return path


@pytest.fixture(scope="module")
def demo_saisie_env(demo_saisie):
    """OBSERVATOIRE_SAISIE_DB pointed at the démo database for a whole module (exports read it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_SAISIE_DB", str(demo_saisie))
        yield demo_saisie


@pytest.fixture()
def demo_pages_env(demo_saisie_copy, monkeypatch, tmp_path):
    """A writable copy of the démo saisie database for the pages of one test, and no accounts file: the
    contract-life pages as an anonymous visitor sees them, edits allowed to the test."""
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(demo_saisie_copy))
    monkeypatch.setenv("OBSERVATOIRE_UTILISATEURS", str(tmp_path / "aucun.toml"))
    return demo_saisie_copy


@pytest.fixture()
def warehouse_copy(warehouse, tmp_path, monkeypatch) -> Path:
    """A writable copy of the session warehouse and an empty private imports folder (import tests).
    The copies (70 MB each) are deleted afterwards."""
    import shutil

    path = tmp_path / "copie.duckdb"
    shutil.copyfile(warehouse, path)
    monkeypatch.setenv("OBSERVATOIRE_IMPORTS_DIR", str(tmp_path / "imports"))
    yield path
    for p in tmp_path.glob("*.duckdb*"):
        p.unlink()


@pytest.fixture(scope="session")
def pg_base_url():
    """A PostgreSQL server for the store's PostgreSQL variants (tests/saisie_targets.py says where from)."""
    import shutil
    import tempfile

    from tests import saisie_targets as st

    url = os.environ.get("OBSERVATOIRE_TEST_PG_URL")
    if url:
        yield url
        return
    cluster = Path(tempfile.mkdtemp(prefix="observatoire-pg-"))
    try:
        url = st.start_throwaway(cluster)
    except RuntimeError as exc:
        st.unavailable(str(exc))
    if url is None:
        st.unavailable("set OBSERVATOIRE_TEST_PG_URL or install Debian's postgresql (scripts/setup.sh)")
    try:
        yield url
    finally:
        st.stop_throwaway(cluster)
        shutil.rmtree(cluster, ignore_errors=True)


@pytest.fixture(params=["duckdb", "postgresql"])
def saisie_target(request, tmp_path):
    """A fresh, empty saisie database on each engine: a DuckDB file, or a private PostgreSQL schema."""
    from tests import saisie_targets as st

    if request.param == "duckdb":
        yield tmp_path / "saisie.duckdb"
        return
    base = request.getfixturevalue("pg_base_url")
    url, schema = st.new_pg_target(base)
    try:
        yield url
    finally:
        st.drop_pg_target(base, url, schema)
