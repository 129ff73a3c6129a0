"""Display text shared by every renderer (pages, PPTX, PDF, XLSX, DOCX, CLI): THE decision « value or
status label », gaps, counts, euros, years and table cells. Nothing else formats a value for display.
"""
from __future__ import annotations

import decimal
import io
import math
import numbers
import re
import string
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape as _markup_escape

from observatoire import frformat, vocabulary

DASH = "—"                                   # an empty cell: never « None », « nan » or blank
APPROX = "≈ "                                # a value borrowed from another territory (2015 predecessor)


def value_text(value, status: str | None = "ok", unit: str | None = None, decimals: int | None = 1, *,
               short: bool = False, approx: bool = False) -> str:
    """The one place that decides what a reader sees for a value: `41,9 %`, `13 860 €`, `1 234`, or the
    status label (`secret statistique`, `non disponible`…; `short` gives the narrow placeholder) when the
    status forbids the number or the value is missing. A noisy value says so; `approx` prefixes « ≈ »."""
    status = status or "ok"
    if status not in vocabulary.shown_statuses() or frformat.is_missing(value):
        missing = status if status not in ("ok", "bruite") else "non_disponible"
        return (vocabulary.status_placeholder(missing) if short else vocabulary.status_label(missing)) or DASH
    txt = frformat.fmt_number(value, 1 if decimals is None else int(decimals), frformat.display_unit(unit))
    if status == "bruite":
        txt += f" ({vocabulary.status_placeholder('bruite')})"
    return (APPROX + txt) if approx else txt


@dataclass(frozen=True)
class Value:
    """One value as EVERY renderer shows it (page, PDF, deck, report, classeur, static site): `text` is the
    only string printed; the other fields say why (status, millésime, borrowed from 2015 predecessors,
    year different from the row's). Views put Values in their rows; renderers print `str(value)`."""
    text: str
    value: float | None = None
    status: str = "ok"
    year: int | None = None
    approx: bool = False
    other_year: bool = False

    def __str__(self) -> str:
        return self.text

    @property
    def shown(self) -> bool:
        return self.status in vocabulary.shown_statuses() and not frformat.is_missing(self.value)


def value_cell(value, status: str | None = "ok", unit: str | None = None, decimals: int | None = 1, *,
               year=None, row_year=None, approx: bool = False, short: bool = False) -> Value:
    """THE cell of a value: `value_text` (status label when hidden, « ≈ » when borrowed) followed by the
    value's millésime in brackets when it differs from the row's (« 22,0 % (2021) » for a commune's Filosofi
    2021 beside a quartier's 2019): the same string in every document."""
    status = status or "ok"
    txt = value_text(value, status, unit, decimals, short=short, approx=approx)
    year = None if frformat.is_missing(year) else int(year)
    other = (year is not None and not frformat.is_missing(row_year) and year != int(row_year)
             and status in vocabulary.shown_statuses() and not frformat.is_missing(value))
    if other:
        txt += f" ({year_text(year)})"
    return Value(txt, None if frformat.is_missing(value) else float(value), status, year, bool(approx), other)


def percentile_value(p) -> int | None:
    """THE rounding of a national percentile (the number behind percentile_text and the page's progress bar):
    rounded down, 99,6 → 99, so that only the highest value of all reads 100; None when missing."""
    return None if frformat.is_missing(p) else int(math.floor(float(p) + 1e-9))


def percentile_text(p) -> str:
    """A national percentile as every document prints it: whole number, rounded down (99,6 → « 99 »: only
    the highest value of all reads 100), « — » when missing."""
    v = percentile_value(p)
    return DASH if v is None else frformat.fmt_int(v)


def indicator_value_text(x: dict, *, short: bool = False) -> str:
    """value_text of a row that carries its own value, status, unit, decimals (and `approximation`)."""
    return value_text(x.get("value"), x.get("status"), x.get("unit"), x.get("decimals"), short=short,
                      approx=bool(x.get("approximation")))


def gap_text(gap, gap_kind: str | None, decimals: int | None = 1) -> str:
    """`+3,5 pts` for rates, `×0,70` for amounts; '' when there is no gap."""
    if frformat.is_missing(gap):
        return ""
    if gap_kind == "points":
        sign = "+" if gap > 0 else ("−" if gap < 0 else "±")
        return f"{sign}{frformat.fmt_number(abs(gap), max(1, int(decimals or 1)))} pt{'s' if abs(gap) >= 2 else ''}"
    if gap_kind == "ratio":
        return f"×{frformat.fmt_number(gap, 2)}"
    return ""


def plural_word(n, one: str, many: str | None = None) -> str:
    """The noun agreed with the count `n` in French: `one` up to 1, else `many` (default `one` + « s »)."""
    return one if frformat.is_missing(n) or abs(float(n)) < 2 else (many or one + "s")


