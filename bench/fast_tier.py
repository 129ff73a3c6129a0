"""The fast test tier's fixture: write the small copy of the real data (tests/unit/minidata.py) and build its
warehouse, printing size and times; with --tier, also time the whole tier (`pytest tests/unit`). Targets on
the 2-core reference machine: copy ≤ 3 MB; copy + build ≤ 5 s CPU; the tier ≤ 30 s wall. Not a test: it
prints figures.

    python -m bench.fast_tier [--data-dir DIR] [--tier]
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.build import _cpu, run_once
from loaders import build as build_mod
from tests.unit import minidata


def main(argv=None) -> int:
    from observatoire.cli import ArgumentParser

    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--tier", action="store_true", help="also time `pytest tests/unit` (a subprocess)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        mini = Path(tmp) / "data"
        t, c = time.perf_counter(), _cpu()
        kept = minidata.write(mini, args.data_dir)
        wall, cpu = time.perf_counter() - t, _cpu() - c
        size = sum(k.size for k in kept)
        filtered = [k for k in kept if k.mode == "filtered"]
        print(f"copy: {len(kept)} files ({len(filtered)} filtered, {len(kept) - len(filtered)} whole), "
              f"{size / 1024 / 1024:.2f} MB, {sum(k.kept for k in filtered)} of {sum(k.total for k in filtered)} "
              f"records kept; {wall:.2f} s wall, {cpu:.2f} s CPU")
        os.environ["OBSERVATOIRE_IMPORTS_DIR"] = str(Path(tmp) / "imports")   # never the developer's imports
        total, times, summary = run_once(mini, build_mod.default_steps(), Path(tmp) / "mini.duckdb")
        print(f"build: {total:.2f} s wall, {times['(total CPU)'][1]:.2f} s CPU; "
              + ", ".join(f"{t} {n}" for t, n in summary["rows"].items() if n))
    if args.tier:
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"],
                             cwd=ROOT, capture_output=True, text=True, check=False)
        last = (res.stdout.strip().splitlines() or ["?"])[-1]
        print(f"tier: {time.perf_counter() - t:.2f} s wall ({last})")
    loadavg = Path("/proc/loadavg")
    if loadavg.exists():
        print(f"load average at the end: {loadavg.read_text().split()[0]} (2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
