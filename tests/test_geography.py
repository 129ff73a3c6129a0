"""Territories from the COG and the QPV 2024 referentiel, and the geometries (real warehouse).

Expected values were read in the raw files of ../shared/data (file and line given next to each)."""
from __future__ import annotations

import json

import pytest
import shapely


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()


def test_cog_levels(con):
    # communes.json: type commune-actuelle = 34,746 metro + 129 drom + 94 com; 45 arrondissements municipaux.
    assert one(con, "SELECT count(*) FROM territory WHERE level = 'commune'")[0] == 34969
    assert one(con, "SELECT count(*) FROM territory WHERE level = 'arrondissement_municipal'")[0] == 45
    # epci.json: 1,255 EPCI, all with member communes (the filosofi step may add past EPCI without members).
    assert one(con, "SELECT count(DISTINCT parent_code) FROM territory_link WHERE relation = 'commune_epci'")[0] == 1255
    assert one(con, "SELECT count(*) FROM territory WHERE level = 'ept'")[0] == 11          # ept.json
    assert one(con, "SELECT count(*) FROM territory WHERE level = 'departement'")[0] == 109  # departements.json
    assert one(con, "SELECT count(*) FROM territory WHERE level = 'region'")[0] == 26        # regions.json


def test_commune_and_its_parents(con):
    # communes.json: 01053 Bourg-en-Bresse, département 01, région 84; epci.json: member of 200071751.
    assert one(con, "SELECT name, departement, region FROM territory WHERE code = '01053'") == ("Bourg-en-Bresse", "01", "84")
    parents = dict(con.execute("SELECT relation, parent_code FROM territory_link WHERE child_code = '01053'").fetchall())
    assert parents == {"commune_epci": "200071751", "commune_departement": "DEP01"}
    assert one(con, "SELECT parent_code FROM territory_link WHERE child_code = 'DEP01' AND relation = 'departement_region'")[0] == "REG84"
    assert one(con, "SELECT name FROM territory WHERE code = '200071751'")[0] == "CA du Bassin de Bourg-en-Bresse"


def test_arrondissement_municipal(con):
    # communes.json line 4603: 13215 Marseille 15e Arrondissement, commune 13055, population 79161.
    assert one(con, "SELECT level, name, population FROM territory WHERE code = '13215'") == (
        "arrondissement_municipal", "Marseille 15e Arrondissement", 79161)
    assert one(con, "SELECT parent_code FROM territory_link WHERE child_code = '13215' "
                    "AND relation = 'arrondissement_commune'")[0] == "13055"


def test_epci_departement_is_majority_population(con):
    # epci.json members summed by département (communes.json): Roissy Pays de France 200055655:
    # 95 -> 266,086 inhabitants, 77 -> 96,847; Aix-Marseille-Provence 200054807: 13 >> 84, 83.
    assert one(con, "SELECT departement, region FROM territory WHERE code = '200055655'") == ("95", "11")
    assert one(con, "SELECT parent_code FROM territory_link WHERE child_code = '200054807' "
                    "AND relation = 'epci_departement'")[0] == "DEP13"


def test_france_metropolitaine(con):
    # Sum of `population` of the commune-actuelle rows with zone 'metro' in communes.json.
    assert one(con, "SELECT level, population FROM territory WHERE code = 'FRM'") == ("france", 66165815)
    assert one(con, "SELECT count(*) FROM territory_link WHERE parent_code = 'FRM' AND relation = 'region_france'")[0] == 13


def _codes(path, field="code_qp") -> set[str]:
    """Distinct codes of a GeoJSON (comma-separated lists split), read with the json module."""
    out = set()
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        out |= {c.strip() for c in f["properties"][field].split(",")}
    return out


