"""Imports of programmation, engagements and enquêtes: realistic files written here with openpyxl / csv,
French numbers and dates, column mapping, all-or-nothing validation with file/line/column errors."""
from __future__ import annotations

import csv
from datetime import datetime

import openpyxl
import pytest

from contract import store
from contract.imports import templates
from indicators import enquetes as enq
from indicators import programmation as prog
from loaders.__main__ import main
from tests.saisie_targets import dump

C = "CN00604I"

PROG_HEADERS = ["N° dossier", "Année", "Porteur", "SIRET", "Type de porteur", "Intitulé de l'action", "Thématique",
                "Quartiers", "Date de dépôt", "Coût total", "Montant sollicité", "Montant sollicité État (P147)",
                "Montant accordé État (P147)", "Montant accordé Commune", "Montant accordé Département",
                "Montant accordé CAF", "Bénéficiaires prévus", "Filles", "Garçons", "12-15 ans", "16-17 ans", "Statut",
                "Observations internes"]
PROG_ROWS = [
    ["2025-06-0101", 2025, "Les Amis du Paillon", "123 456 789 00012", "Association", "Accompagnement à la scolarité",
     "Éducation et réussite éducative", "Paillon (Nice); QN00612M", "15/01/2025", "24 500,00", "12 000", "8 000,00",
     "7 500,00", "2 000", None, None, 40, 22, 18, 30, 10, "Accordé", "RAS"],
    ["2025-06-0102", 2025, "Club Sportif Ariane", None, "asso", "Football féminin", "Lien social, culture et sport",
     "Ariane - Le Manoir - Gares", datetime(2025, 1, 20), 18000, "9 000,00", "6 000", "5 000,00", None, "1 500,00",
     "1 000", 60, 45, 15, None, None, "Soldé", None],
    ["2025-06-0103", 2025, "Santé Pour Tous", None, None, "Médiation santé", "Santé et accès aux droits", "Tous",
     "10/02/2025", "8 000", "4 000,50", "4 000,50", "0", None, None, None, 25, None, None, None, None, "Refusé", None],
    ["2024-06-0050", 2024, "Médiation Nord", "12345678900012", "Association", "Médiation de nuit",
     "Cadre de vie, habitat et tranquillité", "Les Moulins - Le Point Du Jour ; Centre (Vence)", "05/11/2023", "30 000",
     "15 000", "10 000", "10 000", "3 000,00", "2 000", None, 120, 50, 70, None, None, "soldée", None],
]


