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