def plural_text(n, one: str, many: str | None = None) -> str:
    """« 1 point d'étape », « 2 points d'étape », « 0 engagement »: a count and its noun agreed in French
    (singular up to 1), the count through count_text. `many` defaults to `one` + « s »."""
    return f"{count_text(n)} {plural_word(n, one, many)}"


def quartier_word(n) -> str:
    """« quartier prioritaire » / « quartiers prioritaires » agreed with `n` (the qpv level's label, plural)."""
    return plural_word(n, vocabulary.level_label("qpv").lower(), vocabulary.label("levels", "qpv", plural=True).lower())


def quartiers_text(n) -> str:
    """« 1 quartier prioritaire », « 12 quartiers prioritaires »."""
    return f"{count_text(n)} {quartier_word(n)}"


def capital(value: str) -> str:
    """The first letter in upper case, the rest as written: a vocabulary label at the head of a title or a
    sentence (« référentiel d'évaluation » → « Référentiel d'évaluation »)."""
    return value[:1].upper() + value[1:]


def points_text(x: float) -> str:
    """`3,5 points`, `1,0 point` (absolute value: the sentence says « de plus / de moins »)."""
    return f"{frformat.fmt_number(abs(x), 1)} point{'s' if abs(x) >= 2 else ''}"


def count_text(value) -> str:
    """A whole count (`1 234`), « — » when missing."""
    return DASH if frformat.is_missing(value) else frformat.fmt_int(value)


def quartier_count_text(counts: dict) -> str:
    """The quartiers of a territory, counted per geography and never added across them (a commune's 2015 and
    2024 quartiers are mostly the same places): « 12 quartiers prioritaires 2024 (12 en 2015) », « 1 quartier
    prioritaire 2015 », « aucun quartier prioritaire 2024 (2 en 2015) »; newest geography first."""
    gens = sorted((str(g) for g in counts), reverse=True)
    n = {g: int(counts[g] or 0) for g in gens}
    if not gens or not any(n.values()):
        return "aucun quartier prioritaire"

    def many(k: int) -> str:
        return "aucun" if k == 0 else count_text(k)

    first, s = gens[0], "s" if n[gens[0]] > 1 else ""
    head = f"{many(n[first])} quartier{s} prioritaire{s} {year_text(first)}"
    rest = ", ".join(f"{many(n[g])} en {year_text(g)}" for g in gens[1:])
    return f"{head} ({rest})" if rest else head


def eur_text(value) -> str:
    """Whole euros (`254 919 €`), « — » when missing."""
    return DASH if frformat.is_missing(value) else frformat.fmt_eur(value)


def year_text(value) -> str:
    """A millésime: `2019` (never `2 019`), « — » when missing."""
    return frformat.fmt_year(value) or DASH


def date_text(value) -> str:
    """`21/11/2026`, « — » when missing."""
    return frformat.fmt_date(value) or DASH


def cell_text(value, decimals: int = 1) -> str:
    """Any table cell as text: numbers the French way, missing as « — », everything else as written."""
    if frformat.is_missing(value) or value == "":
        return DASH
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, numbers.Integral):  # numpy integers from DataFrames too
        return frformat.fmt_int(value)
    if isinstance(value, (numbers.Real, decimal.Decimal)):  # DuckDB DECIMAL columns give Decimal
        return frformat.fmt_number(value, 0 if float(value).is_integer() else decimals)
    return str(value)


def level_name(level: str, name: str | None) -> str:
    """A reference territory in a legend: 'EPCI : CA du Bassin…', or just the level when the name repeats it
    ('Ensemble des QPV'). The evolution charts of the page (Plotly), the PDF (vectors) and the site say it so."""
    lab = vocabulary.level_label(level, short=True)
    if not name or str(name).strip().lower() in (lab.lower(), vocabulary.level_label(level).lower()):
        return lab
    return f"{lab} : {name}"


def label(kind: str, code, short: bool = False) -> str:
    """A vocabulary label for display (engagement status, theme, level…): internal codes never reach the
    screen; an empty code is « — »."""
    if frformat.is_missing(code) or code == "":
        return DASH
    return vocabulary.label(kind, code, short)


# --------------------------------------------------------------------------- text typed by users

# Every ASCII punctuation character, backslash-escaped (CommonMark renders `\x` as `x` for each of them): no link,
# image, tag, entity (`&lt;`), emphasis, heading, list (`- `, `1. `), table, math, Streamlit directive or emoji
# code (`:red[…]`, `:smile:`) can form.
_MD_SPECIAL = set(string.punctuation)
# GFM autolinks (`www.x.fr`, `http://…`, `a@b.fr`) are found by Streamlit's Markdown renderer in the text once
# its escapes are resolved: an invisible WORD JOINER (U+2060) after « www », before a « : » glued to what follows
# (`http://`, `javascript:`, `:red[`, `:smile:`) and before an « @ » between two word characters breaks them, and
# the text reads the same. French « : » (a space after it) is left alone: messages stay searchable as typed.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=www)(?=\.)|(?=:\S)|(?<=\w)(?=@\w)")


