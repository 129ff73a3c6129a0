"""Source lines for exported tables and native charts (producer, millésime, geography generation, démo).

Plotly figures get their source line from charts/source.py; exported tables and native PowerPoint
charts are not Plotly figures, so they take the same wording from here.
"""
from __future__ import annotations

from functools import lru_cache

from charts.source import DEMO_LABEL, millesimes_text, source_line  # noqa: F401 - DEMO_LABEL re-exported
from observatoire import catalogue

INSEE_CAVEATS = [
    "À l'échelle infra-communale, l'INSEE déconseille de mesurer une évolution entre deux millésimes "
    "consécutifs : les comparaisons portent sur des millésimes plus éloignés.",
    "Les médianes et les taux ne s'additionnent pas : la médiane d'un contrat n'est pas la moyenne des "
    "médianes de ses quartiers (agrégats pondérés seulement quand l'indicateur le permet).",
    "Revenus Filosofi : le millésime est l'année des revenus (un fichier SIG Ville 2022 porte sur les "
    "revenus 2018 environ).",
]



def source_info(con, source_id: str) -> dict:
    """The declared source (warehouse copy of catalogue/sources.yaml, falling back to the YAML)."""
    if con is not None:
        try:
            row = con.execute("SELECT producer, title, licence, generation FROM source_catalog WHERE source_id = ?",
                              [source_id]).fetchone()
        except Exception:  # noqa: BLE001 - table missing in a partial warehouse
            row = None
        if row:
            return dict(zip(("producer", "title", "licence", "generation"), row))
    return dict(_yaml_sources().get(source_id, {}))


@lru_cache(maxsize=1)
def _yaml_sources() -> dict:
    return catalogue.sources()


def line(producers, millesimes=None, generation: str | None = None, demo: bool = False,
         note: str | None = None) -> str:
    """The project's one wording of a source line (charts.source.source_line), for tables and native charts."""
    return source_line(producers, millesimes, generation, demo=demo, note=note)


def indicators_line(con, indicator_rows, generation: str | None = None, demo: bool = False) -> str:
    """One line for a table mixing several indicators: producers (deduplicated) and millésimes used.
    `indicator_rows`: iterable of dicts with `source` (source_id) or `source_id`, and `edition`."""
    producers: dict[str, set] = {}
    editions: set = set()
    for r in indicator_rows:
        sid = r.get("source") or r.get("source_id")
        if not sid:
            continue
        prod = source_info(con, sid).get("producer") or sid
        producers.setdefault(prod, set())
        if r.get("edition") is not None:
            producers[prod].add(int(r["edition"]))
            editions.add(int(r["edition"]))
    if len(producers) <= 1:
        return line(list(producers) or None, editions, generation, demo)
    chunks = [f"{prod} ({millesimes_text(eds)})" if eds else prod for prod, eds in producers.items()]
    return line(" ; ".join(chunks), None, generation, demo)
