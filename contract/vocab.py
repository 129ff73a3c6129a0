"""What the contract-life imports recognise: the spellings users type for the statuses declared in
catalogue/vocabulary.yaml (engagement_statuses, action_statuses), financeurs, porteur and signataire
types, age bands, evaluation criteria, survey scales. Labels of statuses live in the vocabulary.
"""
from __future__ import annotations

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

TRANCHES_AGE = {  # code -> label (CERFA 12156-like bands)
    "0-5": "Moins de 6 ans",
    "6-11": "6-11 ans",
    "12-15": "12-15 ans",
    "16-17": "16-17 ans",
    "18-25": "18-25 ans",
    "26-64": "26-64 ans",
    "65+": "65 ans et plus",
}
SEXES = {"F": "Filles / femmes", "M": "Garçons / hommes"}
PHASES = {"prevu": "prévus", "realise": "réalisés"}

PORTEUR_TYPES = {
    "association": "Association",
    "collectivite": "Collectivité",
    "bailleur": "Bailleur social",
    "etablissement_public": "Établissement public",
    "entreprise": "Entreprise / SCIC / ESS",
    "autre": "Autre",
}

SIGNATAIRE_TYPES = {
    "etat": "État",
    "epci": "EPCI",
    "commune": "Commune",
    "region": "Région",
    "departement": "Département",
    "caf": "CAF",
    "ars": "ARS",
    "france_travail": "France Travail",
    "mission_locale": "Mission locale",
    "education_nationale": "Éducation nationale",
    "justice": "Justice",
    "bailleur": "Bailleur social",
    "ccas": "CCAS",
    "chambre_consulaire": "Chambre consulaire",
    "banque_territoires": "Banque des Territoires",
    "association": "Association",
    "autre": "Autre",
}
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

THEMATIQUES = [
    "Éducation et réussite éducative",
    "Emploi, insertion et développement économique",
    "Santé et accès aux droits",
    "Cadre de vie, habitat et tranquillité",
    "Lien social, culture et sport",
    "Citoyenneté et participation des habitants",
    "Transition écologique",
]

EVALUATION_CRITERIA = {
    "note_pertinence": "Pertinence",
    "note_coherence": "Cohérence",
    "note_efficacite": "Efficacité",
    "note_efficience": "Efficience",
    "note_impact": "Impact",
    "note_participation": "Participation des habitants",
    "note_partenariat": "Partenariat",
}
NOTE_MIN, NOTE_MAX = 1, 4

REF_NIVEAUX = {
    "enjeu": "Enjeu",
    "objectif_strategique": "Objectif stratégique",
    "objectif_operationnel": "Objectif opérationnel",
}

# Answer scales recognised in survey files: code -> (label, [(option label, favorable, excluded)]).
ECHELLES = {
    "accord4": ("D'accord (4 niveaux)", [
        ("Tout à fait d'accord", True, False), ("Plutôt d'accord", True, False),
        ("Plutôt pas d'accord", False, False), ("Pas du tout d'accord", False, False),
        ("Ne sait pas", False, True)]),
    "satisfaction4": ("Satisfaction (4 niveaux)", [
        ("Très satisfait", True, False), ("Plutôt satisfait", True, False),
        ("Plutôt insatisfait", False, False), ("Très insatisfait", False, False),
        ("Ne sait pas", False, True)]),
    "evolution3": ("Évolution (3 niveaux)", [
        ("S'est amélioré", True, False), ("Est resté pareil", False, False),
        ("S'est dégradé", False, False), ("Ne sait pas", False, True)]),
    "oui_non": ("Oui / non", [("Oui", True, False), ("Non", False, False), ("Ne sait pas", False, True)]),
}
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
