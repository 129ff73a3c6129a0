"""Adding a reference level takes one declaration (catalogue/vocabulary.yaml) and one loader — nothing else.

The test copies the catalogue, declares a fake « unité urbaine » level — placed first among the reference
levels and in every document (`places`) — whose loader gives Toulouse's unité urbaine a made-up poverty rate
(17,5 % in 2019), builds a warehouse with it and finds the level, with no other file touched, in: the fiche
(library, view, page), the fiche PDF, the baromètre (tried first, so it lights the poverty rate), the
evolution chart and the COPIL deck (its gap columns come from `levels_in("deck")`).
"""
from __future__ import annotations

import json
import sys
import textwrap

import pytest
from pypdf import PdfReader

from catalogue_copy import edited_catalogue, warehouse_of
from pages_apptest import all_tables, figures, run_page

LEVEL = """
  unite_urbaine:
    label: Unité urbaine
    short: Unité urbaine (test)
    with: l'unité urbaine
    of: "de l'unité urbaine {name}"
    color: "#123456"
    reference: true
    places: [fiche, evolution, deck, barometre]
    link: {via_communes: commune_unite_urbaine}
    loader: fake_unite_urbaine:load
"""
LOADER = '''
"""Test loader of a fake reference level: one unité urbaine around Toulouse (31555), made-up values."""


def load(ctx):
    con = ctx.con
    con.execute("INSERT INTO territory (code, level, name) VALUES ('UU31701', 'unite_urbaine', 'Toulouse (test)')")
    con.execute("INSERT INTO territory_link VALUES ('31555', 'UU31701', 'commune_unite_urbaine', 1.0, 'cog', NULL)")
    con.execute("INSERT INTO indicator_value VALUES ('UU31701', 'tx_pauvrete', 2017, 17.0, 'ok', 'test', 'x', 2017)")
    con.execute("INSERT INTO indicator_value VALUES ('UU31701', 'tx_pauvrete', 2019, 17.5, 'ok', 'test', 'x', 2019)")
'''
SHORT = "Unité urbaine (test)"
POVERTY = "Taux de pauvreté au seuil de 60 %"


def test_the_real_catalogue_has_no_such_level():
    # runs before the module fixture points OBSERVATOIRE_CATALOGUE_DIR at the modified copy
    from observatoire import vocabulary

    assert "unite_urbaine" not in vocabulary.codes("levels")


@pytest.fixture(scope="module")
def uu_warehouse(tmp_path_factory, data_dir):
    tmp = tmp_path_factory.mktemp("uu")
    anchor = "\n  commune:\n    label: Commune\n    short: Commune\n"   # declared first among the references
    cat = edited_catalogue(tmp, "vocabulary.yaml", anchor, "\n" + LEVEL.strip("\n") + anchor)
    (tmp / "fake_unite_urbaine.py").write_text(textwrap.dedent(LOADER), encoding="utf-8")
    sys.path.insert(0, str(tmp))
    with warehouse_of(cat, data_dir, tmp / "uu.duckdb") as db:
        yield db
    sys.path.remove(str(tmp))


@pytest.fixture()
def uu_con(uu_warehouse):
    from observatoire import db

    con = db.connect(uu_warehouse, read_only=True)
    yield con
    con.close()


def test_new_level_reaches_the_fiche(uu_con):
    from indicators import fiche
    from observatoire import vocabulary
    from presentation import fiche as view

    assert vocabulary.reference_levels()[0] == "unite_urbaine"
    for place in ("fiche", "evolution", "deck", "barometre"):
        assert vocabulary.levels_in(place)[0] == "unite_urbaine", place
    f = fiche.fiche(uu_con, "QP031007", n_twins=0)
    pov = next(x for x in f["indicators"] if x["indicator_id"] == "tx_pauvrete")
    uu = next(r for r in pov["references"] if r["level"] == "unite_urbaine")
    assert (uu["code"], uu["name"], uu["value"], uu["edition"]) == ("UU31701", "Toulouse (test)", 17.5, 2019)
    table = view.view(uu_con, "QP031007", n_twins=0).references["table"]
    assert list(table.columns[:4]) == ["Indicateur", "Millésime", "Quartier", SHORT]   # vocabulary order
    assert table.set_index("Indicateur").loc[POVERTY, SHORT] == "17,5 %"


