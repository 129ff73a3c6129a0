"""Annual report skeleton opened with python-docx: the sections of the décret of 3 Sept 2015, marked
placeholders, the contract's real quartiers and State means, démo figures from the saisie database with
their label, charts embedded."""
from __future__ import annotations

import pytest

from tests import pptx_render
from docx import Document

from tests.exports_raw import json_records

NICE = "CN00604I"


@pytest.fixture(scope="module")
def doc(con, demo_saisie_env, tmp_path_factory):
    from exports import __main__ as cli

    out = tmp_path_factory.mktemp("rapport") / "rapport.docx"
    assert cli.main(["-q", "rapport", "--contrat", NICE, "--annee", "2025", "--out", str(out)]) == 0
    return Document(str(out))


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [c.text for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_sections_of_the_decree(doc):
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for h in ("1. Rappel des principales orientations du contrat de ville",
              "2. Évolution de la situation des quartiers prioritaires au regard des objectifs",
              "3. Actions menées au bénéfice des habitants des quartiers",
              "3.1 Actions de l'EPCI", "3.2 Actions des communes", "3.3 Actions des autres signataires (engagements)",
              "4. Perspectives d'évolution et améliorations nécessaires", "4.1 Renforcement du droit commun",
              "4.3 Participation des habitants", "4.4 Évaluation",
              "5. Articulation avec le renouvellement urbain (NPNRU)",
              "6. Actions financées au titre de la dotation de solidarité urbaine (DSU)",
              "Annexe — Avis des conseils citoyens"):
        assert h in heads, h
    placeholders = [p for p in doc.paragraphs if p.text.startswith("[À RÉDIGER")]
    assert len(placeholders) >= 10 + 10          # prose sections + one opinion per conseil citoyen (10 quartiers)
    assert all(r.font.highlight_color is not None for p in placeholders for r in p.runs)


def test_real_quartiers_and_state_means(doc, data_dir):
    txt = _text(doc)
    assert "Ariane - Le Manoir - Gares" in txt and "QN00612M" in txt
    recs = [r for r in json_records(data_dir / "contrats_de_ville" / "adulte-relais-2024.json") if r.get("code_cv") == NICE]
    means = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Année", "Dispositif", "Postes", "Montant"])
    row = next([c.text for c in r.cells] for r in means.rows if r.cells[0].text == "2024" and r.cells[1].text == "Adultes-relais")
    assert row[2] == str(len(recs))                                  # 67 posts in adulte-relais-2024.json


def test_demo_programmation_figures_and_label(doc, demo_saisie_env):
    """The 2025 programmation sentence equals the saisie database's own totals (démo rows)."""
    from contract import store

    with store.connect(demo_saisie_env) as sc:
        n, funded = sc.execute("SELECT count(*), count(*) FILTER (WHERE statut IN ('accorde', 'solde')) FROM action "
                               "WHERE contrat_code = ? AND annee = 2025", [NICE]).fetchone()
    sentence = next(p.text for p in doc.paragraphs if p.text.startswith("Programmation 2025 :"))
    assert f"{n} actions déposées, {funded} financées" in sentence
    txt = _text(doc)
    assert "Données de démonstration" in txt
    assert "DONNÉES DE DÉMONSTRATION" in txt.upper()


def test_charts_embedded(doc):
    assert len(doc.inline_shapes) >= 5     # map, 2 gap evolutions, programmation, State means


def test_each_section_says_what_is_prefilled_and_what_to_write(doc):
    heads = [i for i, p in enumerate(doc.paragraphs) if p.style.name == "Heading 1"]
    for i in heads[:7]:                              # the decree's six sections and the annex
        nxt = doc.paragraphs[i + 1].text
        assert nxt.startswith("Pré-rempli : ") and " À rédiger : " in nxt, doc.paragraphs[i].text


def test_tables_fit_the_page_width(doc):
    from exports import docx_kit

    for t in doc.tables:
        widths = [c.width.cm for c in t.columns]
        assert sum(widths) <= docx_kit.TEXT_WIDTH_CM + 0.05
        size = next((r.font.size.pt for c in t.rows[0].cells for p in c.paragraphs for r in p.runs if r.font.size), 9)
        for k, row in enumerate(t.rows):
            for c, w in zip(row.cells, widths):
                for word in c.text.split():
                    assert docx_kit.word_cm(word, size, bold=k == 0) <= w + 0.05, (word, w)


@pytest.mark.skipif(pptx_render.soffice() is None, reason="LibreOffice absent (scripts/setup.sh l'installe)")
def test_no_word_is_broken_when_rendered(doc, tmp_path):
    """Rendered by LibreOffice: every word of the PDF is a word of the document (a word broken inside a
    narrow column would come out as two fragments)."""
    import re

    path = tmp_path / "rapport.docx"
    doc.save(path)
    pdf = pptx_render.to_pdf(path, tmp_path)
    drawn = [w for _, _, page in pptx_render.pdf_words(pdf) for *_, w in page]      # words as laid out
    words = set(re.findall(r"\w+", " ".join([p.text for p in doc.paragraphs]
                                             + [c.text for t in doc.tables for r in t.rows for c in r.cells])))
    broken = sorted({w for d in drawn for w in re.findall(r"\w+", d) if w not in words and not w.isdigit()})
    assert broken == [], broken
