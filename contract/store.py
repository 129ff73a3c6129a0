"""The only way anything writes to the contract-life database (settings.saisie_db_path()).

Guarantees
- **One edit = one DuckDB transaction**, with its audit rows (who, when, table, row, column, old value,
  new value) written in the same transaction: a killed process leaves either the whole edit or nothing
  (DuckDB writes its WAL at commit; an uncommitted transaction is simply absent on reopening).
- **Optimistic concurrency**: every row carries `row_version`. An update or delete names the version the
  user saw; if the row changed since, `ConflictError` says who changed it and when, and nothing is written.
  DuckDB's own write-write conflict detection (two transactions of one process touching the same row) is
  mapped to the same error. No change is ever lost silently.
- **Roles** (contract.roles) are checked on the row before and after the change, inside the transaction.

Concurrency model (decided for DuckDB, which allows one writing *process* per file): connections are
**short-lived** — opened for one edit or one page run, closed right after, so the file lock is held for
milliseconds. All threads of a process (Streamlit sessions) share DuckDB's in-process database instance;
another process (a command-line import, an export) that finds the file locked retries with back-off for
`OBSERVATOIRE_SAISIE_TIMEOUT` seconds (default 20) before raising `StoreBusy`. Everyone must open the file
through `connect()` (same configuration), never with duckdb.connect directly.
"""
from __future__ import annotations

import re

import json
import os
import random
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
import pandas as pd

from contract.roles import ANONYMOUS, PermissionDenied, User
from observatoire import db, settings

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
SCHEMA_VERSION = "2"   # 2: action.date_decision (added to older databases by schema.sql)

__all__ = ["connect", "read", "edit", "apply", "Edit", "Ref", "ConflictError", "StoreBusy", "NotFound",
           "PermissionDenied", "StoreError", "TABLES", "diff_frames"]


class StoreError(Exception):
    """A change could not be made; the message is French and can be shown as is."""


class ConflictError(StoreError):
    def __init__(self, table: str, row_id, seen_version=None, current_version=None, by=None, at=None,
                 detail: str | None = None):
        self.table, self.row_id = table, row_id
        self.seen_version, self.current_version, self.by, self.at = seen_version, current_version, by, at
        if detail:
            msg = detail
        else:
            who = f" par {by}" if by else ""
            when = f" le {at:%d/%m/%Y à %H:%M:%S}" if isinstance(at, datetime) else ""
            msg = (f"Conflit de modification : la ligne {row_id} de « {table} » a été modifiée{who}{when} "
                   f"depuis que vous l'avez ouverte (version {seen_version} → {current_version}). "
                   "Votre modification n'a pas été enregistrée : rechargez la page et refaites-la.")
        super().__init__(msg)


class StoreBusy(StoreError):
    pass


class NotFound(StoreError):
    pass


# --------------------------------------------------------------------------- table registry

@dataclass(frozen=True)
class TableSpec:
    name: str
    label: str                                  # French, for messages
    editable: frozenset[str]                    # columns users may change
    children: tuple[tuple[str, str], ...] = ()  # (table, column) deleted with the row (cascade)


def _spec(name, label, editable, children=()):
    return TableSpec(name, label, frozenset(editable.split()), tuple(children))


