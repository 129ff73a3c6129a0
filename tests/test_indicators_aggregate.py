"""Contract-level aggregates (indicators/aggregate.py): sums, weighted shares, « non agrégeable » and the
secret-statistique guard. Real contract: CV101 Toulouse Métropole; expected values from the raw files."""
from __future__ import annotations
from loaders.build import schema_sql

import duckdb
import pytest
from test_indicators_raw import SIG, value

from indicators import aggregate



def _row(df, indicator_id):
    return df[df.indicator_id == indicator_id].iloc[0]


def test_population_sum_matches_the_contract_file(con):
    qs = aggregate.quartiers(con, "CV101")
    assert len(qs) == 16 and all(q.startswith("QP031") for q in qs)
    df = aggregate.aggregate(con, "CV101", ["pop"], edition=2022)
    expected = sum(value(f"{SIG}/DEMO_2022.csv", q, "POP_MUN") for q in qs)
    r = _row(df, "pop")
    assert (r.method, r.status, r.value) == ("somme", "ok", expected)
    # geom_cv_ctr_2015gen.json line 106: CV101 "pop": 63488.0 — the published QPV population of the contract
    assert expected == 63488


def test_job_seekers_sum_and_weighted_share(con):
    qs = aggregate.quartiers(con, "CV101")
    df = aggregate.aggregate(con, "CV101", ["de_abc", "part_de_jeunes"], edition=2022)
    abc = {q: value(f"{SIG}/IPRO_2022.csv", q, "ABC") for q in qs}
    young = {q: value(f"{SIG}/IPRO_2022.csv", q, "ABC_25") for q in qs}
    assert None not in abc.values() and None not in young.values()
    assert _row(df, "de_abc").value == sum(abc.values())
    # part_de_jeunes = 100 * ABC_25 / ABC per quartier, weighted by ABC -> 100 * sum(ABC_25) / sum(ABC)
    r = _row(df, "part_de_jeunes")
    assert r.method == "moyenne pondérée par de_abc" and r.coverage == pytest.approx(1.0)
    assert r.value == pytest.approx(100 * sum(young.values()) / sum(abc.values()), rel=1e-9)


def test_weighted_share_over_published_quartiers_only(con):
    qs = aggregate.quartiers(con, "CV101")
    df = aggregate.aggregate(con, "CV101", ["part_alloc_rsa"], edition=2022)
    num, den, n = 0.0, 0.0, 0
    for q in qs:  # part = 100 * ARSAS / A (REVN_2022.csv), weight = A (DEMO_2022.csv)
        a_revn, rsa, w = (value(f"{SIG}/REVN_2022.csv", q, "A"), value(f"{SIG}/REVN_2022.csv", q, "ARSAS"),
                          value(f"{SIG}/DEMO_2022.csv", q, "A"))
        if None not in (a_revn, rsa, w) and a_revn:
            num, den, n = num + 100 * rsa / a_revn * w, den + w, n + 1
    r = _row(df, "part_alloc_rsa")
    assert r.n_with_value == n < len(qs)
    assert r.value == pytest.approx(num / den, rel=1e-9)
    assert f"{n} quartier(s) sur {len(qs)}" in r.note


def test_medians_and_rates_without_denominator_are_not_aggregated(con):
    df = aggregate.aggregate(con, "CV101", ["rev_disp_median", "tx_pauvrete"])
    for i in ("rev_disp_median", "tx_pauvrete"):
        r = _row(df, i)
        assert (r.method, r.status) == ("non agrégeable", "sans_objet") and r.value is None


def test_sum_with_an_unpublished_quartier_is_withheld(con):
    qs = aggregate.quartiers(con, "CV101")
    missing = [q for q in qs if value(f"{SIG}/DEMO_2022.csv", q, "A") is None]
    assert missing  # one CV101 quartier has its CAF count masked in DEMO_2022.csv
    r = _row(aggregate.aggregate(con, "CV101", ["alloc_caf"], edition=2022), "alloc_caf")
    assert r.status == "non_disponible" and r.value is None and f"{len(missing)} quartier(s)" in r.note


def test_secret_guard_on_a_small_contract(tmp_path):
    """A contract with 3 job seekers in all (< 5, rule pole_emploi_individus): no number comes back."""
    con = duckdb.connect(str(tmp_path / "mini.duckdb"))
    con.execute(schema_sql())
    con.execute("""INSERT INTO indicator_catalog (indicator_id, label, unit, theme, polarity, source, definition,
                   gap_kind, aggregation, secret_rule) VALUES
                   ('de_abc', 'Demandeurs ABC', 'personnes', 'emploi', 'higher_worse', 't', 't', 'none', 'sum',
                    'pole_emploi_individus'),
                   ('part_de_jeunes', 'Part jeunes', '%', 'emploi', 'higher_worse', 't', 't', 'points',
                    'weighted:de_abc', 'pole_emploi_individus')""")
    con.execute("""INSERT INTO territory (code, level, name, generation) VALUES
                   ('CVX', 'contrat_de_ville', 'Test', '2015'), ('QPX1', 'qpv', 'A', '2015'),
                   ('QPX2', 'qpv', 'B', '2015')""")
    con.execute("""INSERT INTO territory_link (child_code, parent_code, relation) VALUES
                   ('QPX1', 'CVX', 'qpv_contrat'), ('QPX2', 'CVX', 'qpv_contrat')""")
    con.execute("""INSERT INTO indicator_value (territory_code, indicator_id, edition, value, status) VALUES
                   ('QPX1', 'de_abc', 2022, 2, 'ok'), ('QPX2', 'de_abc', 2022, 1, 'ok'),
                   ('QPX1', 'part_de_jeunes', 2022, 50, 'ok'), ('QPX2', 'part_de_jeunes', 2022, 0, 'ok')""")
    df = aggregate.aggregate(con, "CVX", ["de_abc", "part_de_jeunes"])
    for i in ("de_abc", "part_de_jeunes"):
        r = _row(df, i)
        assert r.value is None and r.status == "effectif_insuffisant"
    con.execute("UPDATE indicator_value SET value = 4 WHERE territory_code = 'QPX2' AND indicator_id = 'de_abc'")
    df = aggregate.aggregate(con, "CVX", ["de_abc", "part_de_jeunes"])
    assert _row(df, "de_abc").value == 6 and _row(df, "de_abc").status == "ok"
    assert _row(df, "part_de_jeunes").value == pytest.approx((50 * 2 + 0 * 4) / 6)
    con.close()
