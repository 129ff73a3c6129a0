"""The indicator library on the small warehouse (conftest.py): every expected number is read in the real
files, as the comments say (file, line or row, column). Aggregates the loaders compute over every commune of
France (populations of départements, régions, France) and national ranks or twins are partial here: the
second tier (tests/test_indicators_*.py) checks them on the full warehouse.
"""
from __future__ import annotations

import pytest

from indicators import barometre, fiche, gaps, means, references, search
from presentation import barometre as barometre_view, fiche as fiche_view
from presentation.sources import indicator_line
from presentation.text import gap_text, value_text

from . import minidata


@pytest.fixture(scope="module")
def qp001001(con):
    return fiche.fiche(con, "QP001001")


def _ind(f: dict, indicator_id: str) -> dict:
    return next(x for x in f["indicators"] if x["indicator_id"] == indicator_id)


def _ref(x: dict, level: str) -> dict:
    return next(r for r in x["references"] if r["level"] == level)


def test_the_unchanged_loaders_built_every_chosen_territory(con):
    have = {c for (c,) in con.execute("SELECT code FROM territory").fetchall()}
    assert set(minidata.QUARTIERS + minidata.COMMUNES + minidata.CONTRATS) <= have
    assert {"200071751", "243100518", "200054807", "200030195", "DEP01", "REG84", "FRM", "ENSQP2015"} <= have
    # DEMO_2022.csv: the 30 chosen 2015 quartiers (no « Ensemble » row in that edition)
    assert con.execute("SELECT count(DISTINCT territory_code) FROM source_value WHERE source_file = 'DEMO_2022.csv'"
                       ).fetchone()[0] == 30


def test_fiche_identity_and_links(qp001001):
    t = qp001001["territory"]
    assert (t["code"], t["name"], t["generation"]) == ("QP001001", "Grande Reyssouze Terre Des Fleurs", "2015")
    assert [c["code"] for c in t["communes"]] == ["01053"]          # DEMO LIB_COM « Bourg-en-Bresse »
    assert t["epci"]["code"] == "200071751" and t["contrat"]["code"] == "CV004"
    assert (t["departement"]["code"], t["region"]["code"]) == ("DEP01", "REG84")
    assert [x["code"] for x in t["crosswalk"]] == ["QN00101M"]       # same name, same commune in 2024


def test_fiche_values_are_the_files(qp001001):
    # data_filo19_qp_revdis.csv line 3 (QP001001): DISP_TP60_A19 = 41,9 ; DISP_MED_A19 = 14 190
    pov, med = _ind(qp001001, "tx_pauvrete"), _ind(qp001001, "rev_disp_median")
    assert (pov["edition"], pov["value"], pov["status"], pov["source_variable"]) == (2019, 41.9, "ok", "DISP_TP60_A19")
    assert (med["edition"], med["value"], med["source_file"]) == (2019, 14190.0, "data_filo19_qp_revdis.csv")
    # DEMO_2022.csv line 2 (QP001001): POP_MUN = 6 490 ; IPRO_2022.csv line 2: TX_TOT_EMPL = 44,6
    pop, emp = _ind(qp001001, "pop"), _ind(qp001001, "tx_emploi")
    assert (pop["edition"], pop["value"], emp["edition"], emp["value"]) == (2022, 6490.0, 2022, 44.6)


def test_references_at_the_same_income_year(qp001001):
    med = _ind(qp001001, "rev_disp_median")
    # Q219 of FILO2019_DISP_EPCI.csv line 636 (200071751), _DEP line 2 (01), _REG line 14 (84),
    # _METROPOLE line 2; DISP_MED_A19 of the « Ensemble » row of data_filo19_qp_revdis.csv (line 2)
    expected = {"epci": 22260.0, "departement": 23490.0, "region": 22610.0, "france": 21930.0,
                "ensemble_qpv": 14010.0}
    for level, v in expected.items():
        r = _ref(med, level)
        assert (r["value"], r["edition"], r["status"]) == (v, 2019, "ok"), level
        assert r["gap"] == pytest.approx(14190 / v), level
    assert _ref(med, "commune")["status"] == "non_disponible"   # Filosofi references publish no commune
    assert gap_text(_ref(med, "epci")["gap"], "ratio") == "×0,64"


def test_poverty_gap_only_against_the_ensemble_des_qpv(con):
    rows = {r["level"]: r for r in gaps.gap_rows(con, "QP001001", indicator_ids=["tx_pauvrete"])}
    # FILO*_DISP files have no poverty rate: 'absent', never another figure
    assert all(rows[lv]["ref_status"] == "absent" and rows[lv]["gap"] is None
               for lv in ("epci", "departement", "region", "france"))
    ens = rows["ensemble_qpv"]   # « Ensemble » row of data_filo19_qp_revdis.csv: DISP_TP60_A19 = 43,6
    assert ens["ref_value"] == 43.6 and ens["gap"] == pytest.approx(41.9 - 43.6)
    assert gap_text(ens["gap"], "points") == "−1,7 pt"


