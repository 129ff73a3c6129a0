"""Indicateurs supplémentaires par territoire (CSV ou XLSX) : vos propres chiffres à côté des données publiques.

`python -m loaders import indicateurs FICHIER --edition 2023 [--code-col CODE] [--sheet FEUILLE]
 [--map COLONNE=indicateur ...] [--label indicateur="Libellé"] [--unit indicateur=%]
 [--polarity indicateur=higher_worse] [--generation 2015|2024] [--sep ";"] [--remplacer] [--db PATH]`

One row per territory (warehouse codes: QP075001, QN07501M, 75056, SIREN, DEP75, REG11, FRM…), one
column per indicator. A column maps to a catalogue indicator (same name, or --map COL=id) or to a new
local indicator (--map COL=new_id --label new_id="…" --unit new_id="…"). Other columns are ignored (and
listed). Cells: French numbers (`1 234,5`, `12,5`), empty = non disponible, `s`/`secret` = secret
statistique, `nd`/`n.d.` = non disponible.

The whole file is validated first (every error with file, line and column); then all rows are written
in one transaction, or none. The file is kept in the imports folder and replayed by every rebuild.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

from readers import frcsv
from readers.errors import InputError, InputErrors

KEY_CANDIDATES = ("code", "codgeo", "code_qp", "code_qpv", "code_territoire", "territoire", "code_insee",
                  "code_commune", "siren")
SECRET_MARKERS = {"s", "secret"}
NA_MARKERS = {"nd", "n.d.", "n.d", "na", "n/a", "-"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
QP2015_RE = re.compile(r"^QP(\d{3}|02[AB])\d{3}$")
QPV2024_RE = re.compile(r"^QN")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="fichier CSV (séparateur ;) ou XLSX")
    p.add_argument("--edition", type=int, required=True, help="année (millésime) des valeurs")
    p.add_argument("--code-col", default=None, help="colonne des codes de territoire (défaut : détectée)")
    p.add_argument("--sheet", default=None, help="feuille du classeur XLSX (défaut : la première)")
    p.add_argument("--map", action="append", default=[], metavar="COLONNE=INDICATEUR",
                   help="associe une colonne à un indicateur du catalogue ou à un nouvel indicateur local")
    p.add_argument("--label", action="append", default=[], metavar="INDICATEUR=LIBELLÉ")
    p.add_argument("--unit", action="append", default=[], metavar="INDICATEUR=UNITÉ")
    p.add_argument("--polarity", action="append", default=[], metavar="INDICATEUR=POLARITÉ",
                   help="higher_better, higher_worse ou neutral (défaut : neutral)")
    p.add_argument("--generation", choices=("2015", "2024"), default=None,
                   help="n'accepter que les quartiers de cette géographie")
    p.add_argument("--sep", default=";", help="séparateur du CSV (défaut : ;)")
    p.add_argument("--remplacer", action="store_true",
                   help="remplacer les valeurs déjà présentes pour ces territoires, indicateurs et millésime")
    p.add_argument("--db", type=Path, default=None, help="entrepôt (défaut : OBSERVATOIRE_DB)")


def _pairs(items: list[str], option: str, path: Path) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise InputError(path, f"option --{option} « {item} » mal formée", expected=f"--{option} A=B")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def options_from_args(args) -> dict:
    """The JSON-able options recorded with the import and given back to apply() on every replay."""
    path = Path(args.file)
    return {"edition": args.edition, "code_col": args.code_col, "sheet": args.sheet,
            "map": _pairs(args.map, "map", path), "label": _pairs(args.label, "label", path),
            "unit": _pairs(args.unit, "unit", path), "polarity": _pairs(args.polarity, "polarity", path),
            "generation": args.generation, "sep": args.sep, "replace": bool(args.remplacer),
            "source_name": path.name}


def run(args) -> int:
    from loaders.imports import replay

    path = Path(args.file)
    options = options_from_args(args)
    rows, notes = replay.import_transaction("indicateurs", path, options, args.db)
    print(f"{rows} valeur(s) importée(s) depuis {path.name} (millésime {options['edition']}) ; "
          f"le fichier est conservé et sera réimporté à chaque reconstruction de l'entrepôt.")
    for note in notes:
        print(note, file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------------------- reading

def read_table(path: Path, sep: str = ";", sheet: str | None = None) -> frcsv.CsvTable:
    """CSV (validated by readers.frcsv) or XLSX (first sheet or `sheet`) as a CsvTable of texts."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if path.suffix.lower() == ".xls":
        raise InputError(path, "format Excel 97-2003 (.xls) non pris en charge", expected="un fichier .xlsx ou .csv")
    return frcsv.read(path, sep=sep)


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(v)
    if isinstance(v, float):
        return np.format_float_positional(v, trim="-")
    return str(v)


