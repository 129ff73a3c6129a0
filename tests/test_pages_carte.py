"""Carte page (AppTest, real warehouse): one value per mapped quartier, contours vs commune points,
class legend, hover text, the 2024 generation on the national contours with its 2015 predecessors' values,
the quartier asked in the URL, and every choice kept in the URL."""
from __future__ import annotations

import json
from collections import Counter

from pages_apptest import figures, read_sigville, run_page, sources, texts


def _data_traces(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if isinstance(t.get("meta"), dict) and t["meta"].get("role") == "quartiers"]


def _mapped(fig: dict) -> Counter:
    return Counter(row[0] for t in _data_traces(fig) for row in t["customdata"])


def _hover(fig: dict, code: str) -> list[str]:
    for t in _data_traces(fig):
        for row in t["customdata"]:
            if row[0] == code:
                return row
    raise AssertionError(f"{code} absent de la carte")


def test_occitanie_contours_one_value_per_quartier(warehouse, data_dir):
    at = run_page("carte", generation="2015", indicateur="tx_pauvrete", millesime="2019", zone="R76")
    fig = figures(at)[0]
    # contours/qp2015_occitanie.geojson: 105 features, one per QP 2015 code of the région.
    occitanie = {f["properties"]["code_qp"] for f in
                 json.loads((data_dir / "contours" / "qp2015_occitanie.geojson").read_text())["features"]}
    mapped = _mapped(fig)
    assert set(mapped) == occitanie and set(mapped.values()) == {1}
    shapes = {t["meta"]["shape"] for t in _data_traces(fig)}
    assert shapes == {"contour"}
    # data_filo19_qp_revdis.csv, QP034001 (Centre Ville, Béziers), DISP_TP60_A19 = 54,9.
    hover = _hover(fig, "QP034001")
    assert hover[1] == "Centre Ville" and hover[2] == "54,9 %"
    # The source, the same for every quartier, is written once in the hover template.
    assert all("data_filo19_qp_revdis.csv" in t["hovertemplate"] for t in _data_traces(fig))
    legend = fig["layout"]["legend"]["title"]["text"]
    assert "Quantiles" in legend and "plus défavorable" in legend
    line = sources(at)[0]                                           # the caption right under the map
    assert "millésime 2019" in line and "géographie prioritaire 2015" in line
    # The darkest class holds the highest value of the zone (polarity: higher is worse).
    top = max((t for t in _data_traces(fig)), key=lambda t: t["meta"]["class"])
    assert top["meta"]["class"] == 4


def test_national_map_places_every_quartier_once(warehouse, data_dir):
    at = run_page("carte", generation="2015", indicateur="tx_pauvrete", millesime="2019", zone="FR")
    fig = figures(at)[0]
    mapped = _mapped(fig)
    assert len(mapped) == 1400 and set(mapped.values()) == {1}     # 1,400 QP 2015 codes (DEMO 2020-2022)
    tp60 = read_sigville(data_dir, "data_filo19_qp_revdis.csv", "DISP_TP60_A19")
    published = {c for c, v in tp60.items() if v is not None}
    with_value = {row[0] for t in _data_traces(fig) if t["meta"]["class"] >= 0 for row in t["customdata"]}
    assert with_value == published and len(published) == 1348
    points = {row[0] for t in _data_traces(fig) if t["meta"]["shape"] == "point" for row in t["customdata"]}
    assert "QP001001" in points                                      # Ain: no contour file -> commune point
    assert "1 400 quartiers" in texts(at)


def test_jenks_breaks_are_stated(warehouse):
    at = run_page("carte", generation="2015", indicateur="tx_pauvrete", millesime="2019", zone="D35")
    at.radio(key="map_method").set_value("jenks").run()
    assert not at.exception
    fig = figures(at)[0]
    assert "Seuils naturels (Jenks)" in fig["layout"]["legend"]["title"]["text"]
    # Ille-et-Vilaine: 6 contours (qp2015_ille_et_vilaine.geojson) + QP035007 placed at its commune.
    assert len(_mapped(fig)) == 7


