"""View models of the home page (search, a found territory, what the warehouse holds) and of the quartier
pickers: display-ready French from indicators.search and indicators.overview (codes and counts).

A territory's quartiers are counted per geography (text.quartier_count_text), never added across 2015 and
2024: the two generations mostly describe the same places.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from indicators import overview, references, search
from observatoire import vocabulary
from presentation import sources, text

MAX_LISTED = 40           # quartier names listed per geography under a found territory
MAX_COMPARED = 8          # the Comparer page's limit


def generations() -> list[str]:
    """The quartier geographies (single years of the vocabulary), newest first."""
    return sorted((g for g in vocabulary.codes("generations") if g.isdigit()), reverse=True)


def geography_text(generation) -> str:
    """« QPV 2024 » (tables and pickers); '' when there is none."""
    if pd.isna(generation) or not generation:
        return ""
    return f"QPV {vocabulary.label('generations', str(generation), short=True)}"


# --------------------------------------------------------------------------- pickers

def quartier_options(con, generations: tuple[str, ...] = ("2015", "2024")) -> pd.DataFrame:
    """code, label (« Nom — Commune(s) (code) »), generation of every quartier of the given geographies: the
    options of the Fiche, Comparer and Baromètre pickers."""
    frames = [search.directory(con, gen).assign(generation=str(gen)) for gen in generations]
    d = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["code", "name", "communes"])
    d["label"] = [f"{r.name} — {r.communes} ({r.code})" if isinstance(r.communes, str) and r.communes
                  else f"{r.name} ({r.code})" for r in d.itertuples()]
    return d[["code", "label", "generation"]].reset_index(drop=True)


# --------------------------------------------------------------------------- search

@dataclass
class SearchView:
    """Territories found for a text: `table` as shown (one row per hit), `hits` the same rows as codes."""
    query: str
    table: pd.DataFrame
    hits: list[dict]
    caption: str
    empty_message: str = ("Aucun territoire ne correspond. Essayez une partie du nom (sans accent) ou un code.")


def search_view(con, query: str) -> SearchView:
    found = search.search(con, query)
    table = pd.DataFrame({
        "Nom": found["name"].tolist(),
        "Type": [text.label("levels", lv) for lv in found["level"]],
        "Code": found["code"].tolist(),
        "Géographie": [geography_text(g) for g in found["generation"]],
        "Commune(s)": [c if isinstance(c, str) else "" for c in found["communes"]],
        "Dép.": [d if isinstance(d, str) else "" for d in found["departement"]],
    })
    n = len(found)
    hits = [{"code": r.code, "level": r.level, "name": r.name,
             "generation": r.generation if isinstance(r.generation, str) else None,
             "communes": r.communes if isinstance(r.communes, str) else None} for r in found.itertuples()]
    caption = f"{text.count_text(n)} résultat{'s' if n > 1 else ''} — cliquez sur une ligne pour l'ouvrir."
    return SearchView(query, table, hits, caption)


@dataclass
class TerritoryView:
    """What the home page shows under a chosen territory: a heading (Markdown, names escaped), for a
    quartier the parameters of its pages, otherwise its quartiers per geography and a Comparer selection."""
    code: str
    level: str
    heading: str
    generation: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # (« Géographie 2024 », [(quartier name, code)…], more not listed): the page links each to its fiche
    groups: list[tuple[str, list[tuple[str, str]], bool]] = field(default_factory=list)
    compare_codes: list[str] = field(default_factory=list)
    compare_label: str = ""


def territory_view(con, hit: dict) -> TerritoryView:
    """The found territory `hit` (a row of SearchView.hits)."""
    code, level, name = hit["code"], hit["level"], text.md_text(hit["name"])
    if level == "qpv":
        gen = hit.get("generation")
        place = f", {text.md_text(hit['communes'])}" if hit.get("communes") else ""
        heading = (f"**{name}** ({code}) — {vocabulary.level_label('qpv').lower()}, "
                   f"géographie {text.year_text(gen)}{place}")
        return TerritoryView(code, level, heading, generation=gen)
    inside = search.quartiers_of(con, code)
    # every geography for a place (commune, EPCI…); a contract's own generation(s) only
    own = str(hit.get("generation") or "")
    counts = {g: int((inside.generation == g).sum()) for g in generations() if not own or g in own.split("/")}
    heading = f"**{name}** — {vocabulary.level_label(level)} : {text.quartier_count_text(counts)}"
    groups = []
    for gen in counts:
        g = inside[inside.generation == gen]
        if g.empty:
            continue
        groups.append((f"Géographie {text.year_text(gen)}", [(r.name, r.code) for r in g.head(MAX_LISTED).itertuples()],
                       len(g) > MAX_LISTED))
    # Comparer: the 2015 quartiers when there are some (their own INSEE values), else the others
    compare_gen = "2015" if counts.get("2015") else next((g for g in counts if counts[g]), None)
    chosen = inside[inside.generation == compare_gen].code.head(MAX_COMPARED).tolist() if compare_gen else []
    label = (f"Comparer ces quartiers (géographie {text.year_text(compare_gen)}, "
             f"{text.count_text(MAX_COMPARED)} au plus)") if chosen else ""
    return TerritoryView(code, level, heading, counts=counts, groups=groups, compare_codes=chosen,
                         compare_label=label)


# --------------------------------------------------------------------------- what the warehouse holds

@dataclass
class OverviewView:
    metrics: list[tuple[str, str, str | None]]              # (label, value, help)
    geographies: pd.DataFrame
    geographies_source: str
    editions: pd.DataFrame
    editions_source: str
    sources: pd.DataFrame
    sources_source: str
    note_2024: str
    last_load: str | None


def overview_view(con) -> OverviewView:
    wh = overview.contents(con)
    gens, geo, contracts = wh["quartiers"], wh["geometries"], wh["contracts"]
    metrics = [(f"Quartiers, géographie {text.year_text(r.generation)}", text.count_text(r.n), None)
               for r in gens.itertuples()]
    if len(contracts):
        metrics.append(("Contrats de ville", text.count_text(contracts.n.sum()),
                        " ; ".join(f"génération {vocabulary.label('generations', g, short=True)} : {text.count_text(n)}"
                                   for g, n in zip(contracts.generation, contracts.n))))
    metrics.append(("Indicateurs suivis", text.count_text(wh["n_indicators"]),
                    "Indicateurs déclarés dans le catalogue, harmonisés entre millésimes"))
    rows = []
    for r in gens.itertuples():
        g = geo[geo.generation == r.generation]
        rows.append({"Géographie": geography_text(r.generation), "Quartiers": int(r.n),
                     "avec contour": int(g[g.kind == "contour"].n.sum()),
                     "placés sur leur commune": int(g[g.kind == "commune_point"].n.sum())})
    eds = wh["editions"]
    editions = pd.DataFrame({"Millésime": [text.year_text(e) for e in eds.edition],
                             "Indicateurs disponibles": eds.n.astype(int).tolist()})
    src = wh["sources"]
    table = pd.DataFrame({"Producteur": src.producer.tolist(), "Jeu de données": src.title.tolist(),
                          "Millésimes": src.editions.fillna("").tolist(),
                          "Géographie": [vocabulary.generation_label(g) or "" for g in src.generation],
                          "Licence": src.licence.fillna("").tolist()})
    last = wh["last_load"]
    when = None
    if len(last) and not pd.isna(last["last"].iloc[0]):
        r = last.iloc[0]
        stamp = pd.Timestamp(r["last"])
        when = (f"Dernier chargement de l'entrepôt : {text.date_text(stamp)} à {stamp.strftime('%H:%M')} — "
                f"{text.count_text(r.files)} fichiers, {text.count_text(r.rows)} lignes, "
                f"{text.count_text(r.warnings or 0)} avertissements.")
    return OverviewView(
        metrics=metrics,
        geographies=pd.DataFrame(rows),
        geographies_source=sources.source_line("ANCT, INSEE — référentiels QPV 2015 et 2024", None, "2015/2024"),
        editions=editions,
        editions_source=sources.source_line("INSEE, CNAF, CNAM — SIG Ville (ANCT/ONPV)", eds.edition.tolist(), "2015"),
        sources=table,
        sources_source=sources.source_line("catalogue des sources de l'observatoire"),
        note_2024=("Aucun indicateur INSEE n'est encore publié ici pour la géographie 2024 : les quartiers 2024 sont "
                   "présentés avec leur quartier 2015 correspondant (table de passage), avec cette réserve."),
        last_load=when)


def territory_name(con, code: str) -> str:
    """The name of a territory (quartier, commune, EPCI, contract) for file names and titles."""
    return references.territory(con, code)["name"]
