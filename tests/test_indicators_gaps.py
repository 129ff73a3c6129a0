"""Reference territories and gaps (indicators/references.py, indicators/gaps.py) on real quartiers.

Expected numbers are read from the raw files by tests/test_indicators_raw.py (csv module, no loader code);
the quartier -> EPCI/département/région facts come from the COG (epci.json members, départements.json).
"""
from __future__ import annotations

import pytest
from test_indicators_raw import REF, SIG, value

from indicators import gaps, references

FILO19 = f"{SIG}/data_filo19_qp_revdis.csv"

# quartier, EPCI (epci.json: the quartier's commune is a member), département, région (departements.json)
CASES = [
    ("QP031006", "243100518", "31", "76"),  # Occitanie — Pradettes, Toulouse (Toulouse Métropole)
    ("QP013032", "200054807", "13", "93"),  # PACA — Centre Ville Canet Arnavaux…, Marseille (6 arrondissements)
    ("QP093035", "200054781", "93", "11"),  # Île-de-France — Saint-Denis / Stains (Métropole du Grand Paris)
]


def _row(df, indicator_id, level, code=None):
    sub = df[(df.indicator_id == indicator_id) & (df.level == level)]
    if code is not None:
        sub = sub[sub.ref_code == code]
    assert len(sub) == 1, (indicator_id, level, code, sub)
    return sub.iloc[0]


@pytest.mark.parametrize("code, epci, dep, reg", CASES)
def test_income_gap_is_a_ratio_to_the_filo_reference_of_the_same_year(con, code, epci, dep, reg):
    df = gaps.gaps(con, code, edition=2019, indicator_ids=["rev_disp_median"])
    q = value(FILO19, code, "DISP_MED_A19")  # quartier median, income 2019
    expected = {
        ("epci", epci): value(f"{REF}/FILO2019_DISP_EPCI.csv", epci, "Q219"),
        ("departement", f"DEP{dep}"): value(f"{REF}/FILO2019_DISP_DEP.csv", dep, "Q219"),
        ("region", f"REG{reg}"): value(f"{REF}/FILO2019_DISP_REG.csv", reg, "Q219"),
        ("france", "FRM"): value(f"{REF}/FILO2019_DISP_METROPOLE.csv", "1", "Q219"),
        ("ensemble_qpv", "ENSQP2015"): value(FILO19, "Ensemble", "DISP_MED_A19"),
    }
    for (level, ref_code), ref in expected.items():
        r = _row(df, "rev_disp_median", level, ref_code)
        assert r.value == q and r.edition == 2019
        assert r.ref_value == ref and r.ref_edition == 2019 and r.ref_status == "ok"
        assert r.gap_kind == "ratio"
        assert r.gap == pytest.approx(q / ref, rel=1e-12)


def test_toulouse_ratio_by_hand(con):
    # data_filo19_qp_revdis.csv line 290 QP031006 DISP_MED_A19 = 13 860;
    # FILO2019_DISP_EPCI.csv line 862 (243100518 Toulouse Métropole) Q219 = 23090 -> 0.6003
    r = _row(gaps.gaps(con, "QP031006", 2019, ["rev_disp_median"]), "rev_disp_median", "epci")
    assert r.gap == pytest.approx(13860 / 23090)


@pytest.mark.parametrize("code", [c[0] for c in CASES])
def test_poverty_gap_in_points_vs_ensemble_and_status_elsewhere(con, code):
    df = gaps.gaps(con, code, edition=2019, indicator_ids=["tx_pauvrete"])
    q = value(FILO19, code, "DISP_TP60_A19")
    ens = value(FILO19, "Ensemble", "DISP_TP60_A19")  # line 2: 43,6
    r = _row(df, "tx_pauvrete", "ensemble_qpv")
    assert (r.value, r.ref_value, r.gap_kind) == (q, ens, "points")
    assert r.gap == pytest.approx(q - ens)
    # FILO*_DISP_EPCI/DEP/REG/METROPOLE publish no poverty rate: a status, never another level's value
    for level in ("epci", "departement", "region", "france"):
        r = _row(df, "tx_pauvrete", level)
        assert r.ref_value is None or r.ref_value != r.ref_value  # None/NaN
        assert r.ref_status in ("absent", "non_disponible") and (r.gap is None or r.gap != r.gap)
    # communes carry no Filosofi value in the warehouse
    assert set(df[df.level == "commune"].ref_status) <= {"absent", "non_disponible"}


