"""Barometer for élus (indicators/barometre.py): lights, tolerance, millésime and French sentences, on real
quartiers; expected figures recomputed from the raw files."""
from __future__ import annotations

import pytest
from test_indicators_raw import REF, SIG, value

from indicators import barometre, catalog
from observatoire.frformat import fmt_number

F19 = f"{SIG}/data_filo19_qp_revdis.csv"


def _entry(con, code, indicator_id):
    return {b["indicator_id"]: b for b in barometre.barometre(con, code)}[indicator_id]


def test_key_indicators_come_from_the_catalogue(con):
    ids = [b["indicator_id"] for b in barometre.barometre(con, "QP031006")]
    assert ids == catalog.ids(con, barometre=True)
    assert {"tx_pauvrete", "rev_disp_median", "tx_emploi"} <= set(ids)


def test_income_vs_epci_because_communes_have_no_value(con):
    b = _entry(con, "QP031006", "rev_disp_median")
    q, e = value(F19, "QP031006", "DISP_MED_A19"), value(f"{REF}/FILO2019_DISP_EPCI.csv", "243100518", "Q219")
    assert (q, e) == (13860.0, 23090.0)  # data_filo19 line 290; FILO2019_DISP_EPCI line 862
    assert b["reference_level"] == "epci" and b["reference_code"] == "243100518"
    assert b["millesime"] == b["reference_edition"] == 2019 and b["tolerance"] == 0.05
    assert b["gap"] == pytest.approx(q / e) and b["light"] == "moins_bien" and b["light_label"] == "moins bien"
    assert b["sentence"] == ("En 2019, le revenu disponible médian par unité de consommation (13 860 €) est plus "
                             "bas que celui de l'intercommunalité Toulouse Métropole (23 090 €).")
    assert f"Écart de {fmt_number((1 - q / e) * 100, 0)} %" in b["gap_sentence"]          # 40 %, in the details
    assert "pas de valeur publiée pour la commune" in b["reference_note"]  # never presented as the commune


def test_poverty_rate_is_compared_with_the_ensemble_des_qpv_and_says_so(con):
    # Nice, QP006009: DISP_TP60_A19 = 76,3 vs Ensemble 43,6 (data_filo19 lines 2 and QP006009)
    b = _entry(con, "QP006009", "tx_pauvrete")
    q, ens = value(F19, "QP006009", "DISP_TP60_A19"), value(F19, "Ensemble", "DISP_TP60_A19")
    assert b["reference_level"] == "ensemble_qpv" and b["reference_value"] == ens
    assert b["gap"] == pytest.approx(q - ens) and b["light"] == "moins_bien"
    assert "plus élevé que celui de l'ensemble des quartiers prioritaires (43,6 %)" in b["sentence"]
    assert "pas de valeur publiée pour la commune ni l'intercommunalité" in b["reference_note"]
    assert "commune de" not in b["sentence"]


def test_within_tolerance_is_comparable(con):
    # Toulouse QP031006: 45,0 % vs 43,6 % -> 1,4 point, tolerance 2 points
    b = _entry(con, "QP031006", "tx_pauvrete")
    assert b["light"] == "comparable" and b["direction"] == "proche"
    assert "est proche de celui de l'ensemble des quartiers prioritaires (43,6 %)" in b["sentence"]
    assert b["gap_sentence"] == "Écart de 1,4 point ; en deçà de 2,0 points, le quartier est dit « comparable »."


def test_points_of_difference_wording(con):
    # Argenteuil/Bezons QP095002: 64,6 % vs 43,6 % -> 21,0 points de plus
    b = _entry(con, "QP095002", "tx_pauvrete")
    q = value(F19, "QP095002", "DISP_TP60_A19")
    assert q == 64.6 and b["gap_sentence"].startswith("Écart de 21,0 points")


def test_reference_of_an_earlier_millesime_keeps_the_headline_value(con):
    """IPRO_2022.csv has no 'Ensemble' row; IPRO_2019.csv has one (TX_TOT_EMPL): the light compares the
    quartier's 2022 value (the headline) with the 2019 reference, and the sentence names both millésimes."""
    b = _entry(con, "QP031006", "tx_emploi")
    assert b["edition"] == b["millesime"] == 2022 and b["reference_edition"] == 2019
    q22 = value(f"{SIG}/IPRO_2022.csv", "QP031006", "TX_TOT_EMPL")
    ens19 = value(f"{SIG}/IPRO_2019.csv", "Ensemble", "TX_TOT_EMPL")
    assert b["value"] == q22 and b["reference_value"] == ens19 and b["gap"] == pytest.approx(q22 - ens19)
    assert f"({fmt_number(q22, 1)} % en 2022)" in b["sentence"]
    assert f"({fmt_number(ens19, 1)} % en 2019, dernier millésime publié pour cette référence)" in b["sentence"]
    assert "aucune référence publiée pour 2022, dernière publiée : 2019" in b["reference_note"]


def test_evolution_light_uses_non_consecutive_editions_and_tolerance(con):
    b = _entry(con, "QP031006", "rev_disp_median")
    ev = b["evolution"]
    assert (ev["from_edition"], ev["to_edition"]) == (2017, 2019)
    # data_filo17 disp_q2_a17 = 13 260 -> 13 860: +4,5 %, within the 5 % tolerance
    assert value(f"{SIG}/data_filo17_qp_revdis.csv", "QP031006", "disp_q2_a17") == 13260.0
    assert ev["light"] == "comparable" and ev["change"] == "stable"
    assert "(13 260 € en 2017, 13 860 € en 2019)" in ev["sentence"]
    assert "Variation de 4,5 %" in ev["detail"] and "5 %" in ev["detail"]
    emp = _entry(con, "QP031006", "tx_emploi")["evolution"]
    a, b2 = value(f"{SIG}/IPRO_2020.csv", "QP031006", "TX_TOT_EMPL"), value(f"{SIG}/IPRO_2022.csv", "QP031006", "TX_TOT_EMPL")
    assert (emp["from_edition"], emp["to_edition"]) == (2020, 2022)
    assert emp["light"] == ("moins_bien" if b2 - a < -2 else "mieux" if b2 - a > 2 else "comparable")


def test_secret_value_gets_no_light(con):
    b = _entry(con, "QP006009", "tx_emploi")  # IPRO_2022.csv: TX_TOT_EMPL empty for QP006009
    assert b["value"] is None and b["status"] == "secret" and b["light"] is None
    assert "secret statistique" in b["sentence"]
    assert b["evolution"]["light"] is None


def test_multi_epci_quartier_names_the_one_used(con):
    b = _entry(con, "QP095002", "rev_disp_median")
    assert b["reference_level"] == "epci"
    assert "200054781" in b["reference_note"] and "200058519" in b["reference_note"]


def test_wording_helpers():
    assert barometre.noun_phrase("Taux de pauvreté au seuil de 60 %") == ("Le taux de pauvreté au seuil de 60 %", "celui")
    assert barometre.noun_phrase("Part des emplois précaires (à durée limitée)") == ("La part des emplois précaires", "celle")
    assert barometre.noun_phrase("Indice de jeunesse") == ("L'indice de jeunesse", "celui")
    assert barometre.noun_phrase("Foyers allocataires de la CAF")[1] == "ceux"
    assert barometre.light(3.0, "points", "higher_worse", 2.0) == "moins_bien"
    assert barometre.light(0.97, "ratio", "higher_better", 0.05) == "comparable"
    assert barometre.light(1.2, "ratio", "higher_better", 0.05) == "mieux"
    assert barometre.light(5.0, "points", "neutral", 2.0) is None
