"""Fiche quartier (AppTest, real warehouse): identity, indicators by theme with real values, references,
evolution of the gap, twins, contract and State means."""
from __future__ import annotations

import json

from pages_apptest import all_tables, figures, run_page, sources, texts


def _metric(at, startswith: str) -> str:
    for m in at.metric:
        if m.label.startswith(startswith):
            return m.value
    raise AssertionError(f"indicateur clé {startswith!r} absent : {[m.label for m in at.metric]}")


def _row(table, label: str):
    rows = table[table.Indicateur == label]
    assert len(rows) == 1, f"{label!r} absent"
    return rows.iloc[0]


def test_fiche_default_shows_latest_edition(warehouse):
    at = run_page("fiche", quartier="QP001001")
    shown = texts(at)
    assert "Grande Reyssouze Terre Des Fleurs" in shown
    assert "Bourg-en-Bresse" in shown and "CA du Bassin de Bourg-en-Bresse" in shown
    # Default = latest edition per indicator: Filosofi income 2019.
    # data_filo19_qp_revdis.csv, QP001001: DISP_TP60_A19 = 41,9 ; DISP_MED_A19 = 14 190.
    assert _metric(at, "Taux de pauvreté (2019)") == "41,9 %"
    assert _metric(at, "Revenu médian (2019)") == "14 190 €"
    # DEMO_2022.csv, QP001001: POP_MUN = 6 490.
    assert _metric(at, "Population (2022)") == "6 490 hab."
    tables = all_tables(at)
    revenus = next(t for t in tables if "Indicateur" in t and (t.Indicateur == "Taux de pauvreté au seuil de 60 %").any()
                   and "Rang national" in t)
    assert _row(revenus, "Taux de pauvreté au seuil de 60 %").Valeur == "41,9 %"
    assert _row(revenus, "Taux de pauvreté au seuil de 60 %").Millésime == "2019"
    # Part 2: FILO2019_DISP_EPCI.csv line 636 (200071751) Q219 = 22 260 ; FILO2019_DISP_METROPOLE Q219 = 21 930.
    refs = next(t for t in tables if "EPCI" in t.columns)
    median = _row(refs, "Revenu disponible médian par unité de consommation")
    assert median.Quartier == "14 190 €" and median.EPCI == "22 260 €" and median["France métro."] == "21 930 €"


def test_fiche_earlier_edition(warehouse):
    at = run_page("fiche", quartier="QP001001", millesime="2018")
    # REVN_2022.csv line 2 TP60 = 41,4 (= data_filo18 DISP_TP60_A18): Filosofi income 2018.
    assert _metric(at, "Taux de pauvreté (2018)") == "41,4 %"


def test_fiche_charts_carry_sources_and_evolution(warehouse):
    at = run_page("fiche", quartier="QP001001")
    figs = figures(at)
    assert len(figs) == 3                                     # references, evolution, State means
    lines = sources(at)
    assert len(lines) >= len(figs) + 3                        # every chart and table has its source line
    for line in lines:
        assert line.startswith("Source : ") and "Observatoire des contrats de ville" in line
    bars, evo, means = figs
    # tx_pauvrete: only the Ensemble des QPV publishes a reference (Filosofi references have no TP60).
    assert "Ensemble des QPV" in json.dumps(bars["data"][0]["y"], ensure_ascii=False)
    assert "Pas de valeur publiée pour" in json.dumps(bars["layout"]["annotations"], ensure_ascii=False)
    # Evolution: quartier series 2013..2019 (years with a published value) and the gap bars.
    assert any(t["type"] == "bar" for t in evo["data"])
    assert "Évolution 2017 → 2019" in texts(at)


def test_fiche_twins_and_state_means(warehouse):
    at = run_page("fiche", quartier="QP001001")
    tables = all_tables(at)
    twins = next(t for t in tables if "Semblable sur" in t.columns)
    assert len(twins) == 5 and "QP001001" not in set(twins.Code)
    means = next(t for t in tables if "Adultes-relais : postes" in t.columns)
    # contrats_de_ville/adulte-relais-2022.json: 20 records with code_cv CV004, montant sum 425 080,00.
    y2022 = means[means["Année"] == "2022"].iloc[0]
    assert y2022["Adultes-relais : postes"] == "20" and y2022["Adultes-relais : montant (€)"] == "425 080"
    # postes-fonjep-2024.json: 4 records with code_cv CN00104M (the contract's 2024 code).
    y2024 = means[means["Année"] == "2024"].iloc[0]
    assert y2024["Postes FONJEP : postes"] == "4" and y2024.Contrat == "CN00104M"
    assert "CA Bourg en Bresse Agglomération" in texts(at)


def test_fiche_2024_quartier_shows_its_2015_predecessor_values_marked(warehouse):
    at = run_page("fiche", quartier="QN00101M")
    shown = texts(at)
    assert "les valeurs marquées « ≈ » sont celles du ou des quartiers 2015 correspondants" in shown
    assert "QP001001" in shown                                 # its 2015 counterpart is named
    first = all_tables(at)[0]
    # data_filo19 / DEMO values of QP001001, every one marked « ≈ » (approximation)
    assert first.Valeur.str.startswith("≈ ").all()
    links = {el.proto.label: (el.proto.page, el.proto.query_string) for el in at.get("page_link")}
    assert links["Fiche 2015 : Grande Reyssouze Terre Des Fleurs (QP001001)"] == ("fiche", "quartier=QP001001")
