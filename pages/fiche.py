"""Fiche quartier, on the Val-de-Marne "2 pages" model.

Part 1: the quartier's indicators by theme, with statuses and national position. Part 2: the quartier
against its commune, EPCI, département, France and the Ensemble des QPV, and the evolution of the gap
(INSEE caveats). Then its twin quartiers, its contract and the State means of that contract.
Everything comes from indicators.fiche (the same function as the CLI and the exports).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import fiche as fiche_charts
from charts.source import source_line
from indicators import fiche as fiche_lib
from indicators.secret import SHOWN_STATUSES
from observatoire import frformat
from ui import blocks, catalog, common, pickers, state

common.page_setup("Fiche quartier")

REF_ORDER = ["commune", "epci", "contrat_de_ville", "departement", "region", "france", "ensemble_qpv"]
REF_FR = {"commune": "Commune", "epci": "EPCI", "contrat_de_ville": "Contrat de ville",
          "departement": "Département", "region": "Région", "france": "France métro.",
          "ensemble_qpv": "Ensemble des QPV"}

code = pickers.quartier()
if not code:
    st.stop()
edition_choice = state.get("millesime")
edition = int(edition_choice) if edition_choice and edition_choice.isdigit() else None
data = common.run(fiche_lib.fiche, code, edition=edition)
terr = data["territory"]
generation = str(terr.get("generation") or "2015")
inds = pd.DataFrame(data.get("indicators") or [])


def _names(x) -> str:
    if isinstance(x, dict):
        return x.get("name") or x.get("code") or ""
    if isinstance(x, (list, tuple)):
        return ", ".join(_names(i) for i in x)
    return str(x or "")


# --------------------------------------------------------------------------- header
st.header(f"{terr['name']}")
facts = [f"**{terr['code']}**", f"géographie prioritaire {generation}"]
for key, lab in (("communes", "commune(s)"), ("epci", "EPCI"), ("contrat", "contrat de ville"),
                 ("departement", "département"), ("region", "région")):
    txt = _names(terr.get(key))
    if txt:
        facts.append(f"{lab} : {txt}")
st.markdown(" · ".join(facts))
l1, l2, l3, _ = st.columns([1, 1.4, 1, 2])
l1.page_link("pages/barometre.py", label="Baromètre", icon=":material/traffic:", query_params={"quartier": code})
twin_codes = [t["code"] for t in (data.get("twins") or [])]
l2.page_link("pages/comparer.py", label="Comparer avec ses jumeaux", icon=":material/compare_arrows:",
             query_params={"selection": ",".join([code] + twin_codes)})
l3.page_link("pages/carte.py", label="Carte", icon=":material/map:",
             query_params={"quartier": code, "generation": generation})

if inds.empty:
    common.note(f"Aucun indicateur n'est disponible pour ce quartier "
                + ("(pas encore d'indicateurs INSEE pour la géographie 2024)." if generation == "2024" else "."))

editions_all = sorted({int(e) for e in inds.get("edition", pd.Series(dtype=float)).dropna()})
ed_opts = ["dernier"] + [str(e) for e in sorted(set(editions_all) | ({edition} if edition else set()))][::-1]
chosen = st.selectbox("Millésime", ed_opts, index=ed_opts.index(str(edition)) if edition else 0,
                      format_func=lambda e: "Dernier millésime disponible pour chaque indicateur" if e == "dernier"
                      else f"Millésime {e}", key="fiche_edition")
if (chosen == "dernier" and edition is not None) or (chosen != "dernier" and str(edition) != chosen):
    state.set(millesime=None if chosen == "dernier" else chosen)
    st.rerun()

for cav in data.get("caveats") or []:
    common.note(cav if isinstance(cav, str) else str(cav.get("text", cav)))

if not inds.empty:
    inds["value_text"] = [common.fmt_value(r.value, r.status, r.unit, int(r.decimals or 1) if "decimals" in inds
                                           and pd.notna(r.decimals) else 1) for r in inds.itertuples()]
    srcs = catalog.indicator_list().set_index("indicator_id")
    inds["source"] = [srcs.source.get(i) for i in inds.indicator_id]
    inds["decimals"] = [int(srcs.decimals.get(i, 1)) for i in inds.indicator_id]
    inds["value_text"] = [common.fmt_value(r.value, r.status, r.unit, r.decimals) for r in inds.itertuples()]
    producers = catalog.source_producers()

    def _line(rows: pd.DataFrame, note: str | None = None) -> str:
        prods = list(dict.fromkeys(producers.get(s, s) for s in rows.source.dropna()))
        return source_line(prods, rows.edition.dropna().astype(int).tolist(), generation, note=note)

    # ----------------------------------------------------------------------- part 1
    st.subheader("1. Le quartier")
    st.caption("Valeur du quartier, millésime, et position parmi tous les quartiers de la même géographie "
               "(rang 1 = valeur la plus élevée).")
    themes = list(dict.fromkeys(inds.theme))
    tabs = st.tabs([catalog.theme_label(t) for t in themes])
    for tab, theme in zip(tabs, themes):
        with tab:
            g = inds[inds.theme == theme]
            table = pd.DataFrame({
                "Indicateur": g.label,
                "Valeur": g.value_text,
                "Millésime": g.edition.astype("Int64").astype(str),
                "Position nationale": [
                    (f"{int(r.rank)} / {int(r.n)}" if pd.notna(r.rank) and pd.notna(r.n) else "")
                    for r in g.itertuples()] if "rank" in g else "",
                "Percentile": g.percentile if "percentile" in g else None,
                "Statut": [common.status_label(s) for s in g.status],
            })
            export = pd.DataFrame({"indicateur": g.indicator_id, "libelle": g.label, "unite": g.unit,
                                   "millesime": g.edition, "valeur": g.value.where(g.status.isin(SHOWN_STATUSES)),
                                   "statut": g.status, "rang": g.get("rank"), "nombre_quartiers": g.get("n"),
                                   "percentile": g.get("percentile"),
                                   "fichier_source": g.get("source_file"), "variable_source": g.get("source_variable")})
            blocks.table(table, f"fiche-{code}-{theme}", _line(g), formats={"Percentile": 0},
                         column_config={"Percentile": st.column_config.ProgressColumn(
                             "Percentile", min_value=0, max_value=100, format="%d")},
                         export_df=export, key=f"tbl_fiche_{theme}")

    # ----------------------------------------------------------------------- part 2
    st.subheader("2. Le quartier et ses territoires de référence")
    rows = []
    for r in inds.itertuples():
        row = {"Indicateur": r.label, "Millésime": str(int(r.edition)) if pd.notna(r.edition) else "",
               "Quartier": r.value_text}
        for ref in (r.references or []):
            lv = ref.get("level")
            if lv in REF_FR and REF_FR[lv] not in row:
                row[REF_FR[lv]] = common.fmt_value(ref.get("value"), ref.get("status"), r.unit, r.decimals)
        rows.append(row)
    comp = pd.DataFrame(rows)
    cols = ["Indicateur", "Millésime", "Quartier"] + [REF_FR[lv] for lv in REF_ORDER if REF_FR[lv] in comp]
    comp = comp[cols].fillna("—")
    blocks.table(comp, f"fiche-{code}-comparaisons", _line(inds, "références : Filosofi (revenus) et SIG Ville"),
                 key="tbl_fiche_refs")

    with_refs = inds[[any((ref.get("status") in SHOWN_STATUSES) for ref in (refs or []))
                      for refs in inds.references]]
    if not with_refs.empty:
        choice = st.selectbox("Indicateur à détailler", with_refs.indicator_id.tolist(),
                              format_func=dict(zip(with_refs.indicator_id, with_refs.label)).get,
                              key="fiche_detail")
        r = with_refs[with_refs.indicator_id == choice].iloc[0]
        bars = pd.DataFrame([{"level": "qpv", "name": terr["name"], "value": r.value, "status": r.status}]
                            + [{"level": ref.get("level"), "name": ref.get("name") or ref.get("code"),
                                "value": ref.get("value"), "status": ref.get("status") or "non_disponible"}
                               for ref in r.references])
        src = _line(with_refs[with_refs.indicator_id == choice])
        c1, c2 = st.columns(2)
        with c1:
            fig = fiche_charts.reference_bars(bars, label=r.label, unit=r.unit, decimals=r.decimals,
                                              edition=int(r.edition), source_line=src)
            blocks.chart(fig, f"fiche-{code}-{choice}-references", src, key=f"fiche_bars_{choice}")
        with c2:
            evo = data.get("evolution", {}).get(choice) if isinstance(data.get("evolution"), dict) else None
            if evo is None:
                from indicators import evolution as evo_lib
                evo = common.run(evo_lib.series, code, choice)
            series = pd.DataFrame(evo.get("series") if isinstance(evo, dict) else evo)
            if len(series):
                eds = sorted(series.edition.dropna().astype(int).unique())
                caveat = evo.get("caveat") if isinstance(evo, dict) else None
                src_e = _line(pd.DataFrame({"source": [r.source], "edition": eds}))
                fig2 = fiche_charts.gap_evolution(series, label=r.label, unit=r.unit, decimals=r.decimals,
                                                  source_line=src_e, caveat=caveat)
                blocks.chart(fig2, f"fiche-{code}-{choice}-evolution", src_e, key=f"fiche_evo_{choice}")
                if isinstance(evo, dict) and evo.get("verdict"):
                    common.note(evo["verdict"])
            else:
                st.info("Pas de série comparable pour cet indicateur.")

# --------------------------------------------------------------------------- twins
st.subheader("Quartiers jumeaux")
twins = data.get("twins") or []
if twins:
    tw = pd.DataFrame(twins)
    table = pd.DataFrame({
        "Quartier": tw.name, "Code": tw.code,
        "Commune(s)": tw.get("communes", pd.Series([""] * len(tw))).map(_names),
        "Distance": tw.distance,
        "Semblable sur": tw.similar_on.map(lambda x: ", ".join(map(str, x)) if isinstance(x, list) else str(x or "")),
        "Différent sur": tw.different_on.map(lambda x: ", ".join(map(str, x)) if isinstance(x, list) else str(x or "")),
    })
    st.caption("Les quartiers de France les plus proches par leur profil (indicateurs standardisés). "
               "Un contrefactuel léger : des quartiers comparables, ailleurs.")
    blocks.table(table, f"fiche-{code}-jumeaux", source_line("INSEE, CNAF — SIG Ville (ANCT/ONPV)", None, generation,
                                                             note="calcul Observatoire"),
                 formats={"Distance": 2}, key="tbl_twins")
else:
    st.caption("Pas de quartier jumeau calculable (indicateurs insuffisants).")

# --------------------------------------------------------------------------- contract and State means
st.subheader("Contrat de ville et moyens de l'État")
contrat = terr.get("contrat")
means = pd.DataFrame(data.get("means") or [])
if contrat:
    st.markdown(f"Contrat de ville : **{_names(contrat)}**"
                + (f" ({contrat.get('code')})" if isinstance(contrat, dict) and contrat.get("code") else ""))
if means.empty:
    st.caption("Aucun poste adulte-relais ni FONJEP rattaché à ce contrat dans les fichiers de l'ANCT.")
else:
    kinds = {"adulte_relais": "Adultes-relais", "fonjep": "Postes FONJEP"}
    means["Dispositif"] = means.kind.map(kinds).fillna(means.kind)
    src_m = source_line("ANCT — Ci.Ville (ASP, FONJEP)", means.year.astype(int).tolist(), None)
    fig = fiche_charts.means_chart(means, source_line=src_m)
    blocks.chart(fig, f"fiche-{code}-moyens-etat", src_m, key="fiche_means")
    table = means.pivot_table(index="year", columns="Dispositif", values=["n_posts", "amount"], aggfunc="sum")
    table.columns = [f"{d} — {'postes' if m == 'n_posts' else 'montant (€)'}" for m, d in table.columns]
    table = table.reset_index().rename(columns={"year": "Année"})
    table["Année"] = table["Année"].astype(str)
    blocks.table(table, f"fiche-{code}-moyens-etat-tableau", src_m,
                 formats={c: 0 for c in table.columns if c != "Année"}, key="tbl_means")
    st.caption("2025 semble partiel dans les fichiers publiés. Les postes FONJEP 2024-2025 sans code de "
               "contrat ne sont pas comptés.")
