"""Build time of the four exports of a contract (issue 21 targets for CN03103I: fiche PDF ≤ 2 s, deck ≤ 3 s,
rapport ≤ 4 s, classeur ≤ 1 s), on the real warehouse, the way users get them:

- « ligne de commande »: `python -m exports …` in a new process (interpreter start and imports included);
- « page »: the builder the page's « Préparer » button runs (ui/export_buttons.py), in this long-lived
  process with a cursor of one warehouse connection — first click (« 1er ») and next ones (« suivant »); no
  export starts a browser any more (the fiche PDF draws in vectors, the deck and the report natively).

Not a test: it prints figures. Wall time and CPU time (this process and its children: Chrome for kaleido,
the command-line processes); the machine is shared, so wall time inflates under load, CPU time much less.

    python bench/deck.py [--db PATH] [--contrat CN03103I] [--quartier QN03107M] [--runs 2] [--complet]

Contract-life data: a copy of the saisie database (OBSERVATOIRE_SAISIE_DB or data/saisie.duckdb), so the
deck and the report have the slides and sections the app gives them; `--complet` adds the LibreOffice
rendering of the deck and the largest contract's deck.
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

TARGETS = {"fiche": 2.0, "deck": 3.0, "rapport": 4.0, "classeur": 1.0}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)  # Chrome (kaleido), command-line processes
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def _timed(fn) -> tuple[float, float, Path]:
    w0, c0 = time.perf_counter(), _cpu()
    out = fn()
    return time.perf_counter() - w0, _cpu() - c0, Path(out)


def _render(pptx: Path, tmp: Path) -> Path:
    """LibreOffice → PDF, as the overflow test does (tests/pptx_render.py)."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp), str(pptx)], check=True, capture_output=True)
    return tmp / (pptx.stem + ".pdf")


def main(argv=None) -> int:
    from bench import warehouse
    from observatoire.cli import ArgumentParser

    p = ArgumentParser(prog="python bench/deck.py", description=__doc__.split("\n\n")[0])
    warehouse.add_option(p)
    p.add_argument("--contrat", default="CN03103I", help="contrat (défaut : CN03103I, Toulouse Métropole)")
    p.add_argument("--quartier", default="QN03107M", help="quartier de la fiche PDF (défaut : QN03107M)")
    p.add_argument("--runs", type=int, default=2, help="exécutions par mesure, la meilleure est gardée (défaut 2)")
    p.add_argument("--complet", action="store_true", help="ajoute le rendu LibreOffice et le plus grand contrat")
    args = p.parse_args(argv)
    warehouse.use(args)

    from exports import classeur, deck, fiche_pdf, rapport
    from observatoire import db, settings

    con = db.connect(read_only=True)
    codes = [r[0] for r in con.execute(
        "SELECT child_code FROM territory_link WHERE parent_code = ? AND relation = 'qpv_contrat' ORDER BY 1",
        [args.contrat]).fetchall()]
    year = dt.date.today().year - 1
    since = dt.date.today() - dt.timedelta(days=180)
    print(f"Entrepôt {settings.db_path()} — contrat {args.contrat} : {len(codes)} quartiers ; load average "
          f"{os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        saisie = tmp / "saisie.duckdb"
        source = Path(os.environ.get("OBSERVATOIRE_SAISIE_DB") or settings.saisie_db_path())
        if source.exists():
            shutil.copyfile(source, saisie)
        os.environ["OBSERVATOIRE_SAISIE_DB"] = str(saisie)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cli = {
            "fiche": ["fiche", "--quartier", args.quartier],
            "deck": ["deck", "--contrat", args.contrat, "--depuis", since.isoformat()],
            "rapport": ["rapport", "--contrat", args.contrat, "--annee", str(year)],
            "classeur": ["classeur", "--territoires", args.contrat],
        }
        page = {
            "fiche": lambda cur, out: fiche_pdf.build(cur, args.quartier, out),
            "deck": lambda cur, out: deck.build(cur, args.contrat, out, depuis=since),
            "rapport": lambda cur, out: rapport.build(cur, args.contrat, year, out),
            "classeur": lambda cur, out: classeur.build(cur, codes, out),
        }
        suffix = {"fiche": ".pdf", "deck": ".pptx", "rapport": ".docx", "classeur": ".xlsx"}
        label = {"fiche": f"Fiche PDF {args.quartier}", "deck": f"Diaporama COPIL {args.contrat}",
                 "rapport": f"Rapport annuel {args.contrat} {year}", "classeur": f"Classeur {args.contrat}"}
        print(f"{'':34} {'ligne de commande':>22} {'page, 1er':>20} {'page, suivant':>20} {'objectif':>9}  taille")
        print(f"{'':34} {'mur / CPU (s)':>22} {'mur / CPU (s)':>20} {'mur / CPU (s)':>20}")
        for kind in ("fiche", "deck", "rapport", "classeur"):
            out_cli = tmp / f"cli_{kind}{suffix[kind]}"
            cmd = [sys.executable, "-m", "exports", "-q", *cli[kind], "--out", str(out_cli)]
            runs = [_timed(lambda cmd=cmd, out_cli=out_cli: (
                        subprocess.run(cmd, check=True, env=env, cwd=ROOT, capture_output=True), out_cli)[1])
                    for _ in range(args.runs)]
            c_wall, c_cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            page_runs = []
            for i in range(args.runs + 1):
                out = tmp / f"page_{kind}_{i}{suffix[kind]}"
                cur = db.cursor(con)

                def clicked(kind=kind, cur=cur, out=out):   # what ui/export_buttons.py runs on « Préparer »
                    return page[kind](cur, out)
                try:
                    page_runs.append(_timed(clicked))
                finally:
                    cur.close()
            first, nxt = page_runs[0], min(page_runs[1:], key=lambda r: r[0])
            size = nxt[2].stat().st_size
            print(f"{label[kind]:<34} {c_wall:10.2f} / {c_cpu:5.2f}    {first[0]:8.2f} / {first[1]:5.2f}    "
                  f"{nxt[0]:8.2f} / {nxt[1]:5.2f}  ≤ {TARGETS[kind]:.0f} s  {size / 1024:6.0f} Ko")
        if args.complet:
            pptx = tmp / "page_deck_1.pptx"
            if shutil.which("soffice"):
                w, c, _ = _timed(lambda: _render(pptx, tmp))
                print(f"{'Rendu LibreOffice du diaporama':<34} {w:10.2f} / {c:5.2f}")
            big = con.execute("SELECT parent_code, count(*) AS n FROM territory_link WHERE relation = 'qpv_contrat' "
                              "GROUP BY 1 ORDER BY n DESC LIMIT 1").fetchone()
            w, c, out = _timed(lambda: deck.build(con, big[0], tmp / "big.pptx", depuis=since))
            from pptx import Presentation
            print(f"{'Diaporama du plus grand contrat':<34} {'':>22} {w:8.2f} / {c:5.2f}  ({big[0]}, {big[1]} "
                  f"quartiers, {len(Presentation(str(out)).slides)} diapositives)")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
