"""Annual report skeleton opened with python-docx: the sections of the décret of 3 Sept 2015, marked
placeholders, the contract's real quartiers and State means, démo figures from the saisie database with
their label, native Word charts holding the view's values (with their workbooks), the map at 300 dpi."""
from __future__ import annotations

import io
import re

import pytest
from lxml import etree

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


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"


def _charts(doc) -> dict[str, dict]:
    """The report's Word charts by title: {title: {"categories": [...], "series": {name: [value or None]},
    "xml": the chart part's root, "part": the chart part}} (values read from the chart part's caches)."""
    out = {}
    for rel in doc.part.rels.values():
        if rel.reltype != CHART_REL:
            continue
        root = etree.fromstring(rel.target_part.blob)
        head = root.find(f"{C}chart/{C}title")
        title = "".join(head.itertext()) if head is not None else ""
        series = {}
        for ser in root.iter(f"{C}ser"):
            name = ser.find(f"{C}tx//{C}v").text
            cats = [v.text for v in ser.find(f"{C}cat").iter(f"{C}v")]
            vals = [None] * len(cats)
            for pt in ser.find(f"{C}val").iter(f"{C}pt"):
                vals[int(pt.get("idx"))] = float(pt.find(f"{C}v").text)
            series[name] = vals
        out[title] = {"categories": cats, "series": series, "xml": root, "part": rel.target_part}
    return out


def test_charts_embedded(doc):
    assert len(doc.inline_shapes) >= 5     # map, 2 gap evolutions, programmation, State means
    charts = _charts(doc)
    assert len(charts) == 4
    assert {"Montants de la programmation par année", "Moyens de l'État : postes financés"} < set(charts)


def test_state_means_chart_holds_the_real_posts(doc, data_dir):
    """The native chart of State means (data editable in Word) holds the posts of adulte-relais-2024.json, in the
    chart part and in its embedded workbook."""
    from openpyxl import load_workbook

    recs = [r for r in json_records(data_dir / "contrats_de_ville" / "adulte-relais-2024.json")
            if r.get("code_cv") == NICE]
    chart = _charts(doc)["Moyens de l'État : postes financés"]
    k = chart["categories"].index("2024")
    assert chart["series"]["Adultes-relais"][k] == len(recs) == 67
    book_rel = next(iter(chart["part"].rels.values()))
    assert book_rel.reltype.endswith("/package")
    assert chart["xml"].find(f"{C}externalData").get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id") == book_rel.rId
    ws = load_workbook(io.BytesIO(book_rel.target_part.blob)).active
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "2024")
    assert row[head.index("Adultes-relais")] == 67


def test_gap_charts_are_the_views_values(doc, con, demo_saisie_env):
    """Each gap evolution is the view's series, value for value (a missing edition would stay a gap — no point —
    never 0: tests/unit/test_office_charts.py)."""
    import datetime as dt

    from contract import service
    from presentation import contract as pc

    with service.reading() as sc:
        v = pc.view(con, NICE, sc, today=dt.date(2025, 12, 31), year=2025, for_report=True)
    charts = _charts(doc)
    assert len(v.gap_series) == 2
    for g in v.gap_series:
        chart = charts[g["title"]]
        assert chart["categories"] == [str(e) for e in g["editions"]]
        assert chart["series"] == {k: [None if x is None else pytest.approx(x) for x in vals]
                                   for k, vals in g["series"].items()}


def test_programmation_chart(doc, demo_saisie_env):
    """Granted amounts stacked (State P147 + other financeurs = granted), the requested total as a line, and
    above each stack its total and number of funded actions: the saisie database's own sums (démo rows)."""
    from contract import store

    with store.connect(demo_saisie_env) as sc:
        sums = {str(y): (n, g, p) for y, n, g, p in sc.execute(
            "SELECT a.annee, count(DISTINCT a.id) FILTER (WHERE a.statut IN ('accorde', 'solde')), "
            "coalesce(sum(f.montant_accorde) FILTER (WHERE a.statut IN ('accorde', 'solde')), 0), "
            "coalesce(sum(f.montant_accorde) FILTER (WHERE a.statut IN ('accorde', 'solde') "
            "AND f.financeur = 'etat_p147'), 0) "
            "FROM action a LEFT JOIN action_financement f ON f.action_id = a.id WHERE a.contrat_code = ? GROUP BY 1",
            [NICE]).fetchall()}
    chart = _charts(doc)["Montants de la programmation par année"]
    s = chart["series"]
    assert chart["categories"] == sorted(sums)
    for k, year in enumerate(chart["categories"]):
        n, granted, p147 = sums[year]
        assert s["Total accordé"][k] == pytest.approx(float(granted))
        assert s["Accordé – État (P147)"][k] == pytest.approx(float(p147))
        assert s["Accordé – autres financeurs"][k] == pytest.approx(float(granted - p147))
    labels = [re.sub(r"\s", " ", "".join(t.itertext())) for t in chart["xml"].iter(f"{C}dLbl")
              if t.find(f"{C}tx") is not None]
    n, granted, _ = sums["2025"]
    assert f"{granted:,.0f} €".replace(",", " ") + f"{n} actions" in labels, labels
    plots = chart["xml"].iter(f"{C}barChart", f"{C}lineChart")
    assert [x.find(f"{C}grouping").get("val") for x in plots] == ["stacked", "standard"]


def test_map_picture_at_300_dpi(doc):
    """The map is a PNG drawn without a browser, printed 14 cm wide at 300 dpi."""
    from docx.enum.shape import WD_INLINE_SHAPE
    from PIL import Image

    from exports import map_picture

    pics = [s for s in doc.inline_shapes if s.type == WD_INLINE_SHAPE.PICTURE]
    assert len(pics) == 1 and round(pics[0].width.cm, 2) == 14.0
    blip = pics[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    img = Image.open(io.BytesIO(doc.part.related_parts[blip].blob))
    assert img.size[0] == round(14 / 2.54 * 300) == map_picture.size_px(14, 9.5)[0]
    assert [round(d) for d in img.info["dpi"]] == [300, 300]
    assert len(img.getcolors(1 << 16) or range(1 << 16)) > 50      # antialiased: many shades, not a few flat colours


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
    narrow column would come out as two fragments); the charts' words too (drawn by LibreOffice from the chart
    parts: titles, axis titles, names, labels)."""
    path = tmp_path / "rapport.docx"
    doc.save(path)
    pdf = pptx_render.to_pdf(path, tmp_path)
    drawn = [w for _, _, page in pptx_render.pdf_words(pdf) for *_, w in page]      # words as laid out
    chart_text = [t.text or "" for c in _charts(doc).values() for t in c["xml"].iter(f"{A}t", f"{C}v")]
    words = set(re.findall(r"\w+", " ".join([p.text for p in doc.paragraphs] + chart_text
                                             + [c.text for t in doc.tables for r in t.rows for c in r.cells])))
    broken = sorted({w for d in drawn for w in re.findall(r"\w+", d) if w not in words and not w.isdigit()})
    assert broken == [], broken
