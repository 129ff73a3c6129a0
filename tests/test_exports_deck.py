"""COPIL deck (PPTX) opened with python-pptx: slide titles, real names and figures in the right place,
source lines, secret cells without numbers, démo labels where démo data are shown."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from pptx import Presentation

from tests import pptx_render
from tests.exports_raw import csv_cell, fr_number, geojson_name, json_records

NICE = "CN00604I"            # Métropole Nice Côte d'Azur, 10 quartiers 2024 with real contours (démo contract)
MONTPELLIER = "CV112"        # Montpellier Méditerranée Métropole, 12 quartiers 2015 (no contract-life data)
DEPUIS = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def nice_deck(con, demo_saisie_env, tmp_path_factory):
    from exports import deck

    out = tmp_path_factory.mktemp("deck") / "nice.pptx"
    deck.build(con, NICE, out, depuis=DEPUIS, today=TODAY)
    return Presentation(str(out))


@pytest.fixture(scope="module")
def montpellier_deck(con, tmp_path_factory):
    """Built with no saisie database at all: open data only."""
    from exports import deck

    out = tmp_path_factory.mktemp("deck") / "montpellier.pptx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_SAISIE_DB", str(out.with_name("absent.duckdb")))
        deck.build(con, MONTPELLIER, out, depuis=DEPUIS, today=TODAY)
    return Presentation(str(out))


def plain(text: str) -> str:
    """Text as read on the slide: the no-break spaces that hold amounts together read as spaces."""
    return text.replace("\u00a0", " ")


def titles(prs) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def slide_text(slide) -> str:
    parts = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            parts.append(sh.text_frame.text)
        if sh.has_table:
            parts += [c.text for r in sh.table.rows for c in r.cells]
    return plain("\n".join(parts))


def table_of(slide):
    return next(sh.table for sh in slide.shapes if sh.has_table)


def row_starting(table, prefix: str) -> list[str]:
    for r in table.rows:
        if r.cells[0].text.startswith(prefix):
            return [plain(c.text) for c in r.cells]
    raise AssertionError(f"no row {prefix!r}")


def column(table, header: str) -> int:
    return [c.text for c in table.rows[0].cells].index(header)


def since_column(slide, head: str) -> list[str]:
    """Bullets of one column of the « Depuis le dernier COPIL » slide (the text box under its heading)."""
    boxes = [sh for sh in slide.shapes if sh.has_text_frame]
    i = next(i for i, sh in enumerate(boxes) if sh.text_frame.text.startswith(head))
    return [plain(p.text).removeprefix("• ") for p in boxes[i + 1].text_frame.paragraphs]


def test_slide_count_and_titles(nice_deck, data_dir):
    t = titles(nice_deck)
    # title, glance, ranking (2 slides: 10 quartiers with long names at 14 pt), since, means, engagements,
    # programmation, sources: at most 15 whatever the size of the contract
    assert len(t) <= 15
    assert t[0].startswith("Contrat de ville") and "Métropole Nice Côte d'Azur" in t[0]
    assert t[1] == "Le contrat en un coup d'œil"
    assert t[2].startswith("Les quartiers sur six indicateurs clés")
    rest = [x for x in t if not x.startswith("Les quartiers sur six")]
    assert rest[2:] == ["Depuis le dernier COPIL (01/01/2026)", "Moyens de l'État : adultes-relais et postes FONJEP",
                        "Engagements des signataires", "Programmation 2026 : thèmes et besoins",
                        "Sources et précautions de lecture"]


def ranking_rows(prs) -> list[list[str]]:
    slides = [s for s in prs.slides if s.shapes.title.text.startswith("Les quartiers sur six")]
    rows = [[plain(c.text) for c in r.cells] for s in slides for r in list(table_of(s).rows)]
    header = rows[0]
    return [header] + [r for r in rows if r != header]


def test_ranking_table_real_figures_and_lights(nice_deck, data_dir):
    """Quartier 8 (QN00612M) shows its 2015 counterpart Ariane - Le Manoir (QP006014): poverty rate and
    median income from data_filo19_qp_revdis.csv, with the baromètre's light symbol."""
    rows = ranking_rows(nice_deck)
    header = rows[0]
    assert header[:3] == ["Quartier", "Taux de pauvreté", "Revenu médian"]
    ariane = geojson_name(data_dir / "contours" / "qpv2024_paca.geojson", "QN00612M")
    row = next(r for r in rows if r[0].startswith(f"8. {ariane}"))
    filo = data_dir / "sigville_qp2015" / "data_filo19_qp_revdis.csv"
    tp60 = fr_number(csv_cell(filo, "QP006014", "DISP_TP60_A19"))                       # 45,9
    med = fr_number(csv_cell(filo, "QP006014", "DISP_MED_A19"))                         # 13 650
    # 45,9 % vs Ensemble des QPV 43,6 %: +2,3 points > 2-point tolerance -> ▼ moins bien
    assert row[1] == f"▼ ≈ {tp60:.1f} %".replace(".", ",")
    assert row[2] == "▼ ≈ " + f"{med:,.0f}".replace(",", " ") + " €"
    pov = [fr_number(r[1].split(" ", 2)[-1].lstrip("≈ ").replace(" %", "")) for r in rows[1:] if "%" in r[1]]
    assert pov == sorted(pov, reverse=True)                         # highest poverty first


