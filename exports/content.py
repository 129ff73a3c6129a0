"""What a contract export shows, gathered once from the indicator library and the contract-life database,
then laid out by the deck (PPTX) and the annual report (DOCX).

Nothing is computed here that the library computes: values, gaps, barometer lights, evolutions, State
means, programmation totals and commitment statuses come from indicators.*; this module only chooses
what to show and keeps the provenance (source lines, démo flags) with each block.

2024 quartiers have no INSEE indicators yet: their figures are those of the corresponding 2015 quartiers
(crosswalk), and every block that uses them says so.
"""
from __future__ import annotations

import datetime as dt
from contract import store
from indicators import engagements, programmation, since
from dataclasses import dataclass, field

import pandas as pd

from contract import warehouse as contract_wh
from presentation import sources
from indicators import catalog, evolution, fiche as fiche_mod, means, references
from observatoire import settings, vocabulary
from presentation import barometre as barometre_view, text
from presentation.quartier import shown_quartier

# Key indicators of the COPIL table, in reading order (barometer indicators of the catalogue).
TABLE_IDS = ["tx_pauvrete", "rev_disp_median", "part_alloc_rsa", "tx_emploi", "tx_emploi_precaire"]
# Main gaps followed over time: (indicator, reference level).
EVOLUTION_GAPS = [("rev_disp_median", "epci"), ("tx_pauvrete", "ensemble_qpv")]
GAP_LEVELS = ("epci", "france", "ensemble_qpv")
PROXY_NOTE = ("Pas encore d'indicateurs INSEE en géographie prioritaire 2024 : valeurs des quartiers 2015 "
              "correspondants (table de passage 2015 → 2024), géographie prioritaire 2015.")


@dataclass
class Quartier:
    code: str
    name: str
    communes: str
    number: int
    generation: str | None
    fiche: dict | None = None              # fiche of the quartier whose figures are shown
    proxy: dict | None = None              # presentation.quartier.shown_quartier's note for a 2024 quartier
    other_proxies: list = field(default_factory=list)
    view: object | None = None             # presentation.barometre.View (same as the baromètre page)

    @property
    def label(self) -> str:
        return contract_wh.quartier_label(self.name, self.communes)


@dataclass
class Content:
    code: str
    name: str
    generation: str | None
    departement: str | None
    carrier: dict | None
    population: float | None
    population_source: str | None
    quartiers: list[Quartier]
    today: dt.date
    depuis: dt.date | None = None
    depuis_origin: str = ""
    life: dict | None = None               # contract-life blocks (programmation, engagements), None if absent
    means: pd.DataFrame | None = None
    changes: dict = field(default_factory=dict)
    warehouse_built: dt.datetime | None = None

    @property
    def uses_proxy(self) -> bool:
        return any(q.proxy for q in self.quartiers)

    @property
    def demo(self) -> bool:
        return bool(self.life and self.life.get("demo"))

    @property
    def generation_shown(self) -> str | None:
        """Geography generation of the figures shown (2015 when 2024 quartiers borrow 2015 values)."""
        return "2015" if self.uses_proxy else self.generation


# --------------------------------------------------------------------------- formatting helpers

def meta(con, indicator_id: str) -> dict:
    return catalog.indicator(con, indicator_id)


def indicator_of(f: dict | None, indicator_id: str) -> dict | None:
    if not f:
        return None
    return next((x for x in f["indicators"] if x["indicator_id"] == indicator_id), None)


def reference(x: dict | None, level: str) -> dict | None:
    if not x:
        return None
    return next((r for r in x["references"] if r["level"] == level and r["code"]), None)


def indicator_source_line(con, indicator_ids, editions, generation: str | None, demo: bool = False) -> str:
    rows = [{"source": meta(con, i)["source"], "edition": e} for i, e in zip(indicator_ids, editions)]
    return sources.indicators_line(con, rows, generation, demo)


