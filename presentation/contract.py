"""The view model of a contract for the COPIL deck and the annual report: one `view(con, code, sc, …)` reads
the warehouse (quartiers, baromètres, State means, sources) and the saisie database (programmation,
commitments, points d'étape), once, and returns plain data — display strings, small DataFrames of text —
that exports/deck.py and exports/rapport.py only lay out.

Per-quartier figures are the quartier views: the ranking's cells are each quartier's baromètre entry
(presentation.barometre, the same value and light as the baromètre page), the report's key table reads the
quartier's fiche cells (presentation.fiche.quartier_cell / reference_cell) with its gap columns from
`vocabulary.levels_in("deck")`. Nothing here is computed that indicators/ computes; this module chooses,
words and keeps each block's provenance (source line, démo label).

2024 quartiers have no INSEE indicators yet: their figures are those of the corresponding 2015 quartiers
(crosswalk), marked « ≈ » and said so in every block that uses them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from contract import warehouse as contract_wh
from indicators import catalog, engagements as eng_lib, evolution, fiche as fiche_lib, means as means_lib
from indicators import programmation as prog_lib, references, referentiel as ref_lib
from observatoire import vocabulary
from presentation import barometre as barometre_view, fiche as fiche_view, locator, since as since_view
from presentation import sources, text
from presentation.quartier import shown_quartier

# Key indicators of the ranking (baromètre indicators of the catalogue) and of the report's key table.
RANKING_IDS = ["tx_pauvrete", "rev_disp_median", "part_alloc_rsa", "tx_emploi", "tx_emploi_precaire", "part_de_jeunes"]
TABLE_IDS = ["tx_pauvrete", "rev_disp_median", "part_alloc_rsa", "tx_emploi", "tx_emploi_precaire"]
SORT_BY = "tx_pauvrete"
# Main gaps followed over time in the report: (indicator, reference level).
EVOLUTION_GAPS = [("rev_disp_median", "epci"), ("tx_pauvrete", "ensemble_qpv")]
# Where the reference values of a level come from (loaders: Filosofi communal base for communes, Filosofi
# territorial files for EPCI, départements, régions, France; the quartier files for the Ensemble des QPV).
REFERENCE_SOURCES = {"commune": "filosofi_communes", "arrondissement_municipal": "filosofi_communes",
                     "epci": "filosofi_ref", "departement": "filosofi_ref", "region": "filosofi_ref",
                     "france": "filosofi_ref"}
PROXY_NOTE = ("Pas encore d'indicateurs INSEE en géographie prioritaire 2024 : valeurs des quartiers 2015 "
              "correspondants (table de passage 2015 → 2024), géographie prioritaire 2015.")
MEANS_RULE = ("Règle de compte : un poste compte une fois par contrat et par année, même quand le fichier de "
              "l'ANCT répète son enregistrement ; l'année 2025 semble partielle.")
QUARTIER = vocabulary.level_label("qpv", short=True)       # column header of the quartier tables
GRANTED = vocabulary.label("action_statuses", "accorde")   # the amount granted (actions accordées or soldées)
DEMO_NOTE = ("La programmation, les engagements et les points d'étape de ce document sont des données de "
             "démonstration (inventées) ; les indicateurs et les moyens de l'État sont réels.")


@dataclass
class Figure:
    value: str          # « 16 », « 92 540 », « 36 postes »
    label: str          # what it counts
    note: str = ""      # millésime, source in short


@dataclass
class QuartierRow:
    number: int
    code: str
    name: str
    communes: str
    generation: str | None
    barometre: barometre_view.View
    proxy_code: str | None = None          # the 2015 quartier whose values a 2024 quartier shows
    fiche: dict | None = None              # indicators.fiche of the quartier (report only)

    @property
    def label(self) -> str:
        return contract_wh.quartier_label(self.name, self.communes)


@dataclass
class MeansView:
    """State means (adultes-relais, FONJEP) per year: chart series, table rows, source line, notes."""
    categories: list[str] = field(default_factory=list)
    series: dict[str, list] = field(default_factory=dict)
    colours: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    detail_rows: list[list[str]] = field(default_factory=list)     # year, kind, posts, amount (report)
    source_line: str = ""
    notes: list[str] = field(default_factory=list)
    empty: str = ""
    frame: pd.DataFrame | None = None                              # for charts.contract.state_means


@dataclass
class EngagementsView:
    """Commitments of the signataires: totals, by signataire, the most overdue, due before the horizon."""
    subtitle: str
    categories: list[str]
    series: dict[str, list[int]]
    colours: list[str]
    late_title: str
    late_header: list[str]
    late_rows: list[list[str]]
    late_bullets: list[str]
    table_header: list[str]
    table_rows: list[list[str]]
    horizon: dt.date
    n_late: int
    n_due: int


@dataclass
class ProgrammationView:
    """The programmation of one year: sentence, themes, money against need, the report's tables."""
    year: int
    sentence: str
    theme_categories: list[str]
    theme_values: list[float]
    need_header: list[str]
    need_rows: list[list[str]]
    by_year: pd.DataFrame
    theme_header: list[str]
    theme_rows: list[list[str]]
    girls_header: list[str]
    girls_rows: list[list[str]]
    dsu_header: list[str]
    dsu_rows: list[list[str]]
    dsu_empty: str


