"""View models of a quartier's portrait: header facts, key figures, indicator tables by theme, reference
table, detail bars, evolution of the gap, twins, State means. Display-ready rows (text already decided by
presentation.text) with their source lines; the fiche page, the PDF fiche and the deck lay them out.

Everything starts from `indicators.fiche.fiche()` (one dict, also `python -m indicators fiche --json`).
"""
from __future__ import annotations

import pandas as pd

from indicators import evolution, fiche as fiche_lib
from observatoire import frformat, vocabulary
from presentation import sources, text

KEY_FIGURES = ["pop", "tx_pauvrete", "rev_disp_median", "tx_emploi"]
DETAIL_DEFAULT = ["tx_pauvrete", "rev_disp_median", "tx_emploi", "part_alloc_rsa"]
EVOLUTION_LEVELS = ("epci", "departement", "france", "ensemble_qpv")
HEADER_LEVELS = (("communes", "commune(s)"), ("epcis", "EPCI"), ("contrats", "contrat de ville"),
                 ("departement", "département"), ("region", "région"))


def names(x) -> str:
    """'Toulouse, Colomiers' from a territory dict or a list of them."""
    if isinstance(x, dict):
        return x.get("name") or x.get("code") or ""
    if isinstance(x, (list, tuple)):
        return ", ".join(n for n in (names(i) for i in x) if n)
    return str(x or "")


def labels_of(items) -> str:
    """'Taux de pauvreté, Taux d'emploi' from the twins' similar_on / different_on lists."""
    if not isinstance(items, (list, tuple)):
        return str(items or "")
    return ", ".join(i.get("label", i.get("indicator_id", "")) if isinstance(i, dict) else str(i) for i in items)


def shown_indicators(f: dict) -> list[dict]:
    """Indicators of the fiche that have an edition (with a value or a status), each with its decimals
    and its display text (value or status label, « ≈ » when borrowed from another territory)."""
    out = []
    for x in f.get("indicators") or []:
        if x.get("edition") is None:
            continue
        x = dict(x)
        x["decimals"] = 1 if x.get("decimals") is None else int(x["decimals"])
        x["value_text"] = text.indicator_value_text(x)
        out.append(x)
    return out


def _shown(status) -> bool:
    return status in vocabulary.shown_statuses()


# --------------------------------------------------------------------------- header and key figures

def header(f: dict) -> dict:
    """Name, code, generation and the facts line (communes, EPCI, contract, département, région, crosswalk)."""
    t = f["territory"]
    generation = str(t.get("generation") or "2015")
    facts = [f"**{t['code']}**", vocabulary.generation_label(generation)]
    for key, lab in HEADER_LEVELS:
        txt = names(t.get(key))
        if txt:
            facts.append(f"{lab} : {txt}")
    if t.get("crosswalk"):
        other = "2024" if generation == "2015" else "2015"
        facts.append(f"quartier(s) {other} correspondant(s) : "
                     + ", ".join(f"{c['name']} ({c['code']})" for c in t["crosswalk"]))
    return {"code": t["code"], "name": t["name"], "generation": generation, "facts": facts,
            "is_demo": bool(t.get("is_demo")), "crosswalk": t.get("crosswalk") or []}


def key_figures(f: dict, ids: list[str] = KEY_FIGURES) -> list[dict]:
    """The strip a COPIL slide starts with: label (millésime), value text, help (source file and column)."""
    by_id = {x["indicator_id"]: x for x in shown_indicators(f)}
    out = []
    for i in ids:
        x = by_id.get(i)
        if x is None:
            continue
        short = x.get("short_label") or x["label"]
        out.append({"indicator_id": i, "label": f"{short} ({text.year_text(x['edition'])})",
                    "value_text": x["value_text"],
                    "help": (f"{x['label']} — fichier {x['source_file']}, colonne {x['source_variable']}"
                             if x.get("source_file") else x["label"])})
    return out


# --------------------------------------------------------------------------- part 1: the quartier

