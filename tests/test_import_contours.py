"""`python -m loaders import contours`: good files (GeoJSON, GPKG, SHP, reprojected, repaired) are imported and
replayed; broken files are refused with file/feature/property named, leaving the warehouse unchanged.

Every test works on a private copy of the session warehouse and a private imports folder."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box

from loaders.__main__ import main
from observatoire import db

# Around Bourg-en-Bresse (01053), where QN00101M and QN00102M lie (no contour shipped: commune points).
SQUARE = box(5.23, 46.19, 5.25, 46.21)
BOWTIE = Polygon([(5.20, 46.19), (5.22, 46.21), (5.22, 46.19), (5.20, 46.21), (5.20, 46.19)])


@pytest.fixture
def wh(warehouse_copy):
    """A writable copy of the real warehouse, and an empty imports folder (tests/conftest.py)."""
    return warehouse_copy


def fingerprint(path: Path) -> str:
    con = db.connect(path, read_only=True)
    try:
        rows = con.execute("""SELECT code, kind, md5(geom::VARCHAR), placement FROM territory_geom ORDER BY code, kind""").fetchall()
        rows += con.execute("SELECT * FROM territory_link WHERE relation = 'qp2015_qpv2024' ORDER BY ALL").fetchall()
        rows += con.execute("SELECT import_id FROM user_import ORDER BY 1").fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def geojson(path: Path, features: list[dict], crs: str | None = None) -> Path:
    fc = {"type": "FeatureCollection", "features": features}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(fc), encoding="utf-8")
    return path


def feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": None if geom is None else json.loads(shapely.to_geojson(geom))}


def rows_for(path: Path, codes: tuple[str, ...]):
    con = db.connect(path, read_only=True)
    try:
        return con.execute(f"""SELECT code, kind, placement, repaired, source_file, geom FROM territory_geom
                               WHERE code IN ({', '.join('?' for _ in codes)}) ORDER BY code, kind""", list(codes)).fetchall()
    finally:
        con.close()


def run_import(file: Path, db_path: Path, *extra: str) -> int:
    return main(["import", "contours", str(file), "--db", str(db_path), *extra])


def test_geojson_import_replaces_commune_points(wh, tmp_path, capsys):
    f = geojson(tmp_path / "qpv.geojson", [feature({"code_qp": "QN00101M", "lib_qp": "Grande Reyssouze"}, SQUARE),
                                          feature({"code_qp": "QN00102M", "lib_qp": "Croix Blanche"}, BOWTIE)])
    assert run_import(f, wh) == 0
    rows = rows_for(wh, ("QN00101M", "QN00102M"))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("QN00101M", "contour", "import", False, "qpv.geojson"),
        ("QN00102M", "contour", "import", True, "qpv.geojson")]      # the bow-tie was repaired
    assert shapely.is_valid(shapely.from_wkb(bytes(rows[1][5])))
    err = capsys.readouterr().err
    assert "réparé" in err and "QN00102M" in err
    # Recorded for replay: a copy of the file, the manifest and user_import.
    imports = tmp_path / "imports"
    manifest = json.loads((imports / "manifest.json").read_text(encoding="utf-8"))
    assert [(m["kind"], m["file_name"], m["rows"]) for m in manifest] == [("contours", "qpv.geojson", 2)]
    assert (imports / manifest[0]["stored_name"]).exists()
    con = db.connect(wh, read_only=True)
    assert con.execute("SELECT kind, file_name, rows FROM user_import").fetchall() == [("contours", "qpv.geojson", 2)]
    con.close()


def test_verifier_checks_the_file_and_writes_nothing(wh, tmp_path, capsys):
    """`--verifier` (documented in the README) is accepted by `import contours`: the file is checked, nothing is
    written, no copy is kept for replay."""
    f = geojson(tmp_path / "qpv.geojson", [feature({"code_qp": "QN00101M", "lib_qp": "Grande Reyssouze"}, SQUARE)])
    before = fingerprint(wh)
    assert run_import(f, wh, "--verifier") == 0
    assert capsys.readouterr().out == ("Vérification de « qpv.geojson » : fichier valide, 1 contour(s) de quartiers "
                                       "seraient importés — rien n'a été enregistré.\n")
    assert fingerprint(wh) == before and not (tmp_path / "imports" / "manifest.json").exists()


def test_replay_rebuilds_the_import(wh, warehouse, tmp_path, data_dir):
    """The build step user_imports replays the stored file into a warehouse that never saw it."""
    from loaders.build import BuildContext
    from loaders.imports import replay

    f = geojson(tmp_path / "qpv.geojson", [feature({"code_qp": "QN00101M"}, SQUARE)])
    assert run_import(f, wh) == 0
    fresh = tmp_path / "fresh.duckdb"  # removed with the fixture's copies
    shutil.copyfile(warehouse, fresh)
    con = db.connect(fresh, read_only=False)
    try:
        replay.load(BuildContext(con=con, data_dir=data_dir, step="user_imports"))
        assert con.execute("SELECT kind, placement FROM territory_geom WHERE code = 'QN00101M'").fetchall() == [
            ("contour", "import")]
    finally:
        con.close()


def test_gpkg_in_lambert93_is_reprojected(wh, tmp_path):
    g = gpd.GeoDataFrame({"code_qp": ["QN00101M"], "lib_qp": ["x"]}, geometry=[SQUARE], crs="EPSG:4326").to_crs(2154)
    f = tmp_path / "qpv.gpkg"
    g.to_file(f, driver="GPKG")
    assert run_import(f, wh) == 0
    geom = shapely.from_wkb(bytes(rows_for(wh, ("QN00101M",))[0][5]))
    assert geom.bounds == pytest.approx(SQUARE.bounds, abs=1e-6)


def test_shapefile_with_prj(wh, tmp_path):
    g = gpd.GeoDataFrame({"code_qp": ["QN00102M"]}, geometry=[SQUARE], crs="EPSG:4326").to_crs(2154)
    f = tmp_path / "qpv.shp"
    g.to_file(f)
    assert run_import(f, wh) == 0
    assert rows_for(wh, ("QN00102M",))[0][1:3] == ("contour", "import")


def test_shapefile_without_prj_in_metres_is_refused(wh, tmp_path, capsys):
    g = gpd.GeoDataFrame({"code_qp": ["QN00102M"]}, geometry=[SQUARE], crs="EPSG:4326").to_crs(2154)
    f = tmp_path / "qpv.shp"
    g.to_file(f)
    f.with_suffix(".prj").unlink()
    before = fingerprint(wh)
    assert run_import(f, wh) == 1
    err = capsys.readouterr().err
    assert "qpv.shp" in err and "geometry" in err and "WGS84" in err
    assert fingerprint(wh) == before
    assert not (tmp_path / "imports" / "manifest.json").exists()


def test_spatial_crosswalk_after_import(wh, data_dir, tmp_path):
    """A 2024 contour overlapping a shipped 2015 contour (Occitanie) becomes crosswalk evidence."""
    occ = gpd.read_file(data_dir / "contours/qp2015_occitanie.geojson")
    shape = shapely.make_valid(occ.loc[occ.code_qp == "QP066007", "geometry"].iloc[0])
    f = geojson(tmp_path / "perpignan.geojson", [feature({"code_qp": "QN06607I"}, shape)])
    assert run_import(f, wh) == 0
    con = db.connect(wh, read_only=True)
    got = con.execute("SELECT parent_code, confidence, method FROM territory_link WHERE child_code = 'QP066007' "
                      "AND relation = 'qp2015_qpv2024' ORDER BY 1").fetchall()
    con.close()
    # The import replaced QN06607I's national contour by the 2015 shape itself: overlap share 1 -> 0.95. The
    # name link to QN06604I (0.9, kept while 2024 quartiers had no contour) stays dropped: QN06604I has its
    # national contour, which does not overlap QP066007.
    assert got == [("QN06607I", 0.95, "crosswalk_overlap")]


def test_unknown_codes_can_be_skipped(wh, tmp_path, capsys):
    f = geojson(tmp_path / "national.geojson", [feature({"code_qp": "QN00101M"}, SQUARE),
                                                feature({"code_qp": "QN99901M"}, SQUARE)])
    assert run_import(f, wh) == 1
    assert "QN99901M" in capsys.readouterr().err
    assert run_import(f, wh, "--ignorer-inconnus") == 0
    assert "QN99901M" in capsys.readouterr().err


BAD = {
    "missing_field": ([feature({"CODE": "QN00101M"}, SQUARE)], None, ["« code_qp » absente", "CODE"]),
    "unknown_code": ([feature({"code_qp": "QN00101M"}, SQUARE), feature({"code_qp": "QN99901M"}, SQUARE)], None,
                     ["ligne 2", "colonne « code_qp »", "QN99901M inconnu"]),
    "duplicate": ([feature({"code_qp": "QN00101M"}, SQUARE), feature({"code_qp": "QN00101M"}, SQUARE)], None,
                  ["ligne 2", "en double"]),
    "empty_code": ([feature({"code_qp": ""}, SQUARE)], None, ["ligne 1", "code de quartier vide"]),
    "point": ([feature({"code_qp": "QN00101M"}, shapely.Point(5.2, 46.2))], None,
              ["ligne 1", "colonne « geometry »", "Point"]),
    "no_geometry": ([feature({"code_qp": "QN00101M"}, None)], None, ["ligne 1", "géométrie absente"]),
    "metres_no_crs": ([feature({"code_qp": "QN00101M"}, box(870000, 6570000, 871000, 6571000))], None,
                      ["colonne « geometry »", "hors des bornes"]),
    "mixed_generations": ([feature({"code_qp": "QN00101M"}, SQUARE), feature({"code_qp": "QP001001"}, SQUARE)], None,
                          ["déduire la géographie"]),
    "no_feature": ([], None, ["aucune entité"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_geojson_is_refused_and_nothing_changes(wh, tmp_path, capsys, case):
    features, crs, expected = BAD[case]
    f = geojson(tmp_path / f"{case}.geojson", features, crs)
    before = fingerprint(wh)
    assert run_import(f, wh) == 1
    err = capsys.readouterr().err
    assert f"{case}.geojson" in err
    for text in expected:
        assert text in err
    assert fingerprint(wh) == before
    assert not (tmp_path / "imports" / "manifest.json").exists()


@pytest.mark.parametrize("name,content,expected", [
    ("empty.geojson", b"", "fichier vide"),
    ("truncated.geojson", b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code_qp":"QN0',
     "illisible ou tronqué"),
    ("notgeo.gpkg", b"this is not a geopackage", "illisible ou tronqué"),
])
def test_unreadable_files_are_refused(wh, tmp_path, capsys, name, content, expected):
    f = tmp_path / name
    f.write_bytes(content)
    before = fingerprint(wh)
    assert run_import(f, wh) == 1
    err = capsys.readouterr().err
    assert name in err and expected in err
    assert fingerprint(wh) == before


def test_2015_generation_and_other_fields(wh, tmp_path):
    f = geojson(tmp_path / "qp2015.geojson", [feature({"CODE_QP": "QP001001", "NOM_QP": "x"}, SQUARE)])
    assert run_import(f, wh, "--code-field", "CODE_QP", "--name-field", "NOM_QP") == 0
    assert rows_for(wh, ("QP001001",))[0][1:3] == ("contour", "import")