@dataclass
class ContractView:
    code: str
    name: str
    generation: str | None
    departement: str | None
    carrier: str | None
    population: float | None
    quartiers: list[QuartierRow]
    today: dt.date
    since: since_view.SinceView
    demo: bool
    key_figures: list[Figure]
    ranking: dict
    means: MeansView
    sources: list[list[str]]
    notes: list[str]
    life_source: str
    map: dict
    engagements: EngagementsView | None = None
    programmation: ProgrammationView | None = None
    has_life: bool = False
    key_table: dict | None = None
    quartier_table: list[list[str]] = field(default_factory=list)    # N°, name, code, communes, population
    gap_series: list[dict] = field(default_factory=list)
    referentiel: list[str] = field(default_factory=list)

    @property
    def uses_proxy(self) -> bool:
        return any(q.proxy_code for q in self.quartiers)

    @property
    def generation_label(self) -> str:
        return vocabulary.generation_label(self.generation)

    @property
    def generation_shown(self) -> str | None:
        """Geography generation of the figures shown (2015 when 2024 quartiers borrow 2015 values)."""
        return "2015" if self.uses_proxy else self.generation

    @property
    def title(self) -> str:
        return f"{vocabulary.level_label('contrat_de_ville')}\n{self.name}"

    def subtitle(self) -> str:
        pop = (f" · {text.count_text(self.population)} habitants dans les quartiers (ANCT)"
               if self.population else "")
        return (f"Comité de pilotage — document préparé le {text.date_text(self.today)}\n"
                f"{self.code} · {self.generation_label} · "
                f"{text.quartiers_text(len(self.quartiers))}{pop}")

    @property
    def glance_subtitle(self) -> str:
        return (f"{text.quartiers_text(len(self.quartiers))} ({self.generation_label}) — porteur : "
                f"{self.carrier or vocabulary.row_label('missing').lower()}")


# --------------------------------------------------------------------------- small blocks

def light_legend() -> str:
    """« ▲ mieux · ● comparable · ▼ moins bien » from the vocabulary."""
    return " · ".join(f"{vocabulary.light(k)['symbol']} {vocabulary.light(k)['label']}"
                      for k in ("mieux", "comparable", "moins_bien"))


def light_references() -> str:
    """« la référence : commune, EPCI ou ensemble des QPV »: what the lights compare with, in the order the
    baromètre tries them (vocabulary.levels_in("barometre"), short labels): a new reference level appears here."""
    refs = [vocabulary.level_label(lv, short=True) for lv in vocabulary.levels_in("barometre")]
    refs = [r[:1].lower() + r[1:] if not r[:2].isupper() else r for r in refs]
    return "la référence : " + (refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " ou " + refs[-1])


