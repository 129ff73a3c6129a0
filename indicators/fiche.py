"""The quartier's portrait ("fiche"): one dict, documented in docs/ARCHITECTURE.md, used as is by the
quartier page, the exports and `python -m indicators fiche CODE --json`.

It only assembles what the other modules compute (references, gaps, position, barometre, twins) and the
contract's State means (indicators.means: one counting rule); it adds the caveats a reader needs.
"""
from __future__ import annotations

import math

from indicators import barometre as barometre_mod, catalog, gaps as gaps_mod, position, references, secret
from indicators import means as means_mod, predecessors, provenance, twins as twins_mod
from observatoire.frformat import fmt_number
from observatoire import vocabulary





def _ref_dict(t: dict | None) -> dict | None:
    if not t or not t.get("code"):
        return None
    return {"code": t["code"], "name": t["name"], "link_status": t.get("link_status", "ok")}


def territory_block(con, code: str) -> dict:
    """The `territory` part of the fiche: identity, communes, EPCI, contract(s), département, région."""
    t = references.territory(con, code)
    refs = references.reference_territories(con, t["code"])
    by = {}
    for r in refs:
        by.setdefault(r["level"], []).append(r)
    coms = by.get("commune", [])
    contrats = [r for r in by.get("contrat_de_ville", []) if r["code"]]
    return {
        "code": t["code"], "name": t["name"], "level": t["level"], "generation": t.get("generation"),
        "is_demo": bool(t.get("is_demo")),
        "communes": [{"code": c["code"], "name": c["name"], "link_status": c.get("link_status")} for c in coms],
        "epci": _ref_dict(next((r for r in by.get("epci", []) if r["code"]), None)),
        "epcis": [_ref_dict(r) for r in by.get("epci", []) if r["code"]],
        "contrat": _ref_dict(contrats[0]) if contrats else None,
        "contrats": [_ref_dict(c) for c in contrats],
        "departement": _ref_dict(next((r for r in by.get("departement", []) if r["code"]), None)),
        "region": _ref_dict(next((r for r in by.get("region", []) if r["code"]), None)),
        "crosswalk": references.crosswalk(con, t["code"]),
        "link_issues": references.link_issues(con, t["code"]),
        "predecessors": _predecessor_block(con, t["code"]),
    }


FICHE_LINK = "fiche?quartier={code}"   # the quartier page of the app (pages/fiche.py reads `quartier`)


def _predecessor_block(con, code: str) -> dict | None:
    """A 2024 quartier's 2015 predecessor(s), each with the link to its fiche, and the sentence to show."""
    note = predecessors.territory_note(con, code)
    if note is None:
        return None
    for p in note["predecessors"]:
        p["fiche_link"] = FICHE_LINK.format(code=p["code"])
    return note




def actions_2020(con, contrat_codes: list[str]) -> list[dict]:
    """Number of politique de la ville actions funded in 2020 per contract (all themes)."""
    if not contrat_codes:
        return []
    return [{"contrat_code": c, "n_projects": None if n is None else int(n)} for c, n in con.execute(
        "SELECT contrat_code, n_projects FROM contract_actions_2020 WHERE theme IS NULL "
        "AND list_contains(?, contrat_code) ORDER BY 1", [list(contrat_codes)]).fetchall()]


def _sources(con, code: str) -> dict[tuple[str, int], tuple[str, str]]:
    return {(i, int(e)): (f, v) for i, e, f, v in con.execute(
        "SELECT indicator_id, edition, source_file, source_variable FROM indicator_value WHERE territory_code = ?",
        [code]).fetchall()}


