"""QPV 2024 quartiers (décret 2023-1314): the 1,493 codes and the communes they lie in.

Main source: `qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson`, one feature per commune
holding at least one QPV, with `code_qp` and `lib_qp` as comma-separated lists in the same order. The
older contours file of the same referentiel (692 communes) and the PACA contours (`com` = commune list)
are read as cross-checks: a quartier–commune pair they hold and the centroids file lacks is added and
reported. Paris, Lyon and Marseille are referenced by their commune code (75056, 69123, 13055), not by
arrondissement.
"""
from __future__ import annotations

from loaders.build import BuildContext

REF = "qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson"
REF_OLD = "qpv2024_referentiel/communes_avec_qpv2024_contours.geojson"
PACA = "contours/qpv2024_paca.geojson"

# SQL twin of loaders.names.dep_from_quartier_code.
DEP_SQL = "CASE WHEN substr({c}, 3, 1) = '0' THEN upper(substr({c}, 4, 2)) ELSE upper(substr({c}, 3, 3)) END"


def _explode(path: str) -> str:
    """Pairs (commune, code, name) of a referentiel file: the two lists are unnested in parallel."""
    return f"""
        SELECT trim(p.insee_com) AS commune, trim(unnest(string_split(p.code_qp, ','))) AS code,
               trim(unnest(string_split(p.lib_qp, ','))) AS lib, ordinality AS feature
        FROM (SELECT unnest(features).properties AS p, generate_subscripts(features, 1) AS ordinality
              FROM read_json('{path}', format='auto', maximum_object_size=100000000))"""


def link_quartier_epci(ctx: BuildContext, generation: str) -> None:
    """qpv_epci links for one generation, through the quartier's communes (commune_epci).

    A quartier whose communes belong to several EPCI gets one link per EPCI and a link_report row."""
    con = ctx.con
    con.execute(f"""
        INSERT INTO territory_link
        SELECT q.child_code, e.parent_code, 'qpv_epci', min(q.confidence), 'commune_epci',
               'cog_etalab/epci.json'
        FROM territory_link q JOIN territory t ON t.code = q.child_code AND t.generation = '{generation}'
        JOIN territory_link e ON e.child_code = q.parent_code AND e.relation = 'commune_epci'
        WHERE q.relation = 'qpv_commune'
        GROUP BY q.child_code, e.parent_code""")
    con.execute(f"""
        INSERT INTO link_report
        SELECT l.child_code, 'qpv_epci', 'ambiguous',
               'communes du quartier dans plusieurs EPCI : ' || string_agg(l.parent_code, ', ' ORDER BY l.parent_code),
               NULL
        FROM territory_link l JOIN territory t ON t.code = l.child_code AND t.generation = '{generation}'
        WHERE l.relation = 'qpv_epci' GROUP BY l.child_code HAVING count(*) > 1""")
    con.execute(f"""
        INSERT INTO link_report
        SELECT t.code, 'qpv_epci', 'unmatched',
               CASE WHEN EXISTS (SELECT 1 FROM territory_link q WHERE q.child_code = t.code AND q.relation = 'qpv_commune')
                    THEN 'commune(s) du quartier hors de tout EPCI dans le COG (collectivité d''outre-mer ?)'
                    ELSE 'aucune commune rattachée au quartier' END, NULL
        FROM territory t WHERE t.level = 'qpv' AND t.generation = '{generation}'
          AND NOT EXISTS (SELECT 1 FROM territory_link l WHERE l.child_code = t.code AND l.relation = 'qpv_epci')""")


