"""The only way anything writes to the contract-life database (settings.saisie_target()).

Where it lives (contract.backend): a single DuckDB file (default, `OBSERVATOIRE_SAISIE_DB`) for one city on
one machine, or a PostgreSQL database (`OBSERVATOIRE_SAISIE_URL=postgresql://…`) that several Streamlit
replicas share. Same schema (contract/schema.sql), same guarantees on both:

- **One edit = one transaction**, with its audit rows (who, when, table, row, column, old value, new value)
  written in the same transaction: a killed process leaves either the whole edit or nothing.
- **Optimistic concurrency**: every row carries `row_version`. An update or delete names the version the
  user saw; if the row changed since, `ConflictError` says who changed it and when, and nothing is written.
  DuckDB's own write-write conflict detection (two transactions of one process touching the same row) is
  mapped to the same error; on PostgreSQL the second UPDATE waits for the first and its version check fails.
- **Every write checked here**, not only in the page: role, contract and, for a partenaire, the signataire
  of the row before and after the change (contract.roles). A refused write raises `PermissionDenied` and is
  recorded in the audit trail (op `refus`) in its own transaction, since the edit itself is rolled back.
- **Busy, not broken**: a locked DuckDB file, a PostgreSQL lock wait, deadlock or lost connection raise
  `StoreBusy` with a French message (no engine traceback); `apply()` first retries such an edit for up to
  `OBSERVATOIRE_SAISIE_TIMEOUT` seconds (default 20).

Connections are short-lived (one page run, one edit): a DuckDB file is opened and closed each time, so
another process (a command-line import) waits milliseconds for the lock; a PostgreSQL connection is taken
from and returned to the process's pool. Everyone goes through `connect()` / `edit()`, never through
duckdb.connect or psycopg directly.
"""
from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from contract import backend as engines
from contract.errors import ConflictError, NotFound, StoreBusy, StoreError, TextRefused, TransientError
from contract.roles import ANONYMOUS, PermissionDenied, User
from readers.text import CODE, FREE, LINE, TextRule, text_problem

SCHEMA_SQL = engines.SCHEMA_SQL
SCHEMA_VERSION = "6"   # 2: action.date_decision; 3: accounts (users, user_contract, login_failure, sessions); 4: action_residence;
                       # 5: login_lock per login and client, trusted_client, session_grant, sso_proof, users.email, sessions.via;
                       # 6: publication (what a contract publishes on the static site)

__all__ = ["connect", "read", "edit", "apply", "transaction", "Edit", "Ref", "ConflictError", "StoreBusy",
           "NotFound", "PermissionDenied", "StoreError", "TextRefused", "TABLES", "ACCOUNT_TABLES", "diff_frames", "available",
           "target_label"]


# --------------------------------------------------------------------------- table registry

@dataclass(frozen=True)
class TableSpec:
    name: str
    label: str                                  # French, for messages
    editable: frozenset[str]                    # columns users may change
    children: tuple[tuple[str, str], ...] = ()  # (table, column) deleted with the row (cascade)
    free: frozenset[str] = frozenset()          # free-text columns (line breaks kept, readers.text.FREE)
    codes: frozenset[str] = frozenset()         # short references users type (readers.text.CODE)

    def text_rule(self, column: str) -> TextRule:
        """The text rule of a column: free text, code, or one line (every other text column)."""
        return FREE if column in self.free else CODE if column in self.codes else LINE


def _spec(name, label, editable, children=(), free="", codes=""):
    return TableSpec(name, label, frozenset(editable.split()), tuple(children), frozenset(free.split()),
                     frozenset(codes.split()))


