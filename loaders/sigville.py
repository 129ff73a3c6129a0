"""SIG Ville quartier files (DEMO, REVN, IPRO) and INSEE Filosofi quartier files -> source_value, QP 2015.

Every cell of every file is stored (see loaders/cells.py for the statuses), traceable to its file, its
original column name and its line. The 'Ensemble' rows (national aggregate of the 2015 quartiers) get the
code 'ENSQP2015'. Territories created here: every QP 2015 code seen (level 'qpv', generation '2015'),
and 'ENSQP2015' (level 'ensemble_qpv').
"""
from __future__ import annotations

import re

from loaders import cells

SOURCES = ("sigville_demo", "sigville_revn", "sigville_ipro", "filosofi_qp")
ENSEMBLE_CODE = "ENSQP2015"
QP2015_RE = re.compile(r"^QP(\d{3}|02[AB])\d{3}$")

# Which file family names a quartier when several editions carry LIBGEO (most recent edition first).
_NAME_PRIORITY = "CASE WHEN source_file LIKE 'DEMO%' THEN 0 WHEN source_file LIKE 'REVN%' THEN 1 ELSE 2 END"


def load(ctx) -> None:
    tables = [t for sid in SOURCES for t in cells.read_source(ctx, sid)]
    for t, _ in tables:
        bad = sorted({k for k in t.values(t.key) if k.strip().lower() != "ensemble"
                      and not QP2015_RE.match(k.strip())})
        for code in bad[:20]:
            ctx.warn(f"code « {code} » qui n'est pas un code de quartier 2015 (QPddd###) : gardé dans "
                     "source_value, aucun territoire créé", source_file=t.name, column=t.key)
    arrows = []
    for t, edition in tables:
        codes = [ENSEMBLE_CODE if k.strip().lower() == "ensemble" else k.strip().upper() for k in t.values(t.key)]
        arrows.append(t.cells_arrow(codes=codes, edition=edition))
    cells.insert_cells(ctx, arrows)
    _territories(ctx)
    cells.log_files(ctx, tables)


def _territories(ctx) -> None:
    con = ctx.con
    files = [r[0] for r in con.execute(
        "SELECT DISTINCT source_file FROM source_value WHERE territory_code LIKE 'QP%'").fetchall()]
    con.execute(f"""
        INSERT INTO territory (code, level, name, generation, cog_code, departement, population, population_source)
        WITH codes AS (
            SELECT DISTINCT territory_code AS code FROM source_value
            WHERE regexp_full_match(territory_code, 'QP([0-9]{{3}}|02[AB])[0-9]{{3}}')
              AND source_file IN (SELECT unnest(?::VARCHAR[]))
        ), names AS (
            SELECT territory_code AS code, arg_max(raw, edition * 10 - {_NAME_PRIORITY}) AS name
            FROM source_value
            WHERE upper(source_variable) = 'LIBGEO' AND status = 'text' AND trim(raw) <> ''
            GROUP BY 1
        ), pops AS (
            SELECT territory_code AS code,
                   arg_max(value, edition) AS population,
                   arg_max(source_file || ' ' || source_variable, edition) AS population_source
            FROM source_value
            WHERE source_variable = 'POP_MUN' AND status = 'ok'
              AND (source_file LIKE 'DEMO%' OR source_file LIKE 'data_DEMO%')
            GROUP BY 1
        )
        SELECT c.code, 'qpv', coalesce(n.name, c.code), '2015', c.code,
               CASE WHEN substr(c.code, 3, 1) = '0' THEN substr(c.code, 4, 2) ELSE substr(c.code, 3, 3) END,
               CAST(p.population AS BIGINT), p.population_source
        FROM codes c LEFT JOIN names n USING (code) LEFT JOIN pops p USING (code)
        ON CONFLICT DO NOTHING
    """, [files])
    for (code,) in con.execute("""
            SELECT code FROM territory WHERE level = 'qpv' AND generation = '2015' AND name = code
            ORDER BY code""").fetchall():
        ctx.warn(f"quartier {code} sans libellé (LIBGEO) dans aucun fichier : nommé par son code",
                 column="LIBGEO")
    ens = con.execute("""
        SELECT arg_max(value, edition), arg_max(source_file || ' ' || source_variable, edition)
        FROM source_value WHERE territory_code = ? AND source_variable = 'POP_MUN' AND status = 'ok'
    """, [ENSEMBLE_CODE]).fetchone()
    con.execute("""
        INSERT INTO territory (code, level, name, generation, population, population_source)
        VALUES (?, 'ensemble_qpv', 'Ensemble des QPV', '2015', ?, ?) ON CONFLICT DO NOTHING
    """, [ENSEMBLE_CODE, int(ens[0]) if ens[0] is not None else None, ens[1]])
    # Région from the département rows created by the 'cog' step, when it ran before this one.
    con.execute("""
        UPDATE territory t SET region = d.region
        FROM territory d
        WHERE t.level = 'qpv' AND t.generation = '2015' AND t.region IS NULL
          AND d.level = 'departement' AND d.code = 'DEP' || t.departement
    """)
