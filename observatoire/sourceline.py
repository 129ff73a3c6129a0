"""The wording of a source line — producer, millésime, geography generation, démo label — in the lowest
layer, so that every layer says it the same way: presentation/sources.py (views, pages and exports) and
charts/source.py (inside figures).

A number carries its own source: official values name their producer and file; a user's imported value
names the import (presentation.sources.imported_line: « Import utilisateur — fichier X, importé le 03/12/2026
par Y »), never an official producer.
"""
from __future__ import annotations

from typing import Iterable

from observatoire import catalogue, frformat, vocabulary

DEMO_LABEL = vocabulary.label("phrases", "demo")
OBSERVATORY = vocabulary.label("phrases", "observatory")


def _join(values) -> str:
    if values is None:
        return ""
    if isinstance(values, (str, int)):
        return str(values)
    seen: list[str] = []
    for v in values:
        if v is None or v == "":
            continue
        v = str(v)
        if v not in seen:
            seen.append(v)
    return ", ".join(seen)


def millesimes_text(editions: Iterable | int | str | None) -> str:
    """'2019' or '2017 à 2022' or '2017, 2019' (sorted, deduplicated)."""
    if editions is None:
        return ""
    if isinstance(editions, (int, str)):
        return str(editions)
    years = sorted({int(e) for e in editions if e not in (None, "") and e == e})
    if not years:
        return ""
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]} à {years[-1]}"
    return ", ".join(map(str, years))


def source_line(producers, millesimes=None, generation: str | None = None, demo: bool = False,
                note: str | None = None) -> str:
    """'Source : INSEE, Filosofi ; ANCT — millésime 2019 — géographie prioritaire 2015 — Observatoire…'."""
    parts = [f"Source : {_join(producers) or 'non renseignée'}"]
    mill = millesimes_text(millesimes)
    if mill:
        parts.append(f"millésime{'s' if (',' in mill or ' à ' in mill) else ''} {mill}")
    if generation:
        parts.append(vocabulary.generation_label(generation) or f"géographie prioritaire {generation}")
    if note:
        parts.append(note)
    if demo:
        parts.append(DEMO_LABEL.upper())
    parts.append(OBSERVATORY)
    return " — ".join(parts)


def secret_note() -> str:
    """« Secret statistique : aucune valeur calculée sur trop peu d'unités n'est affichée (revenus fiscaux
    (Filosofi) : moins de 11 ménages fiscaux ; demandeurs d'emploi : moins de 5 personnes ; …) ; la cellule
    porte son statut » — generated from the secret rules of catalogue/indicators.yaml (the thresholds are
    typed nowhere else)."""
    parts = [vocabulary.phrase("secret_threshold", count=frformat.fmt_int(r["min_units"]), unit=r["unit"],
                               what=str(r["label"])[:1].lower() + str(r["label"])[1:])
             for r in catalogue.secret_rules().values()]
    return vocabulary.phrase("secret_note", thresholds=" ; ".join(parts), status=vocabulary.status_label("secret"))
