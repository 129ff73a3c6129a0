"""Issue 9, data half: every 2024 quartier on its real contour, Filosofi 2021 communes as reference values,
2024 quartiers through their 2015 predecessors (indicators/predecessors.py). Real warehouse; expected values
read from the raw files with the json and csv modules (test_indicators_raw)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import shapely
from catalogue_copy import import_indicators
from test_indicators_raw import SIG, table, value

from indicators import fiche, position, predecessors, twins
from observatoire import db, settings
from presentation import fiche as fiche_view

NATIONAL = "contours/qpv2024_france_anct_simplifie.geojson"
REFERENTIEL = "qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson"
COMMUNES = "insee_filosofi_communes/cc_filosofi_2021_COM.csv"
DEMO22 = f"{SIG}/DEMO_2022.csv"
F19 = f"{SIG}/data_filo19_qp_revdis.csv"


def _features(data_dir, rel):
    return json.loads((data_dir / rel).read_text(encoding="utf-8"))["features"]


def _ind(f, indicator_id):
    return next(x for x in f["indicators"] if x["indicator_id"] == indicator_id)


# --------------------------------------------------------------------------- national contours

def test_plain_build_draws_the_national_contours(con, data_dir):
    feats = _features(data_dir, NATIONAL)
    polygonal = {f["properties"]["code_qp"] for f in feats
                 if shapely.make_valid(shapely.geometry.shape(f["geometry"])).area > 0}
    got = {r[0] for r in con.execute("SELECT DISTINCT code FROM territory_geom WHERE kind = 'contour' "
                                     "AND code LIKE 'QN%'").fetchall()}
    assert got == polygonal and len(got) >= 1490                      # 1,606: 1,609 features, 3 collapsed


def test_link_report_lists_the_reconciled_codes_both_ways(con, data_dir):
    nat = {f["properties"]["code_qp"] for f in _features(data_dir, NATIONAL)}
    ref = {c.strip() for f in _features(data_dir, REFERENTIEL) for c in f["properties"]["code_qp"].split(",")}
    rows = con.execute("SELECT code, status, detail FROM link_report WHERE relation = 'qpv2024_contours'").fetchall()
    resolved = {c for c, s, _ in rows if s == "resolved"}
    unmatched = {c for c, s, d in rows if s == "unmatched" and d.startswith("pas de contour")}
    assert resolved == nat - ref and len(resolved) == 133      # created from the contour file's properties
    assert unmatched == ref - nat and len(unmatched) == 17     # Mayotte's older codes, placed at their commune
    # QN97651C (Acoua, older code): the national file delimits QN97601M in the same commune — said.
    detail = next(d for c, s, d in rows if c == "QN97651C")
    assert "QN97601M" in detail


def test_contour_only_codes_become_territories_with_their_properties(con, data_dir):
    props = {f["properties"]["code_qp"]: f["properties"] for f in _features(data_dir, NATIONAL)}
    for code in ("QN98701M", "QN97601M", "QN97801M"):   # Polynésie (Arue), Mayotte (Acoua), Saint-Martin
        p = props[code]
        name, dep = con.execute("SELECT name, departement FROM territory WHERE code = ?", [code]).fetchone()
        assert (name, dep) == (p["lib_qp"], p["insee_dep"])
        communes = {r[0] for r in con.execute("SELECT parent_code FROM territory_link WHERE child_code = ? "
                                              "AND relation = 'qpv_commune'", [code]).fetchall()}
        assert communes == {c.strip() for c in p["insee_com"].split(",")}
    # Mayotte: EPCI through the COG, the file's siren_epci agrees; Polynésie has none ('NA'), reported.
    assert con.execute("SELECT parent_code FROM territory_link WHERE child_code = 'QN97601M' "
                       "AND relation = 'qpv_epci'").fetchall() == [(props["QN97601M"]["siren_epci"],)]
    assert con.execute("SELECT status FROM link_report WHERE code = 'QN98701M' AND relation = 'qpv_epci'"
                       ).fetchall() == [("unmatched",)]


# --------------------------------------------------------------------------- Filosofi 2021 communes

def test_filosofi_2021_communes_are_reference_values(con):
    _header, rows = table(COMMUNES)
    toulouse = rows["31555"]
    got = dict(con.execute("""SELECT indicator_id, value FROM indicator_value WHERE territory_code = '31555'
                              AND edition = 2021 AND status = 'ok'""").fetchall())
    assert got["rev_disp_median"] == value(COMMUNES, "31555", "MED21") == 22140
    assert got["tx_pauvrete"] == value(COMMUNES, "31555", "TP6021") == 22.0
    assert got["rapport_interdecile"] == value(COMMUNES, "31555", "RD21")
    assert toulouse["PPSOC21"] and got["part_prest_sociales"] == value(COMMUNES, "31555", "PPSOC21")
    # « s » = secret statistique (Neuf-Mesnil, 59424, a commune of QP059019)
    assert rows["59424"]["TP6021"] == "s"
    assert con.execute("SELECT value, status, source_file, ref_year FROM indicator_value WHERE territory_code = '59424' "
                       "AND indicator_id = 'tx_pauvrete' AND edition = 2021").fetchone() == (
        None, "secret", "cc_filosofi_2021_COM.csv", 2021)


def _cli_fiche(code, warehouse):
    env = dict(os.environ, OBSERVATOIRE_DB=str(warehouse))
    res = subprocess.run([sys.executable, "-m", "indicators", "fiche", code, "--json"], cwd=settings.PROJECT_DIR,
                         env=env, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_commune_reference_of_the_poverty_rate_with_its_year(warehouse):
    """QP031007 (Grand Mirail, Toulouse): the commune reference of the poverty rate is Toulouse's TP6021 of
    the Filosofi 2021 file, given with its year, never as a same-year gap."""
    f = _cli_fiche("QP031007", warehouse)
    pov = _ind(f, "tx_pauvrete")
    com = next(r for r in pov["references"] if r["level"] == "commune")
    assert com["code"] == "31555" and com["value"] is None and com["gap"] is None   # no 2019 value
    assert com["other_year"]["value"] == value(COMMUNES, "31555", "TP6021")
    assert com["other_year"]["edition"] == 2021 and pov["edition"] == 2019
    assert com["other_year"]["source_file"] == "cc_filosofi_2021_COM.csv"
    # EPCI, département, France: FILO 2019 (same year) for the median; no poverty rate published there.
    med = _ind(f, "rev_disp_median")
    epci = next(r for r in med["references"] if r["level"] == "epci")
    assert epci["edition"] == 2019 and epci["value"] == value("insee_filosofi_references/FILO2019_DISP_EPCI.csv",
                                                                "243100518", "Q219")


# --------------------------------------------------------------------------- 2024 quartiers

def test_fiche_of_a_2024_quartier_through_its_predecessor(warehouse):
    """`python -m indicators fiche QN03107M --json`: Grand Mirail 2024 <- QP031007 (overlap of the contours)."""
    f = _cli_fiche("QN03107M", warehouse)
    shown = [x for x in f["indicators"] if x["value"] is not None]
    assert len(shown) >= 20
    for x in shown:
        a = x["approximation"]
        assert a["kind"] == "predecessor" and [v["code"] for v in a["via"]] == ["QP031007"]
        assert a["via"][0]["method"] == "crosswalk_overlap" and a["via"][0]["confidence"] == 0.95
    assert _ind(f, "tx_pauvrete")["value"] == value(F19, "QP031007", "DISP_TP60_A19")
    assert _ind(f, "pop")["value"] == value(DEMO22, "QP031007", "POP_MUN")
    preds = f["territory"]["predecessors"]["predecessors"]
    assert [(p["code"], p["fiche_link"]) for p in preds] == [("QP031007", "fiche?quartier=QP031007")]
    # Its own 2024 references: Toulouse, Toulouse Métropole, the contract CN03103I.
    pov = _ind(f, "tx_pauvrete")
    refs = {r["level"]: r["code"] for r in pov["references"]}
    assert (refs["commune"], refs["epci"], refs["contrat_de_ville"]) == ("31555", "243100518", "CN03103I")
    assert refs["ensemble_qpv"] == "ENSQP2015"          # values of the 2015 geography, compared with its ensemble


def test_several_predecessors_sum_weight_or_say_not_additive(con):
    """QN03105M Grand Val d'Aran-en-Jacca (Colomiers) <- QP031005 and QP031016, each wholly inside it."""
    f = fiche.fiche(con, "QN03105M", n_twins=0)
    pops = [value(DEMO22, c, "POP_MUN") for c in ("QP031005", "QP031016")]   # 2 906 and 1 246
    pop = _ind(f, "pop")
    assert pop["value"] == sum(pops) and pop["approximation"]["method"] == "predecessors_sum"
    tx_f = [value(DEMO22, c, "TX_F") for c in ("QP031005", "QP031016")]
    fem = _ind(f, "part_femmes")   # weighted by the population (catalogue aggregation weighted:pop)
    assert fem["value"] == pytest.approx(sum(t * p for t, p in zip(tx_f, pops)) / sum(pops))
    assert fem["approximation"]["method"] == "predecessors_weighted"
    pov = _ind(f, "tx_pauvrete")   # a rate without published denominator: no invented average
    assert pov["value"] is None and pov["status"] == "non_transposable"
    via = {v["code"]: v["value"] for v in pov["approximation"]["via"]}
    assert via == {c: value(F19, c, "DISP_TP60_A19") for c in ("QP031005", "QP031016")}
    assert pov["approximation"]["method"] == "predecessors_not_additive"
    row = fiche_view.view(con, "QN03105M", n_twins=0).row("tx_pauvrete")
    assert "aucune moyenne n'est calculée" in row.approximation and str(row.value) == "non transposable depuis la géographie 2015"


