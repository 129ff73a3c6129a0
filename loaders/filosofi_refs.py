"""INSEE Filosofi reference territories (FILO{2014..2019}_DISP_{EPCI,DEP,REG,METROPOLE}.csv) -> source_value.

Territory codes: EPCI = SIREN as published, DEP -> 'DEP' + code, REG -> 'REG' + code, METROPOLE -> 'FRM'
(prefixes declared in catalogue/sources.yaml, `code_prefix`). The 'cog' step creates today's communes,
EPCI, départements, régions and France; EPCI of older vintages (2014: 2,123 EPCI, 1,240 in 2019) are
created here, named from the most recent file that has them, and flagged in population_source.
These files carry no poverty rate (TP60): see catalogue/indicators.yaml (`absent_for`).
"""
from __future__ import annotations

import re
from collections import Counter

from loaders import bulk, cells
from observatoire import catalogue

SOURCE = "filosofi_ref"
LEVELS = {"EPCI": "epci", "DEP": "departement", "REG": "region", "METROPOLE": "france"}


def load(ctx) -> None:
    src = catalogue.sources()[SOURCE]
    level_re = re.compile(src["level_from_name"])
    prefixes = src["code_prefix"]
    tables = cells.read_source(ctx, SOURCE)
    arrows, names = [], {}
    for t, edition in tables:
        kind = level_re.search(t.name).group(1)
        keys = [k.strip() for k in t.values(t.key)]
        if kind == "METROPOLE":
            codes = [prefixes[kind]] * len(keys)
        else:
            codes = [prefixes[kind] + k for k in keys]
        arrows.append(t.cells_arrow(codes=codes, edition=edition))
        labels = t.values("LIBGEO") if "LIBGEO" in t.columns else [None] * len(keys)
        for code, label in zip(codes, labels):
            # Files are sorted by edition: the most recent label wins.
            names[code] = (LEVELS[kind], (label or code).strip(), t.name, edition)
    cells.insert_cells(ctx, arrows)
    _territories(ctx, names)
    cells.log_files(ctx, tables)


def _territories(ctx, names: dict) -> None:
    """Reference territories the 'cog' step did not create (older EPCI): created, never overwritten."""
    con = ctx.con
    existing = {c for (c,) in con.execute("SELECT code FROM territory").fetchall()}
    missing = [(code, level, name, f, ed) for code, (level, name, f, ed) in names.items() if code not in existing]
    rows = []
    for code, level, name, f, ed in sorted(missing):
        cog = code[3:] if level in ("departement", "region") else (None if level == "france" else code)
        dep = code[3:] if level == "departement" else None
        reg = code[3:] if level == "region" else None
        note = (f"absent du COG actuel : territoire Filosofi {ed} ({f}), sans population"
                if level == "epci" else f"créé depuis {f} (absent de l'étape cog)")
        rows.append((code, level, name, cog, dep, reg, note))
    # Codes are unique (dict keys) and absent from territory: a plain insert.
    bulk.insert(con, "territory", ["code", "level", "name", "cog_code", "departement", "region", "population_source"],
                rows)
    for level, n in sorted(Counter(r[1] for r in rows).items()):
        what = ("EPCI d'anciens périmètres (fusions depuis 2014)" if level == "epci"
                else f"territoire(s) de niveau {level} absents de l'étape cog")
        ctx.warn(f"{n} {what} trouvés dans les fichiers Filosofi : créés depuis leur libellé, sans population")