def ranking(views: list[tuple[int, str, barometre_view.View]], ids: list[str] | None = None, con=None) -> dict:
    """The quartiers ranked on the key indicators (highest poverty rate first; quartiers without it last).

    `views`: (number, label, baromètre view) per quartier; `con` gives the catalogue's short labels of the
    columns (else the baromètre items' own, which a contract without any value does not have). A quartier
    without the item reads as the status « n.d. », as in the report's key table. Returns {header: [..], ids,
    rows: [{number, label, approx, cells: [{text, light (presentation.barometre.Light) | None, value,
    edition}]}], editions: {id: [years]}}."""
    ids = ids or RANKING_IDS
    rows, editions = [], {i: set() for i in ids}
    labels = {i: catalog.indicator(con, i).get("short_label") or catalog.indicator(con, i)["label"]
              for i in ids} if con is not None else {}
    missing = text.value_text(None, "non_disponible", short=True)
    for number, label, v in views:
        by_id = {it.indicator_id: it for it in v.items}
        cells = []
        for i in ids:
            it = by_id.get(i)
            if it is not None:
                labels.setdefault(i, it.short_label)
                if it.edition is not None:
                    editions[i].add(it.edition)
            cells.append({"text": (it.value_text if it.shown else it.value_short) if it else missing,
                          "light": it.light if it and it.shown else None,
                          "value": it.value if it else None, "edition": it.edition if it else None})
        rows.append({"number": number, "label": label, "approx": bool(v.approximation), "cells": cells})
    k = ids.index(SORT_BY) if SORT_BY in ids else 0
    rows.sort(key=lambda r: (r["cells"][k]["value"] is None, -(r["cells"][k]["value"] or 0), r["number"]))
    return {"header": [QUARTIER] + [labels.get(i, i) for i in ids], "ids": ids, "rows": rows,
            "editions": {i: sorted(e) for i, e in editions.items()}}


def indicator_source_line(con, indicator_ids, editions, generation: str | None, demo: bool = False) -> str:
    """One source line for several indicators of several millésimes (each producer with its millésimes)."""
    rows = [{"source": catalog.indicator(con, i)["source"], "edition": e} for i, e in zip(indicator_ids, editions)]
    return sources.indicators_line(con, rows, generation, demo)


def means_view(means: pd.DataFrame | None, contrat: str) -> MeansView:
    """State means of the contract (indicators.means: one counting rule) for the deck and the report."""
    if means is None or means.empty:
        return MeansView(empty="Aucun poste adulte-relais ni FONJEP rattaché à ce contrat dans les fichiers de l'ANCT.",
                         source_line=sources.means_line(None, [contrat]), frame=means)
    kinds = vocabulary.labels("means_kinds")
    years = sorted(int(y) for y in means["year"].unique())
    partial = {y: bool(means.loc[means.year == y, "partial"].any()) for y in years}
    series = {}
    for kind, lab in kinds.items():
        sub = means[means.kind == kind].set_index("year")
        series[lab] = [int(sub.loc[y, "n_posts"]) if y in sub.index else None for y in years]
    rows = []
    for y in years:
        row = [text.year_text(y) + (" *" if partial[y] else "")]
        for kind in kinds:
            sub = means[(means.year == y) & (means.kind == kind)]
            row += [text.count_text(sub["n_posts"].sum()) if len(sub) else text.DASH,
                    text.eur_text(sub["amount"].sum()) if len(sub) else text.DASH]
        rows.append(row)
    detail = [[text.year_text(r.year) + (" (partiel)" if r.partial else ""), kinds.get(r.kind, r.kind),
               text.count_text(r.n_posts), text.eur_text(r.amount)] for r in means.itertuples()]
    files = sorted({f for s in means["source_file"].dropna() for f in str(s).split(", ")})
    line = (sources.means_line(years, [contrat]) + " — fichiers " + ", ".join(files)
            + (" — * année partielle (fichier incomplet)." if any(partial.values()) else ""))
    m = means_summary(means)
    summary = (f"En {text.year_text(m['year'])} : {text.plural_text(m['adultes_relais'], 'poste')} "
               f"d'adultes-relais et {text.plural_text(m['fonjep'], 'poste')} "
               f"{vocabulary.label('means_kinds', 'fonjep', short=True)} ({text.eur_text(m['amount'])}).")
    header = ["Année"] + [h for k in kinds for h in (vocabulary.label("means_kinds", k, short=True), "Montant")]
    return MeansView(categories=[text.year_text(y) + (" (partiel)" if partial[y] else "") for y in years],
                     series=series, colours=[vocabulary.color("means_kinds", k) for k in kinds],
                     header=header, rows=rows, detail_rows=detail, source_line=line, notes=[summary, MEANS_RULE],
                     frame=means.assign(label=means["kind"].map(kinds).fillna(means["kind"])))


def means_summary(means: pd.DataFrame | None) -> dict:
    """Latest complete year of State means: {year, adultes_relais, fonjep, amount} ({} when none)."""
    if means is None or means.empty:
        return {}
    full = means[~means["partial"]]
    df = full if len(full) else means
    year = int(df["year"].max())
    sub = df[df["year"] == year]
    n = {k: int(sub.loc[sub.kind == k, "n_posts"].sum()) for k in ("adulte_relais", "fonjep")}
    return {"year": year, "adultes_relais": n["adulte_relais"], "fonjep": n["fonjep"],
            "amount": float(sub["amount"].sum())}


