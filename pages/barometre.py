"""Baromètre: the élu's answer in 30 seconds. First screen on a phone (390×844): the quartier, one light and
one short line per key indicator, the date; details unfold below; prints on one A4 page. Content from the
view model presentation.barometre (the same as the fiche PDF and the COPIL deck)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import barometre as barometre_charts
from presentation import barometre as barometre_view
from presentation import share, text
from presentation.sources import OBSERVATORY
from presentation.text import html_fragment
from ui import blocks, common, downloads, pickers

common.page_setup("Baromètre du quartier")

st.html("""
<style>
.obs-baro {max-width: 860px;}
.obs-head {color: var(--obs-ink); font-size: 0.85rem; margin: -0.4rem 0 0.4rem 0;}
.obs-row {display: flex; gap: 0.55rem; align-items: flex-start; padding: 0.38rem 0;
          border-bottom: 1px solid var(--obs-grid); break-inside: avoid;}
.obs-chip {flex: 0 0 6.4rem; border-radius: 0.9rem; color: var(--obs-white); font-size: 0.78rem; font-weight: 700;
           padding: 0.18rem 0.4rem; text-align: center; white-space: nowrap;
           -webkit-print-color-adjust: exact; print-color-adjust: exact;}
.obs-line {flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; font-size: 0.92rem; line-height: 1.3;}
.obs-line b {color: var(--obs-navy);}
.obs-trend {display: inline-block; border-radius: 0.6rem; color: var(--obs-white); font-size: 0.7rem; font-weight: 700;
            padding: 0 0.35rem; margin-left: 0.2rem; -webkit-print-color-adjust: exact; print-color-adjust: exact;}
.obs-meta {color: var(--obs-rule); font-size: 0.78rem;}
.obs-verdict {font-size: 0.95rem; margin: 0.1rem 0 0.3rem 0;}
.obs-detail {padding: 0.4rem 0; border-bottom: 1px solid var(--obs-empty);}
.obs-printonly {display: none;}
@media (max-width: 640px) {
  /* below Streamlit's header bar (3.75rem high on a phone, it holds the menu button) */
  .block-container, [data-testid="stMainBlockContainer"] {padding: 4rem 0.6rem 1rem 0.6rem !important;}
  h1 {font-size: 1.25rem !important; padding: 0 !important;}
  h2 {font-size: 1.15rem !important; padding: 0.2rem 0 0 0 !important;}
  .obs-chip {flex-basis: 5.6rem; font-size: 0.72rem;}
  .obs-line {font-size: 0.86rem;}
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
  .obs-row {padding: 0.25rem 0;}
  .obs-line {font-size: 10pt;}
  h2 {font-size: 15pt !important; margin: 0 !important; padding: 0 !important;}
  .obs-source {font-size: 7pt;}
  .obs-printonly {display: block; font-size: 8pt; color: var(--obs-ink); border-bottom: 1px solid var(--obs-border);
                  margin-bottom: 0.2rem;}
}
</style>
""")

top, lights_box, details_box, picker_box = st.container(), st.container(), st.container(), st.container()
code = pickers.quartier(label="Changer de quartier", container=picker_box)
if not code:
    st.stop()
v = common.shared(barometre_view.view, code)   # read only: one view for every session


def chip(light, cls: str = "obs-chip", words: str | None = None):
    """Colour + symbol + word (never colour alone); `words` when the pill says more (« … depuis 2019 »)."""
    return html_fragment('<span class="{}" style="background:{}" title="{}">{}</span>', cls, light.color,
                         light.label, words or light.text)


with top:
    st.markdown(html_fragment('<div class="obs-printonly">Baromètre du quartier — {} — édité le {}</div>',
                              OBSERVATORY, v.date_text), unsafe_allow_html=True)
    st.markdown(f"## {text.md_text(v.name)}")
    where = " · ".join(b for b in (v.communes, v.code, f"édité le {v.date_text}") if b)
    st.markdown(html_fragment('<div class="obs-head">{}</div>', where), unsafe_allow_html=True)
    if v.items:
        st.markdown(html_fragment('<div class="obs-verdict">Par rapport aux références : <b>{}</b> '
                                  '<span class="obs-meta">(sur {} indicateurs clés)</span></div>',
                                  v.verdict, len(v.items)), unsafe_allow_html=True)

with lights_box:
    if not v.items:
        common.note(v.empty_message or "")
        st.stop()
    rows = []
    for it in v.items:
        # the trend is said once, in its pill (« ● stable depuis 2019 »); without a trend light, in the line
        trend = chip(it.trend, "obs-trend", it.trend_text) if it.trend.code else ""
        label, _, rest = (it.position if it.trend.code else it.line).partition(" : ")
        rows.append(html_fragment('<div class="obs-row">{}<div class="obs-line"><b>{}</b> : {}{}</div></div>',
                                  chip(it.light), label, rest, trend))
    st.markdown(html_fragment('<div class="obs-baro">{}</div>', text.Markup("").join(rows)), unsafe_allow_html=True)
    meta = [f"Millésimes {v.millesimes}" if v.millesimes else "", v.approximation or ""]
    st.markdown(html_fragment('<div class="obs-meta">{}</div>', " · ".join(m for m in meta if m)),
                unsafe_allow_html=True)
    common.source_caption(v.source_line)

with details_box:
    with st.expander("Détails : phrases complètes, évolutions, écarts et tolérances"):
        parts = []
        for it in v.items:
            bits = [html_fragment("<b>{}</b> ({}) : {}", it.label, it.edition or "—", it.sentence),
                    html_fragment("{} {}", chip(it.trend, "obs-trend"), it.trend_sentence)]
            bits += [html_fragment('<span class="obs-meta">{}</span>', d) for d in it.details]
            parts.append(html_fragment('<div class="obs-detail">{}</div>', text.Markup("<br>").join(bits)))
        st.markdown(text.Markup("").join(parts), unsafe_allow_html=True)
        st.markdown(text.md_text(barometre_view.reading_note()))
    with st.expander("Télécharger (image, tableau)"):
        st.caption("Imprimer : Ctrl+P (une page A4).")
        def lights_figure():
            """Drawn when a button is clicked (the page itself shows the lights in HTML)."""
            df = pd.DataFrame([{"indicator_id": it.indicator_id, "label": it.short_label, "value_text": it.value_text,
                                "light": it.light.code, "light_trend": it.trend.code, "sentence": it.line,
                                "value": it.value, "edition": it.edition} for it in v.items])
            return barometre_charts.lights_figure(df, title=f"Baromètre — {v.name} ({v.code})",
                                                  source_line=v.source_line)
        downloads.chart_downloads(lights_figure, f"barometre-{v.code}", v.source_line, key="baro_fig")
        export = pd.DataFrame({"indicateur": [it.label for it in v.items],
                               "valeur": [it.value_text for it in v.items],
                               "millesime": [text.year_text(it.edition) for it in v.items],
                               "par_rapport_aux_references": [it.light.label for it in v.items],
                               "evolution": [it.trend.label for it in v.items],
                               "ligne": [it.line for it in v.items],
                               "phrase": [it.sentence for it in v.items]})
        downloads.table_downloads(export, f"barometre-{v.code}-tableau", v.source_line, key="baro_tbl")
    blocks.share(share.quartier_url(v.code), "ce baromètre")
