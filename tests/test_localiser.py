"""« Est-ce en QPV ? » (indicators.localiser): bulk point lookup on the warehouse's real contours.

Expected answers are computed independently of the engine: representative points and distances with
shapely/GeoPandas straight from the warehouse geometry or from the raw GeoJSON files, Lambert-93 with
pyproj. Written against whatever contours the warehouse holds (PACA 2024 today, national later): tests pick
their quartiers in départements the warehouse fully covers.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from openpyxl import Workbook
from pyproj import Transformer

from indicators import localiser as L
from observatoire import vocabulary
from readers import points

ROOT = Path(__file__).resolve().parent.parent
LABEL = vocabulary.labels("locate_statuses")
ANSWER = vocabulary.labels("qpv_answers")


@pytest.fixture(scope="module")
def contours(con) -> L.Contours:
    return L.load_contours(con)


@pytest.fixture(scope="module")
def real(con, contours):
    """The warehouse's 2024 contours in fully covered départements, decoded here (not by the engine)."""
    rows = con.execute("""
        SELECT g.code, t.departement, g.geom FROM territory_geom g JOIN territory t ON t.code = g.code
        WHERE g.kind = 'contour' AND g.generation = '2024' ORDER BY g.code""").fetchall()
    gdf = gpd.GeoDataFrame({"code": [r[0] for r in rows], "dep": [r[1] for r in rows]},
                           geometry=shapely.make_valid(shapely.from_wkb([bytes(r[2]) for r in rows])), crs=4326)
    return gdf[gdf.dep.isin(contours.covered)].reset_index(drop=True)


