"""What a PDF page draws, read back with pypdf (the tests of the fiche PDF's vector charts and map,
exports/pdf_charts.py): its stroked lines (colour, width, dashed or not, points) and its text with the position
of each piece, in PDF points (y upwards), and the values a chart's line stands for, read on its own grid."""
from __future__ import annotations

import re

from pypdf.generic import ContentStream

from tests.exports_raw import fr_number

_CLOSE = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"s", b"n"}     # path ends that are not a plain stroke


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def drawing(reader, page) -> list[dict]:
    """What `page` draws, in drawing order: stroked open paths {kind "line", colour (0-255 RGB), width (pt),
    dashed, points [(x, y)]} and filled round shapes {kind "dot", fill, centre (x, y), radius} (a marker, a
    commune's circle); other filled shapes are left out."""
    state = {"colour": (0, 0, 0), "fill": (0, 0, 0), "width": 1.0, "dashed": False}
    stack, path, curved, out = [], [], False, []
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"q":
            stack.append(dict(state))
        elif op == b"Q":
            state = stack.pop()
        elif op in (b"RG", b"rg"):
            state["colour" if op == b"RG" else "fill"] = tuple(round(float(v) * 255) for v in operands)
        elif op == b"w":
            state["width"] = float(operands[0])
        elif op == b"d":
            state["dashed"] = len(operands[0]) > 0
        elif op == b"m":
            path.append([(float(operands[0]), float(operands[1]))])
        elif op in (b"l", b"c"):
            path[-1] += [(float(operands[k]), float(operands[k + 1])) for k in range(0, len(operands), 2)]
            curved = curved or op == b"c"
        elif op == b"S" and not curved:
            out += [{"kind": "line", "colour": state["colour"], "width": state["width"], "dashed": state["dashed"],
                     "points": p} for p in path]
        elif op in (b"f", b"B") and curved:
            for p in path:
                xs, ys = [x for x, _ in p], [y for _, y in p]
                out.append({"kind": "dot", "fill": state["fill"], "centre": ((min(xs) + max(xs)) / 2,
                            (min(ys) + max(ys)) / 2), "radius": (max(xs) - min(xs)) / 2})
        if op in (b"S",) or op in _CLOSE:
            path, curved = [], False
    return out


def strokes(reader, page) -> list[dict]:
    """The stroked open paths of `page` (drawing(), lines only)."""
    return [d for d in drawing(reader, page) if d["kind"] == "line"]


def texts(page) -> list[tuple[str, float, float]]:
    """(text, x, y) of every piece of text drawn on `page` (its origin: the left end of its baseline)."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4], tm[5]
            out.append((text.strip(), cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]))
    page.extract_text(visitor_text=visit)
    return out


def chart(reader, page, title: str, grid: str) -> dict:
    """The evolution chart under `title` (its text, drawn on the page): {"years": [2013, …] of its x axis,
    "gridlines": [(y, value of its tick label)] bottom up, "lines": strokes inside the chart (gridlines
    and legend apart), "value": a function y → the value it stands for on the chart's own grid, "precision"}."""
    words = texts(page)
    tx, ty = next((x, y) for t, x, y in words if t == title)
    beside = [x for t, x, y in words if t.endswith(" : évolution") and abs(y - ty) < 1 and x > tx]
    width = min(beside, default=float(page.mediabox.width)) - tx - 6       # to the next chart, or the page's edge
    bottom = max(y for t, x, y in words if t == "Millésime" and tx <= x <= tx + width and y < ty)

    def inside(x, y):
        return tx - 1 <= x <= tx + width and bottom < y < ty
    marks = [(t, x, y) for t, x, y in words if inside(x, y)]
    drawn = drawing(reader, page)
    rules = sorted((s for s in drawn if s["kind"] == "line" and s["colour"] == rgb(grid) and len(s["points"]) == 2
                    and s["points"][0][1] == s["points"][1][1] and inside(*s["points"][0])),
                   key=lambda s: s["points"][0][1])
    gridlines = []
    for s in rules:
        (x0, y), _ = s["points"]
        label = next(t for t, x, ly in marks if x < x0 and abs(ly - y) < 3 and re.fullmatch(r"[\d  ,]+", t))
        gridlines.append((y, fr_number(label)))
    (y0, v0), (y1, v1) = gridlines[0], gridlines[1]
    years = sorted(int(t) for t, x, y in marks if re.fullmatch(r"(19|20)\d\d", t) and y < y0)
    first = min(drawn.index(s) for s in rules)         # the legend's swatches are drawn before the grid
    plot = [s for s in drawn[first:] if s not in rules]
    lines = [s for s in plot if s["kind"] == "line" and all(inside(*p) for p in s["points"])]
    dots = [s for s in plot if s["kind"] == "dot" and inside(*s["centre"])]
    x_years = {int(t): x for t, x, y in marks if re.fullmatch(r"(19|20)\d\d", t) and y < y0}
    per_point = (v1 - v0) / (y1 - y0)
    return {"years": years, "gridlines": gridlines, "lines": lines, "dots": dots,
            "value": lambda y: v0 + (y - y0) * per_point,
            "precision": 0.03 * per_point,     # coordinates are written to 0.01 pt: a point and the grid
            # the millésime under a point: its label starts half a label's width (about 6 pt) left of it
            "year": lambda x: min(x_years, key=lambda e: abs(x_years[e] + 6 - x)),
            # the values written in the plot (the quartier's), in drawing order
            "labels": [t for t, x, y in marks if x >= rules[0]["points"][0][0] and y > y0
                       and re.fullmatch(r"(≈ )?[-−]?[\d  ,]+ ?(%|€)?", t)]}
