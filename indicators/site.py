"""Reads of the static public site (`python -m exports site`): the plan of the site — every contrat de ville
and its quartiers, every quartier — in two queries, so that a national build does not look territories up
one by one. Numbers and codes only; the words are in presentation/site.py.
"""
from __future__ import annotations


def contracts(con, code: str | None = None) -> list[dict]:
    """Contrats de ville (one, or all), ordered by département then name: {code, name, generation,
    departement, departement_name, population, population_source}."""
    rows = con.execute("""
        SELECT c.code, c.name, c.generation, c.departement, d.name AS departement_name, c.population,
               c.population_source
        FROM territory c LEFT JOIN territory d ON d.level = 'departement' AND d.cog_code = c.departement
        WHERE c.level = 'contrat_de_ville' AND (CAST(? AS VARCHAR) IS NULL OR c.code = ?)
        ORDER BY c.departement NULLS LAST, c.name, c.code
    """, [code, code])
    cols = [d[0] for d in rows.description]
    return [dict(zip(cols, r)) for r in rows.fetchall()]


def quartiers(con, contrat: str | None = None) -> list[dict]:
    """Quartiers prioritaires (of one contract, or all), each with its contract(s) and commune names:
    {code, name, generation, departement, communes (' ; '-separated), contrats [codes]}, ordered by code."""
    rows = con.execute("""
        WITH q AS (
            SELECT t.code, t.name, t.generation, t.departement FROM territory t
            WHERE t.level = 'qpv' AND (CAST(? AS VARCHAR) IS NULL OR t.code IN (
                SELECT child_code FROM territory_link WHERE relation = 'qpv_contrat' AND parent_code = ?)))
        SELECT q.code, q.name, q.generation, q.departement,
               (SELECT string_agg(DISTINCT c.name, ' ; ' ORDER BY c.name) FROM territory_link l
                  JOIN territory c ON c.code = l.parent_code AND c.level = 'commune'
                 WHERE l.child_code = q.code AND l.relation = 'qpv_commune') AS communes,
               (SELECT list(l.parent_code ORDER BY l.parent_code) FROM territory_link l
                 WHERE l.child_code = q.code AND l.relation = 'qpv_contrat') AS contrats
        FROM q ORDER BY q.code
    """, [contrat, contrat])
    cols = [d[0] for d in rows.description]
    return [dict(zip(cols, r)) | {"contrats": list(r[cols.index("contrats")] or [])} for r in rows.fetchall()]


def carriers(con, contrats: list[str]) -> dict[str, str]:
    """{contract: code of the EPCI (or commune) carrying it} for the contracts that have one."""
    return dict(con.execute(
        "SELECT child_code, min(parent_code) FROM territory_link WHERE relation = 'contrat_epci' "
        "AND list_contains(?, child_code) GROUP BY 1", [list(contrats)]).fetchall())
