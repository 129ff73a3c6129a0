"""tests/unit/minidata.py: the small copy keeps the real files' names, formats and bytes, only the records of
the chosen territories, and filters files of any handled format added later."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from pyogrio import read_dataframe

from observatoire import settings

from . import minidata

REAL = Path(settings.data_dir())
BOM = b"\xef\xbb\xbf"


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _lines(path: Path) -> list[bytes]:
    return [line.rstrip(b"\r") for line in path.read_bytes().split(b"\n")]


def _is_subsequence(small: list, big: list) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def test_same_files_and_much_smaller(mini_data_dir):
    assert _files(mini_data_dir) == _files(REAL)
    size = sum(p.stat().st_size for p in mini_data_dir.rglob("*") if p.is_file())
    real = sum(p.stat().st_size for p in REAL.rglob("*") if p.is_file())
    assert size < real / 10


def test_csv_lines_are_the_real_bytes(mini_data_dir):
    for rel in sorted(r for r in _files(REAL) if r.endswith(".csv")):
        mini, real = _lines(mini_data_dir / rel), _lines(REAL / rel)
        assert mini[0] == real[0], rel                      # header, BOM included
        assert _is_subsequence(mini, real), rel             # kept lines, byte for byte, in the file's order
        ends = [(d / rel).read_bytes().endswith(b"\n") for d in (mini_data_dir, REAL)]
        assert ends[0] == ends[1], rel                      # with or without a final line end, as published
    demo = (mini_data_dir / "sigville_qp2015/DEMO_2022.csv").read_bytes()
    assert demo.startswith(BOM) and demo.count(b"\r\n") == demo.count(b"\n")     # BOM and CRLF kept
    assert "QP001001;Grande Reyssouze Terre Des Fleurs;6\u202f490;".encode() in demo  # narrow nbsp kept


def test_csv_rows_are_exactly_the_chosen_quartiers(mini_data_dir):
    quartiers_2015 = {q for q in minidata.QUARTIERS if q.startswith("QP")}
    for rel, expected in (("sigville_qp2015/DEMO_2017.csv", quartiers_2015 | {"Ensemble"}),   # with « Ensemble »
                          ("sigville_qp2015/DEMO_2022.csv", quartiers_2015),                  # no « Ensemble » row
                          ("insee_filosofi_references/FILO2019_DISP_EPCI.csv",                # deciles equal to
                           {"200071751", "243100518", "200054807", "200030195"})):            # 31555 not matched
        lines = (mini_data_dir / rel).read_bytes().decode("utf-8-sig").splitlines()[1:]
        assert {line.split(";")[0] for line in lines} == expected, rel


def test_json_records_are_the_real_text(mini_data_dir):
    for rel in sorted(r for r in _files(REAL) if r.endswith((".json", ".geojson"))):
        text = (mini_data_dir / rel).read_text(encoding="utf-8")
        mini, real = json.loads(text), json.loads((REAL / rel).read_text(encoding="utf-8"))
        if isinstance(real, dict):
            assert mini.keys() == real.keys() and mini.get("millesime") == real.get("millesime"), rel
            mini, real = mini.get("features", []), real.get("features", [])
        assert mini and all(r in real for r in mini[:20]), rel     # never an empty file, real records
    posts = json.loads((mini_data_dir / "contrats_de_ville/postes-fonjep-2025.json").read_text(encoding="utf-8"))
    assert {p["code_cv"] for p in posts} == {"CN00104M", "CN03103I", "CN01303M", "CN00604I"}
    real_text = (REAL / "contrats_de_ville/postes-fonjep-2025.json").read_text(encoding="utf-8")
    first = (mini_data_dir / "contrats_de_ville/postes-fonjep-2025.json").read_text(encoding="utf-8")
    assert first[first.index("{"):first.index("}") + 1] in real_text                   # same spelling


def test_geopackage_rows_of_the_chosen_contracts(mini_data_dir):
    df = read_dataframe(mini_data_dir / "contrats_de_ville/subventions2020_cv_nb_projets.gpkg")
    assert sorted(df["code_cv"].str.strip()) == ["CV004", "CV022", "CV049", "CV101"]


def test_new_files_of_every_format_are_filtered(tmp_path):
    """A national file added later (CSV, JSON records, GeoJSON, GeoPackage) keeps only the chosen codes; a
    file keyed by nothing chosen is copied whole."""
    src, out = tmp_path / "data", tmp_path / "mini"
    (src / "nouveau").mkdir(parents=True)
    n = 4000   # well above SMALL_BYTES
    codes = [str(50000 + i) for i in range(n)]   # no chosen commune among them
    lines = ["CODGEO;LIBGEO;MED21"] + [f"{c};Commune {c};{31555 if c == '50001' else 20000}" for c in codes]
    lines += ["31555;Toulouse;23090", "13055;Marseille;s"]
    (src / "nouveau/communes.csv").write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    records = [{"code_qp": f"QN{i:06d}", "insee_com": "01001,01002", "pop": 31555} for i in range(n)]
    records[7]["insee_com"] = "31149,31555"
    (src / "nouveau/records.json").write_text(json.dumps(records), encoding="utf-8")
    features = [{"type": "Feature", "properties": {"q": f"QN{i:06d}", "com": ["06088"] if i == 3 else ["01001"]},
                 "geometry": {"type": "Point", "coordinates": [7.25, 43.7]}} for i in range(n)]
    (src / "nouveau/contours.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "millesime": "2025", "features": features}), encoding="utf-8")
    themes = [{"theme": f"Thème {i}", "code": f"T{i}"} for i in range(n)]
    (src / "nouveau/themes.json").write_text(json.dumps(themes), encoding="utf-8")
    gpkg = src / "nouveau/table.gpkg"
    con = sqlite3.connect(gpkg)
    con.execute("CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT)")
    con.execute("INSERT INTO gpkg_contents VALUES ('t', 'attributes')")
    con.execute("CREATE TABLE t (fid INTEGER PRIMARY KEY, code_cv TEXT, n REAL)")
    con.executemany("INSERT INTO t (code_cv, n) VALUES (?, ?)", [(f"CV{i:03d}", 1.0) for i in range(1, n)])
    con.commit()
    con.close()

    kept = {k.path: k for k in minidata.write(out, src)}

    csv_lines = (out / "nouveau/communes.csv").read_bytes().split(b"\r\n")
    assert csv_lines[0] == b"\xef\xbb\xbfCODGEO;LIBGEO;MED21"
    assert csv_lines[1:] == [b"31555;Toulouse;23090", b"13055;Marseille;s", b""]   # not 50001 (MED21 = 31555)
    assert [r["code_qp"] for r in json.loads((out / "nouveau/records.json").read_text())] == ["QN000007"]
    geo = json.loads((out / "nouveau/contours.geojson").read_text())
    assert geo["millesime"] == "2025" and [f["properties"]["q"] for f in geo["features"]] == ["QN000003"]
    assert (out / "nouveau/themes.json").read_bytes() == (src / "nouveau/themes.json").read_bytes()
    assert kept["nouveau/themes.json"].mode == "whole"
    con = sqlite3.connect(out / "nouveau/table.gpkg")
    assert con.execute("SELECT code_cv FROM t ORDER BY 1").fetchall() == [
        (c,) for c in sorted(c for c in minidata.CONTRATS if c.startswith("CV"))]
    con.close()
    assert (kept["nouveau/communes.csv"].kept, kept["nouveau/communes.csv"].total) == (2, n + 2)


@pytest.mark.parametrize("text, expected", [
    ("QN00101M,QN00102M", True), ("Nice (06088); Cagnes-sur-Mer (06027)", True), ("qp001001", True),
    ("QP0010011", False), ("4306088", False), ("Ensemble", True), ("Tremblay Grand Ensemble", False),
    ("31", False)])
def test_matcher_tokens_and_whole_values(text, expected):
    assert minidata.Matcher().string(text) is expected
