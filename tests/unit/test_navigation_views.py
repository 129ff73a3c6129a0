"""Views of the navigation and comparison documents (home and search, classeur cells, map classes) on the
small real-rows warehouse, and their warehouse-free rules: quartiers counted per geography, a classeur cell
that reads as the fiche's value_cell, French class labels."""
from __future__ import annotations

import csv
import json
import pickle

import pytest

from charts import classify
from exports.classeur import number_format
from presentation import classeur, search, text


@pytest.mark.parametrize("counts,expected", [
    ({"2015": 12, "2024": 12}, "12 quartiers prioritaires 2024 (12 en 2015)"),
    ({"2015": 1}, "1 quartier prioritaire 2015"),
    ({"2024": 0, "2015": 2}, "aucun quartier prioritaire 2024 (2 en 2015)"),
    ({"2015": 0, "2024": 0}, "aucun quartier prioritaire"),
    ({"2015": 1400, "2024": 1626}, "1 626 quartiers prioritaires 2024 (1 400 en 2015)"),
])
def test_quartiers_are_counted_per_geography_never_added(counts, expected):
    assert text.quartier_count_text(counts) == expected


def test_a_classeur_cell_reads_as_the_fiche_value():
    c = classeur.cell(49.2, "ok", "%", 1, "predecessor")
    assert (c.value, c.text, c.prefix, c.suffix) == (49.2, "≈ 49,2 %", "≈ ", " %")
    assert c.text == text.value_cell(49.2, "ok", "%", 1, approx=True).text
    assert c.status == "valeur du quartier 2015 correspondant"
    assert number_format(c.decimals, c.prefix, c.suffix) == '"≈ "#,##0.0" %"'
    noisy = classeur.cell(12.3, "bruite", "%", 1)
    assert noisy.text == "12,3 % (bruitée)" and noisy.suffix == " % (bruitée)" and noisy.status == "valeur bruitée"
    hidden = classeur.cell(5.0, "secret", "%", 1)
    assert hidden.value is None and hidden.status == "secret statistique"      # the number never leaves
    euros = classeur.cell(14930, "ok", "€", 0)
    assert number_format(euros.decimals, euros.prefix, euros.suffix) == '#,##0" €"' and euros.status == ""


def test_class_labels_are_french():
    classes = classify.breaks([1.0, 2.5, 3.0, 10.0, 1234.5], 2)
    assert classes.labels(1, "%") == ["1,0 à 3,0 %", "3,0 à 1 234,5 %"]
    assert classes.title == "Quantiles (effectifs égaux)"


def test_toulouse_counts_its_quartiers_per_geography(con, mini_data_dir):
    """The commune of Toulouse said « 24 quartiers prioritaires »: its 12 quartiers of 2015 (DEMO_2022.csv
    LIB_COM) and 12 of 2024 (qpv2024_referentiel centroids, insee_com 31555) are counted apart."""
    with open(mini_data_dir / "sigville_qp2015" / "DEMO_2022.csv", encoding="utf-8-sig", newline="") as f:
        n2015 = sum(1 for r in csv.DictReader(f, delimiter=";") if r.get("LIB_COM") == "Toulouse")
    feats = json.loads((mini_data_dir / "qpv2024_referentiel" / "communes_avec_qpv2024_centroides.geojson")
                       .read_text(encoding="utf-8"))["features"]
    n2024 = sum(len(f["properties"]["code_qp"].split(",")) for f in feats if f["properties"]["insee_com"] == "31555")
    assert (n2015, n2024) == (12, 12)
    found = search.search_view(con, "31555")
    assert [h["code"] for h in found.hits] == ["31555"]
    one = search.territory_view(con, found.hits[0])
    assert one.counts == {"2024": 12, "2015": 12}
    assert one.heading == "**Toulouse** — Commune : 12 quartiers prioritaires 2024 (12 en 2015)"
    assert [g for g, _, _ in one.groups] == ["Géographie 2024", "Géographie 2015"]
    pickle.loads(pickle.dumps(one))                     # views are plain data (cached by a later helper)


def test_search_table_shows_labels_not_codes(con):
    found = search.search_view(con, "toulouse")
    assert "Intercommunalité (EPCI)" in set(found.table.Type) and "epci" not in set(found.table.Type)
    assert found.caption.endswith("cliquez sur une ligne pour l'ouvrir.")