def key_figures(n_quartiers: int, population, means: pd.DataFrame | None, life: dict, today) -> list[Figure]:
    """The contract at a glance: quartiers, population, State means, programmation, commitments."""
    figs = [Figure(text.count_text(n_quartiers), text.quartier_word(n_quartiers))]
    if population:
        figs.append(Figure(text.count_text(population), "habitants dans les quartiers", "ANCT"))
    m = means_summary(means)
    if m:
        figs.append(Figure(f"{text.count_text(m['adultes_relais'])} + {text.count_text(m['fonjep'])}",
                           "postes adultes-relais + FONJEP", f"{text.year_text(m['year'])}, {text.eur_text(m['amount'])}"))
    if life.get("n_actions") and life.get("year_row") is not None:
        r = life["year_row"]
        figs.append(Figure(text.eur_text(r["montant_accorde"]),
                           f"accordés à {text.plural_text(r['n_financees'], 'action', 'actions')}",
                           f"programmation {text.year_text(life['year'])}"))
    if life.get("n_engagements") and life.get("total") is not None:
        t = life["total"]
        figs.append(Figure(f"{text.count_text(t['en_retard'])} / {text.count_text(t['total'])}",
                           "engagements en retard", f"au {text.date_text(today)}"))
    return figs


def life_source(demo: bool) -> str:
    """Source line of contract-life figures (saisie database), with the démo label when démo."""
    return sources.source_line("Saisie et imports du contrat (programmation, engagements)", None, None, demo=demo)


# --------------------------------------------------------------------------- contract life

def engagements_view(sc, contrat: str, today: dt.date, next_copil: dt.date | None = None) -> EngagementsView:
    """Commitments of a contract at `today`: counts by signataire (chart and table), the most overdue
    named by their title, how many are due before the horizon (indicators.engagements.horizon)."""
    sig = eng_lib.status_counts(sc, contrat, "signataire", today)
    tot = sig[sig["signataire"] == eng_lib.TOTAL].iloc[0]
    rate = text.value_text(tot["taux_realisation"], "ok", "%", 0)
    late = eng_lib.late(sc, contrat, today)
    horizon = eng_lib.horizon(today, next_copil)
    due = eng_lib.due_before(sc, contrat, horizon, today)
    subtitle = (f"{text.plural_text(tot['total'], 'engagement')} — taux de réalisation {rate} — "
                f"{text.count_text(tot['en_retard'])} en retard au {text.date_text(today)} (échéance dépassée sans réalisation)")
    body = sig[sig["signataire"] != eng_lib.TOTAL].sort_values("total", ascending=False).head(12).iloc[::-1]
    statuses = [s for s in vocabulary.codes("engagement_statuses") if s in body.columns]
    series = {vocabulary.label("engagement_statuses", s): [int(v) for v in body[s]] for s in statuses}
    colours = [vocabulary.color("engagement_statuses", s) for s in statuses]
    late_rows = [[r.signataire, r.intitule, text.date_text(r.echeance), text.count_text(r.jours_de_retard)]
                 for r in late.head(6).itertuples()]
    bullets = [f"{r.intitule} — {r.signataire} (échéance {text.date_text(r.echeance)})"
               for r in late.head(15).itertuples()]
    table = [[r.signataire, text.count_text(r.total), text.count_text(r.realise), text.count_text(r.en_cours),
              text.count_text(r.en_retard), text.value_text(r.taux_realisation, "ok", "%", 0)] for r in sig.itertuples()]
    return EngagementsView(
        subtitle=subtitle, categories=[str(x) for x in body["signataire"]], series=series, colours=colours,
        late_title=f"Les plus en retard ({text.count_text(len(late))} au total)",
        late_header=["Signataire", "Engagement", "Échéance", "Jours"], late_rows=late_rows, late_bullets=bullets,
        table_header=["Signataire", "Engagements"]
        + [vocabulary.label("engagement_statuses", s, plural=True) for s in ("realise", "en_cours", "en_retard")]
        + ["Taux de réalisation"],
        table_rows=table, horizon=horizon, n_late=len(late), n_due=len(due))


def _themes(sc, contrat: str, year: int) -> tuple[pd.DataFrame, list[list[str]]]:
    th = prog_lib.totals_by_theme(sc, contrat, year)
    rows = [[t.thematique, text.count_text(t.n_financees), text.eur_text(t.montant_accorde),
             text.eur_text(t.montant_accorde_p147), text.value_text(t.part, "ok", "%", 0)] for t in th.itertuples()]
    return th, rows


