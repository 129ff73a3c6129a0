"""Build time of the exports on the real warehouse: the COPIL deck of a 10-quartier contract (target
≤ 20 s), the 2-page fiche PDF, the classeur XLSX and the annual report DOCX. Not a test: it prints figures
(wall and CPU time; the machine is shared, so wall time inflates under load, CPU time much less).

    python bench/deck.py [--db PATH] [--contrat CN00604I] [--quartier QP034004] [--runs 2]

Contract-life data: the démo of contract.demo is loaded into a temporary saisie database (never the
user's), so the deck has all its slides.
"""
from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)  # Chrome (kaleido) runs as child processes
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def timed(label: str, fn, runs: int) -> None:
    walls, cpus, size = [], [], 0
    for _ in range(runs):
        w0, c0 = time.perf_counter(), _cpu()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(_cpu() - c0)
        size = Path(out).stat().st_size
    print(f"{label:<44} {min(walls):6.1f} s (meilleur de {runs}, CPU {min(cpus):5.1f} s)  {size / 1024:7.0f} Ko")


def _render(pptx: Path, tmp: Path) -> Path:
    """LibreOffice → PDF, as the overflow test does (tests/pptx_render.py)."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp), str(pptx)], check=True, capture_output=True)
    return tmp / (pptx.stem + ".pdf")


def main(argv=None) -> int:
    from observatoire.cli import ArgumentParser

    p = ArgumentParser()
    p.add_argument("--db", help="entrepôt (défaut : OBSERVATOIRE_DB ou data/observatoire.duckdb)")
    p.add_argument("--contrat", default="CN00604I", help="contrat de 10 quartiers (défaut : Nice Côte d'Azur)")
    p.add_argument("--quartier", default="QP034004")
    p.add_argument("--runs", type=int, default=2)
    args = p.parse_args(argv)
    if args.db:
        os.environ["OBSERVATOIRE_DB"] = str(Path(args.db).resolve())

    from contract import demo
    from exports import classeur, deck, fiche_pdf, rapport
    from observatoire import db, settings

    con = db.connect(read_only=True)
    n_q = con.execute("SELECT count(*) FROM territory_link WHERE parent_code = ? AND relation = 'qpv_contrat'",
                      [args.contrat]).fetchone()[0]
    print(f"Entrepôt {settings.db_path()} — contrat {args.contrat} : {n_q} quartiers ; load average "
          f"{os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        saisie = tmp / "saisie.duckdb"
        demo.load(settings.db_path(), saisie, contrat=args.contrat) if args.contrat == demo.DEMO_CONTRAT else None
        os.environ["OBSERVATOIRE_SAISIE_DB"] = str(saisie)
        since = dt.date.today() - dt.timedelta(days=180)
        timed(f"Diaporama COPIL ({n_q} quartiers, PPTX)",
              lambda: deck.build(con, args.contrat, tmp / "deck.pptx", depuis=since), args.runs)
        if shutil.which("soffice"):
            timed("Rendu LibreOffice du diaporama (PDF)", lambda: _render(tmp / "deck.pptx", tmp), args.runs)
        big = con.execute("SELECT parent_code, count(*) AS n FROM territory_link WHERE relation = 'qpv_contrat' "
                          "GROUP BY 1 ORDER BY n DESC LIMIT 1").fetchone()
        timed(f"Diaporama du plus grand contrat ({big[0]}, {big[1]} quartiers)",
              lambda: deck.build(con, big[0], tmp / "big.pptx", depuis=since), 1)
        from pptx import Presentation
        print(f"{'':<44} {len(Presentation(str(tmp / 'big.pptx')).slides)} diapositives (au plus 15)")
        timed(f"Fiche quartier {args.quartier} (PDF 2 pages)",
              lambda: fiche_pdf.build(con, args.quartier, tmp / "fiche.pdf"), args.runs)
        timed(f"Classeur {args.contrat} (XLSX)",
              lambda: classeur.build(con, [args.contrat], tmp / "c.xlsx"), args.runs)
        timed(f"Rapport annuel {args.contrat} (DOCX)",
              lambda: rapport.build(con, args.contrat, dt.date.today().year - 1, tmp / "r.docx"), args.runs)
    print("Objectif : diaporama d'un contrat de 10 quartiers ≤ 20 s sur cette machine.")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
