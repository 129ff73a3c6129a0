"""observatoire/vocabulary.py on catalogue/vocabulary.yaml: every declaration complete and well formed, and
the helpers every layer uses. No database."""
from __future__ import annotations

import re

from observatoire import vocabulary

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
LINK_KEYS = {"relation", "else_via_communes", "via_communes", "column", "prefix", "code", "else_code"}


def test_every_reference_level_has_a_label_and_a_link_rule():
    levels = vocabulary.reference_levels()
    assert levels[0] == "commune" and levels[-1] == "ensemble_qpv"
    assert {"epci", "contrat_de_ville", "departement", "region", "france"} <= set(levels)
    for level in levels:
        t = vocabulary.term("levels", level)
        assert t.get("label") and t.get("short") and t.get("with") and t.get("of"), level
        rule = t.get("link")
        assert rule and set(rule) <= LINK_KEYS, (level, rule)
        assert {"relation", "via_communes", "column", "code"} & set(rule), (level, rule)


def test_every_level_has_a_label_short_form_and_colour():
    for code, t in vocabulary.terms("levels").items():
        assert t.get("label") and t.get("short"), code
        assert HEX.match(t.get("color", "")), code


def test_every_status_has_a_label_and_a_placeholder():
    for code, t in vocabulary.terms("value_statuses").items():
        assert "label" in t and "placeholder" in t and "shown" in t, code
        if not t["shown"]:   # a hidden number is replaced by these words: never blank
            assert t["label"].strip() and t["placeholder"].strip(), code
    assert vocabulary.shown_statuses() == ("ok", "bruite")
    assert vocabulary.status_label(None) == "non disponible"
    assert vocabulary.status_placeholder("secret") == "secret"


def test_every_colour_is_hex():
    for kind in vocabulary.KINDS:
        for code, t in vocabulary.terms(kind).items():
            if "color" in t:
                assert HEX.match(str(t["color"])), (kind, code, t["color"])


def test_every_term_of_a_labelled_kind_has_a_label():
    for kind in vocabulary.KINDS:
        for code, t in vocabulary.terms(kind).items():
            if kind != "value_statuses":
                assert str(t.get("label") or "").strip(), (kind, code)


def test_labels_and_short_labels():
    assert vocabulary.label("levels", "france") == "France métropolitaine"
    assert vocabulary.label("levels", "france", short=True) == "France métro."
    assert vocabulary.label("themes", "revenus", short=True) == "Revenus et pauvreté"   # no short form: label
    assert vocabulary.label("levels", "unite_urbaine") == "unite_urbaine"             # undeclared: the code
    assert vocabulary.labels("means_kinds") == {"adulte_relais": "Adultes-relais", "fonjep": "Postes FONJEP"}
    assert vocabulary.color("engagement_statuses", "realise") == "#1b7a3d"
    assert vocabulary.color("engagement_statuses", "inconnu") == "#8a939c"


def test_sentence_helpers():
    assert vocabulary.level_of("commune", "Toulouse") == "de la commune de Toulouse"
    assert vocabulary.level_of("commune", "Aix-en-Provence") == "de la commune d'Aix-en-Provence"
    assert vocabulary.level_of("departement", "Ain") == "du département (Ain)"
    assert vocabulary.level_with("epci") == "l'intercommunalité"
    assert vocabulary.generation_label("2015") == "géographie prioritaire 2015"
    assert vocabulary.generation_label("1999") == "" and vocabulary.generation_label(None) == ""
    assert vocabulary.light(None)["label"] == "non disponible"
    assert vocabulary.light("moins_bien") == {"label": "moins bien", "color": "#b71c1c", "symbol": "▼"}
    assert vocabulary.flagged("engagement_statuses", "closed") == ("realise", "abandonne")
