"""contract.accounts on both engines: first administrator, accounts and their roles, the password rule, argon2id
hashes (old scrypt ones upgraded at the next login), failed logins locked per login AND client (nobody can lock
someone else out; an administrator's way back on the command line), sessions that end on logout, disable,
reset and password change (but the one the change was made from), the one-time codes that turn a session into a
browser cookie, single sign-on identities matched by e-mail, the one-time migration of the version-1 TOML users
file, the command line (password typed twice, never echoed), and a partner account's writes checked by the
store."""
from __future__ import annotations

import base64
import hashlib
import os
import pty
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from contract import accounts, roles, store
from contract.roles import PermissionDenied
from contract.store import Edit
from tests import saisie_targets as st

ROOT = Path(__file__).resolve().parent.parent
C = "CNTEST01"
ADMIN_PW = "Lune-rousse-sur-Garonne"
MARIE_PW = "Quatre-velos-bleus-au-port"
CAF_PW = "Trois-pommes-dans-un-panier"
ELU_PW = "Le-chat-dort-sous-la-table"
NAVIGATEUR_MARIE = "cookie-du-navigateur-de-marie"
NAVIGATEUR_PIRATE = "cookie-d-un-autre-navigateur"


@pytest.fixture()
def target(saisie_target, monkeypatch, tmp_path):
    monkeypatch.setenv("OBSERVATOIRE_UTILISATEURS", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("OBSERVATOIRE_ADMIN_LOGIN", raising=False)
    monkeypatch.delenv("OBSERVATOIRE_ADMIN_PASSWORD", raising=False)
    accounts._migrated.clear()
    return saisie_target


def _admin(target):
    return accounts.create_first_admin("admin", ADMIN_PW, ADMIN_PW, target=target)


def _marie(target, admin=None):
    return accounts.create_user(admin or _admin(target), "marie", "chef_de_projet", MARIE_PW, MARIE_PW, contrats=[C],
                                nom="Marie", target=target)


def _scrypt_hash(password: str) -> str:
    """A hash as versions before 5 wrote them (scrypt, N = 2^14)."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_passwords_are_salted_argon2id_hashes_and_old_scrypt_ones_still_verify():
    h1, h2 = roles.hash_password(MARIE_PW), roles.hash_password(MARIE_PW)
    assert h1 != h2 and h1.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and "velos" not in h1
    assert roles.verify_password(MARIE_PW, h1) and not roles.verify_password(MARIE_PW + "!", h1)
    old = _scrypt_hash("ancien-mot-de-passe")
    assert roles.verify_password("ancien-mot-de-passe", old) and not roles.verify_password("autre", old)
    assert roles.needs_rehash(old) and not roles.needs_rehash(h1)
    assert not roles.verify_password("", "")                       # an account without password never matches


def test_first_administrator_from_the_environment_then_never_again(target, monkeypatch):
    assert accounts.needs_first_admin(target) and not accounts.accounts_exist(target)
    assert accounts.bootstrap_admin_from_env(target) is None          # variables unset: nothing happens
    monkeypatch.setenv("OBSERVATOIRE_ADMIN_LOGIN", "admin")
    monkeypatch.setenv("OBSERVATOIRE_ADMIN_PASSWORD", ADMIN_PW)
    assert accounts.bootstrap_admin_from_env(target) == "admin"
    assert not accounts.needs_first_admin(target)
    assert accounts.bootstrap_admin_from_env(target) is None          # already installed
    admin = accounts.authenticate("admin", ADMIN_PW, target)
    assert (admin.role, admin.is_admin, admin.covers("CN99999Z")) == ("administrateur", True, True)
    with pytest.raises(PermissionDenied, match="existe déjà"):
        accounts.create_first_admin("intrus", "Un-autre-secret-long", "Un-autre-secret-long", target=target)
    assert accounts.get_user("intrus", target) is None


def test_accounts_of_each_role_and_what_they_may_write(target):
    admin = _admin(target)
    marie = accounts.create_user(admin, "marie", "chef_de_projet", MARIE_PW, MARIE_PW, [C, "CN00604I"],
                                 nom="Marie", target=target)
    caf = accounts.create_user(admin, "caf06", "partenaire", CAF_PW, CAF_PW, [C], signataire="CAF de test",
                               target=target)
    elu = accounts.create_user(admin, "elu1", "elu", ELU_PW, ELU_PW, target=target)
    assert (marie.contrats, marie.manages(C), marie.manages("CNAUTRE")) == (("CN00604I", C), True, False)
    assert (caf.is_partner, caf.can_write, caf.manages(C), caf.signataire) == (True, True, False, "CAF de test")
    assert (elu.can_write, elu.manages()) == (False, False)
    listing = accounts.list_users(target)
    assert listing["login"].tolist() == ["admin", "caf06", "elu1", "marie"]
    assert "password_hash" not in listing.columns
    assert listing.set_index("login").loc["caf06", "role_label"] == "Partenaire (signataire)"
    # the store applies the roles the accounts carry
    with store.edit(accounts.authenticate("marie", MARIE_PW, target), target) as tx:
        tx.register_contract(C, "Contrat de test", [])
        s_caf = tx.insert("signataire", {"contrat_code": C, "nom": "CAF de test", "type_signataire": "caf"})
        s_dep = tx.insert("signataire", {"contrat_code": C, "nom": "Département", "type_signataire": "departement"})
        mine = tx.insert("engagement", {"contrat_code": C, "code": "E1", "signataire_id": s_caf, "intitule": "a",
                                        "statut": "prevu"})
        other = tx.insert("engagement", {"contrat_code": C, "code": "E2", "signataire_id": s_dep, "intitule": "b",
                                         "statut": "prevu"})
    as_caf = accounts.authenticate("caf06", CAF_PW, target)
    store.apply([Edit("engagement", "update", mine, 1, {"statut": "en_cours"})], as_caf, target)
    with pytest.raises(PermissionDenied, match="appartient à « Département »"):
        store.apply([Edit("engagement", "update", other, 1, {"statut": "realise"})], as_caf, target)
    with pytest.raises(PermissionDenied, match="Lecture seule"):
        store.apply([Edit("engagement", "update", mine, 2, {"statut": "realise"})], elu, target)
    assert [(r[0], r[3]) for r in st.refusals(target)] == [("caf06", other), ("elu1", mine)]


@pytest.mark.parametrize("kwargs, message", [
    ({"login": "x y", "role": "elu"}, "Identifiant"),
    ({"login": "p1", "role": "partenaire", "contrats": [C]}, "signataire"),
    ({"login": "c1", "role": "chef_de_projet"}, "au moins un contrat"),
    ({"login": "r1", "role": "lecture"}, "Rôle « lecture » inconnu"),
    ({"login": "r2", "role": "elu", "password": "court-10ch"}, "trop court"),
    ({"login": "r3", "role": "elu", "confirmation": "autre-chose"}, "diffèrent"),
    ({"login": "toulouse", "role": "elu", "password": "Toulouse-2026!"}, "trop proche de « toulouse »"),
    ({"login": "r4", "role": "elu", "password": "azertyuiop1234"}, "trop courant"),
    ({"login": "r5", "role": "elu", "password": "Motdepasse2026!!"}, "trop courant"),
    ({"login": "r6", "role": "elu", "password": "1234567890123"}, "uniquement de chiffres"),
    ({"login": "r7", "role": "elu", "password": "abababababababab"}, "trop répétitif"),
    ({"login": "r8", "role": "elu", "password": "", "email": "pas-une-adresse"}, "Adresse e-mail"),
])
def test_invalid_accounts_are_refused_in_french(target, kwargs, message):
    admin = _admin(target)
    args = {"password": "Une-phrase-assez-longue", "confirmation": None, **kwargs}
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(admin, args.pop("login"), args.pop("role"), args.pop("password"), args.pop("confirmation"),
                             target=target, **args)
    assert accounts.list_users(target)["login"].tolist() == ["admin"]


def test_the_password_rule_knows_the_contract_names(warehouse, target):
    """Against the real warehouse: a password built on the account's contract (Toulouse Métropole, CN03103I) is
    refused; for an account of all contracts, every contract name counts (the first administrator of
    Toulouse who typed « toulouse » in issue 20)."""
    admin = _admin(target)
    assert "Toulouse Métropole" in accounts.contract_names(["CN03103I"])
    with pytest.raises(accounts.AccountError, match="trop proche de « Toulouse Métropole »"):
        accounts.create_user(admin, "claire", "chef_de_projet", "Toulouse-Metropole-31", contrats=["CN03103I"],
                             target=target)
    with pytest.raises(accounts.AccountError, match="trop proche de « Toulouse Métropole »"):
        accounts.create_user(admin, "direction", "administrateur", "toulouse-2026!", target=target)
    claire = accounts.create_user(admin, "claire", "chef_de_projet", "Claire-aime-le-cassoulet",
                                  contrats=["CN03103I"], target=target)
    assert claire.manages("CN03103I")


def test_only_an_administrator_manages_accounts(target):
    admin = _admin(target)
    marie = _marie(target, admin)
    for call in (lambda: accounts.create_user(marie, "x1", "elu", ELU_PW, target=target),
                 lambda: accounts.set_active(marie, "admin", False, target),
                 lambda: accounts.reset_password(marie, "admin", "Nouveau-secret-bien-long", target=target),
                 lambda: accounts.unlock(marie, "admin", target),
                 lambda: accounts.assign(marie, "marie", contrats=["*"], target=target)):
        with pytest.raises(PermissionDenied, match="administrateur"):
            call()
    with pytest.raises(accounts.AccountError, match="propre compte"):
        accounts.set_active(admin, "admin", False, target)


def _locked_in_another_process(login: str, password: str, target, client=None) -> str:
    """Authenticate from a separate process (another replica): the lock is read from the database."""
    code = ("import sys; sys.path.insert(0, %r)\nfrom contract import accounts\ntry:\n"
            "    print(accounts.authenticate(%r, %r, %r, client=%r))\nexcept accounts.LoginLocked as e:\n"
            "    print('LOCKED', e)\n" % (str(ROOT), login, password, str(target), client))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout


def test_failed_logins_lock_unknown_browsers_not_the_accounts_own(target):
    """The lock-out design: five failures in a quarter of an hour lock a login for the client kind they came
    from. From unknown browsers (or the command line), everyone shares one count: an attacker rotating cookies
    gets five guesses per quarter of an hour. A browser that already signed in as the login has its own count:
    the attacker's failures cannot lock the account's owner out of it."""
    admin = _admin(target)
    _marie(target, admin)
    assert accounts.authenticate("marie", MARIE_PW, target, client=NAVIGATEUR_MARIE).login == "marie"   # known now
    for _ in range(accounts.LOCK_AFTER - 1):
        assert accounts.authenticate("marie", "mauvais", target, client=NAVIGATEUR_PIRATE) is None
    t0 = time.time()
    with pytest.raises(accounts.LoginLocked, match="depuis un navigateur inconnu") as err:
        accounts.authenticate("marie", "mauvais", target, client="encore-un-autre-cookie")   # the 5th failure locks
    assert 14 * 60 <= err.value.until.timestamp() - t0 <= 15 * 60 + 2
    assert "debloquer marie" in str(err.value)
    for other in (NAVIGATEUR_PIRATE, "un-cookie-neuf", None):                 # every unknown client, even right
        with pytest.raises(accounts.LoginLocked):
            accounts.authenticate("marie", MARIE_PW, target, client=other)
    assert _locked_in_another_process("marie", MARIE_PW, target).startswith("LOCKED")      # every replica
    # ... but Marie's own browser still signs in, from any replica
    assert "marie" in _locked_in_another_process("marie", MARIE_PW, target, NAVIGATEUR_MARIE)
    assert accounts.authenticate("marie", MARIE_PW, target, client=NAVIGATEUR_MARIE).login == "marie"
    assert accounts.list_users(target).set_index("login").loc["marie", "locked_until"] is not None
    # failures from her own browser are counted apart (a stolen cookie is locked on its own)
    for _ in range(accounts.LOCK_AFTER - 1):
        assert accounts.authenticate("marie", "mauvais", target, client=NAVIGATEUR_MARIE) is None
    with pytest.raises(accounts.LoginLocked, match="depuis ce navigateur"):
        accounts.authenticate("marie", "mauvais", target, client=NAVIGATEUR_MARIE)
    # an unknown login is counted and locked the same way (no hint about which logins exist)
    for _ in range(accounts.LOCK_AFTER - 1):
        assert accounts.authenticate("personne", "x", target) is None
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate("personne", "x", target)
    # the administrator's way back, without the locked account: the command line lifts every lock
    res = subprocess.run([sys.executable, "-m", "contract.accounts", "--saisie", str(target), "debloquer", "marie"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0 and "débloqué" in res.stdout, res.stderr
    assert accounts.authenticate("marie", MARIE_PW, target, client=NAVIGATEUR_PIRATE).login == "marie"
    with store.connect(target) as con:
        assert con.execute("SELECT count(*) FROM login_lock WHERE login = 'marie'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM trusted_client WHERE login = 'marie'").fetchone()[0] == 2
        stored = [r[0] for r in con.execute("SELECT client FROM trusted_client").fetchall()]
    assert NAVIGATEUR_MARIE not in stored                                       # only hashes of the cookies
    # the lock expires; the count restarts; a success clears it; a reset lifts it too
    for _ in range(accounts.LOCK_AFTER):
        try:
            accounts.authenticate("marie", "mauvais", target)
        except accounts.LoginLocked:
            pass
    with store.connect(target) as con:
        con.execute("UPDATE login_lock SET locked_until = ? WHERE login = 'marie'",
                    [accounts._now() - timedelta(seconds=1)])
    assert accounts.authenticate("marie", "mauvais", target) is None
    assert accounts.authenticate("marie", MARIE_PW, target).login == "marie"
    for _ in range(accounts.LOCK_AFTER - 1):
        accounts.authenticate("marie", "mauvais", target)
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate("marie", "mauvais", target)
    accounts.reset_password(admin, "marie", "Nouveau-secret-bien-long", "Nouveau-secret-bien-long", target)
    assert accounts.authenticate("marie", "Nouveau-secret-bien-long", target).login == "marie"
    assert accounts.authenticate("marie", MARIE_PW, target) is None


def test_sessions_end_with_logout_disable_reset_and_password_change(target, monkeypatch):
    admin = _admin(target)
    _marie(target, admin)
    marie = accounts.authenticate("marie", MARIE_PW, target)
    token = accounts.start_session(marie, target)
    assert accounts.check_session(token, target) == marie
    with store.connect(target) as con:
        assert con.execute("SELECT count(*) FROM sessions WHERE token_hash = ?", [token]).fetchone()[0] == 0
        created, expires = con.execute("SELECT created_at, expires_at FROM sessions").fetchone()
    assert expires - created == timedelta(hours=12)         # only the token's hash is stored
    assert accounts.check_session("jeton-inventé", target) is None and accounts.check_session(None, target) is None
    accounts.end_session(token, target)
    assert accounts.check_session(token, target) is None
    # expiry
    monkeypatch.setenv("OBSERVATOIRE_SESSION_HEURES", "0.0001")
    short = accounts.start_session(marie, target)
    time.sleep(1.2)
    assert accounts.check_session(short, target) is None
    monkeypatch.delenv("OBSERVATOIRE_SESSION_HEURES")
    # disabling ends the sessions at once and refuses the login; enabling gives it back
    token = accounts.start_session(marie, target)
    accounts.set_active(admin, "marie", False, target)
    assert accounts.check_session(token, target) is None
    assert accounts.authenticate("marie", MARIE_PW, target) is None
    accounts.set_active(admin, "marie", True, target)
    assert accounts.authenticate("marie", MARIE_PW, target).login == "marie"
    # an administrator's reset ends them all
    token = accounts.start_session(marie, target)
    accounts.reset_password(admin, "marie", "Autre-secret-assez-long", "Autre-secret-assez-long", target)
    assert accounts.check_session(token, target) is None
    # changing one's own password ends one's other sessions, not the one it is changed from
    here, laptop, phone = (accounts.start_session(marie, target) for _ in range(3))
    with pytest.raises(accounts.AccountError, match="actuel incorrect"):
        accounts.change_password(marie, "pas-le-bon", "Encore-un-secret-neuf", "Encore-un-secret-neuf", target, here)
    assert accounts.check_session(laptop, target) == marie                  # a refused change ends nothing
    accounts.change_password(marie, "Autre-secret-assez-long", "Encore-un-secret-neuf", "Encore-un-secret-neuf",
                             target, keep_token=here)
    assert accounts.check_session(here, target) == marie
    assert accounts.check_session(laptop, target) is None and accounts.check_session(phone, target) is None
    assert accounts.authenticate("marie", "Encore-un-secret-neuf", target).login == "marie"


def test_a_one_time_code_gives_the_session_to_the_browser_that_asked_for_it(target):
    """The route /_session/ouvrir exchanges a code for the HttpOnly cookie: the code is bound to the browser's id
    cookie, used once, valid a minute; the session opened in the page is replaced by the cookie's own."""
    marie = _marie(target)
    page_token = accounts.start_session(marie, target)
    code = accounts.grant_cookie(page_token, NAVIGATEUR_MARIE, target)
    assert accounts.redeem_grant(code, NAVIGATEUR_PIRATE, target) is None       # another browser: nothing, and
    assert accounts.redeem_grant(code, NAVIGATEUR_MARIE, target) is None        # the code is used up
    code = accounts.grant_cookie(page_token, NAVIGATEUR_MARIE, target)
    cookie_token, seconds = accounts.redeem_grant(code, NAVIGATEUR_MARIE, target)
    assert 12 * 3600 - 60 <= seconds <= 12 * 3600
    assert accounts.check_session(cookie_token, target) == marie
    assert accounts.check_session(page_token, target) is None                   # replaced
    assert accounts.redeem_grant(code, NAVIGATEUR_MARIE, target) is None        # once only
    late = accounts.grant_cookie(cookie_token, NAVIGATEUR_MARIE, target)
    with store.connect(target) as con:
        con.execute("UPDATE session_grant SET expires_at = ?", [accounts._now() - timedelta(seconds=1)])
        assert NAVIGATEUR_MARIE not in repr(con.execute("SELECT * FROM session_grant").fetchall())
    assert accounts.redeem_grant(late, NAVIGATEUR_MARIE, target) is None        # too late
    accounts.end_session(cookie_token, target)
    code = accounts.grant_cookie(cookie_token, NAVIGATEUR_MARIE, target)
    assert accounts.redeem_grant(code, NAVIGATEUR_MARIE, target) is None        # the session has ended


def test_a_single_sign_on_identity_signs_in_as_the_account_registered_for_its_email(target):
    admin = _admin(target)
    agent = accounts.create_user(admin, "agent.tm", "chef_de_projet", "", "", contrats=[C], nom="Agent",
                                 email="Agent.Public@Toulouse-Metropole.fr", target=target)
    row = accounts.list_users(target).set_index("login").loc["agent.tm"]
    assert (row["email"], bool(row["has_password"])) == ("agent.public@toulouse-metropole.fr", False)
    assert accounts.authenticate("agent.tm", "", target) is None                # no password: only SSO
    now = accounts._now()
    user = accounts.sso_sign_in("agent.public@toulouse-metropole.fr", "preuve-1", now, target)
    assert user == agent and user.manages(C)
    assert accounts.sso_sign_in("agent.public@toulouse-metropole.fr", "preuve-1", now, target) is None   # used
    assert accounts.sso_sign_in("agent.public@toulouse-metropole.fr", "preuve-2",
                                now - timedelta(minutes=30), target) is None                          # too old
    with pytest.raises(accounts.SSOUnknown, match="lecture seule"):
        accounts.sso_sign_in("inconnu@exemple.fr", "preuve-3", now, target)
    with pytest.raises(accounts.AccountError, match="déjà celle d'un autre compte"):
        accounts.create_user(admin, "double", "elu", "", "", email="agent.public@toulouse-metropole.fr",
                             target=target)
    with pytest.raises(accounts.AccountError, match="pas de mot de passe"):
        accounts.assign(admin, "agent.tm", email="", target=target)
    accounts.set_active(admin, "agent.tm", False, target)
    with pytest.raises(accounts.SSOUnknown):
        accounts.sso_sign_in("agent.public@toulouse-metropole.fr", "preuve-4", now, target)


def test_assign_contracts_signataire_and_role_is_audited_without_passwords(target):
    admin = _admin(target)
    accounts.create_user(admin, "part1", "partenaire", CAF_PW, contrats=[C], signataire="CAF", target=target)
    u = accounts.assign(admin, "part1", contrats=[C, "CN00604I"], signataire="CAF des Alpes-Maritimes", target=target)
    assert (u.contrats, u.signataire) == (("CN00604I", C), "CAF des Alpes-Maritimes")
    u = accounts.assign(admin, "part1", role="chef_de_projet", target=target)
    assert u.manages(C) and not u.manages("CNAUTRE")
    accounts.reset_password(admin, "part1", "Deux-fois-plus-secret", "Deux-fois-plus-secret", target)
    accounts.unlock(admin, "part1", target)
    with store.connect(target) as con:
        rows = con.execute("SELECT who, op, contrat_code, table_name, column_name, old_value, new_value FROM audit "
                           "ORDER BY id").fetchall()
        hashes = [h for (h,) in con.execute("SELECT password_hash FROM users").fetchall()]
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("installation", "insert", None), ("admin", "insert", None),
        ("admin", "update", "signataire"), ("admin", "update", "contrats"), ("admin", "update", "role"),
        ("admin", "update", "password_hash"), ("admin", "update", "login_lock")]
    assert {r[2] for r in rows} == {"*"} and {r[3] for r in rows} == {"users"}
    text = repr(rows)
    assert "secret" not in text.lower() and "pommes" not in text and not any(h in text for h in hashes)


