"""Cost of the imports. Prints figures; not a test.

1. Indicators (warehouse): an import on a private copy swapped in (loaders/swap.py), its --verifier dry run,
   and the refusal of a broken file.
2. Programmation (saisie database): the dry run (`--verifier`, the page's first step) of a programmation of
   N actions (default 100 000) as CSV and as XLSX — target ≤ 10 s, nothing written —, the refusal of the same
   file with two bad rows, and the real import.

Usage: .venv/bin/python bench/imports.py [--lignes 100000] [--sans-xlsx] [--sans-indicateurs] [--sans-import]
(works on copies in a temporary folder; the warehouse must exist: python -m loaders ensure)
"""
from __future__ import annotations

import csv
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contract import store  # noqa: E402
from contract import warehouse as contract_wh  # noqa: E402
from contract.imports import programmation  # noqa: E402
from loaders.imports import indicateurs  # noqa: E402
from observatoire import db, settings  # noqa: E402
from observatoire.cli import ArgumentParser  # noqa: E402
from readers.errors import InputError  # noqa: E402

CONTRACT = "CN03103I"        # Toulouse Métropole: 16 quartiers
HEADERS = ["N° dossier", "Année", "Porteur", "SIRET", "Intitulé de l'action", "Thématique", "Quartiers",
           "Date de dépôt", "Coût total", "Montant sollicité", "Montant accordé État (P147)", "Montant accordé Commune",
           "Bénéficiaires prévus", "Filles", "Garçons", "Statut"]


def indicators_bench(tmp: Path) -> None:
    wh = tmp / "observatoire.duckdb"
    shutil.copyfile(settings.db_path(), wh)
    os.environ["OBSERVATOIRE_IMPORTS_DIR"] = str(tmp / "imports")
    con = db.connect(wh)
    rows = con.execute("""SELECT territory_code, value FROM indicator_value WHERE indicator_id = 'tx_pauvrete'
                          AND edition = 2019 AND value IS NOT NULL ORDER BY 1 LIMIT 1300""").fetchall()
    con.close()
    f = tmp / "regional.csv"
    f.write_bytes(("Code quartier;Taux de pauvreté\r\n" + "".join(
        f"{c};{str(round(v * 1.01, 1)).replace('.', ',')}\r\n" for c, v in rows)).encode("cp1252"))
    t = time.perf_counter()
    shutil.copyfile(wh, tmp / "copy.duckdb")
    copy_s = time.perf_counter() - t
    opts = {"edition": 2019, "map": {}}
    t = time.perf_counter()
    indicateurs.import_file(f, opts, wh, dry_run=True)
    dry_s = time.perf_counter() - t
    t = time.perf_counter()
    res = indicateurs.import_file(f, opts, wh)
    imp_s = time.perf_counter() - t
    bad = tmp / "bad.csv"
    bad.write_text("code;tx_pauvrete\n" + "".join(f"QP9{i:05d};x{i}\n" for i in range(5000)), encoding="utf-8")
    t = time.perf_counter()
    n_err = 0
    try:
        indicateurs.import_file(bad, opts, wh)
    except InputError as exc:
        n_err = exc.total
    bad_s = time.perf_counter() - t
    print(f"indicateurs — entrepôt {wh.stat().st_size / 1e6:.0f} Mo ; copie {copy_s:.2f} s")
    print(f"  import de {res['rows']} valeurs (CSV Windows-1252, {len(rows)} quartiers) : vérification {dry_s:.2f} s, "
          f"import avec copie et échange {imp_s:.2f} s")
    print(f"  refus d'un fichier de 5 000 lignes erronées : {n_err} erreurs signalées d'un coup en {bad_s:.2f} s")


