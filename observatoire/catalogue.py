"""Access to the declared catalogue (catalogue/*.yaml). Loaders copy it into the warehouse; code that runs
without a warehouse (docs generation, import validation) reads it from here."""
from __future__ import annotations

import os
import time
from functools import lru_cache
from pathlib import Path

import yaml

from observatoire import settings


# libyaml's safe loader when the wheel has it (7× faster: the catalogue is parsed by every process, command
# lines included); the same documents either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int) -> dict:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader


@lru_cache(maxsize=64)
def _file(directory: Path, name: str) -> str:
    return str(directory / name)


RECHECK_SECONDS = 1.0     # how long a file's modification time is trusted before it is looked at again
_SEEN: dict[tuple[str, str], tuple[float, dict]] = {}


def document(name: str) -> dict:
    """A catalogue file parsed once per content (keyed by path and modification time). Every label of every
    view comes through here (thousands of calls per page), so the file's modification time is looked at once
    per RECHECK_SECONDS per setting: a file edited on disk is read again within a second; pointing
    OBSERVATOIRE_CATALOGUE_DIR elsewhere takes effect at once."""
    key = (settings.catalogue_setting(), name)
    now = time.monotonic()
    seen = _SEEN.get(key)
    if seen is None or now - seen[0] >= RECHECK_SECONDS:
        path = _file(settings.catalogue_dir(), name)
        seen = _SEEN[key] = (now, _read(path, os.stat(path).st_mtime_ns))
    return seen[1]


def sources() -> dict:
    return document("sources.yaml")["sources"]


def _indicators_doc() -> dict:
    return document("indicators.yaml")


def indicators() -> list[dict]:
    return _indicators_doc()["indicators"]


def secret_rules() -> dict:
    return _indicators_doc()["secret_rules"]
