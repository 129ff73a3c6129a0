"""The quartier portrait (indicators/fiche.py) and `python -m indicators fiche CODE [--json]`.

The CLI runs in a subprocess on the session warehouse (OBSERVATOIRE_DB set by the `warehouse` fixture);
expected numbers come from the raw files."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from test_indicators_raw import REF, SIG, quartier_column, rank_and_percentile, value

from indicators import fiche, position, twins
from observatoire import settings
from presentation import fiche as fiche_view

F19 = f"{SIG}/data_filo19_qp_revdis.csv"
COMMUNES = "insee_filosofi_communes/cc_filosofi_2021_COM.csv"


def _cli(*args, warehouse):
    env = dict(os.environ, OBSERVATOIRE_DB=str(warehouse))
    return subprocess.run([sys.executable, "-m", "indicators", *args], cwd=settings.PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def fiche_json(warehouse):
    res = _cli("fiche", "QP031006", "--json", warehouse=warehouse)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _ind(f, indicator_id):
    return next(x for x in f["indicators"] if x["indicator_id"] == indicator_id)


def test_cli_json_shape(fiche_json):
    f = fiche_json
    assert {"territory", "indicators", "twins"} <= set(f)
    t = f["territory"]
    assert (t["code"], t["name"], t["level"], t["generation"]) == ("QP031006", "Pradettes", "qpv", "2015")
    assert [c["code"] for c in t["communes"]] == ["31555"] and t["epci"]["code"] == "243100518"
    assert t["contrat"]["code"] == "CV101"
    for x in f["indicators"]:
        assert {"indicator_id", "edition", "value", "status", "references", "percentile", "barometre"} <= set(x)
        for r in x["references"]:
            assert {"level", "code", "value", "gap"} <= set(r)
    assert len(f["twins"]) == 5


def test_cli_json_values_match_the_raw_files(fiche_json):
    med = _ind(fiche_json, "rev_disp_median")
    assert (med["edition"], med["value"], med["status"]) == (2019, value(F19, "QP031006", "DISP_MED_A19"), "ok")
    epci = next(r for r in med["references"] if r["level"] == "epci")
    e = value(f"{REF}/FILO2019_DISP_EPCI.csv", "243100518", "Q219")
    assert epci["value"] == e and epci["gap"] == pytest.approx(13860 / e)
    pov = _ind(fiche_json, "tx_pauvrete")
    rank, n, pct = rank_and_percentile(quartier_column(F19, "DISP_TP60_A19"), "QP031006")
    assert (pov["rank"], pov["n"]) == (rank, n) and pov["percentile"] == pytest.approx(pct)
    # Poverty rate: compared with the commune of Toulouse, Filosofi 2021 (TP6021 of 31555) against the
    # quartier's 2019, allowed because the gap is beyond twice the 2-point tolerance (gaps.barometre_reference).
    toulouse = value(COMMUNES, "31555", "TP6021")
    b = pov["barometre"]
    assert (b["reference_level"], b["reference_value"], b["reference_edition"], b["millesime"]) == (
        "commune", toulouse, 2021, 2019)
    assert pov["value"] - toulouse > 4 and b["light"] == "moins_bien"
    assert f"({str(toulouse).replace('.', ',')} % en 2021, dernier millésime publié pour cette référence)" in b["sentence"]
    assert f"({str(pov['value']).replace('.', ',')} % en 2019)" in b["sentence"]
    assert _ind(fiche_json, "pop")["barometre"] is None  # not a key indicator


def test_cli_text_is_french(warehouse):
    res = _cli("fiche", "qp031006", warehouse=warehouse)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Pradettes (QP031006)" in out and "Toulouse Métropole" in out
    assert "13 860 €" in out  # DISP_MED_A19, formatted by observatoire.frformat
    assert "Baromètre" in out and "Quartiers jumeaux" in out and "Précautions" in out


def test_cli_unknown_code_exits_2(warehouse):
    res = _cli("fiche", "QP999999", "--json", warehouse=warehouse)
    assert res.returncode == 2 and "QP999999" in res.stderr and res.stdout == ""


def test_fiche_is_the_same_function_as_position_and_twins(con):
    f = fiche.fiche(con, "QP013032")
    assert _ind(f, "tx_emploi")["percentile"] == position.position(con, "QP013032", "tx_emploi")["percentile"]
    assert [t["code"] for t in f["twins"]] == [t["code"] for t in twins.twins(con, "QP013032")]


def test_secret_values_are_none_everywhere(con):
    f = fiche.fiche(con, "QP075005")  # DISP_TP60_A19 empty (data_filo19 line 894)
    pov = _ind(f, "tx_pauvrete")
    assert pov["value"] is None and pov["status"] == "secret"
    assert pov["percentile"] is None and all(r["gap"] is None for r in pov["references"])
    assert any(c["kind"] == "hidden" and c["status"] == "secret" for c in f["caveats"])
    v = fiche_view.view(con, "QP075005", n_twins=0)      # the words: the view's
    assert str(v.row("tx_pauvrete").value) == "secret statistique"
    assert any("secret statistique" in c for c in v.caveats)


def test_caveats_for_a_resolved_commune_link(con):
    f = fiche.fiche(con, "QP093035")
    assert any(c["kind"] == "link" and c["status"] == "resolved" and "Pierrefitte-sur-Seine" in c["detail"]
               for c in f["caveats"])
    assert {c["code"] for c in f["territory"]["communes"]} == {"93066", "93072"}
    v = fiche_view.view(con, "QP093035", n_twins=0)
    assert any("Pierrefitte-sur-Seine" in c and "résolu" in c for c in v.caveats)


def test_contract_means_from_the_view(con):
    f = fiche.fiche(con, "QP031006")
    rows = [m for m in f["means"] if m["contrat_code"] == "CV101"]
    assert rows
    # adulte-relais-2022.json: count the distinct posts of CV101 independently (a post counts once a year)
    recs = json.loads((settings.data_dir() / "contrats_de_ville" / "adulte-relais-2022.json").read_text(encoding="utf-8"))
    n = len({r["id_poste"] for r in recs if r.get("code_cv") == "CV101"})
    got = next(m for m in rows if m["year"] == 2022 and m["kind"] == "adulte_relais")
    assert got["n_posts"] == n


def test_2024_quartier_takes_its_2015_predecessor_values(con):
    """QN01331M <- QP013032 (crosswalk): every value is the predecessor's, flagged (was: no value at all)."""
    f = fiche.fiche(con, "QN01331M")
    assert f["territory"]["generation"] == "2024"
    assert [p["code"] for p in f["territory"]["predecessors"]["predecessors"]] == ["QP013032"]
    # data_filo19_qp_revdis.csv, QP013032: DISP_TP60_A19
    pov = _ind(f, "tx_pauvrete")
    assert pov["value"] == value(F19, "QP013032", "DISP_TP60_A19") and pov["edition"] == 2019
    assert pov["approximation"]["via"][0]["code"] == "QP013032"
    assert all(x["approximation"] for x in f["indicators"] if x["value"] is not None)
    assert any(c["kind"] == "predecessors" for c in f["caveats"])
    assert any("QP013032" in c for c in fiche_view.view(con, "QN01331M", n_twins=0).caveats)


def test_fiche_refuses_non_quartier(con):
    with pytest.raises(ValueError):
        fiche.fiche(con, "CV101")
