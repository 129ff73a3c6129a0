"""contract.store on both engines (DuckDB file, PostgreSQL): audited transactions, optimistic concurrency, a
process killed in the middle of an edit, concurrent edits from threads and from processes, busy databases,
and what each role may change (checked in the store, refusals audited).

Every test gets its own empty saisie database from the `saisie_target` fixture (conftest.py): a DuckDB file
and a private PostgreSQL schema; no warehouse is needed.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import psycopg
import pytest

from contract import roles, store
from contract.roles import User
from contract.errors import BUSY_MESSAGE
from contract.store import Edit
from tests import saisie_targets as st

ROOT = Path(__file__).resolve().parent.parent
C = "CNTEST01"
EDITOR = User("marie", "chef_de_projet", contrats=(C,), nom="Marie", authenticated=True)
OTHER_EDITOR = User("paul", "chef_de_projet", contrats=("CNAUTRE",), authenticated=True)
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


_dump = st.dump


@pytest.fixture()
def db(saisie_target) -> tuple:
    return saisie_target, _seed(saisie_target)


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
                    User("jean", "chef_de_projet", contrats=(C,), authenticated=True), path)
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
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from contract import store
    from contract.roles import User
    target, marker = sys.argv[1], Path(sys.argv[2])
    user = User("long-edit", "chef_de_projet", authenticated=True)
    with store.connect(target) as con:
        rows = con.execute("SELECT id, row_version FROM ref_indicateur ORDER BY id").fetchall()
    edits = [store.Edit("ref_indicateur", "update", i, v, {{"valeur_actuelle": -12345.0}}) for i, v in rows]
    def progress(done, total):
        if done == total // 2:
            marker.write_text(str(done))      # half of the rows are updated inside the open transaction
            time.sleep(120)                   # ...and the parent kills us here
    store.apply(edits, user, target, progress=progress)
    print("NOT KILLED")
""")


def _seed_indicators(target, n: int = 2000) -> None:
    with store.edit(EDITOR, target) as tx:
        tx.register_contract(C, "Contrat de test", [])
        node = tx.insert("ref_noeud", {"contrat_code": C, "niveau": "enjeu", "code": "E1", "libelle": "Enjeu"})
        tx.insert_many("ref_indicateur", [{"contrat_code": C, "noeud_id": node, "code": f"I{i:04d}",
                                           "libelle": f"Indicateur {i}", "valeur_actuelle": float(i)}
                                          for i in range(n)])