# --------------------------------------------------------------------------- gathering

def quartier_fiche(con, code: str, n_twins: int = 0) -> tuple[dict, dict | None]:
    """(fiche of the values shown for `code`, 2015 proxy or None): THE switch between a 2024 quartier's own
    values and its 2015 predecessor's (presentation.quartier.shown_quartier)."""
    sq = shown_quartier(con, code)
    return fiche_mod.fiche(con, sq["code"], n_twins=n_twins), sq["proxy"]


def gather(con, code: str, depuis: dt.date | None = None, today: dt.date | None = None,
           progress=None, with_life: bool = True, n_twins: int = 0, with_fiche: bool = True) -> Content:
    """Everything the deck and the report show for one contract (progress(fraction, text) optional)."""
    progress = progress or (lambda f, t: None)
    code = references.normalise_code(code)
    t = references.territory(con, code)
    if t["level"] != "contrat_de_ville":
        raise ValueError(f"{code} n'est pas un contrat de ville (niveau {t['level']}).")
    info = contract_wh.contract_info(con, code)
    carrier = None
    if info.get("porteur_code"):
        try:
            ct = references.territory(con, info["porteur_code"])
            carrier = {"code": ct["code"], "name": ct["name"], "level": ct["level"]}
        except KeyError:
            carrier = None
    rows = contract_wh.contract_quartiers(con, code)
    quartiers = []
    for i, r in enumerate(rows, start=1):
        qt = references.territory(con, r["quartier_code"])
        quartiers.append(Quartier(r["quartier_code"], r["nom"], r["communes"] or "", i, qt.get("generation")))
    n = len(quartiers)
    for i, q in enumerate(quartiers):
        progress(0.05 + 0.45 * i / max(n, 1), f"Quartier {q.name}")
        if with_fiche:
            q.fiche, proxy = quartier_fiche(con, q.code, n_twins=n_twins)
        else:
            proxy = shown_quartier(con, q.code)["proxy"]
        if proxy:
            q.proxy = dict(proxy)
            q.other_proxies = q.proxy.pop("others", [])
        q.view = barometre_view.view(con, q.code, today=today)
    today = today or dt.date.today()
    c = Content(code=code, name=t["name"], generation=t.get("generation"), departement=info.get("departement"),
                carrier=carrier, population=t.get("population"), population_source=t.get("population_source"),
                quartiers=quartiers, today=today)
    progress(0.55, "Moyens de l'État")
    c.means = means.state_means(con, code)
    c.warehouse_built = since.warehouse_built(con)
    if with_life:
        progress(0.6, "Vie du contrat")
        c.life = contract_life(con, code, today)
    c.depuis, c.depuis_origin = _since_date(c, depuis)
    progress(0.65, "Depuis le dernier COPIL")
    c.changes = changes_since(con, c)
    return c


def _since_date(c: Content, depuis: dt.date | None) -> tuple[dt.date, str]:
    if depuis:
        return depuis, "date indiquée"
    copils = [d for d in (c.life or {}).get("copil_dates", []) if d < c.today]
    if copils:
        return copils[0], "dernier COPIL enregistré dans les points d'étape"
    return c.today - dt.timedelta(days=182), "six mois avant l'export (aucune date de COPIL enregistrée)"


# --------------------------------------------------------------------------- contract life

def saisie_available() -> bool:
    return store.available()


