"""Accounts, logins and sessions, stored in the saisie database (tables users, user_contract, login_failure,
sessions of contract/schema.sql), so that every replica sees the same accounts, locks and sessions.

- Roles: catalogue/vocabulary.yaml `roles` (contract.roles): administrateur, chef_de_projet (of one or more
  contracts), partenaire (one signataire's commitments in its contracts), elu (reads only).
- Passwords: scrypt-hashed (contract.roles.hash_password), 8 characters at least, typed twice.
- Failed logins: LOCK_AFTER consecutive failures for a login (known or not) lock it for LOCK_MINUTES, in the
  database — the lock holds across replicas and restarts; a success clears the count.
- Sessions: a random token given to the browser session; only its SHA-256 is stored, with an expiry
  (`OBSERVATOIRE_SESSION_HEURES`, default 12). Disabling an account or resetting its password ends its sessions.
- First start: `needs_first_admin()` is true while no active administrateur exists. `bootstrap_admin_from_env()`
  then creates one from `OBSERVATOIRE_ADMIN_LOGIN` + `OBSERVATOIRE_ADMIN_PASSWORD` (the app calls it at start);
  a setup screen can call `create_first_admin()`, which refuses once an administrateur exists.
- Migration: a users file of version 1 (data/utilisateurs.toml, `OBSERVATOIRE_UTILISATEURS`) is imported
  **once**, at the first use of the accounts, hashes kept (edition → chef_de_projet, lecture → elu); meta key
  `utilisateurs_toml` records it and the file is not read again (delete it afterwards).
- Every account change is in the audit trail (contrat_code '*', table users), never with a password.

Command line: `python -m contract.accounts creer|lister|desactiver|activer|mot-de-passe|contrats|premier-admin`.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import secrets
import sys
import uuid
from datetime import datetime, timedelta

import pandas as pd

from contract import roles, store
from contract.errors import StoreError
from contract.roles import PermissionDenied, User
from observatoire import vocabulary
from observatoire.cli import ArgumentParser

LOCK_AFTER = 5
LOCK_MINUTES = 15
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_migrated: set[str] = set()       # targets whose version-1 users file this process already looked for


class AccountError(StoreError):
    """An account operation that cannot be done (French message, shown as is)."""


class LoginLocked(AccountError):
    """Too many failed logins for this login: locked until `until`."""

    def __init__(self, until: datetime):
        self.until = until
        super().__init__(f"Trop de tentatives de connexion échouées pour cet identifiant : réessayez après "
                         f"{until:%H:%M} (le {until:%d/%m/%Y}).")


def session_hours() -> float:
    return float(os.environ.get("OBSERVATOIRE_SESSION_HEURES", "12"))


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- reading

def _user(row: dict, contrats: list[str]) -> User:
    return User(login=row["login"], role=row["role"], contrats=tuple(contrats) or (),
                signataire=row.get("signataire"), nom=row.get("nom") or "", authenticated=True)


def _load(con, login: str) -> tuple[dict, list[str]] | None:
    cur = con.execute("SELECT login, nom, role, signataire, password_hash, active, row_version FROM users "
                      "WHERE login = ?", [login])
    r = cur.fetchone()
    if r is None:
        return None
    row = dict(zip(["login", "nom", "role", "signataire", "password_hash", "active", "row_version"], r))
    contrats = [c for (c,) in con.execute("SELECT contrat_code FROM user_contract WHERE login = ? ORDER BY 1",
                                          [login]).fetchall()]
    return row, contrats


def get_user(login: str, target=None) -> User | None:
    """The account as a User (whatever its state), or None."""
    _ensure_migrated(target)
    with store.connect(target) as con:
        found = _load(con, login)
    return _user(*found) if found else None


def list_users(target=None) -> pd.DataFrame:
    """Every account, without password hashes: login, nom, role, role_label, signataire, contrats (list),
    active, locked_until, last_login_at, created_at, created_by, updated_at, updated_by, open_sessions."""
    _ensure_migrated(target)
    with store.connect(target) as con:
        df = con.execute("""
            SELECT u.login, u.nom, u.role, u.signataire, u.active, f.locked_until, u.last_login_at, u.created_at,
                   u.created_by, u.updated_at, u.updated_by,
                   (SELECT count(*) FROM sessions s WHERE s.login = u.login AND s.expires_at > ?) AS open_sessions
            FROM users u LEFT JOIN login_failure f ON f.login = u.login AND f.locked_until > ?
            ORDER BY u.login""", [_now(), _now()]).df()
        links = con.execute("SELECT login, contrat_code FROM user_contract ORDER BY 1, 2").fetchall()
    by_login: dict[str, list[str]] = {}
    for login, c in links:
        by_login.setdefault(login, []).append(c)
    df["contrats"] = [by_login.get(x, []) for x in df["login"]]
    df["role_label"] = df["role"].map(vocabulary.labels("roles"))
    return df


def accounts_exist(target=None) -> bool:
    """Whether any active account exists (else the dashboard is read-only for everyone)."""
    _ensure_migrated(target)
    with store.connect(target) as con:
        return bool(con.execute("SELECT count(*) FROM users WHERE active").fetchone()[0])


def needs_first_admin(target=None) -> bool:
    """True on a fresh install: no active administrateur yet (the first one is created from the environment
    or by the one-time setup screen)."""
    _ensure_migrated(target)
    with store.connect(target) as con:
        return not con.execute("SELECT count(*) FROM users WHERE active AND role = 'administrateur'").fetchone()[0]


# --------------------------------------------------------------------------- writing

def _audit(con, by: User, op: str, login: str, column: str | None = None, old=None, new=None) -> None:
    con.execute("INSERT INTO audit (edit_id, contrat_code, changed_at, who, op, table_name, row_id, column_name, "
                "old_value, new_value, is_demo) VALUES (?, '*', ?, ?, ?, 'users', NULL, ?, ?, ?, FALSE)",
                [uuid.uuid4().hex, _now(), by.login, op, column, None if old is None else str(old),
                 f"{login} : {new}" if new is not None else login])


def _require_admin(admin: User) -> None:
    if not admin.is_admin:
        raise PermissionDenied("Seul un administrateur peut gérer les comptes.")


def _validate(login: str, role: str, contrats, signataire: str | None) -> list[str]:
    if not _LOGIN.match(login or ""):
        raise AccountError(f"Identifiant « {login} » invalide : 2 à 64 caractères, lettres sans accent, chiffres, "
                           "point, tiret, arobase.")
    if role not in roles.account_roles():
        raise AccountError(f"Rôle « {role} » inconnu (attendu : {', '.join(roles.account_roles())}).")
    contrats = sorted({c.strip() for c in (contrats or []) if c and c.strip()})
    if role == "administrateur":
        return ["*"]
    if role in ("chef_de_projet", "partenaire") and not contrats:
        raise AccountError(f"Un compte « {vocabulary.label('roles', role)} » doit être rattaché à au moins un "
                           "contrat.")
    if role == "partenaire" and not (signataire or "").strip():
        raise AccountError("Un compte partenaire doit être rattaché à son signataire (nom exact du signataire "
                           "dans les engagements du contrat).")
    return contrats


def _password(password: str, confirmation: str | None) -> str:
    try:
        roles.check_password_rule(password, confirmation)
    except ValueError as exc:
        raise AccountError(str(exc).capitalize() + ".") from exc
    return roles.hash_password(password)


def _insert_user(con, by: User, login: str, role: str, password_hash: str, contrats: list[str],
                 signataire: str | None, nom: str) -> None:
    if con.execute("SELECT count(*) FROM users WHERE login = ?", [login]).fetchone()[0]:
        raise AccountError(f"Le compte « {login} » existe déjà.")
    now = _now()
    con.execute("INSERT INTO users (login, nom, role, signataire, password_hash, active, password_set_at, "
                "created_at, created_by) VALUES (?, ?, ?, ?, ?, TRUE, ?, ?, ?)",
                [login, nom or "", role, (signataire or "").strip() or None, password_hash, now, now, by.login])
    for c in contrats:
        con.execute("INSERT INTO user_contract VALUES (?, ?)", [login, c])
    _audit(con, by, "insert", login, new=json.dumps({"role": role, "contrats": contrats, "signataire": signataire,
                                                      "nom": nom}, ensure_ascii=False))


def _write(target, fn):
    """fn(con) in one transaction, retried while the base is busy (see store.retrying)."""
    def run():
        with store.transaction(target) as (_, con):
            return fn(con)
    return store.retrying(run)


def create_user(admin: User, login: str, role: str, password: str, confirmation: str | None = None,
                contrats=(), signataire: str | None = None, nom: str = "", target=None) -> User:
    """A new active account (administrateur only). `confirmation` is the second typing of the password."""
    _require_admin(admin)
    login = (login or "").strip()
    contrats = _validate(login, role, contrats, signataire)
    pw = _password(password, confirmation)
    _ensure_migrated(target)
    _write(target, lambda con: _insert_user(con, admin, login, role, pw, contrats, signataire, nom))
    return get_user(login, target)


def create_first_admin(login: str, password: str, confirmation: str | None = None, nom: str = "",
                       target=None) -> User:
    """The first administrateur of a fresh install; refused (PermissionDenied) once one exists."""
    login = (login or "").strip()
    _validate(login, "administrateur", [], None)
    pw = _password(password, confirmation)
    setup = User(login="installation", role="administrateur", nom="Première installation", authenticated=True)
    _ensure_migrated(target)

    def run(con):
        store.engines.backend_for(target).lock_schema(con)      # two replicas starting together: one wins
        if con.execute("SELECT count(*) FROM users WHERE active AND role = 'administrateur'").fetchone()[0]:
            raise PermissionDenied("Un administrateur existe déjà : l'installation est faite. Connectez-vous.")
        _insert_user(con, setup, login, "administrateur", pw, ["*"], None, nom)
    _write(target, run)
    return get_user(login, target)


def bootstrap_admin_from_env(target=None) -> str | None:
    """On a fresh install, create the first administrateur from OBSERVATOIRE_ADMIN_LOGIN and
    OBSERVATOIRE_ADMIN_PASSWORD when both are set. Returns the login created, else None."""
    login, password = os.environ.get("OBSERVATOIRE_ADMIN_LOGIN"), os.environ.get("OBSERVATOIRE_ADMIN_PASSWORD")
    if not (login and password) or not needs_first_admin(target):
        return None
    try:
        create_first_admin(login, password, nom="Administrateur", target=target)
    except PermissionDenied:
        return None          # another replica did it a moment ago
    return login


def _change(admin: User, login: str, target, fn) -> User:
    _require_admin(admin)
    _ensure_migrated(target)

    def run(con):
        found = _load(con, login)
        if found is None:
            raise AccountError(f"Compte « {login} » inconnu.")
        fn(con, *found)
        con.execute("UPDATE users SET row_version = row_version + 1, updated_at = ?, updated_by = ? WHERE login = ?",
                    [_now(), admin.login, login])
    _write(target, run)
    return get_user(login, target)


def set_active(admin: User, login: str, active: bool, target=None) -> User:
    """Disable (its sessions end at once) or enable an account. An administrateur cannot disable itself."""
    if not active and login == admin.login:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")

    def fn(con, row, contrats):
        con.execute("UPDATE users SET active = ? WHERE login = ?", [bool(active), login])
        if not active:
            con.execute("DELETE FROM sessions WHERE login = ?", [login])
        else:
            con.execute("DELETE FROM login_failure WHERE login = ?", [login])
        _audit(con, admin, "update", login, "active", row["active"], "activé" if active else "désactivé")
    return _change(admin, login, target, fn)


def reset_password(admin: User, login: str, password: str, confirmation: str | None = None, target=None) -> User:
    """A new password set by an administrateur; the account's sessions end and its lock is lifted."""
    pw = _password(password, confirmation)

    def fn(con, row, contrats):
        con.execute("UPDATE users SET password_hash = ?, password_set_at = ? WHERE login = ?", [pw, _now(), login])
        con.execute("DELETE FROM sessions WHERE login = ?", [login])
        con.execute("DELETE FROM login_failure WHERE login = ?", [login])
        _audit(con, admin, "update", login, "password_hash", None, "mot de passe réinitialisé")
    return _change(admin, login, target, fn)


