"""Fast tier fixtures: a small copy of the real data (minidata.py) and the warehouse the unchanged loaders
build from it, once per session, in a temp dir (a few seconds instead of the full warehouse's ~10 s and the
minutes of the second tier).

Nothing here uses the session fixtures of tests/conftest.py (full real warehouse, démo saisie database).
`con` overrides the second tier's fixture of the same name for the tests of this folder. No environment
variable is left changed: the build's user-imports folder is pointed at an empty temp dir only while it
runs, so the developer's imports are never replayed and the second tier, when run in the same process,
still sees its own settings.

What the loaders compute over every commune of France (populations of départements, régions, France) or
rank over every quartier is partial in this warehouse: such figures are tested in the second tier.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from loaders.build import build
from observatoire import db, settings

from . import minidata


@pytest.fixture(scope="session")
def mini_data_dir(tmp_path_factory) -> Path:
    """The small copy of the real data directory (same folders, names, formats)."""
    real = settings.data_dir()
    if not real.is_dir():
        pytest.fail(f"Real data not found at {real}; set OBSERVATOIRE_DATA_DIR")
    d = tmp_path_factory.mktemp("minidata")
    minidata.write(d, real)
    return d


@pytest.fixture(scope="session")
def mini_warehouse(mini_data_dir, tmp_path_factory) -> Path:
    """Path of the small warehouse built by loaders.build.build from mini_data_dir."""
    out = tmp_path_factory.mktemp("miniwarehouse")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_IMPORTS_DIR", str(out / "imports"))
        build(mini_data_dir, out / "observatoire.duckdb", quiet=True)
    return out / "observatoire.duckdb"


@pytest.fixture(scope="session")
def con(mini_warehouse):
    """Read-only connection to the small warehouse."""
    c = db.connect(mini_warehouse, read_only=True)
    yield c
    c.close()