def test_ranking_is_readable_at_the_back_of_the_room(nice_deck):
    from pptx.util import Pt

    for s in nice_deck.slides:
        if s.shapes.title.text.startswith("Les quartiers sur six"):
            for r in table_of(s).rows:
                for c in r.cells:
                    for p in c.text_frame.paragraphs:
                        assert all(run.font.size is None or run.font.size >= Pt(14) for run in p.runs), c.text


def test_every_shape_has_integer_position(nice_deck, montpellier_deck, tmp_path):
    """Reopen each deck: every shape's position and size read back as whole EMU (valid OOXML)."""
    import zipfile

    for prs in (nice_deck, montpellier_deck):
        for s in prs.slides:
            for sh in s.shapes:
                for v in (sh.left, sh.top, sh.width, sh.height):
                    assert v is None or isinstance(v, int)
    out = tmp_path / "again.pptx"
    nice_deck.save(out)
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("ppt/slides/slide"):
                xml = z.read(name).decode()
                assert not re.search(r'(?:x|y|cx|cy)="-?\d+\.\d+"', xml), name


def test_every_content_slide_carries_a_source_line(nice_deck):
    for i, slide in enumerate(nice_deck.slides):
        if i == 0:
            continue
        sources = [sh.text_frame.text for sh in slide.shapes if sh.name == "Source"]
        assert sources and all(sources), f"slide {i + 1} ({slide.shapes.title.text}) has no source line"


def test_speaker_notes_carry_the_sentences(nice_deck):
    notes = nice_deck.slides[2].notes_slide.notes_text_frame.text
    assert "Taux de pauvreté : " in notes and "depuis" in notes


def test_annexe_adds_one_barometre_slide_per_quartier(con, tmp_path):
    from exports import deck

    out = tmp_path / "annexe.pptx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_SAISIE_DB", str(tmp_path / "absent.duckdb"))
        deck.build(con, "CN03103I", out, depuis=DEPUIS, today=TODAY, annexe=True)
    prs = Presentation(str(out))
    quartier_slides = [s for s in prs.slides if "Baromètre" in slide_text(s).split("\n")[1]]
    assert len(quartier_slides) == 16                      # Toulouse Métropole: 16 quartiers 2024
    mirail = next(s for s in quartier_slides if "Grand Mirail" in s.shapes.title.text)
    assert "Taux de pauvreté : ≈ 49,2 %" in slide_text(mirail)    # data_filo19 QP031007 DISP_TP60_A19


def test_state_means_real(nice_deck, data_dir):
    """Adultes-relais 2024 of the contract = records of adulte-relais-2024.json with code_cv CN00604I."""
    recs = [r for r in json_records(data_dir / "contrats_de_ville" / "adulte-relais-2024.json")
            if r.get("code_cv") == NICE]
    slide = next(s for s in nice_deck.slides if s.shapes.title.text.startswith("Moyens de l'État"))
    row = row_starting(table_of(slide), "2024")
    assert row[1] == str(len(recs))                                   # 67 posts
    total = sum(r["montant"] for r in recs)
    assert row[2].endswith(" €") and re.sub(r"\D", "", row[2]) == f"{total:.0f}"
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)     # native, editable
    ar = next(s for s in chart.plots[0].series if s.name == "Adultes-relais")
    assert list(ar.values)[0] == len(recs)
    assert "ASP" in slide_text(slide) and "DÉMONSTRATION" not in slide_text(slide).upper()


def slide_titled(prs, start: str):
    return next(s for s in prs.slides if s.shapes.title.text.startswith(start))


def test_demo_label_on_contract_life_slides(nice_deck):
    for start in ("Contrat de ville", "Depuis le dernier COPIL", "Engagements des signataires", "Programmation"):
        txt = slide_text(slide_titled(nice_deck, start))
        assert "Données de démonstration" in txt, start
    src = [sh.text_frame.text for sh in slide_titled(nice_deck, "Engagements").shapes if sh.name == "Source"][0]
    assert "DÉMONSTRATION" in src.upper()


def test_since_slide_lists_reviews_since_date(nice_deck, demo_saisie_env):
    from contract import store
    from indicators import engagements

    with store.connect(demo_saisie_env) as sc:
        rv = engagements.reviews_since(sc, NICE, DEPUIS)
    txt = slide_text(slide_titled(nice_deck, "Depuis le dernier COPIL"))
    assert f"{len(rv)} points d'étape sur {rv['code'].nunique()} engagements" in txt


