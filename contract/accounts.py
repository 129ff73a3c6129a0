"""Accounts, logins and sessions, stored in the saisie database (tables users, user_contract, login_lock,
trusted_client, sessions, session_grant, sso_proof of contract/schema.sql), so that every replica sees the same
accounts, locks and sessions.

- Roles: catalogue/vocabulary.yaml `roles` (contract.roles): administrateur, chef_de_projet (of one or more
  contracts), partenaire (one signataire's commitments in its contracts), elu (reads only).
- Passwords: argon2id (contract.roles.hash_password), typed twice, checked by contract.roles.check_password_rule
  (12 characters, not built on the login, the name or a contract's name, not a common password). A scrypt hash
  of an earlier version is replaced by an argon2id one at the next successful login.
- Single sign-on: an account may carry an e-mail; an OpenID Connect identity (ProConnect, through st.login)
  asserting that e-mail signs in as the account (`sso_sign_in`). An account with an e-mail and no password
  signs in only that way. An identity no account carries stays in read-only consultation.
- Failed logins are counted per login AND client (`client` = the browser's id cookie, ui/server.py): the
  browsers that already signed in as the login each have their own count, every other client shares one.
  LOCK_AFTER failures within LOCK_MINUTES lock that count only: someone guessing the administrator's
  password from unknown browsers cannot lock the administrator out of the browsers it uses. An
  administrator lifts a lock in the Comptes page or with `python -m contract.accounts debloquer LOGIN`
  (the command line needs no account: whoever runs it can already write the database).
- Sessions: a random token; only its SHA-256 is stored, with an expiry (`OBSERVATOIRE_SESSION_HEURES`,
  default 12). The browser keeps it in an HttpOnly cookie, set by the route /_session/ouvrir in exchange for a
  one-time code (`grant_cookie` / `redeem_grant`, ui/server.py). Logging out ends the session everywhere;
  disabling an account, resetting or changing its password ends its sessions (a change keeps the session it
  was made from).
- First start: `needs_first_admin()` is true while no active administrateur exists. `bootstrap_admin_from_env()`
  then creates one from `OBSERVATOIRE_ADMIN_LOGIN` + `OBSERVATOIRE_ADMIN_PASSWORD` (the app calls it at start);
  a setup screen can call `create_first_admin()`, which refuses once an administrateur exists.
- Migration: a users file of version 1 (data/utilisateurs.toml, `OBSERVATOIRE_UTILISATEURS`) is imported
  **once**, at the first use of the accounts, hashes kept (edition → chef_de_projet, lecture → elu); meta key
  `utilisateurs_toml` records it and the file is not read again (delete it afterwards).
- Every account change is in the audit trail (contrat_code '*', table users), never with a password.

Command line: `python -m contract.accounts creer|lister|desactiver|activer|mot-de-passe|debloquer|contrats|premier-admin`.
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
from functools import lru_cache

import pandas as pd

from contract import roles, store
from contract.errors import StoreError
from contract.roles import PermissionDenied, User
from observatoire import vocabulary
from observatoire.cli import ArgumentParser
from readers.text import LINE, text_problem

LOCK_AFTER = 5
LOCK_MINUTES = 15
UNKNOWN_CLIENT = "*"              # login_lock.client of every browser that never signed in as the login
GRANT_SECONDS = 60                # a one-time code for the session cookie is used at once by the browser
SSO_MAX_AGE_MINUTES = 10          # an OpenID Connect identity opens a session only just after it was issued
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_migrated: set[str] = set()       # targets whose version-1 users file this process already looked for


class AccountError(StoreError):
    """An account operation that cannot be done (French message, shown as is)."""


class LoginLocked(AccountError):
    """Too many failed logins for this login from this kind of client: locked until `until`."""

    def __init__(self, until: datetime, login: str = "", known_client: bool = False):
        self.until = until
        when = f"réessayez après {until:%H:%M} (le {until:%d/%m/%Y})"
        if known_client:
            text = f"Trop de tentatives de connexion échouées depuis ce navigateur : {when}."
        else:
            text = (f"Trop de tentatives de connexion échouées pour cet identifiant depuis un navigateur inconnu : "
                    f"{when}, ou depuis un navigateur où ce compte s'est déjà connecté.")
        super().__init__(text + " Un administrateur peut lever ce blocage (page Comptes, ou "
                         f"`python -m contract.accounts debloquer {login or 'IDENTIFIANT'}` sur le serveur).")


class SSOUnknown(AccountError):
    """An OpenID Connect identity that no active account carries: read-only consultation."""


def session_hours() -> float:
    return float(os.environ.get("OBSERVATOIRE_SESSION_HEURES", "12"))


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _client(client: str | None) -> str | None:
    """What is stored of a browser's id cookie: its SHA-256 (a copy of the database reveals no cookie)."""
    return _token_hash("client:" + client) if client else None


