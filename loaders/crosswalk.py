"""QP 2015 -> QPV 2024 crosswalk (`territory_link` relation 'qp2015_qpv2024', child = 2015 quartier).

No official table exists; the 2024 map redrew most quartiers. Evidence, in order:
1. spatial overlap, where contours of both generations exist (shipped data: the national QPV 2024 contours
   against the Occitanie and Ille-et-Vilaine 2015 contours; `python -m loaders import contours` calls
   `refresh`): share of the 2015 quartier's area inside the 2024 one; >= 10 % links, confidence =
   min(0.95, share) (method crosswalk_overlap);
2. same commune + name similarity (loaders.names.similarity, on meaningful words): every 2024 quartier
   sharing a commune with the 2015 one and scoring >= 0.9 is linked (splits and merges are real); a score
   in [0.7, 0.9) links only a mutual best match (best for both quartiers), which removes the
   'Les Epinettes' ~ 'Les Aunettes' cross-pairs of a commune having both; confidence = min(0.95, score)
   — never 1, because even an identical name may cover a redrawn perimeter (crosswalk_commune_name);
3. a commune with exactly one quartier in each generation and no name match: linked with confidence 0.5
   (method crosswalk_seul_quartier) and reported 'fuzzy'.
2015 quartiers left without a successor and 2024 quartiers without a predecessor are reported 'unmatched'.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely

from loaders import bulk
from loaders.build import BuildContext
from loaders.geo import read_repaired
from loaders.geometry import CONTOURS
from loaders.names import similarity

REL = "qp2015_qpv2024"
THRESHOLD = 0.7
OVERLAP_MIN = 0.10


def _candidates(con) -> tuple[dict, dict, dict, dict]:
    names = dict(con.execute("SELECT code, name FROM territory WHERE level = 'qpv'").fetchall())
    communes = {"2015": defaultdict(set), "2024": defaultdict(set)}
    for q, c, gen in con.execute("""SELECT l.child_code, l.parent_code, t.generation FROM territory_link l
                                    JOIN territory t ON t.code = l.child_code AND t.level = 'qpv'
                                    WHERE l.relation = 'qpv_commune' AND t.generation IN ('2015', '2024')""").fetchall():
        communes[gen][q].add(c)
    by_commune = defaultdict(set)
    for q, cs in communes["2024"].items():
        for c in cs:
            by_commune[c].add(q)
    return names, communes["2015"], communes["2024"], by_commune


def overlaps(g2015: dict[str, object], g2024: dict[str, object]) -> dict[tuple[str, str], float]:
    """Share of each 2015 contour's area lying in each 2024 contour (areas in degrees²: a ratio, so the
    projection hardly matters at quartier scale)."""
    if not g2015 or not g2024:
        return {}
    codes24 = list(g2024)
    geoms24 = np.array([g2024[c] for c in codes24], dtype=object)
    tree = shapely.STRtree(geoms24)
    out = {}
    for q, g in g2015.items():
        area = shapely.area(g)
        if not area:
            continue
        for j in tree.query(g, predicate="intersects"):
            share = shapely.area(shapely.intersection(g, geoms24[j])) / area
            if share >= OVERLAP_MIN:
                out[(q, codes24[j])] = round(float(share), 3)
    return out


def _shipped_contours(ctx: BuildContext) -> tuple[dict, dict]:
    """The contours of the geometry step (loaders.geometry.CONTOURS), by generation."""
    g = {"2015": {}, "2024": {}}
    for rel, field, gen in CONTOURS:
        p = ctx.data_dir / rel
        if p.exists():
            lay, geoms, _ = read_repaired(p)
            g[gen].update(zip(lay.fields[field], geoms))
    return g["2015"], g["2024"]


def build_links(con, spatial: dict[tuple[str, str], float], with_contour: set[str] = frozenset()) -> tuple[list, list]:
    """All crosswalk links and reports from the territory tables and the spatial evidence.

    A 2015 quartier with a contour overlapping 2024 contours keeps name links only towards 2024 quartiers
    that have no contour (their overlap cannot be measured)."""
    names, c15, c24, by_commune = _candidates(con)
    links, reports = {}, []
    spatial_q = {q for q, _ in spatial}
    for (q, n), share in spatial.items():
        links[(q, n)] = (min(0.95, share), "crosswalk_overlap", "contours")
    n15_by_commune = defaultdict(set)
    for q, cs in c15.items():
        for c in cs:
            n15_by_commune[c].add(q)
    scores = {}
    for q in sorted(c15):
        cands = sorted(set().union(*(by_commune.get(c, set()) for c in c15[q])))
        scores[q] = sorted(((similarity(names.get(q), names.get(n)), n) for n in cands), key=lambda x: (-x[0], x[1]))
    best_for_24 = defaultdict(float)
    for q, sc in scores.items():
        for s, n in sc:
            best_for_24[n] = max(best_for_24[n], s)
    for q in sorted(c15):
        scored = scores[q]
        if q in spatial_q:
            scored = [(s, n) for s, n in scored if n not in with_contour]
            if not scored:
                continue
        if not scored:
            reports.append((q, REL, "unmatched", "aucun quartier 2024 dans la ou les communes du quartier "
                            "(sorti de la géographie prioritaire ?)", None))
            continue
        # >= 0.9: kept (splits and merges); between the threshold and 0.9: only a mutual best match.
        good = [(s, n) for s, n in scored if s >= 0.9
                or (s >= THRESHOLD and s == scored[0][0] and s == best_for_24[n])]
        for s, n in good:
            links[(q, n)] = (min(0.95, s), "crosswalk_commune_name", "noms et communes")
        if good or q in spatial_q:
            continue
        cands = [n for _s, n in scored]
        alone = (len(c15[q]) == 1 and len(cands) == 1 and n15_by_commune[next(iter(c15[q]))] == {q})
        if alone:
            n = cands[0]
            links[(q, n)] = (0.5, "crosswalk_seul_quartier", "noms et communes")
            reports.append((q, REL, "fuzzy", f"seul quartier de sa commune dans chaque géographie : {n} "
                            f"« {names.get(n)} » (noms différents, similarité {scored[0][0]:.2f})", None))
        else:
            best = scored[0]
            reports.append((q, REL, "unmatched", f"aucun nom proche parmi les {len(cands)} quartiers 2024 de la commune "
                            f"(meilleur : {best[1]} « {names.get(best[1])} », similarité {best[0]:.2f})", None))
    successors = {n for _q, n in links}
    for n in sorted(c24):
        if n not in successors:
            reports.append((n, REL, "unmatched", "quartier 2024 sans quartier 2015 correspondant (nouveau quartier "
                            "ou nom trop différent)", None))
    rows = [(q, n, REL, round(conf, 3), m, src) for (q, n), (conf, m, src) in sorted(links.items())]
    return rows, reports


def load(ctx: BuildContext) -> None:
    con = ctx.con
    g15, g24 = _shipped_contours(ctx)
    spatial = overlaps(g15, g24)
    rows, reports = build_links(con, spatial, set(g24))
    bulk.insert(con, "territory_link", ["child_code", "parent_code", "relation", "confidence", "method", "source_file"],
                rows)
    bulk.insert(con, "link_report", ["code", "relation", "status", "detail", "source_file"], reports)
    n15 = len({r[0] for r in rows})
    ctx.log_file(None, len(rows), f"{n15} quartiers 2015 reliés à au moins un quartier 2024 ; "
                 f"{len(spatial)} liens par recouvrement de contours")


def refresh(con) -> None:
    """Rebuild the crosswalk from the warehouse's own contours (called after a contours import)."""
    g = defaultdict(dict)
    for code, gen, wkb in con.execute("""SELECT g.code, t.generation, g.geom FROM territory_geom g
                                         JOIN territory t ON t.code = g.code
                                         WHERE g.kind = 'contour' AND t.level = 'qpv'""").fetchall():
        g[gen][code] = shapely.from_wkb(bytes(wkb))
    spatial = overlaps(g.get("2015", {}), g.get("2024", {}))
    rows, reports = build_links(con, spatial, set(g.get("2024", {})))
    con.execute(f"DELETE FROM territory_link WHERE relation = '{REL}'")
    con.execute(f"DELETE FROM link_report WHERE relation = '{REL}'")
    bulk.insert(con, "territory_link", ["child_code", "parent_code", "relation", "confidence", "method", "source_file"],
                rows)
    bulk.insert(con, "link_report", ["code", "relation", "status", "detail", "source_file"], reports)
