"""Render a PPTX with LibreOffice (Debian `libreoffice-impress`) and check what a projector would show:
no shape leaves its slide, and no text is drawn outside the shape that holds it (a text box or a table
overflowing, a table running over the source line).

How: `soffice --headless --convert-to pdf` (one PDF page per slide, 1 pt = 12 700 EMU), then
`pdftotext -bbox` gives every word's box; each word must lie inside the box of at least one shape of its
slide (text boxes, placeholders, tables, charts), with a small tolerance for font metrics.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

from pptx import Presentation

ROOT_SHOTS = Path(__file__).resolve().parent / "screenshots"
EMU_PER_PT = 12700
TOLERANCE_PT = 3.0
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(pptx: Path, outdir: Path) -> Path:
    """Convert with a private LibreOffice profile (parallel runs and a read-only HOME stay safe)."""
    profile = outdir / "lo-profile"
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(pptx)], check=True, capture_output=True, timeout=300)
    return outdir / (pptx.stem + ".pdf")


def to_pngs(pdf: Path, outdir: Path, dpi: int = 60) -> list[Path]:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(outdir / pdf.stem)], check=True, timeout=300)
    return sorted(outdir.glob(f"{pdf.stem}-*.png"))


def pdf_words(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Per page: (width, height, [(x0, y0, x1, y1, word)]) in points."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=300).stdout
    pages = []
    for w, h, body in _PAGE.findall(out.decode("utf-8")):
        words = [(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in _WORD.findall(body)]
        pages.append((float(w), float(h), words))
    return pages


def shape_boxes(slide) -> list[tuple[float, float, float, float, str]]:
    """(x0, y0, x1, y1, name) in points of every shape with a position."""
    boxes = []
    for sh in slide.shapes:
        if sh.left is None or sh.width is None:
            continue
        x0, y0 = sh.left / EMU_PER_PT, sh.top / EMU_PER_PT
        boxes.append((x0, y0, x0 + sh.width / EMU_PER_PT, y0 + sh.height / EMU_PER_PT, sh.name))
    return boxes


def problems(pptx: Path, pdf: Path) -> list[str]:
    """Every shape outside its slide and every word drawn outside all shapes, as readable lines."""
    prs = Presentation(str(pptx))
    sw, sh = prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT
    pages = pdf_words(pdf)
    out = []
    if len(pages) != len(prs.slides):
        out.append(f"{len(pages)} pages PDF pour {len(prs.slides)} diapositives")
    for k, (slide, (pw, ph, words)) in enumerate(zip(prs.slides, pages), start=1):
        fx, fy = pw / sw, ph / sh                        # LibreOffice keeps the slide size: 1.0
        boxes = shape_boxes(slide)
        for x0, y0, x1, y1, name in boxes:
            if x0 < -0.5 or y0 < -0.5 or x1 > sw + 0.5 or y1 > sh + 0.5:
                out.append(f"diapositive {k} : la forme « {name} » sort de la diapositive "
                           f"({x0:.0f}, {y0:.0f}, {x1:.0f}, {y1:.0f} pt)")
        t = TOLERANCE_PT
        for x0, y0, x1, y1, word in words:
            x0, x1, y0, y1 = x0 / fx, x1 / fx, y0 / fy, y1 / fy
            if not any(bx0 - t <= x0 and x1 <= bx1 + t and by0 - t <= y0 and y1 <= by1 + t
                       for bx0, by0, bx1, by1, _ in boxes):
                out.append(f"diapositive {k} : « {word} » dépasse de sa forme ({x0:.0f}, {y0:.0f}, {x1:.0f}, {y1:.0f} pt)")
    return out
