"""« Cette personne habite-t-elle en quartier prioritaire ? » — bulk point lookup on the warehouse's contours.

Pure functions (no Streamlit, no network), shared by the command line (`python -m indicators localiser
FILE --out RESULT.csv`), the page « Localiser » and the beneficiaries import of the programmation.

How a row is answered (column `en_qpv`, vocabulary `qpv_answers`; row status `statut`, `locate_statuses`):
- Coordinates come from `latitude`/`longitude` (WGS84), `x`/`y` (Lambert-93, EPSG:2154) or a file geocoded
  by the BAN CSV geocoder, taken as it is (`latitude`, `longitude`, `result_score`, `result_type`…).
- A row whose position cannot be trusted is never guessed: missing or non-numeric coordinates, impossible
  values, latitude and longitude swapped (flagged, never swapped back), a point outside France, a BAN score
  below 0.8, an address found only at its commune — each gets its status and « non géolocalisée ». One bad
  row never stops the file.
- A located point inside a 2024 contour is « oui » with the quartier's code and name. Outside every
  contour it is « non » only where the warehouse holds the contour of every 2024 quartier of the point's
  département; elsewhere « indéterminé » (a quartier whose contour is missing may be there).
- The 2015 quartier is given where a 2015 contour contains the point (2015 contours are partial: an empty
  cell is not an answer).
- `distance_limite_qpv_m`: metres to the nearest 2024 contour boundary, measured in a metric CRS of the
  point's part of France (Lambert-93, or the UTM zone of each overseas territory). Within 50 m of a
  boundary, or placed on its street rather than its number, a row is `a_verifier`.

Engine: shapely's STRtree (GEOS) for point-in-polygon and nearest boundary, on contours decoded once per
warehouse (`load_contours`). bench/localiser.py measures it against DuckDB spatial, GeoPandas `sjoin` and a
naive loop over polygons: on the 1,609 national contours, 100,000 random points are answered in 1.5 to
1.8 s (1.1 s CPU) on 2 shared cores; DuckDB's spatial join is as fast on the point-in-polygon step alone
(~0.1 s either way) but the distance, about half of the time, needs the shapely geometries anyway, so one
engine is kept; a naive loop over polygons takes 50 to 60 times longer than the index.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import Transformer

from observatoire import frformat, vocabulary
from readers import frcsv
from readers.points import PointsFile, read_points
from readers.text import norm

BOUNDARY_MARGIN_M = 50        # closer than this to a quartier boundary: « à vérifier »
MIN_SCORE = 0.8               # BAN result_score below this: address not located (never a guess)
FRANCE_MARGIN_M = 10_000      # metropolitan département outlines are simplified: a point this close counts
# What the lookup adds to every row (any column of the same name in the file is replaced).
RESULT_COLUMNS = ["en_qpv", "code_qpv", "nom_qpv", "code_qp2015", "nom_qp2015", "distance_limite_qpv_m",
                  "a_verifier", "statut", "motif"]

# --------------------------------------------------------------------------- parts of France

@dataclass(frozen=True)
class Zone:
    """A part of France with its own metric CRS: metropolitan France, or one overseas territory."""
    code: str                                    # 'metropole' or the territory's département/COM code
    epsg: int
    bbox: tuple[float, float, float, float]      # lon_min, lat_min, lon_max, lat_max (generous)


METROPOLE = Zone("metropole", 2154, (-5.8, 41.2, 10.0, 51.3))
ZONES: tuple[Zone, ...] = (
    METROPOLE,
    Zone("971", 5490, (-61.9, 15.8, -60.9, 16.6)),     # Guadeloupe
    Zone("972", 5490, (-61.3, 14.3, -60.7, 14.95)),    # Martinique
    Zone("973", 2972, (-54.7, 2.0, -51.5, 5.9)),       # Guyane
    Zone("974", 2975, (55.1, -21.5, 55.9, -20.8)),     # La Réunion
    Zone("975", 4467, (-56.5, 46.7, -56.1, 47.2)),     # Saint-Pierre-et-Miquelon
    Zone("976", 4471, (44.9, -13.1, 45.4, -12.5)),     # Mayotte
    Zone("977", 5490, (-62.95, 17.85, -62.75, 17.98)),  # Saint-Barthélemy
    Zone("978", 5490, (-63.2, 18.0, -62.95, 18.15)),   # Saint-Martin
    Zone("986", 8903, (-178.3, -14.4, -176.0, -13.2)),  # Wallis-et-Futuna
    Zone("987", 3297, (-155.0, -28.0, -134.0, -7.0)),  # Polynésie française
    Zone("988", 3163, (163.0, -23.0, 169.0, -19.0)),   # Nouvelle-Calédonie
)
# Where the national référentiel lists every 2024 quartier: a département without any is truly without.
_REFERENTIAL_OVERSEAS = ("971", "972", "973", "974", "976")


@lru_cache(maxsize=32)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(zone: Zone, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return _transformer(4326, zone.epsg).transform(np.asarray(lon, float), np.asarray(lat, float))


def lambert93_to_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Lambert-93 metres → (longitude, latitude); impossible inputs give inf/NaN (then « hors de France »)."""
    return _transformer(2154, 4326).transform(np.asarray(x, float), np.asarray(y, float))


