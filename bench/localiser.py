"""Speed of « Est-ce en QPV ? » (indicators.localiser): 100,000 random points over France.

    .venv/bin/python bench/localiser.py [--points 100000] [--db PATH] [--naive-sample N]

Prints, on the national 2024 contours: the engine's time for the whole answer (point-in-polygon in 2024
and 2015 contours, département and coverage, distance to the nearest boundary), the command-line path on a
CSV file of the same points (read, answer, write), and the point-in-polygon step alone with each candidate
engine — shapely STRtree (kept), DuckDB spatial join, GeoPandas sjoin — and a naive loop over polygons.
When the warehouse does not hold the national contours yet, they are read from
contours/qpv2024_france_anct_simplifie.geojson into an in-memory copy of the warehouse (said in the output).
Goal: ≤ 5 s for the answer on this 2-core machine.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from indicators import localiser  # noqa: E402
from observatoire import db, frformat, settings  # noqa: E402

NATIONAL = "contours/qpv2024_france_anct_simplifie.geojson"


def warehouse_with_national(db_path: Path):
    """(connection, note): the warehouse itself when it holds the national 2024 contours, else an in-memory
    copy of it whose 2024 contours are replaced by the national file's (repaired with make_valid)."""
    con = db.connect(db_path, read_only=True, spatial=True)
    n = con.execute("SELECT count(*) FROM territory_geom WHERE kind = 'contour' AND generation = '2024'").fetchone()[0]
    if n >= 1500:
        return con, f"contours 2024 de l'entrepôt ({n})"
    con.close()
    mem = db.connect(":memory:", read_only=False, spatial=True)
    mem.execute(f"ATTACH '{db_path}' AS w (READ_ONLY)")
    for t in ("territory", "source_catalog"):
        mem.execute(f"CREATE TABLE {t} AS SELECT * FROM w.{t}")
    mem.execute("CREATE TABLE territory_geom AS SELECT * FROM w.territory_geom "
                "WHERE NOT (kind = 'contour' AND generation = '2024')")
    g = gpd.read_file(settings.data_dir() / NATIONAL)          # as published: the engine repairs on load
    rows = pd.DataFrame({"code": g["code_qp"], "kind": "contour", "generation": "2024",
                         "geom": [bytes(b) for b in shapely.to_wkb(g.geometry.values)],
                         "source_file": Path(NATIONAL).name})
    mem.register("_national", rows)
    mem.execute("INSERT INTO territory_geom (code, kind, generation, geom, geom_display, source_file, placement) "
                "SELECT code, kind, generation, geom, geom, source_file, 'contour' FROM _national")
    mem.execute("DETACH w")
    return mem, (f"l'entrepôt n'a pas encore les contours nationaux ({n} contours 2024) : {len(g)} contours lus "
                 f"dans {NATIONAL} et copiés dans une base temporaire en mémoire")