def contract_life(con, code: str, today: dt.date) -> dict | None:
    """Programmation and commitments of the contract from the saisie database, or None when it has none.

    The saisie database is never created by an export: absent file = no contract-life data."""
    if not saisie_available():
        return None

    with store.connect() as sc:
        life = programmation.life_counts(sc, code)
        if life is None:
            return None
        n_actions, n_eng = life["n_actions"], life["n_engagements"]
        if n_actions:
            life["by_year"] = programmation.totals_by_year(sc, code)
            years = life["by_year"]["annee"].tolist()
            current = max([y for y in years if y <= today.year] or years)
            life["year"] = int(current)
            life["by_financeur"] = programmation.totals_by_financeur(sc, code, current)
            life["by_theme"] = programmation.totals_by_theme(sc, code, current)
            life["girls_boys"] = programmation.girls_boys(sc, code, current)
            life["actions"] = programmation.actions(sc, code)
            life["money_vs_need"] = programmation.money_vs_need(sc, con, code, current)
        if n_eng:
            life["by_signataire"] = engagements.status_counts(sc, code, "signataire", today)
            life["by_axe"] = engagements.status_counts(sc, code, "axe", today)
            life["late"] = engagements.late(sc, code, today)
            life["due_until"] = today + dt.timedelta(days=91)
            life["due"] = engagements.due_before(sc, code, life["due_until"], today)
            life["copil_dates"] = engagements.next_review_dates(sc, code)
        life["sc_path"] = str(settings.saisie_target())
    return life


def changes_since(con, c: Content) -> dict:
    """What moved since c.depuis (indicators.since.facts): new data in the warehouse, user imports, reviews of
    commitments, actions voted. The saisie database is read only when the contract has contract-life data."""

    if not c.life:
        return since.facts(con, None, c.code, c.depuis, c.today)

    with store.connect() as sc:
        return since.facts(con, sc, c.code, c.depuis, c.today)


# --------------------------------------------------------------------------- blocks used by deck and report

def key_table(con, c: Content, ids: list[str] | None = None) -> dict:
    """Rows: quartiers (value + gaps to EPCI / France / Ensemble des QPV) then reference rows.

    Returns {header, rows (list of list of cell dicts {text, sub, status}), ids, editions, source}."""
    ids = [i for i in (ids or TABLE_IDS) if i in catalog.ids(con)]
    metas = [meta(con, i) for i in ids]
    header = ["Quartier", "Population"] + [m.get("short_label") or m["label"] for m in metas]
    rows, eds, refs_seen = [], set(), {}
    for q in c.quartiers:
        f = q.fiche
        sub = q.communes + (f" — valeurs 2015 : {q.proxy['code']}" if q.proxy else "")
        pop = indicator_of(f, "pop")
        row = [{"text": f"{q.number}. {q.name}", "sub": sub},
               {"text": text.indicator_value_text(pop) if pop else "", "sub": str(pop["edition"]) if pop and pop["edition"] else ""}]
        for i, m in zip(ids, metas):
            x = indicator_of(f, i)
            if x is None or x["edition"] is None:
                row.append({"text": "non disponible", "sub": "", "status": "non_disponible"})
                continue
            eds.add((i, x["edition"]))
            subs = []
            for level in GAP_LEVELS:
                r = reference(x, level)
                if r and r["value"] is not None:
                    refs_seen.setdefault((level, r["code"], r["name"]), {})[i] = r
                    if x["value"] is not None and r["gap"] is not None:
                        subs.append(f"{vocabulary.level_label(level, short=True)} {text.gap_text(r['gap'], m['gap_kind'], m.get('decimals') or 1)}")
            row.append({"text": text.indicator_value_text(x), "sub": " · ".join(subs[:2]), "status": x["status"],
                        "edition": x["edition"]})
        rows.append(row)
    ref_rows = []
    order = {lv: k for k, lv in enumerate(GAP_LEVELS)}
    for (level, rcode, rname), by_ind in sorted(refs_seen.items(), key=lambda kv: (order[kv[0][0]], kv[0][2] or "")):
        lab = vocabulary.level_label(level)
        row = [{"text": rname or rcode, "sub": "" if lab == rname else lab}, {"text": "", "sub": ""}]
        for i, m in zip(ids, metas):
            r = by_ind.get(i)
            row.append({"text": text.value_text(r["value"], r["status"], m["unit"], m.get("decimals")) if r else text.DASH,
                        "sub": text.year_text(r["edition"]) if r else ""})
        ref_rows.append(row)
    editions = sorted({e for _, e in eds})
    line = indicator_source_line(con, [i for i, _ in sorted(eds)], [e for _, e in sorted(eds)],
                                 c.generation_shown)
    return {"header": header, "rows": rows, "ref_rows": ref_rows, "ids": ids, "editions": editions,
            "source": line, "proxy": c.uses_proxy}


