"""Enquêtes habitants: the perception barometer per quartier and question (share favourable, n, 95 %
interval; hidden under the minimum n), evolution between waves, and selected verbatims.

Data from indicators.enquetes (secret rules applied there); figures from charts.contract. Editors may
moderate verbatims (publish or not) through contract.store.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import contract as ch
from contract import store
from presentation.sources import source_line
from indicators import enquetes as enq
from indicators import secret
from observatoire import frformat, vocabulary
from ui import auth, blocks, common, demo

with demo.contract_page("Enquêtes habitants", "Ce que disent les habitants : baromètre de perception par quartier, "
                        "évolution entre deux vagues, paroles d'habitants choisies.") as (sc, contrat, _user):
    surveys = enq.enquetes(sc, contrat)
    if surveys.empty:
        demo.empty_state(
            "enquete", sc, contrat,
            "Cette page montrera ce que disent les habitants : le baromètre de perception par quartier, "
            "l'évolution entre deux vagues d'enquête et des paroles d'habitants choisies (réponses pseudonymisées ; "
            f"aucun résultat n'est affiché sous {secret.threshold(enq.RULE)} répondants).",
            "**Comment l'alimenter :** une ligne par répondant, une colonne par question (export Sphinx, "
            "LimeSurvey, Framaforms ou tableur), le quartier et la vague. Téléchargez le modèle (feuille *Notice*) "
            "ou déposez votre export : il est d'abord **vérifié** (erreurs avec ligne et colonne, aperçu), puis "
            f"enregistré en une fois. En ligne de commande : `python -m loaders import enquete FICHIER --contrat {contrat}`.")
    titles = dict(zip(surveys["id"].astype(int), surveys["titre"]))
    enquete_id = st.sidebar.selectbox("Enquête", list(titles), format_func=titles.get, key="enq_pick")
    survey = surveys[surveys["id"] == enquete_id].iloc[0]
    is_demo = bool(survey["is_demo"])
    demo.banner(is_demo, "Les réponses et verbatims de cette enquête")
    waves = enq.vagues(sc, enquete_id)
    wave_labels = dict(zip(waves["numero"].astype(int), waves["libelle"]))
    wave = st.sidebar.selectbox("Vague", list(wave_labels)[::-1], format_func=wave_labels.get, key="enq_wave")
    wrow = waves[waves["numero"] == wave].iloc[0]
    minimum = secret.threshold("enquete_reponses")
    producer = ["Jeu de démonstration de l'observatoire"] if is_demo else [f"Enquête « {survey['titre']} » (équipe du contrat)"]
    period = (f"{frformat.fmt_date(wrow['date_debut'])} – {frformat.fmt_date(wrow['date_fin'])}"
              if pd.notna(wrow["date_debut"]) else None)
    src = source_line(producer, millesimes=pd.to_datetime(wrow["date_fin"]).year if pd.notna(wrow["date_fin"]) else None,
                      generation="2024", demo=is_demo, note=f"{wave_labels[wave]}" + (f", {period}" if period else ""))

    st.markdown(f"**{common.md_escape(survey['titre'])}** — "
                f"{common.md_escape(survey['methode'] or 'mode de collecte non renseigné')}. "
                f"{frformat.fmt_int(wrow['n_repondants'])} répondants dans la {wave_labels[wave].lower()}.")
    common.how_to_read(
        "Pour chaque question, la **part de réponses favorables** (ex. « tout à fait » ou « plutôt d'accord ») parmi "
        "les répondants qui ont donné un avis (les « ne sait pas » sont exclus). L'**intervalle de confiance à 95 %** "
        "(méthode de Wilson) dit la marge d'incertitude due à la taille de l'échantillon. "
        f"Sous **{minimum} réponses** dans un quartier, la part n'est pas affichée (effectif insuffisant), et une "
        "seconde case est masquée quand l'ensemble permettrait de la retrouver. Ce sont des perceptions "
        "(résultats), à lire à côté des moyens et des actions.")

    baro = enq.barometer(sc, contrat, enquete_id, wave)
    blocks.chart(ch.barometer_heatmap(baro, source_line=src, demo=is_demo,
                                      title=f"Baromètre des quartiers — {wave_labels[wave]}"),
                 f"barometre-vague-{wave}", src, key="enq_heat")

    questions = enq.questions(sc, enquete_id)
    qlabels = dict(zip(questions["code"], questions["code"] + " – " + questions["libelle"]))
    qcode = st.selectbox("Question", list(qlabels), format_func=qlabels.get, key="enq_q")
    qrow = questions[questions["code"] == qcode].iloc[0]
    st.caption(f"Échelle : {qrow['echelle_libelle']} ; réponses favorables : {qrow['favorables']}.")
    blocks.chart(ch.barometer_question(baro, question_code=qcode, source_line=src, demo=is_demo),
                 f"question-{qcode}-vague-{wave}", src, key="enq_q_chart")
    d = baro[baro["question_code"] == qcode]

    def shown(values, fmt):
        # st.dataframe prints « None » for a missing number: hidden values are a dash, like n.
        return [fmt(v) if s == "ok" else "—" for v, s in zip(values, d["status"])]

    blocks.table(pd.DataFrame({
        "Quartier": d["quartier"], "Réponses (n)": shown(d["n"], frformat.fmt_int),
        "Part favorable": [frformat.fmt_number(v, 0, "%") if s == "ok" else vocabulary.status_label(s)
                           for v, s in zip(d["part"], d["status"])],
        "IC 95 % bas": shown(d["bas"], lambda v: frformat.fmt_number(v, 0)),
        "IC 95 % haut": shown(d["haut"], lambda v: frformat.fmt_number(v, 0))}),
        f"question-{qcode}-vague-{wave}", src, key="enq_q_tab",
        export_df=pd.DataFrame({"Quartier": d["quartier"], "Réponses (n)": pd.to_numeric(d["n"]),
                                "Part favorable (%)": pd.to_numeric(d["part"]), "Statut": d["status"],
                                "IC 95 % bas": pd.to_numeric(d["bas"]), "IC 95 % haut": pd.to_numeric(d["haut"])}))

    if len(waves) >= 2:
        st.subheader("Évolution entre les deux dernières vagues")
        evo = enq.evolution(sc, contrat, enquete_id)
        src_evo = source_line(producer, generation="2024", demo=is_demo,
                              note=f"vagues {int(evo['vague_1'].iloc[0])} et {int(evo['vague_2'].iloc[0])}" if not evo.empty else None)
        blocks.chart(ch.evolution_dumbbell(evo, question_code=qcode, source_line=src_evo, demo=is_demo),
                     f"evolution-{qcode}", src_evo, key="enq_evo")
        e = evo[evo["question_code"] == qcode]
        blocks.table(pd.DataFrame({
            "Quartier": e["quartier"],
            "Vague 1": [frformat.fmt_number(v, 0, "%") if s == "ok" else "effectif insuffisant"
                        for v, s in zip(e["part_1"], e["status"])],
            "Vague 2": [frformat.fmt_number(v, 0, "%") if s == "ok" else "effectif insuffisant"
                        for v, s in zip(e["part_2"], e["status"])],
            "Écart (points)": pd.to_numeric(e["ecart"]), "Lecture": e["lecture"]}),
            f"evolution-{qcode}", src_evo, key="enq_evo_tab", formats={"Écart (points)": 1})
        st.caption("« Hausse nette » ou « baisse nette » quand les intervalles de confiance des deux vagues ne se "
                   "recouvrent pas ; sinon l'écart reste dans la marge d'incertitude.")

    st.subheader("Paroles d'habitants")
    verb = enq.verbatims(sc, contrat, enquete_id)
    if verb.empty:
        st.caption("Aucun verbatim publiable.")
    for r in verb.head(12).itertuples():
        st.markdown(f"> « {common.md_escape(r.texte)} »\n>\n> — *{common.md_escape(r.quartier)}, "
                    f"{common.md_escape(r.vague_libelle.lower())}"
                    + (f", à propos de : {common.md_escape(r.question)}" if isinstance(r.question, str) else "") + "*")
    st.caption("Seuls les verbatims marqués « publiable » sont affichés ; le quartier n'est nommé que s'il compte "
               f"au moins {minimum} répondants dans la vague. Aucune réponse individuelle n'est montrée.")

    if auth.is_editor(contrat):
        with st.expander("Modérer les verbatims (publier ou non)", icon=":material/rate_review:"):
            allv = store.editable_rows(sc, "verbatim", ["texte", "publiable"], enquete_id=enquete_id)
            demo.edit_table(f"edit_verb_{enquete_id}", allv, "verbatim", ["texte", "publiable"], label="verbatim(s)",
                            column_config={"texte": st.column_config.TextColumn("Verbatim", width="large"),
                                           "publiable": st.column_config.CheckboxColumn("Publiable")})

    with st.expander("Importer une vague d'enquête (XLSX ou CSV)", icon=":material/upload_file:"):
        st.markdown("Une ligne par répondant : « Quartier », « Date », puis une colonne par question (« Q1 - libellé »), "
                    "des colonnes « Commentaire… » pour les verbatims et « Publiable ». Aucune donnée personnelle "
                    "(nom, adresse, contact) : le fichier serait refusé. En ligne de commande : "
                    f"`python -m loaders import enquete FICHIER --contrat {contrat} --enquete \"Titre\" --vague N`.")
        demo.import_panel("enquete", contrat, demo.template_context(sc, contrat),
                          extra={"enquete": survey["titre"], "vague": int(waves["numero"].max()) + 1})
