"""The static public site (issue 22): `python -m exports site --contrat CN03103I` on the real warehouse.

One page per quartier of Toulouse Métropole plus the contract page; the QN03107M page prints the fiche
page view's own strings; every page is small and scriptless; axe-core finds no serious or critical
violation in Chromium; nothing of the saisie database is published unless the contract chose so (and
démo rows never are).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.live_server import CHROMIUM, require_chromium

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tools" / "node_modules" / "axe-core" / "axe.min.js"
TODAY = dt.date(2026, 12, 6)
CONTRACT = "CN03103I"                      # Toulouse Métropole: 16 quartiers 2024
SECRET_VERBATIM = "Texte jamais publié : le hall du bâtiment C"
PUBLIC_VERBATIM = "Le nouveau square change la vie des enfants"
ENGAGEMENT_TEXT = "Ouvrir une permanence emploi au pied des immeubles"
DEMO_ENGAGEMENT = "Engagement de démonstration à ne jamais publier"


def _saisie_with_rows(path: Path, publish: bool) -> Path:
    """A saisie database with REAL (non-démo) rows of CN03103I: two commitments, a survey with a publishable
    and an unpublishable verbatim, plus one démo commitment; the contract publishes (or not) both kinds."""
    from contract import publication, store
    from contract.roles import cli_user

    user = cli_user()
    q = "QN03107M"
    with store.edit(user, path) as tx:
        tx.register_contract(CONTRACT, "Toulouse Métropole", [{"quartier_code": q, "nom": "Grand Mirail",
                                                                "communes": "Toulouse"}])
        sig = tx.insert("signataire", {"contrat_code": CONTRACT, "nom": "France Travail", "type_signataire": "etat"})
        tx.insert("engagement", {"contrat_code": CONTRACT, "code": "ENG-1", "signataire_id": sig,
                                 "intitule": ENGAGEMENT_TEXT, "statut": "realise"})
        tx.insert("engagement", {"contrat_code": CONTRACT, "code": "ENG-2", "signataire_id": sig,
                                 "intitule": "Deuxième engagement", "statut": "en_cours",
                                 "echeance": dt.date(2027, 6, 30)})
        tx.insert("engagement", {"contrat_code": CONTRACT, "code": "DEMO-1", "signataire_id": sig,
                                 "intitule": DEMO_ENGAGEMENT, "statut": "realise", "is_demo": True})
        enq = tx.insert("enquete", {"contrat_code": CONTRACT, "titre": "Enquête habitants 2026"})
        wave = tx.insert("enquete_vague", {"contrat_code": CONTRACT, "enquete_id": enq, "numero": 1,
                                           "libelle": "Printemps 2026"})
        for texte, ok in ((PUBLIC_VERBATIM, True), (SECRET_VERBATIM, False)):
            tx.insert("verbatim", {"contrat_code": CONTRACT, "enquete_id": enq, "vague_id": wave,
                                   "quartier_code": q, "texte": texte, "publiable": ok})
    if publish:
        publication.set_choice(CONTRACT, user, path, engagements=True, verbatims=True)
    return path


@pytest.fixture(scope="module")
def site(warehouse, con, tmp_path_factory):
    """The site of CN03103I, built once with a saisie database whose contract publishes nothing."""
    from exports.site import build

    base = tmp_path_factory.mktemp("site")
    saisie = _saisie_with_rows(base / "saisie.duckdb", publish=False)
    out = base / "site"
    stats = build.build(con, out, contrat=CONTRACT, today=TODAY, base_url="https://observatoire.example.fr/",
                        saisie=saisie)
    return out, stats


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_one_page_per_quartier_of_the_contract_and_the_contract_page(site, con):
    from indicators import site as site_lib

    out, stats = site
    codes = [q["code"] for q in site_lib.quartiers(con, CONTRACT)]
    assert len(codes) == 16 and "QN03107M" in codes
    assert sorted(p.stem for p in (out / "quartiers").glob("*.html")) == sorted(codes)
    assert [p.name for p in (out / "contrats").glob("*.html")] == [f"{CONTRACT}.html"]
    assert (stats.quartier_pages, stats.contract_pages, stats.pages) == (16, 1, 18)
    contract = (out / "contrats" / f"{CONTRACT}.html").read_text(encoding="utf-8")
    for code in codes:                                   # the contract page links every quartier page
        assert f'href="../quartiers/{code}.html"' in contract
        page = (out / "quartiers" / f"{code}.html").read_text(encoding="utf-8")
        if "Indicateurs par thème" in page and "Aucun indicateur publié" not in page:   # downloads beside it
            assert f'href="{code}.csv"' in page and (out / "quartiers" / f"{code}.csv").stat().st_size > 1000
            assert f'href="{code}.xlsx"' in page and (out / "quartiers" / f"{code}.xlsx").stat().st_size > 1000
    # QN03116N (Le Seycheron, new in 2024: no 2015 predecessor) has no figure yet, hence no download
    assert not (out / "quartiers" / "QN03116N.csv").exists()
    assert len(list((out / "quartiers").glob("*.csv"))) == 12
    assert contract.count('<path class="q"') == 16       # the 16 real contours on the map


def test_grand_mirail_prints_the_fiche_views_strings(site, con):
    """One fact, one view: the page shows the very strings of presentation.fiche.view (the app's fiche)."""
    from presentation import fiche

    out, _ = site
    page = (out / "quartiers" / "QN03107M.html").read_text(encoding="utf-8")
    assert "≈\u00a049,2\u00a0%" in page                           # a number is never broken across two lines
    html = page.replace("\u00a0", " ")                              # the same text, read as words
    view = fiche.view(con, "QN03107M", n_twins=0)
    revenus = next(t for t in view.themes if t["theme"] == "revenus")["table"]
    poverty = revenus.loc[revenus["Indicateur"] == "Taux de pauvreté au seuil de 60 %", "Valeur"].iloc[0]
    refs = view.references["table"]
    commune = refs.loc[refs["Indicateur"] == "Taux de pauvreté au seuil de 60 %", "Commune"].iloc[0]
    assert " ".join(poverty.split()) == "≈ 49,2 %"                # whatever space frformat puts before « % »
    assert " ".join(commune.split()) == "22,0 % (2021)"
    poverty, commune = poverty.replace("\u00a0", " "), commune.replace("\u00a0", " ")
    assert f"<td class=\"n\">{poverty}</td>" in html
    assert f"<td class=\"n\">{commune}</td>" in html
    # the baromètre line of the same value, first on the page, and the « ≈ » explanation
    assert html.index("Baromètre du quartier") < html.index("Indicateurs par thème")
    assert f"Taux de pauvreté : {poverty} — au-dessus de la commune (22,0" in html
    assert "Grand Mirail (QP031007)" in html and "« ≈ »" in html
    # downloads: same text, plus the number and the source line
    csv_text = (out / "quartiers" / "QN03107M.csv").read_text(encoding="utf-8-sig")
    line = next(r for r in csv_text.splitlines() if r.startswith("Revenus et pauvreté;Taux de pauvreté au seuil"))
    assert f";{poverty};49,2;%;2019;" in line and "Filosofi" in line


def test_secret_statistique_as_everywhere(site):
    """Barradels (QN03104M): its 2015 predecessor's count of salariés en contrat aidé is under the secret
    threshold — the page and the downloads say « secret statistique », never a number."""
    out, _ = site
    html = (out / "quartiers" / "QN03104M.html").read_text(encoding="utf-8")
    assert ('<th scope="row">Salariés en contrat aidé</th><td class="n">secret statistique</td>'
            '<td class="n">2022</td><td class="n">—</td>') in html
    row = next(r for r in (out / "quartiers" / "QN03104M.csv").read_text(encoding="utf-8-sig").splitlines()
               if ";Salariés en contrat aidé;" in r)
    assert row.startswith("Emploi et demandeurs d'emploi;Salariés en contrat aidé;secret statistique;;personnes;2022;"
                          "secret statistique;;;contrats_aides;IPRO_2022.csv;CA;")


def test_pages_are_small_and_scriptless(site):
    out, stats = site
    css = (out / "style.css").stat().st_size
    for p in _pages(out):
        html = p.read_text(encoding="utf-8")
        assert "<script" not in html.lower() and "javascript:" not in html.lower(), p
        assert re.search(r"\son[a-z]+=", html) is None, p                  # no inline event handler
        assert p.stat().st_size + css <= 100 * 1024, (p, p.stat().st_size + css)
        assert '<html lang="fr">' in html
        levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), (p, levels)
    assert max(stats.page_bytes.values()) <= 100 * 1024


