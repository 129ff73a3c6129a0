"""Memo shared by every connection and cursor to the same warehouse build.

Pages open a fresh cursor per call (DuckDB connections are not shared between Streamlit threads), so caching
per connection object would never hit. The memo is keyed by the database file and the build stamp
(max(load_log.loaded_at) and the user imports), read once per connection object: a rebuilt warehouse gets a new key, an in-memory or
unstamped database gets a per-connection memo. The warehouse is read-only for the library, so entries never go
stale within a key.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict

_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STORE: OrderedDict[tuple, dict] = OrderedDict()
_MAX_BUILDS = 4


def _key(con) -> tuple:
    try:
        path = con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    except Exception:  # noqa: BLE001 — non-DuckDB or exotic connection: per-object memo
        path = None
    if not path:
        return ("connection",)
    try:
        # user imports (swapped in without a rebuild) change the catalogue too: they are part of the stamp
        stamp = con.execute("SELECT max(loaded_at), count(*), (SELECT count(*) || '/' || coalesce(max(import_id), '') "
                            "FROM user_import) FROM load_log").fetchone()
    except Exception:  # noqa: BLE001 — a database without load_log (tests' mini warehouses)
        return ("connection",)
    if stamp[0] is None:
        return ("connection",)
    return (path, str(stamp[0]), stamp[1], stamp[2])


_PER_CONNECTION: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def memo(con) -> dict:
    """The dict in which library modules keep derived data (catalogue rows, editions, links, twin matrices)."""
    try:
        key = _KEYS.get(con)
        if key is None:
            key = _KEYS[con] = _key(con)
    except TypeError:  # object without weakref support: no memo at all
        return {}
    if key[0] == "connection":  # in-memory or unstamped database: memo lives and dies with the connection
        return _PER_CONNECTION.setdefault(con, {})
    store = _STORE.get(key)
    if store is None:
        store = _STORE[key] = {}
        while len(_STORE) > _MAX_BUILDS:
            _STORE.popitem(last=False)
    else:
        _STORE.move_to_end(key)
    return store


def by_territory(con, name: str, codes: list[str], sql: str, row, keep: int) -> dict[str, dict]:
    """{code: {key: item}} for `codes`, from an LRU memo `name` of at most `keep` territories per build: the
    codes not held are read in one query, `sql` selecting from a table sorted by `territory_code` with the
    placeholder {where}; `row(record)` gives (code, key, item). The dicts are shared: never change them."""
    held = memo(con).setdefault((name,), OrderedDict())
    missing = [c for c in codes if c not in held]
    if missing:
        fetched: dict[str, dict] = {c: {} for c in missing}
        one = len(missing) == 1
        where = "territory_code = ?" if one else "list_contains(?, territory_code)"
        for record in con.execute(sql.format(where=where), [missing[0] if one else missing]).fetchall():
            code, key, item = row(record)
            fetched[code][key] = item
        held.update(fetched)
    for c in codes:
        held.move_to_end(c)
    out = {c: held[c] for c in codes}      # before trimming: a call may ask more territories than the memo keeps
    while len(held) > keep:
        held.popitem(last=False)
    return out