# --------------------------------------------------------------------------- reading

_COLUMNS = ["login", "nom", "role", "signataire", "password_hash", "active", "row_version", "email"]


def _user(row: dict, contrats: list[str]) -> User:
    return User(login=row["login"], role=row["role"], contrats=tuple(contrats) or (),
                signataire=row.get("signataire"), nom=row.get("nom") or "", authenticated=True)


def _load(con, login: str) -> tuple[dict, list[str]] | None:
    r = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM users WHERE login = ?", [login]).fetchone()
    if r is None:
        return None
    row = dict(zip(_COLUMNS, r))
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
    """Every account, without password hashes: login, nom, email, role, role_label, signataire, contrats
    (list), active, has_password, locked_until, last_login_at, created_at, created_by, updated_at, updated_by,
    open_sessions."""
    _ensure_migrated(target)
    now = _now()
    with store.connect(target) as con:
        df = con.execute("""
            SELECT u.login, u.nom, u.email, u.role, u.signataire, u.active, u.password_hash <> '' AS has_password,
                   (SELECT max(f.locked_until) FROM login_lock f WHERE f.login = u.login AND f.locked_until > ?)
                       AS locked_until,
                   u.last_login_at, u.created_at, u.created_by, u.updated_at, u.updated_by,
                   (SELECT count(*) FROM sessions s WHERE s.login = u.login AND s.expires_at > ?) AS open_sessions
            FROM users u ORDER BY u.login""", [now, now]).df()
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


def _email(email: str | None) -> str | None:
    """The e-mail as stored (lowercase), None when empty; AccountError when it is not an address."""
    email = (email or "").strip().lower()
    if not email:
        return None
    if not _EMAIL.match(email) or len(email) > 254:
        raise AccountError(f"Adresse e-mail « {email} » invalide (attendu : prenom.nom@organisme.fr).")
    return email


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


def _check_text(nom: str | None, signataire: str | None) -> None:
    """The store's text rule (readers.text) on what an account shows to others: its display name and its
    signataire. The message names the field, never repeats the text."""
    for label, value in (("Nom affiché", nom), ("Signataire", signataire)):
        problem = text_problem(value, LINE, echo=False)
        if problem:
            raise AccountError(f"{label} refusé : {problem[0]}. Attendu : {problem[1]}. Rien n'a été enregistré.")


@lru_cache(maxsize=4)
def _warehouse_contract_names(path: str, stamp: int) -> dict[str, str]:
    """{code: name} of every contrat de ville of the warehouse (both generations), {} when unreadable."""
    from observatoire import db
    try:
        con = db.connect(path, read_only=True)
    except Exception:  # noqa: BLE001 - no or damaged warehouse: the rule goes on without contract names
        return {}
    try:
        return dict(con.execute("SELECT code, name FROM territory WHERE level = 'contrat_de_ville'").fetchall())
    except Exception:  # noqa: BLE001
        return {}
    finally:
        con.close()


def contract_names(contrats) -> list[str]:
    """Names of the account's contracts, or of every contract for an account of all contracts (the password
    rule refuses passwords built on them)."""
    from observatoire import settings
    path = settings.db_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return []
    names = _warehouse_contract_names(str(path), stamp)
    codes = list(contrats or [])
    if not codes or "*" in codes:
        return sorted(set(names.values()))
    return [names[c] for c in codes if c in names]


