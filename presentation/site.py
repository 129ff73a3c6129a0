"""View models that only the static public site needs (`python -m exports site`), beside the fiche and the
baromètre it reuses as they are: the plan of the site, a contract's public page, and what the contract
lets the site publish of its saisie data.

Publication rule (the one place that applies it): nothing typed in the saisie database is published unless
the contract's `publication` choice says so (contract.publication: commitments' progress, verbatims), a
verbatim is published only when it is itself flagged « Publiable », and démo rows are never published.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import shapely

from contract import publication, store, warehouse as contract_wh
from indicators import engagements, enquetes, geometry, means as means_lib, references, site as site_lib
from observatoire import vocabulary
from presentation import contract as contract_view_mod, sources, text
from presentation.barometre import View as BarometreView


def plan(con, contrat: str | None = None) -> dict:
    """Contracts (one, or all) and their quartiers: {contracts: [{code, name, generation, departement,
    departement_label, quartiers: [codes]}], quartiers: {code: {code, name, generation, communes, label,
    contrats}}}. With `contrat`, only that contract and its quartiers."""
    cs = site_lib.contracts(con, contrat)
    if contrat and not cs:
        raise ValueError(f"{contrat} n'est pas un contrat de ville de l'entrepôt.")
    qs = site_lib.quartiers(con, contrat)
    by_contract: dict[str, list[str]] = {}
    for q in qs:
        q["label"] = contract_wh.quartier_label(q["name"], q["communes"])
        q["generation_label"] = vocabulary.generation_label(q["generation"])
        for c in q["contrats"]:
            by_contract.setdefault(c, []).append(q["code"])
    for c in cs:
        c["quartiers"] = by_contract.get(c["code"], [])
        c["generation_label"] = vocabulary.generation_label(c["generation"])
        c["departement_label"] = " — ".join(x for x in (c["departement"], c["departement_name"]) if x)
    return {"contracts": cs, "quartiers": {q["code"]: q for q in qs}}


def contract_inputs(con, contrats: list[str], quartier_codes: list[str]) -> dict:
    """What contract pages read from the warehouse, for many contracts at once (a national build reads each
    table once): State means, carriers and their EPCI outlines, quartier shapes (contour or commune point)."""
    means = means_lib.state_means(con, contrats)
    carrier_codes = site_lib.carriers(con, contrats)
    epcis = sorted(set(carrier_codes.values()))
    rows = geometry.outline_rows(con, "epci", tuple(epcis)) if epcis else []
    return {"means": {c: g.reset_index(drop=True) for c, g in means.groupby("contrat_code")},
            "empty_means": means.iloc[0:0], "carriers": carrier_codes,
            "outlines": dict(zip([r[0] for r in rows], shapely.from_wkb([bytes(r[2]) for r in rows]))),
            "shapes": geometry.quartier_geometries(con, quartier_codes) if quartier_codes else {}}


def contract_view(con, code: str, quartiers: list[dict], barometres: dict[str, BarometreView],
                  today: dt.date, life: dict | None = None, inputs: dict | None = None) -> dict:
    """A contract's public page: identity, key figures, the ranking of its quartiers on the key indicators
    (the same baromètre entries as each quartier's page), the State means, the quartiers' shapes for the
    map and — when the contract chose so — its published saisie data (`life`: from published_lives).
    `inputs`: contract_inputs() of many contracts at once (read here for this one when absent)."""
    t = references.territory(con, code)
    inputs = inputs or contract_inputs(con, [t["code"]], [q["code"] for q in quartiers])
    carrier = None
    if inputs["carriers"].get(t["code"]):
        try:
            carrier = references.territory(con, inputs["carriers"][t["code"]])
        except KeyError:
            carrier = None
    means = inputs["means"].get(t["code"], inputs["empty_means"])
    rank_input = [(i, q["label"], barometres[q["code"]]) for i, q in enumerate(quartiers, start=1)
                  if q["code"] in barometres]
    ranking = contract_view_mod.ranking(rank_input, con=con) if rank_input else None
    shapes = inputs["shapes"]
    outline = inputs["outlines"].get(carrier["code"]) if carrier is not None else None
    means_v = contract_view_mod.means_view(means, t["code"])
    return {
        "code": t["code"], "name": t["name"], "generation": t.get("generation"),
        "generation_label": vocabulary.generation_label(t.get("generation")),
        "departement": t.get("departement"),
        "carrier": {"code": carrier["code"], "name": carrier["name"],
                    "level": vocabulary.level_label(carrier["level"])} if carrier else None,
        "key_figures": contract_view_mod.key_figures(len(quartiers), t.get("population"), means, {}, today),
        "ranking": ranking,
        "light_legend": contract_view_mod.light_legend(),
        "means_header": means_v.header,
        "means_rows": means_v.rows,
        "means_partial": bool(len(means) and means["partial"].any()),
        "means_source": means_v.source_line if len(means) else None,
        "shapes": [{"code": q["code"], "number": i, "label": q["label"], "kind": shapes[q["code"]][0],
                    "geometry": shapes[q["code"]][1]} for i, q in enumerate(quartiers, start=1) if q["code"] in shapes],
        "outline": outline,
        "outline_name": carrier["name"] if outline is not None else None,
        "life": life,
    }


def published_lives(contrats: list[str], today: dt.date, saisie=None) -> dict[str, dict]:
    """{contract: what it publishes} for the contracts among `contrats` whose choice publishes something
    and that have real (non-démo) rows to show; {} without a saisie database (never created here)."""
    if not store.available(saisie):
        return {}
    wanted = set(contrats)
    with store.connect(saisie) as sc:
        out = {}
        for code, choice in publication.publishing(sc).items():
            if code in wanted:
                life = public_life(sc, choice, today)
                if life:
                    out[code] = life
        return out


def public_life(sc, choice: publication.Choice, today: dt.date) -> dict | None:
    """What the contract lets the public site show of its saisie data, or None when nothing:
    {engagements: {header, rows, date} | None, verbatims: [{survey, wave, question, quartier, text}], source}."""
    contrat = choice.contrat_code
    out: dict = {"engagements": None, "verbatims": []}
    if choice.engagements and len(engagements.engagements(sc, contrat, today, real_only=True)):
        counts = engagements.status_counts(sc, contrat, "signataire", today, real_only=True)
        statuses = vocabulary.labels("engagement_statuses")
        rows = [[r["signataire"]] + [text.count_text(r[s]) for s in statuses] + [text.count_text(r["total"]),
                text.value_text(r["taux_realisation"], "ok", "%", 0)] for _, r in counts.iterrows()]
        out["engagements"] = {"header": ["Signataire", *statuses.values(), "Total", "Taux de réalisation"],
                              "rows": rows, "date": text.date_text(today)}
    if choice.verbatims:
        for s in enquetes.enquetes(sc, contrat).itertuples():
            if s.is_demo:
                continue
            v = enquetes.verbatims(sc, contrat, int(s.id))
            out["verbatims"] += [{"survey": s.titre, "wave": r.vague_libelle, "question": r.question,
                                  "quartier": r.quartier, "text": r.texte}
                                 for r in v.itertuples() if not pd.isna(r.texte)]
    if out["engagements"] is None and not out["verbatims"]:
        return None
    out["source"] = sources.source_line("Saisie du contrat (engagements des signataires, enquêtes habitants)",
                                        None, None)
    return out
