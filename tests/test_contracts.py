"""Contrats de ville, quartier -> contract links and the State means per contract (real warehouse).

Expected values were computed by hand from ../shared/data/contrats_de_ville (file named next to each)."""
from __future__ import annotations


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()


def link(con, child, relation):
    return {r[0]: r[1:] for r in con.execute(
        "SELECT parent_code, confidence, method FROM territory_link WHERE child_code = ? AND relation = ?",
        [child, relation]).fetchall()}


def test_contract_territories(con):
    # geom_cv_ctr_2015gen.json: 434 features, 433 codes; 2024gen: 448 features, 446 codes; 45 codes in both.
    gens = dict(con.execute("SELECT generation, count(*) FROM territory WHERE level = 'contrat_de_ville' GROUP BY 1").fetchall())
    assert gens == {"2015": 388, "2024": 401, "2015/2024": 45}
    # CN00104M: codgeo 200071751, lib_cv '01 - CA du Bassin de Bourg-en-Bresse', pop 8738.0.
    assert one(con, "SELECT name, departement, region, population FROM territory WHERE code = 'CN00104M'") == (
        "CA du Bassin de Bourg-en-Bresse", "01", "84", 8738)
    assert one(con, "SELECT count(*) FROM contract_carrier")[0] == 434 + 448


def test_carriers(con):
    # 2024: codgeo 200071751 is a current EPCI.
    assert link(con, "CN00104M", "contrat_epci") == {"200071751": (1.0, "codgeo")}
    # 2015: CV004 codgeo 240100628 'CA Bourg en Bresse Agglomération', merged since into 200071751.
    assert link(con, "CV004", "contrat_epci") == {"200071751": (0.9, "epci_fusionne_quartiers")}
    status, detail = one(con, "SELECT status, detail FROM link_report WHERE code = 'CV004' AND relation = 'contrat_epci'")
    assert status == "resolved" and "240100628" in detail
    # CV901 Paris: codgeo 75056 (a commune). CN09301I Est Ensemble: codgeo 200057875 (an EPT).
    assert link(con, "CV901", "contrat_epci") == {"75056": (1.0, "codgeo")}
    assert one(con, "SELECT carrier_level FROM contract_carrier WHERE contrat_code = 'CN09301I'")[0] == "ept"
    # Every 2015 carrier resolves to a current territory.
    assert one(con, "SELECT count(*) FROM contract_carrier WHERE carrier_code IS NULL AND codgeo IS NOT NULL "
                    "AND file_generation = '2015'")[0] == 0


def test_quartier_to_contract(con):
    # QP001001 (Bourg-en-Bresse, EPCI 200071751) -> the only 2015 contract of that EPCI, CV004.
    assert link(con, "QP001001", "qpv_contrat") == {"CV004": (0.9, "contrat_epci_fusionne")}
    assert link(con, "QN00101M", "qpv_contrat") == {"CN00104M": (1.0, "contrat_epci")}
    # Paris: commune contract.
    assert link(con, "QP075001", "qpv_contrat") == {"CV901": (1.0, "contrat_commune")}
    # Montreuil 2024 quartier -> Est Ensemble (EPT carrier).
    assert link(con, "QN09309M", "qpv_contrat") == {"CN09301I": (1.0, "contrat_ept")}


def test_population_checked_assignment(con):
    # Marseille quartiers: six 2015 contracts now in the Métropole Aix-Marseille-Provence; the split that
    # gives every contract its published pop puts QP013008 (Marseille 10e) in CV049 (MPM, pop 244315.0).
    assert link(con, "QP013008", "qpv_contrat") == {"CV049": (0.9, "contrat_epci_fusionne_population")}
    pop = one(con, """SELECT sum(v.value) FROM territory_link l JOIN source_value v ON v.territory_code = l.child_code
                      AND v.source_variable = 'POP_MUN' AND v.source_file = 'DEMO_2022.csv'
                      WHERE l.relation = 'qpv_contrat' AND l.parent_code = 'CV049'""")[0]
    assert pop == 244315