def change_password(user: User, old: str, new: str, confirmation: str, target=None) -> None:
    """A user changes its own password (the old one is checked)."""
    pw = _password(new, confirmation)
    with store.connect(target) as con:
        found = _load(con, user.login)
    if found is None or not roles.verify_password(old or "", found[0]["password_hash"]):
        raise AccountError("Mot de passe actuel incorrect.")

    def run(con):
        con.execute("UPDATE users SET password_hash = ?, password_set_at = ?, updated_at = ?, updated_by = ?, "
                    "row_version = row_version + 1 WHERE login = ?", [pw, _now(), _now(), user.login, user.login])
        _audit(con, user, "update", user.login, "password_hash", None, "mot de passe changé")
    _write(target, run)


def assign(admin: User, login: str, contrats=None, signataire: str | None = None, role: str | None = None,
           nom: str | None = None, target=None) -> User:
    """Change an account's contracts, signataire, role or displayed name (None = unchanged)."""
    def fn(con, row, current):
        new_role = role or row["role"]
        new_sig = row["signataire"] if signataire is None else (signataire.strip() or None)
        new_contrats = _validate(login, new_role, current if contrats is None else contrats, new_sig)
        if login == admin.login and new_role != "administrateur":
            raise AccountError("Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
        changes = {"role": (row["role"], new_role), "signataire": (row["signataire"], new_sig),
                   "nom": (row["nom"], row["nom"] if nom is None else nom)}
        for col, (old, new) in changes.items():
            if old != new:
                con.execute(f"UPDATE users SET {col} = ? WHERE login = ?", [new, login])
                _audit(con, admin, "update", login, col, old, new)
        if new_contrats != current:
            con.execute("DELETE FROM user_contract WHERE login = ?", [login])
            for c in new_contrats:
                con.execute("INSERT INTO user_contract VALUES (?, ?)", [login, c])
            _audit(con, admin, "update", login, "contrats", ", ".join(current), ", ".join(new_contrats))
    return _change(admin, login, target, fn)


# --------------------------------------------------------------------------- login and sessions

_DUMMY_HASH = roles.hash_password("compte-inexistant", b"0" * 16)


def authenticate(login: str, password: str, target=None) -> User | None:
    """The User when login and password match an active account, else None (same answer and time for an
    unknown login, a wrong password or a disabled account). Raises LoginLocked while the login is locked,
    and when this failure locks it."""
    login = (login or "").strip()
    _ensure_migrated(target)
    now = _now()
    with store.connect(target) as con:
        lock = con.execute("SELECT locked_until FROM login_failure WHERE login = ? AND locked_until > ?",
                           [login, now]).fetchone()
        found = None if lock else _load(con, login)
    if lock:
        raise LoginLocked(lock[0])
    ok = roles.verify_password(password or "", found[0]["password_hash"] if found else _DUMMY_HASH)
    if ok and found and found[0]["active"]:
        def success(con):
            con.execute("DELETE FROM login_failure WHERE login = ?", [login])
            con.execute("UPDATE users SET last_login_at = ? WHERE login = ?", [now, login])
        _write(target, success)
        return _user(*found)
    window = now - timedelta(minutes=LOCK_MINUTES)
    until = now + timedelta(minutes=LOCK_MINUTES)

    def failure(con):
        # the count restarts after an expired lock or a quiet quarter of an hour
        fresh = "(login_failure.locked_until IS NOT NULL OR login_failure.last_failure_at < ?)"
        count = f"CASE WHEN {fresh} THEN 1 ELSE login_failure.failures + 1 END"
        con.execute(f"""
            INSERT INTO login_failure (login, failures, last_failure_at, locked_until) VALUES (?, 1, ?, NULL)
            ON CONFLICT (login) DO UPDATE SET failures = {count}, last_failure_at = excluded.last_failure_at,
                locked_until = CASE WHEN {count} >= ? THEN ? ELSE NULL END""",
                    [login, now, window, window, LOCK_AFTER, until])
        return con.execute("SELECT locked_until FROM login_failure WHERE login = ?", [login]).fetchone()[0]
    locked = _write(target, failure)
    if locked is not None:
        raise LoginLocked(locked)
    return None


def start_session(user: User, target=None) -> str:
    """A new session for an authenticated user: the token to keep in the browser session (never stored)."""
    token = secrets.token_urlsafe(32)
    now = _now()

    def run(con):
        con.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])
        con.execute("INSERT INTO sessions (token_hash, login, created_at, expires_at, last_seen_at) "
                    "VALUES (?, ?, ?, ?, ?)", [_token_hash(token), user.login, now,
                                               now + timedelta(hours=session_hours()), now])
    _write(target, run)
    return token


