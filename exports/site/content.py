"""THE adapter between the view models and the static site: every read of a view (presentation.fiche,
presentation.barometre, presentation.contract, presentation.site) happens here and nowhere else in
exports/site/, and turns it into the plain « documents » the templates print (strings, lists, no view
object). When the views change shape (issue 18), only this module is re-wired.

One fact, one view: every value string comes from the view as the app shows it (« ≈ 49,2 % »,
« 22,0 % (2021) »); what the site adds is written here and named so (« site: »).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from markupsafe import Markup

from observatoire import vocabulary
from presentation import barometre, fiche, share, site as site_view, text

TABLE_COLUMNS = ["Indicateur", "Valeur", "Millésime", "Rang national"]


def _qr(url: str | None) -> Markup | None:
    """The page's QR code as inline SVG (segno's markup, its title escaped by segno), for the printed page."""
    return Markup(share.qr_svg(url, f"QR code : {url}")) if url else None


def site_plan(con, contrat: str | None = None) -> dict:
    """Contracts and quartiers the site writes (presentation.site.plan)."""
    return site_view.plan(con, contrat)


def quartier_views(con, code: str, today: dt.date) -> tuple[object, barometre.View, list]:
    """The views of a quartier page: the app's fiche view (presentation.fiche.view, which carries the
    baromètre view) and the detail views (evolution) of the baromètre's key indicators: the only view calls a
    quartier page needs."""
    page = fiche.view(con, code, n_twins=0)
    baro = page.barometre
    baro.date = today
    shown = {r.indicator_id for r in page.rows if r.edition is not None}
    ids = [item.indicator_id for item in baro.items if item.indicator_id in shown and item.edition is not None]
    evolutions = [d for d in fiche.details(con, page.territory, ids) if d.evolution is not None]
    return page, baro, evolutions


# --------------------------------------------------------------------------- quartier document

def _light(light) -> dict:
    return {"code": light.code or "none", "label": light.label, "symbol": light.symbol, "text": light.text}


def barometre_doc(v: barometre.View) -> dict:
    return {"date": v.date_text, "summary": v.summary if v.items else None, "legend": _legend(),
            "items": [{"label": i.short_label, "full_label": i.label, "value": i.value_text, "line": i.line,
                       "sentence": i.sentence, "trend_sentence": i.trend_sentence, "light": _light(i.light),
                       "trend": _light(i.trend), "id": i.indicator_id} for i in v.items],
            "approximation": v.approximation, "empty": v.empty_message, "source_line": v.source_line,
            "millesimes": v.millesimes, "reading_note": barometre.reading_note()}


def _legend() -> list[dict]:
    return [{"code": k, **vocabulary.light(k)} for k in ("mieux", "comparable", "moins_bien")]


def _frame_rows(df: pd.DataFrame, columns: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    return cols, [[text.cell_text(v) for v in row] for row in df[cols].itertuples(index=False)]


def _evolution_doc(d) -> dict:
    """site: one small evolution chart and its table (the text equivalent) from a presentation.fiche.detail:
    the cells are the detail's own texts (« ≈ » kept)."""
    series = fiche.evolution_lines(d)
    editions = sorted({e for s in series for e, _ in s["points"]})
    for s in series:
        s["cells"] = [s["labels"].get(e, text.DASH) for e in editions]
    return {"id": d.indicator_id, "title": d.label, "unit": d.unit, "editions": editions,
            "edition_labels": [text.year_text(e) for e in editions], "series": series,
            "verdict": d.verdict, "source_line": d.evolution_source_line}


def quartier_doc(page, baro: barometre.View, evolutions: list, plan: dict, base_url: str | None) -> dict:
    """Everything a quartier page prints, from its views (quartier_views)."""
    themes = []
    for th in page.themes:
        header, rows = _frame_rows(th["table"], TABLE_COLUMNS + (["Valeur importée"] if "Valeur importée" in th["table"] else []))
        themes.append({"label": th["label"], "slug": th["theme"], "header": header, "rows": rows,
                       "source_line": th["source_line"], "imported_lines": th["imported_lines"]})
    refs = page.references
    ref_header, ref_rows = _frame_rows(refs["table"]) if not refs["table"].empty else ([], [])
    evos = [_evolution_doc(ev) for ev in evolutions]
    b = barometre_doc(baro)
    approx_note = baro.approximation or page.predecessor_note
    caveats = [c for c in page.caveats if c != approx_note]
    lines = [b["source_line"]] + [th["source_line"] for th in themes] + [refs["source_line"]] \
        + [e["source_line"] for e in evos]
    url = share.quartier_url(page.code, base_url)
    known = plan["quartiers"]                        # links only to pages this site has
    built = {c["code"] for c in plan["contracts"]}
    generation_label = vocabulary.generation_label(page.generation)
    return {
        "code": page.code, "name": page.name, "generation_label": generation_label,
        "facts": [x for x in page.facts if x not in (page.code, generation_label)],
        "is_demo": page.is_demo, "path": share.quartier_path(page.code), "url": url,
        "qr": _qr(url),
        "contracts": [{"code": c["code"], "name": c["name"],
                       "path": share.contract_path(c["code"]) if c["code"] in built else None}
                      for c in page.contrats if c.get("code")],
        "crosswalk": [{"code": c["code"], "name": c["name"],
                       "path": share.quartier_path(c["code"]) if c["code"] in known else None}
                      for c in page.crosswalk],
        "barometre": b, "approximation": approx_note, "themes": themes,
        "references": {"header": ref_header, "rows": ref_rows, "hidden": refs["hidden"],
                       "source_line": refs["source_line"]},
        "evolutions": evos, "caveats": caveats,
        "sources": list(dict.fromkeys(x for x in lines if x)),
        "download_stem": share.quartier_path(page.code).rsplit("/", 1)[-1].removesuffix(".html"),
        "table": download_frame(page),
    }


