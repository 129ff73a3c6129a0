"""2015 quartiers -> communes by name, quartier -> EPCI, and the 2015 -> 2024 crosswalk (real warehouse).

LIB_COM values quoted below are those of sigville_qp2015/DEMO_2022.csv (latest edition) unless said."""
from __future__ import annotations

import duckdb
import pytest

from loaders.names import NAME_KEY_MACRO, name_key, similarity, split_communes


def links(con, code, relation):
    return {r[0]: r[1:] for r in con.execute(
        "SELECT parent_code, confidence, method FROM territory_link WHERE child_code = ? AND relation = ?",
        [code, relation]).fetchall()}


def reports(con, code, relation):
    return con.execute("SELECT status, detail FROM link_report WHERE code = ? AND relation = ?",
                       [code, relation]).fetchall()


def test_every_2015_quartier_has_communes_and_epci_or_a_reason(con):
    """Acceptance criterion of issue 2."""
    missing = con.execute("""
        SELECT t.code FROM territory t WHERE t.level = 'qpv' AND t.generation = '2015'
          AND NOT (EXISTS (SELECT 1 FROM territory_link l WHERE l.child_code = t.code AND l.relation = 'qpv_commune')
                   AND EXISTS (SELECT 1 FROM territory_link l WHERE l.child_code = t.code AND l.relation = 'qpv_epci'))
          AND NOT EXISTS (SELECT 1 FROM link_report r WHERE r.code = t.code
                          AND r.relation IN ('qpv_commune', 'qpv_epci') AND r.status = 'unmatched')""").fetchall()
    assert missing == []
    # With the current files every one of the 1,400 quartiers is matched.
    assert con.execute("""SELECT count(DISTINCT child_code) FROM territory_link WHERE relation = 'qpv_epci'
                          AND child_code LIKE 'QP%'""").fetchone()[0] == 1400


def test_exact_name(con):
    # QP001001;Grande Reyssouze Terre Des Fleurs;...;Bourg-en-Bresse -> 01053 -> CA du Bassin de Bourg-en-Bresse.
    assert links(con, "QP001001", "qpv_commune") == {"01053": (1.0, "name_exact")}
    assert links(con, "QP001001", "qpv_epci") == {"200071751": (1.0, "commune_epci")}
    assert reports(con, "QP001001", "qpv_commune") == []


def test_several_communes(con):
    # QP092010 'Gennevilliers' (2022) but 'Asnières-sur-Seine, Gennevilliers' in DEMO 2017-2018: the latest
    # edition is used and the difference is reported as a note.
    assert set(links(con, "QP092010", "qpv_commune")) == {"92036"}
    (status, detail), = reports(con, "QP092010", "qpv_commune")
    assert status == "note" and "Asnières-sur-Seine, Gennevilliers" in detail
    # QP093035 'Pierrefitte-sur-Seine, Stains': Pierrefitte is now a commune déléguée of Saint-Denis (93066).
    assert links(con, "QP093035", "qpv_commune") == {"93072": (1.0, "name_exact"),
                                                     "93066": (0.95, "cog_commune_deleguee")}
    (status, detail), = reports(con, "QP093035", "qpv_commune")
    assert status == "resolved" and "93059" in detail


def test_renamed_commune_needs_normalisation(con):
    # QP076019 'Oissel': the COG now says 76484 'Oissel-sur-Seine'.
    assert links(con, "QP076019", "qpv_commune") == {"76484": (0.9, "name_prefix")}
    (status, detail), = reports(con, "QP076019", "qpv_commune")
    assert status == "fuzzy" and "Oissel-sur-Seine" in detail
    # QP069040 'Grigny' (Rhône): 'Grigny' exists in 62 and 91, the Rhône one is now 'Grigny-sur-Rhône' 69096.
    assert set(links(con, "QP069040", "qpv_commune")) == {"69096"}


def test_quartier_across_two_departements(con):
    # QP062040 'Ostricourt, Évin-Malmaison': Évin-Malmaison is 62321, Ostricourt is in the Nord (59452).
    assert links(con, "QP062040", "qpv_commune") == {"62321": (1.0, "name_exact"),
                                                     "59452": (0.9, "name_other_departement")}
    assert set(links(con, "QP062040", "qpv_epci")) == {"246200299", "200041960"}
    assert [r[0] for r in reports(con, "QP062040", "qpv_epci")] == ["ambiguous"]


def test_arrondissements(con):
    # QP013058 'Marseille 2e Arrondissement, Marseille 15e Arrondissement'.
    assert set(links(con, "QP013058", "qpv_commune")) == {"13055"}
    assert set(links(con, "QP013058", "qpv_arrondissement")) == {"13202", "13215"}
    # Older editions wrote 'Marseille 15e  Arrondissement' (two spaces): same communes, no note.
    assert reports(con, "QP013058", "qpv_commune") == []


