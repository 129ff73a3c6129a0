"""Issue 20 acceptance, in Chromium against a live server: the chef de projet of Toulouse Métropole (CN03103I,
no data yet) downloads the engagements template from the Engagements page — Toulouse's own, not another
contract's —, types five commitments under its example row, leaves the optional « Points d'étape » sheet as it
came, uploads it, reads a French dry run (conditional, French dates and numbers, « — », never « None ») with
nothing stored yet, and saves it on the first try. Screenshots in tests/screenshots/first-import-*.png.
"""
from __future__ import annotations

import openpyxl

from contract import store
from tests.live_server import CHROMIUM, CHROMIUM_ARGS, SHOTS
from tests.test_browser_contract_life import _login, _wait_idle, site  # noqa: F401 - the same live site and accounts
from tests.test_first_import import COMMITMENTS

TOULOUSE = "CN03103I"


def test_first_engagements_import_from_the_template(site, tmp_path):  # noqa: F811 - the imported fixture
    from playwright.sync_api import sync_playwright

    url, saisie, _ = site
    tmp = tmp_path
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2600}, locale="fr-FR", accept_downloads=True)
        page.goto(f"{url}/engagements?contrat={TOULOUSE}", wait_until="domcontentloaded", timeout=60_000)
        page.get_by_text(f"Pas encore de données pour Toulouse Métropole ({TOULOUSE})").wait_for(timeout=90_000)
        _login(page, "claire", "claire-secret-26")
        button = page.get_by_role("button", name="Modèle d'import — engagements des signataires")
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=60_000) as download:
            button.click()
        template = tmp / "modele_import_engagements.xlsx"
        download.value.save_as(template)
        wb = openpyxl.load_workbook(template)
        ws = wb["Engagements"]
        assert [c.value for c in ws[2]][:2] == ["EXEMPLE — ENG-001", "Toulouse Métropole"]
        width = ws.max_column
        for row in COMMITMENTS:
            ws.append(row + [None] * (width - len(row)))
        filled = tmp / "engagements_toulouse.xlsx"
        wb.save(filled)                                 # « Points d'étape »: left with its example row only

        page.wait_for_selector("[data-testid=stFileUploader] input[type=file]", state="attached", timeout=60_000)
        page.set_input_files("[data-testid=stFileUploader] input[type=file]", str(filled))
        page.get_by_text("fichier valide, 5 lignes — rien n'a encore été enregistré", exact=False).wait_for(
            timeout=90_000)
        page.get_by_text("5 engagements seraient ajoutés, 3 signataires seraient créés.").wait_for(timeout=60_000)
        page.get_by_text("Lignes d'exemple du modèle ignorées", exact=False).wait_for(timeout=60_000)
        page.get_by_text("Aperçu des 5 premières lignes", exact=False).wait_for(timeout=60_000)
        _wait_idle(page)
        page.wait_for_selector("[data-testid=stDataFrame] canvas", timeout=60_000)
        page.wait_for_timeout(1500)                      # the grid paints its canvas after it is attached
        page.screenshot(path=str(SHOTS / "first-import-dry-run.png"))
        body = page.inner_text("body")
        assert "None" not in body and "ajouté(s)" not in body
        with store.connect(saisie) as sc:                              # the dry run stored nothing
            assert sc.execute("SELECT count(*) FROM engagement WHERE contrat_code = ?", [TOULOUSE]).fetchone()[0] == 0
        page.get_by_role("button", name="Enregistrer l'import").click()
        page.get_by_text("Import enregistré : 5 lignes", exact=False).wait_for(timeout=90_000)
        _wait_idle(page)
        page.get_by_text("5 engagements ajoutés", exact=False).wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "first-import-saved.png"))
        browser.close()
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT code FROM engagement WHERE contrat_code = ? ORDER BY code", [TOULOUSE]).fetchall() \
            == [("TM-01",), ("TM-02",), ("TM-03",), ("TM-04",), ("TM-05",)]
