"""The build is atomic (a failed build leaves the previous warehouse byte for byte) and reproducible
(re-running on the same files gives the same tables)."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys

import pytest

from loaders import build as build_mod
from observatoire import db

# Tables whose content must not depend on when or how often the build ran (load_log holds timestamps).
STABLE_TABLES = ["territory", "territory_link", "link_report", "source_value", "indicator_catalog",
                 "indicator_source", "indicator_value", "territory_geom", "means_post", "contract_actions_2020",
                 "programme_territory", "build_warning"]


def _boom(ctx) -> None:
    raise RuntimeError("a step failed half-way")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(path) -> dict:
    con = db.connect(path, read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*), sum(hash(t)) FROM {t} AS t").fetchone() for t in STABLE_TABLES}
    finally:
        con.close()


def test_failed_build_leaves_previous_warehouse_intact(warehouse, data_dir, tmp_path):
    previous = tmp_path / "observatoire.duckdb"
    shutil.copyfile(warehouse, previous)
    before = _sha(previous)
    steps = build_mod.STEPS[:2] + [("boom", "tests.test_build:_boom")]
    with pytest.raises(RuntimeError, match="half-way"):
        build_mod.build(data_dir, previous, quiet=True, steps=steps)
    assert _sha(previous) == before
    # no temp file left behind (the writers' lock file stays: loaders/swap.py)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == ["observatoire.duckdb"]


def test_cli_build_error_exits_non_zero_and_changes_nothing(warehouse, tmp_path):
    previous = tmp_path / "observatoire.duckdb"
    shutil.copyfile(warehouse, previous)
    before = _sha(previous)
    res = subprocess.run([sys.executable, "-m", "loaders", "build", "--quiet", "--data-dir", str(tmp_path / "absent"),
                          "--db", str(previous)], capture_output=True, text=True, cwd=build_mod.SCHEMA_SQL.parent.parent)
    assert res.returncode == 1
    assert "Dossier de données introuvable" in res.stderr
    assert _sha(previous) == before


def test_rebuild_gives_the_same_tables(warehouse, data_dir, tmp_path):
    again = tmp_path / "again.duckdb"
    build_mod.build(data_dir, again, quiet=True)
    assert _fingerprint(again) == _fingerprint(warehouse)
