"""Display blocks used by every page: a chart or a table followed by its source line and download buttons."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts.source import SOURCE_NAME, figure_source
from presentation import share as share_view
from presentation import text
from ui import common, downloads, french

# Plotly toolbar: no "edit in chart studio" or cloud links; French toolbar tooltips and dates through Plotly's
# own locale option (ui/french.py); number separators come from the figure.
PLOTLY_CONFIG = french.plotly_config(displaylogo=False, modeBarButtonsToRemove=["sendDataToCloud", "lasso2d"],
                                     toImageButtonOptions={"format": "png", "scale": 2})


def chart(fig: go.Figure, basename: str, source_line: str | None, *, key: str | None = None,
          on_select="ignore", selection_mode=("points",), height: int | None = None,
          export_width: int | None = None, export_height: int | None = None, downloads_: bool = True):
    """Show `fig` (its source line is inside the figure) and its PNG/SVG buttons. Returns the selection
    state when `on_select` is set."""
    kwargs = {}
    if on_select != "ignore":
        kwargs = {"on_select": on_select, "selection_mode": selection_mode}
    # On screen the source line is an HTML caption under the chart (it wraps with the column width and
    # is never pushed off by long axis labels); the PNG/SVG files keep it inside the image.
    line = figure_source(fig) or source_line
    saved = [a.to_plotly_json() for a in fig.layout.annotations or []]
    fig.layout.annotations = [a for a in saved if a.get("name") != SOURCE_NAME]
    try:
        event = st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG, theme=None, **kwargs)
    finally:
        fig.layout.annotations = saved  # the caller's figure keeps its source line (exports)
    if line:
        common.source_caption(line)
    if downloads_:
        downloads.chart_downloads(fig, basename, source_line, key=key, width=export_width,
                                  height=export_height)
    return event


def table(df: pd.DataFrame, basename: str, source_line: str | None, *, formats: dict | None = None,
          column_config: dict | None = None, key: str | None = None, height="auto",
          export_df: pd.DataFrame | None = None, hide_index: bool = True, caption: bool = True,
          downloads_: bool = True) -> None:
    """A French-formatted table, its source line, and CSV/XLSX buttons (`export_df` if the file should
    differ from what is shown, e.g. raw numbers instead of labels). An empty table is said in words."""
    if df.empty:
        st.caption("Aucune ligne pour cette sélection.")
        return
    st.dataframe(common.fr_styler(df, formats), hide_index=hide_index, column_config=column_config,
                 key=key, height=height, width="stretch")
    if caption and source_line:
        common.source_caption(source_line)
    if downloads_:
        decimals = {}
        for col, spec in (formats or {}).items():
            decimals[col] = spec[0] if isinstance(spec, tuple) else spec
        downloads.table_downloads(export_df if export_df is not None else df, basename, source_line,
                                  decimals=decimals, key=key)


def share(url: str | None, what: str, *, container=None) -> None:
    """« Partager »: the public address of this quartier's page on the observatoire's static site
    (presentation.share, from OBSERVATOIRE_SITE_URL) in a field made to be copied, and its QR code for a
    printed page or a screen; nothing at all when no site is published (`url` None)."""
    if not url:
        return
    with (container or st).expander("Partager", icon=":material/share:"):
        st.caption(f"Adresse publique de {text.md_text(what)}, sur le site de l'observatoire (sans connexion) : à copier "
                   "dans un message, ou le QR code à imprimer.")
        st.code(url, language=None, wrap_lines=True)
        st.image(share_view.qr_png(url), width=180, caption="QR code de cette adresse")
