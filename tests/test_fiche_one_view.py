"""Issue 18, the fiche: one view (presentation.fiche) for the page AND the PDF, so the same fact reads the same
in both. Grand Mirail, Toulouse: QP031007 (2015) and its 2024 successor QN03107M (crosswalk, overlap of the
contours), every expected string computed from the raw files:

- data_filo19_qp_revdis.csv, QP031007: DISP_TP60_A19 = 49,2 (poverty rate 2019), DISP_MED_A19 = 13 260;
- cc_filosofi_2021_COM.csv, CODGEO 31555 (Toulouse): TP6021 = 22,0, MED21 = 22 140 (Filosofi 2021);
- DEMO_2022.csv, QP031007: IND_JEUNE = 1,8 (youth index, not a percentage), POP_MUN = 32 291.
"""
from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader
from test_indicators_raw import SIG, value

from catalogue_copy import import_indicators
from pages_apptest import all_tables, figures, run_page, texts

COMMUNES = "insee_filosofi_communes/cc_filosofi_2021_COM.csv"
F19 = f"{SIG}/data_filo19_qp_revdis.csv"
POVERTY = "Taux de pauvreté au seuil de 60 %"
MEDIAN = "Revenu disponible médian par unité de consommation"


def _flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def expected():
    pov, com = value(F19, "QP031007", "DISP_TP60_A19"), value(COMMUNES, "31555", "TP6021")
    young = value(f"{SIG}/DEMO_2022.csv", "QP031007", "IND_JEUNE")
    assert (pov, com, young) == (49.2, 22.0, 1.8)
    return {"pov": "≈ 49,2 %", "commune": "22,0 % (2021)", "young": "≈ 1,8",
            "median_commune": "22 140 € (2021)"}


@pytest.fixture(scope="module")
def view(con):
    from presentation import fiche as fiche_view

    return fiche_view.view(con, "QN03107M")


@pytest.fixture(scope="module")
def pdf_text(con, tmp_path_factory):
    from exports import fiche_pdf

    out = fiche_pdf.build(con, "QN03107M", tmp_path_factory.mktemp("one_view") / "QN03107M.pdf")
    return [p.extract_text() for p in PdfReader(str(out)).pages]


def test_the_view_has_the_commune_of_2021_and_the_region(view, expected):
    t = view.references["table"].set_index("Indicateur")
    assert t.loc[POVERTY, ["Quartier", "Commune"]].tolist() == [expected["pov"], expected["commune"]]
    assert _flat(t.loc[MEDIAN, "Commune"]) == expected["median_commune"]
    assert "Région" in t.columns and t.loc[MEDIAN, "Région"] != "n.d."            # FILO2019_DISP_REG.csv
    assert str(view.row("ind_jeunesse").value) == expected["young"]


def test_the_pdf_says_what_the_page_says(view, pdf_text, expected):
    """The defects of the issue: « non disponible » where the page shows the commune, no Région column, cut
    labels, « ≈ » lost on non-percentage values, percentile 100 on one side and 99 on the other."""
    page1, page2 = _flat(pdf_text[0]), _flat(pdf_text[1])
    row = next(ln for ln in pdf_text[1].splitlines() if ln.startswith("Taux de pauvreté au seuil de"))
    assert expected["commune"] in _flat(row + " " + pdf_text[1].split(row, 1)[1][:80])
    assert "non disponible" not in row
    assert "Région" in page2 and "Commune" in page2
    assert "…" not in page1 + page2                                  # wrapped, never truncated
    young = next(ln for ln in pdf_text[0].splitlines() if ln.startswith("Indice de jeunesse"))
    assert f"{expected['young']} 2022" in _flat(young)
    pop = view.row("pop")
    assert pop.percentile_text == "99"                                # rank 7 of 1 278 quartiers 2024
    line = next(ln for ln in pdf_text[0].splitlines() if ln.startswith("Population municipale"))
    assert _flat(line).endswith(f"{pop.value} 2022 {pop.percentile_text}")
    # every reference cell of the page's table (same view) is printed in the PDF's comparison table
    t = view.references["table"].set_index("Indicateur")
    for level_col in view.references["columns"]:
        assert _flat(t.loc[POVERTY, level_col]) in page2


