"""Real-browser test: `streamlit run app.py` on 127.0.0.1, Playwright driving Debian's Chromium.

Opens every page (observation pages and the contract-life pages: a missing page fails, it is never
skipped), waits for the script to finish and the charts to draw, checks there is no exception box, no
JavaScript error in the page and that a key text is visible, and saves a screenshot under tests/screenshots/
(git-ignored). The Baromètre is also opened at phone width (390 px).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.live_server import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve, SHOTS

ROOT = Path(__file__).resolve().parent.parent

# (url path with query, key text that must be visible, expects a Plotly chart, viewport width, shot name)
PAGES = [
    ("/?recherche=reyssouze", "7 résultats", False, 1400, "accueil"),
    ("/carte?generation=2015&indicateur=tx_pauvrete&zone=R76", "Carte des quartiers", True, 1400, "carte"),
    ("/carte?generation=2024&zone=R93", "pas encore d'indicateurs INSEE", True, 1400, "carte-2024"),
    ("/carte?generation=2024&indicateur=tx_pauvrete&zone=FR", "avec leur contour réel", True, 1400, "carte-2024-france"),
    ("/fiche?quartier=QP001001", "Grande Reyssouze Terre Des Fleurs", True, 1400, "fiche"),
    ("/comparer?selection=QP001001,QP001002,QP034001", "Comparer", True, 1400, "comparer"),
    ("/barometre?quartier=QP001001", "Baromètre", False, 1400, "barometre"),
    ("/barometre?quartier=QP001001", "Baromètre", False, 390, "barometre-390"),
]
CONTRACT_PAGES = [
    ("programmation", "Programmation"),
    ("engagements", "Engagements"),
    ("enquetes", "Enquêtes"),
    ("referentiel", "Référentiel"),
    ("exports", "Exports"),
]
# Contract-life pages that draw Plotly charts: wait for them before the screenshot (issue 5).
CONTRACT_CHARTED = {"programmation", "engagements", "enquetes", "referentiel"}


@pytest.fixture(scope="module")
def server(warehouse):
    require_chromium()
    env = dict(os.environ, OBSERVATOIRE_DB=str(warehouse), PYTHONPATH=str(ROOT))
    with serve(env, SHOTS / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str, width: int, expect_chart: bool, key_text: str, shot: str):
    page = browser.new_page(viewport={"width": width, "height": 2200 if width > 500 else 2600},
                            locale="fr-FR")
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not _local(r.url) else None)
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector("[data-testid=stMain]", timeout=60_000)
    time.sleep(1.0)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    if expect_chart:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    if page.locator("canvas.maplibregl-canvas").count():
        time.sleep(6.0)  # software WebGL in headless Chromium: MapLibre needs a few seconds to paint
    time.sleep(1.5)  # let fonts and layout settle before the screenshot
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.screenshot(path=str(SHOTS / f"{shot}.png"))
    exceptions = page.locator("[data-testid=stException]")
    assert exceptions.count() == 0, exceptions.first.inner_text()[:2000]
    assert page.get_by_text(key_text, exact=False).count() > 0, f"{key_text!r} absent de {url}"
    assert not outside, f"requêtes hors de l'application (le produit doit fonctionner hors ligne) : {outside[:5]}"
    assert errors == [], f"erreurs JavaScript sur {url} : {errors[:5]}"
    page.close()
    return errors


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:"))


@pytest.mark.parametrize("path,key_text,expect_chart,width,shot", PAGES, ids=[p[4] for p in PAGES])
def test_observation_pages(browser, server, path, key_text, expect_chart, width, shot):
    _open(browser, server + path, width, expect_chart, key_text, shot)


@pytest.mark.parametrize("slug,key_text", CONTRACT_PAGES, ids=[c[0] for c in CONTRACT_PAGES])
def test_contract_pages(browser, server, slug, key_text):
    # a deleted or undeclared page fails here: it is never skipped
    assert (ROOT / "pages" / f"{slug}.py").exists(), f"pages/{slug}.py absente"
    _open(browser, f"{server}/{slug}", 1400, slug in CONTRACT_CHARTED, key_text, slug)


def test_every_page_of_the_menu_is_opened():
    """Every page declared in the menu (ui/navigation.py) is in PAGES or CONTRACT_PAGES: a new page is
    opened by this test, a removed one fails above."""
    from ui import navigation

    declared = {p[0].removesuffix(".py") for section in navigation.SECTIONS.values() for p in section}
    opened = {path.split("?")[0].strip("/") or "accueil" for path, *_ in PAGES} | {slug for slug, _ in CONTRACT_PAGES}
    # localiser: test_localiser_upload_map_and_download below; comptes: tests/test_accounts.py
    assert declared - opened == {"comptes", "localiser"} and opened <= declared, (declared, opened)


def test_barometre_fits_phone(browser, server):
    """At 390 px the barometer has no horizontal scroll: an élu reads it on a phone."""
    page = browser.new_page(viewport={"width": 390, "height": 1400})
    page.goto(server + "/barometre?quartier=QP001001", wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stMain]", timeout=60_000)
    time.sleep(1.0)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.wait_for_selector(".obs-chip", timeout=30_000)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 2, f"défilement horizontal de {overflow} px à 390 px"
    page.close()


def test_barometre_first_screen_on_a_phone(browser, server):
    """Toulouse, Grand Mirail (QP031007) at 390×844 (a phone, no scrolling): the quartier's name and at
    least 5 indicator lights with their lines are fully inside the first screen."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-FR", device_scale_factor=2)
    page.goto(server + "/barometre?quartier=QP031007", wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stMain]", timeout=60_000)
    time.sleep(1.0)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.wait_for_selector(".obs-chip", timeout=30_000)
    time.sleep(1.0)
    page.screenshot(path=str(SHOTS / "barometre-phone-QP031007.png"))
    boxes = page.evaluate("""() => [...document.querySelectorAll('.obs-row')].map(r => {
        const b = r.getBoundingClientRect(); return [b.top, b.bottom, r.innerText]; })""")
    visible = [t for top, bottom, t in boxes if top >= 0 and bottom <= 844]
    assert len(visible) >= 5, f"{len(visible)} voyants visibles sur le premier écran : {visible}"
    assert page.get_by_text("Grand Mirail").first.bounding_box()["y"] < 844
    assert all(("mieux" in t or "comparable" in t or "moins bien" in t or "sans voyant" in t) for t in visible)
    page.close()


