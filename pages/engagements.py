"""Engagements des signataires: the cooperative dashboard — statuses per signataire and axis, completion,
what is late or due before the next COPIL, what moved since the last one, and each commitment's history.

Data from indicators.engagements; figures from charts.contract; points d'étape and edits go through
contract.store (audited, conflict-checked). A *partenaire* account edits only its own commitments.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from charts import contract as ch
from presentation.sources import source_line
from contract import store
from contract.demo import NEXT_COPIL
from indicators import engagements as eng
from indicators import programmation as prog
from indicators import since as since_mod
from observatoire import frformat, vocabulary
from ui import auth, blocks, common, demo

with demo.contract_page("Engagements", "Tableau de bord coopératif : ce que chaque signataire s'est engagé à faire, "
                        "où il en est, et ce qui est dû avant le prochain COPIL.") as (sc, contrat, user):
    today = date.today()
    is_demo = prog.is_demo(sc, contrat, "engagement")
    all_rows = eng.engagements(sc, contrat, today)
    if all_rows.empty:
        demo.empty_state(
            "engagements", sc, contrat,
            "Cette page montrera le tableau de bord coopératif des signataires : ce que chacun s'est engagé à "
            "faire, son état d'avancement, ce qui est en retard ou dû avant le prochain COPIL, et l'historique des "
            "points d'étape. Chaque partenaire pourra ensuite mettre à jour ses propres engagements.",
            "**Comment l'alimenter :** téléchargez le modèle (une ligne par engagement : signataire, axe, "
            "échéance, statut ; une feuille *Notice* explique chaque colonne), remplissez-le avec les signataires, "
            "puis déposez-le ci-dessous. Le fichier est d'abord **vérifié** (erreurs avec ligne et colonne, aperçu), "
            "puis enregistré en une fois. En ligne de commande : "
            f"`python -m loaders import engagements FICHIER --contrat {contrat}`.")
    demo.banner(is_demo, "Les engagements, signataires non institutionnels et points d'étape de cette page")
    default_copil = NEXT_COPIL if is_demo and NEXT_COPIL > today else today + timedelta(days=30)
    copil = st.sidebar.date_input("Date du prochain COPIL", value=default_copil, format="DD/MM/YYYY", key="eng_copil")
    past = [d for d in eng.next_review_dates(sc, contrat) if d <= today]
    since = st.sidebar.date_input("Depuis le dernier COPIL du", value=past[0] if past else today - timedelta(days=180),
                                  format="DD/MM/YYYY", key="eng_since")
    referents = sorted(all_rows["referent"].dropna().unique())
    referent = st.sidebar.selectbox("Référent", [None] + referents, format_func=lambda v: "Tous" if v is None else v,
                                    key="eng_ref")
    producer = ["Jeu de démonstration de l'observatoire"] if is_demo else ["Tableau de bord des signataires (saisie)"]
    src = source_line(producer, millesimes=today.year, demo=is_demo, note=f"situation au {frformat.fmt_date(today)}")

    rows = all_rows if referent is None else all_rows[all_rows["referent"] == referent]
    counts = eng.status_counts(sc, contrat, "signataire", today, referent=referent)
    total = counts[counts["signataire"] == "Ensemble"].iloc[0]
    late = eng.late(sc, contrat, today)
    due = eng.due_before(sc, contrat, copil, today)
    if referent:
        late, due = late[late["referent"] == referent], due[due["referent"] == referent]

    k1, k2, k3, k4, k5 = st.columns(5)
    k1.metric("Engagements", frformat.fmt_int(total["total"]))
    k2.metric("Réalisés", frformat.fmt_int(total["realise"]))
    k3.metric("Taux de réalisation", frformat.fmt_number(total["taux_realisation"], 0, "%"),
              help="Réalisés / (tous − abandonnés)")
    k4.metric("En retard", frformat.fmt_int(len(late)),
              help="Statut « en retard », ou échéance dépassée sans être réalisé ni abandonné")
    k5.metric(f"À échéance d'ici le {frformat.fmt_date(copil)}", frformat.fmt_int(len(due)))

    tab_sig, tab_axe, tab_ref = st.tabs(["Par signataire", "Par axe", "Par référent"])
    with tab_sig:
        blocks.chart(ch.engagement_status(counts, by="signataire", source_line=src, demo=is_demo),
                     "engagements-par-signataire", src, key="eng_sig")
    with tab_axe:
        by_axe = eng.status_counts(sc, contrat, "axe", today, referent=referent)
        blocks.chart(ch.engagement_status(by_axe, by="axe", source_line=src, demo=is_demo), "engagements-par-axe", src,
                     key="eng_axe")
    with tab_ref:
        by_ref = eng.status_counts(sc, contrat, "referent", today)
        blocks.chart(ch.engagement_status(by_ref, by="referent", source_line=src, demo=is_demo),
                     "engagements-par-referent", src, key="eng_refchart")

    def _table(df: pd.DataFrame, extra: dict | None = None) -> pd.DataFrame:
        out = {"Réf.": df["code"], "Signataire": df["signataire"], "Engagement": df["intitule"],
               "Référent": df["referent"], "Échéance": [frformat.fmt_date(d) if pd.notna(d) else "" for d in df["echeance"]],
               "Statut": df["statut_label"],
               "Dernier point": [frformat.fmt_date(d) if pd.notna(d) else "" for d in df["dernier_point"]]}
        out.update(extra or {})
        return pd.DataFrame(out)

    st.subheader("À traiter au prochain COPIL")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**En retard** ({len(late)})")
        blocks.table(_table(late, {"Jours de retard": late["jours_de_retard"]}), "engagements-en-retard", src,
                     key="eng_late", formats={"Jours de retard": 0})
    with c2:
        st.markdown(f"**À échéance d'ici le {frformat.fmt_date(copil)}** ({len(due)})")
        blocks.table(_table(due), "engagements-a-echeance", src, key="eng_due")
    moved = eng.reviews_since(sc, contrat, since)
    st.markdown(f"**Points d'étape depuis le {frformat.fmt_date(since)}** ({len(moved)})")
    blocks.table(pd.DataFrame({"Date": [frformat.fmt_date(d) for d in moved["date_point"]], "Réf.": moved["code"],
                               "Signataire": moved["signataire"], "Engagement": moved["intitule"],
                               "Statut": moved["statut_label"], "Commentaire": moved["commentaire"]}),
                 "points-depuis-copil", src, key="eng_moved")
    with st.expander(f"Depuis le {frformat.fmt_date(since)} : nouvelles données et actions votées",
                     icon=":material/update:"):
        try:
            with common.cursor() as cur:
                facts = since_mod.facts(cur, sc, contrat, since, today)
        except common.WarehouseMissing:
            facts = since_mod.facts(None, sc, contrat, since, today)
        said = since_mod.lines(facts)
        d1, d2 = st.columns(2)
        for col, head, key in ((d1, "Nouvelles données", "donnees"),
                               (d2, "Actions votées" + (" (démo)" if prog.is_demo(sc, contrat) else ""), "actions")):
            col.markdown(f"**{head}**\n\n" + "\n".join(f"- {common.md_escape(line)}" for line in said[key]))
        st.caption("Les mêmes éléments que la diapositive « Depuis le dernier COPIL » du diaporama (page Exports).")

    st.subheader("Tous les engagements")
    blocks.table(_table(rows, {"Axe": rows["axe"], "Indicateur": rows["indicateur"],
                               "Référence": rows["valeur_reference"], "Cible": rows["valeur_cible"],
                               "Dernière valeur": rows["derniere_valeur"]}),
                 "engagements", src, key="eng_all", formats={"Référence": 1, "Cible": 1, "Dernière valeur": 1})

    # ------------------------------------------------------------------ one commitment
    st.subheader("Historique d'un engagement")
    labels = {int(r.id): f"{r.code} — {r.signataire} : {r.intitule}" for r in rows.itertuples()}
    chosen = st.selectbox("Engagement", list(labels), format_func=lambda i: labels[i], key="eng_pick")
    e = rows[rows["id"] == chosen].iloc[0]
    hist = eng.history(sc, chosen)
    md = common.md_escape    # user text: shown as typed, never interpreted
    st.markdown(f"**{md(e['intitule'])}** — {md(e['signataire'])} · référent : {md(e['referent'] or 'non renseigné')} · "
                f"axe : {md(e['axe'] or '—')} · échéance : {frformat.fmt_date(e['echeance']) if pd.notna(e['echeance']) else '—'} · "
                f"statut : **{e['statut_label']}**" + (f" · preuve : {md(e['preuve'])}" if pd.notna(e["preuve"]) and e["preuve"] else ""))
    h1, h2 = st.columns([3, 2])
    with h1:
        blocks.chart(ch.engagement_history(hist, target=e["valeur_cible"], reference=e["valeur_reference"],
                                           label=f"{e['code']} {e['indicateur'] or e['intitule']}", source_line=src,
                                           demo=is_demo), f"historique-{e['code']}", src, key="eng_hist_chart")
    with h2:
        blocks.table(pd.DataFrame({"Date": [frformat.fmt_date(d) for d in hist["date_point"]],
                                   "Statut": hist["statut_label"], "Valeur": hist["valeur_constatee"],
                                   "Commentaire": hist["commentaire"], "Instance": hist["instance"]}),
                     f"points-{e['code']}", src, key="eng_hist_tab", formats={"Valeur": 1})

    mine = user.manages(contrat) or (
        user.is_partner and user.covers(contrat) and e["signataire"] == user.signataire)
    if mine:
        with st.form("eng_point", clear_on_submit=True):
            st.markdown(f"**Ajouter un point d'étape à {e['code']}**")
            p1, p2, p3 = st.columns(3)
            d = p1.date_input("Date", value=today, format="DD/MM/YYYY")
            statut = p2.selectbox("Statut", list(vocabulary.labels("engagement_statuses")), format_func=vocabulary.labels("engagement_statuses").get,
                                  index=list(vocabulary.labels("engagement_statuses")).index(e["statut"]))
            valeur = p3.number_input("Valeur constatée", value=None, step=1.0)
            commentaire = st.text_input("Commentaire")
            instance = st.selectbox("Instance", ["COPIL", "COTECH", "Bilatéral", "Autre"])
            if st.form_submit_button("Enregistrer le point d'étape", type="primary"):
                try:
                    with demo.session_edit() as tx:
                        tx.insert("engagement_point", {"contrat_code": contrat, "engagement_id": chosen,
                                                       "date_point": d, "statut": statut, "valeur_constatee": valeur,
                                                       "commentaire": commentaire or None, "instance": instance,
                                                       "auteur": user.nom or user.login, "is_demo": bool(e["is_demo"])})
                        tx.update("engagement", chosen, int(e["row_version"]), {"statut": statut})
                except Exception as exc:  # noqa: BLE001 - conflict / permission: the store's French message
                    st.error(str(exc))
                else:
                    demo.flash("success", f"Point d'étape du {frformat.fmt_date(d)} enregistré pour {e['code']}.")
                    st.rerun()

    elif user.authenticated:
        why = (f"votre compte partenaire ne modifie que les engagements de « {md(user.signataire)} »"
               if user.is_partner and user.covers(contrat) else "votre compte ne modifie pas ce contrat")
        st.caption(f"Engagement de « {md(e['signataire'])} » : lecture seule ({why}).")

    if auth.can_edit(contrat):
        editable = rows if user.manages(contrat) else rows[rows["signataire"] == user.signataire]
        with st.expander(f"Modifier les engagements ({len(editable)} modifiables avec votre compte)",
                         icon=":material/edit:"):
            if editable.empty:
                st.caption("Aucun engagement de votre signataire dans ce contrat.")
            else:
                cols = ["code", "intitule", "referent", "statut", "echeance", "valeur_cible", "preuve"]
                full = store.editable_rows(sc, "engagement", cols, ids=editable["id"].tolist(), order="code")
                demo.edit_table(f"edit_eng_{contrat}_{referent}_{user.login}", full, "engagement", cols,
                                label="modification(s)", column_config={
                                    "code": st.column_config.TextColumn("Réf.", disabled=True),
                                    "intitule": st.column_config.TextColumn("Engagement", width="large"),
                                    "referent": st.column_config.TextColumn("Référent"),
                                    "statut": demo.labelled_column("engagement_statuses", "Statut"),
                                    "echeance": st.column_config.DateColumn("Échéance", format="DD/MM/YYYY"),
                                    "valeur_cible": st.column_config.NumberColumn("Cible"),
                                    "preuve": st.column_config.TextColumn("Preuve")},
                                labelled={"statut": "engagement_statuses"})

    with st.expander("Importer le tableau de bord des engagements (XLSX ou CSV)", icon=":material/upload_file:"):
        st.markdown("Une ligne par engagement (« Signataire », « Engagement », « Échéance », « Statut »…) et, dans une "
                    "feuille « Points d'étape », une ligne par revue. En ligne de commande : "
                    f"`python -m loaders import engagements FICHIER --contrat {contrat}`.")
        demo.import_panel("engagements", contrat, demo.template_context(sc, contrat))
