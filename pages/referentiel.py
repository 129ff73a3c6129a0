"""Référentiel d'évaluation: enjeu → objectif stratégique → objectif opérationnel → actions, engagements and
indicators, with how far it is filled in (baseline, target, current value).

Layout only: the view is presentation.referentiel (catalogue indicators read their current value from the
warehouse); figures from charts.contract; editors fill baselines, targets and values through
contract.service.
"""
from __future__ import annotations

import streamlit as st

from charts import contract as ch
from presentation import referentiel as view_mod
from presentation import text
from ui import auth, blocks, common, demo

with demo.contract_page(text.capital(text.label("import_kinds", "referentiel")),
                        "Des enjeux du contrat aux indicateurs : ce qui est suivi, par qui, "
                        "avec quelle valeur de départ et quelle cible.") as (sc, contrat, _user):
    v = demo.read(view_mod.view, contrat, warehouse=True)     # cached until the saisie database changes
    if v.empty:
        demo.empty_state(
            "referentiel", sc, contrat,
            "Cette page montrera l'arbre d'évaluation du contrat — enjeux, objectifs, actions et indicateurs suivis, "
            "avec leur valeur de départ, leur cible et leur dernière valeur — dès qu'il aura été décrit.",
            "**Comment l'alimenter :** téléchargez le modèle (une ligne par indicateur : enjeu, objectif stratégique, "
            "objectif opérationnel, indicateur, référence, cible ; une feuille *Notice* explique chaque colonne), "
            "remplissez-le, puis déposez-le ci-dessous. Le fichier est d'abord **vérifié** (erreurs avec ligne et "
            "colonne, aperçu), puis enregistré en une fois. En ligne de commande : "
            f"`python -m loaders import referentiel FICHIER --contrat {contrat}`.")
    demo.banner(v.is_demo, view_mod.DEMO_WHAT)
    src = v.source_line

    for col, (label, value) in zip(st.columns(len(v.metrics)), v.metrics):
        col.metric(label, value)

    blocks.chart(blocks.figure(ch.referentiel_fill, v.progress, source_line=src, demo=v.is_demo), "referentiel-remplissage", src,
                 key="ref_fill")
    blocks.chart(blocks.figure(ch.referentiel_sunburst, v.tree, source_line=src, demo=v.is_demo), "referentiel-arbre", src,
                 key="ref_sun")

    common.note("Pour un indicateur du catalogue, la valeur actuelle est lue dans l'entrepôt (dernier millésime). "
                "Les quartiers de la géographie 2024 n'ont pas encore d'indicateurs INSEE : leur valeur est "
                "« non disponible » tant que l'INSEE ne les a pas publiés ; le quartier 2015 correspondant en donne "
                "une lecture approchée.")

    md = text.md_text    # labels typed by the team: shown as typed
    st.subheader("L'arbre du référentiel")
    for enjeu in v.enjeux:
        with st.expander(md(enjeu.head), expanded=False):      # an expander's label is Markdown
            if not enjeu.table.empty:
                st.markdown("**Indicateurs de l'enjeu**")
                st.dataframe(enjeu.table, hide_index=True, width="stretch")
            for o in enjeu.objectives:
                st.markdown(f"**{md(o.code)} {md(o.label)}** ({md(o.level)})")
                if not o.table.empty:
                    st.dataframe(o.table, hide_index=True, width="stretch")
                for oo in o.children:
                    links = "; ".join(md(link) for link in oo["links"]) or "aucune"
                    st.markdown(f"- {md(oo['code'])} {md(oo['label'])} — {md(oo['counts'])} : {links}")

    st.subheader("Tous les indicateurs")
    blocks.table(v.all_indicators, "referentiel-indicateurs", src, key="ref_all")

    if auth.is_editor(contrat):
        with st.expander("Renseigner les valeurs (référence, cible, valeur actuelle, responsable)", icon=":material/edit:"):
            cols = view_mod.EDIT_COLUMNS
            full = demo.editable_rows(sc, "ref_indicateur", cols, contrat=contrat, order="code")
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
