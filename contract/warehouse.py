"""What the contract-life side reads from the open-data warehouse (read-only): the contract, its quartiers.

Kept here, in one place, for the démo generator and the imports (which validate quartier codes and
names against the real 2024 geography). The State means are read by indicators.means (one counting rule).
"""
from __future__ import annotations

import duckdb


class WarehouseIncomplete(LookupError):
    """The warehouse does not (yet) know this contract or its quartiers."""


def contract_info(con: duckdb.DuckDBPyConnection, code: str) -> dict:
    """{code, nom, porteur_code, departement} of a contrat de ville of the warehouse."""
    row = con.execute(
        "SELECT code, name, departement FROM territory WHERE code = ? AND level = 'contrat_de_ville'",
        [code]).fetchone()
    if row is None:
        raise WarehouseIncomplete(f"Contrat de ville {code} inconnu de l'entrepôt")
    carrier = con.execute(
        "SELECT parent_code FROM territory_link WHERE child_code = ? AND relation = 'contrat_epci' LIMIT 1",
        [code]).fetchone()
    return {"code": row[0], "nom": row[1], "departement": row[2], "porteur_code": carrier[0] if carrier else None}


def contract_quartiers(con: duckdb.DuckDBPyConnection, code: str) -> list[dict]:
    """The contract's 2024 quartiers: [{quartier_code, nom, communes}] ordered by code.

    `communes` lists the commune names (several quartiers are called « Centre »: the commune tells them apart)."""
    rows = con.execute(
        """
        SELECT q.code, q.name,
               string_agg(c.name, ' ; ' ORDER BY c.name) FILTER (WHERE c.name IS NOT NULL) AS communes
        FROM territory_link l
        JOIN territory q ON q.code = l.child_code
        LEFT JOIN territory_link lc ON lc.child_code = q.code AND lc.relation = 'qpv_commune'
        LEFT JOIN territory c ON c.code = lc.parent_code AND c.level = 'commune'
        WHERE l.parent_code = ? AND l.relation = 'qpv_contrat' AND q.level = 'qpv'
        GROUP BY q.code, q.name ORDER BY q.code
        """, [code]).fetchall()
    if not rows:
        raise WarehouseIncomplete(f"Aucun quartier rattaché au contrat {code} dans l'entrepôt "
                                  "(relation qpv_contrat)")
    return [{"quartier_code": r[0], "nom": r[1], "communes": r[2]} for r in rows]


def territory_codes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every territory code of the warehouse (quartiers of both generations, communes, EPCI, contracts…)."""
    return {r[0] for r in con.execute("SELECT code FROM territory").fetchall()}


def quartier_label(nom: str, communes: str | None) -> str:
    """« Centre (Drap) »: a quartier name that is unambiguous within a contract."""
    if not communes:
        return nom
    first = communes.split(" ; ")[0]
    more = " …" if " ; " in communes else ""
    return f"{nom} ({first}{more})"
