"""The bad-input battery (issue 11): every broken file of cases.py, through `python -m loaders import KIND`,
gets ONE clear French error naming the file (and its line and column when the problem has one), exits 1,
and leaves BOTH databases — the warehouse and the saisie database — byte-identical, with no copy kept in
the imports folder and no scratch file left beside the warehouse."""
from __future__ import annotations

import hashlib
import shutil

import pytest

from loaders.__main__ import main
from tests.bad_inputs.cases import CASES, CONTRACT, KINDS

SUMMARY: dict[str, int] = {}


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


def _argv(case, path, places) -> list[str]:
    argv = ["import", case.kind, str(path), "--db", str(places["wh"]), *case.options]
    if case.kind in ("programmation", "engagements", "enquete"):
        argv += ["--contrat", CONTRACT, "--saisie-db", str(places["saisie"])]
    return argv


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file_is_refused_clearly_and_nothing_changes(case, places, capsys):
    folder = places["files"] / case.kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.name
    case.build(path)
    before = fingerprint(places["wh"], places["saisie"], places["imports"])
    try:
        code = main(_argv(case, path, places))
    finally:
        if path.stat().st_size > 10_000_000:
            path.unlink()
    err = capsys.readouterr().err
    assert code == 1, err
    assert fingerprint(places["wh"], places["saisie"], places["imports"]) == before
    assert "Traceback" not in err and err.startswith("ERREUR : ")
    assert case.name in err, err
    where = case.name
    if case.line is not None:
        where += f", ligne {case.line}"
    if case.column is not None:
        assert f"colonne « {case.column}" in err, err
    assert where in err, err
    for w in case.words:
        assert w in err, err
    for line, column in case.also:                     # every error of the file in the same report
        assert f"ligne {line}, colonne « {column}" in err, err
    SUMMARY[case.kind] = SUMMARY.get(case.kind, 0) + 1


def test_battery_covers_every_import_kind():
    kinds = {c.kind for c in CASES}
    assert len(CASES) >= 30 and kinds == set(KINDS)
    assert len({c.name for c in CASES}) == len(CASES)