def programmation_view(sc, con, contrat: str, year: int) -> ProgrammationView:
    """The programmation of `year`: sentence, granted amounts by theme, money against need per quartier
    (€ per inhabitant beside the poverty rate, « ≈ » when taken from 2015 quartiers), girls and boys, the
    actions co-funded by a commune (DSU candidates)."""
    by_year = prog_lib.totals_by_year(sc, contrat)
    cur = by_year[by_year["annee"] == year]
    if cur.empty:
        sentence = f"Pas de programmation {text.year_text(year)} enregistrée."
    else:
        r = cur.iloc[0]
        sentence = (f"Programmation {text.year_text(year)} : {text.plural_text(r['n_actions'], 'action déposée', 'actions déposées')}, "
                    f"{text.plural_text(r['n_financees'], 'financée')} ; {text.eur_text(r['montant_sollicite'])} "
                    f"sollicités, {text.eur_text(r['montant_accorde'])} accordés dont "
                    f"{text.eur_text(r['montant_accorde_p147'])} de crédits de l'État (programme 147).")
    th, theme_rows = _themes(sc, contrat, year)
    top = th[th["montant_accorde"] > 0].sort_values("montant_accorde", ascending=True).tail(8)
    mv = prog_lib.money_vs_need(sc, con, contrat, year)
    need = []
    if mv is not None and len(mv):
        for r in mv.sort_values("montant_accorde", ascending=False).head(9).itertuples():
            approx = r.method == "approx_qp2015"
            need.append([r.label, text.eur_text(r.montant_accorde),
                         text.value_text(r.euros_par_habitant, r.status_habitant, "€", 0, approx=approx),
                         text.value_text(r.tx_pauvrete, r.pauv_status, "%", 1, approx=approx)])
    girls = prog_lib.girls_boys(sc, contrat, year)
    girls_rows = [[g.thematique, text.value_text(g.n_f, "ok" if pd.notna(g.n_f) else "effectif_insuffisant", None, 0),
                   text.value_text(g.n_m, "ok" if pd.notna(g.n_m) else "effectif_insuffisant", None, 0),
                   text.value_text(g.part_filles, g.status, "%", 0)] for g in girls.itertuples()]
    acts = prog_lib.actions(sc, contrat, year)
    ids = prog_lib.commune_funded_actions(sc, contrat)
    sel = acts[acts["id"].isin(ids)]
    dsu = [[r.numero_dossier, r.intitule, r.porteur_nom, text.eur_text(r.montant_accorde)] for r in sel.itertuples()]
    return ProgrammationView(
        year=year, sentence=sentence, theme_categories=[str(x)[:34] for x in top["thematique"]],
        theme_values=[float(v) for v in top["montant_accorde"]],
        need_header=[QUARTIER, GRANTED, "€ / habitant", "Pauvreté"], need_rows=need, by_year=by_year,
        theme_header=["Thématique", "Actions financées", GRANTED, "dont État P147", "Part"], theme_rows=theme_rows,
        girls_header=["Thématique", vocabulary.label("sexes", "F"), vocabulary.label("sexes", "M"), "Part des filles"],
        girls_rows=girls_rows, dsu_header=["Dossier", "Action", "Porteur", "Accordé (tous financeurs)"], dsu_rows=dsu,
        dsu_empty=(f"Aucune action {text.year_text(year)} cofinancée par une commune." if acts is not None and len(acts)
                   else "Aucune programmation enregistrée."))


def referentiel_lines(sc, contrat: str) -> list[str]:
    """Enjeux and objectives of the contract's référentiel (code — label, objectives indented)."""
    out = []
    for e in ref_lib.tree(sc, contrat):
        out.append(f"{e['code']} — {e['libelle']}")
        out += [f"    {o['code']} — {o['libelle']}" for o in e["children"]]
    return out


# --------------------------------------------------------------------------- report blocks

def _published(f: dict | None) -> list[dict]:
    """Indicators of a quartier's fiche (indicators.fiche) that have a millésime (a value or a status)."""
    return [x for x in (f or {}).get("indicators") or [] if x.get("edition") is not None]