def _edit_until_half_done(target, tmp_path) -> subprocess.Popen:
    """A child process that updates 2 000 rows in one edit and stops, transaction open, at row 1 000."""
    marker = tmp_path / "half-done"
    child = subprocess.Popen([sys.executable, "-c", KILL_CHILD.format(root=str(ROOT)), str(target), str(marker)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(1200):
        if marker.exists() or child.poll() is not None:
            break
        time.sleep(0.05)
    if not marker.exists():
        child.kill()
        pytest.fail(child.stderr.read().decode()[-3000:])
    assert int(marker.read_text()) == 1000
    return child


def _assert_nothing_of_the_killed_edit(target, before) -> None:
    assert _dump(target) == before
    with store.connect(target) as con:
        assert con.execute("SELECT count(*) FROM ref_indicateur WHERE valeur_actuelle = -12345").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM audit WHERE who = 'long-edit'").fetchone()[0] == 0
    # ...and the database takes new edits normally.
    first = before["ref_indicateur"][0][0]
    store.apply([Edit("ref_indicateur", "update", first, 1, {"valeur_actuelle": 1.5})], EDITOR, target)


def test_a_process_killed_in_the_middle_of_an_edit_leaves_the_database_intact(saisie_target, tmp_path):
    """SIGKILL of the process that was editing (the Streamlit server, on a real deployment): DuckDB replays its
    WAL on reopening, PostgreSQL rolls the dead connection's transaction back — the half-done edit is absent."""
    _seed_indicators(saisie_target)
    before = _dump(saisie_target)
    child = _edit_until_half_done(saisie_target, tmp_path)
    try:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    _assert_nothing_of_the_killed_edit(saisie_target, before)


def test_postgresql_server_killed_in_the_middle_of_an_edit_recovers_without_it(tmp_path):
    """SIGKILL of the PostgreSQL server itself (its own throwaway cluster) while an edit is half done: after a
    restart (crash recovery from its WAL) the database holds nothing of that edit, and takes new ones."""
    cluster = Path(tempfile.mkdtemp(prefix="observatoire-pgkill-"))
    try:
        url = st.start_throwaway(cluster)
        if url is None:
            st.unavailable("Debian's postgresql is not installed")
        _seed_indicators(url)
        before = _dump(url)
        store.dispose(url)
        child = _edit_until_half_done(url, tmp_path)
        postmaster = int((cluster / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)
        for p in _children_of(postmaster):       # its backends die with it, as in a machine crash
            os.kill(p, signal.SIGKILL)
        child.kill()
        child.wait(timeout=10)
        time.sleep(0.5)
        for stale in [cluster / "postmaster.pid", *cluster.glob(".s.PGSQL.*.lock")]:
            stale.unlink(missing_ok=True)     # the dead postmaster may linger as a zombie in a container
        assert st.start_throwaway(cluster, int(url.rsplit(":", 1)[1].split("/")[0])) == url
        _assert_nothing_of_the_killed_edit(url, before)
    finally:
        store.dispose(url) if "url" in locals() and url else None
        st.stop_throwaway(cluster)
        shutil.rmtree(cluster, ignore_errors=True)


def _children_of(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


# --------------------------------------------------------------------------- concurrent edits

def test_two_threads_editing_the_same_row_never_lose_a_change_silently(db):
    path, ids = db
    with store.connect(path) as con:
        version = con.execute("SELECT row_version FROM engagement WHERE id = ?", [ids["e_caf"]]).fetchone()[0]
    barrier = threading.Barrier(2)
    results = {}

    def worker(name, changes):
        user = User(name, "chef_de_projet", contrats=(C,), authenticated=True)
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
                User(losers[0], "chef_de_projet", contrats=(C,), authenticated=True), path)
    with store.connect(path) as con:
        row = con.execute("SELECT referent, preuve, row_version FROM engagement WHERE id = ?", [ids["e_caf"]]).fetchone()
        who = sorted(r[0] for r in con.execute("SELECT who FROM audit WHERE op = 'update'").fetchall())
    assert row == ("Alice", "Compte rendu", version + 2)
    assert who == ["alice", "bob"]


PROCESS_CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from contract import store
    from contract.roles import User
    target, rid, n, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    user = User(name, "chef_de_projet", authenticated=True)
    conflicts = 0
    for _ in range(n):
        while True:   # read-modify-write, as a page does: re-read and retry on conflict
            with store.connect(target) as con:
                value, version = con.execute(
                    "SELECT valeur_actuelle, row_version FROM ref_indicateur WHERE id = ?", [rid]).fetchone()
            try:
                store.apply([store.Edit("ref_indicateur", "update", rid, version, {{"valeur_actuelle": value + 1}})],
                            user, target)
                break
            except store.ConflictError:
                conflicts += 1
    print(conflicts)
""")


def test_two_processes_incrementing_the_same_value_lose_no_update(saisie_target):
    """Two processes (two replicas, or the dashboard and an import) doing read-modify-write on one row: the
    row version turns every interleaving into a conflict that is retried, never into a lost update (DuckDB:
    one writer process at a time, short connections and retry on the file lock; PostgreSQL: row locks)."""
    path = saisie_target
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


# --------------------------------------------------------------------------- busy, not broken

def test_a_locked_file_makes_another_process_wait_then_store_busy(tmp_path):
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
        assert "occupée par un autre programme" in str(err.value) and "Réessayez" in str(err.value)
        assert "IO Error" not in str(err.value) and "lock" not in str(err.value).lower()
        assert time.monotonic() - t0 >= 0.5
        with store.connect(path, timeout=30) as con:     # waits for the holder to close, then opens
            assert con.execute("SELECT count(*) FROM engagement").fetchone()[0] == 2
    finally:
        holder.wait(timeout=30)


def test_a_row_held_by_another_postgresql_edit_gives_store_busy_in_french(pg_base_url, monkeypatch):
    """A write waits for a row another transaction holds (lock_timeout), is retried for the store timeout,
    then fails as StoreBusy whose message is French, without psycopg's text; nothing is written."""
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_LOCK_TIMEOUT", "0.3")
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_TIMEOUT", "1")
    url, schema = st.new_pg_target(pg_base_url)
    try:
        ids = _seed(url)
        before = _dump(url)
        with psycopg.connect(url, autocommit=True) as holder:
            holder.execute("BEGIN")
            holder.execute("SELECT * FROM engagement WHERE id = %s FOR UPDATE", [ids["e_caf"]])
            t0 = time.monotonic()
            with pytest.raises(store.StoreBusy) as err:
                store.apply([Edit("engagement", "update", ids["e_caf"], 1, {"statut": "en_cours"})], EDITOR, url)
            waited = time.monotonic() - t0
            holder.execute("ROLLBACK")
        assert str(err.value) == BUSY_MESSAGE
        assert "psycopg" not in str(err.value) and "lock" not in str(err.value).lower()
        assert 1 <= waited < 10
        assert _dump(url) == before
        # once the row is free, the same edit goes through
        store.apply([Edit("engagement", "update", ids["e_caf"], 1, {"statut": "en_cours"})], EDITOR, url)
    finally:
        st.drop_pg_target(pg_base_url, url, schema)


# --------------------------------------------------------------------------- roles

def test_lecture_cannot_change_anything(db):
    path, ids = db
    before = _dump(path, refusals=False)
    reader = User("elu", "elu", contrats=("*",), authenticated=True)
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
    assert _dump(path, refusals=False) == before
    assert [r[0] for r in st.refusals(path)] == ["elu"] * len(attempts) + ["anonyme"] * len(attempts)


def test_partenaire_changes_only_its_own_commitments(db):
    path, ids = db
    # its own commitment: status, and a point d'étape
    store.apply([Edit("engagement", "update", ids["e_caf"], 1, {"statut": "en_cours", "referent": "Mme CAF"}),
                 Edit("engagement_point", "insert", values={"contrat_code": C, "engagement_id": ids["e_caf"],
                                                            "date_point": "2025-06-01", "statut": "en_cours"})],
                CAF, path)
    before = _dump(path, refusals=False)
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
    assert _dump(path, refusals=False) == before
    assert len(st.refusals(path)) == len(refused)
    with store.connect(path) as con:
        assert con.execute("SELECT statut, referent FROM engagement WHERE id = ?", [ids["e_caf"]]).fetchone() == \
            ("en_cours", "Mme CAF")


def test_a_crafted_apply_as_a_partner_on_another_signataires_engagement_is_refused_and_audited(db):
    """No page involved: a direct store.apply() as the CAF on the Département's commitment, batched after a
    legitimate change of its own, is refused whole (its own change is rolled back too) and the refusal is
    in the audit trail with who, the contract, the row and what was attempted."""
    path, ids = db
    before = _dump(path, refusals=False)
    with pytest.raises(roles.PermissionDenied, match="appartient à « Département de test »"):
        store.apply([Edit("engagement", "update", ids["e_caf"], 1, {"referent": "Mme CAF"}),
                     Edit("engagement", "update", ids["e_dep"], 1, {"statut": "realise", "preuve": "faux"})],
                    CAF, path)
    assert _dump(path, refusals=False) == before
    [(who, contrat, table, row_id, detail)] = st.refusals(path)
    assert (who, contrat, table, row_id) == ("caf", C, "engagement", ids["e_dep"])
    detail = json.loads(detail)
    assert detail["operation"] == "update" and detail["valeurs"] == {"statut": "realise", "preuve": "faux"}
    assert "Département de test" in detail["motif"]


def test_chef_de_projet_is_limited_to_its_contracts(db):
    path, ids = db
    with pytest.raises(roles.PermissionDenied, match="ne peut pas modifier le contrat CNTEST01"):
        store.apply([Edit("action", "update", ids["action"], 1, {"statut": "accorde"})], OTHER_EDITOR, path)
    admin = User("root", "administrateur", contrats=(), authenticated=True)      # every contract
    store.apply([Edit("action", "update", ids["action"], 1, {"statut": "accorde"})], admin, path)
    with pytest.raises(roles.PermissionDenied, match="chef de projet du contrat CNTEST01"):
        with store.edit(CAF, path) as tx:
            tx.register_contract(C, "Contrat de test", [])


def test_schema_is_created_once_and_reopened(saisie_target):
    path = saisie_target
    count_tables = ("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
    with store.connect(path) as con:
        n_tables = con.execute(count_tables).fetchone()[0]
    store.dispose(path)
    store._ensured.clear()
    with store.connect(path) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == store.SCHEMA_VERSION
        assert con.execute(count_tables).fetchone()[0] == n_tables
    # every table but meta and the accounts carries contrat_code and is_demo
    with store.connect(path) as con:
        missing = con.execute("""
            SELECT table_name FROM information_schema.tables t WHERE table_schema = current_schema()
              AND (NOT EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_name = t.table_name
                                AND c.table_schema = t.table_schema AND c.column_name = 'contrat_code')
                   OR NOT EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_name = t.table_name
                                   AND c.table_schema = t.table_schema AND c.column_name = 'is_demo'))
            ORDER BY 1""").fetchall()
    assert sorted(r[0] for r in missing) == sorted(["meta", *store.ACCOUNT_TABLES])


def test_one_schema_file_for_both_engines():
    """contract/schema.sql is the only declaration: DuckDB gets it up to the PostgreSQL-only tail of indexes."""
    pg, duck = store.engines.schema_sql("postgresql"), store.engines.schema_sql("duckdb")
    assert pg.startswith(duck) and "CREATE INDEX" in pg and "CREATE INDEX" not in duck
    assert " DOUBLE," not in pg and " DOUBLE\n" not in pg     # DOUBLE PRECISION: both engines read it


def test_placeholders_become_psycopg_ones_outside_quotes():
    assert store.engines.pg_sql("SELECT '?', \"a?\", x FROM t WHERE a = ? AND b LIKE '%x' -- ?\n AND c = ?") == \
        "SELECT '?', \"a?\", x FROM t WHERE a = %s AND b LIKE '%%x' -- ?\n AND c = %s"


def test_many_threads_opening_the_database_at_once(db):
    """Streamlit runs each session's page in its own thread: 8 threads opening, reading and writing the
    database at the same moment must all succeed (DuckDB: one shared instance per file and process, opened
    and closed under a lock; PostgreSQL: the pool)."""
    path, ids = db
    barrier, failures = threading.Barrier(8), []

    def worker(n: int) -> None:
        barrier.wait()
        try:
            for _ in range(40):
                with store.connect(path) as con:
                    con.execute("SELECT count(*) FROM engagement").fetchone()
                time.sleep(random.random() * 0.003)     # threads open and close out of step, as sessions do
            store.apply([Edit("engagement_point", "insert", values={
                "contrat_code": C, "engagement_id": ids["e_caf"], "date_point": "2025-06-01", "statut": "en_cours",
                "commentaire": f"thread {n}"})], EDITOR, path)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with store.connect(path) as con:
        assert con.execute("SELECT count(*) FROM engagement_point").fetchone()[0] == 8
