"""Indicateurs supplémentaires par territoire (CSV ou XLSX) : vos propres chiffres, à côté des chiffres officiels.

`python -m loaders import indicateurs FICHIER --edition 2023 [--code-col CODE] [--sheet FEUILLE]
 [--map COLONNE=indicateur ...] [--label indicateur="Libellé"] [--unit indicateur=%]
 [--polarite indicateur=defavorable] [--generation 2015|2024] [--sep ";"] [--remplacer] [--verifier] [--db PATH]`

One row per territory (warehouse codes: QP075001, QN07501M, 75056, SIREN, DEP75, REG11, FRM…), one column
per indicator. The code column is recognised by its name (« code », « Code quartier », « Code QPV »,
« codgeo »…), name columns (« Nom du quartier », « Commune »…) are read past, and an indicator column by its
catalogue id, label or short label — or the closest of them (« Taux pauvreté » → tx_pauvrete); --map COL=id
decides, --map COL=new_id --label new_id="…" --unit new_id="…" declares a local indicator. The mapping is
printed (and returned to a page) for confirmation. Cells: French numbers (`1 234,5`, `12,5`), empty = non
disponible, `s`/`secret` = secret statistique, `nd`/`n.d.` = non disponible. Encoding (UTF-8, BOM,
Windows-1252) and separator are detected and named in the report.

**User data is its own source.** Values land in `imported_value` (file, line, column, import date, who
imported), never in `indicator_value`: an official value is never replaced nor credited to the user, and
the indicator library reads official values unless asked for the imported ones (indicators.imported).
`--remplacer` replaces only values of an earlier import; before saving, the report lists every value that
changes (all indicators, counts per indicator); `--verifier` prints the same report and saves nothing.

The whole file is validated first (every problem at once, with file, line and column); then all values
are written in one transaction on a private copy of the warehouse, swapped in (loaders.swap), or none.
The file is kept in the imports folder and replayed by every rebuild.
"""
from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from openpyxl.utils import get_column_letter

from loaders.imports import replay
from observatoire import vocabulary
from observatoire.frformat import display_unit, fmt_date, fmt_number
from readers import frcsv, workbook
from readers.errors import Collector, InputError
from readers.text import LINE, closest, norm, text_problem
from observatoire.cli import ArgumentParser

MAX_BYTES = workbook.MAX_BYTES  # indicators for every commune of France (35 000 rows × 50 columns) is ~15 MB
KEY_NAMES = ("code", "codgeo", "code geo", "code geographique", "code quartier", "code qpv", "code qp",
             "code du quartier", "code territoire", "code du territoire", "territoire", "code insee",
             "code commune", "depcom", "siren", "code epci", "code_qp", "code_qpv", "qpv", "cod qpv")
NAME_NAMES = ("nom", "nom du quartier", "nom quartier", "libelle", "libelle du quartier", "libgeo", "lib qp",
              "lib qpv", "quartier", "nom du qpv", "commune", "nom commune", "nom de la commune", "lib com",
              "libcom", "nom du territoire", "territoire nom", "departement", "region", "epci", "nom epci")
