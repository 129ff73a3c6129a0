"""One text rule in the store (issue 19 item 2), on both engines: every write path — import, table editor
(store.apply of diff_frames), point d'étape form (store.edit), bulk inserts — refuses NUL and other control
characters, bidirectional overrides, texts over the field's length, formulas and HTML, with the same French
message naming the field, and writes nothing. A NUL in a programmation cell used to be stored on DuckDB and
to kill a PostgreSQL import with a raw psycopg.DataError: both now give the same refusal with line and column.
"""
from __future__ import annotations

import pytest

from contract import store
from contract.roles import User
from loaders.__main__ import main
from tests import saisie_targets as st

C = "CNTEST01"
EDITOR = User("marie", "chef_de_projet", contrats=(C,), nom="Marie", authenticated=True)


def _seed(target) -> dict:
    with store.edit(EDITOR, target) as tx:
        tx.register_contract(C, "Contrat de test", [{"quartier_code": "QN99901A", "nom": "Les Tilleuls",
                                                     "communes": "Testville"}])
        sig = tx.insert("signataire", {"contrat_code": C, "nom": "CAF de test", "type_signataire": "caf"})
        eng = tx.insert("engagement", {"contrat_code": C, "code": "E1", "signataire_id": sig,
                                       "intitule": "RDV des droits", "statut": "prevu"})
        act = tx.insert("action", {"contrat_code": C, "annee": 2025, "numero_dossier": "D1", "porteur_nom": "Asso",
                                   "intitule": "Soutien scolaire", "statut": "depose"})
    return {"sig": sig, "eng": eng, "action": act}


BAD = [("Soutien\x00 scolaire", "caractère de contrôle NUL (U+0000) en position 8"),
       ("Asso\u202eFDP", "caractère d'inversion du sens d'écriture RLO (U+202E) en position 5"),
       ("+cmd|' /C calc'!A0", "formule de tableur"),
       ("-2+3+cmd|' /C calc'!A0", "formule de tableur"),
       ("<img/src=x onerror=alert(1)>", "balise HTML ou lien de script"),
       ("<svg/onload=alert(1)>", "balise HTML ou lien de script"),
       ("x" * 501, "texte trop long (501 caractères ; au plus 500 pour un texte d'une ligne)")]


@pytest.mark.parametrize("value, why", BAD, ids=["nul", "bidi", "dde", "dde-arith", "img", "svg", "long"])
def test_the_table_editor_path_is_refused_with_the_field_named(saisie_target, value, why):
    """pages edit a snapshot and save store.diff_frames(...) through store.apply: the store refuses."""
    ids = _seed(saisie_target)
    before = st.dump(saisie_target)
    with store.connect(saisie_target) as con:
        snap = store.editable_rows(con, "action", ["porteur_nom", "intitule"], contrat=C)
    after = snap.copy()
    after.loc[0, "porteur_nom"] = value
    edits = store.diff_frames("action", snap, after)
    assert [e.op for e in edits] == ["update"] and edits[0].row_id == ids["action"]
    with pytest.raises(store.TextRefused) as exc:
        store.apply(edits, EDITOR, saisie_target)
    assert str(exc.value) == (f"Texte refusé dans « Porteur » (actions) : {why}. Attendu : {exc.value.expected}. "
                              "Rien n'a été enregistré.")
    assert value not in str(exc.value)                               # the message never repeats the text
    assert st.dump(saisie_target) == before


def test_the_point_d_etape_form_and_bulk_inserts_are_refused(saisie_target):
    ids = _seed(saisie_target)
    before = st.dump(saisie_target)
    point = {"contrat_code": C, "engagement_id": ids["eng"], "date_point": "2026-11-30", "statut": "en_cours"}
    with pytest.raises(store.TextRefused) as exc, store.edit(EDITOR, saisie_target) as tx:   # the form's write
        tx.insert("engagement_point", {**point, "commentaire": "RAS<script>alert(1)</script>"})
    assert str(exc.value).startswith("Texte refusé dans « Commentaire » (points d'étape) : balise HTML ou lien de script.")
    with pytest.raises(store.TextRefused) as exc, store.edit(EDITOR, saisie_target) as tx:
        tx.insert_many("engagement_point", [{**point, "commentaire": "ok"}, {**point, "commentaire": "x" * 5001}])
    assert exc.value.row == 1 and exc.value.column == "commentaire"
    assert "texte trop long (5 001 caractères ; au plus 5 000 pour un texte libre)" in str(exc.value)
    with pytest.raises(store.TextRefused), store.edit(EDITOR, saisie_target) as tx:
        tx.update("engagement", ids["eng"], 1, {"code": "E-" + "1" * 70})           # a code: 60 characters
    assert st.dump(saisie_target) == before
    with store.edit(EDITOR, saisie_target) as tx:                 # free text keeps its line breaks and tabs
        tx.insert("engagement_point", {**point, "commentaire": "Deux permanences :\n\t- mardi\n\t- jeudi"})
    with store.connect(saisie_target) as con:
        assert con.execute("SELECT commentaire FROM engagement_point").fetchone()[0] == \
            "Deux permanences :\n\t- mardi\n\t- jeudi"


