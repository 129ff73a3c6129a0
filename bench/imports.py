"""Cost of writing the warehouse without ever locking the served file (loaders/swap.py): an indicator import
on a private copy swapped in, its --verifier dry run, and the refusal of a broken file.

Usage: .venv/bin/python bench/imports.py   (works on a copy of the warehouse in a temporary folder)
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.imports import indicateurs  # noqa: E402
from observatoire import db, settings  # noqa: E402
from readers.errors import InputError  # noqa: E402


def main() -> None:
    src = settings.db_path()
    with tempfile.TemporaryDirectory() as tmp:
        wh = Path(tmp) / "observatoire.duckdb"
        shutil.copyfile(src, wh)
        os.environ["OBSERVATOIRE_IMPORTS_DIR"] = str(Path(tmp) / "imports")
        con = db.connect(wh)
        rows = con.execute("""SELECT territory_code, value FROM indicator_value WHERE indicator_id = 'tx_pauvrete'
                              AND edition = 2019 AND value IS NOT NULL ORDER BY 1 LIMIT 1300""").fetchall()
        con.close()
        f = Path(tmp) / "regional.csv"
        f.write_bytes(("Code quartier;Taux de pauvreté\r\n" + "".join(
            f"{c};{str(round(v * 1.01, 1)).replace('.', ',')}\r\n" for c, v in rows)).encode("cp1252"))
        t = time.perf_counter()
        shutil.copyfile(wh, Path(tmp) / "copy.duckdb")
        copy_s = time.perf_counter() - t
        opts = {"edition": 2019, "map": {}}
        t = time.perf_counter()
        indicateurs.import_file(f, opts, wh, dry_run=True)
        dry_s = time.perf_counter() - t
        t = time.perf_counter()
        res = indicateurs.import_file(f, opts, wh)
        imp_s = time.perf_counter() - t
        bad = Path(tmp) / "bad.csv"
        bad.write_text("code;tx_pauvrete\n" + "".join(f"QP9{i:05d};x{i}\n" for i in range(5000)), encoding="utf-8")
        t = time.perf_counter()
        try:
            indicateurs.import_file(bad, opts, wh)
        except InputError as exc:
            n_err = exc.total
        bad_s = time.perf_counter() - t
        print(f"warehouse {wh.stat().st_size / 1e6:.0f} MB; copy {copy_s:.2f} s")
        print(f"import of {res['rows']} values (Windows-1252 CSV, {len(rows)} quartiers): dry run {dry_s:.2f} s, "
              f"import with copy and swap {imp_s:.2f} s")
        print(f"refusal of a 5 000-line broken file: {n_err} errors reported at once in {bad_s:.2f} s")


if __name__ == "__main__":
    main()
