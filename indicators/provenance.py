"""Where a value comes from — and the one way to the values users imported.

The library reads official values (indicator_value: INSEE, CNAF… as published) everywhere by default.
Values a user imported (`python -m loaders import indicateurs`) live apart, in imported_value, and are read
only here: `imported(con, territory)` gives them per indicator with their provenance (file, date, author),
so that a view shows them BESIDE the official value with their own source line (presentation.sources), never
in its place, and never chains them with official values in a series. A 2024 quartier also gets the imports
of its 2015 predecessor(s) (crosswalk), each naming the quartier it was imported for (`via`).
"""
from __future__ import annotations

import fnmatch

from indicators import cache, predecessors, references, secret


def _file_producers(con) -> list[tuple[str, str]]:
    c = cache.memo(con)
    if "file_producers" not in c:
        pairs = []
        for producer, files in con.execute(
                "SELECT producer, files FROM source_catalog WHERE files IS NOT NULL ORDER BY source_id").fetchall():
            for pattern in files.split(";"):
                pairs.append((pattern.strip().rsplit("/", 1)[-1], producer))
        c["file_producers"] = pairs
    return c["file_producers"]


def producer_of_file(con, source_file: str | None, fallback_source: str | None = None) -> str | None:
    """The declared producer of a published file (catalogue/sources.yaml `files` patterns), else the
    producer of `fallback_source` (the indicator's main source)."""
    if source_file:
        for pattern, producer in _file_producers(con):
            if fnmatch.fnmatch(source_file, pattern):
                return producer
    if fallback_source:
        row = con.execute("SELECT producer FROM source_catalog WHERE source_id = ?", [fallback_source]).fetchone()
        return row[0] if row else None
    return None


def official_source(con, source_file: str | None, source_variable: str | None, edition, generation: str | None,
                    fallback_source: str | None = None) -> dict | None:
    """{producer, file, variable, edition, generation} of an official value (None without an edition): what
    its source line says (presentation.sources.official_line)."""
    if edition is None:
        return None
    return {"producer": producer_of_file(con, source_file, fallback_source), "file": source_file,
            "variable": source_variable, "edition": int(edition), "generation": generation}


def _own_imports(con, code: str) -> dict[str, list[dict]]:
    c = cache.memo(con)
    if "imported_rows" not in c:        # every territory's imports (few), read once per warehouse build
        every: dict[str, list[tuple]] = {}
        for r in con.execute("""
                SELECT territory_code, indicator_id, edition, value, status, file_name, imported_at, imported_by, line,
                       column_name
                FROM imported_value ORDER BY territory_code, indicator_id, edition DESC""").fetchall():
            every.setdefault(r[0], []).append(r[1:])
        c["imported_rows"] = every
    out: dict[str, list[dict]] = {}
    for r in c["imported_rows"].get(code, []):
        iid, edition, value, status, file_name, at, by, line, column = r
        out.setdefault(iid, []).append({
            "value": secret.visible(value, status), "status": status, "edition": int(edition),
            "territory_code": code, "file": file_name, "imported_at": at.isoformat(timespec="seconds"),
            "imported_by": by, "line": line, "column": column, "via": None})
    return out


def imported(con, code, generation: str | None = None) -> dict[str, list[dict]]:
    """{indicator_id: [imported values, latest edition first]}: each {value, status, edition, territory_code,
    file, imported_at, imported_by (raw account, e.g. 'cli:root'), line, column, generation, via}. A status
    other than ok/bruité hides the value (same rule as official values). For a 2024 quartier, the imports of
    its 2015 predecessor(s) follow its own, `via` = {code, name} of the 2015 quartier (shown « ≈ », named)."""
    t = references.territory(con, code)
    gen = generation or t.get("generation")
    out = {i: [dict(m, generation=gen) for m in ms] for i, ms in _own_imports(con, t["code"]).items()}
    if t.get("generation") == predecessors.GENERATION:
        for p in predecessors.links(con, t["code"]):
            for i, ms in _own_imports(con, p["code"]).items():
                out.setdefault(i, []).extend(dict(m, generation="2015", via={"code": p["code"], "name": p["name"]})
                                             for m in ms)
    return out
