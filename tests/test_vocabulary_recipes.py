"""Newcomer recipes that are true (issue 18, item 6), on copies of the catalogue:

- changing how a secret value is displayed is ONE line of catalogue/vocabulary.yaml: the fiche (view and PDF),
  the baromètre and the secret note of every export say the new words, no other file touched;
- adding an indicator is ONE entry of catalogue/indicators.yaml: after a build, the fiche (view and page)
  lists it with the value of the file, no other file touched.
Expected values are read from the raw files (test_indicators_raw).
"""
from __future__ import annotations

import pytest
from pypdf import PdfReader
from test_indicators_raw import SIG, value

from catalogue_copy import edited_catalogue, warehouse_of
from pages_apptest import all_tables, run_page

SECRET_LINE = "    label: secret statistique\n"
NEW_WORDS = "confidentiel (test)"
ENTRY = '''
  - id: enfants_3_5_caf
    label: "Enfants de 3 à 5 ans couverts par une prestation CAF"
    unit: "enfants"
    theme: caf
    polarity: neutral
    source: sigville_demo
    definition: "Enfants de 3 à 5 ans à charge des foyers allocataires (variable ENF_3_5)."
    decimals: 0
    gap_kind: none
    aggregation: sum
    secret_rule: null
    tolerance: 0.05
    barometre: false
    editions:
      2022: "DEMO_2022.csv:ENF_3_5"
'''


@pytest.fixture()
def secret_words(tmp_path, monkeypatch):
    """The catalogue with one line changed: the label of the status `secret`."""
    cat = edited_catalogue(tmp_path, "vocabulary.yaml", SECRET_LINE, f"    label: {NEW_WORDS}\n")
    monkeypatch.setenv("OBSERVATOIRE_CATALOGUE_DIR", str(cat))
    return NEW_WORDS


def test_a_secret_value_is_displayed_as_one_line_of_the_vocabulary_says(con, secret_words, tmp_path, data_dir):
    from exports import fiche_pdf
    from presentation import barometre, fiche as fiche_view, sources, text

    # DEMO_2022.csv: IND_JEUNE is empty (secret) for Celleneuve, QP034004
    assert (data_dir / SIG / "DEMO_2022.csv").exists() and value(f"{SIG}/DEMO_2022.csv", "QP034004", "IND_JEUNE") is None
    assert text.value_text(None, "secret") == secret_words
    v = fiche_view.view(con, "QP034004", n_twins=0)
    young = next(r for r in v.rows if r.label == "Indice de jeunesse")
    assert str(young.value) == secret_words and young.status_text == secret_words
    assert f"« {secret_words} »" in sources.secret_note()
    # the baromètre: Nice, QP006009, employment rate secret in IPRO_2022.csv
    it = next(i for i in barometre.view(con, "QP006009").items if i.indicator_id == "tx_emploi")
    assert it.value_text == secret_words and f"({secret_words})" in it.sentence
    out = fiche_pdf.build(con, "QP034004", tmp_path / "QP034004.pdf")
    lines = PdfReader(str(out)).pages[0].extract_text().splitlines()
    assert secret_words in next(ln for ln in lines if ln.startswith("Indice de jeunesse"))
    assert "secret statistique" not in " ".join(lines)


@pytest.fixture(scope="module")
def new_indicator_warehouse(tmp_path_factory, data_dir):
    tmp = tmp_path_factory.mktemp("new_indicator")
    anchor = "\n  - id: alloc_rsa\n"
    cat = edited_catalogue(tmp, "indicators.yaml", anchor, "\n" + ENTRY.strip("\n") + "\n" + anchor)
    with warehouse_of(cat, data_dir, tmp / "new.duckdb") as db:
        yield db


def test_an_indicator_is_one_yaml_entry(new_indicator_warehouse):
    from observatoire import db
    from presentation import fiche as fiche_view

    expected = value(f"{SIG}/DEMO_2022.csv", "QP031007", "ENF_3_5")
    assert expected is not None and expected > 0
    con = db.connect(new_indicator_warehouse, read_only=True)
    try:
        row = fiche_view.view(con, "QP031007", n_twins=0).row("enfants_3_5_caf")
        assert row is not None and row.value.value == expected and row.edition == 2022
        shown = str(row.value)
        # the 2024 successor shows it too, borrowed from its 2015 predecessor (a count: summed, « ≈ »)
        succ = fiche_view.view(con, "QN03107M", n_twins=0).row("enfants_3_5_caf")
        assert str(succ.value) == "≈ " + shown
    finally:
        con.close()
    at = run_page("fiche", quartier="QP031007")
    caf = next(t for t in all_tables(at) if "Indicateur" in t and
               (t.Indicateur == "Enfants de 3 à 5 ans couverts par une prestation CAF").any())
    assert caf[caf.Indicateur == "Enfants de 3 à 5 ans couverts par une prestation CAF"].iloc[0].Valeur == shown