def _read_xlsx(path: Path, sheet: str | None) -> frcsv.CsvTable:
    import zipfile

    import openpyxl
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"classeur illisible ou tronqué ({exc.__class__.__name__})",
                         expected="un fichier .xlsx complet") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(path, f"feuille « {sheet} » introuvable", column=None,
                             expected="une des feuilles : " + ", ".join(wb.sheetnames))
        ws = wb[sheet] if sheet is not None else wb[wb.sheetnames[0]]
        rows = [(i, [_cell_text(v) for v in r]) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()
    rows = [(i, r) for i, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InputError(path, "feuille vide", line=1, expected="une ligne d'en-tête puis des lignes de données")
    header_line, header = rows[0]
    named = [j for j, h in enumerate(header) if h.strip()]
    n = named[-1] + 1
    columns = [h.strip() for h in header[:n]]
    errors = []
    for j, h in enumerate(columns):
        if not h:
            errors.append(InputError(path, f"colonne n° {j + 1} sans nom", line=header_line, column=f"n° {j + 1}",
                                     expected="un nom pour chaque colonne"))
        elif columns.index(h) != j:
            errors.append(InputError(path, "colonne en double", line=header_line, column=h,
                                     expected="des noms de colonnes uniques"))
    data_rows = []
    for i, r in rows[1:]:
        extra = [c for c in r[n:] if c.strip()]
        if extra:
            errors.append(InputError(path, f"valeur « {extra[0]} » hors des colonnes nommées", line=i,
                                     expected=f"{n} colonnes comme l'en-tête"))
        data_rows.append((i, (r + [""] * n)[:n]))
    if errors:
        raise InputErrors(errors)
    if not data_rows:
        raise InputError(path, "aucune ligne de données après l'en-tête", line=header_line + 1,
                         expected="au moins une ligne de données")
    cols = list(zip(*[r for _, r in data_rows]))
    data = pa.table({f"c{j}": pa.array(list(cols[j]), pa.string()) for j in range(n)})
    return frcsv.CsvTable(path=path, columns=columns, data=data, lines=[i for i, _ in data_rows])


# ------------------------------------------------------------------------------------------- import

def apply(con, path: Path, options: dict) -> int:
    """Validate the file against the warehouse and write its values (the caller owns the transaction).

    Raises InputError / InputErrors (file, line, column) before writing anything."""
    path = Path(path)
    shown_name = options.get("source_name") or path.name
    table = read_table(path, options.get("sep") or ";", options.get("sheet"))
    # Key column: option, else a usual name.
    if options.get("code_col"):
        table.key = frcsv._find_key(table, options["code_col"])
    else:
        lower = {c.strip().lower(): c for c in table.columns}
        found = [lower[k] for k in KEY_CANDIDATES if k in lower]
        if not found:
            raise InputError(path, "colonne des codes de territoire introuvable", line=1, column=None,
                             expected="une colonne « code » (ou « CODGEO », « code_qp »…), ou l'option --code-col")
        table.key = found[0]
    frcsv._check_keys(table, "error")
    frcsv._check_duplicate_rows(table, ["\x1f".join(r) for r in table.rows], "error")

    catalogue = {r[0]: r for r in con.execute(
        "SELECT indicator_id, unit, is_local, label FROM indicator_catalog").fetchall()}
    mapping = dict(options.get("map") or {})
    labels, units, polarities = (options.get(k) or {} for k in ("label", "unit", "polarity"))
    errors: list[InputError] = []
    for col in mapping:
        if col not in table.columns:
            errors.append(InputError(path, f"colonne « {col} » (option --map) absente du fichier", line=1,
                                     column=col, expected="une des colonnes : " + ", ".join(table.columns)))
    for col in table.columns:
        if col != table.key and col not in mapping and col in catalogue:
            mapping[col] = col
    new_ids = {}
    for col, iid in mapping.items():
        if iid in catalogue:
            continue
        if not ID_RE.match(iid):
            errors.append(InputError(path, f"identifiant d'indicateur « {iid} » invalide", column=col,
                                     expected="minuscules, chiffres et _ (ex. taux_reussite_brevet)"))
        elif iid not in labels or iid not in units:
            errors.append(InputError(path, f"nouvel indicateur « {iid} » sans libellé ou sans unité", column=col,
                                     expected=f"--label {iid}=\"Libellé\" --unit {iid}=%"))
        elif polarities.get(iid, "neutral") not in ("higher_better", "higher_worse", "neutral"):
            errors.append(InputError(path, f"polarité « {polarities[iid]} » inconnue", column=col,
                                     expected="higher_better, higher_worse ou neutral"))
        else:
            new_ids[iid] = col
    if not mapping and not errors:
        errors.append(InputError(path, "aucune colonne ne correspond à un indicateur", line=1,
                                 expected="des colonnes nommées comme un indicateur du catalogue, ou --map COL=id"))
    if errors:
        raise InputErrors(errors)
    ignored = [c for c in table.columns if c != table.key and c not in mapping]
    if ignored:
        options.setdefault("_notes", []).append("Colonnes ignorées : " + ", ".join(ignored))

    # Territory codes must exist in the warehouse (and be of the requested generation).
    codes = [k.strip() for k in table.values(table.key)]
    known = dict(con.execute("SELECT code, level || coalesce('/' || generation, '') FROM territory").fetchall())
    gen = options.get("generation")
    for code, ln in zip(codes, table.lines):
        if code not in known:
            hint = ""
            up = code.upper()
            if up in known:
                hint = f" (vouliez-vous dire {up} ?)"
            errors.append(InputError(path, f"code de territoire « {code} » inconnu de l'entrepôt{hint}", line=ln,
                                     column=table.key, expected="un code de l'entrepôt : QP075001, QN07501M, 75056, "
                                     "SIREN d'EPCI, DEP75, REG11, FRM"))
        elif gen and known[code].startswith("qpv") and not known[code].endswith("/" + gen):
            errors.append(InputError(path, f"quartier « {code} » hors de la géographie {gen}", line=ln,
                                     column=table.key, expected=f"des quartiers de la géographie {gen}"))
    # Cells: French numbers or markers.
    values = []
    for col, iid in mapping.items():
        for code, cell, ln in zip(codes, table.values(col), table.lines):
            mark = cell.strip().lower()
            if frcsv.is_empty(cell) or mark in NA_MARKERS:
                values.append((code, iid, None, "non_disponible", col))
                continue
            if mark in SECRET_MARKERS:
                values.append((code, iid, None, "secret", col))
                continue
            try:
                values.append((code, iid, frcsv.parse_number(cell), "ok", col))
            except ValueError:
                errors.append(InputError(path, f"valeur non numérique « {cell} »", line=ln, column=col,
                                         expected="un nombre au format français (ex. 1 234,5), vide, « s » "
                                         "(secret) ou « nd » (non disponible)"))
    if errors:
        raise InputErrors(errors)

    edition = int(options["edition"])
    existing = con.execute("""
        SELECT iv.territory_code, iv.indicator_id, iv.source_file FROM indicator_value iv
        JOIN (SELECT unnest(?::VARCHAR[]) AS territory_code) c USING (territory_code)
        WHERE iv.edition = ? AND iv.indicator_id IN (SELECT unnest(?::VARCHAR[]))
    """, [sorted(set(codes)), edition, sorted(set(mapping.values()))]).fetchall()
    if existing and not options.get("replace"):
        line_of = dict(zip(codes, table.lines))
        col_of = {v: k for k, v in mapping.items()}
        raise InputErrors([
            InputError(path, f"{iid} {edition} déjà présent pour {code} (source {src})", line=line_of.get(code),
                       column=col_of.get(iid), expected="l'option --remplacer pour remplacer ces valeurs")
            for code, iid, src in existing[:50]])

    # Writes (the caller's transaction makes them all-or-nothing).
    for iid, col in new_ids.items():
        unit = units[iid]
        row = catalogue.get(iid)
        if row is None:
            gap = "points" if unit.strip() == "%" else "ratio"
            con.execute("""
                INSERT INTO indicator_catalog (indicator_id, label, short_label, unit, theme, polarity, source,
                    definition, decimals, gap_kind, aggregation, secret_rule, tolerance, barometre, sort_order,
                    edition_key, note, is_local)
                VALUES (?, ?, NULL, ?, 'local', ?, ?, ?, 1, ?, 'none', NULL, ?, FALSE, 10000, 'edition', ?, TRUE)
            """, [iid, labels[iid], unit, polarities.get(iid, "neutral"), "import_utilisateur",
                  f"Indicateur local importé depuis {shown_name} (colonne « {col} »).", gap,
                  2.0 if gap == "points" else 0.05, "Donnée locale fournie par l'utilisateur (non publiée par l'INSEE)."])
    con.execute("""
        INSERT INTO source_catalog (source_id, producer, title, licence, generation, files, editions, note)
        VALUES ('import_utilisateur', 'Fichiers importés par l''utilisateur', 'Indicateurs locaux importés',
                NULL, NULL, NULL, NULL, 'python -m loaders import indicateurs : fichiers conservés et rejoués '
                'à chaque reconstruction de l''entrepôt')
        ON CONFLICT DO NOTHING
    """)
    if existing:
        con.execute("""
            DELETE FROM indicator_value WHERE edition = ?
              AND territory_code IN (SELECT unnest(?::VARCHAR[]))
              AND indicator_id IN (SELECT unnest(?::VARCHAR[]))
        """, [edition, sorted(set(codes)), sorted(set(mapping.values()))])
    arrow = pa.table({
        "territory_code": pa.array([v[0] for v in values], pa.string()),
        "indicator_id": pa.array([v[1] for v in values], pa.string()),
        "edition": pa.array([edition] * len(values), pa.int32()),
        "value": pa.array([v[2] for v in values], pa.float64()),
        "status": pa.array([v[3] for v in values], pa.string()),
        "source_file": pa.array([shown_name] * len(values), pa.string()),
        "source_variable": pa.array([v[4] for v in values], pa.string()),
    })
    con.register("_import_values", arrow)
    try:
        con.execute("""
            INSERT INTO indicator_value (territory_code, indicator_id, edition, value, status, source_file,
                                         source_variable, ref_year)
            SELECT territory_code, indicator_id, edition, value, status, source_file, source_variable, NULL
            FROM _import_values
        """)
    finally:
        con.unregister("_import_values")
    return len(values)


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
