"""QPV 2024 quartiers (décret 2023-1314): the codes and the communes they lie in.

Main source: `qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson` (1,493 codes), one feature
per commune holding at least one QPV, with `code_qp` and `lib_qp` as comma-separated lists in the same
order. The older contours file of the same referentiel (692 communes) is read as a cross-check.

ANCT's national contour file (`contours/qpv2024_france_anct_simplifie.geojson`, 1,609 quartiers, official
properties code_qp, lib_qp, insee_dep, insee_com — comma-separated —, siren_epci) is reconciled with the
referentiel, both directions reported in link_report (relation `qpv2024_contours`):
- codes only in the contour file (Polynésie, Saint-Martin, Mayotte's newer QN976…) become territories
  with the file's name, département and communes (EPCI through the COG, as for every quartier; the file's
  siren_epci is compared with it) — status 'resolved';
- referentiel codes without a contour (Mayotte's older codes, one per commune) stay placed at their
  commune — status 'unmatched', naming the contour file's quartiers of the same commune;
- a quartier–commune pair of the contour file that the referentiel lacks is added and reported 'fuzzy'
  (relation qpv_commune), like the older referentiel file's pairs.
Paris, Lyon and Marseille are referenced by their commune code (75056, 69123, 13055), not by arrondissement.
"""
from __future__ import annotations

import pyarrow as pa

from loaders.build import BuildContext
from loaders.geo import read_repaired

REF = "qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson"
REF_OLD = "qpv2024_referentiel/communes_avec_qpv2024_contours.geojson"
NATIONAL = "contours/qpv2024_france_anct_simplifie.geojson"
CONTOUR_RELATION = "qpv2024_contours"

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


def _national_table(ctx: BuildContext):
    """(code, lib, dep, communes list, epci, feature) of every feature of the national contour file."""
    lay, _geoms, _rep = read_repaired(ctx.path(NATIONAL))
    f = lay.fields
    communes = [[c.strip() for c in str(x).split(",") if c.strip()] if x is not None else [] for x in f["insee_com"]]
    return pa.table({
        "code": pa.array([str(c).strip() for c in f["code_qp"]]),
        "lib": pa.array([None if x is None else str(x).strip() for x in f["lib_qp"]]),
        "dep": pa.array([None if x is None else str(x).strip() for x in f["insee_dep"]]),
        "communes": pa.array(communes, pa.list_(pa.string())),
        "epci": pa.array([[e.strip() for e in str(x).split(",") if e.strip() not in ("", "NA")] if x is not None else []
                          for x in f["siren_epci"]], pa.list_(pa.string())),
        "feature": pa.array(range(1, len(lay) + 1), pa.int32()),
    })


