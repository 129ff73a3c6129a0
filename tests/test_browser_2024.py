"""Issue 9 acceptance in Chromium: Fiche and Baromètre open with no exception for 12 2024 quartiers of 12
régions — overseas included, and a Mayotte quartier without any 2015 predecessor — and Comparer opens on a
selection made only of 2024 quartiers. Values through the 2015 predecessors are marked « ≈ »."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.live_server import SHOTS
from tests.test_browser import browser, server  # noqa: F401, F811 - the same fixtures (one server per module)

ROOT = Path(__file__).resolve().parent.parent
# (2024 code, région): one per région; QN97601M (Mayotte) has no 2015 predecessor: no value, said so.
QUARTIERS = [("QN97101M", "Guadeloupe"), ("QN97201M", "Martinique"), ("QN97301M", "Guyane"),
             ("QN97401I", "La Réunion"), ("QN97601M", "Mayotte"), ("QN07501M", "Île-de-France"),
             ("QN03107M", "Occitanie"), ("QN00201M", "Hauts-de-France"), ("QN04401M", "Pays de la Loire"),
             ("QN01601M", "Nouvelle-Aquitaine"), ("QN00101M", "Auvergne-Rhône-Alpes"),
             ("QN01301M", "Provence-Alpes-Côte d'Azur")]
WITH_VALUES = [c for c, _ in QUARTIERS if c != "QN97601M"]


def _open(browser, url: str, expect: str, shot: str | None = None, width: int = 1400, chart: bool = False) -> str:
    """Open `url`, wait for `expect` to show and the run to end, fail on an exception box; the visible text."""
    page = browser.new_page(viewport={"width": width, "height": 2200}, locale="fr-FR")
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    page.get_by_text(expect, exact=False).first.wait_for(timeout=90_000)
    if chart:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
    time.sleep(1.0)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    if shot:
        time.sleep(1.0)
        page.screenshot(path=str(SHOTS / f"{shot}.png"))
    boxes = page.locator("[data-testid=stException]")
    assert boxes.count() == 0, f"{url} : {boxes.first.inner_text()[:1500]}"
    body = page.locator("[data-testid=stMain]").inner_text()
    page.close()
    return body


@pytest.mark.parametrize("code,region", QUARTIERS, ids=[c for c, _ in QUARTIERS])
def test_fiche_and_barometre_of_a_2024_quartier(browser, server, code, region):
    shot = code in ("QN03107M", "QN97401I", "QN97601M")
    said = "quartiers 2015 correspondants" if code in WITH_VALUES else "pas encore d'indicateurs INSEE"
    fiche = _open(browser, f"{server}/fiche?quartier={code}", said, f"fiche-{code}" if shot else None)
    baro = _open(browser, f"{server}/barometre?quartier={code}", said, f"barometre-{code}" if shot else None,
                 width=390)
    assert code in fiche and code in baro
    if code in WITH_VALUES:
        assert "≈" in fiche and "≈" in baro


def test_comparer_on_2024_quartiers_only(browser, server):
    selection = ",".join(WITH_VALUES[:6])
    body = _open(browser, f"{server}/comparer?selection={selection}", WITH_VALUES[5], "comparer-2024", chart=True)
    for code in WITH_VALUES[:6]:
        assert code in body
    assert "≈" in body                 # the chart's legend and the caption mark the approximations
