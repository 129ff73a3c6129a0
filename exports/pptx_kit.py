"""Small python-pptx toolkit for the COPIL deck: titled slides, French tables, NATIVE charts (editable in
PowerPoint/Impress), pictures, and the source line / démo label every chart and table carries.

Office sinks: every text cell of a table and every category or series name of a chart (which python-pptx also
writes into the workbook embedded in the PPTX, ppt/embeddings/*.xlsx) goes through office_cell
(presentation.text.spreadsheet_cell: a user's « =HYPERLINK(…) » stays text, never a live formula); amounts
and values never break across two lines (presentation.text.nowrap_numbers)."""
from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from exports import map_frame
from observatoire import vocabulary
from presentation import text as ptext
from presentation.sources import DEMO_LABEL

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.45)
BODY_TOP = Inches(1.25)
SOURCE_H = Inches(0.42)

def _palette(name: str) -> RGBColor:
    """A colour of the house palette (catalogue/vocabulary.yaml), as python-pptx wants it."""
    return RGBColor(*vocabulary.rgb(vocabulary.palette(name)))


NAVY, GREY, LIGHT = _palette("navy"), _palette("grey"), _palette("light")
DEMO_RED, WHITE, LIGHT_BLUE, BLACK = _palette("demo"), _palette("white"), _palette("light_blue"), _palette("black")


def emu(x) -> Emu:
    """Integer EMU (OOXML refuses « 411480.0 »): every position and size goes through here."""
    return Emu(int(round(x)))


def fit_size(lines: list[str], width, height, sizes=(14, 13, 12, 11, 10), spacing: float = 1.25,
             para_gap_pt: float = 4) -> int:
    """The largest font size at which `lines` (one paragraph each) fit in width × height (estimate)."""
    for size in sizes:
        need = sum(estimate_lines(t, int(width) - int(Inches(0.2)), size) * size * spacing + para_gap_pt
                   for t in lines)
        if Pt(need) <= int(height) - int(Inches(0.1)):
            return size
    return sizes[-1]


SERIES_COLOURS = vocabulary.scale("series")


def hex_colour(value: str) -> RGBColor:
    """RGBColor of a vocabulary colour (`#1b7a3d`)."""
    return RGBColor(*vocabulary.rgb(value))


def office_text(value) -> str:
    """Text placed on a slide: amounts and values kept on one line (no-break spaces inside them)."""
    return ptext.nowrap_numbers("" if value is None else str(value))


def office_cell(value) -> str:
    """A text cell of a table or chart workbook: office_text, then neutralised as a spreadsheet cell
    (presentation.text.spreadsheet_cell), the one function every office writer uses."""
    return ptext.spreadsheet_cell(office_text(value))


def new_deck() -> Presentation:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    return prs


def _style_runs(tf, size: int, bold: bool = False, colour: RGBColor | None = None) -> None:
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
            if colour is not None:
                r.font.color.rgb = colour


