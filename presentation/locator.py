"""What the print locator maps draw (COPIL deck, annual report, fiche PDF): the quartiers with their geometry
and the administrative outlines around them, read from the warehouse by indicators.geometry. Plain data
(shapely geometries, names, numbers), and the colours and legend words every drawing of them shares:
charts.locator, exports.pptx_kit and exports.pdf_charts draw them, exports never read the warehouse."""
from __future__ import annotations

from indicators import geometry
from observatoire import vocabulary
from presentation import sources

# What every print locator map shows in the same colours and words (charts.locator's Plotly figure, the deck's
# PowerPoint shapes, the fiche PDF's vectors, the report's picture): read here, without a chart library.
COLOURS = {"contour": vocabulary.color("levels", "qpv"),        # the quartier(s) of the map
           "other": vocabulary.palette("contour_other"),        # the neighbours
           "point": vocabulary.palette("highlight"),            # a quartier without a contour, at its commune
           "outline": vocabulary.palette("map_outline"),        # other EPCI, départements
           "strong": vocabulary.palette("ink"),                 # the EPCI carrying the contract
           "text": vocabulary.palette("text"),
           "land": vocabulary.palette("map_land"),
           "white": vocabulary.palette("white")}                # edges, number boxes
LEGEND = {"contour": "quartier (contour réel)", "point": "quartier sans contour : cercle sur sa commune",
          "other": "autres quartiers"}


def quartier_shapes(con, quartiers: list[tuple[str, str, int | None]], highlight: set[str] | None = None) -> list[dict]:
    """[{code, name, geom, kind ('contour' | 'commune_point'), number, highlight}] for (code, name, number)
    triples, in the given order; quartiers without any geometry are left out."""
    g = geometry.quartier_geometries(con, [q[0] for q in quartiers])
    return [{"code": code, "name": name, "geom": g[code][1], "kind": g[code][0], "number": number,
             "highlight": highlight is None or code in highlight}
            for code, name, number in quartiers if code in g]


def outlines(con, around: list, levels=("epci", "departement"), margin: float = 0.25) -> dict[str, list]:
    """Administrative outlines around the geometries `around`: {level: [(name, geometry, code)]}."""
    return geometry.outlines_around(con, around, levels=levels, margin=margin)


def quartier_locator(con, t: dict, epci_code: str | None = None) -> dict | None:
    """The locator of one quartier (territory dict): itself highlighted among its neighbours, the outlines of
    the EPCI (`epci_code`, drawn strong) and of the other EPCI and départements around; None without geometry."""
    near = geometry.neighbours(con, t["code"], t.get("generation"))
    places = quartier_shapes(con, [(t["code"], t["name"], None)] + [(c, n, None) for c, n in near],
                             highlight={t["code"]})
    if not any(p["highlight"] for p in places):
        return None
    adm = geometry.outlines_around(con, [p["geom"] for p in places if p["highlight"]], margin=0.1)
    strong = [o for o in adm.get("epci", []) if o[2] == epci_code]
    others = [o for o in adm.get("epci", []) if o[2] != epci_code] + adm.get("departement", [])
    line = sources.source_line(["ANCT / SIG Ville (contours)", "ANCT (limites administratives)"], None,
                               t.get("generation"))
    return {"places": places, "outlines": others, "strong_outlines": strong, "source_line": line}


def legend_line(places: list[dict], strong: list[tuple]) -> str:
    """The legend of a locator map drawn without a browser, as one line of text under it: the kinds of
    places shown (real contour, circle on the commune) and the names of the strong outlines (the EPCI)."""
    kinds = {p["kind"] for p in places}
    items = [LEGEND["contour"]] if "contour" in kinds else []
    items += [LEGEND["point"]] if kinds - {"contour"} else []
    items += [", ".join(item[0] for item in strong)[:90]] if strong else []
    return " · ".join(items)
