"""presentation/sources.py (source-line wording, millésime ranges) and readers/text.norm. No database."""
from __future__ import annotations

from presentation.sources import DEMO_LABEL, OBSERVATORY, means_line, millesimes_text, source_line
from readers.text import norm


def test_millesimes_text_ranges():
    assert millesimes_text([2017, 2018, 2019]) == "2017 à 2019"
    assert millesimes_text([2019, 2017, 2018, 2018]) == "2017 à 2019"          # sorted, deduplicated
    assert millesimes_text([2017, 2019]) == "2017, 2019"                        # a gap: listed
    assert millesimes_text([2018, 2019]) == "2018, 2019"                        # two years: never a range
    assert millesimes_text([2019, None, "", float("nan")]) == "2019"
    assert millesimes_text(2019) == "2019" and millesimes_text("2019") == "2019"
    assert millesimes_text(None) == "" and millesimes_text([]) == ""


def test_source_line_wording():
    assert OBSERVATORY == "Observatoire des contrats de ville"
    assert source_line("INSEE — Filosofi", 2019, "2015") == (
        "Source : INSEE — Filosofi — millésime 2019 — géographie prioritaire 2015 — Observatoire des contrats de ville")
    assert source_line(["INSEE", "CNAF", "INSEE"], [2017, 2018, 2019]) == (
        "Source : INSEE, CNAF — millésimes 2017 à 2019 — Observatoire des contrats de ville")
    assert source_line(None) == "Source : non renseignée — Observatoire des contrats de ville"
    line = source_line("ANCT", 2024, "2024", demo=True, note="contrat CN00604I")
    assert line == ("Source : ANCT — millésime 2024 — géographie prioritaire 2024 — contrat CN00604I — "
                    f"{DEMO_LABEL.upper()} — Observatoire des contrats de ville")
    assert DEMO_LABEL == "Données de démonstration"


def test_means_line_names_both_producers():
    assert means_line([2024, 2025], ["CN03103I"]) == (
        "Source : ASP / ANCT — Ci.Ville ; FONJEP / ANCT — Ci.Ville — millésimes 2024, 2025 — contrat CN03103I — "
        "Observatoire des contrats de ville")


def test_norm_is_the_matching_key():
    assert norm("Saint-Étienne (42)") == "saint etienne 42"
    assert norm("  L’ŒUVRE   d'Art ") == "l oeuvre d art"
    assert norm("Taux_de_Pauvreté ") == "taux de pauvrete"
    assert norm("A+B") == "a+b"
    assert norm(None) == "" and norm(2019) == "2019"
