"""The two engines the saisie database can live on, behind the small connection interface contract.store uses.

- **DuckDB file** (default; `OBSERVATOIRE_SAISIE_DB`, default `data/saisie.duckdb`): embedded, one machine,
  one writing process at a time (file lock). Connections are short-lived; a process that finds the file
  locked retries with back-off, then raises StoreBusy.
- **PostgreSQL** (`OBSERVATOIRE_SAISIE_URL=postgresql://…`): a server several Streamlit replicas share.
  Connections come from a per-process pool (psycopg_pool, `OBSERVATOIRE_SAISIE_POOL` connections at most,
  default 10), in autocommit mode so that the store's explicit BEGIN/COMMIT delimit each edit. Writes wait
  at most `OBSERVATOIRE_SAISIE_LOCK_TIMEOUT` seconds (default 5) for a row another edit holds, then fail
  as TransientError and are retried by store.apply.

Both give the store a connection with DuckDB's calling convention: `con.execute(sql, params)` with `?`
placeholders, returning an object with `fetchone()`, `fetchall()`, `df()` and `description`. The SQL the
store, the imports and the indicators send is the common subset of both dialects (docs/CONTRAT.md says
which constructs to avoid); the schema (contract/schema.sql) is one file, with a PostgreSQL-only tail of
indexes that DuckDB does not need.
"""
from __future__ import annotations

import os
import random
import re
import threading
import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import numpy as np
import pandas as pd
import psycopg
from psycopg import errors as pg_errors
from psycopg.types.numeric import FloatLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from contract.errors import BUSY_MESSAGE, SaisieDamaged, StoreBusy, TransientError
from observatoire import db, settings

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
PG_ONLY_MARKER = "-- ==== PostgreSQL only"


def schema_sql(kind: str) -> str:
    """contract/schema.sql for one engine: everything for PostgreSQL, the part before the marker for DuckDB."""
    text = SCHEMA_SQL.read_text(encoding="utf-8")
    return text if kind == "postgresql" else text.split(PG_ONLY_MARKER)[0]


def is_url(target) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


# --------------------------------------------------------------------------- DuckDB file

_is_lock_error = db.is_lock_error


def damaged(engine, exc: BaseException) -> SaisieDamaged | None:
    """The French SaisieDamaged for an engine error that means the DuckDB file itself is unreadable."""
    if getattr(engine, "kind", None) != "duckdb" or not db.is_damage(exc):
        return None
    return SaisieDamaged(engine.path.name, db._short(exc))


class DuckDBBackend:
    kind = "duckdb"
    integrity_errors = (duckdb.ConstraintException,)

    def __init__(self, path: Path):
        self.path = Path(path)
        self.target = str(self.path)

    @property
    def label(self) -> str:
        return f"fichier {self.path}"

    # One DuckDB instance per file and process, shared by its threads (cursors) while any of them uses it, closed
    # when the last one is done so that another process (a command-line import) can take the file lock.
    # Opening and closing happen under one lock: DuckDB refuses two threads attaching the same file at once.
    _shared: dict[tuple[int, str], list] = {}          # (pid, path) -> [root connection, users]
    _lock = threading.Lock()

    def _open_root(self, timeout: float):
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=False, config=db.offline_config())
            except duckdb.Error as exc:
                if not _is_lock_error(exc):
                    raise damaged(self, exc) or exc
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"La base de saisie {self.path.name} est occupée par un autre programme depuis plus de "
                        f"{timeout:g} s (un import en cours, ou une autre instance du tableau de bord sur le même "
                        "fichier). Réessayez dans un instant.") from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.25)

    def acquire(self, timeout: float):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = (os.getpid(), str(self.path.resolve()))
        with self._lock:
            entry = self._shared.get(key)
            if entry is None:
                entry = self._shared[key] = [self._open_root(timeout), 0]
            entry[1] += 1
            try:
                return entry[0].cursor()
            except Exception:
                entry[1] -= 1
                raise

    def release(self, con) -> None:
        key = (os.getpid(), str(self.path.resolve()))
        con.close()
        with self._lock:
            entry = self._shared.get(key)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del self._shared[key]
                entry[0].close()

    def transient(self, exc: BaseException) -> bool:
        return isinstance(exc, duckdb.IOException) and _is_lock_error(exc)

    def write_conflict(self, exc: BaseException) -> bool:
        """DuckDB's own detection of two transactions of one process writing the same row."""
        return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()

    def lock_schema(self, con) -> None:
        """One process writes a DuckDB file: threads racing to create the schema are handled by the store."""

    def bulk_insert(self, con, table: str, columns: list[str], rows: list[tuple]) -> None:
        frame = pd.DataFrame.from_records(rows, columns=columns)
        con.register("_bulk_rows", frame)
        try:
            names = ", ".join(f'"{c}"' for c in columns)
            con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM _bulk_rows')
        finally:
            con.unregister("_bulk_rows")

    def duplicate_detail(self, exc: Exception) -> str:
        return str(exc).split("\n")[0].replace("Constraint Error: ", "")

    def dispose(self) -> None:
        pass


