"""Official geography (COG, Etalab lists): communes, EPCI, EPT, départements, régions, France métropolitaine.

Runs first: every other step links to these codes. Everything is set-based SQL over DuckDB's read_json.

- `communes.json` mixes current communes (`commune-actuelle`), municipal arrondissements of Paris, Lyon,
  Marseille (`arrondissement-municipal`, with their parent `commune`) and former communes
  (`commune-deleguee` / `commune-associee`, whose `chefLieu` is the current commune). Only current communes
  are `commune` territories; arrondissements are territories of level `arrondissement_municipal`; every name
  (current, arrondissement, former) goes to `commune_alias`, which the 2015 name matcher reads.
- EPCI départements: the département holding the largest share of the EPCI's municipal population
  (ties: smallest code), stored in `territory.departement` and as the `epci_departement` link.
"""
from __future__ import annotations

from loaders.build import BuildContext

SOURCE = "cog_etalab"

_COMMUNE_COLS = ("{code: 'VARCHAR', nom: 'VARCHAR', zone: 'VARCHAR', departement: 'VARCHAR', "
                 "region: 'VARCHAR', type: 'VARCHAR', siren: 'VARCHAR', population: 'BIGINT', "
                 "chefLieu: 'VARCHAR', commune: 'VARCHAR'}")
_GROUP_COLS = ("{code: 'VARCHAR', nom: 'VARCHAR', type: 'VARCHAR', populationMunicipale: 'BIGINT', "
               "membres: 'STRUCT(code VARCHAR, nom VARCHAR, populationMunicipale BIGINT)[]'}")

