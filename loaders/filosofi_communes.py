"""INSEE Filosofi base communale (cc_filosofi_{year}_COM.csv) -> source_value, for the communes of the quartiers.

One row per commune (CODGEO = COG code, the commune's territory code; arrondissements municipaux of
Paris, Lyon and Marseille have their own rows), `s` = secret statistique (declared in
catalogue/sources.yaml, `secret_marks`). Only the rows of communes (and arrondissements) linked to a
quartier of either generation are stored: they are the communes' reference values of the fiche and the
baromètre; the 33,000 other communes are no quartier's reference, and storing their million cells would
cost about a second of the 10 s build. The catalogue maps the variables that match indicator definitions
(`communes:` in catalogue/indicators.yaml); the indicator step turns them into indicator_value rows with
edition = income year (2021).

Runs after the quartier -> commune links (steps qpv2024 and qp2015_links) and before the indicator step.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from loaders import cells
from observatoire import catalogue

SOURCE = "filosofi_communes"


def _quartier_communes(con) -> set[str]:
    return {c for (c,) in con.execute(
        "SELECT DISTINCT parent_code FROM territory_link WHERE relation IN ('qpv_commune', 'qpv_arrondissement')"
    ).fetchall()}


def load(ctx) -> None:
    src = catalogue.sources()[SOURCE]
    marks = tuple(src.get("secret_marks") or ())
    wanted = _quartier_communes(ctx.con)
    tables = cells.read_source(ctx, SOURCE)
    arrows = []
    for t, edition in tables:
        keys = np.array([k.strip() for k in t.values(t.key)], dtype=object)
        keep = np.array([k in wanted for k in keys], dtype=bool)
        kept = dataclasses.replace(t, data=t.data.filter(pa.array(keep)),
                                   lines=list(np.asarray(t.lines)[keep]), _rows=None)
        arrows.append(kept.cells_arrow(codes=list(keys[keep]), edition=edition, secret_marks=marks))
        missing = sorted(wanted - set(keys))
        n_secret = int(pc.sum(pc.equal(arrows[-1]["status"], "secret")).as_py() or 0)
        detail = (f"édition {edition} ; {int(keep.sum())} communes ou arrondissements de quartiers prioritaires "
                  f"gardés sur {t.n_rows} lignes × {len(t.columns) - 1} variables ; {n_secret} cellules secrètes (« s ») ; "
                  f"{len(missing)} communes de quartiers absentes du fichier"
                  + (f" (ex. {', '.join(missing[:8])})" if missing else ""))
        ctx.log_file(t.path, arrows[-1].num_rows, detail, warnings=len(t.warnings))
    cells.insert_cells(ctx, arrows)