def _polygonal_codes(data_dir) -> set[str]:
    """Codes of the national contour file whose geometry is a real polygon (3 collapsed to a point)."""
    import shapely

    feats = json.loads((data_dir / "contours" / "qpv2024_france_anct_simplifie.geojson").read_text())["features"]
    return {f["properties"]["code_qp"] for f in feats
            if shapely.make_valid(shapely.geometry.shape(f["geometry"])).area > 0}


def test_national_2024_map_draws_every_real_contour_within_budget(warehouse, data_dir):
    at = run_page("carte", generation="2024", indicateur="tx_pauvrete", millesime="2019", zone="FR")
    fig = figures(at)[0]
    mapped = _mapped(fig)
    assert set(mapped.values()) == {1} and len(mapped) == 1626       # 1,493 referentiel + 133 national-file codes
    drawn = {c for t in fig["data"] if isinstance(t.get("meta"), dict) and t["meta"].get("shape") == "contour"
             for c in t["locations"]}
    polygonal = _polygonal_codes(data_dir)
    assert drawn == polygonal and len(drawn) == 1606                   # every real contour is a polygon
    size = len(at.get("plotly_chart")[0].proto.spec.encode())
    assert size <= 1.5 * 1024 * 1024                                   # issue 9: national view ≤ 1,5 Mo
    assert "≈ valeurs approchées" in fig["layout"]["legend"]["title"]["text"]
    # QN00101M <- QP001001 (same commune and name); data_filo19 DISP_TP60_A19 of QP001001 = 41,9.
    hover = _hover(fig, "QN00101M")
    assert hover[2].startswith("≈ 41,9 %") and "QP001001" in hover[2]
    assert "valeurs des quartiers 2015 correspondants" in sources(at)[0]


def test_2024_regional_view_hovers_the_contours(warehouse):
    at = run_page("carte", generation="2024", indicateur="tx_pauvrete", millesime="2019", zone="D01")
    fig = figures(at)[0]
    assert {t["meta"]["shape"] for t in _data_traces(fig)} == {"contour"}
    assert _hover(fig, "QN00101M")[2].startswith("≈ 41,9 %")


def test_quartier_in_the_url_frames_the_map_on_it(warehouse, con):
    """The fiche's « Voir sur la carte » (carte?quartier=QN03107M): 2024 map, its département, zoomed on it."""
    import shapely

    at = run_page("carte", quartier="QN03107M")
    assert at.query_params["generation"] == "2024" and at.query_params["zone"] == "D31"
    fig = figures(at)[0]
    box = shapely.from_wkb(bytes(con.execute("SELECT geom FROM territory_geom WHERE code = 'QN03107M' "
                                             "AND kind = 'contour'").fetchone()[0])).bounds
    centre = fig["layout"]["map"]["center"]
    assert box[0] <= centre["lon"] <= box[2] and box[1] <= centre["lat"] <= box[3]
    assert fig["layout"]["map"]["zoom"] >= 12
    assert any(t.get("name") == "quartier sélectionné" for t in fig["data"])
    assert "Carte centrée sur **Grand Mirail** (QN03107M)" in texts(at)


def test_unknown_quartier_in_the_url_is_said_never_replaced(warehouse):
    at = run_page("carte", quartier="QN99999X")
    assert any("Quartier inconnu : « QN99999X »" in str(e.value) for e in at.error)
    fig = figures(at)[0]
    assert not any(t.get("name") == "quartier sélectionné" for t in fig["data"])
    assert "Carte centrée" not in texts(at)