def _workbook(path, rows, title_rows=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export Dauphin"
    if title_rows:
        ws.append(["Programmation politique de la ville – export du 21/11/2025"])
        ws.append([])
    ws.append(PROG_HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


_dump = dump


def _import(kind, path, saisie, warehouse, *extra):
    return main(["import", kind, str(path), "--contrat", C, "--saisie-db", str(saisie), "--db", str(warehouse), *extra])


@pytest.fixture()
def saisie(tmp_path):
    return tmp_path / "saisie.duckdb"


# --------------------------------------------------------------------------- programmation

def test_realistic_programmation_lands_with_correct_totals(warehouse, saisie, tmp_path, capsys):
    xlsx = _workbook(tmp_path / "programmation 2025.xlsx", PROG_ROWS)
    assert _import("programmation", xlsx, saisie, warehouse) == 0
    out = capsys.readouterr().out
    assert "4 actions ajoutées." in out and "« Observations internes »" in out   # unknown column: listed, ignored
    with store.connect(saisie) as sc:
        years = prog.totals_by_year(sc, C).set_index("annee")
        # 2025: rows 1-3; funded = Accordé + Soldé. Granted: 7 500 + 2 000 (row 1) + 5 000 + 1 500 + 1 000 (row 2).
        assert years.loc[2025, "n_actions"] == 3 and years.loc[2025, "n_financees"] == 2
        assert years.loc[2025, "montant_accorde"] == 17000.0
        assert years.loc[2025, "montant_accorde_p147"] == 12500.0
        assert years.loc[2025, "montant_sollicite"] == pytest.approx(25000.5)     # 12 000 + 9 000,00 + 4 000,50
        assert years.loc[2024, "montant_accorde"] == 15000.0                       # 10 000 + 3 000,00 + 2 000
        fin = prog.totals_by_financeur(sc, C, 2025).set_index("financeur")["montant_accorde"].to_dict()
        assert fin == {"etat_p147": 12500.0, "commune": 2000.0, "departement": 1500.0, "caf": 1000.0}
        sexes = prog.beneficiaries(sc, C, 2025, by="sexe").set_index("sexe")["n"].to_dict()
        assert sexes == {"F": 67, "M": 33}                                        # 22 + 45 ; 18 + 15
        assert prog.beneficiaries_total(sc, C, 2025) == (100, "ok", 2)
        ages = prog.beneficiaries(sc, C, 2025, by="age").set_index("tranche_age")["n"].to_dict()
        assert ages == {"12-15": 30, "16-17": 10}
        a = sc.execute("SELECT porteur_siret, porteur_type, date_depot, cout_total FROM action "
                       "WHERE numero_dossier = '2025-06-0101'").fetchone()
        assert a == ("12345678900012", "association", datetime(2025, 1, 15).date(), 24500.0)
        assert sc.execute("SELECT statut FROM action WHERE numero_dossier = '2024-06-0050'").fetchone()[0] == "solde"
        # « Tous » → the 10 quartiers of the contract; names (with the commune when ambiguous) → codes
        qs = dict(sc.execute("SELECT a.numero_dossier, string_agg(q.quartier_code, ',' ORDER BY q.quartier_code) "
                             "FROM action a JOIN action_quartier q ON q.action_id = a.id GROUP BY 1").fetchall())
        assert qs["2025-06-0101"] == "QN00611M,QN00612M"
        assert qs["2024-06-0050"] == "QN00608I,QN00613M"
        assert len(qs["2025-06-0103"].split(",")) == 10
        # money against need: row 1 split in two (4 750 each), row 2 on QN00612M (7 500).
        need = prog.money_vs_need(sc, None, C, 2025).set_index("quartier_code")
        assert need.loc["QN00612M", "montant_accorde"] == 12250.0 and need.loc["QN00611M", "montant_accorde"] == 4750.0
        log = sc.execute("SELECT kind, file_name, rows, imported_by FROM import_log").fetchall()
        assert log[0][:3] == ("programmation", "programmation 2025.xlsx", 4) and log[0][3].startswith("cli:")
        assert sc.execute("SELECT count(*) FROM audit WHERE op = 'insert' AND table_name = 'action'").fetchone()[0] == 4


def test_money_per_poor_inhabitant_uses_the_2015_quartier_as_an_approximation(warehouse, con, saisie, tmp_path):
    _import("programmation", _workbook(tmp_path / "p.xlsx", PROG_ROWS), saisie, warehouse)
    with store.connect(saisie) as sc:
        need = prog.money_vs_need(sc, con, C, 2025).set_index("quartier_code")
    r = need.loc["QN00612M"]
    # No INSEE file for 2024 quartiers: QN00612M ← QP006014 (crosswalk). DEMO_2022.csv line 51: POP_MUN 11 800;
    # data_filo19_qp_revdis.csv line 52: DISP_TP60_A19 45,9.
    assert (r["method"], r["codes_2015"], r["population"], r["tx_pauvrete"]) == ("approx_qp2015", "QP006014", 11800, 45.9)
    assert r["euros_par_habitant"] == pytest.approx(12250 / 11800)
    assert r["euros_par_pauvre"] == pytest.approx(12250 / (11800 * 0.459))
    # QN00614N has no 2015 predecessor in the crosswalk: honestly « non disponible ».
    assert need.loc["QN00614N", "status_habitant"] == "non_disponible"


BROKEN_ROWS = [
    ["2025-06-0201", 2025, "Asso A", "123", "Association", "Action A", "Éducation et réussite éducative", "Centre",
     "31/02/2025", "12 OOO", "1 000", None, "800", None, None, None, 40, 30, 20, None, None, "Accordé", None],
    ["2025-06-0202", 2025, None, None, "Association", "Action B", None, "Quartier inconnu", "01/02/2025", None, None,
     None, "-5", None, None, None, 10, None, None, None, None, "peut-être", None],
    ["2025-06-0201", 2025, "Asso C", None, "Association", "Action C", None, "QN00612M", None, None, None, None, None,
     None, None, None, None, None, None, None, None, "Déposé", None],
]


def test_broken_programmation_is_refused_with_lines_and_columns_and_nothing_changes(warehouse, saisie, tmp_path, capsys):
    assert _import("programmation", _workbook(tmp_path / "ok.xlsx", PROG_ROWS), saisie, warehouse) == 0
    before = _dump(saisie)
    capsys.readouterr()
    bad = _workbook(tmp_path / "programmation cassée.xlsx", BROKEN_ROWS)
    assert _import("programmation", bad, saisie, warehouse) == 1
    err = capsys.readouterr().err
    # Header on line 3 (two title lines), data from line 4.
    expected = [
        "ligne 4, colonne « SIRET (col. D) » : SIRET « 123 » invalide",
        "ligne 4, colonne « Quartiers (col. H) » : quartier « Centre » ambigu : Centre (Carros), Centre (Nice), Centre (Vence)",
        "ligne 4, colonne « Date de dépôt (col. I) » : date invalide « 31/02/2025 »",
        "ligne 4, colonne « Coût total (col. J) » : valeur non numérique « 12 OOO »",
        "ligne 4, colonne « Filles (col. R) » : filles + garçons (50) dépasse le total des bénéficiaires prévus (40)",
        "ligne 5, colonne « Porteur (col. C) » : valeur obligatoire manquante",
        "ligne 5, colonne « Quartiers (col. H) » : quartier « Quartier inconnu » inconnu dans ce contrat",
        "ligne 5, colonne « Montant accordé État (P147) (col. M) » : montant négatif « -5 »",
        "ligne 5, colonne « Statut (col. V) » : valeur « peut-être » non reconnue",
        "ligne 6, colonne « N° dossier (col. A) » : dossier « 2025-06-0201 » en double (déjà ligne 4)",
    ]
    assert "ERREUR : 10 erreur(s) dans programmation cassée.xlsx" in err
    for e in expected:
        assert e in err, e
    assert _dump(saisie) == before


def test_reimport_needs_remplacer_and_then_updates_in_place(warehouse, saisie, tmp_path, capsys):
    xlsx = _workbook(tmp_path / "p.xlsx", PROG_ROWS)
    assert _import("programmation", xlsx, saisie, warehouse) == 0
    with store.connect(saisie) as sc:
        first_id = sc.execute("SELECT id FROM action WHERE numero_dossier = '2025-06-0102'").fetchone()[0]
    before = _dump(saisie)
    assert _import("programmation", xlsx, saisie, warehouse) == 1
    assert "dossier « 2025-06-0101 » (2025) déjà importé pour ce contrat" in capsys.readouterr().err
    assert _dump(saisie) == before
    changed = [list(r) for r in PROG_ROWS]
    changed[1][12] = "5 500,00"                        # Montant accordé État (P147) of 2025-06-0102
    assert _import("programmation", _workbook(tmp_path / "p2.xlsx", changed), saisie, warehouse, "--remplacer") == 0
    with store.connect(saisie) as sc:
        row = sc.execute("SELECT a.id, f.montant_accorde FROM action a JOIN action_financement f ON f.action_id = a.id "
                         "WHERE a.numero_dossier = '2025-06-0102' AND f.financeur = 'etat_p147'").fetchone()
        assert row == (first_id, 5500.0)                # same action id: référentiel links survive
        assert prog.totals_by_year(sc, C).set_index("annee").loc[2025, "montant_accorde"] == 17500.0


def test_csv_with_column_mapping_and_verifier(warehouse, saisie, tmp_path, capsys):
    path = tmp_path / "suivi.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Dossier", "Nom de l'association", "Titre", "QPV", "Subvention Etat", "Etat", "Exercice"])
        w.writerow(["A-1", "Asso Un", "Atelier vélo", "QN00609I", "1 234,50", "Voté", "2026"])
        w.writerow(["A-2", "Asso Deux", "Jardin partagé", "Les Sagnes", "2 000", "Déposé", "2026"])
    args = ["--map", "Nom de l'association=porteur_nom", "--map", "Subvention Etat=montant_accorde_etat_p147"]
    assert _import("programmation", path, saisie, warehouse, *args, "--verifier") == 0
    out = capsys.readouterr().out
    assert "rien n'a encore été enregistré" in out and "2 actions seraient ajoutées." in out
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT count(*) FROM action").fetchone()[0] == 0
    assert _import("programmation", path, saisie, warehouse, *args) == 0
    with store.connect(saisie) as sc:
        t = prog.totals_by_year(sc, C).set_index("annee")
        assert (t.loc[2026, "n_financees"], t.loc[2026, "montant_accorde_p147"]) == (1, 1234.5)
    assert _import("programmation", path, saisie, warehouse, "--map", "Subvention Etat=champ_inconnu") == 1
    assert "champ « champ_inconnu » inconnu dans --map" in capsys.readouterr().err