def _password(password: str, confirmation: str | None, login: str = "", nom: str = "", contrats=()) -> str:
    try:
        roles.check_password_rule(password, confirmation, login=login, names=[nom, *contract_names(contrats)])
    except ValueError as exc:
        raise AccountError(str(exc)[0].upper() + str(exc)[1:] + ".") from exc
    return roles.hash_password(password)


def _check_email_free(con, email: str | None, login: str) -> None:
    if email and con.execute("SELECT count(*) FROM users WHERE email = ? AND login <> ?", [email, login]).fetchone()[0]:
        raise AccountError(f"L'adresse « {email} » est déjà celle d'un autre compte.")


def _insert_user(con, by: User, login: str, role: str, password_hash: str, contrats: list[str],
                 signataire: str | None, nom: str, email: str | None = None) -> None:
    if con.execute("SELECT count(*) FROM users WHERE login = ?", [login]).fetchone()[0]:
        raise AccountError(f"Le compte « {login} » existe déjà.")
    _check_email_free(con, email, login)
    now = _now()
    con.execute("INSERT INTO users (login, nom, role, signataire, password_hash, active, password_set_at, "
                "created_at, created_by, email) VALUES (?, ?, ?, ?, ?, TRUE, ?, ?, ?, ?)",
                [login, nom or "", role, (signataire or "").strip() or None, password_hash,
                 now if password_hash else None, now, by.login, email])
    for c in contrats:
        con.execute("INSERT INTO user_contract VALUES (?, ?)", [login, c])
    _audit(con, by, "insert", login, new=json.dumps({"role": role, "contrats": contrats, "signataire": signataire,
                                                      "nom": nom, "email": email}, ensure_ascii=False))


def _write(target, fn):
    """fn(con) in one transaction, retried while the base is busy (see store.retrying)."""
    def run():
        with store.transaction(target) as (_, con):
            return fn(con)
    return store.retrying(run)


def create_user(admin: User, login: str, role: str, password: str | None, confirmation: str | None = None,
                contrats=(), signataire: str | None = None, nom: str = "", target=None,
                email: str | None = None) -> User:
    """A new active account (administrateur only). `confirmation` is the second typing of the password. With an
    e-mail, the password may be left empty: the account then signs in only through single sign-on."""
    _require_admin(admin)
    login = (login or "").strip()
    contrats = _validate(login, role, contrats, signataire)
    _check_text(nom, signataire)
    email = _email(email)
    if not password and not confirmation and email:
        pw = ""                                             # single sign-on only
    else:
        pw = _password(password or "", confirmation, login, nom, contrats)
    _ensure_migrated(target)
    _write(target, lambda con: _insert_user(con, admin, login, role, pw, contrats, signataire, nom, email))
    return get_user(login, target)


def create_first_admin(login: str, password: str, confirmation: str | None = None, nom: str = "",
                       target=None, email: str | None = None) -> User:
    """The first administrateur of a fresh install; refused (PermissionDenied) once one exists. It always has a
    password: the way in that does not depend on a single sign-on provider."""
    login = (login or "").strip()
    _validate(login, "administrateur", [], None)
    _check_text(nom, None)
    email = _email(email)
    pw = _password(password, confirmation, login, nom, ["*"])
    setup = User(login="installation", role="administrateur", nom="Première installation", authenticated=True)
    _ensure_migrated(target)

    def run(con):
        store.engines.backend_for(target).lock_schema(con)      # two replicas starting together: one wins
        if con.execute("SELECT count(*) FROM users WHERE active AND role = 'administrateur'").fetchone()[0]:
            raise PermissionDenied("Un administrateur existe déjà : l'installation est faite. Connectez-vous.")
        _insert_user(con, setup, login, "administrateur", pw, ["*"], None, nom, email)
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


def _end_sessions(con, login: str, keep: str | None = None) -> None:
    """End every session of `login` but the one whose token is `keep` (and the one-time codes pending)."""
    if keep:
        con.execute("DELETE FROM sessions WHERE login = ? AND token_hash <> ?", [login, _token_hash(keep)])
    else:
        con.execute("DELETE FROM sessions WHERE login = ?", [login])
    con.execute("DELETE FROM session_grant WHERE session_hash NOT IN (SELECT token_hash FROM sessions)")


