"""Curated indicators (catalogue + loaders/indicator_values.py) on the real warehouse."""
from __future__ import annotations

import copy

import duckdb
import pytest

from loaders import catalogue as cat
from loaders.build import schema_sql
from readers.errors import InputError

STABLE_IDS = ["pop", "ind_jeunesse", "part_etrangers", "part_femmes", "part_0_24", "part_60_plus",
              "part_menages_1pers", "part_menages_6pers", "alloc_caf", "tx_pauvrete", "rev_disp_median",
              "rev_disp_d1", "rev_disp_d9", "rapport_interdecile", "tx_bas_revenus", "part_menages_imposes",
              "tx_emploi", "tx_emploi_f", "tx_emploi_etr", "tx_emploi_precaire", "de_abcde", "de_abc", "part_de_f"]


def iv(con, code, iid, edition):
    return con.execute("""
        SELECT value, status, source_file, source_variable, ref_year FROM indicator_value
        WHERE territory_code = ? AND indicator_id = ? AND edition = ?""", [code, iid, edition]).fetchone()


def test_catalogue_content(con):
    rows = con.execute("SELECT indicator_id, theme, barometre FROM indicator_catalog WHERE NOT is_local").fetchall()
    ids = [r[0] for r in rows]
    assert len(ids) >= 40 and set(STABLE_IDS) <= set(ids)
    assert {r[1] for r in rows} >= {"demographie", "revenus", "emploi", "caf"}
    assert 6 <= sum(r[2] for r in rows) <= 10
    # every curated indicator has real values
    empty = con.execute("""
        SELECT indicator_id FROM indicator_catalog c WHERE NOT is_local AND NOT EXISTS (
            SELECT 1 FROM indicator_value v WHERE v.indicator_id = c.indicator_id AND v.status = 'ok')""").fetchall()
    assert empty == []


def test_hand_picked_quartier_values(con):
    # QP001001, DEMO_2017.csv line 3 / DEMO_2022.csv line 2: POP_MUN 6 056 then 6 490
    assert iv(con, "QP001001", "pop", 2017)[:4] == (6056.0, "ok", "DEMO_2017.csv", "POP_MUN")
    assert iv(con, "QP001001", "pop", 2022)[:2] == (6490.0, "ok")
    # Income 2018 is in data_filo18 (preferred) and in REVN_2022 (Filosofi N-4): 14 180 both
    assert iv(con, "QP001001", "rev_disp_median", 2018) == (14180.0, "ok", "data_filo18_qp_revdis.csv",
                                                           "DISP_MED_A18", 2018)
    assert iv(con, "QP001001", "tx_pauvrete", 2018)[:3] == (41.4, "ok", "data_filo18_qp_revdis.csv")
    # Income 2013 only in REVN_2017.csv line 3: DISP_Q2 = 13 501
    assert iv(con, "QP001001", "rev_disp_median", 2013) == (13501.0, "ok", "REVN_2017.csv", "DISP_Q2", 2013)
    # IPRO_2017.csv line 3: ABCDE = 1 121, ABCDE_F = 545 -> part_de_f = 48.62 %
    v = iv(con, "QP001001", "part_de_f", 2017)
    assert v[0] == pytest.approx(100 * 545 / 1121) and v[1:4] == ("ok", "IPRO_2017.csv", "ABCDE_F/ABCDE")
    # CAF indicators keep the SIG Ville edition key: REVN_2022.csv line 2 ARSAS = 376, A = 2 068
    assert iv(con, "QP001001", "alloc_rsa", 2022)[:2] == (376.0, "ok")
    assert iv(con, "QP001001", "part_alloc_rsa", 2022)[0] == pytest.approx(100 * 376 / 2068)
    # Employment precariousness: TX_TOT_EPREC until 2020, TX_TOT_EDLIM from 2021 (IPRO_2022.csv line 2: 28,0)
    assert iv(con, "QP001001", "tx_emploi_precaire", 2022)[:4] == (28.0, "ok", "IPRO_2022.csv", "TX_TOT_EDLIM")
    assert iv(con, "QP001001", "tx_emploi_precaire", 2020)[3] == "TX_TOT_EPREC"


def test_secret_absent_and_ensemble(con):
    # DEMO_2019.csv line 3: TX_TOT_MEN6 empty -> secret
    assert iv(con, "QP001001", "part_menages_6pers", 2019)[:4] == (None, "secret", "DEMO_2019.csv", "TX_TOT_MEN6")
    # Diploma of job seekers not published in IPRO_2019: absent, the file is named
    assert iv(con, "QP001001", "part_de_infbac", 2019)[:4] == (None, "absent", "IPRO_2019.csv", None)
    # Ensemble des QPV, data_filo19 line 2: DISP_MED_A19 = 14 010, DISP_TP60_A19 = 43,6
    assert iv(con, "ENSQP2015", "rev_disp_median", 2019)[:2] == (14010.0, "ok")
    assert iv(con, "ENSQP2015", "tx_pauvrete", 2019)[:2] == (43.6, "ok")
    # REVN_2017.csv line 2: the Ensemble row has no income: non disponible (not secret)
    assert iv(con, "ENSQP2015", "rev_disp_median", 2013)[:2] == (None, "non_disponible")


