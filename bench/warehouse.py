"""The warehouse a bench reads: one `--db` option for every bench script, set before the project's modules
read OBSERVATOIRE_DB (observatoire.settings)."""
from __future__ import annotations

import os
from pathlib import Path

HELP = "entrepôt (défaut : OBSERVATOIRE_DB ou data/observatoire.duckdb)"


def add_option(parser) -> None:
    parser.add_argument("--db", help=HELP)


def use(args) -> None:
    """Point OBSERVATOIRE_DB at `--db` when it is given (resolved: the bench may start servers elsewhere)."""
    if args.db:
        os.environ["OBSERVATOIRE_DB"] = str(Path(args.db).resolve())
