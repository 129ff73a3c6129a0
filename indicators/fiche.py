"""The quartier's portrait ("fiche"): one dict of numbers, statuses, years and codes, documented in
docs/ARCHITECTURE.md, turned into the fiche view (page, PDF, CLI text and JSON) by presentation/fiche.py.

It only assembles what the other modules compute (references, gaps, position, barometre, twins, provenance)
and the contract's State means (indicators.means: one counting rule); it adds the codes of the caveats a
reader needs (the view words them). The territory is resolved once and passed down to every module.
"""
from __future__ import annotations

from indicators import barometre as barometre_mod, catalog, gaps as gaps_mod, position, references, secret
from indicators import cache, means as means_mod, predecessors, provenance, twins as twins_mod
from observatoire import vocabulary


def _ref_dict(t: dict | None) -> dict | None:
    if not t or not t.get("code"):
        return None
    return {"code": t["code"], "name": t["name"], "link_status": t.get("link_status", "ok")}


FICHE_LINK = "fiche?quartier={code}"   # the quartier page of the app (pages/fiche.py reads `quartier`)


def territory_block(con, code) -> dict:
    """The `territory` part of the fiche: identity, communes, EPCI, contract(s), département, région, crosswalk,
    link issues, 2015 predecessors (a 2024 quartier). `code` is a code or a resolved territory dict."""
    t = references.territory(con, code)
    refs = references.reference_territories(con, t)
    by = {}
    for r in refs:
        by.setdefault(r["level"], []).append(r)
    coms = by.get("commune", [])
    contrats = [r for r in by.get("contrat_de_ville", []) if r["code"]]
    note = predecessors.territory_note(con, t["code"])
    if note is not None:
        for p in note["predecessors"]:
            p["fiche_link"] = FICHE_LINK.format(code=p["code"])
    return {
        "code": t["code"], "name": t["name"], "level": t["level"], "generation": t.get("generation"),
        "departement_code": t.get("departement"), "region_code": t.get("region"),
        "is_demo": bool(t.get("is_demo")),
        "communes": [{"code": c["code"], "name": c["name"], "link_status": c.get("link_status"),
                      "method": c.get("method")} for c in coms],
        "epci": _ref_dict(next((r for r in by.get("epci", []) if r["code"]), None)),
        "epcis": [_ref_dict(r) for r in by.get("epci", []) if r["code"]],
        "contrat": _ref_dict(contrats[0]) if contrats else None,
        "contrats": [_ref_dict(c) for c in contrats],
        "departement": _ref_dict(next((r for r in by.get("departement", []) if r["code"]), None)),
        "region": _ref_dict(next((r for r in by.get("region", []) if r["code"]), None)),
        "crosswalk": references.crosswalk(con, t),
        "link_issues": references.link_issues(con, t),
        "predecessors": note,
    }


def actions_2020(con, contrat_codes: list[str]) -> list[dict]:
    """Number of politique de la ville actions funded in 2020 per contract (all themes)."""
    if not contrat_codes:
        return []
    memo = cache.memo(con)
    if "actions_2020" not in memo:      # every contract's, read once per warehouse build
        memo["actions_2020"] = con.execute("SELECT contrat_code, n_projects FROM contract_actions_2020 "
                                           "WHERE theme IS NULL ORDER BY 1").fetchall()
    wanted = set(contrat_codes)
    return [{"contrat_code": c, "n_projects": None if n is None else int(n)} for c, n in memo["actions_2020"]
            if c in wanted]


