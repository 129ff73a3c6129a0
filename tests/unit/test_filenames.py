"""presentation/filenames.py: the names of downloaded files (issue 20: « copil-toulouse-metropole-2026-12-06.pptx »
instead of « indicateurs-QN03104M-et-15-autres.xlsx »). No database."""
from __future__ import annotations

import datetime as dt

from presentation import filenames

DAY = dt.date(2026, 12, 6)


def test_export_names_say_whose_file_and_when():
    assert filenames.copil("Toulouse Métropole", DAY) == "copil-toulouse-metropole-2026-12-06.pptx"
    assert filenames.fiche("Grand Mirail", "QN03107M", DAY) == "fiche-grand-mirail-QN03107M-2026-12-06.pdf"
    assert filenames.rapport(2025, "Métropole Nice Côte d'Azur", DAY) == \
        "rapport-annuel-2025-metropole-nice-cote-d-azur-2026-12-06.docx"
    assert filenames.classeur(["Toulouse Métropole"], DAY) == "indicateurs-toulouse-metropole-2026-12-06.xlsx"


def test_selection_is_named_by_its_first_territory_and_how_many_others():
    assert filenames.classeur(filenames.selection_words("Barradels", 16), DAY) == \
        "indicateurs-barradels-et-15-autres-2026-12-06.xlsx"
    assert filenames.classeur(filenames.selection_words("Barradels", 2), DAY) == \
        "indicateurs-barradels-et-1-autre-2026-12-06.xlsx"
    assert filenames.classeur(filenames.selection_words("Barradels", 1), DAY) == \
        "indicateurs-barradels-2026-12-06.xlsx"
    assert filenames.selection_words(None, 0) == ["selection"]


def test_slug_removes_accents_ligatures_and_punctuation_and_cuts_on_words():
    assert filenames.slug("Cœur de Ville — Saint-Étienne (Loire), l’Île") == "coeur-de-ville-saint-etienne-loire-l-ile"
    assert filenames.slug("Taux de pauvreté 2019") == "taux-de-pauvrete-2019"
    assert filenames.slug("A+B") == "a-b"
    assert filenames.slug("  ") == "export" and filenames.slug(None) == "export"
    long = filenames.slug("Quartier " * 20)
    assert len(long) <= filenames.SLUG_MAX and long.endswith("quartier") and not long.endswith("-")


def test_file_name_keeps_the_code_as_written_and_only_safe_characters():
    name = filenames.file_name("fiche", "../../etc/passwd", code="QN03107M/../x", ext="pdf", day=DAY)
    assert name == "fiche-etc-passwd-QN03107Mx-2026-12-06.pdf"
    assert filenames.file_name("x", ext=".csv", day=DAY) == "x-2026-12-06.csv"
