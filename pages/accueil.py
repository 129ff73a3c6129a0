"""Accueil: find a territory (quartier, commune, EPCI, contrat de ville…) and see what the observatory holds.
Renders presentation.search's views."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from markupsafe import Markup

from observatoire import vocabulary
from presentation import search as view
from presentation.text import html_fragment
from ui import blocks, common, state

common.page_setup(
    vocabulary.label("phrases", "observatory"),
    "Les quartiers prioritaires de la politique de la ville, leurs indicateurs et la vie de leur contrat "
    "— données ouvertes, hors ligne.")

# --------------------------------------------------------------------------- where to start
START = [("pages/carte.py", "Carte", ":material/map:", "un indicateur sur tous les quartiers"),
         ("pages/fiche.py", "Fiche quartier", ":material/description:", "le portrait d'un quartier et ses références"),
         ("pages/comparer.py", "Comparer", ":material/compare_arrows:", "plusieurs quartiers, rangs, jumeaux"),
         ("pages/barometre.py", "Baromètre", ":material/traffic:", "une page par quartier pour les élus")]
cols = st.columns(len(START))
for col, (page, label, icon, what) in zip(cols, START):
    with col.container(border=True):
        st.page_link(page, label=label, icon=icon)
        st.caption(what)

# --------------------------------------------------------------------------- search
st.subheader("Trouver un territoire")
default_text = state.get("recherche", "")
typed = st.text_input("Nom ou code d'un quartier, d'une commune, d'un EPCI, d'un contrat de ville",
                      value=default_text, placeholder="ex. Reyssouze, QP001001, Avignon, CA du Grand Avignon…",
                      key="search_text")
state.set(recherche=typed.strip() or None)

if typed.strip():
    found = common.run(view.search_view, typed.strip())
    if not found.hits:
        st.info(found.empty_message)
    else:
        st.caption(found.caption)
        event = st.dataframe(found.table, hide_index=True, width="stretch", on_select="rerun",
                             selection_mode="single-row", key="search_results",
                             height=min(38 + 35 * len(found.table), 360))
        rows = event.selection.rows if event and event.selection else []
        chosen = found.hits[rows[0]] if rows else (found.hits[0] if len(found.hits) == 1 else None)
        if chosen is not None:
            one = common.run(view.territory_view, chosen)
            with st.container(border=True):
                st.markdown(one.heading)
                if one.level == "qpv":
                    state.set(quartier=one.code)
                    c1, c2, c3, c4 = st.columns(4)
                    c1.page_link("pages/fiche.py", label="Fiche quartier", icon=":material/description:",
                                 query_params={"quartier": one.code})
                    c2.page_link("pages/barometre.py", label="Baromètre", icon=":material/traffic:",
                                 query_params={"quartier": one.code})
                    c3.page_link("pages/comparer.py", label="Comparer", icon=":material/compare_arrows:",
                                 query_params={"selection": one.code})
                    c4.page_link("pages/carte.py", label="Carte", icon=":material/map:",
                                 query_params={"quartier": one.code, "generation": one.generation})
                else:
                    for title, quartiers, more in one.groups:
                        # HTML links with target="_self": Markdown links would open a new tab each time
                        links = Markup(" · ").join(
                            html_fragment('<a href="/fiche?{}" target="_self">{}</a>', urlencode({"quartier": c}), n)
                            for n, c in quartiers)
                        st.markdown(html_fragment("<em>{}</em> : {}{}", title, links, " …" if more else ""),
                                    unsafe_allow_html=True)
                    if one.compare_codes:
                        st.page_link("pages/comparer.py", label=one.compare_label, icon=":material/compare_arrows:",
                                     query_params={"selection": ",".join(one.compare_codes)})

# --------------------------------------------------------------------------- overview
st.subheader("Ce que contient l'observatoire")
ov = common.run(view.overview_view)
cols = st.columns(max(4, len(ov.metrics)))
for col, (label, value, help_) in zip(cols, ov.metrics):
    col.metric(label, value, help=help_)
c1, c2 = st.columns([3, 2])
with c1:
    st.markdown("**Géographies prioritaires**")
    blocks.table(ov.geographies, "observatoire-geographies", ov.geographies_source, key="tbl_generations")
with c2:
    st.markdown("**Millésimes des indicateurs**")
    blocks.table(ov.editions, "observatoire-millesimes", ov.editions_source, key="tbl_editions")
st.caption(ov.note_2024)

st.markdown("**Sources**")
blocks.table(ov.sources, "observatoire-sources", ov.sources_source, key="tbl_sources")
if ov.last_load:
    st.caption(ov.last_load)