def titled_slide(prs, title: str, subtitle: str | None = None):
    """A 'Title Only' slide: the title lives in the real title placeholder (outline view, accessibility)."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    t = slide.shapes.title
    t.left, t.top, t.width, t.height = emu(MARGIN), emu(Inches(0.25)), emu(WIDTH - 2 * MARGIN), emu(Inches(0.75))
    t.text = title
    tf = t.text_frame
    tf.paragraphs[0].alignment = PP_ALIGN.LEFT
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    _style_runs(tf, 28, True, NAVY)
    if subtitle:
        text(slide, subtitle, MARGIN, Inches(0.92), WIDTH - 2 * MARGIN, Inches(0.35), size=13, colour=GREY)
    return slide


def text(slide, content: str | list[str], left, top, width, height, size: int = 14, bold: bool = False,
         colour: RGBColor | None = None, bullets: bool = False, align=PP_ALIGN.LEFT):
    """A text box; a list gives one paragraph per item (with a bullet sign when `bullets`)."""
    box = slide.shapes.add_textbox(emu(left), emu(top), emu(width), emu(height))
    tf = box.text_frame
    tf.word_wrap = True
    lines = content if isinstance(content, list) else [content]
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = office_text(f"• {line}" if bullets else line)
        p.alignment = align
        p.space_after = Pt(4 if bullets else 0)
    _style_runs(tf, size, bold, colour)
    return box


def source_line(slide, line: str, top=None, left=None, width=None, demo: bool = False):
    """The source line under a chart or table (producer, millésime, generation; démo label if any)."""
    if demo and DEMO_LABEL.lower() not in line.lower():
        line = f"{DEMO_LABEL} — {line}"
    width = width if width is not None else WIDTH - 2 * MARGIN
    height = max(SOURCE_H, Pt(9 * 1.25 * estimate_lines(line, int(width) - int(Inches(0.2)), 9) + 6))
    top = HEIGHT - height - Inches(0.06) if top is None else top
    box = text(slide, line, left if left is not None else MARGIN, top, width, height, size=9, colour=GREY)
    box.name = "Source"
    if demo:
        for r in box.text_frame.paragraphs[0].runs:
            r.font.color.rgb = DEMO_RED
    return box


def demo_badge(slide):
    """A visible red « Données de démonstration » badge in the top-right corner."""
    w, h = Inches(2.9), Inches(0.38)
    shape = slide.shapes.add_shape(1, emu(WIDTH - MARGIN - w), emu(Inches(0.08)), emu(w), emu(h))  # 1 = rectangle
    shape.fill.solid()
    shape.fill.fore_color.rgb = DEMO_RED
    shape.line.fill.background()
    shape.name = "Démo"
    tf = shape.text_frame
    tf.text = DEMO_LABEL
    tf.paragraphs[0].alignment = PP_ALIGN.CENTER
    _style_runs(tf, 12, True, WHITE)
    return shape


def _cell_spec(val) -> dict:
    spec = dict(val) if isinstance(val, dict) else {"text": val}
    spec["text"] = office_cell(spec.get("text"))
    if spec.get("sub"):
        spec["sub"] = office_cell(spec["sub"])
    return spec


def estimate_lines(text: str, width_emu: int, size_pt: float) -> int:
    """Lines a text needs in a cell of `width_emu` at `size_pt` (average glyph ≈ 0.6 em: DejaVu Sans, the
    font LibreOffice substitutes, is wider than Calibri; a generous estimate never lets a table overflow)."""
    usable_pt = max(width_emu / 12700 - 10, 10)
    per_line = max(int(usable_pt / (size_pt * 0.6)), 4)
    lines = 0
    for part in str(text or "").split("\n"):
        words, cur, n = part.split(" "), 0, 1
        for w in words:
            if len(w) > per_line:                      # a word wider than the column is broken inside
                n += (len(w) - 1) // per_line
                w = w[-(len(w) % per_line or per_line):]
            add = len(w) + (1 if cur else 0)
            if cur + add > per_line and cur:
                n += 1
                cur = len(w)
            else:
                cur += add
        lines += n
    return max(lines, 1)


def table(slide, header: list[str], rows: list[list], left, top, width, height=None,
          col_widths: list[float] | None = None, size: float = 11, first_col_bold: bool = True,
          row_height=None, sub_size: float | None = None, text_cols: set[int] | None = None,
          header_size: float | None = None):
    """A native table (editable); returns (table, estimated height in EMU) so callers can place what
    follows. A cell is a French string or a dict {text, sub (second, smaller grey line), fill (RGBColor),
    colour, sub_colour, bold, italic, align ('l'|'c'|'r')}. Columns in `text_cols` (default: the first)
    are left-aligned, the others right-aligned (numbers). Row heights grow with the estimated wrapping."""
    n_rows, n_cols = len(rows) + 1, len(header)
    row_h = row_height or Inches(0.34)
    text_cols = {0} if text_cols is None else set(text_cols)
    sub_size = sub_size or max(size - 2.5, 7)
    header_size = header_size or size
    widths = [int(width / n_cols)] * n_cols
    if col_widths:
        total = sum(col_widths)
        widths = [int(width * w / total) for w in col_widths]
    frame = slide.shapes.add_table(n_rows, n_cols, emu(left), emu(top), emu(width), emu(height or row_h * n_rows))
    gt = frame.table
    for i, w in enumerate(widths):
        gt.columns[i].width = Emu(w)
    heights = []
    h_lines = max(estimate_lines(h, widths[c], header_size) for c, h in enumerate(header))
    heights.append(Pt(header_size * 1.25 * h_lines + 6))
    for c, h in enumerate(header):
        cell = gt.cell(0, c)
        cell.text = office_cell(h)
        cell.fill.solid()
        cell.fill.fore_color.rgb = NAVY
        _style_runs(cell.text_frame, header_size, True, WHITE)
        cell.margin_top = cell.margin_bottom = Inches(0.02)
        cell.margin_left = cell.margin_right = Inches(0.05)
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        cell.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT if c in text_cols else PP_ALIGN.CENTER
    for r, row in enumerate(rows, start=1):
        need = 0.0
        for c, val in enumerate(row):
            spec = _cell_spec(val)
            cell = gt.cell(r, c)
            tf = cell.text_frame
            tf.word_wrap = True
            tf.text = spec.get("text", "")
            fill = spec.get("fill")
            cell.fill.solid()
            cell.fill.fore_color.rgb = fill if fill is not None else (LIGHT if r % 2 == 0 else WHITE)
            dark = fill is not None and spec.get("dark", True)
            colour = spec.get("colour") or (WHITE if dark else BLACK)
            cell_size = spec.get("size", size)
            _style_runs(tf, cell_size, spec.get("bold", first_col_bold and c == 0), colour)
            if spec.get("italic"):
                for run in tf.paragraphs[0].runs:
                    run.font.italic = True
            lines_pt = cell_size * 1.2 * estimate_lines(spec.get("text", ""), widths[c], cell_size)
            if spec.get("sub"):
                p = tf.add_paragraph()
                run = p.add_run()
                run.text = spec["sub"]
                run.font.size = Pt(sub_size)
                run.font.color.rgb = spec.get("sub_colour") or (WHITE if dark else GREY)
                lines_pt += sub_size * 1.2 * estimate_lines(spec["sub"], widths[c], sub_size)
            need = max(need, lines_pt + 5)
            align = spec.get("align") or ("l" if c in text_cols else "r")
            for p in tf.paragraphs:
                p.alignment = {"l": PP_ALIGN.LEFT, "c": PP_ALIGN.CENTER, "r": PP_ALIGN.RIGHT}[align]
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.margin_left = cell.margin_right = Inches(0.05)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        heights.append(max(int(row_h), int(Pt(need))))
    for r, h in enumerate(heights):
        gt.rows[r].height = emu(h)
    frame.height = emu(sum(heights))
    widths[-1] += int(width) - sum(widths)          # rounding: columns add up to the frame width
    gt.columns[n_cols - 1].width = emu(widths[-1])
    return gt, sum(heights)


def chart(slide, kind: str, categories: list[str], series: dict[str, list], left, top, width, height,
          number_format: str = '# ##0', title: str | None = None, legend: bool = True,
          labels: bool = False, colours: list[str] | None = None, legend_position: str = "bottom",
          value_range: tuple[float | None, float | None] | None = None):
    """A NATIVE chart (data editable in PowerPoint). kind: line | bar (horizontal) | column |
    stacked_bar | stacked_column. None values stay gaps (secret or missing: never a number)."""
    types = {
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
        "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
    }
    data = CategoryChartData(number_format=number_format)
    data.categories = [office_cell(c) for c in categories]      # also written to the embedded workbook
    for name, values in series.items():
        data.add_series(office_cell(name), values, number_format=number_format)
    gframe = slide.shapes.add_chart(types[kind], emu(left), emu(top), emu(width), emu(height), data)
    ch = gframe.chart
    ch.font.size = Pt(11)
    ch.has_legend = legend and len(series) > 1
    if ch.has_legend:
        ch.legend.position = {"bottom": XL_LEGEND_POSITION.BOTTOM, "right": XL_LEGEND_POSITION.RIGHT}[legend_position]
        ch.legend.include_in_layout = False
        ch.legend.font.size = Pt(9 if legend_position == "right" else 10)
    if title:
        ch.has_title = True
        ch.chart_title.text_frame.text = office_text(title)
        _style_runs(ch.chart_title.text_frame, 13, True, NAVY)
    else:
        ch.has_title = False
    colours = colours or SERIES_COLOURS
    for i, s in enumerate(ch.plots[0].series):
        rgb = hex_colour(colours[i % len(colours)])
        if kind == "line":
            s.format.line.color.rgb = rgb
            s.format.line.width = Pt(2.25)
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = rgb
            s.smooth = False
        else:
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = rgb
    if labels:
        plot = ch.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(10)
        if kind in ("bar", "column"):
            plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    try:
        ch.value_axis.tick_labels.font.size = Pt(10)
        ch.value_axis.tick_labels.number_format = number_format
        ch.value_axis.tick_labels.number_format_is_linked = False
        ch.value_axis.has_major_gridlines = True
        if value_range:
            lo, hi = value_range
            if lo is not None:
                ch.value_axis.minimum_scale = lo
            if hi is not None:
                ch.value_axis.maximum_scale = hi
        ch.category_axis.tick_labels.font.size = Pt(10)
        ch.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below negative values too
    except (AttributeError, ValueError):
        pass
    return gframe


def picture(slide, png: bytes, left, top, width=None, height=None):
    return slide.shapes.add_picture(io.BytesIO(png), emu(left), emu(top), None if width is None else emu(width),
                                    None if height is None else emu(height))


def notes(slide, content: str | list[str]) -> None:
    """Speaker notes: the sentences behind the slide, and where the figures come from, in full."""
    slide.notes_slide.notes_text_frame.text = office_text("\n".join(content) if isinstance(content, list) else content)


# --------------------------------------------------------------------------- native map

def _freeform(slide, rings: list[list[tuple]], closed: bool, fill: RGBColor | None, line: RGBColor | None,
              line_pt: float):
    """One freeform shape of several contours (EMU coordinates), or None when there is nothing to draw."""
    rings = [[(emu(x), emu(y)) for x, y in r] for r in rings if len(r) >= (3 if closed else 2)]
    if not rings:
        return None
    builder = slide.shapes.build_freeform(rings[0][0][0], rings[0][0][1])
    for k, ring in enumerate(rings):
        if k:
            builder.move_to(*ring[0])
        builder.add_line_segments(ring[1:], close=closed)
    shape = builder.convert_to_shape()
    if fill is None:
        shape.fill.background()
    else:
        shape.fill.solid()
        shape.fill.fore_color.rgb = fill
    if line is None:
        shape.line.fill.background()
    else:
        shape.line.color.rgb = line
        shape.line.width = Pt(line_pt)
    shape.shadow.inherit = False
    return shape


def native_map(slide, places: list[dict], outlines: list[tuple], strong: list[tuple], left, top, width, height,
               colours: dict[str, str], legend: dict[str, str], source_line: str, pad: float = 0.08) -> None:
    """A locator map drawn with PowerPoint shapes (editable, crisp, no image to render): the quartiers of
    `places` (presentation.locator rows: `geom`, `kind` contour or commune point, `number`, `highlight`) as
    filled contours or circles, numbered; `outlines` (thin) and `strong` (the carrier EPCI) as lines, clipped
    to the frame; the legend and the source line under it. Same projection as charts.locator: equirectangular
    at the mean latitude, fitted to the highlighted places."""
    map_h = int(height) - int(Inches(0.85))        # legend and source line (two lines) below
    frame = map_frame.fit(places, int(left), int(top), int(width), map_h, pad=pad, min_step=int(Pt(0.6)))

    land = slide.shapes.add_shape(1, emu(left), emu(top), emu(width), emu(map_h))      # rectangle: the map's ground
    land.fill.solid()
    land.fill.fore_color.rgb = hex_colour(colours["land"])
    land.line.fill.background()
    land.shadow.inherit = False
    for spec, colour, pt in ((outlines, colours["outline"], 0.75), (strong, colours["strong"], 1.5)):
        rings = [r for item in spec or [] for r in frame.rings(item[1], closed=False)]
        _freeform(slide, rings, False, None, hex_colour(colour), pt)
    for hl, colour in ((False, colours["other"]), (True, colours["contour"])):
        rings = [r for p in places if p["kind"] == "contour" and bool(p.get("highlight", True)) == hl
                 for r in frame.rings(p["geom"], closed=True)]
        _freeform(slide, rings, True, hex_colour(colour), WHITE if hl else hex_colour(colour), 0.5)
    r_pt = Pt(5)
    for p in places:
        at = frame.anchor(p["geom"])
        if at is None:
            continue
        x, y = at
        if p["kind"] != "contour":
            dot = slide.shapes.add_shape(9, emu(x - r_pt), emu(y - r_pt), emu(2 * r_pt), emu(2 * r_pt))  # oval
            dot.fill.solid()
            dot.fill.fore_color.rgb = hex_colour(colours["point"] if p.get("highlight", True) else colours["other"])
            dot.line.color.rgb = WHITE
            dot.shadow.inherit = False
        if p.get("highlight", True) and p.get("number") is not None:
            w, h = Inches(0.32), Inches(0.24)
            label = text(slide, str(p["number"]), x + Pt(6), y - Pt(6) - h, w, h, size=10, bold=True,
                         colour=hex_colour(colours["text"]), align=PP_ALIGN.CENTER)
            label.fill.solid()
            label.fill.fore_color.rgb = WHITE
            label.line.color.rgb = hex_colour(colours["strong"])
            label.line.width = Pt(0.6)
            tf = label.text_frame
            tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = 0
            tf.word_wrap = False
    kinds = {p["kind"] for p in places}
    items = [legend["contour"]] if "contour" in kinds else []
    items += [legend["point"]] if kinds - {"contour"} else []
    items += [", ".join(item[0] for item in strong)[:90]] if strong else []
    text(slide, " · ".join(items), left, int(top) + map_h + int(Inches(0.02)), width, Inches(0.3), size=10,
         colour=GREY)
    text(slide, source_line, left, int(top) + map_h + int(Inches(0.32)), width, Inches(0.5), size=9, colour=GREY)
