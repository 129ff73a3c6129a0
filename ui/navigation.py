"""The app's pages and Streamlit's own navigation (st.navigation with st.Page objects).

A `pages/` folder next to app.py makes Streamlit start in its older multipage mode until st.navigation is
first called in the process: a deep link opened first on a fresh server (/fiche?quartier=…) would run the
page script alone, without the menu and page settings. `ensure()`, called by every page, detects that case
(app.py did not start this run) and lays out the same frame as app.py (page settings, st.navigation with
every page, sidebar note) through public APIs before the page goes on; from then on Streamlit runs app.py.
The first such run of a session also reruns once, before any widget is used, so widgets keep their identity.
AppTest resets Streamlit's mode before every run after the first, so page tests go through this path on
every later run, always the same way: under AppTest the rerun is skipped, it would change widget identities
between the first run and the next ones.
"""
from __future__ import annotations

import sys
import threading
import time

import streamlit as st

from observatoire import db, settings
from presentation.sources import OBSERVATORY
from ui import auth, damaged, french

# (file in pages/, title, icon, url path); the first page is the default one.
SECTIONS: dict[str, list[tuple[str, str, str, str]]] = {
    "Observer les quartiers": [
        ("accueil.py", "Accueil", ":material/home:", "accueil"),
        ("carte.py", "Carte", ":material/map:", "carte"),
        ("fiche.py", "Fiche quartier", ":material/description:", "fiche"),
        ("comparer.py", "Comparer", ":material/compare_arrows:", "comparer"),
        ("barometre.py", "Baromètre", ":material/traffic:", "barometre"),
        ("localiser.py", "Localiser", ":material/where_to_vote:", "localiser"),
    ],
    "Vie du contrat": [
        ("programmation.py", "Programmation", ":material/payments:", "programmation"),
        ("engagements.py", "Engagements", ":material/handshake:", "engagements"),
        ("enquetes.py", "Enquêtes", ":material/forum:", "enquetes"),
        ("referentiel.py", "Référentiel", ":material/account_tree:", "referentiel"),
        ("exports.py", "Exports COPIL & bilan", ":material/ios_share:", "exports"),
    ],
    "Administration": [
        ("comptes.py", "Comptes", ":material/manage_accounts:", "comptes"),
    ],
}
PAGES_DIR = settings.PROJECT_DIR / "pages"
FAVICON = settings.PROJECT_DIR / "ui" / "favicon.png"
_SWITCHED = "_obs_navigation_switched"
_run = threading.local()   # set while app.py runs the current page (one script thread per session)


def sections() -> dict[str, list]:
    first = True
    out = {}
    for section, entries in SECTIONS.items():
        out[section] = []
        for file, title, icon, url in entries:
            out[section].append(st.Page(str(PAGES_DIR / file), title=title, icon=icon, url_path=url,
                                        default=first))
            first = False
    return out


def frame():
    """Page settings, the menu (st.navigation) and the sidebar note; returns the page to run."""
    st.set_page_config(page_title=OBSERVATORY, page_icon=str(FAVICON), layout="wide",
                       initial_sidebar_state="auto")
    page = st.navigation(sections())
    auth.refresh()                 # who is signed in, checked once per run (session cookie, ui/auth.py)
    auth.follow()
    with st.sidebar:
        st.caption("Observatoire des contrats de ville — données ouvertes INSEE, ANCT/ONPV, CNAF, ASP, FONJEP "
                   "(Licence Ouverte 2.0). Fonctionne hors ligne.")
        french.install()   # Streamlit's own texts in French (uploader, table toolbar, menus): ui/french.py
    return page


def run_app() -> None:
    """app.py's body: the frame, then the selected page (its run time kept for bench/pages.py)."""
    page = frame()
    t0 = time.perf_counter()
    _run.app = True
    try:
        page.run()
    except Exception as exc:
        if not db.is_damage(exc):
            raise
        damaged.show_damaged(exc)      # a damaged warehouse met anywhere in the page: French, rebuilt
    finally:
        _run.app = False
        st.session_state["_obs_run_seconds"] = time.perf_counter() - t0


def _under_apptest() -> bool:
    """A server never imports Streamlit's testing package; AppTest always has."""
    return "streamlit.testing.v1.app_test" in sys.modules


def ensure() -> None:
    """Called first by every page: when Streamlit ran the page without app.py, switch to app.py's navigation."""
    if getattr(_run, "app", False):
        return
    frame()
    if not _under_apptest() and not st.session_state.get(_SWITCHED):
        # First run of this session outside app.py: rerun once through app.py, before any widget is used,
        # so that widgets keep their identity afterwards (an upload on the very first screen is not lost).
        st.session_state[_SWITCHED] = True
        st.rerun()
