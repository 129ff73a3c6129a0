"""Issue 10 acceptance, in Chromium against a live server: a chef de projet of Toulouse Métropole (CN03103I, a
real contract with no data yet) opens Engagements on that contract (not rewritten to the démo), logs in, uploads
an engagements file from the page (dry run with preview, then saved), and sees the commitments under the
contract's name; a partner then logs in and cannot edit another signataire's commitment — neither in the page
nor by a crafted call to the store, which refuses and audits it. The Comptes page lets an administrator create
an account with a confirmed password."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract import accounts, demo, roles, store
from tests.live_server import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve, SHOTS

ROOT = Path(__file__).resolve().parent.parent
TOULOUSE = "CN03103I"
CAF = "Caisse d'allocations familiales de la Haute-Garonne"
ENGAGEMENTS = f"""N° engagement;Signataire;Type de signataire;Axe;Engagement;Échéance;Statut
TM-01;Toulouse Métropole;EPCI;Emploi;Ouvrir deux permanences emploi au Mirail;31/12/2026;En cours
TM-02;{CAF};CAF;Petite enfance;Créer 40 places d'accueil du jeune enfant à Bagatelle;30/06/2027;Prévu
TM-03;Toulouse Métropole;EPCI;Cadre de vie;Rénover l'éclairage des cheminements des Izards;31/12/2027;Prévu
"""


@pytest.fixture(scope="module")
def site(warehouse, tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("contract_life")
    saisie = tmp / "saisie.duckdb"
    demo.load(warehouse, saisie)
    admin = roles.cli_user()
    accounts.create_first_admin("admin", "admin-secret-2026", "admin-secret-2026", nom="Admin", target=saisie)
    accounts.create_user(admin, "claire", "chef_de_projet", "claire-secret-26", "claire-secret-26",
                         contrats=[TOULOUSE], nom="Claire Martin", target=saisie)
    accounts.create_user(admin, "caf31", "partenaire", "caf31-secret-26", "caf31-secret-26", contrats=[TOULOUSE],
                         signataire=CAF, nom="Référente CAF 31", target=saisie)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVATOIRE_SAISIE")}
    env.update(OBSERVATOIRE_DB=str(warehouse), OBSERVATOIRE_SAISIE_DB=str(saisie), PYTHONPATH=str(ROOT),
               OBSERVATOIRE_UTILISATEURS=str(tmp / "absent.toml"))
    src = tmp / "engagements_toulouse.csv"
    src.write_text(ENGAGEMENTS, encoding="utf-8")
    with serve(env, SHOTS / "contract-life-server.log") as url:
        yield url, saisie, src


def _wait_idle(page):
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)


def _choose(page, box, option: str, tries: int = 4) -> None:
    """Open a select box and pick `option`. On a loaded machine the rerun that follows a sign-in can redraw the
    box while its list is open, which closes the list: open it again, as a user would."""
    for attempt in range(tries):
        _wait_idle(page)
        box.click()
        choice = page.get_by_role("option", name=option, exact=False)
        try:
            choice.wait_for(timeout=15_000)
            choice.click(timeout=15_000)
            return
        except Exception:                       # the list closed under the pointer
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")


def _login(page, login: str, password: str):
    page.get_by_label("Identifiant").fill(login, timeout=90_000)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Connecté :").wait_for(timeout=90_000)
    _wait_idle(page)


def test_chef_de_projet_uploads_then_partner_cannot_edit_another_signataire(site):
    from playwright.sync_api import sync_playwright

    url, saisie, src = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="fr-FR")
        page.goto(f"{url}/engagements?contrat={TOULOUSE}", wait_until="domcontentloaded", timeout=60_000)
        page.get_by_text(f"Pas encore de données pour Toulouse Métropole ({TOULOUSE})").wait_for(timeout=90_000)
        assert f"contrat={TOULOUSE}" in page.url                        # not rewritten to the démo contract
        page.get_by_role("button", name="Modèle d'import — engagements des signataires").wait_for(timeout=60_000)
        _login(page, "claire", "claire-secret-26")
        page.wait_for_selector("[data-testid=stFileUploader] input[type=file]", state="attached", timeout=60_000)
        page.set_input_files("[data-testid=stFileUploader] input[type=file]", str(src))
        page.get_by_text("fichier valide, 3 lignes", exact=False).wait_for(timeout=90_000)
        page.get_by_text("Aperçu des 3 premières lignes", exact=False).wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "contract-life-dry-run.png"))
        with store.connect(saisie) as sc:                              # the dry run stored nothing
            assert sc.execute("SELECT count(*) FROM engagement WHERE contrat_code = ?", [TOULOUSE]).fetchone()[0] == 0
        page.get_by_role("button", name="Enregistrer l'import").click()
        page.get_by_text("Import enregistré : 3 lignes", exact=False).wait_for(timeout=90_000)
        _wait_idle(page)
        page.get_by_text(f"Contrat de ville : Toulouse Métropole ({TOULOUSE})").wait_for(timeout=60_000)
        metric = page.locator("[data-testid=stMetric]", has_text="Engagements").first.inner_text()
        assert metric.strip().endswith("3")
        assert page.get_by_text("Données de démonstration", exact=False).count() == 0
        page.screenshot(path=str(SHOTS / "contract-life-imported.png"))

        page.get_by_role("button", name="Se déconnecter").click()
        _wait_idle(page)
        _login(page, "caf31", "caf31-secret-26")
        page.get_by_text("Vous pouvez modifier les engagements de", exact=False).wait_for(timeout=60_000)
        _choose(page, page.locator("[data-testid=stSelectbox]", has_text="Engagement").last,
                "TM-01 — Toulouse Métropole")
        _wait_idle(page)
        page.get_by_text("lecture seule (votre compte partenaire ne modifie que les engagements de",
                         exact=False).wait_for(timeout=60_000)
        assert page.get_by_role("button", name="Enregistrer le point d'étape").count() == 0
        page.get_by_text("Modifier les engagements (1 modifiables avec votre compte)").wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "contract-life-partner.png"))
        browser.close()

    partner = accounts.get_user("caf31", target=saisie)
    with store.connect(saisie) as sc:
        row = sc.execute("SELECT id, row_version FROM engagement WHERE code = 'TM-01' AND contrat_code = ?",
                         [TOULOUSE]).fetchone()
        before = sc.execute("SELECT count(*) FROM audit WHERE op = 'refus'").fetchone()[0]
    with pytest.raises(roles.PermissionDenied), store.edit(partner, saisie) as tx:   # a crafted call
        tx.update("engagement", row[0], row[1], {"statut": "realise"})
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT statut FROM engagement WHERE id = ?", [row[0]]).fetchone()[0] == "en_cours"
        assert sc.execute("SELECT count(*) FROM audit WHERE op = 'refus'").fetchone()[0] == before + 1


def test_admin_creates_an_account_in_the_page(site):
    from playwright.sync_api import expect, sync_playwright

    url, saisie, _ = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="fr-FR")
        page.goto(f"{url}/comptes", wait_until="domcontentloaded", timeout=60_000)
        _login(page, "admin", "admin-secret-2026")
        page.get_by_text("Créer un compte").wait_for(timeout=60_000)
        page.get_by_label("Identifiant", exact=True).fill("elu31")
        page.get_by_label("Nom affiché", exact=True).fill("Élu de quartier")
        page.get_by_label("Mot de passe", exact=True).fill("elu31-secret-26")
        page.get_by_label("Confirmer le mot de passe", exact=True).fill("elu31-secret-26")
        pw = page.locator("input[type=password]")
        assert pw.count() >= 2 and page.locator("input[value='elu31-secret-26'][type=text]").count() == 0
        page.locator("[data-testid=stSelectbox]", has_text="Rôle").first.click()
        page.get_by_role("option", name="Élu (lecture)").click()
        _wait_idle(page)
        page.get_by_role("button", name="Créer le compte").click()
        page.get_by_text("Compte « elu31 » créé", exact=False).wait_for(timeout=60_000)
        _wait_idle(page)
        expect(page.get_by_label("Identifiant", exact=True)).to_have_value("", timeout=60_000)   # the form starts
        expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("", timeout=60_000)  # empty again
        page.screenshot(path=str(SHOTS / "comptes.png"))
        browser.close()
    user = accounts.get_user("elu31", target=saisie)
    assert user is not None and user.role == "elu" and user.nom == "Élu de quartier"