def theme_tables(con, f: dict) -> list[dict]:
    """One table per theme: Indicateur, Valeur, Millésime, Rang national, Percentile, Statut (display), the
    numeric export frame and the source line."""
    inds = shown_indicators(f)
    generation = str(f["territory"].get("generation") or "2015")
    out = []
    for theme in dict.fromkeys(x["theme"] for x in inds):
        g = [x for x in inds if x["theme"] == theme]
        table = pd.DataFrame({
            "Indicateur": [x["label"] for x in g],
            "Valeur": [x["value_text"] for x in g],
            "Millésime": [text.year_text(x["edition"]) for x in g],
            "Rang national": [f"{frformat.fmt_int(x['rank'])} / {frformat.fmt_int(x['n'])}"
                              if x.get("rank") is not None and x.get("n") else text.DASH for x in g],
            "Percentile": [x.get("percentile") for x in g],
            "Statut": [vocabulary.status_label(x["status"]) or text.DASH for x in g],
        })
        imported = [line for x in g for line in text.imported_lines(x)]
        if imported:   # a user's values beside the official ones, never in their place (own source line)
            table.insert(2, "Valeur importée", [
                "; ".join(f"{text.value_text(m['value'], m['status'], x['unit'], x['decimals'])} "
                          f"({text.year_text(m['edition'])})" for m in x.get("imported") or []) or text.DASH
                for x in g])
        export = pd.DataFrame({
            "indicateur": [x["indicator_id"] for x in g], "libelle": [x["label"] for x in g],
            "unite": [x["unit"] for x in g], "millesime": [x["edition"] for x in g],
            "valeur": [x["value"] if _shown(x["status"]) else None for x in g],
            "statut": [x["status"] for x in g], "rang": [x.get("rank") for x in g],
            "nombre_quartiers": [x.get("n") for x in g], "percentile": [x.get("percentile") for x in g],
            "fichier_source": [x.get("source_file") for x in g], "variable_source": [x.get("source_variable") for x in g]})
        approx = any(x.get("approximation") for x in g)     # a 2024 quartier: its 2015 predecessors' files
        line = sources.indicator_line(con, [x["indicator_id"] for x in g], [x["edition"] for x in g],
                                      "2015" if approx else generation,
                                      note="valeurs des quartiers 2015 correspondants (≈)" if approx else None)
        out.append({"theme": theme, "label": vocabulary.theme_label(theme), "table": table, "export": export,
                    "source_line": line, "imported_lines": imported})
    return out


# --------------------------------------------------------------------------- part 2: references

def reference_table(con, f: dict) -> dict:
    """Quartier against every reference level with a published value: one text column per level (short
    label), the reference's millésime in brackets when it differs from the quartier's. Levels with no
    value at all are listed in `hidden`."""
    inds = shown_indicators(f)
    generation = str(f["territory"].get("generation") or "2015")
    levels = vocabulary.reference_levels()
    rows, used, other_years = [], set(), set()
    for x in inds:
        refs = {r.get("level"): r for r in x.get("references") or []}
        if not any(_shown(r.get("status")) for r in refs.values()):
            continue
        row = {"Indicateur": x["label"], "Millésime": text.year_text(x["edition"]), "Quartier": x["value_text"]}
        for lv in levels:
            r = refs.get(lv)
            if r is None:
                continue
            other = r.get("other_year") if r.get("value") is None else None
            if other and _shown(other.get("status")) and other.get("value") is not None:
                # a reference of another year (the communes' Filosofi 2021): shown with its year, never a gap
                r = {**r, "value": other["value"], "status": other["status"], "edition": other["edition"]}
                other_years.add(other.get("source_file") or "")
            cell = text.value_text(r.get("value"), r.get("status"), x["unit"], x["decimals"], short=True)
            if _shown(r.get("status")) and r.get("value") is not None:
                used.add(lv)
                if r.get("edition") is not None and r["edition"] != x["edition"]:
                    cell += f" ({text.year_text(r['edition'])})"
            row[vocabulary.level_label(lv, short=True)] = cell
        rows.append(row)
    cols = [vocabulary.level_label(lv, short=True) for lv in levels if lv in used]
    hidden = [vocabulary.level_label(lv) for lv in levels if lv not in used]
    table = pd.DataFrame(rows)
    if not table.empty:
        table = table.reindex(columns=["Indicateur", "Millésime", "Quartier"] + cols).fillna(text.DASH)
    note = "références : Filosofi (revenus) et SIG Ville"
    if other_years:
        note += (" ; communes : Filosofi communal d'une autre année (" + ", ".join(sorted(f for f in other_years if f))
                 + "), année entre parenthèses")
    line = sources.indicator_line(con, [x["indicator_id"] for x in inds], [x["edition"] for x in inds], generation,
                                  note=note)
    return {"table": table, "hidden": hidden, "source_line": line}


