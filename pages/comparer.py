"""Comparer: several quartiers side by side (table, bars, profile), and where they stand among all
quartiers for one indicator (rank and distribution, selection highlighted). Twins in one click."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import compare as compare_charts
from indicators import fiche as fiche_lib
from indicators import position, twins
from observatoire import frformat, vocabulary
from presentation import text
from ui import blocks, catalog, common, pickers, state

common.page_setup("Comparer des quartiers")
MAX = 8

opts = pickers.quartier_options(("2015", "2024"))
labels = dict(zip(opts.code, opts.label))
selection = state.multiselect(
    f"Quartiers à comparer ({MAX} au plus)", opts.code.tolist(), "selection",
    format_func=lambda c: labels.get(c, c), default=["QP001001"], max_selections=MAX,
    help="Tapez une partie du nom, de la commune ou du code")
if not selection:
    st.info("Choisissez au moins un quartier.")
    st.stop()

# --------------------------------------------------------------------------- twins in one click
c1, c2 = st.columns([2, 1])
anchor = c1.selectbox("Ajouter les quartiers jumeaux de", selection, format_func=lambda c: labels.get(c, c),
                      key="twins_anchor")


def _add_twins(code: str) -> None:
    """Callback (runs before the next script run): put the twins into the selection widget and the URL."""
    current = list(st.session_state.get("url_selection") or [])
    found = common.run(twins.twins, code, n=5)
    new = list(dict.fromkeys(current + [t["code"] for t in found]))[:MAX]
    st.session_state["url_selection"] = new
    state.set(selection=new)


c2.button("Ajouter ses 5 jumeaux", icon=":material/group_add:", width="stretch", on_click=_add_twins,
          args=(anchor,), help="Les quartiers de France au profil le plus proche (voir la fiche quartier)")

# --------------------------------------------------------------------------- data
fiches = {code: common.run(fiche_lib.fiche, code) for code in selection}
rows = []
for code, f in fiches.items():
    for ind in f.get("indicators") or []:
        rows.append({"code": code, "name": f["territory"]["name"], **{k: ind.get(k) for k in (
            "indicator_id", "label", "unit", "theme", "polarity", "edition", "value", "status", "percentile",
            "rank", "n", "approximation")}})
long = pd.DataFrame(rows)
gens = {code: str(f["territory"].get("generation")) for code, f in fiches.items()}
if long.empty:
    common.note("Aucun indicateur pour ces quartiers (géographie 2024 : pas encore d'indicateurs INSEE).")
    st.stop()

cat = catalog.indicator_list().set_index("indicator_id")
long["decimals"] = [int(cat.decimals.get(i, 1)) for i in long.indicator_id]
long["value_text"] = [text.value_text(r.value, r.status, r.unit, r.decimals, approx=bool(r.approximation))
                      for r in long.itertuples()]
generation = "2015" if "2015" in gens.values() else next(iter(gens.values()))

# --------------------------------------------------------------------------- table
st.subheader("Côte à côte")
names = {code: f["territory"]["name"] for code, f in fiches.items()}
col_names = {code: (names[code] if len(names[code]) <= 24 else names[code][:22].rstrip() + "…") + f" ({code})"
             for code in selection}
wide = long.pivot_table(index=["indicator_id"], columns="code", values="value_text", aggfunc="first")
meta = long.drop_duplicates("indicator_id").set_index("indicator_id")
order = [i for i in cat.index if i in wide.index]
table = pd.DataFrame({"Thème": [vocabulary.theme_label(meta.theme[i]) for i in order],
                      "Indicateur": [meta.label[i] for i in order]})
eds = long.pivot_table(index="indicator_id", columns="code", values="edition", aggfunc="first")
table["Millésime"] = [", ".join(sorted({str(int(e)) for e in eds.loc[i].dropna()})) for i in order]
for code in selection:
    table[col_names[code]] = [wide.loc[i].get(code, "") if code in wide.columns else "" for i in order]
export = long.pivot_table(index=["indicator_id", "label", "edition"], columns="code", values="value",
                          aggfunc="first").reset_index()
src_all = catalog.line_for_many(order, long.edition.dropna().astype(int).tolist(), generation)
blocks.table(table.fillna(""), "comparaison-quartiers", src_all, export_df=export, key="tbl_compare",
             height=420, column_config={col_names[c]: st.column_config.TextColumn(help=f"{names[c]} ({c})")
                                        for c in selection})

# --------------------------------------------------------------------------- one indicator
st.subheader("Un indicateur")
ind_ids = [i for i in order if long[(long.indicator_id == i) & long.status.isin(vocabulary.shown_statuses())].shape[0]]
default_ind = next((i for i in ("tx_pauvrete", "tp60", "taux_pauvrete") if i in ind_ids), ind_ids[0] if ind_ids else None)
if not ind_ids:
    st.stop()
c1, c2 = st.columns([3, 1])
ind_id = state.selectbox("Indicateur", ind_ids, "indicateur", format_func=lambda i: meta.label[i],
                         default=default_ind, container=c1)
ind = catalog.indicator(ind_id)
editions = catalog.indicator_editions(ind_id, "2015")
edition = state.selectbox("Millésime", editions[::-1], "millesime", cast=int, container=c2)
decimals = int(ind.get("decimals") or 1)
src = catalog.line_for(ind, edition, generation)

dist = common.run(position.distribution, ind_id, int(edition), "2015")
dist.loc[~dist.status.isin(vocabulary.shown_statuses()), "value"] = None
sel_vals = pd.DataFrame({"code": selection}).merge(dist[["code", "value", "status"]], on="code", how="left")
sel_vals["name"] = [names[c] for c in sel_vals.code]
sel_vals["status"] = sel_vals.status.fillna("non_disponible")
refs = []
for ref in next((ind_.get("references") or [] for ind_ in fiches[selection[0]].get("indicators") or []
                 if ind_.get("indicator_id") == ind_id and ind_.get("edition") == edition), []):
    if ref.get("level") in ("ensemble_qpv", "france") and ref.get("status") in vocabulary.shown_statuses():
        refs.append({"name": "Ensemble des QPV" if ref["level"] == "ensemble_qpv" else "France métro.",
                     "value": ref.get("value")})
fig = compare_charts.side_by_side(sel_vals, label=ind["label"], unit=ind.get("unit"), decimals=decimals,
                                  edition=edition, source_line=src,
                                  references=pd.DataFrame(refs) if refs else None)
blocks.chart(fig, f"comparer-{ind_id}-{edition}", src, key="cmp_bars")

fig = compare_charts.rank_distribution(dist, highlight=selection, label=ind["label"], unit=ind.get("unit"),
                                       decimals=decimals, polarity=ind.get("polarity") or "neutral",
                                       edition=edition, source_line=src)
blocks.chart(fig, f"comparer-{ind_id}-{edition}-distribution", src, key="cmp_dist")

def _rank(scope: dict | None) -> str:
    scope = scope or {}
    return (f"{frformat.fmt_int(scope['rank'])} / {frformat.fmt_int(scope['n'])}"
            if scope.get("rank") is not None else "")


pos_rows = []
for code in selection:
    p = common.run(position.position, code, ind_id, int(edition)) if gens[code] == "2015" else {}
    pos_rows.append({"Quartier": col_names[code],
                     "Valeur": sel_vals.set_index("code").value.get(code),
                     "Rang national": _rank(p.get("national")),
                     "Percentile": (p.get("national") or {}).get("percentile"),
                     "Rang dans le département": _rank(p.get("departement")),
                     "Rang dans la région": _rank(p.get("region"))})
pos = pd.DataFrame(pos_rows)
blocks.table(pos, f"comparer-{ind_id}-{edition}-rangs", src,
             formats={"Valeur": (decimals, ind.get("unit")), "Percentile": 0}, key="tbl_ranks")
common.how_to_read("Le rang 1 correspond à la valeur la plus élevée. Le percentile indique la part des "
                   "quartiers ayant une valeur inférieure. Les quartiers sans valeur publiée (secret "
                   "statistique) ne sont pas classés.")

# --------------------------------------------------------------------------- profile
st.subheader("Profil")
KEY = ["tx_pauvrete", "tx_bas_revenus", "rev_disp_median", "rapport_interdecile", "part_alloc_rsa",
       "part_alloc_dep50", "part_menages_chomage", "tx_emploi", "tx_emploi_f", "tx_emploi_precaire",
       "part_de_jeunes", "part_de_infbac"]
ORIENTED_UNITS = {"%", "€", "rapport", "indice"}
scope = st.radio("Indicateurs du profil", ["clés", "tous"], horizontal=True, key="profile_scope",
                 format_func={"clés": "Indicateurs clés", "tous": "Tous les taux et montants orientés"}.get)
prof = long[long.percentile.notna() & long.status.isin(vocabulary.shown_statuses())].copy()
if scope == "clés":
    prof = prof[prof.indicator_id.isin(KEY)]
else:
    prof = prof[(prof.polarity != "neutral") & prof.unit.isin(ORIENTED_UNITS)]
if not prof.empty:
    prof["score"] = [100 - p if pol == "higher_better" else p for p, pol in zip(prof.percentile, prof.polarity)]
    prof["indicator_label"] = prof.label
    rank_of = {i: n for n, i in enumerate(cat.index)}
    prof = prof.sort_values("indicator_id", key=lambda s_: s_.map(rank_of))
    fig = compare_charts.profile(prof, source_line=src_all)
    blocks.chart(fig, "comparer-profil", src_all, key="cmp_profile")
    common.how_to_read("Chaque point place un quartier parmi tous les quartiers de France pour un indicateur : "
                       "à droite (zone rose, le quart le plus défavorable), les situations les plus défavorables ; "
                       "à gauche (zone verte), les plus favorables. Pour un taux de pauvreté, 90 signifie que 90 % "
                       "des quartiers ont un taux plus faible ; pour un revenu, que 90 % ont un revenu plus élevé.")

# --------------------------------------------------------------------------- export (ui/export_buttons.py)
from ui import export_buttons  # noqa: E402

export_buttons.classeur_button(selection, container=st.expander("Exporter tous les indicateurs de la sélection (XLSX)", icon=":material/grid_on:"))
