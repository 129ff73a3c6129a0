"""View models of the Comparer page: several quartiers side by side (any mix of 2015 and 2024 codes), one
indicator across the selection with its national rank and distribution, and the standardised profile.

Every value is `text.value_cell` (« ≈ » for a 2024 quartier's value taken from its 2015 predecessors, the
status label when hidden, « (2021) » when its millésime differs from the row's), every percentile
`text.percentile_text`: the strings of the fiche. Each geography of the selection is placed on its own
national distribution (2024 quartiers among 2024 quartiers, through their predecessors, « ≈ »), and a
selected quartier that cannot be placed is named with the reason.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import catalog, fiche as fiche_lib, gaps, position, twins
from observatoire import frformat, vocabulary
from presentation import sources, text
from presentation.search import geography_text

# Key indicators of the profile chart (catalogue ids), in reading order.
PROFILE_KEY = ["tx_pauvrete", "tx_bas_revenus", "rev_disp_median", "rapport_interdecile", "part_alloc_rsa",
               "part_alloc_dep50", "part_menages_chomage", "tx_emploi", "tx_emploi_f", "tx_emploi_precaire",
               "part_de_jeunes", "part_de_infbac"]
ORIENTED_UNITS = {"%", "€", "rapport", "indice"}
DEFAULT_INDICATORS = ("tx_pauvrete", "rev_disp_median", "tx_emploi")
LONG_COLUMNS = ["code", "name", "generation", "indicator_id", "label", "unit", "theme", "polarity", "edition", "value",
                "status", "percentile", "rank", "n", "decimals", "approx", "value_text"]
# The reference lines of the bars: the all-quartiers and France values.
REFERENCE_CODES = {"ensemble_qpv": "ENSQP2015", "france": "FRM"}
QUARTILES = ((25, "1er quartile"), (50, "médiane"), (75, "3e quartile"))


def _short(name: str, code: str, width: int = 24) -> str:
    return (name if len(name) <= width else name[:width - 2].rstrip() + "…") + f" ({code})"


def _decimals(meta: dict) -> int:
    return 1 if meta.get("decimals") is None else int(meta["decimals"])


def twin_codes(con, code: str, n: int = 5) -> list[str]:
    """The n quartiers of France whose profile is closest to `code`'s (the « jumeaux » button)."""
    return [t["code"] for t in twins.twins(con, code, n=n)]


def selection_view(con, codes: list[str]) -> dict:
    """The selection's indicators in long form and the side-by-side table (every cell a value_cell text, also
    the downloaded table)."""
    rows, names, gens = [], {}, {}
    for code in codes:
        f = fiche_lib.fiche(con, code, n_twins=0)
        t = f["territory"]
        names[code], gens[code] = t["name"], str(t.get("generation") or "2015")
        for x in f["indicators"]:
            if x.get("edition") is None:
                continue
            rows.append({"code": code, "name": t["name"], "generation": gens[code], "indicator_id": x["indicator_id"],
                         "label": x["label"], "unit": x["unit"], "theme": x["theme"], "polarity": x["polarity"],
                         "edition": int(x["edition"]), "value": x["value"], "status": x["status"],
                         "percentile": x.get("percentile"), "rank": x.get("rank"), "n": x.get("n"),
                         "decimals": _decimals(x), "approx": bool(x.get("approximation"))})
    long = pd.DataFrame(rows, columns=LONG_COLUMNS)
    # the row's millésime: the one most of the selection has; a quartier of another millésime says its own
    row_year = long.groupby("indicator_id").edition.agg(lambda s: s.mode().max()) if len(long) else pd.Series()
    long["value_text"] = [text.value_cell(r.value, r.status, r.unit, r.decimals, approx=r.approx, year=r.edition,
                                          row_year=row_year.get(r.indicator_id)).text for r in long.itertuples()]
    columns = {c: _short(names[c], c) for c in codes}
    order = [i for i in catalog.ids(con) if i in set(long.indicator_id)]
    meta = long.drop_duplicates("indicator_id").set_index("indicator_id")
    table = pd.DataFrame({"Thème": [vocabulary.theme_label(meta.theme[i]) for i in order],
                          "Indicateur": [meta.label[i] for i in order],
                          "Millésime": [text.year_text(row_year.get(i)) for i in order]})
    cell = {(r.indicator_id, r.code): r.value_text for r in long.itertuples()}
    for code in codes:
        table[columns[code]] = [cell.get((i, code), text.DASH) for i in order]
    generation = "2015" if "2015" in gens.values() else next(iter(gens.values()), "2015")
    note = vocabulary.label("phrases", "approximation_source") if long.approx.any() else None
    line = sources.indicator_line(con, order, long.edition.dropna().astype(int).tolist(), generation, note=note)
    return {"long": long, "names": names, "generations": gens, "columns": columns, "table": table.fillna(text.DASH),
            "source_line": line, "order": order, "generation": generation}


