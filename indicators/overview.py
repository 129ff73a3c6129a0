"""What the warehouse holds, for the home page: quartiers and contours per geography, contracts, indicators
and their millésimes, declared sources, last load. One read-only query per figure; codes and counts only
(presentation.search writes the French)."""
from __future__ import annotations

import pandas as pd


def contents(con) -> dict[str, pd.DataFrame | int]:
    """{quartiers, geometries, contracts, n_indicators, editions, sources, last_load} of the warehouse."""
    q = lambda sql: con.execute(sql).df()  # noqa: E731 - local shorthand
    return {
        "quartiers": q("SELECT generation, count(*) AS n FROM territory WHERE level = 'qpv' "
                       "GROUP BY generation ORDER BY generation"),
        "geometries": q("SELECT generation, kind, count(*) AS n FROM territory_geom "
                        "WHERE kind IN ('contour', 'commune_point') GROUP BY ALL"),
        "contracts": q("SELECT generation, count(*) AS n FROM territory WHERE level = 'contrat_de_ville' "
                       "GROUP BY generation ORDER BY generation"),
        "n_indicators": int(con.execute("SELECT count(*) FROM indicator_catalog").fetchone()[0]),
        "editions": q("SELECT edition, count(DISTINCT indicator_id) AS n FROM indicator_value "
                      "GROUP BY edition ORDER BY edition"),
        "sources": q("SELECT producer, title, editions, generation, licence FROM source_catalog "
                     "ORDER BY producer, title"),
        "last_load": q("SELECT max(loaded_at) AS last, count(DISTINCT source_file) AS files, sum(rows) AS rows, "
                       "(SELECT count(*) FROM build_warning) AS warnings FROM load_log"),
    }


def contracts_with_quartiers(con) -> pd.DataFrame:
    """Contracts that have quartiers: code, name, generation, n (number of quartiers)."""
    return con.execute(
        "SELECT t.code, t.name, t.generation, count(l.child_code) AS n FROM territory t "
        "JOIN territory_link l ON l.parent_code = t.code AND l.relation = 'qpv_contrat' "
        "WHERE t.level = 'contrat_de_ville' GROUP BY ALL ORDER BY t.generation DESC, t.name").df()


def contract_quartiers(con, contrat: str) -> pd.DataFrame:
    """Quartiers of a contract: code, name."""
    return con.execute(
        "SELECT q.code, q.name FROM territory_link l JOIN territory q ON q.code = l.child_code "
        "WHERE l.parent_code = ? AND l.relation = 'qpv_contrat' ORDER BY q.code", [contrat]).df()