def check_session(token: str | None, target=None) -> User | None:
    """The account behind a live session token, or None (unknown, expired, account disabled)."""
    if not token:
        return None
    with store.connect(target) as con:
        row = con.execute("SELECT s.login, s.expires_at FROM sessions s JOIN users u ON u.login = s.login "
                          "WHERE s.token_hash = ? AND u.active", [_token_hash(token)]).fetchone()
        if row is None or row[1] <= _now():
            return None
        found = _load(con, row[0])
    return _user(*found) if found else None


def end_session(token: str | None, target=None) -> None:
    if token:
        _write(target, lambda con: con.execute("DELETE FROM sessions WHERE token_hash = ?", [_token_hash(token)]))


# --------------------------------------------------------------------------- version-1 users file

def _ensure_migrated(target=None) -> None:
    """Import the users of a version-1 TOML file once (see the module docstring)."""
    key = str(target or store.engines.backend_for(None).target)
    if key in _migrated:
        return
    path = roles.users_path()
    with store.connect(target) as con:
        done = con.execute("SELECT value FROM meta WHERE key = 'utilisateurs_toml'").fetchone()
    if not done and path.exists():
        try:
            users = roles.read_toml_users(path)
        except (ValueError, OSError) as exc:
            raise AccountError(f"Fichier des utilisateurs {path.name} illisible, comptes non migrés : {exc}") from exc
        migrate_users(users, f"{path} ({len(users)} comptes, le {_now():%d/%m/%Y})", target)
    _migrated.add(key)


