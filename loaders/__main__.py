"""Command line: `python -m loaders build|ensure|import KIND FILE ...`.

A program sits at the top of its own stack: it prints the import report in the words of the page
(presentation.imports), like the page does (tests/test_architecture.py lets `__main__` modules do so).
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from contract import store
from loaders import swap
from loaders.build import BuildError, build, format_summary, missing_tables
from observatoire import db, settings
from observatoire.cli import ArgumentParser
from presentation import imports as report
from readers.errors import InputError

# Each import kind is a module with add_arguments(parser) and run(args) -> int.
IMPORT_KINDS = {
    "contours": "loaders.imports.contours",
    "indicateurs": "loaders.imports.indicateurs",
    "programmation": "contract.imports.programmation",
    "engagements": "contract.imports.engagements",
    "enquete": "contract.imports.enquete",
    "referentiel": "contract.imports.referentiel",
}


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m loaders", description="Entrepôt de l'observatoire : construction et "
                            "imports de vos fichiers.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for name, helptext in (("build", "reconstruit tout l'entrepôt depuis les fichiers bruts"),
                           ("ensure", "construit l'entrepôt s'il manque, vérifie qu'il se lit en entier et le reconstruit "
                                     "sinon, retire les restes de constructions interrompues, prépare la démo")):
        p = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] + ".")
        p.add_argument("--data-dir", type=Path, default=None, metavar="DOSSIER",
                       help="dossier des données ouvertes (défaut : OBSERVATOIRE_DATA_DIR ou ../shared/data)")
        p.add_argument("--db", type=Path, default=None, metavar="ENTREPÔT",
                       help="fichier de l'entrepôt (défaut : OBSERVATOIRE_DB ou data/observatoire.duckdb)")
        p.add_argument("--quiet", action="store_true", help="sans barre de progression")
    imp = sub.add_parser("import", help="ajoute un fichier de l'utilisateur",
                         description="Importe un de vos fichiers ; --verifier contrôle sans rien enregistrer.")
    kinds = imp.add_subparsers(dest="kind", required=True, metavar="TYPE")
    for kind, module in IMPORT_KINDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        first = (mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else None
        p = kinds.add_parser(kind, help=first, description=first)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(format_summary(build(args.data_dir, args.db, quiet=args.quiet)))
            return 0
        if args.command == "ensure":
            return _ensure(args)
        return print_result(args._run(args))
    except (InputError, BuildError, FileNotFoundError, swap.WarehouseBusy, db.WarehouseLocked,
            db.WarehouseDamaged, store.StoreError, store.PermissionDenied) as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1


def print_result(res) -> int:
    """A contract import's report (a dict of facts) in the page's words; other commands print their own."""
    if isinstance(res, dict):
        print("\n".join(report.cli_lines(res)))
        return 0
    return res


def _ensure(args) -> int:
    """Before the app starts (./observatoire.sh app) and after an incident: remove what killed builds and imports
    left, build the warehouse if it is missing, check that it reads to its end and rebuild it from the sources
    and the recorded imports when it does not (or when an earlier version built it: a table of schema.sql
    missing), then prepare the démo. Says what it found, every time."""
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
        elif missing := missing_tables(db_path):
            print(f"Entrepôt d'une version précédente (table(s) absente(s) : {', '.join(missing)}).\n"
                  "Reconstruction depuis les fichiers sources et les imports enregistrés…", file=sys.stderr)
            print(format_summary(build(args.data_dir, db_path, quiet=args.quiet)))
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
