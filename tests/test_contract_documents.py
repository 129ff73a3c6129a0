"""The COPIL deck of Toulouse Métropole (CN03103I) after an engagements import, read back with python-pptx
(issue 18): what changed since the last COPIL counts imports and publications alike, plurals agree, a
commitment is named by its title, the subtitle says why the date, the due-date horizon is the Engagements
page's, the sources slide names INSEE and SIG Ville, amounts never break, no developer path or `cli:`
anywhere, and a signataire typed as a spreadsheet formula stays text in the workbooks embedded in the PPTX.

The saisie database is a temporary one: the import goes through the command line (as a chef de projet
would), the formula-like name through the write service (as the page's table editor would).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections import defaultdict

import openpyxl
import pytest
import duckdb
from pptx import Presentation

from tests import pptx_render

C = "CN03103I"                        # Toulouse Métropole: 16 quartiers 2024, no contract-life data of its own
TODAY = dt.date(2026, 12, 6)
DEPUIS = dt.date(2026, 4, 3)          # the day after the COPIL point of 02/04/2026
FORMULA = '=HYPERLINK("http://exemple.invalid","sig")'
DEV_PATH = re.compile(r"\w+/\w+\.(py|md|yaml)")


def _workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tableau de bord"
    ws.append(["N°", "Signataire", "Référent", "Axe", "Engagement", "Échéance", "Statut"])
    ws.append(["ENG-004", "Préfecture de la Haute-Garonne", "Mme Durand", "Accès aux droits",
               "Rendez-vous des droits dans chaque quartier", "31/01/2027", "En cours"])
    ws.append(["ENG-005", "CAF de la Haute-Garonne", "M. Martin", "Cadre de vie", "Programme d'actions TFPB",
               "30/06/2026", "En cours"])
    ws.append(["ENG-006", "Ville de Colomiers", "Mme Petit", "Cadre de vie", "Jardins partagés au Val d'Aran",
               "28/02/2027", "Prévu"])
    wp = wb.create_sheet("Points d'étape")
    wp.append(["N° engagement", "Date", "Statut", "Commentaire", "Instance"])
    wp.append(["ENG-005", "02/04/2026", "en cours", "Revue en COPIL", "COPIL"])
    wp.append(["ENG-004", "15/11/2026", "Réalisé", "Permanences ouvertes", "COTECH"])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def saisie(warehouse, tmp_path_factory):
    """A saisie database holding only CN03103I's imported commitments, one signataire renamed to a formula-like
    text: the table editor refuses it (the store's text rule, issue 19), so it is written straight into the file,
    as a row from before the rule or from another tool would be — the office writers must still neutralise it."""
    from contract import service
    from contract.roles import cli_user
    from loaders.__main__ import main

    d = tmp_path_factory.mktemp("toulouse")
    path = d / "saisie.duckdb"
    assert main(["import", "engagements", str(_workbook(d / "engagements.xlsx")), "--contrat", C,
                 "--saisie-db", str(path), "--db", str(warehouse)]) == 0
    with service.connect(path) as sc:
        sid, version = sc.execute("SELECT id, row_version FROM signataire WHERE nom = 'Ville de Colomiers'").fetchone()
    with pytest.raises(service.StoreError):
        service.save([service.Edit("signataire", "update", sid, version, {"nom": FORMULA})], cli_user(), path)
    raw = duckdb.connect(str(path))
    raw.execute("UPDATE signataire SET nom = ? WHERE id = ?", [FORMULA, sid])
    raw.close()
    return path


@pytest.fixture(scope="module")
def deck_file(con, saisie, tmp_path_factory):
    from exports import deck

    out = tmp_path_factory.mktemp("deck") / "copil-toulouse.pptx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_SAISIE_DB", str(saisie))
        deck.build(con, C, out, depuis=DEPUIS, today=TODAY)
    return out


@pytest.fixture(scope="module")
def prs(deck_file):
    return Presentation(str(deck_file))


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def slide(prs, start: str):
    return next(s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text.startswith(start))


def texts(s) -> list[str]:
    out = []
    for sh in s.shapes:
        if sh.has_text_frame:
            out.append(sh.text_frame.text)
        if sh.has_table:
            out += [c.text for r in sh.table.rows for c in r.cells]
    return out


def column(s, head: str) -> list[str]:
    boxes = [sh for sh in s.shapes if sh.has_text_frame]
    i = next(i for i, sh in enumerate(boxes) if sh.text_frame.text.startswith(head))
    return [plain(p.text).removeprefix("• ") for p in boxes[i + 1].text_frame.paragraphs]


def test_new_data_counts_imports_with_publications(prs):
    """No publication since 03/04/2026, but the engagements file imported today: the first line says both."""
    from contract.roles import cli_user

    data = column(slide(prs, "Depuis le dernier COPIL"), "Nouvelles données")
    assert data[0] == "Aucune nouvelle publication de données depuis le 03/04/2026, mais 1 import de fichier :"
    account = cli_user().login.removeprefix("cli:")
    today = dt.date.today().strftime("%d/%m/%Y")
    assert data[1] == (f"Import — engagements des signataires : engagements.xlsx ({today}, 3 lignes, "
                       f"par ligne de commande (compte {account})).")


def test_reviews_agree_in_number_and_name_the_commitment(prs):
    """Since 03/04/2026: one point d'étape (15/11/2026, ENG-004 réalisé) on one commitment, named by its title."""
    reviews = column(slide(prs, "Depuis le dernier COPIL"), "Engagements revus")
    assert "1 point d'étape sur 1 engagement (statut noté : « réalisé » 1)." in reviews
    assert "Réalisés : Rendez-vous des droits dans chaque quartier (Préfecture de la Haute-Garonne)." in reviews
    every = "\n".join(t for s in prs.slides for t in texts(s) + [s.notes_slide.notes_text_frame.text])
    assert "ENG-0" not in every
    assert "points d'étape sur 1 engagements" not in plain(every)


def test_subtitle_says_why_this_date(prs):
    s = slide(prs, "Depuis le dernier COPIL")
    assert s.shapes.title.text == "Depuis le dernier COPIL (03/04/2026)"
    sub = texts(s)[1]
    assert sub == "Date de départ : date du dernier COPIL indiquée à la préparation du document."
    assert "date indiquée." not in sub


def test_due_horizon_is_the_engagements_page_one(prs, con, saisie):
    """One rule (indicators.engagements.horizon): 06/12/2026 + 91 days = 07/03/2027 on the slide, proposed by
    the Engagements page and used by its view; ENG-004 (31/01/2027) and ENG-006 (28/02/2027) are due before
    it, ENG-005 (30/06/2026, still « en cours ») is late."""
    from contract import service
    from presentation import engagements as page

    with service.connect(saisie) as sc:
        d = page.defaults(sc, C, TODAY)
        v = page.view(con, sc, C, TODAY, d.horizon, DEPUIS)
    assert d.horizon == v.horizon == dt.date(2027, 3, 7)
    assert ("À échéance d'ici le 07/03/2027", "2", None) in v.metrics
    reviews = column(slide(prs, "Depuis le dernier COPIL"), "Engagements revus")
    assert reviews[0] == "Aujourd'hui : 1 en retard, 2 à échéance d'ici le 07/03/2027."


def test_sources_slide_names_insee_and_sig_ville(prs):
    rows = [[plain(c.text) for c in r.cells] for r in next(sh.table for sh in slide(prs, "Sources").shapes
                                                            if sh.has_table).rows]
    producers = [r[0] for r in rows[1:]]
    assert any(p.startswith("INSEE") and "SIG Ville" in p for p in producers), producers
    assert "INSEE — Filosofi (revenus disponibles localisés)" in producers           # the 2019 poverty rates
    assert "INSEE — Filosofi" in producers                                            # the commune and EPCI references
    assert "ANCT — contours officiels des QPV 2024" in producers                      # the map


def test_amounts_do_not_break(prs, data_dir):
    """2024 State means of CN03103I counted from the raw files (a post counts once per year, largest
    amount): 2 344 540 €, written with no-break spaces on the glance slide."""
    posts = defaultdict(dict)
    for name in ("adulte-relais-2024.json", "postes-fonjep-2024.json"):
        for r in json.loads((data_dir / "contrats_de_ville" / name).read_text(encoding="utf-8")):
            if r.get("code_cv") == C:
                posts[name][r["id_poste"]] = max(posts[name].get(r["id_poste"], 0.0), float(r.get("montant") or 0))
    total = round(sum(sum(p.values()) for p in posts.values()))
    amount = f"{total:,}".replace(",", "\u00a0") + "\u00a0€"
    assert amount == "2\u00a0344\u00a0540\u00a0€"
    glance = texts(slide(prs, "Le contrat en un coup d'œil"))
    assert any(amount in t for t in glance), glance


def test_no_developer_words(prs):
    every = [t for s in prs.slides for t in texts(s) + [s.notes_slide.notes_text_frame.text]]
    assert not [t for t in every if DEV_PATH.search(t)]
    assert not [t for t in every if "cli:" in t]
    means_notes = slide(prs, "Moyens de l'État").notes_slide.notes_text_frame.text
    assert "Règle de compte : un poste compte une fois par contrat et par année" in means_notes


def test_no_live_formula_in_the_embedded_workbooks(deck_file, tmp_path):
    """The engagements chart lists the renamed signataire: its embedded workbook holds it as text
    (« '=HYPERLINK… »), no <f> element anywhere, in any embedded workbook."""
    seen = False
    with zipfile.ZipFile(deck_file) as z:
        books = [n for n in z.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]
        assert books
        for name in books:
            (tmp_path / "b.xlsx").write_bytes(z.read(name))
            with zipfile.ZipFile(tmp_path / "b.xlsx") as book:
                for part in book.namelist():
                    xml = book.read(part).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, (name, part)
                    seen |= "'=HYPERLINK" in xml
    assert seen


def test_table_cells_are_neutralised(prs):
    cells = [c.text for s in prs.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells]
    assert not [c for c in cells if c.startswith("=")]


@pytest.mark.skipif(pptx_render.soffice() is None, reason="LibreOffice absent (scripts/setup.sh l'installe)")
def test_rendered_amount_stays_on_one_line(deck_file, tmp_path):
    """LibreOffice draws « 2 344 540 € » on one line, and nothing overflows its shape."""
    pdf = pptx_render.to_pdf(deck_file, tmp_path)
    assert pptx_render.problems(deck_file, pdf) == []
    lines = defaultdict(list)
    for x0, y0, _, _, word in pptx_render.pdf_words(pdf)[1][2]:          # the glance slide
        lines[round(y0)].append((x0, word))
    said = [plain(" ".join(w for _, w in sorted(ws))) for ws in lines.values()]
    assert any("2 344 540 €" in line for line in said), said
