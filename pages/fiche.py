"""Fiche quartier, on the Val-de-Marne "2 pages" model.

Part 1: the quartier's indicators by theme, with statuses and national position. Part 2: the quartier
against its commune, EPCI, département, France and the Ensemble des QPV, and the evolution of the gap
(INSEE caveats). Then its twin quartiers, its contract and the State means of that contract.
The page renders presentation.fiche's view models (the same as the PDF fiche and the CLI's data).
"""
from __future__ import annotations

import streamlit as st

from charts import fiche as fiche_charts
from presentation import fiche as view
from presentation import share, text
from ui import blocks, common, export_buttons, pickers, state

common.page_setup("Fiche quartier")

# --------------------------------------------------------------------------- selection
code = pickers.quartier()
if not code:
    st.stop()
raw_ed = state.get("millesime")
edition = int(raw_ed) if raw_ed and str(raw_ed).isdigit() else None
v = common.shared(view.view, code, edition=edition)     # read only: one view for every session

# --------------------------------------------------------------------------- header
st.header(v.name)
st.markdown(" · ".join([f"**{text.md_text(v.facts[0])}**"] + [text.md_text(f) for f in v.facts[1:]]))
l1, l2, l3, _ = st.columns([1, 1.5, 1, 2])
l1.page_link("pages/barometre.py", label="Baromètre", icon=":material/traffic:", query_params={"quartier": code})
twin_codes = v.twins["table"]["Code"].tolist()
l2.page_link("pages/comparer.py", label="Comparer avec ses jumeaux", icon=":material/compare_arrows:",
             query_params={"selection": ",".join([code] + twin_codes)})
l3.page_link("pages/carte.py", label="Voir sur la carte", icon=":material/map:",
             query_params={"quartier": code, "generation": v.generation})
if v.crosswalk:      # the quartier(s) of the other geography (table de passage): their own fiches
    for col, c in zip(st.columns(min(len(v.crosswalk), 4)), v.crosswalk[:4]):
        col.page_link("pages/fiche.py", label=f"Fiche {v.other_generation} : {c['name']} ({c['code']})",
                      icon=":material/swap_horiz:", query_params={"quartier": c["code"]})
blocks.share(share.quartier_url(v.code), "la fiche de ce quartier")

if not v.themes:
    common.note("Aucun indicateur n'est disponible pour ce quartier"
                + (" : pas encore d'indicateurs INSEE pour la géographie 2024. Consultez la fiche du quartier "
                   "2015 correspondant ci-dessus (table de passage)." if v.generation == "2024" else "."))
