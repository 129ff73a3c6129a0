"""Issue 20, sessions that last, in Chromium against a live server (`streamlit run app.py`, st.App with the
session-cookie routes of ui/server.py): a chef de projet logs in → reloads (F5) → is still signed in; opens a
link in a new tab → still signed in there; the session token is an HttpOnly cookie (no script of the page can
read it); logs out in the first tab → signed out there, and the second tab finds itself signed out at its next
interaction, with the session ended in the database. Then the password rule and the Comptes page: a password
change from one browser ends the session of another browser."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from contract import accounts, demo, roles, store
from tests.live_server import CHROMIUM, CHROMIUM_ARGS, SHOTS, require_chromium, serve

ROOT = Path(__file__).resolve().parent.parent
TOULOUSE = "CN03103I"
CLAIRE_PW = "Claire-aime-le-cassoulet"


@pytest.fixture(scope="module")
def site(warehouse, tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("sessions")
    saisie = tmp / "saisie.duckdb"
    demo.load(warehouse, saisie)
    admin = roles.cli_user()
    accounts.create_first_admin("admin", "Lune-rousse-sur-Garonne", "Lune-rousse-sur-Garonne", nom="Admin",
                                target=saisie)
    accounts.create_user(admin, "claire", "chef_de_projet", CLAIRE_PW, CLAIRE_PW, contrats=[TOULOUSE],
                         nom="Claire Martin", target=saisie)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVATOIRE_SAISIE")}
    env.update(OBSERVATOIRE_DB=str(warehouse), OBSERVATOIRE_SAISIE_DB=str(saisie), PYTHONPATH=str(ROOT),
               OBSERVATOIRE_UTILISATEURS=str(tmp / "absent.toml"))
    with serve(env, SHOTS / "sessions-server.log") as url:
        yield url, saisie


def _idle(page):
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)


def _signed_in(page, who: str = "Claire Martin"):
    page.get_by_text(f"Connecté : {who}", exact=False).first.wait_for(timeout=90_000)


def _signed_out(page):
    page.get_by_role("button", name="Se connecter", exact=True).wait_for(timeout=90_000)
    assert page.get_by_text("Connecté :").count() == 0


def _log_in(page, url: str, path: str):
    """Sign in as Claire on `path`; the page goes through /_session/ouvrir and comes back to `path`."""
    page.goto(f"{url}{path}", wait_until="domcontentloaded", timeout=90_000)
    page.get_by_label("Identifiant").fill("claire", timeout=90_000)
    page.get_by_label("Mot de passe", exact=True).fill(CLAIRE_PW)
    page.get_by_role("button", name="Se connecter").click()
    _signed_in(page)
    page.wait_for_url(f"**{path}", timeout=90_000)
    _signed_in(page)


def _open_sessions(saisie, login="claire") -> int:
    with store.connect(saisie) as con:
        return con.execute("SELECT count(*) FROM sessions WHERE login = ? AND expires_at > ?",
                           [login, datetime.now()]).fetchone()[0]


def test_login_lasts_across_reload_and_tabs_and_logout_ends_it_everywhere(site):
    from playwright.sync_api import sync_playwright

    url, saisie = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1300, "height": 1400}, locale="fr-FR")
        page = context.new_page()
        _log_in(page, url, f"/engagements?contrat={TOULOUSE}")          # back to the same page and contract
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["obs_session"]["httpOnly"] and cookies["obs_session"]["sameSite"] == "Lax"
        assert cookies["obs_navigateur"]["httpOnly"]
        assert "obs_session" not in page.evaluate("document.cookie")        # out of reach of any script
        assert _open_sessions(saisie) == 1                                   # the page's session was replaced

        page.reload(wait_until="domcontentloaded")                          # F5
        _signed_in(page)
        page.get_by_text(f"Contrat de ville : Toulouse Métropole ({TOULOUSE})").wait_for(timeout=90_000)
        page.locator("[data-testid=stFileUploader]").first.wait_for(timeout=90_000)   # a chef de projet's upload
        _idle(page)
        page.screenshot(path=str(SHOTS / "sessions-after-reload.png"))

        other = context.new_page()                                          # a link opened in a new tab
        other.goto(f"{url}/programmation?contrat={TOULOUSE}", wait_until="domcontentloaded", timeout=90_000)
        _signed_in(other)
        _idle(other)

        page.get_by_role("button", name="Se déconnecter").click()
        _signed_out(page)
        page.wait_for_url(f"**/engagements?contrat={TOULOUSE}", timeout=90_000)   # back from /_session/fermer
        _signed_out(page)
        assert "obs_session" not in {c["name"] for c in context.cookies()}
        assert _open_sessions(saisie) == 0
        # the other tab, at its next interaction, is signed out too
        other.locator("[data-testid=stSidebar]").get_by_text("Enquêtes", exact=True).click()
        _signed_out(other)
        other.screenshot(path=str(SHOTS / "sessions-other-tab-signed-out.png"))
        other.reload(wait_until="domcontentloaded")
        _signed_out(other)
        browser.close()


def test_a_password_change_ends_the_other_browsers_session(site):
    from playwright.sync_api import sync_playwright

    url, saisie = site
    new_pw = "Deux-velos-rouges-sous-la-pluie"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        laptop, phone = (browser.new_context(viewport={"width": 1300, "height": 1600}, locale="fr-FR")
                         for _ in range(2))
        pages = []
        for ctx in (laptop, phone):
            page = ctx.new_page()
            _log_in(page, url, "/comptes")
            _idle(page)
            pages.append(page)
        assert _open_sessions(saisie) == 2
        laptop_page, phone_page = pages
        laptop_page.get_by_text("Changer mon mot de passe").click()
        laptop_page.get_by_label("Mot de passe actuel").fill(CLAIRE_PW)
        laptop_page.get_by_label("Nouveau mot de passe", exact=True).fill("claire-2026")
        laptop_page.get_by_label("Confirmer le nouveau mot de passe").fill("claire-2026")
        laptop_page.get_by_role("button", name="Changer le mot de passe").click()
        laptop_page.get_by_text("trop court (12 caractères au moins)", exact=False).wait_for(timeout=90_000)
        laptop_page.get_by_label("Mot de passe actuel").fill(CLAIRE_PW)
        laptop_page.get_by_label("Nouveau mot de passe", exact=True).fill(new_pw)
        laptop_page.get_by_label("Confirmer le nouveau mot de passe").fill(new_pw)
        laptop_page.get_by_role("button", name="Changer le mot de passe").click()
        laptop_page.get_by_text("Vos autres sessions", exact=False).wait_for(timeout=90_000)
        assert _open_sessions(saisie) == 1
        phone_page.reload(wait_until="domcontentloaded")
        _signed_out(phone_page)
        laptop_page.reload(wait_until="domcontentloaded")
        _signed_in(laptop_page)
        browser.close()
    assert accounts.authenticate("claire", new_pw, saisie).login == "claire"
    accounts.reset_password(roles.cli_user(), "claire", CLAIRE_PW, CLAIRE_PW, saisie)
