"""The one contract write service for the pages, the exports and ui/: every change to the saisie database
from the interface goes through here — table edits (audited, optimistic concurrency), points d'étape,
imports through the in-page upload, the démo's creation — and so does the short-lived connection a page or
an export reads with (handed to the presentation views, which do the reading).

Renderers (pages/, ui/, exports/, charts/) import this module and presentation/, never contract.store,
contract.imports, contract.demo or contract.warehouse directly: one door, one set of French messages, one
place where a write is checked against the user's role (contract.store checks it again on every row).
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from contract import demo as demo_data
from contract import errors, store
from contract.imports import beneficiaires as beneficiaires_import
from contract.imports import engagements as engagements_import
from contract.imports import enquete as enquete_import
from contract.imports import programmation as programmation_import
from contract.imports import referentiel as referentiel_import
from contract.imports import templates
from contract.roles import ANONYMOUS, User
from readers.errors import InputError

# The store's errors, under one name for the pages (French messages).
ConflictError = store.ConflictError
PermissionDenied = store.PermissionDenied
StoreError = store.StoreError
StoreBusy = store.StoreBusy
SaisieDamaged = errors.SaisieDamaged
Edit = store.Edit

__all__ = ["ConflictError", "PermissionDenied", "StoreError", "StoreBusy", "SaisieDamaged", "InputError", "Edit", "available",
           "connect", "reading", "contracts", "editable_rows", "diff", "save", "edit", "add_review",
           "import_file", "IMPORT_KINDS", "template", "template_name", "template_signataires", "ensure_demo",
           "version"]

IMPORTERS = {"programmation": programmation_import.import_file, "engagements": engagements_import.import_file,
             "enquete": enquete_import.import_file, "beneficiaires": beneficiaires_import.import_file,
             "referentiel": referentiel_import.import_file}
IMPORT_KINDS = tuple(IMPORTERS)


# --------------------------------------------------------------------------- what changed (caches of views)

_writes = itertools.count(1)
_written = [0]                 # writes this process made through the service (bumped after each one)


def _wrote() -> None:
    _written[0] = next(_writes)


def version(path=None) -> tuple:
    """A stamp that changes whenever the saisie database may have changed: pages cache their contract views
    under it (ui/demo.py). A DuckDB file changes on disk at every commit (its WAL, then the checkpoint), whoever
    wrote — this process, another one, the command line —, so it is read without opening the file; PostgreSQL,
    shared by the replicas, keeps the token of the last committed edit (contract.store.data_version: one
    indexed read). Every write of this service moves it at once as well."""
    engine = store.engines.backend_for(path)
    if engine.kind == "postgresql":
        return engine.target, _written[0], store.data_version(path)
    files = []
    for f in (engine.target, engine.target + ".wal"):
        try:
            st = os.stat(f)
            files.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except FileNotFoundError:
            files.append(None)
    return engine.target, _written[0], tuple(files)


# --------------------------------------------------------------------------- connections (reads go to views)

def available(path=None) -> bool:
    """Whether a saisie database exists (exports never create one)."""
    return store.available(path)


@contextmanager
def connect(path=None, timeout: float | None = None) -> Iterator:
    """A short-lived saisie connection for one page run (created with its schema if missing)."""
    with store.connect(path, timeout) as sc:
        yield sc


@contextmanager
def reading(path=None, timeout: float | None = None) -> Iterator:
    """A short-lived saisie connection when a saisie database exists, else None (exports: open data only;
    the file is never created by reading)."""
    if not store.available(path):
        yield None
        return
    with store.connect(path, timeout) as sc:
        yield sc


def contracts(sc) -> pd.DataFrame:
    """Contracts registered in the saisie database (contrat_code, nom, is_demo, n_quartiers)."""
    return store.contracts(sc)


def editable_rows(sc, table: str, columns: list[str], **where) -> pd.DataFrame:
    """The rows a page offers for editing (id, row_version, columns), see contract.store.editable_rows."""
    return store.editable_rows(sc, table, columns, **where)


# --------------------------------------------------------------------------- writes

def diff(table: str, before: pd.DataFrame, after: pd.DataFrame, defaults: dict | None = None) -> list[Edit]:
    """The edits turning the snapshot a user edited into what they saved (row versions kept)."""
    return store.diff_frames(table, before, after, defaults)


def save(edits: list[Edit], user: User = ANONYMOUS, path=None) -> list[int]:
    """Apply a batch of edits as `user`, all or nothing, audited; ConflictError when someone else saved the
    same row meanwhile, PermissionDenied when the role does not allow it."""
    try:
        return store.apply(edits, user, path)
    finally:
        _wrote()


@contextmanager
def edit(user: User = ANONYMOUS, path=None):
    """`with service.edit(user) as tx:` a multi-step change in one transaction (see contract.store.edit)."""
    try:
        with store.edit(user, path) as tx:
            yield tx
    finally:
        _wrote()


def add_review(user: User, contrat: str, engagement_id: int, row_version: int, *, date: dt.date, statut: str,
               valeur: float | None = None, commentaire: str | None = None, instance: str | None = None,
               is_demo: bool = False, path=None) -> int:
    """A point d'étape on a commitment and the commitment's new status, in one transaction; the author is
    the user's name. Returns the new point's id."""
    with edit(user, path) as tx:
        pid = tx.insert("engagement_point", {
            "contrat_code": contrat, "engagement_id": int(engagement_id), "date_point": date, "statut": statut,
            "valeur_constatee": valeur, "commentaire": commentaire or None, "instance": instance,
            "auteur": user.nom or user.login, "is_demo": bool(is_demo)})
        tx.update("engagement", int(engagement_id), int(row_version), {"statut": statut})
    return pid


def import_file(kind: str, path: str | Path, contrat: str, user: User, verifier: bool, **extra) -> dict:
    """The command line's import of a contract-life file (`kind` of IMPORT_KINDS): `verifier` checks and
    previews without writing; otherwise all or nothing. InputError lists every problem (file, line, column)."""
    try:
        return IMPORTERS[kind](Path(path), contrat, user=user, verifier=verifier, **extra)
    finally:
        if not verifier:
            _wrote()


def template(kind: str, **context) -> bytes:
    """The XLSX import template of `kind` (headers, marked example rows, a notice sheet), filled with the
    contract's own quartiers and signataires (`context`: quartiers, signataires, contrat_nom)."""
    return templates.build(kind, **context)


def template_signataires(sc, contrat: str) -> list[str]:
    """The contract's real signataires, for its templates' example rows."""
    return templates.signataires_of(sc, contrat)


def template_name(kind: str) -> str:
    return templates.file_name(kind)


def has_template(kind: str) -> bool:
    return kind in templates.KINDS


def ensure_demo(warehouse_path, saisie_path, quiet: bool = True) -> bool:
    """Create the labelled démo dataset once when the saisie database is empty (same code as the CLI)."""
    try:
        return demo_data.ensure(warehouse_path, saisie_path, quiet=quiet)
    finally:
        _wrote()