def load(ctx: BuildContext) -> None:
    con = ctx.con
    f_ref, f_old, f_nat = ctx.path(REF), ctx.path(REF_OLD), ctx.path(NATIONAL)
    nat_name = f_nat.name
    con.execute(f"CREATE TEMP TABLE q24 AS {_explode(f_ref)}")
    con.execute(f"CREATE TEMP TABLE q24_old AS {_explode(f_old)}")
    con.register("_q24_nat_arrow", _national_table(ctx))
    try:
        con.execute("CREATE TEMP TABLE q24_nat AS SELECT * FROM _q24_nat_arrow")
    finally:
        con.unregister("_q24_nat_arrow")

    # A name containing a comma would shift the two lists: the files never do it, but say so if they do.
    for path, tbl in ((REF, "q24"), (REF_OLD, "q24_old")):
        for feat, commune in con.execute(f"""
                SELECT feature, any_value(commune) FROM {tbl} GROUP BY feature
                HAVING count(*) FILTER (WHERE code IS NULL OR lib IS NULL) > 0""").fetchall():
            ctx.warn(f"commune {commune} : listes code_qp et lib_qp de longueurs différentes", path, feat, "lib_qp")
        for feat, code in con.execute(f"""SELECT feature, code FROM {tbl}
                                          WHERE NOT regexp_full_match(code, 'QN[0-9]{{2}}[0-9AB][0-9]{{2}}[A-Z]')""").fetchall():
            ctx.warn(f"code de quartier inattendu « {code} »", path, feat, "code_qp")
    for feat, code in con.execute("""SELECT feature, code FROM q24_nat
                                     WHERE NOT regexp_full_match(code, 'QN[0-9]{2}[0-9AB][0-9]{2}[A-Z]')""").fetchall():
        ctx.warn(f"code de quartier inattendu « {code} »", NATIONAL, feat, "code_qp")

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
    # Quartiers known only to the national contour file: created from its properties.
    con.execute(f"""
        INSERT INTO territory (code, level, name, generation, cog_code, departement, region, population, population_source)
        SELECT n.code, 'qpv', n.lib, '2024', n.code, coalesce(n.dep, {DEP_SQL.format(c='n.code')}), d.region, NULL, NULL
        FROM q24_nat n LEFT JOIN territory d ON d.code = 'DEP' || coalesce(n.dep, {DEP_SQL.format(c='n.code')})
        WHERE n.code NOT IN (SELECT code FROM territory) ORDER BY n.code""")

    con.execute(f"""
        INSERT INTO territory_link
        SELECT DISTINCT code, commune, 'qpv_commune', 1.0, 'referentiel_qpv2024', '{REF.split('/')[-1]}'
        FROM q24 WHERE code IS NOT NULL""")
    # The national file's commune codes, former communes (93059 Pierrefitte-sur-Seine) replaced by their
    # commune nouvelle (93066 Saint-Denis) through the COG's aliases.
    con.execute("""
        CREATE TEMP TABLE q24_nat_pairs AS
        SELECT p.code, coalesce(c.code, a.commune_code, p.commune) AS commune, p.commune AS published
        FROM (SELECT code, unnest(communes) AS commune FROM q24_nat) p
        LEFT JOIN territory c ON c.code = p.commune AND c.level = 'commune'
        LEFT JOIN (SELECT alias_code, any_value(commune_code) AS commune_code FROM commune_alias
                   WHERE type IN ('commune-deleguee', 'commune-associee') GROUP BY 1) a ON a.alias_code = p.commune""")
    for code, published, commune in con.execute(
            "SELECT code, published, commune FROM q24_nat_pairs WHERE published <> commune ORDER BY 1").fetchall():
        con.execute("INSERT INTO link_report VALUES (?, 'qpv_commune', 'resolved', ?, ?)",
                    [code, (f"code commune {published} du fichier national des contours : ancienne commune, "
                            f"rattachée à sa commune nouvelle {commune} (COG)"), nat_name])
    con.execute(f"""
        INSERT INTO territory_link
        SELECT DISTINCT p.code, p.commune, 'qpv_commune', 1.0, 'contours_qpv2024', '{nat_name}'
        FROM q24_nat_pairs p WHERE p.code NOT IN (SELECT code FROM q24 WHERE code IS NOT NULL)""")
    # Cross-checks: pairs known only to the older referentiel file or to the national contour file.
    for tbl, path in (("q24_old", REF_OLD), ("q24_nat_pairs", NATIONAL)):
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
        if tbl == "q24_old":
            for (code,) in con.execute(f"""SELECT DISTINCT code FROM {tbl} WHERE code NOT IN
                                           (SELECT code FROM territory WHERE generation = '2024')""").fetchall():
                ctx.warn(f"quartier {code} absent du référentiel principal ({REF.split('/')[-1]})", path)
    _report_contour_reconciliation(ctx, nat_name)

    # Commune codes must be current COG communes.
    for code, commune in con.execute("""
            SELECT l.child_code, l.parent_code FROM territory_link l JOIN territory q ON q.code = l.child_code
            WHERE l.relation = 'qpv_commune' AND q.generation = '2024'
              AND NOT EXISTS (SELECT 1 FROM territory c WHERE c.code = l.parent_code AND c.level = 'commune')""").fetchall():
        con.execute("INSERT INTO link_report VALUES (?, 'qpv_commune', 'unmatched', ?, ?)",
                    [code, f"code commune {commune} absent du COG actuel", REF.split("/")[-1]])

    link_quartier_epci(ctx, "2024")
    # The file's siren_epci against the EPCI found through the COG (a disagreement is a note, the COG wins).
    # Grand Paris quartiers carry their EPT's SIREN in the file: an EPT counts as its EPCI (ept_epci).
    con.execute(f"""
        INSERT INTO link_report
        WITH f AS (SELECT n.code, any_value(n.epci) AS published,
                          list(DISTINCT coalesce(x.parent_code, s.siren) ORDER BY coalesce(x.parent_code, s.siren)) AS epci
                   FROM q24_nat n, unnest(n.epci) AS s(siren)
                   LEFT JOIN territory_link x ON x.child_code = s.siren AND x.relation = 'ept_epci'
                   GROUP BY n.code),
             e AS (SELECT child_code AS code, list(parent_code ORDER BY parent_code) AS epci FROM territory_link
                   WHERE relation = 'qpv_epci' GROUP BY 1)
        SELECT f.code, 'qpv_epci', 'note',
               'siren_epci du fichier national des contours : ' || array_to_string(f.published, ', ')
               || ' ; EPCI du COG par les communes (retenu) : ' || coalesce(array_to_string(e.epci, ', '), 'aucun'),
               '{nat_name}'
        FROM f LEFT JOIN e USING (code) WHERE f.epci IS DISTINCT FROM e.epci""")

    n = con.execute("SELECT count(*) FROM territory WHERE level = 'qpv' AND generation = '2024'").fetchone()[0]
    n_ref = con.execute("SELECT count(DISTINCT code) FROM q24").fetchone()[0]
    ctx.log_file(f_ref, n_ref, f"{n_ref} quartiers QPV 2024 du référentiel, "
                 f"{con.execute('SELECT count(*) FROM q24').fetchone()[0]} couples quartier-commune")
    ctx.log_file(f_old, con.execute("SELECT count(DISTINCT code) FROM q24_old").fetchone()[0],
                 "recoupement des communes des quartiers (fichier plus ancien)")
    only = con.execute(f"SELECT count(*) FROM link_report WHERE relation = '{CONTOUR_RELATION}' AND status = 'resolved'").fetchone()[0]
    ctx.log_file(f_nat, con.execute("SELECT count(*) FROM q24_nat").fetchone()[0],
                 f"{only} quartiers créés depuis le fichier national des contours (absents du référentiel) ; "
                 f"{n} quartiers QPV 2024 au total (contours : étape geometry)")
    for t in ("q24", "q24_old", "q24_nat", "q24_nat_pairs"):
        con.execute(f"DROP TABLE {t}")
    con.execute("DROP TABLE IF EXISTS extra")