def gap_series(con, c: Content, indicator_id: str, level: str) -> dict:
    """Gap of each quartier to its `level` reference over editions (library: indicators.evolution)."""
    m = meta(con, indicator_id)
    series, editions, ref_name = {}, set(), None
    for q in c.quartiers:
        ev = evolution.evolution(con, q.code, indicator_id, reference=level)
        if ev.get("reference_level") != level:
            continue
        ref_name = ref_name or ev.get("reference_name")
        pts = {p["edition"]: p["gap"] for p in ev["series"]
               if p["gap"] is not None and p["status"] in vocabulary.shown_statuses()}
        if pts:
            series[f"{q.number}. {q.name}"] = pts
            editions |= set(pts)
    eds = sorted(editions)
    kind = m["gap_kind"]
    unit = "rapport au revenu de référence" if kind == "ratio" else "écart en points"
    ref_label = {"epci": "l'EPCI", "ensemble_qpv": "l'ensemble des QPV", "france": "la France métropolitaine"}.get(level, level)
    return {
        "indicator_id": indicator_id, "label": m["label"], "short": m.get("short_label") or m["label"],
        "gap_kind": kind, "level": level, "editions": eds,
        "series": {k: [v.get(e) for e in eds] for k, v in series.items()},
        "title": f"{m.get('short_label') or m['label']} : {'rapport à' if kind == 'ratio' else 'écart à'} {ref_label}",
        "unit": unit,
        "source": indicator_source_line(con, [indicator_id] * len(eds), eds, c.generation_shown),
        "caveat": "Lecture : l'INSEE déconseille de comparer deux millésimes consécutifs ; "
                  "regarder la tendance sur des millésimes éloignés.",
    }


def sources_used(con, c: Content) -> list[dict]:
    """Every source whose figures appear in the exports of this contract, with the millésimes used."""
    used: dict[str, set] = {}
    for q in c.quartiers:
        for x in (q.fiche or {}).get("indicators", []):
            if x["edition"] is None:
                continue
            used.setdefault(meta(con, x["indicator_id"])["source"], set()).add(x["edition"])
            for r in x["references"]:
                if r["value"] is not None and r["level"] in ("epci", "departement", "region", "france"):
                    used.setdefault("filosofi_ref", set()).add(r["edition"])
    if c.means is not None and len(c.means):
        for kind, sid in (("adulte_relais", "adultes_relais"), ("fonjep", "fonjep")):
            yrs = c.means.loc[c.means["kind"] == kind, "year"].tolist()
            if yrs:
                used.setdefault(sid, set()).update(yrs)
    used.setdefault("contrats_de_ville", set())
    used.setdefault("contours_qp", set())
    used.setdefault("admin_anct", set())
    if c.uses_proxy:
        used.setdefault("qpv2024_referentiel", set())
    out = []
    for sid, eds in used.items():
        info = sources.source_info(con, sid)
        out.append({"source_id": sid, "producer": info.get("producer") or sid, "title": info.get("title") or "",
                    "licence": info.get("licence") or "", "generation": info.get("generation"),
                    "editions": sources.millesimes_text(sorted(e for e in eds if e is not None))})
    return sorted(out, key=lambda r: r["producer"])


def life_source(c: Content) -> str:
    """Source line of contract-life figures (saisie database), with the démo label when démo."""
    who = "Saisie et imports du contrat (programmation, engagements) — observatoire"
    return sources.source_line(who, None, None, demo=c.demo)
