"""View models of the Comparer page: several quartiers side by side (any mix of 2015 and 2024 codes), one
indicator across the selection with its national rank and distribution, and the standardised profile.
Display-ready text from presentation.text, source lines from presentation.sources."""
from __future__ import annotations

import pandas as pd

from indicators import catalog, fiche as fiche_lib, gaps, position
from observatoire import frformat, vocabulary
from presentation import sources, text

# Key indicators of the profile chart (catalogue ids), in reading order.
PROFILE_KEY = ["tx_pauvrete", "tx_bas_revenus", "rev_disp_median", "rapport_interdecile", "part_alloc_rsa",
               "part_alloc_dep50", "part_menages_chomage", "tx_emploi", "tx_emploi_f", "tx_emploi_precaire",
               "part_de_jeunes", "part_de_infbac"]
ORIENTED_UNITS = {"%", "€", "rapport", "indice"}
DEFAULT_INDICATORS = ("tx_pauvrete", "rev_disp_median", "tx_emploi")
LONG_COLUMNS = ["code", "name", "generation", "indicator_id", "label", "unit", "theme", "polarity", "edition", "value",
                "status", "percentile", "rank", "n", "decimals", "approximation", "value_text"]


def _short(name: str, code: str, width: int = 24) -> str:
    return (name if len(name) <= width else name[:width - 2].rstrip() + "…") + f" ({code})"


def selection_view(con, codes: list[str]) -> dict:
    """The selection's indicators in long form, the side-by-side display table and its export frame."""
    rows, names, gens = [], {}, {}
    for code in codes:
        f = fiche_lib.fiche(con, code, n_twins=0)
        t = f["territory"]
        names[code], gens[code] = t["name"], str(t.get("generation") or "2015")
        for x in f["indicators"]:
            if x.get("edition") is None:
                continue
            dec = 1 if x.get("decimals") is None else int(x["decimals"])
            rows.append({"code": code, "name": t["name"], "generation": gens[code], "indicator_id": x["indicator_id"],
                         "label": x["label"], "unit": x["unit"], "theme": x["theme"], "polarity": x["polarity"],
                         "edition": x["edition"], "value": x["value"], "status": x["status"],
                         "percentile": x.get("percentile"), "rank": x.get("rank"), "n": x.get("n"), "decimals": dec,
                         "approximation": x.get("approximation"),
                         "value_text": text.indicator_value_text({**x, "decimals": dec})})
    long = pd.DataFrame(rows, columns=LONG_COLUMNS)
    columns = {c: _short(names[c], c) for c in codes}
    order = [i for i in catalog.ids(con) if i in set(long.indicator_id)]
    meta = long.drop_duplicates("indicator_id").set_index("indicator_id")
    table = pd.DataFrame({"Thème": [vocabulary.theme_label(meta.theme[i]) for i in order],
                          "Indicateur": [meta.label[i] for i in order]})
    cell = {(r.indicator_id, r.code): r.value_text for r in long.itertuples()}
    eds = long.groupby("indicator_id").edition.apply(lambda s: ", ".join(sorted({text.year_text(e) for e in s})))
    table["Millésime"] = [eds.get(i, text.DASH) for i in order]
    for code in codes:
        table[columns[code]] = [cell.get((i, code), text.DASH) for i in order]
    export = (long.assign(value=long.value.where(long.status.isin(vocabulary.shown_statuses())))
              .pivot_table(index=["indicator_id", "label", "edition"], columns="code", values="value", aggfunc="first")
              .reset_index()) if not long.empty else pd.DataFrame()
    generation = "2015" if "2015" in gens.values() else next(iter(gens.values()), "2015")
    note = ("valeurs des quartiers 2024 : quartiers 2015 correspondants (≈)"
            if long.approximation.notna().any() else None)
    line = sources.indicator_line(con, order, long.edition.dropna().astype(int).tolist(), generation, note=note)
    return {"long": long, "names": names, "generations": gens, "columns": columns, "table": table.fillna(text.DASH),
            "export": export, "source_line": line, "order": order, "generation": generation}


