"""What a contract publishes on the static public site (`python -m exports site`): table `publication` of
the saisie database (schema version 5). Nothing typed in the saisie database is published unless the
contract says so here; démo rows are never published.

- `engagements`: the progress of the signataires' commitments (counts per status);
- `verbatims`: the survey verbatims that are themselves flagged « Publiable ».

Command line (audited like every write, as « ligne de commande »):
`python -m contract.publication --contrat CN03103I --engagements oui --verbatims non`; without a switch it
prints the current choice. The Engagements page may offer the same switch through `set_choice`.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from contract import store
from contract.roles import User, cli_user
from observatoire.cli import ArgumentParser

SWITCHES = ("engagements", "verbatims")


@dataclass(frozen=True)
class Choice:
    """A contract's publication choice; the default (no row) publishes nothing."""
    contrat_code: str
    engagements: bool = False
    verbatims: bool = False
    row_id: int | None = None
    row_version: int | None = None


def choice(sc, contrat: str) -> Choice:
    """The contract's choice read on an open saisie connection (store.connect()); nothing published when
    the contract has no row."""
    row = sc.execute("SELECT id, row_version, engagements, verbatims FROM publication WHERE contrat_code = ?",
                     [contrat]).fetchone()
    if row is None:
        return Choice(contrat)
    return Choice(contrat, bool(row[2]), bool(row[3]), int(row[0]), int(row[1]))


def publishing(sc) -> dict[str, Choice]:
    """{contract: choice} of every contract that publishes something (at least one switch on)."""
    rows = sc.execute("SELECT contrat_code, engagements, verbatims, id, row_version FROM publication "
                      "WHERE engagements OR verbatims").fetchall()
    return {r[0]: Choice(r[0], bool(r[1]), bool(r[2]), int(r[3]), int(r[4])) for r in rows}


def set_choice(contrat: str, user: User, path=None, **switches: bool) -> Choice:
    """Record `engagements=` and/or `verbatims=` for a contract (chef de projet or administrateur only:
    contract.store checks it and audits the change); returns the new choice."""
    unknown = set(switches) - set(SWITCHES)
    if unknown:
        raise store.StoreError(f"choix de publication inconnu : {', '.join(sorted(unknown))}")
    values = {k: bool(v) for k, v in switches.items()}
    with store.edit(user, path) as tx:
        before = choice(tx.con, contrat)
        if before.row_id is None:
            tx.insert("publication", {"contrat_code": contrat, **values})
        elif values:
            tx.update("publication", before.row_id, before.row_version, values)
    with store.connect(path) as sc:
        return choice(sc, contrat)


def _yes_no(text: str) -> bool:
    t = text.strip().lower()
    if t in ("oui", "o", "yes", "true", "1"):
        return True
    if t in ("non", "n", "no", "false", "0"):
        return False
    raise argparse.ArgumentTypeError(f"réponse invalide : {text!r} (oui ou non)")


def describe(c: Choice) -> str:
    word = {True: "publiés", False: "non publiés"}
    return (f"Contrat {c.contrat_code} — site public : avancement des engagements {word[c.engagements]} ; "
            f"verbatims « Publiable » {word[c.verbatims]}.")


def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(prog="python -m contract.publication",
                                description="Ce que le contrat publie sur le site public (rien par défaut).")
    p.add_argument("--contrat", required=True, help="code du contrat de ville (CV…, CN…)")
    p.add_argument("--engagements", type=_yes_no, help="publier l'avancement des engagements : oui | non")
    p.add_argument("--verbatims", type=_yes_no, help="publier les verbatims marqués « Publiable » : oui | non")
    p.add_argument("--saisie", help="base de saisie (défaut : OBSERVATOIRE_SAISIE_DB ou OBSERVATOIRE_SAISIE_URL)")
    args = p.parse_args(argv)
    switches = {k: getattr(args, k) for k in SWITCHES if getattr(args, k) is not None}
    code = args.contrat.strip().upper()
    try:
        if switches:
            c = set_choice(code, cli_user(), args.saisie, **switches)
        else:
            with store.connect(args.saisie) as sc:
                c = choice(sc, code)
    except (store.StoreError, store.PermissionDenied) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(describe(c))
    return 0


if __name__ == "__main__":
    sys.exit(main())