def test_new_level_on_the_page(uu_warehouse):
    at = run_page("fiche", quartier="QP031007")
    refs = next(t for t in all_tables(at) if SHORT in t.columns)
    assert (refs[SHORT] == "17,5 %").any()
    bars = json.dumps(figures(at)[0]["data"], ensure_ascii=False)     # the detail bars (poverty rate)
    assert SHORT in bars and "17,5 %" in bars


def test_new_level_in_the_fiche_pdf(uu_con, tmp_path):
    from exports import fiche_pdf

    out = fiche_pdf.build(uu_con, "QP031007", tmp_path / "QP031007.pdf")
    page2 = " ".join(PdfReader(str(out)).pages[1].extract_text().split())
    assert "Unité urbaine (test)" in page2 and "17,5 %" in page2
    assert "au-dessus de l'unité urbaine (17,5 %)" in page2          # the baromètre line of the PDF


def test_new_level_in_the_barometre(uu_con):
    from presentation import barometre

    it = next(i for i in barometre.view(uu_con, "QP031007").items if i.indicator_id == "tx_pauvrete")
    assert (it.reference_level, it.reference_value, it.light.code) == ("unite_urbaine", 17.5, "moins_bien")
    assert "— au-dessus de l'unité urbaine (17,5 %)" in it.line
    assert "celui de l'unité urbaine Toulouse (test) (17,5 %)" in it.sentence


def test_new_level_in_the_evolution_chart(uu_con):
    from charts import fiche as fiche_charts
    from presentation import fiche as view

    d = view.detail(uu_con, "QP031007", "tx_pauvrete")
    uu = d.evolution[d.evolution.level == "unite_urbaine"]
    assert dict(zip(uu.edition, uu.text)) == {2017: "17,0 %", 2019: "17,5 %"}
    fig = fiche_charts.detail_evolution(d)
    assert any(tr.name == f"{SHORT} : Toulouse (test)" for tr in fig.data)


def test_new_level_in_the_deck(uu_con, tmp_path):
    """The COPIL key table's gap columns come from vocabulary.levels_in("deck") (vk's deck, issue 18): with a
    deck still reading its own list of levels, this test fails — on purpose, it is the recipe's promise."""
    from pptx import Presentation

    from exports import deck

    out = deck.build(uu_con, "CV101", tmp_path / "cv101.pptx")
    texts = " ".join(sh.text_frame.text if sh.has_text_frame else
                     " ".join(c.text for r in sh.table.rows for c in r.cells) if sh.has_table else ""
                     for s in Presentation(str(out)).slides for sh in s.shapes)
    # the ranking slide says what the lights compare with, in the baromètre's order: the new level first
    assert "que la référence : unité urbaine (test), commune, EPCI ou ensemble des QPV" in texts


def test_new_level_in_the_report_key_table(uu_con):
    """The place `deck` (the COPIL documents' key table): the annual report's table of key indicators gives
    each quartier's gap to the `deck` levels and one reference row per territory of those levels."""
    from presentation import contract as pc

    kt = pc.view(uu_con, "CV101", None, for_report=True).key_table
    uu = next(r for r in kt["ref_rows"] if r[0]["text"] == "Toulouse (test)")
    assert uu[0]["sub"] == "Unité urbaine"
    assert uu[kt["header"].index("Taux de pauvreté")]["text"] == "17,5 %"
    assert any(c.get("sub", "").startswith(SHORT + " ") for r in kt["rows"] for c in r[2:])
