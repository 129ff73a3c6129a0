"""Engagements des signataires: the cooperative dashboard — statuses per signataire and axis, completion,
what is late or due before the next COPIL, what moved since the last one, and each commitment's history.

Layout only: the view is presentation.engagements (the same horizon rule and « depuis » sentences as the
COPIL deck); figures from charts.contract; points d'étape and edits go through contract.service (audited,
conflict-checked). A *partenaire* account edits only its own commitments.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from charts import contract as ch
from contract import service
from presentation import engagements as view_mod
from presentation import text
from ui import auth, blocks, demo

with demo.contract_page("Engagements", "Tableau de bord coopératif : ce que chaque signataire s'est engagé à faire, "
                        "où il en est, et ce qui est dû avant le prochain COPIL.") as (sc, contrat, user):
    today = date.today()
    d = demo.read(view_mod.defaults, contrat, today)
    if d.empty:
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
    demo.banner(d.is_demo, view_mod.DEMO_WHAT)
    copil = st.sidebar.date_input("Date du prochain COPIL", value=d.horizon, format="DD/MM/YYYY", key="eng_copil")
    since = st.sidebar.date_input("Depuis le dernier COPIL du", value=d.since, format="DD/MM/YYYY", key="eng_since")
    referent = st.sidebar.selectbox("Référent", [None] + d.referents, format_func=lambda v: "Tous" if v is None else v,
                                    key="eng_ref")
    v = demo.read(view_mod.view, contrat, today, copil, since, referent, warehouse=True)   # cached per saisie version
    src = v.source_line

    for col, (label, value, help_) in zip(st.columns(len(v.metrics)), v.metrics):
        col.metric(label, value, help=help_)

    tab_sig, tab_axe, tab_ref = st.tabs(["Par signataire", "Par axe", "Par référent"])
    with tab_sig:
        blocks.chart(blocks.figure(ch.engagement_status, v.by_signataire, by="signataire", source_line=src, demo=v.is_demo),
                     "engagements-par-signataire", src, key="eng_sig")
    with tab_axe:
        blocks.chart(blocks.figure(ch.engagement_status, v.by_axe, by="axe", source_line=src, demo=v.is_demo), "engagements-par-axe",
                     src, key="eng_axe")
    with tab_ref:
        blocks.chart(blocks.figure(ch.engagement_status, v.by_referent, by="referent", source_line=src, demo=v.is_demo),
                     "engagements-par-referent", src, key="eng_refchart")

    st.subheader("À traiter au prochain COPIL")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**{v.late_title}**")
        blocks.table(v.late, "engagements-en-retard", src, key="eng_late", formats={"Jours de retard": 0})
    with c2:
        st.markdown(f"**{v.due_title}**")
        blocks.table(v.due, "engagements-a-echeance", src, key="eng_due")
    st.markdown(f"**{v.moved_title}**")
    blocks.table(v.moved, "points-depuis-copil", src, key="eng_moved")
    with st.expander(v.since_title, icon=":material/update:"):
        sv = v.since_view
        d1, d2 = st.columns(2)
        for col, key in ((d1, "donnees"), (d2, "actions")):
            col.markdown(f"**{text.md_text(sv.heads[key])}**\n\n" + "\n".join(f"- {text.md_text(line)}"
                                                                          for line in sv.columns[key]))
        st.caption("Les mêmes éléments que la diapositive « Depuis le dernier COPIL » du diaporama (page Exports).")

    st.subheader("Tous les engagements")
    blocks.table(v.all_rows, "engagements", src, key="eng_all", formats={"Référence": 1, "Cible": 1, "Dernière valeur": 1})

    # ------------------------------------------------------------------ one commitment
    st.subheader("Historique d'un engagement")
    chosen = st.selectbox("Engagement", list(v.choices), format_func=lambda i: v.choices[i], key="eng_pick")
    e = demo.read(view_mod.commitment, contrat, chosen, today)
    md = text.md_text    # user text: shown as typed, never interpreted
    st.markdown(f"**{md(e.title)}** — {md(e.signataire)} · "
                + " · ".join(f"{label} : {md(value)}" for label, value in e.facts[:3])
                + f" · statut : **{md(e.status_label)}**"
                + "".join(f" · {label} : {md(value)}" for label, value in e.facts[3:]))
    h1, h2 = st.columns([3, 2])
    with h1:
        blocks.chart(blocks.figure(ch.engagement_history, e.history, target=e.target, reference=e.reference, label=e.chart_label,
                                           source_line=src, demo=v.is_demo), f"historique-{e.code}", src,
                     key="eng_hist_chart")
    with h2:
        blocks.table(e.history_table, f"points-{e.code}", src, key="eng_hist_tab", formats={"Valeur": 1})

    mine = user.manages(contrat) or (user.is_partner and user.covers(contrat) and e.signataire == user.signataire)
    if mine:
        with st.form("eng_point", clear_on_submit=True):
            st.markdown(f"**Ajouter un point d'étape à {md(e.code)}**")
            p1, p2, p3 = st.columns(3)
            when = p1.date_input("Date", value=today, format="DD/MM/YYYY")
            statuses = view_mod.STATUS_CHOICES
            statut = p2.selectbox("Statut", list(statuses), format_func=statuses.get, index=list(statuses).index(e.statut))
            valeur = p3.number_input("Valeur constatée", value=None, step=1.0)
            commentaire = st.text_input("Commentaire")
            instance = st.selectbox("Instance", list(view_mod.INSTANCE_CHOICES), format_func=view_mod.INSTANCE_CHOICES.get)
            if st.form_submit_button("Enregistrer le point d'étape", type="primary"):
                try:
                    service.add_review(user, contrat, e.id, e.row_version, date=when, statut=statut, valeur=valeur,
                                       commentaire=commentaire, instance=instance, is_demo=e.is_demo)
                except (service.ConflictError, service.PermissionDenied, service.StoreError) as exc:
                    st.error(str(exc))       # the store's French message; nothing was written
                else:
                    demo.flash("success", f"Point d'étape du {text.date_text(when)} enregistré pour {md(e.code)}.")
                    st.rerun()

    elif user.authenticated:
        why = (f"votre compte partenaire ne modifie que les engagements de « {md(user.signataire)} »"
               if user.is_partner and user.covers(contrat) else "votre compte ne modifie pas ce contrat")
        st.caption(f"Engagement de « {md(e.signataire)} » : lecture seule ({why}).")

    if auth.can_edit(contrat):
        shown = v.rows if user.manages(contrat) else v.rows[v.rows["signataire"] == user.signataire]
        with st.expander(f"Modifier les engagements ({text.count_text(len(shown))} modifiables avec votre compte)",
                         icon=":material/edit:"):
            if shown.empty:
                st.caption("Aucun engagement de votre signataire dans ce contrat.")
            else:
                cols = ["code", "intitule", "referent", "statut", "echeance", "valeur_cible", "preuve"]
                full = demo.editable_rows(sc, "engagement", cols, ids=shown["id"].tolist(), order="code")
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