def test_shared_predecessor_gives_rates_not_counts(con):
    """QP013044 is split between QN01344M and QN01345M: each gets its rates, not its whole population."""
    assert {p["code"] for p in predecessors.links(con, "QN01345M")} == {"QP013044"}
    f = fiche.fiche(con, "QN01345M", n_twins=0)
    pop = _ind(f, "pop")
    assert pop["value"] is None and pop["status"] == "non_transposable"
    assert pop["approximation"]["method"] == "predecessor_shared"
    assert "QN01344M" in fiche_view.view(con, "QN01345M", n_twins=0).row("pop").approximation
    assert _ind(f, "tx_pauvrete")["value"] == value(F19, "QP013044", "DISP_TP60_A19")


def test_2024_positions_and_twins_are_among_2024_quartiers(con):
    dist = position.distribution(con, "tx_pauvrete", 2019, "2024")
    me = dist[dist.code == "QN03107M"].iloc[0]
    assert me.value == value(F19, "QP031007", "DISP_TP60_A19") and me.approx_method == "predecessor"
    shown = dist[dist.value.notna()]
    assert me["rank"] == 1 + (shown.value > me.value).sum() and me["n"] == len(shown)
    p = position.position(con, "QN03107M", "tx_pauvrete", 2019)
    assert (p["rank"], p["n"]) == (me["rank"], me["n"])
    # Twins of a 2024 quartier: never a sibling taken from the same 2015 quartier (identical profile).
    codes = {t["code"] for t in twins.twins(con, "QN01344M")}
    assert codes and "QN01345M" not in codes
    assert all(t["approximated"] for t in twins.twins(con, "QN03107M"))