def test_secret_cell_comes_back_without_a_number(con):
    # data_filo19_qp_revdis.csv line 894, QP075005 (Paris 13e, Jeanne d'Arc - Clisson): DISP_TP60_A19 empty
    # (secret) while DISP_MED_A19 = 19 140 is published.
    assert value(FILO19, "QP075005", "DISP_TP60_A19") is None
    df = gaps.gaps(con, "QP075005", 2019, ["tx_pauvrete", "rev_disp_median"])
    pov = df[df.indicator_id == "tx_pauvrete"]
    assert set(pov.status) == {"secret"}
    assert pov.value.isna().all() and pov.gap.isna().all()
    med = _row(df, "rev_disp_median", "france")
    assert med.value == 19140.0 and med.status == "ok"
    # PACA: IPRO_2022.csv, QP006009 (Nice, Résidence Sociale Nicéa): TX_TOT_EMPL empty
    assert value(f"{SIG}/IPRO_2022.csv", "QP006009", "TX_TOT_EMPL") is None
    emp = gaps.gap_rows(con, "QP006009", 2022, ["tx_emploi"])
    assert {r["status"] for r in emp} == {"secret"} and all(r["value"] is None for r in emp)


def test_reference_territories_of_a_multi_commune_quartier_with_a_resolved_link(con):
    # DEMO_2022.csv QP093035 LIB_COM = "Pierrefitte-sur-Seine, Stains": Pierrefitte is now a commune déléguée
    # of Saint-Denis (93066) in the COG — the warehouse reports it in link_report (status 'resolved').
    issues = references.link_issues(con, "QP093035")
    assert any(i["relation"] == "qpv_commune" and i["status"] == "resolved" for i in issues)
    refs = references.reference_territories(con, "QP093035")
    communes = {r["code"]: r for r in refs if r["level"] == "commune"}
    assert set(communes) == {"93066", "93072"}  # Saint-Denis, Stains (communes.json)
    assert communes["93066"]["link_status"] == "fuzzy" and communes["93066"]["method"] == "cog_commune_deleguee"
    assert communes["93072"]["link_status"] == "ok"
    levels = [r["level"] for r in refs]
    for lv in ("epci", "contrat_de_ville", "departement", "region", "france", "ensemble_qpv"):
        assert lv in levels
    # a contract the warehouse could not link stays listed with a status, never replaced by another level
    cv = [r for r in refs if r["level"] == "contrat_de_ville"]
    if any(i["relation"] == "qpv_contrat" and i["status"] == "unmatched" for i in issues):
        assert [(r["code"], r["link_status"]) for r in cv] == [(None, "non_disponible")]
    else:
        assert cv and all(r["code"] for r in cv)


def test_ambiguous_epci_lists_every_candidate(con):
    # link_report: QP095002 qpv_epci 'ambiguous' — communes du quartier dans plusieurs EPCI : 200054781, 200058519
    issues = [i for i in references.link_issues(con, "QP095002") if i["relation"] == "qpv_epci"]
    assert issues and issues[0]["status"] == "ambiguous"
    refs = [r for r in references.reference_territories(con, "QP095002") if r["level"] == "epci"]
    epcis = {r["code"] for r in refs}
    assert epcis == {"200054781", "200058519"} and {r["link_status"] for r in refs} == {"ambiguous"}
    df = gaps.gaps(con, "QP095002", 2019, ["rev_disp_median"], levels=["epci"])
    q = value(FILO19, "QP095002", "DISP_MED_A19")
    for epci in epcis:
        r = _row(df, "rev_disp_median", "epci", epci)
        assert r.gap == pytest.approx(q / value(f"{REF}/FILO2019_DISP_EPCI.csv", epci, "Q219"))


def test_unknown_code_is_a_clear_error(con):
    with pytest.raises(references.UnknownTerritory, match="QP999999"):
        gaps.gaps(con, "QP999999")


def test_gap_value_and_disadvantage():
    assert gaps.gap_value(45.0, 43.6, "points") == pytest.approx(1.4)
    assert gaps.gap_value(13860, 23090, "ratio") == pytest.approx(0.60026, abs=1e-5)
    assert gaps.gap_value(5, None, "points") is None and gaps.gap_value(5, 4, "none") is None
    assert gaps.disadvantage(1.4, "points", "higher_worse") == pytest.approx(1.4)
    assert gaps.disadvantage(0.6, "ratio", "higher_better") == pytest.approx(0.4)
    assert gaps.disadvantage(3.0, "points", "neutral") is None