def indicator_choices(sel: dict) -> tuple[list[str], dict[str, str], str | None]:
    """Indicators with at least one shown value in the selection: (ids, {id: label}, default)."""
    long = sel["long"]
    shown = long[long.status.isin(vocabulary.shown_statuses())]
    ids = [i for i in sel["order"] if i in set(shown.indicator_id)]
    labels = dict(zip(long.indicator_id, long.label))
    return ids, labels, next((i for i in DEFAULT_INDICATORS if i in ids), ids[0] if ids else None)


def indicator_view(con, codes: list[str], indicator_id: str, edition: int, names: dict[str, str],
                   columns: dict[str, str], generations: dict[str, str]) -> dict:
    """One indicator for the selection at one edition: bars rows, reference lines (Ensemble des QPV, France),
    the national distribution, the ranks table (display) and the source line."""
    meta = catalog.indicator(con, indicator_id)
    decimals = int(meta.get("decimals") if meta.get("decimals") is not None else 1)
    gens = generations                                           # {code: '2015'|'2024'}, from selection_view
    main_gen = "2015" if "2015" in gens.values() else "2024"     # the distribution drawn: the selection's geography
    dists = {}
    for g in sorted(set(gens.values())):
        d = position.distribution(con, indicator_id, int(edition), g)
        d.loc[~d.status.isin(vocabulary.shown_statuses()), "value"] = None
        dists[g] = d.set_index("code")
    dist = dists[main_gen].reset_index()
    values = pd.DataFrame({"code": codes, "name": [names[c] for c in codes]})
    values["value"] = [dists[gens[c]].value.get(c) for c in codes]
    values["status"] = [dists[gens[c]].status.get(c, "non_disponible") for c in codes]
    values["approx"] = [bool(dists[gens[c]].approx_method.get(c)) if "approx_method" in dists[gens[c]] else False
                        for c in codes]
    ref_codes = {"ensemble_qpv": "ENSQP2015", "france": "FRM"}
    found = gaps.values(con, list(ref_codes.values()), [(indicator_id, int(edition))])
    refs = [{"name": vocabulary.level_label(level, short=True), "value": found[(code, indicator_id, int(edition))][0]}
            for level, code in ref_codes.items()
            if found.get((code, indicator_id, int(edition)), (None,))[0] is not None]
    ranks = []
    for code, v, st_, approx in zip(codes, values.value, values.status, values.approx):
        p = position.position(con, code, indicator_id, int(edition)) if code in dists[gens[code]].index else {}
        pct = (p.get("national") or {}).get("percentile")
        ranks.append({"Quartier": columns[code],
                      "Valeur": text.value_text(v, st_, meta["unit"], decimals, approx=approx),
                      "Rang national": _rank(p.get("national")),
                      "Centile national": text.DASH if pct is None else frformat.fmt_number(pct, 0),
                      "Rang dans le département": _rank(p.get("departement")),
                      "Rang dans la région": _rank(p.get("region"))})
    note = "valeurs des quartiers 2024 : quartiers 2015 correspondants (≈)" if any(values.approx) else None
    return {"meta": meta, "decimals": decimals, "values": values,
            "references": pd.DataFrame(refs) if refs else None, "distribution": dist, "generation": main_gen,
            "ranks": pd.DataFrame(ranks),
            "source_line": sources.indicator_line(con, indicator_id, [int(edition)], main_gen, with_files=True,
                                                  note=note)}


def _rank(scope: dict | None) -> str:
    scope = scope or {}
    return (f"{frformat.fmt_int(scope['rank'])} / {frformat.fmt_int(scope['n'])}"
            if scope.get("rank") is not None else text.DASH)


def profile_rows(sel: dict, scope: str = "clés") -> pd.DataFrame:
    """Percentile scores (100 = most unfavourable) of the selection on the key or all oriented indicators."""
    long = sel["long"]
    prof = long[long.percentile.notna() & long.status.isin(vocabulary.shown_statuses())].copy()
    if scope == "clés":
        prof = prof[prof.indicator_id.isin(PROFILE_KEY)]
    else:
        prof = prof[(prof.polarity != "neutral") & prof.unit.isin(ORIENTED_UNITS)]
    if prof.empty:
        return prof
    prof["score"] = [100 - p if pol == "higher_better" else p for p, pol in zip(prof.percentile, prof.polarity)]
    prof["indicator_label"] = prof.label
    rank_of = {i: n for n, i in enumerate(sel["order"])}
    return prof.sort_values("indicator_id", key=lambda s: s.map(rank_of))