def _md(text: str) -> str:
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in _AUTOLINK.sub(WORD_JOINER, text))


def md_text(value) -> str:
    """Text from users (or from files: names, titles, verbatims, file names) made inert inside Markdown
    (st.markdown, st.error, captions, expander and tab labels): every ASCII punctuation character is
    backslash-escaped, and autolinks are broken by an invisible word joiner, so « [clic](javascript:…) »,
    « <img onerror=…> », « **x** », « &lt; », « www.x.fr » or « - atelier » are shown as typed, never
    interpreted. Missing → « — »."""
    if frformat.is_missing(value) or value == "":
        return DASH
    return _md(str(value)).replace("\n", " ")


def escape_html(value) -> Markup:
    """Text from users or files placed inside an HTML block: <, >, & and double quotes neutralised (French
    apostrophes stay readable: every attribute of the code is double-quoted). The result is a
    `markupsafe.Markup`, so the HTML sinks (ui.common.note, source_caption…) do not escape it twice. A Markup
    given in is kept as it is. Inside plain Markdown use md_text."""
    if isinstance(value, Markup):
        return value
    return Markup(str(_markup_escape("" if value is None else str(value))).replace("&#39;", "'"))


def html_fragment(template: str, *values) -> Markup:
    """A trusted HTML template of the code (a constant, double-quoted attributes) with its values escaped:
    `html_fragment("<b>{}</b> : {}", label, name)`. The one way to build HTML that mixes markup and text that is
    not a constant; a Markup value (another fragment) is inserted as it is."""
    return Markup(template).format(*(escape_html(v) for v in values))


def plotly_text(value) -> str:
    """Text from users or files (names, labels, units, titles, file names) placed in a Plotly figure: Plotly
    reads a small HTML of its own in every text it draws (<b>, <br>, <a href>, <span style>, and the entities
    &lt; &gt; &amp;), so &, < and > are written as entities and it draws them as typed. The figure's own markup
    is added around the escaped text by the chart. Missing → ""."""
    if value is None:
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SPACE_IN_NUMBER = re.compile(r"(?<=\d) (?=\d{3}\b)|(?<=\d) (?=[%€])|(?<=[≈×]) (?=[\d−+-])")
NO_BREAK = "\u00a0"


def nowrap_numbers(value: str) -> str:
    """Spaces inside an amount or a value (« 2 344 540 € », « 41,9 % », « ≈ 49,2 % ») made no-break, so
    that an office writer never breaks a number across two lines; the rest of the text wraps as before."""
    return _SPACE_IN_NUMBER.sub(NO_BREAK, value) if isinstance(value, str) else value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9 \u00a0\u202f]*([.,][0-9]+)?\s*(%|€)?$")


# Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR; U+FFFE, U+FFFF): an office file with one of
# them cannot be written (openpyxl and python-docx refuse the whole file) or is damaged.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def xml_text(value: str) -> str:
    """Text an office file (XLSX, DOCX, PPTX) can hold: each character XML 1.0 refuses (a row stored before the
    store's text rule) shown as « \ufffd », so the file is still written and the rest reads as typed."""
    return _XML_ILLEGAL.sub(REPLACEMENT, value) if _XML_ILLEGAL.search(value) else value


def spreadsheet_cell(value):
    """A cell written to CSV/XLSX: text starting with =, +, -, @ (or a tab/CR) is neutralised with a leading
    apostrophe so that Excel/LibreOffice show it as text instead of running it as a formula (CSV/formula
    injection); numbers, dates and plain signed numbers as text (« -3,5 ») are kept as they are. A control
    character XML cannot hold (a row stored before the store's text rule) is shown as « \ufffd »: the file is
    still written."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def spreadsheet_frame(df):
    """spreadsheet_cell over every text cell of a DataFrame (column names included); a copy."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype.kind == "O":          # object and pandas' str/string dtypes
            out[col] = out[col].map(spreadsheet_cell)
    out.columns = [spreadsheet_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def spreadsheet_csv(df, source_line: str | None = None) -> bytes:
    """A table as French CSV for spreadsheet programs (« ; », decimal comma, UTF-8 with BOM, CRLF), text cells
    neutralised (spreadsheet_frame); the source line, if any, after a blank line: the pages' downloads and the
    static site's alike."""
    buf = io.StringIO()
    spreadsheet_frame(df).to_csv(buf, sep=";", decimal=",", index=False, lineterminator="\r\n")
    if source_line:
        buf.write("\r\n" + source_line.replace(";", ",") + "\r\n")
    return buf.getvalue().encode("utf-8-sig")


def spreadsheet_workbook(wb) -> None:
    """spreadsheet_cell over every text cell of an openpyxl workbook, in place, just before it is saved."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    safe = spreadsheet_cell(cell.value)
                    if safe is not cell.value:
                        cell.value = safe
