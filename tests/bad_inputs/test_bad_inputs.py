"""The bad-input battery (issues 11 and 19): every broken file of cases.py, through `python -m loaders import
KIND`, gets ONE clear French report naming the file (and its line and column when the problem has one) with
its exact message, exits 1, and leaves BOTH databases — the warehouse and the saisie database — unchanged,
with no copy kept in the imports folder and no scratch file left beside the warehouse. The contract kinds
(programmation, engagements, enquête, référentiel) run against both saisie engines: the démo database as a
DuckDB file (byte-identical afterwards) and copied into a PostgreSQL schema (every row identical afterwards).
"""
from __future__ import annotations

import hashlib
import shutil

import pytest

from loaders.__main__ import main
from tests import saisie_targets as st
from tests.bad_inputs.cases import CASES, CONTRACT, CONTRACT_KINDS, KINDS


def fingerprint(*paths) -> tuple:
    """SHA-256 of every file of the given folders/files (the databases, the imports folder, the scratch
    files a writer might leave next to the warehouse)."""
    out = []
    for p in paths:
        files = sorted(p.parent.glob(p.name + "*")) if p.is_file() or not p.exists() else sorted(p.rglob("*"))
        for f in files:
            if f.is_file() and not f.name.endswith(".lock"):
                out.append((f.name, hashlib.sha256(f.read_bytes()).hexdigest()))
    return tuple(out)


@pytest.fixture(scope="module")
def places(warehouse, demo_saisie, tmp_path_factory):
    base = tmp_path_factory.mktemp("bad_inputs")
    wh, saisie = base / "entrepot.duckdb", base / "saisie.duckdb"
    shutil.copyfile(warehouse, wh)
    shutil.copyfile(demo_saisie, saisie)
    imports = base / "imports"
    imports.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_IMPORTS_DIR", str(imports))
        mp.setenv("OBSERVATOIRE_SAISIE_DB", str(saisie))
        yield {"wh": wh, "saisie": saisie, "imports": imports, "files": base / "fichiers"}


@pytest.fixture(scope="module")
def pg_saisie(places, pg_base_url):
    """The same démo saisie database, copied into a private PostgreSQL schema."""
    url, schema = st.new_pg_target(pg_base_url)
    st.copy_target(places["saisie"], url)
    try:
        yield url
    finally:
        st.drop_pg_target(pg_base_url, url, schema)


def _argv(case, path, places, saisie) -> list[str]:
    argv = ["import", case.kind, str(path), "--db", str(places["wh"]), *case.options]
    if case.kind in CONTRACT_KINDS:
        argv += ["--contrat", CONTRACT, "--saisie-db", str(saisie)]
    return argv


def _refused(case, places, capsys, saisie, state) -> str:
    folder = places["files"] / case.kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.name
    case.build(path)
    before = fingerprint(places["wh"], places["imports"]), state()
    try:
        code = main(_argv(case, path, places, saisie))
    finally:
        if path.stat().st_size > 10_000_000:
            path.unlink()
    err = capsys.readouterr().err
    assert code == 1, err
    assert (fingerprint(places["wh"], places["imports"]), state()) == before
    assert "Traceback" not in err and err.startswith("ERREUR : ")
    where = case.name
    if case.line is not None:
        where += f", ligne {case.line}"
    if case.column is not None:
        where += f", colonne « {case.column} »"
    assert f"{where} : {case.message}" in err, err
    for line, column in case.also:                     # every error of the file in the same report
        assert f"ligne {line}, colonne « {column}" in err, err
    return err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file_is_refused_clearly_and_nothing_changes(case, places, capsys):
    _refused(case, places, capsys, places["saisie"], lambda: fingerprint(places["saisie"]))


CONTRACT_CASES = [c for c in CASES if c.kind in CONTRACT_KINDS]


@pytest.mark.parametrize("case", CONTRACT_CASES, ids=[c.name for c in CONTRACT_CASES])
def test_bad_contract_file_changes_nothing_on_postgresql(case, places, pg_saisie, capsys):
    """Same file, same French report, on the PostgreSQL saisie database: every row identical afterwards."""
    _refused(case, places, capsys, pg_saisie, lambda: st.dump(pg_saisie))


def test_battery_covers_every_import_kind():
    kinds = {c.kind for c in CASES}
    assert len(CASES) >= 60 and kinds == set(KINDS)
    assert all(sum(1 for c in CASES if c.kind == k) >= 8 for k in KINDS)
    assert len({c.name for c in CASES}) == len(CASES)
