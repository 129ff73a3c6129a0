"""Export buttons (COPIL deck, annual report, fiche PDF, classeur) for the pages: one call each.

A deck takes seconds, so a click first BUILDS the file with a progress bar (the same builders as
`python -m exports`), then offers it for download; the bytes stay in the session until the inputs change.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import streamlit as st

from ui import common

# Lazy exporter imports (deliberate): each button imports its own exporter, so a page pays only for the one it
# offers (the fiche page the PDF, Comparer the classeur). Importing all four at the top would add exports.deck +
# exports.rapport (python-pptx, python-docx) to those pages: +1.0 s at a process's first page load (measured).
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _build(key: str, label: str, suffix: str, builder, container) -> bytes | None:
    """Run builder(con, out_path, progress) under a progress bar; keep the bytes in session state."""
    state_key = f"export_{key}"
    if container.button(label, key=f"btn_{key}", icon=":material/download:", width="stretch"):
        bar = container.progress(0.0, text="Préparation…")

        def progress(fraction: float, text: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

        try:
            with tempfile.TemporaryDirectory() as tmp, common.cursor() as con:
                out = Path(tmp) / f"export{suffix}"
                builder(con, out, progress)
                st.session_state[state_key] = out.read_bytes()
            bar.empty()
        except Exception as exc:  # noqa: BLE001 - show the reason to the user, keep the page alive
            bar.empty()
            container.error(f"L'export a échoué : {exc}")
            st.session_state.pop(state_key, None)
    return st.session_state.get(state_key)


def _offer(data: bytes | None, file_name: str, mime: str, key: str, container) -> None:
    if data:
        container.download_button(f"Télécharger {file_name}", data=data, file_name=file_name, mime=mime,
                                  key=f"dl_{key}", icon=":material/file_download:", width="stretch",
                                  on_click="ignore", type="primary")


def deck_button(contrat: str, depuis: dt.date | None = None, container=None) -> None:
    """COPIL deck (PPTX) of a contract."""
    from exports import deck  # lazy: this page's exporter only (note above)

    container = container or st
    key = f"deck_{contrat}_{depuis}"
    data = _build(key, "Préparer le diaporama COPIL (PPTX)", ".pptx",
                  lambda con, out, p: deck.build(con, contrat, out, depuis=depuis, progress=p), container)
    _offer(data, f"copil-{contrat}.pptx", PPTX, key, container)


def rapport_button(contrat: str, annee: int, container=None) -> None:
    """Annual report skeleton (DOCX) of a contract."""
    from exports import rapport  # lazy: this page's exporter only (note above)

    container = container or st
    key = f"rapport_{contrat}_{annee}"
    data = _build(key, f"Préparer la trame du rapport {annee} (DOCX)", ".docx",
                  lambda con, out, p: rapport.build(con, contrat, annee, out, progress=p), container)
    _offer(data, f"rapport-politique-de-la-ville-{contrat}-{annee}.docx", DOCX, key, container)


def fiche_pdf_button(quartier: str, container=None) -> None:
    """2-page fiche quartier (PDF)."""
    from exports import fiche_pdf  # lazy: this page's exporter only (note above)

    container = container or st
    key = f"fiche_{quartier}"
    data = _build(key, "Préparer la fiche PDF (2 pages A4)", ".pdf",
                  lambda con, out, p: fiche_pdf.build(con, quartier, out, progress=p), container)
    _offer(data, f"fiche-{quartier}.pdf", PDF, key, container)


def classeur_button(codes: list[str], container=None) -> None:
    """Workbook (XLSX) of every curated indicator for the selected territories."""
    from exports import classeur  # lazy: this page's exporter only (note above)

    container = container or st
    codes = list(dict.fromkeys(codes))
    key = "classeur_" + "_".join(codes)[:120]
    data = _build(key, "Préparer le classeur de tous les indicateurs (XLSX)", ".xlsx",
                  lambda con, out, p: classeur.build(con, codes, out, progress=p), container)
    name = codes[0] + (f"-et-{len(codes) - 1}-autres" if len(codes) > 1 else "") if codes else "selection"
    _offer(data, f"indicateurs-{name}.xlsx", XLSX, key, container)