# --------------------------------------------------------------------------- PostgreSQL

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?|%")


@lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """DuckDB's `?` placeholders as psycopg's `%s` (and a literal `%` doubled), outside quotes and comments."""
    def repl(m: re.Match) -> str:
        tok = m.group(0)
        if tok == "?":
            return "%s"
        return tok.replace("%", "%%")
    return _TOKEN.sub(repl, sql)


def _param(v):
    """What psycopg can send: numpy scalars as Python ones, pandas' missing markers as NULL."""
    if v is None or isinstance(v, (str, bool, int, float, Decimal, bytes, list, tuple)):
        return v
    if isinstance(v, np.generic):
        return v.item()
    if v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


_DATES = {1082, 1114, 1184}           # date, timestamp, timestamptz
_INTS = {20, 21, 23, 26}               # int8, int2, int4, oid
_FLOATS = {700, 701, 1700}             # float4, float8, numeric (loaded as float)
_BOOL = 16


def _frame(columns, rows) -> pd.DataFrame:
    """A DataFrame typed like DuckDB's `.df()`: dates as datetime64, integers int64 (Int64 with NULLs),
    booleans bool (boolean with NULLs), numbers float64."""
    names = [c.name for c in columns]
    df = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    for i, col in enumerate(columns):
        s = df.iloc[:, i]
        oid = col.type_code
        if oid in _DATES:
            s = pd.to_datetime(s).astype("datetime64[us]")
        elif oid in _INTS:
            s = s.astype("Int64" if s.isna().any() else "int64")
        elif oid in _FLOATS:
            s = s.astype("float64")
        elif oid == _BOOL:
            s = s.astype("boolean" if s.isna().any() else "bool")
        else:
            continue
        df.isetitem(i, s)
    return df


class PgResult:
    """The part of a DuckDB result the project uses, over a psycopg cursor."""

    def __init__(self, cur: psycopg.Cursor):
        self._cur = cur

    @property
    def description(self):
        return self._cur.description

    def fetchone(self):
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    def df(self) -> pd.DataFrame:
        return _frame(self._cur.description or [], self._cur.fetchall())


class PgConnection:
    """A pooled psycopg connection speaking DuckDB's `execute(sql, [params])` convention."""

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw

    def execute(self, sql: str, params=None) -> PgResult:
        cur = self.raw.cursor()
        if params:
            cur.execute(pg_sql(sql), [_param(p) for p in params])
        else:
            cur.execute(sql)
        return PgResult(cur)

    def executemany(self, sql: str, rows) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(pg_sql(sql), [[_param(p) for p in r] for r in rows])

    def close(self) -> None:
        """Pooled: returned to the pool by the backend, never closed by callers."""


