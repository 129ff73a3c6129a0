"""Carte: one curated indicator over every quartier of a generation, offline (no tile server).

Classes are computed on ALL quartiers of the generation (so colours compare across zones); the zone
only frames the view and trims what is sent to the browser. Every quartier with a real contour is drawn
as a polygon at every zoom (the national view uses the coarser national-view geometry). 2024 quartiers
carry their 2015 predecessors' values (indicators.predecessors), marked « ≈ » and said in legend and
hover. `?quartier=CODE` (the fiche's « Voir sur la carte ») frames the map on that quartier; every choice
that changes what is drawn is in the URL (ui/state).
"""
from __future__ import annotations

import streamlit as st

from charts import classify, maps
from presentation import map as view, text
from ui import blocks, catalog, common, mapdata, state

common.page_setup("Carte des quartiers")

CLASS_COUNTS = [4, 5, 6]

# --------------------------------------------------------------------------- the quartier asked in the URL
focus, focus_gen, focus_dep = None, None, None
asked = st.query_params.get("quartier")
if asked:
    found = common.run(view.focus_view, asked)
    if found.error:
        st.error(found.error)
    else:
        focus, focus_gen, focus_dep = found.code, found.generation, found.departement
        # A newly asked quartier sets its generation and its département's zone once; the user may change them.
        if st.session_state.get("_carte_focus") != focus:
            st.session_state["_carte_focus"] = focus
            state.set(generation=focus_gen, zone=f"D{focus_dep}" if isinstance(focus_dep, str) else "FR")

# --------------------------------------------------------------------------- controls
inds = catalog.indicator_list()
if inds.empty:
    st.warning("Le catalogue d'indicateurs est vide : reconstruisez l'entrepôt.")
    st.stop()
ind_ids = inds.indicator_id.tolist()
labels = dict(zip(inds.indicator_id, inds.picker_label))

c1, c2, c3 = st.columns([1.1, 2.6, 1])
generation = state.selectbox("Géographie prioritaire", ["2015", "2024"], "generation",
                             format_func=view.GEN_LABELS.get, container=c1)
if focus and generation != focus_gen:   # the quartier is not on this generation's map
    state.set(quartier=None)
    focus = None
default_ind = "tx_pauvrete" if "tx_pauvrete" in ind_ids else ind_ids[0]
# Another indicator has other millésimes: a user's change of indicator shows its latest one (the
# previous indicator's year is not kept just because the new one also has it).
ind_id = state.selectbox("Indicateur", ind_ids, "indicateur", format_func=labels.get, default=default_ind,
                         container=c2, on_change=lambda: state.set(millesime=None))
ind = catalog.indicator(ind_id)
# 2024 values are their 2015 predecessors': same editions.
editions = catalog.indicator_editions(ind_id, "2015")
if not editions:
    st.warning("Aucune valeur publiée pour cet indicateur.")
    st.stop()
edition = state.selectbox("Millésime", editions[::-1], "millesime", cast=int, container=c3)

zones = common.run(view.zone_choices, generation)

c4, c5, c6 = st.columns([2.2, 1.3, 1])
zone = state.selectbox("Zone affichée", list(zones), "zone", format_func=zones.get, container=c4)
method = state.radio("Classes", list(classify.METHODS), "methode", format_func=classify.METHODS.get,
                     horizontal=True, container=c5, key="map_method")
k = state.selectbox("Nombre de classes", CLASS_COUNTS, "classes", cast=int, default=5, container=c6, key="map_k")
if focus:
    c7, _ = st.columns([1.2, 3])
    if c7.button("Voir toute la zone", icon=":material/zoom_out_map:",
                 help="La carte est centrée sur le quartier demandé dans l'adresse ; ce bouton la recadre sur la zone."):
        state.set(quartier=None)
        st.rerun()


# --------------------------------------------------------------------------- the map (cached per choice)
def _build(con, generation: str, ind_id: str, edition: int, zone: str, method: str, k: int,
           focus: str | None) -> dict:
    """The view and the figure, drawn once per warehouse and combination of choices and shared by every
    session (common.shared_large: nothing here is changed afterwards)."""
    mv = view.map_view(con, generation, ind_id, int(edition), zone, focus)
    classes = common.memo(classify.breaks, mv.national, int(k), method)
    shapes = mapdata.quartier_shapes(generation, mv.detail)
    epci = mapdata.outlines("epci", mapdata.epci_in(*mv.epci_zone)) if mv.epci_zone else None
    fig, n_contours = maps.carte(mv, shapes["contours"], shapes["points"], classes,
                                 departements=mapdata.outlines("departement"), regions=mapdata.outlines("region"),
                                 epci=epci)
    return {"fig": blocks.drawn(fig), "view": mv, "classes": classes, "n_contours": n_contours}


built = common.shared_large(_build, generation, ind_id, int(edition), zone, method, int(k), focus)
fig = built["fig"]
mv, classes = built["view"], built["classes"]
src = mv.source_line
st.markdown(mv.summary(built["n_contours"]))
if mv.note_2024:
    common.note(mv.note_2024)

event = blocks.chart(fig, f"carte-{ind_id}-{edition}-{generation}", src, key="carte_map",
                     on_select="rerun", selection_mode=("points", "box"), export_width=1100,
                     export_height=800)
common.how_to_read(mv.how_to_read(classes.title if classes else None, ind["definition"]))

# --------------------------------------------------------------------------- selection -> fiche / comparer
picked: list[str] = []
if event and getattr(event, "selection", None):
    for p in event.selection.get("points", []):
        cd = p.get("customdata")
        if isinstance(cd, (list, tuple)) and cd:
            picked.append(str(cd[0]))
        elif "curve_number" in p and "point_index" in p:
            tr = fig.figure.data[p["curve_number"]]
            if tr.customdata is not None and p["point_index"] < len(tr.customdata):
                picked.append(str(tr.customdata[p["point_index"]][0]))
picked = list(dict.fromkeys(picked))
if len(picked) == 1 and st.session_state.get("_map_opened") != picked[0]:
    st.session_state["_map_opened"] = picked[0]
    st.switch_page("pages/fiche.py", query_params={"quartier": picked[0]})
elif len(picked) > 1:
    st.page_link("pages/comparer.py", label=f"Comparer les {text.count_text(min(len(picked), 8))} quartiers sélectionnés",
                 icon=":material/compare_arrows:", query_params={"selection": ",".join(picked[:8])})

# --------------------------------------------------------------------------- table
with st.expander(mv.table_title):
    blocks.table(mv.table, f"carte-{ind_id}-{edition}-{generation}-tableau", src, key="tbl_carte")
