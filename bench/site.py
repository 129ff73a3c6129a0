"""National scale of the static public site (issue 22; target: every quartier and contract page of both
geographies in ≤ 60 s). Not a test: it prints the wall time, the number of pages, the total size, the
heaviest page, where the time goes (views / rendering / downloads / contract pages) and, with --profile,
the functions the per-quartier views spend their time in (cProfile).

    python bench/site.py --tout [--jobs 2]             # the whole site (every quartier and contract)
    python bench/site.py --echantillon 60 [--jobs 2]   # a spread sample of quartiers, extrapolated
    python bench/site.py --profile 10                  # cProfile of the views of 10 quartiers

The machine is shared: wall time inflates under load; CPU time (printed) much less.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from observatoire.cli import ArgumentParser  # noqa: E402
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} Mo".replace(",", " ").replace(".", ",")


def profile(con, codes: list[str]) -> None:
    from exports.site import content

    today = dt.date(2026, 12, 6)
    content.quartier_views(con, codes[0], today)          # warm the per-build memo first
    pr = cProfile.Profile()
    t0 = time.perf_counter()
    pr.enable()
    for c in codes:
        content.quartier_views(con, c, today)
    pr.disable()
    print(f"views of {len(codes)} quartiers: {(time.perf_counter() - t0) / len(codes):.2f} s per quartier "
          "(under the profiler)")
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(r"(indicators|presentation|observatoire)/", 25)
    print(buf.getvalue().split("\n", 6)[-1])


def main() -> int:
    from bench import warehouse

    ap = ArgumentParser(prog="python bench/site.py", description=__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    warehouse.add_option(ap)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--tout", action="store_true", help="le site entier")
    g.add_argument("--echantillon", type=int, default=60, help="nombre de quartiers de l'échantillon (défaut 60)")
    g.add_argument("--profile", type=int, metavar="N", help="profil cProfile des vues de N quartiers")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processus en parallèle (défaut : un par cœur)")
    ap.add_argument("--out", type=Path, help="dossier du site (défaut : temporaire, effacé)")
    args = ap.parse_args()
    warehouse.use(args)
    from exports.site import build, content
    from observatoire import db

    con = db.connect(read_only=True)
    plan = content.site_plan(con)
    every = sorted(plan["quartiers"])
    n_all, n_contracts = len(every), len(plan["contracts"])
    if args.profile:
        step = max(1, n_all // args.profile)
        profile(con, every[::step][:args.profile])
        return 0
    sample = None if args.tout else every[::max(1, n_all // args.echantillon)][:args.echantillon]
    out = args.out or Path(tempfile.mkdtemp(prefix="site_bench_"))
    w0, c0 = time.perf_counter(), _cpu()
    stats = build.build(con, out, today=dt.date(2026, 12, 6), base_url="https://observatoire.example.fr/",
                        jobs=args.jobs, quartiers=sample)
    wall, cpu = time.perf_counter() - w0, _cpu() - c0
    heavy = max(stats.page_bytes.items(), key=lambda kv: kv[1])
    print(f"site: {stats.pages} pages ({stats.quartier_pages} quartiers, {stats.contract_pages} contrats, {stats.index_pages} index), "
          f"{_mb(stats.bytes)} in all (HTML, CSS, CSV, XLSX), wall {wall:.1f} s, CPU {cpu:.1f} s, jobs {args.jobs}")
    print(f"heaviest page (HTML + CSS): {heavy[0]} {heavy[1] / 1024:.0f} KB; pages over 100 KB: "
          f"{sum(1 for v in stats.page_bytes.values() if v > 100 * 1024)}")
    q = max(stats.quartier_pages, 1)
    t = stats.timings
    print(f"per quartier page (CPU seconds of the worker): views {1000 * t['views'] / q:.0f} ms, rendering "
          f"{1000 * t['render'] / q:.0f} ms, downloads {1000 * t['downloads'] / q:.0f} ms; contract pages and "
          f"index {t['contracts']:.1f} s for {stats.contract_pages} ({1000 * t['contracts'] / max(stats.contract_pages, 1):.0f} ms each)")
    if sample is not None:
        per_q = (t["views"] + t["render"] + t["downloads"]) / q
        est = per_q * n_all / max(args.jobs, 1) + t["contracts"] / max(stats.contract_pages, 1) * n_contracts
        est_render = (t["render"] + t["downloads"]) / q * n_all / max(args.jobs, 1) \
            + t["contracts"] / max(stats.contract_pages, 1) * n_contracts
        print(f"extrapolated to the whole site on an idle machine ({n_all} quartiers, {n_contracts} contrats, "
              f"{args.jobs} jobs, from CPU time): ≈ {est:.0f} s; without the view calls (views cached, issue 21): "
              f"≈ {est_render:.0f} s")
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
