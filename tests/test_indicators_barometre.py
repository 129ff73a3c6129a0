"""Barometer for élus: lights, tolerance, millésime, references and the notes of indicators/barometre.py
(numbers and codes), and the French sentences presentation/barometre.py writes from them, on real quartiers;
expected figures recomputed from the raw files."""
from __future__ import annotations

import pytest
from test_indicators_raw import REF, SIG, table, value

from indicators import barometre, catalog, gaps
from observatoire.frformat import fmt_number
from presentation import barometre as view
from presentation import phrases

F19 = f"{SIG}/data_filo19_qp_revdis.csv"
COMMUNES = "insee_filosofi_communes/cc_filosofi_2021_COM.csv"


def _entry(con, code, indicator_id):
    return {b["indicator_id"]: b for b in barometre.barometre(con, code)}[indicator_id]


def _item(b):
    """The words of an entry, as every document shows them (presentation.barometre)."""
    return view.item_of(b, approx=bool(b.get("approximation")))


def _reasons(b):
    return {n["reason"] for n in b["notes"]}


def test_key_indicators_come_from_the_catalogue(con):
    ids = [b["indicator_id"] for b in barometre.barometre(con, "QP031006")]
    assert ids == catalog.ids(con, barometre=True)
    assert {"tx_pauvrete", "rev_disp_median", "tx_emploi"} <= set(ids)


def test_income_vs_epci_because_the_commune_is_another_year(con):
    b = _entry(con, "QP031006", "rev_disp_median")
    q, e = value(F19, "QP031006", "DISP_MED_A19"), value(f"{REF}/FILO2019_DISP_EPCI.csv", "243100518", "Q219")
    assert (q, e) == (13860.0, 23090.0)  # data_filo19 line 290; FILO2019_DISP_EPCI line 862
    assert b["reference_level"] == "epci" and b["reference_code"] == "243100518"
    assert b["millesime"] == b["reference_edition"] == 2019 and b["tolerance"] == 0.05
    assert b["gap"] == pytest.approx(q / e) and b["light"] == "moins_bien"
    it = _item(b)
    assert it.light.label == "moins bien"
    assert it.sentence == ("En 2019, le revenu disponible médian par unité de consommation (13 860 €) est plus "
                           "bas que celui de l'intercommunalité Toulouse Métropole (23 090 €).")
    assert f"Écart de {fmt_number((1 - q / e) * 100, 0)} %" in it.details[0]          # 40 %, in the details
    # The commune has a median, but of 2021 (Filosofi base communale): an amount is never compared across years.
    assert _reasons(b) == {"unusable", "amount"}
    note = it.details[-1]
    assert "pas de valeur publiée utilisable pour la commune" in note            # never presented as the commune
    assert "2021 pour la commune, 2019 pour le quartier" in note
    assert "un montant en euros n'est pas comparé d'une année à l'autre" in note


def test_poverty_rate_is_compared_with_the_commune_of_another_year(con):
    # Nice, QP006009: DISP_TP60_A19 = 76,3 (2019); Nice (06088) TP6021 = 22,0 (2021): 54 points, far beyond
    # twice the 2-point tolerance -> the commune may be used, both years said.
    b = _entry(con, "QP006009", "tx_pauvrete")
    q, nice = value(F19, "QP006009", "DISP_TP60_A19"), value(COMMUNES, "06088", "TP6021")
    assert (q, nice) == (76.3, 22.0)
    assert (b["reference_level"], b["reference_code"], b["reference_value"]) == ("commune", "06088", nice)
    assert (b["millesime"], b["reference_edition"]) == (2019, 2021)
    assert b["gap"] == pytest.approx(q - nice) and b["light"] == "moins_bien"
    assert _item(b).sentence == ("Le taux de pauvreté au seuil de 60 % (76,3 % en 2019) est plus élevé que celui de "
                                 "la commune de Nice (22,0 % en 2021, dernier millésime publié pour cette référence).")


