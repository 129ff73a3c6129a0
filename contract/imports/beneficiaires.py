"""Lieux de résidence des bénéficiaires : un fichier par action (ou plusieurs actions), une ligne par
bénéficiaire avec le numéro de dossier de l'action et ses coordonnées (ou la sortie du géocodeur CSV de la
BAN) → combien de bénéficiaires résident dans chaque quartier prioritaire.

`python -m indicators beneficiaires FICHIER --contrat CODE [--annee 2025] [--sheet ...]
 [--map "En-tête=champ" ...] [--remplacer] [--verifier]` (and the Programmation page's upload)

Every row is located on the warehouse's contours by the QPV lookup of the page « Localiser » (same rules: a
row whose position cannot be trusted is counted « non géolocalisée », never guessed, and never stops the
file). The lookup lives in indicators/, a layer above this one: callers hand it in as `locate`
(indicators.localiser.locator), so this module never imports it.

Only counts per action and place are stored (table action_residence: a 2024 quartier code, or the
qpv_answers code 'non', 'indeterminee', 'non_geolocalisee'): no name, address or coordinate is kept (RGPD).
The dossier numbers must be those of the contract's programmation, imported before; an unknown or ambiguous
number refuses the whole file (line and column), nothing is written. An action already counted is replaced
only with --remplacer. Shown only from the secret rule `beneficiaires` (catalogue/indicators.yaml):
indicators.programmation.residence_by_action / residence_by_quartier.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable

import pandas as pd

from contract import store
from contract.imports import common as importing
from contract.imports import programmation
from readers import points, tabular
from readers.errors import InputError
from readers.tabular import Field

FIELDS: list[Field] = [
    Field("numero_dossier", "N° dossier", programmation.FIELD_BY_NAME["numero_dossier"].aliases, required=True,
          help="numéro de dossier de l'action dans la programmation importée", example="2025-06-0042"),
    Field("annee", "Année", programmation.FIELD_BY_NAME["annee"].aliases, kind="int",
          help="année de programmation de l'action (ou option --annee ; inutile si le numéro est unique)",
          example=2025),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    importing.add_common_arguments(parser, "beneficiaires")
    parser.add_argument("--annee", type=int, default=None,
                        help="année de programmation des actions si le fichier n'a pas de colonne Année")


def _actions(sc, contrat: str) -> dict[str, list[tuple[int, int]]]:
    """{dossier number: [(year, action id), …]} of the contract's programmation."""
    out: dict[str, list[tuple[int, int]]] = {}
    for aid, year, num in sc.execute("SELECT id, annee, numero_dossier FROM action WHERE contrat_code = ?",
                                     [contrat]).fetchall():
        out.setdefault(str(num).strip(), []).append((int(year), int(aid)))
    return out


def match_actions(pf: points.PointsFile, actions: dict[str, list[tuple[int, int]]],
                  default_year: int | None, path: Path) -> list[int]:
    """The action id of every row; InputErrors listing every unknown, missing or ambiguous number."""
    errors = tabular.Errors(path)
    num_col = pf.columns["numero_dossier"]
    year_col = pf.columns.get("annee")
    ids = []
    for i, line in enumerate(pf.lines):
        num = str(pf.cells[num_col].iat[i]).strip()
        year = default_year
        if year_col and str(pf.cells[year_col].iat[i]).strip():
            try:
                year = tabular.integer(pf.cells[year_col].iat[i])
            except tabular.CellError as exc:
                errors.add(str(exc), line, year_col, exc.expected)
                ids.append(None)
                continue
        cands = actions.get(num, [])
        if year is not None:
            cands = [c for c in cands if c[0] == year]
        if not num:
            errors.add("numéro de dossier vide", line, num_col, "le numéro de dossier de l'action du bénéficiaire")
        elif not cands:
            errors.add(f"dossier « {num} »{f' ({year})' if year else ''} absent de la programmation du contrat",
                       line, num_col, "un numéro de dossier de la programmation importée (page Programmation)")
        elif len(cands) > 1:
            errors.add(f"dossier « {num} » présent plusieurs années ({', '.join(str(c[0]) for c in cands)})",
                       line, num_col, "une colonne « Année » ou l'option --annee")
        ids.append(cands[0][1] if len(cands) == 1 and num else None)
    errors.raise_if_any()
    return ids