def set_active(admin: User, login: str, active: bool, target=None) -> User:
    """Disable (its sessions end at once) or enable an account. An administrateur cannot disable itself."""
    if not active and login == admin.login:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")

    def fn(con, row, contrats):
        con.execute("UPDATE users SET active = ? WHERE login = ?", [bool(active), login])
        if not active:
            _end_sessions(con, login)
        else:
            con.execute("DELETE FROM login_lock WHERE login = ?", [login])
        _audit(con, admin, "update", login, "active", row["active"], "activé" if active else "désactivé")
    return _change(admin, login, target, fn)


def unlock(admin: User, login: str, target=None) -> User:
    """Lift every lock of failed logins on an account (all clients)."""
    def fn(con, row, contrats):
        n = con.execute("SELECT count(*) FROM login_lock WHERE login = ? AND locked_until IS NOT NULL",
                        [login]).fetchone()[0]
        con.execute("DELETE FROM login_lock WHERE login = ?", [login])
        _audit(con, admin, "update", login, "login_lock", None, f"blocage levé ({n})")
    return _change(admin, login, target, fn)


def reset_password(admin: User, login: str, password: str, confirmation: str | None = None, target=None) -> User:
    """A new password set by an administrateur; the account's sessions end and its locks are lifted."""
    found = get_user(login, target)
    if found is None:
        raise AccountError(f"Compte « {login} » inconnu.")
    pw = _password(password, confirmation, login, found.nom, found.contrats)

    def fn(con, row, contrats):
        con.execute("UPDATE users SET password_hash = ?, password_set_at = ? WHERE login = ?", [pw, _now(), login])
        _end_sessions(con, login)
        con.execute("DELETE FROM login_lock WHERE login = ?", [login])
        _audit(con, admin, "update", login, "password_hash", None, "mot de passe réinitialisé")
    return _change(admin, login, target, fn)


def change_password(user: User, old: str, new: str, confirmation: str, target=None, keep_token: str | None = None) -> None:
    """A user changes its own password (the old one is checked). Its other sessions end: every browser where
    the account is open must sign in again, but the one it is changed from (`keep_token`)."""
    pw = _password(new, confirmation, user.login, user.nom, user.contrats)
    with store.connect(target) as con:
        found = _load(con, user.login)
    if found is None or not roles.verify_password(old or "", found[0]["password_hash"]):
        raise AccountError("Mot de passe actuel incorrect.")

    def run(con):
        con.execute("UPDATE users SET password_hash = ?, password_set_at = ?, updated_at = ?, updated_by = ?, "
                    "row_version = row_version + 1 WHERE login = ?", [pw, _now(), _now(), user.login, user.login])
        _end_sessions(con, user.login, keep_token)
        _audit(con, user, "update", user.login, "password_hash", None, "mot de passe changé")
    _write(target, run)


