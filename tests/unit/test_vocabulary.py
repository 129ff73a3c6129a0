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


def test_non_disponible_and_sans_voyant_are_typed_once():
    import re as _re

    from observatoire import settings

    raw = (settings.catalogue_dir() / "vocabulary.yaml").read_text(encoding="utf-8")
    for word in ("non disponible", "sans voyant"):
        assert len(_re.findall(rf"^\s+label: (?:&\w+ )?{word}\s*$", raw, _re.M)) == 1, word
    assert vocabulary.light(None)["label"] == vocabulary.status_label("non_disponible") == "non disponible"
    assert vocabulary.light(vocabulary.light_code(None, value_shown=True))["label"] == "sans voyant"
    assert vocabulary.light_code(None, value_shown=False) == "none" and vocabulary.light_code("mieux", True) == "mieux"


def test_comparison_rules_and_phrases():
    import string

    assert vocabulary.rule("reference_year", "max_years_apart") == 2
    assert vocabulary.rule("light_other_year", "tolerance_multiple") == 2
    for code, t in vocabulary.terms("comparison_rules").items():
        assert "{" in t["label"] and t["label"].format(**t), code     # the number is the parameter's, typed once
    for code, t in vocabulary.terms("phrases").items():
        names = [f[1] for f in string.Formatter().parse(t["label"]) if f[1] is not None]
        assert all(n and n.isidentifier() for n in names), (code, names)
    assert vocabulary.phrase("crosswalk_link", method="m", confidence="95") == "m, confiance 95 %"


def test_level_phrases():
    assert vocabulary.level_to("commune") == "à la commune"
    assert vocabulary.level_to("departement") == "au département"
    assert vocabulary.level_to("epci") == "à l'intercommunalité"
    assert vocabulary.level_brief("ensemble_qpv") == "l'ensemble des QPV"
    assert vocabulary.level_brief("commune") == "la commune"
    assert vocabulary.levels_in("fiche") == ["commune", "epci", "contrat_de_ville", "departement", "region", "france",
                                              "ensemble_qpv"]
    assert vocabulary.levels_in("barometre") == ["commune", "epci", "ensemble_qpv"]