def test_reference_territories(con):
    # FILO2019_DISP_METROPOLE.csv line 2: Q219 = 21930, D119 = 11620, D919 = 39600, RD = 3,4, GI19 = 0,292
    assert iv(con, "FRM", "rev_disp_median", 2019) == (21930.0, "ok", "FILO2019_DISP_METROPOLE.csv", "Q219", 2019)
    assert iv(con, "FRM", "rev_disp_d1", 2019)[0] == 11620.0
    assert iv(con, "FRM", "rev_disp_d9", 2019)[0] == 39600.0
    assert iv(con, "FRM", "rapport_interdecile", 2019)[0] == 3.4
    assert iv(con, "FRM", "gini", 2019)[0] == 0.292
    # No poverty rate in the FILO reference files: absent, no substitution
    assert iv(con, "FRM", "tx_pauvrete", 2019)[:3] == (None, "absent", "FILO2019_DISP_METROPOLE.csv")
    assert con.execute("""
        SELECT count(*) FROM indicator_value WHERE indicator_id = 'tx_pauvrete' AND status = 'ok'
          AND territory_code IN (SELECT code FROM territory WHERE level IN ('epci', 'departement', 'region', 'france'))
    """).fetchone()[0] == 0
    # FILO2014: no PACT14 column -> absent that year only
    assert iv(con, "DEP01", "part_rev_activite", 2014)[1] == "absent"
    assert iv(con, "DEP01", "part_rev_activite", 2015)[1] == "ok"


def test_indicator_value_agrees_with_source_value(con):
    """Every single-column value equals its source cell; statuses follow the cell's status."""
    bad = con.execute("""
        SELECT iv.territory_code, iv.indicator_id, iv.edition, iv.value, sv.value, iv.status, sv.status
        FROM indicator_value iv
        JOIN source_value sv ON sv.source_file = iv.source_file AND sv.source_variable = iv.source_variable
             AND sv.territory_code = iv.territory_code
        WHERE NOT (iv.value IS NOT DISTINCT FROM sv.value
                   AND iv.status = CASE sv.status WHEN 'ok' THEN 'ok' WHEN 'secret' THEN 'secret'
                                                  ELSE 'non_disponible' END)
        LIMIT 5""").fetchall()
    assert bad == []
    n = con.execute("""
        SELECT count(*) FROM indicator_value iv JOIN source_value sv ON sv.source_file = iv.source_file
        AND sv.source_variable = iv.source_variable AND sv.territory_code = iv.territory_code""").fetchone()[0]
    assert n > 500_000


def test_shares_recomputed_from_counts(con):
    """Formula mappings ('A/B'): value = 100 * A / B from the same file and row."""
    bad = con.execute("""
        SELECT iv.territory_code, iv.edition FROM indicator_value iv
        JOIN source_value a ON a.source_file = iv.source_file AND a.territory_code = iv.territory_code
             AND a.source_variable = 'ABC_25'
        JOIN source_value b ON b.source_file = iv.source_file AND b.territory_code = iv.territory_code
             AND b.source_variable = 'ABC'
        WHERE iv.indicator_id = 'part_de_jeunes' AND iv.status = 'ok'
          AND abs(iv.value - 100 * a.value / b.value) > 1e-9""").fetchall()
    assert bad == []


def test_filo_and_revn_agree_for_shared_years(con):
    """REVN_2021/2022 repeat data_filo17/18 (income 2017/2018): no disagreement was reported."""
    assert con.execute("""
        SELECT count(*) FROM build_warning WHERE step = 'indicators' AND message LIKE '%diffère%'""").fetchone()[0] == 0
    # and the REVN copy was indeed compared: both files hold the same median for QP001001
    assert con.execute("""
        SELECT count(DISTINCT value) FROM source_value WHERE territory_code = 'QP001001'
          AND (source_file, source_variable) IN (('REVN_2022.csv', 'DISP_Q2'),
                                                 ('data_filo18_qp_revdis.csv', 'DISP_MED_A18'))""").fetchone()[0] == 1


def test_absent_editions_declared(con):
    rows = con.execute("SELECT indicator_id, edition, source_file, level FROM indicator_absent").fetchall()
    assert ("part_de_supbac", 2019, "IPRO_2019.csv", "qpv") in rows
    assert ("alloc_ppa", 2017, "REVN_2017.csv", "qpv") in rows
    assert ("tx_pauvrete", 2016, "FILO2016_DISP_EPCI.csv", "epci") in rows


