"""The indicator catalogue as the pages need it (labels, units, polarity, editions, producers), cached
per warehouse. Plain selects of indicator_catalog / indicator_value / source_catalog."""
from __future__ import annotations

import pandas as pd

from charts.source import source_line
from ui.common import cached


@cached
def indicator_list(con) -> pd.DataFrame:
    return con.execute(
        "SELECT indicator_id, label, coalesce(short_label, label) AS short_label, unit, theme, polarity, "
        "source, definition, coalesce(decimals, 1) AS decimals, gap_kind, barometre, sort_order "
        "FROM indicator_catalog ORDER BY sort_order NULLS LAST, indicator_id").df()


@cached
def indicator_editions(con, indicator_id: str, generation: str = "2015") -> list[int]:
    """Editions where at least one quartier of `generation` has a shown value of the indicator."""
    rows = con.execute(
        "SELECT DISTINCT v.edition FROM indicator_value v JOIN territory t ON t.code = v.territory_code "
        "WHERE v.indicator_id = ? AND t.level = 'qpv' AND t.generation = ? AND v.status IN ('ok', 'bruite') "
        "ORDER BY v.edition", [indicator_id, str(generation)]).fetchall()
    return [int(r[0]) for r in rows]


@cached
def source_producers(con) -> dict:
    return dict(con.execute("SELECT source_id, producer FROM source_catalog").fetchall())


@cached
def indicator_files(con, indicator_id: str, edition: int) -> list[str]:
    """Source files giving the indicator in that edition (for the source line)."""
    rows = con.execute("SELECT DISTINCT source_file FROM indicator_source WHERE indicator_id = ? AND edition = ? "
                       "ORDER BY 1", [indicator_id, int(edition)]).fetchall()
    return [r[0] for r in rows]


def indicator(ind_id: str) -> dict:
    """One catalogue row as a dict (KeyError if unknown)."""
    df = indicator_list()
    row = df[df.indicator_id == ind_id]
    if row.empty:
        raise KeyError(ind_id)
    return row.iloc[0].to_dict()


def label_with_unit(ind: dict) -> str:
    unit = ind.get("unit")
    return f"{ind['label']} ({unit})" if unit and unit not in ("nombre",) else ind["label"]


def line_for(ind: dict, editions, generation: str | None = "2015", demo: bool = False,
             with_files: bool = True, note: str | None = None) -> str:
    """Source line of one indicator: producer (source_catalog), millésime(s), generation, files."""
    producer = source_producers().get(ind.get("source"), ind.get("source"))
    eds = [editions] if isinstance(editions, (int, str)) else list(editions or [])
    files = []
    if with_files:
        for e in eds:
            files += [f for f in indicator_files(ind["indicator_id"], int(e)) if f not in files]
    notes = [n for n in (f"fichier{'s' if len(files) > 1 else ''} {', '.join(files)}" if files else None, note) if n]
    return source_line(producer, eds, generation, demo=demo, note=" ; ".join(notes) or None)



def line_for_many(ind_ids, editions, generation: str | None = "2015", demo: bool = False,
                  note: str | None = None) -> str:
    """One source line for a table mixing indicators: producers (once each, ' ; '-separated), millésimes."""
    cat = indicator_list().set_index("indicator_id")
    prods = source_producers()
    names = list(dict.fromkeys(prods.get(cat.source.get(i), cat.source.get(i)) for i in ind_ids if i in cat.index))
    return source_line(" ; ".join(n for n in names if n), list(editions or []), generation, demo=demo, note=note)
