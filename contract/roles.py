"""Who may do what: the User a session acts as, its role, and password hashing.

Roles are declared, with their labels and flags, in catalogue/vocabulary.yaml `roles`:
- *administrateur* — every contract, and the accounts (contract.accounts);
- *chef_de_projet* — edits everything of its contracts (one or more) and imports files for them;
- *partenaire* — edits only the commitments (and their points d'étape) of its own signataire, i.e. the
  `signataire` rows of its contracts that bear its signataire name;
- *elu* — an account that reads only;
- *lecture* — the anonymous session (no account): reads everything, changes nothing.

contract.store checks the role on every write, inside the edit's transaction: hiding a button in a page is
comfort, not security. Accounts live in the saisie database (contract.accounts); the TOML users file of
earlier versions (`OBSERVATOIRE_UTILISATEURS`, default data/utilisateurs.toml) is read once, to migrate it.
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from observatoire import settings, vocabulary

# Role codes of the TOML users file (version 1) and of older callers → codes of the vocabulary.
LEGACY_ROLES = {"edition": "chef_de_projet"}
TOML_ROLES = {"edition": "chef_de_projet", "lecture": "elu", "partenaire": "partenaire"}

# scrypt cost: 16 MiB of memory and ~50 ms per check on this machine; stored with the hash so it can grow.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
MIN_PASSWORD = 8


class PermissionDenied(Exception):
    """The user's role does not allow this change (message in French, shown as is)."""


def account_roles() -> list[str]:
    """Roles an account can have (every declared role but the anonymous one), in display order."""
    return [c for c, t in vocabulary.terms("roles").items() if not t.get("anonymous")]


def _flag(role: str, flag: str) -> bool:
    return bool(vocabulary.term("roles", role).get(flag))


@dataclass(frozen=True)
class User:
    login: str
    role: str = "lecture"
    contrats: tuple[str, ...] = ("*",)
    signataire: str | None = None          # partenaire: the signataire name whose commitments it may edit
    nom: str = ""
    authenticated: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        if self.role in LEGACY_ROLES:
            object.__setattr__(self, "role", LEGACY_ROLES[self.role])
        if isinstance(self.contrats, str):
            object.__setattr__(self, "contrats", (self.contrats,))

    @property
    def label(self) -> str:
        return f"{self.nom or self.login} ({vocabulary.label('roles', self.role)})"

    def covers(self, contrat_code: str | None) -> bool:
        return _flag(self.role, "all_contracts") or "*" in self.contrats or contrat_code in self.contrats

    @property
    def can_write(self) -> bool:
        return _flag(self.role, "manages") or _flag(self.role, "own_commitments")

    def manages(self, contrat_code: str | None = None) -> bool:
        """Edits everything of the contract (or of some contract when None): administrateur, chef de projet."""
        return _flag(self.role, "manages") and (contrat_code is None or self.covers(contrat_code))

    @property
    def is_partner(self) -> bool:
        return _flag(self.role, "own_commitments")

    @property
    def is_admin(self) -> bool:
        return self.authenticated and _flag(self.role, "accounts")


ANONYMOUS = User(login="anonyme", role="lecture", nom="Consultation sans connexion")


def cli_user() -> User:
    """The identity recorded in the audit trail for command-line imports and account commands: whoever can
    run them on the server can already write the database (file or PostgreSQL credentials)."""
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        who = str(os.getuid())
    return User(login=f"cli:{who}", role="administrateur", nom=f"ligne de commande ({who})", authenticated=True)


# --------------------------------------------------------------------------- passwords

def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$n$r$p$salt$hash` (base64): salted, memory-hard, standard library only."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(expected), maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_password_rule(password: str, confirmation: str | None = None) -> None:
    """ValueError (French) when a new password is too short or its confirmation differs."""
    if not password or len(password) < MIN_PASSWORD:
        raise ValueError(f"mot de passe trop court ({MIN_PASSWORD} caractères au moins)")
    if confirmation is not None and confirmation != password:
        raise ValueError("les deux saisies du mot de passe diffèrent")


# --------------------------------------------------------------------------- users file of version 1

def users_path() -> Path:
    return Path(os.environ.get("OBSERVATOIRE_UTILISATEURS",
                               settings.PROJECT_DIR / "data" / "utilisateurs.toml")).resolve()


def read_toml_users(path: Path | None = None) -> dict[str, dict]:
    """login -> {nom, role (vocabulary code), contrats, signataire, mot_de_passe} of a version-1 users file
    ({} when absent). Only contract.accounts reads it, once, to migrate its accounts into the store."""
    path = Path(path or users_path())
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    out = {}
    for login, cfg in doc.get("utilisateurs", {}).items():
        role = TOML_ROLES.get(cfg.get("role"))
        if role is None:
            raise ValueError(f"{path.name} : rôle « {cfg.get('role')} » inconnu pour « {login} » "
                             f"(attendu : {', '.join(TOML_ROLES)})")
        if role == "partenaire" and not cfg.get("signataire"):
            raise ValueError(f"{path.name} : l'utilisateur partenaire « {login} » doit avoir un « signataire »")
        contrats = cfg.get("contrats", ["*"])
        out[login] = {"nom": cfg.get("nom", ""), "role": role, "signataire": cfg.get("signataire"),
                      "contrats": [contrats] if isinstance(contrats, str) else list(contrats),
                      "mot_de_passe": cfg.get("mot_de_passe", "")}
    return out
