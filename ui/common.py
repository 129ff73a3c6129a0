"""Page set-up, cached warehouse access and French display helpers shared by every page.

The warehouse is opened once per process, read-only (st.cache_resource). Every cached query is keyed by
the warehouse file's path and modification time, so a rebuild (`python -m loaders build`, which swaps the
file atomically) is picked up by the next rerun without restarting the app.
"""
from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st
from markupsafe import Markup
from pandas.io.formats.style import Styler

from exports.site import style
from loaders import swap
from observatoire import db, frformat, settings, vocabulary
from presentation import text
from readers.text import norm
from ui import navigation
from ui.damaged import show_damaged

# Sober look for projection at a COPIL and for print: tighter top padding, visible source captions,
# no Streamlit chrome when printing (the Baromètre adds its own A4 rules). Colours only through the
# `--obs-…` variables generated from the vocabulary's palette (the static site's builder, exports/site/style.py).
_CSS = "<style>\n" + style.variables("obs-", vocabulary.codes("palette")) + """
.block-container {padding-top: 2.2rem; padding-bottom: 2rem;}
.obs-source {color: var(--obs-grey); font-size: 0.8rem; margin-top: -0.4rem; margin-bottom: 0.8rem;}
.obs-status {color: var(--obs-status-text); font-style: italic;}
.obs-note {background: var(--obs-note-background); border-left: 3px solid var(--obs-note-border);
           padding: 0.5rem 0.8rem; font-size: 0.9rem; margin: 0.4rem 0 0.8rem 0;}
/* Tables are downloaded through our CSV/XLSX buttons (French Excel format, source line inside), not the
   grid's own English CSV export. */
[data-testid="stElementToolbar"] button[aria-label="Download as CSV"],
[data-testid="stElementToolbar"] button[aria-label="Télécharger en CSV"] {display: none;}  /* ui/french.py */
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], .stDownloadButton, [data-testid="stStatusWidget"] {display: none !important;}
  .block-container {padding: 0 !important;}
}
</style>
"""


class WarehouseMissing(RuntimeError):
    pass


# --------------------------------------------------------------------------- warehouse access

def warehouse_stamp() -> tuple[str, int]:
    """(path, stamp) of the warehouse: part of every cache key, so a rebuilt or re-imported file is re-read.

    Builds and imports never write the served file: they swap a new one in (loaders/swap.py, os.replace).
    The stamp combines the modification time and the inode, so a swapped-in file is a new key even if two
    swaps fell within the file system's time resolution. 0 when there is no warehouse."""
    path = settings.db_path()
    try:
        st_ = path.stat()
    except FileNotFoundError:
        return str(path), 0
    return str(path), hash((st_.st_mtime_ns, st_.st_ino)) or 1


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, stamp: int):
    return db.connect_current(Path(path))       # reads the file now at `path`, not a cached older instance


@st.cache_resource(show_spinner=False)
def _remove_leftovers(path: str) -> list:
    """Once per process: scratch files that builds or imports killed earlier left beside the warehouse."""
    return swap.remove_leftovers(Path(path))


def connection():
    """The process-wide read-only connection to the current warehouse file (reopened after a swap)."""
    path, stamp = warehouse_stamp()
    if not stamp:
        raise WarehouseMissing(path)
    _remove_leftovers(path)
    try:
        return _connection(path, stamp)
    except db.WarehouseLocked as exc:
        st.error(str(exc))
        st.stop()
    except db.WarehouseDamaged as exc:
        show_damaged(exc)


@contextmanager
def cursor():
    """A per-call cursor: DuckDB connections must not be shared between Streamlit's session threads."""
    cur = db.cursor(connection())
    try:
        yield cur
    finally:
        cur.close()


_REGISTRY: dict[str, object] = {}


def function_name(func) -> str:
    """Cache identity of a function: page scripts all run as __main__, so the file is part of it."""
    code = getattr(func, "__code__", None)
    return f"{func.__module__}.{func.__qualname__}@{code.co_filename if code else ''}"


