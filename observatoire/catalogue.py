"""Access to the declared catalogue (catalogue/*.yaml). Loaders copy it into the warehouse; code that runs
without a warehouse (docs generation, import validation) reads it from here."""
from __future__ import annotations

from functools import lru_cache

import yaml

from observatoire.settings import CATALOGUE_DIR


@lru_cache(maxsize=None)
def sources() -> dict:
    return yaml.safe_load((CATALOGUE_DIR / "sources.yaml").read_text(encoding="utf-8"))["sources"]


@lru_cache(maxsize=None)
def _indicators_doc() -> dict:
    return yaml.safe_load((CATALOGUE_DIR / "indicators.yaml").read_text(encoding="utf-8"))


def indicators() -> list[dict]:
    return _indicators_doc()["indicators"]


def secret_rules() -> dict:
    return _indicators_doc()["secret_rules"]
