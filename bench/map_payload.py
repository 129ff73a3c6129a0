"""Size of the national map sent to the browser, against what full-detail geometry would weigh.

Runs the Carte page (AppTest, real warehouse, France entière) and measures the Plotly JSON the page
emits; then rebuilds the same figure with full-detail, unrounded geometries (territory_geom.geom) for
comparison. Target (issues 4 and 9): ≤ 1.5 MB with every real contour drawn. Also the map framed on one
quartier (carte?quartier=QN03107M). Usage: python bench/map_payload.py [--db PATH]
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise

MB = 1024 * 1024


def _page_spec(params: dict) -> tuple[str, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/carte.py")
    for k, v in params.items():
        at.query_params[k] = v
    t0 = time.perf_counter()
    at.run()
    wall = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    # the page's own run time when app.py ran it (ui.navigation.run_app), else the AppTest run around it
    script = at.session_state["_obs_run_seconds"] if "_obs_run_seconds" in at.session_state else wall
    return at.get("plotly_chart")[0].proto.spec, script


def _full_detail(con, codes: list[str], kind_filter: str, column: str) -> dict:
    import shapely

    rows = con.execute(
        f"SELECT code, {column} FROM territory_geom WHERE kind = ? AND code IN ({', '.join('?' for _ in codes)})",
        [kind_filter, *codes]).fetchall() if codes else []
    geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
    return {r[0]: json.loads(t) for r, t in zip(rows, shapely.to_geojson(geoms))}


def _naive(spec: dict, con) -> dict:
    """Same figure, every polygon at full detail and full precision."""
    spec = json.loads(json.dumps(spec))
    for tr in spec["data"]:
        gj = tr.get("geojson")
        if isinstance(gj, dict):
            codes = [f["id"] for f in gj["features"]]
            full = _full_detail(con, codes, "contour", "geom")
            for f in gj["features"]:
                f["geometry"] = full.get(f["id"], f["geometry"])
    for layer in spec["layout"].get("map", {}).get("layers", []):
        src = layer.get("source")
        if isinstance(src, dict) and src.get("features"):
            codes = [f["id"] for f in src["features"]]
            full = _full_detail(con, codes, "outline", "geom")
            for f in src["features"]:
                f["geometry"] = full.get(f["id"], f["geometry"])
    return spec


def _parts(spec: dict) -> tuple[int, int, int]:
    traces = sum(len(json.dumps(tr.get("geojson", {}))) for tr in spec["data"])
    layers = sum(len(json.dumps(ly.get("source", {}))) for ly in spec["layout"].get("map", {}).get("layers", []))
    return traces, layers, len(json.dumps(spec))


def main() -> None:
    from bench import warehouse
    from observatoire.cli import ArgumentParser

    ap = ArgumentParser()
    warehouse.add_option(ap)
    args = ap.parse_args()
    warehouse.use(args)
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from observatoire import db

    con = db.connect(read_only=True)
    cases = [("Carte nationale 2015", {"generation": "2015", "zone": "FR"}),
             ("Carte nationale 2024 (valeurs des quartiers 2015 correspondants)", {"generation": "2024", "zone": "FR"}),
             ("Carte centrée sur un quartier (carte?quartier=QN03107M)", {"quartier": "QN03107M"})]
    for label, params in cases:
        raw, secs = _page_spec(params)
        spec = json.loads(raw)
        n_q = sum(len(tr.get("customdata") or []) for tr in spec["data"]
                  if isinstance(tr.get("meta"), dict) and tr["meta"].get("role") == "quartiers")
        poly, layers, total = _parts(spec)
        naive = _naive(spec, con)
        npoly, nlayers, ntotal = _parts(naive)
        ok = "OK" if len(raw.encode()) <= 1.5 * MB else "AU-DESSUS DE 1,5 Mo"
        print(f"{label} : {n_q} quartiers, script de la page {secs:.2f} s")
        print(f"  envoyé au navigateur : {len(raw.encode()) / MB:6.2f} Mo  ({ok})"
              f"  dont contours {poly / MB:.2f} Mo, fonds administratifs {layers / MB:.2f} Mo")
        print(f"  sans simplification ni arrondi : {ntotal / MB:6.2f} Mo"
              f"  dont contours {npoly / MB:.2f} Mo, fonds administratifs {nlayers / MB:.2f} Mo")
        n_poly = sum(len(tr["geojson"]["features"]) for tr in spec["data"] if isinstance(tr.get("geojson"), dict))
        print(f"  contours dessinés : {n_poly}")
    con.close()


if __name__ == "__main__":
    main()
