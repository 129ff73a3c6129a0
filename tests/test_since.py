"""« Depuis le dernier COPIL »: actions voted after the date (programmation decision dates), new data in the
warehouse (first load of each exact file content, carried over from one build to the next), and the
migration of saisie databases created before the decision date existed."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import duckdb
import openpyxl
from pptx import Presentation

from contract import store
from indicators import since
from presentation import since as since_view
from loaders import build as build_mod
from loaders.__main__ import main
from observatoire import db

NICE = "CN00604I"
DEPUIS = dt.date(2026, 6, 25)
TODAY = dt.date(2026, 11, 20)

HEADERS = ["N° dossier", "Année", "Porteur", "Intitulé de l'action", "Quartiers", "Date de dépôt", "Date du vote",
           "Montant sollicité État (P147)", "Montant accordé État (P147)", "Montant accordé Commune", "Statut"]
ROWS = [
    # voted before the COPIL of 25/06/2026: not on the slide
    ["2026-06-0001", 2026, "Les Amis du Paillon", "Accompagnement à la scolarité", "QN00612M", "10/01/2026",
     "19/03/2026", "8 000", "7 500,00", "2 000", "Accordé"],
    # voted on the day of the COPIL (dates are inclusive) and after it
    ["2026-06-0002", 2026, "Club Sportif Ariane", "Football féminin", "QN00612M", "12/01/2026", "25/06/2026",
     "6 000", "5 000", None, "Accordé"],
    ["2026-06-0003", 2026, "Santé Pour Tous", "Médiation santé", "Tous", "15/01/2026", "08/10/2026", "4 000",
     "4 000", "1 500,40", "Soldé"],
    ["2026-06-0004", 2026, "Médiation Nord", "Médiation de nuit", "QN00608I", "20/01/2026", "08/10/2026", "9 000",
     "0", None, "Refusé"],
    # not decided yet, and a decision announced for after the deck's date
    ["2026-06-0005", 2026, "Jardins Partagés", "Jardin partagé", "QN00613M", "01/02/2026", None, "3 000", None, None,
     "Déposé"],
    ["2026-06-0006", 2026, "Lire Ensemble", "Ateliers lecture", "QN00613M", "01/02/2026", "10/12/2026", "2 000",
     "2 000", None, "Accordé"],
    # granted without a decision date: cannot be placed, the slide says so
    ["2026-06-0007", 2026, "Écrivains Publics", "Permanences d'écrivain public", "QN00612M", "03/02/2026", None,
     "1 000", "1 000", None, "Accordé"],
]


def _workbook(path, rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _import(path, saisie, warehouse, *extra):
    return main(["import", "programmation", str(path), "--contrat", NICE, "--saisie-db", str(saisie),
                 "--db", str(warehouse), *extra])


def _slide(prs, title_start: str):
    return next(s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text.startswith(title_start))


def _column(slide, head: str) -> list[str]:
    """Bullets of one column of the « Depuis le dernier COPIL » slide (the text box under its heading)."""
    boxes = [sh for sh in slide.shapes if sh.has_text_frame]
    i = next(i for i, sh in enumerate(boxes) if sh.text_frame.text.startswith(head))
    return [p.text.replace("\u00a0", " ").removeprefix("• ") for p in boxes[i + 1].text_frame.paragraphs]


# --------------------------------------------------------------------------- actions voted

def test_imported_decision_dates_give_exactly_the_actions_voted_since(con, warehouse, tmp_path, monkeypatch):
    saisie = tmp_path / "saisie.duckdb"
    assert _import(_workbook(tmp_path / "programmation 2026.xlsx", ROWS), saisie, warehouse) == 0
    with store.connect(saisie) as sc:
        dates = dict(sc.execute("SELECT numero_dossier, date_decision FROM action").fetchall())
    assert dates["2026-06-0003"] == dt.date(2026, 10, 8) and dates["2026-06-0005"] is None

    from exports import deck

    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(saisie))
    out = deck.build(con, NICE, tmp_path / "copil.pptx", depuis=DEPUIS, today=TODAY)
    slide = _slide(Presentation(str(out)), "Depuis le dernier COPIL (25/06/2026)")
    actions = _column(slide, "Actions votées")
    # 0002 (25/06, on the date), 0003 and 0004 (08/10): accordé 5 000 + soldé 4 000 + 1 500,40; refusé counts 0 €.
    assert actions[0] == "3 actions votées depuis le 25/06/2026 : 2 accordées pour 10 500 €, 1 refusée."
    assert actions[1:4] == [
        "08/10/2026 — 2026-06-0003 Médiation santé (Santé Pour Tous) : 5 500 €",
        "08/10/2026 — 2026-06-0004 Médiation de nuit (Médiation Nord) : refusé",
        "25/06/2026 — 2026-06-0002 Football féminin (Club Sportif Ariane) : 5 000 €",
    ]
    assert actions[4] == ("1 action décidée (2026) sans date de décision : renseignez la colonne « Date de décision » "
                          "de la programmation.")
    assert len(actions) == 5
    text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame).replace("\u00a0", " ")
    for absent in ("2026-06-0001", "2026-06-0005", "2026-06-0006", "2026-06-0007", "démonstration", "(démo)"):
        assert absent not in text


def test_bad_decision_date_is_refused_with_line_and_column(warehouse, tmp_path, capsys):
    saisie = tmp_path / "saisie.duckdb"
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][6] = "31/02/2026"            # no such day
    rows[1][6] = "05/01/2026"            # before the file was deposited (12/01/2026)
    bad = _workbook(tmp_path / "programmation datée.xlsx", rows)
    assert _import(bad, saisie, warehouse) == 1
    err = capsys.readouterr().err
    assert "ERREUR : 2 erreur(s) dans programmation datée.xlsx" in err
    assert "ligne 2, colonne « Date du vote (col. G) » : date invalide « 31/02/2026 »" in err
    assert ("ligne 3, colonne « Date du vote (col. G) » : date de décision (05/01/2026) antérieure à la date de "
            "dépôt (12/01/2026)") in err
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT count(*) FROM action").fetchone()[0] == 0


def test_reimport_without_the_column_keeps_decision_dates(warehouse, tmp_path):
    """A file without a decision date column (older Dauphin export) updates the rows, not their dates."""
    saisie = tmp_path / "saisie.duckdb"
    assert _import(_workbook(tmp_path / "p.xlsx", ROWS[:2]), saisie, warehouse) == 0
    undated = [[c for j, c in enumerate(r) if j != 6] for r in ROWS[:2]]
    undated[0][-1] = "Soldé"
    headers = [h for h in HEADERS if h != "Date du vote"]
    assert _import(_workbook(tmp_path / "p2.xlsx", undated, headers), saisie, warehouse, "--remplacer") == 0
    with store.connect(saisie) as sc:
        rows = sc.execute("SELECT numero_dossier, statut, date_decision FROM action ORDER BY 1").fetchall()
    assert rows == [("2026-06-0001", "solde", dt.date(2026, 3, 19)), ("2026-06-0002", "accorde", dt.date(2026, 6, 25))]


# --------------------------------------------------------------------------- migration of old saisie databases

def _old_schema_sql() -> str:
    """contract/schema.sql as it was before schema version 2 (no action.date_decision, no migration)."""
    text = store.SCHEMA_SQL.read_text(encoding="utf-8")
    text = text.split("-- ---------------------------------------------------------------- migrations")[0]
    old = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("date_decision"))
    assert "date_decision" not in old
    return old


def test_old_saisie_database_is_migrated_with_rows_intact(warehouse, tmp_path):
    path = tmp_path / "ancienne.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute(_old_schema_sql())
    raw.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    raw.execute("INSERT INTO contrat (contrat_code, nom) VALUES (?, 'Métropole Nice Côte d''Azur')", [NICE])
    raw.execute("""INSERT INTO action (contrat_code, annee, numero_dossier, porteur_nom, intitule, statut, date_depot,
                   cout_total, note_impact, evaluation, row_version, created_by)
                   VALUES (?, 2025, '2025-06-0101', 'Les Amis du Paillon', 'Accompagnement à la scolarité', 'solde',
                           DATE '2025-01-15', 24500, 3, 'Objectifs atteints', 4, 'marie'),
                          (?, 2026, '2026-06-0009', 'Club Sportif Ariane', 'Football féminin', 'accorde', NULL,
                           18000, NULL, NULL, 1, 'marie')""", [NICE, NICE])
    raw.execute("INSERT INTO action_financement (contrat_code, action_id, financeur, montant_accorde) "
                "SELECT contrat_code, id, 'etat_p147', 7500 FROM action WHERE numero_dossier = '2025-06-0101'")
    before = {t: raw.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("action", "action_financement")}
    n_columns = len(raw.execute("SELECT * FROM action LIMIT 0").description)
    raw.close()

    with store.connect(path) as sc:
        cols = [r[0] for r in sc.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'action' "
                                         "ORDER BY ordinal_position").fetchall()]
        assert cols[-1] == "date_decision" and len(cols) == n_columns + 1
        assert sc.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == store.SCHEMA_VERSION
        after = {t: sc.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("action", "action_financement")}
    assert [r[:-1] for r in after["action"]] == before["action"] and all(r[-1] is None for r in after["action"])
    assert after["action_financement"] == before["action_financement"]

    # Opening again changes nothing; the new column is editable and audited like the others.
    with store.connect(path) as sc:
        aid, version = sc.execute("SELECT id, row_version FROM action WHERE numero_dossier = '2026-06-0009'").fetchone()
    from contract.roles import User
    marie = User(login="marie", role="edition", contrats=(NICE,), authenticated=True)
    store.apply([store.Edit("action", "update", aid, version, {"date_decision": "2026-10-08"})], marie, path)
    with store.connect(path) as sc:
        assert sc.execute("SELECT date_decision, row_version FROM action WHERE id = ?", [aid]).fetchone() == \
            (dt.date(2026, 10, 8), version + 1)
        assert sc.execute("SELECT who, old_value, new_value FROM audit WHERE column_name = 'date_decision'").fetchall() \
            == [("marie", None, "2026-10-08")]
        f = since.facts(None, sc, NICE, DEPUIS, TODAY)
    assert since_view.action_lines(f)[0] == "1 action votée depuis le 25/06/2026 : 1 accordée pour 0 €."
    # and a programmation file with decision dates imports into the migrated database
    assert _import(_workbook(tmp_path / "p.xlsx", ROWS[:1]), path, warehouse) == 0


# --------------------------------------------------------------------------- new data: first load of each file

CHANGED = "contrats_de_ville/postes-fonjep-2024.json"


def _mirror(data_dir, target):
    """The open-data folder with every file symlinked, except CHANGED: same records, rewritten (new bytes)."""
    for root, _dirs, files in os.walk(data_dir):
        rel = os.path.relpath(root, data_dir)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = os.path.join(root, name), target / rel / name
            if os.path.normpath(os.path.join(rel, name)) == os.path.normpath(CHANGED):
                records = json.loads(Path(src).read_text(encoding="utf-8"))
                dst.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
            else:
                os.symlink(src, dst)


def test_rebuild_keeps_first_loads_and_renews_a_changed_file(warehouse, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_IMPORTS_DIR", str(tmp_path / "imports"))      # no user import to replay
    # First build: the session warehouse, dated back as if it had been built long ago.
    wh = tmp_path / "observatoire.duckdb"
    shutil.copyfile(warehouse, wh)
    raw = duckdb.connect(str(wh))
    raw.execute("UPDATE load_log SET first_loaded_at = TIMESTAMP '2025-09-01 10:00:00', "
                "loaded_at = TIMESTAMP '2026-03-02 10:00:00'")
    before = raw.execute("SELECT source_file, sha256 FROM load_log WHERE source_file IS NOT NULL").fetchall()
    raw.close()
    changed = os.path.basename(CHANGED)
    assert changed in {f for f, _ in before}

    mirror = tmp_path / "data"
    _mirror(data_dir, mirror)
    start = dt.datetime.now()
    summary = build_mod.build(mirror, wh, quiet=True)
    assert summary["warnings"] == [w for w in summary["warnings"] if w[0] != "first_loads"]

    c = db.connect(wh)
    try:
        rows = c.execute("SELECT source_file, sha256, loaded_at, first_loaded_at FROM load_log "
                         "WHERE source_file IS NOT NULL AND step != 'user_imports'").fetchall()
        assert all(loaded >= start for _, _, loaded, _ in rows)               # every file was read again…
        kept = {(f, s): first for f, s, _, first in rows if f != changed}
        assert kept and set(kept.values()) == {dt.datetime(2025, 9, 1, 10)}  # …but first loads are carried over
        assert set(kept) <= set(before)
        new = [(s, loaded, first) for f, s, loaded, first in rows if f == changed]
        assert len(new) == 1 and (changed, new[0][0]) not in before
        assert new[0][2] == new[0][1] >= start                                # changed bytes: loaded for the first time
        # the same records: nothing else changed in the warehouse
        assert c.execute("SELECT count(*) FROM means_post WHERE source_file = ?", [changed]).fetchone()[0] > 0

        files = since.new_files(c, dt.date(2026, 1, 1))
        assert files["source_file"].tolist() == [changed] and files["edition"].tolist() == [2024]
        # The slide speaks of publications, not of files entering the warehouse (issue 12): a changed file
        # is the warehouse's history, not a new edition.
        data = since_view.data_lines(since.facts(c, None, NICE, dt.date(2026, 1, 1), TODAY))
        assert data[0] == "Aucune nouvelle publication de données depuis le 01/01/2026." and changed not in " ".join(data)
    finally:
        c.close()

    # A second rebuild on the same files sees this build's values: nothing new, nothing renewed.
    build_mod.build(mirror, wh, quiet=True)
    c = db.connect(wh)
    try:
        again = dict(((f, s), first) for f, s, first in c.execute(
            "SELECT source_file, sha256, first_loaded_at FROM load_log WHERE source_file IS NOT NULL "
            "AND step != 'user_imports'").fetchall())
    finally:
        c.close()
    assert again == {**kept, (changed, new[0][0]): new[0][2]}


def test_first_loads_from_an_older_or_unreadable_previous_warehouse(data_dir, tmp_path, monkeypatch):
    """A warehouse built before first_loaded_at existed gives its loaded_at; an unreadable one stops nothing."""
    monkeypatch.setenv("OBSERVATOIRE_IMPORTS_DIR", str(tmp_path / "imports"))
    steps = build_mod.STEPS[:2]                  # catalogue, cog: enough files to follow
    wh = tmp_path / "observatoire.duckdb"
    build_mod.build(data_dir, wh, quiet=True, steps=steps)
    raw = duckdb.connect(str(wh))
    raw.execute("ALTER TABLE load_log DROP COLUMN first_loaded_at")
    raw.execute("UPDATE load_log SET loaded_at = TIMESTAMP '2025-09-01 10:00:00'")
    raw.close()
    build_mod.build(data_dir, wh, quiet=True, steps=steps)
    c = db.connect(wh)
    try:
        firsts = c.execute("SELECT source_file, first_loaded_at FROM load_log WHERE source_file IS NOT NULL").fetchall()
    finally:
        c.close()
    assert {f for f, _ in firsts} >= {"communes.json", "epci.json", "indicators.yaml"}
    assert {t for _, t in firsts} == {dt.datetime(2025, 9, 1, 10)}

    wh.write_bytes(b"pas un entrep\xc3\xb4t DuckDB")
    summary = build_mod.build(data_dir, wh, quiet=True, steps=steps)
    assert ("first_loads", 1) in summary["warnings"]
    c = db.connect(wh)
    try:
        assert c.execute("SELECT count(*) FROM load_log WHERE first_loaded_at <> loaded_at").fetchone()[0] == 0
        assert "illisible" in c.execute("SELECT message FROM build_warning WHERE step = 'first_loads'").fetchone()[0]
    finally:
        c.close()


def test_publications_since_a_date_come_from_the_declared_publication_dates():
    """catalogue/sources.yaml declares the year of publication of the SIG Ville editions and of the yearly
    State-means files: since 01/06/2025, only the 2025 adultes-relais and FONJEP files are new."""
    rel = since.releases(dt.date(2025, 6, 1), dt.date(2026, 11, 20))
    assert sorted(rel["source_id"]) == ["adultes_relais", "fonjep"] and set(rel["edition"]) == {2025}
    lines = since_view.data_lines({"since": dt.date(2025, 6, 1), "releases": rel, "imports": None,
                              "latest_publications": since.latest_publications(dt.date(2026, 11, 20))})
    assert lines[0] == "2 nouvelles éditions publiées depuis le 01/06/2025 :"
    assert "Postes FONJEP financés — millésime 2025 (publié en 2025)." in lines
    assert since.releases(dt.date(2023, 1, 1), dt.date(2023, 12, 31))["edition"].tolist() == [2023, 2023]
