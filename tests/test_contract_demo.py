"""The démo dataset: one REAL 2024 contract (CN00604I, Métropole Nice Côte d'Azur) with its real quartiers and
real State means, everything else invented, reproducible from its seed, and marked démo everywhere."""
from __future__ import annotations

import json

from contract import demo, store
from observatoire import db

# contours/qpv2024_paca.geojson: the 10 features whose `com` lists a member commune of EPCI 200030195
# (cog_etalab/epci.json, Métropole Nice Côte d'Azur), the carrier of CN00604I in
# contrats_de_ville/geom_cv_ctr_2024gen.json.
NICE_QUARTIERS = ["QN00601M", "QN00606I", "QN00607M", "QN00608I", "QN00609I", "QN00610M", "QN00611M", "QN00612M",
                  "QN00613M", "QN00614N"]


def _rows(path) -> dict:
    with store.connect(path) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                            "'main' AND table_name NOT IN ('meta', 'audit') ORDER BY 1").fetchall()]
        out = {}
        for t in tables:
            cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                              "AND column_name NOT IN ('created_at', 'updated_at') ORDER BY ordinal_position",
                                              [t]).fetchall()]
            out[t] = con.execute(f'SELECT {", ".join(cols)} FROM "{t}" ORDER BY ALL').fetchall()
        return out


def test_generator_is_pure_and_seeded(warehouse):
    con = db.connect(warehouse)
    try:
        a, b = demo.generate(con, seed=7), demo.generate(con, seed=7)
        c = demo.generate(con, seed=8)
    finally:
        con.close()
    dump = lambda p: json.dumps({k: v for k, v in p.items() if k != "facts"}, default=str, sort_keys=True)  # noqa: E731
    assert dump(a) == dump(b)
    assert dump(a) != dump(c)
    assert a["facts"] == c["facts"]            # the real facts do not depend on the seed


def test_same_seed_gives_the_same_rows(warehouse, demo_saisie, tmp_path):
    other = tmp_path / "again.duckdb"
    demo.load(warehouse, other)
    assert _rows(other) == _rows(demo_saisie)


def test_everything_is_marked_demo(demo_saisie):
    with store.connect(demo_saisie) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema='main' "
                                            "AND table_name NOT IN ('meta', 'import_log')").fetchall()
                  if r[0] not in store.ACCOUNT_TABLES]
        for t in tables:
            n, n_demo = con.execute(f'SELECT count(*), count(*) FILTER (WHERE is_demo) FROM "{t}"').fetchone()
            assert n == n_demo, t
        assert con.execute("SELECT is_demo FROM contrat WHERE contrat_code = 'CN00604I'").fetchone()[0]


def test_sizes_asked_for(demo_saisie):
    with store.connect(demo_saisie) as con:
        q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        assert q("SELECT count(*) FROM action") == 60
        assert q("SELECT min(annee) || '-' || max(annee) FROM action") == "2024-2026"
        assert 20 <= q("SELECT count(*) FROM signataire") <= 30
        assert 60 <= q("SELECT count(*) FROM engagement") <= 120
        assert q("SELECT count(*) FROM engagement_point") > q("SELECT count(*) FROM engagement")
        assert 200 <= q("SELECT count(*) FROM repondant") <= 600
        assert q("SELECT count(DISTINCT vague_id) FROM repondant") == 2
        assert q("SELECT count(*) FROM ref_noeud WHERE niveau = 'enjeu'") == 4
        assert q("SELECT count(*) FROM verbatim WHERE publiable") < q("SELECT count(*) FROM verbatim")


def test_real_contract_quartiers_and_state_means(demo_saisie):
    with store.connect(demo_saisie) as con:
        codes = [r[0] for r in con.execute("SELECT quartier_code FROM contrat_quartier ORDER BY 1").fetchall()]
        used = {r[0] for r in con.execute("SELECT DISTINCT quartier_code FROM action_quartier").fetchall()}
        name = con.execute("SELECT nom FROM contrat").fetchone()[0]
        etat = [r[0] for r in con.execute(
            "SELECT e.intitule FROM engagement e JOIN signataire s ON s.id = e.signataire_id "
            "WHERE s.type_signataire = 'etat'").fetchall()]
        types = {r[0] for r in con.execute("SELECT type_signataire FROM signataire").fetchall()}
        communes = {r[0] for r in con.execute("SELECT nom FROM signataire WHERE type_signataire = 'commune'").fetchall()}
    assert codes == NICE_QUARTIERS
    assert used <= set(NICE_QUARTIERS)
    assert name == "Métropole Nice Côte d'Azur"
    # adulte-relais-2024.json: 67 records with code_cv CN00604I; postes-fonjep-2024.json: 17 (distinct id_poste)
    assert "Maintenir les 67 postes d'adultes-relais du contrat" in etat
    assert "Mobiliser les 17 postes FONJEP des associations des quartiers" in etat
    assert {"etat", "epci", "commune", "departement", "region", "caf", "bailleur", "education_nationale"} <= types
    # communes of the quartiers (`com` of the contours, names from cog_etalab/communes.json)
    assert communes == {"Ville de Nice", "Ville de Drap", "Ville de Carros", "Ville de Saint-Laurent-du-Var",
                        "Ville de La Trinité", "Ville de Saint-André-de-la-Roche", "Ville de Vence"}


def test_ensure_creates_the_demo_only_once_and_never_over_real_data(warehouse, tmp_path, capsys):
    path = tmp_path / "s.duckdb"
    assert demo.ensure(warehouse, path) is True
    assert "Données de démonstration créées pour le contrat CN00604I : 60 actions" in capsys.readouterr().err
    n = _rows(path)
    assert demo.ensure(warehouse, path) is False
    assert _rows(path) == n
    real = tmp_path / "real.duckdb"
    from contract.roles import User
    with store.edit(User("x", "edition", authenticated=True), real) as tx:
        tx.register_contract("CN01303M", "Métropole d'Aix-Marseille-Provence", [])
    assert demo.ensure(warehouse, real) is False
    with store.connect(real) as con:
        assert con.execute("SELECT count(*) FROM action").fetchone()[0] == 0


def test_loaders_ensure_prepares_the_demo(warehouse, tmp_path, monkeypatch):
    from loaders.__main__ import main
    monkeypatch.setenv("OBSERVATOIRE_SAISIE_DB", str(tmp_path / "s.duckdb"))
    assert main(["ensure", "--db", str(warehouse), "--quiet"]) == 0
    with store.connect(tmp_path / "s.duckdb") as con:
        assert con.execute("SELECT count(*) FROM action WHERE is_demo").fetchone()[0] == 60
