"""Fiche quartier, on the Val-de-Marne "2 pages" model.

Part 1: the quartier's indicators by theme, with statuses and national position. Part 2: the quartier
against its commune, EPCI, département, France and the Ensemble des QPV, and the evolution of the gap
(INSEE caveats). Then its twin quartiers, its contract and the State means of that contract.
Everything comes from indicators.fiche / indicators.evolution (the same functions as the CLI and exports).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import fiche as fiche_charts
from charts.source import source_line
from indicators import evolution
from indicators import fiche as fiche_lib
from observatoire import frformat, vocabulary
from presentation import text
from ui import blocks, catalog, common, pickers, state

common.page_setup("Fiche quartier")

REF_ORDER = ["commune", "epci", "contrat_de_ville", "departement", "region", "france", "ensemble_qpv"]
REF_FR = {"commune": "Commune", "epci": "EPCI", "contrat_de_ville": "Contrat de ville",
          "departement": "Département", "region": "Région", "france": "France métro.",
          "ensemble_qpv": "Ensemble des QPV"}
KEY_FIGURES = ["pop", "tx_pauvrete", "rev_disp_median", "tx_emploi"]
DETAIL_DEFAULT = ["tx_pauvrete", "rev_disp_median", "tx_emploi", "part_alloc_rsa"]


def _names(x) -> str:
    if isinstance(x, dict):
        return x.get("name") or x.get("code") or ""
    if isinstance(x, (list, tuple)):
        return ", ".join(_names(i) for i in x)
    return str(x or "")


def _labels(items) -> str:
    """'Taux de pauvreté, Taux d'emploi' from the twins' similar_on / different_on lists."""
    if not isinstance(items, (list, tuple)):
        return str(items or "")
    return ", ".join(i.get("label", i.get("indicator_id", "")) if isinstance(i, dict) else str(i) for i in items)


def _verdict_text(comp: dict, decimals: int) -> str:
    """One sentence on the INSEE-compliant comparison: editions, value change, gap verdict."""
    txt = f"<b>{comp.get('label', '')}</b> : "
    vf, vt = comp.get("value_from"), comp.get("value_to")
    if vf is not None and vt is not None:
        txt += f"de {frformat.fmt_number(vf, decimals)} à {frformat.fmt_number(vt, decimals)}"
    verdict = comp.get("verdict")
    if verdict:
        gf, gt = comp.get("gap_from"), comp.get("gap_to")
        if comp.get("gap_kind") == "ratio":
            def fmt(g):
                return frformat.fmt_number(g, 2) + " fois"
        else:
            def fmt(g):
                return ("+" if g > 0 else "") + frformat.fmt_number(g, 1) + " pt"
        txt += (f" ; par rapport à {comp.get('reference_name')} : {vocabulary.term('verdicts', verdict).get('explained', verdict)}"
                + (f" ({fmt(gf)} puis {fmt(gt)}, tolérance {frformat.fmt_number(comp.get('tolerance'), 2)})"
                   if gf is not None and gt is not None else ""))
    elif comp.get("reference_name"):
        txt += f" ; pas d'écart comparable à {comp.get('reference_name')} aux deux millésimes"
    return txt + "."


# --------------------------------------------------------------------------- selection
code = pickers.quartier()
if not code:
    st.stop()
raw_ed = state.get("millesime")
edition = int(raw_ed) if raw_ed and str(raw_ed).isdigit() else None
data = common.run(fiche_lib.fiche, code, edition=edition)
terr = data["territory"]
generation = str(terr.get("generation") or "2015")
inds = pd.DataFrame(data.get("indicators") or [])
if not inds.empty:  # indicators with no edition at all (2024 geography) are not shown
    inds = inds[inds.edition.notna()].reset_index(drop=True)

# --------------------------------------------------------------------------- header
st.header(terr["name"])
facts = [f"**{terr['code']}**", f"géographie prioritaire {generation}"]
for key, lab in (("communes", "commune(s)"), ("epci", "EPCI"), ("contrat", "contrat de ville"),
                 ("departement", "département"), ("region", "région")):
    txt = _names(terr.get(key))
    if txt:
        facts.append(f"{lab} : {txt}")
if terr.get("crosswalk"):
    facts.append("quartier(s) " + ("2024" if generation == "2015" else "2015") + " correspondant(s) : "
                 + ", ".join(f"{c['name']} ({c['code']})" for c in terr["crosswalk"]))
st.markdown(" · ".join(facts))
l1, l2, l3, _ = st.columns([1, 1.5, 1, 2])
l1.page_link("pages/barometre.py", label="Baromètre", icon=":material/traffic:", query_params={"quartier": code})
twin_codes = [t["code"] for t in (data.get("twins") or [])]
l2.page_link("pages/comparer.py", label="Comparer avec ses jumeaux", icon=":material/compare_arrows:",
             query_params={"selection": ",".join([code] + twin_codes)})
l3.page_link("pages/carte.py", label="Voir sur la carte", icon=":material/map:",
             query_params={"quartier": code, "generation": generation})

if inds.empty:
    common.note("Aucun indicateur n'est disponible pour ce quartier"
                + (" : pas encore d'indicateurs INSEE pour la géographie 2024. Consultez la fiche du quartier "
                   "2015 correspondant ci-dessus (table de passage)." if generation == "2024" else "."))
else:
    cat = catalog.indicator_list().set_index("indicator_id")
    inds["source"] = [cat.source.get(i) for i in inds.indicator_id]
    inds["decimals"] = [int(cat.decimals.get(i, 1)) for i in inds.indicator_id]
    inds["value_text"] = [text.value_text(r.value, r.status, r.unit, r.decimals, approx=bool(r.approximation))
                          for r in inds.itertuples()]

    def _line(rows: pd.DataFrame, note: str | None = None) -> str:
        return catalog.line_for_many(rows.indicator_id, rows.edition.dropna().astype(int).tolist(), generation,
                                     note=note)

    editions_all = sorted({int(e) for e in inds.edition.dropna()})
    ed_opts = ["dernier"] + [str(e) for e in sorted(set(editions_all) | ({edition} if edition else set()))][::-1]
    c1, _ = st.columns([2, 3])
    chosen = c1.selectbox("Millésime", ed_opts, index=ed_opts.index(str(edition)) if edition else 0,
                          format_func=lambda e: "Dernier millésime disponible pour chaque indicateur"
                          if e == "dernier" else f"{e} au plus tard", key="fiche_edition")
    if (chosen == "dernier") != (edition is None) or (chosen != "dernier" and str(edition) != chosen):
        state.set(millesime=None if chosen == "dernier" else chosen)
        st.rerun()

    # Key figures strip (what a COPIL slide starts with).
    key = inds.set_index("indicator_id")
    cols = st.columns(len(KEY_FIGURES))
    for col, ind_id in zip(cols, KEY_FIGURES):
        if ind_id in key.index:
            r = key.loc[ind_id]
            short = cat.short_label.get(ind_id) or r.label
            col.metric(f"{short} ({int(r.edition)})", r.value_text,
                       help=f"{r.label} — fichier {r.source_file}, colonne {r.source_variable}"
                       if r.source_file else r.label)

    # ----------------------------------------------------------------------- part 1
    st.subheader("1. Le quartier")
    st.caption("Valeur du quartier, millésime, et position parmi tous les quartiers de la même géographie "
               "(rang 1 = valeur la plus élevée ; percentile = part des quartiers ayant une valeur inférieure "
               "ou égale).")
    themes = list(dict.fromkeys(inds.theme))
    tabs = st.tabs([vocabulary.theme_label(t) for t in themes])
    for tab, theme in zip(tabs, themes):
        with tab:
            g = inds[inds.theme == theme]
            table = pd.DataFrame({
                "Indicateur": g.label,
                "Valeur": g.value_text,
                "Millésime": g.edition.astype("Int64").astype(str),
                "Rang national": [f"{frformat.fmt_int(r.rank)} / {frformat.fmt_int(r.n)}"
                                  if pd.notna(r.rank) and pd.notna(r.n) else "" for r in g.itertuples()],
                "Percentile": g.percentile,
                "Statut": [vocabulary.status_label(s) for s in g.status],
            })
            export = pd.DataFrame({"indicateur": g.indicator_id, "libelle": g.label, "unite": g.unit,
                                   "millesime": g.edition, "valeur": g.value.where(g.status.isin(vocabulary.shown_statuses())),
                                   "statut": g.status, "rang": g["rank"], "nombre_quartiers": g["n"],
                                   "percentile": g.percentile, "fichier_source": g.source_file,
                                   "variable_source": g.source_variable})
            blocks.table(table, f"fiche-{code}-{theme}", _line(g), formats={"Percentile": 0},
                         column_config={"Percentile": st.column_config.ProgressColumn(
                             "Percentile", min_value=0, max_value=100, format="%d")},
                         export_df=export, key=f"tbl_fiche_{theme}", height=38 + 35 * len(table))

    # ----------------------------------------------------------------------- part 2
    st.subheader("2. Le quartier et ses territoires de référence")
    caveats = data.get("caveats") or []
    if caveats:
        common.note("<b>Précautions de lecture</b><ul style='margin:0.2rem 0 0 0'>"
                    + "".join(f"<li>{c}</li>" for c in caveats) + "</ul>")
    rows = []
    for r in inds.itertuples():
        refs = {ref.get("level"): ref for ref in (r.references or [])}
        if not any(ref.get("status") in vocabulary.shown_statuses() for ref in refs.values()):
            continue
        row = {"Indicateur": r.label, "Millésime": str(int(r.edition)), "Quartier": r.value_text}
        for lv in REF_ORDER:
            if lv in refs:
                ref = refs[lv]
                st_ = ref.get("status")
                row[REF_FR[lv]] = (text.value_text(ref.get("value"), st_, r.unit, r.decimals)
                                   if st_ in vocabulary.shown_statuses() or st_ == "secret" else "–")
        rows.append(row)
    if rows:
        comp = pd.DataFrame(rows)
        # Reference columns where nothing is published for this quartier are left out (said in the caption).
        shown_refs = [REF_FR[lv] for lv in REF_ORDER if REF_FR[lv] in comp.columns
                      and comp[REF_FR[lv]].map(lambda t: any(ch.isdigit() for ch in str(t))).any()]
        comp = comp.fillna("–")
        hidden = [REF_FR[lv] for lv in REF_ORDER if REF_FR[lv] not in shown_refs]
        comp = comp[["Indicateur", "Millésime", "Quartier"] + shown_refs]
        if hidden:
            st.caption("Aucune valeur publiée pour : " + ", ".join(h.lower() for h in hidden) + ".")
        st.caption("Indicateurs pour lesquels au moins un territoire de référence a une valeur publiée "
                   "(– : pas de valeur publiée pour ce territoire et ce millésime ; aucune substitution).")
        blocks.table(comp, f"fiche-{code}-comparaisons", _line(inds, "références : Filosofi (revenus) et SIG Ville"),
                     key="tbl_fiche_refs", height=38 + 35 * len(comp),
                     column_config={"Indicateur": st.column_config.TextColumn("Indicateur", width=330)})

    with_refs = inds[[any(ref.get("status") in vocabulary.shown_statuses() for ref in (refs or []))
                      for refs in inds.references]]
    if not with_refs.empty:
        ids = with_refs.indicator_id.tolist()
        default = next((i for i in DETAIL_DEFAULT if i in ids), ids[0])
        choice = st.selectbox("Indicateur à détailler", ids, index=ids.index(default),
                              format_func=dict(zip(with_refs.indicator_id, with_refs.label)).get,
                              key="fiche_detail")
        r = with_refs[with_refs.indicator_id == choice].iloc[0]
        bars = pd.DataFrame([{"level": "qpv", "name": terr["name"], "value": r.value, "status": r.status}]
                            + [{"level": ref.get("level"), "name": ref.get("name") or ref.get("code"),
                                "value": ref.get("value"), "status": ref.get("status") or "non_disponible"}
                               for ref in r.references])
        src = catalog.line_for(catalog.indicator(choice), int(r.edition), generation)
        fig = fiche_charts.reference_bars(bars, label=r.label, unit=r.unit, decimals=r.decimals,
                                          edition=int(r.edition), source_line=src)
        blocks.chart(fig, f"fiche-{code}-{choice}-references", src, key=f"fiche_bars_{choice}")

        evo = common.run(evolution.evolution, code, choice)
        series = pd.DataFrame(evo.get("series") or [])
        if len(series) > 1:
            names = {ref.get("level"): ref.get("name") for ref in r.references}
            rows_s = [{"edition": x.edition, "level": "qpv", "name": terr["name"], "value": x.value,
                       "status": x.status} for x in series.itertuples()]
            for level in ("epci", "departement", "france", "ensemble_qpv"):
                e = common.run(evolution.evolution, code, choice, reference=level)
                rows_s += [{"edition": x["edition"], "level": level, "name": names.get(level) or level,
                            "value": x.get("ref_value"), "status": x.get("ref_status") or "non_disponible"}
                           for x in e.get("series") or []]
            comp_ = evo.get("comparison") or {}
            compared = (comp_["from_edition"], comp_["to_edition"]) if comp_.get("from_edition") else None
            eds = sorted(series.edition.dropna().astype(int).unique())
            src_e = catalog.line_for(catalog.indicator(choice), eds, generation, with_files=False)
            fig2 = fiche_charts.gap_evolution(
                pd.DataFrame(rows_s), label=r.label, unit=r.unit, decimals=r.decimals, source_line=src_e,
                gaps=series[["edition", "gap"]], gap_kind=r.gap_kind or "points",
                gap_reference=evo.get("reference_name"), compared=compared)
            blocks.chart(fig2, f"fiche-{code}-{choice}-evolution", src_e, key=f"fiche_evo_{choice}")
            if comp_:
                common.note(_verdict_text(comp_, r.decimals))
        else:
            st.info("Pas de série comparable pour cet indicateur (un seul millésime publié).")

# --------------------------------------------------------------------------- twins
st.subheader("3. Quartiers jumeaux")
twins = data.get("twins") or []
if twins:
    tw = pd.DataFrame(twins)
    table = pd.DataFrame({
        "Quartier": tw.name, "Code": tw.code, "Commune(s)": tw.communes.map(_names),
        "Distance": tw.distance,
        "Semblable sur": tw.similar_on.map(_labels),
        "Différent sur": tw.different_on.map(_labels),
    })
    st.caption("Les quartiers de France les plus proches par leur profil (indicateurs standardisés, distance "
               "faible = profils proches) : un contrefactuel léger, des quartiers comparables ailleurs.")
    blocks.table(table, f"fiche-{code}-jumeaux",
                 source_line("INSEE, CNAF — SIG Ville (ANCT/ONPV)", None, generation, note="calcul Observatoire"),
                 formats={"Distance": 2}, key="tbl_twins")
else:
    st.caption("Pas de quartier jumeau calculable (indicateurs insuffisants).")

# --------------------------------------------------------------------------- contract and State means
st.subheader("4. Contrat de ville et moyens de l'État")
contrats = terr.get("contrats") or ([terr["contrat"]] if terr.get("contrat") else [])
if contrats:
    st.markdown("Contrat(s) de ville : " + " ; ".join(f"**{c.get('name')}** ({c.get('code')})" for c in contrats))
means = pd.DataFrame(data.get("means") or [])
actions = data.get("actions_2020") or []
if actions:
    st.markdown("Actions financées au titre de la politique de la ville en 2020 : "
                + " ; ".join(f"**{frformat.fmt_int(a.get('n_projects'))}** ({a.get('contrat_code')})" for a in actions))
if means.empty:
    st.caption("Aucun poste adulte-relais ni FONJEP rattaché à ce contrat dans les fichiers de l'ANCT.")
else:
    means["Dispositif"] = means.kind.map(vocabulary.labels("means_kinds")).fillna(means.kind)
    years = means.year.astype(int).tolist()
    src_m = source_line("ANCT — Ci.Ville (ASP : adultes-relais ; FONJEP)", years, None,
                        note="contrats " + ", ".join(sorted(means.contrat_code.unique())))
    fig = fiche_charts.means_chart(means, source_line=src_m)
    blocks.chart(fig, f"fiche-{code}-moyens-etat", src_m, key="fiche_means")
    table = pd.DataFrame({"Année": sorted(means.year.astype(int).unique())})
    for kind, lab in vocabulary.labels("means_kinds").items():
        m = means[means.kind == kind].groupby("year").agg(n=("n_posts", "sum"), a=("amount", "sum"))
        table[f"{lab} : postes"] = table["Année"].map(m.n).astype("Int64")
        table[f"{lab} : montant (€)"] = table["Année"].map(m.a)
    table["Contrat"] = table["Année"].map(means.groupby("year").contrat_code.first())
    table["Année"] = table["Année"].astype(str)
    blocks.table(table, f"fiche-{code}-moyens-etat-tableau", src_m,
                 formats={c: 0 for c in table.columns if c not in ("Année", "Contrat")}, key="tbl_means")
    st.caption("Un poste = une ligne des fichiers ASP / FONJEP de l'année. Les contrats passent des codes CV "
               "(2015-2023) aux codes CN (Engagements Quartiers 2030, 2024-2025) ; 2025 semble partiel.")

# --------------------------------------------------------------------------- export (ui/export_buttons.py)
from ui import export_buttons  # noqa: E402

export_buttons.fiche_pdf_button(code, container=st.expander("Exporter la fiche en PDF (2 pages A4)", icon=":material/picture_as_pdf:"))
