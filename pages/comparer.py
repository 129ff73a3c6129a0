"""Comparer: several quartiers side by side (table, bars, profile), and where they stand among all
quartiers for one indicator (rank and distribution, selection highlighted). Twins in one click.
Renders presentation.compare's view models."""
from __future__ import annotations

import streamlit as st

from charts import compare as compare_charts
from presentation import compare as view
from ui import blocks, catalog, common, export_buttons, pickers, state

common.page_setup("Comparer des quartiers")
MAX = 8

codes, labels = pickers.quartier_choices(("2015", "2024"))
selection = state.multiselect(
    f"Quartiers à comparer ({MAX} au plus)", codes, "selection",
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
    found = common.run(view.twin_codes, code, n=5)
    new = list(dict.fromkeys(current + found))[:MAX]
    st.session_state["url_selection"] = new
    state.set(selection=new)


c2.button("Ajouter ses 5 jumeaux", icon=":material/group_add:", width="stretch", on_click=_add_twins,
          args=(anchor,), help="Les quartiers de France au profil le plus proche (voir la fiche quartier)")

# --------------------------------------------------------------------------- side by side
sel = common.shared(view.selection_view, list(selection))     # read only: shared by every session
if sel["long"].empty:
    common.note("Aucun indicateur pour ces quartiers.")
    st.stop()
st.subheader("Côte à côte")
blocks.table(sel["table"], "comparaison-quartiers", sel["source_line"], key="tbl_compare", height=420,
             column_config={sel["columns"][c]: st.column_config.TextColumn(help=f"{sel['names'][c]} ({c})")
                            for c in selection})

# --------------------------------------------------------------------------- one indicator
st.subheader("Un indicateur")
ids, ind_labels, default_ind = view.indicator_choices(sel)
if not ids:
    st.stop()


@st.fragment
def one_indicator() -> None:
    """Where the selection stands for one indicator: another indicator or millésime reruns this part only."""
    c1, c2 = st.columns([3, 1])
    ind_id = state.selectbox("Indicateur", ids, "indicateur", format_func=ind_labels.get, default=default_ind,
                             container=c1)
    editions = catalog.indicator_editions(ind_id, "2015")
    edition = state.selectbox("Millésime", editions[::-1], "millesime", cast=int, container=c2)
    one = common.shared(view.indicator_view, list(selection), ind_id, int(edition), sel["names"], sel["columns"],
                        sel["generations"])
    meta, src = one["meta"], one["source_line"]
    fig = blocks.figure(compare_charts.side_by_side, one["values"], label=meta["label"], unit=meta["unit"],
                        edition=edition, source_line=src, references=one["references"])
    blocks.chart(fig, f"comparer-{ind_id}-{edition}", src, key="cmp_bars")
    for panel in one["panels"]:
        fig = blocks.figure(compare_charts.rank_distribution, panel, unit=meta["unit"], source_line=src)
        blocks.chart(fig, f"comparer-{ind_id}-{edition}-distribution-{panel['generation']}", src,
                     key=f"cmp_dist_{panel['generation']}")
        if panel["left_out"]:
            st.caption("Non placé(s) sur ce classement, faute de valeur publiée : " + " ; ".join(
                common.md_escape(x) for x in panel["left_out"]) + ".")
    blocks.table(one["ranks"], f"comparer-{ind_id}-{edition}-rangs", src, key="tbl_ranks")
    common.how_to_read("Le rang 1 correspond à la valeur la plus élevée. Le centile indique la part des "
                       "quartiers ayant une valeur inférieure. Les quartiers sans valeur publiée (secret "
                       "statistique) ne sont pas classés.")


one_indicator()

# --------------------------------------------------------------------------- profile
st.subheader("Profil")


@st.fragment
def profile() -> None:
    """The selection's profile: the other scope reruns this part only."""
    scope = st.radio("Indicateurs du profil", ["clés", "tous"], horizontal=True, key="profile_scope",
                     format_func={"clés": "Indicateurs clés", "tous": "Tous les taux et montants orientés"}.get)
    prof = view.profile_rows(sel, scope)
    if not prof.empty:
        fig = blocks.figure(compare_charts.profile, prof, source_line=sel["source_line"])
        blocks.chart(fig, "comparer-profil", sel["source_line"], key="cmp_profile")
        common.how_to_read("Chaque point place un quartier parmi tous les quartiers de France pour un indicateur : "
                           "à droite (zone rose, le quart le plus défavorable), les situations les plus défavorables ; "
                           "à gauche (zone verte), les plus favorables. Pour un taux de pauvreté, 90 signifie que 90 % "
                           "des quartiers ont un taux plus faible ; pour un revenu, que 90 % ont un revenu plus élevé.")


profile()

# --------------------------------------------------------------------------- export
export_buttons.classeur_button(selection, container=st.expander("Exporter tous les indicateurs de la sélection (XLSX)",
                                                                icon=":material/grid_on:"))
