"""French display everywhere (issue 12): the text of every page (AppTest on all pages of ui/navigation.py,
with a few parameters) and of every export (deck text and notes, PDF text via pypdf, DOCX text, XLSX
cells) has no « None », « nan », no « 2 013 »-style year and no internal status code."""
from __future__ import annotations

import re

import pytest

from observatoire import vocabulary
from tests.pages_apptest import all_tables, run_page, texts
from ui import navigation
from ui.common import _is_year_column

NICE = "CN00604I"
TODAY_DEPUIS = "2026-01-01"
# Codes that are not French words: seen on screen, they are a leak of the stored code.
CODES = sorted({c for kind in ("engagement_statuses", "action_statuses", "value_statuses", "lights", "trends")
                for c in vocabulary.codes(kind) if "_" in c or c in ("realise", "prevu", "abandonne", "depose",
                                                                      "accorde", "bruite", "degradation")})
_BAD = [
    (re.compile(r"(?<![\w-])(None|nan|NaN|NaT)(?![\w-])"), "valeur manquante affichée"),
    (re.compile(r"(?i)\b(?:millésimes?|année|années|en|depuis|entre|édition|et|de|à)[ \u00a0]+"
                r"(?:1[\u00a0\u202f ]9\d{2}|2[\u00a0\u202f ]0\d{2})\b(?![ \u00a0]*(?:hab|€|%|personnes|ménages|postes))"),
     "année avec séparateur de milliers"),
    (re.compile(r"\b(?:" + "|".join(CODES) + r")\b"), "code interne"),
]
# Page parameters: a 2015 and a 2024 quartier, the démo contract and a contract without data for contract-life pages.
PARAMS = {
    "accueil": [{"recherche": "toulouse"}],
    "carte": [{"generation": "2015", "indicateur": "tx_pauvrete", "zone": "R76"}],
    "fiche": [{"quartier": "QP031007"}, {"quartier": "QN03112M"}],
    "comparer": [{"selection": "QP031007,QP001001,QP034004"}],
    "barometre": [{"quartier": "QP031007"}, {"quartier": "QN03112M"}],
    "localiser": [{}],
    "programmation": [{"contrat": NICE}, {"contrat": "CN03103I"}],
    "engagements": [{"contrat": NICE}, {"contrat": "CN03103I"}],
    "enquetes": [{"contrat": NICE}],
    "referentiel": [{"contrat": NICE}],
    "exports": [{"contrat": NICE}],
    "comptes": [{}],
}
ALL_PAGES = [url for entries in navigation.SECTIONS.values() for _, _, _, url in entries]


def offences(text: str) -> list[str]:
    out = []
    for pattern, what in _BAD:
        for m in pattern.finditer(text):
            ctx = text[max(0, m.start() - 50):m.end() + 30].replace("\n", " ")
            out.append(f"{what} : « {m.group(0)} » dans « …{ctx}… »")
    return out


def test_the_checker_catches_what_it_must():
    assert offences("Taux : None") and offences("valeur nan %") and offences("millésime 2 013")
    assert offences("statut en_cours") and offences("realise")
    assert not offences("Taux de pauvreté : 41,9 % en 2019 ; 2 013 habitants ; Non disponible ; réalisé")


def page_text(at) -> str:
    parts = [texts(at)]
    for df in all_tables(at):
        parts.append(" | ".join(map(str, df.columns)))
        years = [_is_year_column(c) for c in df.columns]     # « année 2 013 » is then caught
        parts += [" | ".join(("année " if y else "") + ("" if v is None else str(v)) for v, y in zip(row, years))
                  for row in df.astype(object).values.tolist()]
    parts += [str(o) for sb in at.selectbox for o in sb.options]
    return "\n".join(parts)


def test_every_page_is_listed():
    assert set(ALL_PAGES) == set(PARAMS)


@pytest.mark.parametrize("page,params", [(p, q) for p in ALL_PAGES for q in PARAMS[p]],
                         ids=[f"{p}-{'-'.join(q.values())}" for p in ALL_PAGES for q in PARAMS[p]])
def test_page_text_is_french(warehouse, demo_saisie_copy, monkeypatch, page, params):
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(demo_saisie_copy))
    at = run_page(page, **params)
    assert offences(page_text(at)) == []


@pytest.fixture(scope="module")
def export_texts(con, demo_saisie_env, tmp_path_factory):
    """Text of the deck (+ notes), fiche PDF, annual report DOCX and workbook of the démo contract."""
    import datetime as dt

    import docx
    import openpyxl
    from pptx import Presentation
    from pypdf import PdfReader

    from exports import classeur, deck, fiche_pdf, rapport

    d = tmp_path_factory.mktemp("fr")
    out = {}
    deck.build(con, NICE, d / "d.pptx", depuis=dt.date(2026, 1, 1), annexe=True)
    prs = Presentation(str(d / "d.pptx"))
    parts = []
    for s in prs.slides:
        for sh in s.shapes:
            if sh.has_text_frame:
                parts.append(sh.text_frame.text)
            if sh.has_table:
                parts += [c.text for r in sh.table.rows for c in r.cells]
            if sh.has_chart:
                parts += [str(c) for c in sh.chart.plots[0].categories] + [se.name for se in sh.chart.plots[0].series]
        parts.append(s.notes_slide.notes_text_frame.text)
    out["deck"] = "\n".join(parts)
    fiche_pdf.build(con, "QP031007", d / "f.pdf")
    out["pdf"] = "\n".join(p.extract_text() for p in PdfReader(str(d / "f.pdf")).pages)
    rapport.build(con, NICE, 2026, d / "r.docx")
    doc = docx.Document(str(d / "r.docx"))
    out["docx"] = "\n".join([p.text for p in doc.paragraphs]
                            + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    classeur.build(con, [NICE], d / "c.xlsx")
    wb = openpyxl.load_workbook(d / "c.xlsx")
    out["xlsx"] = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row
                            if isinstance(c.value, str))
    return out


@pytest.mark.parametrize("kind", ["deck", "pdf", "docx", "xlsx"])
def test_export_text_is_french(export_texts, kind):
    assert export_texts[kind].strip()
    assert offences(export_texts[kind]) == []


def test_editable_grids_show_labels_and_store_codes():
    """The editable grids (pages Engagements, Programmation) show « En cours », and save `en_cours`."""
    import pandas as pd

    from ui import demo

    df = pd.DataFrame({"id": [1, 2], "statut": ["en_cours", "realise"]})
    shown = demo._to_labels(df, {"statut": "engagement_statuses"})
    assert shown["statut"].tolist() == ["En cours", "Réalisé"]
    assert demo._to_codes(shown, {"statut": "engagement_statuses"})["statut"].tolist() == ["en_cours", "realise"]
    col = demo.labelled_column("action_statuses", "Statut")
    assert "Accordé" in str(col) and "accorde" not in str(col).replace("Accordé", "")


def test_chart_year_axes_have_no_thousands_separator(con):
    """The evolution charts of the fiche (page, PDF, PNG): ticks 2017, 2019 — never « 2 017 » (the house
    layout groups thousands on value axes only)."""
    from exports import single

    fig = single.figure(con, "QP031007", "evolution", "tx_pauvrete")
    xaxes = [v for k, v in fig.layout.to_plotly_json().items() if k.startswith("xaxis")]
    assert xaxes and all(ax.get("separatethousands") is False and ax.get("tickformat") == "d" for ax in xaxes)
