"""Carte: one curated indicator over every quartier of a generation, offline (no tile server).

Classes are computed on ALL quartiers of the generation (so colours compare across zones); the zone
only frames the view and trims what is sent to the browser. Every quartier with a real contour is drawn
as a polygon at every zoom (the national view uses the coarser national-view geometry). 2024 quartiers
carry their 2015 predecessors' values (indicators.predecessors), marked « ≈ » and said in legend and
hover. `?quartier=CODE` (the fiche's « Voir sur la carte ») frames the map on that quartier; every choice
that changes what is drawn is in the URL (ui/state).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts import classify, maps
from presentation.sources import source_line
from indicators import position, references, search
from observatoire import frformat, vocabulary
from ui import blocks, catalog, common, mapdata, state
from presentation import quartier as quartier_view, text

common.page_setup("Carte des quartiers")

GEN_LABELS = {"2015": "2015 (indicateurs INSEE)", "2024": "2024 (≈ valeurs 2015)"}
CLASS_COUNTS = [4, 5, 6]
APPROX_NOTE = ("≈ valeurs approchées : celles des quartiers 2015 correspondants (table de passage "
               "2015 → 2024), les périmètres ayant changé")
FOCUS_MAX_ZOOM = 14.0
FOCUS_FRAME_PX = (420, 380)   # the quartier fills this part of the 640×590 view: its surroundings stay visible

# --------------------------------------------------------------------------- the quartier asked in the URL
focus, focus_gen, focus_dep = None, None, None
asked = st.query_params.get("quartier")
if asked:
    code = references.normalise_code(asked)
    found = common.run(search.quartier_row, code)
    if found is None:
        st.error(f"Quartier inconnu : « {asked} » n'est le code d'aucun quartier prioritaire de l'entrepôt "
                 "(QP… pour la géographie 2015, QN… pour 2024). La carte n'est centrée sur aucun quartier.")
    else:
        focus, focus_gen, focus_dep = code, str(found["generation"]), found["departement"]
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
labels = {r.indicator_id: f"{vocabulary.theme_label(r.theme)} — {r.label}" for r in inds.itertuples()}

c1, c2, c3 = st.columns([1.1, 2.6, 1])
generation = state.selectbox("Géographie prioritaire", ["2015", "2024"], "generation",
                             format_func=GEN_LABELS.get, container=c1)
if focus and generation != focus_gen:   # the quartier is not on this generation's map
    state.set(quartier=None)
    focus = None
default_ind = "tx_pauvrete" if "tx_pauvrete" in ind_ids else ind_ids[0]
ind_id = state.selectbox("Indicateur", ind_ids, "indicateur", format_func=labels.get, default=default_ind,
                         container=c2)
ind = catalog.indicator(ind_id)
# 2024 values are their 2015 predecessors': same editions.
editions = catalog.indicator_editions(ind_id, "2015")
if not editions:
    st.warning("Aucune valeur publiée pour cet indicateur.")
    st.stop()
edition = state.selectbox("Millésime", editions[::-1], "millesime", cast=int, container=c3)

directory = common.run(search.directory, generation)
zones = {"FR": "France entière"}
dep_names = common.run(search.names_by_cog, "departement")
reg_names = common.run(search.names_by_cog, "region")
for reg in sorted(directory.region.dropna().unique(), key=lambda r: reg_names.get(r, r)):
    zones[f"R{reg}"] = f"Région : {reg_names.get(reg, reg)}"
for dep in sorted(directory.departement.dropna().unique()):
    zones[f"D{dep}"] = f"Département : {dep} {dep_names.get(dep, '')}"

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
    """Everything the map needs for one combination of choices, computed once per warehouse: values,
    hover texts, zone, geometry and the figure (as a dict: rebuilding it skips plotly's validation)."""
    ind = catalog.indicator(ind_id)
    directory = common.run(search.directory, generation)
    dep_names = common.run(search.names_by_cog, "departement")
    national = common.run(position.distribution, ind_id, int(edition), generation)
    national = national[["code", "value", "status", "approx_method"]]
    shown_mask = national.status.isin(vocabulary.shown_statuses()) & national.value.notna()
    classes = common.memo(classify.breaks, national.value[shown_mask].tolist(), int(k), method)

    unit = ind.get("unit")
    decimals = int(ind["decimals"])
    v = directory[["code", "name", "communes", "departement", "region"]].copy()
    v = v.merge(national, on="code", how="left")
    v["status"] = v.status.fillna("non_disponible")
    v.loc[~v.status.isin(vocabulary.shown_statuses()), "value"] = None
    if generation == "2024":
        notes = common.run(quartier_view.predecessor_notes)
        v["note"] = [notes.get(c, "pas de quartier 2015 correspondant : pas de valeur") for c in v.code]
    else:
        v["note"] = ""
    approx = v.approx_method.notna() if "approx_method" in v.columns else pd.Series(False, index=v.index)

    producer = catalog.producer(ind.get("source"))
    files = catalog.files(ind_id, int(edition))
    v["value_text"] = [
        text.value_text(r.value, r.status, unit, decimals, approx=bool(a)) + (f" — {r.note}" if r.note else "")
        for r, a in zip(v.itertuples(), approx)]
    v["place_text"] = [", ".join(x for x in (r.communes if isinstance(r.communes, str) else "",
                                              f"{dep_names.get(r.departement, '')} ({r.departement})"
                                              if isinstance(r.departement, str) else "") if x)
                       for r in v.itertuples()]
    origin = " (valeurs des quartiers 2015 correspondants)" if generation == "2024" else ""
    v["source_text"] = f"{producer}, {', '.join(files)} — millésime {edition}{origin}"

    # --------------------------------------------------------------------------- zone and geometry
    if zone.startswith("R"):
        in_zone = v.region == zone[1:]
    elif zone.startswith("D"):
        in_zone = v.departement == zone[1:]
    else:
        in_zone = pd.Series(True, index=v.index)
    vz = v[in_zone].reset_index(drop=True)

    shapes = mapdata.quartier_shapes(generation, "overview" if zone == "FR" else "display")
    contours = maps.subset(shapes["contours"], vz.code)
    points = shapes["points"][shapes["points"].code.isin(vz.code)]
    deps = mapdata.outlines("departement")
    regions = mapdata.outlines("region")
    if focus and focus in set(vz.code):
        view = maps.view_for(maps.bounds_of(maps.subset(contours, [focus]), points[points.code == focus]),
                             *FOCUS_FRAME_PX, max_zoom=FOCUS_MAX_ZOOM)
    elif zone == "FR":
        # National view: mainland frame; overseas quartiers stay on the map (zoom out to see them).
        metro = vz[~vz.departement.fillna("").str.match(r"9[78]")]
        view = maps.view_for(maps.bounds_of(maps.subset(contours, metro.code),
                                            points[points.code.isin(metro.code)]))
    else:
        view = maps.view_for(maps.bounds_of(contours, points))
    inner = None
    if zone != "FR":
        inner = mapdata.outlines("epci", mapdata.epci_in("departement" if zone.startswith("D") else "region", zone[1:]))
    highlight = [focus] if focus in set(vz.code) else None
    src = source_line(producer, edition, generation,
                      note=" ; ".join(x for x in ("valeurs des quartiers 2015 correspondants (table de passage "
                                                 "2015 → 2024)" if generation == "2024" else "",
                                                 f"fichier {', '.join(files)}" if files else "") if x) or None)
    fig = maps.quartier_map(
        vz, contours, points, classes, label=ind["label"], unit=unit, decimals=decimals,
        polarity=ind.get("polarity") or "neutral", source_line=src, outlines=deps, land=regions, inner=inner,
        view=view, no_value_label="secret, non disponible, non publié ou non transposable", highlight=highlight,
        legend_note=APPROX_NOTE if generation == "2024" else None, polygon_hover=zone != "FR")

    return {"fig": fig.to_plotly_json(), "vz": vz, "classes": classes, "src": src,
            "n_cont": len(contours["features"]), "unit": unit, "decimals": decimals}


built = common.run(_build, generation, ind_id, int(edition), zone, method, int(k), focus)
fig = go.Figure(built["fig"], _validate=False)
vz, classes, src = built["vz"], built["classes"], built["src"]
unit, decimals = built["unit"], built["decimals"]
n_cont = built["n_cont"]
n_values = int(vz.value.notna().sum())
summary = (f"**{ind['label']}** — millésime {edition} — {zones[zone]} : {frformat.fmt_int(len(vz))} quartiers, "
           f"dont {frformat.fmt_int(n_cont)} avec leur contour réel et {frformat.fmt_int(len(vz) - n_cont)} localisés "
           f"par leur commune ; {frformat.fmt_int(n_values)} avec une valeur"
           + (" (≈ approchée)" if generation == "2024" else " publiée"))
if focus:
    name = vz.loc[vz.code == focus, "name"]
    summary += f". Carte centrée sur **{name.iloc[0] if len(name) else focus}** ({focus})"
if zone == "FR":
    n_om = int(vz.departement.fillna("").str.match(r"9[78]").sum())
    if n_om:
        summary += (f". Les {frformat.fmt_int(n_om)} quartiers d'outre-mer sont à leur place réelle, hors du cadre : "
                    "choisissez leur région dans « Zone affichée »")
st.markdown(summary + ".")
if generation == "2024":
    common.note(text.html_fragment(
                "Géographie 2024 : <b>pas encore d'indicateurs INSEE pour la géographie 2024</b>. Chaque quartier "
                "2024 reçoit, marquée « ≈ », la valeur de son quartier 2015 correspondant (table de passage : "
                "recouvrement des contours, sinon même commune et nom proche) ; s'il en a plusieurs, leur somme ou "
                "leur moyenne pondérée quand l'indicateur s'y prête, sinon aucune valeur (« non transposable »). "
                "Les périmètres ayant changé, ces valeurs ne décrivent qu'approximativement les quartiers 2024."))

event = blocks.chart(fig, f"carte-{ind_id}-{edition}-{generation}", src, key="carte_map",
                     on_select="rerun", selection_mode=("points", "box"), export_width=1100,
                     export_height=800)
common.how_to_read(
    f"Chaque quartier est coloré selon sa classe ({classes.title.lower() if classes else 'aucune valeur'}, "
    f"calculées sur tous les quartiers de France, pas seulement la zone affichée). {ind['definition']} "
    f"Les quartiers sont dessinés avec leur contour réel ; à l'échelle nationale, un point marque aussi chaque "
    f"contour, trop petit pour être vu. Les quartiers dont le contour n'est pas disponible sont représentés par un "
    f"cercle placé sur leur commune. Cliquez sur un quartier pour ouvrir sa fiche ; sélectionnez-en plusieurs "
    f"(outil rectangle) pour les comparer.")

# --------------------------------------------------------------------------- selection -> fiche / comparer
picked: list[str] = []
if event and getattr(event, "selection", None):
    for p in event.selection.get("points", []):
        cd = p.get("customdata")
        if isinstance(cd, (list, tuple)) and cd:
            picked.append(str(cd[0]))
        elif "curve_number" in p and "point_index" in p:
            tr = fig.data[p["curve_number"]]
            if tr.customdata is not None and p["point_index"] < len(tr.customdata):
                picked.append(str(tr.customdata[p["point_index"]][0]))
picked = list(dict.fromkeys(picked))
if len(picked) == 1 and st.session_state.get("_map_opened") != picked[0]:
    st.session_state["_map_opened"] = picked[0]
    st.switch_page("pages/fiche.py", query_params={"quartier": picked[0]})
elif len(picked) > 1:
    st.page_link("pages/comparer.py", label=f"Comparer les {min(len(picked), 8)} quartiers sélectionnés",
                 icon=":material/compare_arrows:", query_params={"selection": ",".join(picked[:8])})

# --------------------------------------------------------------------------- table
with st.expander(f"Tableau des {len(vz)} quartiers affichés"):
    cols = {"Code": vz.code, "Quartier": vz.name, "Commune(s)": vz.communes.fillna(""),
            "Département": vz.departement, ind["label"]: vz.value,
            "Statut": [vocabulary.status_label(s) for s in vz.status]}
    if generation == "2024":
        cols["Valeur ≈ venant de"] = vz.note
    table = pd.DataFrame(cols)
    blocks.table(table.sort_values(ind["label"], ascending=False, na_position="last"),
                 f"carte-{ind_id}-{edition}-{generation}-tableau", src,
                 formats={ind["label"]: decimals}, key="tbl_carte")
