"""Carte: one curated indicator over every quartier of a generation, offline (no tile server).

Classes are computed on ALL quartiers of the generation (so colours compare across zones); the zone
only frames the view and trims what is sent to the browser.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts import classify, maps
from presentation.sources import source_line
from indicators import position, search
from observatoire import frformat, vocabulary
from ui import blocks, catalog, common, mapdata, state
from presentation import text

common.page_setup("Carte des quartiers")

GEN_LABELS = {"2015": "2015 (indicateurs INSEE)", "2024": "2024 (nouvelle géographie)"}
NATIONAL_MAX_POLYGONS = 400   # national view: beyond this many contours, dots only (payload ≤ 1.5 MB)
METHOD_LABELS = {"quantiles": "Quantiles", "jenks": "Seuils naturels (Jenks)"}

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
default_ind = "tx_pauvrete" if "tx_pauvrete" in ind_ids else ind_ids[0]
ind_id = state.selectbox("Indicateur", ind_ids, "indicateur", format_func=labels.get, default=default_ind,
                         container=c2)
ind = catalog.indicator(ind_id)
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
method = c5.radio("Classes", list(METHOD_LABELS), format_func=METHOD_LABELS.get, horizontal=True,
                  key="map_method")
k = c6.selectbox("Nombre de classes", [4, 5, 6], index=1, key="map_k")

use_crosswalk = False
if generation == "2024":
    use_crosswalk = state.toggle(
        "Montrer la valeur du quartier 2015 correspondant (table de passage 2015 → 2024)", "passage",
        help="Approximation : les périmètres ont changé ; la valeur est celle du quartier 2015 le plus proche.")

# --------------------------------------------------------------------------- the map (cached per choice)
def _build(con, generation: str, ind_id: str, edition: int, zone: str, method: str, k: int,
           use_crosswalk: bool, focus: str | None) -> dict:
    """Everything the map needs for one combination of choices, computed once per warehouse: values,
    hover texts, zone, geometry and the figure (as a dict: rebuilding it skips plotly's validation)."""
    ind = catalog.indicator(ind_id)
    directory = common.run(search.directory, generation)
    dep_names = common.run(search.names_by_cog, "departement")
    national = common.run(position.distribution, ind_id, int(edition), "2015")
    national = national[["code", "value", "status"] + [c for c in ("source_file", "source_variable")
                                                        if c in national.columns]]
    shown_mask = national.status.isin(vocabulary.shown_statuses()) & national.value.notna()
    classes = common.memo(classify.breaks, national.value[shown_mask].tolist(), int(k), method)

    unit = ind.get("unit")
    decimals = int(ind["decimals"])
    v = directory[["code", "name", "communes", "departement", "region"]].copy()
    if generation == "2015":
        v = v.merge(national, on="code", how="left")
        v["status"] = v.status.fillna("non_disponible")
        v["note"] = ""
    else:
        if use_crosswalk:
            cw = common.run(search.crosswalk)
            best = cw.sort_values(["code_2024", "confidence"], ascending=[True, False]).drop_duplicates("code_2024")
            v = v.merge(best.rename(columns={"code_2024": "code"}), on="code", how="left")
            v = v.merge(national.rename(columns={"code": "code_2015"}), on="code_2015", how="left")
            v["status"] = v.status.fillna("non_disponible")
            v["note"] = [f"valeur du quartier 2015 {c} (correspondance {round(100 * (s or 0))} %)"
                         if isinstance(c, str) else "pas de quartier 2015 correspondant"
                         for c, s in zip(v.code_2015, v.confidence)]
        else:
            v["value"] = None
            v["status"] = "non_disponible"
            v["note"] = "pas encore d'indicateurs INSEE pour la géographie 2024"
    v.loc[~v.status.isin(vocabulary.shown_statuses()), "value"] = None

    producer = catalog.producer(ind.get("source"))
    files = catalog.files(ind_id, int(edition))

    def _value_text(r) -> str:
        txt = text.value_text(r.value, r.status, unit, decimals)
        return f"{txt} — {r.note}" if r.note else txt

    v["value_text"] = [_value_text(r) for r in v.itertuples()]
    v["place_text"] = [", ".join(x for x in (r.communes if isinstance(r.communes, str) else "",
                                              f"{dep_names.get(r.departement, '')} ({r.departement})"
                                              if isinstance(r.departement, str) else "") if x)
                       for r in v.itertuples()]
    src_file = v.source_file if "source_file" in v.columns else pd.Series([None] * len(v))
    v["source_text"] = [f"{producer}, {f if isinstance(f, str) else ', '.join(files)} — millésime {edition}"
                        for f in src_file]

    # --------------------------------------------------------------------------- zone and geometry
    if zone.startswith("R"):
        in_zone = v.region == zone[1:]
    elif zone.startswith("D"):
        in_zone = v.departement == zone[1:]
    else:
        in_zone = pd.Series(True, index=v.index)
    vz = v[in_zone].reset_index(drop=True)

    shapes = mapdata.quartier_shapes(generation)
    contours = maps.subset(shapes["contours"], vz.code)
    points = shapes["points"][shapes["points"].code.isin(vz.code)]
    deps = mapdata.outlines("departement")
    regions = mapdata.outlines("region")
    if zone == "FR":
        # National view: mainland frame; overseas quartiers stay on the map (zoom out to see them).
        metro = vz[~vz.departement.fillna("").str.startswith("97")]
        view = maps.view_for(maps.bounds_of(maps.subset(contours, metro.code),
                                            points[points.code.isin(metro.code)]))
    else:
        view = maps.view_for(maps.bounds_of(contours, points))
    inner = None
    if zone != "FR":
        inner = mapdata.outlines("epci", mapdata.epci_in("departement" if zone.startswith("D") else "region", zone[1:]))
    highlight = [focus] if focus in set(vz.code) else None
    no_indicator = generation == "2024" and not use_crosswalk
    if no_indicator:
        no_value = "pas encore d'indicateurs INSEE pour la géographie 2024"
        src = source_line("ANCT — référentiel des QPV 2024 (contours Provence-Alpes-Côte d'Azur, communes)", None, "2024")
        map_label = "Quartiers prioritaires 2024"
    else:
        no_value = "secret, non disponible ou non publié"
        src = source_line(producer, edition, generation if not use_crosswalk else "2015 → 2024 (table de passage)",
                          note=f"fichier {', '.join(files)}" if files else None)
        map_label = ind["label"]
    fig = maps.quartier_map(
        vz, contours, points, None if no_indicator else classes,
        label=map_label, unit=None if no_indicator else unit, decimals=decimals,
        polarity=ind.get("polarity") or "neutral", source_line=src, outlines=deps, land=regions, inner=inner,
        view=view, no_value_label=no_value, highlight=highlight,
        max_polygons=NATIONAL_MAX_POLYGONS if zone == "FR" else None)

    return {"fig": fig.to_plotly_json(), "vz": vz, "classes": classes, "src": src, "no_indicator": no_indicator,
            "n_cont": len(contours["features"]), "unit": unit, "decimals": decimals}


built = common.run(_build, generation, ind_id, int(edition), zone, method, int(k), bool(use_crosswalk),
                   state.get("quartier"))
fig = go.Figure(built["fig"], _validate=False)
vz, classes, src, no_indicator = built["vz"], built["classes"], built["src"], built["no_indicator"]
unit, decimals = built["unit"], built["decimals"]
n_cont = built["n_cont"]
n_values = int(vz.value.notna().sum())
summary = (f"**{ind['label']}** — millésime {edition} — " if not no_indicator
           else "**Quartiers prioritaires 2024** — ")
summary += (f"{zones[zone]} : {frformat.fmt_int(len(vz))} quartiers, dont {frformat.fmt_int(n_cont)} avec contour "
            f"et {frformat.fmt_int(len(vz) - n_cont)} localisés par leur commune")
if not no_indicator:
    summary += f" ; {frformat.fmt_int(n_values)} avec une valeur publiée"
if zone == "FR":
    n_om = int(vz.departement.fillna("").str.startswith("97").sum())
    if n_om:
        summary += (f". Les {frformat.fmt_int(n_om)} quartiers d'outre-mer sont à leur place réelle, hors du cadre : "
                    "choisissez leur région dans « Zone affichée »")
st.markdown(summary + ".")
if generation == "2024" and not use_crosswalk:
    common.note("Géographie 2024 : <b>pas encore d'indicateurs INSEE pour la géographie 2024</b>. "
                "Les quartiers sont localisés (contours en Provence-Alpes-Côte d'Azur, ailleurs un cercle sur "
                "leur commune). Activez la table de passage pour voir, avec prudence, la valeur du quartier "
                "2015 correspondant.")
elif use_crosswalk:
    common.note("Approximation : chaque quartier 2024 reçoit la valeur de son quartier 2015 le plus proche "
                "(même commune, nom voisin). Les périmètres ayant changé, ces valeurs ne décrivent pas "
                "exactement les quartiers 2024.")

event = blocks.chart(fig, f"carte-{ind_id}-{edition}-{generation}", src, key="carte_map",
                     on_select="rerun", selection_mode=("points", "box"), export_width=1100,
                     export_height=800)
common.how_to_read(
    f"Chaque quartier est coloré selon sa classe ({classes.title.lower() if classes else 'aucune valeur'}, "
    f"calculées sur tous les quartiers de France, pas seulement la zone affichée). {ind['definition']} "
    f"Les quartiers dont le contour n'est pas disponible sont représentés par un cercle placé sur leur commune. "
    f"Cliquez sur un quartier pour ouvrir sa fiche ; sélectionnez-en plusieurs (outil rectangle) pour les comparer.")

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
    table = pd.DataFrame({"Code": vz.code, "Quartier": vz.name, "Commune(s)": vz.communes.fillna(""),
                          "Département": vz.departement, ind["label"]: vz.value,
                          "Statut": [vocabulary.status_label(s) for s in vz.status]})
    blocks.table(table.sort_values(ind["label"], ascending=False, na_position="last"),
                 f"carte-{ind_id}-{edition}-{generation}-tableau", src,
                 formats={ind["label"]: decimals}, key="tbl_carte")