def test_barometre_lights(con):
    by = {b["indicator_id"]: b for b in barometre.barometre(con, "QP001001")}
    # 41,9 (data_filo19, 2019) vs Bourg-en-Bresse 24,0 (cc_filosofi_2021_COM.csv TP6021, 2021): 17,9 points,
    # beyond twice the 2-point tolerance -> compared with the commune across the years (gaps.barometre_reference)
    pov = by["tx_pauvrete"]
    assert (pov["light"], pov["reference_level"], pov["millesime"], pov["reference_edition"]) == (
        "moins_bien", "commune", 2019, 2021)
    words = barometre_view.item_of(pov)                  # the words: presentation/barometre.py
    assert "41,9 % en 2019" in words.sentence and "24,0 % en 2021" in words.sentence
    med = by["rev_disp_median"]  # 14 190 / 22 260 = 0,64: 36 % below the EPCI, beyond the 10 % tolerance
    assert (med["light"], med["reference_level"], med["reference_value"]) == ("moins_bien", "epci", 22260.0)
    words = barometre_view.item_of(med)
    assert "plus bas que" in words.sentence and "22 260 €" in words.sentence   # one value per sentence:
    assert "Écart de 36 %" in words.details[0]                                   # the gap goes to the details


def test_state_means_counting_rule(con):
    df = means.state_means(con, "CN03103I").set_index(["year", "kind"])
    # postes-fonjep-2025.json, code_cv CN03103I: 70 records, 36 distinct id_poste, largest amount per post
    # summed = 254 919 €
    f25 = df.loc[(2025, "fonjep")]
    assert (f25["n_posts"], f25["amount"], f25["n_records"], bool(f25["partial"])) == (36, 254919.0, 70, True)
    # adulte-relais-2024.json, code_cv CN03103I: 92 records, 92 distinct posts, 2 098 576,12 €
    a24 = df.loc[(2024, "adulte_relais")]
    assert (a24["n_posts"], a24["amount"], a24["n_records"]) == (92, pytest.approx(2098576.12), 92)


def test_fiche_means_follow_the_2024_successor(qp001001):
    kinds = {(m["contrat_code"], m["year"], m["kind"]): m for m in qp001001["means"]}
    # adulte-relais-2024.json, code_cv CN00104M (successor QN00101M's contract): 13 posts
    assert kinds[("CN00104M", 2024, "adulte_relais")]["n_posts"] == 13
    assert ("CV004", 2020, "fonjep") in kinds                     # and the 2015 contract's own posts


def test_references_of_a_marseille_quartier(con):
    refs = {r["level"]: r for r in references.reference_territories(con, "QP013032")}
    assert refs["commune"]["code"] == "13055" and refs["epci"]["code"] == "200054807"
    assert (refs["departement"]["code"], refs["region"]["code"]) == ("DEP13", "REG93")
    arr = {p for (p,) in con.execute("SELECT parent_code FROM territory_link WHERE child_code = 'QP013032' "
                                     "AND relation = 'qpv_arrondissement'").fetchall()}
    # DEMO LIB_COM lists six arrondissements (« Marseille 1er Arrondissement, … 15e »)
    assert arr == {"13201", "13202", "13203", "13206", "13214", "13215"}


def test_search(con):
    hits = search.search(con, "reyssouze")
    assert list(hits["code"]) == ["QN00101M", "QP001001"]   # both generations, 2024 first
    assert search.search(con, "qp001001")["code"].iloc[0] == "QP001001"
    assert search.search(con, "Bourg-en-Bresse", levels=("commune",))["code"].tolist() == ["01053"]


def test_presentation_of_key_figures_and_source_line(con, qp001001):
    figures = {k["indicator_id"]: k for k in fiche_view.view(con, "QP001001", n_twins=0).key_figures}
    assert figures["tx_pauvrete"]["value_text"] == "41,9 %" and figures["tx_pauvrete"]["label"].endswith("(2019)")
    assert figures["rev_disp_median"]["value_text"] == value_text(14190, "ok", "€", 0) == "14 190 €"
    assert figures["pop"]["help"].endswith("fichier DEMO_2022.csv, colonne POP_MUN")
    line = indicator_line(con, "rev_disp_median", 2019, "2015", with_files=True)
    assert line == ("Source : INSEE — Filosofi (revenus disponibles localisés) — millésime 2019 — géographie "
                    "prioritaire 2015 — fichiers FILO2019_DISP_DEP.csv, FILO2019_DISP_EPCI.csv, "
                    "FILO2019_DISP_METROPOLE.csv, FILO2019_DISP_REG.csv, data_filo19_qp_revdis.csv — "
                    "Observatoire des contrats de ville")