def fiche(con, code: str, edition: int | None = None, n_twins: int = 5) -> dict:
    """Portrait of a quartier: {territory, indicators[...], twins[...], means[...], actions_2020, caveats[...]}."""
    terr = territory_block(con, code)
    if terr["level"] != "qpv":
        raise ValueError(f"La fiche concerne un quartier prioritaire ; {terr['code']} est de niveau {terr['level']}.")
    code = terr["code"]
    ids = catalog.ids(con)
    rows = gaps_mod.gap_rows(con, code, edition, ids)
    eds = {r["indicator_id"]: r["edition"] for r in rows}
    for i in ids:
        eds.setdefault(i, None)
    pos = position.positions(con, code, eds)
    baro_ids = set(catalog.ids(con, barometre=True))
    baro = {b["indicator_id"]: b for b in barometre_mod.barometre(con, code, edition, [i for i in ids if i in baro_ids])}
    srcs = _sources(con, code)
    preds = [p["code"] for p in (terr["predecessors"] or {}).get("predecessors", [])]
    pred_vals = gaps_mod.values(con, preds, [(i, e) for i, e in eds.items() if e is not None]) if preds else {}
    mine_imported = provenance.imported(con, code, terr["generation"])
    indicators = []
    for i in ids:
        meta = catalog.indicator(con, i)
        mine = [r for r in rows if r["indicator_id"] == i]
        first = mine[0] if mine else {"value": None, "status": "non_disponible", "edition": eds[i]}
        approx = first.get("approx")
        src = srcs.get((i, first["edition"]), (None, None)) if first["edition"] is not None else (None, None)
        if approx:
            src = (approx["source_file"], approx["source_variable"])
        p = pos[i]
        indicators.append({
            "indicator_id": i, "label": meta["label"], "short_label": meta.get("short_label") or meta["label"],
            "unit": meta["unit"], "theme": meta["theme"],
            "polarity": meta["polarity"], "decimals": meta.get("decimals"), "gap_kind": meta["gap_kind"],
            "edition": first["edition"], "value": secret.visible(first["value"], first["status"]),
            "status": first["status"], "status_label": vocabulary.status_label(first["status"]),
            "source_file": src[0], "source_variable": src[1],
            "approximation": predecessors.block(con, code, approx, pred_vals),
            "source_line": (provenance.official_line(con, src[0], src[1], first["edition"],
                                                     "2015" if approx else terr["generation"], meta["source"])
                            if first["value"] is not None else None),
            "imported": mine_imported.get(i, []),
            "references": [{"level": r["level"], "code": r["ref_code"], "name": r["ref_name"], "value": r["ref_value"],
                            "edition": r["ref_edition"], "status": r["ref_status"], "gap": r["gap"],
                            "gap_kind": r["gap_kind"], "link_status": r["link_status"],
                            "other_year": r.get("other_year")} for r in mine],
            "percentile": p["percentile"], "rank": p["rank"], "n": p["n"],
            "position": {k: p[k] for k in ("national", "departement", "region")},
            "barometre": baro.get(i),
        })
    tw = twins_mod.twins(con, code, n=n_twins, edition=edition) if n_twins else []
    contrats = [c["code"] for c in terr["contrats"]]
    for x in terr["crosswalk"]:  # the 2024 contract(s) of the successor quartier(s), for 2024-2025 means
        contrats += [c["code"] for c in references.contracts(con, x["code"]) if c["code"] not in contrats]
    out = {
        "territory": terr, "edition_requested": edition, "indicators": indicators, "twins": tw,
        "means": means_mod.records(con, contrats), "actions_2020": actions_2020(con, contrats),
        "caveats": [],
    }
    out["caveats"] = caveats(con, out)
    return out


def caveats(con, f: dict) -> list[str]:
    """Plain French warnings for the reader: links, missing data, secret cells, evolution rule, partial means."""
    t = f["territory"]
    out = []
    for i in t["link_issues"]:
        what = vocabulary.label("link_statuses", i["status"])
        rel = vocabulary.label("relations", i["relation"])
        src = f" (source : {i['source_file']})" if i.get("source_file") else ""
        out.append(f"Rattachement {rel} — {what} : {i['detail']}{src}.")
    if t.get("predecessors"):
        out.append(t["predecessors"]["sentence"])
    if not any(x["value"] is not None for x in f["indicators"]):
        succ = ", ".join(x["code"] for x in t["crosswalk"]) or "aucune correspondance"
        out.append(f"Aucun indicateur publié pour ce quartier dans l'entrepôt (géographie {t['generation']}) ; "
                   f"correspondance 2015/2024 : {succ}.")
    if any(r.get("other_year") and r["level"] == "commune" for x in f["indicators"] for r in x["references"]):
        out.append(vocabulary.label("phrases", "caveat_commune_year"))
    hidden = [x for x in f["indicators"] if x["status"] not in vocabulary.shown_statuses() and x["edition"] is not None]
    if hidden:
        by = {}
        for x in hidden:
            by.setdefault(vocabulary.status_label(x["status"]), []).append(x["label"])
        for lab, names in by.items():
            out.append(f"{len(names)} indicateur(s) sans valeur ({lab}) : {', '.join(names[:5])}"
                       f"{' …' if len(names) > 5 else '.'}")
    out.append(vocabulary.label("phrases", "caveat_consecutive"))
    if any(x["theme"] == "revenus" for x in f["indicators"]):
        out.append(vocabulary.label("phrases", "caveat_income_year"))
    if not t["communes"] or any(c["code"] is None for c in t["communes"]):
        out.append("Commune non rattachée avec certitude : les comparaisons communales sont indisponibles.")
    if f["means"] and max(m["year"] for m in f["means"]) >= 2024:
        out.append("Moyens de l'État 2024-2025 : contrats « Engagements Quartiers 2030 » ; une partie des postes "
                   "FONJEP 2024-2025 n'a pas de code contrat et 2025 semble partiel.")
    if not f["twins"] and any(x["value"] is not None for x in f["indicators"]):
        out.append("Pas de quartiers jumeaux : profil trop incomplet pour une comparaison fiable.")
    if t.get("is_demo"):
        out.append("Données de démonstration.")
    return out


