"""Script-run time of every page (AppTest, real warehouse): cold (caches emptied) and warm (second run).

The time is measured around `page.run()` inside app.py (what a user waits for on each interaction),
not AppTest's wall clock, which adds ~0.2-0.6 s of polling and component scanning per run.

Usage: python bench/pages.py [--db PATH] [--repeat N]
Targets (issue 4): ≤ 2 s cold, ≤ 0.5 s warm per page on this machine. Prints figures; never fails.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise

PAGES = [
    ("Accueil", "accueil", {"recherche": "reyssouze"}),
    ("Carte 2015 (France)", "carte", {"generation": "2015"}),
    ("Carte 2024 (France)", "carte", {"generation": "2024"}),
    ("Fiche quartier", "fiche", {"quartier": "QP001001"}),
    ("Comparer", "comparer", {"selection": "QP001001,QP001002,QP034001"}),
    ("Baromètre", "barometre", {"quartier": "QP001001"}),
    ("Programmation", "programmation", {}),
    ("Engagements", "engagements", {}),
    ("Enquêtes", "enquetes", {}),
    ("Référentiel", "referentiel", {}),
]


def _quiet() -> None:
    import logging

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _run(page: str, params: dict) -> tuple[float, int]:
    from streamlit.testing.v1 import AppTest

    _quiet()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page != "accueil":
        at.switch_page(f"pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    script = at.session_state["_obs_run_seconds"] if "_obs_run_seconds" in at.session_state else float("nan")
    return script, len(at.exception)


def main() -> None:
    from observatoire.cli import ArgumentParser

    ap = ArgumentParser()
    ap.add_argument("--db", help="warehouse (default OBSERVATOIRE_DB / data/observatoire.duckdb)")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per page (median printed)")
    args = ap.parse_args()
    if args.db:
        os.environ["OBSERVATOIRE_DB"] = str(Path(args.db).resolve())
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit as st

    # Process warm-up (imports of pandas/plotly/duckdb happen once per server process, not per page).
    t0 = time.perf_counter()
    _run("accueil", {})
    print(f"Premier run du processus (imports compris) : {time.perf_counter() - t0:.2f} s\n")
    print(f"{'page':<24}{'froid (s)':>10}{'chaud (s)':>11}   objectif ≤ 2 s / ≤ 0,5 s")
    for label, page, params in PAGES:
        if not (ROOT / "pages" / f"{page}.py").exists():
            print(f"{label:<24}{'absente':>10}")
            continue
        st.cache_data.clear()
        st.cache_resource.clear()
        cold, exc = _run(page, params)
        warm = statistics.median(_run(page, params)[0] for _ in range(args.repeat))
        flag = "" if cold <= 2 and warm <= 0.5 else "   <-- au-dessus de l'objectif"
        err = f"   ({exc} exception(s) !)" if exc else ""
        print(f"{label:<24}{cold:>10.2f}{warm:>11.2f}{flag}{err}")


if __name__ == "__main__":
    main()
