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
from pages_apptest import all_tables, run_page, sources


@pytest.fixture
def wh(warehouse_copy):
    """A writable copy of the real warehouse, and an empty imports folder (tests/conftest.py)."""
    return warehouse_copy


def fingerprint(path):
    """Official values, imported values, catalogue, imports: what a refused import leaves as it was."""
    con = db.connect(path, read_only=True)
    try:
        return tuple(con.execute(q).fetchone() for q in (
            "SELECT count(*), sum(hash(territory_code, indicator_id, edition, value, status, source_file)) "
            "FROM indicator_value",
            "SELECT count(*), sum(hash(territory_code, indicator_id, edition, value, status, file_name)) "
            "FROM imported_value",
            "SELECT count(*), sum(hash(indicator_id, label, unit)) FROM indicator_catalog",
            "SELECT count(*) FROM user_import",
            "SELECT count(*) FROM source_catalog"))
    finally:
        con.close()


def official(path):
    """Every official value, exactly (a user's import must never change one)."""
    con = db.connect(path, read_only=True)
    try:
        return con.execute("SELECT sum(hash(territory_code, indicator_id, edition, value, status, source_file, "
                           "source_variable, ref_year)), count(*) FROM indicator_value").fetchone()
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
    before = official(wh)
    f = write(tmp_path, "mes_indicateurs.csv",
              "\ufeffcode;nom;reussite;tx_pauvrete\r\n"
              "QP001001;Grande Reyssouze;85,5;42,1\r\n"
              "QP001002;Croix Blanche;1\u202f234,5;s\r\n"
              "FRM;France;;nd\r\n")
    assert indicateurs.run(args_for(f, wh, *LOCAL)) == 0
    con = db.connect(wh, read_only=True)
    rows = {(r[0], r[1]): r[2:] for r in con.execute("""
        SELECT territory_code, indicator_id, value, status, file_name, source_variable, line, column_name, imported_by
        FROM imported_value WHERE edition = 2023""").fetchall()}
    assert rows[("QP001001", "reussite_brevet")][:6] == (85.5, "ok", "mes_indicateurs.csv", "reussite", 2, "reussite")
    assert rows[("QP001001", "reussite_brevet")][6].startswith("cli:")
    assert rows[("QP001002", "reussite_brevet")][:2] == (1234.5, "ok")
    assert rows[("FRM", "reussite_brevet")][:2] == (None, "non_disponible")
    assert rows[("QP001001", "tx_pauvrete")][:2] == (42.1, "ok")
    assert rows[("QP001002", "tx_pauvrete")][:2] == (None, "secret")
    # user data is its own source: nothing in indicator_value, no official name borrowed
    assert con.execute("SELECT count(*) FROM indicator_value WHERE edition = 2023 AND indicator_id IN "
                       "('reussite_brevet', 'tx_pauvrete')").fetchone()[0] == 0
    cat = con.execute("SELECT label, unit, theme, is_local, gap_kind, source FROM indicator_catalog "
                      "WHERE indicator_id = 'reussite_brevet'").fetchone()
    assert cat == ("Taux de réussite au brevet", "%", "local", True, "points", "import_utilisateur")
    assert con.execute("SELECT producer FROM source_catalog WHERE source_id = 'import_utilisateur'").fetchone() == (
        "Import utilisateur",)
    assert con.execute("SELECT kind, file_name, rows FROM user_import").fetchall() == [
        ("indicateurs", "mes_indicateurs.csv", 6)]
    con.close()
    assert official(wh) == before
    manifest = replay.stored_imports()
    assert len(manifest) == 1 and manifest[0]["options"]["map"] == {"reussite": "reussite_brevet",
                                                                     "tx_pauvrete": "tx_pauvrete"}
    assert manifest[0]["imported_by"].startswith("cli:")
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
    assert con.execute("""SELECT territory_code, value, column_name FROM imported_value
                          WHERE indicator_id = 'reussite_brevet' ORDER BY 1""").fetchall() == [
        ("QP001001", 85.5, "reussite (col. B)"), ("QP001002", 72.25, "reussite (col. B)")]
    con.close()