def migrate_users(users: dict[str, dict], note: str, target=None) -> int:
    """Insert version-1 accounts (login → read_toml_users entry) that do not exist yet; record `note` in meta
    so that it happens once. Returns the number of accounts created."""
    by = User(login="migration", role="administrateur", nom="Migration du fichier des utilisateurs",
              authenticated=True)

    def run(con):
        if con.execute("SELECT count(*) FROM meta WHERE key = 'utilisateurs_toml'").fetchone()[0]:
            return 0
        n = 0
        for login, cfg in sorted(users.items()):
            if con.execute("SELECT count(*) FROM users WHERE login = ?", [login]).fetchone()[0]:
                continue
            contrats = ["*"] if cfg["role"] == "administrateur" else cfg["contrats"]
            _insert_user(con, by, login, cfg["role"], cfg["mot_de_passe"], contrats, cfg.get("signataire"),
                         cfg.get("nom", ""))
            n += 1
        con.execute("INSERT INTO meta VALUES ('utilisateurs_toml', ?)", [note])
        return n
    return _write(target, run)


# --------------------------------------------------------------------------- command line

def _ask_password(args) -> tuple[str, str]:
    """From standard input (one line, for scripts) or typed twice without echo."""
    if args.mot_de_passe_stdin:
        pw = sys.stdin.readline().rstrip("\n")
        return pw, pw
    return getpass.getpass("Mot de passe : "), getpass.getpass("Confirmez le mot de passe : ")


