"""Text from users is inert wherever it is shown (Markdown/HTML injection) and never runs as a formula in the
CSV/XLSX files the observatory writes (one helper each, in presentation/text.py)."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from presentation.text import escape_html, md_text, spreadsheet_cell
from ui.downloads import csv_bytes, xlsx_bytes

NASTY = ['=HYPERLINK("http://x.example";"clic")', "+SUM(A1:A9)", "-2+3", "@cmd(1)", "- atelier du mardi"]


def test_markdown_and_html_escaping():
    assert md_text("[clic](javascript:alert(1))") == "\\[clic\\]\\(javascript\u2060\\:alert\\(1\\)\\)"
    assert md_text("<img src=x onerror=alert(1)>").startswith("\\<img")
    assert md_text("**gras** _x_ # titre") == "\\*\\*gras\\*\\* \\_x\\_ \\# titre"
    assert escape_html('<script>alert("x")</script>') == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    assert md_text("[clic](x) *a*") == "\\[clic\\]\\(x\\) \\*a\\*"
    assert md_text(None) == md_text("") == "—"


@pytest.mark.parametrize("value", NASTY)
def test_formula_cells_neutralised(value):
    assert spreadsheet_cell(value) == "'" + value
    df = pd.DataFrame({"Intitulé": [value], "Montant": [-1200.5]})
    csv = csv_bytes(df, "Source : test").decode("utf-8-sig")
    assert csv.splitlines()[1].lstrip('"').startswith("'")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(df, "Source : test"))).active
    assert ws["A2"].value == "'" + value and ws["A2"].data_type == "s"
    assert ws["B2"].value == -1200.5                          # numbers stay numbers


def test_control_characters_never_stop_an_office_file():
    """Found by the payload crawl: a row stored before the store's text rule, holding ESC, made the page's XLSX
    button fail (openpyxl refuses the character); it is written, the character shown as U+FFFD."""
    value = "atelier\x1b[31m rouge\x00"
    assert spreadsheet_cell(value) == "atelier\ufffd[31m rouge\ufffd"
    assert spreadsheet_cell("=\x07x") == "'=\ufffdx"                # then neutralised as a formula
    df = pd.DataFrame({"Intitulé\x1b": [value, "=1+1"], "Montant": [3.5, 4.0]})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(df, "Source : test\x1b"))).active
    assert [c.value for c in ws[1]] == ["Intitulé\ufffd", "Montant"]
    assert [ws["A2"].value, ws["A3"].value, ws["B2"].value] == ["atelier\ufffd[31m rouge\ufffd", "'=1+1", 3.5]
    assert ws["A5"].value == "Source : test\ufffd"
    assert "\x1b" not in csv_bytes(df, None).decode("utf-8-sig")


def test_plain_values_untouched():
    for v in ("-3,5", "+33 6 12 34 56 78", "Accompagnement", 12, None):
        assert spreadsheet_cell(v) == v


def test_verbatim_shown_as_typed_on_the_page(demo_saisie_copy, monkeypatch):
    """A publishable verbatim holding HTML and a Markdown link reaches the page escaped."""
    from contract import store
    from tests.pages_apptest import run_page

    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(demo_saisie_copy))
    nasty = '<img src=x onerror="alert(1)"> [clic](javascript:alert(1))'
    with store.connect(demo_saisie_copy) as sc:
        sc.execute("UPDATE verbatim SET texte = ? WHERE publiable", [nasty])
    at = run_page("enquetes", contrat="CN00604I")
    shown = [m.value for m in at.markdown if "onerror" in m.value]
    assert shown and all("\\<img" in v and "\\[clic\\]\\(javascript" in v for v in shown), shown


def test_control_characters_never_stop_the_report():
    """The DOCX sinks (paragraphs, bullets, table cells): python-docx refuses a control character, so a legacy
    row holding one stopped the annual report (found by the payload crawl)."""
    from exports import docx_kit as D

    doc = D.new_document()
    D.para(doc, "a\x1bb")
    D.bullets(doc, ["c\x00d"])
    D.table(doc, ["h\x07"], [["=x\x1b"]])
    assert [p.text for p in doc.paragraphs] == ["a\ufffdb", "c\ufffdd"]
    assert [doc.tables[0].cell(0, 0).text, doc.tables[0].cell(1, 0).text] == ["h\ufffd", "'=x\ufffd"]
