"""`python -m loaders import indicateurs`: a user's extra indicators, validated, all-or-nothing, replayed.

Every test works on its own copy of the session warehouse and its own imports folder; the bad files are
written by the tests. After a failed import the warehouse and the imports folder must be unchanged.
"""
from __future__ import annotations

import argparse
import json
import shutil

import pytest

from loaders.build import BuildContext
from readers.errors import InputError
from loaders.imports import indicateurs, replay
from observatoire import db


@pytest.fixture
def wh(warehouse_copy):
    """A writable copy of the real warehouse, and an empty imports folder (tests/conftest.py)."""
    return warehouse_copy


def fingerprint(path):
    con = db.connect(path, read_only=True)
    try:
        return tuple(con.execute(q).fetchone() for q in (
            "SELECT count(*), sum(hash(territory_code, indicator_id, edition, value, status, source_file)) "
            "FROM indicator_value",
            "SELECT count(*), sum(hash(indicator_id, label, unit)) FROM indicator_catalog",
            "SELECT count(*) FROM user_import",
            "SELECT count(*) FROM source_catalog"))
    finally:
        con.close()


def args_for(path, db_path, *extra):
    p = argparse.ArgumentParser()
    indicateurs.add_arguments(p)
    return p.parse_args([str(path), "--db", str(db_path), *extra])


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


LOCAL = ["--edition", "2023", "--map", "reussite=reussite_brevet", "--label",
         "reussite_brevet=Taux de réussite au brevet", "--unit", "reussite_brevet=%"]


def test_import_local_and_catalogue_indicators(wh, tmp_path):
    f = write(tmp_path, "mes_indicateurs.csv",
              "\ufeffcode;nom;reussite;tx_pauvrete\r\n"
              "QP001001;Grande Reyssouze;85,5;42,1\r\n"
              "QP001002;Croix Blanche;1\u202f234,5;s\r\n"
              "FRM;France;;nd\r\n")
    assert indicateurs.run(args_for(f, wh, *LOCAL)) == 0
    con = db.connect(wh, read_only=True)
    rows = {(r[0], r[1]): r[2:] for r in con.execute("""
        SELECT territory_code, indicator_id, value, status, source_file, source_variable FROM indicator_value
        WHERE edition = 2023""").fetchall()}
    assert rows[("QP001001", "reussite_brevet")] == (85.5, "ok", "mes_indicateurs.csv", "reussite")
    assert rows[("QP001002", "reussite_brevet")][:2] == (1234.5, "ok")
    assert rows[("FRM", "reussite_brevet")][:2] == (None, "non_disponible")
    assert rows[("QP001001", "tx_pauvrete")][:2] == (42.1, "ok")
    assert rows[("QP001002", "tx_pauvrete")][:2] == (None, "secret")
    cat = con.execute("SELECT label, unit, theme, is_local, gap_kind FROM indicator_catalog "
                      "WHERE indicator_id = 'reussite_brevet'").fetchone()
    assert cat == ("Taux de réussite au brevet", "%", "local", True, "points")
    assert con.execute("SELECT kind, file_name, rows FROM user_import").fetchall() == [
        ("indicateurs", "mes_indicateurs.csv", 6)]
    con.close()
    manifest = replay.stored_imports()
    assert len(manifest) == 1 and manifest[0]["options"]["map"] == {"reussite": "reussite_brevet"}
    assert (replay.manifest_path().parent / manifest[0]["stored_name"]).read_bytes() == f.read_bytes()


