"""The fiche PDF's pictures drawn with fpdf2's own vectors: the evolution charts and the locator map inset.

No browser, no raster: lines, circles, polygons and text in the page (crisp at any zoom, a few kilobytes, the
chart's words are the PDF's text, searchable and read aloud). Layout only: what is drawn comes from the views
— presentation.fiche.evolution_lines (the same lines, names and value texts as the page's Plotly chart and the
site's SVG) and presentation.locator.quartier_locator (the same places and outlines as the deck's and the
report's maps, fitted by exports.map_frame), in the colours of the vocabulary. Every text is drawn as plain
text (fpdf2 reads no markup in `text()`/`multi_cell()` without `markdown=True`): a name is printed as typed.

Units are the document's millimetres; fonts are the families the document registered (SANS, CONDENSED).
"""
from __future__ import annotations

import math

from fpdf import FPDF

from exports import axis, map_frame
from observatoire import frformat, vocabulary
from presentation import fiche as fiche_view
from presentation import locator as locator_view

SANS, CONDENSED = "DejaVu", "DejaVuC"     # the families the document registers (exports.fiche_pdf.FichePDF)
PT = 25.4 / 72                            # one point in mm
TEXT = vocabulary.palette("text")
GREY = vocabulary.palette("grey")
GRID = vocabulary.palette("grid")
WHITE = vocabulary.palette("white")
REFERENCE = vocabulary.palette("reference")

# evolution charts (sizes in points for text, mm for strokes): the Plotly chart's proportions, for print
TITLE_PT, LEGEND_PT, TICK_PT, VALUE_PT, MIN_VALUE_PT, SOURCE_PT = 7.5, 6.2, 6, 5.6, 4.6, 5.6
LINE_MM = {"qpv": 0.5}                    # the quartier's line is thicker (Plotly: 3 px against 1.6 px)
LINE_OTHER_MM, MARKER_MM, MARKER_QPV_MM = 0.26, 0.45, 0.62
DOTTED = ("ensemble_qpv",)                # dotted as on the page
N_TICKS = 6                               # about as many y ticks as Plotly chooses at this size