def key_table(con, quartiers: list[QuartierRow], generation_shown: str | None, ids: list[str] | None = None) -> dict:
    """Rows: quartiers (value and gaps to the `deck` levels of the vocabulary) then reference rows.

    Cells are the fiche's own (presentation.fiche.quartier_cell / reference_cell): the same value text,
    status, « ≈ » and « (2021) » as the fiche page and PDF. Returns {header, rows, ref_rows (lists of {text, sub, status}), source, proxy}."""
    levels = vocabulary.levels_in("deck")
    ids = [i for i in (ids or TABLE_IDS) if i in catalog.ids(con)]
    metas = [catalog.indicator(con, i) for i in ids]
    header = [QUARTIER, "Population"] + [m.get("short_label") or m["label"] for m in metas]
    rows, eds, refs_seen = [], set(), {}
    for q in quartiers:
        shown = {x["indicator_id"]: x for x in _published(q.fiche)}
        sub = q.communes + (f" — valeurs 2015 : {q.proxy_code}" if q.proxy_code else "")
        pop = shown.get("pop")
        row = [{"text": f"{q.number}. {q.name}", "sub": sub},
               {"text": str(fiche_view.quartier_cell(pop)) if pop else "", "sub": text.year_text(pop["edition"]) if pop else ""}]
        for i, m in zip(ids, metas):
            x = shown.get(i)
            if x is None:
                row.append({"text": vocabulary.status_label("non_disponible"), "sub": "", "status": "non_disponible"})
                continue
            eds.add((i, x["edition"]))
            subs = []
            for level in levels:
                r = next((r for r in x["references"] if r["level"] == level and r["code"]), None)
                if r is None:
                    continue
                refs_seen.setdefault((level, r["code"], r["name"]), {}).setdefault(i, (x, r))
                if x["value"] is not None and r["value"] is not None and r["gap"] is not None:
                    subs.append(f"{vocabulary.level_label(level, short=True)} "
                                f"{text.gap_text(r['gap'], m['gap_kind'], m.get('decimals') or 1)}")
            row.append({"text": str(fiche_view.quartier_cell(x)), "sub": " · ".join(subs[:2]), "status": x["status"]})
        rows.append(row)
    order = {lv: k for k, lv in enumerate(levels)}
    ref_rows = []
    for (level, rcode, rname), by_ind in sorted(refs_seen.items(), key=lambda kv: (order[kv[0][0]], kv[0][2] or "")):
        # the fiche's reference cells: a value, or the status the fiche prints (« non publié », « n.d. »)
        cells = {i: fiche_view.reference_cell(x, r) for i, (x, r) in by_ind.items()}
        if not any(c.shown for c in cells.values()):
            continue
        lab = vocabulary.level_label(level)
        row = [{"text": rname or rcode, "sub": "" if lab == rname else lab}, {"text": "", "sub": ""}]
        for i in ids:
            cell = cells.get(i) or fiche_view.reference_cell({}, None)
            row.append({"text": str(cell), "sub": text.year_text(cell.year) if cell.shown else ""})
        ref_rows.append(row)
    line = indicator_source_line(con, [i for i, _ in sorted(eds)], [e for _, e in sorted(eds)], generation_shown)
    return {"header": header, "rows": rows, "ref_rows": ref_rows, "source": line,
            "proxy": any(q.proxy_code for q in quartiers)}


def gap_series(con, quartiers: list[QuartierRow], generation_shown: str | None, indicator_id: str, level: str) -> dict:
    """Gap of each quartier to its `level` reference over editions (indicators.evolution), for the chart."""
    m = catalog.indicator(con, indicator_id)
    series, editions = {}, set()
    for q in quartiers:
        ev = evolution.evolution(con, q.code, indicator_id, reference=level)
        if ev.get("reference_level") != level:
            continue
        pts = {p["edition"]: p["gap"] for p in ev["series"]
               if p["gap"] is not None and p["status"] in vocabulary.shown_statuses()}
        if pts:
            series[f"{q.number}. {q.name}"] = pts
            editions |= set(pts)
    eds = sorted(editions)
    kind = m["gap_kind"]
    short = m.get("short_label") or m["label"]
    return {
        "indicator_id": indicator_id, "label": m["label"], "short": short, "gap_kind": kind, "level": level,
        "editions": eds, "series": {k: [v.get(e) for e in eds] for k, v in series.items()},
        "title": f"{short} : {'rapport à' if kind == 'ratio' else 'écart à'} {vocabulary.level_with(level)}",
        "unit": vocabulary.label("gap_kinds", kind),
        "source": indicator_source_line(con, [indicator_id] * len(eds), eds, generation_shown),
        "caveat": "Lecture : l'INSEE déconseille de comparer deux millésimes consécutifs ; "
                  "regarder la tendance sur des millésimes éloignés.",
    }


