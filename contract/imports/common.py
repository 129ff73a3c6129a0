"""What the contract-life imports share: command-line options, the contract and its quartiers, quartier
matching, and the final report. The imports themselves are contract/imports/{programmation, engagements,
enquete, referentiel, beneficiaires}.py; each validates the whole file first, then writes it in ONE
transaction of contract.store (all-or-nothing, audited, recorded in import_log).
"""
from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path

from readers.errors import InputError
from readers.text import LINE, norm, text_problem

from readers import tabular
from contract import store
from contract import warehouse as wh
from contract.roles import cli_user
from observatoire import db, settings


def text_rules(fields: list[tabular.Field], table: str) -> None:
    """Give each field the text rule of the store column it lands in (contract.store declares them once), so
    that an import refuses a cell with the store's own reason, naming its line and column."""
    spec = store.TABLES[table]
    for f in fields:
        if f.kind == "text" and f.name in spec.editable:
            f.text = spec.text_rule(f.name)


def add_common_arguments(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("file", type=Path, metavar="FICHIER", help="classeur .xlsx ou fichier .csv")
    parser.add_argument("--contrat", required=True, metavar="CODE", help="code du contrat de ville (ex. CN00604I)")
    parser.add_argument("--sheet", "--feuille", dest="sheet", default=None, metavar="FEUILLE",
                        help="nom de la feuille du classeur (défaut : la première)")
    parser.add_argument("--map", action="append", default=[], metavar="EN-TÊTE=CHAMP",
                        help="associe un en-tête de votre fichier à un champ (répétable), ex. "
                             "--map \"Subvention Etat=montant_accorde_etat_p147\"")
    parser.add_argument("--remplacer", action="store_true",
                        help="met à jour les lignes déjà importées (même référence) au lieu de refuser le fichier")
    parser.add_argument("--verifier", action="store_true", help="valide le fichier sans rien enregistrer")
    parser.add_argument("--saisie-db", default=None, metavar="FICHIER_OU_URL",
                        help="base de saisie : fichier DuckDB ou URL postgresql://… (défaut : OBSERVATOIRE_SAISIE_URL, "
                             "sinon OBSERVATOIRE_SAISIE_DB ou data/saisie.duckdb)")
    parser.add_argument("--db", type=Path, default=None, metavar="ENTREPÔT", help="entrepôt (défaut : OBSERVATOIRE_DB)")


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


def result(kind: str, sheet: tabular.Sheet, rows: int, counts: list[tuple[str, str, int]], *, contrat: str,
           dry_run: bool, facts: dict | None = None, ignored: list[str] | None = None) -> dict:
    """What import_file returns to the CLI and to a page: facts, worded by presentation.imports (the same
    report in both). `counts`: (what, how, n) such as ("engagement", "ajout", 5) — what was added, updated…
    or, in a dry run, what would be; `mapping`: (header, field label, how it was recognised); `preview`: the
    first rows, typed by their field's kind; `examples`: (sheet, line) of the template's example rows, left out
    (sheet None: the data sheet)."""
    return {"kind": kind, "file": sheet.path.name, "contrat": contrat, "dry_run": dry_run, "rows": rows,
            "counts": counts, "facts": facts or {}, "ignored": list(ignored or []), "mapping": list(sheet.mapping),
            "encoding": sheet.encoding, "preview": tabular.preview(sheet),
            "examples": [(None, line) for line in sheet.examples]}


def cli(import_file, args, **kwargs) -> dict:
    """Shared `run(args)` of the contract imports: import_file with the common options; the result is printed
    by the command line (loaders/__main__.py, presentation.imports), store errors exit 1 there."""
    return import_file(args.file, args.contrat, sheet=args.sheet, mapping=args.map, verifier=args.verifier,
                       saisie_db=args.saisie_db, db=args.db, **kwargs)


def check_option(path: Path, option: str, value: str | None, rule=LINE) -> None:
    """A command-line option (or page field) whose text is stored (« --enquete », « --libelle-vague »,
    « --methode »): the store's text rule, refused before anything is read, naming the option."""
    problem = text_problem(value, rule)
    if problem:
        raise InputError(path, f"option {option} refusée : {problem[0]}", column=option, expected=problem[1])


def start_writing(tx, kind: str, contrat: str, info: dict, quartiers: list[dict], *, n_demo: int,
                  demo_tables: list[str], demo_link: str | None, path: Path, sha: str, rows: int,
                  options: dict) -> int | None:
    """Once an import's checks have passed: in a dry run, check the rights and stop (None: nothing is
    written); else register the contract and its quartiers, remove the contract's démo rows of this kind
    (with the démo référentiel's links to them, `demo_link`: action_id or engagement_id) and record the file
    in import_log (its id)."""
    if tx.dry_run:
        tx.check_import(contrat)
        return None
    tx.register_contract(contrat, info["nom"], quartiers, info.get("porteur_code"), info.get("departement"))
    if n_demo:
        if demo_link:
            tx.con.execute(f"DELETE FROM ref_lien WHERE contrat_code = ? AND is_demo AND {demo_link} IS NOT NULL",
                           [contrat])
        tx.purge_demo(contrat, demo_tables)
    return tx.log_import(kind, contrat, Path(path).name, sha, rows, options)


class DryRun(Exception):
    """Raised inside the transaction to roll it back after a successful validation (--verifier)."""


@contextmanager
def transaction(user, saisie_db, verifier: bool = False):
    """The one all-or-nothing edit of an import. With `verifier` (--verifier, the page's first step) the file
    is validated against what the database holds, the rights are checked, and the transaction is rolled back:
    the import writes nothing in a dry run (`tx.dry_run` tells its write step to stop after its checks)."""
    try:
        with store.edit(user or cli_user(), saisie_db) as tx:
            tx.dry_run = verifier
            yield tx
            if verifier:
                raise DryRun()
    except DryRun:
        pass
