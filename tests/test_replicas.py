"""Two Streamlit processes on two ports sharing one PostgreSQL saisie database (issue 13): a chef de projet logs
in on replica A in Chromium and records a point d'étape; replica B, asked for the same page over Streamlit's
websocket protocol (as a browser would), sends it back. Accounts and sessions live in the database too, so
the session opened on A is known on B's side of the database."""
from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
import websockets

from bench import load
from contract import accounts, demo, roles, store
from tests import saisie_targets as st
from tests.live_server import CHROMIUM, CHROMIUM_ARGS, require_chromium, SHOTS

ROOT = Path(__file__).resolve().parent.parent
NICE = demo.DEMO_CONTRAT


@pytest.fixture(scope="module")
def shared(pg_base_url, warehouse, tmp_path_factory):
    """One PostgreSQL saisie database with the démo and an account, and two servers A and B using it."""
    require_chromium()
    url, schema = st.new_pg_target(pg_base_url)
    demo.load(warehouse, url)
    accounts.create_user(roles.cli_user(), "marie", "chef_de_projet", "Marie-et-les-quatre-velos", contrats=[NICE],
                         nom="Marie Curie", target=url)
    env = dict(os.environ, OBSERVATOIRE_SAISIE_URL=url, OBSERVATOIRE_DB=str(warehouse), PYTHONPATH=str(ROOT),
               OBSERVATOIRE_UTILISATEURS=str(tmp_path_factory.mktemp("u") / "absent.toml"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    servers, logs = [], []
    try:
        for name in ("a", "b"):
            logs.append(open(SHOTS / f"replica-{name}.log", "w"))
            port = load.free_port()
            servers.append((load.start_server(port, env, logs[-1]), f"http://127.0.0.1:{port}"))
        yield url, [u for _, u in servers]
    finally:
        for proc, _ in servers:
            load.stop_server(proc)
        for log in logs:
            log.close()
        st.drop_pg_target(pg_base_url, url, schema)


def _seen_through(server: str, page: str, params: dict) -> bytes:
    """Everything server `server` sends a browser for the page (its script run), as bytes."""
    async def visit():
        sink: list[bytes] = []
        ws_url = server.replace("http", "ws", 1) + "/_stcore/stream"
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
            _, errors = await load.load_page(ws, page, params, sink)
        assert not errors, errors
        return b"".join(sink)
    return asyncio.run(visit())


def test_an_edit_made_through_one_replica_is_seen_through_the_other(shared):
    from playwright.sync_api import sync_playwright

    url, (a, b) = shared
    comment = f"Revue faite sur la réplique A ({uuid.uuid4().hex[:8]})"
    assert comment.encode() not in _seen_through(b, "engagements", {"contrat": NICE})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2200}, locale="fr-FR")
        # through the menu, as a user: on a fresh server, the first run of a deep link (/engagements) is
        # Streamlit's older multipage mode and its first widget interaction is lost (see the report)
        try:
            page.goto(a, wait_until="domcontentloaded", timeout=60_000)
            page.get_by_role("link", name="Engagements").click(timeout=90_000)
            page.get_by_label("Identifiant").fill("marie", timeout=90_000)
            page.get_by_label("Mot de passe", exact=True).fill("Marie-et-les-quatre-velos")
            page.get_by_role("button", name="Se connecter").click()
            page.get_by_text("Connecté :").wait_for(timeout=90_000)
            page.get_by_label("Commentaire").fill(comment, timeout=90_000)
            page.get_by_role("button", name="Enregistrer le point d'étape").click()
            page.get_by_text("Point d'étape du").first.wait_for(timeout=90_000)
        except Exception as exc:                  # what the user saw and what the server said, in the CI log
            page.screenshot(path=str(SHOTS / "replica-a-failure.png"))
            shown = page.locator("body").inner_text(timeout=10_000)[:2000]
            said = (SHOTS / "replica-a.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"{exc}\n--- page at {page.url} ---\n{shown}\n--- server A ---\n{said}") from exc
        finally:
            page.screenshot(path=str(SHOTS / "replica-a.png"))
            browser.close()
    with store.connect(url) as sc:
        stored = sc.execute("SELECT auteur, created_by FROM engagement_point WHERE commentaire = ?", [comment]).fetchall()
        sessions = sc.execute("SELECT count(*) FROM sessions WHERE login = 'marie'").fetchone()[0]
    assert stored == [("Marie Curie", "marie")] and sessions == 1
    assert comment.encode() in _seen_through(b, "engagements", {"contrat": NICE})
