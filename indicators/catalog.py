"""Catalogue access from the warehouse (`indicator_catalog`, `indicator_source`, `source_catalog`).

The YAML is copied into the warehouse by the loaders; the library reads the warehouse copy so that a
warehouse always answers with the catalogue it was built with. Small per-connection caches keep the
many calls of a fiche cheap (indicators/cache.py: one memo per warehouse build, shared by cursors).
"""
from __future__ import annotations

import pandas as pd

from indicators import cache
from observatoire import frformat, vocabulary

# Defaults used when the catalogue leaves a field empty (documented in docs/INDICATEURS-LIBRARY.md).
DEFAULT_TOLERANCE = {"points": 1.0, "ratio": 0.05, "none": 0.0}


def _cache(con) -> dict:
    return cache.memo(con)


def indicators(con) -> pd.DataFrame:
    """All curated indicators (indicator_catalog rows), in catalogue order; `short_label` defaults to the
    label and `decimals` to 1."""
    return con.sql(
        "SELECT * REPLACE (coalesce(short_label, label) AS short_label, coalesce(decimals, 1) AS decimals) "
        "FROM indicator_catalog ORDER BY sort_order NULLS LAST, indicator_id"
    ).df()


def _records(con) -> dict[str, dict]:
    c = _cache(con)
    if "records" not in c:
        df = indicators(con)
        recs = {}
        for r in df.to_dict("records"):
            recs[r["indicator_id"]] = {k: (None if _isnan(v) else v) for k, v in r.items()}
        c["records"] = recs
    return c["records"]


def _isnan(v) -> bool:
    return isinstance(v, float) and v != v


def indicator(con, indicator_id: str) -> dict:
    """One catalogue row as a dict; KeyError naming the id when it is not declared."""
    recs = _records(con)
    if indicator_id not in recs:
        raise KeyError(f"Indicateur inconnu : {indicator_id!r} (absent de indicator_catalog)")
    return dict(recs[indicator_id])


def ids(con, barometre: bool | None = None) -> list[str]:
    """Indicator ids in catalogue order; `barometre=True` keeps the élus' key indicators only."""
    recs = _records(con)
    return [k for k, r in recs.items() if barometre is None or bool(r.get("barometre")) == barometre]


def known(con, indicator_ids) -> list[str]:
    """The given ids that the catalogue declares (order kept); unknown ids raise KeyError."""
    recs = _records(con)
    missing = [i for i in indicator_ids if i not in recs]
    if missing:
        raise KeyError(f"Indicateur(s) inconnu(s) : {', '.join(missing)}")
    return list(indicator_ids)


def tolerance(con, indicator_id: str) -> float:
    """Band for 'comparable'/'stable': the catalogue's, else the default for its gap kind."""
    r = indicator(con, indicator_id)
    tol = r.get("tolerance")
    if tol is None:
        tol = DEFAULT_TOLERANCE.get(r.get("gap_kind") or "none", 0.0)
    return float(tol)


def editions_by_indicator(con, generation: str | None = "2015", level: str = "qpv") -> dict[str, list[int]]:
    """Editions present per indicator for territories of `level` (and quartier `generation`), ascending."""
    c = _cache(con)
    key = ("editions", generation, level)
    if key not in c:
        # An edition counts when at least one territory has the variable published or masked (ok, bruite,
        # secret): editions where the file lacks the variable ('absent' everywhere) are not editions of it.
        # 2024 quartiers: also the editions of their 2015 predecessors (indicators.predecessors).
        sql = """
            SELECT indicator_id, list(edition ORDER BY edition) AS eds FROM (
                SELECT v.indicator_id, v.edition
                FROM indicator_value v JOIN territory t ON t.code = v.territory_code
                WHERE t.level = ? AND (? IS NULL OR t.generation = ?
                      OR (? = '2024' AND t.code IN (SELECT child_code FROM territory_link
                                                    WHERE relation = 'qp2015_qpv2024')))
                GROUP BY ALL HAVING count(*) FILTER (WHERE v.status IN ('ok', 'bruite', 'secret')) > 0
            ) GROUP BY indicator_id
        """
        rows = con.execute(sql, [level, generation, generation, generation]).fetchall()
        c[key] = {i: [int(e) for e in eds] for i, eds in rows}
    return c[key]


