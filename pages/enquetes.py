"""Enquêtes habitants: the perception barometer per quartier and question (share favourable, n, 95 %
interval; hidden under the minimum n), evolution between waves, and selected verbatims.

Layout only: the view is presentation.enquetes (secret rules applied by indicators.enquetes); figures from
charts.contract. Editors moderate verbatims (publish or not) through contract.service.
"""
from __future__ import annotations

import streamlit as st

from charts import contract as ch
from presentation import enquetes as view_mod
from presentation import text
from ui import auth, blocks, common, demo

with demo.contract_page("Enquêtes habitants", "Ce que disent les habitants : baromètre de perception par quartier, "
                        "évolution entre deux vagues, paroles d'habitants choisies.") as (sc, contrat, _user):
    titles = demo.read(view_mod.surveys, contrat)
    if not titles:
        demo.empty_state(
            "enquete", sc, contrat,
            "Cette page montrera ce que disent les habitants : le baromètre de perception par quartier, "
            "l'évolution entre deux vagues d'enquête et des paroles d'habitants choisies (réponses pseudonymisées ; "
            f"aucun résultat n'est affiché sous {text.count_text(view_mod.minimum())} répondants).",
            "**Comment l'alimenter :** une ligne par répondant, une colonne par question (export Sphinx, "
            "LimeSurvey, Framaforms ou tableur), le quartier et la vague. Téléchargez le modèle (feuille *Notice*) "
            "ou déposez votre export : il est d'abord **vérifié** (erreurs avec ligne et colonne, aperçu), puis "
            f"enregistré en une fois. En ligne de commande : `python -m loaders import enquete FICHIER --contrat {contrat}`.")
    enquete_id = st.sidebar.selectbox("Enquête", list(titles), format_func=titles.get, key="enq_pick")
    waves = demo.read(view_mod.waves, enquete_id)
    wave = st.sidebar.selectbox("Vague", list(waves)[::-1], format_func=waves.get, key="enq_wave")
    v = demo.read(view_mod.view, contrat, enquete_id, wave)     # cached per saisie version
    demo.banner(v.is_demo, view_mod.DEMO_WHAT)
    src = v.source_line

    st.markdown(f"**{text.md_text(v.title)}** — {text.md_text(v.method)}. {text.md_text(v.intro_counts)}")
    common.how_to_read(text.html_fragment(
        "Pour chaque question, la <b>part de réponses favorables</b> (ex. « tout à fait » ou « plutôt d'accord ») parmi "
        "les répondants qui ont donné un avis (les « ne sait pas » sont exclus). L'<b>intervalle de confiance à 95 %</b> "
        "(méthode de Wilson) dit la marge d'incertitude due à la taille de l'échantillon. "
        "Sous <b>{} réponses</b> dans un quartier, la part n'est pas affichée (effectif insuffisant), et une "
        "seconde case est masquée quand l'ensemble permettrait de la retrouver. Ce sont des perceptions "
        "(résultats), à lire à côté des moyens et des actions.", text.count_text(v.minimum)))

    blocks.chart(blocks.figure(ch.barometer_heatmap, v.barometer, source_line=src, demo=v.is_demo, title=v.heat_title),
                 f"barometre-vague-{wave}", src, key="enq_heat")

    qcode = st.selectbox("Question", list(v.questions), format_func=v.questions.get, key="enq_q")
    q = demo.read(view_mod.question, enquete_id, v.barometer, qcode)
    st.caption(text.md_text(q.scale))
    blocks.chart(blocks.figure(ch.barometer_question, v.barometer, question_code=qcode, source_line=src, demo=v.is_demo),
                 f"question-{qcode}-vague-{wave}", src, key="enq_q_chart")
    blocks.table(q.table, f"question-{qcode}-vague-{wave}", src, key="enq_q_tab", export_df=q.export)

    if len(waves) >= 2:
        st.subheader("Évolution entre les deux dernières vagues")
        evo = demo.read(view_mod.evolution, contrat, enquete_id, qcode, v.is_demo, v.title)
        blocks.chart(blocks.figure(ch.evolution_dumbbell, evo.frame, question_code=qcode, source_line=evo.source_line, demo=v.is_demo),
                     f"evolution-{qcode}", evo.source_line, key="enq_evo")
        blocks.table(evo.table, f"evolution-{qcode}", evo.source_line, key="enq_evo_tab", formats={"Écart (points)": 1})
        st.caption("« Hausse nette » ou « baisse nette » quand les intervalles de confiance des deux vagues ne se "
                   "recouvrent pas ; sinon l'écart reste dans la marge d'incertitude.")

    st.subheader("Paroles d'habitants")
    verb = demo.read(view_mod.verbatims, contrat, enquete_id)
    if not verb:
        st.caption("Aucun verbatim publiable.")
    md = text.md_text    # user text: shown as typed, never interpreted
    for r in verb:
        st.markdown(f"> « {md(r['text'])} »\n>\n> — *{md(r['quartier'])}, {md(r['wave'])}"
                    + (f", à propos de : {md(r['question'])}" if r["question"] else "") + "*")
    st.caption("Seuls les verbatims marqués « publiable » sont affichés ; le quartier n'est nommé que s'il compte "
               f"au moins {text.count_text(v.minimum)} répondants dans la vague. Aucune réponse individuelle n'est montrée.")

    if auth.is_editor(contrat):
        with st.expander("Modérer les verbatims (publier ou non)", icon=":material/rate_review:"):
            allv = demo.editable_rows(sc, "verbatim", ["texte", "publiable"], enquete_id=enquete_id)
            demo.edit_table(f"edit_verb_{enquete_id}", allv, "verbatim", ["texte", "publiable"], label="verbatim(s)",
                            column_config={"texte": st.column_config.TextColumn("Verbatim", width="large"),
                                           "publiable": st.column_config.CheckboxColumn("Publiable")})

    with st.expander("Importer une vague d'enquête (XLSX ou CSV)", icon=":material/upload_file:"):
        st.markdown("Une ligne par répondant : « Quartier », « Date », puis une colonne par question (« Q1 - libellé »), "
                    "des colonnes « Commentaire… » pour les verbatims et « Publiable ». Aucune donnée personnelle "
                    "(nom, adresse, contact) : le fichier serait refusé. En ligne de commande : "
                    f"`python -m loaders import enquete FICHIER --contrat {contrat} --enquete \"Titre\" --vague N`.")
        demo.import_panel("enquete", contrat, demo.template_context(sc, contrat),
                          extra={"enquete": v.title, "vague": max(waves) + 1})
