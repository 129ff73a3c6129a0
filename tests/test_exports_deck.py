"""COPIL deck (PPTX) opened with python-pptx: slide titles, real names and figures in the right place,
source lines, secret cells without numbers, démo labels where démo data are shown."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from pptx import Presentation

from tests.exports_raw import csv_cell, fr_number, geojson_name, json_records

NICE = "CN00604I"            # Métropole Nice Côte d'Azur, 10 quartiers 2024 with real contours (démo contract)
MONTPELLIER = "CV112"        # Montpellier Méditerranée Métropole, 12 quartiers 2015 (no contract-life data)
DEPUIS = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def nice_deck(con, demo_saisie_env, tmp_path_factory):
    from exports import deck

    out = tmp_path_factory.mktemp("deck") / "nice.pptx"
    deck.build(con, NICE, out, depuis=DEPUIS, today=TODAY)
    return Presentation(str(out))


@pytest.fixture(scope="module")
def montpellier_deck(con, tmp_path_factory):
    """Built with no saisie database at all: open data only."""
    from exports import deck

    out = tmp_path_factory.mktemp("deck") / "montpellier.pptx"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBSERVATOIRE_SAISIE_DB", str(out.with_name("absent.duckdb")))
        deck.build(con, MONTPELLIER, out, depuis=DEPUIS, today=TODAY)
    return Presentation(str(out))


def titles(prs) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def slide_text(slide) -> str:
    parts = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            parts.append(sh.text_frame.text)
        if sh.has_table:
            parts += [c.text for r in sh.table.rows for c in r.cells]
    return "\n".join(parts)


def table_of(slide):
    return next(sh.table for sh in slide.shapes if sh.has_table)


def row_starting(table, prefix: str) -> list[str]:
    for r in table.rows:
        if r.cells[0].text.startswith(prefix):
            return [c.text for c in r.cells]
    raise AssertionError(f"no row {prefix!r}")


def column(table, header: str) -> int:
    return [c.text for c in table.rows[0].cells].index(header)


def since_column(slide, head: str) -> list[str]:
    """Bullets of one column of the « Depuis le dernier COPIL » slide (the text box under its heading)."""
    boxes = [sh for sh in slide.shapes if sh.has_text_frame]
    i = next(i for i, sh in enumerate(boxes) if sh.text_frame.text.startswith(head))
    return [p.text.removeprefix("• ") for p in boxes[i + 1].text_frame.paragraphs]


def test_slide_count_and_titles(nice_deck, data_dir):
    t = titles(nice_deck)
    # title, map, key table, evolution, 10 quartiers, State means, programmation, engagements, since, sources
    assert len(t) == 19
    assert t[0].startswith("Contrat de ville") and "Métropole Nice Côte d'Azur" in t[0]
    assert t[1] == "Les quartiers du contrat"
    assert t[2] == "Indicateurs clés et écarts aux territoires de référence"
    assert t[3] == "Évolution des principaux écarts"
    # one slide per quartier, numbered in code order; names as published by ANCT (qpv2024_paca.geojson, "n")
    ariane = geojson_name(data_dir / "contours" / "qpv2024_paca.geojson", "QN00612M")
    assert ariane == "Ariane - Le Manoir - Gares"
    assert t[4].startswith("1. ") and t[11].startswith(f"8. {ariane}")
    assert t[14] == "Moyens de l'État : adultes-relais et postes FONJEP"
    assert t[15].startswith("Programmation : synthèse")
    assert t[16] == "Engagements des signataires"
    assert t[17] == "Depuis le dernier COPIL (01/01/2026)"
    assert t[18] == "Sources et précautions de lecture"


def test_every_content_slide_carries_a_source_line(nice_deck):
    for i, slide in enumerate(nice_deck.slides):
        if i == 0:
            continue
        sources = [sh.text_frame.text for sh in slide.shapes if sh.name == "Source"]
        assert sources and all(sources), f"slide {i + 1} ({slide.shapes.title.text}) has no source line"
        if i != len(nice_deck.slides) - 1:      # the sources slide itself ends with the licence
            assert any(s.startswith(("Source :", "Données de démonstration")) for s in sources), sources


def test_key_table_real_figures(nice_deck, data_dir):
    """Quartier 8 (QN00612M) shows its 2015 counterpart Ariane - Le Manoir (QP006014): poverty rate and
    median income from data_filo19_qp_revdis.csv, ratio to the EPCI from FILO2019_DISP_EPCI.csv."""
    table = table_of(nice_deck.slides[2])
    row = row_starting(table, "8. Ariane - Le Manoir - Gares")
    assert "QP006014" in row[0]
    filo = data_dir / "sigville_qp2015" / "data_filo19_qp_revdis.csv"
    tp60 = fr_number(csv_cell(filo, "QP006014", "DISP_TP60_A19"))                       # 45,9
    med = fr_number(csv_cell(filo, "QP006014", "DISP_MED_A19"))                         # 13 650
    epci = fr_number(csv_cell(data_dir / "insee_filosofi_references" / "FILO2019_DISP_EPCI.csv",
                              "200030195", "Q219"))                                       # Métropole NCA
    assert row[column(table, "Taux de pauvreté")].startswith(f"{tp60:.1f} %".replace(".", ","))
    income = row[column(table, "Revenu médian")]
    assert income.startswith(f"{med:,.0f}".replace(",", " ") + " €")
    assert f"EPCI ×{med / epci:.2f}".replace(".", ",") in income
    ref = row_starting(table, "Métropole Nice Côte d'Azur")
    assert ref[column(table, "Revenu médian")].startswith(f"{epci:,.0f}".replace(",", " ") + " €")


def test_evolution_is_native_chart_with_real_ratio(nice_deck, data_dir):
    charts = [sh.chart for sh in nice_deck.slides[3].shapes if sh.has_chart]
    assert len(charts) == 2
    ratio = charts[0]
    cats = list(ratio.plots[0].categories)
    assert "2019" in cats
    series = {s.name: list(s.values) for s in ratio.plots[0].series}
    filo = data_dir / "sigville_qp2015" / "data_filo19_qp_revdis.csv"
    med = fr_number(csv_cell(filo, "QP006014", "DISP_MED_A19"))
    epci = fr_number(csv_cell(data_dir / "insee_filosofi_references" / "FILO2019_DISP_EPCI.csv", "200030195", "Q219"))
    assert series["8. Ariane - Le Manoir - Gares"][cats.index("2019")] == pytest.approx(med / epci, rel=1e-6)


def test_state_means_real(nice_deck, data_dir):
    """Adultes-relais 2024 of the contract = records of adulte-relais-2024.json with code_cv CN00604I."""
    recs = [r for r in json_records(data_dir / "contrats_de_ville" / "adulte-relais-2024.json")
            if r.get("code_cv") == NICE]
    slide = nice_deck.slides[14]
    row = row_starting(table_of(slide), "2024")
    assert row[1] == str(len(recs))                                   # 67 posts
    total = sum(r["montant"] for r in recs)
    assert row[2].endswith(" €") and re.sub(r"\D", "", row[2]) == f"{total:.0f}"
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)     # native, editable
    ar = next(s for s in chart.plots[0].series if s.name == "Adultes-relais")
    assert list(ar.values)[0] == len(recs)
    assert "ASP" in slide_text(slide) and "DÉMONSTRATION" not in slide_text(slide).upper()


def test_demo_label_on_contract_life_slides(nice_deck):
    for i in (0, 15, 16, 17):
        txt = slide_text(nice_deck.slides[i])
        assert "Données de démonstration" in txt, nice_deck.slides[i].shapes.title.text
    src = [sh.text_frame.text for sh in nice_deck.slides[16].shapes if sh.name == "Source"][0]
    assert "DÉMONSTRATION" in src.upper()


def test_since_slide_lists_reviews_since_date(nice_deck, demo_saisie_env):
    from contract import store
    from indicators import engagements

    with store.connect(demo_saisie_env) as sc:
        rv = engagements.reviews_since(sc, NICE, DEPUIS)
    txt = slide_text(nice_deck.slides[17])
    assert f"{len(rv)} points d'étape sur {rv['code'].nunique()} engagements" in txt


def test_since_slide_new_data_of_a_warehouse_created_after_the_date(nice_deck, con):
    """The session warehouse was first built after DEPUIS: every data file (catalogue YAML and replayed user
    imports aside) entered since, and the slide says so instead of listing them."""
    n, first = con.execute("SELECT count(DISTINCT (source_file, sha256)), min(first_loaded_at) FROM load_log "
                           "WHERE source_file IS NOT NULL AND step NOT IN ('catalogue', 'user_imports')").fetchone()
    assert n > 70                 # 77 on ../shared/data (files read by two steps count once)
    data = since_column(nice_deck.slides[17], "Nouvelles données")
    assert data[0] == (f"Entrepôt créé le {first:%d/%m/%Y}, après cette date : ses {n} fichiers de données y sont "
                       "tous entrés depuis.")
    assert data[-1].startswith("Derniers millésimes par quartier : ") and "Revenus disponibles 2019" in data[-1]


def test_since_slide_lists_the_actions_voted_by_the_demo_comites(nice_deck, demo_saisie):
    """The démo's comités de programmation: 19/03/2026 and 08/10/2026 for 2026; since 01/01/2026 both count."""
    from contract import store

    with store.connect(demo_saisie) as raw:
        voted = raw.execute("""
            SELECT a.numero_dossier, a.statut,
                   coalesce(sum(f.montant_accorde) FILTER (WHERE a.statut IN ('accorde', 'solde')), 0) AS accorde,
                   a.date_decision
            FROM action a LEFT JOIN action_financement f ON f.action_id = a.id
            WHERE a.contrat_code = ? AND a.date_decision BETWEEN DATE '2026-01-01' AND DATE '2026-11-20'
            GROUP BY ALL ORDER BY a.date_decision DESC, accorde DESC, a.numero_dossier""", [NICE]).fetchall()
        comites = {r[0] for r in raw.execute("SELECT DISTINCT date_decision FROM action WHERE annee = 2026 "
                                             "AND date_decision IS NOT NULL").fetchall()}
        undecided = raw.execute("SELECT count(*) FROM action WHERE annee = 2026 AND statut = 'depose' "
                                "AND date_decision IS NULL").fetchone()[0]
    assert comites == {dt.date(2026, 3, 19), dt.date(2026, 10, 8)} and undecided > 0
    granted = [v for _, s, v, _ in voted if s != "refuse"]
    refused = sum(1 for _, s, _, _ in voted if s == "refuse")
    actions = since_column(nice_deck.slides[17], "Actions votées (démo)")
    amount = f"{sum(granted):,.0f}".replace(",", " ")
    assert actions[0] == (f"{len(voted)} actions votées depuis le 01/01/2026 : {len(granted)} accordées pour {amount} €"
                          + (f", {refused} refusée{'s' if refused > 1 else ''}" if refused else "") + ".")
    # newest decisions first: the autumn comité, then the spring one
    assert [line.split(" ", 3)[:3] for line in actions[1:6]] == \
        [[f"{d:%d/%m/%Y}", "—", numero] for numero, _, _, d in voted[:5]]
    assert actions[1].startswith("08/10/2026") and actions[5].startswith("19/03/2026")
    assert actions[-1] == f"… et {len(voted) - 5} autres."