def test_qpv2024_codes(con, data_dir):
    # communes_avec_qpv2024_centroides.geojson: 1,684 (commune, code) pairs, 1,493 distinct codes; the national
    # contour file adds its 133 codes unknown to the referentiel (Polynésie, Saint-Martin, Mayotte QN976…).
    ref = _codes(data_dir / "qpv2024_referentiel" / "communes_avec_qpv2024_centroides.geojson")
    nat = _codes(data_dir / "contours" / "qpv2024_france_anct_simplifie.geojson")
    assert (len(ref), len(nat - ref), len(ref - nat)) == (1493, 133, 17)
    assert one(con, "SELECT count(*) FROM territory WHERE level = 'qpv' AND generation = '2024'")[0] == len(ref | nat)
    assert one(con, """SELECT count(*) FROM territory_link l JOIN territory t ON t.code = l.child_code
                       WHERE l.relation = 'qpv_commune' AND t.generation = '2024'
                         AND l.method = 'referentiel_qpv2024'""")[0] == 1684


@pytest.mark.parametrize("code,dep,region", [("QN02A01M", "2A", "94"), ("QN97101M", "971", "01"),
                                             ("QN07501M", "75", "11"), ("QN00101M", "01", "84")])
def test_qpv2024_departement_from_code(con, code, dep, region):
    assert one(con, "SELECT departement, region FROM territory WHERE code = ?", [code]) == (dep, region)


def test_qpv2024_communes(con):
    # Centroides line 9: commune 01053 holds 'QN00101M, QN00102M' / 'Grande Reyssouze Terre Des Fleurs, Croix Blanche'.
    assert one(con, "SELECT name FROM territory WHERE code = 'QN00101M'")[0] == "Grande Reyssouze Terre Des Fleurs"
    assert one(con, "SELECT name FROM territory WHERE code = 'QN00102M'")[0] == "Croix Blanche"
    # Lines 31-32: QN00603M lies in Cannes (06029) and Le Cannet (06030).
    communes = {r[0] for r in con.execute("SELECT parent_code FROM territory_link WHERE child_code = 'QN00603M' "
                                          "AND relation = 'qpv_commune'").fetchall()}
    assert communes == {"06029", "06030"}
    # Paris quartiers are referenced by the commune code 75056, not by arrondissement.
    assert one(con, "SELECT parent_code FROM territory_link WHERE child_code = 'QN07501M' AND relation = 'qpv_commune'")[0] == "75056"


def test_every_quartier_has_one_map_geometry(con):
    rows = dict(con.execute("""
        SELECT t.generation, count(*) FROM territory t
        JOIN territory_geom g ON g.code = t.code AND g.kind IN ('contour', 'commune_point')
        WHERE t.level = 'qpv' GROUP BY 1""").fetchall())
    assert rows == {"2024": 1626, "2015": 1400}   # 1,493 referentiel codes + 133 of the national contour file
    assert one(con, """SELECT count(*) FROM (SELECT code FROM territory_geom WHERE kind IN ('contour', 'commune_point')
                       GROUP BY code HAVING count(*) > 1)""")[0] == 0