def test_barometre_prints_on_one_a4_page(browser, server):
    """The élu's barometer, printed from the browser (print CSS), fits on one A4 page."""
    from io import BytesIO

    from pypdf import PdfReader

    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    page.goto(server + "/barometre?quartier=QP001001", wait_until="domcontentloaded")
    page.wait_for_selector(".obs-chip", timeout=60_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    time.sleep(1.0)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    (SHOTS / "barometre-a4.pdf").write_bytes(pdf)
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Grande Reyssouze Terre Des Fleurs" in text and "Source" in text
    page.close()


_POINT_JS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const sub = gd._fullLayout.map._subplot;
  for (const tr of gd._fullData) {
    const role = tr.meta && tr.meta.role;
    if ((role === 'centroid' || role === 'quartiers') && tr.lat && tr.lat.length) {
      const p = sub.map.project([tr.lon[0], tr.lat[0]]);
      const r = sub.map.getContainer().getBoundingClientRect();
      return [r.left + p.x, r.top + p.y, tr.customdata[0][0]];
    }
  }
  return null;
}"""


def test_map_click_opens_fiche(browser, server):
    """Clicking a quartier on the map (Plotly selection event) opens its fiche."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(server + "/carte?generation=2015&indicateur=tx_pauvrete&zone=D35", wait_until="domcontentloaded")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.wait_for_selector("canvas.maplibregl-canvas", timeout=60_000)
    time.sleep(6.0)
    x, y, code = page.evaluate(_POINT_JS)
    page.mouse.click(x, y)
    page.wait_for_url("**/fiche**", timeout=30_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    assert f"quartier={code}" in page.url
    page.wait_for_selector("h2", timeout=30_000)
    page.close()


def _fiche_download(browser, server, button: str, timeout: int) -> tuple[bytes, str]:
    """(content, suggested file name) of the first `button` download of a freshly opened fiche page
    (a fresh page each time: Chromium holds back a second download started from the same page)."""
    page = browser.new_page(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    page.goto(server + "/fiche?quartier=QP001001", wait_until="domcontentloaded")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    with page.expect_download(timeout=timeout) as dl:
        page.locator("[data-testid=stDownloadButton] button", has_text=button).first.click()
    content = Path(dl.value.path()).read_bytes()
    name = dl.value.suggested_filename
    page.close()
    return content, name


def test_downloads_from_the_page(browser, server):
    """The PNG and CSV buttons under the fiche's charts and tables give real files (rendered on click)."""
    png, png_name = _fiche_download(browser, server, "PNG", 120_000)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert png_name.endswith(".png")
    csv, _ = _fiche_download(browser, server, "CSV", 60_000)
    assert csv.startswith(b"\xef\xbb\xbf") and b";" in csv.splitlines()[0]
    assert "Observatoire des contrats de ville" in csv.decode("utf-8-sig").strip().splitlines()[-1]


def test_localiser_upload_map_and_download(browser, server, warehouse, tmp_path):
    """Localiser (issue 15): upload a French CSV of points, see the answers on the offline map with the
    quartier contours, and download the result file (same rows plus the answer columns)."""
    import shapely

    from observatoire import db

    con = db.connect(warehouse, read_only=True)
    rows = con.execute("SELECT code, geom FROM territory_geom WHERE kind = 'contour' AND generation = '2024' "
                       "AND code LIKE 'QN013%' ORDER BY code LIMIT 6").fetchall()
    con.close()
    inside = [(c, shapely.get_point(shapely.maximum_inscribed_circle(
        shapely.make_valid(shapely.from_wkb(bytes(g)))), 0)) for c, g in rows]
    lines = ["nom;latitude;longitude"] + [f"{c};{str(p.y).replace('.', ',')};{str(p.x).replace('.', ',')}"
                                          for c, p in inside]
    lines += ["Calanques;43,2095;5,4460", "Aubagne gare;43,2925;5,5707", "inconnue;;", "inversée;5,37;43,29"]
    src = tmp_path / "beneficiaires_test.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")

    page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="fr-FR", accept_downloads=True)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not _local(r.url) else None)
    # (An upload on a deep link opened first on a fresh server: tests/test_browser_deeplink.py.)
    page.goto(server + "/", wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector("[data-testid=stSidebarNav]", timeout=60_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    time.sleep(2.0)
    page.goto(server + "/localiser", wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector("[data-testid=stFileUploader] input[type=file]", state="attached", timeout=60_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.set_input_files("[data-testid=stFileUploader] input[type=file]", str(src))
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.wait_for_selector("canvas.maplibregl-canvas", timeout=60_000)
    time.sleep(6.0)
    page.screenshot(path=str(SHOTS / "localiser.png"))
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.get_by_text("ne vaut pas attestation", exact=False).count() > 0
    assert page.get_by_text("Rien n'est conservé", exact=False).count() > 0
    oui = page.locator("[data-testid=stMetric]", has_text="En QPV : oui").inner_text()
    assert oui.strip().endswith(str(len(inside)))
    traces = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.name)")
    assert any("quartier prioritaire 2024" in t for t in traces) and any(t.startswith("en QPV : oui") for t in traces)
    with page.expect_download(timeout=60_000) as dl:
        page.locator("[data-testid=stDownloadButton] button", has_text="Télécharger le résultat").click()
    out = Path(dl.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert out[0].startswith("nom;latitude;longitude;en_qpv;code_qpv") and len(out) == len(lines)
    assert [ln.split(";")[4] for ln in out[1:len(inside) + 1]] == [c for c, _ in inside]
    assert not outside, f"requêtes hors de l'application : {outside[:5]}"
    page.close()
_MAP_STATE_JS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  let polygons = 0;
  for (const tr of gd._fullData) {
    if (tr.type === 'choroplethmap' && tr.meta && tr.meta.shape === 'contour') polygons += tr.locations.length;
  }
  return {zoom: m.getZoom(), lon: m.getCenter().lng, lat: m.getCenter().lat, polygons: polygons};
}"""


def _map_page(browser, url: str, shot: str) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1600}, locale="fr-FR")
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=90_000)
    page.wait_for_selector("canvas.maplibregl-canvas", timeout=60_000)
    time.sleep(6.0)  # software WebGL: let MapLibre paint
    state = page.evaluate(_MAP_STATE_JS)
    page.screenshot(path=str(SHOTS / f"{shot}.png"))
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()
    return state


def test_national_2024_map_draws_every_real_contour(browser, server):
    """issue 9: the national 2024 map draws the 1,606 real contours of the national file (3 features collapsed
    to a point are placed at their commune)."""
    state = _map_page(browser, server + "/carte?generation=2024&indicateur=tx_pauvrete&zone=FR", "carte-2024-contours")
    assert state["polygons"] == 1606 and state["zoom"] < 6


def test_map_opened_on_a_quartier_is_zoomed_on_it(browser, server):
    """The fiche's « Voir sur la carte » for Grand Mirail (QN03107M, Toulouse): framed on the quartier."""
    state = _map_page(browser, server + "/carte?quartier=QN03107M", "carte-QN03107M")
    assert state["zoom"] >= 12
    assert 1.37 < state["lon"] < 1.44 and 43.55 < state["lat"] < 43.60   # Le Mirail, south-west Toulouse
