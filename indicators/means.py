"""State means of a contract (adultes-relais, FONJEP posts), counted by ONE rule for every caller: the
fiche, the Programmation page, the COPIL deck, the PDF fiche, the workbook and the annual report.

The rule lives in the warehouse views `contract_post_year` / `contract_means` (loaders/schema.sql), stored
once per build in the table `contract_means_stored` (loaders/derived.py) that this module reads: a post
counts once per contract and year, whatever the number of records a file repeats for it (FONJEP 2025
lists most posts twice), with its largest amount; `n_records` keeps the records read. Real data (ASP and
FONJEP via ANCT Ci.Ville); 2025 looks partial.
"""
from __future__ import annotations

import math

import pandas as pd

from indicators import cache
from observatoire import vocabulary

PARTIAL_YEARS = {2025}
COLUMNS = ["contrat_code", "year", "kind", "label", "n_posts", "amount", "n_records", "partial", "source_file"]


STORED = ["contrat_code", "year", "kind", "n_posts", "amount", "n_records", "source_file"]


def _rows(con) -> list[tuple]:
    """contract_means_stored (the table the build stores from the view contract_means), every contract, read
    once per build: the fiche reads its tuples, the tables a DataFrame made of them."""
    memo = cache.memo(con)
    if "means_rows" not in memo:
        memo["means_rows"] = con.execute(f"SELECT {', '.join(STORED)} FROM contract_means_stored "
                                         "ORDER BY contrat_code, year, kind").fetchall()
    return memo["means_rows"]


def _every_contract(con) -> pd.DataFrame:
    memo = cache.memo(con)
    if "contract_means" not in memo:
        memo["contract_means"] = pd.DataFrame(_rows(con), columns=STORED)
    return memo["contract_means"]


def _by_contract(con) -> dict[str, list[tuple]]:
    memo = cache.memo(con)
    if "means_by_contract" not in memo:
        by: dict[str, list[tuple]] = {}
        for r in _rows(con):
            by.setdefault(r[0], []).append(r)
        memo["means_by_contract"] = by
    return memo["means_by_contract"]


def state_means(con, contrats: str | list[str] | tuple[str, ...]) -> pd.DataFrame:
    """One row per contract, year and kind of post: n_posts, amount (€), n_records, partial, source_file."""
    codes = [contrats] if isinstance(contrats, str) else list(contrats or [])
    if con is None or not codes:
        return pd.DataFrame(columns=COLUMNS)
    every = _every_contract(con)
    df = every[every["contrat_code"].isin(codes)].reset_index(drop=True)
    df["label"] = df["kind"].map(vocabulary.labels("means_kinds")).fillna(df["kind"])
    df["partial"] = df["year"].isin(PARTIAL_YEARS)
    return df[COLUMNS]


def records(con, contrats) -> list[dict]:
    """state_means as JSON-able dicts (the fiche's `means`), from the contracts' stored rows (no DataFrame)."""
    codes = [contrats] if isinstance(contrats, str) else list(contrats or [])
    if con is None or not codes:
        return []
    by = _by_contract(con)
    labels = vocabulary.labels("means_kinds")
    return [{"contrat_code": c, "year": int(y), "kind": k, "label": labels.get(k, k), "n_posts": int(n),
             "amount": None if a is None or math.isnan(a) else float(a), "n_records": int(nr),
             "partial": int(y) in PARTIAL_YEARS, "source_file": f}
            for code in sorted(set(codes)) for c, y, k, n, a, nr, f in by.get(code, [])]


def totals_by_year(con, contrats) -> pd.DataFrame:
    """Posts and amounts per year and kind, summed over the given contracts (a quartier on two contracts)."""
    df = state_means(con, contrats)
    if df.empty:
        return df.drop(columns=["contrat_code"])
    return (df.groupby(["year", "kind", "label", "partial"], as_index=False)
              .agg(n_posts=("n_posts", "sum"), amount=("amount", "sum"), n_records=("n_records", "sum"),
                   source_file=("source_file", lambda s: ", ".join(sorted(set(", ".join(s).split(", ")))))))