NUL_CSV = ("N° dossier;Année;Porteur;Intitulé de l'action;Quartiers;Statut\n"
           "2026-31-0001;2026;Asso A;Soutien scolaire;Tous;Accordé\n"
           "2026-31-0002;2026;Asso B;Médiation\x00 de nuit;Tous;Déposé\n")


def test_a_nul_in_a_programmation_cell_is_refused_alike_on_both_engines(warehouse, saisie_target, tmp_path, capsys):
    path = tmp_path / "programmation.csv"
    path.write_bytes(NUL_CSV.encode("utf-8"))
    with store.connect(saisie_target):
        pass
    before = st.dump(saisie_target)
    for extra in (["--verifier"], []):
        code = main(["import", "programmation", str(path), "--contrat", "CN03103I", "--saisie-db", str(saisie_target),
                     "--db", str(warehouse), *extra])
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err and "DataError" not in err
        assert err == ("ERREUR : 1 erreur(s) dans programmation.csv :\n  - programmation.csv, ligne 3, colonne "
                       "« Intitulé de l'action » : caractère de contrôle NUL (U+0000) en position 10 (attendu : du "
                       "texte imprimable : retirez le caractère invisible (souvent collé depuis un autre logiciel) en "
                       "retapant le texte)\n")
    assert st.dump(saisie_target) == before


def test_survey_options_and_question_headers_follow_the_rule(warehouse, saisie_target, tmp_path, capsys):
    path = tmp_path / "barometre.csv"
    path.write_text("Quartier;Q1 - Je me sens bien dans mon quartier\nQN03104M;Plutôt d'accord\n", encoding="utf-8")
    base = ["import", "enquete", str(path), "--contrat", "CN03103I", "--saisie-db", str(saisie_target), "--db",
            str(warehouse)]
    with store.connect(saisie_target):
        pass
    before = st.dump(saisie_target)
    for option, value, why in (("--enquete", "<img/src=x onerror=alert(1)>", "balise HTML ou lien de script"),
                               ("--libelle-vague", "Vague\u202e 2", "caractère d'inversion du sens d'écriture"),
                               ("--methode", "=HYPERLINK(\"http://x\")", "formule de tableur")):
        assert main([*base, option, value]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"ERREUR : barometre.csv, colonne « {option} » : option {option} refusée : {why}"), err
    bad_header = tmp_path / "entetes.csv"
    bad_header.write_text("Quartier;Q1 - <svg/onload=alert(1)>\nQN03104M;Oui\n", encoding="utf-8")
    assert main(["import", "enquete", str(bad_header), *base[3:]]) == 1
    assert ("entetes.csv, ligne 1, colonne « Q1 - <svg/onload=alert(1)> » : en-tête de question refusé : balise HTML"
            in capsys.readouterr().err)
    assert st.dump(saisie_target) == before


def test_the_store_and_the_imports_share_one_declaration():
    """Each import field landing in a store column carries that column's rule (contract.store declares it)."""
    from contract.imports import engagements, programmation, referentiel
    from readers.text import CODE, FREE

    assert programmation.FIELD_BY_NAME["objectif"].text is FREE
    assert programmation.FIELD_BY_NAME["numero_dossier"].text is CODE
    assert engagements.FIELD_BY_NAME["commentaire"].text is FREE
    assert engagements.FIELD_BY_NAME["intitule"].text is FREE
    assert referentiel.FIELD_BY_NAME["code"].text is CODE
    assert referentiel.FIELD_BY_NAME["enjeu"].text is store.TABLES["ref_noeud"].text_rule("libelle")
