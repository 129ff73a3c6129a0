"""Cités éducatives and cités de l'emploi -> programme_territory (one row per programme territory and commune).

A feature groups the programme territories sharing the same communes: `id_territoire` and `lib_territoire`
are ' ; '-separated lists in the same order ('cite-002 ; cite-127' / 'Amiens Nord ; Amiens Étouvie'),
`liste_geo` lists the communes as 'Nom (INSEE); Nom (INSEE)'. A feature is the set of communes sharing
the same programme territories, so each listed territory gets each listed commune; a territory spread over
several features (cde-066) gets the union of their communes. A former commune code (93059
Pierrefitte-sur-Seine, now part of Saint-Denis) is replaced by its current commune (commune_alias), with a
warning.
"""
from __future__ import annotations

import json
import re

from loaders import bulk
from loaders.build import BuildContext
from loaders.names import name_key

FILES = (("programmes/citeduc_geom.geojson", "cite_educative"), ("programmes/cde_geom.geojson", "cite_emploi"))
_COMMUNE = re.compile(r"\s*(.+?)\s*\(\s*([0-9][0-9AB][0-9]{3})\s*\)\s*")


def load(ctx: BuildContext) -> None:
    con = ctx.con
    communes = dict(con.execute("SELECT code, name FROM territory WHERE level IN ('commune', 'arrondissement_municipal')").fetchall())
    former = dict(con.execute("""SELECT alias_code, commune_code FROM commune_alias
                                 WHERE type IN ('commune-deleguee', 'commune-associee')""").fetchall())
    rows = {}
    for rel, programme in FILES:
        path = ctx.path(rel)
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        for n, feat in enumerate(features, start=1):
            p = feat.get("properties") or {}
            ids = [x.strip() for x in (p.get("id_territoire") or "").split(";") if x.strip()]
            libs = [x.strip() for x in (p.get("lib_territoire") or "").split(";") if x.strip()]
            if not ids:
                ctx.warn("id_territoire vide : entité ignorée", path.name, n, "id_territoire")
                continue
            if len(libs) != len(ids):
                ctx.warn(f"{len(ids)} identifiants pour {len(libs)} noms : nom complet gardé pour chacun",
                         path.name, n, "lib_territoire")
                libs = [p.get("lib_territoire")] * len(ids)
            parts = [x for x in (p.get("liste_geo") or "").split(";") if x.strip()]
            found = []
            for part in parts:
                m = _COMMUNE.fullmatch(part)
                if not m:
                    ctx.warn(f"commune illisible « {part.strip()} » (attendu : « Nom (code INSEE) »)",
                             path.name, n, "liste_geo")
                    continue
                name, code = m.groups()
                if code not in communes and code in former:
                    ctx.warn(f"{code} ({name}) est une ancienne commune, rattachée à {former[code]} "
                             f"({communes.get(former[code])}) selon le COG", path.name, n, "liste_geo")
                    code = former[code]
                elif code not in communes:
                    ctx.warn(f"code commune {code} ({name}) absent du COG actuel", path.name, n, "liste_geo")
                elif name_key(name) != name_key(communes[code]):
                    ctx.warn(f"{code} : « {name} » dans le fichier, « {communes[code]} » au COG", path.name, n, "liste_geo")
                found.append(code)
            if not found:
                ctx.warn("aucune commune lisible", path.name, n, "liste_geo")
            for id_, lib in zip(ids, libs):
                for code in found:
                    rows.setdefault((programme, id_, code), (programme, id_, lib, code, path.name))
        ctx.log_file(path, sum(1 for k in rows if k[0] == programme),
                     f"{len({k[1] for k in rows if k[0] == programme})} territoires {programme}")
    bulk.insert(con, "programme_territory", ["programme", "id_territoire", "name", "commune_code", "source_file"],
                [rows[k] for k in sorted(rows)])