def assign(admin: User, login: str, contrats=None, signataire: str | None = None, role: str | None = None,
           nom: str | None = None, target=None, email: str | None = None) -> User:
    """Change an account's contracts, signataire, role, displayed name or e-mail (None = unchanged, "" for the
    e-mail = removed)."""
    new_email = None if email is None else _email(email)
    _check_text(nom, signataire)

    def fn(con, row, current):
        new_role = role or row["role"]
        new_sig = row["signataire"] if signataire is None else (signataire.strip() or None)
        new_contrats = _validate(login, new_role, current if contrats is None else contrats, new_sig)
        if login == admin.login and new_role != "administrateur":
            raise AccountError("Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
        changes = {"role": (row["role"], new_role), "signataire": (row["signataire"], new_sig),
                   "nom": (row["nom"], row["nom"] if nom is None else nom),
                   "email": (row["email"], row["email"] if email is None else new_email)}
        if changes["email"][1] is None and not row["password_hash"]:
            raise AccountError("Ce compte n'a pas de mot de passe : il garde son adresse e-mail (seul moyen de "
                               "connexion). Réinitialisez d'abord son mot de passe.")
        _check_email_free(con, changes["email"][1], login)
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

@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked for an unknown login or an account without password: the same time as a real check."""
    return roles.hash_password("compte-inexistant-0")


def authenticate(login: str, password: str, target=None, client: str | None = None) -> User | None:
    """The User when login and password match an active account, else None (same answer and time for an
    unknown login, a wrong password, an account without password or a disabled account).

    `client` is the browser's id cookie (None: the command line, tests): failures are counted for this login
    and this client when the client already signed in as this login, else for this login and every unknown
    client together. Raises LoginLocked while that count is locked, and when this failure locks it. A success
    clears the count, makes the client a known one and upgrades an old hash (scrypt) to argon2id."""
    login = (login or "").strip()
    _ensure_migrated(target)
    now = _now()
    client_hash = _client(client)
    with store.connect(target) as con:
        known = bool(client_hash) and bool(con.execute(
            "SELECT count(*) FROM trusted_client WHERE login = ? AND client = ?", [login, client_hash]).fetchone()[0])
        bucket = client_hash if known else UNKNOWN_CLIENT
        lock = con.execute("SELECT locked_until FROM login_lock WHERE login = ? AND client = ? AND locked_until > ?",
                           [login, bucket, now]).fetchone()
        found = None if lock else _load(con, login)
    if lock:
        raise LoginLocked(lock[0], login, known)
    stored = found[0]["password_hash"] if found else ""
    ok = roles.verify_password(password or "", stored or _dummy_hash()) and bool(stored)
    if ok and found and found[0]["active"]:
        upgrade = roles.hash_password(password) if roles.needs_rehash(stored) else None

        def success(con):
            con.execute("DELETE FROM login_lock WHERE login = ? AND client = ?", [login, bucket])
            con.execute("UPDATE users SET last_login_at = ? WHERE login = ?", [now, login])
            if client_hash:
                con.execute("INSERT INTO trusted_client VALUES (?, ?, ?, ?) ON CONFLICT (login, client) "
                            "DO UPDATE SET last_seen_at = excluded.last_seen_at", [login, client_hash, now, now])
            if upgrade:
                con.execute("UPDATE users SET password_hash = ? WHERE login = ? AND password_hash = ?",
                            [upgrade, login, stored])
                _audit(con, _user(*found), "update", login, "password_hash", None,
                       "empreinte du mot de passe renouvelée (argon2id)")
        _write(target, success)
        return _user(*found)
    window = now - timedelta(minutes=LOCK_MINUTES)
    until = now + timedelta(minutes=LOCK_MINUTES)

    def failure(con):
        # the count restarts after an expired lock or a quiet quarter of an hour
        fresh = "(login_lock.locked_until IS NOT NULL OR login_lock.last_failure_at < ?)"
        count = f"CASE WHEN {fresh} THEN 1 ELSE login_lock.failures + 1 END"
        con.execute(f"""
            INSERT INTO login_lock (login, client, failures, last_failure_at, locked_until)
            VALUES (?, ?, 1, ?, NULL)
            ON CONFLICT (login, client) DO UPDATE SET failures = {count},
                last_failure_at = excluded.last_failure_at,
                locked_until = CASE WHEN {count} >= ? THEN ? ELSE NULL END""",
                    [login, bucket, now, window, window, LOCK_AFTER, until])
        return con.execute("SELECT locked_until FROM login_lock WHERE login = ? AND client = ?",
                           [login, bucket]).fetchone()[0]
    locked = _write(target, failure)
    if locked is not None:
        raise LoginLocked(locked, login, known)
    return None


def start_session(user: User, target=None, via: str = "mot_de_passe") -> str:
    """A new session for an authenticated user: the token to give the browser (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = _now()

    def run(con):
        con.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])
        con.execute("INSERT INTO sessions (token_hash, login, created_at, expires_at, last_seen_at, via) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [_token_hash(token), user.login, now,
                                                  now + timedelta(hours=session_hours()), now, via])
    _write(target, run)
    return token


