"""The indicator catalogue as the pages need it (labels, units, polarity, editions, producers, files), cached
per warehouse build through ui.common.run. presentation.catalog and presentation.sources answer."""
from __future__ import annotations

import pandas as pd

from presentation import catalog as view, sources
from ui import common


def indicator_list() -> pd.DataFrame:
    """Every catalogue indicator with its display labels (presentation.catalog.indicator_list), catalogue order."""
    return common.run(view.indicator_list)


def indicator_editions(indicator_id: str, generation: str = "2015") -> list[int]:
    """Editions where at least one quartier of `generation` has a shown value of the indicator."""
    return common.run(view.shown_editions, indicator_id, str(generation))


def indicator(ind_id: str) -> dict:
    """One catalogue row as a dict (KeyError if unknown)."""
    return common.run(view.indicator, ind_id)


def producer(source_id: str | None) -> str:
    """Producer of a declared source (the id itself when unknown)."""
    return common.run(sources.producer, source_id)


def files(indicator_id: str, edition: int) -> list[str]:
    """Source files giving the indicator in that edition."""
    return common.run(view.files, indicator_id, int(edition))
