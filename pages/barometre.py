"""Baromètre: one screen per quartier for an élu. Traffic lights against the commune (or EPCI) and against
an earlier comparable edition, one plain sentence per indicator; readable at 390 px, printable on one A4."""
from __future__ import annotations

import datetime
import html
import re

import pandas as pd
import streamlit as st

from charts import barometre as barometre_charts
from indicators import barometre as barometre_lib
from observatoire import frformat, vocabulary
from ui import catalog, common, downloads, pickers
from presentation import text

common.page_setup("Baromètre du quartier")

st.html("""
<style>
.obs-baro {max-width: 860px;}
.obs-row {display: flex; gap: 0.7rem; align-items: flex-start; padding: 0.55rem 0;
          border-bottom: 1px solid #e3e7ec; break-inside: avoid;}
.obs-lights {display: flex; gap: 0.3rem; flex: 0 0 auto;}
.obs-light {width: 2.1rem; height: 2.1rem; border-radius: 50%; color: white; font-size: 0.95rem;
            display: flex; align-items: center; justify-content: center; font-weight: 700;}
.obs-text {flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere;}
.obs-label {font-weight: 600;}
.obs-value {font-weight: 700; color: #1f4e79; white-space: nowrap;}
.obs-sentence {color: #33404d; font-size: 0.95rem;}
.obs-meta {color: #6b7785; font-size: 0.78rem;}
.obs-legend {display: flex; flex-wrap: wrap; gap: 0.9rem; font-size: 0.85rem; margin: 0.3rem 0 0.6rem 0;}
.obs-legend span {display: inline-flex; align-items: center; gap: 0.3rem;}
.obs-dot {width: 0.9rem; height: 0.9rem; border-radius: 50%; display: inline-block;}
.obs-printonly {display: none;}
@media (max-width: 640px) {
  .block-container {padding-left: 0.7rem !important; padding-right: 0.7rem !important;}
  .obs-light {width: 1.8rem; height: 1.8rem; font-size: 0.8rem;}
  h1 {font-size: 1.6rem !important;}
}
@media print {
  @page {size: A4 portrait; margin: 9mm 10mm;}
  html {font-size: 11px !important;}
  [data-testid="stSidebar"], [data-testid="stHeader"], header, [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stExpander"], [data-testid="stSelectbox"],
  [data-testid="stPageLink"], [data-testid="stCaptionContainer"], [data-testid="stElementToolbar"],
  .obs-noprint, iframe, h1 {display: none !important;}
  .block-container, [data-testid="stMainBlockContainer"] {padding: 0 !important; max-width: 100% !important;}
  [data-testid="stVerticalBlock"] {gap: 0.25rem !important;}
  .obs-baro {max-width: 100%;}
  .obs-row {padding: 0.2rem 0;}
  .obs-sentence {font-size: 9pt; line-height: 1.25;}
  .obs-meta {font-size: 7pt; line-height: 1.2;}
  .obs-label, .obs-value {font-size: 9.5pt;}
  .obs-light {width: 1.45rem; height: 1.45rem; font-size: 0.7rem;
              -webkit-print-color-adjust: exact; print-color-adjust: exact;}
  .obs-dot {-webkit-print-color-adjust: exact; print-color-adjust: exact;}
  h2 {font-size: 15pt !important; margin: 0 !important; padding: 0 !important;}
  .obs-source {font-size: 7pt;}
  .obs-printonly {display: block; font-size: 8pt; color: #4a5560; border-bottom: 1px solid #c8ced6;
                  margin-bottom: 0.2rem;}
}
</style>
""")

code = pickers.quartier(label="Quartier")
if not code:
    st.stop()
items = common.run(barometre_lib.barometre, code)
names = pickers.quartier_options()
row = names[names.code == code].iloc[0]
generation = str(row.generation)

st.markdown(f'<div class="obs-printonly">Baromètre du quartier — Observatoire des contrats de ville — '
            f'édité le {frformat.fmt_date(datetime.date.today())}</div>', unsafe_allow_html=True)
st.markdown(f"## {html.escape(row['name'])}")
st.markdown(f"{code} · {row.communes if isinstance(row.communes, str) else ''} · géographie prioritaire {generation}")

if all(it.get("edition") is None for it in items):  # nothing published at all for this quartier
    items = []
if not items:
    common.note("Pas de baromètre pour ce quartier : "
                + ("pas encore d'indicateurs INSEE pour la géographie 2024." if generation == "2024"
                   else "aucun indicateur clé n'a de valeur publiée."))
    st.stop()


legend = "".join(
    f'<span><i class="obs-dot" style="background:{s["color"]}"></i>{s["symbol"]} {s["label"]}</span>'
    for k, s in vocabulary.terms("lights").items() if k in ("mieux", "comparable", "moins_bien"))