def check_session(token: str | None, target=None) -> User | None:
    """The account behind a live session token, or None (unknown, expired, ended, account disabled)."""
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
    """Log out: the session ends for every tab and browser that carries it."""
    if token:
        def run(con):
            h = _token_hash(token)
            con.execute("DELETE FROM sessions WHERE token_hash = ?", [h])
            con.execute("DELETE FROM session_grant WHERE session_hash = ?", [h])
        _write(target, run)


def grant_cookie(token: str, client: str, target=None) -> str:
    """A one-time code (valid GRANT_SECONDS) with which the browser whose id cookie is `client` gets the session
    `token` as its own HttpOnly cookie (route /_session/ouvrir, `redeem_grant`). Bound to that browser: a code
    sent to someone else (login forgery) opens nothing in their browser."""
    if not client:
        raise AccountError("Navigateur sans cookie d'identification : la session ne durera que dans cet onglet.")
    code = secrets.token_urlsafe(32)
    now = _now()

    def run(con):
        con.execute("DELETE FROM session_grant WHERE expires_at <= ?", [now])
        con.execute("INSERT INTO session_grant VALUES (?, ?, ?, ?)",
                    [_token_hash(code), _token_hash(token), _client(client), now + timedelta(seconds=GRANT_SECONDS)])
    _write(target, run)
    return code


