"""`python -m indicators fiche CODE [--edition YEAR] [--json] [--db PATH]`: a quartier's portrait.
`python -m indicators localiser FICHIER --out RESULTAT.csv`: is each point of a file in a quartier prioritaire?
`python -m indicators beneficiaires FICHIER --contrat CODE`: the same lookup on a beneficiaries file, whose
counts per action and quartier are stored for the Programmation page (contract.imports.beneficiaires; its
command lives here because the lookup is in this layer, above the contract store).

Same functions as the pages and the exports: the fiche is the fiche view of the page and the PDF
(presentation.fiche: this command line is a renderer, the one module of indicators/ allowed to import
presentation/), the lookup is indicators.localiser. Exit codes:
0 ok, 2 unknown territory or bad request / unreadable or refused file (nothing stored), 3 warehouse
missing or unreadable (damaged: `python -m loaders ensure` rebuilds it), 4 geocoding service unreachable.

A program sits at the top of its own stack: the beneficiaries' import report is worded by
presentation.imports, as on the page (tests/test_architecture.py lets `__main__` modules do so).
"""
from __future__ import annotations

import json
import math
import sys

import numpy as np

from contract import store
from contract.imports import beneficiaires
from observatoire.cli import ArgumentParser
from presentation import imports as report


def jsonable(obj):
    """Plain-JSON copy of a fiche: numpy scalars to Python, NaN to null."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


def main(argv=None) -> int:
    """Parse arguments, build the fiche and print it (JSON or French text)."""
    ap = ArgumentParser(prog="python -m indicators", description="Bibliothèque d'indicateurs de l'observatoire.")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMANDE")
    p = sub.add_parser("fiche", help="portrait d'un quartier")
    p.add_argument("code", help="code du quartier (QP031001, QN01301M…)")
    p.add_argument("--edition", type=int, default=None, help="millésime maximal (défaut : le plus récent)")
    p.add_argument("--json", action="store_true", help="un objet JSON sur la sortie standard")
    p.add_argument("--twins", type=int, default=5, help="nombre de quartiers jumeaux (défaut 5)")
    p.add_argument("--db", default=None, help="entrepôt DuckDB (défaut : OBSERVATOIRE_DB)")
    loc = sub.add_parser("localiser", help="dit, pour chaque ligne d'un fichier de points, si elle est en QPV")
    loc.add_argument("file", metavar="FICHIER", help="CSV ou XLSX : latitude/longitude (WGS84), x/y (Lambert-93) "
                                                   "ou sortie du géocodeur CSV de la BAN")
    loc.add_argument("--out", required=True, metavar="RESULTAT.csv", help="fichier résultat (CSV « ; », UTF-8)")
    loc.add_argument("--feuille", default=None, help="feuille du classeur XLSX (défaut : la première)")
    loc.add_argument("--geocodeur", default=None, metavar="URL",
                     help="service de géocodage CSV de la BAN pour un fichier d'adresses sans coordonnées "
                          "(désactivé par défaut ; ou variable OBSERVATOIRE_GEOCODER_URL). Les adresses sont "
                          "alors envoyées à ce service.")
    loc.add_argument("--colonnes-adresse", nargs="+", default=None, metavar="COLONNE",
                     help="colonnes qui forment l'adresse, pour le géocodeur (défaut : toutes)")
    loc.add_argument("--db", default=None, help="entrepôt DuckDB (défaut : OBSERVATOIRE_DB)")
    ben = sub.add_parser("beneficiaires", help="lieux de résidence des bénéficiaires d'actions (comptes par "
                                               "action et par quartier, pour la page Programmation)")
    beneficiaires.add_arguments(ben)
    args = ap.parse_args(argv)
    if args.cmd == "localiser":
        return _localiser(args)
    if args.cmd == "beneficiaires":
        return _beneficiaires(args)

    import duckdb

    from indicators.references import UnknownTerritory
    from observatoire import db, settings
    from presentation import fiche as fiche_view

    try:
        con = db.connect(args.db, read_only=True)
    except (FileNotFoundError, db.WarehouseDamaged, db.WarehouseLocked) as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return 3
    try:
        if args.json:
            out = fiche_view.json_document(con, args.code, edition=args.edition, n_twins=args.twins)
        else:
            out = fiche_view.to_text(fiche_view.view(con, args.code, edition=args.edition, n_twins=args.twins))
    except (UnknownTerritory, ValueError) as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:                    # damaged in the middle: the open worked, a read did not
        if not db.is_damage(e):
            raise
        print(f"Erreur : {db.WarehouseDamaged(args.db or settings.db_path(), e)}", file=sys.stderr)
        return 3
    finally:
        con.close()
    if args.json:
        json.dump(jsonable(out), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(out)
    return 0


def _contours(db_path):
    """The warehouse's contours for the lookup, or None (message printed) when there is no warehouse.

    The lookup is imported here, not at the top: shapely, pyproj and requests add 0,34 s (measured) to
    every `fiche` call that does not need them."""
    from indicators import localiser
    from observatoire import db

    try:
        con = db.connect(db_path, read_only=True)
    except (FileNotFoundError, db.WarehouseDamaged, db.WarehouseLocked) as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return None
    try:
        return localiser.load_contours(con)
    finally:
        con.close()


def _beneficiaires(args) -> int:
    """Locate a beneficiaries file and store its counts (all or nothing); exit 2 when refused."""
    from indicators import localiser
    from readers.errors import InputError

    contours = _contours(args.db)
    if contours is None:
        return 3
    try:
        res = beneficiaires.run(args, locate=localiser.locator(contours))
    except InputError as e:
        print(f"ERREUR : {e}", file=sys.stderr)
        return 2
    except (store.StoreError, store.PermissionDenied) as e:
        print(f"ERREUR : {e}", file=sys.stderr)
        return 1
    print("\n".join(report.cli_lines(res)))
    return 0


def _localiser(args) -> int:
    """Read the file, answer every row, write the result and print the count of each status."""
    from pathlib import Path

    from indicators import localiser
    from observatoire import settings
    from readers import geocode, points
    from readers.errors import InputError

    src, out = Path(args.file), Path(args.out)
    if out.suffix.lower() != ".csv":
        print(f"Erreur : le résultat s'écrit en CSV (--out {out.name} : extension .csv attendue).", file=sys.stderr)
        return 2
    contours = _contours(args.db)
    if contours is None:
        return 3
    try:
        try:
            pf = points.read_points(src, sheet=args.feuille)
        except points.NoCoordinates:
            url = args.geocodeur or settings.geocoder_url()
            if not url:
                raise
            print(f"Géocodage en ligne : les adresses de {src.name} sont envoyées à {url}.", file=sys.stderr)
            data = geocode.geocode_csv(src, url, columns=args.colonnes_adresse)
            pf = points.read_points(src.with_name(src.stem + "_geocode.csv"), data=data)
    except geocode.GeocoderUnavailable as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return 4
    except InputError as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return 2
    result = localiser.localise(contours, pf)
    out.write_bytes(localiser.to_csv_bytes(result))
    print(f"Contours : {contours.coverage_text()}.")
    print("\n".join(result.summary_lines()))
    print(f"Résultat écrit dans {out} (indicatif : ne vaut pas attestation de résidence en quartier prioritaire).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
