"""The project's closed vocabularies (catalogue/vocabulary.yaml): levels, generations, themes, value
statuses, lights, trends, link statuses, contract-life statuses, means kinds, roles.

Every layer asks here for a label, a colour or an order; nothing else spells them. The `catalogue` build
step copies the same declarations into the warehouse table `vocabulary` (for SQL users and CHECK
constraints).
"""
from __future__ import annotations

from observatoire import catalogue

KINDS = ("levels", "generations", "themes", "polarities", "gap_kinds", "value_statuses", "lights", "trends",
         "changes", "directions", "verdicts", "link_statuses", "link_methods", "relations", "engagement_statuses",
         "action_statuses", "financeurs", "means_kinds", "roles", "comparison_rules", "phrases", "qpv_answers",
         "locate_statuses", "verification_reasons", "crosswalk_methods", "approximations", "class_methods", "palette",
         "scales")
# Contract life (contract/vocab.py reads them under their historical names; presentation/ and charts/ too).
CONTRACT_KINDS = ("age_bands", "sexes", "beneficiary_phases", "porteur_types", "signataire_types",
                  "programmation_themes", "evaluation_criteria", "evaluation_marks", "referentiel_levels",
                  "survey_scales", "survey_readings", "review_instances", "import_kinds", "contract_rows",
                  "since_origins", "engagement_horizon", "import_authors")
KINDS += CONTRACT_KINDS


_DERIVED: dict = {}   # key -> (the parsed vocabulary.yaml it was computed from, value)


def _derived(key, compute):
    """`compute()` once per version of vocabulary.yaml (catalogue.document gives the same object while the file
    is unchanged, a new one when it changes or when OBSERVATOIRE_CATALOGUE_DIR points elsewhere): every label
    of every view goes through here, and rebuilding the dicts on each call cost a tenth of a quartier's views."""
    doc = catalogue.document("vocabulary.yaml")
    hit = _DERIVED.get(key)
    if hit is None or hit[0] is not doc:
        hit = _DERIVED[key] = (doc, compute(doc))
    return hit[1]


def _terms(kind: str) -> dict[str, dict]:
    """terms(kind), shared: callers of this module read it, never change it."""
    def compute(doc):
        if kind not in doc:
            raise KeyError(f"Vocabulaire inconnu : {kind!r} (catalogue/vocabulary.yaml)")
        return {str(k): (v or {}) for k, v in doc[kind].items()}
    return _derived(("terms", kind), compute)


def terms(kind: str) -> dict[str, dict]:
    """{code: attributes} of one vocabulary, in declared (display) order. KeyError for an unknown kind."""
    return dict(_terms(kind))


def codes(kind: str) -> list[str]:
    return list(_terms(kind))


def term(kind: str, code) -> dict:
    """Attributes of one code ({} when the code is not declared: callers fall back to the code itself)."""
    return _terms(kind).get("none" if code is None else str(code), {})


def label(kind: str, code, short: bool = False, plural: bool = False) -> str:
    """French label of a code; the `short` (or `plural`) form when asked and declared; the code itself if
    undeclared."""
    t = term(kind, code)
    for form, asked in (("short", short), ("plural", plural)):
        if asked and t.get(form):
            return str(t[form])
    if "label" in t:
        return str(t["label"])
    return "" if code is None else str(code)


def labels(kind: str, short: bool = False) -> dict[str, str]:
    return {c: label(kind, c, short) for c in _terms(kind)}


def color(kind: str, code, default: str = "#8a939c") -> str:
    return str(term(kind, code).get("color") or default)


def colors(kind: str) -> dict[str, str]:
    return {c: color(kind, c) for c in _terms(kind)}


def order(kind: str) -> dict[str, int]:
    """{code: rank}: sort keys for tables and legends."""
    return {c: i for i, c in enumerate(_terms(kind))}


def flagged(kind: str, flag: str) -> tuple[str, ...]:
    """Codes whose attribute `flag` is true (e.g. closed engagement statuses, funded action statuses)."""
    return _derived(("flagged", kind, flag), lambda doc: tuple(c for c, t in _terms(kind).items() if t.get(flag)))


# --------------------------------------------------------------------------- levels

def reference_levels() -> list[str]:
    """Comparison levels of a quartier, in reading order (commune, EPCI, …, Ensemble des QPV)."""
    return list(_derived(("reference_levels",), lambda doc: [c for c, t in _terms("levels").items()
                                                             if t.get("reference")]))


def level_label(level: str, short: bool = False) -> str:
    return label("levels", level, short)


def level_with(level: str) -> str:
    """« la commune », « l'intercommunalité »… (what a quartier is compared with)."""
    return str(term("levels", level).get("with") or level_label(level).lower())


