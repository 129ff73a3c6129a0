"""What every visitor needs, made once per process when the server starts, in the background (issue 21).

A fresh Streamlit process pays on its first page view for the imports of pandas, Plotly and the project's
modules, the warehouse connection, the quartier pickers' choices, the catalogue, the home page's overview and
the French chrome script: a second or more, and many more on a busy machine, for the first visitor after every
restart. app.py hands `lifespan` to the server (st.App's lifespan hook), which calls `start()`: the health check
answers at once while one daemon thread prepares them; a visitor arriving meanwhile waits only for what is not
ready yet (Python's import lock and Streamlit's caches make them share the work, never do it twice). Afterwards the
objects made so far are frozen out of the garbage collector's full passes (gc.freeze): they live as long as
the process, and every later collection skips them.
"""
from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import threading
import time
from contextlib import asynccontextmanager

_LOG = logging.getLogger("observatoire.warm")
_started = threading.Lock()
_thread: threading.Thread | None = None
report: dict[str, float] = {}          # seconds per step of the last warm-up (read by bench/pages.py's notes)

# Packages whose modules the pages import (page scripts themselves run Streamlit calls: they are not imported;
# presentation/ brings the indicators/ it reads).
PACKAGES = ("observatoire", "presentation", "charts", "ui")


def _imports() -> None:
    import pandas  # noqa: F401 - the point is to import them once, now
    import plotly.graph_objects  # noqa: F401
    import pyarrow  # noqa: F401

    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_") and info.name not in ("server", "warm"):
                importlib.import_module(f"{name}.{info.name}")


def _warehouse() -> None:
    from ui import common
    common.connection()


def _pickers() -> None:
    from ui import catalog, pickers
    pickers.quartier_choices(("2015", "2024"))
    catalog.indicator_list()


def _home() -> None:
    from presentation import search
    from ui import common
    common.run(search.overview_view)


def _french() -> None:
    from ui import french
    french.script()
    french.plotly_locale()


STEPS = [("imports", _imports), ("entrepôt", _warehouse), ("choix des quartiers et catalogue", _pickers),
         ("accueil", _home), ("textes français", _french)]


def warm() -> dict[str, float]:
    """Run every step (a failing one is logged and skipped: the page that needs it says what is wrong)."""
    done: dict[str, float] = {}
    for label, step in STEPS:
        t0 = time.perf_counter()
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - no warehouse yet, damaged file…: the pages explain it
            _LOG.info("préchauffage « %s » sauté : %s", label, exc)
        done[label] = time.perf_counter() - t0
    gc.freeze()
    report.clear()
    report.update(done)
    return done


def start() -> threading.Thread | None:
    """Start the warm-up thread once per process (None if it was already started)."""
    global _thread
    with _started:
        if _thread is not None:
            return None
        _thread = threading.Thread(target=warm, name="observatoire-warm", daemon=True)
        _thread.start()
        return _thread


@asynccontextmanager
async def lifespan(_app):
    """The server's lifespan hook (app.py): the warm-up starts with the server, in its background thread, so
    that the health check answers at once and the first visitor does not pay for it."""
    start()
    yield
