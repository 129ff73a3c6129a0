"""The French of an import's report and preview, for the page's upload and the command line alike.

contract/imports return facts (rows read, what was or would be added, counts, the columns recognised, the
first rows typed by their field's kind); this module says them. A dry run (« --verifier », the page's first
step) speaks in the conditional — « 5 engagements seraient ajoutés » — since nothing is stored; the real
import in the past participle. Preview cells are display text: French numbers (1 234,5), dates 30/06/2027
whether the workbook held a date or a text, « — » for an empty cell, never « None ».
"""
from __future__ import annotations

import numbers
from datetime import date, datetime

from observatoire import frformat, vocabulary
from presentation.text import DASH, capital

# What an import counts: singular, plural, feminine (for the participle's agreement).
NOUNS = {
    "action": ("action", "actions", True),
    "action_demo": ("action de démonstration", "actions de démonstration", True),
    "engagement": ("engagement", "engagements", False),
    "engagement_demo": ("engagement de démonstration", "engagements de démonstration", False),
    "signataire": ("signataire", "signataires", False),
    "point": ("point d'étape", "points d'étape", False),
    "repondant": ("répondant", "répondants", False),
    "question": ("question", "questions", True),
    "reponse": ("réponse", "réponses", True),
    "verbatim": ("verbatim", "verbatims", False),
    "enquete_demo": ("enquête de démonstration", "enquêtes de démonstration", True),
    "noeud": ("élément du référentiel (enjeu ou objectif)", "éléments du référentiel (enjeux et objectifs)", False),
    "indicateur": ("indicateur", "indicateurs", False),
    "lien": ("lien vers une action ou un engagement", "liens vers des actions ou des engagements", False),
    "referentiel_demo": ("référentiel de démonstration", "référentiels de démonstration", False),
    "residence": ("action (lieux de résidence des bénéficiaires)",
                  "actions (lieux de résidence des bénéficiaires)", True),
    "demo_ligne": ("ligne de démonstration", "lignes de démonstration", True),
}
# Participles: masculine singular, feminine singular, masculine plural, feminine plural.
PARTICIPLES = {
    "ajout": ("ajouté", "ajoutée", "ajoutés", "ajoutées"),
    "maj": ("mis à jour", "mise à jour", "mis à jour", "mises à jour"),
    "creation": ("créé", "créée", "créés", "créées"),
    "retrait": ("retiré", "retirée", "retirés", "retirées"),
    "remplacement": ("remplacé", "remplacée", "remplacés", "remplacées"),
    "conserve": ("conservé", "conservée", "conservés", "conservées"),
}
# What the headline calls each kind of file (« (engagements du contrat CN03103I) »): the vocabulary's brief form.
KIND_LABELS = {k: str(t.get("brief") or t["label"]) for k, t in vocabulary.terms("import_kinds").items()}


def count_phrase(noun: str, verb: str, n: int, dry_run: bool) -> str:
    """« 5 engagements seraient ajoutés » (dry run), « 5 engagements ajoutés », « 1 action mise à jour »,
    « aucune action ne serait ajoutée »."""
    singular, plural, feminine = NOUNS[noun]
    forms = PARTICIPLES[verb]
    if n == 0:
        word = "aucune" if feminine else "aucun"
        return f"{word} {singular} {'ne serait ' if dry_run else ''}{forms[1 if feminine else 0]}"
    many = n > 1
    part = forms[(2 if many else 0) + (1 if feminine else 0)]
    aux = ("seraient " if many else "serait ") if dry_run else ""
    return f"{frformat.fmt_int(n)} {plural if many else singular} {aux}{part}"


def counts_sentence(counts: list, dry_run: bool) -> str:
    """The counts of an import in one sentence; zero counts are left out, except the first (the main one)."""
    shown = [c for k, c in enumerate(counts) if k == 0 or c[2]]
    if not shown:
        return ""
    text = ", ".join(count_phrase(noun, verb, n, dry_run) for noun, verb, n in shown)
    return capital(text) + "."


def rows_text(n: int) -> str:
    return f"{frformat.fmt_int(n)} ligne{'s' if n > 1 else ''}"


def headline(res: dict) -> str:
    """The first line of the report: a dry run says nothing was stored."""
    what = KIND_LABELS.get(res.get("kind"), res.get("kind") or "")
    where = f" ({what} du contrat {res['contrat']})" if res.get("contrat") else ""
    if res.get("dry_run"):
        return (f"Vérification de « {res['file']} »{where} : fichier valide, {rows_text(res['rows'])} — "
                "rien n'a encore été enregistré.")
    return f"Import enregistré : {rows_text(res['rows'])} de « {res['file']} »{where}."


