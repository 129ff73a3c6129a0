"""What the contract-life imports recognise: the spellings users type for the codes declared in
catalogue/vocabulary.yaml (engagement and action statuses, financeurs, signataire types, survey options).

Every label (age bands, sexes, phases, porteur and signataire types, themes, criteria, référentiel levels,
survey scales) lives in the vocabulary; the names below read it, for the imports and the démo generator.
"""
from __future__ import annotations

from observatoire import vocabulary
from readers.text import norm

# Spellings met in Dauphin-like exports, normalised with `norm()`.
ACTION_STATUT_ALIASES = {
    "depose": "depose", "deposee": "depose", "en instruction": "depose", "instruction": "depose",
    "demande": "depose", "en cours d instruction": "depose",
    "accorde": "accorde", "accordee": "accorde", "finance": "accorde", "financee": "accorde",
    "valide": "accorde", "validee": "accorde", "attribue": "accorde", "vote": "accorde", "votee": "accorde",
    "refuse": "refuse", "refusee": "refuse", "rejete": "refuse", "rejetee": "refuse", "non retenu": "refuse",
    "non retenue": "refuse", "ajourne": "refuse",
    "solde": "solde", "soldee": "solde", "cloture": "solde", "cloturee": "solde", "paye": "solde",
    "abandonne": "abandonne", "abandonnee": "abandonne", "annule": "abandonne", "annulee": "abandonne",
}

ENGAGEMENT_STATUT_ALIASES = {
    "prevu": "prevu", "a venir": "prevu", "non demarre": "prevu", "planifie": "prevu",
    "en cours": "en_cours", "encours": "en_cours", "engage": "en_cours", "demarre": "en_cours",
    "realise": "realise", "fait": "realise", "termine": "realise", "atteint": "realise", "acheve": "realise",
    "abandonne": "abandonne", "annule": "abandonne", "abandon": "abandonne",
    "en retard": "en_retard", "retard": "en_retard", "retarde": "en_retard",
}

# Financeurs (labels in catalogue/vocabulary.yaml `financeurs`): keywords recognise them inside column headers.
FINANCEUR_KEYWORDS = [  # first match wins, on normalised header text
    ("etat_p147", ("p147", "p 147", "politique de la ville", "anct", "bop 147", "cget")),
    ("etat_autre", ("etat",)),
    ("epci", ("epci", "metropole", "agglomeration", "agglo", "communaute", "intercommunal")),
    ("commune", ("commune", "ville", "municipal")),
    ("departement", ("departement", "conseil departemental")),
    ("region", ("region",)),
    ("caf", ("caf",)),
    ("bailleur", ("bailleur", "tfpb", "hlm")),
    ("europe", ("europe", "fse", "feder")),
    ("autre", ("autre",)),
]

# Labels: declared once in catalogue/vocabulary.yaml, kept here under their historical names for the imports.
TRANCHES_AGE = vocabulary.labels("age_bands")                   # code -> label (CERFA 12156-like bands)
SEXES = vocabulary.labels("sexes")
PHASES = vocabulary.labels("beneficiary_phases")
PORTEUR_TYPES = vocabulary.labels("porteur_types")
SIGNATAIRE_TYPES = vocabulary.labels("signataire_types")
SIGNATAIRE_KEYWORDS = [
    ("etat", ("prefecture", "prefet", "etat", "ddets", "sous-prefecture")),
    ("caf", ("caf", "allocations familiales")),
    ("ars", ("ars", "agence regionale de sante")),
    ("france_travail", ("france travail", "pole emploi")),
    ("mission_locale", ("mission locale",)),
    ("education_nationale", ("education nationale", "dsden", "academie", "rectorat")),
    ("justice", ("procureur", "justice", "tribunal", "pjj")),
    ("bailleur", ("habitat", "hlm", "logis", "bailleur", "logement")),
    ("ccas", ("ccas",)),
    ("chambre_consulaire", ("chambre", "cci", "cma")),
    ("banque_territoires", ("banque des territoires", "caisse des depots")),
    ("region", ("region",)),
    ("departement", ("departement", "conseil departemental")),
    ("epci", ("metropole", "agglomeration", "communaute")),
    ("commune", ("ville de", "commune", "mairie")),
]

THEMATIQUES = list(vocabulary.labels("programmation_themes").values())
EVALUATION_CRITERIA = vocabulary.labels("evaluation_criteria")
NOTE_MIN = int(vocabulary.term("evaluation_marks", "min")["value"])
NOTE_MAX = int(vocabulary.term("evaluation_marks", "max")["value"])
REF_NIVEAUX = vocabulary.labels("referentiel_levels")
# Answer scales recognised in survey files: code -> (label, [(option label, favorable, excluded)]).
ECHELLES = {code: (vocabulary.label("survey_scales", code), vocabulary.scale_options(code))
            for code in vocabulary.codes("survey_scales")}
# Extra spellings of options, normalised: option -> canonical option label.
MODALITE_ALIASES = {
    "nsp": "Ne sait pas", "ne sait pas": "Ne sait pas", "sans avis": "Ne sait pas", "ne se prononce pas": "Ne sait pas",
    "nsp/nrp": "Ne sait pas", "refus": "Ne sait pas",
    "satisfait": "Plutôt satisfait", "insatisfait": "Plutôt insatisfait",
    "d accord": "Plutôt d'accord", "pas d accord": "Plutôt pas d'accord",
    "ameliore": "S'est amélioré", "amelioration": "S'est amélioré", "pareil": "Est resté pareil",
    "stable": "Est resté pareil", "degrade": "S'est dégradé", "degradation": "S'est dégradé",
}


def guess_signataire_type(name: str) -> str:
    n = norm(name)
    padded = f" {n} "
    for code, words in SIGNATAIRE_KEYWORDS:
        if any(f" {norm(w)} " in padded for w in words):
            return code
    return "autre"


def financeur_in(text: str) -> str | None:
    """The financeur named in a header such as « Montant accordé État (P147) », or None."""
    padded = f" {norm(text)} "
    for code, words in FINANCEUR_KEYWORDS:
        if any(f" {norm(w)} " in padded for w in words):
            return code
    return None
