"""Small python-pptx toolkit for the COPIL deck: titled slides, French tables, NATIVE charts (editable in
PowerPoint/Impress), pictures, and the source line / démo label every chart and table carries.

Office sinks: every text cell of a table and every category or series name of a chart (which python-pptx also
writes into the workbook embedded in the PPTX, ppt/embeddings/*.xlsx) goes through office_cell
(presentation.text.spreadsheet_cell: a user's « =HYPERLINK(…) » stays text, never a live formula); amounts
and values never break across two lines (presentation.text.nowrap_numbers)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE,
                             XL_TICK_LABEL_POSITION, XL_TICK_MARK)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
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


NAVY, GREY, LIGHT, GRID = _palette("navy"), _palette("grey"), _palette("light"), _palette("grid")
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


CHART_TYPES = {
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
    "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
}


@dataclass(frozen=True)
class ChartLook:
    """Type sizes (pt) and line width of a native chart: the deck's are read at the back of a room, the
    report's (docx_kit.REPORT_LOOK) on an A4 page."""
    base: float = 11
    title: float = 13
    legend: float = 10
    legend_right: float = 9
    ticks: float = 10
    labels: float = 10
    axis_title: float = 10
    line: float = 2.25
    marker: int = 7
    font: str | None = None         # None: the theme's (a slide's); a Word chart has no theme: the body's font


DECK_LOOK = ChartLook()


FRENCH = "[$-40C]"      # a number format's locale: LibreOffice shows « 1 234,5 » whatever its own; Office the reader's


def number_format(decimals: int = 0, suffix: str = "", signed: bool = False) -> str:
    """The number format of a chart's values, axis and labels, French (« 1 234,5 € »; « +2,5 » when `signed`)."""
    body = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + (f'"{suffix}"' if suffix else "")
    return FRENCH + (f"+{body};-{body};{body}" if signed else body)


NUMBER = number_format()


def chart_data(categories: list[str], series: dict[str, list], number_format: str) -> CategoryChartData:
    """The data of a native chart, as python-pptx writes it into the chart XML and its embedded workbook:
    every category and series name through office_cell; None stays None (a gap, never 0)."""
    data = CategoryChartData(number_format=number_format)
    data.categories = [office_cell(c) for c in categories]
    for name, values in series.items():
        data.add_series(office_cell(name), values, number_format=number_format)
    return data


def chart(slide, kind: str, categories: list[str], series: dict[str, list], left, top, width, height, **style):
    """A NATIVE chart on a slide (data editable in PowerPoint); `style`: see style_chart."""
    data = chart_data(categories, series, style.get("number_format", NUMBER))
    gframe = slide.shapes.add_chart(CHART_TYPES[kind], emu(left), emu(top), emu(width), emu(height), data)
    style_chart(gframe.chart, kind, **style)
    return gframe


def chart_space(kind: str, categories: list[str], series: dict[str, list], **style):
    """A styled chart outside a slide (docx_kit.chart): (the c:chartSpace element, its workbook as XLSX
    bytes), the same data and styling as the deck's charts."""
    data = chart_data(categories, series, style.get("number_format", NUMBER))
    space = parse_xml(data.xml_bytes(CHART_TYPES[kind]))
    style_chart(Chart(space, None), kind, **style)
    return space, data.xlsx_blob