# ---------------------------------------------------------------- text rendering (CLI)

_fmt = catalog.fmt_value


def _gap_txt(r: dict, decimals: int = 1) -> str:
    if r["gap"] is None:
        return ""
    if r["gap_kind"] == "points":
        return f"écart {'+' if r['gap'] >= 0 else '−'}{fmt_number(abs(r['gap']), max(1, decimals))} pt"
    return f"rapport {fmt_number(r['gap'], 2)}"


def _mark(link_status: str | None) -> str:
    return "" if link_status in (None, "ok") else f" [{vocabulary.label('link_statuses', link_status)}]"


def to_text(f: dict) -> str:
    """Readable French rendering of a fiche (what `python -m indicators fiche CODE` prints)."""
    t = f["territory"]
    lines = [f"{t['name']} ({t['code']}) — quartier prioritaire, géographie {t['generation']}"]
    if t["communes"]:
        lines.append("Commune(s) : " + ", ".join(
            (c["name"] or "?") + _mark(c.get("link_status")) for c in t["communes"]))
    for key, lab in (("epcis", "Intercommunalité"), ("contrats", "Contrat de ville")):
        if t.get(key):
            lines.append(f"{lab} : " + ", ".join(
                f"{x['name']} ({x['code']})" + _mark(x.get("link_status")) for x in t[key]))
    for key, lab in (("departement", "Département"), ("region", "Région")):
        if t.get(key):
            lines.append(f"{lab} : {t[key]['name']} ({t[key]['code']})")
    lines.append("")
    lines.append("Indicateurs" if any(x["edition"] is not None for x in f["indicators"]) else "Indicateurs : aucun")
    for x in f["indicators"]:
        if x["edition"] is None:
            continue
        val = _fmt(x["value"], x) if x["value"] is not None else f"[{x['status_label'] or x['status']}]"
        pos = ""
        if x["percentile"] is not None:
            pos = f" — rang {x['rank']}/{x['n']}, centile {fmt_number(x['percentile'], 0)}"
        lines.append(f"- {x['label']} ({x['edition']}) : {val}{pos}")
        refs = [r for r in x["references"] if r["value"] is not None]
        for r in refs:
            lev = vocabulary.level_label(r["level"])
            name = "" if (r["name"] or "").lower() in lev.lower() or r["level"] == "ensemble_qpv" else r["name"]
            lines.append(f"    {lev} {name or ''}".rstrip() + " : "
                         + f"{_fmt(r['value'], x)} {('(' + _gap_txt(r, x.get('decimals') or 1) + ')') if r['gap'] is not None else ''}".rstrip())
        for m in x.get("imported") or []:    # the user's own values: beside, with their own source
            val = _fmt(m["value"], x) if m["value"] is not None else f"[{m['status_label'] or m['status']}]"
            lines.append(f"    Valeur importée ({m['edition']}) : {val} — {m['source_line']}")
        b = x["barometre"]
        if b:
            lum = {"mieux": "●+ mieux", "comparable": "●= comparable", "moins_bien": "●− moins bien"}
            lines.append(f"    Baromètre : {lum.get(b['light'], 'sans voyant')} — {b['sentence']}")
            ev = b.get("evolution") or {}
            if ev.get("sentence"):
                lines.append(f"    Évolution : {lum.get(ev.get('light'), 'sans voyant')} — {ev['sentence']}")
    if f["twins"]:
        lines.append("")
        lines.append("Quartiers jumeaux (profil standardisé)")
        for tw in f["twins"]:
            sim = ", ".join(d["label"] for d in tw["similar_on"])
            dif = ", ".join(d["label"] for d in tw["different_on"]) or "—"
            lines.append(f"- {tw['name']} ({tw['code']}, {tw.get('communes') or ''}) : distance "
                         f"{fmt_number(tw['distance'], 2)} ; proches sur {sim} ; différents sur {dif}")
    if f["means"]:
        lines.append("")
        lines.append("Moyens de l'État (contrat)")
        kinds = {"adulte_relais": "adultes-relais", "fonjep": "postes FONJEP"}
        for m in f["means"]:
            amt = fmt_number(m["amount"], 0, "€") if m["amount"] is not None and not math.isnan(m["amount"]) else ""
            lines.append(f"- {m['year']} {m['contrat_code']} : {m['n_posts']} {kinds.get(m['kind'], m['kind'])} {amt}".rstrip())
    if f["caveats"]:
        lines.append("")
        lines.append("Précautions")
        lines += [f"- {c}" for c in f["caveats"]]
    return "\n".join(lines)
