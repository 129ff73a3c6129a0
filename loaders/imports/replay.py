"""User imports survive rebuilds: every accepted import is kept in settings.imports_dir() (a copy of the
file + manifest.json) and replayed by the build step "user_imports" into the new warehouse.

Registry: REPLAYERS maps an import kind to "module:function"; the function is called as
    function(con, path, options) -> number of rows written
with `con` the warehouse connection (inside a transaction opened here), `path` the stored copy of the
user's file and `options` the JSON-able options recorded at import time. It validates like the first
import did and raises readers.errors.InputError on bad input. To add a kind, add one line below and call
`record(...)` from the kind's `run()` once its own transaction has written the rows.

A replay that fails (e.g. a territory code no longer in the warehouse) does not stop the build: the
import is skipped and reported in build_warning.
"""
from __future__ import annotations

import importlib
import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from contract.roles import cli_user
from loaders import derived, swap
from observatoire import db, settings
from readers import tabular
from readers.errors import InputError

REPLAYERS: dict[str, str] = {
    "indicateurs": "loaders.imports.indicateurs:apply",
    "contours": "loaders.imports.contours:apply",
}

MANIFEST = "manifest.json"


def manifest_path(imports_dir: Path | None = None) -> Path:
    return Path(imports_dir or settings.imports_dir()) / MANIFEST


def stored_imports(imports_dir: Path | None = None) -> list[dict]:
    """Recorded imports, oldest first (empty list when nothing was ever imported)."""
    p = manifest_path(imports_dir)
    if not p.exists():
        return []
    return json.loads(p.read_text(encoding="utf-8"))


def _write_manifest(entries: list[dict], imports_dir: Path | None = None) -> None:
    p = manifest_path(imports_dir)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, p)


def resolve(kind: str):
    if kind not in REPLAYERS:
        raise KeyError(f"type d'import inconnu : {kind} (connus : {', '.join(REPLAYERS)})")
    module, func = REPLAYERS[kind].split(":")
    return getattr(importlib.import_module(module), func)


class Recording:
    """Copy of the file + manifest entry, made while the caller's transaction is still open.

    Usage:  rec = record(con, kind, path, options, rows)   # inside the transaction, after the inserts
            con.execute("COMMIT")                          # if the commit fails: rec.undo()
    """

    def __init__(self, entry: dict, stored: Path, previous: list[dict], imports_dir: Path | None):
        self.entry, self.stored, self.previous, self.imports_dir = entry, stored, previous, imports_dir

    def undo(self) -> None:
        self.stored.unlink(missing_ok=True)
        _write_manifest(self.previous, self.imports_dir)


def record(con, kind: str, path: Path, options: dict, rows: int, imports_dir: Path | None = None) -> Recording:
    """Keep a copy of the user's file, add it to the manifest and to table user_import (same transaction).
    The import's identity (id, date, who) is the one apply() used (`options["_import"]`)."""
    path = Path(path)
    imports_dir = Path(imports_dir or settings.imports_dir())
    imports_dir.mkdir(parents=True, exist_ok=True)
    meta = options.pop("_import", None) or new_import_meta()
    stored = imports_dir / f"{meta['import_id']}__{path.name}"
    shutil.copyfile(path, stored)
    entry = {"import_id": meta["import_id"], "kind": kind, "file_name": path.name, "stored_name": stored.name,
             "options": options, "sha256": tabular.file_sha256(path), "imported_at": meta["imported_at"],
             "imported_by": meta["imported_by"], "rows": rows}
    previous = stored_imports(imports_dir)
    _write_manifest(previous + [entry], imports_dir)
    _insert_user_import(con, entry)
    return Recording(entry, stored, previous, imports_dir)


def entry_meta(entry: dict) -> dict:
    """The recorded identity of an import, for its replay (older manifests have no `imported_by`)."""
    return {"import_id": entry["import_id"], "imported_at": entry["imported_at"],
            "imported_by": entry.get("imported_by") or "inconnu"}


def import_transaction(kind: str, path: Path, options: dict, db_path: Path | None = None,
                       dry_run: bool = False) -> tuple[int, list[str]]:
    """Apply a user file with its kind's replayer and record it, all in one transaction on a private copy of
    the warehouse, swapped in at the end (loaders.swap: the served file is never opened for writing).

    Returns (rows written, notes). On any error — or with `dry_run` — nothing is kept: no copy of the file,
    no manifest entry, the warehouse file untouched."""
    apply = resolve(kind)
    target = Path(db_path or settings.db_path())
    rec = None
    with swap.writer_lock(target):
        try:
            with swap.private_copy(target) as copy:
                con = db.connect(copy.path, read_only=False)
                try:
                    con.execute("BEGIN TRANSACTION")
                    try:
                        options.setdefault("_import", new_import_meta())
                        rows = apply(con, path, options)
                        notes = options.pop("_notes", [])
                        options.pop("_report", None)
                        if dry_run:
                            con.execute("ROLLBACK")
                            copy.discard = True
                        else:
                            derived.refresh(con)   # a contours import changes the crosswalk: approximations follow
                            rec = record(con, kind, path, options, rows)
                            con.execute("COMMIT")
                            con.execute("CHECKPOINT")
                    except BaseException:
                        if not copy.discard:
                            con.execute("ROLLBACK")
                        raise
                finally:
                    con.close()
        except BaseException:
            if rec is not None:
                rec.undo()
            raise
    return rows, notes


def new_import_meta(user: str | None = None) -> dict:
    """Identity of an import, decided once and replayed as recorded: id, date, who imported."""
    now = datetime.now()
    return {"import_id": now.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6],
            "imported_at": now.isoformat(timespec="seconds"), "imported_by": user or cli_user().login}


def _insert_user_import(con, entry: dict) -> None:
    con.execute("INSERT INTO user_import VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        entry["import_id"], entry["kind"], entry["file_name"], json.dumps(entry["options"], ensure_ascii=False),
        entry["sha256"], datetime.fromisoformat(entry["imported_at"]), entry["rows"],
        entry.get("imported_by") or "inconnu"])


def load(ctx) -> None:
    """Build step: replay every recorded import, oldest first, each in its own transaction."""
    con = ctx.con
    for entry in stored_imports():
        stored = settings.imports_dir() / entry["stored_name"]
        name = entry["file_name"]
        if not stored.exists():
            ctx.warn(f"import {entry['import_id']} ({entry['kind']}) non rejoué : copie du fichier introuvable "
                     f"({stored})", source_file=name)
            continue
        try:
            func = resolve(entry["kind"])
        except KeyError as exc:
            ctx.warn(f"import {entry['import_id']} non rejoué : {exc}", source_file=name)
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            rows = func(con, stored, {**entry["options"], "_import": entry_meta(entry)})
            _insert_user_import(con, {**entry, "rows": rows})
            con.execute("COMMIT")
        except InputError as exc:
            con.execute("ROLLBACK")
            ctx.warn(f"import {entry['import_id']} ({entry['kind']}) non rejoué : {exc}", source_file=name,
                     line=exc.line, column=exc.column)
            continue
        except Exception:
            con.execute("ROLLBACK")
            raise
        ctx.log_file(stored, rows, f"import utilisateur rejoué : {entry['kind']} {name} ({entry['import_id']})")
