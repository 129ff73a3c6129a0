"""contract.accounts on both engines: first administrator, accounts and their roles, rate-limited logins stored
in the database (so they hold across replicas), expiring sessions, the one-time migration of the version-1
TOML users file, the command line (password typed twice, never echoed), and a partner account's writes
checked by the store."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract import accounts, roles, store
from contract.roles import PermissionDenied
from contract.store import Edit
from tests import saisie_targets as st

ROOT = Path(__file__).resolve().parent.parent
C = "CNTEST01"


@pytest.fixture()
def target(saisie_target, monkeypatch, tmp_path):
    monkeypatch.setenv("OBSERVATOIRE_UTILISATEURS", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("OBSERVATOIRE_ADMIN_LOGIN", raising=False)
    monkeypatch.delenv("OBSERVATOIRE_ADMIN_PASSWORD", raising=False)
    accounts._migrated.clear()
    return saisie_target


def test_passwords_are_salted_scrypt_hashes():
    h1, h2 = roles.hash_password("motdepasse-1"), roles.hash_password("motdepasse-1")
    assert h1 != h2 and h1.startswith("scrypt$16384$8$1$") and "motdepasse" not in h1
    assert roles.verify_password("motdepasse-1", h1) and not roles.verify_password("motdepasse-2", h1)


def test_first_administrator_from_the_environment_then_never_again(target, monkeypatch):
    assert accounts.needs_first_admin(target) and not accounts.accounts_exist(target)
    assert accounts.bootstrap_admin_from_env(target) is None          # variables unset: nothing happens
    monkeypatch.setenv("OBSERVATOIRE_ADMIN_LOGIN", "admin")
    monkeypatch.setenv("OBSERVATOIRE_ADMIN_PASSWORD", "premier-secret")
    assert accounts.bootstrap_admin_from_env(target) == "admin"
    assert not accounts.needs_first_admin(target)
    assert accounts.bootstrap_admin_from_env(target) is None          # already installed
    admin = accounts.authenticate("admin", "premier-secret", target)
    assert (admin.role, admin.is_admin, admin.covers("CN99999Z")) == ("administrateur", True, True)
    with pytest.raises(PermissionDenied, match="existe déjà"):
        accounts.create_first_admin("intrus", "un-autre-secret", "un-autre-secret", target=target)
    assert accounts.get_user("intrus", target) is None


def test_accounts_of_each_role_and_what_they_may_write(target):
    admin = accounts.create_first_admin("admin", "secret-admin", "secret-admin", target=target)
    marie = accounts.create_user(admin, "marie", "chef_de_projet", "secret-marie", "secret-marie", [C, "CN00604I"],
                                 nom="Marie", target=target)
    caf = accounts.create_user(admin, "caf06", "partenaire", "secret-caf06", "secret-caf06", [C],
                               signataire="CAF de test", target=target)
    elu = accounts.create_user(admin, "elu1", "elu", "secret-elu1", "secret-elu1", target=target)
    assert (marie.contrats, marie.manages(C), marie.manages("CNAUTRE")) == (("CN00604I", C), True, False)
    assert (caf.is_partner, caf.can_write, caf.manages(C), caf.signataire) == (True, True, False, "CAF de test")
    assert (elu.can_write, elu.manages()) == (False, False)
    listing = accounts.list_users(target)
    assert listing["login"].tolist() == ["admin", "caf06", "elu1", "marie"]
    assert "password_hash" not in listing.columns
    assert listing.set_index("login").loc["caf06", "role_label"] == "Partenaire (signataire)"
    # the store applies the roles the accounts carry
    with store.edit(accounts.authenticate("marie", "secret-marie", target), target) as tx:
        tx.register_contract(C, "Contrat de test", [])
        s_caf = tx.insert("signataire", {"contrat_code": C, "nom": "CAF de test", "type_signataire": "caf"})
        s_dep = tx.insert("signataire", {"contrat_code": C, "nom": "Département", "type_signataire": "departement"})
        mine = tx.insert("engagement", {"contrat_code": C, "code": "E1", "signataire_id": s_caf, "intitule": "a",
                                        "statut": "prevu"})
        other = tx.insert("engagement", {"contrat_code": C, "code": "E2", "signataire_id": s_dep, "intitule": "b",
                                         "statut": "prevu"})
    as_caf = accounts.authenticate("caf06", "secret-caf06", target)
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
    ({"login": "r2", "role": "elu", "password": "court"}, "trop court"),
    ({"login": "r3", "role": "elu", "confirmation": "autre-chose"}, "diffèrent"),
])
def test_invalid_accounts_are_refused_in_french(target, kwargs, message):
    admin = accounts.create_first_admin("admin", "secret-admin", "secret-admin", target=target)
    args = {"password": "assez-long", "confirmation": None, **kwargs}
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(admin, args.pop("login"), args.pop("role"), args.pop("password"), args.pop("confirmation"),
                             target=target, **args)
    assert accounts.list_users(target)["login"].tolist() == ["admin"]


def test_only_an_administrator_manages_accounts(target):
    admin = accounts.create_first_admin("admin", "secret-admin", "secret-admin", target=target)
    marie = accounts.create_user(admin, "marie", "chef_de_projet", "secret-marie", contrats=[C], target=target)
    for call in (lambda: accounts.create_user(marie, "x1", "elu", "assez-long", target=target),
                 lambda: accounts.set_active(marie, "admin", False, target),
                 lambda: accounts.reset_password(marie, "admin", "nouveau-mdp", target=target),
                 lambda: accounts.assign(marie, "marie", contrats=["*"], target=target)):
        with pytest.raises(PermissionDenied, match="administrateur"):
            call()
    with pytest.raises(accounts.AccountError, match="propre compte"):
        accounts.set_active(admin, "admin", False, target)


def _locked_in_another_process(login: str, password: str, target) -> str:
    """Authenticate from a separate process (another replica): the lock is read from the database."""
    code = ("import sys; sys.path.insert(0, %r)\nfrom contract import accounts\ntry:\n"
            "    print(accounts.authenticate(%r, %r, %r))\nexcept accounts.LoginLocked as e:\n    print('LOCKED', e)\n"
            % (str(ROOT), login, password, str(target)))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout


def test_five_failed_logins_lock_the_login_for_a_quarter_of_an_hour_everywhere(target):
    admin = accounts.create_first_admin("admin", "secret-admin", "secret-admin", target=target)
    accounts.create_user(admin, "marie", "chef_de_projet", "secret-marie", contrats=[C], target=target)
    for _ in range(accounts.LOCK_AFTER - 1):
        assert accounts.authenticate("marie", "mauvais", target) is None
    t0 = time.time()
    with pytest.raises(accounts.LoginLocked, match="Trop de tentatives") as err:
        accounts.authenticate("marie", "mauvais", target)                 # the 5th failure locks
    assert 14 * 60 <= err.value.until.timestamp() - t0 <= 15 * 60 + 2
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate("marie", "secret-marie", target)            # even the right password, meanwhile
    assert _locked_in_another_process("marie", "secret-marie", target).startswith("LOCKED")
    # an unknown login is counted and locked the same way (no hint about which logins exist)
    for _ in range(accounts.LOCK_AFTER - 1):
        assert accounts.authenticate("personne", "x", target) is None
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate("personne", "x", target)
    # the lock expires; the count restarts; a success clears it
    with store.connect(target) as con:
        con.execute("UPDATE login_failure SET locked_until = ? WHERE login = 'marie'",
                    [accounts._now() - accounts.timedelta(seconds=1)])
    assert accounts.authenticate("marie", "mauvais", target) is None
    assert accounts.authenticate("marie", "secret-marie", target).login == "marie"
    with store.connect(target) as con:
        assert con.execute("SELECT count(*) FROM login_failure WHERE login = 'marie'").fetchone()[0] == 0
    # an administrator's reset lifts a lock too
    for _ in range(accounts.LOCK_AFTER - 1):
        accounts.authenticate("marie", "mauvais", target)
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate("marie", "mauvais", target)
    accounts.reset_password(admin, "marie", "nouveau-secret", "nouveau-secret", target)
    assert accounts.authenticate("marie", "nouveau-secret", target).login == "marie"
    assert accounts.authenticate("marie", "secret-marie", target) is None


def test_sessions_expire_and_end_with_logout_disable_or_reset(target, monkeypatch):
    admin = accounts.create_first_admin("admin", "secret-admin", "secret-admin", target=target)
    accounts.create_user(admin, "marie", "chef_de_projet", "secret-marie", contrats=[C], target=target)
    marie = accounts.authenticate("marie", "secret-marie", target)
    token = accounts.start_session(marie, target)
    assert accounts.check_session(token, target) == marie
    with store.connect(target) as con:
        assert con.execute("SELECT count(*) FROM sessions WHERE token_hash = ?", [token]).fetchone()[0] == 0
        created, expires = con.execute("SELECT created_at, expires_at FROM sessions").fetchone()
    assert expires - created == accounts.timedelta(hours=12)         # only the token's hash is stored
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
    assert accounts.authenticate("marie", "secret-marie", target) is None
    accounts.set_active(admin, "marie", True, target)
    assert accounts.authenticate("marie", "secret-marie", target).login == "marie"
    # a reset ends them too
    token = accounts.start_session(marie, target)
    accounts.reset_password(admin, "marie", "autre-secret", "autre-secret", target)
    assert accounts.check_session(token, target) is None


def test_assign_contracts_signataire_and_role_is_audited_without_passwords(target):
    admin = accounts.create_first_admin("admin", "secret-admin", "secret-admin", target=target)
    accounts.create_user(admin, "part1", "partenaire", "secret-p-1", contrats=[C], signataire="CAF", target=target)
    u = accounts.assign(admin, "part1", contrats=[C, "CN00604I"], signataire="CAF des Alpes-Maritimes", target=target)
    assert (u.contrats, u.signataire) == (("CN00604I", C), "CAF des Alpes-Maritimes")
    u = accounts.assign(admin, "part1", role="chef_de_projet", target=target)
    assert u.manages(C) and not u.manages("CNAUTRE")
    accounts.reset_password(admin, "part1", "secret-p-2", "secret-p-2", target)
    with store.connect(target) as con:
        rows = con.execute("SELECT who, op, contrat_code, table_name, column_name, old_value, new_value FROM audit "
                           "ORDER BY id").fetchall()
        hashes = [h for (h,) in con.execute("SELECT password_hash FROM users").fetchall()]
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("installation", "insert", None), ("admin", "insert", None),
        ("admin", "update", "signataire"), ("admin", "update", "contrats"), ("admin", "update", "role"),
        ("admin", "update", "password_hash")]
    assert {r[2] for r in rows} == {"*"} and {r[3] for r in rows} == {"users"}
    text = repr(rows)
    assert "secret" not in text and not any(h in text for h in hashes)


def test_a_version_1_users_file_is_migrated_once(target, tmp_path, monkeypatch):
    toml = tmp_path / "utilisateurs.toml"
    toml.write_text(f'''
[utilisateurs.marie]
nom = "Marie"
role = "edition"
contrats = ["{C}"]
mot_de_passe = "{roles.hash_password('secret-marie')}"

[utilisateurs.caf06]
role = "partenaire"
contrats = ["{C}"]
signataire = "CAF de test"
mot_de_passe = "{roles.hash_password('secret-caf06')}"

[utilisateurs.elu]
role = "lecture"
mot_de_passe = "{roles.hash_password('secret-elu')}"
''', encoding="utf-8")
    monkeypatch.setenv("OBSERVATOIRE_UTILISATEURS", str(toml))
    accounts._migrated.clear()
    marie = accounts.authenticate("marie", "secret-marie", target)          # first use: migrated, hash kept
    assert (marie.role, marie.contrats) == ("chef_de_projet", (C,))
    assert accounts.authenticate("caf06", "secret-caf06", target).signataire == "CAF de test"
    assert accounts.get_user("elu", target).role == "elu"
    with store.connect(target) as con:
        note = con.execute("SELECT value FROM meta WHERE key = 'utilisateurs_toml'").fetchone()[0]
        con.execute("DELETE FROM users WHERE login = 'elu'")
    assert str(toml) in note and "3 comptes" in note
    accounts._migrated.clear()                                              # a restart of the app
    assert accounts.get_user("elu", target) is None                         # the file is not read again
    assert accounts.needs_first_admin(target)                               # no administrateur in a v1 file


def test_command_line_creates_lists_and_never_shows_passwords(target):
    def cli(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "contract.accounts", "--saisie", str(target), *args], input=stdin,
                              text=True, capture_output=True, cwd=ROOT, timeout=120)
    res = cli("creer", "elu1", "--role", "elu", "--mot-de-passe-stdin", stdin="un-mot-de-passe\n")
    assert res.returncode == 0, res.stderr
    res = cli("creer", "caf", "--role", "partenaire", "--contrat", C, "--mot-de-passe-stdin", stdin="un-mot-de-passe\n")
    assert res.returncode == 1 and "signataire" in res.stderr and "Traceback" not in res.stderr
    listing = cli("lister").stdout
    assert "elu1" in listing and "elu" in listing and "scrypt" not in listing
    assert accounts.authenticate("elu1", "un-mot-de-passe", target).role == "elu"
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
    code, out = _in_terminal(["--saisie", str(target), "premier-admin", "chef"], ["mot-de-passe-1", "mot-de-passe-1"])
    assert code == 0, out
    assert "Mot de passe :" in out and "Confirmez le mot de passe :" in out and "mot-de-passe-1" not in out
    assert accounts.authenticate("chef", "mot-de-passe-1", target).is_admin
    code, out = _in_terminal(["--saisie", str(target), "mot-de-passe", "chef"], ["nouveau-mdp-1", "nouveau-mdp-2"])
    assert code == 1 and "diffèrent" in out and "nouveau-mdp" not in out
    assert accounts.authenticate("chef", "mot-de-passe-1", target).login == "chef"
