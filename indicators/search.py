"""Finding territories: search by name or code, and the quartiers lying in a commune, EPCI, contract,
département or région. Pure functions of a DuckDB connection (used by the Accueil page, the Comparer
page and the CLI)."""
from __future__ import annotations

import pandas as pd

SEARCH_LEVELS = ("qpv", "commune", "epci", "contrat_de_ville", "departement", "region")
LEVEL_ORDER = {lv: i for i, lv in enumerate(SEARCH_LEVELS)}

_NORM = "trim(regexp_replace(lower(strip_accents({x})), '[^a-z0-9]+', ' ', 'g'))"


def search(con, text: str, levels: tuple[str, ...] = SEARCH_LEVELS, limit: int = 60) -> pd.DataFrame:
    """Territories whose code starts with `text` or whose name contains it (accents, case, hyphens and
    apostrophes ignored). Best matches first: exact code, exact name, name prefix, then the rest.

    Returns code, level, name, generation, departement, communes (for quartiers: their commune names).
    """
    text = (text or "").strip()
    if not text:
        return pd.DataFrame(columns=["code", "level", "name", "generation", "departement", "communes"])
    levels = tuple(levels) or SEARCH_LEVELS
    placeholders = ", ".join("?" for _ in levels)
    sql = f"""
    WITH q AS (SELECT upper(?) AS code_q, {_NORM.format(x='?')} AS name_q),
    hits AS (
        SELECT t.code, t.level, t.name, t.generation, t.departement,
               CASE WHEN upper(t.code) = q.code_q OR upper(coalesce(t.cog_code, '')) = q.code_q THEN 0
                    WHEN {_NORM.format(x='t.name')} = q.name_q THEN 1
                    WHEN starts_with({_NORM.format(x='t.name')}, q.name_q) THEN 2
                    ELSE 3 END AS score
        FROM territory t, q
        WHERE t.level IN ({placeholders})
          AND (upper(t.code) LIKE q.code_q || '%'
               OR upper(coalesce(t.cog_code, '')) LIKE q.code_q || '%'
               OR (length(q.name_q) > 0 AND contains({_NORM.format(x='t.name')}, q.name_q)))
    )
    SELECT h.code, h.level, h.name, h.generation, h.departement,
           (SELECT string_agg(c.name, ', ' ORDER BY c.name) FROM territory_link l
              JOIN territory c ON c.code = l.parent_code
             WHERE l.child_code = h.code AND l.relation = 'qpv_commune') AS communes,
           h.score
    FROM hits h
    ORDER BY h.score, CASE h.level {' '.join(f"WHEN '{lv}' THEN {i}" for lv, i in LEVEL_ORDER.items())}
             ELSE 99 END, h.generation DESC NULLS LAST, h.name
    LIMIT ?
    """
    df = con.execute(sql, [text, text, *levels, int(limit)]).df()
    return df.drop(columns=["score"])


def quartiers_of(con, code: str, generation: str | None = None) -> pd.DataFrame:
    """Quartiers (level qpv) inside a territory: itself for a quartier; by link for a commune, EPCI or
    contract; by département / région code otherwise. Columns: code, name, generation."""
    row = con.execute("SELECT level, cog_code FROM territory WHERE code = ?", [code]).fetchone()
    if row is None:
        return pd.DataFrame(columns=["code", "name", "generation"])
    level, cog = row
    base = "SELECT DISTINCT q.code, q.name, q.generation FROM territory q"
    if level == "qpv":
        sql, params = f"{base} WHERE q.code = ?", [code]
    elif level in ("commune", "epci", "contrat_de_ville"):
        relation = {"commune": "qpv_commune", "epci": "qpv_epci", "contrat_de_ville": "qpv_contrat"}[level]
        sql = f"""{base} JOIN territory_link l ON l.child_code = q.code
                  WHERE q.level = 'qpv' AND l.relation = ? AND l.parent_code = ?"""
        params = [relation, code]
        if level == "epci":  # also through the communes, for quartiers linked only to communes
            sql += """ UNION SELECT DISTINCT q.code, q.name, q.generation FROM territory q
                  JOIN territory_link a ON a.child_code = q.code AND a.relation = 'qpv_commune'
                  JOIN territory_link b ON b.child_code = a.parent_code AND b.relation = 'commune_epci'
                  WHERE q.level = 'qpv' AND b.parent_code = ?"""
            params.append(code)
    elif level in ("departement", "region"):
        col = "departement" if level == "departement" else "region"
        sql, params = f"{base} WHERE q.level = 'qpv' AND q.{col} = ?", [cog or code[3:]]
    else:
        sql, params = f"{base} WHERE q.level = 'qpv'", []
    if generation:
        sql = f"SELECT * FROM ({sql}) WHERE generation = ?"
        params.append(str(generation))
    return con.execute(f"SELECT * FROM ({sql}) ORDER BY generation, code", params).df()


def directory(con, generation: str) -> pd.DataFrame:
    """Every quartier of a generation with its commune names, département and région (for map hovers,
    pickers and tables). Columns: code, name, communes, departement, region, population."""
    return con.execute("""
        SELECT q.code, q.name,
               (SELECT string_agg(c.name, ', ' ORDER BY c.name) FROM territory_link l
                  JOIN territory c ON c.code = l.parent_code
                 WHERE l.child_code = q.code AND l.relation = 'qpv_commune') AS communes,
               q.departement, q.region, q.population
        FROM territory q WHERE q.level = 'qpv' AND q.generation = ?
        ORDER BY q.code""", [str(generation)]).df()


def crosswalk(con) -> pd.DataFrame:
    """QP 2015 -> QPV 2024 correspondences (territory_link 'qp2015_qpv2024'): code_2015, code_2024,
    confidence (1 = exact), method."""
    return con.execute("""
        SELECT child_code AS code_2015, parent_code AS code_2024, confidence, method
        FROM territory_link WHERE relation = 'qp2015_qpv2024'
        ORDER BY code_2024, confidence DESC, code_2015""").df()


def names_by_cog(con, level: str) -> dict[str, str]:
    """{COG code: name} of every territory of a level ('departement' → {'13': 'Bouches-du-Rhône'})."""
    return dict(con.execute("SELECT cog_code, name FROM territory WHERE level = ?", [level]).fetchall())


def quartier_row(con, code: str) -> dict | None:
    """{code, name, generation, departement} of a quartier of either generation, None when the warehouse has no
    quartier with that code (the map says so rather than showing another one)."""
    row = con.execute("SELECT code, name, generation, departement FROM territory WHERE code = ? AND level = 'qpv'",
                      [code]).fetchone()
    return dict(zip(("code", "name", "generation", "departement"), row)) if row else None
