"""Access to the declared catalogue (catalogue/*.yaml). Loaders copy it into the warehouse; code that runs
without a warehouse (docs generation, import validation) reads it from here."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from observatoire import settings


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def document(name: str) -> dict:
    """A catalogue file parsed once per content (keyed by path and modification time)."""
    path = settings.catalogue_dir() / name
    return _read(str(path), path.stat().st_mtime_ns)


def sources() -> dict:
    return document("sources.yaml")["sources"]


def _indicators_doc() -> dict:
    return document("indicators.yaml")


def indicators() -> list[dict]:
    return _indicators_doc()["indicators"]


def secret_rules() -> dict:
    return _indicators_doc()["secret_rules"]
