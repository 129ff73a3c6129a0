"""Référentiel d'évaluation: enjeu → objectif stratégique → objectif opérationnel → actions, engagements and
indicators, with how far it is filled in (baseline, target, current value).

Data from indicators.referentiel (catalogue indicators read their current value from the warehouse);
figures from charts.contract; editors fill baselines, targets and values through contract.store.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import contract as ch
from contract import store
from presentation.sources import source_line
from indicators import programmation as prog
from indicators import referentiel as ref
from observatoire import db, frformat, vocabulary
from ui import auth, blocks, common, demo
from presentation import text

with demo.contract_page("Référentiel d'évaluation", "Des enjeux du contrat aux indicateurs : ce qui est suivi, par qui, "
                        "avec quelle valeur de départ et quelle cible.") as (sc, contrat, _user):
    con = None
    try:
        con = db.cursor(common.connection())   # a cursor per run: connections are not shared between threads
    except common.WarehouseMissing:
        pass
    tree = ref.tree(sc, contrat, con)
    if not tree:
        demo.empty_state(
            "referentiel", sc, contrat,
            "Cette page montrera l'arbre d'évaluation du contrat — enjeux, objectifs, actions et indicateurs suivis, "
            "avec leur valeur de départ, leur cible et leur dernière valeur — dès qu'il aura été décrit.",
            "**Comment l'alimenter :** téléchargez le modèle (une ligne par indicateur : enjeu, objectif stratégique, "
            "objectif opérationnel, indicateur, référence, cible ; une feuille *Notice* explique chaque colonne), "
            "remplissez-le, puis déposez-le ci-dessous. Le fichier est d'abord **vérifié** (erreurs avec ligne et "
            "colonne, aperçu), puis enregistré en une fois. En ligne de commande : "
            f"`python -m loaders import referentiel FICHIER --contrat {contrat}`.")
    is_demo = prog.is_demo(sc, contrat, "ref_noeud")
    demo.banner(is_demo, "Le référentiel, ses cibles et ses valeurs saisies")
    inds = ref.indicators(sc, contrat, con)
    progress = ref.progress(sc, contrat, con)
    producer = ["Jeu de démonstration de l'observatoire"] if is_demo else ["Référentiel saisi par l'équipe du contrat"]
    src = source_line(producer + (["INSEE / SIG Ville (valeurs de l'entrepôt)"] if inds["origine_courante"].eq("entrepôt").any() else []),
                      demo=is_demo)

    total = progress[progress["enjeu_code"] == ""].iloc[0]
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("Indicateurs", frformat.fmt_int(total["n_indicateurs"]))
    k2.metric("avec valeur de référence", frformat.fmt_int(total["avec_reference"]))
    k3.metric("avec cible", frformat.fmt_int(total["avec_cible"]))
    k4.metric("complets (référence, cible, valeur)", frformat.fmt_number(total["taux_complet"], 0, "%"))

    blocks.chart(ch.referentiel_fill(progress, source_line=src, demo=is_demo), "referentiel-remplissage", src,
                 key="ref_fill")
    blocks.chart(ch.referentiel_sunburst(tree, source_line=src, demo=is_demo), "referentiel-arbre", src, key="ref_sun")

    common.note("Pour un indicateur du catalogue, la valeur actuelle est lue dans l'entrepôt (dernier millésime). "
                "Les quartiers de la géographie 2024 n'ont pas encore d'indicateurs INSEE : leur valeur est "
                "« non disponible » tant que l'INSEE ne les a pas publiés ; le quartier 2015 correspondant en donne "
                "une lecture approchée.")

    def _num(v, unit) -> str:
        dec = 0 if float(v).is_integer() else 1
        return text.value_text(float(v), "ok", unit, decimals=dec)

    def _value(v, status, unit):
        if status not in ("ok", "bruite") or v is None or pd.isna(v):
            return vocabulary.status_label(status)
        return _num(v, unit)

    def _with_year(v, y, unit) -> str:
        if v is None or pd.isna(v):
            return "—"
        return _num(v, unit) + (f" ({int(y)})" if y is not None and pd.notna(y) else "")

    def _ind_table(rows: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            "Code": rows["code"], "Indicateur": rows["libelle"], "Source": rows["source"], "Responsable": rows["responsable"],
            "Référence": [_with_year(v, y, u) for v, y, u in zip(rows["valeur_reference"], rows["annee_reference"], rows["unite"])],
            "Cible": [_with_year(v, y, u) for v, y, u in zip(rows["valeur_cible"], rows["annee_cible"], rows["unite"])],
            "Valeur actuelle": [_value(v, s, u) for v, s, u in zip(rows["valeur_courante"], rows["statut_courant"], rows["unite"])],
            "Origine": [("entrepôt, " + str(int(e))) if o == "entrepôt" and pd.notna(e) else (o if isinstance(o, str) else "—")
                        for o, e in zip(rows["origine_courante"], rows["edition_courante"])],
            "Avancement vers la cible": [frformat.fmt_number(a, 0, "%") if a is not None and pd.notna(a) else "—"
                                         for a in rows["avancement"]],
        })

    st.subheader("L'arbre du référentiel")
    for enjeu in tree:
        f = enjeu["fill"]
        head = (f"{enjeu['code']} — {enjeu['libelle']} · {enjeu['total_actions']} actions, "
                f"{enjeu['total_engagements']} engagements · {f['complets']}/{f['n_indicateurs']} indicateurs complets")
        with st.expander(head, expanded=False):
            own = inds[inds["noeud_code"] == enjeu["code"]]
            if not own.empty:
                st.markdown("**Indicateurs de l'enjeu**")
                st.dataframe(_ind_table(own), hide_index=True, width="stretch")
            for os_ in enjeu["children"]:
                st.markdown(f"**{common.md_escape(os_['code'])} {common.md_escape(os_['libelle'])}** "
                            f"({os_['niveau_label'].lower()})")
                rows = inds[inds["noeud_code"] == os_["code"]]
                if not rows.empty:
                    st.dataframe(_ind_table(rows), hide_index=True, width="stretch")
                for oo in os_["children"]:
                    links = ref.links(sc, oo["id"])
                    txt = "; ".join(text.md_text(f"{t} {r}") for t, r in zip(links["type"], links["reference"])) or "aucune"
                    st.markdown(f"- {text.md_text(oo['code'])} {text.md_text(oo['libelle'])} — {oo['n_actions']} action(s), "
                                f"{oo['n_engagements']} engagement(s) : <span style='color:#555'>{txt}</span>",
                                unsafe_allow_html=True)

    st.subheader("Tous les indicateurs")
    blocks.table(_ind_table(inds).assign(Enjeu=inds["enjeu_code"].values), "referentiel-indicateurs", src,
                 key="ref_all")

    if auth.is_editor(contrat):
        with st.expander("Renseigner les valeurs (référence, cible, valeur actuelle, responsable)", icon=":material/edit:"):
            cols = ["code", "libelle", "responsable", "valeur_reference", "annee_reference", "valeur_cible",
                    "annee_cible", "valeur_actuelle", "date_actuelle"]
            full = store.editable_rows(sc, "ref_indicateur", cols, contrat=contrat, order="code")
            demo.edit_table(f"edit_ref_{contrat}", full, "ref_indicateur", cols, label="modification(s)", column_config={
                "code": st.column_config.TextColumn("Code", disabled=True),
                "libelle": st.column_config.TextColumn("Indicateur", width="large"),
                "annee_reference": st.column_config.NumberColumn("Année réf.", format="%d"),
                "annee_cible": st.column_config.NumberColumn("Année cible", format="%d"),
                "date_actuelle": st.column_config.DateColumn("Date de la valeur", format="DD/MM/YYYY")})

    with st.expander("Importer le référentiel (XLSX ou CSV)", icon=":material/upload_file:"):
        st.markdown("Une ligne par indicateur (« Enjeu », « Objectif stratégique », « Objectif opérationnel », "
                    "« Indicateur », « Valeur de référence », « Valeur cible »…). Un référentiel déjà importé se met "
                    "à jour avec `--remplacer` en ligne de commande : "
                    f"`python -m loaders import referentiel FICHIER --contrat {contrat} --remplacer`.")
        demo.import_panel("referentiel", contrat, demo.template_context(sc, contrat))