# A regional export as the user had it: Windows-1252, « ; », decimal comma, French headers. Values
# chosen for the test; the official one is INSEE's: QP001001 tx_pauvrete 2019 = 41,9 (data_filo19_qp_revdis.csv,
# line of QP001001, column DISP_TP60_A19).
REGIONAL = ("Code quartier;Nom du quartier;Population;Taux de pauvreté;Revenu médian\r\n"
            "QP001001;Grande Reyssouze Terre Des Fleurs;6\u00a0000;40,5;11\u00a0900\r\n"
            "QP001002;Croix Blanche;1\u00a0500;38,0;12\u00a0100\r\n")


def _fiche(wh, code):
    import os
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "indicators", "fiche", code, "--json"], capture_output=True,
                         text=True, check=True, env=dict(os.environ, OBSERVATOIRE_DB=str(wh)))
    return {x["indicator_id"]: x for x in json.loads(out.stdout)["indicators"]}


def test_imported_values_beside_insee_and_remplacer_changes_only_the_import(wh, tmp_path, capsys, monkeypatch):
    f = write(tmp_path, "export_occitanie.csv", REGIONAL, "cp1252")
    before = official(wh)
    fiche_before = _fiche(wh, "QP001001")
    assert indicateurs.run(args_for(f, wh, "--edition", "2019")) == 0
    out = capsys.readouterr().out
    assert "Encodage détecté : Windows-1252 (Latin-1) ; séparateur : point-virgule." in out
    assert "« Code quartier » → codes des territoires" in out
    assert "« Taux de pauvreté » → Taux de pauvreté au seuil de 60 % (tx_pauvrete, nom reconnu)" in out
    assert "« Revenu médian » → Revenu disponible médian par unité de consommation (rev_disp_median" in out
    assert official(wh) == before
    fiche = _fiche(wh, "QP001001")
    tp = fiche["tx_pauvrete"]
    assert (tp["value"], tp["edition"], tp["source_file"]) == (41.9, 2019, "data_filo19_qp_revdis.csv")
    assert tp["source_line"].startswith("Source : INSEE — Filosofi") and "data_filo19_qp_revdis.csv" in tp["source_line"]
    [mine] = tp["imported"]
    assert (mine["value"], mine["status"], mine["edition"], mine["file"]) == (40.5, "ok", 2019, "export_occitanie.csv")
    assert mine["imported_by"].startswith("cli:") and mine["line"] == 2 and mine["column"] == "Taux de pauvreté"
    assert mine["source_line"].startswith("Source : Import utilisateur — fichier export_occitanie.csv, importé le ")
    assert "INSEE" not in mine["source_line"] and mine["source_line"] != tp["source_line"]
    assert fiche["rev_disp_median"]["imported"][0]["value"] == 11900.0
    assert fiche["pop"]["imported"][0]["value"] == 6000.0
    # Evolution sentences and series never use the imported values: everything but `imported` is unchanged.
    strip = lambda d: {k: {kk: vv for kk, vv in v.items() if kk != "imported"} for k, v in d.items()}
    assert strip(fiche) == strip(fiche_before)

    # The same file again: refused without --remplacer, every indicator counted.
    with pytest.raises(InputError) as e:
        indicateurs.run(args_for(f, wh, "--edition", "2019"))
    msg = str(e.value)
    assert "pop 2, tx_pauvrete 2, rev_disp_median 2" in msg and "--remplacer" in msg
    assert e.value.errors[1].line == 2 and e.value.errors[1].column == "Population"

    # --verifier with --remplacer: the full list of changes, nothing saved.
    f.write_bytes(REGIONAL.replace("40,5", "39,9").replace("12\u00a0100", "12\u00a0200").encode("cp1252"))
    fp = fingerprint(wh)
    assert indicateurs.run(args_for(f, wh, "--edition", "2019", "--remplacer", "--verifier")) == 0
    out = capsys.readouterr().out.replace("\u202f", " ")
    assert "fichier valide, " in out and "— rien n'a été enregistré." in out
    assert "  tx_pauvrete : 0 serait ajoutée, 1 serait remplacée, 1 identique" in out      # nothing stored: conditional
    assert "  rev_disp_median : 0 serait ajoutée, 1 serait remplacée, 1 identique" in out
    assert "  pop : 0 serait ajoutée, 0 serait remplacée, 2 identiques" in out
    assert "ligne 2 QP001001 tx_pauvrete : 40,5 % → 39,9 %" in out
    assert "ligne 3 QP001002 rev_disp_median : 12 100 € → 12 200 €" in out
    assert fingerprint(wh) == fp
    assert indicateurs.run(args_for(f, wh, "--edition", "2019", "--remplacer")) == 0
    assert official(wh) == before
    after = _fiche(wh, "QP001001")["tx_pauvrete"]
    assert after["value"] == 41.9 and [m["value"] for m in after["imported"]] == [39.9]

    # The fiche page shows both, side by side, with two source lines.
    monkeypatch.setenv("OBSERVATOIRE_DB", str(wh))
    at = run_page("fiche", quartier="QP001001")
    revenus = next(t for t in all_tables(at) if "Valeur importée" in t.columns
                   and (t.Indicateur == "Taux de pauvreté au seuil de 60 %").any())
    row = revenus[revenus.Indicateur == "Taux de pauvreté au seuil de 60 %"].iloc[0]
    assert (row.Valeur, row["Valeur importée"]) == ("41,9 %", "39,9 % (2019)")
    lines = sources(at)
    assert any("Import utilisateur — fichier export_occitanie.csv" in ln and "INSEE" not in ln for ln in lines)
    assert any(ln.startswith("Source : INSEE") for ln in lines)


