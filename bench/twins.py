"""Prints twin-search and fiche() timings over every 2015 quartier of a warehouse (no assertion: a benchmark).

    .venv/bin/python bench/twins.py [--db PATH] [--fiches N]

Twin search: first call (builds and caches the z matrix), then one search per quartier (~1,400). fiche():
the full portrait for N quartiers (default 20) on a warm connection.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indicators import fiche, twins  # noqa: E402
from observatoire import db  # noqa: E402


def main() -> None:
    from observatoire.cli import ArgumentParser

    ap = ArgumentParser()
    ap.add_argument("--db", default=None)
    ap.add_argument("--fiches", type=int, default=20)
    args = ap.parse_args()
    con = db.connect(args.db, read_only=True)
    codes = [r[0] for r in con.execute(
        "SELECT code FROM territory WHERE level = 'qpv' AND generation = '2015' ORDER BY code").fetchall()]

    t0 = time.perf_counter()
    m = twins.matrix(con, "2015")
    t_matrix = time.perf_counter() - t0
    print(f"matrice de profil : {len(m.codes)} quartiers x {len(m.ids)} indicateurs, construite en {t_matrix * 1000:.0f} ms")

    times, empty = [], 0
    for c in codes:
        t = time.perf_counter()
        res = twins.twins(con, c, n=5)
        times.append(time.perf_counter() - t)
        empty += not res
    print(f"recherche de jumeaux : {len(codes)} quartiers, total {sum(times):.2f} s, "
          f"premier appel {times[0] * 1000:.0f} ms (noms et rattachements mis en cache), "
          f"puis médiane {statistics.median(times[1:]) * 1000:.1f} ms, max {max(times[1:]) * 1000:.1f} ms "
          f"({empty} quartiers sans jumeau : profil trop incomplet)")

    sample = codes[:: max(1, len(codes) // max(1, args.fiches))][: args.fiches]
    ft = []
    for c in sample:
        t = time.perf_counter()
        fiche.fiche(con, c)
        ft.append(time.perf_counter() - t)
    if ft:
        print(f"fiche() : {len(ft)} quartiers, médiane {statistics.median(ft) * 1000:.0f} ms, "
              f"max {max(ft) * 1000:.0f} ms (premier appel {ft[0] * 1000:.0f} ms)")
    ct = []
    for c in sample:  # as the pages do: a fresh cursor per call (the memo is shared by warehouse build)
        cur = con.cursor()
        t = time.perf_counter()
        fiche.fiche(cur, c)
        ct.append(time.perf_counter() - t)
        cur.close()
    if ct:
        print(f"fiche() avec un curseur neuf par appel : médiane {statistics.median(ct) * 1000:.0f} ms, "
              f"max {max(ct) * 1000:.0f} ms")
    con.close()


if __name__ == "__main__":
    main()