def test_since_slide_lists_publications_not_warehouse_loads(nice_deck, con):
    """The session warehouse was built today, after DEPUIS; its files are not « new »: the slide speaks of
    editions published since the date (catalogue/sources.yaml `published`). None since 01/01/2026: the
    latest editions are named (SIG Ville 2022, State means 2025)."""
    data = since_column(slide_titled(nice_deck, "Depuis le dernier COPIL"), "Nouvelles données")
    assert data[0] == "Aucune nouvelle publication de données depuis le 01/01/2026."
    assert "Postes FONJEP financés 2025 (publiée en 2025)" in data[1]
    assert "fichiers de données" not in " ".join(data) and "Entrepôt créé" not in " ".join(data)


def test_since_slide_lists_the_actions_voted_by_the_demo_comites(nice_deck, demo_saisie):
    """The démo's comités de programmation: 19/03/2026 and 08/10/2026 for 2026; since 01/01/2026 both count."""
    from contract import store

    with store.connect(demo_saisie) as raw:
        voted = raw.execute("""
            SELECT a.numero_dossier, a.statut,
                   coalesce(sum(f.montant_accorde) FILTER (WHERE a.statut IN ('accorde', 'solde')), 0) AS accorde,
                   a.date_decision
            FROM action a LEFT JOIN action_financement f ON f.action_id = a.id
            WHERE a.contrat_code = ? AND a.date_decision BETWEEN DATE '2026-01-01' AND DATE '2026-11-20'
            GROUP BY ALL ORDER BY a.date_decision DESC, accorde DESC, a.numero_dossier""", [NICE]).fetchall()
        comites = {r[0] for r in raw.execute("SELECT DISTINCT date_decision FROM action WHERE annee = 2026 "
                                             "AND date_decision IS NOT NULL").fetchall()}
        undecided = raw.execute("SELECT count(*) FROM action WHERE annee = 2026 AND statut = 'depose' "
                                "AND date_decision IS NULL").fetchone()[0]
    assert comites == {dt.date(2026, 3, 19), dt.date(2026, 10, 8)} and undecided > 0
    granted = [v for _, s, v, _ in voted if s != "refuse"]
    refused = sum(1 for _, s, _, _ in voted if s == "refuse")
    actions = since_column(slide_titled(nice_deck, "Depuis le dernier COPIL"), "Actions votées (démo)")
    amount = f"{sum(granted):,.0f}".replace(",", " ")
    assert actions[0] == (f"{len(voted)} actions votées depuis le 01/01/2026 : {len(granted)} accordées pour {amount} €"
                          + (f", {refused} refusée{'s' if refused > 1 else ''}" if refused else "") + ".")
    # newest decisions first: the autumn comité, then the spring one
    assert [line.split(" ", 3)[:3] for line in actions[1:6]] == \
        [[f"{d:%d/%m/%Y}", "—", numero] for numero, _, _, d in voted[:5]]
    assert actions[1].startswith("08/10/2026") and actions[5].startswith("19/03/2026")
    assert actions[-1] == f"… et {len(voted) - 5} autres."


def test_secret_cell_shows_status_not_number(montpellier_deck, warehouse):
    """Celleneuve (QP034004): the 2022 share of precarious jobs is an empty cell of IPRO_2022.csv
    (TX_TOT_EDLIM, line 330) -> « secret » (narrow placeholder) in the ranking table, no number."""
    from observatoire import db

    c = db.connect(warehouse)
    raw = c.execute("SELECT raw, status, line FROM source_value WHERE source_file = 'IPRO_2022.csv' AND "
                    "source_variable = 'TX_TOT_EDLIM' AND territory_code = 'QP034004'").fetchone()
    c.close()
    assert raw[0] in ("", None) and raw[1] == "secret"
    assert len(montpellier_deck.slides) <= 15
    rows = ranking_rows(montpellier_deck)
    cel = next(r for r in rows if "Celleneuve" in r[0])
    cell = cel[rows[0].index("Emplois précaires")]
    assert cell == "secret" and not re.search(r"\d", cell)
    # no démo data anywhere in an open-data-only deck
    assert all("démonstration" not in slide_text(s).lower() for s in montpellier_deck.slides)


@pytest.mark.skipif(pptx_render.soffice() is None, reason="LibreOffice absent (scripts/setup.sh l'installe)")
@pytest.mark.parametrize("contrat", ["CN03103I", "CN00604I"])
def test_libreoffice_rendering_nothing_overflows(con, demo_saisie_env, tmp_path, contrat):
    """Rendered by LibreOffice to PDF then PNG (tests/screenshots/deck-CODE-N.png): no shape leaves its
    slide, no word is drawn outside its shape (text boxes, tables over the source line, charts)."""
    from exports import deck

    out = tmp_path / f"{contrat}.pptx"
    deck.build(con, contrat, out, depuis=DEPUIS, today=TODAY)
    pdf = pptx_render.to_pdf(out, tmp_path)
    assert pptx_render.problems(out, pdf) == []
    shots = pptx_render.ROOT_SHOTS
    shots.mkdir(parents=True, exist_ok=True)
    for png in pptx_render.to_pngs(pdf, tmp_path):
        png.replace(shots / f"deck-{png.name}")
