"""Accueil: find a territory (quartier, commune, EPCI, contrat de ville…) and see what the observatory holds."""
from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from markupsafe import Markup

from indicators import overview, search
from presentation.sources import source_line
from observatoire import frformat
from ui import blocks, common, state

LEVEL_FR = {"qpv": "Quartier prioritaire", "commune": "Commune", "epci": "EPCI",
            "contrat_de_ville": "Contrat de ville", "departement": "Département", "region": "Région"}

common.page_setup(
    "Observatoire des contrats de ville",
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
text = st.text_input("Nom ou code d'un quartier, d'une commune, d'un EPCI, d'un contrat de ville",
                     value=default_text, placeholder="ex. Reyssouze, QP001001, Avignon, CA du Grand Avignon…",
                     key="search_text")
state.set(recherche=text.strip() or None)

if text.strip():
    found = common.run(search.search, text.strip())
    if found.empty:
        st.info("Aucun territoire ne correspond. Essayez une partie du nom (sans accent) ou un code.")
    else:
        shown = pd.DataFrame({
            "Nom": found["name"],
            "Type": found["level"].map(LEVEL_FR).fillna(found["level"]),
            "Code": found["code"],
            "Géographie": found["generation"].fillna("").map(lambda g: f"QPV {g}" if g else ""),
            "Commune(s)": found["communes"].fillna(""),
            "Dép.": found["departement"].fillna(""),
        })
        st.caption(f"{len(found)} résultat{'s' if len(found) > 1 else ''} — cliquez sur une ligne pour l'ouvrir.")
        event = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun",
                             selection_mode="single-row", key="search_results",
                             height=min(38 + 35 * len(shown), 360))
        rows = event.selection.rows if event and event.selection else []
        chosen = found.iloc[rows[0]] if rows else (found.iloc[0] if len(found) == 1 else None)
        if chosen is not None:
            code, level, name = chosen["code"], chosen["level"], chosen["name"]
            with st.container(border=True):
                if level == "qpv":
                    state.set(quartier=code)
                    st.markdown(f"**{name}** ({code}) — quartier prioritaire, géographie {chosen['generation']}"
                                + (f", {chosen['communes']}" if isinstance(chosen['communes'], str) else ""))
                    c1, c2, c3, c4 = st.columns(4)
                    c1.page_link("pages/fiche.py", label="Fiche quartier", icon=":material/description:",
                                 query_params={"quartier": code})
                    c2.page_link("pages/barometre.py", label="Baromètre", icon=":material/traffic:",
                                 query_params={"quartier": code})
                    c3.page_link("pages/comparer.py", label="Comparer", icon=":material/compare_arrows:",
                                 query_params={"selection": code})
                    c4.page_link("pages/carte.py", label="Carte", icon=":material/map:",
                                 query_params={"quartier": code, "generation": chosen["generation"]})
                else:
                    inside = common.run(search.quartiers_of, code)
                    st.markdown(f"**{name}** — {LEVEL_FR.get(level, level).lower()} : "
                                f"{len(inside)} quartier{'s' if len(inside) > 1 else ''} prioritaire"
                                f"{'s' if len(inside) > 1 else ''}")
                    if len(inside):
                        for gen, g in inside.groupby("generation"):
                            # HTML links with target="_self": Markdown links would open a new tab each time
                            links = Markup(" · ").join(
                                Markup('<a href="/fiche?{}" target="_self">{}</a>').format(
                                    urlencode({"quartier": r.code}), r.name) for r in g.head(40).itertuples())
                            st.markdown(Markup("<em>Géographie {}</em> : ").format(gen) + links
                                        + (" …" if len(g) > 40 else ""), unsafe_allow_html=True)
                        latest = inside[inside.generation == "2015"] if (inside.generation == "2015").any() else inside
                        st.page_link("pages/comparer.py", label="Comparer ces quartiers (géographie 2015, 8 au plus)",
                                     icon=":material/compare_arrows:",
                                     query_params={"selection": ",".join(latest.code.head(8))})

# --------------------------------------------------------------------------- overview
st.subheader("Ce que contient l'observatoire")
wh = common.run(overview.contents)
gens, geo, contracts, n_ind, editions = (wh[k] for k in ("quartiers", "geometries", "contracts", "n_indicators",
                                                          "editions"))
cols = st.columns(4)
for col, (_, r) in zip(cols, gens.iterrows()):
    col.metric(f"Quartiers, géographie {r.generation}", frformat.fmt_int(r.n))
if len(contracts):
    cols[2].metric("Contrats de ville", frformat.fmt_int(contracts.n.sum()),
                   help=" ; ".join(f"génération {g} : {n}" for g, n in zip(contracts.generation, contracts.n)))
cols[3].metric("Indicateurs suivis", frformat.fmt_int(n_ind),
               help="Indicateurs déclarés dans le catalogue, harmonisés entre millésimes")

gen_rows = []
for _, r in gens.iterrows():
    g = geo[geo.generation == r.generation]
    n_cont = int(g[g.kind == "contour"].n.sum())
    n_pts = int(g[g.kind == "commune_point"].n.sum())
    gen_rows.append({"Géographie": f"QPV {r.generation}", "Quartiers": int(r.n),
                     "avec contour": n_cont, "placés sur leur commune": n_pts})
gen_df = pd.DataFrame(gen_rows)
c1, c2 = st.columns([3, 2])
with c1:
    st.markdown("**Géographies prioritaires**")
    blocks.table(gen_df, "observatoire-geographies",
                 source_line("ANCT, INSEE — référentiels QPV 2015 et 2024", None, "2015 et 2024"),
                 key="tbl_generations")
with c2:
    st.markdown("**Millésimes des indicateurs**")
    ed_df = pd.DataFrame({"Millésime": editions.edition.astype(str),
                          "Indicateurs disponibles": editions.n.astype(int)})
    blocks.table(ed_df, "observatoire-millesimes", source_line("INSEE, CNAF, CNAM — SIG Ville (ANCT/ONPV)",
                                                               editions.edition.tolist(), "2015"),
                 key="tbl_editions")
st.caption("Aucun indicateur INSEE n'est encore publié ici pour la géographie 2024 : les quartiers 2024 sont "
           "présentés avec leur quartier 2015 correspondant (table de passage), avec cette réserve.")

st.markdown("**Sources**")
blocks.table(wh["sources"], "observatoire-sources", "Source : catalogue des sources de l'observatoire "
             "(catalogue/sources.yaml) — Observatoire des contrats de ville", key="tbl_sources")

last = wh["last_load"]
if len(last) and pd.notna(last["last"].iloc[0]):
    r = last.iloc[0]
    st.caption(f"Dernier chargement de l'entrepôt : {frformat.fmt_date(r['last'])} à "
               f"{pd.Timestamp(r['last']).strftime('%H:%M')} — {frformat.fmt_int(r.files)} fichiers, "
               f"{frformat.fmt_int(r.rows)} lignes, {frformat.fmt_int(r.warnings or 0)} avertissements.")
