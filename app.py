"""Observatoire des contrats de ville — entry point: `streamlit run app.py`.

The pages live in pages/ and are declared, with their menu sections, in ui/navigation.py.

This file plays two parts. `streamlit run app.py` finds the `app = st.App(…)` below and serves it: Streamlit's
own server plus the observatory's session-cookie routes and middleware (ui/server.py). That server then runs
this same file as the page script, under the name "__main__", for every page view and interaction (and so
does AppTest).
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if __name__ == "__main__":
    from ui import navigation

    navigation.run_app()
else:
    from ui import server, warm

    app = st.App(__file__, routes=server.routes(), middleware=server.middleware(), lifespan=warm.lifespan)
