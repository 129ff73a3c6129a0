"""The saisie database on both engines, for tests: a private DuckDB file or a private PostgreSQL schema.

PostgreSQL comes from `OBSERVATOIRE_TEST_PG_URL` (CI: `.ci/run` starts a throwaway cluster and exports it);
without it, a throwaway cluster is started for the test session with scripts/pg_throwaway.sh when Debian's
PostgreSQL is installed. With neither, the PostgreSQL variants are skipped — except in CI (`CI=true`), where
they fail: CI must test both engines.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

from contract import store

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ["duckdb", "postgresql"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_throwaway(tmp_dir: Path, port: int | None = None) -> str | None:
    """URL of a throwaway cluster started in tmp_dir, or None when PostgreSQL is not installed."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        return None
    port = port or free_port()
    res = subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "start", str(tmp_dir), str(port)],
                         capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise RuntimeError(f"pg_throwaway.sh start failed: {res.stderr[-2000:]}")
    return res.stdout.strip().splitlines()[-1]


def stop_throwaway(tmp_dir: Path) -> None:
    subprocess.run(["bash", str(ROOT / "scripts" / "pg_throwaway.sh"), "stop", str(tmp_dir)], capture_output=True,
                   timeout=120)


def unavailable(reason: str):
    """Skip outside CI, fail in CI."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL required in CI: {reason}")
    pytest.skip(f"no PostgreSQL server: {reason}")


def schema_url(base: str, schema: str) -> str:
    """The server URL with `search_path` set to one schema: every table and the id sequence live there."""
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def new_pg_target(base: str) -> tuple[str, str]:
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    return schema_url(base, schema), schema


def drop_pg_target(base: str, url: str, schema: str) -> None:
    store.dispose(url)
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def copy_target(src, dst):
    """A private copy of a saisie database: file copy for DuckDB; for PostgreSQL (from either engine), dst is
    a fresh schema URL and every table is copied there (same ids, sequence moved past them)."""
    if not store.engines.is_url(str(src)) and not store.engines.is_url(str(dst)):
        shutil.copyfile(src, dst)
        return dst
    with store.connect(dst):
        pass
    top = 1
    with store.connect(src) as a, store.connect(dst) as b:
        for t in table_names(a):
            if t == "meta":
                b.execute("DELETE FROM meta")
            cols = [c for (c,) in a.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_schema = current_schema() ORDER BY ordinal_position", [t]).fetchall()]
            rows = a.execute(f'SELECT {", ".join(cols)} FROM "{t}"').fetchall()
            if rows:
                store.engines.backend_for(dst).bulk_insert(b, t, cols, rows)
                if "id" in cols:
                    top = max(top, max(r[cols.index("id")] for r in rows))
        b.execute(f"SELECT setval('seq_id', {int(top)})")
    return dst


def table_names(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = current_schema() ORDER BY 1").fetchall()]


def dump(target, refusals: bool = True) -> dict:
    """Every table's rows (sorted), for 'nothing changed' assertions. refusals=False leaves out the audit rows
    of refused writes (op 'refus'), which a refused edit adds on purpose."""
    with store.connect(target) as con:
        out = {}
        for t in table_names(con):
            where = " WHERE op <> 'refus'" if t == "audit" and not refusals else ""
            out[t] = sorted(con.execute(f'SELECT * FROM "{t}"{where}').fetchall(), key=repr)
        return out


def refusals(target) -> list[tuple]:
    with store.connect(target) as con:
        return con.execute("SELECT who, contrat_code, table_name, row_id, new_value FROM audit WHERE op = 'refus' "
                           "ORDER BY id").fetchall()