def _report_contour_reconciliation(ctx: BuildContext, nat_name: str) -> None:
    """link_report rows for the codes of one file only: national contour file vs referentiel."""
    con = ctx.con
    ref_name = REF.split("/")[-1]
    con.execute(f"""
        INSERT INTO link_report
        SELECT n.code, '{CONTOUR_RELATION}', 'resolved',
               'absent du référentiel des communes ({ref_name}) : quartier créé depuis le fichier national des '
               || 'contours (nom « ' || coalesce(n.lib, '?') || ' », département ' || coalesce(n.dep, '?')
               || ', commune(s) ' || array_to_string(n.communes, ', ')
               || ', EPCI ' || coalesce(nullif(array_to_string(n.epci, ', '), ''), 'aucun (NA)') || ')', '{nat_name}'
        FROM q24_nat n WHERE n.code NOT IN (SELECT code FROM q24 WHERE code IS NOT NULL) ORDER BY n.code""")
    con.execute(f"""
        INSERT INTO link_report
        SELECT r.code, '{CONTOUR_RELATION}', 'unmatched',
               'pas de contour dans le fichier national ({nat_name}) : quartier placé à sa commune'
               || coalesce(' ; le fichier national y délimite ' || (
                   SELECT string_agg(DISTINCT p.code, ', ' ORDER BY p.code) FROM q24_nat_pairs p
                   WHERE p.commune IN (SELECT commune FROM q24 c WHERE c.code = r.code)
                     AND p.code NOT IN (SELECT code FROM q24 WHERE code IS NOT NULL)), ''), '{ref_name}'
        FROM (SELECT DISTINCT code FROM q24 WHERE code IS NOT NULL) r
        WHERE r.code NOT IN (SELECT code FROM q24_nat) ORDER BY r.code""")
    for code, ref_lib, nat_lib in con.execute("""
            SELECT r.code, any_value(r.lib), any_value(n.lib) FROM q24 r JOIN q24_nat n USING (code)
            GROUP BY r.code HAVING bool_and(r.lib <> n.lib)""").fetchall():
        con.execute(f"INSERT INTO link_report VALUES (?, '{CONTOUR_RELATION}', 'note', ?, ?)",
                    [code, f"nom « {nat_lib} » dans le fichier national, « {ref_lib} » dans le référentiel (gardé)",
                     nat_name])
