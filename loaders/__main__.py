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
                           ("ensure", "construit l'entrepôt s'il manque, vérifie qu'il se lit en entier et le reconstruit "
                                     "sinon, retire les restes de constructions interrompues, prépare la démo")):
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
    except (InputError, BuildError, FileNotFoundError, swap.WarehouseBusy, db.WarehouseLocked,
            db.WarehouseDamaged) as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1


def _ensure(args) -> int:
    """Before the app starts (./observatoire.sh app) and after an incident: remove what killed builds and imports
    left, build the warehouse if it is missing, check that it reads to its end and rebuild it from the sources
    and the recorded imports when it does not, then prepare the démo. Says what it found, every time."""
    db_path = Path(args.db or settings.db_path())
    for p in swap.remove_leftovers(db_path):
        print(f"Fichier laissé par une reconstruction ou un import interrompu, supprimé : {p.name}", file=sys.stderr)
    if not db_path.exists():
        print("Premier lancement : construction de l'entrepôt…", file=sys.stderr)
        print(format_summary(build(args.data_dir, db_path, quiet=args.quiet)))
    else:
        problem = db.check_integrity(db_path)
        if problem:
            print(f"{problem}\nReconstruction depuis les fichiers sources et les imports enregistrés…", file=sys.stderr)
            print(format_summary(build(args.data_dir, db_path, quiet=args.quiet)))
            problem = db.check_integrity(db_path)
            if problem:
                print(f"ERREUR : {problem}", file=sys.stderr)
                return 1
        else:
            print(f"Entrepôt vérifié : {db_path} se lit en entier.", file=sys.stderr)
    try:
        demo = importlib.import_module("contract.demo")
    except ModuleNotFoundError:
        return 0
    from contract.errors import StoreError
    try:
        demo.ensure(db_path)
    except StoreError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