def indicator_choices(sel: dict) -> tuple[list[str], dict[str, str], str | None]:
    """Indicators with at least one shown value in the selection: (ids, {id: label}, default)."""
    long = sel["long"]
    shown = long[long.status.isin(vocabulary.shown_statuses())]
    present = set(shown.indicator_id)
    ids = [i for i in sel["order"] if i in present]
    labels = dict(zip(long.indicator_id, long.label))
    return ids, labels, next((i for i in DEFAULT_INDICATORS if i in ids), ids[0] if ids else None)


def _ranked_words(generation: str) -> str:
    """« quartiers 2015 classés », « quartiers 2024 classés (≈ valeurs des quartiers 2015 correspondants) »."""
    words = f"quartiers {text.year_text(generation)} classés"
    return words + " (≈ valeurs des quartiers 2015 correspondants)" if generation == "2024" else words


def _panel(dist: pd.DataFrame, generation: str, selection: list[str], names: dict[str, str], meta: dict,
           edition: int) -> dict:
    """One national distribution (one geography) with the selected quartiers of that geography placed on it."""
    unit, decimals = meta["unit"], _decimals(meta)
    shown = dist[dist.value.notna()].sort_values(["value", "code"]).reset_index(drop=True)
    shown["position"] = np.arange(1, len(shown) + 1)      # left to right, lowest value first
    approx = shown.approx_method.notna() if "approx_method" in shown else pd.Series(False, index=shown.index)
    shown["text"] = [text.value_cell(v, s, unit, decimals, approx=bool(a)).text
                     for v, s, a in zip(shown.value, shown.status, approx)]
    mine = [c for c in selection if c in set(dist.code)]
    placed = shown[shown.code.isin(mine)].copy()
    placed["color_index"] = [selection.index(c) for c in placed.code]
    n, n_missing = len(shown), int(dist.value.isna().sum())
    placed["rank_text"] = [f"rang national {_rank(r, n)}" for r in placed["rank"]]
    left_out = [f"{names.get(c, c)} ({c}) : {text.value_text(None, dist.loc[dist.code == c, 'status'].iloc[0])}"
                for c in mine if c not in set(placed.code)]
    quartiles = []
    if len(shown):
        for (q, words), v in zip(QUARTILES, np.nanpercentile(shown.value, [q for q, _ in QUARTILES])):
            quartiles.append({"value": float(v), "text": f"{words} : {text.value_text(v, 'ok', unit, decimals)}"})
    polarity = meta.get("polarity") or "neutral"
    direction = {"higher_worse": " — vers la droite : situation plus défavorable",
                 "higher_better": " — vers la droite : situation plus favorable"}.get(polarity, "")
    return {
        "generation": generation, "polarity": polarity,
        "points": shown[["code", "name", "value", "text", "position"]],
        "selection": placed[["code", "name", "value", "text", "position", "color_index", "rank_text"]]
        .reset_index(drop=True),
        "quartiles": quartiles,
        "title": f"{meta['label']} — {text.year_text(edition)} : les {text.count_text(n)} "
                 f"{_ranked_words(generation)}{direction}",
        "axis_title": f"quartiers classés de la valeur la plus faible à la plus élevée ({text.count_text(n)} avec "
                      "une valeur" + (f" ; {text.count_text(n_missing)} sans valeur publiée)" if n_missing else ")"),
        "unit_title": frformat.display_unit(unit) or "",
        "left_out": left_out,
    }


def _rank(scope_rank, scope_n) -> str:
    if frformat.is_missing(scope_rank):
        return text.DASH
    return f"{text.count_text(int(scope_rank))} / {text.count_text(int(scope_n))}"


