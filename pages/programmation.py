"""Programmation annuelle: money and actions of the contract, its social usefulness (beneficiaries by sex
and age, money against need per quartier), with the State means (real data) beside it.

Layout only: the view is presentation.programmation; figures from charts.contract; edits go through
contract.service (audited, conflict-checked) via ui.demo.
"""
from __future__ import annotations

import streamlit as st

from charts import contract as ch
from presentation import programmation as view_mod
from presentation import text
from ui import auth, blocks, common, demo, mapdata, state

with demo.contract_page("Programmation", "Actions financées au titre du contrat de ville : montants, thématiques, "
                        "publics touchés, et moyens de l'État.") as (sc, contrat, _user):
    years = demo.read(view_mod.years, contrat)
    if not years:
        demo.empty_state(
            "programmation", sc, contrat,
            "Cette page montrera la programmation annuelle : actions financées, montants par financeur et par "
            "thématique, quartiers visés, publics touchés (filles et garçons, habitants des quartiers), avec les "
            "moyens de l'État (adultes-relais, postes FONJEP) déjà connus pour le contrat.",
            "**Comment l'alimenter :** téléchargez le modèle (une feuille *Notice* explique chaque colonne) ou "
            "déposez directement votre export Dauphin. Le fichier est d'abord **vérifié** — toutes les erreurs sont "
            "listées avec la ligne et la colonne, et un aperçu montre ce qui sera lu — puis enregistré en une fois "
            f"(tout ou rien). En ligne de commande : `python -m loaders import programmation FICHIER --contrat {contrat}`.")
    year = state.selectbox("Année de programmation", years, "annee", default=max(years),
                           cast=int, container=st.sidebar)
    v = demo.read(view_mod.view, contrat, year, warehouse=True)    # cached until the saisie database changes
    demo.banner(v.is_demo, view_mod.DEMO_WHAT)
    src, src_year = v.source_line, v.source_year

    for col, (label, value, help_) in zip(st.columns(len(v.metrics)), v.metrics):
        col.metric(label, value, help=help_)

    # ------------------------------------------------------------------ money, and the State means beside it
    st.subheader("Montants de la programmation et moyens de l'État")
    left, right = st.columns([3, 2])
    with left:
        blocks.chart(blocks.figure(ch.programmation_by_year, v.by_year, source_line=src, demo=v.is_demo), "programmation-par-annee",
                     src, key="prog_years")
    with right:
        blocks.chart(blocks.figure(ch.state_means, v.means, source_line=v.means_source), "moyens-etat", v.means_source, key="prog_means")
        if v.means_real:
            st.caption("**Données réelles**, publiées par l'ANCT (pas de démonstration). Un poste compte une fois par an "
                       "même quand le fichier répète son enregistrement ; l'année 2025 semble partielle.")

    c1, c2 = st.columns(2)
    with c1:
        blocks.chart(blocks.figure(ch.by_financeur, v.by_financeur, year=year, source_line=src_year, demo=v.is_demo),
                     f"financeurs-{year}", src_year, key="prog_fin")
    with c2:
        blocks.chart(blocks.figure(ch.by_theme, v.by_theme, year=year, source_line=src_year, demo=v.is_demo), f"thematiques-{year}",
                     src_year, key="prog_theme")

    # ------------------------------------------------------------------ money vs need
    st.subheader("Les crédits vont-ils aux quartiers qui en ont le plus besoin ?")
    common.note(text.html_fragment(v.need_note[0], *v.need_note[1]))
    t1, t2, t3 = st.tabs(["Par habitant sous le seuil de pauvreté", "Par habitant", "Bénéficiaires résidant en QPV"])
    with t1:
        blocks.chart(blocks.figure(ch.money_vs_need, v.need, source_line=v.need_source, demo=v.is_demo, per="pauvre"),
                     f"euros-par-pauvre-{year}", v.need_source, key="prog_need_p")
    with t2:
        blocks.chart(blocks.figure(ch.money_vs_need, v.need, source_line=v.need_source, demo=v.is_demo, per="habitant"),
                     f"euros-par-habitant-{year}", v.need_source, key="prog_need_h")
    with t3:
        blocks.chart(blocks.figure(ch.beneficiaries_in_qpv, v.need, source_line=v.homes_source, demo=v.is_demo),
                     f"beneficiaires-en-qpv-{year}", v.homes_source, key="prog_need_benef")
        st.caption("Pour chaque quartier, les bénéficiaires des actions financées qui le visent, localisés à partir du "
                   "fichier de bénéficiaires de chaque action (une action sur plusieurs quartiers compte pour chacun). "
                   f"Sous {text.count_text(v.homes_threshold)} bénéficiaires localisés, la part est masquée.")
    blocks.table(v.need_table, f"credits-par-quartier-{year}", v.need_source, key="prog_need_tab",
                 formats={"Montant accordé (€)": 0, "dont État P147 (€)": 0, "Population": 0,
                          "Taux de pauvreté (%)": 1, "€ par habitant": 2, "€ par habitant pauvre": 2})

    # ------------------------------------------------------------------ beneficiaries
    st.subheader("Qui les actions touchent-elles ?")
    phase = st.radio("Bénéficiaires", list(view_mod.PHASES), format_func=view_mod.PHASES.get, horizontal=True,
                     key="prog_phase")
    ben = demo.read(view_mod.beneficiaries, contrat, year, phase)
    b1, b2 = st.columns(2)
    with b1:
        blocks.chart(blocks.figure(ch.beneficiaries_pyramid, ben.pyramid, source_line=src_year, demo=v.is_demo,
                                  title=ben.pyramid_title),
                     f"beneficiaires-age-sexe-{year}", src_year, key="prog_pyr")
    with b2:
        blocks.chart(blocks.figure(ch.girls_share, ben.girls, source_line=src_year, demo=v.is_demo), f"part-filles-{year}", src_year,
                     key="prog_girls")
    if ben.minors_sentence:
        st.markdown(ben.minors_sentence)
    st.caption(ben.caption)

    # ------------------------------------------------------------------ actions table
    st.subheader("Actions")
    f1, f2, f3, f4 = st.columns(4)
    theme = f1.selectbox("Thématique", [None] + v.themes, format_func=lambda t: "Toutes" if t is None else t,
                         key="prog_f_theme")
    statut = f2.selectbox("Statut", [None] + list(view_mod.ACTION_STATUSES),
                          format_func=lambda s: "Tous" if s is None else view_mod.ACTION_STATUSES[s], key="prog_f_statut")
    quartier = f3.selectbox(text.label("levels", "qpv", short=True), [None] + list(v.quartiers),
                            format_func=lambda q: "Tous" if q is None else v.quartiers[q],
                            key="prog_f_q")
    porteur = f4.text_input("Porteur contient", key="prog_f_porteur")
    shown, ids, count = demo.read(view_mod.actions_table, contrat, year, thematique=theme, statut=statut, quartier=quartier,
                                               porteur=porteur or None)
    st.caption(count)
    blocks.table(shown, f"actions-{year}", src_year, key="prog_actions",
                 formats={"Sollicité (€)": 0, "Accordé (€)": 0, "dont P147 (€)": 0})

    if auth.is_editor(contrat):
        with st.expander("Modifier les actions affichées (statut, date de décision, thématique, évaluation)",
                         icon=":material/edit:"):
            st.caption("Chaque modification est enregistrée avec son auteur, sa date et l'ancienne valeur. Si une autre "
                       "personne a modifié la même action entre-temps, l'enregistrement est refusé (rien n'est perdu).")
            cols = view_mod.EDIT_COLUMNS
            full = demo.editable_rows(sc, "action", cols, dates=("date_decision",), ids=ids, order="numero_dossier")
            note_cfg = {c: st.column_config.NumberColumn(lab, min_value=view_mod.NOTE_MIN, max_value=view_mod.NOTE_MAX,
                                                         step=1)
                        for c, lab in view_mod.EVALUATION_CRITERIA.items()}
            demo.edit_table(f"edit_actions_{contrat}_{year}_{theme}_{statut}_{quartier}_{porteur}", full, "action", cols,
                            label="modification(s)", column_config={
                                "numero_dossier": st.column_config.TextColumn("N° dossier"),
                                "intitule": st.column_config.TextColumn("Intitulé", width="large"),
                                "statut": demo.labelled_column("action_statuses", "Statut"),
                                "date_decision": st.column_config.DateColumn(
                                    "Date de décision", format="DD/MM/YYYY",
                                    help="Vote du comité de programmation (ou notification) : diapositive « Depuis "
                                         "le dernier COPIL »"),
                                "thematique": st.column_config.TextColumn("Thématique"),
                                "porteur_nom": st.column_config.TextColumn("Porteur"),
                                "evaluation": st.column_config.TextColumn("Évaluation", width="large"), **note_cfg},
                            labelled={"statut": "action_statuses"})

    with st.expander("Où résident les bénéficiaires ? (fichiers de bénéficiaires par action)",
                     icon=":material/where_to_vote:"):
        homes = demo.read(view_mod.residence_table, contrat, year)
        st.markdown("Un fichier par action (ou pour plusieurs) : une ligne par bénéficiaire, le **N° dossier** de "
                    "l'action et ses coordonnées (**latitude**/**longitude**, **x**/**y** Lambert-93) ou la sortie du "
                    "géocodeur CSV de la BAN (adresse.data.gouv.fr/csv). Chaque ligne est localisée sur les contours "
                    "des quartiers, comme sur la page **Localiser** ; **seuls les comptes par action et par quartier "
                    "sont enregistrés**, jamais les noms, adresses ou coordonnées. En ligne de commande : "
                    f"`python -m loaders import beneficiaires FICHIER --contrat {contrat}`.")
        if homes.empty:
            st.info(f"Aucun fichier de bénéficiaires importé pour les actions financées en {text.year_text(year)}.")
        else:
            blocks.table(homes, f"beneficiaires-residence-{year}", v.homes_source, key="prog_homes")
        demo.import_panel("beneficiaires", contrat, [], extra={"annee": year, "locate": mapdata.locate},
                          template=False)

    with st.expander("Importer une programmation (XLSX ou CSV)", icon=":material/upload_file:"):
        st.markdown("Export Dauphin ou tableau de suivi : une ligne par action, en-têtes français "
                    "(« N° dossier », « Porteur », « Intitulé de l'action », « Montant accordé État (P147) », "
                    "« Date de décision », « Filles », « Garçons »…). Tout le fichier est refusé s'il contient une erreur, "
                    "avec la ligne et la colonne. En ligne de commande : `python -m loaders import programmation "
                    f"FICHIER --contrat {contrat}`.")
        demo.import_panel("programmation", contrat, demo.template_context(sc, contrat))