def fiche(con, code, edition: int | None = None, n_twins: int = 5, indicator_ids=None) -> dict:
    """Portrait of a quartier: {territory, indicators[...], twins[...], means[...], actions_2020, caveats[...]}.
    `code` is a code or the territory dict already resolved by the caller (the view resolves it once);
    `indicator_ids` restricts the indicators (a detail view of one)."""
    t = references.territory(con, code)
    if t["level"] != "qpv":
        raise ValueError(f"La fiche concerne un quartier prioritaire ; {t['code']} est de niveau {t['level']}.")
    terr = territory_block(con, t)
    code = t["code"]
    ids = catalog.known(con, indicator_ids) if indicator_ids else catalog.ids(con)
    rows = gaps_mod.gap_rows(con, t, edition, ids)
    eds = {r["indicator_id"]: r["edition"] for r in rows}
    for i in ids:
        eds.setdefault(i, None)
    pos = position.positions(con, t, eds)
    baro_ids = set(catalog.ids(con, barometre=True))
    baro = {b["indicator_id"]: b for b in barometre_mod.barometre(con, t, edition, [i for i in ids if i in baro_ids])}
    own = gaps_mod.territory_values(con, [code])[code]     # (value, status, source_file, source_variable)
    preds = [p["code"] for p in (terr["predecessors"] or {}).get("predecessors", [])]
    pred_vals = gaps_mod.values(con, preds, [(i, e) for i, e in eds.items() if e is not None]) if preds else {}
    mine_imported = provenance.imported(con, t)
    by_id: dict[str, list[dict]] = {}
    for r in rows:
        by_id.setdefault(r["indicator_id"], []).append(r)
    indicators = []
    for i in ids:
        meta = catalog.indicator(con, i)
        mine = by_id.get(i, [])
        first = mine[0] if mine else {"value": None, "status": "non_disponible", "edition": eds[i]}
        approx = first.get("approx")
        src = (own.get((i, first["edition"]), (None, None, None, None))[2:] if first["edition"] is not None
               else (None, None))
        if approx:
            src = (approx["source_file"], approx["source_variable"])
        p = pos[i]
        indicators.append({
            "indicator_id": i, "label": meta["label"], "short_label": meta.get("short_label") or meta["label"],
            "unit": meta["unit"], "theme": meta["theme"],
            "polarity": meta["polarity"], "decimals": meta.get("decimals"), "gap_kind": meta["gap_kind"],
            "edition": first["edition"], "value": secret.visible(first["value"], first["status"]),
            "status": first["status"], "source_file": src[0], "source_variable": src[1],
            "approximation": predecessors.block(con, code, approx, pred_vals),
            "source": (provenance.official_source(con, src[0], src[1], first["edition"],
                                                 "2015" if approx else terr["generation"], meta["source"])
                       if first["value"] is not None else None),
            "imported": mine_imported.get(i, []),
            "references": [{"level": r["level"], "code": r["ref_code"], "name": r["ref_name"], "value": r["ref_value"],
                            "edition": r["ref_edition"], "status": r["ref_status"], "gap": r["gap"],
                            "gap_kind": r["gap_kind"], "link_status": r["link_status"],
                            "other_year": r.get("other_year"), "other_year_far": r.get("other_year_far")}
                           for r in mine],
            "percentile": p["percentile"], "rank": p["rank"], "n": p["n"],
            "position": {k: p[k] for k in ("national", "departement", "region")},
            "barometre": baro.get(i),
        })
    tw = twins_mod.twins(con, t, n=n_twins, edition=edition) if n_twins else []
    contrats = [c["code"] for c in terr["contrats"]]
    for x in terr["crosswalk"]:  # the 2024 contract(s) of the successor quartier(s), for 2024-2025 means
        contrats += [c["code"] for c in references.contracts(con, x["code"]) if c["code"] not in contrats]
    out = {
        "territory": terr, "edition_requested": edition, "indicators": indicators, "twins": tw,
        "means": means_mod.records(con, contrats), "actions_2020": actions_2020(con, contrats),
        "caveats": [],
    }
    out["caveats"] = caveats(out)
    return out


def caveats(f: dict) -> list[dict]:
    """What a reader must be warned of, as codes with their facts ({kind, …}; presentation.fiche words them):
    link issues, 2015 predecessors, no value, commune of another year, hidden values by status, the INSEE
    evolution rule, income years, commune not linked, partial 2024-2025 means, no twins, démo data."""
    t = f["territory"]
    inds = f["indicators"]
    out = [dict(i, kind="link") for i in t["link_issues"]]
    if t.get("predecessors"):
        out.append({"kind": "predecessors", "predecessors": t["predecessors"]["predecessors"]})
    if not any(x["value"] is not None for x in inds):
        out.append({"kind": "no_value", "generation": t["generation"],
                    "crosswalk": [x["code"] for x in t["crosswalk"]]})
    if any(r.get("other_year") and r["level"] == "commune" for x in inds for r in x["references"]):
        out.append({"kind": "commune_year"})
    hidden = [x for x in inds if x["status"] not in vocabulary.shown_statuses() and x["edition"] is not None]
    for status in dict.fromkeys(x["status"] for x in hidden):
        out.append({"kind": "hidden", "status": status,
                    "indicators": [x["label"] for x in hidden if x["status"] == status]})
    out.append({"kind": "consecutive"})
    if any(x["theme"] == "revenus" for x in inds):
        out.append({"kind": "income_year"})
    if not t["communes"] or any(c["code"] is None for c in t["communes"]):
        out.append({"kind": "commune_unlinked"})
    if f["means"] and max(m["year"] for m in f["means"]) >= 2024:
        out.append({"kind": "means_2024"})
    if not f["twins"] and any(x["value"] is not None for x in inds):
        out.append({"kind": "no_twins"})
    if t.get("is_demo"):
        out.append({"kind": "demo"})
    return out
