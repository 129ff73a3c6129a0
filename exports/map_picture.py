"""The annual report's locator map as a PNG drawn with Pillow: no browser to start (issue 21). The same
places, colours, numbers and outlines as the deck's native map (pptx_kit.native_map), fitted and projected by
the same exports/map_frame.py; drawn at SUPERSAMPLE times the size and downsampled (LANCZOS) so edges are
antialiased; 300 dpi at the width it is printed at. The legend and the source line are the document's text,
not pixels.
"""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from exports import map_frame

DPI = 300
SUPERSAMPLE = 2
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
CM_PER_INCH = 2.54
LABEL_PT = 8            # the numbers: the deck's 10 pt boxes scaled to a 14 cm map on paper


def size_px(width_cm: float, height_cm: float, dpi: int = DPI) -> tuple[int, int]:
    """Pixels of a picture printed at width_cm × height_cm and `dpi`."""
    return round(width_cm / CM_PER_INCH * dpi), round(height_cm / CM_PER_INCH * dpi)


def png(places: list[dict], outlines: list[tuple], strong: list[tuple], colours: dict[str, str],
        width_cm: float = 14, height_cm: float = 9.5, dpi: int = DPI, pad: float = 0.08) -> bytes:
    """The map of `places` (presentation.locator rows: `geom`, `kind`, `number`, `highlight`) over `outlines`
    (thin lines) and `strong` (the carrier EPCI), as PNG bytes of width_cm × height_cm at `dpi` (which the PNG
    records, so Word prints it at that size)."""
    w, h = size_px(width_cm, height_cm, dpi)
    k = SUPERSAMPLE
    pt = dpi / 72 * k                                   # pixels of the big canvas per printed point
    img = Image.new("RGB", (w * k, h * k), colours["land"])
    draw = ImageDraw.Draw(img)
    frame = map_frame.fit(places, 0, 0, w * k, h * k, pad=pad, min_step=0.6 * pt)
    font = ImageFont.truetype(str(FONT), round(LABEL_PT * pt))
    r = 5 * pt
    for m in map_frame.marks(frame, places, outlines, strong, colours):
        width = max(round(m.width_pt * pt), 1)
        if m.kind == "lines":
            for ring in m.rings:
                draw.line(ring, fill=m.edge, width=width, joint="curve")
        elif m.kind == "areas":
            for ring in m.rings:
                draw.polygon(ring, fill=m.fill, outline=m.edge, width=width)
        elif m.kind == "dot":
            draw.ellipse((m.x - r, m.y - r, m.x + r, m.y + r), fill=m.fill, outline=m.edge, width=width)
        else:
            _label(draw, m.text, m.x + 5 * pt, m.y - 5 * pt, font, pt, colours)
    out = io.BytesIO()
    img.resize((w, h), Image.Resampling.LANCZOS).save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()


def _label(draw, text: str, left: float, bottom: float, font, pt: float, colours: dict[str, str]) -> None:
    """A quartier's number in a white box with a thin border, its bottom-left corner at (left, bottom): up and
    right of the place, in the deck's proportions (a 10 pt number in a 0,32 × 0,24 inch box)."""
    x0, _, x1, _ = draw.textbbox((0, 0), text, font=font, anchor="lt")
    bw, bh = max(x1 - x0 + 2 * LABEL_PT / 3 * pt, 2.3 * LABEL_PT * pt), 1.73 * LABEL_PT * pt
    box = (left, bottom - bh, left + bw, bottom)
    draw.rectangle(box, fill=colours["white"], outline=colours["strong"], width=max(round(0.6 * pt), 1))
    draw.text((left + bw / 2, bottom - bh / 2), text, font=font, fill=colours["text"], anchor="mm")
