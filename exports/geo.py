"""Locator-map places for the exports (charts.locator.Place) from the plain places of presentation/geo.py."""
from __future__ import annotations

from charts.locator import Place
from presentation import geo


def to_places(items: list[dict]) -> list[Place]:
    return [Place(p["code"], p["name"], p["geom"], p["kind"], p["number"], p["highlight"]) for p in items]


def places(con, quartiers: list[tuple[str, str, int | None]], highlight: set[str] | None = None) -> list[Place]:
    """Places for (code, name, number) triples; quartiers without any geometry are left out."""
    return to_places(geo.quartier_places(con, quartiers, highlight))
