"""Local users and roles, from a TOML file (no external service).

File: `OBSERVATOIRE_UTILISATEURS`, default `data/utilisateurs.toml` (git-ignored: it holds password hashes).

    [utilisateurs.marie]
    nom = "Marie Martin, cheffe de projet"
    role = "edition"                       # lecture | edition | partenaire
    contrats = ["CN00604I"]                # or ["*"] for every contract
    mot_de_passe = "scrypt$16384$8$1$<salt>$<hash>"

    [utilisateurs.caf06]
    role = "partenaire"
    contrats = ["CN00604I"]
    signataire = "Caisse d'allocations familiales des Alpes-Maritimes"   # its own commitments only

Roles: *lecture* reads everything and edits nothing; *edition* edits everything of its contracts;
*partenaire* edits only the commitments (and their points d'étape) of its signataire. Without a file, or
without login, the session is read-only. The command-line imports run as the local system user with the
*edition* role: whoever can run them can already write the database file.

Manage users: `python -m contract.roles ajouter LOGIN --role edition --contrat CN00604I` (asks the
password), `python -m contract.roles lister`.
"""
from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from observatoire import settings

ROLES = {
    "lecture": "Lecture (élu, observateur) : consulte tout, ne modifie rien",
    "edition": "Édition (chef de projet) : modifie tout ce qui concerne ses contrats",
    "partenaire": "Partenaire (signataire) : modifie seulement ses propres engagements",
}
ROLE_LABELS = {"lecture": "Lecture", "edition": "Édition", "partenaire": "Partenaire"}

# scrypt cost: 16 MiB of memory and ~50 ms per check on this machine; stored with the hash so it can grow.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class PermissionDenied(Exception):
    """The user's role does not allow this change (message in French, shown as is)."""


@dataclass(frozen=True)
class User:
    login: str
    role: str = "lecture"
    contrats: tuple[str, ...] = ("*",)
    signataire: str | None = None          # partenaire: the signataire name whose commitments it may edit
    nom: str = ""
    authenticated: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        who = self.nom or self.login
        return f"{who} ({ROLE_LABELS.get(self.role, self.role)})"

    def covers(self, contrat_code: str) -> bool:
        return "*" in self.contrats or contrat_code in self.contrats

    @property
    def can_write(self) -> bool:
        return self.role in ("edition", "partenaire")


ANONYMOUS = User(login="anonyme", role="lecture", nom="Consultation sans connexion")


def cli_user() -> User:
    """The identity recorded in the audit trail for command-line imports."""
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        who = str(os.getuid())
    return User(login=f"cli:{who}", role="edition", nom=f"ligne de commande ({who})", authenticated=True)


def users_path() -> Path:
    return Path(os.environ.get("OBSERVATOIRE_UTILISATEURS",
                               settings.PROJECT_DIR / "data" / "utilisateurs.toml")).resolve()


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


# --------------------------------------------------------------------------- configuration file

def load_users(path: Path | None = None) -> dict[str, dict]:
    """login -> settings. An absent file means no login is configured (everyone reads only)."""
    path = Path(path or users_path())
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    users = doc.get("utilisateurs", {})
    for login, cfg in users.items():
        role = cfg.get("role")
        if role not in ROLES:
            raise ValueError(f"{path.name} : rôle « {role} » inconnu pour « {login} » "
                             f"(attendu : {', '.join(ROLES)})")
        if role == "partenaire" and not cfg.get("signataire"):
            raise ValueError(f"{path.name} : l'utilisateur partenaire « {login} » doit avoir un « signataire »")
    return users


def login_configured(path: Path | None = None) -> bool:
    return bool(load_users(path))


def _to_user(login: str, cfg: dict) -> User:
    contrats = cfg.get("contrats", ["*"])
    if isinstance(contrats, str):
        contrats = [contrats]
    return User(login=login, role=cfg["role"], contrats=tuple(contrats), signataire=cfg.get("signataire"),
                nom=cfg.get("nom", ""), authenticated=True)


