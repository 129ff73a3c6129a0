"""Places for the print locator maps (charts.locator): the quartiers of a contract or a quartier and its
neighbours, with their geometry from indicators.geometry (the reads); the drawing is in charts/locator.py."""
from __future__ import annotations

from charts.locator import Place
from indicators import geometry


def places(con, quartiers: list[tuple[str, str, int | None]], highlight: set[str] | None = None) -> list[Place]:
    """Places for (code, name, number) triples; quartiers without any geometry are left out."""
    g = geometry.quartier_geometries(con, [q[0] for q in quartiers])
    out = []
    for code, name, number in quartiers:
        if code in g:
            kind, geom = g[code]
            out.append(Place(code, name, geom, kind, number, highlight is None or code in highlight))
    return out
