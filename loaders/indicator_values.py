"""source_value + indicator_source -> indicator_value, set-based, for every territory.

For each mapping (indicator, edition key, file, variable or formula) the cells of that file and column are
taken for every territory of the file:
- status ok when every term is a number; the value is the number, the sum of the terms ('A+B'), or the
  share 100 × (A+B) / C ('A+B/C');
- secret when a term is an empty published cell; non_disponible when a term is a label, an empty cell
  of the « Ensemble » row, or a share's denominator is 0;
- when two files give the same edition (data_filo17 and REVN_2021 both carry 2017 incomes) the
  preferred one (priority 1) wins for each territory, and disagreements between them are reported as
  build warnings;
- indicator_absent rows (a file of the same family without the variable) become status 'absent' for every
  territory of that file, with the file kept in source_file and no variable.
A mapping whose column does not exist in its file stops the build: a typo in the catalogue must not
silently produce an empty indicator.
"""
from __future__ import annotations

import pyarrow as pa

from loaders.build import BuildError
from loaders.catalogue import formula_terms

_COLUMNS = ("territory_code::VARCHAR AS territory_code, indicator_id::VARCHAR AS indicator_id, "
            "edition::INTEGER AS edition, value::DOUBLE AS value, status::VARCHAR AS status, "
            "source_file::VARCHAR AS source_file, source_variable::VARCHAR AS source_variable, "
            "ref_year::INTEGER AS ref_year")


# Values of the mappings in {terms} (a subquery of _terms) for every territory of their file.
# Single columns (most mappings): a projection. Formulas ('A+B', 'A/B'): one group per territory.
_CANDIDATES_SQL = """
    SELECT sv.territory_code, t.indicator_id, t.edition,
           CASE WHEN sv.status = 'ok' THEN sv.value END AS value,
           CASE WHEN sv.status IN ('ok', 'secret') THEN sv.status ELSE 'non_disponible' END AS status,
           t.source_file, t.source_variable, t.ref_year, t.priority
    FROM {terms} t
    JOIN source_value sv ON sv.source_file = t.source_file AND sv.source_variable = t.term
    ANTI JOIN _dups d ON d.source_file = sv.source_file AND d.territory_code = sv.territory_code
    WHERE t.kind = 'single'
    UNION ALL
    SELECT DISTINCT d.territory_code, t.indicator_id, t.edition, NULL, 'non_disponible',
           t.source_file, t.source_variable, t.ref_year, t.priority
    FROM {terms} t JOIN _dups d ON d.source_file = t.source_file
    WHERE t.kind = 'single'
    UNION ALL
    SELECT territory_code, indicator_id, edition,
           CASE WHEN n_ok = n_terms AND n = n_terms AND NOT (kind = 'share' AND den = 0)
                THEN CASE WHEN kind = 'share' THEN 100 * num / den ELSE num END END,
           CASE WHEN n_ok = n_terms AND n = n_terms AND NOT (kind = 'share' AND den = 0) THEN 'ok'
                WHEN n > n_terms THEN 'non_disponible'
                WHEN any_secret THEN 'secret'
                ELSE 'non_disponible' END,
           source_file, source_variable, ref_year, priority
    FROM (
        SELECT t.indicator_id, t.edition, t.source_file, t.source_variable, t.ref_year, t.priority, t.kind,
               t.n_terms, sv.territory_code,
               sum(sv.value) FILTER (WHERE t.role = 'num') AS num,
               sum(sv.value) FILTER (WHERE t.role = 'den') AS den,
               count(*) AS n, count(*) FILTER (WHERE sv.status = 'ok') AS n_ok,
               bool_or(sv.status = 'secret') AS any_secret
        FROM {terms} t
        JOIN source_value sv ON sv.source_file = t.source_file AND sv.source_variable = t.term
        WHERE t.kind <> 'single'
        GROUP BY ALL
    )
"""


def _terms_table(con) -> pa.Table:
    rows = con.execute("""
        SELECT indicator_id, edition, source_file, source_variable, ref_year, priority FROM indicator_source
    """).fetchall()
    out = {k: [] for k in ("indicator_id", "edition", "source_file", "source_variable", "ref_year", "priority",
                           "kind", "n_terms", "term", "role")}
    for iid, edition, file, variable, ref_year, priority in rows:
        num, den = formula_terms(variable)
        kind = "share" if den else ("sum" if len(num) > 1 else "single")
        for role, terms in (("num", num), ("den", den)):
            for term in terms:
                for k, v in (("indicator_id", iid), ("edition", edition), ("source_file", file),
                             ("source_variable", variable), ("ref_year", ref_year), ("priority", priority),
                             ("kind", kind), ("n_terms", len(num) + len(den)), ("term", term), ("role", role)):
                    out[k].append(v)
    return pa.table({
        **{k: pa.array(out[k], pa.string()) for k in ("indicator_id", "source_file", "source_variable", "kind",
                                                      "term", "role")},
        **{k: pa.array(out[k], pa.int32()) for k in ("edition", "ref_year", "priority", "n_terms")},
    })


