"""A newcomer's first import, right on the first try (issue 20 item 3), at the import level and on both saisie
engines: the engagements template of Toulouse Métropole (CN03103I) names Toulouse's own quartiers and
signataire, never another contract's; five real-looking commitments are typed under its example row; the
optional « Points d'étape » sheet is left as it came; the dry run accepts the file, writes nothing, speaks in
the conditional and previews French numbers and dates; saving stores the five commitments. Then the
référentiel, imported the same way, and updated with --remplacer without erasing a value typed in the app.
(The same flow in Chromium: tests/test_browser_first_import.py.)
"""
from __future__ import annotations

import hashlib
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from contract import store
from contract.imports import engagements, referentiel, templates
from contract.roles import User
from indicators import referentiel as ref
from observatoire import db
from presentation import imports as report
from tests import saisie_targets as st

TOULOUSE = "CN03103I"
CLAIRE = User("claire", "chef_de_projet", contrats=(TOULOUSE,), nom="Claire Martin", authenticated=True)
COMMITMENTS = [   # N° engagement, Signataire, Type, Référent, Axe, Objectif, Engagement, Indicateur, Réf., Cible, Échéance
    ["TM-01", "Toulouse Métropole", "EPCI", "Direction emploi", "Emploi et insertion", "Rapprocher l'emploi",
     "Ouvrir deux permanences emploi au Mirail", "Permanences ouvertes", "0", "2", datetime(2026, 12, 31),
     "En cours"],
    ["TM-02", "Caisse d'allocations familiales de la Haute-Garonne", "CAF", None, "Petite enfance", None,
     "Créer 40 places d'accueil du jeune enfant à Bagatelle", "Places créées", "1 234,5", "1 274,5", "30/06/2027",
     "Prévu"],
    ["TM-03", "Toulouse Métropole", "EPCI", None, "Cadre de vie", None,
     "Rénover l'éclairage des cheminements des Izards", None, None, None, "31/12/2027", "Prévu"],
    ["TM-04", "Préfecture de la Haute-Garonne", "État", "Déléguée du préfet", "Emploi et insertion", None,
     "Financer 12 postes d'adultes-relais", "Postes financés", "10", "12", datetime(2027, 3, 31), "En cours"],
    ["TM-05", "Caisse d'allocations familiales de la Haute-Garonne", "CAF", None, "Accès aux droits", None,
     "Tenir un rendez-vous des droits par mois à Empalot", None, None, None, None, "Prévu"],
]


def _sha(target) -> str | None:
    """The DuckDB file's bytes (None for PostgreSQL, compared row by row by dump())."""
    return None if store.engines.is_url(str(target)) else hashlib.sha256(Path(target).read_bytes()).hexdigest()


@pytest.fixture()
def toulouse_template(warehouse, saisie_target) -> bytes:
    wh = db.connect(warehouse, read_only=True)
    try:
        with store.connect(saisie_target) as sc:
            ctx = templates.context(TOULOUSE, sc, wh)
    finally:
        wh.close()
    return templates.build("engagements", **ctx)


def test_the_template_is_toulouse_s_own(toulouse_template):
    wb = openpyxl.load_workbook(io.BytesIO(toulouse_template))
    data, points, notice = wb["Engagements"], wb["Points d'étape"], wb["Notice"]
    example = [c.value for c in data[2]]
    assert example[:3] == ["EXEMPLE — ENG-001", "Toulouse Métropole", "EPCI"]
    every_cell = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Alpes-Maritimes" not in every_cell and "CAF" not in " ".join(map(str, example))
    assert data.cell(2, 1).comment.text.startswith("Ligne d'exemple")
    assert [c.value for c in points[2]][0] == "EXEMPLE — ENG-001"
    listed = [r[1] for r in notice.iter_rows(values_only=True) if r[1] and str(r[1]).startswith("QN031")]
    assert listed[:3] == ["QN03104M", "QN03105M", "QN03106I"] and len(listed) == 16     # Toulouse's 16 quartiers


