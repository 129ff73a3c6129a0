"""A deep link opened first on a fresh server (a `pages/` folder makes Streamlit start in its older
multipage mode) gets app.py's full menu, and a file uploaded on that very first screen is not lost
(ui/navigation.ensure). Each test starts its own server: the situation exists only once per process."""
from __future__ import annotations

import os
import time

import pytest

from tests.live_server import CHROMIUM, CHROMIUM_ARGS, require_chromium, ROOT, serve, SHOTS


@pytest.fixture()
def fresh(warehouse):
    require_chromium()
    from playwright.sync_api import sync_playwright

    env = dict(os.environ, OBSERVATOIRE_DB=str(warehouse), PYTHONPATH=str(ROOT))
    with serve(env, SHOTS / "streamlit-deeplink.log") as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield url, b
        b.close()


def _settled(page) -> None:
    page.wait_for_selector("[data-testid=stMain]", timeout=60_000)
    time.sleep(1.0)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)


def test_first_deep_link_gets_the_full_menu(fresh):
    url, b = fresh
    page = b.new_page(viewport={"width": 1400, "height": 1600}, locale="fr-FR")
    page.goto(url + "/fiche?quartier=QP001001", wait_until="domcontentloaded", timeout=60_000)
    _settled(page)
    page.wait_for_selector("[data-testid=stSidebarNav] >> text=Fiche quartier", timeout=60_000)
    nav = page.locator("[data-testid=stSidebarNav]").inner_text(timeout=60_000)
    for title in ("Accueil", "Carte", "Fiche quartier", "Baromètre", "Engagements", "Localiser"):
        assert title in nav
    page.wait_for_selector("text=Grande Reyssouze Terre Des Fleurs", timeout=90_000)
    assert "quartier=QP001001" in page.url
    assert page.locator("[data-testid=stException]").count() == 0


def test_upload_on_a_first_deep_link_is_kept(fresh, tmp_path):
    url, b = fresh
    src = tmp_path / "points.csv"
    src.write_text("nom;latitude;longitude\nCalanques;43,2095;5,4460\n", encoding="utf-8")
    page = b.new_page(viewport={"width": 1400, "height": 2000}, locale="fr-FR")
    page.goto(url + "/localiser", wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector("[data-testid=stFileUploader] input[type=file]", state="attached", timeout=60_000)
    _settled(page)
    page.set_input_files("[data-testid=stFileUploader] input[type=file]", str(src))
    page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
    _settled(page)
    assert page.locator("[data-testid=stMetric]", has_text="En QPV").count() > 0