TABLES: dict[str, TableSpec] = {s.name: s for s in [
    _spec("contrat_quartier", "quartiers du contrat", "nom communes"),
    _spec("signataire", "signataires", "nom type_signataire"),
    _spec("action", "actions", "annee numero_dossier porteur_nom porteur_siret porteur_type intitule objectif "
          "thematique axe statut date_depot date_decision cout_total montant_sollicite note_pertinence note_coherence "
          "note_efficacite note_efficience note_impact note_participation note_partenariat evaluation import_id",
          [("action_quartier", "action_id"), ("action_financement", "action_id"),
           ("action_beneficiaire", "action_id"), ("ref_lien", "action_id")]),
    _spec("action_quartier", "quartiers des actions", "quartier_code"),
    _spec("action_financement", "financements", "financeur montant_sollicite montant_accorde"),
    _spec("action_beneficiaire", "bénéficiaires", "phase sexe tranche_age n"),
    _spec("engagement", "engagements", "code signataire_id referent axe objectif intitule indicateur "
          "valeur_reference valeur_cible echeance statut preuve import_id",
          [("engagement_point", "engagement_id"), ("ref_lien", "engagement_id")]),
    _spec("engagement_point", "points d'étape", "date_point statut valeur_constatee commentaire instance auteur "
          "import_id"),
    _spec("enquete", "enquêtes", "titre methode",
          [("enquete_vague", "enquete_id"), ("echelle", "enquete_id"), ("question", "enquete_id"),
           ("repondant", "enquete_id"), ("verbatim", "enquete_id")]),
    _spec("enquete_vague", "vagues d'enquête", "numero libelle date_debut date_fin"),
    _spec("echelle", "échelles de réponse", "code libelle", [("echelle_modalite", "echelle_id")]),
    _spec("echelle_modalite", "modalités de réponse", "ordre libelle favorable exclue"),
    _spec("question", "questions", "code libelle theme echelle_id ordre", [("reponse", "question_id")]),
    _spec("repondant", "répondants", "quartier_code date_reponse",
          [("reponse", "repondant_id")]),
    _spec("reponse", "réponses", "modalite_id"),
    _spec("verbatim", "verbatims", "texte publiable quartier_code question_id"),
    _spec("ref_noeud", "référentiel", "parent_id niveau code libelle ordre",
          [("ref_lien", "noeud_id"), ("ref_indicateur", "noeud_id")]),
    _spec("ref_lien", "liens du référentiel", "noeud_id action_id engagement_id"),
    _spec("ref_indicateur", "indicateurs du référentiel", "noeud_id code catalogue_id territoire_code libelle "
          "unite source responsable frequence valeur_reference annee_reference valeur_cible annee_cible "
          "valeur_actuelle date_actuelle"),
]}
_SYSTEM_COLUMNS = {"id", "contrat_code", "is_demo", "row_version", "created_at", "created_by", "updated_at",
                   "updated_by"}
# Tables a partenaire may write: its own commitments and their reviews.
_PARTNER_TABLES = {"engagement", "engagement_point"}


# --------------------------------------------------------------------------- connections

def _timeout() -> float:
    return float(os.environ.get("OBSERVATOIRE_SAISIE_TIMEOUT", "20"))


def _is_lock_error(exc: Exception) -> bool:
    txt = str(exc).lower()
    return "lock" in txt and ("could not set" in txt or "conflicting" in txt)


def _open(path: Path, timeout: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            return db.connect(path, read_only=False)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"La base de saisie {path.name} est occupée par un autre programme depuis plus de "
                    f"{timeout:g} s ({exc}). Réessayez dans un instant.") from exc
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.25)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables on first use, or bring an older database up to SCHEMA_VERSION.

    Every statement of schema.sql is idempotent (CREATE … IF NOT EXISTS, ALTER TABLE … ADD COLUMN IF NOT
    EXISTS): on a database of an older version it only adds what is missing, in one transaction, and the
    rows already there are kept as they are (new columns start NULL)."""
    try:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        version = None
    if version and version[0] == SCHEMA_VERSION:
        return
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        con.execute("COMMIT")
    except duckdb.TransactionException:
        # Another thread of this process created the schema at the same moment: it is there now.
        con.execute("ROLLBACK")
    except Exception:
        con.execute("ROLLBACK")
        raise


@contextmanager
def connect(path: str | Path | None = None, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the saisie database (created with its schema if missing).

    Use it for one page run or one read, then let it close: that releases the file for other processes."""
    path = Path(path or settings.saisie_db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, _timeout() if timeout is None else timeout)
    try:
        ensure_schema(con)
        yield con
    finally:
        con.close()