def test_nothing_from_the_saisie_base_unless_the_contract_publishes_it(site):
    out, _ = site
    everything = "".join(p.read_text(encoding="utf-8") for p in _pages(out))
    for text in (SECRET_VERBATIM, PUBLIC_VERBATIM, ENGAGEMENT_TEXT, DEMO_ENGAGEMENT, "France Travail"):
        assert text not in everything
    assert "Avancement des engagements" not in everything and "Paroles d'habitants" not in everything


def test_a_publishing_contract_shows_only_real_publishable_rows(warehouse, con, tmp_path):
    from exports.site import build, content
    from presentation import site as site_view

    saisie = _saisie_with_rows(tmp_path / "saisie.duckdb", publish=True)
    lives = site_view.published_lives([CONTRACT, "CV101"], TODAY, saisie)
    assert list(lives) == [CONTRACT]
    life = lives[CONTRACT]
    assert [v["text"] for v in life["verbatims"]] == [PUBLIC_VERBATIM]
    rows = {r[0]: r for r in life["engagements"]["rows"]}
    header = life["engagements"]["header"]
    total = rows["Ensemble"]
    assert total[header.index("Total")] == "2"               # the démo commitment is left out
    assert total[header.index("Réalisé")] == "1" and total[header.index("En cours")] == "1"
    assert total[header.index("Taux de réalisation")].startswith("50")
    plan = content.site_plan(con, CONTRACT)
    doc = content.contract_doc(con, CONTRACT, plan, {}, TODAY, None, life)
    html = build.render_contract(build.environment(), doc, "06/12/2026")
    assert PUBLIC_VERBATIM in html and "Avancement des engagements" in html
    assert SECRET_VERBATIM not in html and DEMO_ENGAGEMENT not in html and ENGAGEMENT_TEXT not in html