def programmation_rows(n: int, quartiers: list[str], bad: bool = False) -> list[list]:
    """n realistic actions (French numbers and dates, a few quartiers each); `bad`: two broken rows."""
    rng = random.Random(2026)
    themes = ["Éducation et réussite éducative", "Emploi, insertion et développement économique",
              "Santé et accès aux droits", "Lien social, culture et sport", "Cadre de vie, habitat et tranquillité"]
    rows = []
    for i in range(n):
        granted = rng.randint(5, 400) * 100
        girls = rng.randint(0, 30)
        rows.append([f"2026-31-{i:06d}", 2026, f"Association {i % 2500} des quartiers", "123 456 789 00012",
                     f"Action {i} : {rng.choice(['atelier', 'permanence', 'accompagnement', 'chantier'])}",
                     rng.choice(themes), " ; ".join(rng.sample(quartiers, rng.randint(1, 3))),
                     f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026",
                     f"{granted * 2:,}".replace(",", " ") + ",00", f"{granted:,}".replace(",", " ") + ",50",
                     f"{granted // 2:,}".replace(",", " ") + ",00", str(granted // 4), girls * 2 + 10, girls,
                     girls + 5, rng.choice(["Accordé", "Déposé", "Refusé", "Soldé"])])
    if bad:
        rows[n // 3][8] = "douze mille"
        rows[2 * n // 3][6] = "Quartier imaginaire"
    return rows


def write(path: Path, rows: list[list]) -> Path:
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:     # « QN… ; QN… » cells are quoted
            w = csv.writer(fh, delimiter=";")
            w.writerow(HEADERS)
            w.writerows(rows)
    else:
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Programmation")
        ws.append(HEADERS)
        for r in rows:
            ws.append(r)
        wb.save(path)
    return path


def timed(fn):
    """(result or InputError, wall seconds, CPU seconds of this process): on a shared machine the CPU time
    says what the code costs, the wall time what the user waits."""
    t, c = time.perf_counter(), time.process_time()
    try:
        out = fn()
    except InputError as exc:
        out = exc
    return out, time.perf_counter() - t, time.process_time() - c


def programmation_bench(tmp: Path, n: int, xlsx: bool, real_import: bool) -> None:
    con = db.connect(settings.db_path(), read_only=True)
    try:
        quartiers = [q["quartier_code"] for q in contract_wh.contract_quartiers(con, CONTRACT)]
    finally:
        con.close()
    saisie = tmp / "saisie.duckdb"
    with store.connect(saisie):
        pass
    size = saisie.stat().st_size
    print(f"programmation — {n:,} actions du contrat {CONTRACT} ({len(HEADERS)} colonnes) ; charge de la machine : "
          f"{os.getloadavg()[0]:.1f}".replace(",", " "))
    for suffix in (".csv", ".xlsx") if xlsx else (".csv",):
        path = write(tmp / f"programmation{suffix}", programmation_rows(n, quartiers))
        res, s, cpu = timed(lambda: programmation.import_file(path, CONTRACT, verifier=True, saisie_db=saisie))
        assert not isinstance(res, InputError), res
        print(f"  vérification (--verifier) {suffix[1:].upper()} ({path.stat().st_size / 1e6:.1f} Mo) : {s:.1f} s "
              f"({cpu:.1f} s de processeur), {res['rows']} lignes valides, base de saisie inchangée : "
              f"{'oui' if saisie.stat().st_size == size else 'NON'}")
    bad = write(tmp / "programmation_2_erreurs.csv", programmation_rows(n, quartiers, bad=True))
    res, s, cpu = timed(lambda: programmation.import_file(bad, CONTRACT, verifier=True, saisie_db=saisie))
    print(f"  refus du même fichier CSV avec 2 lignes erronées : {s:.1f} s ({cpu:.1f} s de processeur), "
          f"{getattr(res, 'total', 0)} erreurs")
    if real_import:
        path = tmp / "programmation.csv"
        res, s, cpu = timed(lambda: programmation.import_file(path, CONTRACT, saisie_db=saisie))
        print(f"  import réel (CSV, tout ou rien, audit par action) : {s:.1f} s ({cpu:.1f} s de processeur), "
              f"{res['rows']} actions")


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python bench/imports.py", description="Mesure le coût des imports (indicateurs, "
                            "programmation) sur des copies, dans un dossier temporaire.")
    parser.add_argument("--lignes", type=int, default=100_000, help="actions de la programmation (défaut : 100 000)")
    parser.add_argument("--sans-xlsx", action="store_true", help="ne mesure pas la vérification du classeur XLSX")
    parser.add_argument("--sans-indicateurs", action="store_true", help="ne mesure pas l'import d'indicateurs")
    parser.add_argument("--sans-import", action="store_true", help="ne mesure pas l'import réel de la programmation")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.sans_indicateurs:
            indicators_bench(Path(tmp))
        programmation_bench(Path(tmp), args.lignes, not args.sans_xlsx, not args.sans_import)
    return 0


if __name__ == "__main__":
    sys.exit(main())