def style_chart(ch, kind: str, *, number_format: str = NUMBER, title: str | None = None, legend: bool = True,
                labels: bool = False, colours: list[str] | None = None, legend_position: str = "bottom",
                value_range: tuple[float | None, float | None] | None = None, look: ChartLook = DECK_LOOK,
                axis_titles: tuple[str | None, str | None] = (None, None), cross_at: float | None = None,
                lines: tuple[str, ...] = (), hidden: tuple[str, ...] = (),
                point_labels: dict[str, list[str | None]] | None = None) -> None:
    """The one styling of the native charts (deck and report). kind: line | bar (horizontal) | column |
    stacked_bar | stacked_column; colours of the house palette in series order; `number_format` on the
    values, the axis and the labels; sizes from `look`. Options: `axis_titles` (category, value); `cross_at`:
    the category axis drawn as a dashed reference line at that value (a ratio's 1, a difference's 0), its
    labels kept below; `lines`: series (names) drawn as dotted lines with diamonds over the bars of a column
    chart; `hidden`: series with neither line, marker nor legend entry, carrying `point_labels` (one text per
    category, above the point, on a white ground)."""
    names = [office_cell(n) for n in lines]
    if names:
        _as_lines(ch._chartSpace, names)       # noqa: SLF001 - python-pptx has no combined chart
    ch.font.size = Pt(look.base)
    if look.font:
        ch.font.name = look.font
    series = [s for plot in ch.plots for s in plot.series]
    series.sort(key=lambda s: s.index)
    hide = {office_cell(n) for n in hidden}
    shown = [s for s in series if s.name not in hide]
    ch.has_legend = legend and len(shown) > 1
    if ch.has_legend:
        ch.legend.position = {"bottom": XL_LEGEND_POSITION.BOTTOM, "right": XL_LEGEND_POSITION.RIGHT}[legend_position]
        ch.legend.include_in_layout = False
        ch.legend.font.size = Pt(look.legend_right if legend_position == "right" else look.legend)
        for s in series:
            if s.name in hide:
                _delete_legend_entry(ch, s.index)
    if title:
        ch.has_title = True
        ch.chart_title.text_frame.text = office_text(title)
        _style_runs(ch.chart_title.text_frame, look.title, True, NAVY)
    else:
        ch.has_title = False
    colours = colours or SERIES_COLOURS
    for i, s in enumerate(shown):
        rgb = hex_colour(colours[i % len(colours)])
        if kind == "line" or s.name in names:
            s.format.line.color.rgb = rgb
            s.format.line.width = Pt(look.line)
            s.marker.style = XL_MARKER_STYLE.DIAMOND if s.name in names else XL_MARKER_STYLE.CIRCLE
            s.marker.size = look.marker + (2 if s.name in names else 0)
            if s.name in names:                # a line over bars (a total asked for): dotted
                s.format.line.dash_style = MSO_LINE_DASH_STYLE.ROUND_DOT
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = rgb
            s.marker.format.line.color.rgb = rgb
            s.smooth = False
        else:
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = rgb
    for s in series:
        if s.name in hide:
            s.format.line.fill.background()
            s.marker.style = XL_MARKER_STYLE.NONE
            s.smooth = False
    if labels:
        plot = ch.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(look.labels)
        if kind in ("bar", "column"):
            plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    for s in series:
        for i, label in enumerate((point_labels or {}).get(s.name, [])):
            if label:
                dl = s.points[i].data_label
                dl.text_frame.text = office_text(label)
                _style_runs(dl.text_frame, look.labels, False, BLACK)
                dl.position = XL_LABEL_POSITION.ABOVE
                _opaque(dl)
    try:
        value_axis, category_axis = ch.value_axis, ch.category_axis
    except (AttributeError, ValueError):
        return
    value_axis.tick_labels.font.size = Pt(look.ticks)
    value_axis.tick_labels.number_format = number_format
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = GRID
    if value_range:
        lo, hi = value_range
        if lo is not None:
            value_axis.minimum_scale = lo
        if hi is not None:
            value_axis.maximum_scale = hi
    category_axis.tick_labels.font.size = Pt(look.ticks)
    category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below negative values too
    if cross_at is not None:
        value_axis.crosses_at = cross_at
        category_axis.major_tick_mark = XL_TICK_MARK.NONE
        category_axis.format.line.color.rgb = GREY
        category_axis.format.line.width = Pt(1)
        category_axis.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    for axis, name in zip((category_axis, value_axis), axis_titles):
        if name:
            axis.has_title = True
            axis.axis_title.text_frame.text = office_text(name)
            _style_runs(axis.axis_title.text_frame, look.axis_title, False, GREY)


