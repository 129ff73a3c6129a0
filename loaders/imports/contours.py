"""contours : contours officiels des quartiers (fichier national ANCT, GeoJSON / SHP / GPKG).

`python -m loaders import contours FICHIER [--generation 2024|2015] [--code-field code_qp]
[--name-field lib_qp] [--layer COUCHE] [--ignorer-inconnus] [--verifier]`

The whole file is validated before anything is written (all errors reported at once, named by file,
feature number — shown as « ligne » — and property): readable vector file with at least one feature, the
code property present and filled, codes known in the warehouse for the generation, no code twice (a
quartier drawn in several pieces, one per commune — distinct `insee_com` — is merged), Polygon or
MultiPolygon geometries, WGS84 coordinates (a declared other CRS is reprojected; coordinates that are not
degrees with no CRS declared are refused). Invalid rings are repaired (make_valid) and reported. Then, in
one transaction: the quartiers' 'commune_point' and 'contour' rows of territory_geom are replaced by the
imported contours (placement 'import'), the 2015 -> 2024 crosswalk is recomputed with the spatial evidence
and the file is kept (loaders.imports.replay) so that every rebuild replays it.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import shapely
from pyogrio import list_layers
from pyogrio.errors import DataSourceError, DataLayerError

from pyogrio.raw import read as raw_read

from loaders import bulk, crosswalk
from loaders.imports import replay
from loaders.names import name_key
from readers.errors import InputError, InputErrors
from loaders.geo import (DISPLAY_TOLERANCE_M, Layer, display_version, is_polygonal, overview_version, read_layer,
                         repair, to_wgs84)

CODE_PATTERNS = {"2024": r"^QN[0-9]{2}[0-9AB][0-9]{2}[A-Z]$", "2015": r"^QP([0-9]{3}|02[AB])[0-9]{3}$"}
COMMUNE_FIELDS = ("insee_com", "code_insee", "insee_commune", "code_commune")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FICHIER", help="fichier des contours (GeoJSON, SHP ou GPKG)")
    p.add_argument("--generation", choices=("2024", "2015"), default=None,
                   help="géographie des quartiers (défaut : déduite des codes, QN… = 2024, QP… = 2015)")
    p.add_argument("--code-field", default="code_qp", help="propriété portant le code du quartier (défaut : code_qp)")
    p.add_argument("--name-field", default="lib_qp", help="propriété portant le nom du quartier (défaut : lib_qp)")
    p.add_argument("--layer", default=None, help="couche à lire (GPKG à plusieurs couches)")
    p.add_argument("--ignorer-inconnus", action="store_true",
                   help="ignorer (en le signalant) les quartiers absents de l'entrepôt au lieu de refuser le fichier")
    p.add_argument("--verifier", action="store_true",
                   help="valide le fichier et dit ce qui changerait, sans rien enregistrer")
    p.add_argument("--db", type=Path, default=None, help="entrepôt (défaut : OBSERVATOIRE_DB)")


def options_from_args(args) -> dict:
    return {"generation": args.generation, "code_field": args.code_field, "name_field": args.name_field,
            "layer": args.layer, "skip_unknown": bool(args.ignorer_inconnus), "source_name": Path(args.file).name}


def run(args) -> int:
    path = Path(args.file)
    verifier = bool(getattr(args, "verifier", False))
    rows, notes = replay.import_transaction("contours", path, options_from_args(args), args.db, dry_run=verifier)
    if verifier:
        print(f"Vérification de « {path.name} » : fichier valide, {rows} contour(s) de quartiers seraient "
              "importés — rien n'a été enregistré.")
    else:
        print(f"{rows} contour(s) de quartiers importé(s) depuis {path.name} ; le fichier est conservé et sera "
              "réimporté à chaque reconstruction de l'entrepôt.")
    for note in notes:
        print(note, file=sys.stderr)
    return 0


def _read(path: Path, layer: str | None):
    """(the vector layer, indexes of features whose rings cannot be built), or an InputError saying why
    the file cannot be read."""
    if not path.exists():
        raise InputError(path, "fichier introuvable")
    if path.stat().st_size == 0:
        raise InputError(path, "fichier vide", expected="GeoJSON, SHP ou GPKG de contours de quartiers")
    try:
        layers = list_layers(str(path))
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise InputError(path, f"fichier illisible ou tronqué ({_short(exc)})",
                         expected="GeoJSON, SHP ou GPKG valide") from None
    names = [str(n) for n, _t in layers]
    if layer is None and len(names) > 1:
        raise InputError(path, f"plusieurs couches ({', '.join(names)}) : précisez --layer", column="layer")
    if layer is not None and layer not in names:
        raise InputError(path, f"couche « {layer} » absente", column="layer", expected=", ".join(names))
    try:
        return read_layer(path, layer=layer), set()
    except shapely.errors.GEOSException:
        pass        # a ring GEOS cannot even build (not closed, fewer than 4 points): say which feature
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise InputError(path, f"fichier illisible ou tronqué ({_short(exc)})",
                         expected="GeoJSON, SHP ou GPKG valide") from None
    meta, _fids, wkb, values = raw_read(str(path), layer=layer)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    unreadable = {i for i, (g, b) in enumerate(zip(geoms, wkb)) if g is None and b is not None}
    return Layer(dict(zip(list(meta["fields"]), values)), geoms, meta.get("crs"), path), unreadable


MAX_KM = 60.0      # farther than this from where the warehouse places the quartier: wrong CRS or wrong code


def _check_places(con, shown: str, codes, geoms, ok, crs, errors: list) -> None:
    """Each contour must lie near the quartier's known place (its contour or its commune's point): a
    coordinate system declared wrong (degrees labelled Lambert 93…) or a wrong code lands far away."""
    known = {c: (g, inset) for c, g, inset in con.execute(
        "SELECT code, geom, is_inset FROM territory_geom WHERE kind IN ('contour', 'commune_point') "
        "AND code IN (SELECT unnest(?::VARCHAR[]))", [sorted({c for c in codes if c})]).fetchall()}
    for i, (code, g) in enumerate(zip(codes, geoms)):
        if not ok[i] or code not in known or known[code][1]:
            continue
        here = shapely.get_coordinates(shapely.point_on_surface(g))[0]
        there = shapely.get_coordinates(shapely.point_on_surface(shapely.from_wkb(known[code][0])))[0]
        km = 111.2 * float(np.hypot((here[0] - there[0]) * np.cos(np.radians(there[1])), here[1] - there[1]))
        if km > MAX_KM:
            errors.append(InputError(shown, f"entité n° {i + 1} : contour de {code} à {km:,.0f} km de l'emplacement "
                                     f"connu du quartier (système de coordonnées déclaré : {crs or 'aucun'})"
                                     .replace(",", "\u202f"), line=i + 1, column="geometry",
                                     expected="le système de coordonnées réel du fichier (crs, .prj) et le bon code "
                                              "de quartier"))


# What GDAL (through pyogrio) says in English, with the server's paths, said in French without them.
_GDAL_FRENCH = [
    (re.compile(r"not recognized as (being in )?a supported file format", re.I),
     "format non reconnu : ni GeoJSON, ni Shapefile, ni GeoPackage"),
    (re.compile(r"Failed to read GeoJSON data.*?line (\d+), character (\d+)", re.I | re.S),
     "GeoJSON incomplet ou mal formé (ligne {0}, caractère {1})"),
    (re.compile(r"Failed to read GeoJSON|GeoJSON", re.I), "GeoJSON incomplet ou mal formé"),
    (re.compile(r"No such file or directory|does not exist", re.I), "fichier introuvable"),
    (re.compile(r"(not a|file is not a) database|sqlite|GeoPackage", re.I), "GeoPackage illisible ou tronqué"),
    (re.compile(r"\.shx|\.dbf|shapefile|Shape", re.I),
     "Shapefile incomplet : les fichiers .shp, .shx, .dbf (et .prj) doivent être ensemble"),
    (re.compile(r"permission denied", re.I), "lecture du fichier refusée (droits)"),
    (re.compile(r"crs|proj|EPSG|coordinate", re.I), "système de coordonnées inconnu"),
]


def _short(exc: Exception) -> str:
    """The cause of a reading error in French, without any path of the server (GDAL's English stays out)."""
    text = str(exc)
    for rx, french in _GDAL_FRENCH:
        m = rx.search(text)
        if m:
            return french.format(*m.groups()[-2:]) if "{0}" in french else french
    return "contenu non reconnu"


def apply(con, path: Path, options: dict) -> int:
    """Validate the file, then replace the quartiers' geometries (caller holds the transaction)."""
    path = Path(path)
    shown = options.get("source_name") or path.name
    lay, unreadable = _read(path, options.get("layer"))
    code_field, name_field = options.get("code_field") or "code_qp", options.get("name_field") or "lib_qp"
    if len(lay) == 0:
        raise InputError(path, "aucune entité dans le fichier", expected="au moins un contour de quartier")
    if code_field not in lay.fields:
        raise InputError(path, f"propriété « {code_field} » absente", column=code_field,
                         expected="une des propriétés " + ", ".join(lay.fields) + " (option --code-field)")
    codes = [None if c is None else str(c).strip() for c in lay.fields[code_field]]
    errors: list[InputError] = []
    notes: list[str] = []

    def err(i, msg, col, expected=None):
        errors.append(InputError(shown, f"entité n° {i + 1} : {msg}", line=i + 1, column=col, expected=expected))

    # Generation and known codes.
    generation = options.get("generation")
    filled = [c for c in codes if c]
    if generation is None:
        kinds = {c[:2] for c in filled}
        if kinds <= {"QN"}:   # also when no code is filled: the per-feature errors say so
            generation = "2024"
        elif kinds == {"QP"}:
            generation = "2015"
        else:
            raise InputError(path, "impossible de déduire la géographie des codes (ni tous QN…, ni tous QP…)",
                             column=code_field, expected="--generation 2024 ou 2015")
    known = {r[0]: r[1] for r in con.execute(
        "SELECT code, name FROM territory WHERE level = 'qpv' AND generation = ?", [generation]).fetchall()}
    if not known:
        raise InputError(path, f"aucun quartier de la géographie {generation} dans l'entrepôt",
                         expected="un entrepôt construit (python -m loaders build)")
    pattern = re.compile(CODE_PATTERNS[generation])
    commune_field = next((f for f in COMMUNE_FIELDS if f in lay.fields), None)
    seen: dict[str, list[int]] = {}
    unknown = []
    for i, code in enumerate(codes):
        if not code:
            err(i, "code de quartier vide", code_field, "un code QN… ou QP…")
            continue
        if not pattern.match(code):
            err(i, f"code « {code} » mal formé pour la géographie {generation}", code_field,
                "QN + département + ordre + lettre (QN01301M)" if generation == "2024" else "QP + 6 caractères (QP013001)")
            continue
        if code not in known:
            unknown.append(i)
            if not options.get("skip_unknown"):
                err(i, f"quartier {code} inconnu de la géographie {generation} de l'entrepôt", code_field,
                    "un code du référentiel (ou l'option --ignorer-inconnus)")
            continue
        seen.setdefault(code, []).append(i)
    for code, idx in seen.items():
        if len(idx) > 1:
            communes = [lay.fields[commune_field][i] for i in idx] if commune_field else [None] * len(idx)
            if None in communes or len(set(communes)) < len(communes):
                for i in idx[1:]:
                    err(i, f"code {code} en double (déjà à l'entité n° {idx[0] + 1})", code_field, "un code par quartier")

    # Geometry: presence, type, CRS, validity.
    geoms = np.asarray(lay.geoms, dtype=object)
    for i, g in enumerate(geoms):
        if i in unreadable:
            err(i, "anneau de polygone non fermé ou de moins de 4 points", "geometry",
                "des anneaux fermés (dernier point = premier point), d'au moins 4 points")
        elif g is None or shapely.is_empty(g):
            err(i, "géométrie absente ou vide", "geometry", "un Polygon ou MultiPolygon")
        elif g.geom_type not in ("Polygon", "MultiPolygon"):
            err(i, f"géométrie de type {g.geom_type}", "geometry", "un Polygon ou MultiPolygon")
    ok = np.array([g is not None and not shapely.is_empty(g) and g.geom_type in ("Polygon", "MultiPolygon")
                   for g in geoms])
    crs = lay.crs
    if ok.any():
        x0, y0, x1, y1 = shapely.total_bounds(geoms[ok])
        degrees = -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90
        wgs = crs is None or "4326" in str(crs) or "CRS84" in str(crs).upper()
        if wgs and not degrees:
            errors.append(InputError(shown, f"coordonnées hors des bornes de la longitude/latitude (x de {x0:.0f} à "
                                     f"{x1:.0f}, y de {y0:.0f} à {y1:.0f}) et aucun autre système de coordonnées "
                                     "déclaré", column="geometry",
                                     expected="des coordonnées WGS84 en degrés, ou un système déclaré (.prj, crs)"))
        elif not wgs:
            try:
                geoms[ok] = to_wgs84(geoms[ok], crs)
            except Exception as exc:  # pyproj errors
                raise InputError(path, f"système de coordonnées {crs} impossible à convertir ({_short(exc)})",
                                 column="geometry", expected="WGS84 ou un code EPSG connu") from None
            notes.append(f"{shown} : contours reprojetés de {crs} en WGS84.")
    if not errors:
        _check_places(con, shown, codes, geoms, ok, crs, errors)
    if errors:
        raise InputErrors(sorted(errors, key=lambda e: (e.line or 0, e.column or "")))

    # Merge pieces of one quartier, repair, build display versions.
    keep_codes = sorted(seen)
    merged = np.array([geoms[seen[c][0]] if len(seen[c]) == 1 else shapely.union_all(geoms[seen[c]])
                       for c in keep_codes], dtype=object)
    fixed, repaired = repair(merged)
    still = ~shapely.is_valid(fixed)
    for k in np.flatnonzero(still):
        errors.append(InputError(shown, f"contour de {keep_codes[k]} invalide même après réparation",
                                 line=seen[keep_codes[k]][0] + 1, column="geometry", expected="un polygone valide"))
    if errors:
        raise InputErrors(errors)
    # A ring collapsed to a point or a line (aire nulle, e.g. three features of the simplified national file)
    # is no contour: skipped and said; the quartier keeps the geometry it had.
    usable = is_polygonal(fixed)
    if not usable.all():
        notes.append(f"{shown} : {int((~usable).sum())} contour(s) dégénéré(s) (aire nulle) ignoré(s), le quartier "
                     "garde sa géométrie actuelle : " + ", ".join(np.array(keep_codes)[~usable][:20]))
        keep_codes = [c for c, ok in zip(keep_codes, usable) if ok]
        fixed, repaired = fixed[usable], repaired[usable]
    if repaired.any():
        notes.append(f"{shown} : {int(repaired.sum())} contour(s) invalide(s) réparé(s) (make_valid) : "
                     + ", ".join(np.array(keep_codes)[repaired][:20]))
    if unknown:
        notes.append(f"{shown} : {len(unknown)} entité(s) ignorée(s), quartier inconnu de l'entrepôt : "
                     + ", ".join(codes[i] for i in unknown[:20]))
    split = [c for c in keep_codes if len(seen[c]) > 1]
    if split:
        notes.append(f"{shown} : {len(split)} quartier(s) en plusieurs morceaux (un par commune) réunis.")
    if name_field in lay.fields:
        names = lay.fields[name_field]
        differ = [c for c in keep_codes if names[seen[c][0]] and name_key(str(names[seen[c][0]])) != name_key(known[c])]
        if differ:
            notes.append(f"{shown} : {len(differ)} nom(s) différent(s) de l'entrepôt (le nom de l'entrepôt est gardé), "
                         f"ex. {differ[0]} « {names[seen[differ[0]][0]]} » / « {known[differ[0]]} ».")
    disp = display_version(fixed, DISPLAY_TOLERANCE_M["contour"])

    # Write (caller's transaction).
    con.execute("CREATE OR REPLACE TEMP TABLE _imp_codes (code VARCHAR)")
    bulk.insert(con, "_imp_codes", ["code"], [(c,) for c in keep_codes])
    con.execute("DELETE FROM territory_geom WHERE kind IN ('commune_point', 'contour') "
                "AND code IN (SELECT code FROM _imp_codes)")
    con.execute("DROP TABLE _imp_codes")
    g_wkb = shapely.to_wkb(fixed, output_dimension=2)
    d_wkb = shapely.to_wkb(disp, output_dimension=2)
    o_wkb = shapely.to_wkb(overview_version(fixed), output_dimension=2)
    bulk.insert(con, "territory_geom",
                ["code", "kind", "generation", "geom", "geom_display", "repaired", "is_inset", "source_file", "placement",
                 "geom_overview"],
                [(c, "contour", generation, g_wkb[k], d_wkb[k], bool(repaired[k]), False, shown, "import", o_wkb[k])
                 for k, c in enumerate(keep_codes)])
    crosswalk.refresh(con)
    options["_notes"] = notes
    return len(keep_codes)