def download_frame(page) -> pd.DataFrame:
    """site: the quartier's indicators for CSV/XLSX — one row per indicator with the text every document
    prints, the number, its millésime, status, rank, source file and column, and the source line."""
    parts = []
    for th in page.themes:
        e = th["export"]
        parts.append(pd.DataFrame({
            "Thème": th["label"], "Indicateur": e["libelle"], "Valeur affichée": th["table"]["Valeur"],
            "Valeur": e["valeur"], "Unité": e["unite"], "Millésime": e["millesime"],
            "Statut": [vocabulary.status_label(s) for s in e["statut"]], "Rang national": e["rang"],
            "Nombre de quartiers classés": e["nombre_quartiers"], "Identifiant": e["indicateur"],
            "Fichier source": e["fichier_source"], "Variable source": e["variable_source"],
            "Source": th["source_line"]}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


# --------------------------------------------------------------------------- contract document

def published_lives(plan: dict, today: dt.date, saisie=None) -> dict[str, dict]:
    """What each contract of the plan lets the site publish of its saisie data (presentation.site)."""
    return site_view.published_lives([c["code"] for c in plan["contracts"]], today, saisie)


def contract_inputs(con, plan: dict) -> dict:
    """The warehouse reads of every contract page of the plan, at once (presentation.site.contract_inputs)."""
    return site_view.contract_inputs(con, [c["code"] for c in plan["contracts"]], list(plan["quartiers"]))


def contract_doc(con, code: str, plan: dict, barometres: dict, today: dt.date, base_url: str | None,
                 life: dict | None = None, inputs: dict | None = None) -> dict:
    """Everything a contract page prints: presentation.site.contract_view with links to the quartier pages."""
    c = next(x for x in plan["contracts"] if x["code"] == code)
    quartiers = [plan["quartiers"][q] for q in c["quartiers"]]
    v = site_view.contract_view(con, code, quartiers, barometres, today, life, inputs)
    url = share.contract_url(code, base_url)
    ranking = None
    if v["ranking"]:
        r = v["ranking"]
        ranking = {"header": r["header"],
                   "rows": [{"number": row["number"], "label": row["label"], "approx": row["approx"],
                             "path": share.quartier_path(quartiers[row["number"] - 1]["code"]),
                             "cells": [{"text": cell["text"], "light": _light(cell["light"]) if cell["light"] else None}
                                       for cell in row["cells"]]} for row in r["rows"]],
                   "editions": [text.year_text(e) for e in sorted({e for eds in r["editions"].values() for e in eds})]}
    approx = [barometres[q["code"]].approximation for q in quartiers
              if q["code"] in barometres and barometres[q["code"]].approximation]
    return {
        **{k: v[k] for k in ("code", "name", "generation_label", "carrier", "means_header", "means_rows", "means_partial",
                             "means_source", "shapes", "outline", "outline_name", "life", "light_legend")},
        "departement": c["departement_label"], "path": share.contract_path(code), "url": url,
        "qr": _qr(url),
        "key_figures": [{"value": f.value, "label": f.label, "note": f.note} for f in v["key_figures"]],
        "quartiers": [{"code": q["code"], "number": i, "label": q["label"], "path": share.quartier_path(q["code"]),
                       "generation_label": q["generation_label"]} for i, q in enumerate(quartiers, start=1)],
        "ranking": ranking, "uses_approximation": bool(approx),
        "barometre_sources": list(dict.fromkeys(barometres[q["code"]].source_line for q in quartiers
                                                if q["code"] in barometres and barometres[q["code"]].items)),
    }


def index_doc(plan: dict, today: dt.date, base_url: str | None) -> dict:
    """The index page: contracts by département (their quartiers' count) — on a national site, the index
    lists the départements and each département page its contracts (pages stay small)."""
    groups: dict[str, dict] = {}
    for c in plan["contracts"]:
        g = groups.setdefault(c["departement"] or "", {"label": c["departement_label"] or text.DASH,
                                                      "path": share.departement_path(c["departement"] or "autres"),
                                                      "contracts": []})
        g["contracts"].append({"code": c["code"], "name": c["name"], "generation_label": c["generation_label"],
                               "n": text.count_text(len(c["quartiers"])), "path": share.contract_path(c["code"])})
    for g in groups.values():
        g["n"] = text.count_text(len(g["contracts"]))
    in_contract = {q for c in plan["contracts"] for q in c["quartiers"]}
    orphans = [{"code": q["code"], "label": q["label"], "path": share.quartier_path(q["code"])}
               for q in plan["quartiers"].values() if q["code"] not in in_contract]
    return {"groups": list(groups.values()), "split": len(groups) > 1, "orphans": orphans,
            "date": text.date_text(today), "n_contracts": text.count_text(len(plan["contracts"])),
            "n_quartiers": text.count_text(len(plan["quartiers"])),
            "url": share.public_url(share.INDEX_PATH, base_url)}