def detail_choices(f: dict) -> tuple[list[str], dict[str, str], str | None]:
    """Indicators with at least one published reference: (ids, {id: label}, default id)."""
    inds = [x for x in shown_indicators(f) if any(_shown(r.get("status")) for r in x.get("references") or [])]
    ids = [x["indicator_id"] for x in inds]
    default = next((i for i in DETAIL_DEFAULT if i in ids), ids[0] if ids else None)
    return ids, {x["indicator_id"]: x["label"] for x in inds}, default


def _indicator(f: dict, indicator_id: str) -> dict:
    return next(x for x in shown_indicators(f) if x["indicator_id"] == indicator_id)


def reference_bars(con, f: dict, indicator_id: str) -> dict:
    """Rows of the detail bar chart (the quartier, then each reference) and its source line."""
    x = _indicator(f, indicator_id)
    t = f["territory"]
    rows = pd.DataFrame([{"level": "qpv", "name": t["name"], "value": x["value"], "status": x["status"]}]
                        + [{"level": r.get("level"), "name": r.get("name") or r.get("code"), "value": r.get("value"),
                            "status": r.get("status") or "non_disponible"} for r in x.get("references") or []])
    line = sources.indicator_line(con, indicator_id, [x["edition"]], str(t.get("generation") or "2015"),
                                  with_files=True)
    return {"rows": rows, "indicator": x, "source_line": line}


def verdict_text(comp: dict, decimals: int):
    """One sentence on the INSEE-compliant comparison: editions, value change, gap verdict (HTML: the label
    in bold, every name escaped)."""
    txt = ""
    vf, vt = comp.get("value_from"), comp.get("value_to")
    if vf is not None and vt is not None:
        txt += f"de {frformat.fmt_number(vf, decimals)} à {frformat.fmt_number(vt, decimals)}"
    verdict = comp.get("verdict")
    if verdict:
        gf, gt = comp.get("gap_from"), comp.get("gap_to")
        if comp.get("gap_kind") == "ratio":
            def gap(g):
                return frformat.fmt_number(g, 2) + " fois"
        else:
            def gap(g):
                return ("+" if g > 0 else "") + frformat.fmt_number(g, 1) + " pt"
        explained = vocabulary.term("verdicts", verdict).get("explained", verdict)
        txt += (f" ; par rapport à {comp.get('reference_name')} : {explained}"
                + (f" ({gap(gf)} puis {gap(gt)}, tolérance {frformat.fmt_number(comp.get('tolerance'), 2)})"
                   if gf is not None and gt is not None else ""))
    elif comp.get("reference_name"):
        txt += f" ; pas d'écart comparable à {comp.get('reference_name')} aux deux millésimes"
    return text.html_fragment("<b>{}</b> : {}.", comp.get("label", ""), txt)


