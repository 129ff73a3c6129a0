"""Programmation link of issue 15: a beneficiaries file per action → « part des bénéficiaires résidant en
QPV » per action and per quartier, stored as counts only, shown from 5 beneficiaries, feeding money vs need.

Points are drawn inside the warehouse's real contours of CN00604I's quartiers (QN00612M Ariane, QN00611M
Paillon, Nice) with shapely, independently of the engine; far points are Nice addresses outside every
quartier (checked here against the contours).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from contract import store
from indicators import programmation as prog
from indicators.__main__ import main as indicators_main
from loaders.__main__ import main

C = "CN00604I"
PROG = ("N° dossier;Année;Porteur;Intitulé de l'action;Quartiers;Statut;Montant accordé État (P147)\n"
        "2025-06-0201;2025;Asso A;Soutien scolaire;QN00612M;Accordé;5 000\n"
        "2025-06-0202;2025;Asso B;Sorties familles;QN00611M;Soldé;2 000\n")
FAR_NICE = [(43.6961, 7.2719), (43.7031, 7.2556)]     # Nice, Vieux-Nice and Carré d'Or: no quartier there


def _inside(con, code: str, n: int, seed: int) -> list[tuple[float, float]]:
    """n random points strictly inside the warehouse contour of `code`, at least 60 m from its boundary."""
    g = shapely.make_valid(shapely.from_wkb(bytes(con.execute(
        "SELECT geom FROM territory_geom WHERE code = ? AND kind = 'contour'", [code]).fetchone()[0])))
    inner = shapely.buffer(g, -0.0008)                 # ≈ 60-90 m inside at Nice's latitude
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = inner.bounds
    out = []
    while len(out) < n:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if inner.contains(shapely.Point(x, y)):
            out.append((y, x))
    return out


@pytest.fixture()
def saisie(tmp_path, warehouse):
    path = tmp_path / "saisie.duckdb"
    (tmp_path / "prog.csv").write_text(PROG, encoding="utf-8")
    assert main(["import", "programmation", str(tmp_path / "prog.csv"), "--contrat", C, "--saisie-db", str(path),
                 "--db", str(warehouse)]) == 0
    return path


def _benef_file(con, tmp_path) -> tuple:
    ariane = _inside(con, "QN00612M", 6, 1)
    paillon = _inside(con, "QN00611M", 3, 2)
    rows = ["Dossier;Nom;Latitude;Longitude"]
    rows += [f"2025-06-0201;Personne {i};{lat:.6f};{lon:.6f}" for i, (lat, lon) in enumerate(ariane)]
    rows += [f"2025-06-0201;Loin {i};{lat};{lon}" for i, (lat, lon) in enumerate(FAR_NICE)]
    rows += ["2025-06-0201;Sans adresse;;"]
    rows += [f"2025-06-0202;Famille {i};{lat:.6f};{lon:.6f}" for i, (lat, lon) in enumerate(paillon)]
    path = tmp_path / "beneficiaires.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, ariane


def test_far_points_are_outside_every_contour(con):
    polys = [shapely.from_wkb(bytes(g)) for (g,) in con.execute(
        "SELECT geom FROM territory_geom WHERE kind = 'contour' AND generation = '2024'").fetchall()]
    assert not any(p.contains(shapely.Point(lon, lat)) for lat, lon in FAR_NICE for p in polys)


def test_counts_only_are_stored_and_shares_follow_the_threshold(con, warehouse, saisie, tmp_path, capsys):
    path, ariane = _benef_file(con, tmp_path)
    assert indicators_main(["beneficiaires", str(path), "--contrat", C, "--saisie-db", str(saisie), "--db",
                            str(warehouse)]) == 0
    assert "ni nom, ni adresse, ni coordonnées" in capsys.readouterr().out
    with store.connect(saisie) as sc:
        rows = sc.execute("SELECT a.numero_dossier, r.lieu, r.n FROM action_residence r JOIN action a "
                          "ON a.id = r.action_id ORDER BY 1, 2").fetchall()
        assert rows == [("2025-06-0201", "QN00612M", 6), ("2025-06-0201", "non", 2),
                        ("2025-06-0201", "non_geolocalisee", 1), ("2025-06-0202", "QN00611M", 3)]
        # nothing of the file but counts: no name, no coordinate anywhere in the database
        dump = " ".join(str(v) for t in ("action_residence", "import_log", "audit")
                        for row in sc.execute(f'SELECT * FROM "{t}"').fetchall() for v in row)
        assert "Personne" not in dump and f"{ariane[0][0]:.6f}" not in dump and f"{ariane[0][1]:.6f}" not in dump
        by_action = prog.residence_by_action(sc, C, 2025).set_index("numero_dossier")
        by_q = prog.residence_by_quartier(sc, C, 2025).set_index("quartier_code")
        need = prog.money_vs_need(sc, con, C, 2025).set_index("quartier_code")
    # 2025-06-0201: 6 in Ariane out of 8 located (the row without coordinates is not located) = 75 %
    a = by_action.loc["2025-06-0201"]
    assert (a["part_qpv"], a["part_qpv_status"], a["part_cible"]) == (75.0, "ok", 75.0)
    assert a["n_localises_shown"] == 8
    # 2025-06-0202: 3 located beneficiaries < 5 → hidden, never a number
    b = by_action.loc["2025-06-0202"]
    assert pd.isna(b["part_qpv"]) and b["part_qpv_status"] == "effectif_insuffisant"
    assert "n_qpv" not in by_action.columns                          # raw person counts do not leave
    assert (by_q.loc["QN00612M", "part_qpv"], by_q.loc["QN00612M", "n_residents_shown"]) == (75.0, 6)
    assert by_q.loc["QN00611M", "n_residents_status"] == "effectif_insuffisant"
    assert by_q.loc["QN00601M", "part_qpv_status"] == "non_disponible"          # no file for its actions
    assert need.loc["QN00612M", "benef_part_qpv"] == 75.0 and need.loc["QN00612M", "benef_residents"] == 6


def test_unknown_dossier_refuses_the_file_and_reimport_needs_remplacer(con, warehouse, saisie, tmp_path, capsys):
    bad = tmp_path / "mauvais.csv"
    bad.write_text("N° dossier;latitude;longitude\n2025-06-0201;43,70;7,27\n2099-01-0001;43,70;7,27\n",
                   encoding="utf-8")
    args = ["--contrat", C, "--saisie-db", str(saisie), "--db", str(warehouse)]
    assert indicators_main(["beneficiaires", str(bad), *args]) == 2
    err = capsys.readouterr().err
    assert "mauvais.csv, ligne 3, colonne « N° dossier » : dossier « 2099-01-0001 » absent" in err
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT count(*) FROM action_residence").fetchone()[0] == 0
    path, _ = _benef_file(con, tmp_path)
    assert indicators_main(["beneficiaires", str(path), *args]) == 0
    assert indicators_main(["beneficiaires", str(path), *args]) == 2
    assert "--remplacer" in capsys.readouterr().err
    assert indicators_main(["beneficiaires", str(path), *args, "--remplacer"]) == 0
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT sum(n) FROM action_residence").fetchone()[0] == 12
        assert sc.execute("SELECT count(*) FROM import_log WHERE kind = 'beneficiaires'").fetchone()[0] == 2


def test_demo_contract_has_residences_marked_demo(demo_saisie):
    with store.connect(demo_saisie) as sc:
        n, n_demo = sc.execute("SELECT count(*), count(*) FILTER (WHERE is_demo) FROM action_residence").fetchone()
        assert n > 0 and n == n_demo
        shown = prog.residence_by_quartier(sc, C, 2025)
    assert (shown["part_qpv_status"] == "ok").any()
    assert shown.loc[shown["part_qpv_status"] == "ok", "part_qpv"].between(0, 100).all()


def test_page_upload_uses_the_same_lookup(con, warehouse, saisie, tmp_path):
    """The Programmation page hands ui.mapdata.locate (the cached contours of the Localiser page) to the
    same import function as the command line."""
    from contract.imports import beneficiaires
    from contract.roles import User
    from ui import mapdata

    path, _ = _benef_file(con, tmp_path)
    res = beneficiaires.import_file(path, C, locate=mapdata.locate, annee=2025, saisie_db=saisie,
                                    user=User("marie", "edition", contrats=(C,), authenticated=True))
    assert res["rows"] == 12
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT sum(n) FROM action_residence WHERE lieu = 'QN00612M'").fetchone()[0] == 6