def aggregate(located, action_ids: list[int]) -> pd.DataFrame:
    """Counts per action and place (a 2024 quartier code, or the answer code when not in one). `located`:
    what the lookup returns (per row: `answer`, a qpv_answers code, and `code_qpv`)."""
    lieu = [code if ans == "oui" else ans for code, ans in zip(located.code_qpv, located.answer)]
    df = pd.DataFrame({"action_id": action_ids, "lieu": lieu})
    return df.groupby(["action_id", "lieu"]).size().rename("n").reset_index()


def import_file(path, contrat: str, *, locate: Callable[[points.PointsFile], object], sheet: str | None = None,
                mapping: list[str] | None = None, annee: int | None = None, remplacer: bool = False,
                verifier: bool = False, user=None, saisie_db=None, db=None) -> dict:
    """Validate, locate and store the counts of a beneficiaries file (CLI and page). `locate(points_file)`
    answers every row (indicators.localiser.locator: it reads the warehouse, so `db`, passed by the shared
    command-line wrapper, is not needed here). Returns {rows, details, ignored}."""
    path = Path(path)
    maps = tabular.parse_map_options(mapping, points.FIELDS + FIELDS, path)
    pf = points.read_points(path, sheet=sheet, extra_fields=FIELDS, mapping=maps)
    sha = tabular.file_sha256(path)
    options = {"sheet": sheet, "map": mapping or [], "annee": annee, "remplacer": remplacer}
    counts, facts = [], {}
    with importing.transaction(user, saisie_db, verifier) as tx:
        ids = match_actions(pf, _actions(tx.con, contrat), annee, path)
        located = locate(pf)
        by_place = aggregate(located, ids)
        counts = write(tx, contrat, by_place, remplacer, path, sha, options, len(pf.lines))
        answers = located.answer_counts()
        facts = {"localisation": {"lus": len(pf.lines), **{k: answers.get(k, 0) for k in
                                                           ("oui", "non", "indeterminee", "non_geolocalisee")}}}
    return {"kind": "beneficiaires", "file": path.name, "contrat": contrat, "dry_run": verifier,
            "rows": len(pf.lines), "counts": counts, "facts": facts, "ignored": [], "mapping": [], "encoding": None,
            "preview": [], "examples": []}


def write(tx: store.EditSession, contrat: str, counts: pd.DataFrame, replace: bool, path: Path, sha: str,
          options: dict, n_rows: int) -> list[tuple[str, str, int]]:
    """Store the counts in the caller's transaction (not in a dry run); an action already counted needs
    `replace`. Returns the counts of the report."""
    touched = sorted(set(int(a) for a in counts["action_id"]))
    existing = tx.query(f"SELECT r.id, r.action_id, a.numero_dossier FROM action_residence r "
                        f"JOIN action a ON a.id = r.action_id WHERE r.contrat_code = ? AND r.action_id IN "
                        f"({', '.join('?' for _ in touched)})", [contrat, *touched]) if touched else []
    if existing and not replace:
        dossiers = sorted({d for _, _, d in existing})
        raise InputError(path, "bénéficiaires déjà importés pour le(s) dossier(s) " + ", ".join(dossiers),
                         expected="l'option --remplacer (les comptes de ces actions sont alors remplacés)")
    done = [("residence", "remplacement" if existing else "ajout", len(touched))]
    if tx.dry_run:
        tx.check_import(contrat)
        return done
    for rid, _, _ in existing:
        tx.delete("action_residence", rid)
    import_id = tx.log_import("beneficiaires", contrat, path.name, sha, n_rows, options)
    tx.insert_many("action_residence", [{"contrat_code": contrat, "action_id": int(r.action_id), "lieu": r.lieu,
                                         "n": int(r.n), "import_id": import_id} for r in counts.itertuples()])
    return done


def run(args, locate: Callable[[points.PointsFile], object]) -> dict:
    return importing.cli(import_file, args, locate=locate, annee=args.annee, remplacer=args.remplacer)


__all__ = ["FIELDS", "add_arguments", "run", "import_file", "match_actions", "aggregate"]