def test_secret_cell_shows_status_not_number(montpellier_deck, warehouse):
    """Celleneuve (QP034004): the 2022 share of precarious jobs is an empty cell of IPRO_2022.csv
    (TX_TOT_EDLIM, line 330) -> « secret statistique » in the table and on its barometer slide."""
    from observatoire import db

    c = db.connect(warehouse)
    raw = c.execute("SELECT raw, status, line FROM source_value WHERE source_file = 'IPRO_2022.csv' AND "
                    "source_variable = 'TX_TOT_EDLIM' AND territory_code = 'QP034004'").fetchone()
    c.close()
    assert raw[0] in ("", None) and raw[1] == "secret"
    t = titles(montpellier_deck)
    assert len(t) == 1 + 1 + 2 + 1 + 12 + 1 + 1 + 1     # 12 quartiers: key table on 2 slides; no contract life
    key_rows = [row for s in list(montpellier_deck.slides)[2:4] for row in
                [[c.text for c in r.cells] for r in table_of(s).rows]]
    header = key_rows[0]
    cel = next(r for r in key_rows if "Celleneuve" in r[0])
    cell = cel[header.index("Emplois précaires")]
    assert cell == "secret statistique" and not re.search(r"\d", cell)
    qslide = next(s for s in montpellier_deck.slides if s.shapes.title.text.startswith(cel[0].split("\n")[0]))
    rows = [[c.text for c in r.cells] for r in table_of(qslide).rows]
    prec = next(r for r in rows if r[1].startswith("Part des emplois précaires"))
    assert prec[2] == "secret statistique"
    # no démo data anywhere in an open-data-only deck
    assert all("démonstration" not in slide_text(s).lower() for s in montpellier_deck.slides)