# --------------------------------------------------------------------------- contours of the warehouse

@dataclass
class Layer:
    """The contours of one generation, in WGS84, with their spatial index."""
    codes: np.ndarray
    names: np.ndarray
    geoms: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def of(cls, codes, names, geoms) -> "Layer":
        geoms = np.asarray(geoms, dtype=object)
        return cls(np.asarray(codes, dtype=object), np.asarray(names, dtype=object), geoms, shapely.STRtree(geoms))

    def __len__(self) -> int:
        return len(self.codes)


@dataclass
class Boundaries:
    """2024 contour boundaries of one part of France in its metric CRS, for the nearest-boundary distance:
    the lines and their index, and one anchor point inside each contour (a cheap first guess)."""
    lines: np.ndarray
    tree: shapely.STRtree
    anchors: shapely.STRtree

    @classmethod
    def of(cls, polygons: np.ndarray) -> "Boundaries":
        lines = shapely.boundary(polygons)
        return cls(lines, shapely.STRtree(lines), shapely.STRtree(shapely.point_on_surface(polygons)))

    def distance(self, pts: np.ndarray) -> np.ndarray:
        """Exact distance from each point to the nearest line, in two cheap steps instead of a nearest-
        neighbour search over the lines (3 to 4 times slower, measured in bench/localiser.py): the line of
        the contour whose anchor is nearest gives an upper bound U; the nearest line is among those within U
        (an index query), whose exact distances are then compared."""
        _, guess = self.anchors.query_nearest(pts, all_matches=False)
        best = shapely.distance(pts, self.lines[guess])
        pi, li = self.tree.query(pts, predicate="dwithin", distance=best)
        np.minimum.at(best, pi, shapely.distance(pts[pi], self.lines[li]))
        return best


@dataclass
class Contours:
    """Everything the lookup needs, decoded once per warehouse (the page caches it)."""
    q2024: Layer
    q2015: Layer
    boundaries: dict[str, Boundaries]               # zone code → 2024 boundaries in the zone's metric CRS
    dep_codes: np.ndarray                            # metropolitan département codes ('13', '2A'…)
    dep_tree: shapely.STRtree | None                 # their outlines in Lambert-93
    covered: frozenset[str]                          # départements where every 2024 quartier has a contour
    uncovered: dict[str, int] = field(default_factory=dict)   # département → 2024 quartiers without contour
    producers: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def coverage_text(self) -> str:
        """French sentence for pages and the command line: what the answers rest on."""
        txt = (f"{frformat.fmt_int(len(self.q2024))} contours de quartiers 2024 et "
               f"{frformat.fmt_int(len(self.q2015))} contours 2015 dans l'entrepôt")
        if self.uncovered:
            n = sum(self.uncovered.values())
            txt += (f" ; {frformat.fmt_int(n)} quartiers 2024 n'ont pas encore de contour "
                    f"({frformat.fmt_int(len(self.uncovered))} départements) : hors des contours, la réponse y est "
                    "« indéterminé »")
        return txt


def _decode(rows) -> np.ndarray:
    """WKB → valid shapely geometries (a ring repaired into lines keeps only its area; a contour collapsed
    to nothing comes back empty, and the caller drops what has no area)."""
    geoms = shapely.from_wkb([bytes(r) for r in rows]) if rows else np.array([], dtype=object)
    return shapely.make_valid(geoms, method="structure", keep_collapsed=False) if len(geoms) else geoms


