"""View of the page « Localiser »: is each point of a file in a quartier prioritaire? The engine is
indicators.localiser (the same as `python -m indicators localiser`); this module gives the page what it
lays out — the counts with their vocabulary labels, the status table, the map's points with their hover
texts, the result table as displayed, the source line — and the engine's entry points, so that pages, ui and
charts read nothing below presentation/.

The contours (shapely indexes) are a resource cached by ui.mapdata, not a view; a ResultView is plain data.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators import localiser as engine
from observatoire import vocabulary
from presentation import sources, text
from readers import points

MAP_MAX_POINTS = 5000     # beyond this, the map shows an even sample (the result file has every row)
TABLE_MAX_ROWS = 1000
MIN_SCORE = engine.MIN_SCORE
BOUNDARY_MARGIN_M = engine.BOUNDARY_MARGIN_M
RESULT_COLUMNS_TEXT = ("Toutes les lignes du fichier, dans le même ordre, avec les colonnes en_qpv, code_qpv, "
                       "nom_qpv, code_qp2015, nom_qp2015, distance_limite_qpv_m, a_verifier, statut et motif.")

# the engine's entry points (renderers import presentation/ only)
Located = engine.Located
load_contours = engine.load_contours
localise = engine.localise
localise_file = engine.localise_file
result_csv = engine.to_csv_bytes
NoCoordinates = points.NoCoordinates


def localise_typed(contours, typed: str) -> engine.Located:
    """Coordinates typed in the page, one « latitude ; longitude » per line."""
    return engine.localise(contours, points.typed_points(typed))


def coverage_text(contours) -> str:
    """What the answers rest on (how many 2024 and 2015 contours, départements without them)."""
    return contours.coverage_text()


@dataclass
class ResultView:
    metrics: list[tuple[str, str]]             # (« En QPV : oui », « 1 »)
    statuses: pd.DataFrame                     # Statut de la ligne, Lignes
    summary: str                               # Markdown (file name escaped)
    source_line: str
    map_points: pd.DataFrame                   # lon, lat, answer, hover
    map_caption: str | None
    table: pd.DataFrame                        # the result as displayed (first TABLE_MAX_ROWS rows)
    table_to_check: pd.DataFrame               # the rows « à vérifier » only
    table_caption: str | None


def _display(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.head(TABLE_MAX_ROWS).map(text.cell_text)
    return shown.assign(distance_limite_qpv_m=[text.count_text(int(d)) if d else text.DASH
                                               for d in frame["distance_limite_qpv_m"].head(TABLE_MAX_ROWS)])


def result_view(located: engine.Located, contours) -> ResultView:
    """Everything the page shows of one answered file (or typed list)."""
    frame = located.frame.assign(ligne=located.source.lines)
    frame = frame[["ligne"] + [c for c in frame.columns if c != "ligne"]]
    counts = located.status_counts()
    n_check = int((located.frame["a_verifier"] == "oui").sum())
    pts = pd.DataFrame({"lon": located.lon, "lat": located.lat, "answer": located.answer,
                        "ligne": located.source.lines, "code": located.frame["code_qpv"],
                        "nom": located.frame["nom_qpv"], "distance": located.frame["distance_limite_qpv_m"]})
    pts = pts[pts["lon"].notna()]
    caption = None
    if len(pts) > MAP_MAX_POINTS:
        caption = (f"Carte : {text.count_text(MAP_MAX_POINTS)} points tirés au hasard sur "
                   f"{text.count_text(len(pts))} localisés (le fichier résultat contient toutes les lignes).")
        pts = pts.sample(MAP_MAX_POINTS, random_state=15)
    pts["hover"] = [f"ligne {r.ligne} — en QPV : {vocabulary.label('qpv_answers', r.answer)}"
                    + (f"<br>{r.nom} ({r.code})" if r.code else "")
                    + (f"<br>à {text.count_text(int(r.distance))} m de la limite d'un quartier" if r.distance else "")
                    for r in pts.itertuples()]
    check = frame[frame["a_verifier"] == "oui"]
    return ResultView(
        metrics=[(f"En QPV : {vocabulary.label('qpv_answers', code)}", text.count_text(n))
                 for code, n in located.answer_counts().items()],
        statuses=pd.DataFrame({"Statut de la ligne": [vocabulary.label("locate_statuses", s) for s in counts],
                               "Lignes": list(counts.values())}),
        summary=(f"**{text.count_text(len(located.frame))}** ligne(s) lue(s) dans "
                 f"« {text.md_text(located.source.name)} », dont **{text.count_text(n_check)}** à vérifier."),
        source_line=sources.source_line(contours.producers, None, "2024",
                                        note="contours : " + ", ".join(contours.files)
                                             + " ; points : votre fichier, non conservé"),
        map_points=pts[["lon", "lat", "answer", "hover"]].reset_index(drop=True),
        map_caption=caption,
        table=_display(frame), table_to_check=_display(check),
        table_caption=(f"{text.count_text(TABLE_MAX_ROWS)} premières lignes : le fichier résultat les contient "
                       "toutes.") if len(frame) > TABLE_MAX_ROWS else None)


def contours_near(contours, map_points: pd.DataFrame) -> pd.DataFrame:
    """The 2024 contours around the mapped points: code, name, WGS84 geometry."""
    return engine.contours_near(contours, map_points["lon"], map_points["lat"])