def _de(name: str) -> str:
    return f"d'{name}" if name[:1].lower() in "aeéèêiîoôuhy" else f"de {name}"


def level_brief(level: str) -> str:
    """The baromètre line's short form of `with` (« l'ensemble des QPV »), else `with` itself."""
    return str(term("levels", level).get("brief") or level_with(level))


def level_to(level: str) -> str:
    """« à la commune », « au département », « à l'intercommunalité »: « par rapport … » made from `with`."""
    w = level_with(level)
    for article, contracted in (("le ", "au "), ("les ", "aux ")):
        if w.startswith(article):
            return contracted + w[len(article):]
    return "à " + w


def level_of(level: str, name: str | None) -> str:
    """What follows « celui / celle » in a sentence: « de la commune de Toulouse », « du département (Gard) »."""
    pattern = term("levels", level).get("of")
    name = (name or "").strip()
    if not pattern:
        return _de(name) if name else ""
    return pattern.format(name=name, de_name=_de(name) if name else "").replace(" ()", "").strip()


def levels_in(place: str) -> list[str]:
    """Reference levels shown by one document (`places` of catalogue/vocabulary.yaml: fiche, evolution, deck,
    barometre), in reading order: adding a level to a place is one line of the vocabulary."""
    return list(_derived(("levels_in", place), lambda doc: [
        c for c, t in _terms("levels").items() if t.get("reference") and place in (t.get("places") or ())]))


# --------------------------------------------------------------------------- phrases and rules

def phrase(code: str, **values) -> str:
    """A fixed phrase or sentence pattern of the vocabulary (`phrases`), its {named} holes filled with
    `values` (already display text). KeyError for an undeclared phrase: a sentence is never made up here."""
    return str(_terms("phrases")[code]["label"]).format(**values)


def rule(code: str, key: str):
    """A parameter of a comparison rule (`comparison_rules`), e.g. rule("reference_year", "max_years_apart")."""
    return _terms("comparison_rules")[code][key]


# --------------------------------------------------------------------------- palette

def palette(name: str) -> str:
    """A colour of the house palette (`#1f2a44`…): every renderer (charts, PPTX, DOCX, PDF, HTML) reads it
    here. KeyError for an undeclared name: a colour is never made up on the spot."""
    return str(_terms("palette")[name]["color"])


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """(r, g, b) of `#rrggbb`, for the office writers (python-pptx, python-docx, fpdf2)."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def scale(name: str) -> list[str]:
    """A sequential colour scale (light -> dark = unfavourable): `worse`, `neutral`."""
    return [str(c) for c in _terms("scales")[name]["colors"]]


# --------------------------------------------------------------------------- value statuses

def status_label(status: str | None) -> str:
    """« secret statistique », « non disponible »…; '' for ok. A missing status reads « non disponible »."""
    return label("value_statuses", status or "non_disponible")


def status_placeholder(status: str | None) -> str:
    t = term("value_statuses", status or "non_disponible")
    return str(t.get("placeholder") or t.get("label") or status or "")


def shown_statuses() -> tuple[str, ...]:
    """Statuses whose value may be displayed (ok, bruite): every other status hides the number."""
    return flagged("value_statuses", "shown")


# --------------------------------------------------------------------------- lights

def light(code: str | None) -> dict:
    """{label, color, symbol} of a baromètre light; None or unknown give the « non disponible » light."""
    t = _terms("lights")
    key = code if isinstance(code, str) and code in t else "none"
    return dict(t[key])


def light_code(code: str | None, value_shown: bool) -> str:
    """The light to show: the computed one, else « sans voyant » when the value is shown but could be compared
    with no reference, else « non disponible » (the value's status says why)."""
    if code is not None:
        return code
    return "sans_voyant" if value_shown else "none"


# --------------------------------------------------------------------------- themes, generations

def theme_label(theme: str | None) -> str:
    return label("themes", theme) if theme else ""


def generation_label(generation) -> str:
    """« géographie prioritaire 2015 »…; '' when unknown."""
    return label("generations", generation) if generation not in (None, "") and term("generations", generation) else ""


# --------------------------------------------------------------------------- contract life

def scale_options(code: str) -> list[tuple[str, bool, bool]]:
    """[(option label, favourable, excluded)] of a survey answer scale, in order (`survey_scales`)."""
    return [(str(o["label"]), bool(o.get("favorable")), bool(o.get("excluded")))
            for o in term("survey_scales", code).get("options") or []]


def row_label(code: str) -> str:
    """« Ensemble », « Non renseigné »…: the words of rows that are not a code (`contract_rows`)."""
    return label("contract_rows", code)