# --------------------------------------------------------------------------- sources

def sources_table(con, quartiers: list[QuartierRow], means: pd.DataFrame | None, generation: str | None,
                  has_life: bool, demo: bool) -> list[list[str]]:
    """Every source whose figures appear in the contract's documents, with the millésimes used: the
    indicators and references of the baromètres (and fiches), the State means, the contracts and contours."""
    used: dict[str, set] = {}

    def add(sid, edition=None):
        used.setdefault(sid, set())
        if edition is not None:
            used[sid].add(int(edition))

    for q in quartiers:
        for it in q.barometre.items:
            if it.edition is None:
                continue
            sid = catalog.indicator(con, it.indicator_id)["source"]
            add(sid, it.edition)
            if it.reference_level and it.reference_edition is not None:
                add(REFERENCE_SOURCES.get(it.reference_level, sid), it.reference_edition)
        for x in _published(q.fiche):
            add(catalog.indicator(con, x["indicator_id"])["source"], x["edition"])
            for r in x["references"]:
                if r["value"] is not None and r["level"] in REFERENCE_SOURCES:
                    add(REFERENCE_SOURCES[r["level"]], r["edition"])
    if means is not None and len(means):
        for kind, sid in (("adulte_relais", "adultes_relais"), ("fonjep", "fonjep")):
            for y in means.loc[means["kind"] == kind, "year"]:
                add(sid, y)
    add("contrats_de_ville")
    add("contours_qpv2024" if generation == "2024" else "contours_qp")
    add("admin_anct")
    if any(q.proxy_code for q in quartiers):
        add("qpv2024_referentiel")
    rows = []
    for sid, eds in used.items():
        info = sources.source_info(con, sid)
        rows.append([info.get("producer") or sid, info.get("title") or "",
                     sources.millesimes_text(sorted(eds)) or text.DASH,
                     vocabulary.generation_label(info.get("generation")) or text.DASH])
    rows.sort(key=lambda r: r[0])
    if has_life:
        rows.append(["Équipe du contrat", "Programmation, engagements des signataires, points d'étape (base de saisie)"
                     + (f" — {sources.DEMO_LABEL.upper()}" if demo else ""), text.DASH, text.DASH])
    return rows


def reading_notes(uses_proxy: bool, demo: bool) -> list[str]:
    """The precautions under the sources: INSEE rules, secret statistique (from the catalogue's rules),
    the 2024 approximation, the démo label."""
    notes = list(sources.insee_caveats()) + [sources.secret_note()]
    if uses_proxy:
        notes.append(PROXY_NOTE)
    if demo:
        notes.append(f"{sources.DEMO_LABEL} : programmation, engagements et points d'étape inventés pour "
                     "montrer l'outil ; à remplacer par les données du contrat.")
    return notes


# --------------------------------------------------------------------------- the view

def _map(con, quartiers: list[QuartierRow], carrier_code: str | None, generation: str | None) -> dict:
    shapes = locator.quartier_shapes(con, [(q.code, q.name, q.number) for q in quartiers])
    if not shapes:
        return {"shapes": [], "strong": [], "others": [], "source_line": "", "empty": "Aucune géométrie disponible "
                "pour ces quartiers."}
    adm = locator.outlines(con, [s["geom"] for s in shapes])
    strong = [o for o in adm.get("epci", []) if carrier_code and o[2] == carrier_code]
    others = [o for o in adm.get("epci", []) if not carrier_code or o[2] != carrier_code] + adm.get("departement", [])
    n_contour = sum(1 for s in shapes if s["kind"] == "contour")
    line = sources.source_line(["ANCT / SIG Ville (contours)" if n_contour else "ANCT (communes des quartiers)",
                                "ANCT (contours administratifs simplifiés)"], None, generation)
    return {"shapes": shapes, "strong": strong, "others": others, "source_line": line, "empty": ""}


def _population(q: QuartierRow) -> str:
    """The quartier's population as its fiche shows it, « * » when it is its 2015 predecessor's."""
    pop = next((x for x in _published(q.fiche) if x["indicator_id"] == "pop"), None)
    return (str(fiche_view.quartier_cell(pop)) + (" *" if q.proxy_code else "")) if pop else text.DASH


