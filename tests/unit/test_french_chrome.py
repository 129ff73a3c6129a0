"""ui/french.py: the French of Streamlit's and Plotly's own texts (the browser behaviour is checked by
tests/test_browser_french.py). Here: the Plotly locale, the translation table against the installed Streamlit
(a renamed string after an upgrade shows up here first) and the script that carries the table. No database."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import streamlit

from ui import french


@pytest.fixture(scope="module")
def bundle() -> str:
    """Streamlit's frontend bundle, as installed (the English strings it draws are constants in it)."""
    static = Path(streamlit.__file__).parent / "static"
    return "".join(p.read_text(encoding="utf-8", errors="ignore") for p in static.rglob("*.js"))


def test_plotly_locale_in_french_with_cldr_dates():
    loc = french.plotly_locale()
    assert loc["dictionary"]["Download plot as a PNG"] == "Télécharger le graphique en PNG"
    assert loc["dictionary"]["Reset axes"] == "Réinitialiser les axes"
    assert loc["dictionary"]["Autoscale"] == "Échelle automatique" and loc["dictionary"]["Pan"] == "Déplacer"
    fmt = loc["format"]
    assert fmt["months"][0] == "janvier" and fmt["shortMonths"][1] == "févr." and len(fmt["months"]) == 12
    assert fmt["days"][0] == "dimanche" and fmt["shortDays"][1] == "lun."      # d3 starts weeks on Sunday
    assert (fmt["decimal"], fmt["date"]) == (",", "%d/%m/%Y")
    config = french.plotly_config(displaylogo=False)
    assert config["locale"] == "fr" and config["locales"]["fr"] is loc and config["displaylogo"] is False


def test_every_translated_string_is_one_that_streamlit_or_plotly_draws(bundle):
    """A string Streamlit or plotly.js renamed in an upgrade would silently stay English: every key of the
    tables must be in the installed frontend (the « Press … » instructions are built from a template)."""
    absent = [k for k in french.CHROME_TEXTS if not k.startswith("Press ") and k not in bundle]
    absent += [k for k in french._PLOTLY_TEXTS if k not in bundle]
    absent += [en for en, _ in french.CHROME_PREFIXES if en.rstrip(":, ") not in bundle]
    assert absent == []
    assert "Press Enter to ${" in bundle and "`submit form`" in bundle and "per file`" in bundle


def test_every_entry_is_french_and_different():
    for table in (french.CHROME_TEXTS, french._PLOTLY_TEXTS, dict(french.CHROME_PREFIXES)):
        for en, fr in table.items():
            assert fr and fr != en, en
    # the strings
    for en in ("Upload", "Show/hide columns", "Download as CSV", "Search", "Fullscreen", "Running..."):
        assert en in french.CHROME_TEXTS


def test_script_carries_the_table_safely():
    script = french.script()
    assert script.startswith("<script>") and script.endswith("</script>")
    assert script.count("</") == 1                          # no « </script> » inside the JSON table
    table = json.loads(re.search(r"const T = (\{.*?\});\n", script, re.S).group(1).replace("<\\/", "</"))
    assert table["texts"]["Upload"] == "Choisir un fichier" and table["units"]["MB"] == "Mo"
    assert table["months"]["June"] == "juin"
    assert "/*TABLE*/null" not in script