def indicator_view(con, codes: list[str], indicator_id: str, edition: int, names: dict[str, str],
                   columns: dict[str, str], generations: dict[str, str]) -> dict:
    """One indicator for the selection at one edition: the bars, the reference lines (Ensemble des QPV,
    France), one national distribution per geography of the selection (each selected quartier placed on its
    own geography's, or named with the reason it is not), the ranks table and the source line."""
    meta = catalog.indicator(con, indicator_id)
    unit, decimals, edition = meta["unit"], _decimals(meta), int(edition)
    gens = generations                                           # {code: '2015'|'2024'}, from selection_view
    dists = {}
    for g in sorted(set(gens.values())):
        d = position.distribution(con, indicator_id, edition, g)
        d.loc[~d.status.isin(vocabulary.shown_statuses()), "value"] = None
        dists[g] = d
    cells, rank_rows = [], []
    for code in codes:
        d = dists[gens[code]]
        row = d[d.code == code]
        r = row.iloc[0] if len(row) else None
        value = None if r is None or pd.isna(r.value) else float(r.value)
        status = "non_disponible" if r is None else r.status
        approx = r is not None and isinstance(r.get("approx_method"), str)
        cell = text.value_cell(value, status, unit, decimals, approx=approx)
        cells.append({"code": code, "name": names[code], "value": value, "status": status, "approx": approx,
                      "text": cell.text})
        rank_rows.append({
            vocabulary.level_label("qpv", short=True): columns[code],
            "Géographie": geography_text(gens[code]),
            "Valeur": cell.text,
            "Rang national": text.DASH if r is None else _rank(r["rank"], r["n"]),
            "Centile national": text.DASH if r is None else text.percentile_text(r["percentile"]),
            "Rang dans le département": text.DASH if r is None else _rank(r["rank_dep"], r["n_dep"]),
            "Rang dans la région": text.DASH if r is None else _rank(r["rank_reg"], r["n_reg"])})
    values = pd.DataFrame(cells)
    found = gaps.values(con, list(REFERENCE_CODES.values()), [(indicator_id, edition)])
    refs = []
    for level, code in REFERENCE_CODES.items():
        v, st_ = found.get((code, indicator_id, edition), (None, "non_disponible"))[:2]
        if v is not None:
            name = vocabulary.level_label(level, short=True)
            refs.append({"name": name, "value": float(v),
                         "text": f"{name} : {text.value_cell(v, st_, unit, decimals).text}"})
    panels = [_panel(dists[g], g, list(codes), names, meta, edition) for g in sorted(dists)]
    note = vocabulary.label("phrases", "approximation_source") if values.approx.any() else None
    main_gen = "2015" if "2015" in gens.values() else "2024"
    return {"meta": meta, "decimals": decimals, "values": values,
            "references": pd.DataFrame(refs) if refs else None, "panels": panels, "generation": main_gen,
            "ranks": pd.DataFrame(rank_rows),
            "source_line": sources.indicator_line(con, indicator_id, [edition], main_gen, with_files=True, note=note)}


def profile_rows(sel: dict, scope: str = "clés") -> pd.DataFrame:
    """Percentile scores (100 = most unfavourable) of the selection on the key or all oriented indicators,
    with their display texts (value_cell, percentile_text)."""
    long = sel["long"]
    prof = long[long.percentile.notna() & long.status.isin(vocabulary.shown_statuses())].copy()
    if scope == "clés":
        prof = prof[prof.indicator_id.isin(PROFILE_KEY)]
    else:
        prof = prof[(prof.polarity != "neutral") & prof.unit.isin(ORIENTED_UNITS)]
    if prof.empty:
        return prof
    prof["score"] = [100 - p if pol == "higher_better" else p for p, pol in zip(prof.percentile, prof.polarity)]
    prof["score_text"] = [text.percentile_text(s) for s in prof.score]
    prof["indicator_label"] = prof.label
    prof["color_index"] = [list(sel["columns"]).index(c) for c in prof.code]
    rank_of = {i: n for n, i in enumerate(sel["order"])}
    return prof.sort_values("indicator_id", key=lambda s: s.map(rank_of))
