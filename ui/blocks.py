"""Display blocks used by every page: a chart or a table followed by its source line and download buttons.

Server time (issue 21): a figure is drawn once per view, not at every run. `figure(builder, *args)` calls a
charts/ builder through a cache shared by every session (keyed by the builder and its arguments, which come
from views cached per warehouse) and returns a `Drawn`: the figure (for the PNG/SVG buttons, with its source
line inside) and its screen version already reduced to the dict Streamlit sends, so that st.plotly_chart
neither copies nor validates it again. Tables keep their French Styler, rendered once per table content.
"""
from __future__ import annotations

from dataclasses import dataclass

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


class _ScreenFigure(go.Figure):
    """A figure whose plain dict was made once: st.plotly_chart asks a figure for `to_dict()` (a deep copy of
    every trace, ~0.3 s for the national map) before encoding it; this one hands the stored dict, which
    Streamlit only reads."""

    def __init__(self, spec: dict):
        super().__init__()
        self._obs_spec = spec

    def to_dict(self) -> dict:
        return self._obs_spec


@dataclass(frozen=True)
class Drawn:
    """A figure drawn once and shared by every session (never mutated): `figure` for the downloads (its
    source line inside), `screen` for st.plotly_chart (source line shown as an HTML caption instead)."""
    figure: go.Figure
    screen: go.Figure
    source_line: str | None


def drawn(fig: go.Figure) -> Drawn:
    """The Drawn of a figure (its screen dict made now: call it inside a cache, e.g. through `figure`)."""
    line = figure_source(fig)
    spec = fig.to_dict()
    layout = spec.setdefault("layout", {})
    layout["annotations"] = [a for a in layout.get("annotations", []) if a.get("name") != SOURCE_NAME]
    return Drawn(fig, _ScreenFigure(spec), line)


_BUILDERS: dict[str, object] = {}


@st.cache_resource(show_spinner=False, max_entries=1024)
def _drawn_call(name: str, args: tuple, kwargs: dict) -> Drawn | None:
    fig = _BUILDERS[name](*args, **kwargs)
    return None if fig is None else drawn(fig)


_DRAWN = common.SameObjects()


def figure(builder, *args, **kwargs) -> Drawn | None:
    """`builder(*args, **kwargs)` (a charts/ function) drawn once for the same arguments, for every session
    (None when the builder has no figure to draw): found by the arguments' identity (shared views), else by
    their content."""
    objs = (builder, *args, *kwargs.keys(), *kwargs.values())
    found = _DRAWN.get(objs)
    if found is None:
        name = common.function_name(builder)
        _BUILDERS[name] = builder
        found = _drawn_call(name, args, kwargs)
        _DRAWN.put(objs, found)
    return found


def chart(fig: go.Figure | Drawn, basename: str, source_line: str | None, *, key: str | None = None,
          on_select="ignore", selection_mode=("points",), height: int | None = None,
          export_width: int | None = None, export_height: int | None = None, downloads_: bool = True):
    """Show `fig` (its source line is inside the figure; a `Drawn` from `figure` costs no drawing) and its
    PNG/SVG buttons. Returns the selection state when `on_select` is set."""
    kwargs = {}
    if on_select != "ignore":
        kwargs = {"on_select": on_select, "selection_mode": selection_mode}
    # On screen the source line is an HTML caption under the chart (it wraps with the column width and
    # is never pushed off by long axis labels); the PNG/SVG files keep it inside the image.
    if not isinstance(fig, Drawn):
        fig = drawn(fig)
    line = fig.source_line or source_line
    event = st.plotly_chart(fig.screen, key=key, config=PLOTLY_CONFIG, theme=None, **kwargs)
    if line:
        common.source_caption(line)
    if downloads_:
        downloads.chart_downloads(fig.figure, basename, source_line, key=key, width=export_width,
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
    st.dataframe(common.styled(df, formats), hide_index=hide_index, column_config=column_config,
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
