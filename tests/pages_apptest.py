"""Helpers for the AppTest page tests: run a page of app.py with URL parameters, read its figures and
tables back from the element protos."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # AppTest's default (3 s) is too short for a cold page on 2 shared cores


def run_page(page: str, **params):
    """Run `pages/<page>.py` through app.py's navigation with query parameters; fail on any exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page != "accueil":
        at.switch_page(f"pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, "\n".join(f"{e.value}\n{''.join(e.stack_trace[-6:])}" for e in at.exception)
    return at


def figures(at) -> list[dict]:
    """Plotly figures of the page as dicts (data + layout), in page order."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def texts(at) -> str:
    """Every markdown, caption, header, metric and info text of the page, joined (for 'shows X' asserts), as a
    reader sees it: the backslash escapes of user text (presentation.text.md_text) rendered."""
    parts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return unescape_md("\n".join(parts))


def unescape_md(source: str) -> str:
    """Markdown source with its backslash escapes rendered (CommonMark: any ASCII punctuation), without the
    invisible word joiners that break autolinks."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source).replace("\u2060", "")


def table_display(el) -> pd.DataFrame:
    """What a st.dataframe shows: the Styler's formatted strings when there is one, else the data."""
    proto = el.proto.arrow_data
    if proto.HasField("styler") and proto.styler.display_values:
        from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

        return convert_arrow_bytes_to_pandas_df(proto.styler.display_values)
    return el.value


def all_tables(at) -> list[pd.DataFrame]:
    return [table_display(el) for el in at.dataframe]


def array(v) -> list:
    """A Plotly JSON array as a list (plotly ≥ 6 ships numeric arrays as base64 'bdata')."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v) if v is not None else []


def sources(at) -> list[str]:
    """The source lines shown under the page's charts and tables, in page order."""
    out = []
    for m in at.markdown:
        hit = re.search(r'<div class="obs-source">(.*?)</div>', str(m.value), re.S)
        if hit:
            out.append(hit.group(1))
    return out


def read_sigville(data_dir, file: str, column: str) -> dict[str, float | None]:
    """{code: value} of one column of a SIG Ville / Filosofi CSV, parsed independently of the loaders
    (';' separator, decimal comma, (narrow) no-break spaces as thousands separators, empty = None)."""
    import csv

    out = {}
    with open(Path(data_dir) / "sigville_qp2015" / file, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f, delimiter=";")
        header = [h.strip().lower() for h in next(rows)]
        j = header.index(column.lower())
        for row in rows:
            if not row or not row[0].startswith("QP"):
                continue
            raw = row[j].replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
            out[row[0]] = float(raw) if raw else None
    return out