TABLES: dict[str, TableSpec] = {s.name: s for s in [
    _spec("contrat_quartier", "quartiers du contrat", "nom communes"),
    _spec("signataire", "signataires", "nom type_signataire"),
    _spec("action", "actions", "annee numero_dossier porteur_nom porteur_siret porteur_type intitule objectif "
          "thematique axe statut date_depot date_decision cout_total montant_sollicite note_pertinence note_coherence "
          "note_efficacite note_efficience note_impact note_participation note_partenariat evaluation import_id",
          [("action_quartier", "action_id"), ("action_financement", "action_id"),
           ("action_beneficiaire", "action_id"), ("ref_lien", "action_id"), ("action_residence", "action_id")],
          free="objectif evaluation", codes="numero_dossier"),
    _spec("action_quartier", "quartiers des actions", "quartier_code"),
    _spec("action_financement", "financements", "financeur montant_sollicite montant_accorde"),
    _spec("action_beneficiaire", "bénéficiaires", "phase sexe tranche_age n"),
    _spec("action_residence", "lieux de résidence des bénéficiaires", "lieu n import_id"),
    _spec("engagement", "engagements", "code signataire_id referent axe objectif intitule indicateur "
          "valeur_reference valeur_cible echeance statut preuve import_id",
          [("engagement_point", "engagement_id"), ("ref_lien", "engagement_id")],
          free="intitule objectif preuve", codes="code"),
    _spec("engagement_point", "points d'étape", "date_point statut valeur_constatee commentaire instance auteur "
          "import_id", free="commentaire"),
    _spec("enquete", "enquêtes", "titre methode",
          [("enquete_vague", "enquete_id"), ("echelle", "enquete_id"), ("question", "enquete_id"),
           ("repondant", "enquete_id"), ("verbatim", "enquete_id")], free="methode"),
    _spec("enquete_vague", "vagues d'enquête", "numero libelle date_debut date_fin"),
    _spec("echelle", "échelles de réponse", "code libelle", [("echelle_modalite", "echelle_id")]),
    _spec("echelle_modalite", "modalités de réponse", "ordre libelle favorable exclue"),
    _spec("question", "questions", "code libelle theme echelle_id ordre", [("reponse", "question_id")], codes="code"),
    _spec("repondant", "répondants", "quartier_code date_reponse",
          [("reponse", "repondant_id")]),
    _spec("reponse", "réponses", "modalite_id"),
    _spec("verbatim", "verbatims", "texte publiable quartier_code question_id", free="texte"),
    _spec("publication", "choix de publication du site public", "engagements verbatims"),
    _spec("ref_noeud", "référentiel", "parent_id niveau code libelle ordre",
          [("ref_lien", "noeud_id"), ("ref_indicateur", "noeud_id")], codes="code"),
    _spec("ref_lien", "liens du référentiel", "noeud_id action_id engagement_id"),
    _spec("ref_indicateur", "indicateurs du référentiel", "noeud_id code catalogue_id territoire_code libelle "
          "unite source responsable frequence valeur_reference annee_reference valeur_cible annee_cible "
          "valeur_actuelle date_actuelle", codes="code"),
]}
# French names of the text columns, for the store's refusals (« Texte refusé dans « Commentaire » … »).
COLUMN_LABELS = {
    "nom": "Nom", "communes": "Communes", "type_signataire": "Type de signataire", "numero_dossier": "N° dossier",
    "porteur_nom": "Porteur", "porteur_siret": "SIRET", "porteur_type": "Type de porteur", "intitule": "Intitulé",
    "objectif": "Objectif", "thematique": "Thématique", "axe": "Axe", "statut": "Statut", "evaluation": "Évaluation",
    "quartier_code": "Quartier", "financeur": "Financeur", "code": "Code", "referent": "Référent",
    "indicateur": "Indicateur", "preuve": "Preuve", "commentaire": "Commentaire", "instance": "Instance",
    "auteur": "Auteur", "titre": "Titre", "methode": "Méthode", "libelle": "Libellé", "theme": "Thème",
    "texte": "Texte", "niveau": "Niveau", "unite": "Unité", "source": "Source", "responsable": "Responsable",
    "frequence": "Fréquence", "catalogue_id": "Indicateur du catalogue", "territoire_code": "Territoire",
    "lieu": "Lieu de résidence",
}


def text_refusal(table: str, column: str, value, row: int | None = None) -> TextRefused | None:
    """The store's text rule for one value of `table.column` (readers.text.text_problem with the column's
    rule), as the French error an edit raises; None when the value may be stored. The message names the
    field and never repeats the refused text."""
    spec = TABLES[table]
    problem = text_problem(value, spec.text_rule(column), echo=False)
    if problem is None:
        return None
    why, expected = problem
    field_label = COLUMN_LABELS.get(column, column)
    return TextRefused(f"Texte refusé dans « {field_label} » ({spec.label}) : {why}. Attendu : {expected}. "
                       "Rien n'a été enregistré.", table, column, why, expected, row)

