"""Cost of the view models (issue 21: a quartier's views are a handful of indexed reads): CPU time of each
view of presentation/ on the real warehouse, cold (first call of the process: the per-build memo empty) and
warm (median of the next calls), and with --profile the functions a view spends its time in (cProfile).

    python bench/views.py [--db PATH] [--runs 5] [--profile fiche_qn]

Not a test: it prints figures. CPU time of this process (`resource.getrusage`), which a shared machine
inflates much less than wall time; the load average is printed beside.
"""
from __future__ import annotations

import cProfile
import datetime as dt
import io
import os
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 12, 6)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cases(con) -> dict:
    """name -> callable of one view, on the quartiers and contract of the issues (both geographies)."""
    from presentation import barometre, compare, contract, fiche
    from presentation import map as map_view

    def compare_views():
        codes = ["QP031007", "QN03107M", "QP013009"]
        sel = compare.selection_view(con, codes)
        return compare.indicator_view(con, codes, "tx_pauvrete", 2019, sel["names"], sel["columns"],
                                      sel["generations"])

    return {
        "fiche.view QN03107M (2024)": lambda: fiche.view(con, "QN03107M"),
        "fiche.view QP031007 (2015)": lambda: fiche.view(con, "QP031007"),
        "fiche.view QP013009 (Marseille)": lambda: fiche.view(con, "QP013009"),
        "fiche.detail QN03107M tx_pauvrete": lambda: fiche.detail(con, "QN03107M", "tx_pauvrete"),
        "fiche.detail QP031007 rev_disp_median": lambda: fiche.detail(con, "QP031007", "rev_disp_median"),
        "barometre.view QN03107M": lambda: barometre.view(con, "QN03107M", today=TODAY),
        "barometre.view QP013009": lambda: barometre.view(con, "QP013009", today=TODAY),
        "compare (3 quartiers + tx_pauvrete)": compare_views,
        "contract.view CN03103I": lambda: contract.view(con, "CN03103I", None, today=TODAY),
        "contract.view CN03103I (rapport)": lambda: contract.view(con, "CN03103I", None, today=TODAY,
                                                                  year=2026, for_report=True),
        "map.map_view 2024 tx_pauvrete FR": lambda: map_view.map_view(con, "2024", "tx_pauvrete", 2019),
        "map.map_view 2015 tx_pauvrete FR": lambda: map_view.map_view(con, "2015", "tx_pauvrete", 2019),
    }


def main(argv=None) -> int:
    from bench import warehouse
    from observatoire.cli import ArgumentParser

    p = ArgumentParser(prog="python bench/views.py", description=__doc__.split("\n\n")[0])
    warehouse.add_option(p)
    p.add_argument("--runs", type=int, default=5, help="appels chauds par vue (défaut 5)")
    p.add_argument("--profile", metavar="TEXTE", help="profil cProfile des vues dont le nom contient TEXTE")
    args = p.parse_args(argv)
    warehouse.use(args)
    from observatoire import db

    con = db.connect(read_only=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU time of this process, ms")
    print(f"{'view':<40} {'cold':>8} {'warm':>8}")
    for name, fn in cases(con).items():
        if args.profile and args.profile not in name:
            continue
        c0 = _cpu()
        fn()
        cold = _cpu() - c0
        warm = []
        for _ in range(args.runs):
            c0 = _cpu()
            fn()
            warm.append(_cpu() - c0)
        print(f"{name:<40} {1000 * cold:8.0f} {1000 * statistics.median(warm):8.0f}")
        if args.profile:
            pr = cProfile.Profile()
            t0 = time.perf_counter()
            pr.enable()
            fn()
            pr.disable()
            print(f"  under the profiler: {1000 * (time.perf_counter() - t0):.0f} ms")
            buf = io.StringIO()
            pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(
                r"(indicators|presentation|observatoire|duckdb)", 30)
            print(buf.getvalue().split("\n", 6)[-1])
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