def load_contours(con: duckdb.DuckDBPyConnection) -> Contours:
    """Decode the warehouse's quartier contours (both generations), département outlines and coverage."""
    rows = con.execute("""
        SELECT g.code, coalesce(t.name, g.code), g.generation, g.geom, g.source_file, t.departement
        FROM territory_geom g LEFT JOIN territory t ON t.code = g.code
        WHERE g.kind = 'contour' AND g.generation IN ('2015', '2024') ORDER BY g.generation, g.code
    """).fetchall()
    layers = {}
    for gen in ("2015", "2024"):
        sel = [r for r in rows if r[2] == gen]
        geoms = _decode([r[3] for r in sel])
        keep = shapely.area(geoms) > 0 if len(geoms) else np.array([], dtype=bool)     # polygons only
        layers[gen] = Layer.of([r[0] for r, k in zip(sel, keep) if k], [r[1] for r, k in zip(sel, keep) if k],
                               geoms[keep] if len(geoms) else geoms)
    q2024 = layers["2024"]
    boundaries = {}
    if len(q2024):
        anchor = shapely.point_on_surface(q2024.geoms)
        ax, ay = shapely.get_x(anchor), shapely.get_y(anchor)
        for zone in ZONES:
            lon0, lat0, lon1, lat1 = zone.bbox
            sel = (ax >= lon0) & (ax <= lon1) & (ay >= lat0) & (ay <= lat1)
            if sel.any():
                metric = shapely.transform(q2024.geoms[sel],
                                           lambda c, z=zone: np.column_stack(to_metric(z, c[:, 0], c[:, 1])))
                boundaries[zone.code] = Boundaries.of(metric)
    deps = con.execute("""
        SELECT t.cog_code, g.geom FROM territory_geom g JOIN territory t ON t.code = g.code
        WHERE g.kind = 'outline' AND t.level = 'departement' AND NOT coalesce(g.is_inset, FALSE) ORDER BY 1
    """).fetchall()
    dep_tree, dep_codes = None, np.array([], dtype=object)
    if deps:
        outlines = shapely.transform(_decode([d[1] for d in deps]),
                                     lambda c: np.column_stack(to_metric(METROPOLE, c[:, 0], c[:, 1])))
        dep_codes, dep_tree = np.array([d[0] for d in deps], dtype=object), shapely.STRtree(outlines)
    quartiers = con.execute("SELECT departement, code FROM territory WHERE level = 'qpv' AND generation = '2024' "
                            "AND departement IS NOT NULL").fetchall()
    usable = set(q2024.codes)
    counts: dict[str, list[int]] = {}
    for d, code in quartiers:
        n_k = counts.setdefault(d, [0, 0])
        n_k[0] += 1
        n_k[1] += code in usable
    per_dep = [(d, n, k) for d, (n, k) in counts.items()]
    with_rows = set(counts)
    contour_deps = {r[5] for r in rows if r[2] == "2024" and r[5] and r[0] in usable}
    covered = {d for d, n, k in per_dep if n == k}
    covered |= {str(c) for c in dep_codes if c not in with_rows}           # metropolitan, no quartier at all
    covered |= {d for d in _REFERENTIAL_OVERSEAS if d not in with_rows}
    covered |= {z.code for z in ZONES[1:] if z.code in contour_deps and z.code not in with_rows}
    uncovered = {d: n - k for d, n, k in per_dep if n != k}
    files = sorted({r[4] for r in rows if r[2] == "2024" and r[4]})
    return Contours(q2024, layers["2015"], boundaries, dep_codes, dep_tree, frozenset(covered), uncovered,
                    _producers(con, files), files)


def _producers(con, files: list[str]) -> list[str]:
    """Producer of each contour file, from the warehouse's source catalogue (imports are said as such)."""
    out = []
    cat = con.execute("SELECT producer, files FROM source_catalog").fetchall()
    for f in files:
        prod = next((p for p, fs in cat if fs and any(x.strip().endswith(f) for x in fs.split(";"))), None)
        out.append(prod or f"contours importés ({f})")
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- where is each point