def test_contours_counts_and_repair(con, data_dir):
    # qpv2024_france_anct_simplifie.geojson: 1,609 features, 85 invalid as published, of which 3 are rings
    # collapsed to one point (QN09105I, QN09113I, QN09503I: no contour, placed at their commune);
    # qp2015_occitanie.geojson: 105 (32 invalid as published); qp2015_ille_et_vilaine.geojson: 6.
    raw = [shapely.geometry.shape(f["geometry"]) for f in json.loads(
        (data_dir / "contours" / "qpv2024_france_anct_simplifie.geojson").read_text(encoding="utf-8"))["features"]]
    invalid = [g for g in raw if not g.is_valid]
    collapsed = [g for g in invalid if shapely.make_valid(g).area == 0]
    assert (len(raw), len(invalid), len(collapsed)) == (1609, 85, 3)
    by_file = {r[0]: r[1:] for r in con.execute("""
        SELECT source_file, count(*), sum(repaired::INTEGER) FROM territory_geom WHERE kind = 'contour' GROUP BY 1""").fetchall()}
    assert by_file["qpv2024_france_anct_simplifie.geojson"] == (1606, 82)
    degenerate = {r[0] for r in con.execute("SELECT code FROM link_report WHERE relation = 'qpv2024_contours' "
                                            "AND detail LIKE 'contour dégénéré%'").fetchall()}
    assert degenerate == {"QN09105I", "QN09113I", "QN09503I"}
    assert {r[0] for r in con.execute("SELECT kind FROM territory_geom WHERE code IN ('QN09105I', 'QN09113I', "
                                      "'QN09503I')").fetchall()} == {"commune_point"}
    assert by_file["qp2015_occitanie.geojson"] == (105, 32)
    assert by_file["qp2015_ille_et_vilaine.geojson"] == (6, 0)
    geoms = shapely.from_wkb([bytes(r[0]) for r in con.execute(
        "SELECT geom FROM territory_geom WHERE kind = 'contour'").fetchall()])
    assert shapely.is_valid(geoms).all()
    assert set(shapely.get_type_id(geoms)) <= {3, 6}   # Polygon, MultiPolygon


def test_display_geometry_is_lighter_and_rounded(con):
    full, disp = zip(*con.execute("SELECT geom, geom_display FROM territory_geom WHERE kind = 'contour'").fetchall())
    g_full = shapely.from_wkb([bytes(b) for b in full])
    g_disp = shapely.from_wkb([bytes(b) for b in disp])
    assert shapely.get_num_coordinates(g_disp).sum() < 0.8 * shapely.get_num_coordinates(g_full).sum()
    coords = shapely.get_coordinates(g_disp)
    assert abs(coords * 1e5 - (coords * 1e5).round()).max() < 1e-6
    assert shapely.is_valid(g_disp).all()
    # Simplification stays faithful: the display polygon covers at least 90 % of the full one.
    inter = shapely.area(shapely.intersection(g_full, g_disp)) / shapely.area(g_full)
    assert inter.min() > 0.9
    # National view (geom_overview): coarser still, rounded to 1e-4 degree, valid.
    ov = shapely.from_wkb([bytes(r[0]) for r in con.execute(
        "SELECT geom_overview FROM territory_geom WHERE kind = 'contour' ORDER BY code").fetchall()])
    assert shapely.get_num_coordinates(ov).sum() < 0.6 * shapely.get_num_coordinates(g_disp).sum()
    c = shapely.get_coordinates(ov)
    assert abs(c * 1e4 - (c * 1e4).round()).max() < 1e-6 and shapely.is_valid(ov).all()


def test_commune_point_placement(con, data_dir):
    # QN97651C (Mayotte's older code, absent from the national contour file): placed at the centroid of its
    # commune 97601 (Acoua) in communes_avec_qpv2024_centroides.geojson.
    feats = json.loads((data_dir / "qpv2024_referentiel" / "communes_avec_qpv2024_centroides.geojson").read_text())
    x0, y0 = next(f["geometry"]["coordinates"] for f in feats["features"] if f["properties"]["insee_com"] == "97601")
    kind, wkb, placement, inset = one(con, "SELECT kind, geom, placement, is_inset FROM territory_geom WHERE code = 'QN97651C'")
    p = shapely.from_wkb(bytes(wkb))
    assert (kind, placement, inset) == ("commune_point", "commune_centroid", False)
    assert (round(p.x, 8), round(p.y, 8)) == (round(x0, 8), round(y0, 8))
    # Overseas contours are true coordinates (Guadeloupe is around 61.5 W, 16.2 N).
    x = shapely.centroid(shapely.from_wkb(bytes(one(con, "SELECT geom FROM territory_geom WHERE code = 'QN97101M'")[0]))).x
    assert -62 < x < -60