def _as_lines(space, names: list[str]) -> None:
    """Move the series called `names` from the bar chart into a line chart on the same axes (a combined
    chart: python-pptx writes one chart type per chart)."""
    plot_area = space.find(qn("c:chart")).find(qn("c:plotArea"))
    bars = plot_area.find(qn("c:barChart"))
    moved = [ser for ser in bars.findall(qn("c:ser"))
             if ser.find(qn("c:tx")) is not None and ser.find(qn("c:tx")).findtext(".//" + qn("c:v")) in names]
    if not moved:
        return
    line = parse_xml(f'<c:lineChart {nsdecls("c")}><c:grouping val="standard"/><c:varyColors val="0"/></c:lineChart>')
    for ser in moved:
        for tag in ("c:invertIfNegative", "c:shape"):
            for el in ser.findall(qn(tag)):
                ser.remove(el)
        ser.append(parse_xml(f'<c:smooth {nsdecls("c")} val="0"/>'))
        line.append(ser)
    line.append(parse_xml(f'<c:marker {nsdecls("c")} val="1"/>'))
    for ax in bars.findall(qn("c:axId")):
        line.append(parse_xml(f'<c:axId {nsdecls("c")} val="{ax.get("val")}"/>'))
    bars.addnext(line)


def _opaque(data_label) -> None:
    """A white ground under a data label: readable where a line crosses it."""
    dlbl = data_label._get_or_add_dLbl()                    # noqa: SLF001 - python-pptx has no label fill
    sp = parse_xml(f'<c:spPr {nsdecls("c", "a")}><a:solidFill><a:srgbClr val="{WHITE}"/></a:solidFill></c:spPr>')
    dlbl.find(qn("c:tx")).addnext(sp)


def _delete_legend_entry(ch, idx: int) -> None:
    """No legend entry for the series of index `idx` (<c:legendEntry><c:delete val="1"/>)."""
    legend = ch._chartSpace.chart.find(qn("c:legend"))      # noqa: SLF001 - no python-pptx API
    entry = parse_xml(f'<c:legendEntry {nsdecls("c")}><c:idx val="{idx}"/><c:delete val="1"/></c:legendEntry>')
    legend.find(qn("c:legendPos")).addnext(entry)


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
               colours: dict[str, str], legend: str, source_line: str, pad: float = 0.08) -> None:
    """A locator map drawn with PowerPoint shapes (editable, crisp, no image to render): the quartiers of
    `places` (presentation.locator rows: `geom`, `kind` contour or commune point, `number`, `highlight`) as
    filled contours or circles, numbered; `outlines` (thin) and `strong` (the carrier EPCI) as lines, clipped
    to the frame; the legend (`legend`: presentation.locator.legend_line) and the source line under it. Same
    projection as charts.locator (exports/map_frame.py): equirectangular at the mean latitude, fitted to the
    highlighted places."""
    map_h = int(height) - int(Inches(0.85))        # legend and source line (two lines) below
    frame = map_frame.fit(places, int(left), int(top), int(width), map_h, pad=pad, min_step=int(Pt(0.6)))

    land = slide.shapes.add_shape(1, emu(left), emu(top), emu(width), emu(map_h))      # rectangle: the map's ground
    land.fill.solid()
    land.fill.fore_color.rgb = hex_colour(colours["land"])
    land.line.fill.background()
    land.shadow.inherit = False
    r_pt = Pt(5)
    for m in map_frame.marks(frame, places, outlines, strong, colours):
        if m.kind in ("lines", "areas"):
            _freeform(slide, m.rings, m.kind == "areas", m.fill and hex_colour(m.fill), hex_colour(m.edge), m.width_pt)
        elif m.kind == "dot":
            dot = slide.shapes.add_shape(9, emu(m.x - r_pt), emu(m.y - r_pt), emu(2 * r_pt), emu(2 * r_pt))  # oval
            dot.fill.solid()
            dot.fill.fore_color.rgb = hex_colour(m.fill)
            dot.line.color.rgb = hex_colour(m.edge)
            dot.shadow.inherit = False
        else:
            w, h = Inches(0.32), Inches(0.24)
            label = text(slide, m.text, m.x + Pt(6), m.y - Pt(6) - h, w, h, size=10, bold=True,
                         colour=hex_colour(colours["text"]), align=PP_ALIGN.CENTER)
            label.fill.solid()
            label.fill.fore_color.rgb = hex_colour(colours["white"])
            label.line.color.rgb = hex_colour(colours["strong"])
            label.line.width = Pt(0.6)
            tf = label.text_frame
            tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = 0
            tf.word_wrap = False
    text(slide, legend, left, int(top) + map_h + int(Inches(0.02)), width, Inches(0.3), size=10,
         colour=GREY)
    text(slide, source_line, left, int(top) + map_h + int(Inches(0.32)), width, Inches(0.5), size=9, colour=GREY)
