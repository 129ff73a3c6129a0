"""Accueil page (AppTest, real warehouse): territory search and the overview of what the warehouse holds."""
from __future__ import annotations

from pages_apptest import all_tables, run_page, texts


def test_search_finds_quartier_by_name(warehouse):
    at = run_page("accueil", recherche="reyssouze")
    found = all_tables(at)[0]
    # sigville_qp2015/REVN_2022.csv line 2: QP001001;Grande Reyssouze Terre Des Fleurs
    row = found[found.Code == "QP001001"]
    assert row.Nom.iloc[0] == "Grande Reyssouze Terre Des Fleurs"
    assert row["Commune(s)"].iloc[0] == "Bourg-en-Bresse"
    # The 2024 successor (qpv2024_referentiel: QN00101M, same name) is found too.
    assert "QN00101M" in set(found.Code)
    assert at.query_params["recherche"] == "reyssouze"             # the URL reproduces the search


def test_search_by_code_and_accents(warehouse):
    at = run_page("accueil", recherche="qp001001")
    assert all_tables(at)[0].Code.iloc[0] == "QP001001"
    at = run_page("accueil", recherche="beziers")          # Béziers, typed without accent
    found = all_tables(at)[0]
    assert "Béziers" in set(found.Nom)


def test_overview_counts(warehouse):
    at = run_page("accueil")
    shown = texts(at)
    # 1,400 QP 2015 codes (DEMO_2020-2022 files) and 1,626 QPV 2024 codes (1,493 of qpv2024_referentiel and
    # the 133 others of the national contour file: Polynésie, Saint-Martin, Mayotte QN976…).
    assert "Quartiers, géographie 2015 1 400" in shown
    assert "Quartiers, géographie 2024 1 626" in shown
    tables = all_tables(at)
    sources = tables[-1]
    assert any("Filosofi" in p for p in sources.Producteur)
    assert "Dernier chargement de l'entrepôt" in shown


def test_quartiers_of_a_commune_and_a_contract(con, data_dir):
    """What the Accueil lists under a commune or a contract (indicators.search.quartiers_of)."""
    import csv

    from indicators import search

    # DEMO_2022.csv: the 2015 quartiers whose LIB_COM is Béziers (COG 34032).
    with open(data_dir / "sigville_qp2015" / "DEMO_2022.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    expected = sorted(r["CODGEO"] for r in rows if r.get("LIB_COM") == "Béziers")
    assert expected == ["QP034001", "QP034002", "QP034003"]
    found = search.quartiers_of(con, "34032", generation="2015")
    assert sorted(found.code) == expected
    # qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson, Béziers: code_qp "QN03401M, QN03402M, QN03403M".
    assert len(search.quartiers_of(con, "34032", generation="2024")) == 3
    # Contract CV004 (CA Bourg en Bresse Agglomération) holds QP001001 and QP001002.
    assert set(search.quartiers_of(con, "CV004").code) >= {"QP001001", "QP001002"}


def _toulouse_counts(data_dir) -> dict[str, int]:
    """Toulouse's quartiers per geography, from the raw files: DEMO_2022.csv rows whose LIB_COM is Toulouse
    (2015), the code_qp list of Toulouse (31555) in qpv2024_referentiel's centroid file (2024)."""
    import csv
    import json

    with open(data_dir / "sigville_qp2015" / "DEMO_2022.csv", encoding="utf-8-sig", newline="") as f:
        n2015 = sum(1 for r in csv.DictReader(f, delimiter=";") if r.get("LIB_COM") == "Toulouse")
    feats = json.loads((data_dir / "qpv2024_referentiel" / "communes_avec_qpv2024_centroides.geojson")
                       .read_text(encoding="utf-8"))["features"]
    props = next(f["properties"] for f in feats if f["properties"]["insee_com"] == "31555")
    n2024 = len([c for c in props["code_qp"].split(",") if c.strip()])
    return {"2015": n2015, "2024": n2024}


def test_a_commune_counts_its_quartiers_per_geography(warehouse, data_dir):
    """Issue 18: the commune of Toulouse said « 24 quartiers prioritaires » (12 of 2015 and 12 of 2024 added).
    Searching its code opens it; its quartiers are counted per geography, never added."""
    counts = _toulouse_counts(data_dir)
    assert counts == {"2015": 12, "2024": 12}
    at = run_page("accueil", recherche="31555")
    shown = texts(at)
    assert "**Toulouse** — Commune : 12 quartiers prioritaires 2024 (12 en 2015)" in shown
    assert "24 quartiers" not in shown


def test_quartier_count_rule(con):
    """One rule for every territory: a contract counts its own geography only; a place every geography."""
    from presentation import search

    def heading(code):
        hit = next(h for h in search.search_view(con, code).hits if h["code"] == code)
        return search.territory_view(con, hit).heading

    assert heading("CN03103I").endswith("Contrat de ville : 16 quartiers prioritaires 2024")
    assert heading("CV101").endswith("Contrat de ville : 16 quartiers prioritaires 2015")
    assert heading("243100518").endswith("Intercommunalité (EPCI) : 16 quartiers prioritaires 2024 (16 en 2015)")


def test_links_of_a_place_open_in_the_same_tab(warehouse):
    """Issue 20: every card link of the home page opened a new tab, where the user had to sign in again. The
    quartiers listed under Toulouse are HTML links with target="_self" (a Markdown link opens a new tab), to
    the fiche of each quartier; the other links are page links (same tab by construction)."""
    import re

    at = run_page("accueil", recherche="31555")
    html = "\n".join(str(m.value) for m in at.markdown)
    anchors = re.findall(r"<a\b[^>]*>", html)
    assert len(anchors) == 24                                  # Toulouse: 12 quartiers 2024 and 12 of 2015
    assert all('target="_self"' in a and 'href="/fiche?quartier=Q' in a for a in anchors)
    assert not re.search(r"\]\((?:/|\?|https?:)", html)        # no Markdown link
    assert at.get("page_link")                                 # Comparer: a page link, same tab
