"""Command line: `python -m loaders build|ensure|import KIND FILE ...`."""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from loaders import swap
from loaders.build import BuildError, build, format_summary
from readers.errors import InputError
from observatoire import db, settings

# Each import kind is a module with add_arguments(parser) and run(args) -> int.
IMPORT_KINDS = {
    "contours": "loaders.imports.contours",
    "indicateurs": "loaders.imports.indicateurs",
    "programmation": "contract.imports.programmation",
    "engagements": "contract.imports.engagements",
    "enquete": "contract.imports.enquete",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="Entrepôt de l'observatoire")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("build", "reconstruit tout l'entrepôt depuis les fichiers bruts"),
                           ("ensure", "construit l'entrepôt s'il manque (premier lancement), prépare la démo")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--data-dir", type=Path, default=None)
        p.add_argument("--db", type=Path, default=None)
        p.add_argument("--quiet", action="store_true")
    imp = sub.add_parser("import", help="ajoute un fichier de l'utilisateur")
    kinds = imp.add_subparsers(dest="kind", required=True)
    for kind, module in IMPORT_KINDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        p = kinds.add_parser(kind, help=(mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else None)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(format_summary(build(args.data_dir, args.db, quiet=args.quiet)))
            return 0
        if args.command == "ensure":
            return _ensure(args)
        return args._run(args)
    except (InputError, BuildError, FileNotFoundError, swap.WarehouseBusy, db.WarehouseLocked) as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1


def _ensure(args) -> int:
    db_path = Path(args.db or settings.db_path())
    if not db_path.exists():
        print("Premier lancement : construction de l'entrepôt…", file=sys.stderr)
        print(format_summary(build(args.data_dir, db_path, quiet=args.quiet)))
    try:
        demo = importlib.import_module("contract.demo")
    except ModuleNotFoundError:
        return 0
    demo.ensure(db_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