def view(con, code: str, sc=None, *, depuis: dt.date | None = None, today: dt.date | None = None,
         year: int | None = None, for_report: bool = False, progress=None) -> ContractView:
    """Everything the COPIL deck (and, with `for_report`, the annual report of `year`) shows for one contract.

    `con` the warehouse; `sc` the saisie database (None when absent: open data only). The territory and its
    quartiers are resolved once here; progress(fraction, text) is optional."""
    progress = progress or (lambda f, t: None)
    today = today or dt.date.today()
    code = references.normalise_code(code)
    t = references.territory(con, code)
    if t["level"] != "contrat_de_ville":
        raise ValueError(f"{code} n'est pas un contrat de ville (niveau {t['level']}).")
    info = contract_wh.contract_info(con, code)
    carrier_name = None
    if info.get("porteur_code"):
        try:
            carrier_name = references.territory(con, info["porteur_code"])["name"]
        except KeyError:
            carrier_name = None
    rows = contract_wh.contract_quartiers(con, code)
    quartiers = []
    for i, r in enumerate(rows, start=1):
        progress(0.05 + 0.45 * (i - 1) / max(len(rows), 1), f"{QUARTIER} {r['nom']}")
        sq = shown_quartier(con, r["quartier_code"])
        qt = references.territory(con, r["quartier_code"])
        quartiers.append(QuartierRow(
            number=i, code=r["quartier_code"], name=r["nom"], communes=r["communes"] or "", generation=qt.get("generation"),
            barometre=barometre_view.view(con, r["quartier_code"], today=today),
            proxy_code=sq["proxy"]["code"] if sq["proxy"] else None,
            fiche=fiche_lib.fiche(con, sq["code"], n_twins=0) if for_report else None))
    progress(0.55, "Moyens de l'État")
    means = means_lib.state_means(con, code)
    life = prog_lib.life_counts(sc, code) if sc is not None else None
    has_life = life is not None
    life = life or {}
    demo = bool(life.get("demo"))
    year_now = year
    eng_view = prog_view = None
    if life.get("n_actions"):
        progress(0.6, "Programmation")
        years = prog_lib.years(sc, code)
        year_now = year or int(max([y for y in years if y <= today.year] or years))
        prog_view = programmation_view(sc, con, code, year_now)
        cur = prog_view.by_year[prog_view.by_year["annee"] == year_now]
        life["year"], life["year_row"] = year_now, (cur.iloc[0] if len(cur) else None)
    if life.get("n_engagements"):
        progress(0.62, "Engagements")
        eng_view = engagements_view(sc, code, today)
        sig = eng_lib.status_counts(sc, code, "signataire", today)
        life["total"] = sig[sig["signataire"] == eng_lib.TOTAL].iloc[0]
    progress(0.65, "Depuis le dernier COPIL")
    copils = eng_lib.next_review_dates(sc, code) if sc is not None and life.get("n_engagements") else []
    since, origin = since_view.since_date(depuis, copils, today)
    sv = since_view.view(con, sc if has_life else None, code, since, today, origin,
                         (eng_view.n_late, eng_view.n_due, eng_view.horizon) if eng_view else None)
    views = [(q.number, q.label, q.barometre) for q in quartiers]
    rk = ranking(views, con=con)
    eds = [(i, e) for i, es in rk["editions"].items() for e in es]
    gen_shown = "2015" if any(q.proxy_code for q in quartiers) else t.get("generation")
    rk["source"] = indicator_source_line(con, [i for i, _ in eds], [e for _, e in eds], gen_shown)
    v = ContractView(
        code=code, name=t["name"], generation=t.get("generation"), departement=info.get("departement"),
        carrier=carrier_name, population=t.get("population"), quartiers=quartiers, today=today, since=sv, demo=demo,
        key_figures=key_figures(len(quartiers), t.get("population"), means, life, today), ranking=rk,
        means=means_view(means, code), sources=sources_table(con, quartiers, means, t.get("generation"), has_life, demo),
        notes=reading_notes(any(q.proxy_code for q in quartiers), demo), life_source=life_source(demo),
        map=_map(con, quartiers, info.get("porteur_code"), t.get("generation")), engagements=eng_view,
        programmation=prog_view, has_life=has_life)
    if for_report:
        progress(0.68, "Tableaux du rapport")
        v.key_table = key_table(con, quartiers, v.generation_shown)
        v.quartier_table = [[str(q.number), q.name, q.code, q.communes, _population(q)] for q in quartiers]
        v.gap_series = [g for g in (gap_series(con, quartiers, v.generation_shown, i, lv) for i, lv in EVOLUTION_GAPS)
                        if g["series"]]
        if has_life:
            v.referentiel = referentiel_lines(sc, code)
    return v