def editions(con, indicator_id: str, generation: str | None = "2015", level: str = "qpv") -> list[int]:
    """Editions (ascending) in which the indicator is published for quartiers of that generation."""
    return list(editions_by_indicator(con, generation, level).get(indicator_id, []))


def shown_editions(con, indicator_id: str, generation: str = "2015") -> list[int]:
    """Editions where at least one quartier of `generation` has a value that may be shown (ok, bruite)."""
    rows = con.execute(
        "SELECT DISTINCT v.edition FROM indicator_value v JOIN territory t ON t.code = v.territory_code "
        "WHERE v.indicator_id = ? AND t.level = 'qpv' AND t.generation = ? AND list_contains(?, v.status) "
        "ORDER BY v.edition", [indicator_id, str(generation), list(vocabulary.shown_statuses())]).fetchall()
    return [int(r[0]) for r in rows]


def resolve_edition(con, indicator_id: str, edition: int | None = None, generation: str | None = "2015") -> int | None:
    """The edition to show: the latest one not after `edition` (None = latest), or None if none exists.

    Editions are keys of different kinds (SIG Ville year for DEMO/IPRO/CAF, income year for Filosofi), so a
    requested year is an upper bound: `--edition 2019` gives DEMO 2019 and Filosofi income 2019.
    """
    eds = editions(con, indicator_id, generation)
    if edition is not None:
        eds = [e for e in eds if e <= int(edition)]
    return eds[-1] if eds else None


def fmt_value(value, meta: dict) -> str:
    """A value formatted the French way with the indicator's decimals and unit ('41,9 %', '13 860 €', '0,26')."""
    return frformat.fmt_number(value, int(meta.get("decimals") or 0), frformat.display_unit(meta.get("unit")))


def producers(con) -> dict[str, str]:
    """{source_id: producer} of the declared sources (source_catalog)."""
    c = _cache(con)
    if "producers" not in c:
        c["producers"] = dict(con.execute("SELECT source_id, producer FROM source_catalog").fetchall())
    return c["producers"]


def source_record(con, source_id: str) -> dict:
    """A declared source (producer, title, licence, generation) from source_catalog; {} if unknown."""
    c = _cache(con)
    if "source_records" not in c:
        c["source_records"] = {r[0]: dict(zip(("producer", "title", "licence", "generation"), r[1:])) for r in
                               con.execute("SELECT source_id, producer, title, licence, generation FROM source_catalog")
                               .fetchall()}
    return dict(c["source_records"].get(source_id, {}))


def files(con, indicator_id: str, edition: int) -> list[str]:
    """Source files giving the indicator in that edition (indicator_source), sorted."""
    c = _cache(con)
    if "files" not in c:
        c["files"] = {}
        for i, e, f in con.execute("SELECT DISTINCT indicator_id, edition, source_file FROM indicator_source "
                                   "ORDER BY 1, 2, 3").fetchall():
            c["files"].setdefault((i, int(e)), []).append(f)
    return list(c["files"].get((indicator_id, int(edition)), []))


def values_with_catalog(con, codes: list[str], editions: list[int] | None = None) -> pd.DataFrame:
    """Curated values of territories `codes` (optionally some editions) with their catalogue row and
    territory name, in theme order: the rows of the classeur export."""
    params: list = [list(codes)]
    where = "v.territory_code = ANY(?)"
    if editions:
        where += " AND v.edition = ANY(?)"
        params.append([int(e) for e in editions])
    return con.execute(f"""
        SELECT v.territory_code, t.name AS territory_name, t.level, t.generation, COALESCE(t.is_demo, FALSE) AS is_demo,
               v.indicator_id, c.label, c.unit, c.theme, c.decimals, c.source, c.sort_order,
               v.edition, v.ref_year, v.value, v.status, v.source_file, v.source_variable
        FROM indicator_value v
        JOIN indicator_catalog c USING (indicator_id)
        JOIN territory t ON t.code = v.territory_code
        WHERE {where}
        ORDER BY c.theme, c.sort_order NULLS LAST, v.indicator_id, v.edition
    """, params).df()