def load(ctx) -> None:
    con = ctx.con
    con.register("_terms_arrow", _terms_table(con))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _terms AS SELECT * FROM _terms_arrow")
    finally:
        con.unregister("_terms_arrow")
    # Every declared column must exist in its file.
    missing = con.execute("""
        SELECT DISTINCT t.indicator_id, t.edition, t.source_file, t.term FROM _terms t
        WHERE NOT EXISTS (SELECT 1 FROM source_value sv
                          WHERE sv.source_file = t.source_file AND sv.source_variable = t.term)
        ORDER BY ALL
    """).fetchall()
    if missing:
        shown = "; ".join(f"{i} {e} : {f} colonne « {v} »" for i, e, f, v in missing[:20])
        raise BuildError(f"catalogue/indicators.yaml déclare {len(missing)} colonne(s) introuvable(s) dans les "
                         f"fichiers chargés : {shown}")

    # Territories present twice in a file (none in the real files; reported by the loaders): their values
    # are not chosen between, they become non_disponible.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _dups AS
        SELECT source_file, territory_code FROM source_value
        WHERE (source_file, source_variable) IN (SELECT source_file, min(term) FROM _terms GROUP BY 1)
        GROUP BY ALL HAVING count(*) > 1
    """)
    for file, n in con.execute("SELECT source_file, count(*) FROM _dups GROUP BY 1 ORDER BY 1").fetchall():
        ctx.warn(f"{n} territoire(s) présents plusieurs fois dans le fichier : indicateurs non disponibles",
                 source_file=file)
    # Candidates of the (indicator, edition) pairs given by two files: compared, and used as fallback.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _multi AS
        {_CANDIDATES_SQL.format(terms="(SELECT * FROM _terms WHERE (indicator_id, edition) IN "
                                      "(SELECT indicator_id, edition FROM _terms WHERE priority > 1))")}
    """)
    _report_disagreements(ctx)
    # Preferred file (priority 1) for every territory it has; the other file for territories it lacks;
    # then 'absent' rows for every territory of a file that lacks the variable. Sorted by territory (zone maps:
    # a territory's rows are one short read for the views; docs/SCHEMA.md).
    con.execute(f"""
        INSERT INTO indicator_value
        WITH preferred AS (
            {_CANDIDATES_SQL.format(terms="(SELECT * FROM _terms WHERE priority = 1)")}
        ), fallback AS (
            SELECT o.* FROM (SELECT * FROM _multi WHERE priority > 1) o
            ANTI JOIN (SELECT territory_code, indicator_id, edition FROM _multi WHERE priority = 1) p
                USING (territory_code, indicator_id, edition)
            QUALIFY row_number() OVER (PARTITION BY territory_code, indicator_id, edition
                                       ORDER BY priority, source_file) = 1
        ), absent AS (
            SELECT DISTINCT ON (f.territory_code, a.indicator_id, a.edition)
                   f.territory_code, a.indicator_id, a.edition, NULL::DOUBLE AS value, 'absent' AS status,
                   a.source_file, NULL::VARCHAR AS source_variable,
                   CASE WHEN c.edition_key = 'income_year' THEN a.edition END AS ref_year
            FROM indicator_absent a
            JOIN indicator_catalog c USING (indicator_id)
            JOIN (SELECT DISTINCT source_file, territory_code FROM source_value
                  WHERE source_file IN (SELECT source_file FROM indicator_absent)) f USING (source_file)
            ORDER BY f.territory_code, a.indicator_id, a.edition, a.source_file
        )
        SELECT * FROM (SELECT {_COLUMNS} FROM preferred
                       UNION ALL SELECT {_COLUMNS} FROM fallback
                       UNION ALL SELECT {_COLUMNS} FROM absent)
        ORDER BY territory_code, indicator_id, edition
    """)
    # One row per (territory, indicator, edition): checked here rather than by a primary key (schema.sql).
    dup = con.execute("""
        SELECT territory_code, indicator_id, edition, count(*) FROM indicator_value
        GROUP BY ALL HAVING count(*) > 1 LIMIT 5""").fetchall()
    if dup:
        raise BuildError(f"indicator_value : plusieurs valeurs pour une même clé (territoire, indicateur, "
                         f"édition), par ex. {dup} : vérifiez catalogue/indicators.yaml")
    n = con.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
    detail = ", ".join(f"{s} {c}" for s, c in con.execute(
        "SELECT status, count(*) FROM indicator_value GROUP BY 1 ORDER BY 1").fetchall())
    ctx.log_file(None, n, f"indicator_value : {detail}")
    con.execute("DROP TABLE IF EXISTS _multi; DROP TABLE IF EXISTS _terms; DROP TABLE IF EXISTS _dups")


def _report_disagreements(ctx) -> None:
    """Same edition in two files (data_filo vs REVN): one warning per indicator/edition/file pair."""
    rows = ctx.con.execute("""
        WITH p AS (SELECT * FROM _multi WHERE priority = 1),
             o AS (SELECT * FROM _multi WHERE priority > 1)
        SELECT o.indicator_id, o.edition, p.source_file, p.source_variable, o.source_file, o.source_variable,
               count(*) AS n,
               arg_min(o.territory_code || ' : ' || coalesce(CAST(p.value AS VARCHAR), p.status) || ' contre '
                       || coalesce(CAST(o.value AS VARCHAR), o.status), o.territory_code) AS example
        FROM o JOIN p USING (territory_code, indicator_id, edition)
        WHERE p.status <> o.status OR abs(p.value - o.value) > 1e-6 * greatest(1, abs(p.value))
        GROUP BY ALL ORDER BY ALL
    """).fetchall()
    for iid, edition, pf, pv, of, ov, n, example in rows:
        ctx.warn(f"{iid} {edition} : {n} territoire(s) où {of} ({ov}) diffère de {pf} ({pv}), "
                 f"fichier retenu {pf} ; ex. {example}", source_file=of, column=ov)