SECRET_MARKERS = {"s", "secret"}
NA_MARKERS = {"nd", "n.d.", "n.d", "na", "n/a", "-"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SHOWN_CHANGES = 2000            # the report lists every change (a regional file: a few hundred)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="fichier CSV ou XLSX")
    p.add_argument("--edition", type=int, required=True, help="année (millésime) des valeurs")
    p.add_argument("--code-col", default=None, help="colonne des codes de territoire (défaut : reconnue)")
    p.add_argument("--sheet", default=None, help="feuille du classeur XLSX (défaut : la feuille de données)")
    p.add_argument("--map", action="append", default=[], metavar="COLONNE=INDICATEUR",
                   help="associe une colonne à un indicateur du catalogue ou à un nouvel indicateur local")
    p.add_argument("--label", action="append", default=[], metavar="INDICATEUR=LIBELLÉ")
    p.add_argument("--unit", action="append", default=[], metavar="INDICATEUR=UNITÉ")
    p.add_argument("--polarite", "--polarity", dest="polarity", action="append", default=[],
                   metavar="INDICATEUR=SENS",
                   help="sens d'un nouvel indicateur : favorable (plus élevé = plus favorable), defavorable (plus "
                        "élevé = moins favorable) ou neutre (défaut)")
    p.add_argument("--generation", choices=("2015", "2024"), default=None,
                   help="n'accepter que les quartiers de cette géographie")
    p.add_argument("--sep", default=None, help="séparateur du CSV (défaut : détecté dans l'en-tête)")
    p.add_argument("--remplacer", action="store_true",
                   help="remplacer les valeurs d'un import précédent (jamais une valeur officielle)")
    p.add_argument("--verifier", action="store_true",
                   help="valider le fichier et afficher ce qui changerait, sans rien enregistrer")
    p.add_argument("--db", type=Path, default=None, help="entrepôt (défaut : OBSERVATOIRE_DB)")


def _pairs(items: list[str], option: str, path: Path) -> dict[str, str]:
    """`A=B` options: --map COLONNE=INDICATEUR splits at the last « = » (a column header may hold one, an
    indicator id never does); --label/--unit/--polarite INDICATEUR=TEXTE at the first."""
    out = {}
    for item in items:
        if "=" not in item:
            raise InputError(path, f"option --{option} « {item} » mal formée", expected=f"--{option} A=B")
        k, v = item.rsplit("=", 1) if option == "map" else item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


# --polarite: French words (and the vocabulary's labels, and its codes) → the polarity code.
POLARITY_WORDS = {"favorable": "higher_better", "hausse favorable": "higher_better", "defavorable": "higher_worse",
                  "hausse defavorable": "higher_worse", "neutre": "neutral",
                  **{norm(c): c for c in vocabulary.labels("polarities")},
                  **{norm(lab): c for c, lab in vocabulary.labels("polarities").items()}}


def options_from_args(args) -> dict:
    """The JSON-able options recorded with the import and given back to apply() on every replay."""
    path = Path(args.file)
    polarity = {k: POLARITY_WORDS.get(norm(v), v) for k, v in _pairs(args.polarity, "polarite", path).items()}
    return {"edition": args.edition, "code_col": args.code_col, "sheet": args.sheet,
            "map": _pairs(args.map, "map", path), "label": _pairs(args.label, "label", path),
            "unit": _pairs(args.unit, "unit", path), "polarity": polarity,
            "generation": args.generation, "sep": args.sep, "replace": bool(args.remplacer),
            "source_name": path.name}


def import_file(path, options: dict, db_path: Path | None = None, dry_run: bool = False) -> dict:
    """Validate and import (CLI and page). Returns {rows, encoding, separator, mapping, changes, counts,
    lines} — `lines` is the French report (mapping to confirm, values that change). InputError on bad input."""
    report: dict = {}
    report: dict = {"dry_run": dry_run}          # the report speaks in the conditional for a dry run
    rows, notes = replay.import_transaction("indicateurs", Path(path), {**options, "_report": report}, db_path,
                                            dry_run=dry_run)
    return {"rows": rows, **report, "lines": report.get("lines", []) + notes}


def run(args) -> int:
    path = Path(args.file)
    options = options_from_args(args)
    res = import_file(path, options, args.db, dry_run=args.verifier)
    if args.verifier:
        print(f"Vérification de « {path.name} » : fichier valide, {res['rows']} valeur(s), millésime "
              f"{options['edition']} — rien n'a été enregistré.")
    else:
        print(f"{res['rows']} valeur(s) importée(s) depuis {path.name} (millésime {options['edition']}), "
              "source « Import utilisateur » ; le fichier est conservé et sera réimporté à chaque reconstruction "
              "de l'entrepôt.")
    for line in res["lines"]:
        print(line)
    return 0


# ------------------------------------------------------------------------------------------- reading

def _score(row: list, catalogue_names: set[str]) -> int:
    keys = {norm(k) for k in KEY_NAMES}
    return sum(1 for h in row if isinstance(h, str) and (norm(h) in keys or norm(h) in catalogue_names))


def read_table(path: Path, errors: Collector, sep: str | None = None, sheet: str | None = None,
               catalogue_names: set[str] = frozenset()) -> tuple[frcsv.CsvTable, list[str]]:
    """CSV (readers.frcsv) or XLSX (readers.workbook) as a CsvTable of texts, and the column names used in
    messages (XLSX: « header (col. C) »). Row-level problems go to `errors`."""
    path = Path(path)
    if workbook.table_kind(path, MAX_BYTES) == "xlsx":
        return _read_xlsx(path, errors, sheet, catalogue_names)
    table = frcsv.read(path, sep=sep, duplicate_rows="error", collect=errors)
    return table, [c.strip() for c in table.columns]


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


def _read_xlsx(path: Path, errors: Collector, sheet: str | None, catalogue_names) -> tuple[frcsv.CsvTable, list[str]]:
    grid = workbook.read_grid(path, sheet, score=lambda r: _score(r, catalogue_names))
    rows = [(i, [_cell_text(v) for v in r]) for i, r in grid.rows]
    if not rows:
        raise InputError(path, f"feuille « {grid.sheet} » vide", line=1,
                         expected="une ligne d'en-tête puis des lignes de données")
    header_line, header = rows[0]
    named = [j for j, h in enumerate(header) if h.strip()]
    n = named[-1] + 1
    columns = [h.strip() for h in header[:n]]
    shown = [f"{h or 'n° ' + str(j + 1)} (col. {get_column_letter(j + 1)})" for j, h in enumerate(columns)]
    for j, h in enumerate(columns):
        if not h:
            errors.add(f"colonne n° {j + 1} sans nom", header_line, shown[j], "un nom pour chaque colonne")
        elif columns.index(h) != j:
            errors.add("colonne en double", header_line, shown[j], "des noms de colonnes uniques")
    workbook.cell_problems(grid, header_line, n, lambda j: shown[j] if j < n else get_column_letter(j + 1), errors.add)
    data_rows = []
    for i, r in rows[1:]:
        extra = [c for c in r[n:] if c.strip()]
        if extra:
            errors.add(f"valeur « {extra[0]} » hors des colonnes nommées", i, None, f"{n} colonnes comme l'en-tête")
            continue
        data_rows.append((i, (r + [""] * n)[:n]))
    if not data_rows:
        raise InputError(path, "aucune ligne de données après l'en-tête", line=header_line + 1,
                         expected="au moins une ligne de données")
    cols = list(zip(*[r for _, r in data_rows]))
    data = pa.table({f"c{j}": pa.array(list(cols[j]), pa.string()) for j in range(n)})
    table = frcsv.CsvTable(path=path, columns=columns, data=data, lines=[i for i, _ in data_rows])
    table.encoding = "xlsx"
    frcsv._check_duplicate_rows(table, ["\x1f".join(r) for _, r in data_rows], "error", errors)
    return table, shown


# ------------------------------------------------------------------------------------------- mapping

def _spellings(catalogue: dict) -> dict[str, str]:
    """norm(id, label, short label) → indicator id, for the catalogue's official indicators."""
    out = {}
    for iid, (_unit, _local, label, short, _decimals) in catalogue.items():
        for s in (iid, label, short):
            if s:
                out.setdefault(norm(s), iid)
    return out


def map_columns(table: frcsv.CsvTable, options: dict, catalogue: dict, errors: Collector, shown: list[str]):
    """(key column, {header: indicator id}, mapping lines, ignored headers, name headers)."""
    given = dict(options.get("map") or {})
    lines: list[str] = []
    for col in given:
        if col not in table.columns:
            errors.add(f"colonne « {col} » (option --map) absente du fichier", 1, col,
                       "une des colonnes : " + ", ".join(table.columns))
    # key column
    key = None
    if options.get("code_col"):
        want = options["code_col"]
        key = next((c for c in table.columns if norm(c) == norm(want)), None)
        if key is None:
            errors.add(f"colonne des codes « {want} » (option --code-col) absente", 1, want,
                       "une des colonnes : " + ", ".join(table.columns))
    else:
        keys = {norm(k) for k in KEY_NAMES}
        key = next((c for c in table.columns if norm(c) in keys and c not in given), None)
        if key is None:
            errors.add("colonne des codes de territoire introuvable", 1, None,
                       "une colonne « code » (ou « Code quartier », « Code QPV », « codgeo »…), ou l'option --code-col")
    if key is not None:
        lines.append(f"  « {key} » → codes des territoires")
    spell = _spellings(catalogue)
    names = {norm(n) for n in NAME_NAMES}
    mapping, ignored, name_cols = {}, [], []
    for col in table.columns:
        if col == key or not col.strip():
            continue
        k = norm(col)
        if col in given:
            iid, how = given[col], "option --map"
        elif k in spell:
            iid, how = spell[k], "nom reconnu"
        elif k in names:
            name_cols.append(col)
            lines.append(f"  « {col} » → nom (lu pour information, non importé)")
            continue
        else:
            iid, how = closest(col, spell), "rapprochement approché : à confirmer (sinon --map)"
        if iid is None:
            ignored.append(col)
            continue
        if iid in mapping.values():
            other = next(c for c, i in mapping.items() if i == iid)
            errors.add(f"deux colonnes pour l'indicateur {iid} (« {other} » et « {col} »)", 1, col,
                       "une colonne par indicateur (voir --map)")
            continue
        mapping[col] = iid
        label = catalogue[iid][2] if iid in catalogue else (options.get("label") or {}).get(iid, iid)
        lines.append(f"  « {col} » → {label} ({iid}, {how})")
    if not mapping and not errors:
        errors.add("aucune colonne ne correspond à un indicateur", 1, None,
                   "des colonnes nommées comme un indicateur du catalogue (identifiant, libellé), ou --map COL=id")
    return key, mapping, lines, ignored, name_cols


def _new_indicators(mapping: dict, options: dict, catalogue: dict, errors: Collector) -> dict[str, str]:
    labels, units, polarities = (options.get(k) or {} for k in ("label", "unit", "polarity"))
    new_ids = {}
    for col, iid in mapping.items():
        if iid in catalogue and not catalogue[iid][1]:
            continue
        if not ID_RE.match(iid):
            errors.add(f"identifiant d'indicateur « {iid} » invalide", 1, col,
                       "minuscules, chiffres et _ (ex. taux_reussite_brevet)")
        elif iid not in catalogue and (iid not in labels or iid not in units):
            errors.add(f"nouvel indicateur « {iid} » sans libellé ou sans unité", 1, col,
                       f"--label {iid}=\"Libellé\" --unit {iid}=%")
        elif text_problem(labels.get(iid), LINE) or text_problem(units.get(iid), LINE):
            why, expected = text_problem(labels.get(iid), LINE) or text_problem(units.get(iid), LINE)
            errors.add(f"libellé ou unité de « {iid} » refusé : {why}", 1, col, expected)
        elif polarities.get(iid, "neutral") not in ("higher_better", "higher_worse", "neutral"):
            errors.add(f"sens « {polarities[iid]} » inconnu (option --polarite)", 1, col,
                       "favorable, defavorable ou neutre")
        else:
            new_ids[iid] = col
    return new_ids


# ------------------------------------------------------------------------------------------- import

def apply(con, path: Path, options: dict) -> int:
    """Validate the file against the warehouse and write its values into imported_value (the caller owns
    the transaction). Raises InputErrors (every problem, file, line, column) before writing anything."""
    path = Path(path)
    meta = options.get("_import") or replay.new_import_meta()
    report = options.get("_report") if options.get("_report") is not None else {}
    shown_name = options.get("source_name") or path.name
    catalogue = {r[0]: r[1:] for r in con.execute(
        "SELECT indicator_id, unit, is_local, label, short_label, decimals FROM indicator_catalog").fetchall()}
    errors = Collector(path)
    table, shown = read_table(path, errors, options.get("sep"), options.get("sheet"), set(_spellings(catalogue)))
    where = dict(zip(table.columns, shown))
    key, mapping, map_lines, ignored, _ = map_columns(table, options, catalogue, errors, shown)
    new_ids = _new_indicators(mapping, options, catalogue, errors)
    edition = int(options["edition"])

    values = []        # (code, indicator_id, value, status, raw, header, line)
    codes = [k.strip() for k in table.values(key)] if key else [""] * table.n_rows
    if key is not None:
        table.key = key
        frcsv._check_keys(table, "error", errors)
        known = dict(con.execute("SELECT code, level || coalesce('/' || generation, '') FROM territory").fetchall())
        gen = options.get("generation")
        for code, ln in zip(codes, table.lines):
            if not code:
                continue
            if code not in known:
                hint = f" (vouliez-vous dire {code.upper()} ?)" if code.upper() in known else ""
                errors.add(f"code de territoire « {code} » inconnu de l'entrepôt{hint}", ln, where[key],
                           "un code de l'entrepôt : QP075001, QN07501M, 75056, SIREN d'EPCI, DEP75, REG11, FRM")
            elif gen and known[code].startswith("qpv") and not known[code].endswith("/" + gen):
                errors.add(f"quartier « {code} » hors de la géographie {gen}", ln, where[key],
                           f"des quartiers de la géographie {gen}")
    for col, iid in mapping.items():
        for code, cell, ln in zip(codes, table.values(col), table.lines):
            mark = cell.strip().lower()
            if frcsv.is_empty(cell) or mark in NA_MARKERS:
                values.append((code, iid, None, "non_disponible", cell, col, ln))
            elif mark in SECRET_MARKERS:
                values.append((code, iid, None, "secret", cell, col, ln))
            else:
                try:
                    values.append((code, iid, frcsv.parse_number(cell), "ok", cell, col, ln))
                except ValueError:
                    errors.add(f"valeur non numérique « {cell} »", ln, where[col],
                               "un nombre au format français (ex. 1 234,5), vide, « s » (secret) ou « nd » "
                               "(non disponible)")
    errors.raise_if_any()

    # What changes: earlier imports of the same values (replaced only with --remplacer), official values
    # of the same territory, indicator and edition (never touched: shown beside).
    keys = pa.table({"territory_code": [v[0] for v in values], "indicator_id": [v[1] for v in values]})
    con.register("_import_keys", keys)
    try:
        earlier = {(r[0], r[1]): r[2:] for r in con.execute("""
            SELECT i.territory_code, i.indicator_id, i.value, i.status, i.file_name, i.imported_at, i.imported_by
            FROM imported_value i JOIN _import_keys k USING (territory_code, indicator_id) WHERE i.edition = ?
        """, [edition]).fetchall()}
        official = con.execute("""
            SELECT count(*), string_agg(DISTINCT v.source_file, ', ') FROM indicator_value v
            JOIN _import_keys k USING (territory_code, indicator_id) WHERE v.edition = ? AND v.value IS NOT NULL
        """, [edition]).fetchone()
    finally:
        con.unregister("_import_keys")
    changes = _changes(values, earlier, catalogue, options)
    report.update({"encoding": table.encoding_label if table.encoding != "xlsx" else None,
                   "separator": table.sep if table.encoding != "xlsx" else None,
                   "mapping": map_lines, "ignored": ignored, "changes": changes["rows"], "counts": changes["counts"]})
    lines = _report_lines(table, map_lines, ignored, changes, official, edition, options)
    report["lines"] = lines
    if changes["replaced"] and not options.get("replace"):
        for r in changes["rows"]:
            if r["kind"] != "ajout":
                errors.add(f"{r['indicator_id']} {edition} déjà importé pour {r['territory_code']} "
                           f"(fichier {r['previous_file']} du {r['previous_date']} : {r['previous_text']})",
                           r["line"], where[r["column"]],
                           "l'option --remplacer pour remplacer vos valeurs précédentes (les valeurs officielles ne "
                           "changent jamais)")
        errors.add("valeurs déjà importées par un import précédent, par indicateur : " + ", ".join(
            f"{iid} {n}" for iid, n in changes["replaced_by_indicator"].items()),
            expected="--remplacer pour remplacer vos valeurs (les valeurs officielles ne changent jamais)")
        errors.raise_if_any()

    # Writes (the caller's transaction makes them all-or-nothing).
    _declare_local(con, new_ids, catalogue, options, shown_name)
    con.register("_import_keys", keys)
    try:
        con.execute("DELETE FROM imported_value i USING _import_keys k WHERE i.edition = ? "
                    "AND i.territory_code = k.territory_code AND i.indicator_id = k.indicator_id", [edition])
    finally:
        con.unregister("_import_keys")
    arrow = pa.table({
        "territory_code": pa.array([v[0] for v in values], pa.string()),
        "indicator_id": pa.array([v[1] for v in values], pa.string()),
        "edition": pa.array([edition] * len(values), pa.int32()),
        "value": pa.array([v[2] for v in values], pa.float64()),
        "status": pa.array([v[3] for v in values], pa.string()),
        "raw": pa.array([v[4] for v in values], pa.string()),
        "source_variable": pa.array([v[5] for v in values], pa.string()),
        "line": pa.array([v[6] for v in values], pa.int32()),
        "column_name": pa.array([where[v[5]] for v in values], pa.string()),
    })
    con.register("_import_values", arrow)
    try:
        con.execute("""
            INSERT INTO imported_value (territory_code, indicator_id, edition, value, status, raw, import_id,
                file_name, source_variable, line, column_name, imported_at, imported_by)
            SELECT territory_code, indicator_id, edition, value, status, raw, ?, ?, source_variable, line,
                   column_name, ?, ? FROM _import_values
        """, [meta["import_id"], shown_name, datetime.fromisoformat(meta["imported_at"]), meta["imported_by"]])
    finally:
        con.unregister("_import_values")
    options["map"] = dict(mapping)        # recorded: every replay reads the columns the user confirmed
    return len(values)


def _fmt(value, status: str, unit: str | None, decimals: int | None) -> str:
    if status != "ok" or value is None:
        return vocabulary.status_label(status) or status
    return fmt_number(value, 1 if decimals is None else int(decimals), display_unit(unit))


def _changes(values, earlier: dict, catalogue: dict, options: dict) -> dict:
    """Each value of the file against an earlier import: ajout, remplacement (value differs) or identique."""
    units = options.get("unit") or {}
    rows, counts, replaced_by = [], {}, {}
    for code, iid, value, status, raw, col, ln in values:
        unit, dec = (catalogue[iid][0], catalogue[iid][4]) if iid in catalogue else (units.get(iid), 1)
        c = counts.setdefault(iid, {"ajout": 0, "remplacement": 0, "identique": 0})
        prev = earlier.get((code, iid))
        if prev is None:
            kind = "ajout"
        elif (prev[0], prev[1]) == (value, status):
            kind = "identique"
        else:
            kind = "remplacement"
        c[kind] += 1
        if kind != "ajout":
            replaced_by[iid] = replaced_by.get(iid, 0) + 1
        rows.append({"territory_code": code, "indicator_id": iid, "kind": kind, "line": ln, "column": col,
                     "new_text": _fmt(value, status, unit, dec),
                     "previous_text": _fmt(prev[0], prev[1], unit, dec) if prev else None,
                     "previous_file": prev[2] if prev else None,
                     "previous_date": fmt_date(prev[3]) if prev else None,
                     "previous_by": prev[4] if prev else None})
    return {"rows": rows, "counts": counts, "replaced": sum(replaced_by.values()),
            "replaced_by_indicator": replaced_by}


def _counted(n: int, participle: str, dry: bool) -> str:
    """« 2 ajoutées » ; in a dry run « 2 seraient ajoutées », « 1 serait remplacée », « 0 serait ajoutée »."""
    many = n > 1
    verb = ("seraient " if many else "serait ") if dry else ""
    return f"{n} {verb}{participle}{'s' if many else ''}"


def _report_lines(table, map_lines, ignored, changes, official, edition: int, options: dict) -> list[str]:
    out = []
    if table.encoding != "xlsx":
        sep = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}.get(table.sep, table.sep)
        out.append(f"Encodage détecté : {table.encoding_label} ; séparateur : {sep}.")
    out.append("Colonnes lues (à vérifier) :")
    out += map_lines
    if ignored:
        out.append("Colonnes ignorées (non reconnues ; voir --map) : " + ", ".join(f"« {c} »" for c in ignored))
    out.append(f"Valeurs par indicateur (millésime {edition}) :")
    dry = bool((options.get("_report") or {}).get("dry_run"))
    for iid, c in changes["counts"].items():
        out.append(f"  {iid} : {_counted(c['ajout'], 'ajoutée', dry)}, {_counted(c['remplacement'], 'remplacée', dry)}, "
                   f"{c['identique']} identique{'s' if c['identique'] > 1 else ''}")
    changed = [r for r in changes["rows"] if r["kind"] == "remplacement"]
    if changed:
        verb = "remplacées" if options.get("replace") else "qui seraient remplacées (avec --remplacer)"
        out.append(f"Valeurs d'imports précédents {verb} : {len(changed)}")
        for r in changed[:SHOWN_CHANGES]:
            out.append(f"  ligne {r['line']} {r['territory_code']} {r['indicator_id']} : {r['previous_text']} → "
                       f"{r['new_text']} (import {r['previous_file']} du {r['previous_date']} par {r['previous_by']})")
        if len(changed) > SHOWN_CHANGES:
            out.append(f"  … et {len(changed) - SHOWN_CHANGES} autres")
    n_off, files = official
    if n_off:
        out.append(f"{n_off} valeur(s) ont aussi une valeur officielle pour ce millésime ({files}) : elle reste "
                   "inchangée et affichée par défaut, votre valeur est montrée à côté avec sa propre source "
                   "(« Import utilisateur »).")
    return out


