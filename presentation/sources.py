"""Source lines: producer, millésime, geography generation, démo label — the one wording used under every
chart and table of the pages and in every export (Plotly figures carry it as an annotation: charts/source.py).

A number carries its own source: official indicators name their producer (source_catalog) and files;
values imported by a user name the import (file, date, who), never an official producer.
"""
from __future__ import annotations

from typing import Iterable

from indicators import catalog
from observatoire import vocabulary

DEMO_LABEL = vocabulary.label("phrases", "demo")
OBSERVATORY = vocabulary.label("phrases", "observatory")


def insee_caveats() -> list[str]:
    """The INSEE reading rules printed with every export (consecutive millésimes, non-additive medians,
    income year)."""
    return [t["label"] for t in vocabulary.terms("phrases").values() if t.get("insee_caveat")]


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


def producer(con, source_id: str | None) -> str:
    """Producer of a declared source (warehouse copy of catalogue/sources.yaml); the id if unknown."""
    return catalog.producers(con).get(source_id, source_id or "")


def source_info(con, source_id: str) -> dict:
    """A declared source: producer, title, licence, generation ({} when unknown)."""
    return catalog.source_record(con, source_id)


def indicator_line(con, indicator_ids, editions=None, generation: str | None = "2015", demo: bool = False,
                   with_files: bool = False, note: str | None = None) -> str:
    """One line for one or several indicators: producers (once each, ' ; '-separated), millésimes, and the
    source files when `with_files` (one indicator: « fichier REVN_2022.csv »)."""
    ids = [indicator_ids] if isinstance(indicator_ids, str) else list(indicator_ids)
    metas = [catalog.indicator(con, i) for i in ids]
    names = list(dict.fromkeys(producer(con, m.get("source")) for m in metas))
    eds = [editions] if isinstance(editions, (int, str)) else [e for e in (editions or []) if e is not None]
    notes = []
    if with_files:
        files = list(dict.fromkeys(f for i in ids for e in eds for f in catalog.files(con, i, int(e))))
        if files:
            notes.append(f"fichier{'s' if len(files) > 1 else ''} {', '.join(files)}")
    if note:
        notes.append(note)
    return source_line(" ; ".join(n for n in names if n), eds, generation, demo=demo, note=" ; ".join(notes) or None)


def indicators_line(con, indicator_rows, generation: str | None = None, demo: bool = False) -> str:
    """One line for a table mixing several indicators of different millésimes: each producer with its own
    millésimes. `indicator_rows`: dicts with `source` (source_id) or `source_id`, and `edition`."""
    producers: dict[str, set] = {}
    editions: set = set()
    for r in indicator_rows:
        sid = r.get("source") or r.get("source_id")
        if not sid:
            continue
        prod = producer(con, sid)
        producers.setdefault(prod, set())
        if r.get("edition") is not None:
            producers[prod].add(int(r["edition"]))
            editions.add(int(r["edition"]))
    if len(producers) <= 1:
        return source_line(list(producers) or None, editions, generation, demo)
    chunks = [f"{prod} ({millesimes_text(eds)})" if eds else prod for prod, eds in producers.items()]
    return source_line(" ; ".join(chunks), None, generation, demo)


def means_line(years, contrats=None) -> str:
    """Source line of the State means (adultes-relais, FONJEP) of one or several contracts."""
    prods = [t.get("producer") for t in vocabulary.terms("means_kinds").values() if t.get("producer")]
    note = ("contrat" + ("s " if len(contrats) > 1 else " ") + ", ".join(contrats)) if contrats else None
    return source_line(" ; ".join(prods), years, None, note=note)