def test_a_version_1_users_file_is_migrated_once_and_its_hashes_upgraded_at_login(target, tmp_path, monkeypatch):
    toml = tmp_path / "utilisateurs.toml"
    toml.write_text(f'''
[utilisateurs.marie]
nom = "Marie"
role = "edition"
contrats = ["{C}"]
mot_de_passe = "{_scrypt_hash('secret-marie')}"

[utilisateurs.caf06]
role = "partenaire"
contrats = ["{C}"]
signataire = "CAF de test"
mot_de_passe = "{_scrypt_hash('secret-caf06')}"

[utilisateurs.elu]
role = "lecture"
mot_de_passe = "{_scrypt_hash('secret-elu')}"
''', encoding="utf-8")
    monkeypatch.setenv("OBSERVATOIRE_UTILISATEURS", str(toml))
    accounts._migrated.clear()
    marie = accounts.authenticate("marie", "secret-marie", target)          # first use: migrated, hash kept
    assert (marie.role, marie.contrats) == ("chef_de_projet", (C,))
    assert accounts.authenticate("caf06", "secret-caf06", target).signataire == "CAF de test"
    assert accounts.get_user("elu", target).role == "elu"
    with store.connect(target) as con:
        note = con.execute("SELECT value FROM meta WHERE key = 'utilisateurs_toml'").fetchone()[0]
        hashes = dict(con.execute("SELECT login, password_hash FROM users").fetchall())
        upgrades = con.execute("SELECT count(*) FROM audit WHERE new_value LIKE '%renouvelée (argon2id)'").fetchone()[0]
        con.execute("DELETE FROM users WHERE login = 'elu'")
    # the two accounts that signed in now have an argon2id hash (same password); the other kept its scrypt one
    assert hashes["marie"].startswith("$argon2id$") and hashes["caf06"].startswith("$argon2id$")
    assert hashes["elu"].startswith("scrypt$16384$") and upgrades == 2
    assert accounts.authenticate("marie", "secret-marie", target).login == "marie"
    assert str(toml) in note and "3 comptes" in note
    accounts._migrated.clear()                                              # a restart of the app
    assert accounts.get_user("elu", target) is None                         # the file is not read again
    assert accounts.needs_first_admin(target)                               # no administrateur in a v1 file