def test_stacked_points_are_spread_for_display_only(con, data_dir):
    # 2015 Paris quartiers have no contour: all placed at the 75056 point, spread for display.
    paris = {line.split(";")[0] for line in (data_dir / "sigville_qp2015" / "DEMO_2022.csv").read_text(
        encoding="utf-8-sig").splitlines() if line.startswith("QP075")}
    rows = con.execute("""SELECT g.geom, g.geom_display FROM territory_geom g JOIN territory_link l
                          ON l.child_code = g.code AND l.relation = 'qpv_commune' AND l.parent_code = '75056'
                          WHERE g.kind = 'commune_point' AND g.generation = '2015'""").fetchall()
    assert len(rows) == len(paris) > 10
    exact = {shapely.from_wkb(bytes(r[0])).wkt for r in rows}
    shown = [shapely.from_wkb(bytes(r[1])) for r in rows]
    assert len(exact) == 1 and len({p.wkt for p in shown}) == len(paris)
    centre = shapely.from_wkb(bytes(rows[0][0]))
    assert max(p.distance(centre) for p in shown) < 0.02   # degrees: under ~1.5 km


def test_outlines_and_insets(con):
    counts = dict(con.execute("""SELECT CASE WHEN code LIKE 'REG%' THEN 'reg' WHEN code LIKE 'DEP%' THEN 'dep' ELSE 'epci' END,
                                 count(*) FROM territory_geom WHERE kind = 'outline' GROUP BY 1""").fetchall())
    # admin_regions 18 features; admin_departements 101; admin_epci 1,357 features for 1,255 SIRENs (+3 islands without).
    assert counts == {"reg": 18, "dep": 101, "epci": 1255}
    assert one(con, "SELECT is_inset FROM territory_geom WHERE code = 'DEP971' AND kind = 'outline'")[0] is True
    assert one(con, "SELECT is_inset FROM territory_geom WHERE code = 'DEP01' AND kind = 'outline'")[0] is False
    # The ANCT inset of Guadeloupe is drawn west of Brittany (around 4 W), not at its true place.
    x = shapely.centroid(shapely.from_wkb(bytes(one(con, "SELECT geom FROM territory_geom WHERE code = 'REG01'")[0]))).x
    assert -6 < x < -2


def test_national_quartier_layer_is_small(con):
    """GeoJSON of every quartier's national-view geometry (geom_overview of contours, else geom_display): what a
    national map sends, under 1.5 MB even with the 1,606 national contours."""
    rows = con.execute("SELECT code, coalesce(geom_overview, geom_display) FROM territory_geom "
                       "WHERE kind IN ('contour', 'commune_point')").fetchall()
    geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": r[0], "properties": {}, "geometry": json.loads(t)}
        for r, t in zip(rows, shapely.to_geojson(geoms))]}
    size = len(json.dumps(fc, separators=(",", ":")))
    assert size < 1.5 * 1024 * 1024


def test_programmes(con):
    # citeduc_geom.geojson: 'cite-002 ; cite-127' / 'Amiens Nord ; Amiens Étouvie' / 'Amiens (80021)'.
    assert one(con, "SELECT name, commune_code FROM programme_territory WHERE id_territoire = 'cite-127'") == (
        "Amiens Étouvie", "80021")
    # cde_geom.geojson: cde-001 'CU Angers Loire Métropole' = Angers (49007); Trélazé (49353).
    assert {r[0] for r in con.execute("SELECT commune_code FROM programme_territory WHERE id_territoire = 'cde-001'")
            .fetchall()} == {"49007", "49353"}
    # 93059 (Pierrefitte-sur-Seine) is a commune déléguée of Saint-Denis 93066 in the COG: replaced.
    assert one(con, "SELECT count(*) FROM programme_territory WHERE commune_code = '93059'")[0] == 0
    n = dict(con.execute("SELECT programme, count(DISTINCT id_territoire) FROM programme_territory GROUP BY 1").fetchall())
    assert n == {"cite_educative": 208, "cite_emploi": 84}