_SYSTEM_COLUMNS = {"id", "contrat_code", "is_demo", "row_version", "created_at", "created_by", "updated_at",
                   "updated_by"}
# Tables a partenaire may write: its own commitments and their reviews.
_PARTNER_TABLES = {"engagement", "engagement_point"}


# --------------------------------------------------------------------------- connections

ACCOUNT_TABLES = ("users", "user_contract", "login_lock", "trusted_client", "sessions", "session_grant",
                  "sso_proof")                                   # contract.accounts: no contrat_code
_ensured: set[str] = set()     # PostgreSQL targets whose schema this process already checked


def _timeout() -> float:
    return float(os.environ.get("OBSERVATOIRE_SAISIE_TIMEOUT", "20"))


def _schema_version(con) -> str | None:
    has_meta = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' "
                           "AND table_schema = current_schema()").fetchone()[0]
    if not has_meta:
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return row[0] if row else None


def ensure_schema(con, engine=None) -> None:
    """Create the tables on first use, or bring an older database up to SCHEMA_VERSION.

    Every statement of schema.sql is idempotent (CREATE … IF NOT EXISTS, ALTER TABLE … ADD COLUMN IF NOT
    EXISTS): on a database of an older version it only adds what is missing, in one transaction, and the
    rows already there are kept as they are (new columns start NULL). PostgreSQL replicas starting together
    take turns (advisory lock); threads of one DuckDB process racing are told apart by the conflict."""
    engine = engine or engines.backend_for(None)
    if engine.target in _ensured:       # PostgreSQL only: a DuckDB file may be deleted and created anew
        return
    if _schema_version(con) == SCHEMA_VERSION:
        if engine.kind == "postgresql":
            _ensured.add(engine.target)
        return
    try:
        con.execute("BEGIN TRANSACTION")
        engine.lock_schema(con)
        if _schema_version(con) != SCHEMA_VERSION:
            con.execute(engines.schema_sql(engine.kind))
            con.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE "
                        "SET value = excluded.value", [SCHEMA_VERSION])
        con.execute("COMMIT")
    except Exception as exc:
        _rollback(con)
        if not engine.write_conflict(exc):
            raise
        # Another thread of this process created the schema at the same moment: it is there now.
    if engine.kind == "postgresql":
        _ensured.add(engine.target)


@contextmanager
def _connection(path=None, timeout: float | None = None):
    """(engine, connection) for one short use; the connection goes back (closed or pooled) afterwards."""
    engine = engines.backend_for(path)
    con = engine.acquire(_timeout() if timeout is None else timeout)
    try:
        ensure_schema(con, engine)
        yield engine, con
    except Exception as exc:
        raise engines.damaged(engine, exc) or exc       # a damaged DuckDB file: French, never rewritten
    finally:
        engine.release(con)


@contextmanager
def connect(path: str | Path | None = None, timeout: float | None = None) -> Iterator[Any]:
    """A short-lived connection to the saisie database (created with its schema if missing).

    `path`: a DuckDB file, a `postgresql://` URL, or None for the configured one. Use it for one page run or
    one read, then let it go: that releases the file for other processes, or the connection to the pool.
    The connection speaks DuckDB's convention on both engines (`execute(sql, [params]).df()`, `?`)."""
    with _connection(path, timeout) as (_, con):
        yield con


def read(sql: str, params: list | tuple = (), path: str | Path | None = None) -> pd.DataFrame:
    """One SELECT on a short-lived connection."""
    with connect(path) as con:
        return con.execute(sql, list(params)).df()


def available(path: str | Path | None = None) -> bool:
    """Whether there is a saisie database to read without creating one: a PostgreSQL URL is configured, or
    the DuckDB file exists (exports never create the file)."""
    engine = engines.backend_for(path)
    return engine.kind == "postgresql" or Path(engine.target).exists()


def target_label(path: str | Path | None = None) -> str:
    """« fichier data/saisie.duckdb » or « PostgreSQL host:port/base » (no password), for messages."""
    return engines.backend_for(path).label


def dispose(path: str | Path | None = None) -> None:
    """Close this process's PostgreSQL pool for a target (tests, end of a CLI run); nothing for DuckDB."""
    engine = engines.backend_for(path)
    engine.dispose()
    _ensured.discard(engine.target)


