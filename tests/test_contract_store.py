"""contract.store and contract.roles: audited transactions, optimistic concurrency, a process killed in the
middle of an edit, concurrent edits from threads and from processes, and what each role may change.

These tests use their own small saisie databases (tmp_path); no warehouse is needed.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from contract import roles, store
from contract.roles import User
from contract.store import Edit

ROOT = Path(__file__).resolve().parent.parent
C = "CNTEST01"
EDITOR = User("marie", "edition", contrats=(C,), nom="Marie", authenticated=True)
OTHER_EDITOR = User("paul", "edition", contrats=("CNAUTRE",), authenticated=True)
CAF = User("caf", "partenaire", contrats=(C,), signataire="CAF de test", authenticated=True)


def _seed(path: Path) -> dict:
    """A contract with two signataires, one commitment each, one action with a financement."""
    with store.edit(EDITOR, path) as tx:
        tx.register_contract(C, "Contrat de test", [{"quartier_code": "QN99901A", "nom": "Les Tilleuls",
                                                     "communes": "Testville"}])
        caf = tx.insert("signataire", {"contrat_code": C, "nom": "CAF de test", "type_signataire": "caf"})
        dep = tx.insert("signataire", {"contrat_code": C, "nom": "Département de test", "type_signataire": "departement"})
        e_caf = tx.insert("engagement", {"contrat_code": C, "code": "E1", "signataire_id": caf, "intitule": "RDV des droits",
                                         "statut": "prevu"})
        e_dep = tx.insert("engagement", {"contrat_code": C, "code": "E2", "signataire_id": dep, "intitule": "PMI",
                                         "statut": "prevu"})
        act = tx.insert("action", {"contrat_code": C, "annee": 2025, "numero_dossier": "D1", "porteur_nom": "Asso",
                                   "intitule": "Soutien scolaire", "statut": "depose"})
        fin = tx.insert("action_financement", {"contrat_code": C, "action_id": act, "financeur": "etat_p147",
                                               "montant_sollicite": 1000.0})
    return {"caf": caf, "dep": dep, "e_caf": e_caf, "e_dep": e_dep, "action": act, "fin": fin}


def _dump(path: Path) -> dict:
    """Every table's rows, for 'nothing changed' assertions."""
    with store.connect(path) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


@pytest.fixture()
def db(tmp_path) -> tuple[Path, dict]:
    path = tmp_path / "saisie.duckdb"
    return path, _seed(path)


# --------------------------------------------------------------------------- audit trail

def test_update_writes_one_audit_row_per_changed_column(db):
    path, ids = db
    store.apply([Edit("action", "update", ids["action"], 1, {"statut": "accorde", "intitule": "Soutien scolaire",
                                                              "cout_total": 12500.5})], EDITOR, path)
    with store.connect(path) as con:
        row = con.execute("SELECT statut, cout_total, row_version, updated_by FROM action WHERE id = ?",
                          [ids["action"]]).fetchone()
        audit = con.execute("SELECT who, op, table_name, row_id, column_name, old_value, new_value FROM audit "
                            "WHERE op = 'update' ORDER BY column_name").fetchall()
    assert row == ("accorde", 12500.5, 2, "marie")
    # intitule did not change: no audit row for it
    assert audit == [("marie", "update", "action", ids["action"], "cout_total", None, "12500.5"),
                     ("marie", "update", "action", ids["action"], "statut", "depose", "accorde")]


def test_insert_and_cascading_delete_are_audited(db):
    path, ids = db
    store.apply([Edit("action", "delete", ids["action"], 1)], EDITOR, path)
    with store.connect(path) as con:
        assert con.execute("SELECT count(*) FROM action_financement").fetchone()[0] == 0
        deleted = con.execute("SELECT table_name, row_id FROM audit WHERE op = 'delete' ORDER BY table_name").fetchall()
        inserted = con.execute("SELECT count(*) FROM audit WHERE op = 'insert'").fetchone()[0]
    assert deleted == [("action", ids["action"]), ("action_financement", ids["fin"])]
    assert inserted == 6 + 1          # 6 rows of _seed + the contract


def test_stale_version_is_a_conflict_and_changes_nothing(db):
    path, ids = db
    store.apply([Edit("action", "update", ids["action"], 1, {"statut": "accorde"})], EDITOR, path)
    before = _dump(path)
    with pytest.raises(store.ConflictError) as err:
        store.apply([Edit("action", "update", ids["action"], 1, {"statut": "refuse"})],
                    User("jean", "edition", contrats=(C,), authenticated=True), path)
    assert "modifiée par marie" in str(err.value) and "version 1 → 2" in str(err.value)
    assert _dump(path) == before