st.markdown(f'<div class="obs-legend">{legend}<span class="obs-meta">1er feu : par rapport à la commune, '
            f'à l\'agglomération ou, à défaut, à l\'ensemble des quartiers prioritaires · 2e feu : évolution depuis '
            f'un millésime antérieur non consécutif</span></div>',
            unsafe_allow_html=True)

rows_html = []
table_rows = []
cat = catalog.indicator_list().set_index("indicator_id")
for it in items:
    ind_id = it.get("indicator_id")
    unit = it.get("unit") or cat.unit.get(ind_id)
    dec = int(cat.decimals.get(ind_id, 1)) if ind_id in cat.index else 1
    label = it.get("label") or cat.label.get(ind_id, ind_id)
    value_text = text.value_text(it.get("value"), it.get("status", "ok"), unit, dec,
                                 approx=bool(it.get("approximation")))
    l1 = vocabulary.light(it.get("light"))
    trend = it.get("evolution") or {}
    l2 = vocabulary.light(trend.get("light"))
    sentence = it.get("sentence") or ""
    # The library's sentence ends with "(Référence : … ; note)": shown apart, in the small print.
    sentence = re.sub(r"\s*\(Référence : .*\)\s*$", "", sentence)
    t_sentence = trend.get("sentence") or ""
    meta_bits = [f"valeur {it['edition']}" if it.get("edition") else "",
                 (f"comparaison {it['millesime']} avec {'l’ensemble des QPV' if it.get('reference_level') == 'ensemble_qpv' else it['reference_name']}"
                  if it.get("reference_name") and it.get("millesime") else ""),
                 f"tolérance ± {frformat.fmt_number(it['tolerance'], 2 if it['tolerance'] < 1 else 1)}"
                 + (" point" if it.get("gap_kind") == "points" else "")
                 if it.get("tolerance") not in (None, "") else "",
                 it.get("reference_note") or ""]
    rows_html.append(
        f'<div class="obs-row"><div class="obs-lights">'
        f'<div class="obs-light" style="background:{l1["color"]}" title="{l1["label"]}">{l1["symbol"]}</div>'
        f'<div class="obs-light" style="background:{l2["color"]}" title="{l2["label"]}">{l2["symbol"]}</div>'
        f'</div><div class="obs-text"><span class="obs-label">{html.escape(label)}</span> : '
        f'<span class="obs-value">{html.escape(value_text)}</span><br>'
        f'<span class="obs-sentence">{html.escape(sentence)}'
        f'{(" " + html.escape(t_sentence)) if t_sentence else ""}</span><br>'
        f'<span class="obs-meta">{html.escape(" · ".join(b for b in meta_bits if b))}</span></div></div>')
    table_rows.append({"indicator_id": ind_id, "label": label, "value_text": value_text,
                       "light": it.get("light"), "light_trend": trend.get("light"),
                       "sentence": (sentence + (" " + t_sentence if t_sentence else "")).strip(),
                       "value": it.get("value"), "edition": it.get("edition") or it.get("millesime")})
counts = {k: sum(1 for t in table_rows if t["light"] == k) for k in ("mieux", "comparable", "moins_bien")}
st.markdown(
    f"**En bref** : par rapport aux territoires de référence, {counts['mieux']} indicateur(s) "
    f"{vocabulary.light('mieux')['symbol']} mieux, {counts['comparable']} comparable(s), "
    f"{counts['moins_bien']} {vocabulary.light('moins_bien')['symbol']} moins bien "
    f"(sur {len(table_rows)} indicateurs clés).")
st.markdown('<div class="obs-baro">' + "".join(rows_html) + "</div>", unsafe_allow_html=True)

df = pd.DataFrame(table_rows)
src = catalog.line_for_many([i for i in df.indicator_id if i in cat.index], df.edition.dropna().astype(int).tolist(),
                            generation)
common.source_caption(src)

with st.container():
    st.markdown('<div class="obs-noprint"></div>', unsafe_allow_html=True)
    st.caption("Imprimer : Ctrl+P (une page A4). Télécharger :")
    fig = barometre_charts.lights_figure(df, title=f"Baromètre — {row['name']} ({code})", source_line=src)
    downloads.chart_downloads(fig, f"barometre-{code}", src, key="baro_fig")
    export = pd.DataFrame({"indicateur": df.indicator_id, "libelle": df.label, "valeur": df.value,
                           "millesime": df.edition, "feu_commune": df.light, "feu_evolution": df.light_trend,
                           "phrase": df.sentence})
    downloads.table_downloads(export, f"barometre-{code}-tableau", src, key="baro_tbl")
common.how_to_read(
    "Le premier feu compare le quartier à sa commune (ou à son agglomération quand la commune n'a pas de "
    "valeur) ; le second compare le quartier à lui-même quelques années plus tôt. « Comparable » signifie "
    "un écart inférieur à la tolérance indiquée. Conformément aux recommandations de l'INSEE, l'évolution "
    "n'est jamais mesurée entre deux millésimes consécutifs.")