def test_poverty_rate_falls_back_to_the_ensemble_des_qpv_when_the_years_could_matter(con):
    # Saint-Denis, QP093037: 35,9 % (2019) against Saint-Denis (93066) 36,0 % (2021): within twice the
    # tolerance, the year difference could change the light -> Ensemble des QPV 2019 (43,6 %), and says why.
    b = _entry(con, "QP093037", "tx_pauvrete")
    q, com = value(F19, "QP093037", "DISP_TP60_A19"), value(COMMUNES, "93066", "TP6021")
    ens = value(F19, "Ensemble", "DISP_TP60_A19")
    assert abs(q - com) <= 4 and b["reference_level"] == "ensemble_qpv" and b["reference_value"] == ens
    assert b["gap"] == pytest.approx(q - ens) and b["light"] == "mieux"
    it = _item(b)
    assert "plus bas que celui de l'ensemble des quartiers prioritaires (43,6 %)" in it.sentence
    assert it.details[0].startswith(f"Écart de {fmt_number(ens - q, 1)} points")
    assert "margin" in _reasons(b) and "commune de" not in it.sentence
    assert "inférieur à deux fois la tolérance" in it.details[-1]


def test_within_tolerance_is_comparable(con):
    # Saint-Pierre (La Réunion) QP974005: 43,6 % = Ensemble 43,6 % (commune 97414: 43,0 % in 2021, too close)
    b = _entry(con, "QP974005", "tx_pauvrete")
    assert value(F19, "QP974005", "DISP_TP60_A19") == 43.6 and value(COMMUNES, "97414", "TP6021") == 43.0
    assert b["reference_level"] == "ensemble_qpv" and b["light"] == "comparable" and b["direction"] == "proche"
    it = _item(b)
    assert "est proche de celui de l'ensemble des quartiers prioritaires (43,6 %)" in it.sentence
    assert it.details[0] == "Écart de 0,0 point ; en deçà de 2,0 points, le quartier est dit « comparable »."


def test_secret_commune_gives_status_secret(con):
    # QP059019 lies in Hautmont, Louvroil, Maubeuge and Neuf-Mesnil; Neuf-Mesnil (59424) TP6021 = « s »
    assert table(COMMUNES)[1]["59424"]["TP6021"] == "s"
    rows = [r for r in gaps.gap_rows(con, "QP059019", indicator_ids=["tx_pauvrete"]) if r["level"] == "commune"]
    neuf = next(r for r in rows if r["ref_code"] == "59424")
    assert neuf["other_year"]["status"] == "secret" and neuf["other_year"]["value"] is None
    usable, why = gaps.barometre_reference(neuf, catalog.indicator(con, "tx_pauvrete"), 2.0)
    assert usable is None and (why["reason"], why["status"], why["ref_year"]) == ("status", "secret", 2021)
    assert view.note_text(why, {}) == "la commune : secret statistique (2021)"
    b = _entry(con, "QP059019", "tx_pauvrete")   # another commune of the quartier is used, and named
    assert b["reference_level"] == "commune" and b["reference_code"] != "59424"
    assert "quartier rattaché à plusieurs territoires de ce niveau" in _item(b).details[-1]


def test_a_reference_beyond_the_year_rule_gives_no_light(con):
    """IPRO_2022.csv has no 'Ensemble' row; IPRO_2019.csv has one (TX_TOT_EMPL): 3 years from the quartier's 2022
    value, beyond the year rule of every reference level (2 years, vocabulary `comparison_rules`). The
    baromètre never compares a 2022 value with a 2019 reference: no light (« sans voyant »), and the note says
    why (issue 18: it used to light the 2022 value against the 2019 Ensemble des QPV)."""
    b = _entry(con, "QP031006", "tx_emploi")
    q22 = value(f"{SIG}/IPRO_2022.csv", "QP031006", "TX_TOT_EMPL")
    ens19 = value(f"{SIG}/IPRO_2019.csv", "Ensemble", "TX_TOT_EMPL")
    assert q22 is not None and ens19 is not None
    assert b["edition"] == 2022 and b["value"] == q22
    assert b["light"] is None and b["reference_level"] is None and b["reference_value"] is None
    far = next(n for n in b["notes"] if n["reason"] == "too_far")
    assert (far["level"], far["ref_year"], far["year"]) == ("ensemble_qpv", 2019, 2022)
    it = _item(b)
    assert it.light.label == "sans voyant" and it.light.code is None
    assert "ensemble des quartiers prioritaires : dernière valeur publiée en 2019, à plus de 2 ans du quartier (2022)" \
        in it.details[-1]
    assert fmt_number(ens19, 1) not in it.line + it.sentence   # the 2019 reference is never shown beside 2022
    # the same rule in the fiche's reference table: no Ensemble des QPV value for that 2022 row
    row = [r for r in gaps.gap_rows(con, "QP031006", indicator_ids=["tx_emploi"]) if r["level"] == "ensemble_qpv"][0]
    assert row["other_year"] is None and row["other_year_far"]["edition"] == 2019


