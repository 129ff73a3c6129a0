"""Test helpers for the recipes: a copy of catalogue/ with one declaration added or changed, a warehouse built
from it (OBSERVATOIRE_CATALOGUE_DIR and OBSERVATOIRE_DB pointed at the copies while in use), and a user's
indicator import, as `python -m loaders import indicateurs` does it."""
from __future__ import annotations

import argparse
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest


def edited_catalogue(tmp: Path, file: str, anchor: str, replacement: str) -> Path:
    """A copy of catalogue/ in `tmp` where the one occurrence of `anchor` in `file` is replaced."""
    from observatoire import settings

    cat = tmp / "catalogue"
    shutil.copytree(settings.catalogue_dir(), cat)
    path = cat / file
    text = path.read_text(encoding="utf-8")
    assert text.count(anchor) == 1, f"{anchor!r} n'est pas unique dans {file}"
    path.write_text(text.replace(anchor, replacement, 1), encoding="utf-8")
    return cat


@contextmanager
def warehouse_of(cat: Path, data_dir: Path, db: Path):
    """Build the warehouse `db` with the catalogue copy `cat`, and point the environment at both."""
    from loaders.build import build

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_CATALOGUE_DIR", str(cat))
        build(data_dir, db, quiet=True)
        mp.setenv("OBSERVATOIRE_DB", str(db))
        yield db


def import_indicators(csv_file: Path, db: Path, edition: int) -> None:
    """`python -m loaders import indicateurs FILE --db DB --edition YEAR`, which must succeed."""
    from loaders.imports import indicateurs

    p = argparse.ArgumentParser()
    indicateurs.add_arguments(p)
    assert indicateurs.run(p.parse_args([str(csv_file), "--db", str(db), "--edition", str(edition)])) == 0