def read(sql: str, params: list | tuple = (), path: str | Path | None = None) -> pd.DataFrame:
    """One SELECT on a short-lived connection."""
    with connect(path) as con:
        return con.execute(sql, list(params)).df()


# --------------------------------------------------------------------------- edits

@dataclass(frozen=True)
class Ref:
    """Placeholder for the id of the n-th insert of the same `apply()` batch (parent then children)."""
    index: int


@dataclass
class Edit:
    table: str
    op: str                                  # insert | update | delete
    row_id: int | None = None
    version: int | None = None               # row_version the user saw (update/delete)
    values: dict[str, Any] = field(default_factory=dict)


def _jsonable(v):
    if v is None:
        return None
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return None
    if hasattr(v, "item"):          # numpy scalars
        return v.item()
    return v


def _text(v) -> str | None:
    v = _jsonable(v)
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _same(a, b) -> bool:
    """Equality as a user means it: 3 == 3.0, '' == None, dates compared as dates."""
    a, b = _jsonable(a), _jsonable(b)
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return _text(a) == _text(b)


class EditSession:
    """One transaction: every insert/update/delete made through it commits together with its audit rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, user: User, progress: Callable | None = None):
        self.con = con
        self.user = user
        self.edit_id = uuid.uuid4().hex
        self.now = datetime.now().replace(microsecond=0)
        self._progress = progress
        self.audit_rows: list[tuple] = []
        self.ids: list[int] = []             # ids of inserts, in order (for Ref)
        self.count = 0

    # -- helpers
    def query(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def df(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)

    def _row(self, table: str, row_id) -> dict | None:
        cur = self.con.execute(f'SELECT * FROM "{table}" WHERE id = ?', [row_id])
        r = cur.fetchone()
        if r is None:
            return None
        return dict(zip([d[0] for d in cur.description], r))

    def _audit(self, op, table, row_id, contrat, column=None, old=None, new=None, is_demo=False) -> None:
        self.audit_rows.append((self.edit_id, contrat, self.now, self.user.login, op, table, row_id, column,
                                old, new, bool(is_demo)))

    def _resolve(self, values: dict) -> dict:
        return {k: (self.ids[v.index] if isinstance(v, Ref) else v) for k, v in values.items()}

    # -- permissions
    def _check(self, table: str, row: dict) -> None:
        user = self.user
        if not user.can_write:
            raise PermissionDenied("Lecture seule : connectez-vous avec un compte d'édition pour modifier "
                                   "les données du contrat.")
        contrat = row.get("contrat_code")
        if not user.covers(contrat):
            raise PermissionDenied(f"Votre compte ({user.login}) ne peut pas modifier le contrat {contrat}.")
        if user.role == "edition":
            return
        # partenaire: only its own signataire's commitments and their points d'étape
        if table not in _PARTNER_TABLES:
            raise PermissionDenied(f"Un partenaire ne peut modifier que ses propres engagements "
                                   f"(pas les {TABLES[table].label}).")
        if table == "engagement_point":
            eng = self._row("engagement", row.get("engagement_id"))
            if eng is None:
                raise NotFound(f"Engagement {row.get('engagement_id')} introuvable.")
            sig_id = eng["signataire_id"]
        else:
            sig_id = row.get("signataire_id")
        sig = self._row("signataire", sig_id)
        if sig is None or sig["nom"] != user.signataire or sig["contrat_code"] != contrat:
            owner = sig["nom"] if sig else "?"
            raise PermissionDenied(f"Cet engagement appartient à « {owner} » : votre compte partenaire "
                                   f"({user.signataire}) ne peut modifier que ses propres engagements.")

    # -- operations
    def insert(self, table: str, values: dict, audit: bool = True) -> int:
        spec = TABLES[table]
        values = self._resolve(values)
        if not values.get("contrat_code"):
            raise StoreError(f"contrat_code manquant pour une ligne de {spec.label}")
        unknown = set(values) - spec.editable - {"contrat_code", "is_demo"} - _parent_columns(table)
        if unknown:
            raise StoreError(f"colonnes inconnues pour {spec.label} : {', '.join(sorted(unknown))}")
        self._check(table, values)
        row = {**values, "created_at": self.now, "created_by": self.user.login}
        cols = list(row)
        sql = (f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)}) '
               f"RETURNING id")
        try:
            new_id = self.con.execute(sql, [row[c] for c in cols]).fetchone()[0]
        except duckdb.ConstraintException as exc:
            raise StoreError(f"Doublon dans {spec.label} : {_constraint_detail(exc)}") from exc
        self.ids.append(new_id)
        if audit:
            self._audit("insert", table, new_id, values["contrat_code"],
                        new=json.dumps({k: _jsonable(v) for k, v in values.items()}, ensure_ascii=False),
                        is_demo=values.get("is_demo"))
        self.count += 1
        return new_id

    def insert_many(self, table: str, rows: list[dict]) -> list[int]:
        """Bulk insert (survey answers, imports): same checks as insert, one summary audit row per call.

        Every row must have the same keys."""
        if not rows:
            return []
        spec = TABLES[table]
        cols = list(rows[0])
        unknown = set(cols) - spec.editable - {"contrat_code", "is_demo"} - _parent_columns(table)
        if unknown:
            raise StoreError(f"colonnes inconnues pour {spec.label} : {', '.join(sorted(unknown))}")
        checked = set()
        for r in rows:
            key = (r.get("contrat_code"), r.get("signataire_id"), r.get("engagement_id"))
            if key not in checked:
                self._check(table, r)
                checked.add(key)
        ids = [r[0] for r in self.query("SELECT nextval('seq_id') FROM range(?)", [len(rows)])]
        frame = pd.DataFrame({"id": ids, **{c: [r.get(c) for r in rows] for c in cols},
                              "created_at": self.now, "created_by": self.user.login})
        self.con.register("_bulk_rows", frame)
        try:
            names = ", ".join(f'"{c}"' for c in frame.columns)
            self.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM _bulk_rows')
        except duckdb.ConstraintException as exc:
            raise StoreError(f"Doublon dans {spec.label} : {_constraint_detail(exc)}") from exc
        finally:
            self.con.unregister("_bulk_rows")
        contrats = sorted({r["contrat_code"] for r in rows})
        for c in contrats:
            self.note("insert", c, table, f"{sum(1 for r in rows if r['contrat_code'] == c)} ligne(s) ajoutées "
                      f"(ids {ids[0]}…{ids[-1]})", is_demo=bool(rows[0].get("is_demo")))
        self.ids.extend(ids)
        self.count += len(rows)
        return ids

    def update(self, table: str, row_id: int, version: int | None, changes: dict) -> bool:
        """Apply `changes` if the row is still at `version`. Returns False when nothing actually changed."""
        spec = TABLES[table]
        changes = self._resolve(changes)
        bad = set(changes) - spec.editable
        if bad:
            raise StoreError(f"Colonne(s) non modifiable(s) dans {spec.label} : {', '.join(sorted(bad))}")
        old = self._row(table, row_id)
        if old is None:
            raise NotFound(f"La ligne {row_id} de « {spec.label} » n'existe plus (supprimée par une autre "
                           "session ?). Rechargez la page.")
        if version is not None and old["row_version"] != version:
            raise ConflictError(spec.label, row_id, version, old["row_version"], old.get("updated_by"),
                                old.get("updated_at"))
        diff = {c: v for c, v in changes.items() if not _same(old.get(c), v)}
        if not diff:
            return False
        self._check(table, old)
        self._check(table, {**old, **diff})
        sets = ", ".join(f'"{c}" = ?' for c in diff)
        sql = (f'UPDATE "{table}" SET {sets}, row_version = row_version + 1, updated_at = ?, updated_by = ? '
               f"WHERE id = ? AND row_version = ? RETURNING id")
        params = [_jsonable(v) for v in diff.values()] + [self.now, self.user.login, row_id, old["row_version"]]
        try:
            done = self.con.execute(sql, params).fetchall()
        except duckdb.ConstraintException as exc:
            raise StoreError(f"Doublon dans {spec.label} : {_constraint_detail(exc)}") from exc
        if not done:
            raise ConflictError(spec.label, row_id, version, None)
        for c, v in diff.items():
            self._audit("update", table, row_id, old["contrat_code"], c, _text(old.get(c)), _text(v),
                        old.get("is_demo"))
        self.count += 1
        return True

    def delete(self, table: str, row_id: int, version: int | None = None, _cascade: bool = False) -> None:
        spec = TABLES[table]
        old = self._row(table, row_id)
        if old is None:
            if _cascade:
                return
            raise NotFound(f"La ligne {row_id} de « {spec.label} » n'existe plus. Rechargez la page.")
        if version is not None and old["row_version"] != version:
            raise ConflictError(spec.label, row_id, version, old["row_version"], old.get("updated_by"),
                                old.get("updated_at"))
        if self.user.role == "partenaire" and table == "engagement":
            raise PermissionDenied("Un partenaire ne peut pas supprimer un engagement : passez-le au statut "
                                   "« abandonné » ou demandez au chef de projet.")
        self._check(table, old)
        for child, col in spec.children:
            for (cid,) in self.query(f'SELECT id FROM "{child}" WHERE "{col}" = ?', [row_id]):
                self.delete(child, cid, _cascade=True)
        self.con.execute(f'DELETE FROM "{table}" WHERE id = ?', [row_id])
        self._audit("delete", table, row_id, old["contrat_code"],
                    old=json.dumps({k: _jsonable(v) for k, v in old.items()}, ensure_ascii=False, default=str),
                    is_demo=old.get("is_demo"))
        self.count += 1

    def note(self, op: str, contrat: str, table: str, detail: str, is_demo: bool = False) -> None:
        """A summary audit row (imports, démo generation, bulk purges)."""
        self._audit(op, table, None, contrat, new=detail, is_demo=is_demo)

    def register_contract(self, code: str, nom: str, quartiers: list[dict], porteur_code: str | None = None,
                          departement: str | None = None, is_demo: bool = False) -> None:
        """Create or refresh the contract and its quartiers (copied from the warehouse)."""
        if self.user.role != "edition" or not self.user.covers(code):
            raise PermissionDenied(f"Seul un compte d'édition du contrat {code} peut l'enregistrer ou importer des "
                                   "fichiers.")
        exists = self.query("SELECT is_demo FROM contrat WHERE contrat_code = ?", [code])
        if exists:
            self.con.execute("UPDATE contrat SET nom = ?, porteur_code = ?, departement = ?, "
                             "is_demo = is_demo AND ?, updated_at = ?, updated_by = ? WHERE contrat_code = ?",
                             [nom, porteur_code, departement, is_demo, self.now, self.user.login, code])
        else:
            self.con.execute("INSERT INTO contrat (contrat_code, nom, porteur_code, departement, is_demo, "
                             "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [code, nom, porteur_code, departement, is_demo, self.now, self.user.login])
            self._audit("insert", "contrat", None, code, new=nom, is_demo=is_demo)
        known = {r[0] for r in self.query("SELECT quartier_code FROM contrat_quartier WHERE contrat_code = ?",
                                          [code])}
        for q in quartiers:
            if q["quartier_code"] in known:
                self.con.execute("UPDATE contrat_quartier SET nom = ?, communes = ? WHERE contrat_code = ? "
                                 "AND quartier_code = ?", [q["nom"], q.get("communes"), code, q["quartier_code"]])
            else:
                self.insert("contrat_quartier", {"contrat_code": code, "quartier_code": q["quartier_code"],
                                                 "nom": q["nom"], "communes": q.get("communes"),
                                                 "is_demo": is_demo}, audit=False)

    def purge_demo(self, contrat: str, tables: list[str]) -> int:
        """Remove the démo rows of `tables` for a contract (when real data of that kind arrives)."""
        n = 0
        for t in tables:
            cnt = self.query(f'SELECT count(*) FROM "{t}" WHERE contrat_code = ? AND is_demo', [contrat])[0][0]
            if cnt:
                self.con.execute(f'DELETE FROM "{t}" WHERE contrat_code = ? AND is_demo', [contrat])
                self.note("delete", contrat, t, f"{cnt} ligne(s) de démonstration retirées", is_demo=True)
                n += cnt
        return n

    def log_import(self, kind: str, contrat: str, file_name: str, sha256: str, rows: int, options: dict) -> int:
        """Record an imported file (import_log) and a summary audit row; returns the import id."""
        if self.user.role != "edition" or not self.user.covers(contrat):
            raise PermissionDenied(f"Seul un compte d'édition du contrat {contrat} peut importer des fichiers.")
        import_id = self.con.execute(
            "INSERT INTO import_log (contrat_code, kind, file_name, sha256, rows, options, imported_at, imported_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [contrat, kind, file_name, sha256, rows, json.dumps(options, ensure_ascii=False, default=str),
             self.now, self.user.login]).fetchone()[0]
        self.note("import", contrat, kind, f"{file_name} : {rows} ligne(s) (import {import_id})")
        return import_id

    def _flush_audit(self) -> None:
        if self.audit_rows:
            self.con.executemany(
                "INSERT INTO audit (edit_id, contrat_code, changed_at, who, op, table_name, row_id, column_name, "
                "old_value, new_value, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.audit_rows)


def _parent_columns(table: str) -> set[str]:
    """Link columns set at insert time only (action_id of a financement, …)."""
    return {
        "contrat_quartier": {"quartier_code"},
        "action_quartier": {"action_id"}, "action_financement": {"action_id"},
        "action_beneficiaire": {"action_id"}, "engagement_point": {"engagement_id"},
        "enquete_vague": {"enquete_id"}, "echelle": {"enquete_id"}, "echelle_modalite": {"echelle_id"},
        "question": {"enquete_id"}, "repondant": {"enquete_id", "vague_id", "pseudo", "import_id"},
        "reponse": {"repondant_id", "question_id"}, "verbatim": {"enquete_id", "vague_id", "repondant_id"},
    }.get(table, set())


def _constraint_detail(exc: Exception) -> str:
    txt = str(exc)
    return txt.split("\n")[0].replace("Constraint Error: ", "")


@contextmanager
def edit(user: User = ANONYMOUS, path: str | Path | None = None, progress: Callable | None = None,
         timeout: float | None = None) -> Iterator[EditSession]:
    """`with store.edit(user) as tx: tx.insert(...); tx.update(...)` — all or nothing, audited."""
    with connect(path, timeout) as con:
        con.execute("BEGIN TRANSACTION")
        session = EditSession(con, user, progress)
        try:
            yield session
            session._flush_audit()
            con.execute("COMMIT")
        except duckdb.TransactionException as exc:
            _rollback(con)
            if "conflict" in str(exc).lower():
                raise ConflictError("", None, detail=(
                    "Conflit de modification : une autre session a modifié les mêmes lignes au même moment. "
                    "Votre modification n'a pas été enregistrée : rechargez la page et refaites-la.")) from exc
            raise
        except BaseException:
            _rollback(con)
            raise


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def apply(edits: list[Edit], user: User = ANONYMOUS, path: str | Path | None = None,
          progress: Callable | None = None) -> list[int]:
    """Apply a batch of edits in one transaction. Returns the ids of the inserted rows, in order."""
    with edit(user, path, progress) as tx:
        for i, e in enumerate(edits):
            if e.op == "insert":
                tx.insert(e.table, e.values)
            elif e.op == "update":
                tx.update(e.table, e.row_id, e.version, e.values)
            elif e.op == "delete":
                tx.delete(e.table, e.row_id, e.version)
            else:
                raise StoreError(f"opération inconnue : {e.op}")
            tx.progress(i + 1, len(edits))
        return list(tx.ids)


def diff_frames(table: str, before: pd.DataFrame, after: pd.DataFrame, defaults: dict | None = None) -> list[Edit]:
    """Edits turning `before` into `after` (both with `id` and `row_version` columns; as from st.data_editor).

    Rows of `after` without id are inserts (completed with `defaults`, e.g. contrat_code); rows of
    `before` missing from `after` are deletes; other rows are updates of their editable columns, carrying
    the row_version the user saw, so that a concurrent change raises ConflictError instead of being lost."""
    spec = TABLES[table]
    edits: list[Edit] = []
    before_by_id = {int(r["id"]): r for r in before.to_dict("records")}
    seen = set()
    for r in after.to_dict("records"):
        rid = r.get("id")
        if rid is None or (isinstance(rid, float) and rid != rid) or pd.isna(rid):
            values = {k: _jsonable(v) for k, v in r.items() if k in spec.editable | _parent_columns(table)
                      and not _same(v, None)}
            edits.append(Edit(table, "insert", values={**(defaults or {}), **values}))
            continue
        rid = int(rid)
        seen.add(rid)
        old = before_by_id.get(rid)
        if old is None:
            continue
        changes = {c: _jsonable(r[c]) for c in spec.editable if c in r and c in old and not _same(old[c], r[c])}
        if changes:
            edits.append(Edit(table, "update", rid, int(old["row_version"]), changes))
    for rid, old in before_by_id.items():
        if rid not in seen:
            edits.append(Edit(table, "delete", rid, int(old["row_version"])))
    return edits


def has_data(path: str | Path | None = None) -> bool:
    """Whether the saisie database holds any contract-life row (démo or real)."""
    with connect(path) as con:
        return bool(con.execute("SELECT count(*) FROM contrat").fetchone()[0])


def contracts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Contracts present in the saisie database, with whether their data are démo."""
    return con.execute(
        "SELECT contrat_code, nom, is_demo, (SELECT count(*) FROM contrat_quartier q "
        "WHERE q.contrat_code = c.contrat_code) AS n_quartiers FROM contrat c ORDER BY is_demo, nom").df()


_IDENT = re.compile(r"[a-z_][a-z0-9_]*")


def editable_rows(con, table: str, columns: list[str], *, ids: list[int] | None = None,
                  contrat: str | None = None, enquete_id: int | None = None, order: str | None = None) -> pd.DataFrame:
    """`id`, `row_version` and `columns` of the rows of `table` a page offers for editing (by ids, by contract
    or by survey), in `order` (a column name). The page edits them and hands back frames to diff_frames."""
    if table not in TABLES or not all(_IDENT.fullmatch(c) for c in columns + ([order] if order else [])):
        raise StoreError(f"Lecture refusée : table {table} ou colonnes {', '.join(columns)} non reconnues")
    where, params = [], []
    if ids is not None:
        where.append("list_contains(?, id)")
        params.append([int(i) for i in ids])
    if contrat is not None:
        where.append("contrat_code = ?")
        params.append(contrat)
    if enquete_id is not None:
        where.append("enquete_id = ?")
        params.append(int(enquete_id))
    sql = (f"SELECT id, row_version, {', '.join(columns)} FROM {table}"
           + (" WHERE " + " AND ".join(where) if where else "") + (f" ORDER BY {order}" if order else " ORDER BY id"))
    return con.execute(sql, params).df()
