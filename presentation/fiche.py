"""THE view of a quartier's portrait, for the fiche page AND the fiche PDF (and the CLI's text and JSON):
header facts, key figures, indicator tables by theme, the reference table (levels of the vocabulary's place
`fiche`), the baromètre, twins, State means, caveats and source lines — every value already a
presentation.text.Value (status label, « ≈ » for a 2024 quartier's borrowed values, « (2021) » for a
reference of another year). Renderers lay it out; they never pick levels, format values or write sentences.

`view(con, code)` resolves the territory once and builds everything from `indicators.fiche.fiche()` (numbers,
statuses, years, codes). `detail(con, code, indicator_id)` is the view of one indicator's reference bars and
evolution (the page's « Indicateur à détailler », the PDF's two evolution charts, `python -m exports
graphique`). Views are plain data (dataclasses, lists, DataFrames of text): picklable, no Streamlit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from indicators import evolution, fiche as fiche_lib, gaps, references
from observatoire import frformat, vocabulary
from presentation import barometre as barometre_view, phrases, quartier as quartier_view, sources, text
from presentation.text import Value

KEY_FIGURES = ["pop", "tx_pauvrete", "rev_disp_median", "tx_emploi"]
DETAIL_DEFAULT = ["tx_pauvrete", "rev_disp_median", "tx_emploi", "part_alloc_rsa"]
PDF_EVOLUTIONS = ["tx_pauvrete", "rev_disp_median"]      # the two evolution charts of the PDF's page 2
HEADER_LEVELS = ("commune", "epci", "contrat_de_ville", "departement", "region")
QUARTIER_COLUMNS = ["Indicateur", "Millésime", vocabulary.level_label("qpv", short=True)]


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


def _shown(status) -> bool:
    return status in vocabulary.shown_statuses()


def _decimals(x: dict) -> int:
    return 1 if x.get("decimals") is None else int(x["decimals"])


# --------------------------------------------------------------------------- THE cells

def quartier_cell(x: dict, short: bool = False) -> Value:
    """The quartier's value of one fiche indicator (indicators.fiche): « ≈ » when borrowed from its 2015
    predecessor(s), the status label when hidden."""
    return text.value_cell(x.get("value"), x.get("status"), x.get("unit"), _decimals(x), year=x.get("edition"),
                           approx=bool(x.get("approximation")), short=short)


def reference_cell(x: dict, r: dict | None, short: bool = True) -> Value:
    """THE cell of a reference territory for one fiche indicator, in every document: its value at the
    quartier's millésime, else its value of another year within the year rule of every level (indicators.gaps
    `other_year`: « 22,0 % (2021) »), else its status placeholder (« n.d. », « non publié »)."""
    unit, dec, row_year = x.get("unit"), _decimals(x), x.get("edition")
    if r is None:
        return text.value_cell(None, "non_disponible", unit, dec, short=short)
    other = r.get("other_year") if r.get("value") is None else None
    if other and other.get("value") is not None and _shown(other.get("status")):
        return text.value_cell(other["value"], other["status"], unit, dec, year=other["edition"], row_year=row_year,
                               short=short)
    return text.value_cell(r.get("value"), r.get("status") or "non_disponible", unit, dec, year=r.get("edition"),
                           row_year=row_year, short=short)


def references_of(x: dict, level: str) -> list[dict]:
    """The reference rows of one level (several communes or EPCI for some quartiers), linked ones first."""
    rows = [r for r in x.get("references") or [] if r.get("level") == level]
    return sorted(rows, key=lambda r: r.get("code") is None)


def level_cell(x: dict, level: str, short: bool = True) -> Value:
    """The cell of a level for one indicator: the first territory of that level with a shown value (else the
    first one's status)."""
    rows = references_of(x, level)
    cells = [reference_cell(x, r, short) for r in rows]
    return next((c for c in cells if c.shown), cells[0] if cells else reference_cell(x, None, short))


# --------------------------------------------------------------------------- the view

@dataclass
class Row:
    """One indicator of the fiche, display-ready."""
    indicator_id: str
    label: str
    short_label: str
    theme: str
    unit: str | None
    decimals: int
    edition: int | None
    value: Value                       # the quartier's value (« ≈ 49,2 % », « secret statistique »)
    value_short: Value                 # the same for narrow cells (« secret », « n.d. »)
    rank_text: str
    percentile: int | None             # rounded down (text.percentile_value): the page's progress bar
    percentile_text: str
    status_text: str
    references: dict[str, Value]       # every reference level of the vocabulary -> its cell
    approximation: str | None = None   # how a 2024 quartier's value was borrowed
    source_line: str | None = None
    imported: list[dict] = field(default_factory=list)   # {value: Value, text, year_text, via, line}
    source_file: str | None = None
    source_variable: str | None = None

    @property
    def year_text(self) -> str:
        return text.year_text(self.edition)


@dataclass
class FicheView:
    code: str
    name: str
    generation: str
    is_demo: bool
    territory: dict                    # the territory row, resolved once (detail views reuse it)
    epci: dict | None                  # {code, name} of the quartier's EPCI (the map's strong outline)
    facts: list[str]                   # header facts (plain text; the page puts the code in bold)
    subtitle: str                      # the PDF header line: code · géographie · communes · EPCI · contrat
    crosswalk: list[dict]              # [{code, name}] of the other geography
    other_generation: str
    predecessor_note: str | None
    key_figures: list[dict]
    rows: list[Row]
    themes: list[dict]
    references: dict
    barometre: barometre_view.View
    twins: dict
    means: dict
    caveats: list[str]
    contrats: list[dict]
    actions_2020: list[dict]
    source_line: str
    sources: list[str]                 # one line per source used (the PDF's « Sources et précautions »)
    editions: list[int]
    imported_lines: list[str]          # every imported value beside its official one, with its source line

    def row(self, indicator_id: str) -> Row | None:
        return next((r for r in self.rows if r.indicator_id == indicator_id), None)

    @property
    def detail(self) -> tuple[list[str], dict[str, str], str | None]:
        """Indicators with at least one shown reference: (ids, {id: label}, default id)."""
        rows = [r for r in self.rows if any(c.shown for c in r.references.values())]
        ids = [r.indicator_id for r in rows]
        default = next((i for i in DETAIL_DEFAULT if i in ids), ids[0] if ids else None)
        return ids, {r.indicator_id: r.label for r in rows}, default


def _imported(x: dict) -> list[dict]:
    """The user's imported values of one indicator, each with its own source line, beside the official one."""
    out = []
    for m in x.get("imported") or []:
        via = m.get("via")
        v = text.value_cell(m["value"], m["status"], x.get("unit"), _decimals(x), approx=bool(via))
        via_txt = vocabulary.phrase("imported_predecessor", who=f"{via['name']} ({via['code']})") if via else ""
        line = sources.imported_line(m)
        out.append({"value": v, "text": f"{v} ({text.year_text(m['edition'])})", "year_text": text.year_text(m["edition"]),
                    "via": via, "source_line": line,
                    "line": vocabulary.phrase("imported_value", year=text.year_text(m["edition"]), via=via_txt,
                                              value=str(v), source=line)})
    return out


def _row(con, x: dict, code: str) -> Row:
    dec = _decimals(x)
    levels = vocabulary.reference_levels()
    return Row(
        indicator_id=x["indicator_id"], label=x["label"], short_label=x.get("short_label") or x["label"],
        theme=x["theme"], unit=x.get("unit"), decimals=dec, edition=x.get("edition"), value=quartier_cell(x),
        value_short=quartier_cell(x, short=True),
        rank_text=(f"{text.count_text(x['rank'])} / {text.count_text(x['n'])}"
                   if x.get("rank") is not None and x.get("n") else text.DASH),
        percentile=text.percentile_value(x.get("percentile")), percentile_text=text.percentile_text(x.get("percentile")),
        status_text=vocabulary.status_label(x["status"]) or text.DASH,
        references={lv: level_cell(x, lv) for lv in levels},
        approximation=quartier_view.approximation_text(con, x.get("approximation"), code, x.get("unit"), dec),
        source_line=sources.official_line(x.get("source")), imported=_imported(x),
        source_file=x.get("source_file"), source_variable=x.get("source_variable"))


def _facts(t: dict, generation: str) -> list[str]:
    facts = [t["code"], vocabulary.generation_label(generation)]
    by = {"commune": t.get("communes"), "epci": t.get("epcis"), "contrat_de_ville": t.get("contrats"),
          "departement": t.get("departement"), "region": t.get("region")}
    for level in HEADER_LEVELS:
        txt = names(by[level])
        if txt:
            facts.append(f"{vocabulary.level_label(level, short=True)} : {txt}")
    if t.get("crosswalk"):
        other = "2024" if generation == "2015" else "2015"
        facts.append(f"{vocabulary.label('levels', 'qpv')} {other} : "
                     + ", ".join(f"{c['name']} ({c['code']})" for c in t["crosswalk"]))
    return facts


def _subtitle(t: dict, generation: str) -> str:
    communes = ", ".join(c["name"] for c in t["communes"] if c.get("name"))
    parts = [t["code"], vocabulary.generation_label(generation), communes]
    if t.get("epci"):
        parts.append(t["epci"]["name"])
    if t.get("contrat"):
        parts.append(f"{vocabulary.level_label('contrat_de_ville')} {t['contrat']['code']}")
    return " · ".join(p for p in parts if p)


def key_figures(rows: list[Row], ids: list[str] = KEY_FIGURES) -> list[dict]:
    """The strip a fiche starts with: label (millésime), value, help (source file and column)."""
    out = []
    for i in ids:
        r = next((x for x in rows if x.indicator_id == i), None)
        if r is None or r.edition is None:
            continue
        out.append({"indicator_id": i, "label": f"{r.short_label} ({r.year_text})", "short_label": r.short_label,
                    "value": r.value, "value_text": str(r.value), "year_text": r.year_text, "shown": r.value.shown,
                    "help": (f"{r.label} — fichier {r.source_file}, colonne {r.source_variable}"
                             if r.source_file else r.label)})
    return out


def theme_tables(con, rows: list[Row], inds: list[dict], generation: str) -> list[dict]:
    """One table per theme: Indicateur, Valeur, [Valeur importée], Millésime, Rang national, Percentile,
    Statut (display text), the numeric export frame and the source line."""
    out = []
    for theme in dict.fromkeys(r.theme for r in rows):
        g = [r for r in rows if r.theme == theme]
        gx = [x for x in inds if x["theme"] == theme]
        table = pd.DataFrame({
            "Indicateur": [r.label for r in g], "Valeur": [str(r.value) for r in g],
            "Millésime": [r.year_text for r in g], "Rang national": [r.rank_text for r in g],
            "Percentile": [r.percentile for r in g], "Statut": [r.status_text for r in g]})
        imported = [m["line"] for r in g for m in r.imported]
        if imported:   # a user's values beside the official ones, never in their place (own source line)
            table.insert(2, "Valeur importée", ["; ".join(m["text"] for m in r.imported) or text.DASH for r in g])
        export = pd.DataFrame({
            "indicateur": [x["indicator_id"] for x in gx], "libelle": [x["label"] for x in gx],
            "unite": [x["unit"] for x in gx], "millesime": [x["edition"] for x in gx],
            "valeur": [x["value"] if _shown(x["status"]) else None for x in gx],
            "statut": [x["status"] for x in gx], "rang": [x.get("rank") for x in gx],
            "nombre_quartiers": [x.get("n") for x in gx], "percentile": [x.get("percentile") for x in gx],
            "fichier_source": [x.get("source_file") for x in gx],
            "variable_source": [x.get("source_variable") for x in gx]})
        approx = any(x.get("approximation") for x in gx)     # a 2024 quartier: its 2015 predecessors' files
        line = sources.indicator_line(con, [x["indicator_id"] for x in gx], [x["edition"] for x in gx],
                                      "2015" if approx else generation,
                                      note="valeurs des quartiers 2015 correspondants (≈)" if approx else None)
        out.append({"theme": theme, "label": vocabulary.theme_label(theme), "table": table, "export": export,
                    "rows": g, "source_line": line, "imported_lines": imported})
    return out


def reference_table(con, rows: list[Row], inds: list[dict], generation: str) -> dict:
    """The quartier against every reference level of the vocabulary's place `fiche` that has a shown value:
    one text column per level (short label), a reference of another year with its year in brackets. The same
    columns and cells on the page and in the PDF. Levels with no value at all are listed in `hidden`."""
    levels = vocabulary.levels_in("fiche")
    with_ref = [r for r in rows if any(r.references[lv].shown for lv in levels)]
    used = [lv for lv in levels if any(r.references[lv].shown for r in with_ref)]
    cols = [vocabulary.level_label(lv, short=True) for lv in used]
    table = pd.DataFrame([[r.label, r.year_text, str(r.value)] + [str(r.references[lv]) for lv in used]
                          for r in with_ref], columns=QUARTIER_COLUMNS + cols)
    other_files = sorted({(r.get("other_year") or {}).get("source_file") or "" for x in inds
                          for r in x.get("references") or [] if r.get("level") in used and r.get("value") is None
                          and (r.get("other_year") or {}).get("value") is not None} - {""})
    note = "références : Filosofi (revenus) et SIG Ville"
    if other_files:
        note += (" ; autre année (" + ", ".join(other_files) + ") : année entre parenthèses, à "
                 + phrases.years_text(gaps.max_years_apart()) + " d'écart au plus")
    line = sources.indicator_line(con, [x["indicator_id"] for x in inds], [x["edition"] for x in inds], generation,
                                  note=note)
    return {"table": table, "levels": used, "columns": cols,
            "hidden": [vocabulary.level_label(lv, short=True) for lv in levels if lv not in used],
            "ids": [r.indicator_id for r in with_ref], "source_line": line}


def caveat_text(c: dict, inds: list[dict]) -> str:
    """One caveat of indicators.fiche.caveats, in words."""
    kind = c["kind"]
    if kind == "link":
        src = vocabulary.phrase("caveat_link_source", file=c["source_file"]) if c.get("source_file") else ""
        return vocabulary.phrase("caveat_link", relation=vocabulary.label("relations", c["relation"]),
                                 status=vocabulary.label("link_statuses", c["status"]), detail=c["detail"], source=src)
    if kind == "predecessors":
        return quartier_view.note(c["predecessors"])
    if kind == "no_value":
        return vocabulary.phrase("caveat_no_value", generation=vocabulary.generation_label(c["generation"]),
                                 crosswalk=", ".join(c["crosswalk"]) or vocabulary.phrase("caveat_no_crosswalk"))
    if kind == "commune_year":
        return vocabulary.phrase("caveat_commune_year", max_years=text.count_text(gaps.max_years_apart()),
                                 multiple=phrases.times_text(vocabulary.rule("light_other_year", "tolerance_multiple")))
    if kind == "hidden":
        names_ = c["indicators"]
        listed = ", ".join(names_[:5]) + (" …" if len(names_) > 5 else "")
        count = f"{text.count_text(len(names_))} indicateur{'s' if len(names_) > 1 else ''}"
        return vocabulary.phrase("caveat_hidden", count=count, status=vocabulary.status_label(c["status"]),
                                 names=listed) + ("" if len(names_) > 5 else ".")
    if kind == "consecutive":
        return vocabulary.phrase("caveat_consecutive")
    if kind == "income_year":
        return vocabulary.phrase("caveat_income_year")
    if kind == "commune_unlinked":
        return vocabulary.phrase("caveat_commune_unlinked")
    if kind == "means_2024":
        return vocabulary.phrase("caveat_means_2024")
    if kind == "no_twins":
        return vocabulary.phrase("caveat_no_twins")
    return vocabulary.phrase("demo") + "."


def twins_view(f: dict) -> dict:
    """Twin quartiers: Quartier, Code, Commune(s), Distance, Semblable sur, Différent sur; source line."""
    tw = f.get("twins") or []
    table = pd.DataFrame({
        vocabulary.level_label("qpv", short=True): [t["name"] for t in tw], "Code": [t["code"] for t in tw],
        "Commune(s)": [names(t.get("communes")) for t in tw],
        "Distance": [t.get("distance") for t in tw],
        "Semblable sur": [labels_of(t.get("similar_on")) for t in tw],
        "Différent sur": [labels_of(t.get("different_on")) for t in tw]})
    line = sources.source_line("INSEE, CNAF — SIG Ville (ANCT/ONPV)", None, f["territory"].get("generation"),
                               note="calcul Observatoire")
    items = [{"title": f"{t['name']} ({t['code']}) — {names(t.get('communes'))}",
              "similar": labels_of((t.get("similar_on") or [])[:3])} for t in tw]
    return {"table": table, "items": items, "source_line": line}


def means_view(f: dict) -> dict:
    """State means of the quartier's contract(s) per year (indicators.means: one counting rule): chart rows,
    a display table (posts and amounts per kind, contract) and the source line."""
    recs = f.get("means") or []
    rows = pd.DataFrame(recs)
    if rows.empty:
        return {"rows": rows, "table": pd.DataFrame(), "source_line": None}
    kinds = vocabulary.labels("means_kinds")
    rows["Dispositif"] = [kinds.get(m["kind"], m["kind"]) for m in recs]
    years = sorted({int(m["year"]) for m in recs})
    posts: dict[tuple, int] = {}
    amounts: dict[tuple, list] = {}
    for m in recs:      # sums per kind and year (amounts: missing ones skipped, as pandas does)
        key = (m["kind"], int(m["year"]))
        posts[key] = posts.get(key, 0) + int(m["n_posts"])
        amounts.setdefault(key, [])
        if not frformat.is_missing(m["amount"]):
            amounts[key].append(float(m["amount"]))
    table = {"Année": [text.year_text(y) for y in years]}
    for kind, lab in kinds.items():
        table[f"{lab} : postes"] = [text.count_text(posts.get((kind, y))) for y in years]
        table[f"{lab} : montant (€)"] = [frformat.fmt_int(math.fsum(amounts[(kind, y)])) if (kind, y) in amounts
                                        else text.DASH for y in years]
    table["Contrat"] = [", ".join(sorted({m["contrat_code"] for m in recs if int(m["year"]) == y})) for y in years]
    return {"rows": rows, "table": pd.DataFrame(table),
            "source_line": sources.means_line(years, sorted({m["contrat_code"] for m in recs}))}


def _source_list(con, inds: list[dict]) -> list[str]:
    used: dict[str, set] = {}
    for x in inds:
        used.setdefault(sources.indicator_source(con, x["indicator_id"]), set()).add(x["edition"])
    out = []
    for sid, eds in used.items():
        info = sources.source_info(con, sid)
        title = (info.get("title") or "").split(" (")[0]
        out.append(f"{info.get('producer', sid)} — {title} ({sources.millesimes_text(eds)}).")
    return out


def view(con, code, edition: int | None = None, n_twins: int = 5) -> FicheView:
    """Everything the fiche page and the fiche PDF show for one quartier (2015 or 2024 code). The territory is
    resolved here, once, and passed down to the library."""
    t = references.territory(con, code)
    f = fiche_lib.fiche(con, t, edition=edition, n_twins=n_twins)
    terr = f["territory"]
    generation = str(terr.get("generation") or "2015")
    inds = [x for x in f["indicators"] if x.get("edition") is not None]
    rows = [_row(con, x, terr["code"]) for x in inds]
    baro_entries = [x["barometre"] for x in f["indicators"] if x.get("barometre")]
    approx = any(x.get("approximation") for x in inds)
    preds = (terr.get("predecessors") or {}).get("predecessors")
    page_line = sources.indicators_line(con, [{"source": sources.indicator_source(con, x["indicator_id"]),
                                               "edition": x["edition"]} for x in inds],
                                        "2015" if approx else generation)
    return FicheView(
        code=terr["code"], name=terr["name"], generation=generation, is_demo=bool(terr.get("is_demo")),
        territory=t, epci=terr.get("epci"), facts=_facts(terr, generation), subtitle=_subtitle(terr, generation),
        crosswalk=[{"code": c["code"], "name": c["name"]} for c in terr.get("crosswalk") or []],
        other_generation="2024" if generation == "2015" else "2015",
        predecessor_note=quartier_view.note(preds) if terr.get("predecessors") is not None else None,
        key_figures=key_figures(rows), rows=rows, themes=theme_tables(con, rows, inds, generation),
        references=reference_table(con, rows, inds, generation),
        barometre=barometre_view.from_entries(con, t, baro_entries),
        twins=twins_view(f), means=means_view(f), caveats=[caveat_text(c, inds) for c in f["caveats"]],
        contrats=terr.get("contrats") or [], actions_2020=f.get("actions_2020") or [], source_line=page_line,
        sources=_source_list(con, inds), editions=sorted({int(x["edition"]) for x in inds}),
        imported_lines=[m["line"] for r in rows for m in r.imported])


# --------------------------------------------------------------------------- one indicator in detail

@dataclass
class Detail:
    """One indicator of a quartier in detail: the bars of the quartier and its references (levels of the
    place `fiche`), and its evolution with the references of the place `evolution`. Every label is the
    Value text of the tables (« ≈ » and other years kept)."""
    indicator_id: str
    label: str
    unit: str | None
    decimals: int
    edition: int | None
    gap_kind: str
    bars: pd.DataFrame                 # level, name, value, text (first row = the quartier)
    bars_note: str | None              # levels without a value, by their short label
    bars_source_line: str
    evolution: pd.DataFrame | None     # edition, level, name, value, text (None: fewer than two editions)
    gaps: pd.DataFrame | None          # edition, gap, text
    gap_title: str | None
    compared: tuple[int, int] | None
    verdict: object | None             # Markup: the compared millésimes in bold, names escaped
    evolution_caveat: str | None
    evolution_source_line: str | None


def evolution_lines(d: Detail) -> list[dict]:
    """The lines of a Detail's evolution chart, in the vocabulary's order of levels (the quartier first), for
    the renderers that draw it themselves (the PDF's vectors, the site's SVG): level, name (the legend's: the
    quartier's name, « EPCI : Toulouse Métropole »), points [(edition, value)] by edition, labels {edition:
    value text} (« ≈ » kept), runs (the points split at the chart's editions without a value: line_runs). Only
    shown values are points: a missing edition is a gap, never a zero."""
    if d.evolution is None:
        return []
    order = vocabulary.codes("levels")
    by_level: dict[str, list[dict]] = {}
    for r in sorted(d.evolution.to_dict("records"), key=lambda r: r["edition"]):
        if not frformat.is_missing(r["value"]):
            by_level.setdefault(r["level"], []).append(r)
    editions = {int(r["edition"]) for g in by_level.values() for r in g}
    lines = []
    for level in sorted(by_level, key=lambda lv: order.index(lv) if lv in order else 99):
        g = by_level[level]
        name = str(g[0]["name"])
        points = [(int(r["edition"]), float(r["value"])) for r in g]
        lines.append({"level": level, "name": name if level == "qpv" else text.level_name(level, name),
                      "points": points, "runs": line_runs(points, editions),
                      "labels": {int(r["edition"]): r["text"] for r in g}})
    return lines


def line_runs(points: list[tuple[int, float]], editions: set[int]) -> list[list[tuple[int, float]]]:
    """The points of one line of an evolution chart, split where an edition of the chart (`editions`: those with
    a value on any line) has no value for it: a gap, never a bridge over a missing millésime. The one rule of
    every evolution chart: the page's Plotly figure, the PDF's vectors, the public site's SVG."""
    runs: list[list[tuple[int, float]]] = []
    for e, v in points:
        if runs and not any(runs[-1][-1][0] < m < e for m in editions):
            runs[-1].append((e, v))
        else:
            runs.append([(e, v)])
    return runs


def evolution_label(comp: dict) -> str:
    """« Évolution 2017 → 2019 (2 ans, millésimes non consécutifs) »."""
    key = "evolution_label" if comp.get("comparable") else "evolution_label_consecutive"
    return vocabulary.phrase(key, from_year=text.year_text(comp["from_edition"]),
                             to_year=text.year_text(comp["to_edition"]), years=phrases.years_text(comp["years"]))


def reference_to(level: str | None, name: str | None) -> str:
    """« à l'intercommunalité Toulouse Métropole », « à l'ensemble des quartiers prioritaires » (a level reached by
    a fixed code is not named again); '' without a level."""
    if not level:
        return ""
    fixed = "code" in (vocabulary.term("levels", level).get("link") or {})
    return f"{vocabulary.level_to(level)} {'' if fixed else name or ''}".strip()


def _gap_text(g, gap_kind: str, approx: bool) -> str:
    if gap_kind == "ratio":
        txt = frformat.fmt_number(g, 2)
    else:
        txt = ("+" if g > 0 else "") + frformat.fmt_number(g, 1)
    return (text.APPROX + txt) if approx else txt


def verdict_text(comp: dict, x: dict, approx: bool):
    """One sentence on the INSEE-compliant comparison: editions, value change, gap verdict (HTML: the label
    in bold, every name escaped)."""
    unit, dec = x.get("unit"), _decimals(x)
    if comp.get("value_from") is None or comp.get("value_to") is None:
        return text.html_fragment("<b>{}</b>.", evolution_label(comp))
    verdict = ""
    to = reference_to(comp.get("reference_level"), comp.get("reference_name"))
    if comp.get("verdict") and comp.get("gap_from") is not None and comp.get("gap_to") is not None:
        kind = comp.get("gap_kind")
        unit_gap = " fois" if kind == "ratio" else " pt"
        verdict = vocabulary.phrase(
            "evolution_verdict_gap", to=to,
            verdict=vocabulary.term("verdicts", comp["verdict"]).get("explained", comp["verdict"]),
            gap_from=_gap_text(comp["gap_from"], kind, approx) + unit_gap,
            gap_to=_gap_text(comp["gap_to"], kind, approx) + unit_gap,
            tolerance=frformat.fmt_number(comp.get("tolerance"), 2))
    elif to:
        verdict = vocabulary.phrase("evolution_no_gap", to=to)
    body = vocabulary.phrase("evolution_verdict", from_value=text.value_text(comp["value_from"], "ok", unit, dec,
                                                                             approx=approx),
                             to_value=text.value_text(comp["value_to"], "ok", unit, dec, approx=approx),
                             verdict=verdict)
    return text.html_fragment("<b>{}</b> : {}.", evolution_label(comp), body)


def detail(con, code, indicator_id: str, edition: int | None = None) -> Detail:
    """The view of one indicator of a quartier in detail (see Detail); `code` is a code or a resolved
    territory dict. The quartier's cells are those of the fiche view (same functions, same rows)."""
    return details(con, code, [indicator_id], edition)[0]


def details(con, code, indicator_ids: list[str], edition: int | None = None) -> list[Detail]:
    """detail() of several indicators of one quartier, built from ONE fiche of those indicators (the PDF's and
    the public site's evolution charts): the same Details as one call each."""
    t = references.territory(con, code)
    f = fiche_lib.fiche(con, t, edition=edition, n_twins=0, indicator_ids=list(indicator_ids))
    by_id = {x["indicator_id"]: x for x in f["indicators"]}
    return [_detail(con, t, by_id[i]) for i in indicator_ids]


def _detail(con, t: dict, x: dict) -> Detail:
    indicator_id = x["indicator_id"]
    dec, unit, approx = _decimals(x), x.get("unit"), bool(x.get("approximation"))
    generation = str(t.get("generation") or "2015")
    fiche_levels = vocabulary.levels_in("fiche")
    bars = [{"level": "qpv", "name": t["name"], "value": x.get("value"), "text": str(quartier_cell(x)),
             "shown": _shown(x.get("status")) and x.get("value") is not None}]
    for lv in fiche_levels:
        for r in references_of(x, lv):
            cell = reference_cell(x, r, short=False)
            if cell.shown:
                bars.append({"level": lv, "name": r.get("name") or r.get("code"), "value": cell.value,
                             "text": str(cell), "shown": True})
    shown_levels = {b["level"] for b in bars}
    missing = [vocabulary.level_label(lv, short=True) for lv in fiche_levels if lv not in shown_levels]
    bars_line = sources.indicator_line(con, indicator_id, [x["edition"]], generation, with_files=True)
    out = Detail(indicator_id=indicator_id, label=x["label"], unit=unit, decimals=dec, edition=x.get("edition"),
                 gap_kind=x.get("gap_kind") or "points", bars=pd.DataFrame([b for b in bars if b["shown"]]),
                 bars_note=(vocabulary.phrase("chart_no_value", levels=", ".join(missing)).replace("..", ".")
                            if missing else None),
                 bars_source_line=bars_line, evolution=None, gaps=None, gap_title=None, compared=None, verdict=None,
                 evolution_caveat=None, evolution_source_line=None)
    ev = evolution.series(con, t, indicator_id)
    if len(ev["series"]) <= 1 or not any(r["level"] == "qpv" for r in ev["series"]):
        return out
    # Rows filtered and worded in Python, then ONE frame per table (pandas operations cost more than the rest).
    refs = {r["level"]: r for r in x.get("references") or [] if r.get("code")}
    columns = list(ev["series"][0]) + ["text"]
    series = pd.DataFrame([dict(r, name=r["name"] if r["level"] == "qpv" else (refs.get(r["level"], {}).get("name")
                                                                                 or r["name"]),
                                text=text.value_text(r["value"], r["status"], unit, dec,
                                                     approx=bool(r["approx_method"]) and r["level"] == "qpv"))
                           for r in ev["series"] if _shown(r["status"]) and not frformat.is_missing(r["value"])],
                          columns=columns)
    comp = ev.get("comparison") or {}
    gp = pd.DataFrame([(g["edition"], g["gap"], _gap_text(g["gap"], out.gap_kind, approx)) for g in ev.get("gaps") or []
                       if not frformat.is_missing(g["gap"])], columns=["edition", "gap", "text"])
    eds = sorted({int(r["edition"]) for r in ev["series"] if not frformat.is_missing(r["edition"])})
    compared = (comp["from_edition"], comp["to_edition"]) if comp.get("from_edition") else None
    to = reference_to(ev.get("reference_level"), ev.get("reference_name"))
    title = vocabulary.phrase("evolution_gap_title", to=to) + (
        vocabulary.phrase("evolution_gap_compared", from_year=compared[0], to_year=compared[1]) if compared else "")
    caveat = vocabulary.phrase("evolution_caveat", comparison=f" ; {evolution_label(comp)}" if comp else "")
    out.evolution, out.gaps, out.gap_title, out.compared = series, gp, title if to else None, compared
    out.verdict = verdict_text(comp, x, approx) if comp else None
    out.evolution_caveat = caveat
    out.evolution_source_line = sources.indicator_line(con, indicator_id, eds, generation)
    return out


# --------------------------------------------------------------------------- command line

def json_document(con, code, edition: int | None = None, n_twins: int = 5) -> dict:
    """What `python -m indicators fiche CODE --json` prints: the library's fiche (numbers, statuses, codes),
    with the words a reader of the JSON needs beside them: each value's source line and status label, the
    imported values' source lines (author as a person), the baromètre's line and sentence."""
    t = references.territory(con, code)
    f = fiche_lib.fiche(con, t, edition=edition, n_twins=n_twins)
    for x in f["indicators"]:
        x["status_label"] = vocabulary.status_label(x["status"])
        x["source_line"] = sources.official_line(x.get("source"))
        x["value_text"] = str(quartier_cell(x))
        for m in x.get("imported") or []:
            m["status_label"] = vocabulary.status_label(m["status"])
            m["source_line"] = sources.imported_line(m)
        b = x.get("barometre")
        if b:
            item = barometre_view.item_of(b, approx=bool(b.get("approximation")))
            b.update(line=item.line, sentence=item.sentence, light_label=item.light.label,
                     trend_sentence=item.trend_sentence)
    f["caveats"] = [caveat_text(c, f["indicators"]) for c in f["caveats"]]
    return f


def to_text(v: FicheView) -> str:
    """Readable French rendering of the fiche view (what `python -m indicators fiche CODE` prints)."""
    lines = [f"{v.name} ({v.code}) — {vocabulary.label('levels', 'qpv').lower()}, "
             f"{vocabulary.generation_label(v.generation)}"]
    lines += [f for f in v.facts[2:]]
    lines.append("")
    lines.append("Indicateurs" if v.rows else "Indicateurs : aucun")
    baro = {i.indicator_id: i for i in v.barometre.items}
    for r in v.rows:
        pos = f" — rang {r.rank_text}, percentile {r.percentile_text}" if r.percentile is not None else ""
        lines.append(f"- {r.label} ({r.year_text}) : {r.value}{pos}")
        for lv, cell in r.references.items():
            if cell.shown:
                lines.append(f"    {vocabulary.level_label(lv)} : {cell}")
        lines += [f"    {m['line']}" for m in r.imported]
        it = baro.get(r.indicator_id)
        if it is not None:
            lines.append(f"    Baromètre : {it.light.text} — {it.sentence}")
            lines.append(f"    Évolution : {it.trend.text} — {it.trend_sentence}")
    if not v.twins["table"].empty:
        lines += ["", "Quartiers jumeaux (profil standardisé)"]
        for t in v.twins["items"]:
            lines.append(f"- {t['title']} : proches sur {t['similar']}")
    if not v.means["table"].empty:
        lines += ["", "Moyens de l'État (contrat)"]
        for rec in v.means["table"].to_dict("records"):
            lines.append("- " + " ; ".join(f"{k} : {val}" for k, val in rec.items()))
    if v.caveats:
        lines += ["", "Précautions"] + [f"- {c}" for c in v.caveats]
    return "\n".join(lines)