def _configure(conn: psycopg.Connection) -> None:
    # numeric (sum of bigints, averages) comes back as float, as DuckDB's DOUBLE/HUGEINT do in pandas
    conn.adapters.register_loader("numeric", FloatLoader)
    # how long a write waits for a row another edit holds before failing as TransientError (then retried)
    lock_ms = int(float(os.environ.get("OBSERVATOIRE_SAISIE_LOCK_TIMEOUT", "5")) * 1000)
    conn.execute(f"SET lock_timeout = {lock_ms}")
    conn.execute("SET idle_in_transaction_session_timeout = '10min'")


class PostgresBackend:
    kind = "postgresql"
    integrity_errors = (psycopg.IntegrityError,)
    _pools: dict[tuple[int, str], ConnectionPool] = {}
    _lock = threading.Lock()

    def __init__(self, url: str):
        self.target = url

    @property
    def label(self) -> str:
        u = urlsplit(self.target)
        return f"PostgreSQL {u.hostname or 'localhost'}:{u.port or 5432}{u.path or ''}"

    def _pool(self) -> ConnectionPool:
        key = (os.getpid(), self.target)
        pool = self._pools.get(key)
        if pool is None:
            with self._lock:
                pool = self._pools.get(key)
                if pool is None:
                    size = int(os.environ.get("OBSERVATOIRE_SAISIE_POOL", "10"))
                    pool = ConnectionPool(self.target, min_size=1, max_size=max(1, size),
                                          kwargs={"autocommit": True}, configure=_configure,
                                          check=ConnectionPool.check_connection, name="saisie", open=True)
                    self._pools[key] = pool
        return pool

    def acquire(self, timeout: float) -> PgConnection:
        try:
            return PgConnection(self._pool().getconn(timeout=timeout))
        except PoolTimeout as exc:
            raise StoreBusy(f"La base de saisie ({self.label}) ne répond pas depuis {timeout:g} s : serveur "
                            "arrêté, injoignable ou saturé. Réessayez dans un instant ; si cela dure, "
                            "prévenez l'administrateur.") from exc

    def release(self, con: PgConnection) -> None:
        self._pool().putconn(con.raw)

    def transient(self, exc: BaseException) -> bool:
        return isinstance(exc, (pg_errors.SerializationFailure, pg_errors.DeadlockDetected,
                                pg_errors.LockNotAvailable, psycopg.OperationalError))

    def write_conflict(self, exc: BaseException) -> bool:
        return False    # an UPDATE waits for the row, then its row_version check sees the other change

    def lock_schema(self, con) -> None:
        """Replicas starting together create the schema one after the other (transaction-level lock)."""
        con.execute("SELECT pg_advisory_xact_lock(hashtext('observatoire-saisie-schema:' || current_schema()))")

    def bulk_insert(self, con: PgConnection, table: str, columns: list[str], rows: list[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        with con.raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row([_param(v) for v in r])

    def duplicate_detail(self, exc: Exception) -> str:
        diag = getattr(exc, "diag", None)
        detail = (diag.message_detail if diag else None) or str(exc).split("\n")[0]
        m = re.match(r"Key \((.*)\)=\((.*)\) already exists\.", detail or "")
        return f"({m.group(1)}) = ({m.group(2)}) existe déjà" if m else detail

    def dispose(self) -> None:
        """Close this process's pool for the URL (tests, end of a CLI run)."""
        with self._lock:
            pool = self._pools.pop((os.getpid(), self.target), None)
        if pool is not None:
            pool.close()


def backend_for(target=None):
    """The engine of a saisie target: a `postgresql://` URL, a DuckDB file path, or None for the configured
    one (`OBSERVATOIRE_SAISIE_URL`, else `OBSERVATOIRE_SAISIE_DB`)."""
    if target is None:
        target = settings.saisie_target()
    if is_url(str(target)):
        return PostgresBackend(str(target))
    return DuckDBBackend(Path(target))


def busy(exc: BaseException) -> TransientError:
    """The French TransientError for a lock wait, deadlock, serialization failure or lost connection."""
    err = TransientError(BUSY_MESSAGE)
    err.__cause__ = exc
    return err
