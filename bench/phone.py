"""What a phone downloads for the baromètre (issue 21): bytes and requests at 390 px, Streamlit's own bundle
apart from what the project adds.

Debian's Chromium (Playwright) opens /barometre?quartier=QN03107M at 390×844 on a server this script starts
(or `--url`), waits until the page stopped running, and records every HTTP response (bytes as transferred:
headers and encoded body) and every WebSocket frame the server sent. Then it sorts them:
- **Streamlit** — its frontend bundle (/static/…: scripts, styles, fonts, images of the frontend), the page
  shell (/) and its own endpoints (/_stcore/…): the same for every Streamlit app;
- **observatoire** — what the project adds beyond it: the French chrome script (ui/french_chrome.js and its
  table, ui/french.py), the house CSS (ui/common.py, the baromètre's own, the démo banner), the favicon and any
  other file the page asks for (/media/…, fonts…). Script and CSS travel inside the WebSocket messages: their
  sizes are those of the strings the pages send, counted once per page view;
- **contenu** — the rest of the WebSocket messages: the page itself (the quartier's lines, widgets).
Target: the observatory's own additions under 100 KB. Prints figures; never fails.

Usage: python bench/phone.py [--port 8704] [--quartier QN03107M] [--url http://127.0.0.1:8501]
"""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LIMIT = 100 * 1024


def project_strings() -> dict[str, int]:
    """Bytes of the chrome the project puts in every page view of the baromètre (sent over the WebSocket)."""
    import logging

    import streamlit.runtime.caching.cache_data_api as cache_data_api
    logging.getLogger(cache_data_api.__name__).setLevel(logging.ERROR)      # no Streamlit runtime in this process
    from ui import common, demo, french
    page = (ROOT / "pages" / "barometre.py").read_text(encoding="utf-8")
    styles = re.findall(r"<style>.*?</style>", page, flags=re.S)        # the page's own CSS, as it sends it
    return {"script français (ui/french_chrome.js + table)": len(french.script().encode()),
            "CSS commune (ui/common.py)": len(common._CSS.encode()),
            "CSS du baromètre (pages/barometre.py)": sum(len(x.encode()) for x in styles),
            "CSS du bandeau démo (ui/demo.py, pages de contrat)": len(demo.BANNER_CSS.encode())}


def kind_of(url: str) -> str:
    """Streamlit's own files (bundle, shell, endpoints, its default favicon) or the observatory's."""
    path = urlsplit(url).path
    if path.startswith("/static/") or path in ("/", "/barometre", "/favicon.png") or "/_stcore/" in path:
        return "streamlit"
    return "observatoire"


def measure(url: str, quartier: str) -> dict:
    from playwright.sync_api import sync_playwright

    http: list[tuple[str, int, str]] = []
    frames: list[int] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                      has_touch=True)
        page = context.new_page()
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
            len(payload) if isinstance(payload, (bytes, bytearray)) else len(payload.encode()))))

        def done(request):
            try:
                sizes = request.sizes()
                size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            except Exception:  # noqa: BLE001 - a request that failed or came from the cache
                size = 0
            http.append((request.url, size, kind_of(request.url)))
        page.on("requestfinished", done)
        t0 = time.monotonic()
        page.goto(f"{url}/barometre?quartier={quartier}", wait_until="networkidle")
        page.wait_for_selector(".obs-row", timeout=120_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
        page.wait_for_timeout(1500)                         # late chunks (fonts, icons)
        seconds = time.monotonic() - t0
        text_shown = page.locator(".obs-row").count()
        browser.close()
    return {"http": http, "frames": frames, "seconds": seconds, "rows": text_shown}


def main() -> None:
    from observatoire.cli import ArgumentParser

    ap = ArgumentParser(prog="python bench/phone.py", description="Octets et requêtes du baromètre sur un "
                        "téléphone (390 px) : le paquet de Streamlit, ce qu'ajoute l'observatoire, le contenu.")
    ap.add_argument("--url", help="serveur déjà lancé (défaut : un serveur est démarré pour la mesure)")
    ap.add_argument("--port", type=int, default=0, help="port du serveur démarré (défaut : un port libre)")
    ap.add_argument("--quartier", default="QN03107M")
    args = ap.parse_args()
    import logging
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if not Path(CHROMIUM).exists():
        print("Chromium de Debian absent (/usr/bin/chromium) : apt-get install chromium")
        return
    from bench import load
    proc = None
    url = args.url
    if not url:
        port = args.port or load.free_port()
        proc = load.start_server(port)
        url = f"http://127.0.0.1:{port}"
    try:
        m = measure(url, args.quartier)
    finally:
        if proc is not None:
            load.stop_server(proc)
    http, frames = m["http"], m["frames"]
    total = sum(s for _, s, _ in http) + sum(frames)
    print(f"Baromètre {args.quartier} à 390 px : {total / 1024:.0f} Ko en {len(http)} requêtes HTTP et "
          f"{len(frames)} messages WebSocket reçus ; {m['rows']} lignes de voyants affichées en {m['seconds']:.1f} s")
    streamlit = [(u, s) for u, s, k in http if k == "streamlit"]
    print(f"- Streamlit (paquet du navigateur, page, /_stcore) : {sum(s for _, s in streamlit) / 1024:.0f} Ko, "
          f"{len(streamlit)} requêtes")
    ours_http = [(u, s) for u, s, k in http if k == "observatoire"]
    strings = project_strings()
    in_page = {k: v for k, v in strings.items() if "démo" not in k}
    ours = sum(s for _, s in ours_http) + sum(in_page.values())
    print(f"- observatoire (ce qu'il ajoute au paquet de Streamlit) : {ours / 1024:.1f} Ko "
          f"(objectif < {LIMIT // 1024} Ko){'   <-- au-dessus' if ours >= LIMIT else ''}")
    for u, s in ours_http:
        print(f"    {s / 1024:7.1f} Ko  {urlsplit(u).path}")
    for label, s in strings.items():
        print(f"    {s / 1024:7.1f} Ko  {label}{'' if label in in_page else ' — pas sur cette page'}")
    content = sum(frames) - sum(in_page.values())
    print(f"- contenu de la page (messages WebSocket décompressés, hors script et CSS ci-dessus) : "
          f"{content / 1024:.1f} Ko")
    biggest = sorted(streamlit, key=lambda x: -x[1])[:5]
    print("- plus grosses réponses de Streamlit : " + " ; ".join(f"{urlsplit(u).path.rsplit('/', 1)[-1]} "
                                                               f"{s / 1024:.0f} Ko" for u, s in biggest))


if __name__ == "__main__":
    main()