def random_points(c: localiser.Contours, n: int, seed: int = 15) -> tuple[np.ndarray, np.ndarray]:
    """n points drawn uniformly over metropolitan France (rejection on the département outlines)."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = localiser.METROPOLE.bbox
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(lon0, lon1, 2 * n), rng.uniform(lat0, lat1, 2 * n)
        ok, _ = localiser.place(c, x, y)
        lon, lat = np.concatenate([lon, x[ok]]), np.concatenate([lat, y[ok]])
    return lon[:n], lat[:n]


def timed(label: str, func, *args, repeat: int = 3):
    """Best wall time of `repeat` runs (the machine is shared: the best run is the least disturbed), with
    the CPU time of that run."""
    best, cpu, out = float("inf"), 0.0, None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = func(*args)
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    print(f"  {label:<66} {frformat.fmt_number(best, 3)} s (CPU {frformat.fmt_number(cpu, 2)} s)")
    return out, best


def pip_duckdb(con, lon, lat) -> int:
    con.register("_pts", pd.DataFrame({"i": np.arange(len(lon)), "lon": lon, "lat": lat}))
    try:
        return con.execute("""
            SELECT count(*) FROM _pts p JOIN territory_geom g
              ON g.kind = 'contour' AND g.generation = '2024'
             AND ST_Within(ST_Point(p.lon, p.lat), ST_GeomFromWKB(g.geom))""").fetchone()[0]
    finally:
        con.unregister("_pts")


def locate_with_duckdb(con, c: localiser.Contours, lon, lat) -> pd.DataFrame:
    """The same answer with DuckDB spatial for both point-in-polygon joins (2024, 2015), shapely for the
    département and the distance (DuckDB has no nearest-neighbour search)."""
    con.register("_pts", pd.DataFrame({"i": np.arange(len(lon)), "lon": lon, "lat": lat}))
    try:
        hits = con.execute("""
            SELECT p.i, g.generation, min(g.code) AS code FROM _pts p JOIN territory_geom g
              ON g.kind = 'contour' AND g.generation IN ('2015', '2024')
             AND ST_Within(ST_Point(p.lon, p.lat), ST_GeomFromWKB(g.geom))
            GROUP BY ALL""").df()
    finally:
        con.unregister("_pts")
    _, dep = localiser.place(c, lon, lat)
    out = pd.DataFrame({"departement": dep, "distance_m": localiser.nearest_boundary_m(c, lon, lat)})
    for gen, col in (("2024", "code_qpv"), ("2015", "code_qp2015")):
        h = hits[hits.generation == gen]
        out[col] = None
        out.loc[h.i.to_numpy(), col] = h.code.to_numpy()
    return out


def pip_sjoin(gdf, lon, lat) -> int:
    pts = gpd.GeoDataFrame({"i": np.arange(len(lon))}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    return len(gpd.sjoin(pts, gdf, predicate="within", how="inner"))


def pip_strtree(layer: localiser.Layer, lon, lat) -> int:
    tree = shapely.STRtree(layer.geoms)                 # built per call, like the other engines
    pi, _ = tree.query(shapely.points(lon, lat), predicate="within")
    return len(pi)


def pip_naive(geoms, lon, lat) -> int:
    """No index: every polygon tests every point (vectorised per polygon)."""
    return int(sum(shapely.contains_xy(g, lon, lat).sum() for g in geoms))


def nearest_plain(c: localiser.Contours, lon, lat) -> np.ndarray:
    """The textbook way: GEOS nearest-neighbour search over the boundary lines (metropolitan points)."""
    x, y = localiser.to_metric(localiser.METROPOLE, lon, lat)
    lines = c.boundaries["metropole"].lines
    (pi, _), dist = shapely.STRtree(lines).query_nearest(shapely.points(x, y), return_distance=True,
                                                         all_matches=False)
    out = np.full(len(lon), np.nan)
    out[pi] = dist
    return out


def main(argv=None) -> int:
    from observatoire.cli import ArgumentParser

    ap = ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args(argv)
    n = args.points
    con, note = warehouse_with_national(Path(args.db or settings.db_path()))
    print(f"Machine : {os.cpu_count()} cœurs, charge moyenne {frformat.fmt_number(os.getloadavg()[0], 1)} "
          "(partagée avec d'autres travaux : meilleur de 3 essais).")
    print(f"Contours : {note}.")
    t0 = time.perf_counter()
    c = localiser.load_contours(con)
    print(f"Chargement des contours (WKB → shapely, index, couverture) : "
          f"{frformat.fmt_number(time.perf_counter() - t0, 3)} s — {c.coverage_text()}.")
    lon, lat = random_points(c, n)
    print(f"\n{frformat.fmt_int(n)} points tirés au hasard sur la France métropolitaine.")

    print("\nRéponse complète (moteur retenu : shapely STRtree) :")
    res, t_engine = timed("locate() : 2024 + 2015 + département + distance à la limite",
                          lambda: localiser.locate(c, lon, lat))
    counts = res["answer"].value_counts()
    print(f"  → oui {frformat.fmt_int(counts.get('oui', 0))}, non {frformat.fmt_int(counts.get('non', 0))}, "
          f"indéterminé {frformat.fmt_int(counts.get('indeterminee', 0))} ; distance médiane "
          f"{frformat.fmt_int(float(np.nanmedian(res['distance_m'])))} m")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.csv"
        pd.DataFrame({"id": np.arange(n), "latitude": np.round(lat, 6), "longitude": np.round(lon, 6)}).to_csv(
            path, sep=";", index=False)
        (located, t_file) = timed("fichier CSV : lecture + réponse + écriture du résultat",
                                  lambda: localiser.to_csv_bytes(localiser.localise_file(c, path)))
    _, t_duck_all = timed("variante : DuckDB spatial pour les deux jointures point-contour",
                          locate_with_duckdb, con, c, lon, lat)
    print(f"  → objectif ≤ 5 s pour la réponse : {'atteint' if t_engine <= 5 else 'NON atteint'} "
          f"({frformat.fmt_number(t_engine, 2)} s ; avec le fichier : {frformat.fmt_number(t_file, 2)} s)")

    print("\nPoint dans polygone seul (contours 2024), même jeu de points :")
    _, t_tree = timed("shapely STRtree (moteur retenu)", pip_strtree, c.q2024, lon, lat, repeat=3)
    hits_tree = pip_strtree(c.q2024, lon, lat)
    hits_duck, t_duck = timed("DuckDB spatial (SPATIAL_JOIN, WKB de l'entrepôt)", pip_duckdb, con, lon, lat, repeat=3)
    gdf = gpd.GeoDataFrame({"code": c.q2024.codes}, geometry=c.q2024.geoms, crs=4326)
    hits_sjoin, t_sjoin = timed("GeoPandas sjoin (STRtree)", pip_sjoin, gdf, lon, lat, repeat=3)
    hits_naive, t_naive = timed("boucle naïve sur les polygones (sans index)", pip_naive, c.q2024.geoms, lon, lat,
                                repeat=1)
    same = len({hits_tree, hits_duck, hits_sjoin, hits_naive}) == 1
    print(f"  → {frformat.fmt_int(hits_tree)} couples point-contour, identiques pour les quatre : "
          f"{'oui' if same else 'NON'} (DuckDB {hits_duck}, sjoin {hits_sjoin}, naïf {hits_naive})")
    print(f"  → boucle naïve : {frformat.fmt_number(t_naive / t_tree, 0)} fois plus lente que STRtree")
    fastest = min((t_tree, "shapely STRtree"), (t_duck, "DuckDB spatial"), (t_sjoin, "GeoPandas sjoin"))
    print(f"  → le plus rapide sur cette étape seule : {fastest[1]} ; réponse complète : shapely seul "
          f"{frformat.fmt_number(t_engine, 2)} s, avec DuckDB pour les jointures "
          f"{frformat.fmt_number(t_duck_all, 2)} s.")
    print("  → moteur retenu : shapely STRtree. La distance à la limite, l'étape la plus longue, se calcule de "
          "toute façon sur les géométries shapely (DuckDB n'a pas de recherche du plus proche voisin) : décodées et "
          "indexées une fois par entrepôt, elles servent aussi aux jointures, sans extension spatiale à charger ni "
          "second décodage du WKB à chaque fichier.")
    print("\nDistance à la limite la plus proche (France métropolitaine, Lambert-93) :")
    d_engine, t_dist = timed("moteur : borne par l'ancre la plus proche puis requête dwithin",
                             localiser.nearest_boundary_m, c, lon, lat)
    d_plain, t_plain = timed("plus proche voisin direct sur les limites (STRtree.query_nearest)",
                             nearest_plain, c, lon, lat)
    print(f"  → mêmes distances : {'oui' if np.allclose(d_engine, d_plain, equal_nan=True) else 'NON'} ; "
          f"{frformat.fmt_number(t_plain / t_dist, 1)} fois plus rapide ; part de la distance dans la réponse : "
          f"{frformat.fmt_number(100 * t_dist / t_engine, 0)} %")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
