"""Indicator functions of contract life on small inputs whose results are computed by hand in the comments,
then on the démo and on the real State means of the warehouse."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from contract import store
from contract.roles import User
from indicators import engagements as eng
from indicators import enquetes as enq
from indicators import programmation as prog
from indicators import means as means_mod
from indicators import referentiel as ref

C = "CNTEST01"
ED = User("test", "edition", authenticated=True)


def _ben(action_id, phase, cells):
    return [{"contrat_code": C, "action_id": action_id, "phase": phase, "sexe": s, "tranche_age": a, "n": n}
            for (s, a), n in cells.items()]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("ind") / "saisie.duckdb"
    with store.edit(ED, path) as tx:
        tx.register_contract(C, "Contrat test", [{"quartier_code": "QA", "nom": "Quartier A", "communes": "Ville"},
                                                 {"quartier_code": "QB", "nom": "Quartier B", "communes": "Ville"}])
        A = lambda **kw: tx.insert("action", {"contrat_code": C, "porteur_nom": "P", "intitule": "I", **kw})  # noqa: E731
        a1 = A(annee=2025, numero_dossier="A1", statut="accorde", thematique="Sport")
        a2 = A(annee=2025, numero_dossier="A2", statut="solde", thematique="Éducation")
        a3 = A(annee=2025, numero_dossier="A3", statut="refuse", thematique="Sport")
        a4 = A(annee=2024, numero_dossier="A4", statut="accorde", thematique="Sport")
        tx.insert_many("action_quartier", [{"contrat_code": C, "action_id": a, "quartier_code": q}
                                           for a, q in ((a1, "QA"), (a2, "QA"), (a2, "QB"), (a3, "QB"), (a4, "QB"))])
        tx.insert_many("action_financement", [
            {"contrat_code": C, "action_id": a, "financeur": f, "montant_sollicite": s, "montant_accorde": g}
            for a, f, s, g in ((a1, "etat_p147", 1000.0, 1000.0), (a1, "commune", 600.0, 500.0),
                               (a2, "etat_p147", 2000.0, 2000.0), (a3, "etat_p147", 4000.0, 0.0),
                               (a4, "etat_p147", 800.0, 800.0))])
        tx.insert_many("action_beneficiaire",
                       _ben(a1, "prevu", {("*", "*"): 20, ("F", "*"): 3, ("M", "*"): 17, ("*", "12-15"): 20,
                                          ("F", "12-15"): 3, ("M", "12-15"): 17})
                       + _ben(a2, "prevu", {("*", "*"): 30, ("F", "*"): 15, ("M", "*"): 15})
                       + _ben(a2, "realise", {("*", "*"): 25, ("F", "*"): 14, ("M", "*"): 11})
                       + _ben(a4, "prevu", {("*", "*"): 4, ("F", "*"): 2, ("M", "*"): 2}))
        s1 = tx.insert("signataire", {"contrat_code": C, "nom": "S1", "type_signataire": "caf"})
        s2 = tx.insert("signataire", {"contrat_code": C, "nom": "S2", "type_signataire": "etat"})
        E = lambda code, sig, statut, ech, axe: tx.insert("engagement", {  # noqa: E731
            "contrat_code": C, "code": code, "signataire_id": sig, "intitule": code, "statut": statut,
            "echeance": ech, "axe": axe})
        E("E1", s1, "realise", date(2025, 6, 30), "Axe 1")
        e2 = E("E2", s1, "en_cours", date(2025, 12, 31), "Axe 1")
        E("E3", s2, "prevu", date(2026, 2, 1), "Axe 2")
        E("E4", s2, "abandonne", None, "Axe 2")
        E("E5", s2, "en_retard", None, "Axe 2")
        tx.insert("engagement_point", {"contrat_code": C, "engagement_id": e2, "date_point": date(2025, 12, 11),
                                       "statut": "en_cours", "instance": "COPIL"})
        # survey: QA 4/20 then 16/20 favourable; QB 10/20 then 11/20; a « ne sait pas » in QA wave 1
        enquete = tx.insert("enquete", {"contrat_code": C, "titre": "T"})
        scale = tx.insert("echelle", {"contrat_code": C, "enquete_id": enquete, "code": "oui_non", "libelle": "Oui/non"})
        yes = tx.insert("echelle_modalite", {"contrat_code": C, "echelle_id": scale, "ordre": 0, "libelle": "Oui",
                                             "favorable": True})
        no = tx.insert("echelle_modalite", {"contrat_code": C, "echelle_id": scale, "ordre": 1, "libelle": "Non"})
        nsp = tx.insert("echelle_modalite", {"contrat_code": C, "echelle_id": scale, "ordre": 2, "libelle": "Ne sait pas",
                                             "exclue": True})
        q = tx.insert("question", {"contrat_code": C, "enquete_id": enquete, "code": "Q1", "libelle": "Q", "echelle_id": scale,
                                   "ordre": 0})
        n = 0
        for wave, plan in ((1, {"QA": (4, 20), "QB": (10, 20)}), (2, {"QA": (16, 20), "QB": (11, 20)})):
            v = tx.insert("enquete_vague", {"contrat_code": C, "enquete_id": enquete, "numero": wave, "libelle": f"V{wave}"})
            for quartier, (k, total) in plan.items():
                extra = [nsp] if (wave, quartier) == (1, "QA") else []
                for i, m in enumerate([yes] * k + [no] * (total - k) + extra):
                    n += 1
                    r = tx.insert("repondant", {"contrat_code": C, "enquete_id": enquete, "vague_id": v, "pseudo": f"p{n}",
                                                "quartier_code": quartier})
                    tx.insert("reponse", {"contrat_code": C, "repondant_id": r, "question_id": q, "modalite_id": m})
                    if i == 0:
                        tx.insert("verbatim", {"contrat_code": C, "enquete_id": enquete, "vague_id": v, "repondant_id": r,
                                               "quartier_code": quartier, "texte": f"{quartier} v{wave}",
                                               "publiable": quartier == "QA"})
        # référentiel
        e1 = tx.insert("ref_noeud", {"contrat_code": C, "niveau": "enjeu", "code": "E1", "libelle": "Enjeu"})
        os1 = tx.insert("ref_noeud", {"contrat_code": C, "parent_id": e1, "niveau": "objectif_strategique", "code": "E1.1",
                                      "libelle": "OS"})
        oo1 = tx.insert("ref_noeud", {"contrat_code": C, "parent_id": os1, "niveau": "objectif_operationnel",
                                      "code": "E1.1.1", "libelle": "OO"})
        tx.insert("ref_lien", {"contrat_code": C, "noeud_id": oo1, "action_id": a1})
        tx.insert("ref_lien", {"contrat_code": C, "noeud_id": oo1, "engagement_id": e2})
        I = lambda code, node, **kw: tx.insert("ref_indicateur", {"contrat_code": C, "noeud_id": node, "code": code,  # noqa: E731
                                                                 "libelle": code, **kw})
        I("I1", os1, valeur_reference=10.0, valeur_cible=20.0, valeur_actuelle=15.0)
        I("I2", os1, valeur_reference=10.0)
        I("I3", e1, catalogue_id="tx_pauvrete", territoire_code="QP006014", valeur_reference=44.8, valeur_cible=40.0)
        I("I4", e1, catalogue_id="tx_pauvrete", territoire_code="QN00612M")
    return path


# --------------------------------------------------------------------------- programmation

def test_totals(small):
    with store.connect(small) as sc:
        y = prog.totals_by_year(sc, C).set_index("annee")
        t = prog.totals_by_theme(sc, C, 2025).set_index("thematique")
        f = prog.totals_by_financeur(sc, C, 2025).set_index("financeur")
    # 2025: A1 (1 000 + 500) and A2 (2 000) funded; A3 refused counts in requests only.
    assert (y.loc[2025, "n_actions"], y.loc[2025, "n_financees"]) == (3, 2)
    assert (y.loc[2025, "montant_accorde"], y.loc[2025, "montant_accorde_p147"]) == (3500.0, 3000.0)
    assert y.loc[2025, "montant_sollicite"] == 7600.0            # 1 000 + 600 + 2 000 + 4 000
    assert y.loc[2024, "montant_accorde"] == 800.0
    assert t.loc["Sport", "montant_accorde"] == 1500.0 and t.loc["Sport", "part"] == pytest.approx(1500 / 3500 * 100)
    assert t.loc["Éducation", "montant_accorde"] == 2000.0
    assert f.loc["etat_p147", "montant_accorde"] == 3000.0 and f.loc["etat_p147", "n_actions"] == 2
    assert f.loc["commune", "montant_sollicite"] == 600.0 and f.loc["commune", "part"] == pytest.approx(500 / 3500 * 100)


def test_beneficiaries_and_secret(small):
    with store.connect(small) as sc:
        by_sex = prog.beneficiaries(sc, C, 2025, by="sexe").set_index("sexe")
        gb = prog.girls_boys(sc, C, 2025).set_index("thematique")
        real = prog.beneficiaries(sc, C, 2025, phase="realise", by="sexe").set_index("sexe")
        acts = prog.actions(sc, C, 2024)
        total_2024 = prog.beneficiaries_total(sc, C, 2024)
        total_2025 = prog.beneficiaries_total(sc, C, 2025)
    # funded 2025: F = 3 + 15, M = 17 + 15
    assert by_sex["n"].tolist() == [18, 32] and by_sex.loc["F", "part"] == pytest.approx(36.0)
    # Sport: 3 girls < 5 → hidden, and the boys too (the theme's total would give the girls back)
    assert gb.loc["Sport", "status"] == "effectif_insuffisant"
    assert pd.isna(gb.loc["Sport", "n_f"]) and pd.isna(gb.loc["Sport", "n_m"]) and pd.isna(gb.loc["Sport", "part_filles"])
    assert gb.loc["Éducation", "part_filles"] == 50.0
    assert gb.loc["Ensemble", "part_filles"] == pytest.approx(18 / 50 * 100)
    assert real["n"].tolist() == [14, 11]
    # A4 plans 4 beneficiaries: below the threshold of 5
    assert total_2024 == (None, "effectif_insuffisant", 1)
    assert total_2025 == (50, "ok", 2)
    assert pd.isna(acts.loc[0, "beneficiaires_prevus"]) and acts.loc[0, "beneficiaires_prevus_statut"] == "effectif_insuffisant"


def test_actions_per_quartier_split_equally(small):
    with store.connect(small) as sc:
        q = prog.actions_per_quartier(sc, C, 2025).set_index("quartier_code")
        need = prog.money_vs_need(sc, None, C, 2025).set_index("quartier_code")
    # QA: A1 1 500 + half of A2 (2 000 / 2); QB: the other half of A2 (A3 refused)
    assert q.loc["QA", "montant_accorde"] == 2500.0 and q.loc["QB", "montant_accorde"] == 1000.0
    assert (q.loc["QA", "n_actions"], q.loc["QA", "n_actions_propres"]) == (2, 1)
    assert (q.loc["QB", "n_actions"], q.loc["QB", "n_actions_propres"]) == (1, 0)
    # without a warehouse the need side is honestly unknown
    assert set(need["status_habitant"]) == {"non_disponible"}


def test_state_means_are_the_real_ones(con):
    means = means_mod.state_means(con, "CN00604I").set_index(["year", "kind"])
    # adulte-relais-2024.json: 67 records with code_cv CN00604I, montant summing to 1 528 310,87 €
    assert means.loc[(2024, "adulte_relais"), "n_posts"] == 67
    assert means.loc[(2024, "adulte_relais"), "amount"] == pytest.approx(1528310.87)
    # postes-fonjep-2025.json lists each of the 17 posts of CN00604I twice (34 records)
    assert (means.loc[(2025, "fonjep"), "n_posts"], means.loc[(2025, "fonjep"), "n_records"]) == (17, 34)
    assert bool(means.loc[(2025, "fonjep"), "partial"]) and not bool(means.loc[(2024, "fonjep"), "partial"])


# --------------------------------------------------------------------------- engagements

def test_engagement_statuses_completion_and_late_items(small):
    as_of = date(2026, 1, 15)
    with store.connect(small) as sc:
        counts = eng.status_counts(sc, C, as_of=as_of).set_index("signataire")
        by_axe = eng.status_counts(sc, C, by="axe", as_of=as_of).set_index("axe")
        late = eng.late(sc, C, as_of)
        due = eng.due_before(sc, C, date(2026, 2, 10), as_of)
        since = eng.reviews_since(sc, C, date(2025, 12, 1))
    # E2 was « en cours » with a due date (31/12/2025) before 15/01/2026: effectively late, like E5.
    ens = counts.loc["Ensemble"]
    assert (ens["realise"], ens["en_retard"], ens["prevu"], ens["abandonne"], ens["total"]) == (1, 2, 1, 1, 5)
    assert ens["taux_realisation"] == pytest.approx(25.0)        # 1 / (5 − 1 abandoned)
    assert counts.loc["S1", "taux_realisation"] == pytest.approx(50.0)
    assert counts.loc["S2", "taux_realisation"] == pytest.approx(0.0)
    assert by_axe.loc["Axe 2", "total"] == 3
    assert late["code"].tolist() == ["E2", "E5"] and late.loc[0, "jours_de_retard"] == 15
    assert due["code"].tolist() == ["E3"]
    assert since["code"].tolist() == ["E2"]


# --------------------------------------------------------------------------- enquêtes

def test_wilson_interval_known_values():
    # 8/10: the textbook Wilson 95 % interval [0,4902 ; 0,9433]
    lo, hi = enq.wilson(8, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)
    # 0/20: upper bound z²/(n + z²) = 3,8415 / 23,8415 = 0,1611
    lo, hi = enq.wilson(0, 20)
    assert lo == 0.0 and round(hi, 4) == 0.1611
    assert enq.wilson(0, 0) == (None, None)


def test_barometer_evolution_and_verbatims(small):
    with store.connect(small) as sc:
        eid = sc.execute("SELECT id FROM enquete").fetchone()[0]
        w1 = enq.barometer(sc, C, eid, vague=1).set_index("quartier_code")
        evo = enq.evolution(sc, C, eid).set_index("quartier_code")
        verb = enq.verbatims(sc, C, eid)
    # QA wave 1: 4 « oui » of 20 valid answers (the « ne sait pas » is excluded but counted apart)
    assert (w1.loc["QA", "k"], w1.loc["QA", "n"], w1.loc["QA", "n_exclues"]) == (4, 20, 1)
    assert w1.loc["QA", "part"] == 20.0
    assert (w1.loc["ENSEMBLE", "k"], w1.loc["ENSEMBLE", "n"]) == (14, 40)
    # QA 20 % → 80 %: Wilson [8,1 ; 41,6] and [58,4 ; 91,9] do not overlap → « hausse nette »
    assert evo.loc["QA", "ecart"] == pytest.approx(60.0) and evo.loc["QA", "lecture"] == "hausse_nette"
    # QB 50 % → 55 %: within the margin
    assert evo.loc["QB", "lecture"] == "incertain"
    # only the publishable verbatims (QA), newest wave first
    assert verb["texte"].tolist() == ["QA v2", "QA v1"]


# --------------------------------------------------------------------------- référentiel

def test_referentiel_tree_and_fill(small, con):
    with store.connect(small) as sc:
        inds = ref.indicators(sc, C, con).set_index("code")
        progress = ref.progress(sc, C, con)
        tree = ref.tree(sc, C, con)
    assert inds.loc["I1", "complet"] and inds.loc["I1", "avancement"] == pytest.approx(50.0)
    assert not inds.loc["I2", "complet"]
    # I3 reads the warehouse: data_filo19_qp_revdis.csv line 52, QP006014, DISP_TP60_A19 = 45,9 (edition 2019)
    assert (inds.loc["I3", "valeur_courante"], inds.loc["I3", "edition_courante"]) == (45.9, 2019)
    assert inds.loc["I3", "avancement"] == pytest.approx((45.9 - 44.8) / (40 - 44.8) * 100)
    # I4: a 2024 quartier, no INSEE file yet
    assert inds.loc["I4", "statut_courant"] == "non_disponible" and not inds.loc["I4", "a_valeur"]
    total = progress[progress["enjeu_code"] == ""].iloc[0]
    assert (total["n_indicateurs"], total["avec_reference"], total["avec_cible"], total["avec_valeur"],
            total["complets"], total["taux_complet"]) == (4, 3, 2, 2, 2, 50.0)
    (root,) = tree
    assert (root["code"], root["total_actions"], root["total_engagements"]) == ("E1", 1, 1)
    assert root["children"][0]["children"][0]["code"] == "E1.1.1"


# --------------------------------------------------------------------------- on the démo

def test_indicators_on_the_demo(demo_saisie, con):
    with store.connect(demo_saisie) as sc:
        assert prog.is_demo(sc, "CN00604I")
        y = prog.totals_by_year(sc, "CN00604I")
        direct = sc.execute("SELECT sum(f.montant_accorde) FROM action_financement f JOIN action a ON a.id = f.action_id "
                            "WHERE a.statut IN ('accorde', 'solde')").fetchone()[0]
        assert y["montant_accorde"].sum() == pytest.approx(direct)
        eid = sc.execute("SELECT id FROM enquete").fetchone()[0]
        b = enq.barometer(sc, "CN00604I", eid)
        resp = sc.execute("SELECT r.quartier_code, count(*) FROM repondant r JOIN enquete_vague v ON v.id = r.vague_id "
                          "WHERE v.numero = 2 GROUP BY 1").fetchall()
        need = prog.money_vs_need(sc, con, "CN00604I", 2025)
        tree = ref.tree(sc, "CN00604I", con)
    small_q = {q for q, n in resp if n < 10}
    assert small_q                                                   # the démo has quartiers under the minimum n
    assert set(b.loc[b["quartier_code"].isin(small_q), "status"]) == {"effectif_insuffisant"}
    assert b.loc[b["status"] == "ok", "n"].min() >= 10
    assert set(need["method"].dropna()) == {"approx_qp2015"}        # 2024 quartiers: via their 2015 predecessors
    assert [n["code"] for n in tree] == ["E1", "E2", "E3", "E4"]