else:
    ed_opts = ["dernier"] + [str(e) for e in sorted(set(v.editions) | ({edition} if edition else set()))][::-1]
    c1, _ = st.columns([2, 3])
    chosen = c1.selectbox("Millésime", ed_opts, index=ed_opts.index(str(edition)) if edition else 0,
                          format_func=lambda e: "Dernier millésime disponible pour chaque indicateur"
                          if e == "dernier" else f"{e} au plus tard", key="fiche_edition")
    if (chosen == "dernier") != (edition is None) or (chosen != "dernier" and str(edition) != chosen):
        state.set(millesime=None if chosen == "dernier" else chosen)
        st.rerun()

    # Key figures strip (what a COPIL slide starts with).
    figures = v.key_figures
    for col, k in zip(st.columns(len(figures) or 1), figures):
        col.metric(k["label"], k["value_text"], help=k["help"])

    # ----------------------------------------------------------------------- part 1
    st.subheader("1. Le quartier")
    st.caption("Valeur du quartier, millésime, et position parmi tous les quartiers de la même géographie "
               "(rang 1 = valeur la plus élevée ; percentile = part des quartiers ayant une valeur inférieure "
               "ou égale).")
    themes = v.themes
    for tab, th in zip(st.tabs([th["label"] for th in themes]), themes):
        with tab:
            blocks.table(th["table"], f"fiche-{code}-{th['theme']}", th["source_line"], formats={"Percentile": 0},
                         column_config={"Percentile": st.column_config.ProgressColumn(
                             "Percentile", min_value=0, max_value=100, format="%d")},
                         export_df=th["export"], key=f"tbl_fiche_{th['theme']}", height=38 + 35 * len(th["table"]))
            for line in th["imported_lines"]:
                common.source_caption(line)

    # ----------------------------------------------------------------------- part 2
    st.subheader("2. Le quartier et ses territoires de référence")
    if v.caveats:
        common.note(text.html_fragment("<b>Précautions de lecture</b><ul style='margin:0.2rem 0 0 0'>{}</ul>",
                                       text.Markup("").join(text.html_fragment("<li>{}</li>", c) for c in v.caveats)))
    refs = v.references
    if not refs["table"].empty:
        if refs["hidden"]:
            st.caption("Aucune valeur publiée pour : " + text.md_text(", ".join(refs["hidden"])) + ".")
        st.caption("Indicateurs pour lesquels au moins un territoire de référence a une valeur publiée "
                   "(« n.d. » : pas de valeur publiée pour ce territoire et ce millésime ; aucune substitution ; "
                   "entre parenthèses, le millésime de la référence quand il diffère de celui du quartier).")
        blocks.table(refs["table"], f"fiche-{code}-comparaisons", refs["source_line"], key="tbl_fiche_refs",
                     height=38 + 35 * len(refs["table"]),
                     column_config={"Indicateur": st.column_config.TextColumn("Indicateur", width=330)})

    ids, labels, default = v.detail

    @st.fragment
    def detail() -> None:
        """One indicator's bars and evolution: choosing another one reruns this part only."""
        choice = state.selectbox("Indicateur à détailler", ids, "detail", format_func=labels.get, default=default)
        d = common.shared(view.detail, code, choice, edition=edition)
        blocks.chart(blocks.figure(fiche_charts.detail_bars, d), f"fiche-{code}-{choice}-references", d.bars_source_line,
                     key=f"fiche_bars_{choice}")
        fig2 = blocks.figure(fiche_charts.detail_evolution, d)
        if fig2 is not None:
            blocks.chart(fig2, f"fiche-{code}-{choice}-evolution", d.evolution_source_line, key=f"fiche_evo_{choice}")
            if d.verdict:
                common.note(d.verdict)
        else:
            st.info("Pas de série comparable pour cet indicateur (un seul millésime publié).")

    if ids:
        detail()

# --------------------------------------------------------------------------- twins
st.subheader("3. Quartiers jumeaux")
twins = v.twins
if not twins["table"].empty:
    st.caption("Les quartiers de France les plus proches par leur profil (indicateurs standardisés, distance "
               "faible = profils proches) : un contrefactuel léger, des quartiers comparables ailleurs.")
    blocks.table(twins["table"], f"fiche-{code}-jumeaux", twins["source_line"], formats={"Distance": 2},
                 key="tbl_twins")
else:
    st.caption("Pas de quartier jumeau calculable (indicateurs insuffisants).")

# --------------------------------------------------------------------------- contract and State means
st.subheader("4. Contrat de ville et moyens de l'État")
if v.contrats:
    st.markdown("Contrat(s) de ville : " + " ; ".join(f"**{text.md_text(c.get('name'))}** ({text.md_text(c.get('code'))})"
                                                     for c in v.contrats))
if v.actions_2020:
    st.markdown("Actions financées au titre de la politique de la ville en 2020 : "
                + " ; ".join(f"**{text.count_text(a.get('n_projects'))}** ({text.md_text(a.get('contrat_code'))})"
                             for a in v.actions_2020))
means = v.means
if means["rows"].empty:
    st.caption("Aucun poste adulte-relais ni FONJEP rattaché à ce contrat dans les fichiers de l'ANCT.")
else:
    fig = blocks.figure(fiche_charts.means_chart, means["rows"], source_line=means["source_line"])
    blocks.chart(fig, f"fiche-{code}-moyens-etat", means["source_line"], key="fiche_means")
    blocks.table(means["table"], f"fiche-{code}-moyens-etat-tableau", means["source_line"], key="tbl_means")
    st.caption("Un poste compte une fois par année et par contrat, même quand le fichier le répète (FONJEP 2025). "
               "Les contrats passent des codes CV (2015-2023) aux codes CN (Engagements Quartiers 2030, "
               "2024-2025) ; 2025 semble partiel.")

# --------------------------------------------------------------------------- export
export_buttons.fiche_pdf_button(code, container=st.expander("Exporter la fiche en PDF (2 pages A4)",
                                                            icon=":material/picture_as_pdf:"))