def test_five_commitments_first_try_then_saved(toulouse_template, warehouse, saisie_target, tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(toulouse_template))
    ws = wb["Engagements"]
    headers = [c.value for c in ws[1]]
    for row in COMMITMENTS:
        ws.append(row + [None] * (len(headers) - len(row)))
    path = tmp_path / "engagements Toulouse.xlsx"
    wb.save(path)                                       # « Points d'étape » left as it came: its example only
    with store.connect(saisie_target):
        pass
    before = st.dump(saisie_target)
    file_before = _sha(saisie_target)
    check = engagements.import_file(path, TOULOUSE, verifier=True, user=CLAIRE, saisie_db=saisie_target, db=warehouse)
    assert st.dump(saisie_target) == before and _sha(saisie_target) == file_before   # the dry run wrote nothing
    assert report.headline(check) == ("Vérification de « engagements Toulouse.xlsx » (engagements du contrat "
                                      "CN03103I) : fichier valide, 5 lignes — rien n'a encore été enregistré.")
    assert report.detail_lines(check)[:2] == [
        "5 engagements seraient ajoutés, 3 signataires seraient créés.",
        "Lignes d'exemple du modèle ignorées : ligne 2, et ligne 2 de la feuille « Points d'étape ».",
    ]
    preview = report.preview_rows(check)
    assert [r["Ligne"] for r in preview] == ["3", "4", "5", "6", "7"]
    assert [r["Échéance"] for r in preview] == ["31/12/2026", "30/06/2027", "31/12/2027", "31/03/2027", "—"]
    assert [r["Valeur de référence"] for r in preview] == ["0", "1 234,5", "—", "10", "—"]
    assert all("None" not in v and v.lower() != "nan" for r in preview for v in r.values())
    res = engagements.import_file(path, TOULOUSE, user=CLAIRE, saisie_db=saisie_target, db=warehouse)
    assert report.headline(res) == ("Import enregistré : 5 lignes de « engagements Toulouse.xlsx » (engagements du "
                                    "contrat CN03103I).")
    assert report.detail_lines(res)[0] == "5 engagements ajoutés, 3 signataires créés."
    with store.connect(saisie_target) as sc:
        rows = sc.execute("SELECT e.code, s.nom, e.statut, e.valeur_reference, e.echeance FROM engagement e "
                          "JOIN signataire s ON s.id = e.signataire_id WHERE e.contrat_code = ? ORDER BY e.code",
                          [TOULOUSE]).fetchall()
        assert sc.execute("SELECT count(*) FROM engagement_point").fetchone()[0] == 0
        assert sc.execute("SELECT imported_by FROM import_log").fetchall() == [("claire",)]
    assert [(r[0], r[2]) for r in rows] == [("TM-01", "en_cours"), ("TM-02", "prevu"), ("TM-03", "prevu"),
                                            ("TM-04", "en_cours"), ("TM-05", "prevu")]
    assert rows[1][1] == "Caisse d'allocations familiales de la Haute-Garonne" and rows[1][3] == 1234.5
    assert [r[4].isoformat() if r[4] else None for r in rows] == ["2026-12-31", "2027-06-30", "2027-12-31",
                                                                  "2027-03-31", None]


REFERENTIEL = [  # Enjeu, OS, OO, Indicateur, Unité, Réf., Année réf., Cible, Année cible, Catalogue, Territoire, Engagements
    ["Emploi et insertion", "Rapprocher l'emploi des habitants", "Ouvrir des permanences emploi",
     "Permanences emploi ouvertes", "nombre", 0, 2024, 2, 2026, None, None, "TM-01"],
    ["Emploi et insertion", "Rapprocher l'emploi des habitants", "Ouvrir des permanences emploi",
     "Jeunes accompagnés", "nombre", 120, 2024, 200, 2030, None, None, None],
    ["Emploi et insertion", None, None, None, None, None, None, None, None, "tx_pauvrete", "QP031001", None],
    ["Petite enfance", "Accueillir les tout-petits", None, "Places d'accueil créées", "places", 0, 2024, 40, 2027,
     None, None, "TM-02"],
]