def redeem_grant(code: str | None, client: str | None, target=None) -> tuple[str, int] | None:
    """(new session token, seconds it has left) for a valid one-time code presented by the browser it was made
    for, else None. The code is used up either way; the session opened in the page is replaced by a new one
    whose token only the cookie holds (a fresh identifier once it travels as a cookie)."""
    if not code or not client:
        return None
    now = _now()
    token = secrets.token_urlsafe(32)

    def run(con):
        row = con.execute("SELECT session_hash, client, expires_at FROM session_grant WHERE code_hash = ?",
                          [_token_hash(code)]).fetchone()
        if row is None:
            return None
        con.execute("DELETE FROM session_grant WHERE code_hash = ?", [_token_hash(code)])
        if row[2] <= now or row[1] != _client(client):
            return None
        s = con.execute("SELECT s.login, s.expires_at, s.via FROM sessions s JOIN users u ON u.login = s.login "
                        "WHERE s.token_hash = ? AND s.expires_at > ? AND u.active", [row[0], now]).fetchone()
        if s is None:
            return None
        con.execute("INSERT INTO sessions (token_hash, login, created_at, expires_at, last_seen_at, via) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [_token_hash(token), s[0], now, s[1], now, s[2]])
        con.execute("DELETE FROM sessions WHERE token_hash = ?", [row[0]])
        return token, int((s[1] - now).total_seconds())
    return _write(target, run)


def sso_sign_in(email: str | None, proof: str, issued_at: datetime | None, target=None) -> User | None:
    """The active account whose e-mail an OpenID Connect provider just asserted, or None when this identity
    already opened a session (`proof`: its issuer, subject, time of issue and nonce) or was issued more than
    SSO_MAX_AGE_MINUTES ago — a tab still holding it after a logout does not sign in again by itself.
    SSOUnknown (French) when no active account carries the e-mail: the visitor stays read-only."""
    address = (email or "").strip().lower()
    now = _now()
    if issued_at is not None and not (now - timedelta(minutes=SSO_MAX_AGE_MINUTES) <= issued_at
                                      <= now + timedelta(minutes=5)):
        return None
    _ensure_migrated(target)

    def run(con):
        if con.execute("SELECT count(*) FROM sso_proof WHERE proof_hash = ?", [_token_hash(proof)]).fetchone()[0]:
            return None
        row = con.execute("SELECT login FROM users WHERE email = ? AND active", [address]).fetchone() if address else None
        if row is None:
            raise SSOUnknown(
                f"Aucun compte actif n'est enregistré pour « {address or 'adresse non transmise'} » : consultation en "
                "lecture seule. Un administrateur peut enregistrer cette adresse (page Comptes).")
        con.execute("DELETE FROM sso_proof WHERE used_at < ?", [now - timedelta(days=2)])
        con.execute("INSERT INTO sso_proof VALUES (?, ?, ?)", [_token_hash(proof), row[0], now])
        con.execute("UPDATE users SET last_login_at = ? WHERE login = ?", [now, row[0]])
        return _user(*_load(con, row[0]))
    return _write(target, run)


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
    c.add_argument("--email", help="adresse e-mail : connexion par ProConnect (authentification unique)")
    c.add_argument("--sans-mot-de-passe", action="store_true",
                   help="compte qui ne se connecte que par ProConnect (exige --email)")
    c.add_argument("--mot-de-passe-stdin", action="store_true", help="lit le mot de passe sur l'entrée standard")
    a = sub.add_parser("contrats", help="change les contrats, le signataire, le rôle, le nom ou l'e-mail d'un compte")
    a.add_argument("login")
    a.add_argument("--contrat", action="append", dest="contrats", default=None)
    a.add_argument("--signataire")
    a.add_argument("--role", choices=roles.account_roles())
    a.add_argument("--nom")
    a.add_argument("--email", help="adresse e-mail (chaîne vide : la retire)")
    for name, help_ in (("desactiver", "désactive un compte (ses sessions sont fermées)"),
                        ("activer", "réactive un compte"),
                        ("debloquer", "lève le blocage après des échecs de connexion (tous navigateurs)")):
        sub.add_parser(name, help=help_).add_argument("login")
    m = sub.add_parser("mot-de-passe", help="réinitialise le mot de passe d'un compte (ses sessions sont fermées)")
    m.add_argument("login")
    m.add_argument("--mot-de-passe-stdin", action="store_true")
    f = sub.add_parser("premier-admin", help="crée le premier administrateur (installation neuve)")
    f.add_argument("login")
    f.add_argument("--nom", default="")
    f.add_argument("--email")
    f.add_argument("--mot-de-passe-stdin", action="store_true")
    sub.add_parser("lister", help="liste les comptes (sans les mots de passe)")
    args = p.parse_args(argv)
    admin, target = roles.cli_user(), args.saisie
    try:
        if args.cmd == "creer":
            if args.sans_mot_de_passe and not args.email:
                raise AccountError("--sans-mot-de-passe exige --email (l'adresse de connexion ProConnect).")
            pw, again = ("", "") if args.sans_mot_de_passe else _ask_password(args)
            u = create_user(admin, args.login, args.role, pw, again, args.contrats, args.signataire, args.nom, target,
                            email=args.email)
            print(f"Compte « {u.login} » créé ({vocabulary.label('roles', u.role)}) dans {store.target_label(target)}.")
        elif args.cmd == "premier-admin":
            pw, again = _ask_password(args)
            u = create_first_admin(args.login, pw, again, args.nom, target, email=args.email)
            print(f"Premier administrateur « {u.login} » créé dans {store.target_label(target)}.")
        elif args.cmd == "contrats":
            u = assign(admin, args.login, args.contrats, args.signataire, args.role, args.nom, target, email=args.email)
            print(f"Compte « {u.login} » : {vocabulary.label('roles', u.role)}, contrats {', '.join(u.contrats)}"
                  + (f", signataire « {u.signataire} »" if u.signataire else "") + ".")
        elif args.cmd in ("desactiver", "activer"):
            set_active(admin, args.login, args.cmd == "activer", target)
            print(f"Compte « {args.login} » {'réactivé' if args.cmd == 'activer' else 'désactivé'}.")
        elif args.cmd == "debloquer":
            unlock(admin, args.login, target)
            print(f"Compte « {args.login} » débloqué : il peut se connecter de nouveau depuis tout navigateur.")
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
                mail = f" <{r.email}>" if isinstance(r.email, str) else ""
                state = "" if r.active else " (désactivé)"
                state += "" if r.has_password else " (ProConnect seulement)"
                state += f" (bloqué jusqu'à {r.locked_until:%H:%M})" if pd.notna(r.locked_until) else ""
                print(f"{r.login:<20} {r.role:<15} {','.join(r.contrats)}{sig}{mail}{state}")
    except (StoreError, PermissionDenied) as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
