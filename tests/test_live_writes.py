"""No lock errors (issue 10): `python -m loaders import indicateurs|contours` and `python -m loaders build` succeed
while the dashboard serves the warehouse, and the open page shows the new data on its next run.

A real server (`streamlit run app.py`, as tests/test_browser.py starts it) serves a private copy of the
warehouse; a real browser opens the home page, so the server process holds its read connection (the test
first checks that opening that file for writing is indeed refused: the situation of the issue). Then an
import, a second import and a rebuild run as separate processes, each must succeed without « Conflicting
lock », and the page, reloaded, must show what changed: one more indicator after the import of a local
indicator, two more files in the warehouse log after the rebuild (it replays both imports).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import duckdb
import pytest

from tests.live_server import CHROMIUM, CHROMIUM_ARGS, require_chromium, ROOT, serve, SHOTS


@pytest.fixture(scope="module")
def live(warehouse, tmp_path_factory):
    require_chromium()
    base = tmp_path_factory.mktemp("live")
    wh = base / "observatoire.duckdb"
    shutil.copyfile(warehouse, wh)
    env = dict(os.environ, OBSERVATOIRE_DB=str(wh), OBSERVATOIRE_IMPORTS_DIR=str(base / "imports"),
               OBSERVATOIRE_SAISIE_DB=str(base / "saisie.duckdb"), PYTHONPATH=str(ROOT))
    log_path = SHOTS / "streamlit-live.log"
    with serve(env, log_path) as url:
        yield {"url": url, "wh": wh, "env": env, "base": base, "log": log_path}


def _home(page, url: str) -> dict:
    """What the home page says about the warehouse: indicator count and the load-log caption."""
    page.goto(url + "/", wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector("[data-testid=stMain]", timeout=60_000)
    time.sleep(1.0)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.wait_for_selector("text=Dernier chargement de l'entrepôt", timeout=60_000)
    assert page.locator("[data-testid=stException]").count() == 0
    metric = page.locator("[data-testid=stMetric]", has_text="Indicateurs suivis")
    value = metric.locator("[data-testid=stMetricValue]").inner_text()
    caption = page.get_by_text("Dernier chargement de l'entrepôt").first.inner_text()
    files = int(re.search(r"— ([\d\u202f\u00a0 ]+) fichiers", caption)[1].replace("\u202f", "").replace("\u00a0", "")
                .replace(" ", ""))
    return {"indicators": int(value.replace("\u202f", "").replace(" ", "")), "files": files}


def _cli(live, *args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "loaders", *args], capture_output=True, text=True, cwd=ROOT,
                          env=live["env"], timeout=300)
    assert "Conflicting lock" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stderr
    return done


def test_imports_and_rebuild_while_the_app_serves(live, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="fr-FR")
        before = _home(page, live["url"])

        # The served file is held by the app: writing it in place is what failed in the issue.
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(live["wh"]), read_only=False)

        f = tmp_path / "brevet.csv"
        f.write_text("Code quartier;Nom du quartier;Réussite au brevet\nQP001001;Grande Reyssouze;85,5\n",
                     encoding="utf-8")
        _cli(live, "import", "indicateurs", str(f), "--edition", "2023", "--map",
             "Réussite au brevet=reussite_brevet", "--label", "reussite_brevet=Taux de réussite au brevet",
             "--unit", "reussite_brevet=%")
        square = {"type": "Polygon", "coordinates": [[[5.225, 46.205], [5.235, 46.205], [5.235, 46.215],
                                                      [5.225, 46.215], [5.225, 46.205]]]}
        g = tmp_path / "contour.geojson"
        g.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code_qp": "QP001001", "lib_qp": "Grande Reyssouze"},
             "geometry": square}]}), encoding="utf-8")
        _cli(live, "import", "contours", str(g))
        after_import = _home(page, live["url"])
        assert after_import["indicators"] == before["indicators"] + 1      # the local indicator, on screen
        page.screenshot(path=str(SHOTS / "live-apres-import.png"))

        _cli(live, "build", "--quiet")
        after_build = _home(page, live["url"])
        assert after_build["indicators"] == before["indicators"] + 1      # replayed by the rebuild
        assert after_build["files"] == before["files"] + 2                 # the two replayed imports, logged
        page.screenshot(path=str(SHOTS / "live-apres-reconstruction.png"))
        browser.close()
    assert "Conflicting lock" not in live["log"].read_text()
    assert not list(live["wh"].parent.glob("observatoire.duckdb.*[0-9]"))   # no scratch copy left behind


def test_second_writer_waits_then_says_so_in_french(warehouse_copy, tmp_path, monkeypatch):
    """Two writers never build on the same original: the second waits for the writers' lock, then explains."""
    from loaders import swap
    from loaders.__main__ import main

    monkeypatch.setenv("OBSERVATOIRE_WRITE_TIMEOUT", "0.5")
    f = tmp_path / "v.csv"
    f.write_text("code;tx_pauvrete\nQP001001;40\n", encoding="utf-8")
    before = warehouse_copy.read_bytes()
    with swap.writer_lock(warehouse_copy):            # a build or an import in progress
        with pytest.raises(swap.WarehouseBusy, match="Une autre mise à jour de l'entrepôt"):
            swap.writer_lock(warehouse_copy).__enter__()
        assert main(["import", "indicateurs", str(f), "--edition", "2023", "--db", str(warehouse_copy)]) == 1
    assert warehouse_copy.read_bytes() == before
    assert main(["import", "indicateurs", str(f), "--edition", "2023", "--db", str(warehouse_copy)]) == 0


def test_outside_writer_gets_a_french_message(warehouse_copy):
    """A lock that cannot be avoided (another program holds the file open for writing) is explained."""
    from observatoire import db

    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ok', flush=True); time.sleep(60)", str(warehouse_copy)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        for opener in (db.connect, db.connect_current):
            with pytest.raises(db.WarehouseLocked, match="ouvert en écriture par un autre programme"):
                opener(warehouse_copy)
    finally:
        holder.kill()
        holder.wait()
