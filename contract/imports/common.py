"""What the three contract-life imports share: command-line options, the contract and its quartiers,
quartier matching, and the final report. The imports themselves are loaders/imports/{programmation,
engagements,enquete}.py; each validates the whole file first, then writes it in ONE transaction of
contract.store (all-or-nothing, audited, recorded in import_log).
"""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from readers.errors import InputError
from readers.text import norm

from readers import tabular
from contract import store
from contract import warehouse as wh
from contract.roles import cli_user
from observatoire import db, settings


def add_common_arguments(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("file", type=Path, metavar="FICHIER", help="classeur .xlsx ou fichier .csv")
    parser.add_argument("--contrat", required=True, help="code du contrat de ville (ex. CN00604I)")
    parser.add_argument("--sheet", "--feuille", dest="sheet", default=None,
                        help="nom de la feuille du classeur (défaut : la première)")
    parser.add_argument("--map", action="append", default=[], metavar="EN-TÊTE=CHAMP",
                        help="associe un en-tête de votre fichier à un champ (répétable), ex. "
                             "--map \"Subvention Etat=montant_accorde_etat_p147\"")
    parser.add_argument("--remplacer", action="store_true",
                        help="met à jour les lignes déjà importées (même référence) au lieu de refuser le fichier")
    parser.add_argument("--verifier", action="store_true", help="valide le fichier sans rien enregistrer")
    parser.add_argument("--saisie-db", type=Path, default=None,
                        help="base de saisie (défaut : OBSERVATOIRE_SAISIE_DB ou data/saisie.duckdb)")
    parser.add_argument("--db", type=Path, default=None, help="entrepôt (défaut : OBSERVATOIRE_DB)")


def contract_and_quartiers(code: str, warehouse_path: Path | None, saisie_con, path: Path) -> tuple[dict, list[dict]]:
    """The contract from the warehouse (preferred: real 2024 geography) or, failing that, from the saisie
    database where it was registered earlier. Unknown contract → InputError."""
    try:
        con = db.connect(Path(warehouse_path) if warehouse_path else settings.db_path(), read_only=True)
    except FileNotFoundError:
        con = None
    if con is not None:
        try:
            info = wh.contract_info(con, code)
            return info, wh.contract_quartiers(con, code)
        except wh.WarehouseIncomplete:
            pass
        finally:
            con.close()
    row = saisie_con.execute("SELECT contrat_code, nom, porteur_code, departement FROM contrat WHERE contrat_code = ?",
                             [code]).fetchone()
    if row is None:
        raise InputError(path, f"contrat de ville « {code} » inconnu (ni dans l'entrepôt, ni dans la base de saisie)",
                         expected="un code de contrat 2024 (CN…) ou 2015 (CV…) de l'entrepôt, option --contrat")
    quartiers = [{"quartier_code": q, "nom": n, "communes": c} for q, n, c in saisie_con.execute(
        "SELECT quartier_code, nom, communes FROM contrat_quartier WHERE contrat_code = ? ORDER BY 1", [code]).fetchall()]
    return {"code": row[0], "nom": row[1], "porteur_code": row[2], "departement": row[3]}, quartiers


ALL_WORDS = {"tous", "toutes", "tous les quartiers", "ensemble", "ensemble des quartiers", "tous qpv", "*"}


class QuartierMatcher:
    """A quartier cell → codes: QN code, name, « name (commune) », or « Tous » for every quartier."""

    def __init__(self, quartiers: list[dict]):
        self.codes = [q["quartier_code"] for q in quartiers]
        self.by_name: dict[str, list[str]] = {}
        for q in quartiers:
            keys = {norm(q["nom"]), norm(wh.quartier_label(q["nom"], q["communes"]))}
            for c in (q["communes"] or "").split(" ; "):
                if c:
                    keys.add(norm(f"{q['nom']} {c}"))
                    keys.add(norm(f"{q['nom']} ({c})"))
            for k in keys:
                self.by_name.setdefault(k, [])
                if q["quartier_code"] not in self.by_name[k]:
                    self.by_name[k].append(q["quartier_code"])
        self.labels = {q["quartier_code"]: wh.quartier_label(q["nom"], q["communes"]) for q in quartiers}

    def one(self, token: str) -> str:
        t = token.strip()
        if t.upper() in self.codes:
            return t.upper()
        hits = self.by_name.get(norm(t), [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise tabular.CellError(f"quartier « {token} » ambigu : " + ", ".join(self.labels[h] for h in hits),
                                    "le code du quartier (QN…) ou le nom suivi de la commune entre parenthèses")
        raise tabular.CellError(f"quartier « {token} » inconnu dans ce contrat",
                                "un code ou un nom parmi : " + ", ".join(
                                    f"{c} {self.labels[c]}" for c in self.codes[:12]))

    def many(self, cell) -> list[str]:
        txt = tabular.text(cell)
        if txt is None:
            return []
        if norm(txt) in ALL_WORDS:
            return list(self.codes)
        out = []
        for tok in tabular.split_list(txt):
            code = self.one(tok)
            if code not in out:
                out.append(code)
        return out


def result(sheet: tabular.Sheet, rows: list, details: list[str], ignored: list[str]) -> dict:
    """What import_file returns to the CLI and to a page: {rows, details, ignored, mapping, encoding, preview}.
    `mapping` (« « Code QPV » → Quartier (en-tête reconnu) ») is shown for confirmation; `preview`: the first
    rows as read, under the recognised columns (the page's dry run shows them before saving)."""
    return {"rows": len(rows), "details": details, "ignored": ignored, "mapping": tabular.mapping_lines(sheet),
            "encoding": sheet.encoding, "preview": tabular.preview(sheet)}


def print_report(kind: str, contrat: str, path: Path, res: dict, dry_run: bool) -> None:
    head = "Fichier valide (rien n'a été enregistré, option --verifier)" if dry_run else "Import terminé"
    print(f"{head} : {path.name} → {kind} du contrat {contrat}, {res['rows']} ligne(s).")
    if res.get("encoding"):
        print(f"  Encodage détecté : {res['encoding']}")
    if res.get("mapping"):
        print("  Colonnes lues (à vérifier) :")
        for m in res["mapping"]:
            print(f"    {m}")
    for d in res["details"]:
        print(f"  - {d}")
    if res["ignored"]:
        print("  Colonnes ignorées (non reconnues ; voir --map) : " + ", ".join(f"« {h} »" for h in res["ignored"]))


def cli(kind: str, import_file, args, **kwargs) -> int:
    """Shared `run(args)` of the contract imports: call import_file, print the report, map store errors to exit 1."""
    try:
        res = import_file(args.file, args.contrat, sheet=args.sheet, mapping=args.map, verifier=args.verifier,
                          saisie_db=args.saisie_db, db=args.db, **kwargs)
    except (store.StoreError, store.PermissionDenied) as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    print_report(kind, args.contrat, Path(args.file), res, args.verifier)
    return 0


class DryRun(Exception):
    """Raised inside the transaction to roll it back after a successful validation (--verifier)."""


@contextmanager
def transaction(user, saisie_db, verifier: bool = False):
    """The one all-or-nothing edit of an import. With `verifier` (--verifier) the file is fully validated and
    written, then everything is rolled back: nothing is stored."""
    try:
        with store.edit(user or cli_user(), saisie_db) as tx:
            yield tx
            if verifier:
                raise DryRun()
    except DryRun:
        pass