def test_a_failing_edit_in_a_batch_rolls_back_the_whole_batch(db):
    path, ids = db
    before = _dump(path)
    with pytest.raises(store.StoreError):
        store.apply([Edit("action", "update", ids["action"], 1, {"statut": "accorde"}),
                     Edit("action", "insert", values={"contrat_code": C, "annee": 2025, "numero_dossier": "D1",
                                                       "porteur_nom": "x", "intitule": "doublon", "statut": "depose"})],
                    EDITOR, path)
    assert _dump(path) == before


def test_diff_frames_turns_an_edited_table_into_versioned_edits(db):
    path, ids = db
    with store.connect(path) as con:
        before = con.execute("SELECT id, row_version, code, statut, referent FROM engagement ORDER BY code").df()
    after = before.copy()
    after.loc[0, "statut"] = "en_cours"
    after = after[after["code"] != "E2"]
    edits = store.diff_frames("engagement", before, after)
    assert [(e.op, e.row_id, e.version, e.values) for e in edits] == [
        ("update", ids["e_caf"], 1, {"statut": "en_cours"}), ("delete", ids["e_dep"], 1, {})]


# --------------------------------------------------------------------------- killed process

KILL_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from contract import store
    from contract.roles import User
    path, marker = Path(sys.argv[1]), Path(sys.argv[2])
    user = User("long-edit", "edition", authenticated=True)
    with store.connect(path) as con:
        rows = con.execute("SELECT id, row_version FROM ref_indicateur ORDER BY id").fetchall()
    edits = [store.Edit("ref_indicateur", "update", i, v, {{"valeur_actuelle": -12345.0}}) for i, v in rows]
    def progress(done, total):
        if done == total // 2:
            marker.write_text(str(done))      # half of the rows are updated inside the open transaction
            time.sleep(120)                   # ...and the parent kills us here
    store.apply(edits, user, path, progress=progress)
    print("NOT KILLED")
""")


def test_a_process_killed_in_the_middle_of_an_edit_leaves_the_database_intact(tmp_path):
    path = tmp_path / "saisie.duckdb"
    with store.edit(EDITOR, path) as tx:
        tx.register_contract(C, "Contrat de test", [])
        node = tx.insert("ref_noeud", {"contrat_code": C, "niveau": "enjeu", "code": "E1", "libelle": "Enjeu"})
        tx.insert_many("ref_indicateur", [{"contrat_code": C, "noeud_id": node, "code": f"I{i:04d}",
                                           "libelle": f"Indicateur {i}", "valeur_actuelle": float(i)}
                                          for i in range(2000)])
    before = _dump(path)
    marker = tmp_path / "half-done"
    child = subprocess.Popen([sys.executable, "-c", KILL_CHILD.format(root=str(ROOT)), str(path), str(marker)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), child.stderr.read().decode()
        assert int(marker.read_text()) == 1000
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    # Reopening replays the WAL: the half-done transaction is simply absent.
    after = _dump(path)
    assert after == before
    with store.connect(path) as con:
        assert con.execute("SELECT count(*) FROM ref_indicateur WHERE valeur_actuelle = -12345").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM audit WHERE who = 'long-edit'").fetchone()[0] == 0
    # ...and the database takes new edits normally.
    store.apply([Edit("ref_indicateur", "update", before["ref_indicateur"][0][0], 1, {"valeur_actuelle": 1.5})],
                EDITOR, path)


# --------------------------------------------------------------------------- concurrent edits

def test_two_threads_editing_the_same_row_never_lose_a_change_silently(db):
    path, ids = db
    with store.connect(path) as con:
        version = con.execute("SELECT row_version FROM engagement WHERE id = ?", [ids["e_caf"]]).fetchone()[0]
    barrier = threading.Barrier(2)
    results = {}

    def worker(name, changes):
        user = User(name, "edition", contrats=(C,), authenticated=True)
        barrier.wait()
        try:
            store.apply([Edit("engagement", "update", ids["e_caf"], version, changes)], user, path)
            results[name] = "ok"
        except store.ConflictError as exc:
            results[name] = exc

    threads = [threading.Thread(target=worker, args=("alice", {"referent": "Alice"})),
               threading.Thread(target=worker, args=("bob", {"preuve": "Compte rendu"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, r in results.items() if r == "ok"]
    losers = [n for n, r in results.items() if isinstance(r, store.ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "Conflit de modification" in str(results[losers[0]])
    # The loser reloads and re-applies: both changes are there, each audited once.
    loser_changes = {"alice": {"referent": "Alice"}, "bob": {"preuve": "Compte rendu"}}[losers[0]]
    with store.connect(path) as con:
        v = con.execute("SELECT row_version FROM engagement WHERE id = ?", [ids["e_caf"]]).fetchone()[0]
    store.apply([Edit("engagement", "update", ids["e_caf"], v, loser_changes)],
                User(losers[0], "edition", contrats=(C,), authenticated=True), path)
    with store.connect(path) as con:
        row = con.execute("SELECT referent, preuve, row_version FROM engagement WHERE id = ?", [ids["e_caf"]]).fetchone()
        who = sorted(r[0] for r in con.execute("SELECT who FROM audit WHERE op = 'update'").fetchall())
    assert row == ("Alice", "Compte rendu", version + 2)
    assert who == ["alice", "bob"]


PROCESS_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from contract import store
    from contract.roles import User
    path, rid, n, name = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    user = User(name, "edition", authenticated=True)
    conflicts = 0
    for _ in range(n):
        while True:   # read-modify-write, as a page does: re-read and retry on conflict
            with store.connect(path) as con:
                value, version = con.execute(
                    "SELECT valeur_actuelle, row_version FROM ref_indicateur WHERE id = ?", [rid]).fetchone()
            try:
                store.apply([store.Edit("ref_indicateur", "update", rid, version, {{"valeur_actuelle": value + 1}})],
                            user, path)
                break
            except store.ConflictError:
                conflicts += 1
    print(conflicts)
""")


