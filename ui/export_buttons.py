"""Export buttons (COPIL deck, annual report, fiche PDF, classeur) for the pages: one call each.

A deck takes seconds. A click puts the export in the session's queue: ONE worker thread per session builds
the files one after another (the same builders as `python -m exports`), so a second click, another widget
or another page never cancels an export being made (a Streamlit rerun would stop a build run inside the
script). While an export waits or works, its place shows a progress bar refreshed every second (a fragment
that polls the job); when it is ready, a download button offers the file, named by
presentation.filenames (`copil-toulouse-metropole-2026-12-06.pptx`). The bytes stay in the session.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import streamlit as st

from presentation import search as search_view
from observatoire import db
from presentation import filenames
from ui import common

# Lazy exporter imports (deliberate): each button imports its own exporter, so a page pays only for the one it
# offers (the fiche page the PDF, Comparer the classeur). Importing all four at the top would add exports.deck +
# exports.rapport (python-pptx, python-docx) to those pages: +1.0 s at a process's first page load (measured).
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
POLL_SECONDS = 1.0
_QUEUE = "_obs_exports"


@dataclass
class Job:
    """One export of the session: its state is written by the worker thread, read by the page."""
    key: str
    file_name: str
    mime: str
    fraction: float = 0.0
    text: str = "En attente…"
    data: bytes | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def working(self) -> bool:
        return not self.done.is_set()


class ExportQueue:
    """The session's exports, built one after another by a single worker thread (it ends with the session:
    a ThreadPoolExecutor's idle thread exits when the executor is garbage-collected)."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="obs-export")

    def submit(self, job: Job, build: Callable[[Path, Callable], None], suffix: str) -> None:
        self.jobs[job.key] = job
        self._pool.submit(self._run, job, build, suffix)

    def waiting_before(self, job: Job) -> int:
        """How many unfinished exports were asked before this one (dict order is submission order)."""
        before = 0
        for other in self.jobs.values():
            if other is job:
                return before
            before += other.working
        return before

    @staticmethod
    def _run(job: Job, build, suffix: str) -> None:
        def progress(fraction: float, text: str) -> None:
            job.fraction, job.text = min(max(float(fraction), 0.0), 1.0), text

        progress(0.0, "Préparation…")
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / f"export{suffix}"
                build(out, progress)
                job.data = out.read_bytes()
        except Exception as exc:  # noqa: BLE001 - the reason is shown to the user, the queue goes on
            job.error = str(exc) or type(exc).__name__
        finally:
            job.done.set()


def queue() -> ExportQueue:
    """The session's export queue (created at the first export)."""
    if _QUEUE not in st.session_state:
        st.session_state[_QUEUE] = ExportQueue()
    return st.session_state[_QUEUE]


def _submit(key: str, file_name: str, mime: str, suffix: str, builder, renders: bool = False) -> None:
    """Button callback (script thread): the worker gets its own cursor of the app's warehouse connection. An
    export with charts (`renders`) uses the process's one Chrome renderer, started by the first one and kept
    for the next ones (starting Chrome costs seconds; kaleido stops it when the app exits)."""
    con = common.connection()

    def build(out: Path, progress) -> None:
        if renders:
            from exports import render  # lazy, like the exporters (note above)
            render.ensure_server()
        cur = db.cursor(con)
        try:
            builder(cur, out, progress)
        finally:
            cur.close()

    queue().submit(Job(key, file_name, mime), build, suffix)


def _build(key: str, label: str, suffix: str, builder, container, file_name: str, mime: str,
           renders: bool = False) -> None:
    """The « Préparer » button, then the export's progress or its download button."""
    job = queue().jobs.get(key)
    working = job is not None and job.working
    container.button(label, key=f"btn_{key}", icon=":material/download:", width="stretch", disabled=working,
                     on_click=_submit, args=(key, file_name, mime, suffix, builder, renders),
                     help="Préparation en cours : le fichier sera proposé ici." if working else None)
    if job is None:
        return
    with container.container():
        if working:
            st.fragment(_progress, run_every=POLL_SECONDS)(key)
        else:
            _offer(job)


def _progress(key: str) -> None:
    """Fragment refreshed every second while the export waits or works; a full rerun once it is done."""
    q = queue()
    job = q.jobs[key]
    if not job.working:
        st.rerun(scope="app")
    ahead = q.waiting_before(job)
    text = (f"En attente : {ahead} export{'s' if ahead > 1 else ''} à terminer avant celui-ci…" if ahead
            else job.text)
    st.progress(job.fraction, text=text)


def _offer(job: Job) -> None:
    if job.error:
        st.error(f"L'export a échoué : {job.error}")
    elif job.data:
        st.download_button(f"Télécharger {job.file_name}", data=job.data, file_name=job.file_name, mime=job.mime,
                           key=f"dl_{job.key}", icon=":material/file_download:", width="stretch",
                           on_click="ignore", type="primary")


def prepared(key: str) -> bytes | None:
    """The bytes of a finished export of this session (None while it works or when it failed)."""
    job = queue().jobs.get(key)
    return job.data if job is not None and not job.working else None


def _name(code: str) -> str:
    return common.run(search_view.territory_name, code)


def deck_button(contrat: str, depuis: dt.date | None = None, container=None) -> None:
    """COPIL deck (PPTX) of a contract."""
    from exports import deck  # lazy: this page's exporter only (note above)

    _build(f"deck_{contrat}_{depuis}", "Préparer le diaporama COPIL (PPTX)", ".pptx",
           lambda con, out, p: deck.build(con, contrat, out, depuis=depuis, progress=p), container or st,
           filenames.copil(_name(contrat)), PPTX)


def rapport_button(contrat: str, annee: int, container=None) -> None:
    """Annual report skeleton (DOCX) of a contract."""
    from exports import rapport  # lazy: this page's exporter only (note above)

    _build(f"rapport_{contrat}_{annee}", f"Préparer la trame du rapport {annee} (DOCX)", ".docx",
           lambda con, out, p: rapport.build(con, contrat, annee, out, progress=p), container or st,
           filenames.rapport(annee, _name(contrat)), DOCX)          # native charts, Pillow map: no Chrome


def fiche_pdf_button(quartier: str, container=None) -> None:
    """2-page fiche quartier (PDF)."""
    from exports import fiche_pdf  # lazy: this page's exporter only (note above)

    _build(f"fiche_{quartier}", "Préparer la fiche PDF (2 pages A4)", ".pdf",
           lambda con, out, p: fiche_pdf.build(con, quartier, out, progress=p), container or st,
           filenames.fiche(_name(quartier), quartier), PDF)      # charts and map in vectors: no renderer


def classeur_button(codes: list[str], container=None, contrat: str | None = None) -> None:
    """Workbook (XLSX) of every curated indicator for the selected territories; named after `contrat` when
    they are a contract's quartiers, else after the first territory and how many others."""
    from exports import classeur  # lazy: this page's exporter only (note above)

    codes = list(dict.fromkeys(codes))
    words = [_name(contrat)] if contrat else filenames.selection_words(_name(codes[0]) if codes else None, len(codes))
    _build("classeur_" + "_".join(codes)[:120], "Préparer le classeur de tous les indicateurs (XLSX)", ".xlsx",
           lambda con, out, p: classeur.build(con, codes, out, progress=p), container or st,
           filenames.classeur(words), XLSX)