def test_axe_finds_no_serious_violation_and_the_phone_page_reads(site):
    require_chromium()
    if not AXE.exists():
        pytest.fail(f"axe-core absent ({AXE}) : lancer scripts/setup.sh (npm ci dans tools/)")
    from playwright.sync_api import sync_playwright

    out, _ = site
    pages = [out / "contrats" / f"{CONTRACT}.html", out / "quartiers" / "QN03107M.html",
             out / "quartiers" / "QN03105M.html"]
    shots = ROOT / "tests" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            for path in pages:
                page.goto(path.as_uri())
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("""async () => {
                    const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
                    return r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
                                                   target: v.nodes[0].target}));
                }""")
                bad = [v for v in result if v["impact"] in ("serious", "critical")]
                assert bad == [], f"{path.name}: {json.dumps(bad, ensure_ascii=False)}"
            # the élu's phone, JavaScript off: the baromètre is the first thing read
            phone = browser.new_page(viewport={"width": 390, "height": 1600}, java_script_enabled=False)
            phone.goto(pages[1].as_uri())
            assert phone.locator("h2").first.inner_text() == "Baromètre du quartier"
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, width                    # nothing wider than the phone (tables scroll inside)
            phone.screenshot(path=str(shots / "site_quartier_390.png"))
            # printed, the baromètre fills the first A4 page alone, with the page's address and QR code
            pdf = shots / "site_quartier_print.pdf"
            phone.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    from pypdf import PdfReader

    first, second = (p.extract_text() for p in PdfReader(pdf).pages[:2])
    assert "Baromètre du quartier" in first and "Jeunes parmi les demandeurs" in first
    assert "https://observatoire.example.fr/quartiers/QN03107M.html" in first
    assert "Indicateurs par thème" not in first and second.startswith("Indicateurs par thème")