def _zone_index(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index in ZONES of the part of France whose box holds each point, -1 outside every box."""
    out = np.full(len(lon), -1)
    for i, z in enumerate(ZONES):
        lon0, lat0, lon1, lat1 = z.bbox
        sel = (out < 0) & (lon >= lon0) & (lon <= lon1) & (lat >= lat0) & (lat <= lat1)
        out[sel] = i
    return out


def place(c: Contours, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """(in_france, département code or None) of WGS84 points. Metropolitan points must lie within
    FRANCE_MARGIN_M of a département outline (outlines are simplified); overseas, the territory's box."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    n = len(lon)
    finite = np.isfinite(lon) & np.isfinite(lat)
    zi = np.where(finite, _zone_index(np.nan_to_num(lon), np.nan_to_num(lat)), -1)
    dep = np.full(n, None, dtype=object)
    inside = zi > 0
    dep[inside] = [ZONES[i].code for i in zi[inside]]
    metro = np.flatnonzero(zi == 0)
    ok = inside.copy()
    if len(metro):
        if c.dep_tree is None:
            ok[metro] = True
        else:
            x, y = to_metric(METROPOLE, lon[metro], lat[metro])
            pts = shapely.points(x, y)
            hit = np.full(len(metro), -1)
            pi, di = c.dep_tree.query(pts, predicate="within")
            hit[pi] = di
            rest = np.flatnonzero(hit < 0)
            if len(rest):
                (pi, di), _ = c.dep_tree.query_nearest(pts[rest], max_distance=FRANCE_MARGIN_M,
                                                       return_distance=True, all_matches=False)
                hit[rest[pi]] = di
            found = hit >= 0
            ok[metro[found]] = True
            dep[metro[found]] = c.dep_codes[hit[found]]
    return ok, dep


def _contained(layer: Layer, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of the first containing contour or -1, number of containing contours) per point."""
    first = np.full(len(pts), -1)
    count = np.zeros(len(pts), dtype=int)
    if len(layer) and len(pts):
        pi, gi = layer.tree.query(pts, predicate="within")
        np.add.at(count, pi, 1)
        order = np.lexsort((gi, pi))[::-1]            # keep the smallest contour index of each point
        first[pi[order]] = gi[order]
    return first, count


def nearest_boundary_m(c: Contours, lon, lat) -> np.ndarray:
    """Metres to the nearest 2024 contour boundary of the point's part of France (NaN where none)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    out = np.full(len(lon), np.nan)
    zi = _zone_index(lon, lat)
    for i, z in enumerate(ZONES):
        lines = c.boundaries.get(z.code)
        sel = np.flatnonzero(zi == i)
        if lines is None or not len(sel):
            continue
        x, y = to_metric(z, lon[sel], lat[sel])
        out[sel] = lines.distance(shapely.points(x, y))
    return out


def locate(c: Contours, lon, lat, departement=None) -> pd.DataFrame:
    """The answer for located WGS84 points (already known to be in France): one row per point with
    answer ('oui'/'non'/'indeterminee'), code_qpv, nom_qpv, n_contours, code_qp2015, nom_qp2015, distance_m."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if departement is None:
        _, departement = place(c, lon, lat)
    pts = shapely.points(lon, lat)
    i24, n24 = _contained(c.q2024, pts)
    i15, _ = _contained(c.q2015, pts)
    inside = i24 >= 0
    covered = np.array([d in c.covered for d in departement], dtype=bool)
    answer = np.where(inside, "oui", np.where(covered, "non", "indeterminee"))
    return pd.DataFrame({
        "answer": answer,
        "code_qpv": np.where(inside, c.q2024.codes[np.maximum(i24, 0)] if len(c.q2024) else None, None),
        "nom_qpv": np.where(inside, c.q2024.names[np.maximum(i24, 0)] if len(c.q2024) else None, None),
        "n_contours": n24,
        "code_qp2015": np.where(i15 >= 0, c.q2015.codes[np.maximum(i15, 0)] if len(c.q2015) else None, None),
        "nom_qp2015": np.where(i15 >= 0, c.q2015.names[np.maximum(i15, 0)] if len(c.q2015) else None, None),
        "distance_m": nearest_boundary_m(c, lon, lat),
        "departement": departement,
    })


def contours_near(c: Contours, lon, lat, margin_deg: float = 0.02, limit: int = 400) -> pd.DataFrame:
    """The 2024 contours around located points (for the map): code, name, WGS84 geometry. Within the box
    of the points widened by `margin_deg`, and among those, the ones nearest a point first when there are
    more than `limit` (keeps the page's map payload small)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    empty = pd.DataFrame({"code": [], "name": [], "geometry": []})
    if not ok.any() or not len(c.q2024):
        return empty
    box = shapely.box(lon[ok].min() - margin_deg, lat[ok].min() - margin_deg,
                      lon[ok].max() + margin_deg, lat[ok].max() + margin_deg)
    idx = c.q2024.tree.query(box, predicate="intersects")
    if len(idx) > limit:
        pts = shapely.points(lon[ok], lat[ok])
        _, near = c.q2024.tree.query_nearest(pts, all_matches=False)
        ranked = list(dict.fromkeys(near.tolist())) + [i for i in idx.tolist() if i not in set(near.tolist())]
        idx = np.array(ranked[:limit])
    idx = np.sort(idx)
    return pd.DataFrame({"code": c.q2024.codes[idx], "name": c.q2024.names[idx], "geometry": c.q2024.geoms[idx]})


# --------------------------------------------------------------------------- answering every row

@dataclass
class Located:
    """The file's rows with the answer columns, plus what the page and the import need."""
    source: PointsFile
    frame: pd.DataFrame                    # the file's columns then RESULT_COLUMNS (text, ready to write)
    status: np.ndarray                     # locate_statuses code per row
    answer: np.ndarray                     # qpv_answers code per row
    code_qpv: np.ndarray                   # 2024 quartier code or None
    lon: np.ndarray                        # WGS84 of located rows (NaN elsewhere): for the map
    lat: np.ndarray
    distance_m: np.ndarray

    def status_counts(self) -> dict[str, int]:
        """{status code: rows}, in vocabulary order, only statuses present."""
        s = pd.Series(self.status).value_counts()
        return {c: int(s[c]) for c in vocabulary.codes("locate_statuses") if c in s.index}

    def answer_counts(self) -> dict[str, int]:
        s = pd.Series(self.answer).value_counts()
        return {c: int(s.get(c, 0)) for c in vocabulary.codes("qpv_answers")}

    def summary_lines(self) -> list[str]:
        """French lines printed by the command line (and shown by the page): answers, then statuses."""
        n = len(self.status)
        out = [f"{frformat.fmt_int(n)} ligne(s) lue(s) dans {self.source.name}."]
        out += [f"  en QPV : {vocabulary.label('qpv_answers', a)} : {frformat.fmt_int(k)}"
                for a, k in self.answer_counts().items()]
        out.append("Statut des lignes :")
        out += [f"  {vocabulary.label('locate_statuses', s)} : {frformat.fmt_int(k)}"
                for s, k in self.status_counts().items()]
        check = int((self.frame["a_verifier"] == "oui").sum())
        out.append(f"À vérifier : {frformat.fmt_int(check)} ligne(s) (colonne a_verifier, motif dans « motif »).")
        return out


def _numbers(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, empty, not_numeric) of a column of text cells (French or dot decimals), with the
    project's one number rule (readers.frcsv) run by Arrow kernels."""
    raw = pa.array(cells.astype(str).tolist(), pa.string())
    vals = frcsv.parse_numbers_arrow(raw).to_numpy(zero_copy_only=False).astype(float)
    empty = frcsv.empty_arrow(raw).to_numpy(zero_copy_only=False)
    return vals, empty, np.isnan(vals) & ~empty


def localise(c: Contours, pf: PointsFile) -> Located:
    """Answer every row of a points file (see the module docstring for the rules)."""
    n = len(pf.cells)
    cols = pf.columns
    status = np.full(n, None, dtype=object)
    motif = np.full(n, "", dtype=object)

    def cell(field_name: str) -> pd.Series:
        return pf.cells[cols[field_name]] if field_name in cols else pd.Series([""] * n, dtype=object)

    def mark(mask, code: str, texts=None) -> None:
        sel = np.flatnonzero(mask & (status == None))  # noqa: E711 (element-wise)
        status[sel] = code
        if texts is not None:
            for i in sel:
                motif[i] = texts(i)

    if pf.ragged_lines:
        mark(np.array([ln in pf.ragged_lines for ln in pf.lines], dtype=bool), "ligne_mal_formee",
             lambda i: "le nombre de colonnes de la ligne diffère de l'en-tête : cellules décalées ?")

    # BAN geocoder output: trust its own verdict first.
    if "result_status" in cols:
        rs = cell("result_status").map(lambda v: norm(v))
        mark(((rs != "") & (rs != "ok")).to_numpy(), "adresse_non_trouvee",
             lambda i: f"géocodeur : « {cell('result_status').iat[i]} »")
    if "result_score" in cols:
        score, s_empty, s_bad = _numbers(cell("result_score"))
        lat_empty = cell("latitude").map(frcsv.is_empty).to_numpy() if "latitude" in cols else np.zeros(n, bool)
        mark(s_empty & lat_empty, "adresse_non_trouvee", lambda i: "aucun résultat du géocodeur")
        mark(np.nan_to_num(score, nan=1.0) < MIN_SCORE, "score_faible",
             lambda i: f"score de géocodage {frformat.fmt_number(score[i], 2)} "
                       f"(minimum {frformat.fmt_number(MIN_SCORE, 1)})")
    rtype = cell("result_type").map(norm).to_numpy() if "result_type" in cols else np.full(n, "", dtype=object)
    mark(rtype == "municipality", "precision_commune", lambda i: "le géocodeur n'a trouvé que la commune")

    # Coordinates.
    a_name, b_name = ("latitude", "longitude") if pf.mode == "wgs84" else ("y", "x")
    a, a_empty, a_bad = _numbers(cell(a_name))
    b, b_empty, b_bad = _numbers(cell(b_name))
    mark(a_empty | b_empty, "coordonnees_manquantes",
         lambda i: "colonne(s) vide(s) : " + ", ".join(
             h for h, e in ((cols[a_name], a_empty[i]), (cols[b_name], b_empty[i])) if e))
    mark(a_bad | b_bad, "coordonnees_non_numeriques",
         lambda i: "; ".join(f"« {cell(f).iat[i]} » en {cols[f]}"
                             for f, bad in ((a_name, a_bad[i]), (b_name, b_bad[i])) if bad)
         + " n'est pas un nombre")
    if pf.mode == "wgs84":
        lat, lon = a, b
        lat_sw, lon_sw = b, a
    else:
        lon, lat = lambert93_to_wgs84(b, a)
        lon_sw, lat_sw = lambert93_to_wgs84(a, b)
    todo = status == None  # noqa: E711
    in_fr, dep = place(c, np.where(todo, lon, np.nan), np.where(todo, lat, np.nan))
    out_fr = todo & ~in_fr
    in_fr_sw, _ = place(c, np.where(out_fr, lon_sw, np.nan), np.where(out_fr, lat_sw, np.nan))
    def written(i: int) -> str:
        return f"{cols[a_name]} « {cell(a_name).iat[i]} », {cols[b_name]} « {cell(b_name).iat[i]} »"

    mark(out_fr & in_fr_sw, "lat_lon_inversees", lambda i: written(i) + " : colonnes inversées ?")
    if pf.mode == "wgs84":
        impossible = (np.abs(lat) > 90) | (np.abs(lon) > 180)
        mark(out_fr & impossible, "coordonnees_hors_bornes",
             lambda i: written(i) + (" : des coordonnées Lambert-93 ? nommez alors les colonnes x et y"
                                     if abs(lat[i]) > 1000 else ""))
    mark(out_fr, "hors_france", written)

    ok = np.flatnonzero(status == None)  # noqa: E711
    answer_of = {code: t.get("answer", "") for code, t in vocabulary.terms("locate_statuses").items()}
    answer = pd.Series(status, dtype=object).map(answer_of).fillna("").to_numpy(dtype=object)
    out = {k: np.full(n, "", dtype=object) for k in ("code_qpv", "nom_qpv", "code_qp2015", "nom_qp2015")}
    dist = np.full(n, np.nan)
    reasons = np.full(n, "", dtype=object)
    if len(ok):
        res = locate(c, lon[ok], lat[ok], dep[ok])
        status[ok] = np.where(res["answer"] == "indeterminee", "hors_couverture", "localisee")
        answer[ok] = res["answer"].to_numpy()
        for k in out:
            out[k][ok] = res[k].fillna("").to_numpy()
        # Where contours are missing, the nearest known boundary may not be the nearest QPV: no distance.
        dist[ok] = np.where(res["answer"] == "indeterminee", np.nan, res["distance_m"].to_numpy())
        why = _reasons(c, res, rtype[ok])
        reasons[ok] = why
    motif = _join(motif, reasons)
    verify = (reasons != "") | ~np.isin(answer, ("oui", "non"))
    keep = [h for h in pf.headers if h not in RESULT_COLUMNS]
    frame = pf.cells[keep].copy()
    frame["en_qpv"] = pd.Series(answer).map(vocabulary.labels("qpv_answers")).to_numpy()
    for k in out:
        frame[k] = out[k]
    frame["distance_limite_qpv_m"] = [("" if np.isnan(d) else str(int(d))) for d in np.round(dist)]
    frame["a_verifier"] = np.where(verify, "oui", "non")
    frame["statut"] = pd.Series(status).map(vocabulary.labels("locate_statuses")).to_numpy()
    frame["motif"] = motif
    located = np.isin(status, ("localisee", "hors_couverture"))
    return Located(pf, frame.reset_index(drop=True), status.astype(str), answer.astype(str),
                   np.where(answer == "oui", out["code_qpv"], None),
                   np.where(located, lon, np.nan), np.where(located, lat, np.nan), dist)


def _reasons(c: Contours, res: pd.DataFrame, rtype: np.ndarray) -> np.ndarray:
    """Why located rows should be checked by hand ('' when nothing to say); text built only for them."""
    labels = vocabulary.labels("verification_reasons")
    n = len(res)
    d = res["distance_m"].to_numpy()
    deps = res["departement"].to_numpy()
    several = np.where(res["n_contours"].to_numpy() > 1, labels["plusieurs_contours"], "").astype(object)
    near = np.full(n, "", dtype=object)
    for i in np.flatnonzero(np.nan_to_num(d, nan=np.inf) < BOUNDARY_MARGIN_M):
        near[i] = f"{labels['pres_limite']} ({frformat.fmt_int(round(d[i]))} m)"
    street = np.where(np.isin(rtype, ("street", "locality")), labels["precision_rue"], "").astype(object)
    missing = np.full(n, "", dtype=object)
    for i in np.flatnonzero((res["answer"] == "indeterminee").to_numpy()):
        missing[i] = f"département {deps[i]} : {c.uncovered.get(deps[i], 0)} quartier(s) 2024 sans contour"
    return _join(several, near, street, missing)


def _join(*columns: np.ndarray) -> np.ndarray:
    """Element-wise « ; » join of text arrays, skipping empty pieces (only rows with some text are touched)."""
    out = np.full(len(columns[0]), "", dtype=object)
    has = np.zeros(len(out), dtype=bool)
    for col in columns:
        has |= col != ""
    for i in np.flatnonzero(has):
        out[i] = " ; ".join(col[i] for col in columns if col[i])
    return out


# --------------------------------------------------------------------------- writing the result

_RISKY = re.compile(r"^[=+\-@\t\r]")


def neutralise(values: pd.Series) -> pd.Series:
    """Cells a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) get a
    leading apostrophe; plain numbers such as « -1,68 » are left as they are."""
    s = values.astype(str)
    risky = s.str.match(_RISKY)
    if not risky.any():
        return s
    numeric = s[risky].map(_is_number)
    fix = risky.copy()
    fix[risky] = ~numeric
    return s.where(~fix, "'" + s)


def _is_number(text: str) -> bool:
    try:
        frcsv.parse_number(text)
        return True
    except ValueError:
        return False


def to_csv_bytes(located: Located) -> bytes:
    """The result as a French CSV (UTF-8 with BOM, « ; »): every row of the file, same order, same cells,
    then the answer columns; formula-like cells neutralised."""
    frame = located.frame.apply(neutralise)
    buf = io.StringIO()
    frame.to_csv(buf, sep=";", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def locator(c: Contours):
    """`localise` bound to these contours: the `locate` callable the beneficiaries import expects."""
    return partial(localise, c)


def localise_file(c: Contours, path: str | Path, data: bytes | None = None, sheet: str | None = None) -> Located:
    """read_points then localise (command line, page, beneficiaries import)."""
    return localise(c, read_points(path, data, sheet))
