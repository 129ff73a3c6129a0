"""What the catalogue says to users (labels, phrases, caveats, source titles of catalogue/*.yaml) carries no
developer word: issue 18 found « (docs/INDICATEURS-LIBRARY.md) » at the end of a fiche caveat declared there,
and « cli:root » as an import's author. Warehouse-free: the YAML files are read as they are."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEV_PATH = re.compile(r"\b\w+/[\w-]+\.(?:py|md|yaml)\b")        # docs/INDICATEURS-LIBRARY.md too


def _strings(x, path=()):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _strings(v, (*path, str(k)))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _strings(v, (*path, str(i)))
    elif isinstance(x, str):
        yield "/".join(path), x


def test_no_developer_path_in_what_the_catalogue_says():
    found = [f"{f}: {where}: {s[:80]}" for f in ("vocabulary.yaml", "indicators.yaml", "sources.yaml")
             for where, s in _strings(yaml.safe_load((ROOT / "catalogue" / f).read_text(encoding="utf-8")))
             if DEV_PATH.search(s) or "cli:" in s]
    assert found == []


def test_the_guard_can_fail():
    assert DEV_PATH.search("(docs/INDICATEURS-LIBRARY.md)") and DEV_PATH.search("voir indicators/means.py")
