"""Geometries for maps (territory_geom), WGS84 WKB: full detail in `geom`, map-ready in `geom_display`.

- kind 'contour': real quartier contours — ANCT's national QPV 2024 file (`code_qp`, 1,609 quartiers; 85
  invalid rings repaired), Occitanie 2015 (`code_qp`; coordinates cut to 4 decimals leave ~30 % of rings
  invalid) and Ille-et-Vilaine 2015 (`CODE_QP`). Invalid rings are repaired with shapely.make_valid
  (`repaired` TRUE). A user import of the full-resolution file (python -m loaders import contours, replayed
  after this step) replaces these rows.
  `geom_overview` holds a coarser version of each contour for the national view (loaders.geo).
- kind 'commune_point': every other quartier, placed at a commune (flagged, never presented as a contour).
  The commune is the most populated of the quartier's communes; its point is, in order of availability
  (`placement`): the QPV 2024 referentiel centroid ('commune_centroid'), a point inside the Occitanie commune
  outline ('commune_outline'), a point inside the quartier's EPCI outline ('epci_outline'; ANCT outlines:
  overseas as insets, so is_inset TRUE there). `geom` is the exact point; in `geom_display`, quartiers
  stacked on the same point (Paris, Marseille…) are spread on a small spiral (< 1.5 km) so that each stays
  clickable.
- kind 'outline': ANCT régions (REG…), départements (DEP…), EPCI (SIREN; features of an EPCI drawn in two
  départements are merged). Overseas are moved next to mainland France: is_inset TRUE — they are not true
  coordinates, unlike quartier points and 2024 contract points.
- kind 'point': contract carriers (2024 file preferred: true coordinates; 2015 overseas points are insets).
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import shapely

from loaders import bulk
from loaders.build import BuildContext
from loaders.qpv2024 import CONTOUR_RELATION
from loaders.geo import (DISPLAY_TOLERANCE_M, display_version, in_metro_bbox, is_overseas_dep, is_polygonal,
                         overview_version, read_layer, read_repaired, repair)

CONTOURS = (  # (file, code field, generation)
    ("contours/qpv2024_france_anct_simplifie.geojson", "code_qp", "2024"),
    ("contours/qp2015_occitanie.geojson", "code_qp", "2015"),
    ("contours/qp2015_ille_et_vilaine.geojson", "CODE_QP", "2015"),
)
CENTROIDS = "qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson"
OCC_COMMUNES = "contours/communes_occitanie_avec_qp2015.geojson"
OUTLINES = (  # (file, code field, prefix)
    ("contours/admin_regions_anct.geojson", "insee_reg", "REG"),
    ("contours/admin_departements_anct.geojson", "insee_dep", "DEP"),
    ("contours/admin_epci_anct.geojson", "siren_epci", ""),
)
CONTRACTS = ("contrats_de_ville/geom_cv_ctr_2024gen.json", "contrats_de_ville/geom_cv_ctr_2015gen.json")
OVERSEAS_REGIONS = {"01", "02", "03", "04", "06"}
COLS = ["code", "kind", "generation", "geom", "geom_display", "repaired", "is_inset", "source_file", "placement",
        "geom_overview"]
SPREAD_STEP_DEG = 0.0025  # spiral step for stacked points in geom_display (~200-280 m)


def _spread_offsets(n: int) -> np.ndarray:
    """n (dx, dy) offsets in degrees of latitude: the first at 0, the others on a Fermat spiral."""
    i = np.arange(n, dtype=float)
    r = SPREAD_STEP_DEG * np.sqrt(i)
    a = i * 2.39996  # golden angle
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


def _contours(ctx: BuildContext, known: dict[str, str]) -> list[tuple]:
    """Contour rows; a feature whose geometry collapsed to a point or a line (three features of the simplified
    national file) is no contour: its quartier is placed at its commune, warned and reported."""
    rows = []
    for rel, field, gen in CONTOURS:
        path = ctx.path(rel)
        lay, geoms, repaired = read_repaired(path)
        still = ~shapely.is_valid(geoms)
        usable = is_polygonal(geoms)
        disp = np.full(len(geoms), None, dtype=object)
        disp[usable] = display_version(geoms[usable], DISPLAY_TOLERANCE_M["contour"])
        n_ok, degenerate = 0, []
        for i, code in enumerate(lay.fields[field]):
            if known.get(code) != gen:
                ctx.warn(f"contour du quartier {code} inconnu de la géographie {gen} : ignoré", path.name, i + 1, field)
                continue
            if not usable[i]:
                degenerate.append((code, i, geoms[i].geom_type if geoms[i] is not None else "vide"))
                continue
            if still[i]:
                ctx.warn(f"contour de {code} toujours invalide après réparation", path.name, i + 1, "geometry")
            rows.append((code, "contour", gen, geoms[i], disp[i], bool(repaired[i]), False, path.name, "contour"))
            n_ok += 1
        for code, i, kind in degenerate:
            msg = (f"contour dégénéré dans le fichier (géométrie réduite à : {kind}, aire nulle) : quartier placé "
                   "à sa commune")
            ctx.warn(f"{code} : {msg}", path.name, i + 1, "geometry")
            if gen == "2024":
                ctx.con.execute("INSERT INTO link_report VALUES (?, ?, 'unmatched', ?, ?)",
                                [code, CONTOUR_RELATION, msg, path.name])
        ctx.log_file(path, n_ok, f"contours de quartiers {gen} ; {int(repaired.sum())} réparés (make_valid)"
                     + (f" ; {len(degenerate)} dégénérés (placés à leur commune) : "
                        + ", ".join(c for c, _, _ in degenerate) if degenerate else ""))
    return rows


def _commune_points(ctx: BuildContext) -> tuple[dict, dict]:
    """commune code -> (point, placement, source file)."""
    pts = {}
    lay = read_layer(ctx.path(CENTROIDS))
    for c, g in zip(lay.fields["insee_com"], lay.geoms):
        if g is not None:
            pts[c] = (g, "commune_centroid", ctx.path(CENTROIDS).name)
    occ = read_layer(ctx.path(OCC_COMMUNES))
    inside = shapely.point_on_surface(occ.geoms)
    for c, g in zip(occ.fields["code_commune"], inside):
        pts.setdefault(c, (g, "commune_outline", ctx.path(OCC_COMMUNES).name))
    ctx.log_file(ctx.path(OCC_COMMUNES), len(occ), "points communaux de repli (communes d'Occitanie avec QP 2015)")
    return pts, {}


def _outlines(ctx: BuildContext, known_codes: set[str]) -> tuple[list[tuple], dict]:
    rows, epci_points = [], {}
    for rel, field, prefix in OUTLINES:
        path = ctx.path(rel)
        lay = read_layer(path)
        groups = defaultdict(list)
        skipped = 0
        for i, code in enumerate(lay.fields[field]):
            if not code:
                skipped += 1
                continue
            groups[prefix + code].append(i)
        codes = sorted(groups)
        geoms = np.array([lay.geoms[groups[c][0]] if len(groups[c]) == 1 else
                          shapely.union_all(lay.geoms[groups[c]]) for c in codes], dtype=object)
        geoms, repaired = repair(geoms)
        disp = display_version(geoms, DISPLAY_TOLERANCE_M["outline"])
        deps = lay.fields.get("insee_dep")
        regs = lay.fields.get("insee_reg")
        for j, code in enumerate(codes):
            i = groups[code][0]
            overseas = (is_overseas_dep(deps[i]) if deps is not None else False) or (
                regs is not None and regs[i] in OVERSEAS_REGIONS)
            rows.append((code, "outline", None, geoms[j], disp[j], bool(repaired[j]), bool(overseas), path.name, "outline"))
            if prefix == "":
                epci_points[code] = (shapely.point_on_surface(geoms[j]), bool(overseas))
        unknown = [c for c in codes if c not in known_codes]
        detail = f"{len(codes)} contours administratifs ({prefix or 'EPCI'})"
        if skipped:
            detail += f" ; {skipped} élément(s) sans code ignoré(s) (îles hors EPCI)"
        if unknown:
            detail += f" ; {len(unknown)} code(s) absent(s) du COG : {', '.join(unknown[:5])}"
        ctx.log_file(path, len(codes), detail)
    return rows, epci_points


def _quartier_points(ctx: BuildContext, with_contour: set[str], epci_points: dict) -> list[tuple]:
    con = ctx.con
    pts, _ = _commune_points(ctx)
    pop = dict(con.execute("SELECT code, population FROM territory WHERE level = 'commune'").fetchall())
    communes = defaultdict(list)
    for q, c in con.execute("SELECT child_code, parent_code FROM territory_link WHERE relation = 'qpv_commune'").fetchall():
        communes[q].append(c)
    epci = defaultdict(list)
    for q, e in con.execute("SELECT child_code, parent_code FROM territory_link WHERE relation = 'qpv_epci'").fetchall():
        epci[q].append(e)
    rows, missing = [], []
    for q, gen in con.execute("SELECT code, generation FROM territory WHERE level = 'qpv' ORDER BY code").fetchall():
        if q in with_contour:
            continue
        cs = sorted(communes.get(q, []), key=lambda c: (-(pop.get(c) or 0), c))
        hit = next((pts[c] for c in cs if c in pts), None)
        inset = False
        if hit is None:
            e = next((epci_points[e] for e in sorted(epci.get(q, [])) if e in epci_points), None)
            if e is None:
                missing.append(q)
                continue
            hit = (e[0], "epci_outline", "admin_epci_anct.geojson")
            inset = e[1]
        rows.append((q, "commune_point", gen, hit[0], None, False, inset, hit[2], hit[1]))
    if missing:
        ctx.warn(f"{len(missing)} quartier(s) sans commune ni EPCI localisable, non cartographiés : "
                 + ", ".join(missing[:20]))
    # Display: spread stacked points (offsets in degrees of latitude, longitude widened by 1/cos(lat)).
    stacks = defaultdict(list)
    for k, r in enumerate(rows):
        stacks[(round(r[3].x, 6), round(r[3].y, 6))].append(k)
    xy = np.array([(r[3].x, r[3].y) for r in rows], dtype=float).reshape(-1, 2)
    for (x, y), ks in stacks.items():
        if len(ks) > 1:
            off = _spread_offsets(len(ks))
            xy[ks, 0] = x + off[:, 0] / math.cos(math.radians(y))
            xy[ks, 1] = y + off[:, 1]
    disp = shapely.set_precision(shapely.points(xy), 1e-5) if rows else []
    out = [r[:4] + (disp[k],) + r[5:] for k, r in enumerate(rows)]
    return out


def _contract_points(ctx: BuildContext) -> list[tuple]:
    rows, seen = [], set()
    for rel in CONTRACTS:
        path = ctx.path(rel)
        lay = read_layer(path)
        has = np.array([g is not None for g in lay.geoms])
        metro = np.zeros(len(lay), dtype=bool)
        if has.any():
            metro[has] = in_metro_bbox(lay.geoms[has])
        for i, code in enumerate(lay.fields["code_cv"]):
            code = code.strip()
            g = lay.geoms[i]
            if g is None or code in seen:
                continue
            inset = bool(metro[i]) and is_overseas_dep(lay.fields["insee_dep"][i])
            seen.add(code)
            rows.append((code, "point", None, g, None, False, inset, path.name, "porteur"))
    if rows:
        disp = shapely.set_precision(np.array([r[3] for r in rows], dtype=object), 1e-5)
        rows = [r[:4] + (disp[k],) + r[5:] for k, r in enumerate(rows)]
    return rows


def load(ctx: BuildContext) -> None:
    con = ctx.con
    known = dict(con.execute("SELECT code, generation FROM territory WHERE level = 'qpv'").fetchall())
    known_codes = {r[0] for r in con.execute("SELECT code FROM territory").fetchall()}
    contour_rows = _contours(ctx, known)
    outline_rows, epci_points = _outlines(ctx, known_codes)
    point_rows = _quartier_points(ctx, {r[0] for r in contour_rows}, epci_points)
    contract_rows = _contract_points(ctx)
    rows = contour_rows + outline_rows + point_rows + contract_rows
    geoms = np.array([r[3] for r in rows], dtype=object)
    disp = np.array([r[4] for r in rows], dtype=object)
    g_wkb = shapely.to_wkb(geoms, output_dimension=2)
    d_wkb = shapely.to_wkb(disp, output_dimension=2)
    # National-view version of the quartier contours (geom_overview); other kinds use geom_display everywhere.
    n_c = len(contour_rows)
    o_wkb = list(shapely.to_wkb(overview_version(geoms[:n_c]), output_dimension=2)) + [None] * (len(rows) - n_c)
    bulk.insert(con, "territory_geom", COLS,
                [(r[0], r[1], r[2], g_wkb[k], d_wkb[k], r[5], r[6], r[7], r[8], o_wkb[k]) for k, r in enumerate(rows)])
    ctx.log_file(None, len(point_rows), "quartiers placés à leur commune (kind commune_point)")
    ctx.log_file(None, len(contract_rows), "points des contrats de ville (kind point)")