def test_evolution_light_uses_non_consecutive_editions_and_tolerance(con):
    b = _entry(con, "QP031006", "rev_disp_median")
    ev = b["evolution"]
    assert (ev["from_edition"], ev["to_edition"]) == (2017, 2019)
    # data_filo17 disp_q2_a17 = 13 260 -> 13 860: +4,5 %, within the 5 % tolerance
    assert value(f"{SIG}/data_filo17_qp_revdis.csv", "QP031006", "disp_q2_a17") == 13260.0
    assert ev["light"] == "comparable" and ev["change"] == "stable" and ev["trend"] == "stable"
    it = _item(b)
    assert "(13 260 € en 2017, 13 860 € en 2019)" in it.trend_sentence
    assert "Variation de 4,5 % ; en deçà de 5 %" in it.details[1]
    emp = _entry(con, "QP031006", "tx_emploi")["evolution"]
    a, b2 = value(f"{SIG}/IPRO_2020.csv", "QP031006", "TX_TOT_EMPL"), value(f"{SIG}/IPRO_2022.csv", "QP031006", "TX_TOT_EMPL")
    assert (emp["from_edition"], emp["to_edition"]) == (2020, 2022)
    assert emp["light"] == ("moins_bien" if b2 - a < -2 else "mieux" if b2 - a > 2 else "comparable")


def test_secret_value_gets_no_light(con):
    b = _entry(con, "QP006009", "tx_emploi")  # IPRO_2022.csv: TX_TOT_EMPL empty for QP006009
    assert b["value"] is None and b["status"] == "secret" and b["light"] is None
    it = _item(b)
    assert it.sentence == "Le taux d'emploi des 15-64 ans n'est pas disponible pour ce quartier (secret statistique)."
    assert it.light.label == "non disponible"      # no value: not « sans voyant » (a shown value without reference)
    assert b["evolution"]["light"] is None


def test_multi_epci_quartier_names_the_one_used(con):
    b = _entry(con, "QP095002", "rev_disp_median")
    assert b["reference_level"] == "epci"
    several = next(n for n in b["notes"] if n["reason"] == "several")
    assert {t["code"] for t in several["territories"]} == {"200054781", "200058519"}
    assert "200054781" in _item(b).details[-1] and "200058519" in _item(b).details[-1]


def test_wording_helpers():
    assert phrases.subject("Taux de pauvreté au seuil de 60 %") == phrases.Subject("Le taux de pauvreté au seuil de 60 %", "celui")
    assert phrases.subject("Part des emplois précaires (à durée limitée)") == phrases.Subject("La part des emplois précaires", "celle")
    assert phrases.subject("Indice de jeunesse") == phrases.Subject("L'indice de jeunesse", "celui")
    assert phrases.subject("Foyers allocataires de la CAF").pronoun == "ceux"
    assert phrases.subject("Part des emplois précaires").agree("bas") == "basse"
    assert barometre.light(3.0, "points", "higher_worse", 2.0) == "moins_bien"
    assert barometre.light(0.97, "ratio", "higher_better", 0.05) == "comparable"
    assert barometre.light(1.2, "ratio", "higher_better", 0.05) == "mieux"
    assert barometre.light(5.0, "points", "neutral", 2.0) is None