def test_referentiel_first_import_then_remplacer_keeps_typed_values(warehouse, con, saisie_target, tmp_path):
    headers = ["Enjeu", "Objectif stratégique", "Objectif opérationnel", "Indicateur", "Unité", "Valeur de référence",
               "Année de référence", "Valeur cible", "Année cible", "Indicateur du catalogue", "Territoire",
               "Engagements liés"]
    wb = openpyxl.Workbook()
    wb.active.append(headers)
    wb.active.append(["EXEMPLE — Réussite éducative"] + [None] * (len(headers) - 1))
    for r in REFERENTIEL:
        wb.active.append(r)
    path = tmp_path / "referentiel.xlsx"
    wb.save(path)
    # the commitments the référentiel links to
    eng = tmp_path / "e.csv"
    eng.write_text("N° engagement;Signataire;Engagement;Statut\nTM-01;Toulouse Métropole;Permanences;En cours\n"
                   "TM-02;CAF de la Haute-Garonne;Places;Prévu\n", encoding="utf-8")
    engagements.import_file(eng, TOULOUSE, user=CLAIRE, saisie_db=saisie_target, db=warehouse)
    check = referentiel.import_file(path, TOULOUSE, verifier=True, user=CLAIRE, saisie_db=saisie_target, db=warehouse)
    assert report.detail_lines(check)[0] == ("5 éléments du référentiel (enjeux et objectifs) seraient ajoutés, "
                                             "4 indicateurs seraient ajoutés, 2 liens vers des actions ou des "
                                             "engagements seraient ajoutés.")
    referentiel.import_file(path, TOULOUSE, user=CLAIRE, saisie_db=saisie_target, db=warehouse)
    with store.connect(saisie_target) as sc:
        tree = ref.tree(sc, TOULOUSE, con)
        inds = ref.indicators(sc, TOULOUSE, con).set_index("libelle")
        nodes = sc.execute("SELECT code, niveau, libelle FROM ref_noeud ORDER BY code").fetchall()
    assert nodes == [("E1", "enjeu", "Emploi et insertion"),
                     ("E1.1", "objectif_strategique", "Rapprocher l'emploi des habitants"),
                     ("E1.1.1", "objectif_operationnel", "Ouvrir des permanences emploi"),
                     ("E2", "enjeu", "Petite enfance"), ("E2.1", "objectif_strategique", "Accueillir les tout-petits")]
    assert [(n["code"], n["total_engagements"], n["fill"]["n_indicateurs"]) for n in tree] == [("E1", 1, 3), ("E2", 1, 1)]
    # the catalogue indicator (label from the catalogue) reads its value in the warehouse: QP031001's latest
    # poverty rate, from the real files
    pov = inds.loc["Taux de pauvreté au seuil de 60 %"]
    expected = con.execute("SELECT value, edition FROM indicator_value WHERE territory_code = 'QP031001' AND "
                           "indicator_id = 'tx_pauvrete' AND value IS NOT NULL ORDER BY edition DESC LIMIT 1").fetchone()
    assert (pov["noeud_code"], pov["valeur_courante"], pov["edition_courante"]) == ("E1", expected[0], expected[1])
    # a value typed in the app survives a re-import whose cell is empty; a new target from the file is taken
    with store.connect(saisie_target) as sc:
        rid, version = sc.execute("SELECT id, row_version FROM ref_indicateur WHERE libelle = 'Jeunes accompagnés'"
                                  ).fetchone()
    store.apply([store.Edit("ref_indicateur", "update", rid, version, {"valeur_actuelle": 150.0})], CLAIRE, saisie_target)
    wb = openpyxl.load_workbook(path)
    wb.active.cell(4, 8).value = 220                       # « Jeunes accompagnés »: target 200 → 220
    wb.save(path)
    res = referentiel.import_file(path, TOULOUSE, remplacer=True, user=CLAIRE, saisie_db=saisie_target, db=warehouse)
    assert report.detail_lines(res)[0] == ("Aucun élément du référentiel (enjeu ou objectif) ajouté, "
                                           "4 indicateurs mis à jour.")
    with store.connect(saisie_target) as sc:
        assert sc.execute("SELECT valeur_cible, valeur_actuelle FROM ref_indicateur WHERE id = ?", [rid]).fetchone() \
            == (220.0, 150.0)
        assert sc.execute("SELECT count(*) FROM ref_lien").fetchone()[0] == 2            # links not repeated


def test_the_template_command_writes_the_contract_s_template(warehouse, tmp_path, capsys):
    """`python -m contract.imports.templates engagements FICHIER --contrat CN03103I` (docs/CONTRAT.md)."""
    out = tmp_path / "modele.xlsx"
    assert templates.main(["engagements", str(out), "--contrat", TOULOUSE, "--db", str(warehouse),
                           "--saisie-db", str(tmp_path / "saisie.duckdb")]) == 0
    assert capsys.readouterr().out == f"Modèle écrit : {out} (contrat {TOULOUSE})\n"
    assert [c.value for c in openpyxl.load_workbook(out)["Engagements"][2]][:2] == ["EXEMPLE — ENG-001",
                                                                                     "Toulouse Métropole"]
    assert templates.main(["engagements", str(out), "--contrat", "CN99999Z", "--db", str(warehouse),
                           "--saisie-db", str(tmp_path / "saisie.duckdb")]) == 1
    assert "contrat de ville « CN99999Z » inconnu" in capsys.readouterr().err


def test_an_optional_sheet_emptied_of_its_example_is_accepted(toulouse_template, warehouse, saisie_target, tmp_path):
    """Issue 20: clearing the example of the optional « Points d'étape » sheet, as anyone would before the first
    review, refused the whole file (« 1 erreur : Ligne 2 | Colonne None | aucune ligne de données sous
    l'en-tête »). A sheet left with its header only is accepted; the commitments are checked as usual."""
    wb = openpyxl.load_workbook(io.BytesIO(toulouse_template))
    ws = wb["Engagements"]
    for row in COMMITMENTS:
        ws.append(row + [None] * (ws.max_column - len(row)))
    points = wb["Points d'étape"]
    points.delete_rows(2, points.max_row)                  # the example cleared: the header alone
    assert points.max_row == 1
    path = tmp_path / "engagements sans points.xlsx"
    wb.save(path)
    check = engagements.import_file(path, TOULOUSE, verifier=True, user=CLAIRE, saisie_db=saisie_target, db=warehouse)
    assert report.headline(check) == ("Vérification de « engagements sans points.xlsx » (engagements du contrat "
                                      "CN03103I) : fichier valide, 5 lignes — rien n'a encore été enregistré.")
    assert report.detail_lines(check)[:2] == ["5 engagements seraient ajoutés, 3 signataires seraient créés.",
                                              "Ligne d'exemple du modèle ignorée : ligne 2."]