def test_barometre_of_a_2024_quartier_says_the_approximation(con):
    b = {x["indicator_id"]: x for x in fiche.fiche(con, "QN03107M", n_twins=0)["indicators"]}["tx_pauvrete"]["barometre"]
    assert b["approximation"]["via"][0]["code"] == "QP031007"
    assert b["reference_level"] == "commune" and b["reference_edition"] == 2021


def test_imported_2024_value_stays_beside_the_approximation(warehouse_copy, tmp_path):
    """A user's own 2024 figure (python -m loaders import indicateurs) is shown beside the approximation with
    its own source line, never in place of it nor blended into it."""
    f = tmp_path / "pop2024.csv"
    f.write_text("code;pop\nQN03107M;30 000\n", encoding="utf-8")
    import_indicators(f, warehouse_copy, 2022)
    con = db.connect(warehouse_copy, read_only=True)
    try:
        pop = _ind(fiche.fiche(con, "QN03107M", n_twins=0), "pop")
        assert pop["value"] == value(DEMO22, "QP031007", "POP_MUN") and pop["approximation"]["method"] == "predecessor"
        assert [(x["value"], x["edition"], x["file"]) for x in pop["imported"]] == [(30000.0, 2022, "pop2024.csv")]
    finally:
        con.close()


def test_fiche_reference_table_shows_the_commune_of_another_year(con):
    """The fiche's reference table gives Toulouse's Filosofi 2021 values (cc_filosofi_2021_COM.csv, CODGEO 31555:
    MED21 22 140, TP6021 22,0) beside Grand Mirail's 2019 ones, with their year, for the 2015 and the 2024 code."""
    for code, mark in (("QP031007", ""), ("QN03107M", "≈ ")):
        refs = fiche_view.view(con, code, n_twins=0).references
        t = refs["table"].set_index("Indicateur")
        assert t.loc["Taux de pauvreté au seuil de 60 %", ["Millésime", "Quartier", "Commune"]].tolist() == \
            ["2019", f"{mark}49,2 %", "22,0 % (2021)"]
        median = t.loc["Revenu disponible médian par unité de consommation", "Commune"]
        assert " ".join(median.replace("\u202f", " ").replace("\u00a0", " ").split()) == "22 140 € (2021)"
        assert "cc_filosofi_2021_COM.csv" in refs["source_line"]
