"""Observatoire des contrats de ville — entry point: `streamlit run app.py`.

The pages live in pages/ and are declared, with their menu sections, in ui/navigation.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui import navigation  # noqa: E402

navigation.run_app()