def test_two_processes_incrementing_the_same_value_lose_no_update(tmp_path):
    """One writer process at a time (DuckDB file lock): short connections + retry on lock; the row version
    turns every interleaved read-modify-write into a conflict that is retried, never into a lost update."""
    path = tmp_path / "saisie.duckdb"
    with store.edit(EDITOR, path) as tx:
        tx.register_contract(C, "Contrat de test", [])
        node = tx.insert("ref_noeud", {"contrat_code": C, "niveau": "enjeu", "code": "E1", "libelle": "Enjeu"})
        rid = tx.insert("ref_indicateur", {"contrat_code": C, "noeud_id": node, "code": "I1", "libelle": "Compteur",
                                           "valeur_actuelle": 0.0})
    n = 25
    procs = [subprocess.Popen([sys.executable, "-c", PROCESS_CHILD.format(root=str(ROOT)), str(path), str(rid), str(n),
                               name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("p1", "p2")]
    outs = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    with store.connect(path) as con:
        value, version = con.execute("SELECT valeur_actuelle, row_version FROM ref_indicateur WHERE id = ?",
                                     [rid]).fetchone()
        per_user = dict(con.execute("SELECT who, count(*) FROM audit WHERE op = 'update' GROUP BY who").fetchall())
    assert value == 2 * n and version == 1 + 2 * n
    assert per_user == {"p1": n, "p2": n}


def test_a_locked_file_makes_another_process_wait_then_store_busy(tmp_path, monkeypatch):
    path = tmp_path / "saisie.duckdb"
    _seed(path)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from contract import store
        with store.connect({str(path)!r}) as con:
            print("held", flush=True)
            time.sleep(4)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(store.StoreBusy) as err:
            with store.connect(path, timeout=0.5):
                pass
        assert "occupée par un autre programme" in str(err.value)
        assert time.monotonic() - t0 >= 0.5
        with store.connect(path, timeout=30) as con:     # waits for the holder to close, then opens
            assert con.execute("SELECT count(*) FROM engagement").fetchone()[0] == 2
    finally:
        holder.wait(timeout=30)


# --------------------------------------------------------------------------- roles

def test_lecture_cannot_change_anything(db):
    path, ids = db
    before = _dump(path)
    reader = User("elu", "lecture", contrats=("*",), authenticated=True)
    attempts = [
        [Edit("action", "update", ids["action"], 1, {"statut": "accorde"})],
        [Edit("action", "delete", ids["action"], 1)],
        [Edit("engagement", "update", ids["e_caf"], 1, {"statut": "realise"})],
        [Edit("engagement_point", "insert", values={"contrat_code": C, "engagement_id": ids["e_caf"],
                                                    "date_point": "2025-06-01", "statut": "en_cours"})],
        [Edit("signataire", "insert", values={"contrat_code": C, "nom": "Nouveau", "type_signataire": "autre"})],
    ]
    for user in (reader, roles.ANONYMOUS):
        for edits in attempts:
            with pytest.raises(roles.PermissionDenied, match="Lecture seule"):
                store.apply(edits, user, path)
    assert _dump(path) == before


def test_partenaire_changes_only_its_own_commitments(db):
    path, ids = db
    # its own commitment: status, and a point d'étape
    store.apply([Edit("engagement", "update", ids["e_caf"], 1, {"statut": "en_cours", "referent": "Mme CAF"}),
                 Edit("engagement_point", "insert", values={"contrat_code": C, "engagement_id": ids["e_caf"],
                                                            "date_point": "2025-06-01", "statut": "en_cours"})],
                CAF, path)
    before = _dump(path)
    refused = [
        ([Edit("engagement", "update", ids["e_dep"], 1, {"statut": "realise"})], "appartient à « Département de test »"),
        ([Edit("engagement_point", "insert", values={"contrat_code": C, "engagement_id": ids["e_dep"],
                                                     "date_point": "2025-06-01", "statut": "realise"})], "appartient"),
        ([Edit("engagement", "update", ids["e_caf"], 2, {"signataire_id": ids["dep"]})], "appartient"),
        ([Edit("action", "update", ids["action"], 1, {"statut": "accorde"})], "propres engagements"),
        ([Edit("engagement", "delete", ids["e_caf"], 2)], "ne peut pas supprimer"),
    ]
    for edits, message in refused:
        with pytest.raises(roles.PermissionDenied, match=message):
            store.apply(edits, CAF, path)
    assert _dump(path) == before
    with store.connect(path) as con:
        assert con.execute("SELECT statut, referent FROM engagement WHERE id = ?", [ids["e_caf"]]).fetchone() == \
            ("en_cours", "Mme CAF")


def test_edition_is_limited_to_its_contracts(db):
    path, ids = db
    with pytest.raises(roles.PermissionDenied, match="ne peut pas modifier le contrat CNTEST01"):
        store.apply([Edit("action", "update", ids["action"], 1, {"statut": "accorde"})], OTHER_EDITOR, path)


def test_passwords_are_salted_scrypt_hashes(tmp_path):
    h1, h2 = roles.hash_password("motdepasse-1"), roles.hash_password("motdepasse-1")
    assert h1 != h2 and h1.startswith("scrypt$16384$8$1$") and "motdepasse" not in h1
    assert roles.verify_password("motdepasse-1", h1) and not roles.verify_password("motdepasse-2", h1)
    path = tmp_path / "utilisateurs.toml"
    assert not roles.login_configured(path)               # no file: read-only for everyone
    roles.add_user("marie", "edition", "secret-marie", ["CN00604I"], nom="Marie", path=path)
    roles.add_user("caf06", "partenaire", "secret-caf06", ["CN00604I"], signataire="CAF 06", path=path)
    assert "secret" not in path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    u = roles.authenticate("marie", "secret-marie", path)
    assert (u.role, u.contrats, u.authenticated) == ("edition", ("CN00604I",), True)
    assert roles.authenticate("marie", "mauvais", path) is None
    assert roles.authenticate("inconnu", "secret-marie", path) is None
    assert roles.authenticate("caf06", "secret-caf06", path).signataire == "CAF 06"
    with pytest.raises(ValueError, match="signataire"):
        roles.add_user("x", "partenaire", "longpassword", path=path)


def test_roles_command_line(tmp_path):
    path = tmp_path / "u.toml"
    res = subprocess.run([sys.executable, "-m", "contract.roles", "--fichier", str(path), "ajouter", "elu1",
                          "--role", "lecture", "--mot-de-passe-stdin"], input="un-mot-de-passe\n", text=True,
                         capture_output=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    listing = subprocess.run([sys.executable, "-m", "contract.roles", "--fichier", str(path), "lister"], text=True,
                             capture_output=True, cwd=ROOT).stdout
    assert "elu1" in listing and "lecture" in listing and "scrypt" not in listing
    assert roles.authenticate("elu1", "un-mot-de-passe", path).role == "lecture"


def test_schema_is_created_once_and_reopened(tmp_path):
    path = tmp_path / "s.duckdb"
    with store.connect(path) as con:
        n_tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]
    with store.connect(path) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == store.SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0] == n_tables
    # every table carries contrat_code and is_demo
    with store.connect(path) as con:
        missing = con.execute("""
            SELECT table_name FROM information_schema.tables t WHERE table_schema = 'main' AND table_name <> 'meta'
              AND (NOT EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_name = t.table_name
                                AND c.column_name = 'contrat_code')
                   OR NOT EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_name = t.table_name
                                   AND c.column_name = 'is_demo'))""").fetchall()
    assert missing == []