@contextmanager
def transaction(path: str | Path | None = None, timeout: float | None = None):
    """`with store.transaction() as (engine, con):` one all-or-nothing transaction on a short-lived
    connection, for writes that are not table edits (contract.accounts). Lock waits, deadlocks and lost
    connections become TransientError (French); the caller decides whether to retry."""
    with _connection(path, timeout) as (engine, con):
        con.execute("BEGIN TRANSACTION")
        try:
            yield engine, con
            con.execute("COMMIT")
        except BaseException as exc:
            _rollback(con)
            if engine.transient(exc):
                raise engines.busy(exc) from exc
            raise


def retrying(run: Callable[[], Any], timeout: float | None = None):
    """run() again, with back-off, while it fails with TransientError, for up to `timeout` seconds
    (OBSERVATOIRE_SAISIE_TIMEOUT); then the last TransientError (a StoreBusy) goes through."""
    deadline = time.monotonic() + (_timeout() if timeout is None else timeout)
    delay = 0.05
    while True:
        try:
            return run()
        except TransientError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)


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


def _columns(description) -> list[str]:
    return [getattr(d, "name", None) or d[0] for d in description]


class EditSession:
    """One transaction: every insert/update/delete made through it commits together with its audit rows."""

    def __init__(self, con, user: User, progress: Callable | None = None, engine=None):
        self.con = con
        self.user = user
        self.engine = engine or engines.backend_for(None)
        self.edit_id = uuid.uuid4().hex
        self.now = datetime.now().replace(microsecond=0)
        self._progress = progress
        self.audit_rows: list[tuple] = []
        self.ids: list[int] = []             # ids of inserts, in order (for Ref)
        self.count = 0
        self.attempt: dict = {}              # the operation being checked (recorded if it is refused)
        self.dry_run = False                 # an import's --verifier: checks only, rolled back (imports/common)

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
        return dict(zip(_columns(cur.description), r))

    def _audit(self, op, table, row_id, contrat, column=None, old=None, new=None, is_demo=False) -> None:
        self.audit_rows.append((self.edit_id, contrat, self.now, self.user.login, op, table, row_id, column,
                                old, new, bool(is_demo)))

    def _resolve(self, values: dict) -> dict:
        return {k: (self.ids[v.index] if isinstance(v, Ref) else v) for k, v in values.items()}

    def _attempting(self, op: str, table: str, row_id=None, contrat=None, values=None) -> None:
        self.attempt = {"op": op, "table": table, "row_id": row_id, "contrat": contrat,
                        "values": {k: _jsonable(v) for k, v in (values or {}).items()}}

    def _integrity(self, spec: TableSpec, exc: Exception) -> StoreError:
        return StoreError(f"Doublon dans {spec.label} : {self.engine.duplicate_detail(exc)}")

    # -- permissions
    def _check(self, table: str, row: dict) -> None:
        user = self.user
        if not user.can_write:
            raise PermissionDenied("Lecture seule : connectez-vous avec un compte d'édition pour modifier "
                                   "les données du contrat.")
        contrat = row.get("contrat_code")
        if not user.covers(contrat):
            raise PermissionDenied(f"Votre compte ({user.login}) ne peut pas modifier le contrat {contrat}.")
        if user.manages(contrat):
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

    def check_import(self, contrat: str) -> None:
        """An import's dry run writes nothing, yet is refused (and audited) like the import itself."""
        self._attempting("import", "import_log", None, contrat, {"verification": True})
        self._check_manager(contrat, "importer des fichiers")

    def _check_manager(self, contrat: str, what: str) -> None:
        if not self.user.manages(contrat):
            raise PermissionDenied(f"Seul un chef de projet du contrat {contrat} (ou un administrateur) peut "
                                   f"{what}.")

    # -- operations
    def insert(self, table: str, values: dict, audit: bool = True) -> int:
        spec = TABLES[table]
        values = self._resolve(values)
        self._attempting("insert", table, None, values.get("contrat_code"), values)
        if not values.get("contrat_code"):
            raise StoreError(f"contrat_code manquant pour une ligne de {spec.label}")
        unknown = set(values) - spec.editable - {"contrat_code", "is_demo"} - _parent_columns(table)
        if unknown:
            raise StoreError(f"colonnes inconnues pour {spec.label} : {', '.join(sorted(unknown))}")
        self._check(table, values)
        _check_text(table, values)
        row = {**values, "created_at": self.now, "created_by": self.user.login}
        cols = list(row)
        sql = (f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)}) '
               f"RETURNING id")
        try:
            new_id = self.con.execute(sql, [row[c] for c in cols]).fetchone()[0]
        except self.engine.integrity_errors as exc:
            raise self._integrity(spec, exc) from exc
        self.ids.append(new_id)
        if audit:
            self._audit("insert", table, new_id, values["contrat_code"],
                        new=json.dumps({k: _jsonable(v) for k, v in values.items()}, ensure_ascii=False),
                        is_demo=values.get("is_demo"))
        self.count += 1
        return new_id

    def insert_many(self, table: str, rows: list[dict], audit_rows: bool = False) -> list[int]:
        """Bulk insert (survey answers, imports): same checks as insert, one summary audit row per call — or,
        with `audit_rows`, one audit row per inserted row as insert() writes (imported actions).

        Every row must have the same keys."""
        if not rows:
            return []
        spec = TABLES[table]
        cols = list(rows[0])
        self._attempting("insert", table, None, rows[0].get("contrat_code"), {"lignes": len(rows)})
        unknown = set(cols) - spec.editable - {"contrat_code", "is_demo"} - _parent_columns(table)
        if unknown:
            raise StoreError(f"colonnes inconnues pour {spec.label} : {', '.join(sorted(unknown))}")
        checked = set()
        for r in rows:
            key = (r.get("contrat_code"), r.get("signataire_id"), r.get("engagement_id"))
            if key not in checked:
                self._check(table, r)
                checked.add(key)
        for k, r in enumerate(rows):
            _check_text(table, r, k)
        ids = [r[0] for r in self.query("SELECT nextval('seq_id') FROM generate_series(1, ?)", [len(rows)])]
        columns = ["id", *cols, "created_at", "created_by"]
        records = [(i, *(r.get(c) for c in cols), self.now, self.user.login) for i, r in zip(ids, rows)]
        try:
            self.engine.bulk_insert(self.con, table, columns, records)
        except self.engine.integrity_errors as exc:
            raise self._integrity(spec, exc) from exc
        if audit_rows:
            for i, r in zip(ids, rows):
                self._audit("insert", table, i, r["contrat_code"],
                            new=json.dumps({k: _jsonable(v) for k, v in r.items()}, ensure_ascii=False),
                            is_demo=r.get("is_demo"))
        else:
            for c in sorted({r["contrat_code"] for r in rows}):
                self.note("insert", c, table, f"{sum(1 for r in rows if r['contrat_code'] == c)} ligne(s) ajoutées "
                          f"(ids {ids[0]}…{ids[-1]})", is_demo=bool(rows[0].get("is_demo")))
        self.ids.extend(ids)
        self.count += len(rows)
        return ids

    def _conflict(self, spec: TableSpec, row_id, version) -> ConflictError:
        """The row changed between our read and our write: say who changed it, as far as we can see."""
        now = self._row(spec.name, row_id)
        if now is None:
            return ConflictError(spec.label, row_id, detail=(
                f"Conflit de modification : la ligne {row_id} de « {spec.label} » a été supprimée par une autre "
                "session. Votre modification n'a pas été enregistrée : rechargez la page."))
        return ConflictError(spec.label, row_id, version, now.get("row_version"), now.get("updated_by"),
                             now.get("updated_at"))

    def update(self, table: str, row_id: int, version: int | None, changes: dict) -> bool:
        """Apply `changes` if the row is still at `version`. Returns False when nothing actually changed."""
        spec = TABLES[table]
        changes = self._resolve(changes)
        self._attempting("update", table, row_id, None, changes)
        bad = set(changes) - spec.editable
        if bad:
            raise StoreError(f"Colonne(s) non modifiable(s) dans {spec.label} : {', '.join(sorted(bad))}")
        old = self._row(table, row_id)
        if old is None:
            raise NotFound(f"La ligne {row_id} de « {spec.label} » n'existe plus (supprimée par une autre "
                           "session ?). Rechargez la page.")
        self.attempt["contrat"] = old["contrat_code"]
        if version is not None and old["row_version"] != version:
            raise ConflictError(spec.label, row_id, version, old["row_version"], old.get("updated_by"),
                                old.get("updated_at"))
        diff = {c: v for c, v in changes.items() if not _same(old.get(c), v)}
        if not diff:
            return False
        self._check(table, old)
        self._check(table, {**old, **diff})
        _check_text(table, diff)
        sets = ", ".join(f'"{c}" = ?' for c in diff)
        sql = (f'UPDATE "{table}" SET {sets}, row_version = row_version + 1, updated_at = ?, updated_by = ? '
               f"WHERE id = ? AND row_version = ? RETURNING id")
        params = [_jsonable(v) for v in diff.values()] + [self.now, self.user.login, row_id, old["row_version"]]
        try:
            done = self.con.execute(sql, params).fetchall()
        except self.engine.integrity_errors as exc:
            raise self._integrity(spec, exc) from exc
        if not done:
            raise self._conflict(spec, row_id, version if version is not None else old["row_version"])
        for c, v in diff.items():
            self._audit("update", table, row_id, old["contrat_code"], c, _text(old.get(c)), _text(v),
                        old.get("is_demo"))
        self.count += 1
        return True

    def delete(self, table: str, row_id: int, version: int | None = None, _cascade: bool = False) -> None:
        spec = TABLES[table]
        if not _cascade:
            self._attempting("delete", table, row_id)
        old = self._row(table, row_id)
        if old is None:
            if _cascade:
                return
            raise NotFound(f"La ligne {row_id} de « {spec.label} » n'existe plus. Rechargez la page.")
        if not _cascade:
            self.attempt["contrat"] = old["contrat_code"]
        if version is not None and old["row_version"] != version:
            raise ConflictError(spec.label, row_id, version, old["row_version"], old.get("updated_by"),
                                old.get("updated_at"))
        if self.user.is_partner and table == "engagement":
            raise PermissionDenied("Un partenaire ne peut pas supprimer un engagement : passez-le au statut "
                                   "« abandonné » ou demandez au chef de projet.")
        self._check(table, old)
        for child, col in spec.children:
            for (cid,) in self.query(f'SELECT id FROM "{child}" WHERE "{col}" = ?', [row_id]):
                self.delete(child, cid, _cascade=True)
        if not self.query(f'DELETE FROM "{table}" WHERE id = ? AND row_version = ? RETURNING id',
                          [row_id, old["row_version"]]):
            raise self._conflict(spec, row_id, old["row_version"])
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
        self._attempting("insert", "contrat", None, code, {"nom": nom})
        self._check_manager(code, "l'enregistrer ou importer des fichiers pour lui")
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
        self._attempting("delete", "contrat", None, contrat, {"demo": True})
        self._check_manager(contrat, "retirer ses données de démonstration")
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
        self._attempting("import", kind, None, contrat, {"fichier": file_name, "lignes": rows})
        self._check_manager(contrat, "importer des fichiers")
        import_id = self.con.execute(
            "INSERT INTO import_log (contrat_code, kind, file_name, sha256, rows, options, imported_at, imported_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [contrat, kind, file_name, sha256, rows, json.dumps(options, ensure_ascii=False, default=str),
             self.now, self.user.login]).fetchone()[0]
        self.note("import", contrat, kind, f"{file_name} : {rows} ligne(s) (import {import_id})")
        return import_id

    def _flush_audit(self) -> None:
        columns = ["edit_id", "contrat_code", "changed_at", "who", "op", "table_name", "row_id", "column_name",
                   "old_value", "new_value", "is_demo"]
        if len(self.audit_rows) > 50:         # an import's thousands of rows: one bulk insert, not row by row
            self.engine.bulk_insert(self.con, "audit", columns, self.audit_rows)
        elif self.audit_rows:
            self.con.executemany(f"INSERT INTO audit ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                                 self.audit_rows)


def _check_text(table: str, values: dict, row: int | None = None) -> None:
    """Raise TextRefused for the first text value of `values` the store's text rule refuses."""
    for column, value in values.items():
        if isinstance(value, str):
            exc = text_refusal(table, column, value, row)
            if exc is not None:
                raise exc


def _parent_columns(table: str) -> set[str]:
    """Link columns set at insert time only (action_id of a financement, …)."""
    return {
        "contrat_quartier": {"quartier_code"},
        "action_quartier": {"action_id"}, "action_financement": {"action_id"},
        "action_beneficiaire": {"action_id"}, "action_residence": {"action_id"},
        "engagement_point": {"engagement_id"},
        "enquete_vague": {"enquete_id"}, "echelle": {"enquete_id"}, "echelle_modalite": {"echelle_id"},
        "question": {"enquete_id"}, "repondant": {"enquete_id", "vague_id", "pseudo", "import_id"},
        "reponse": {"repondant_id", "question_id"}, "verbatim": {"enquete_id", "vague_id", "repondant_id"},
    }.get(table, set())


def _record_refusal(con, session: EditSession, exc: PermissionDenied) -> None:
    """The refused write, in the audit trail (op `refus`), in its own transaction: the edit itself was rolled
    back. Never hides the refusal: if even this fails, the PermissionDenied still reaches the caller."""
    a = session.attempt or {}
    detail = json.dumps({"motif": str(exc), "operation": a.get("op"), "valeurs": a.get("values")},
                        ensure_ascii=False, default=str)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO audit (edit_id, contrat_code, changed_at, who, op, table_name, row_id, column_name, "
                    "old_value, new_value, is_demo) VALUES (?, ?, ?, ?, 'refus', ?, ?, NULL, NULL, ?, FALSE)",
                    [session.edit_id, a.get("contrat") or "*", session.now, session.user.login,
                     a.get("table") or "*", a.get("row_id"), detail])
        con.execute("COMMIT")
    except Exception:  # noqa: BLE001 - the refusal matters more than its record
        _rollback(con)


DATA_VERSION = "data_version"          # key of meta: PostgreSQL's token of the last committed edit


def _mark_changed(engine, con) -> None:
    """PostgreSQL: a new token in meta with every committed edit, so that each replica's cached contract views
    (ui/demo.py, keyed by contract.service.version) see another replica's writes at once. A DuckDB file needs
    none — its modification time says it — and there one row that every writer updates would turn concurrent
    edits into conflicts (DuckDB's optimistic concurrency); PostgreSQL only queues them on that row at commit."""
    if engine.kind == "postgresql":
        con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [DATA_VERSION, uuid.uuid4().hex])


