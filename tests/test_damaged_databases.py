"""Issue 19, damaged databases: a truncated warehouse gives pages a French message (never an engine traceback) and
the app rebuilds it by itself from the sources and the recorded imports; `python -m indicators fiche` says it
in French; `python -m loaders ensure` checks that the warehouse reads to its end and rebuilds it; the scratch
files a killed build leaves (tens of megabytes each) are removed at the next start, those of a live process
kept; a damaged saisie database gives a French message everywhere and is never written to nor replaced."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract import accounts, store
from contract.errors import SaisieDamaged
from observatoire import db
from tests.pages_apptest import ROOT, run_page, texts

QUARTIER = "QP084002"          # a quartier of Avignon (any quartier of the warehouse would do)


def _truncated_copy(src: Path, dst: Path, fraction: float = 0.5) -> Path:
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as fh:
        fh.truncate(int(dst.stat().st_size * fraction))
    return dst


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(args: list[str], env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=timeout)


@pytest.fixture()
def private(warehouse, tmp_path, monkeypatch) -> dict:
    """Environment of a private warehouse copy, imports folder and saisie database (also set in os.environ for
    AppTest and the app's own rebuild)."""
    env = {"OBSERVATOIRE_DB": str(tmp_path / "observatoire.duckdb"),
           "OBSERVATOIRE_IMPORTS_DIR": str(tmp_path / "imports"),
           "OBSERVATOIRE_SAISIE_DB": str(tmp_path / "saisie.duckdb"),
           "OBSERVATOIRE_UTILISATEURS": str(tmp_path / "absent.toml")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("OBSERVATOIRE_SAISIE_URL", raising=False)
    yield dict(os.environ)
    for p in tmp_path.glob("observatoire.duckdb*"):
        p.unlink()


def test_a_truncated_warehouse_gives_a_french_message_and_the_app_rebuilds_it(warehouse, private):
    copy = _truncated_copy(warehouse, Path(private["OBSERVATOIRE_DB"]))
    assert "fichier tronqué" in db.check_integrity(copy)
    # the command line says it in French (no traceback), and names the command that rebuilds
    res = _cli(["indicators", "fiche", QUARTIER], private)
    assert res.returncode == 3 and "Traceback" not in res.stderr
    assert f"L'entrepôt {copy.name} est illisible : fichier endommagé ou tronqué (fichier tronqué)" in res.stderr
    assert "python -m loaders ensure" in res.stderr and str(copy.parent) not in res.stderr
    # a page: a French message, no engine error, and the rebuild starts in the background
    from ui import damaged
    damaged._rebuild["at"] = None
    at = run_page("fiche", quartier=QUARTIER)
    shown = texts(at)
    assert "L'entrepôt de données est illisible" in shown and "vient de commencer" in shown
    assert "IOException" not in shown and "IO Error" not in shown
    deadline = time.monotonic() + 600
    while db.check_integrity(copy) is not None and time.monotonic() < deadline:
        time.sleep(2)
    assert db.check_integrity(copy) is None, (copy.parent / (copy.name + ".reconstruction.log")).read_text()
    at = run_page("fiche", quartier=QUARTIER)                          # the same page works again
    assert "illisible" not in texts(at) and QUARTIER in texts(at)


def _overwrite_data_blocks(path: Path) -> None:
    """Random bytes over blocks in the middle of the file that hold indicator values (DuckDB's storage_info),
    not over blocks left free by the build's rewrites: damage a reader meets, as a bad disk sector would."""
    con = db.connect(path, read_only=True)
    try:
        blocks = [r[0] for r in con.execute(
            "SELECT DISTINCT block_id FROM pragma_storage_info('indicator_value') WHERE block_id >= 0 "
            "ORDER BY block_id").fetchall()]
        size = con.execute("PRAGMA database_size").fetchone()[2]                  # block size
    finally:
        con.close()
    with open(path, "r+b") as fh:
        for block in blocks[len(blocks) // 3: len(blocks) // 3 + 4]:
            fh.seek(3 * 4096 + block * size)                                     # after the file's 3 headers
            fh.write(os.urandom(size))


def test_loaders_ensure_checks_the_warehouse_and_rebuilds_a_damaged_one(warehouse, private):
    copy = Path(private["OBSERVATOIRE_DB"])
    shutil.copyfile(warehouse, copy)
    res = _cli(["loaders", "ensure", "--quiet"], private)
    assert res.returncode == 0, res.stderr
    assert f"Entrepôt vérifié : {copy} se lit en entier." in res.stderr  # no longer silent
    _overwrite_data_blocks(copy)
    assert "blocs corrompus" in db.check_integrity(copy)
    res = _cli(["loaders", "ensure", "--quiet"], private)
    assert res.returncode == 0, res.stderr
    assert "illisible : fichier endommagé ou tronqué (blocs corrompus)" in res.stderr
    assert "Reconstruction depuis les fichiers sources et les imports enregistrés" in res.stderr
    assert db.check_integrity(copy) is None and "Traceback" not in res.stderr


def test_leftovers_of_a_killed_build_are_removed_at_the_next_start(warehouse, private, tmp_path):
    copy = Path(private["OBSERVATOIRE_DB"])
    shutil.copyfile(warehouse, copy)
    build = subprocess.Popen([sys.executable, "-m", "loaders", "build", "--db", str(copy), "--quiet"], cwd=ROOT,
                             env=private, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scratch = tmp_path / f"observatoire.duckdb.tmp{build.pid}"
    deadline = time.monotonic() + 300
    while not (scratch.exists() and scratch.stat().st_size > 1_000_000) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(build.pid, signal.SIGKILL)                                  # killed in the middle of its work
    build.wait()
    left = sorted(p.name for p in tmp_path.glob("observatoire.duckdb.tmp*"))
    assert scratch.name in left, left
    live = tmp_path / f"observatoire.duckdb.write{os.getpid()}"         # a live import's copy: kept
    live.write_bytes(b"en cours")
    before = _digest(copy)
    res = _cli(["loaders", "ensure", "--quiet"], private)
    assert res.returncode == 0, res.stderr
    assert f"interrompu, supprimé : {scratch.name}" in res.stderr
    assert not list(tmp_path.glob("observatoire.duckdb.tmp*")) and live.exists()
    assert _digest(copy) == before                                      # the served warehouse was never touched
    live.unlink()


def test_a_damaged_saisie_database_gets_a_french_message_and_is_never_overwritten(demo_saisie, warehouse, private,
                                                                                monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_DB", str(warehouse))
    private["OBSERVATOIRE_DB"] = str(warehouse)
    bad = _truncated_copy(demo_saisie, Path(private["OBSERVATOIRE_SAISIE_DB"]))
    before = _digest(bad)
    with pytest.raises(SaisieDamaged, match="saisie.duckdb est illisible .*fichier tronqué"), store.connect(bad):
        pass
    with pytest.raises(SaisieDamaged, match="restaure depuis sa dernière sauvegarde"):
        accounts.authenticate("marie", "un-mot-de-passe-quelconque", bad)
    for args in (["contract.accounts", "lister"], ["contract.accounts", "creer", "x1", "--role", "elu",
                                                   "--mot-de-passe-stdin"]):
        res = subprocess.run([sys.executable, "-m", *args], input="Une-phrase-assez-longue\n", capture_output=True,
                             text=True, cwd=ROOT, env=private, timeout=120)
        assert res.returncode == 1 and "est illisible" in res.stderr and "Traceback" not in res.stderr, res.stderr
    for page in ("engagements", "comptes"):
        at = run_page(page)
        assert "La base de saisie saisie.duckdb est illisible" in texts(at), page
    assert _digest(bad) == before
