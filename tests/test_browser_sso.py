"""Issue 20, single sign-on, in Chromium: a local OpenID Connect provider (oidc-provider-mock) stands for
ProConnect; the app is configured through a secrets file (`[auth]`, `[auth.proconnect]`, as
.streamlit/secrets.example.toml). An administrator registers an agent's e-mail on the command line, with its
role and contract and no password; the agent signs in through st.login and gets exactly that role (chef de
projet of Toulouse Métropole: the import is offered), still signed in after a reload; the logout ends the
session. An identity nobody registered stays in read-only consultation, told so in French."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from contract import accounts, demo, roles
from tests.live_server import CHROMIUM, CHROMIUM_ARGS, SHOTS, free_port, require_chromium, serve

ROOT = Path(__file__).resolve().parent.parent
TOULOUSE = "CN03103I"
AGENT = "agent.public@toulouse-metropole.fr"


@pytest.fixture(scope="module")
def sso_site(warehouse, tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("sso")
    mock_port, app_port = free_port(), free_port()
    log = open(tmp / "oidc-mock.log", "w")
    mock = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(mock_port)],
                            stdout=log, stderr=subprocess.STDOUT)
    metadata = f"http://127.0.0.1:{mock_port}/.well-known/openid-configuration"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(metadata, timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("oidc-provider-mock ne répond pas")
        conf = tmp / "secrets.toml"
        conf.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
expose_tokens = "access"

[auth.proconnect]
client_id = "observatoire-test"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{metadata}"
client_kwargs = {{ scope = "openid email profile" }}
''', encoding="utf-8")
        saisie = tmp / "saisie.duckdb"
        demo.load(warehouse, saisie)
        accounts.create_first_admin("admin", "Lune-rousse-sur-Garonne", "Lune-rousse-sur-Garonne", target=saisie)
        res = subprocess.run([sys.executable, "-m", "contract.accounts", "--saisie", str(saisie), "creer", "agent.tm",
                              "--role", "chef_de_projet", "--contrat", TOULOUSE, "--nom", "Agent de Toulouse",
                              "--email", AGENT, "--sans-mot-de-passe"], capture_output=True, text=True, cwd=ROOT,
                             timeout=120)
        assert res.returncode == 0, res.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVATOIRE_SAISIE")}
        env.update(OBSERVATOIRE_DB=str(warehouse), OBSERVATOIRE_SAISIE_DB=str(saisie), PYTHONPATH=str(ROOT),
                   OBSERVATOIRE_UTILISATEURS=str(tmp / "absent.toml"))
        with serve(env, SHOTS / "sso-server.log", port=app_port, args=("--secrets.files", str(conf))) as url:
            yield url, saisie
    finally:
        mock.terminate()
        mock.wait(timeout=10)
        log.close()


def _idle(page):
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)


def _sign_in_at_the_provider(page, url: str, sub: str):
    page.goto(f"{url}/engagements?contrat={TOULOUSE}", wait_until="domcontentloaded", timeout=90_000)
    page.get_by_role("button", name="Se connecter avec ProConnect").click(timeout=90_000)
    page.locator("input[name=sub]").fill(sub, timeout=90_000)           # the provider's own page
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=90_000)                       # back to the app


def test_an_agent_signs_in_with_the_provider_to_the_role_an_administrator_registered(sso_site):
    from playwright.sync_api import sync_playwright

    url, saisie = sso_site
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1300, "height": 1400}, locale="fr-FR")
        page = context.new_page()
        _sign_in_at_the_provider(page, url, AGENT)
        deadline = time.monotonic() + 120
        while "obs_session" not in {c["name"] for c in context.cookies()} and time.monotonic() < deadline:
            page.wait_for_timeout(500)                                     # st.login → our session cookie
        assert "obs_session" in {c["name"] for c in context.cookies()}
        page.wait_for_load_state("domcontentloaded", timeout=90_000)       # back from /_session/ouvrir
        _idle(page)
        page.goto(f"{url}/engagements?contrat={TOULOUSE}", wait_until="domcontentloaded", timeout=90_000)
        page.get_by_text("Connecté : Agent de Toulouse (Chef de projet)").wait_for(timeout=90_000)
        page.get_by_text(f"Contrat de ville : Toulouse Métropole ({TOULOUSE})").wait_for(timeout=90_000)
        page.locator("[data-testid=stFileUploader]").first.wait_for(timeout=90_000)   # chef de projet: import
        _idle(page)
        page.screenshot(path=str(SHOTS / "sso-signed-in.png"))
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("Connecté : Agent de Toulouse (Chef de projet)").wait_for(timeout=90_000)
        assert accounts.get_user("agent.tm", saisie).manages(TOULOUSE)

        page.get_by_role("button", name="Se déconnecter").click()
        end = page.get_by_role("button", name="End session")                # the provider's logout page
        end.click(timeout=90_000)
        page.wait_for_url(f"{url}/**", timeout=90_000)
        page.goto(f"{url}/engagements?contrat={TOULOUSE}", wait_until="domcontentloaded", timeout=90_000)
        page.get_by_role("button", name="Se connecter avec ProConnect").wait_for(timeout=90_000)
        assert page.get_by_text("Connecté :").count() == 0
        assert not {"obs_session", "_streamlit_user"} & {c["name"] for c in context.cookies()}
        browser.close()


def test_an_identity_nobody_registered_reads_only(sso_site):
    from playwright.sync_api import sync_playwright

    url, _ = sso_site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1400}, locale="fr-FR")
        _sign_in_at_the_provider(page, url, "inconnu@exemple.fr")
        page.goto(f"{url}/engagements?contrat={TOULOUSE}", wait_until="domcontentloaded", timeout=90_000)
        # the e-mail is the identity's own text, shown inert: an invisible word joiner keeps it from becoming a link
        page.get_by_text(re.compile("Aucun compte actif n'est enregistré pour « inconnu\u2060?@exemple\\.fr » : "
                                    "consultation en lecture seule")).wait_for(timeout=90_000)
        page.get_by_text(f"Contrat de ville : Toulouse Métropole ({TOULOUSE})").wait_for(timeout=90_000)
        _idle(page)
        assert page.get_by_text("Connecté :").count() == 0
        assert page.locator("[data-testid=stFileUploader]").count() == 0
        page.screenshot(path=str(SHOTS / "sso-unknown-identity.png"))
        browser.close()
    assert roles.ANONYMOUS.can_write is False
