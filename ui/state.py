"""The current selection lives in the URL (st.query_params), so copying the address reproduces the view.

Parameters (French, readable in a shared link):
  quartier    territory code (QP001001, QN01301M…)
  indicateur  indicator id of the catalogue
  millesime   edition year
  generation  '2015' | '2024'
  selection   comma-separated quartier codes (Comparer)
  zone        map frame: FR, R<région>, D<département> (Carte)
  methode     map classes: quantiles | jenks (Carte)
  classes     number of map classes: 4 | 5 | 6 (Carte)
  recherche   search text (Accueil)
The sidebar navigation drops query parameters when changing page; the last value of each parameter is
also kept in the session ("sticky"), and written back to the URL by the page that uses it.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import streamlit as st

PARAMS = ("quartier", "indicateur", "millesime", "generation", "selection", "zone", "methode", "classes", "recherche")
_STICKY = "_obs_sticky"


def _sticky() -> dict:
    return st.session_state.setdefault(_STICKY, {})


def get(param: str, default: str | None = None) -> str | None:
    """URL value, else the last value used in this session, else `default`."""
    value = st.query_params.get(param)
    if value not in (None, ""):
        return value
    value = _sticky().get(param)
    return value if value not in (None, "") else default


def get_list(param: str) -> list[str]:
    raw = get(param) or ""
    return [v for v in (s.strip() for s in raw.split(",")) if v]


def set(**values: Any) -> None:  # noqa: A001 - mirrors st.query_params vocabulary
    """Write values into the URL (None removes the parameter). Lists are comma-joined."""
    for param, value in values.items():
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        if value in (None, ""):
            if param in st.query_params:
                del st.query_params[param]
            _sticky().pop(param, None)
            continue
        value = str(value)
        if st.query_params.get(param) != value:
            st.query_params[param] = value
        _sticky()[param] = value


def selectbox(label: str, options: Iterable, param: str, *, format_func: Callable = str,
              default: Any = None, container=None, help: str | None = None, cast: Callable = str,
              key: str | None = None, on_change: Callable | None = None) -> Any:
    """A select box bound to a URL parameter: initialised from the URL, and writing its choice back.

    `cast` turns the URL text back into an option (e.g. int for editions). `on_change` runs only when the
    user changes the widget (not when a link changes the URL): the place to reset choices that depend on it.
    """
    return _choice("selectbox", label, options, param, format_func=format_func, default=default,
                   container=container, help=help, cast=cast, key=key, on_change=on_change)


def radio(label: str, options: Iterable, param: str, *, format_func: Callable = str, default: Any = None,
          container=None, help: str | None = None, cast: Callable = str, key: str | None = None,
          horizontal: bool = False) -> Any:
    """Radio buttons bound to a URL parameter (same rules as selectbox)."""
    return _choice("radio", label, options, param, format_func=format_func, default=default, container=container,
                   help=help, cast=cast, key=key, horizontal=horizontal)


def _choice(widget: str, label: str, options: Iterable, param: str, *, format_func: Callable, default: Any,
            container, help: str | None, cast: Callable, key: str | None, **extra) -> Any:
    options = list(options)
    if not options:
        return None
    container = container or st
    key = key or f"url_{param}"
    last_key = f"_last_url_{key}"
    raw = get(param)
    try:
        current = cast(raw) if raw is not None else None
    except (TypeError, ValueError):
        current = None
    if current not in options:
        current = default if default in options else options[0]
    # Sync the widget from the URL when the URL changed from outside (a link, switch_page, a new tab);
    # a change made with the widget itself leaves `last_key` equal to the URL value.
    if key not in st.session_state or st.session_state[key] not in options \
            or st.session_state.get(last_key) != current:
        st.session_state[key] = current
    value = getattr(container, widget)(label, options, key=key, format_func=format_func, help=help, **extra)
    st.session_state[last_key] = value
    set(**{param: value})
    return value


def multiselect(label: str, options: Iterable, param: str, *, format_func: Callable = str,
                default: list | None = None, container=None, max_selections: int | None = None,
                help: str | None = None, key: str | None = None) -> list:
    """A multiselect bound to a comma-separated URL parameter."""
    options = list(options)
    container = container or st
    key = key or f"url_{param}"
    last_key = f"_last_url_{key}"
    current = [v for v in get_list(param) if v in options] or [v for v in (default or []) if v in options]
    if max_selections:
        current = current[:max_selections]
    if key not in st.session_state or st.session_state.get(last_key) != current \
            or any(v not in options for v in st.session_state[key]):
        st.session_state[key] = current
    value = container.multiselect(label, options, key=key, format_func=format_func,
                                  max_selections=max_selections, help=help, placeholder="Choisir…")
    st.session_state[last_key] = list(value)
    set(**{param: list(value)})
    return list(value)


def page_link_params(**values: Any) -> dict:
    """Query parameters for st.page_link / st.switch_page (lists comma-joined, None dropped)."""
    out = {}
    for k, v in values.items():
        if v in (None, "", []):
            continue
        out[k] = ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    return out


def toggle(label: str, param: str, *, default: bool = False, container=None, help: str | None = None,
           key: str | None = None) -> bool:
    """An on/off switch bound to a URL parameter ('1' when on, absent when off)."""
    container = container or st
    key = key or f"url_{param}"
    last_key = f"_last_url_{key}"
    raw = get(param)
    current = default if raw is None else raw in ("1", "oui", "true")
    if key not in st.session_state or st.session_state.get(last_key) != current:
        st.session_state[key] = current
    value = bool(container.toggle(label, key=key, help=help))
    st.session_state[last_key] = value
    set(**{param: "1" if value else None})
    return value
