"""Derived tables: what every page would otherwise recompute over the whole country, computed once per build
(last step, after the user imports) and again by every import that changes the warehouse (issue 21: a
quartier's views are a handful of indexed reads, not national relations recomputed per page).

- `approx_value`: the values 2024 quartiers take from their 2015 predecessor(s) through the crosswalk, for
  every indicator and edition (the rules: indicators/predecessors.py; the SQL: APPROX_SQL below, the only
  place it is written). A 2024 quartier's own official value always wins: such keys are left out.
- `quartier_position`: every quartier value of a generation (its own, or for 2024 quartiers its
  approximation) with its rank and percentile among the published values of the quartiers of the same
  generation, nationally, in its département and in its région (definitions: indicators/position.py).
- `contract_means_stored`: the view `contract_means` (the one counting rule of State means) for every
  contract, read by contract (indicators/means.py).

Both are sorted by `territory_code`, as is `indicator_value` (step `indicators`): DuckDB's zone maps make a
quartier's rows one short read. docs/SCHEMA.md documents the columns.
"""
from __future__ import annotations

RELATION = "qp2015_qpv2024"

# One row per crosswalk link, with how many predecessors its 2024 quartier has and how many successors its
# 2015 quartier has.
LINKS_SQL = f"""
    SELECT parent_code AS code_2024, child_code AS code_2015, confidence, method,
           count(*) OVER (PARTITION BY parent_code) AS n_pred,
           count(*) OVER (PARTITION BY child_code) AS n_succ
    FROM territory_link WHERE relation = '{RELATION}'"""

APPROX_COLUMNS = ("territory_code", "indicator_id", "edition", "value", "status", "source_file", "source_variable",
                  "ref_year", "approx_method", "predecessors")

# The approximation of 2024 quartiers (rules in indicators/predecessors.py's docstring). {only}: nothing for
# every quartier (the table); a filter on code_2024 for some (tests: one quartier computed alone must give its
# rows of the table — the counts of predecessors and successors are taken on the whole crosswalk first).
_APPROX = """
    WITH lk_all AS ({links}),
    lk AS (SELECT * FROM lk_all {only}),
    cat AS (SELECT indicator_id, aggregation,
                   CASE WHEN aggregation LIKE 'weighted:%' THEN substr(aggregation, 10) END AS weight_id
            FROM indicator_catalog),
    iv AS (SELECT v.territory_code, v.indicator_id, v.edition, v.value, v.status, v.source_file,
                  v.source_variable, v.ref_year
           FROM indicator_value v
           WHERE v.territory_code IN (SELECT code_2015 FROM lk)),
    need_w AS (SELECT DISTINCT iv.territory_code, c.weight_id AS indicator_id, iv.edition
               FROM iv JOIN cat c USING (indicator_id) WHERE c.weight_id IS NOT NULL),
    w AS (SELECT v.territory_code, v.indicator_id AS weight_id, v.edition, v.value AS weight, v.status AS weight_status
          FROM indicator_value v JOIN need_w n USING (territory_code, indicator_id, edition)),
    j AS (SELECT lk.code_2024, lk.code_2015, lk.n_pred, lk.n_succ, c.aggregation, iv.indicator_id, iv.edition,
                 iv.value, iv.status, iv.source_file, iv.source_variable, iv.ref_year, w.weight, w.weight_status
          FROM lk JOIN iv ON iv.territory_code = lk.code_2015
          JOIN cat c ON c.indicator_id = iv.indicator_id
          LEFT JOIN w ON w.territory_code = iv.territory_code AND w.weight_id = c.weight_id
                     AND w.edition = iv.edition),
    g AS (SELECT code_2024, indicator_id, edition, any_value(aggregation) AS aggregation,
                 any_value(n_pred) AS n_pred, count(*) AS n_rows, max(n_succ) AS max_succ,
                 bool_and(status IN ('ok', 'bruite') AND value IS NOT NULL) AS all_shown,
                 bool_or(status = 'bruite') AS any_bruite, bool_or(status = 'secret') AS any_secret,
                 bool_and(status = 'absent') AS all_absent,
                 bool_and(weight_status IN ('ok', 'bruite') AND weight IS NOT NULL) AS all_weights,
                 sum(value) AS total, sum(value * weight) / nullif(sum(weight), 0) AS weighted,
                 any_value(value) AS one_value, any_value(status) AS one_status,
                 min(source_file) AS source_file, min(source_variable) AS source_variable,
                 min(ref_year) AS ref_year, list(code_2015 ORDER BY code_2015) AS predecessors
          FROM j GROUP BY code_2024, indicator_id, edition),
    r AS (SELECT *, CASE WHEN n_pred = 1 AND aggregation = 'sum' AND max_succ > 1 THEN 'predecessor_shared'
                         WHEN n_pred = 1 THEN 'predecessor'
                         WHEN aggregation = 'sum' THEN 'predecessors_sum'
                         WHEN aggregation LIKE 'weighted:%' THEN 'predecessors_weighted'
                         ELSE 'predecessors_not_additive' END AS approx_method
          FROM g),
    own AS (SELECT territory_code AS code_2024, indicator_id, edition FROM indicator_value
            WHERE territory_code IN (SELECT code_2024 FROM lk))
    SELECT code_2024 AS territory_code, indicator_id, edition,
           CASE WHEN approx_method = 'predecessor' THEN one_value
                WHEN NOT all_shown OR n_rows < n_pred THEN NULL
                WHEN approx_method = 'predecessors_sum' AND max_succ = 1 THEN total
                WHEN approx_method = 'predecessors_weighted' AND all_weights THEN weighted END AS value,
           CASE WHEN approx_method = 'predecessor' THEN one_status
                WHEN all_absent AND n_rows = n_pred THEN 'absent'
                WHEN approx_method IN ('predecessor_shared', 'predecessors_not_additive') THEN 'non_transposable'
                WHEN any_secret THEN 'secret'
                WHEN NOT all_shown OR n_rows < n_pred THEN 'non_disponible'
                WHEN approx_method = 'predecessors_sum' AND max_succ > 1 THEN 'non_transposable'
                WHEN approx_method = 'predecessors_weighted' AND NOT coalesce(all_weights, FALSE) THEN 'non_transposable'
                WHEN any_bruite THEN 'bruite' ELSE 'ok' END AS status,
           source_file, source_variable, ref_year, approx_method, predecessors
    FROM r ANTI JOIN own USING (code_2024, indicator_id, edition)
    ORDER BY territory_code, indicator_id, edition"""