def fact_lines(res: dict) -> list[str]:
    """Sentences of the facts a kind reports besides its counts."""
    dry = res.get("dry_run")
    facts = res.get("facts") or {}
    out = []
    status = facts.get("statut_deduit")
    if status:
        lines = status["lines"]
        where = ("colonne « Statut » absente" if not status["column"] else
                 "« Statut » vide ligne(s) " + ", ".join(map(str, lines[:20])) + (" …" if len(lines) > 20 else ""))
        verb = "serait déduit" if dry else "déduit"
        out.append(f"{where} : statut {verb} pour {frformat.fmt_int(status['n'])} action(s) — "
                   f"{frformat.fmt_int(status['accorde'])} « Accordé » (un montant accordé est renseigné), "
                   f"{frformat.fmt_int(status['n'] - status['accorde'])} « Déposé » (aucun montant accordé). "
                   "Corrigez-les dans la page Programmation ou réimportez avec une colonne « Statut ».")
    if facts.get("vagues"):
        out.append("Vague(s) : " + ", ".join(map(str, facts["vagues"])) + ".")
    located = facts.get("localisation")
    if located:
        n_located = located["oui"] + located["non"]
        share = (f" — part en QPV parmi les localisés : "
                 f"{frformat.fmt_number(100 * located['oui'] / n_located, 0, '%')}" if n_located else "")
        out.append(f"{frformat.fmt_int(located['lus'])} bénéficiaires lus : {frformat.fmt_int(located['oui'])} en "
                   f"quartier prioritaire, {frformat.fmt_int(located['non'])} hors QPV, "
                   f"{frformat.fmt_int(located['indeterminee'])} indéterminés (contours manquants), "
                   f"{frformat.fmt_int(located['non_geolocalisee'])} non géolocalisés{share}.")
        out.append("Seuls ces comptes par action et par quartier sont enregistrés : ni nom, ni adresse, ni "
                   "coordonnées.")
    kept = facts.get("absents_conserves")
    if kept:
        out.append(f"Absents du fichier, {'seraient conservés' if dry else 'conservés'} tels quels : "
                   + ", ".join(kept[:20]) + (" …" if len(kept) > 20 else "") + ".")
    return out


def detail_lines(res: dict) -> list[str]:
    """Everything the report says under its headline, one sentence per line (CLI: « - … », page: a list)."""
    out = []
    counts = counts_sentence(res.get("counts") or [], bool(res.get("dry_run")))
    if counts:
        out.append(counts)
    out += fact_lines(res)
    examples = examples_line(res.get("examples") or [])
    if examples:
        out.append(examples)
    if res.get("encoding"):
        out.append(f"Encodage détecté : {res['encoding']}.")
    return out


def examples_line(examples: list[tuple[str | None, int]]) -> str | None:
    """« Ligne d'exemple du modèle ignorée : ligne 2, et ligne 2 de la feuille « Points d'étape ». »"""
    if not examples:
        return None
    sheets: dict = {}
    for sheet, line in examples:
        sheets.setdefault(sheet, []).append(line)
    parts = [f"ligne{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
             + (f" de la feuille « {sheet} »" if sheet else "") for sheet, lines in sheets.items()]
    many = len(examples) > 1
    return (f"Ligne{'s' if many else ''} d'exemple du modèle ignorée{'s' if many else ''} : "
            + ", et ".join(parts) + ".")


def mapping_lines(res: dict) -> list[str]:
    """« « Code QPV » → Quartier (en-tête reconnu) »: how each column was recognised, for confirmation."""
    return [f"« {h} » → {label} ({how})" for h, label, how in res.get("mapping") or []]


def ignored_line(res: dict) -> str | None:
    ignored = res.get("ignored") or []
    if not ignored:
        return None
    return "Colonnes ignorées (non reconnues ; voir --map) : " + ", ".join(f"« {h} »" for h in ignored) + "."


def cli_lines(res: dict) -> list[str]:
    """The whole report as the command line prints it."""
    out = [headline(res)] + [f"  - {d}" for d in detail_lines(res)]
    mapping = mapping_lines(res)
    if mapping:
        out.append("  Colonnes lues (à vérifier) :")
        out += [f"    {m}" for m in mapping]
    ignored = ignored_line(res)
    if ignored:
        out.append(f"  {ignored}")
    return out


def cell(value) -> str:
    """One preview cell as display text: « 1 234,5 », « 30/06/2027 », « oui », « — » when empty."""
    if frformat.is_missing(value) or value == "":
        return DASH
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return frformat.fmt_date(value.date())
    if isinstance(value, date):
        return frformat.fmt_date(value)
    if isinstance(value, numbers.Integral):
        return frformat.fmt_int(value)
    if isinstance(value, numbers.Real):
        x = float(value)
        decimals = 0 if x.is_integer() else (1 if round(x, 1) == x else 2)
        return frformat.fmt_number(x, decimals)
    return str(value)


def preview_rows(res: dict) -> list[dict[str, str]]:
    """The first rows of the file as they will be read, every cell as display text (« Ligne » first)."""
    return [{k: (str(v) if k == "Ligne" else cell(v)) for k, v in row.items()} for row in res.get("preview") or []]
