"""State means of a contract (adultes-relais, FONJEP posts), counted by ONE rule for every caller: the
fiche, the Programmation page, the COPIL deck, the PDF fiche, the workbook and the annual report.

The rule lives in the warehouse views `contract_post_year` / `contract_means` (loaders/schema.sql): a post
counts once per contract and year, whatever the number of records a file repeats for it (FONJEP 2025
lists most posts twice), with its largest amount; `n_records` keeps the records read. Real data (ASP and
FONJEP via ANCT Ci.Ville); 2025 looks partial.
"""
from __future__ import annotations

import pandas as pd

from indicators import cache
from observatoire import vocabulary

PARTIAL_YEARS = {2025}
COLUMNS = ["contrat_code", "year", "kind", "label", "n_posts", "amount", "n_records", "partial", "source_file"]


def _every_contract(con) -> pd.DataFrame:
    """The view contract_means for every contract, read once per warehouse build (the view aggregates every
    post record: reading it for one contract cost as much as for all, and every fiche asks)."""
    memo = cache.memo(con)
    if "contract_means" not in memo:
        memo["contract_means"] = con.execute(
            "SELECT contrat_code, year, kind, n_posts, amount, n_records, source_file FROM contract_means "
            "ORDER BY contrat_code, year, kind").df()
    return memo["contract_means"]


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
    """state_means as JSON-able dicts (the fiche's `means`), from every contract's records made once per build."""
    codes = [contrats] if isinstance(contrats, str) else list(contrats or [])
    if con is None or not codes:
        return []
    memo = cache.memo(con)
    if "means_records" not in memo:
        by: dict[str, list[dict]] = {}
        for r in state_means(con, sorted(set(_every_contract(con)["contrat_code"]))).itertuples():
            by.setdefault(r.contrat_code, []).append({
                "contrat_code": r.contrat_code, "year": int(r.year), "kind": r.kind, "label": r.label,
                "n_posts": int(r.n_posts), "amount": None if pd.isna(r.amount) else float(r.amount),
                "n_records": int(r.n_records), "partial": bool(r.partial), "source_file": r.source_file})
        memo["means_records"] = by
    return [dict(m) for c in sorted(set(codes)) for m in memo["means_records"].get(c, [])]


def totals_by_year(con, contrats) -> pd.DataFrame:
    """Posts and amounts per year and kind, summed over the given contracts (a quartier on two contracts)."""
    df = state_means(con, contrats)
    if df.empty:
        return df.drop(columns=["contrat_code"])
    return (df.groupby(["year", "kind", "label", "partial"], as_index=False)
              .agg(n_posts=("n_posts", "sum"), amount=("amount", "sum"), n_records=("n_records", "sum"),
                   source_file=("source_file", lambda s: ", ".join(sorted(set(", ".join(s).split(", ")))))))