def test_national_view_draws_every_polygon_and_sends_hover_texts_once(con):
    """polygon_hover=False (national view): every contour stays a polygon, its hover texts ride on its
    centroid dot only — lighter than hover texts on both."""
    import pandas as pd

    from charts import maps
    from indicators import search

    rows = con.execute("SELECT code, geom_display FROM territory_geom WHERE kind = 'contour' "
                       "AND generation = '2015' ORDER BY code").fetchall()
    contours = maps.feature_collection([r[0] for r in rows], [r[1] for r in rows])
    names = search.directory(con, "2015").set_index("code").name
    values = pd.DataFrame({"code": [r[0] for r in rows], "name": [names[r[0]] for r in rows],
                           "value": None, "status": "non_disponible"})
    values["value_text"], values["place_text"], values["source_text"] = "non disponible", "Occitanie", "Source : test"
    empty = pd.DataFrame({"code": [], "lon": [], "lat": []})
    kwargs = dict(label="x", unit=None, decimals=1, polarity="neutral", source_line="Source : test",
                  view={"center": {"lon": 2.4, "lat": 46.6}, "zoom": 4.6})
    hover_both = maps.quartier_map(values, contours, empty, None, **kwargs)
    national = maps.quartier_map(values, contours, empty, None, polygon_hover=False, **kwargs)
    assert len(rows) == 111                           # 105 Occitanie + 6 Ille-et-Vilaine contours
    assert sorted(maps.mapped_codes(hover_both)) == sorted(maps.mapped_codes(national)) == sorted(values.code)
    polygons = [c for t in national.data if t.type == "choroplethmap" for c in t.locations]
    assert sorted(polygons) == sorted(values.code)
    assert all(t.customdata is None for t in national.data if t.type == "choroplethmap")
    assert maps.payload_bytes(national) < maps.payload_bytes(hover_both)


def test_url_reproduces_the_view(warehouse):
    """Choices live in the URL: opening it gives the same map; changing a choice rewrites the URL."""
    at = run_page("carte", generation="2015", indicateur="rev_disp_median", millesime="2017", zone="D34")
    assert at.selectbox(key="url_indicateur").value == "rev_disp_median"
    assert at.selectbox(key="url_millesime").value == 2017
    assert at.selectbox(key="url_zone").value == "D34"
    at.selectbox(key="url_indicateur").set_value("tx_emploi").run()
    assert not at.exception
    assert at.query_params["indicateur"] == "tx_emploi"
    assert at.query_params["zone"] == "D34"                       # the other choices are kept
    at.radio(key="map_method").set_value("jenks").run()
    at.selectbox(key="map_k").set_value(4).run()
    assert (at.query_params["methode"], at.query_params["classes"]) == ("jenks", "4")
    again = run_page("carte", generation="2015", indicateur="tx_emploi", millesime="2017", zone="D34",
                     methode="jenks", classes="4")
    title = figures(again)[0]["layout"]["legend"]["title"]["text"]
    assert "Seuils naturels (Jenks), 4 classes" in title
    legend = figures(at)[0]["layout"]["legend"]["title"]["text"]
    assert "Taux d'emploi des 15-64 ans" in legend


def test_table_title_and_cells_are_french(warehouse):
    """Issue 18: « Tableau des 1626 quartiers » lacked its thousands space; the table's value cells are the
    hover's value_cell texts (« ≈ » kept for 2024 quartiers)."""
    from pages_apptest import all_tables

    at = run_page("carte", generation="2024", indicateur="tx_pauvrete", millesime="2019", zone="FR")
    assert [e.label for e in at.expander if e.label.startswith("Tableau")] == ["Tableau des 1 626 quartiers affichés"]
    table = all_tables(at)[-1]
    row = table[table.Code == "QN00101M"].iloc[0]
    assert row["Taux de pauvreté au seuil de 60 %"] == "≈ 41,9 %"              # QP001001's, data_filo19
    assert "QP001001" in row["Valeur ≈ venant de"]


def test_changing_indicator_shows_its_latest_millesime(warehouse):
    """Issue 20: the previous indicator's year is not kept when the new indicator has later ones."""
    at = run_page("carte", generation="2015", indicateur="tx_pauvrete", millesime="2019", zone="D34")
    assert at.selectbox(key="url_millesime").value == 2019       # a link's millésime is respected
    at.selectbox(key="url_indicateur").set_value("alloc_rsa").run()
    assert not at.exception
    # alloc_rsa (CNAF, SIG Ville) has 2017-2019 and 2021-2022: the map shows 2022, not 2019 kept from before.
    assert at.selectbox(key="url_millesime").options[:2] == ["2022", "2021"]
    assert at.selectbox(key="url_millesime").value == 2022
    assert at.query_params["millesime"] == "2022"
    assert "millésime 2022" in sources(at)[0]
    at.selectbox(key="url_millesime").set_value(2018).run()      # the user's own choice of year stays
    at.radio(key="map_method").set_value("jenks").run()
    assert at.selectbox(key="url_millesime").value == 2018