def _deep(geom) -> shapely.Point:
    """The centre of the largest circle inside a contour: as far from its boundary as possible."""
    return shapely.get_point(shapely.maximum_inscribed_circle(geom), 0)


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _far_points(real: gpd.GeoDataFrame, contours: L.Contours, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Points of covered départements at least 3 km from every contour (GeoPandas distance in Lambert-93)."""
    rng = np.random.default_rng(2024)
    lon0, lat0, lon1, lat1 = real.total_bounds
    x = rng.uniform(lon0 - 0.3, lon1 + 0.3, 4000)
    y = rng.uniform(lat0 - 0.3, lat1 + 0.3, 4000)
    ok, dep = L.place(contours, x, y)
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=4326).to_crs(2154)
    (at, _), nearest = real.to_crs(2154).sindex.nearest(pts, return_all=False, return_distance=True)
    dist = np.full(len(pts), np.nan)
    dist[at] = nearest                              # distance to the closest contour, in metres
    keep = ok & np.isin(dep.astype(str), list(contours.covered)) & (dist > 3000)
    assert keep.sum() >= n
    return x[keep][:n], y[keep][:n]


# --------------------------------------------------------------------------- acceptance (issue 15)

def test_acceptance_inside_far_and_bad_rows(tmp_path, real, contours):
    """20 points inside 20 real 2024 contours (a point inside each polygon, from the warehouse geometry),
    20 points far from any QPV and 5 rows with bad coordinates, in one French CSV."""
    sample = real.iloc[np.linspace(0, len(real) - 1, 20).astype(int)]
    inside = shapely.point_on_surface(sample.geometry.values)
    # each chosen point lies in exactly one contour (so the expected code is unambiguous)
    assert all(int(real.contains(p).sum()) == 1 for p in inside)
    far_x, far_y = _far_points(real, contours, 20)
    fr = lambda v: f"{v:.6f}".replace(".", ",")  # noqa: E731  French decimal comma
    lines = ["id;nom;latitude;longitude"]
    lines += [f"in{i};{c};{fr(p.y)};{fr(p.x)}" for i, (c, p) in enumerate(zip(sample.code, inside))]
    lines += [f"far{i};loin;{fr(b)};{fr(a)}" for i, (a, b) in enumerate(zip(far_x, far_y))]
    lines += ["bad1;manquante;;5,37",                     # missing latitude
              "bad2;texte;quarante-trois;5,37",          # text in a numeric column
              "bad3;inversée;5,3698;43,2965",            # Marseille with latitude and longitude swapped
              "bad4;Barcelone;41,3874;2,1686",           # outside France
              "bad5;impossible;143,2;5,37"]              # latitude beyond 90°
    res = L.localise_file(contours, _csv(tmp_path, "points.csv", "\n".join(lines) + "\n"))
    out = res.frame
    assert list(out["id"]) == [ln.split(";")[0] for ln in lines[1:]]          # same rows, same order
    ins = out.iloc[:20]
    assert list(ins["code_qpv"]) == list(sample.code)
    assert set(ins["en_qpv"]) == {"oui"}
    far = out.iloc[20:40]
    assert set(far["en_qpv"]) == {"non"} and set(far["code_qpv"]) == {""}
    assert (far["distance_limite_qpv_m"].astype(int) > 3000).all()
    bad = out.iloc[40:]
    assert list(bad["statut"]) == [LABEL["coordonnees_manquantes"], LABEL["coordonnees_non_numeriques"],
                                   LABEL["lat_lon_inversees"], LABEL["hors_france"],
                                   LABEL["coordonnees_hors_bornes"]]
    assert set(bad["en_qpv"]) == {ANSWER["non_geolocalisee"]} and set(bad["a_verifier"]) == {"oui"}
    assert res.status_counts() == {"localisee": 40, "coordonnees_manquantes": 1, "coordonnees_non_numeriques": 1,
                                   "coordonnees_hors_bornes": 1, "lat_lon_inversees": 1, "hors_france": 1}
    # the swapped row is flagged, never swapped back into an answer
    assert bad.iloc[2]["code_qpv"] == "" and "inversées" in bad.iloc[2]["motif"]


def test_distance_and_boundary_flag_against_raw_file(tmp_path, contours, data_dir):
    """A point 20 m inside a PACA quartier's boundary: distance ≈ 20 m and « à vérifier ». Computed from
    the raw file qpv2024_paca.geojson with GeoPandas in Lambert-93, not from the warehouse."""
    raw = gpd.read_file(data_dir / "contours" / "qpv2024_paca.geojson").to_crs(2154)
    q = raw[raw["q"] == "QN01301M"].iloc[0]          # 13 Marseille: PACA, the warehouse covers it today
    poly = shapely.make_valid(q.geometry)
    on_edge = poly.exterior.interpolate(0.3, normalized=True) if poly.geom_type == "Polygon" else \
        max(poly.geoms, key=lambda g: g.area).exterior.interpolate(0.3, normalized=True)
    centre = poly.representative_point()
    # walk from the boundary towards the inside until 20 m from the boundary (checked independently)
    for t in np.linspace(0.001, 0.5, 2000):
        p = shapely.Point(on_edge.x + t * (centre.x - on_edge.x), on_edge.y + t * (centre.y - on_edge.y))
        if poly.contains(p) and poly.boundary.distance(p) >= 20:
            break
    expected = poly.boundary.distance(p)
    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(p.x, p.y)
    res = L.localise(contours, points.typed_points(f"{lat:.7f};{lon:.7f}")).frame.iloc[0]
    assert res["code_qpv"] == "QN01301M" and res["en_qpv"] == "oui"
    assert abs(int(res["distance_limite_qpv_m"]) - expected) <= 1.5       # the warehouse contour is the same one
    assert res["a_verifier"] == "oui" and "près de la limite" in res["motif"]


def test_2015_quartier_where_a_2015_contour_exists(con, contours):
    """A point inside an Occitanie 2015 contour (QP031001? the first Toulouse one in the warehouse) gets its
    2015 code and name; its 2024 answer follows the coverage of the département."""
    code, name, dep, wkb = con.execute("""
        SELECT g.code, t.name, t.departement, g.geom FROM territory_geom g JOIN territory t ON t.code = g.code
        WHERE g.kind = 'contour' AND g.generation = '2015' AND t.departement = '31' ORDER BY g.code LIMIT 1
    """).fetchone()
    p = shapely.point_on_surface(shapely.make_valid(shapely.from_wkb(bytes(wkb))))
    row = L.localise(contours, points.typed_points(f"{p.y};{p.x}")).frame.iloc[0]
    assert (row["code_qp2015"], row["nom_qp2015"]) == (code, name)
    if row["code_qpv"]:
        assert row["en_qpv"] == "oui"
    elif "31" in contours.covered:
        assert row["en_qpv"] == "non"
    else:
        assert row["en_qpv"] == ANSWER["indeterminee"] and row["statut"] == LABEL["hors_couverture"]
        assert row["distance_limite_qpv_m"] == ""          # no distance to a partial set of contours


def test_uncovered_departement_is_never_answered_no(con, contours):
    """Outside the contours, a département where some 2024 quartier has no contour gets « indéterminé »."""
    n, k = con.execute("""
        SELECT count(*), count(g.code) FROM territory t
        LEFT JOIN territory_geom g ON g.code = t.code AND g.kind = 'contour'
        WHERE t.level = 'qpv' AND t.generation = '2024' AND t.departement = '75'""").fetchone()
    row = L.localise(contours, points.typed_points("48.8606;2.3376")).frame.iloc[0]     # Louvre, Paris 1er
    if k < n:
        assert row["en_qpv"] == ANSWER["indeterminee"]
        assert f"{n - k} quartier(s) 2024 sans contour" in row["motif"]
    else:
        assert row["en_qpv"] == "non"


# --------------------------------------------------------------------------- input formats

def test_ban_geocoder_output_accepted_as_is(tmp_path, real, contours):
    """The BAN CSV geocoder's output (comma separator, quoted label, its result_* columns) read unchanged."""
    p = _deep(real.geometry.iloc[0])
    header = "adresse,postcode,latitude,longitude,result_label,result_score,result_type,result_status"
    rows = [f'"1 rue A, Ville",13001,{p.y:.6f},{p.x:.6f},"1 Rue A 13001 Ville",0.93,housenumber,ok',
            f'"2 rue B",13001,{p.y:.6f},{p.x:.6f},"2 Rue B 13001 Ville",0.62,housenumber,ok',
            '"zzz",99999,,,,,,not-found',
            f'"Ville",13001,{p.y:.6f},{p.x:.6f},"Ville",0.96,municipality,ok',
            f'"rue C",13001,{p.y:.6f},{p.x:.6f},"Rue C 13001 Ville",0.88,street,ok']
    res = L.localise_file(contours, _csv(tmp_path, "ban.csv", header + "\n" + "\n".join(rows) + "\n"))
    out = res.frame
    assert out.loc[0, "code_qpv"] == real.code.iloc[0] and out.loc[0, "a_verifier"] == "non"
    assert list(out["statut"][1:4]) == [LABEL["score_faible"], LABEL["adresse_non_trouvee"],
                                        LABEL["precision_commune"]]
    assert "0,62" in out.loc[1, "motif"] and out.loc[1, "code_qpv"] == ""            # never a guess
    assert out.loc[4, "en_qpv"] == "oui" and out.loc[4, "a_verifier"] == "oui"
    assert vocabulary.label("verification_reasons", "precision_rue") in out.loc[4, "motif"]
    assert out.loc[0, "result_label"] == "1 Rue A 13001 Ville"                      # BAN columns kept


def test_lambert93_xy_and_swapped_xy(tmp_path, real, contours):
    p = shapely.point_on_surface(real.geometry.iloc[5])
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(p.x, p.y)
    text = f"x;y\n{x:.2f};{y:.2f}\n{y:.2f};{x:.2f}\n".replace(".", ",")
    out = L.localise_file(contours, _csv(tmp_path, "l93.csv", text)).frame
    assert out.loc[0, "code_qpv"] == real.code.iloc[5]
    assert out.loc[1, "statut"] == LABEL["lat_lon_inversees"]


def test_xlsx_with_title_rows_and_typed_numbers(tmp_path, real, contours):
    p = shapely.point_on_surface(real.geometry.iloc[3])
    wb = Workbook()
    ws = wb.active
    ws.append(["Bénéficiaires 2025"])
    ws.append([])
    ws.append(["Nom", "Latitude", "Longitude"])
    ws.append(["A", p.y, p.x])
    ws.append(["B", "43°17'N", 5.37])
    path = tmp_path / "points.xlsx"
    wb.save(path)
    res = L.localise_file(contours, path)
    assert res.frame.loc[0, "code_qpv"] == real.code.iloc[3]
    assert res.frame.loc[1, "statut"] == LABEL["coordonnees_non_numeriques"]
    assert "43°17'N" in res.frame.loc[1, "motif"]


def test_ragged_row_gets_a_status_the_file_goes_on(tmp_path, real, contours):
    p = shapely.point_on_surface(real.geometry.iloc[0])
    text = f"id;latitude;longitude\n1;{p.y};{p.x}\n2;{p.y}\n3;{p.y};{p.x};en trop\n4;{p.y};{p.x}\n"
    out = L.localise_file(contours, _csv(tmp_path, "ragged.csv", text)).frame
    assert list(out["statut"]) == [LABEL["localisee"], LABEL["ligne_mal_formee"], LABEL["ligne_mal_formee"],
                                   LABEL["localisee"]]
    assert out.loc[3, "code_qpv"] == real.code.iloc[0]


# --------------------------------------------------------------------------- output

def test_cli_writes_same_rows_prints_counts(tmp_path, warehouse, real):
    p = shapely.point_on_surface(real.geometry.iloc[2])
    src = _csv(tmp_path, "in.csv", f"nom;latitude;longitude\n=HYPERLINK(\"x\");{p.y};{p.x}\nB;;\n")
    out = tmp_path / "out.csv"
    run = subprocess.run([sys.executable, "-m", "indicators", "localiser", str(src), "--out", str(out),
                          "--db", str(warehouse)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "localisée : 1" in run.stdout and "coordonnées manquantes : 1" in run.stdout
    assert "ne vaut pas attestation" in run.stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(raw), sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(df.columns) == ["nom", "latitude", "longitude"] + L.RESULT_COLUMNS
    assert df.loc[0, "nom"].startswith("'=") and df.loc[0, "code_qpv"] == real.code.iloc[2]
    assert len(df) == 2


def test_cli_addresses_only_exit_2_and_unreachable_geocoder_exit_4(tmp_path, warehouse):
    src = _csv(tmp_path, "adr.csv", "adresse;commune\n1 rue A;Marseille\n")
    cmd = [sys.executable, "-m", "indicators", "localiser", str(src), "--out", str(tmp_path / "o.csv"),
           "--db", str(warehouse)]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**_env(), "OBSERVATOIRE_GEOCODER_URL": ""})
    assert run.returncode == 2 and "adresse.data.gouv.fr/csv" in run.stderr
    run = subprocess.run(cmd + ["--geocodeur", "http://127.0.0.1:9/search/csv/"], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 4 and "injoignable" in run.stderr and not (tmp_path / "o.csv").exists()


def _env() -> dict:
    import os
    return dict(os.environ)


def test_online_geocoder_step_when_configured(tmp_path, warehouse, real):
    """A local stand-in for the BAN CSV service: the file and the address columns are posted, the BAN-style
    answer is read as a hand-geocoded file would be."""
    p = shapely.point_on_surface(real.geometry.iloc[1])
    seen = {}

    class Ban(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            seen["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            body = (f"adresse;commune;latitude;longitude;result_label;result_score;result_type;result_status\n"
                    f"1 rue A;Marseille;{p.y};{p.x};1 Rue A;0.97;housenumber;ok\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Ban)
    threading.Thread(target=httpd.handle_request, daemon=True).start()
    src = _csv(tmp_path, "adr.csv", "adresse;commune\n1 rue A;Marseille\n")
    out = tmp_path / "o.csv"
    run = subprocess.run([sys.executable, "-m", "indicators", "localiser", str(src), "--out", str(out), "--db",
                          str(warehouse), "--colonnes-adresse", "adresse", "commune"], cwd=ROOT,
                         capture_output=True, text=True,
                         env={**_env(), "OBSERVATOIRE_GEOCODER_URL": f"http://127.0.0.1:{httpd.server_port}/search/csv/"})
    httpd.server_close()
    assert run.returncode == 0, run.stderr
    assert b'name="columns"' in seen["body"] and b"1 rue A;Marseille" in seen["body"]
    df = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert df.loc[0, "code_qpv"] == real.code.iloc[1]


def test_summary_and_sources(contours, real):
    assert contours.producers and all(isinstance(p, str) for p in contours.producers)
    res = L.localise(contours, points.typed_points("abc;1\n43.29;5.37"))
    lines = res.summary_lines()
    assert lines[0].startswith("2 ligne(s)") and any("coordonnées non numériques : 1" in x for x in lines)
    assert json.dumps(res.answer_counts())
