"""Observatoire des contrats de ville — entry point: `streamlit run app.py`.

Observation pages first, then the contract-life pages (each listed only when its file exists, so the app
runs while they are being written).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

st.set_page_config(page_title="Observatoire des contrats de ville", page_icon=str(ROOT / "ui" / "favicon.png"),
                   layout="wide", initial_sidebar_state="auto")

OBSERVATION = [
    ("accueil.py", "Accueil", ":material/home:", "accueil"),
    ("carte.py", "Carte", ":material/map:", "carte"),
    ("fiche.py", "Fiche quartier", ":material/description:", "fiche"),
    ("comparer.py", "Comparer", ":material/compare_arrows:", "comparer"),
    ("barometre.py", "Baromètre", ":material/traffic:", "barometre"),
    ("localiser.py", "Localiser", ":material/where_to_vote:", "localiser"),
]
CONTRACT_LIFE = [
    ("programmation.py", "Programmation", ":material/payments:", "programmation"),
    ("engagements.py", "Engagements", ":material/handshake:", "engagements"),
    ("enquetes.py", "Enquêtes", ":material/forum:", "enquetes"),
    ("referentiel.py", "Référentiel", ":material/account_tree:", "referentiel"),
    ("exports.py", "Exports COPIL & bilan", ":material/ios_share:", "exports"),
]


def _pages(entries):
    out = []
    for file, title, icon, url in entries:
        path = ROOT / "pages" / file
        if path.exists():
            out.append(st.Page(str(path), title=title, icon=icon, url_path=url,
                               default=(file == "accueil.py")))
    return out


sections = {"Observer les quartiers": _pages(OBSERVATION)}
contract = _pages(CONTRACT_LIFE)
if contract:
    sections["Vie du contrat"] = contract

page = st.navigation(sections)
with st.sidebar:
    st.caption("Observatoire des contrats de ville — données ouvertes INSEE, ANCT/ONPV, CNAF, ASP, FONJEP "
               "(Licence Ouverte 2.0). Fonctionne hors ligne.")
t0 = time.perf_counter()
try:
    page.run()
finally:
    # Script-run time of the page, read by bench/pages.py (AppTest adds its own polling overhead).
    st.session_state["_obs_run_seconds"] = time.perf_counter() - t0