def load(ctx: BuildContext) -> None:
    con = ctx.con
    f_ref, f_old, f_paca = ctx.path(REF), ctx.path(REF_OLD), ctx.path(PACA)
    con.execute(f"CREATE TEMP TABLE q24 AS {_explode(f_ref)}")
    con.execute(f"CREATE TEMP TABLE q24_old AS {_explode(f_old)}")
    con.execute(f"""CREATE TEMP TABLE q24_paca AS
        SELECT p.q AS code, p.n AS lib, trim(unnest(p.com)) AS commune
        FROM (SELECT unnest(features).properties AS p FROM read_json('{f_paca}', format='auto',
              maximum_object_size=100000000))""")

    # A name containing a comma would shift the two lists: the files never do it, but say so if they do.
    for path, tbl in ((REF, "q24"), (REF_OLD, "q24_old")):
        for feat, commune in con.execute(f"""
                SELECT feature, any_value(commune) FROM {tbl} GROUP BY feature
                HAVING count(*) FILTER (WHERE code IS NULL OR lib IS NULL) > 0""").fetchall():
            ctx.warn(f"commune {commune} : listes code_qp et lib_qp de longueurs différentes", path, feat, "lib_qp")
        for feat, code in con.execute(f"""SELECT feature, code FROM {tbl}
                                          WHERE NOT regexp_full_match(code, 'QN[0-9]{{2}}[0-9AB][0-9]{{2}}[A-Z]')""").fetchall():
            ctx.warn(f"code de quartier inattendu « {code} »", path, feat, "code_qp")

    con.execute(f"""
        INSERT INTO territory (code, level, name, generation, cog_code, departement, region, population, population_source)
        SELECT q.code, 'qpv', q.lib, '2024', q.code, q.dep, d.region, NULL, NULL
        FROM (SELECT code, mode(lib) AS lib, {DEP_SQL.format(c='code')} AS dep FROM q24
              WHERE code IS NOT NULL GROUP BY code) q
        LEFT JOIN territory d ON d.code = 'DEP' || q.dep
        ORDER BY q.code""")
    for code, names in con.execute("""SELECT code, string_agg(DISTINCT lib, ' | ') FROM q24 WHERE code IS NOT NULL
                                      GROUP BY code HAVING count(DISTINCT lib) > 1""").fetchall():
        ctx.warn(f"{code} : plusieurs noms ({names}), le plus fréquent est retenu", REF, None, "lib_qp")

    con.execute(f"""
        INSERT INTO territory_link
        SELECT DISTINCT code, commune, 'qpv_commune', 1.0, 'referentiel_qpv2024', '{REF.split('/')[-1]}'
        FROM q24 WHERE code IS NOT NULL""")
    # Cross-checks: pairs known only to the older referentiel file or to the PACA contours.
    for tbl, path in (("q24_old", REF_OLD), ("q24_paca", PACA)):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE extra AS
            SELECT DISTINCT o.code, o.commune FROM {tbl} o
            WHERE o.code IN (SELECT code FROM territory WHERE generation = '2024')
              AND NOT EXISTS (SELECT 1 FROM territory_link l WHERE l.child_code = o.code
                              AND l.parent_code = o.commune AND l.relation = 'qpv_commune')""")
        con.execute(f"""INSERT INTO territory_link SELECT code, commune, 'qpv_commune', 1.0, 'referentiel_qpv2024_recoupement',
                        '{path.split('/')[-1]}' FROM extra""")
        con.execute(f"""INSERT INTO link_report SELECT code, 'qpv_commune', 'fuzzy',
                        'commune ' || commune || ' présente seulement dans ' || '{path.split('/')[-1]}', '{path.split('/')[-1]}'
                        FROM extra""")
        for (code,) in con.execute(f"""SELECT DISTINCT code FROM {tbl} WHERE code NOT IN
                                       (SELECT code FROM territory WHERE generation = '2024')""").fetchall():
            ctx.warn(f"quartier {code} absent du référentiel principal ({REF.split('/')[-1]})", path)

    # Commune codes must be current COG communes.
    for code, commune in con.execute("""
            SELECT l.child_code, l.parent_code FROM territory_link l JOIN territory q ON q.code = l.child_code
            WHERE l.relation = 'qpv_commune' AND q.generation = '2024'
              AND NOT EXISTS (SELECT 1 FROM territory c WHERE c.code = l.parent_code AND c.level = 'commune')""").fetchall():
        con.execute("INSERT INTO link_report VALUES (?, 'qpv_commune', 'unmatched', ?, ?)",
                    [code, f"code commune {commune} absent du COG actuel", REF.split("/")[-1]])

    link_quartier_epci(ctx, "2024")

    n = con.execute("SELECT count(*) FROM territory WHERE level = 'qpv' AND generation = '2024'").fetchone()[0]
    ctx.log_file(f_ref, n, f"{n} quartiers QPV 2024, "
                 f"{con.execute('SELECT count(*) FROM q24').fetchone()[0]} couples quartier-commune")
    ctx.log_file(f_old, con.execute("SELECT count(DISTINCT code) FROM q24_old").fetchone()[0],
                 "recoupement des communes des quartiers (fichier plus ancien)")
    ctx.log_file(f_paca, con.execute("SELECT count(DISTINCT code) FROM q24_paca").fetchone()[0],
                 "recoupement des communes des quartiers PACA (contours : étape geometry)")
    for t in ("q24", "q24_old", "q24_paca"):
        con.execute(f"DROP TABLE {t}")
    con.execute("DROP TABLE IF EXISTS extra")
