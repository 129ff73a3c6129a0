"""The indicator catalogue as the pages need it (labels, units, polarity, editions, source lines), cached per
warehouse build through ui.common.run. No SQL here: indicators.catalog and presentation.sources answer."""
from __future__ import annotations

import pandas as pd

from indicators import catalog as lib
from presentation import sources
from ui import common


def indicator_list() -> pd.DataFrame:
    """Every catalogue indicator (indicator_catalog rows), in catalogue order."""
    return common.run(lib.indicators)


def indicator_editions(indicator_id: str, generation: str = "2015") -> list[int]:
    """Editions where at least one quartier of `generation` has a shown value of the indicator."""
    return common.run(lib.shown_editions, indicator_id, str(generation))


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


def producer(source_id: str | None) -> str:
    """Producer of a declared source (the id itself when unknown)."""
    return common.run(sources.producer, source_id)


def files(indicator_id: str, edition: int) -> list[str]:
    """Source files giving the indicator in that edition."""
    return common.run(lib.files, indicator_id, int(edition))


def line_for(ind: dict, editions, generation: str | None = "2015", demo: bool = False,
             with_files: bool = True, note: str | None = None) -> str:
    """Source line of one indicator: producer, millésime(s), generation, files."""
    eds = [editions] if isinstance(editions, (int, str)) else list(editions or [])
    return common.run(sources.indicator_line, ind["indicator_id"], eds, generation, demo, with_files, note)


def line_for_many(ind_ids, editions, generation: str | None = "2015", demo: bool = False,
                  note: str | None = None) -> str:
    """One source line for a table mixing indicators: producers (once each), millésimes."""
    return common.run(sources.indicator_line, list(ind_ids), list(editions or []), generation, demo, False, note)
