"""Programmation annuelle: money and actions of the contract, its social usefulness (beneficiaries by sex
and age, money against need per quartier), with the State means (real data) beside it.

Everything comes from indicators.programmation; figures from charts.contract; edits go through
contract.store (audited, conflict-checked) via ui.demo.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import contract as ch
from presentation.sources import source_line
from contract import store, vocab
from indicators import means, programmation as prog, secret
from observatoire import db, frformat, vocabulary
from presentation import text
from ui import auth, blocks, common, demo, mapdata, state

with demo.contract_page("Programmation", "Actions financées au titre du contrat de ville : montants, thématiques, "
                        "publics touchés, et moyens de l'État.") as (sc, contrat, _user):
    years = prog.years(sc, contrat)
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
    is_demo = prog.is_demo(sc, contrat)
    demo.banner(is_demo, "Les actions, montants et bénéficiaires de cette page")
    year = state.selectbox("Année de programmation", years, "annee", default=max(years),
                           cast=int, container=st.sidebar)
    producer = ["Jeu de démonstration de l'observatoire"] if is_demo else ["Programmation saisie ou importée par l'équipe du contrat"]
    src = source_line(producer, millesimes=years, generation="2024", demo=is_demo)
    src_year = source_line(producer, millesimes=year, generation="2024", demo=is_demo)

    by_year = prog.totals_by_year(sc, contrat)
    row = by_year[by_year["annee"] == year].iloc[0]
    n_ben, ben_status, n_ben_actions = prog.beneficiaries_total(sc, contrat, year)

    k1, k2, k3, k4 = st.columns(4)
    k1.metric(f"Actions financées en {year}", frformat.fmt_int(row["n_financees"]),
              help=f"{frformat.fmt_int(row['n_actions'])} dossiers déposés")
    k2.metric("Montant accordé", frformat.fmt_number(row["montant_accorde"], 0, "€"),
              help="Tous financeurs, actions accordées ou soldées")
    k3.metric("dont État (P147)", frformat.fmt_number(row["montant_accorde_p147"], 0, "€"))
    k4.metric("Bénéficiaires prévus", frformat.fmt_int(n_ben) if n_ben is not None else vocabulary.status_label(ben_status),
              help=f"Actions financées qui renseignent leurs bénéficiaires : {n_ben_actions}")

    # ------------------------------------------------------------------ money, and the State means beside it
    st.subheader("Montants de la programmation et moyens de l'État")
    left, right = st.columns([3, 2])
    with left:
        blocks.chart(ch.programmation_by_year(by_year, source_line=src, demo=is_demo), "programmation-par-annee", src,
                     key="prog_years")
    con = None
    try:
        con = db.cursor(common.connection())   # a cursor per run: connections are not shared between threads
    except common.WarehouseMissing:
        pass
    with right:
        means = means.state_means(con, contrat) if con is not None else pd.DataFrame()
        src_means = source_line(["ASP (adultes-relais)", "FONJEP", "ANCT (Ci.Ville)"],
                                millesimes=means["year"].tolist() if not means.empty else None)
        blocks.chart(ch.state_means(means, source_line=src_means), "moyens-etat", src_means, key="prog_means")
        if not means.empty:
            st.caption("**Données réelles**, publiées par l'ANCT (pas de démonstration). Un poste compte une fois par an "
                       "même quand le fichier répète son enregistrement ; l'année 2025 semble partielle.")

    c1, c2 = st.columns(2)
    fin = prog.totals_by_financeur(sc, contrat, year)
    with c1:
        blocks.chart(ch.by_financeur(fin, year=year, source_line=src_year, demo=is_demo), f"financeurs-{year}",
                     src_year, key="prog_fin")
    themes = prog.totals_by_theme(sc, contrat, year)
    with c2:
        blocks.chart(ch.by_theme(themes, year=year, source_line=src_year, demo=is_demo), f"thematiques-{year}",
                     src_year, key="prog_theme")

    # ------------------------------------------------------------------ money vs need
    st.subheader("Les crédits vont-ils aux quartiers qui en ont le plus besoin ?")
    need = prog.money_vs_need(sc, con, contrat, year)
    src_need = source_line(producer + ["INSEE / SIG Ville (population, taux de pauvreté)"], millesimes=year,
                           generation="2024", demo=is_demo,
                           note="population et pauvreté des quartiers 2015 correspondants (approximation)"
                           if (need["method"] == "approx_qp2015").any() else None)
    pop, pop_src = prog.contract_population(con, contrat)
    common.note(
        "Aucun indicateur INSEE n'est encore publié pour les quartiers de la géographie 2024 : la population et le "
        "taux de pauvreté sont, quand c'est possible, ceux du ou des quartiers 2015 correspondants (table de "
        "passage de l'entrepôt) — une <b>approximation</b> signalée par « ≈ » ; sinon « non disponible ». "
        "Le montant d'une action sur plusieurs quartiers est réparti à parts égales."
        + (f" Population des quartiers du contrat selon l'ANCT : <b>{frformat.fmt_int(pop)}</b> habitants, soit "
           f"<b>{frformat.fmt_number(row['montant_accorde'] / pop, 2, '€')}</b> accordés par habitant en {year}."
           if pop else ""))
    t1, t2, t3 = st.tabs(["Par habitant sous le seuil de pauvreté", "Par habitant",
                          "Bénéficiaires résidant en QPV"])
    with t1:
        blocks.chart(ch.money_vs_need(need, source_line=src_need, demo=is_demo, per="pauvre"),
                     f"euros-par-pauvre-{year}", src_need, key="prog_need_p")
    with t2:
        blocks.chart(ch.money_vs_need(need, source_line=src_need, demo=is_demo, per="habitant"),
                     f"euros-par-habitant-{year}", src_need, key="prog_need_h")
    src_homes = source_line(producer + ["fichiers de bénéficiaires localisés sur les contours ANCT des QPV 2024"],
                            millesimes=year, generation="2024", demo=is_demo)
    with t3:
        blocks.chart(ch.beneficiaries_in_qpv(need, source_line=src_homes, demo=is_demo),
                     f"beneficiaires-en-qpv-{year}", src_homes, key="prog_need_benef")
        st.caption("Pour chaque quartier, les bénéficiaires des actions financées qui le visent, localisés à partir du "
                   "fichier de bénéficiaires de chaque action (une action sur plusieurs quartiers compte pour chacun). "
                   f"Sous {secret.threshold('beneficiaires')} bénéficiaires localisés, la part est masquée.")
    need_tab = pd.DataFrame({
        "Quartier": need["label"], "Code": need["quartier_code"], "Actions financées": need["n_actions"],
        "Montant accordé (€)": need["montant_accorde"], "dont État P147 (€)": need["montant_accorde_p147"],
        "Population": pd.to_numeric(need["population"]), "Taux de pauvreté (%)": pd.to_numeric(need["tx_pauvrete"]),
        "€ par habitant": pd.to_numeric(need["euros_par_habitant"]),
        "€ par habitant pauvre": pd.to_numeric(need["euros_par_pauvre"]),
        "Bénéficiaires résidant en QPV (%)": [text.value_text(v, st_, "%", 0) for v, st_ in
                                              zip(need["benef_part_qpv"], need["benef_part_qpv_status"])],
        "Bénéficiaires résidant dans le quartier": [text.value_text(v, st_, None, 0) for v, st_ in
                                                    zip(need["benef_residents"], need["benef_residents_status"])],
        "Méthode": [f"≈ quartier(s) 2015 {c}" if m == "approx_qp2015" else "quartier 2024" if m == "qpv2024"
                    else "non disponible" for m, c in zip(need["method"], need["codes_2015"])],
    })
    blocks.table(need_tab, f"credits-par-quartier-{year}", src_need, key="prog_need_tab",
                 formats={"Montant accordé (€)": 0, "dont État P147 (€)": 0, "Population": 0,
                          "Taux de pauvreté (%)": 1, "€ par habitant": 2, "€ par habitant pauvre": 2})

    # ------------------------------------------------------------------ beneficiaries
    st.subheader("Qui les actions touchent-elles ?")
    phase = st.radio("Bénéficiaires", list(vocab.PHASES), format_func=lambda p: vocab.PHASES[p], horizontal=True,
                     key="prog_phase")
    b1, b2 = st.columns(2)
    pyr = prog.beneficiaries(sc, contrat, year, phase=phase, by="sexe_age")
    gb = prog.girls_boys(sc, contrat, year, phase=phase)
    with b1:
        blocks.chart(ch.beneficiaries_pyramid(pyr, source_line=src_year, demo=is_demo,
                                              title=f"Bénéficiaires {vocab.PHASES[phase]} par sexe et âge ({year})"),
                     f"beneficiaires-age-sexe-{year}", src_year, key="prog_pyr")
    with b2:
        blocks.chart(ch.girls_share(gb, source_line=src_year, demo=is_demo), f"part-filles-{year}", src_year,
                     key="prog_girls")
    young = prog.girls_boys(sc, contrat, year, phase=phase, minors_only=True)
    ens = young[young["thematique"] == "Ensemble"]
    if not ens.empty and ens.iloc[0]["status"] == "ok":
        st.markdown(f"Parmi les **moins de 18 ans**, les filles représentent "
                    f"**{frformat.fmt_number(ens.iloc[0]['part_filles'], 0, '%')}** des bénéficiaires "
                    f"{vocab.PHASES[phase]} en {year}.")
    st.caption("Comptes de personnes : sous 5 bénéficiaires, la valeur est masquée (« effectif insuffisant »), et "
               "une seconde valeur l'est aussi quand le total permettrait de la retrouver.")

    # ------------------------------------------------------------------ actions table
    st.subheader("Actions")
    f1, f2, f3, f4 = st.columns(4)
    quartiers = prog.quartiers(sc, contrat)
    theme = f1.selectbox("Thématique", [None] + sorted(themes["thematique"].unique().tolist()),
                         format_func=lambda v: "Toutes" if v is None else v, key="prog_f_theme")
    statut = f2.selectbox("Statut", [None] + list(vocabulary.labels("action_statuses")),
                          format_func=lambda v: "Tous" if v is None else vocabulary.labels("action_statuses")[v], key="prog_f_statut")
    qlabels = dict(zip(quartiers["quartier_code"], quartiers["label"]))
    quartier = f3.selectbox("Quartier", [None] + list(qlabels), format_func=lambda v: "Tous" if v is None else qlabels[v],
                            key="prog_f_q")
    porteur = f4.text_input("Porteur contient", key="prog_f_porteur")
    acts = prog.actions(sc, contrat, year, thematique=theme, statut=statut, quartier=quartier, porteur=porteur or None)
    shown = pd.DataFrame({
        "N° dossier": acts["numero_dossier"], "Porteur": acts["porteur_nom"], "Intitulé": acts["intitule"],
        "Thématique": acts["thematique"], "Statut": acts["statut_label"], "Quartiers": acts["quartiers"],
        "Sollicité (€)": acts["montant_sollicite"], "Accordé (€)": acts["montant_accorde"],
        "dont P147 (€)": acts["montant_accorde_p147"],
        "Bénéficiaires prévus": [frformat.fmt_int(v) if s == "ok" else vocabulary.status_label(s)
                                 for v, s in zip(acts["beneficiaires_prevus"], acts["beneficiaires_prevus_statut"])],
    })
    st.caption(f"{len(acts)} action(s) affichée(s).")
    blocks.table(shown, f"actions-{year}", src_year, key="prog_actions",
                 formats={"Sollicité (€)": 0, "Accordé (€)": 0, "dont P147 (€)": 0})

    if auth.is_editor(contrat):
        with st.expander("Modifier les actions affichées (statut, date de décision, thématique, évaluation)",
                         icon=":material/edit:"):
            st.caption("Chaque modification est enregistrée avec son auteur, sa date et l'ancienne valeur. Si une autre "
                       "personne a modifié la même action entre-temps, l'enregistrement est refusé (rien n'est perdu).")
            cols = ["numero_dossier", "intitule", "statut", "date_decision", "thematique", "porteur_nom",
                    *vocab.EVALUATION_CRITERIA, "evaluation"]
            full = store.editable_rows(sc, "action", cols, ids=acts["id"].tolist(), order="numero_dossier")
            full["date_decision"] = [d.date() if pd.notna(d) else None for d in full["date_decision"]]
            note_cfg = {c: st.column_config.NumberColumn(lab, min_value=1, max_value=4, step=1)
                        for c, lab in vocab.EVALUATION_CRITERIA.items()}
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
        homes = prog.residence_by_action(sc, contrat, year)
        st.markdown("Un fichier par action (ou pour plusieurs) : une ligne par bénéficiaire, le **N° dossier** de "
                    "l'action et ses coordonnées (**latitude**/**longitude**, **x**/**y** Lambert-93) ou la sortie du "
                    "géocodeur CSV de la BAN (adresse.data.gouv.fr/csv). Chaque ligne est localisée sur les contours "
                    "des quartiers, comme sur la page **Localiser** ; **seuls les comptes par action et par quartier "
                    "sont enregistrés**, jamais les noms, adresses ou coordonnées. En ligne de commande : "
                    f"`python -m loaders import beneficiaires FICHIER --contrat {contrat}`.")
        if homes.empty:
            st.info(f"Aucun fichier de bénéficiaires importé pour les actions financées en {year}.")
        else:
            blocks.table(pd.DataFrame({
                "N° dossier": homes["numero_dossier"], "Action": homes["intitule"],
                "Bénéficiaires localisés": [text.value_text(v, s_, None, 0) for v, s_ in
                                            zip(homes["n_localises_shown"], homes["n_localises_status"])],
                "Résidant en QPV": [text.value_text(v, s_, "%", 0) for v, s_ in
                                    zip(homes["part_qpv"], homes["part_qpv_status"])],
                "Résidant dans les quartiers visés": [text.value_text(v, s_, "%", 0) for v, s_ in
                                                      zip(homes["part_cible"], homes["part_cible_status"])],
            }), f"beneficiaires-residence-{year}", src_homes, key="prog_homes")
        demo.import_panel("beneficiaires", contrat, [], extra={"annee": year, "locate": mapdata.locate},
                          template=False)

    with st.expander("Importer une programmation (XLSX ou CSV)", icon=":material/upload_file:"):
        st.markdown("Export Dauphin ou tableau de suivi : une ligne par action, en-têtes français "
                    "(« N° dossier », « Porteur », « Intitulé de l'action », « Montant accordé État (P147) », "
                    "« Date de décision », « Filles », « Garçons »…). Tout le fichier est refusé s'il contient une erreur, avec la ligne et la "
                    "colonne. En ligne de commande : `python -m loaders import programmation FICHIER --contrat "
                    f"{contrat}`.")
        demo.import_panel("programmation", contrat, demo.template_context(sc, contrat))