def test_edition_error_is_not_followed(con):
    # QP095005 'Douai, Argenteuil' in DEMO_2017/2018 (an error), 'Argenteuil' since: Douai (59178) is not linked.
    assert set(links(con, "QP095005", "qpv_commune")) == {"95018"}


def test_occitanie_contour_evidence_agrees(con):
    # qp2015_occitanie.geojson gives code_commune for 105 quartiers: no disagreement reported.
    assert con.execute("""SELECT count(*) FROM link_report WHERE relation = 'qpv_commune' AND status = 'ambiguous'
                          AND source_file LIKE 'qp2015_%'""").fetchone()[0] == 0
    # QP065003 'Tarbes Est': LIB_COM 'Séméac, Tarbes', contour code_commune 65440 (Tarbes) among them.
    assert "65440" in links(con, "QP065003", "qpv_commune")


def test_name_key_sql_equals_python(con, data_dir):
    """The SQL macro (used on 37,590 COG names) and the Python function give the same key for every name."""
    mem = duckdb.connect()
    mem.execute(NAME_KEY_MACRO)
    rows = mem.execute(f"""SELECT nom, name_key(nom) FROM read_json('{data_dir / "cog_etalab/communes.json"}',
                            format='array', columns={{nom: 'VARCHAR'}})""").fetchall()
    assert len(rows) == 37590
    assert [r for r in rows if r[1] != name_key(r[0])] == []


@pytest.mark.parametrize("a,b", [("Saint-Ouen-sur-Seine", "ST OUEN SUR SEINE"), ("L'Île-Saint-Denis", "L Ile St Denis"),
                                 ("Cannet (Le)", "Le Cannet"), ("Marseille 15e  Arrondissement", "Marseille 15ème arrondissement"),
                                 ("Rœulx", "Roeulx"), ("Mons-en-Barœul", "Mons-en-Baroeul")])
def test_name_key_equivalences(a, b):
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_names_apart():
    assert name_key("Grigny") != name_key("Grigny-sur-Rhône")
    assert name_key("Saint-Denis") != name_key("Sainte-Denis")


def test_split_communes():
    assert split_communes("Anzin, Beuvrages, Bruay-sur-l'Escaut, Raismes, Valenciennes")[2] == "Bruay-sur-l'Escaut"
    assert split_communes("Omissy; Saint-Quentin") == ["Omissy", "Saint-Quentin"]
    assert split_communes("") == []


def test_crosswalk_examples(con):
    # QP001001 and QN00101M share commune 01053 and the name 'Grande Reyssouze Terre Des Fleurs'.
    assert links(con, "QP001001", "qp2015_qpv2024") == {"QN00101M": (0.95, "crosswalk_commune_name")}
    # QP001008 'Brillat - Savarin' (Belley) -> QN00106M 'Clos Morcel - Brillat-Savarin - Bouvardière'.
    assert links(con, "QP001008", "qp2015_qpv2024") == {"QN00106M": (0.9, "crosswalk_commune_name")}
    # QP076019 'Oissel Sur Seine Nord' vs QN07617M 'Bel Air': the only quartier of 76484 in each generation.
    assert links(con, "QP076019", "qp2015_qpv2024") == {"QN07617M": (0.5, "crosswalk_seul_quartier")}
    assert [r[0] for r in reports(con, "QP076019", "qp2015_qpv2024")] == ["fuzzy"]


def test_crosswalk_is_never_certain_and_lists_the_unmatched(con):
    assert con.execute("SELECT max(confidence) FROM territory_link WHERE relation = 'qp2015_qpv2024'").fetchone()[0] < 1
    unmatched = dict(con.execute("""SELECT substr(code, 1, 2), count(*) FROM link_report
                                    WHERE relation = 'qp2015_qpv2024' AND status = 'unmatched' GROUP BY 1""").fetchall())
    assert unmatched["QP"] > 0 and unmatched["QN"] > 0
    # Every 2015 quartier is either linked or reported.
    assert con.execute("""SELECT count(*) FROM territory t WHERE t.level = 'qpv' AND t.generation = '2015'
                          AND NOT EXISTS (SELECT 1 FROM territory_link l WHERE l.child_code = t.code AND l.relation = 'qp2015_qpv2024')
                          AND NOT EXISTS (SELECT 1 FROM link_report r WHERE r.code = t.code AND r.relation = 'qp2015_qpv2024')
                       """).fetchone()[0] == 0


@pytest.mark.parametrize("a,b,low,high", [
    ("Saint Henri", "Saint André", 0.0, 0.69),                      # only the generic word is shared
    ("Les Epinettes", "Les Aunettes", 0.0, 0.89),                   # spelling close, different places
    ("Maladière", "La Maladière - Les Peupliers", 0.9, 0.9),       # containment
    ("Centre Ville", "Centre-Ville", 1.0, 1.0),
])
def test_similarity(a, b, low, high):
    assert low <= similarity(a, b) <= high