def evolution_view(con, f: dict, indicator_id: str) -> dict | None:
    """Series of the quartier and its references over the editions, the gap bars, the compared editions,
    the verdict sentence and the source line; None when fewer than two editions are published."""
    x = _indicator(f, indicator_id)
    t = f["territory"]
    code = t["code"]
    evo = evolution.evolution(con, code, indicator_id)
    series = pd.DataFrame(evo.get("series") or [])
    if len(series) <= 1:
        return None
    ref_names = {r.get("level"): r.get("name") for r in x.get("references") or []}
    rows = [{"edition": s.edition, "level": "qpv", "name": t["name"], "value": s.value, "status": s.status}
            for s in series.itertuples()]
    for level in EVOLUTION_LEVELS:
        e = evolution.evolution(con, code, indicator_id, reference=level)
        rows += [{"edition": s["edition"], "level": level, "name": ref_names.get(level) or vocabulary.level_label(level),
                  "value": s.get("ref_value"), "status": s.get("ref_status") or "non_disponible"}
                 for s in e.get("series") or []]
    comp = evo.get("comparison") or {}
    eds = sorted(series.edition.dropna().astype(int).unique())
    return {"rows": pd.DataFrame(rows), "gaps": series[["edition", "gap"]], "indicator": x,
            "gap_reference": evo.get("reference_name"),
            "compared": (comp["from_edition"], comp["to_edition"]) if comp.get("from_edition") else None,
            "verdict": verdict_text(comp, x["decimals"]) if comp else None,
            "source_line": sources.indicator_line(con, indicator_id, eds, str(t.get("generation") or "2015"))}


# --------------------------------------------------------------------------- twins and State means

def twins_table(f: dict) -> dict:
    """Twin quartiers: Quartier, Code, Commune(s), Distance, Semblable sur, Différent sur; source line."""
    tw = f.get("twins") or []
    table = pd.DataFrame({
        "Quartier": [t["name"] for t in tw], "Code": [t["code"] for t in tw],
        "Commune(s)": [names(t.get("communes")) for t in tw],
        "Distance": [t.get("distance") for t in tw],
        "Semblable sur": [labels_of(t.get("similar_on")) for t in tw],
        "Différent sur": [labels_of(t.get("different_on")) for t in tw]})
    line = sources.source_line("INSEE, CNAF — SIG Ville (ANCT/ONPV)", None, f["territory"].get("generation"),
                               note="calcul Observatoire")
    return {"table": table, "source_line": line}


def means_view(con, f: dict) -> dict:
    """State means of the quartier's contract(s) per year (indicators.means: one counting rule): chart rows,
    a display table (posts and amounts per kind, contract) and the source line."""
    rows = pd.DataFrame(f.get("means") or [])
    if rows.empty:
        return {"rows": rows, "table": pd.DataFrame(), "source_line": None}
    rows["Dispositif"] = rows.kind.map(vocabulary.labels("means_kinds")).fillna(rows.kind)
    years = sorted(rows.year.astype(int).unique())
    table = pd.DataFrame({"Année": [text.year_text(y) for y in years]})
    for kind, lab in vocabulary.labels("means_kinds").items():
        m = rows[rows.kind == kind].groupby("year").agg(n=("n_posts", "sum"), a=("amount", "sum"))
        table[f"{lab} : postes"] = [text.count_text(m.n.get(y)) for y in years]
        table[f"{lab} : montant (€)"] = [frformat.fmt_int(m.a.get(y)) if y in m.index else text.DASH for y in years]
    table["Contrat"] = [", ".join(sorted(rows[rows.year == y].contrat_code.unique())) for y in years]
    return {"rows": rows, "table": table, "source_line": sources.means_line(years, sorted(rows.contrat_code.unique()))}


def page_view(con, code: str, edition: int | None = None) -> dict:
    """Everything the fiche page shows for one quartier (cached per warehouse by the page)."""
    f = fiche_lib.fiche(con, code, edition=edition)
    return {"fiche": f, "header": header(f), "key_figures": key_figures(f), "themes": theme_tables(con, f),
            "references": reference_table(con, f), "detail": detail_choices(f), "twins": twins_table(f),
            "means": means_view(con, f), "caveats": f.get("caveats") or [],
            "editions": sorted({int(x["edition"]) for x in shown_indicators(f)})}

