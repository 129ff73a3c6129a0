"""Warehouse-free rules of the contract documents (issue 18): plurals, amounts that never break, who
imported a file, the secret note from the catalogue's rules, the « depuis » date and the due-date horizon,
the contract labels read from the vocabulary, the office cells' neutralisation."""
from __future__ import annotations

import datetime as dt

from contract import vocab
from indicators import engagements
from observatoire import catalogue, vocabulary
from presentation import since, sources, text

NBSP = "\u00a0"


def test_plural_agreement():
    assert text.plural_text(1, "point d'étape", "points d'étape") == "1 point d'étape"
    assert text.plural_text(2, "point d'étape", "points d'étape") == "2 points d'étape"
    assert text.plural_text(0, "engagement") == "0 engagement"
    assert text.plural_text(1, "engagement") == "1 engagement"
    assert text.plural_text(1626, "quartier") == "1 626 quartiers"


def test_amounts_and_values_hold_together():
    assert text.nowrap_numbers("postes (2024, 2 344 540 €)") == f"postes (2024, 2{NBSP}344{NBSP}540{NBSP}€)"
    assert text.nowrap_numbers("≈ 49,2 %") == f"≈{NBSP}49,2{NBSP}%"
    assert text.nowrap_numbers("92 + 35 postes en 2024") == "92 + 35 postes en 2024"     # words still wrap
    assert text.nowrap_numbers("millésimes 2017 2019") == "millésimes 2017 2019"         # no grouping of years


def test_office_cells_are_neutralised():
    from exports import docx_kit, pptx_kit

    formula = '=HYPERLINK("http://x","sig")'
    assert pptx_kit.office_cell(formula) == "'" + formula
    assert docx_kit.cell_text(formula) == "'" + formula
    assert pptx_kit.office_cell("2 344 540 €") == f"2{NBSP}344{NBSP}540{NBSP}€"
    assert pptx_kit.office_cell("-3,5") == "-3,5"


def test_imported_by_is_a_person_or_the_command_line():
    assert sources.imported_by_text("cli:root") == "ligne de commande (compte root)"
    assert sources.imported_by_text("marie", {"marie": "Marie Dupont"}) == "Marie Dupont"
    assert sources.imported_by_text("marie") == "marie"
    assert sources.imported_by_text(None) == "auteur inconnu"
    assert "cli:" not in sources.imported_by_text("cli:observatoire")


def test_secret_note_follows_the_catalogue():
    rules = catalogue.secret_rules()
    note = sources.secret_note()
    assert f"moins de {rules['filosofi_menages']['min_units']} ménages fiscaux" in note
    assert f"demandeurs d'emploi : moins de {rules['pole_emploi_individus']['min_units']} personnes" in note


def test_since_date_says_why():
    today = dt.date(2026, 12, 6)
    assert since.since_date(dt.date(2026, 4, 3), [], today) == (
        dt.date(2026, 4, 3), "date du dernier COPIL indiquée à la préparation du document")
    assert since.since_date(None, [dt.date(2026, 12, 10), dt.date(2026, 4, 2)], today) == (
        dt.date(2026, 4, 2), "dernier COPIL enregistré dans les points d'étape")
    assert since.since_date(None, [], today)[0] == dt.date(2026, 6, 7)


def test_one_horizon_rule():
    today = dt.date(2026, 12, 6)
    assert engagements.horizon(today) == dt.date(2027, 3, 7)                 # 91 days (vocabulary)
    assert engagements.horizon(today, dt.date(2026, 12, 10)) == dt.date(2026, 12, 10)
    assert engagements.horizon(today, dt.date(2026, 11, 1)) == dt.date(2027, 3, 7)   # a past COPIL: the rule


def test_contract_labels_come_from_the_vocabulary():
    assert vocab.TRANCHES_AGE == vocabulary.labels("age_bands") and vocab.TRANCHES_AGE["0-5"] == "Moins de 6 ans"
    assert vocab.SEXES == {"F": "Filles / femmes", "M": "Garçons / hommes"}
    assert vocab.PHASES == {"prevu": "prévus", "realise": "réalisés"}
    assert vocab.SIGNATAIRE_TYPES["france_travail"] == "France Travail"
    assert vocab.REF_NIVEAUX["objectif_operationnel"] == "Objectif opérationnel"
    assert vocab.EVALUATION_CRITERIA["note_participation"] == "Participation des habitants"
    assert (vocab.NOTE_MIN, vocab.NOTE_MAX) == (1, 4)
    assert vocab.ECHELLES["oui_non"] == ("Oui / non", [("Oui", True, False), ("Non", False, False),
                                                       ("Ne sait pas", False, True)])
    assert vocab.THEMATIQUES[0] == "Éducation et réussite éducative" and len(vocab.THEMATIQUES) == 7
    assert vocab.ACTION_STATUT_ALIASES["financee"] == "accorde"          # the spellings stay here


def test_charts_do_not_read_contract_vocab():
    from pathlib import Path

    src = (Path(__file__).resolve().parents[2] / "charts" / "contract.py").read_text(encoding="utf-8")
    assert "contract.vocab" not in src and "from contract import" not in src