def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(prog="python -m contract.accounts", description="Comptes de l'observatoire")
    p.add_argument("--saisie", default=None, help="base de saisie (fichier DuckDB ou URL postgresql://) ; défaut : "
                   "OBSERVATOIRE_SAISIE_URL, sinon OBSERVATOIRE_SAISIE_DB")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("creer", help="crée un compte (mot de passe demandé deux fois, sans écho)")
    c.add_argument("login")
    c.add_argument("--role", required=True, choices=roles.account_roles())
    c.add_argument("--contrat", action="append", dest="contrats", default=[], help="code du contrat (répétable)")
    c.add_argument("--signataire", help="nom du signataire (rôle partenaire)")
    c.add_argument("--nom", default="", help="nom affiché")
    c.add_argument("--mot-de-passe-stdin", action="store_true", help="lit le mot de passe sur l'entrée standard")
    a = sub.add_parser("contrats", help="change les contrats, le signataire, le rôle ou le nom d'un compte")
    a.add_argument("login")
    a.add_argument("--contrat", action="append", dest="contrats", default=None)
    a.add_argument("--signataire")
    a.add_argument("--role", choices=roles.account_roles())
    a.add_argument("--nom")
    for name, help_ in (("desactiver", "désactive un compte (ses sessions sont fermées)"),
                        ("activer", "réactive un compte")):
        sub.add_parser(name, help=help_).add_argument("login")
    m = sub.add_parser("mot-de-passe", help="réinitialise le mot de passe d'un compte")
    m.add_argument("login")
    m.add_argument("--mot-de-passe-stdin", action="store_true")
    f = sub.add_parser("premier-admin", help="crée le premier administrateur (installation neuve)")
    f.add_argument("login")
    f.add_argument("--nom", default="")
    f.add_argument("--mot-de-passe-stdin", action="store_true")
    sub.add_parser("lister", help="liste les comptes (sans les mots de passe)")
    args = p.parse_args(argv)
    admin, target = roles.cli_user(), args.saisie
    try:
        if args.cmd == "creer":
            pw, again = _ask_password(args)
            u = create_user(admin, args.login, args.role, pw, again, args.contrats, args.signataire, args.nom, target)
            print(f"Compte « {u.login} » créé ({vocabulary.label('roles', u.role)}) dans {store.target_label(target)}.")
        elif args.cmd == "premier-admin":
            pw, again = _ask_password(args)
            u = create_first_admin(args.login, pw, again, args.nom, target)
            print(f"Premier administrateur « {u.login} » créé dans {store.target_label(target)}.")
        elif args.cmd == "contrats":
            u = assign(admin, args.login, args.contrats, args.signataire, args.role, args.nom, target)
            print(f"Compte « {u.login} » : {vocabulary.label('roles', u.role)}, contrats {', '.join(u.contrats)}"
                  + (f", signataire « {u.signataire} »" if u.signataire else "") + ".")
        elif args.cmd in ("desactiver", "activer"):
            set_active(admin, args.login, args.cmd == "activer", target)
            print(f"Compte « {args.login} » {'réactivé' if args.cmd == 'activer' else 'désactivé'}.")
        elif args.cmd == "mot-de-passe":
            pw, again = _ask_password(args)
            reset_password(admin, args.login, pw, again, target)
            print(f"Mot de passe de « {args.login} » réinitialisé ; ses sessions sont fermées.")
        else:
            df = list_users(target)
            if df.empty:
                print(f"Aucun compte ({store.target_label(target)}) : l'observatoire est en lecture seule.")
            for r in df.itertuples():
                sig = f" — {r.signataire}" if isinstance(r.signataire, str) else ""
                state = "" if r.active else " (désactivé)"
                print(f"{r.login:<20} {r.role:<15} {','.join(r.contrats)}{sig}{state}")
    except (StoreError, PermissionDenied) as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
