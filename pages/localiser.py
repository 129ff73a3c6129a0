"""Localiser: is each point of a file (or typed coordinates) in a quartier prioritaire? Indicative answer,
computed in memory on the warehouse's contours; nothing uploaded is stored. Engine: indicators.localiser
(same function as `python -m indicators localiser`); map: charts.localiser.
"""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from charts import localiser as chart
from presentation.sources import source_line
from indicators import localiser
from observatoire import settings, vocabulary
from presentation import text
from readers import geocode, points
from readers.errors import InputError
from ui import blocks, common, mapdata

MAP_MAX_POINTS = 5000     # beyond this, the map shows an even sample (the result file has every row)
TABLE_MAX_ROWS = 1000

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
    contours.coverage_text()))


def _result(located: localiser.Located, basename: str) -> None:
    """Counts, map, table and download of one answered file."""
    counts = located.answer_counts()
    cols = st.columns(len(counts))
    for col, (code, n) in zip(cols, counts.items()):
        col.metric(f"En QPV : {vocabulary.label('qpv_answers', code)}", text.count_text(n))
    statuses = pd.DataFrame({"Statut de la ligne": [vocabulary.label("locate_statuses", s)
                                                    for s in located.status_counts()],
                             "Lignes": list(located.status_counts().values())})
    n_check = int((located.frame["a_verifier"] == "oui").sum())
    st.markdown(f"**{text.count_text(len(located.frame))}** ligne(s) lue(s) dans "
                f"« {common.md_escape(located.source.name)} », dont **{text.count_text(n_check)}** à vérifier.")
    src = source_line(contours.producers, None, "2024",
                      note="contours : " + ", ".join(contours.files) + " ; points : votre fichier, non conservé")
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(common.fr_styler(statuses, {"Lignes": 0}), hide_index=True, width="stretch")
    with right:
        st.download_button("Télécharger le résultat (CSV)", data=localiser.to_csv_bytes(located),
                           file_name=f"{basename}_en_qpv.csv", mime="text/csv", icon=":material/download:",
                           type="primary", key=f"dl_{basename}", on_click="ignore")
        st.caption("Toutes les lignes du fichier, dans le même ordre, avec les colonnes en_qpv, code_qpv, nom_qpv, "
                   "code_qp2015, nom_qp2015, distance_limite_qpv_m, a_verifier, statut et motif.")
    _map(located, src, basename)
    only = st.toggle("Seulement les lignes à vérifier", key=f"only_{basename}")
    shown = located.frame.assign(ligne=located.source.lines)
    if only:
        shown = shown[shown["a_verifier"] == "oui"]
    shown = shown[["ligne"] + [c for c in shown.columns if c != "ligne"]].head(TABLE_MAX_ROWS)
    if len(located.frame) > TABLE_MAX_ROWS:
        st.caption(f"{text.count_text(TABLE_MAX_ROWS)} premières lignes : le fichier résultat les contient toutes.")
    shown = shown.map(text.cell_text).assign(distance_limite_qpv_m=[
        text.count_text(int(d)) if d else text.DASH for d in shown["distance_limite_qpv_m"]])
    st.dataframe(shown, hide_index=True, width="stretch", key=f"tab_{basename}")


def _map(located: localiser.Located, src: str, basename: str) -> None:
    """The located points over the nearby 2024 contours (an even sample beyond MAP_MAX_POINTS)."""
    pts = pd.DataFrame({"lon": located.lon, "lat": located.lat, "answer": located.answer,
                        "ligne": located.source.lines, "code": located.frame["code_qpv"],
                        "nom": located.frame["nom_qpv"], "distance": located.frame["distance_limite_qpv_m"]})
    pts = pts[pts["lon"].notna()]
    if len(pts) > MAP_MAX_POINTS:
        st.caption(f"Carte : {text.count_text(MAP_MAX_POINTS)} points tirés au hasard sur "
                   f"{text.count_text(len(pts))} localisés (le fichier résultat contient toutes les lignes).")
        pts = pts.sample(MAP_MAX_POINTS, random_state=15)
    pts["hover"] = [f"ligne {r.ligne} — en QPV : {vocabulary.label('qpv_answers', r.answer)}"
                    + (f"<br>{r.nom} ({r.code})" if r.code else "")
                    + (f"<br>à {text.count_text(int(r.distance))} m de la limite d'un quartier" if r.distance else "")
                    for r in pts.itertuples()]
    near = localiser.contours_near(contours, pts["lon"], pts["lat"])
    fig = chart.lookup_map(pts, near, source_line=src, outlines=mapdata.outlines("departement"))
    blocks.chart(fig, f"{basename}-carte", src, key=f"map_{basename}", downloads_=False)


def _located(slot: str, key: str, build) -> localiser.Located:
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
        f"{text.cell_text(localiser.MIN_SCORE)} n'est pas localisée (jamais devinée).")
    up = st.file_uploader("Fichier de points (CSV ou XLSX)", type=["csv", "txt", "xlsx"], key="loc_upload")
    if up is not None:
        data = up.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        try:
            located = _located("file", digest, lambda: localiser.localise_file(contours, up.name, data=data))
        except points.NoCoordinates as exc:
            url = settings.geocoder_url()
            done = bool(url) and st.session_state.get("_loc_file", ("",))[0] == digest + "-ban"  # kept on reruns
            if done:
                st.info(f"Adresses sans coordonnées, géocodées en ligne par {url}.", icon=":material/public:")
            else:
                st.error(f"Pas de coordonnées dans ce fichier.\n\n{exc.message}", icon=":material/location_off:")
            if url:
                if not done:
                    st.caption(f"Géocodage en ligne configuré : {url}. Les adresses du fichier lui seront envoyées.")
                if done or st.button("Géocoder en ligne puis localiser", key="loc_geocode"):
                    try:
                        located = _located("file", digest + "-ban", lambda: localiser.localise_file(
                            contours, up.name.rsplit(".", 1)[0] + "_geocode.csv",
                            data=geocode.geocode_csv(up.name, url, data=data)))
                        _result(located, "fichier")
                    except (geocode.GeocoderUnavailable, InputError) as err:
                        st.error(str(err))
        except InputError as exc:
            st.error(f"Fichier illisible, rien n'a été calculé.\n\n```\n{exc}\n```")
        else:
            _result(located, "fichier")

with tab_typed:
    typed = st.text_area("Une ligne par point : latitude ; longitude", key="loc_typed", height=140,
                         placeholder="43,2965 ; 5,3698\n48.8566, 2.3522")
    if typed.strip():
        located = _located("typed", typed, lambda: localiser.localise(contours, points.typed_points(typed)))
        _result(located, "saisie")

common.how_to_read(text.html_fragment(
    "<b>oui</b> : le point est dans le contour d'un quartier prioritaire 2024 (code et nom donnés). <b>non</b> : il "
    "n'est dans aucun, et l'entrepôt a le contour de chaque quartier 2024 de son département. <b>indéterminé</b> : "
    "il n'est dans aucun contour connu, mais des quartiers de son département n'ont pas encore de contour dans "
    "l'entrepôt. <b>non géolocalisée</b> : coordonnées manquantes, illisibles, hors de France, inversées "
    "(signalées, jamais corrigées d'office) ou adresse mal géocodée. La distance est mesurée jusqu'à la limite "
    f"de quartier la plus proche ; sous {text.count_text(localiser.BOUNDARY_MARGIN_M)} m la ligne est « à "
    "vérifier ». Le quartier 2015 est donné là où l'entrepôt a un contour 2015."))