def _call(name: str, args: tuple, kwargs: dict):
    with cursor() as cur:
        return _REGISTRY[name](cur, *args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_call(name: str, stamp: tuple, args: tuple, kwargs: dict):
    return _call(name, args, kwargs)


def run(func, *args, **kwargs):
    """Call `func(con, *args, **kwargs)` (an indicators/ function) through the per-warehouse cache.

    Arguments must be hashable by Streamlit (str, int, tuple, list, dict). The result is a copy, so callers
    may mutate it freely.
    """
    return _through(_cached_call, func, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=512)
def _shared_call(name: str, stamp: tuple, args: tuple, kwargs: dict):
    return _call(name, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=24)
def _shared_large_call(name: str, stamp: tuple, args: tuple, kwargs: dict):
    return _call(name, args, kwargs)


def shared(func, *args, **kwargs):
    """`run` without the copy: the ONE result every session reads (st.cache_resource), for the views a page
    only reads (fiche, baromètre, Comparer). Unpickling a copy at every run cost up to 0.3 s (the national map's
    figure); the caller must never change what it gets."""
    return _through(_shared_call, func, args, kwargs)


def shared_large(func, *args, **kwargs):
    """`shared` for results of several megabytes (a map's figure): the 24 most recent are kept."""
    return _through(_shared_large_call, func, args, kwargs)


def _through(call, func, args: tuple, kwargs: dict):
    """`call` (one of the caches above) of `func` under the warehouse's stamp; a damaged file said in French."""
    name = function_name(func)
    _REGISTRY[name] = func
    try:
        return call(name, warehouse_stamp(), tuple(args), dict(kwargs))
    except Exception as exc:
        if db.is_damage(exc):
            show_damaged(exc)
        raise


_SCALARS = (str, int, float, bool, type(None), dt.date, tuple)


class SameObjects:
    """A small map from the objects a call received to its result, by identity (by value for scalars): views
    shared by `shared` and ui.demo.read are the same objects at every run, so a table or a figure made of them
    is found without hashing its frames' content (which cost a fifth of a fiche's run). Entries keep their
    objects alive, so an identity is never reused while its entry lives; the oldest entries go first."""

    def __init__(self, size: int = 512):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @staticmethod
    def _key(objs: tuple) -> tuple:
        return tuple(("v", type(o), o) if isinstance(o, _SCALARS) and _hashable(o) else ("i", id(o)) for o in objs)

    def get(self, objs: tuple):
        key = self._key(objs)
        with self._lock:
            entry = self._items.get(key)
            if entry is None or not all(a is b or k[0] == "v" for a, b, k in zip(entry[0], objs, key)):
                return None
            self._items.move_to_end(key)
            return entry[1]

    def put(self, objs: tuple, value) -> None:
        with self._lock:
            self._items[self._key(objs)] = (objs, value)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def _hashable(o) -> bool:
    try:
        hash(o)
    except TypeError:
        return False
    return True


@st.cache_data(show_spinner=False, max_entries=256)
def _memo_call(name: str, args: tuple, kwargs: dict):
    return _REGISTRY[name](*args, **kwargs)


def memo(func, *args, **kwargs):
    """Cache a pure computation that needs no connection (class breaks…), keyed by its arguments."""
    name = function_name(func)
    _REGISTRY[name] = func
    return _memo_call(name, tuple(args), dict(kwargs))


def cached(func):
    """Decorator form of `run` for small page-level helpers taking a connection first."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return run(func, *args, **kwargs)
    wrapper.uncached = func
    return wrapper



# --------------------------------------------------------------------------- page set-up

def page_setup(title: str, intro: str | None = None) -> None:
    """Title, house CSS, and a clear stop when there is no warehouse yet."""
    navigation.ensure()
    st.html(_CSS)
    if not warehouse_stamp()[1]:
        st.title(title)
        st.error(
            "L'entrepôt de données n'est pas encore construit "
            f"(`{settings.db_path()}`). Lancez `python -m loaders build` puis rechargez la page."
        )
        st.stop()
    st.title(title)
    if intro:
        st.caption(intro)


def md_escape(value) -> str:
    """Plain text shown inside st.markdown: file names like data_filo19_qp_revdis.csv stay as written, user
    text stays inert (presentation.text.md_text: the one escaping rule)."""
    return text.md_text(value)


def _html_block(css_class: str, content) -> None:
    """THE HTML sink of the pages: `content` is escaped unless it is a `markupsafe.Markup` built by the code
    (presentation.text.html_fragment); line breaks become <br> so that no blank line can end the HTML block
    and let Markdown (links, images) be interpreted after it."""
    body = text.escape_html(content) if not isinstance(content, Markup) else content
    body = Markup(str(body).replace("\r", "").replace("\n", "<br>"))
    st.markdown(Markup('<div class="{}">{}</div>').format(css_class, body), unsafe_allow_html=True)


def note(content) -> None:
    """A discreet framed note (INSEE caveats, 'Comment lire'): plain text (escaped) or a Markup fragment."""
    _html_block("obs-note", content)


def source_caption(content) -> None:
    """The source line under a chart or table: plain text (escaped: it holds file and survey names)."""
    _html_block("obs-source", content)


def how_to_read(content, expanded: bool = False) -> None:
    """« Comment lire » expander: plain text (escaped) or a Markup fragment of the code."""
    with st.expander("Comment lire", expanded=expanded):
        _html_block("obs-howto", content)


# --------------------------------------------------------------------------- French display

def fr_number_formatter(decimals: int = 1, unit: str | None = None):
    """Styler formatter: French number with unit, « — » when missing (never « None » / « nan »)."""
    def _fmt(v):
        return text.DASH if frformat.is_missing(v) else frformat.fmt_number(v, decimals, frformat.display_unit(unit))
    return _fmt


def _is_year_column(name) -> bool:
    return any(w in norm(str(name)).split() for w in ("annee", "millesime", "millesimes", "year", "edition", "exercice"))


def _rendered_once(styler: Styler) -> Styler:
    """The same Styler, rendering its cells once: st.dataframe calls `_compute()` and `_translate()` (pandas'
    rendering of every cell, the costly part of a table) at every run; these two, replaced on this instance
    only, keep their first result, so a table shared between runs (`styled`) costs only its transfer. They are
    the names Streamlit's own Styler support calls (streamlit/elements/lib/pandas_styler_utils.py); the object
    stays a plain Styler, as Streamlit checks its exact type."""
    compute, translate = styler._compute, styler._translate
    done: dict = {}

    def _compute():
        if "computed" not in done:
            compute()
            done["computed"] = True
        return styler

    def _translate(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in done:
            done[key] = translate(*args, **kwargs)
        return done[key]

    styler._compute, styler._translate = _compute, _translate
    styler._marshalled = None            # its marshalled form, kept by _marshall_kept at the first run
    return styler


def _marshall_kept(marshall_styler):
    """Streamlit's marshall_styler, keeping the result for a Styler of `_rendered_once`: after pandas' rendering,
    Streamlit turns the display values into an Arrow table and the styles into CSS at every run (a third of a
    fiche page's server time: nine tables). The result depends on the Styler alone (its uuid is set at the first
    run), so it is kept on the instance and copied into the next runs' protos. Other Stylers go through as
    before."""
    def marshall(proto, styler, default_uuid):
        kept = getattr(styler, "_marshalled", False)
        if kept is False:
            return marshall_styler(proto, styler, default_uuid)
        if kept is None:
            marshall_styler(proto, styler, default_uuid)
            styler._marshalled = proto.styler.SerializeToString()
        else:
            proto.styler.MergeFromString(kept)
        return None
    marshall.keeps = True
    return marshall


def _install_marshall_kept() -> None:
    """st.dataframe calls the name `marshall_styler` of streamlit.elements.arrow (Streamlit 1.67, pinned)."""
    from streamlit.elements import arrow

    if not getattr(arrow.marshall_styler, "keeps", False):
        arrow.marshall_styler = _marshall_kept(arrow.marshall_styler)


_install_marshall_kept()


@st.cache_resource(show_spinner=False, max_entries=1024)
def _styled(df: pd.DataFrame, formats: tuple) -> Styler:
    return _rendered_once(fr_styler(df, dict(formats)))


_STYLED = SameObjects()


def styled(df: pd.DataFrame, formats: dict | None = None) -> Styler:
    """`fr_styler` rendered once per table and formats, for every session: found by the frame's identity (a
    shared view's), else by its content (tables come from views cached per warehouse)."""
    spec = tuple(sorted((formats or {}).items()))
    found = _STYLED.get((df, spec))
    if found is None:
        found = _styled(df, spec)
        _STYLED.put((df, spec), found)
    return found


def fr_styler(df: pd.DataFrame, formats: dict[str, int | tuple[int, str | None]] | None = None):
    """A pandas Styler showing numbers the French way while keeping them numeric (sorting stays right).

    `formats` maps column -> decimals or (decimals, unit); other float columns get 1 decimal, ints 0.
    """
    formats = dict(formats or {})
    fmt = {}
    for col in df.columns:
        if col in formats:
            spec = formats[col]
            dec, unit = spec if isinstance(spec, tuple) else (spec, None)
            fmt[col] = fr_number_formatter(dec, unit)
        elif _is_year_column(col):
            fmt[col] = text.year_text
        elif pd.api.types.is_float_dtype(df[col]):
            fmt[col] = fr_number_formatter(1)
        elif pd.api.types.is_integer_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            fmt[col] = fr_number_formatter(0)
    # Streamlit draws a missing cell as a grey « None » whatever the Styler says: text columns get « — » in
    # their data; number columns keep NaN (sorting stays right) and the Styler's « — »
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object and col not in fmt:
            df[col] = df[col].map(lambda v: text.DASH if frformat.is_missing(v) else v)
    return df.style.format(fmt, na_rep=text.DASH)