def _declare_local(con, new_ids: dict[str, str], catalogue: dict, options: dict, shown_name: str) -> None:
    """Local indicators declared by the import (theme « Indicateurs importés », source import_utilisateur)."""
    labels, units, polarities = (options.get(k) or {} for k in ("label", "unit", "polarity"))
    for iid, col in new_ids.items():
        if iid in catalogue:
            continue
        unit = units[iid]
        gap = "points" if unit.strip() == "%" else "ratio"
        con.execute("""
            INSERT INTO indicator_catalog (indicator_id, label, short_label, unit, theme, polarity, source,
                definition, decimals, gap_kind, aggregation, secret_rule, tolerance, barometre, sort_order,
                edition_key, note, is_local)
            VALUES (?, ?, NULL, ?, 'local', ?, 'import_utilisateur', ?, 1, ?, 'none', NULL, ?, FALSE, 10000,
                    'edition', ?, TRUE)
        """, [iid, labels[iid], unit, polarities.get(iid, "neutral"),
              f"Indicateur local importé depuis {shown_name} (colonne « {col} »).", gap,
              2.0 if gap == "points" else 0.05, "Donnée locale fournie par l'utilisateur (non publiée par l'INSEE)."])
    con.execute("""
        INSERT INTO source_catalog (source_id, producer, title, licence, generation, files, editions, note)
        VALUES ('import_utilisateur', 'Import utilisateur', 'Indicateurs importés par les utilisateurs',
                NULL, NULL, NULL, NULL, 'python -m loaders import indicateurs : fichiers conservés et rejoués '
                'à chaque reconstruction de l''entrepôt ; valeurs dans la table imported_value')
        ON CONFLICT DO NOTHING
    """)


if __name__ == "__main__":  # pragma: no cover
    parser = ArgumentParser()
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