def test_table_structure_matches_schema(con):
    """indicator_value has the columns of schema.sql, and one row per (territory, indicator, edition): the
    build checks it instead of a primary key (see schema.sql)."""
    ref = duckdb.connect()
    ref.execute(schema_sql())
    q_cols = ("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
              "WHERE table_name = 'indicator_value' ORDER BY ordinal_position")
    assert con.execute(q_cols).fetchall() == ref.execute(q_cols).fetchall()
    assert con.execute("""SELECT count(*) FROM (SELECT territory_code, indicator_id, edition FROM indicator_value
                          GROUP BY ALL HAVING count(*) > 1)""").fetchone()[0] == 0


def test_catalogue_validation_errors():
    ind, ind_lines = cat.read_yaml("indicators.yaml")
    src, src_lines = cat.read_yaml("sources.yaml")
    cat.validate(ind, src, ind_lines, src_lines)      # the real catalogue is valid
    broken = copy.deepcopy(ind)
    tx = next(i for i in broken["indicators"] if i["id"] == "tx_pauvrete")
    tx["theme"] = "pauvrete"
    tx["polarity"] = "lower_better"
    tx["gap_kind"] = "percent"
    tx["source"] = "insee_inconnu"
    tx["editions"][2019] = "sans_deux_points"
    with pytest.raises(InputError) as e:
        cat.validate(broken, src, ind_lines, src_lines)
    msg = str(e.value)
    for part in ("tx_pauvrete", "thème « pauvrete »", "polarité « lower_better »", "type d'écart « percent »",
                 "source « insee_inconnu »", "FICHIER:VARIABLE", "indicators.yaml"):
        assert part in msg
    assert e.value.line == ind_lines["tx_pauvrete"] and e.value.column == "theme"


def test_disagreement_between_two_files_is_reported(tmp_path):
    """Synthetic warehouse: the same income year in a dedicated file and in REVN, with one different value."""
    from loaders import indicator_values
    from loaders.build import BuildContext

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(schema_sql())
    con.execute("""INSERT INTO indicator_catalog (indicator_id, label, unit, theme, polarity, source, definition,
                   gap_kind, aggregation, edition_key) VALUES
                   ('med', 'Médiane', '€', 'revenus', 'higher_better', 's', 'd', 'ratio', 'none', 'income_year')""")
    con.execute("""INSERT INTO indicator_source VALUES
                   ('med', 2018, 'filo18.csv', 'DISP_MED_A18', 2018, 'qpv', 1),
                   ('med', 2018, 'REVN_2022.csv', 'DISP_Q2', 2018, 'qpv', 2)""")
    con.execute("""INSERT INTO source_value VALUES
                   ('filo18.csv', 'DISP_MED_A18', 'QP001001', 2018, 14180, '14 180', 'ok', 3),
                   ('filo18.csv', 'DISP_MED_A18', 'QP001002', 2018, 13130, '13 130', 'ok', 4),
                   ('REVN_2022.csv', 'DISP_Q2', 'QP001001', 2022, 14180, '14 180', 'ok', 2),
                   ('REVN_2022.csv', 'DISP_Q2', 'QP001002', 2022, 13000, '13 000', 'ok', 3),
                   ('REVN_2022.csv', 'DISP_Q2', 'QP001003', 2022, NULL, '', 'secret', 4)""")
    ctx = BuildContext(con=con, data_dir=tmp_path, step="indicators")
    indicator_values.load(ctx)
    rows = con.execute("SELECT territory_code, value, status, source_file FROM indicator_value ORDER BY 1").fetchall()
    assert rows == [("QP001001", 14180.0, "ok", "filo18.csv"), ("QP001002", 13130.0, "ok", "filo18.csv"),
                    ("QP001003", None, "secret", "REVN_2022.csv")]      # only in REVN: the fallback
    msgs = [w[4] for w in ctx.warnings]
    assert len(msgs) == 1 and "1 territoire(s)" in msgs[0] and "QP001002 : 13130.0 contre 13000.0" in msgs[0]


def test_mapping_to_a_missing_column_stops_the_build(tmp_path):
    from loaders import indicator_values
    from loaders.build import BuildContext, BuildError

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(schema_sql())
    con.execute("INSERT INTO indicator_source VALUES ('pop', 2022, 'DEMO_2022.csv', 'POP_MUNN', NULL, 'qpv', 1)")
    con.execute("INSERT INTO source_value VALUES ('DEMO_2022.csv', 'POP_MUN', 'QP001001', 2022, 6490, '6 490', 'ok', 2)")
    with pytest.raises(BuildError, match="POP_MUNN"):
        indicator_values.load(BuildContext(con=con, data_dir=tmp_path, step="indicators"))