def test_command_line_creates_lists_and_never_shows_passwords(target):
    def cli(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "contract.accounts", "--saisie", str(target), *args], input=stdin,
                              text=True, capture_output=True, cwd=ROOT, timeout=120)
    res = cli("creer", "elu1", "--role", "elu", "--mot-de-passe-stdin", stdin=ELU_PW + "\n")
    assert res.returncode == 0, res.stderr
    res = cli("creer", "caf", "--role", "partenaire", "--contrat", C, "--mot-de-passe-stdin", stdin=CAF_PW + "\n")
    assert res.returncode == 1 and "signataire" in res.stderr and "Traceback" not in res.stderr
    res = cli("creer", "court", "--role", "elu", "--mot-de-passe-stdin", stdin="court\n")
    assert res.returncode == 1 and "trop court (12 caractères au moins)" in res.stderr
    res = cli("creer", "agent", "--role", "elu", "--email", "agent@exemple.gouv.fr", "--sans-mot-de-passe")
    assert res.returncode == 0, res.stderr
    listing = cli("lister").stdout
    assert "elu1" in listing and "elu" in listing and "argon2" not in listing and "chat" not in listing
    assert "agent@exemple.gouv.fr" in listing and "(ProConnect seulement)" in listing
    assert accounts.authenticate("elu1", ELU_PW, target).role == "elu"
    assert cli("desactiver", "elu1").returncode == 0
    assert "(désactivé)" in cli("lister").stdout


def _in_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run the command in a pseudo-terminal (getpass reads the terminal, without echo), type `answers`."""
    pid, fd = pty.fork()
    if pid == 0:                                                            # child
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "contract.accounts", *args])
    out, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if pending and out.endswith(b": "):              # a prompt, echo already off
            os.write(fd, (pending.pop(0) + "\n").encode())
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def test_command_line_asks_the_password_twice_without_echo(target):
    code, out = _in_terminal(["--saisie", str(target), "premier-admin", "chef"], [ADMIN_PW, ADMIN_PW])
    assert code == 0, out
    assert "Mot de passe :" in out and "Confirmez le mot de passe :" in out and ADMIN_PW not in out
    assert accounts.authenticate("chef", ADMIN_PW, target).is_admin
    code, out = _in_terminal(["--saisie", str(target), "mot-de-passe", "chef"],
                             ["Nouveau-secret-bien-long-1", "Nouveau-secret-bien-long-2"])
    assert code == 1 and "diffèrent" in out and "Nouveau-secret" not in out
    assert accounts.authenticate("chef", ADMIN_PW, target).login == "chef"
