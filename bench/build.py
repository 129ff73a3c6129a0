"""Build the whole warehouse from the raw files into a temporary file; print total and per-step times and
peak memory. Target: ≤ 10 s on the 2-core reference machine. Not a test: it prints figures.

    python -m bench.build [--data-dir DIR] [--runs N] [--steps catalogue,sigville,...]

With --runs 2 or more, later runs rebuild over the previous run's warehouse, as `loaders build` does.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from loaders import build as build_mod  # noqa: E402


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_once(data_dir, steps, db_path: Path) -> tuple[float, dict[str, tuple[float, float]], dict]:
    """Total wall time, {step: (wall s, CPU s of all threads)}, build summary. CPU time is printed too
    because the machine is shared: wall time inflates under load, CPU time much less. From the second run
    on, db_path holds the previous warehouse: the build then also carries first_loaded_at over from it."""
    times: dict[str, tuple[float, float]] = {}
    original = build_mod._resolve

    def timed(target):
        func = original(target)

        def wrapper(ctx):
            t, c = time.perf_counter(), _cpu()
            func(ctx)
            times[ctx.step] = (time.perf_counter() - t, _cpu() - c)
        return wrapper

    build_mod._resolve = timed
    try:
        t0, c0 = time.perf_counter(), _cpu()
        summary = build_mod.build(data_dir, db_path, quiet=True, steps=steps)
        total = time.perf_counter() - t0
        times["(total CPU)"] = (0.0, _cpu() - c0)
    finally:
        build_mod._resolve = original
    return total, times, summary


def main(argv=None) -> int:
    from observatoire.cli import ArgumentParser

    parser = ArgumentParser(prog="python -m bench.build", description="Mesure la construction complète de "
                            "l'entrepôt (temps total et par étape, mémoire de pointe) dans un fichier temporaire.")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--steps", default=None, help="étapes à mesurer, séparées par des virgules (défaut : toutes)")
    args = parser.parse_args(argv)
    steps = build_mod.STEPS
    if args.steps:
        wanted = args.steps.split(",")
        steps = [s for s in steps if s[0] in wanted]
    tmp = tempfile.TemporaryDirectory()
    for run in range(1, args.runs + 1):
        total, times, summary = run_once(args.data_dir, steps, Path(tmp.name) / "bench.duckdb")
        print(f"run {run}: total {total:.2f} s wall (build() own report: {summary['seconds']} s)"
              + (" — over the previous run's warehouse (first loads carried over)" if run > 1 else ""))
        print(f"  {'step':<28} {'wall':>7} {'CPU':>7}")
        for name, _ in steps:
            if name in times:
                print(f"  {name:<28} {times[name][0]:6.2f}s {times[name][1]:6.2f}s")
        other = total - sum(w for w, _ in times.values())
        other_cpu = times["(total CPU)"][1] - sum(c for k, (_, c) in times.items() if k != "(total CPU)")
        print(f"  {'(schema, first loads, swap)':<28} {other:6.2f}s {other_cpu:6.2f}s")
        print(f"  {'total':<28} {total:6.2f}s {times['(total CPU)'][1]:6.2f}s")
        try:
            load = open("/proc/loadavg").read().split()[0]
            print(f"  load average at the end: {load} (2 cores: above 2, other processes slow the build)")
        except OSError:
            pass
    tmp.cleanup()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    rows = summary["rows"]
    print("rows: " + ", ".join(f"{t} {n}" for t, n in rows.items() if n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
