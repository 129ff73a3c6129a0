"""What can go wrong when writing the saisie database, as exceptions whose message is French and shown as is.

Kept apart from contract.store so that the engines (contract.backend) and the accounts (contract.accounts)
raise the same errors without importing the store.
"""
from __future__ import annotations

from datetime import datetime


class StoreError(Exception):
    """A change could not be made; the message is French and can be shown as is."""


class ConflictError(StoreError):
    def __init__(self, table: str, row_id, seen_version=None, current_version=None, by=None, at=None,
                 detail: str | None = None):
        self.table, self.row_id = table, row_id
        self.seen_version, self.current_version, self.by, self.at = seen_version, current_version, by, at
        if detail:
            msg = detail
        else:
            who = f" par {by}" if by else ""
            when = f" le {at:%d/%m/%Y à %H:%M:%S}" if isinstance(at, datetime) else ""
            versions = f" (version {seen_version} → {current_version})" if current_version is not None else ""
            msg = (f"Conflit de modification : la ligne {row_id} de « {table} » a été modifiée{who}{when} "
                   f"depuis que vous l'avez ouverte{versions}. "
                   "Votre modification n'a pas été enregistrée : rechargez la page et refaites-la.")
        super().__init__(msg)


class StoreBusy(StoreError):
    """The base is busy (locked file, lock wait, deadlock, server unreachable): nothing was written; retry."""


class TransientError(StoreBusy):
    """A StoreBusy that re-running the same edit may cure (lock wait, deadlock, serialization failure,
    lost connection): store.apply retries those for a few seconds before letting them through."""


class NotFound(StoreError):
    pass


class SaisieDamaged(StoreError):
    """The saisie database file cannot be read (truncated, corrupt). Nothing is written to it, nothing replaces
    it: what users typed is only there, so it is restored from a backup by hand, never rebuilt."""

    def __init__(self, name: str, kind: str = "lecture impossible"):
        super().__init__(
            f"La base de saisie {name} est illisible (fichier endommagé ou tronqué : {kind}). Rien n'y a été écrit "
            "et elle n'est pas remplacée : ce que les utilisateurs ont saisi n'existe que là. Prévenez "
            "l'administrateur : il la restaure depuis sa dernière sauvegarde (docs/DEPLOIEMENT.md). Les pages "
            "d'observation des quartiers restent consultables.")


class TextRefused(StoreError):
    """A text value breaks the store's text rule (readers.text.text_problem): nothing was written.
    `table`, `column` and `row` (the position of the row in a bulk insert) let an import name its cell."""

    def __init__(self, message: str, table: str, column: str, reason: str, expected: str, row: int | None = None):
        super().__init__(message)
        self.table, self.column, self.reason, self.expected, self.row = table, column, reason, expected, row


BUSY_MESSAGE = ("La base de saisie est occupée (d'autres modifications sont en cours). Votre modification n'a "
                "pas été enregistrée : réessayez dans un instant.")