def test_the_web_charts_keep_the_approximation_and_never_contradict_the_table(warehouse, expected):
    at = run_page("fiche", quartier="QN03107M")
    bars, evo = figures(at)[:2]
    bar_texts = bars["data"][0]["text"]
    assert expected["pov"] in bar_texts and expected["commune"] in bar_texts
    note = json.dumps(bars["layout"].get("annotations"), ensure_ascii=False)
    assert "Pas de valeur publiée pour" in note
    assert "ommune" not in note.split("Pas de valeur publiée pour", 1)[1].split("Source", 1)[0]   # shown above
    assert not re.search(r"\((epci|commune|departement|region|france|ensemble_qpv)\)", note.lower())
    quartier = next(t for t in evo["data"] if t.get("mode") == "lines+markers+text")
    assert quartier["text"] and all(str(x).startswith("≈ ") for x in quartier["text"])
    assert all(str(x).startswith("≈ ") for x in quartier["customdata"])
    gaps = next(t for t in evo["data"] if t["type"] == "bar")
    assert all(str(x).startswith("≈ ") for x in gaps["text"])
    top = evo["layout"]["yaxis"]["range"][1]                           # the 2018 label (49,7) is not clipped
    assert top > 49.7 * 1.02
    assert expected["commune"] in json.dumps([t.to_dict() for t in all_tables(at)], ensure_ascii=False)
    assert "cli:" not in texts(at) and "(epci)" not in texts(at).lower()


def test_the_barometre_details_keep_the_approximation(con):
    from presentation import barometre

    it = next(i for i in barometre.view(con, "QN03107M").items if i.indicator_id == "tx_pauvrete")
    assert it.value_text == "≈ 49,2 %" and "(≈ 49,2 % en 2019)" in it.sentence
    f17 = value(f"{SIG}/data_filo17_qp_revdis.csv", "QP031007", "tp60_a17")
    assert f"(≈ {str(f17).replace('.', ',')} % en 2017, ≈ 49,2 % en 2019)" in it.trend_sentence


def test_a_view_resolves_its_territory_once(con, monkeypatch):
    from indicators import references
    from presentation import barometre, fiche as fiche_view

    asked = []
    real = references.territory

    def spy(c, code):
        if not isinstance(code, dict):
            asked.append(code)
        return real(c, code)

    monkeypatch.setattr(references, "territory", spy)
    fiche_view.view(con, "QN03107M")
    assert asked == ["QN03107M"]
    asked.clear()
    barometre.view(con, "QN03107M")
    fiche_view.detail(con, "QN03107M", "tx_pauvrete")
    assert asked == ["QN03107M", "QN03107M"]


def test_imported_values_on_the_2015_fiche_and_on_its_2024_successor(warehouse_copy, tmp_path, monkeypatch):
    """A user's figure for QP031007 (python -m loaders import indicateurs) beside the official one on the 2015
    fiche, AND on the fiche of QN03107M through the crosswalk, « ≈ » and named as the 2015 quartier's import,
    with its own source line whose author is a person (« ligne de commande (compte …) »), never `cli:`."""
    from observatoire import db
    from presentation import fiche as fiche_view

    f = tmp_path / "pauvrete_toulouse.csv"
    f.write_text("code;Taux de pauvreté\nQP031007;40,5\n", encoding="utf-8")
    import_indicators(f, warehouse_copy, 2019)
    con = db.connect(warehouse_copy, read_only=True)
    try:
        own = fiche_view.view(con, "QP031007", n_twins=0).row("tx_pauvrete")
        succ = fiche_view.view(con, "QN03107M", n_twins=0).row("tx_pauvrete")
    finally:
        con.close()
    assert str(own.value) == "49,2 %" and [m["text"] for m in own.imported] == ["40,5 % (2019)"]
    assert str(succ.value) == "≈ 49,2 %" and [m["text"] for m in succ.imported] == ["≈ 40,5 % (2019)"]
    line = succ.imported[0]["line"]
    assert line.startswith("Valeur importée 2019 (import du quartier 2015 Grand Mirail (QP031007)) : ≈ 40,5 % — "
                           "Source : Import utilisateur — fichier pauvrete_toulouse.csv, importé le ")
    assert " par ligne de commande (compte " in line and "cli:" not in line and "INSEE" not in line
    monkeypatch.setenv("OBSERVATOIRE_DB", str(warehouse_copy))
    at = run_page("fiche", quartier="QN03107M")
    revenus = next(t for t in all_tables(at) if "Valeur importée" in t.columns)
    got = revenus[revenus.Indicateur == POVERTY].iloc[0]
    assert (got.Valeur, got["Valeur importée"]) == ("≈ 49,2 %", "≈ 40,5 % (2019)")
    assert "import du quartier 2015 Grand Mirail (QP031007)" in texts(at) or any(
        "import du quartier 2015 Grand Mirail (QP031007)" in ln for ln in _sources(at))


def _sources(at):
    from pages_apptest import sources

    return sources(at)
