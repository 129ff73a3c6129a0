"""Localiser: is each point of a file (or typed coordinates) in a quartier prioritaire? Indicative answer,
computed in memory on the warehouse's contours; nothing uploaded is stored. Engine: indicators.localiser
(same function as `python -m indicators localiser`); map: charts.localiser.
"""
from __future__ import annotations

import hashlib

import streamlit as st

from charts import localiser as chart
from observatoire import settings
from presentation import localiser as view, text
from readers import geocode
from readers.errors import InputError
from ui import blocks, common, mapdata

common.page_setup("Localiser", "Ces personnes, ces adresses habitent-elles en quartier prioritaire ? Réponse "
                  "ligne à ligne pour un fichier de coordonnées ou d'adresses géocodées.")


contours = mapdata.lookup_contours()
st.warning("**Résultat indicatif, il ne vaut pas attestation** de résidence en quartier prioritaire. Les lignes "
           "« à vérifier » (près d'une limite, adresse imprécise) se vérifient une à une auprès du service "
           "officiel de l'ANCT (sig.ville.gouv.fr).", icon=":material/info:")
common.note(text.html_fragment(
    "<b>Rien n'est conservé.</b> Le fichier est lu en mémoire le temps du calcul, sur cet ordinateur ; "
    "il n'est ni enregistré ni envoyé sur internet{}, et il est oublié à la fermeture de la page. "
    "Contours utilisés : {}.",
    " (sauf si vous demandez le géocodage en ligne d'un fichier d'adresses)" if settings.geocoder_url() else "",
    view.coverage_text(contours)))


def _result(located, basename: str) -> None:
    """Counts, map, table and download of one answered file."""
    res = view.result_view(located, contours)
    cols = st.columns(len(res.metrics))
    for col, (label, value) in zip(cols, res.metrics):
        col.metric(label, value)
    st.markdown(res.summary)
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(common.fr_styler(res.statuses, {"Lignes": 0}), hide_index=True, width="stretch")
    with right:
        st.download_button("Télécharger le résultat (CSV)", data=view.result_csv(located),
                           file_name=f"{basename}_en_qpv.csv", mime="text/csv", icon=":material/download:",
                           type="primary", key=f"dl_{basename}", on_click="ignore")
        st.caption(view.RESULT_COLUMNS_TEXT)
    if res.map_caption:
        st.caption(res.map_caption)
    fig = chart.lookup_map(res.map_points, view.contours_near(contours, res.map_points), source_line=res.source_line,
                           outlines=mapdata.outlines("departement"))
    blocks.chart(fig, f"{basename}-carte", res.source_line, key=f"map_{basename}", downloads_=False)
    only = st.toggle("Seulement les lignes à vérifier", key=f"only_{basename}")
    if res.table_caption:
        st.caption(res.table_caption)
    st.dataframe(res.table_to_check if only else res.table, hide_index=True, width="stretch", key=f"tab_{basename}")


def _located(slot: str, key: str, build):
    """The last answered input of a tab, kept for the reruns of this session only (toggles, downloads), in
    memory: a new file or new text replaces it."""
    memo = st.session_state.get(f"_loc_{slot}")
    if memo is None or memo[0] != key:
        memo = (key, build())
        st.session_state[f"_loc_{slot}"] = memo
    return memo[1]


tab_file, tab_typed = st.tabs(["Déposer un fichier", "Saisir des coordonnées"])
with tab_file:
    st.markdown(
        "Un fichier **CSV** (séparateur « ; » ou « , », virgule ou point décimal) ou **XLSX**, une ligne par "
        "personne ou par adresse, avec des colonnes **latitude** et **longitude** (WGS84), ou **x** et **y** "
        "(Lambert-93). Le résultat du **géocodeur CSV de la Base Adresse Nationale** ([adresse.data.gouv.fr/csv]"
        "(https://adresse.data.gouv.fr/csv)) est accepté tel quel : une adresse dont le score est inférieur à "
        f"{text.cell_text(view.MIN_SCORE)} n'est pas localisée (jamais devinée).")
    up = st.file_uploader("Fichier de points (CSV ou XLSX)", type=["csv", "txt", "xlsx"], key="loc_upload")
    if up is not None:
        data = up.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        try:
            located = _located("file", digest, lambda: view.localise_file(contours, up.name, data=data))
        except view.NoCoordinates as exc:
            url = settings.geocoder_url()
            done = bool(url) and st.session_state.get("_loc_file", ("",))[0] == digest + "-ban"  # kept on reruns
            if done:
                st.info(f"Adresses sans coordonnées, géocodées en ligne par {text.md_text(url)}.",
                        icon=":material/public:")
            else:
                st.error("Pas de coordonnées dans ce fichier.\n\n"
                         + "\n\n".join(text.md_text(line) for line in exc.message.splitlines() if line.strip()),
                         icon=":material/location_off:")
            if url:
                if not done:
                    st.caption(f"Géocodage en ligne configuré : {text.md_text(url)}. Les adresses du fichier lui "
                               "seront envoyées.")
                if done or st.button("Géocoder en ligne puis localiser", key="loc_geocode"):
                    try:
                        located = _located("file", digest + "-ban", lambda: view.localise_file(
                            contours, up.name.rsplit(".", 1)[0] + "_geocode.csv",
                            data=geocode.geocode_csv(up.name, url, data=data)))
                        _result(located, "fichier")
                    except (geocode.GeocoderUnavailable, InputError) as err:
                        st.error(text.md_text(str(err)))
        except InputError as exc:
            st.error(f"Fichier illisible, rien n'a été calculé.\n\n```\n{exc}\n```")
        else:
            _result(located, "fichier")

with tab_typed:
    typed = st.text_area("Une ligne par point : latitude ; longitude", key="loc_typed", height=140,
                         placeholder="43,2965 ; 5,3698\n48.8566, 2.3522")
    if typed.strip():
        located = _located("typed", typed, lambda: view.localise_typed(contours, typed))
        _result(located, "saisie")

common.how_to_read(text.html_fragment(
    "<b>oui</b> : le point est dans le contour d'un quartier prioritaire 2024 (code et nom donnés). <b>non</b> : il "
    "n'est dans aucun, et l'entrepôt a le contour de chaque quartier 2024 de son département. <b>indéterminé</b> : "
    "il n'est dans aucun contour connu, mais des quartiers de son département n'ont pas encore de contour dans "
    "l'entrepôt. <b>non géolocalisée</b> : coordonnées manquantes, illisibles, hors de France, inversées "
    "(signalées, jamais corrigées d'office) ou adresse mal géocodée. La distance est mesurée jusqu'à la limite "
    f"de quartier la plus proche ; sous {text.count_text(view.BOUNDARY_MARGIN_M)} m la ligne est « à "
    "vérifier ». Le quartier 2015 est donné là où l'entrepôt a un contour 2015."))