def data_version(path: str | Path | None = None) -> str | None:
    """The token of the last committed edit (PostgreSQL; None before the first one, and on DuckDB)."""
    with connect(path) as con:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [DATA_VERSION]).fetchone()
    return row[0] if row else None


@contextmanager
def edit(user: User = ANONYMOUS, path: str | Path | None = None, progress: Callable | None = None,
         timeout: float | None = None) -> Iterator[EditSession]:
    """`with store.edit(user) as tx: tx.insert(...); tx.update(...)` — all or nothing, audited.

    A refused write is rolled back, recorded (op `refus`) and re-raised as PermissionDenied; a lock wait,
    deadlock or lost connection becomes TransientError (a StoreBusy: French message, nothing written)."""
    with _connection(path, timeout) as (engine, con):
        con.execute("BEGIN TRANSACTION")
        session = EditSession(con, user, progress, engine)
        try:
            yield session
            session._flush_audit()
            _mark_changed(engine, con)
            con.execute("COMMIT")
        except PermissionDenied as exc:
            _rollback(con)
            _record_refusal(con, session, exc)
            raise
        except BaseException as exc:
            _rollback(con)
            if engine.write_conflict(exc):
                raise ConflictError("", None, detail=(
                    "Conflit de modification : une autre session a modifié les mêmes lignes au même moment. "
                    "Votre modification n'a pas été enregistrée : rechargez la page et refaites-la.")) from exc
            if engine.transient(exc):
                raise engines.busy(exc) from exc
            raise


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except Exception:  # noqa: BLE001 - nothing to roll back, or the connection is gone
        pass


def apply(edits: list[Edit], user: User = ANONYMOUS, path: str | Path | None = None,
          progress: Callable | None = None) -> list[int]:
    """Apply a batch of edits in one transaction. Returns the ids of the inserted rows, in order.

    A batch that meets a lock wait, deadlock or lost connection is re-run from the start (it is all or
    nothing) for up to OBSERVATOIRE_SAISIE_TIMEOUT seconds, then StoreBusy."""
    def run() -> list[int]:
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
    return retrying(run)


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


def contracts(con) -> pd.DataFrame:
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
        where.append("id IN (SELECT unnest(CAST(? AS BIGINT[])))")
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
