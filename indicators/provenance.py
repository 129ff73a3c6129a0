"""Where a value comes from, said in its source line — and the one way to the values users imported.

The library reads official values (indicator_value: INSEE, CNAF… as published) everywhere by default.
Values a user imported (`python -m loaders import indicateurs`) live apart, in imported_value, and are read
only here: `imported(con, code)` gives them per indicator, each with its own source line (« Import
utilisateur — fichier X, importé le 03/12/2026 par Y »), so that a page or an export shows them BESIDE the
official value, never in its place, and never chains them with official values in a series.
"""
from __future__ import annotations

import fnmatch

from indicators import cache, secret
from observatoire import sourceline, vocabulary


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


def official_line(con, source_file: str | None, source_variable: str | None, edition, generation: str | None,
                  fallback_source: str | None = None) -> str | None:
    """« Source : INSEE — Filosofi … — millésime 2019 — géographie prioritaire 2015 — fichier X, variable Y »."""
    if edition is None:
        return None
    producer = producer_of_file(con, source_file, fallback_source)
    note = f"fichier {source_file}, variable {source_variable}" if source_file else None
    return sourceline.source_line([producer] if producer else None, edition, generation, note=note)


def imported(con, code: str, generation: str | None = None) -> dict[str, list[dict]]:
    """{indicator_id: [imported values of territory `code`, latest edition first]}: each
    {value, status, status_label, edition, source_line, file, imported_at, imported_by, line, column}.
    A status other than ok/bruité hides the value (same rule as official values)."""
    out: dict[str, list[dict]] = {}
    for r in con.execute("""
            SELECT indicator_id, edition, value, status, file_name, imported_at, imported_by, line, column_name
            FROM imported_value WHERE territory_code = ? ORDER BY indicator_id, edition DESC""", [code]).fetchall():
        iid, edition, value, status, file_name, at, by, line, column = r
        out.setdefault(iid, []).append({
            "value": secret.visible(value, status), "status": status,
            "status_label": vocabulary.status_label(status), "edition": int(edition),
            "source_line": sourceline.imported_source_line(file_name, at, by, edition, generation),
            "file": file_name, "imported_at": at.isoformat(timespec="seconds"), "imported_by": by,
            "line": line, "column": column})
    return out
