"""`python -m indicators fiche CODE [--edition YEAR] [--json] [--db PATH]`: a quartier's portrait.

Same function as the quartier page and the exports (indicators.fiche.fiche). Exit codes: 0 ok,
2 unknown territory or bad request, 3 warehouse missing.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np


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
    ap = argparse.ArgumentParser(prog="python -m indicators", description="Bibliothèque d'indicateurs de l'observatoire.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("fiche", help="portrait d'un quartier")
    p.add_argument("code", help="code du quartier (QP031001, QN01301M…)")
    p.add_argument("--edition", type=int, default=None, help="millésime maximal (défaut : le plus récent)")
    p.add_argument("--json", action="store_true", help="un objet JSON sur la sortie standard")
    p.add_argument("--twins", type=int, default=5, help="nombre de quartiers jumeaux (défaut 5)")
    p.add_argument("--db", default=None, help="entrepôt DuckDB (défaut : OBSERVATOIRE_DB)")
    args = ap.parse_args(argv)

    from indicators import fiche as fiche_mod
    from indicators.references import UnknownTerritory
    from observatoire import db

    try:
        con = db.connect(args.db, read_only=True)
    except FileNotFoundError as e:
        print(str(e), file=sys.stderr)
        return 3
    try:
        f = fiche_mod.fiche(con, args.code, edition=args.edition, n_twins=args.twins)
    except (UnknownTerritory, ValueError) as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if args.json:
        json.dump(jsonable(f), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(fiche_mod.to_text(f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
