"""What the four contract-life pages share (programmation, engagements, enquêtes, référentiel): which contracts
a page can open and how it names them, whether the rows shown are démo rows, the quartiers an import template
lists, and the source line of the saisie's figures.

`con` is the warehouse (None when it is missing: the pages still work on the saisie database), `sc` the
saisie database; every function returns plain data.
"""
from __future__ import annotations

import datetime as dt

from contract import warehouse as contract_wh
from indicators import engagements as eng_lib, overview, programmation as prog_lib
from observatoire import vocabulary
from presentation import since as since_view, sources, text

DEMO_PRODUCER = "Jeu de démonstration de l'observatoire"


def contract_choices(saisie, warehouse: list[dict]) -> dict[str, str]:
    """{code: label} of every contract a page can open: those registered in the saisie database first (real,
    then démo; `saisie` is contract.service.contracts' table), then the warehouse's contracts of both
    generations (`warehouse`: warehouse_contracts)."""
    labels: dict[str, str] = {}
    for r in saisie.itertuples():
        labels[r.contrat_code] = f"{r.nom} ({r.contrat_code})" + (" — démo" if r.is_demo else " — données saisies")
    for r in warehouse:
        if r["code"] not in labels:
            labels[r["code"]] = f"{r['name']} ({r['code']}, contrat {r['generation']})"
    return labels


def warehouse_contracts(con) -> list[dict]:
    """The warehouse's contracts with quartiers: [{code, name, generation, n}] (cached by the pages)."""
    return overview.contracts_with_quartiers(con).to_dict("records")


def contract_name(con, sc, contrat: str) -> str:
    """« Toulouse Métropole (CN03103I) »: the contract as pages name it (warehouse first, then saisie)."""
    if con is not None:
        try:
            return f"{contract_wh.contract_info(con, contrat)['nom']} ({contrat})"
        except contract_wh.WarehouseIncomplete:
            pass
    nom = prog_lib.contract_nom(sc, contrat) if sc is not None else None
    return f"{nom} ({contrat})" if nom else contrat


def warehouse_name(con, contrat: str) -> str | None:
    """The contract's name in the warehouse, None when unknown (cached by the pages)."""
    try:
        return contract_wh.contract_info(con, contrat)["nom"]
    except contract_wh.WarehouseIncomplete:
        return None


def saisie_name(sc, contrat: str) -> str | None:
    """The contract's name as the saisie database knows it (a contract absent from the warehouse)."""
    return prog_lib.contract_nom(sc, contrat) if sc is not None else None


def template_quartiers(con, sc, contrat: str) -> list[dict]:
    """The contract's quartiers for an import template: as registered in the saisie database, else from the
    warehouse (a contract without any data yet)."""
    rows = prog_lib.quartiers(sc, contrat).to_dict("records")
    if rows or con is None:
        return rows
    return warehouse_quartiers(con, contrat)


def warehouse_quartiers(con, contrat: str) -> list[dict]:
    """[{quartier_code, nom, communes}] of a contract in the warehouse ([] when unknown)."""
    try:
        return contract_wh.contract_quartiers(con, contrat)
    except contract_wh.WarehouseIncomplete:
        return []


def is_demo(sc, contrat: str, table: str = "action") -> bool:
    """Whether the rows of `table` shown for this contract are démo rows (then every display says so)."""
    return prog_lib.is_demo(sc, contrat, table)


def producer(is_demo: bool, real: str) -> list[str]:
    return [DEMO_PRODUCER] if is_demo else [real]


def source_line(is_demo: bool, real: str, **kw) -> str:
    """The source line of figures typed or imported for the contract, démo-labelled when démo."""
    return sources.source_line(producer(is_demo, real), demo=is_demo, **kw)


def import_kind_label(kind: str) -> str:
    """« engagements des signataires »… (vocabulary import_kinds)."""
    return vocabulary.label("import_kinds", kind)


# --------------------------------------------------------------------------- the Exports page

def export_contracts(saisie, warehouse: list[dict]) -> tuple[list[str], dict[str, str], set[str]]:
    """(options, labels, codes with contract-life data) of the Exports page's picker: contracts with data
    (démo or real) first, then every warehouse contract."""
    labels = {r["code"]: f"{r['name']} — {r['code']} (géographie {r['generation']}, "
                         f"{text.plural_text(r['n'], 'quartier')})" for r in warehouse}
    with_life = sorted(saisie["contrat_code"]) if saisie is not None else []
    return with_life + [c for c in labels if c not in with_life], labels, set(with_life)


def copil_proposal(sc, contrat: str, today: dt.date) -> tuple[dt.date, str]:
    """The « dernier COPIL » the Exports page proposes and why (the deck's rule, presentation.since.since_date:
    the last COPIL recorded in the points d'étape, else six months before)."""
    copils = eng_lib.next_review_dates(sc, contrat) if sc is not None else []
    return since_view.since_date(None, copils, today)


def quartier_list(con, contrat: str) -> list[tuple[str, str]]:
    """[(code, name)] of a contract's quartiers in the warehouse, by code (the classeur and fiche buttons)."""
    return [(r.code, r.name) for r in overview.contract_quartiers(con, contrat).itertuples()]