def _colour(pdf: FPDF, hex_colour: str, fill: bool = False, draw: bool = False, text: bool = False) -> None:
    rgb = vocabulary.rgb(hex_colour)
    if fill:
        pdf.set_fill_color(*rgb)
    if draw:
        pdf.set_draw_color(*rgb)
    if text:
        pdf.set_text_color(*rgb)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` as it fits on one line of `width` in the current font: whole, or cut with « … »."""
    if pdf.get_string_width(text) <= width:
        return text
    lo, hi = 0, len(text)                     # the longest start that fits with its « … »
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if pdf.get_string_width(text[:mid].rstrip() + "…") <= width else (lo, mid - 1)
    return text[:lo].rstrip() + "…"


def _lines(pdf: FPDF, text: str, width: float, at_most: int | None = None) -> list[str]:
    """`text` wrapped to `width` in the current font (fpdf2's own line breaking), on `at_most` lines, the last
    cut with « … » when the text is longer."""
    lines = pdf.multi_cell(width, 1, text, dry_run=True, output="LINES") if text else []
    if at_most and len(lines) > at_most:
        lines = lines[:at_most - 1] + [_fit(pdf, " ".join(lines[at_most - 1:]), width)]
    return lines


def ticks(low: float, high: float, n: int = N_TICKS) -> tuple[list[float], int]:
    """About `n` round values (1, 2, 2,5 or 5 × 10^k apart) from `low` to `high`, and the decimals their labels
    need (0 for whole steps)."""
    step = axis.round_step((high - low) or abs(high) * max(n, 1) or max(n, 1), n)
    first = math.ceil(low / step - 1e-9) * step
    count = math.floor((high - first) / step + 1e-9) + 1
    decimals = next(k for k in range(6) if abs(round(step, k) - step) < 1e-9 * max(step, 1) or k == 5)
    return [round(first + k * step, 10) for k in range(count)], decimals


def value_range(values: list[float]) -> tuple[float, float]:
    """The y axis of a print evolution chart: from zero (no truncated axis that would exaggerate changes, as the
    page's chart with `from_zero`), with a fifth of headroom above the highest point for its label."""
    top, low = max(values), min(0.0, min(values))
    return low, top + 0.2 * ((top - low) or abs(top) or 1.0)


def evolution_chart(pdf: FPDF, d, x: float, y: float, w: float, h: float) -> None:
    """The evolution chart of a presentation.fiche.Detail in the box (x, y, w, h): title, legend (one entry per
    line), y axis from zero with French ticks and the unit, one line with markers per reference level in the
    level's colour (the quartier thick, its values written at its points: above them, below when another line
    runs just above), millésimes below, and the source line and caveat at the bottom. An edition without a value
    breaks the line (presentation.fiche.line_runs, as on the page and the public site): a gap, never a zero."""
    lines = fiche_view.evolution_lines(d)
    if not lines:
        return
    with pdf.local_context():
        _evolution(pdf, d, lines, x, y, w, h)


def _evolution(pdf: FPDF, d, lines: list[dict], x: float, y: float, w: float, h: float) -> None:
    # -- title and legend at the top
    pdf.set_font(SANS, "", TITLE_PT)
    _colour(pdf, TEXT, text=True)
    title_h = TITLE_PT * PT * 1.25
    title = _lines(pdf, f"{d.label} : évolution", w, at_most=2)
    for k, ln in enumerate(title):
        pdf.text(x, y + (k + 0.8) * title_h, ln)
    top = y + len(title) * title_h + 0.8
    top = _legend(pdf, lines, x, top, w) + 1.5

    # -- source line and caveat at the bottom
    pdf.set_font(CONDENSED, "I", SOURCE_PT)
    source = (d.evolution_source_line or "") + (f" — {d.evolution_caveat}" if d.evolution_caveat else "")
    src_lines = _lines(pdf, source, w, at_most=5)
    src_h = SOURCE_PT * PT * 1.2
    src_top = y + h - len(src_lines) * src_h
    _colour(pdf, GREY, text=True)
    for k, ln in enumerate(src_lines):
        pdf.text(x, src_top + (k + 0.8) * src_h, ln)

    # -- axes
    values = [v for s in lines for _, v in s["points"]]
    low, high = value_range(values)
    tick_values, decimals = ticks(low, high)
    high = max(high, tick_values[-1])
    tick_texts = [frformat.fmt_number(t, decimals) for t in tick_values]
    pdf.set_font(CONDENSED, "", TICK_PT)
    unit = frformat.display_unit(d.unit)
    left = x + (TICK_PT * PT * 1.3 + 0.8 if unit else 0) + max(pdf.get_string_width(t) for t in tick_texts) + 1.2
    bottom = src_top - 1.5 - 2 * TICK_PT * PT * 1.35          # tick labels and « Millésime » below the plot
    editions = sorted({e for s in lines for e, _ in s["points"]})
    e0, e1 = editions[0], editions[-1]
    right = x + w - 0.5
    # the quartier's values are written at its points: as large as VALUE_PT allows without touching
    pdf.set_font(CONDENSED, "", VALUE_PT)
    label_w = max((pdf.get_string_width(t) for s in lines if s["level"] == "qpv" for t in s["labels"].values()),
                  default=0)
    n_steps = max(e1 - e0, 1)
    step = (right - left - label_w) / n_steps                 # the spacing of the millésimes, labels inside
    value_pt = max(MIN_VALUE_PT, min(VALUE_PT, VALUE_PT * (step - 0.8) / label_w)) if label_w else VALUE_PT
    pad = max(2.5, label_w * value_pt / VALUE_PT / 2 + 0.3)

    def px(e: float) -> float:
        return left + pad + (e - e0) / ((e1 - e0) or 1) * (right - left - 2 * pad)

    def py(v: float) -> float:
        return bottom - (v - low) / ((high - low) or 1) * (bottom - top)

    pdf.set_font(CONDENSED, "", TICK_PT)
    _colour(pdf, GRID, draw=True)
    _colour(pdf, TEXT, text=True)
    pdf.set_line_width(0.15)
    for t, txt in zip(tick_values, tick_texts):
        pdf.line(left, py(t), right, py(t))
        pdf.text(left - 1 - pdf.get_string_width(txt), py(t) + TICK_PT * PT * 0.35, txt)
    if unit:
        with pdf.rotation(90, x + TICK_PT * PT, (top + bottom) / 2):
            pdf.text(x + TICK_PT * PT - pdf.get_string_width(unit) / 2, (top + bottom) / 2, unit)
    base = bottom + TICK_PT * PT * 1.35
    for e in range(e0, e1 + 1):
        txt = frformat.fmt_year(e)
        pdf.text(px(e) - pdf.get_string_width(txt) / 2, base, txt)
    axis = "Millésime"
    pdf.text((left + right) / 2 - pdf.get_string_width(axis) / 2, base + TICK_PT * PT * 1.35, axis)

    # -- the lines: references first, the quartier on top
    for s in reversed(lines):
        colour = vocabulary.color("levels", s["level"], REFERENCE)
        is_q = s["level"] == "qpv"
        _colour(pdf, colour, fill=True, draw=True)
        pdf.set_line_width(LINE_MM.get(s["level"], LINE_OTHER_MM))
        if s["level"] in DOTTED:
            pdf.set_dash_pattern(dash=0.6, gap=0.5)
        for run in s["runs"]:
            if len(run) > 1:
                pdf.polyline([(px(e), py(v)) for e, v in run])
        pdf.set_dash_pattern()
        for e, v in s["points"]:
            pdf.circle(px(e), py(v), MARKER_QPV_MM if is_q else MARKER_MM, style="F")
    q = next((s for s in lines if s["level"] == "qpv"), None)
    if q:
        pdf.set_font(CONDENSED, "", value_pt)
        _colour(pdf, TEXT, text=True)
        text_h = value_pt * PT * 0.75
        gap = MARKER_QPV_MM + 0.7
        others = [(e, py(v)) for s in lines if s is not q for e, v in s["points"]]

        def crowded(sign: int) -> int:
            """Points of the other lines where the labels would be, above (-1) or below (+1) the quartier's."""
            return sum(1 for e, v in q["points"] for oe, oy in others
                       if oe == e and 0 <= sign * (oy - py(v)) <= gap + text_h + 0.6)
        below = (crowded(+1) < crowded(-1)     # under its points when another line runs just above them
                 and all(py(v) + gap + text_h < bottom for _, v in q["points"]))
        for e, v in q["points"]:
            txt = q["labels"][e]
            base = py(v) + gap + text_h if below else py(v) - gap
            pdf.text(px(e) - pdf.get_string_width(txt) / 2, base, txt)


def _legend(pdf: FPDF, lines: list[dict], x: float, y: float, w: float) -> float:
    """The legend entries side by side, wrapping to new rows: a line with its marker and the name (the
    quartier in bold). Returns the y below it."""
    row_h = LEGEND_PT * PT * 1.45
    cx, cy = x, y
    for s in lines:
        is_q = s["level"] == "qpv"
        pdf.set_font(CONDENSED, "B" if is_q else "", LEGEND_PT)
        name = _fit(pdf, s["name"], w - 6)
        item_w = 6 + pdf.get_string_width(name)
        if cx > x and cx + item_w > x + w:
            cx, cy = x, cy + row_h
        colour = vocabulary.color("levels", s["level"], REFERENCE)
        _colour(pdf, colour, fill=True, draw=True)
        _colour(pdf, TEXT, text=True)
        pdf.set_line_width(LINE_MM.get(s["level"], LINE_OTHER_MM))
        if s["level"] in DOTTED:
            pdf.set_dash_pattern(dash=0.6, gap=0.5)
        mid = cy + row_h / 2
        pdf.line(cx, mid, cx + 4.5, mid)
        pdf.set_dash_pattern()
        pdf.circle(cx + 2.25, mid, MARKER_QPV_MM if is_q else MARKER_MM, style="F")
        pdf.text(cx + 5.5, mid + LEGEND_PT * PT * 0.35, name)
        cx += item_w + 3.5
    return cy + row_h


# --------------------------------------------------------------------------- the locator map inset

MAP_LABEL_PT, MAP_LEGEND_PT, MAP_SOURCE_PT = 6.2, 5.8, 5.2
STROKE_SCALE = 0.6         # the marks' strokes (map_frame.marks, in points for a slide) thinner on a 7 cm inset
STRONG_MM = 0.4            # the legend's swatch of the carrier EPCI's outline
POINT_MM, POINT_OTHER_MM = 1.2, 0.8
MAP_PAD = 1.0              # the view: the quartier and as much again on each side (its neighbours, outlines)
POINT_EXTENT = 0.06        # degrees: the extent given to a quartier known only by its commune's point


def locator_map(pdf: FPDF, loc: dict, x: float, y: float, w: float, h: float) -> float:
    """The locator of one quartier (presentation.locator.quartier_locator) in the box (x, y, w, h): the land, the
    outlines (thin) and the carrier EPCI's (strong), the neighbours' contours, the quartier highlighted and named
    in a white box, quartiers without a contour as circles at their commune; the legend and the source line
    under the map. Returns the y below it."""
    with pdf.local_context():
        return _locator(pdf, loc, x, y, w, h)


def _legend_items(places: list[dict], strong: list) -> list[tuple[str, str, str]]:
    """(kind of swatch, colour, text) of the map's legend, as the page's map says it."""
    colours, words = locator_view.COLOURS, locator_view.LEGEND
    items = []
    if strong:
        items.append(("line", colours["strong"], ", ".join(item[0] for item in strong)))
    if any(p["kind"] == "contour" and not p.get("highlight", True) for p in places):
        items.append(("square", colours["other"], words["other"]))
    if any(p["kind"] == "contour" and p.get("highlight", True) for p in places):
        items.append(("square", colours["contour"], words["contour"]))
    if any(p["kind"] != "contour" for p in places):
        items.append(("dot", colours["point"], words["point"]))
    return items


def _fitted(places: list[dict]) -> list[dict]:
    """What the frame is fitted to: the highlighted places, a quartier known only by its commune's point
    widened to POINT_EXTENT degrees around it (a point alone has no extent: the map would show nothing else)."""
    return [dict(p, geom=p["geom"].buffer(POINT_EXTENT / 2)) if p["kind"] != "contour" else p for p in places]


def _locator(pdf: FPDF, loc: dict, x: float, y: float, w: float, h: float) -> float:
    colours = locator_view.COLOURS
    places = loc["places"]
    # below the map: legend rows and the source line, measured first so that the map takes the rest
    pdf.set_font(CONDENSED, "", MAP_LEGEND_PT)
    items = [(kind, colour, _fit(pdf, txt, w - 5)) for kind, colour, txt in _legend_items(places, loc["strong_outlines"])]
    row_h = MAP_LEGEND_PT * PT * 1.45
    rows, cx = [[]], 0.0
    for it in items:
        iw = 5 + pdf.get_string_width(it[2])
        if rows[-1] and cx + iw > w:
            rows.append([])
            cx = 0.0
        rows[-1].append(it)
        cx += iw + 3
    pdf.set_font(CONDENSED, "I", MAP_SOURCE_PT)
    src = _lines(pdf, loc["source_line"], w)
    src_h = MAP_SOURCE_PT * PT * 1.2
    map_h = h - len(rows) * row_h - len(src) * src_h - 1.5
    frame = map_frame.fit(_fitted(places), x, y, w, map_h, pad=MAP_PAD, min_step=0.15)

    _colour(pdf, colours["land"], fill=True)
    pdf.rect(x, y, w, map_h, style="F")
    with pdf.rect_clip(x, y, w, map_h):
        for m in map_frame.marks(frame, places, loc["outlines"], loc["strong_outlines"], colours):
            if m.kind == "number":             # the fiche names its quartier (below) instead of numbering it
                continue
            _colour(pdf, m.edge, draw=True)
            pdf.set_line_width(m.width_pt * PT * STROKE_SCALE)
            if m.kind == "lines":
                for ring in m.rings:
                    pdf.polyline(ring)
            elif m.kind == "areas":
                _colour(pdf, m.fill, fill=True)
                for ring in m.rings:
                    pdf.polygon(ring, style="DF")
            else:
                _colour(pdf, m.fill, fill=True)
                pdf.circle(m.x, m.y, POINT_MM if m.highlight else POINT_OTHER_MM, style="DF")
        anchors = [(at, p["name"]) for p in places if p.get("highlight", True)
                   and (at := frame.anchor(p["geom"])) is not None]
        for at, name in anchors:
            _name_box(pdf, at, name, x, y, w, map_h)

    # legend and source line
    cy = y + map_h + 0.8
    for row in rows:
        cx = x
        mid = cy + row_h / 2
        for kind, colour, txt in row:
            pdf.set_font(CONDENSED, "", MAP_LEGEND_PT)
            _colour(pdf, colour, fill=True, draw=True)
            if kind == "line":
                pdf.set_line_width(STRONG_MM)
                pdf.line(cx, mid, cx + 4, mid)
            elif kind == "square":
                pdf.rect(cx + 0.5, mid - 1.2, 3, 2.4, style="F")
            else:
                pdf.circle(cx + 2, mid, 1.1, style="F")
            _colour(pdf, TEXT, text=True)
            pdf.text(cx + 5, mid + MAP_LEGEND_PT * PT * 0.35, txt)
            cx += 5 + pdf.get_string_width(txt) + 3
        cy += row_h
    pdf.set_font(CONDENSED, "I", MAP_SOURCE_PT)
    _colour(pdf, GREY, text=True)
    for k, ln in enumerate(src):
        pdf.text(x, cy + (k + 0.8) * src_h, ln)
    return cy + len(src) * src_h


def _name_box(pdf: FPDF, at: tuple[float, float], name: str, x: float, y: float, w: float, h: float) -> None:
    """The quartier's name in a white box above and to the right of its anchor (to the left, below when the
    frame's edge is near), joined to it by a short line; long names wrap."""
    pdf.set_font(SANS, "B", MAP_LABEL_PT)
    lines = _lines(pdf, name, w * 0.5, at_most=3)
    line_h = MAP_LABEL_PT * PT * 1.2
    bw = max(pdf.get_string_width(ln) for ln in lines) + 1.6
    bh = len(lines) * line_h + 1.0
    ax, ay = at
    bx = ax + 2.3 if ax + 2.3 + bw <= x + w - 0.5 else ax - 2.3 - bw
    by = ay - 2.6 - bh if ay - 2.6 - bh >= y + 0.5 else ay + 2.6
    bx, by = min(max(bx, x + 0.5), x + w - 0.5 - bw), min(max(by, y + 0.5), y + h - 0.5 - bh)
    colours = locator_view.COLOURS
    _colour(pdf, colours["strong"], draw=True)
    pdf.set_line_width(0.15)
    pdf.line(ax, ay, min(max(ax, bx), bx + bw), by + bh if by + bh <= ay else by)
    _colour(pdf, WHITE, fill=True)
    pdf.rect(bx, by, bw, bh, style="DF")
    _colour(pdf, colours["text"], text=True)
    for k, ln in enumerate(lines):
        pdf.text(bx + 0.8, by + 0.5 + (k + 0.8) * line_h, ln)