def approx_sql(for_codes: bool = False) -> str:
    """APPROX_SQL, or with `for_codes` the same for the 2024 quartiers of one list parameter (`?`)."""
    return _APPROX.format(links=LINKS_SQL, only="WHERE list_contains(?, code_2024)" if for_codes else "")


APPROX_SQL = approx_sql()

# The values of every quartier (its own, else its approximation), ranked among the published values of its
# generation, as indicators/position.py defines them: rank = 1 + number of higher values (SQL rank() on the
# values in decreasing order), percentile = 100.0 x number of values <= the quartier's / number of values,
# that number being n - rank + 1 (the same SQL expression as before the table existed: the same double). A
# quartier without département or région has rank 1 among 0 there, and no percentile. One sorted window per
# scope (national, département, région): the costly part of the build step.
POSITION_SQL = """
    WITH vals AS (
        SELECT territory_code, indicator_id, edition, value, status FROM indicator_value
        UNION ALL
        SELECT territory_code, indicator_id, edition, value, status FROM approx_value
    ), q AS (
        SELECT t.generation, v.territory_code, v.indicator_id, v.edition, v.value, v.status, t.departement, t.region
        FROM vals v JOIN territory t ON t.code = v.territory_code
        WHERE t.level = 'qpv' AND t.generation IS NOT NULL
    ), r AS (
        SELECT territory_code, indicator_id, edition,
            rank() OVER (PARTITION BY generation, indicator_id, edition ORDER BY value DESC) AS rank_nat,
            count(*) OVER (PARTITION BY generation, indicator_id, edition) AS n_nat,
            rank() OVER (PARTITION BY generation, indicator_id, edition, departement ORDER BY value DESC) AS rank_dep,
            count(*) OVER (PARTITION BY generation, indicator_id, edition, departement) AS n_dep,
            rank() OVER (PARTITION BY generation, indicator_id, edition, region ORDER BY value DESC) AS rank_reg,
            count(*) OVER (PARTITION BY generation, indicator_id, edition, region) AS n_reg
        FROM q WHERE status IN ('ok', 'bruite') AND value IS NOT NULL
    )
    SELECT q.generation, q.territory_code, q.indicator_id, q.edition, q.value, q.status,
        r.rank_nat, r.n_nat, 100.0 * (r.n_nat - r.rank_nat + 1) / r.n_nat AS pct_nat,
        CASE WHEN q.departement IS NULL THEN 1 ELSE r.rank_dep END AS rank_dep,
        CASE WHEN q.departement IS NULL THEN 0 ELSE r.n_dep END AS n_dep,
        CASE WHEN q.departement IS NOT NULL THEN 100.0 * (r.n_dep - r.rank_dep + 1) / nullif(r.n_dep, 0) END AS pct_dep,
        CASE WHEN q.region IS NULL THEN 1 ELSE r.rank_reg END AS rank_reg,
        CASE WHEN q.region IS NULL THEN 0 ELSE r.n_reg END AS n_reg,
        CASE WHEN q.region IS NOT NULL THEN 100.0 * (r.n_reg - r.rank_reg + 1) / nullif(r.n_reg, 0) END AS pct_reg
    FROM q LEFT JOIN r USING (territory_code, indicator_id, edition)
    ORDER BY q.territory_code, q.indicator_id, q.edition"""

# The State means of every contract by the one counting rule of the view contract_means (loaders/schema.sql),
# stored: a fiche reads its contract's rows, and the sums no longer depend on the order of a parallel read.
MEANS_SQL = """
    SELECT contrat_code, year, kind, n_posts, amount, n_records, source_file FROM contract_means
    ORDER BY contrat_code, year, kind"""

TABLES = (("approx_value", APPROX_SQL), ("quartier_position", POSITION_SQL), ("contract_means_stored", MEANS_SQL))


def refresh(con) -> dict[str, int]:
    """Recompute the derived tables from the warehouse as it is (inside the caller's transaction, if any):
    {table: rows}. Order matters: positions rank the approximations."""
    out = {}
    for table, sql in TABLES:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} {sql}")
        out[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return out


def load(ctx) -> None:
    """Build step `derived` (the last one: after the reference levels' loaders and the user imports)."""
    for table, n in refresh(ctx.con).items():
        ctx.log_file(None, n, f"{table} : table dérivée")