def test_real_programmation_replaces_the_demo_programmation(warehouse, saisie, tmp_path):
    from contract import demo
    demo.load(warehouse, saisie)
    assert _import("programmation", _workbook(tmp_path / "p.xlsx", PROG_ROWS), saisie, warehouse) == 0
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT count(*), count(*) FILTER (WHERE is_demo) FROM action").fetchone() == (4, 0)
        assert not prog.is_demo(sc, C)
        # the démo commitments stay (another kind of data), still marked démo
        assert sc.execute("SELECT bool_and(is_demo) FROM engagement").fetchone()[0] is True
        assert sc.execute("SELECT count(*) FROM ref_lien WHERE action_id IS NOT NULL").fetchone()[0] == 0


# --------------------------------------------------------------------------- engagements

def _engagements_workbook(path, statut_e2="Réalisé"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tableau de bord"
    ws.append(["N°", "Signataire", "Référent", "Axe", "Engagement", "Indicateur", "Valeur de référence", "Cible",
               "Échéance", "Statut", "Date du point", "Commentaire"])
    ws.append(["E-01", "Caisse d'allocations familiales des Alpes-Maritimes", "Mme Durand", "Accès aux droits",
               "Rendez-vous des droits dans chaque quartier", "RDV réalisés", "600", "780", "31/12/2026", "En cours",
               "11/12/2025", "Permanences ouvertes dans 6 quartiers"])
    ws.append(["E-02", "Côte d'Azur Habitat", "M. Martin", "Cadre de vie", "Programme d'actions TFPB", None, None, None,
               "30/06/2025", statut_e2, None, None])
    ws.append([None, "Ville de Nice", None, None, "Ouvrir les accueils de loisirs le samedi", None, None, None, None,
               "prévu", None, None])
    wp = wb.create_sheet("Points d'étape")
    wp.append(["N° engagement", "Date", "Statut", "Valeur constatée", "Commentaire"])
    wp.append(["E-01", "26/06/2025", "en cours", "610", "Démarrage"])
    wp.append(["E-02", datetime(2025, 6, 26), "Réalisé", None, "Programme voté"])
    wb.save(path)
    return path


def test_engagements_with_points_sheet(warehouse, saisie, tmp_path, capsys):
    from datetime import date

    from indicators import engagements as eng
    xlsx = _engagements_workbook(tmp_path / "engagements.xlsx")
    assert _import("engagements", xlsx, saisie, warehouse) == 0
    assert "3 engagements ajoutés, 3 signataires créés, 3 points d'étape ajoutés." in capsys.readouterr().out
    with store.connect(saisie) as sc:
        types = dict(sc.execute("SELECT nom, type_signataire FROM signataire").fetchall())
        assert types == {"Caisse d'allocations familiales des Alpes-Maritimes": "caf", "Côte d'Azur Habitat": "bailleur",
                         "Ville de Nice": "commune"}
        assert sc.execute("SELECT code FROM engagement ORDER BY code").fetchall() == [("E-01",), ("E-02",), ("ENG-001",)]
        hist = eng.history(sc, sc.execute("SELECT id FROM engagement WHERE code = 'E-01'").fetchone()[0])
        assert [(f"{d:%Y-%m-%d}", s, None if v != v else v)
                for d, s, v in zip(hist["date_point"], hist["statut"], hist["valeur_constatee"])] == [
            ("2025-06-26", "en_cours", 610.0), ("2025-12-11", "en_cours", None)]
        counts = eng.status_counts(sc, C, as_of=date(2026, 1, 15)).set_index("signataire")
        assert counts.loc["Ensemble", "realise"] == 1 and counts.loc["Ensemble", "total"] == 3
        assert counts.loc["Ensemble", "taux_realisation"] == pytest.approx(100 / 3)
    # second import of the same file is refused; with --remplacer E-02 changes status, audited
    assert _import("engagements", xlsx, saisie, warehouse) == 1
    assert "engagement « E-01 » déjà importé" in capsys.readouterr().err
    again = _engagements_workbook(tmp_path / "engagements2.xlsx", statut_e2="En retard")
    assert _import("engagements", again, saisie, warehouse, "--remplacer") == 0
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT statut FROM engagement WHERE code = 'E-02'").fetchone()[0] == "en_retard"
        assert sc.execute("SELECT old_value, new_value FROM audit WHERE column_name = 'statut'").fetchall() == [
            ("realise", "en_retard")]
        assert sc.execute("SELECT count(*) FROM engagement_point").fetchone()[0] == 3   # identical points not repeated


def test_engagements_point_for_an_unknown_commitment_is_refused(warehouse, saisie, tmp_path, capsys):
    path = _engagements_workbook(tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Points d'étape"].append(["E-99", "01/01/2026", "En cours", None, None])
    wb.save(path)
    assert _import("engagements", path, saisie, warehouse) == 1
    assert ("ligne 4, colonne « N° engagement (col. A) » : feuille « Points d'étape » : engagement « E-99 » inconnu"
            in capsys.readouterr().err)
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT count(*) FROM engagement").fetchone()[0] == 0


# --------------------------------------------------------------------------- enquête

def _survey_csv(path, extra_header=None, bad_answer=False):
    """33 respondents: 12 in QN00612M, 15 in QN00608I, 6 in QN00611M. Q1 answers per quartier below."""
    rows = []
    plan = {"QN00612M": ["Tout à fait d'accord"] * 3 + ["Plutôt d'accord"] * 5 + ["Pas du tout d'accord"] * 3 + ["NSP"],
            "QN00608I": ["Plutôt d'accord"] * 6 + ["Plutôt pas d'accord"] * 9,
            "QN00611M": ["Plutôt d'accord"] * 6}
    i = 0
    for q, answers in plan.items():
        for a in answers:
            i += 1
            rows.append([f"R{i:03d}", q, "14/10/2025", a, "Oui" if i % 3 else "Non", "Très bien" if i == 1 else "",
                         "oui" if i == 1 else "non"])
    if bad_answer:
        rows[4][3] = "Bof"
    header = ["Identifiant", "Quartier", "Date", "Q1 - Je me sens bien dans mon quartier",
              "Q2 - Connaissez-vous le conseil citoyen ?", "Commentaire libre", "Publiable"]
    if extra_header:
        header.append(extra_header)
        rows = [r + ["x"] for r in rows]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerows(rows)
    return path


def test_survey_import_and_barometer(warehouse, saisie, tmp_path):
    path = _survey_csv(tmp_path / "barometre.csv")
    assert _import("enquete", path, saisie, warehouse, "--enquete", "Baromètre 2025", "--vague", "1") == 0
    with store.connect(saisie) as sc:
        eid = sc.execute("SELECT id FROM enquete").fetchone()[0]
        pseudos = [r[0] for r in sc.execute("SELECT pseudo FROM repondant").fetchall()]
        assert len(pseudos) == 33 and not any(p.startswith("R0") for p in pseudos)    # identifiers are hashed
        b = enq.barometer(sc, C, eid).query("question_code == 'Q1'").set_index("quartier_code")
        verb = enq.verbatims(sc, C, eid)
    # QN00608I: 6 favourable of 15 → 40 %. Wilson 95 % by hand: z² = 3,8415, denominator 1 + z²/15 = 1,2561,
    # centre (0,4 + z²/30) / 1,2561 = 0,42039, half-width 1,96·√(0,24/15 + z²/900) / 1,2561 = 0,22215
    # → [19,82 % ; 64,25 %]
    assert (b.loc["QN00608I", "n"], b.loc["QN00608I", "k"]) == (15, 6)
    assert b.loc["QN00608I", "part"] == pytest.approx(40.0)
    assert (b.loc["QN00608I", "bas"], b.loc["QN00608I", "haut"]) == (pytest.approx(19.82, abs=0.01),
                                                                      pytest.approx(64.25, abs=0.01))
    # QN00611M: 6 answers < 10 → hidden; QN00612M (11 valid answers: NSP excluded) is then hidden too
    # (secondary secrecy: the Ensemble minus QN00608I would give it back).
    assert b.loc["QN00611M", "status"] == "effectif_insuffisant" and b.loc["QN00611M", "part"] != b.loc["QN00611M", "part"]
    assert b.loc["QN00611M", "n"] is None or str(b.loc["QN00611M", "n"]) == "<NA>"
    assert b.loc["QN00612M", "status"] == "effectif_insuffisant"
    # Ensemble: 8 + 6 + 6 = 20 favourable of 11 + 15 + 6 = 32 valid answers
    assert (b.loc["ENSEMBLE", "n"], b.loc["ENSEMBLE", "k"]) == (32, 20)
    assert b.loc["ENSEMBLE", "n_exclues"] == 1
    # one publishable verbatim, from QN00612M (12 respondents ≥ 10: its quartier may be named)
    assert verb["texte"].tolist() == ["Très bien"] and verb["quartier_code"].tolist() == ["QN00612M"]


def test_survey_with_personal_data_or_unknown_answers_is_refused(warehouse, saisie, tmp_path, capsys):
    assert _import("enquete", _survey_csv(tmp_path / "a.csv", extra_header="Téléphone"), saisie, warehouse) == 1
    assert "colonne « Téléphone » : colonne de données personnelles refusée" in capsys.readouterr().err
    assert _import("enquete", _survey_csv(tmp_path / "b.csv", bad_answer=True), saisie, warehouse) == 1
    err = capsys.readouterr().err
    assert "b.csv, ligne 6, colonne « Q1 - Je me sens bien dans mon quartier » : réponse « Bof » hors de l'échelle" in err
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT count(*) FROM repondant").fetchone()[0] == 0


# --------------------------------------------------------------------------- templates

@pytest.mark.parametrize("kind", list(templates.KINDS))
def test_each_template_filled_below_its_example_imports_cleanly(warehouse, saisie, tmp_path, capsys, kind):
    """The template of the contract: its example row is ignored (and said so); the same row typed below it
    without the « EXEMPLE » mark imports cleanly — the example is valid for THIS contract."""
    from observatoire import db

    wh = db.connect(warehouse, read_only=True)
    try:
        ctx = templates.context(C, None, wh)
    finally:
        wh.close()
    path = tmp_path / templates.file_name(kind)
    path.write_bytes(templates.build(kind, **ctx))
    wb = openpyxl.load_workbook(path)
    assert "Notice" in wb.sheetnames
    data = wb.worksheets[0]
    example = [c.value for c in data[2]]
    assert str(example[0]).startswith("EXEMPLE — ")
    assert _import(kind, path, saisie, warehouse, "--verifier") == 1          # the example alone: no data row
    assert "la ligne d'exemple du modèle (ligne 2) est ignorée" in capsys.readouterr().err
    data.append([str(example[0]).replace("EXEMPLE — ", "")] + example[1:])
    wb.save(path)
    assert _import(kind, path, saisie, warehouse, "--verifier") == 0
    out = capsys.readouterr().out
    assert "fichier valide, 1 ligne —" in out and "d'exemple du modèle ignorée" in out
    assert _import(kind, path, saisie, warehouse) == 0


def test_import_as_a_lecture_or_partner_account_is_refused(warehouse, saisie, tmp_path):
    """The page's upload uses import_file with the logged-in user: only an edition account may import."""
    from contract.roles import PermissionDenied, User
    from contract.imports import programmation
    xlsx = _workbook(tmp_path / "p.xlsx", PROG_ROWS)
    with store.connect(saisie):
        pass
    before = _dump(saisie)
    for user in (User("elu", "elu", authenticated=True),
                 User("caf", "partenaire", contrats=(C,), signataire="CAF", authenticated=True),
                 User("autre", "chef_de_projet", contrats=("CN01303M",), authenticated=True)):
        with pytest.raises(PermissionDenied):
            programmation.import_file(xlsx, C, user=user, saisie_db=saisie, db=warehouse)
    refused = [r for r in _dump(saisie)["audit"] if r not in before["audit"]]
    assert sorted((r[4], r[5]) for r in refused) == [("autre", "refus"), ("caf", "refus"), ("elu", "refus")]
    assert {**_dump(saisie), "audit": before["audit"]} == before     # nothing else: each refusal is audited
    res = programmation.import_file(xlsx, C, user=User("marie", "chef_de_projet", contrats=(C,), authenticated=True),
                                    saisie_db=saisie, db=warehouse)
    assert res["rows"] == 4
    with store.connect(saisie) as sc:
        assert sc.execute("SELECT DISTINCT imported_by FROM import_log").fetchall() == [("marie",)]
