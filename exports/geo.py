"""Places for the print locator maps (charts.locator): the quartiers of a contract or a quartier and its
neighbours, from the view data of presentation.locator; the drawing is in charts/locator.py."""
from __future__ import annotations

from charts.locator import Place
from presentation import locator


def from_shapes(shapes: list[dict]) -> list[Place]:
    """charts.locator places from presentation.locator.quartier_shapes rows."""
    return [Place(s["code"], s["name"], s["geom"], s["kind"], s["number"], s["highlight"]) for s in shapes]


def places(con, quartiers: list[tuple[str, str, int | None]], highlight: set[str] | None = None) -> list[Place]:
    """Places for (code, name, number) triples; quartiers without any geometry are left out."""
    return from_shapes(locator.quartier_shapes(con, quartiers, highlight))
