"""Source lines: producer, millésime, geography generation, démo label — the one wording used under every
chart and table of the pages and in every export (Plotly figures carry it as an annotation: charts/source.py).

A number carries its own source: official indicators name their producer (source_catalog) and files;
values imported by a user name the import (file, date, who), never an official producer.
"""
from __future__ import annotations

from indicators import catalog
from observatoire import frformat, vocabulary
from observatoire.sourceline import (  # noqa: F401 - the one wording (lowest layer), re-exported here
    DEMO_LABEL, OBSERVATORY, millesimes_text, secret_note, source_line)

CLI_PREFIX = "cli:"          # how loaders/contract record an import run from the command line (contract.roles)


def insee_caveats() -> list[str]:
    """The INSEE reading rules printed with every export (consecutive millésimes, non-additive medians,
    income year)."""
    return [t["label"] for t in vocabulary.terms("phrases").values() if t.get("insee_caveat")]


def imported_line(m: dict) -> str:
    """The source line of one imported value (indicators.provenance.imported): « Source : Import utilisateur —
    fichier X, importé le 03/12/2026 par ligne de commande (compte root) — millésime 2019 — géographie
    prioritaire 2015 — Observatoire… ». Its own producer: never an official one."""
    who = imported_by_text(m.get("imported_by"))
    date = frformat.fmt_date(m.get("imported_at"))
    producer = (vocabulary.phrase("imported_source", file=m.get("file"), date=date, who=who) if who
                else vocabulary.phrase("imported_source_anonymous", file=m.get("file"), date=date))
    return source_line([producer], m.get("edition"), m.get("generation"))


def official_line(src: dict | None) -> str | None:
    """« Source : INSEE — Filosofi … — millésime 2019 — géographie prioritaire 2015 — fichier X, variable Y »
    from indicators.provenance.official_source; None without a source."""
    if not src:
        return None
    note = vocabulary.phrase("official_file", file=src["file"], variable=src["variable"]) if src.get("file") else None
    return source_line([src["producer"]] if src.get("producer") else None, src.get("edition"), src.get("generation"),
                       note=note)


def producer(con, source_id: str | None) -> str:
    """Producer of a declared source (warehouse copy of catalogue/sources.yaml); the id if unknown."""
    return catalog.producers(con).get(source_id, source_id or "")


def indicator_source(con, indicator_id: str) -> str | None:
    """The declared source (source_id) of an indicator."""
    return catalog.indicator(con, indicator_id).get("source")


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


CLI_PREFIX = "cli:"          # contract.roles.cli_user(): the login recorded for the command line


def imported_by_text(raw: str | None, names: dict[str, str] | None = None) -> str:
    """Who imported a file, as readers see it: the person (their account's name from `names` {login: nom},
    else their login), « ligne de commande (compte root) » for the command line, never `cli:root`."""
    raw = (raw or "").strip()
    if not raw or raw == "inconnu":
        return vocabulary.label("import_authors", "unknown")
    if raw.startswith(CLI_PREFIX):
        return vocabulary.label("import_authors", "cli").format(account=raw[len(CLI_PREFIX):] or "?")
    name = (names or {}).get(raw)
    return str(name).strip() if name and str(name).strip() else raw