def test_every_quartier_has_a_contract_or_a_reason(con):
    missing = con.execute("""
        SELECT t.code FROM territory t WHERE t.level = 'qpv'
          AND NOT EXISTS (SELECT 1 FROM territory_link l WHERE l.child_code = t.code AND l.relation = 'qpv_contrat')
          AND NOT EXISTS (SELECT 1 FROM link_report r WHERE r.code = t.code AND r.relation = 'qpv_contrat')""").fetchall()
    assert missing == []
    # QP021001 (Beaune): its contract CV065 is missing from geom_cv_ctr_2015gen.json.
    assert one(con, "SELECT status FROM link_report WHERE code = 'QP021001' AND relation = 'qpv_contrat'")[0] == "unmatched"


def test_adultes_relais_2023(con):
    # adulte-relais-2023.json: 20 records with code_cv 'CV004', each montant 22555.73 -> 451114.60 €.
    n, amount = one(con, "SELECT n_posts, amount FROM contract_means WHERE contrat_code = 'CV004' AND year = 2023 "
                         "AND kind = 'adulte_relais'")
    assert n == 20 and round(amount, 2) == 451114.60
    # adulte-relais-2024.json: 13 records for CN00104M, 296537.93 €.
    n, amount = one(con, "SELECT n_posts, amount FROM contract_means WHERE contrat_code = 'CN00104M' AND year = 2024 "
                         "AND kind = 'adulte_relais'")
    assert n == 13 and round(amount, 2) == 296537.93


def test_means_quirks(con):
    # postes-fonjep-2023.json: annee is the text "2023"; first record D01935, CV049, 7164 €.
    assert one(con, "SELECT year, contrat_code, amount FROM means_post WHERE source_file = 'postes-fonjep-2023.json' "
                    "AND record = 1") == (2023, "CV049", 7164.0)
    # postes-fonjep-2024.json: no code_tiers at all, 101 records without code_cv (1,547 records).
    assert one(con, """SELECT count(*), count(code_tiers), count(*) - count(contrat_code) FROM means_post
                       WHERE source_file = 'postes-fonjep-2024.json'""") == (1547, 0, 101)
    # All records of the twelve files are kept: 4660+5377+5623+5416+4949+4753 + 1455+1462+1429+1478+1547+3162.
    assert one(con, "SELECT count(*) FROM means_post")[0] == 41311
    msgs = [r[0] for r in con.execute("SELECT message FROM build_warning WHERE source_file = 'postes-fonjep-2025.json'").fetchall()]
    assert any("partiel" in m for m in msgs)


def test_actions_2020(con):
    # subventions2020_cv_nb_projets.gpkg: CV264 (CC Faucigny-Glières) nb_projets 12;
    # ..._nb_themes_projets.gpkg: '1 - Pilier cohésion sociale' 11, '3-Pilier cadre de vie et renouvellement urbain' 1.
    rows = dict(con.execute("SELECT coalesce(theme, 'total'), n_projects FROM contract_actions_2020 "
                            "WHERE contrat_code = 'CV264'").fetchall())
    assert rows == {"total": 12, "1 - Pilier cohésion sociale": 11, "3-Pilier cadre de vie et renouvellement urbain": 1}
    # CV044 appears twice in the file (Arles 13 and Bar-le-Duc 55, same 57): kept once, the 55 row warned.
    assert one(con, "SELECT count(*), max(n_projects), max(carrier_code) FROM contract_actions_2020 "
                    "WHERE contrat_code = 'CV044' AND theme IS NULL") == (1, 57, "241300417")
    assert one(con, "SELECT count(*) FROM build_warning WHERE message LIKE 'CV044 répété%'")[0] >= 1
    # 'CV047\r\n' (line 54) is cleaned but has no number: nothing stored.
    assert one(con, "SELECT count(*) FROM contract_actions_2020 WHERE contrat_code LIKE '%\r%'")[0] == 0
