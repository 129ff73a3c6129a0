"""Adding a reference level takes one declaration (catalogue/vocabulary.yaml) and one loader — nothing else.

The test copies the catalogue, declares a fake « unité urbaine » level whose loader gives Toulouse's unité
urbaine made-up values, builds a warehouse with it and finds the level on the fiche (library, view model and
page), in the vocabulary's order, with no other file touched.
"""
from __future__ import annotations

import shutil
import sys
import textwrap

import pytest

from pages_apptest import all_tables, run_page

LEVEL = """
  unite_urbaine:
    label: Unité urbaine
    short: Unité urbaine (test)
    with: l'unité urbaine
    of: "de l'unité urbaine {name}"
    color: "#123456"
    reference: true
    link: {via_communes: commune_unite_urbaine}
    loader: fake_unite_urbaine:load
"""
LOADER = '''
"""Test loader of a fake reference level: one unité urbaine around Toulouse (31555), made-up values."""


def load(ctx):
    con = ctx.con
    con.execute("INSERT INTO territory (code, level, name) VALUES ('UU31701', 'unite_urbaine', 'Toulouse (test)')")
    con.execute("INSERT INTO territory_link VALUES ('31555', 'UU31701', 'commune_unite_urbaine', 1.0, 'cog', NULL)")
    con.execute("INSERT INTO indicator_value VALUES ('UU31701', 'tx_pauvrete', 2019, 17.5, 'ok', 'test', 'x', 2019)")
'''


def test_the_real_catalogue_has_no_such_level():
    # runs before the module fixture points OBSERVATOIRE_CATALOGUE_DIR at the modified copy
    from observatoire import vocabulary

    assert "unite_urbaine" not in vocabulary.codes("levels")


@pytest.fixture(scope="module")
def uu_warehouse(tmp_path_factory, data_dir):
    from loaders.build import build
    from observatoire import settings

    tmp = tmp_path_factory.mktemp("uu")
    cat = tmp / "catalogue"
    shutil.copytree(settings.catalogue_dir(), cat)
    voc = cat / "vocabulary.yaml"
    text = voc.read_text(encoding="utf-8")
    head, rest = text.split("\n# --------------------------------------------------------------------------- "
                            "geography generations", 1)
    voc.write_text(head.rstrip("\n") + "\n" + LEVEL.strip("\n") + "\n\n# -------------------------------------"
                   "-------------------------------------- geography generations" + rest, encoding="utf-8")
    (tmp / "fake_unite_urbaine.py").write_text(textwrap.dedent(LOADER), encoding="utf-8")
    sys.path.insert(0, str(tmp))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_CATALOGUE_DIR", str(cat))
        db = tmp / "uu.duckdb"
        build(data_dir, db, quiet=True)
        mp.setenv("OBSERVATOIRE_DB", str(db))
        yield db
    sys.path.remove(str(tmp))


def test_new_level_reaches_the_fiche(uu_warehouse):
    from indicators import fiche
    from observatoire import db, vocabulary
    from presentation import fiche as view

    assert "unite_urbaine" in vocabulary.reference_levels()
    con = db.connect(uu_warehouse)
    f = fiche.fiche(con, "QP031007", n_twins=0)
    pov = next(x for x in f["indicators"] if x["indicator_id"] == "tx_pauvrete")
    uu = next(r for r in pov["references"] if r["level"] == "unite_urbaine")
    assert (uu["code"], uu["name"], uu["value"], uu["edition"]) == ("UU31701", "Toulouse (test)", 17.5, 2019)
    table = view.reference_table(con, f)["table"]
    row = table[table.Indicateur == pov["label"]].iloc[0]
    assert row["Unité urbaine (test)"] == "17,5 %"
    con.close()


def test_new_level_on_the_page(uu_warehouse):
    at = run_page("fiche", quartier="QP031007")
    refs = next(t for t in all_tables(at) if "Unité urbaine (test)" in t.columns)
    assert (refs["Unité urbaine (test)"] == "17,5 %").any()