def test_import_xlsx(wh, tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Données"
    ws.append(["CODGEO", "reussite"])
    ws.append(["QP001001", 85.5])
    ws.append(["QP001002", "72,25"])
    f = tmp_path / "classeur.xlsx"
    wb.save(f)
    assert indicateurs.run(args_for(f, wh, *LOCAL, "--sheet", "Données")) == 0
    con = db.connect(wh, read_only=True)
    assert con.execute("""SELECT territory_code, value FROM indicator_value WHERE indicator_id = 'reussite_brevet'
                          ORDER BY 1""").fetchall() == [("QP001001", 85.5), ("QP001002", 72.25)]
    con.close()


def test_existing_values_need_replace(wh, tmp_path):
    # tx_pauvrete 2019 for QP001001 already comes from data_filo19 (41,9)
    f = write(tmp_path, "pauvrete.csv", "code;tx_pauvrete\nQP001001;40\n")
    before = fingerprint(wh)
    with pytest.raises(InputError) as e:
        indicateurs.run(args_for(f, wh, "--edition", "2019"))
    assert "déjà présent" in str(e.value) and "data_filo19_qp_revdis.csv" in str(e.value)
    assert e.value.line == 2 and e.value.column == "tx_pauvrete"
    assert fingerprint(wh) == before
    assert indicateurs.run(args_for(f, wh, "--edition", "2019", "--remplacer")) == 0
    con = db.connect(wh, read_only=True)
    assert con.execute("""SELECT value, source_file FROM indicator_value WHERE territory_code = 'QP001001'
                          AND indicator_id = 'tx_pauvrete' AND edition = 2019""").fetchone() == (40.0, "pauvrete.csv")
    con.close()


BAD_FILES = {
    # name: (bytes, expected line, expected column, words in the message)
    "encodage.csv": ("code;reussite\r\nQP001001;12\r\nQP001002;Élevé\r\n".encode("cp1252"), 3, "reussite",
                     ["UTF-8"]),
    "separateur.csv": (b"code,reussite\nQP001001,12\n", 1, None, ["« , »"]),
    "sanscle.csv": (b"quartier;reussite\nQP001001;12\n", 1, None, ["codes de territoire"]),
    "cle_double.csv": (b"code;reussite\nQP001001;12\nQP001001;13\n", 3, "code", ["en double", "ligne 2"]),
    "ligne_double.csv": (b"code;reussite\nQP001001;12\nQP001002;5\nQP001002;5\n", 4, None,
                         ["ligne en double", "identique à la ligne 3"]),
    "code_inconnu.csv": (b"code;reussite\nQP001001;12\nQP999999;13\n", 3, "code", ["QP999999", "inconnu"]),
    "minuscules.csv": (b"code;reussite\nqp001001;12\n", 2, "code", ["QP001001 ?"]),
    "texte.csv": (b"code;reussite\nQP001001;12\nQP001002;douze\n", 3, "reussite", ["douze", "non numérique"]),
    "vide.csv": (b"", 1, None, ["fichier vide"]),
    "tronque.csv": (b"code;reussite;autre\r\nQP001001;12;1\r\nQP0010", 3, "reussite", ["tronquée"]),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_rejected_and_nothing_changes(wh, tmp_path, name):
    content, line, column, words = BAD_FILES[name]
    f = tmp_path / name
    f.write_bytes(content)
    before = fingerprint(wh)
    with pytest.raises(InputError) as e:
        indicateurs.run(args_for(f, wh, *LOCAL))
    msg = str(e.value)
    assert name in msg and e.value.file == name
    assert e.value.line == line
    if column is not None:
        assert e.value.column == column
    for w in words:
        assert w in msg, msg
    assert fingerprint(wh) == before
    assert replay.stored_imports() == []
    assert not replay.manifest_path().parent.exists() or not any(replay.manifest_path().parent.iterdir())


def test_truncated_xlsx(wh, tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["code", "reussite"])
    wb.active.append(["QP001001", 1])
    good = tmp_path / "ok.xlsx"
    wb.save(good)
    bad = tmp_path / "coupe.xlsx"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    before = fingerprint(wh)
    with pytest.raises(InputError, match="coupe.xlsx.*tronqué"):
        indicateurs.run(args_for(bad, wh, *LOCAL))
    assert fingerprint(wh) == before


def test_cli_reports_error(wh, tmp_path, capsys):
    from loaders.__main__ import main
    f = write(tmp_path, "texte.csv", "code;reussite\nQP001001;douze\n")
    assert main(["import", "indicateurs", str(f), "--db", str(wh), *LOCAL]) == 1
    err = capsys.readouterr().err
    assert "texte.csv, ligne 2, colonne « reussite » : valeur non numérique « douze »" in err


def test_replay_into_a_new_warehouse(wh, warehouse, tmp_path):
    """The import is kept and replayed by the 'user_imports' build step into a fresh warehouse."""
    f = write(tmp_path, "local.csv", "code;reussite\nQP001001;85,5\n")
    assert indicateurs.run(args_for(f, wh, *LOCAL)) == 0
    fresh = tmp_path / "neuf.duckdb"
    shutil.copyfile(warehouse, fresh)           # stands for a rebuilt warehouse (no user import in it)
    con = db.connect(fresh, read_only=False)
    try:
        assert con.execute("SELECT count(*) FROM indicator_value WHERE indicator_id = 'reussite_brevet'"
                           ).fetchone()[0] == 0
        ctx = BuildContext(con=con, data_dir=tmp_path, step="user_imports")
        replay.load(ctx)
        assert con.execute("""SELECT value, source_file FROM indicator_value WHERE indicator_id = 'reussite_brevet'
                              AND territory_code = 'QP001001' AND edition = 2023""").fetchone() == (85.5, "local.csv")
        assert con.execute("SELECT count(*) FROM user_import").fetchone()[0] == 1
        assert ctx.warnings == []
    finally:
        con.close()


def test_replay_failure_is_a_warning(wh, warehouse, tmp_path):
    f = write(tmp_path, "local.csv", "code;reussite\nQP001001;85,5\n")
    assert indicateurs.run(args_for(f, wh, *LOCAL)) == 0
    entries = replay.stored_imports()
    stored = replay.manifest_path().parent / entries[0]["stored_name"]
    stored.write_text("code;reussite\nQP999999;1\n", encoding="utf-8")   # no longer valid
    fresh = tmp_path / "neuf.duckdb"
    shutil.copyfile(warehouse, fresh)
    con = db.connect(fresh, read_only=False)
    try:
        ctx = BuildContext(con=con, data_dir=tmp_path, step="user_imports")
        replay.load(ctx)
        assert len(ctx.warnings) == 1 and "non rejoué" in ctx.warnings[0][4] and "QP999999" in ctx.warnings[0][4]
        assert con.execute("SELECT count(*) FROM indicator_value WHERE indicator_id = 'reussite_brevet'"
                           ).fetchone()[0] == 0
    finally:
        con.close()
    assert json.loads(replay.manifest_path().read_text(encoding="utf-8"))[0]["kind"] == "indicateurs"