def test_columns_recognised_and_mapping_returned(wh, tmp_path):
    f = write(tmp_path, "qpv.csv", "codgeo,Nom du quartier,Taux pauvrete 60\nQP001001,Grande Reyssouze,40\n")
    res = indicateurs.import_file(f, {"edition": 2019, "map": {}}, wh, dry_run=True)
    assert res["separator"] == "," and res["encoding"] == "UTF-8"
    assert res["mapping"][0] == "  « codgeo » → codes des territoires"
    assert "« Nom du quartier » → nom (lu pour information, non importé)" in res["mapping"][1]
    assert "(tx_pauvrete, rapprochement approché : à confirmer (sinon --map))" in res["mapping"][2]
    assert res["changes"][0]["kind"] == "ajout" and replay.stored_imports() == []


def test_every_error_at_once(wh, tmp_path):
    f = write(tmp_path, "erreurs.csv", "Code QPV;reussite\nQP001001;12\nQP999999;douze\nQP001001;13\nQP001002;1;2\n")
    before = fingerprint(wh)
    with pytest.raises(InputError) as e:
        indicateurs.run(args_for(f, wh, *LOCAL))
    found = {(x.line, x.column, x.message.split(" « ")[0].split(" (")[0]) for x in e.value.errors}
    assert found == {(3, "Code QPV", "code de territoire"), (3, "reussite", "valeur non numérique"),
                     (4, "Code QPV", "code"), (5, "n° 3", "valeur")}, found
    assert fingerprint(wh) == before


BAD_FILES = {
    # name: (bytes, expected line, expected column, words in the message)
    "encodage.csv": ("code;reussite\r\nQP001001;12\r\nQP001002;Élevé\r\n".encode("cp1252"), 3, "reussite",
                     ["Élevé", "non numérique"]),
    "melange.csv": ("code;nom;reussite\r\nQP001001;é;12\r\n".encode() + "QP001002;è;5\r\n".encode("cp1252"), 3,
                    "nom", ["encodage mélangé"]),
    "sanscle.csv": (b"quartier;reussite\nQP001001;12\n", 1, None, ["codes de territoire"]),
    "separateurs_melanges.csv": (b"code;reussite\nQP001001,12\n", 2, "reussite", ["1 colonne(s) au lieu de 2"]),
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
        assert con.execute("SELECT count(*) FROM imported_value WHERE indicator_id = 'reussite_brevet'"
                           ).fetchone()[0] == 0
        ctx = BuildContext(con=con, data_dir=tmp_path, step="user_imports")
        replay.load(ctx)
        entry = replay.stored_imports()[0]
        got = con.execute("""SELECT value, file_name, import_id, strftime(imported_at, '%Y-%m-%dT%H:%M:%S'), imported_by
                             FROM imported_value WHERE indicator_id = 'reussite_brevet'
                             AND territory_code = 'QP001001' AND edition = 2023""").fetchone()
        # replayed with the import's own identity (date and author), not the rebuild's
        assert got == (85.5, "local.csv", entry["import_id"], entry["imported_at"], entry["imported_by"])
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
        assert con.execute("SELECT count(*) FROM imported_value WHERE indicator_id = 'reussite_brevet'"
                           ).fetchone()[0] == 0
    finally:
        con.close()
    assert json.loads(replay.manifest_path().read_text(encoding="utf-8"))[0]["kind"] == "indicateurs"
