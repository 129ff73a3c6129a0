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
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import argon2

from observatoire import settings, vocabulary

# Role codes of the TOML users file (version 1) and of older callers → codes of the vocabulary.
LEGACY_ROLES = {"edition": "chef_de_projet"}
TOML_ROLES = {"edition": "chef_de_projet", "lecture": "elu", "partenaire": "partenaire"}



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

# argon2id with OWASP's first recommended cost (19 MiB, 2 passes, 1 lane: ~50 ms here, 19 MiB per check, so
# that a burst of logins does not exhaust the server's memory). The parameters are stored in each hash:
# raising them later makes needs_rehash() true, and the next successful login stores a new hash.
_ARGON2 = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_PASSWORD = 12
MIN_OWN_PART = 8            # characters a password must keep once the login and contract names are taken out
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Words of the service itself (NIST SP 800-63B: "context-specific words, such as the name of the service").
SERVICE_WORDS = ("observatoire", "contrat", "contrats", "ville", "quartier", "quartiers", "politique")


def hash_password(password: str) -> str:
    """`$argon2id$v=19$m=…,t=…,p=…$salt$hash`: salted, memory-hard (argon2-cffi)."""
    return _ARGON2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a stored hash: argon2id, or the scrypt hashes of earlier versions
    (`scrypt$n$r$p$salt$hash`). An empty stored hash (account that signs in only through SSO) never matches."""
    if not stored:
        return False
    if stored.startswith("$argon2"):
        try:
            return _ARGON2.verify(stored, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False
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


def needs_rehash(stored: str) -> bool:
    """True for a hash below today's cost (scrypt of earlier versions, weaker argon2 parameters)."""
    if not stored:
        return False
    if not stored.startswith("$argon2"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except argon2.exceptions.InvalidHashError:
        return True


def fold(text: str) -> str:
    """Lowercase letters without accents and digits only: « Métropole-2026 ! » → « metropole2026 »."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(x for x in lines if x and not x.startswith("#"))


def _core(folded: str) -> str:
    """What is left once digits at both ends are taken away (« soleil2026 » → « soleil »)."""
    return folded.strip("0123456789")


def check_password_rule(password: str, confirmation: str | None = None, login: str = "",
                        names: tuple[str, ...] | list[str] = ()) -> None:
    """ValueError (French) when a new password breaks the rule:

    - 12 characters at least;
    - not built on the login, the displayed name, a contract's name or the service's own words: once those
      words are taken out, at least 8 characters of its own remain (« toulouse2026 » is refused for an
      account of Toulouse Métropole, « claire-secret-26 » for « claire » is accepted);
    - not digits only, not a common password (contract/common_passwords.txt), even with digits or symbols
      around it;
    - at least 5 different characters;
    - typed the same way twice (`confirmation`, when given)."""
    if not password or len(password) < MIN_PASSWORD:
        raise ValueError(f"mot de passe trop court ({MIN_PASSWORD} caractères au moins)")
    folded = fold(password)
    if len(set(password)) < 5:
        raise ValueError("mot de passe trop répétitif (5 caractères différents au moins)")
    common = common_passwords()
    words = {}
    for source in [login, *names]:
        for part in re.split(r"[^0-9A-Za-zÀ-ÿ]+", source or "") + [source or ""]:
            f = fold(part)
            if len(f) >= 4 or (len(f) >= 3 and part == login):
                words.setdefault(f, source)
    for w in SERVICE_WORDS:
        words.setdefault(w, w)
    rest, used = folded, []
    for w in sorted(words, key=len, reverse=True):
        if w in rest:
            rest = rest.replace(w, "")
            used.append(words[w])
    if used and (len(rest) < MIN_OWN_PART or rest in common):
        raise ValueError(f"mot de passe trop proche de « {used[0]} » (identifiant, nom ou contrat de ville) : "
                         f"hors de ces mots, il doit garder {MIN_OWN_PART} caractères à lui")
    if not _core(folded):
        raise ValueError("mot de passe fait uniquement de chiffres : choisissez une phrase de plusieurs mots")
    if {folded, _core(folded)} & common:
        raise ValueError("mot de passe trop courant (il figure parmi les mots de passe les plus utilisés) : "
                         "choisissez une phrase de plusieurs mots")
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