def authenticate(login: str, password: str, path: Path | None = None) -> User | None:
    """The user when login and password match, else None (same answer for unknown login and bad password)."""
    users = load_users(path)
    cfg = users.get((login or "").strip())
    if cfg is None:
        # Spend the same time as a real check, so the answer does not reveal which logins exist.
        verify_password(password or "", hash_password("x", b"0" * 16))
        return None
    if not verify_password(password or "", cfg.get("mot_de_passe", "")):
        return None
    return _to_user(login.strip(), cfg)


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_users(users: dict[str, dict], path: Path | None = None) -> Path:
    """Write the file atomically (tomllib reads only; the format here is small and fixed)."""
    path = Path(path or users_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Utilisateurs de l'observatoire (mots de passe hachés par scrypt). Géré par",
             "# `python -m contract.roles`. Ne pas versionner ce fichier.", ""]
    for login in sorted(users):
        cfg = users[login]
        lines.append(f"[utilisateurs.{_toml_str(login)}]")
        for key in ("nom", "role", "signataire", "mot_de_passe"):
            if cfg.get(key):
                lines.append(f"{key} = {_toml_str(str(cfg[key]))}")
        contrats = cfg.get("contrats", ["*"])
        lines.append("contrats = [" + ", ".join(_toml_str(c) for c in contrats) + "]")
        lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def add_user(login: str, role: str, password: str, contrats: list[str] | None = None,
             signataire: str | None = None, nom: str = "", path: Path | None = None) -> Path:
    if role not in ROLES:
        raise ValueError(f"rôle « {role} » inconnu (attendu : {', '.join(ROLES)})")
    if role == "partenaire" and not signataire:
        raise ValueError("un partenaire doit être rattaché à un signataire (--signataire)")
    if not password or len(password) < 8:
        raise ValueError("mot de passe trop court (8 caractères au moins)")
    users = load_users(path)
    users[login] = {"nom": nom, "role": role, "contrats": contrats or ["*"], "signataire": signataire,
                    "mot_de_passe": hash_password(password)}
    return save_users(users, path)


# --------------------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contract.roles", description="Utilisateurs et rôles")
    parser.add_argument("--fichier", type=Path, default=None, help="fichier des utilisateurs (défaut : %(default)s)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("ajouter", help="ajoute ou modifie un utilisateur")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=sorted(ROLES))
    add.add_argument("--contrat", action="append", dest="contrats", help="code du contrat (répétable ; défaut : tous)")
    add.add_argument("--signataire", help="nom du signataire (rôle partenaire)")
    add.add_argument("--nom", default="", help="nom affiché")
    add.add_argument("--mot-de-passe-stdin", action="store_true", help="lit le mot de passe sur l'entrée standard")
    rm = sub.add_parser("retirer", help="retire un utilisateur")
    rm.add_argument("login")
    sub.add_parser("lister", help="liste les utilisateurs (sans les mots de passe)")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "ajouter":
            pw = sys.stdin.readline().rstrip("\n") if args.mot_de_passe_stdin else getpass.getpass("Mot de passe : ")
            path = add_user(args.login, args.role, pw, args.contrats, args.signataire, args.nom, args.fichier)
            print(f"Utilisateur « {args.login} » enregistré dans {path}")
        elif args.cmd == "retirer":
            users = load_users(args.fichier)
            if users.pop(args.login, None) is None:
                print(f"ERREUR : utilisateur « {args.login} » inconnu", file=sys.stderr)
                return 1
            save_users(users, args.fichier)
            print(f"Utilisateur « {args.login} » retiré")
        else:
            users = load_users(args.fichier)
            if not users:
                print(f"Aucun utilisateur ({args.fichier or users_path()}) : l'observatoire est en lecture seule.")
            for login, cfg in sorted(users.items()):
                sig = f" — {cfg['signataire']}" if cfg.get("signataire") else ""
                print(f"{login:<20} {cfg['role']:<11} {','.join(cfg.get('contrats', ['*']))}{sig}")
    except ValueError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
