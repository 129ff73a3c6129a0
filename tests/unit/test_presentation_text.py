"""presentation/text.py: THE « value or status label » decision and the other display texts, for every value
status of the vocabulary. No database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from observatoire import vocabulary
from presentation.text import (
    DASH,
    WORD_JOINER,
    cell_text,
    count_text,
    date_text,
    escape_html,
    md_text,
    eur_text,
    gap_text,
    label,
    points_text,
    value_text,
    year_text,
)

MISSING = [None, float("nan"), np.nan, pd.NA, pd.NaT]


def test_value_text_for_every_status_of_the_vocabulary():
    statuses = vocabulary.codes("value_statuses")
    assert {"ok", "bruite", "secret", "non_disponible", "absent"} <= set(statuses)
    for status in statuses:
        t = vocabulary.term("value_statuses", status)
        long, short = value_text(41.9, status, "%"), value_text(41.9, status, "%", short=True)
        if t.get("shown"):
            assert long.startswith("41,9 %") and short.startswith("41,9 %"), status
        else:
            # the number is never shown; the sentence label, or the narrow placeholder in table cells
            assert long == t["label"] and short == t["placeholder"], status
            assert "41" not in long + short


def test_value_text_statuses_read_as_french():
    assert value_text(41.9, "secret", "%") == "secret statistique"
    assert value_text(41.9, "secret", "%", short=True) == "secret"
    assert value_text(41.9, "non_disponible", short=True) == "n.d."
    assert value_text(41.9, "absent") == "non publié dans ce millésime"
    assert value_text(41.9, "bruite", "%") == "41,9 % (bruitée)"


@pytest.mark.parametrize("missing", MISSING)
def test_a_missing_value_is_never_a_number_nor_none(missing):
    assert value_text(missing) == "non disponible"
    assert value_text(missing, "ok", "%", short=True) == "n.d."
    assert value_text(missing, "bruite") == "non disponible"      # nothing to flag as noisy
    assert value_text(missing, "secret") == "secret statistique"  # the status still says why


def test_value_text_units_decimals_and_approximation():
    assert value_text(41.9, None, "%") == "41,9 %"                 # no status = ok
    assert value_text(14190, "ok", "€", 0) == "14 190 €"
    assert value_text(14190, "ok", "€", 0, approx=True) == "≈ 14 190 €"
    assert value_text(6490, "ok", "hab.", 0) == "6 490 hab."
    assert value_text(0.5, "ok", "indice", None) == "0,5"          # decimals None = 1; indices carry no unit
    assert value_text(-0.04, "ok", "%") == "0,0 %"                 # never « -0,0 »


def test_gap_text_points_and_ratio():
    assert gap_text(41.9 - 43.6, "points") == "−1,7 pt"     # QP001001 poverty rate vs Ensemble des QPV 2019
    assert gap_text(3.46, "points") == "+3,5 pts"
    assert gap_text(0.0, "points") == "±0,0 pt"
    assert gap_text(14190 / 22260, "ratio") == "×0,64"      # QP001001 median vs its EPCI (FILO2019 Q219)
    for missing in MISSING:
        assert gap_text(missing, "points") == ""
    assert gap_text(2.0, "none") == "" and gap_text(2.0, None) == ""
    assert points_text(-3.46) == "3,5 points" and points_text(1.0) == "1,0 point"


def test_years_are_never_grouped():
    for year in (2019, 2019.0, "2019", np.int64(2019)):
        assert year_text(year) == "2019"
    assert year_text(None) == DASH and year_text(float("nan")) == DASH


@pytest.mark.parametrize("missing", MISSING + [""])
def test_cell_text_never_says_none_or_nan(missing):
    assert cell_text(missing) == DASH


def test_cell_text_numbers_the_french_way():
    assert cell_text(1234) == "1 234" and cell_text(np.int64(1234)) == "1 234"
    assert cell_text(3.0) == "3" and cell_text(np.float64(3.14159)) == "3,1" and cell_text(3.14159, 2) == "3,14"
    assert cell_text(Decimal("1234.5")) == "1 234,5"       # DuckDB DECIMAL columns
    assert cell_text(True) == "oui" and cell_text(np.bool_(False)) == "non"
    assert cell_text("Croix Blanche") == "Croix Blanche"


def test_counts_euros_dates():
    assert count_text(6490) == "6 490" and count_text(None) == DASH and count_text(pd.NA) == DASH
    assert eur_text(254919) == "254 919 €" and eur_text(float("nan")) == DASH
    assert date_text(dt.date(2026, 11, 21)) == "21/11/2026" and date_text("2026-11-21") == "21/11/2026"
    assert date_text(None) == DASH


def test_label_of_vocabulary_codes():
    assert label("levels", "epci") == "Intercommunalité (EPCI)"
    assert label("levels", "epci", short=True) == "EPCI"
    assert label("levels", None) == DASH and label("levels", "") == DASH and label("levels", float("nan")) == DASH


def test_escape_html_neutralises_markup_inside_html_blocks():
    # Inside an HTML block Markdown is not interpreted: only <, >, & and quotes need escaping (a backslash
    # would be shown as is, e.g. « export\\_occitanie.csv »).
    assert escape_html("<b>a*b_c</b> & \"x\" l'eau") == "&lt;b&gt;a*b_c&lt;/b&gt; &amp; &#34;x&#34; l'eau"
    assert escape_html(12) == "12"


def test_md_text_neutralises_markdown():
    wj = WORD_JOINER
    assert md_text("[lien](javascript:x) #titre `code` |t| ~s~ $m$") == (
        f"\\[lien\\]\\(javascript{wj}\\:x\\) \\#titre \\`code\\` \\|t\\| \\~s\\~ \\$m\\$")
    # what the payload crawl found interpreted on pages (tests/test_payload_crawl.py): GFM autolinks (found by
    # Streamlit's renderer after the escapes are resolved: broken by an invisible word joiner), entities, list
    # markers, Streamlit's colour directives and emoji codes
    assert md_text("www.x.invalid/p http://x.invalid a@b.fr") == (
        f"www{wj}\\.x\\.invalid\\/p http{wj}\\:\\/\\/x\\.invalid a{wj}\\@b\\.fr")
    assert md_text("&lt;b&gt; &#60;") == "\\&lt\\;b\\&gt\\; \\&\\#60\\;"
    assert md_text("- atelier") == "\\- atelier" and md_text("1. point") == "1\\. point"
    assert md_text(":red[x]") == f"{wj}\\:red\\[x\\]"
    assert md_text("Import enregistré : 3 lignes") == "Import enregistré \\: 3 lignes"   # French « : »: no joiner
    assert md_text("Élan, l'été") == "Élan\\, l\\'été"          # letters untouched; every escape renders as typed


def test_html_fragment_escapes_its_values_and_keeps_nested_fragments():
    from presentation.text import html_fragment
    inner = html_fragment("<i>{}</i>", "<img src=x onerror=alert(1)>")
    out = html_fragment('<div title="{}"><b>{}</b>{}</div>', 'a"b', "Saint-Ouen-l'Aumône <svg/onload=x>", inner)
    assert str(out) == ('<div title="a&#34;b"><b>Saint-Ouen-l\'Aumône &lt;svg/onload=x&gt;</b>'
                        '<i>&lt;img src=x onerror=alert(1)&gt;</i></div>')


def test_ui_html_sinks_escape_plain_text(monkeypatch):
    # ui.common.note / source_caption are THE HTML sinks of the pages: plain text is escaped, line breaks
    # cannot end the HTML block (a blank line would let Markdown links and images be interpreted after it)
    import streamlit as st
    from ui import common
    shown = []
    monkeypatch.setattr(st, "markdown", lambda body, **kw: shown.append((str(body), kw)))
    common.source_caption("enquête <img src=http://evil/x.png>\n\n![](http://evil/y.png)")
    common.note(escape_html("déjà échappé <b>"))
    assert shown[0][0] == ('<div class="obs-source">enquête &lt;img src=http://evil/x.png&gt;<br><br>'
                           '![](http://evil/y.png)</div>')
    assert shown[1][0] == '<div class="obs-note">déjà échappé &lt;b&gt;</div>'
    assert all(kw == {"unsafe_allow_html": True} for _, kw in shown)


def test_value_cell_is_the_one_string_of_a_value():
    from presentation.text import percentile_text, value_cell
    # Toulouse's Filosofi 2021 poverty rate beside Grand Mirail's 2019 value: the year in brackets
    c = value_cell(22.0, "ok", "%", 1, year=2021, row_year=2019)
    assert str(c) == "22,0 % (2021)" and c.other_year and c.shown
    assert str(value_cell(1.8, "ok", "indice", 1, year=2019, row_year=2019, approx=True)) == "≈ 1,8"
    hidden = value_cell(None, "secret", "%", 1, year=2021, row_year=2019)
    assert str(hidden) == "secret statistique" and not hidden.other_year and not hidden.shown
    assert percentile_text(99.6) == "99" and percentile_text(100.0) == "100" and percentile_text(None) == DASH
