"""`python -m exports deck|fiche|classeur|rapport|graphique`: the exports for COPIL and bilan.

The same builders serve the pages' buttons (ui/export_buttons.py) and this command line.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from observatoire import db
from observatoire.cli import ArgumentParser


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"date invalide : {text!r} (AAAA-MM-JJ ou JJ/MM/AAAA)")


def _progress(quiet: bool):
    if quiet:
        return None
    t0 = time.perf_counter()

    def report(fraction: float, text: str) -> None:
        sys.stderr.write(f"\r[{'#' * int(30 * fraction):<30}] {int(100 * fraction):3d} % "
                         f"{time.perf_counter() - t0:5.1f} s  {text[:48]:<48}")
        if fraction >= 1:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m exports",
                                     description="Exports pour le COPIL et le bilan (PPTX, PDF, XLSX, DOCX, PNG/SVG).")
    parser.add_argument("--db", help="entrepôt DuckDB (défaut : OBSERVATOIRE_DB ou data/observatoire.duckdb)")
    parser.add_argument("--saisie", help="base de la vie du contrat (défaut : OBSERVATOIRE_SAISIE_DB)")
    parser.add_argument("-q", "--quiet", action="store_true", help="sans barre de progression")
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("deck", help="diaporama COPIL (PPTX modifiable)")
    p.add_argument("--contrat", required=True, help="code du contrat de ville (CV…, CN…)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--depuis", type=_date, help="date du dernier COPIL (AAAA-MM-JJ) : diapositive « Depuis le dernier COPIL »")
    p.add_argument("--annexe", action="store_true", help="ajouter en annexe une diapositive « baromètre » par quartier")

    p = sub.add_parser("fiche", help="fiche quartier (PDF, 2 pages A4)")
    p.add_argument("--quartier", required=True, help="code du quartier (QP…, QN…)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--edition", type=int, help="millésime (défaut : le plus récent de chaque indicateur)")

    p = sub.add_parser("classeur", help="classeur d'indicateurs (XLSX)")
    p.add_argument("--territoires", required=True,
                   help="codes séparés par des virgules (quartiers, communes, EPCI, DEP.., FRM ; un contrat = ses quartiers)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--editions", help="millésimes séparés par des virgules (défaut : tous)")

    p = sub.add_parser("rapport", help="trame du rapport annuel politique de la ville (DOCX)")
    p.add_argument("--contrat", required=True)
    p.add_argument("--annee", required=True, type=int)
    p.add_argument("--out", required=True, type=Path)

    p = sub.add_parser("graphique", help="un graphique d'un quartier en PNG (300 dpi) ou SVG")
    p.add_argument("--quartier", required=True)
    p.add_argument("--type", default="evolution", choices=["evolution", "references", "carte"],
                   help="évolution avec les références, barres quartier/références, ou carte de situation")
    p.add_argument("--indicateur", default="tx_pauvrete", help="identifiant du catalogue (défaut : tx_pauvrete)")
    p.add_argument("--out", required=True, type=Path, help="fichier .png (300 dpi) ou .svg")

    p = sub.add_parser("site", help="site statique public : une page par quartier et par contrat (HTML sans script)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--contrat", help="un contrat de ville et ses quartiers (CV…, CN…)")
    which.add_argument("--tout", action="store_true", help="tous les quartiers et contrats des deux géographies")
    p.add_argument("--out", required=True, type=Path, help="dossier du site (créé au besoin)")
    p.add_argument("--url", help="adresse publique du site (défaut : OBSERVATOIRE_SITE_URL) : QR codes et liens canoniques")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processus en parallèle (défaut : un par cœur)")
    p.add_argument("--date", type=_date, help="date de publication affichée (défaut : aujourd'hui)")

    args = parser.parse_args(argv)
    if args.cmd == "graphique":
        # Chrome (kaleido) starts in its own threads while the rest is imported and the view computed: the one
        # renderer of this command (the builders' render.session() reuse it), stopped when it ends.
        from exports import render
        with render.session():
            return _run(parser, args)
    return _run(parser, args)


def _run(parser, args) -> int:
    progress = _progress(args.quiet)
    if args.db:
        os.environ["OBSERVATOIRE_DB"] = str(Path(args.db).resolve())
    if args.saisie:
        os.environ["OBSERVATOIRE_SAISIE_DB"] = str(Path(args.saisie).resolve())
    try:
        con = db.connect(read_only=True)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:  # CLI dispatcher: import only the exporter asked for (each brings its own heavy libraries)
        if args.cmd == "deck":
            from exports import deck
            out = deck.build(con, args.contrat, args.out, depuis=args.depuis, progress=progress, annexe=args.annexe)
        elif args.cmd == "fiche":
            from exports import fiche_pdf
            out = fiche_pdf.build(con, args.quartier, args.out, edition=args.edition, progress=progress)
        elif args.cmd == "classeur":
            from exports import classeur
            codes = [c.strip() for c in args.territoires.split(",") if c.strip()]
            eds = [int(e) for e in args.editions.split(",")] if args.editions else None
            out = classeur.build(con, codes, args.out, editions=eds, progress=progress)
        elif args.cmd == "rapport":
            from exports import rapport
            out = rapport.build(con, args.contrat, args.annee, args.out, progress=progress)
        elif args.cmd == "site":
            from exports.site import build as site
            from observatoire import settings
            stats = site.build(con, args.out, contrat=None if args.tout else args.contrat.strip().upper(),
                               today=args.date, base_url=args.url or settings.site_url(),
                               jobs=max(1, args.jobs), progress=progress)
            print(site.summary(stats))
            return 0
        elif args.cmd == "graphique":
            from exports import single
            out = single.build(con, args.quartier, args.out, kind=args.type, indicator_id=args.indicateur)
        else:  # pragma: no cover - argparse refuses it
            parser.error(args.cmd)
    except (ValueError, LookupError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"{out} ({Path(out).stat().st_size / 1024:,.0f} Ko, {time.perf_counter() - t0:.1f} s)".replace(",", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