def load(ctx: BuildContext) -> None:
    con = ctx.con
    f_com, f_epci, f_ept = ctx.path(f"{SOURCE}/communes.json"), ctx.path(f"{SOURCE}/epci.json"), ctx.path(f"{SOURCE}/ept.json")
    f_dep, f_reg = ctx.path(f"{SOURCE}/departements.json"), ctx.path(f"{SOURCE}/regions.json")

    con.execute(f"CREATE TEMP TABLE cog_com AS SELECT * FROM read_json('{f_com}', format='array', columns={_COMMUNE_COLS})")
    con.execute(f"CREATE TEMP TABLE cog_epci AS SELECT * FROM read_json('{f_epci}', format='array', columns={_GROUP_COLS})")
    con.execute(f"CREATE TEMP TABLE cog_ept AS SELECT * FROM read_json('{f_ept}', format='array', columns={_GROUP_COLS})")
    con.execute(f"""CREATE TEMP TABLE cog_dep AS SELECT * FROM read_json('{f_dep}', format='array',
                    columns={{code: 'VARCHAR', region: 'VARCHAR', nom: 'VARCHAR', zone: 'VARCHAR'}})""")
    con.execute(f"""CREATE TEMP TABLE cog_reg AS SELECT * FROM read_json('{f_reg}', format='array',
                    columns={{code: 'VARCHAR', nom: 'VARCHAR', zone: 'VARCHAR'}})""")

    src_com = "communes.json"
    # Communes and municipal arrondissements.
    con.execute(f"""
        INSERT INTO territory (code, level, name, generation, cog_code, departement, region, population, population_source)
        SELECT code, CASE type WHEN 'commune-actuelle' THEN 'commune' ELSE 'arrondissement_municipal' END,
               nom, NULL, code, departement, region, population,
               CASE WHEN population IS NOT NULL THEN 'COG Etalab {src_com} (population municipale)' END
        FROM cog_com WHERE type IN ('commune-actuelle', 'arrondissement-municipal') ORDER BY code""")
    con.execute("""
        INSERT INTO commune_alias
        SELECT code, nom, departement, type,
               CASE type WHEN 'commune-actuelle' THEN code
                         WHEN 'arrondissement-municipal' THEN commune
                         ELSE chefLieu END
        FROM cog_com WHERE nom IS NOT NULL""")
    bad = con.execute("""SELECT alias_code, name FROM commune_alias a WHERE NOT EXISTS
                         (SELECT 1 FROM territory t WHERE t.code = a.commune_code AND t.level = 'commune')""").fetchall()
    for code, name in bad:
        ctx.warn(f"entrée {code} « {name} » : commune de rattachement inconnue dans le COG", src_com)

    # Member populations per département, for EPCI and EPT.
    for tbl, level, src in (("cog_epci", "epci", "epci.json"), ("cog_ept", "ept", "ept.json")):
        con.execute(f"""
            CREATE TEMP TABLE {tbl}_m AS
            SELECT g.code AS group_code, m.code AS commune_code, m.populationMunicipale AS pop
            FROM (SELECT code, unnest(membres) AS m FROM {tbl}) g""")
        con.execute(f"""
            CREATE TEMP TABLE {tbl}_dep AS
            SELECT group_code, departement AS dep FROM (
                SELECT m.group_code, c.departement, sum(coalesce(m.pop, 0)) AS pop_dep
                FROM {tbl}_m m JOIN cog_com c ON c.code = m.commune_code AND c.type = 'commune-actuelle'
                GROUP BY ALL)
            QUALIFY row_number() OVER (PARTITION BY group_code ORDER BY pop_dep DESC, departement) = 1""")
        con.execute(f"""
            INSERT INTO territory (code, level, name, generation, cog_code, departement, region, population, population_source)
            SELECT g.code, '{level}', g.nom, NULL, g.code, d.dep, dep.region, g.populationMunicipale,
                   'COG Etalab {src} (population municipale)'
            FROM {tbl} g LEFT JOIN {tbl}_dep d ON d.group_code = g.code LEFT JOIN cog_dep dep ON dep.code = d.dep
            ORDER BY g.code""")
        rel = "commune_epci" if level == "epci" else "commune_ept"
        con.execute(f"""
            INSERT INTO territory_link
            SELECT DISTINCT commune_code, group_code, '{rel}', 1.0, 'cog', '{src}' FROM {tbl}_m""")
        orphans = con.execute(f"""SELECT commune_code FROM {tbl}_m m WHERE NOT EXISTS
                                  (SELECT 1 FROM territory t WHERE t.code = m.commune_code AND t.level = 'commune')""").fetchall()
        for (c,) in orphans:
            ctx.warn(f"membre {c} de {src} absent des communes actuelles du COG", src)
        con.execute(f"""
            INSERT INTO territory_link
            SELECT code, 'DEP' || departement, '{level}_departement', 1.0, 'majorite_population', '{src}'
            FROM territory WHERE level = '{level}' AND departement IS NOT NULL""")

    # EPT -> EPCI (Métropole du Grand Paris): the EPCI of the EPT's member communes.
    con.execute("""
        INSERT INTO territory_link
        SELECT m.group_code, arg_max(l.parent_code, m.pop), 'ept_epci', 1.0, 'cog_membres', 'ept.json'
        FROM cog_ept_m m JOIN territory_link l ON l.child_code = m.commune_code AND l.relation = 'commune_epci'
        GROUP BY m.group_code""")

    # Départements, régions, France métropolitaine (populations summed from communes).
    for level, prefix, tbl, dep, reg in (("departement", "DEP", "cog_dep", "d.code", "d.region"),
                                         ("region", "REG", "cog_reg", "NULL", "d.code")):
        con.execute(f"""
            INSERT INTO territory (code, level, name, generation, cog_code, departement, region, population, population_source)
            SELECT '{prefix}' || d.code, '{level}', d.nom, NULL, d.code, {dep}, {reg}, p.pop,
                   'somme des populations municipales des communes (COG Etalab communes.json)'
            FROM {tbl} d LEFT JOIN (SELECT {level} AS code, sum(population) AS pop FROM cog_com
                                    WHERE type = 'commune-actuelle' GROUP BY 1) p ON p.code = d.code
            ORDER BY d.code""")
    con.execute("""
        INSERT INTO territory (code, level, name, generation, cog_code, departement, region, population, population_source)
        SELECT 'FRM', 'france', 'France métropolitaine', NULL, 'FRM', NULL, NULL, sum(population),
               'somme des populations municipales des communes métropolitaines (COG Etalab communes.json)'
        FROM cog_com WHERE type = 'commune-actuelle' AND zone = 'metro'""")

    con.execute("""
        INSERT INTO territory_link
        SELECT code, 'DEP' || departement, 'commune_departement', 1.0, 'cog', 'communes.json'
        FROM territory WHERE level = 'commune' AND departement IS NOT NULL;
        INSERT INTO territory_link
        SELECT code, commune, 'arrondissement_commune', 1.0, 'cog', 'communes.json'
        FROM cog_com WHERE type = 'arrondissement-municipal';
        INSERT INTO territory_link
        SELECT 'DEP' || d.code, 'REG' || d.region, 'departement_region', 1.0, 'cog', 'departements.json'
        FROM cog_dep d WHERE EXISTS (SELECT 1 FROM cog_reg r WHERE r.code = d.region);
        INSERT INTO territory_link
        SELECT 'REG' || code, 'FRM', 'region_france', 1.0, 'cog', 'regions.json' FROM cog_reg WHERE zone = 'metro';
    """)

    counts = dict(con.execute("SELECT level, count(*) FROM territory GROUP BY 1").fetchall())
    ctx.log_file(f_com, counts.get("commune", 0) + counts.get("arrondissement_municipal", 0),
                 f"{counts.get('commune', 0)} communes, {counts.get('arrondissement_municipal', 0)} arrondissements municipaux")
    ctx.log_file(f_epci, counts.get("epci", 0), "EPCI (SIREN) et leurs communes membres")
    ctx.log_file(f_ept, counts.get("ept", 0), "établissements publics territoriaux du Grand Paris")
    ctx.log_file(f_dep, counts.get("departement", 0), "départements")
    ctx.log_file(f_reg, counts.get("region", 0), "régions")
    for t in ("cog_com", "cog_epci", "cog_ept", "cog_dep", "cog_reg", "cog_epci_m", "cog_ept_m", "cog_epci_dep", "cog_ept_dep"):
        con.execute(f"DROP TABLE {t}")
