"""Static rendering of Plotly figures (PNG at print resolution, SVG) with no network.

kaleido 1.x drives Debian's Chromium (`/usr/bin/chromium`, or `BROWSER_PATH`). Starting Chrome costs
~2.5 s, so a whole batch (a deck, a report) runs inside ONE `session()`; a Streamlit process may keep
the server for its lifetime with `ensure_server()`. MathJax is disabled (it would come from a CDN) and
plotly.js is the copy shipped in the plotly wheel, so nothing is fetched at render time.

The same functions serve the pages' download buttons and the exports: one implementation.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import struct
import threading
import zlib
from pathlib import Path

import kaleido
import plotly.graph_objects as go

# Print resolution: figures are laid out in CSS pixels and rasterised at PRINT_DPI.
PRINT_DPI = 300
CSS_DPI = 96
DEFAULT_WIDTH = 900   # CSS px ≈ 23.8 cm at 96 dpi; rasterised at scale PRINT_DPI/CSS_DPI
DEFAULT_HEIGHT = 500
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"  # installed system font: no web font fetched

_lock = threading.RLock()
_depth = 0            # nested session() calls share one server
_owned = False        # True when this module started the running server


def _browser_path() -> str | None:
    for cand in (os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if cand and Path(cand).exists():
            return cand
    return None


class _QuietTornMessages:
    """choreographer logs a full traceback when Chrome's pipe delivers a message split across two reads,
    then ignores it (« JSONError decoding message. Ignoring ») — noise on the command line, nothing lost."""

    def filter(self, record) -> bool:
        return "JSONError decoding message" not in str(record.msg)


def _start() -> None:
    log = logging.getLogger("choreographer.channels.pipe")
    if not any(isinstance(f, _QuietTornMessages) for f in log.filters):
        log.addFilter(_QuietTornMessages())

    path = _browser_path()
    if path is None:
        raise RuntimeError("Chromium introuvable : installez le paquet Debian `chromium` "
                           "ou réglez BROWSER_PATH (rendu PNG/SVG des graphiques).")
    os.environ.setdefault("BROWSER_PATH", path)
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)


def _running() -> bool:
    return kaleido._global_server.is_running()  # noqa: SLF001 - kaleido exposes no public probe


@contextlib.contextmanager
def session():
    """One Chrome for every figure rendered inside the block (nested blocks reuse it)."""
    global _depth, _owned
    with _lock:
        if _depth == 0 and not _running():
            _start()
            _owned = True
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _owned:
                kaleido.stop_sync_server(silence_warnings=True)
                _owned = False


def ensure_server() -> None:
    """Start a server kept for the life of the process (Streamlit): kaleido stops it at exit."""
    with _lock:
        if not _running():
            _start()


def _prepare(fig: go.Figure) -> go.Figure:
    fig = go.Figure(fig)  # copy: never mutate the caller's figure
    if fig.layout.font.family is None:
        fig.update_layout(font_family=FONT_FAMILY)
    if fig.layout.paper_bgcolor is None:
        fig.update_layout(paper_bgcolor="white")
    if fig.layout.separators is None:
        fig.update_layout(separators=", ")  # French: decimal comma, space thousands
    return fig


def _calc(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    with _lock:  # kaleido's sync server answers through one queue: serialise callers
        if _running():
            return kaleido.calc_fig_sync(_prepare(fig), opts=opts)
    with session():
        with _lock:
            return kaleido.calc_fig_sync(_prepare(fig), opts=opts)


def _with_dpi(png: bytes, dpi: int) -> bytes:
    """Insert a pHYs chunk so Office/LibreOffice size the image for print (kaleido writes none)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or b"pHYs" in png[:64]:
        return png
    ppm = round(dpi / 0.0254)
    data = struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", len(data)) + b"pHYs" + data
    chunk += struct.pack(">I", zlib.crc32(b"pHYs" + data) & 0xFFFFFFFF)
    ihdr_end = 8 + 8 + 13 + 4  # signature + IHDR header + IHDR data + CRC
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def to_png(fig: go.Figure, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT,
           dpi: int = PRINT_DPI) -> bytes:
    """PNG bytes at `dpi` (default 300): a 900×500 layout gives 2813×1563 pixels, 23,8×13,2 cm."""
    scale = dpi / CSS_DPI
    return _with_dpi(_calc(fig, "png", width, height, scale), dpi)


def to_svg(fig: go.Figure, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    """SVG bytes (vector: print resolution by nature)."""
    out = _calc(fig, "svg", width, height, 1)
    return out if isinstance(out, bytes) else str(out).encode("utf-8")


def to_bytes(fig: go.Figure, fmt: str, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    """'png' or 'svg' (what a download button asks for)."""
    fmt = fmt.lower()
    if fmt == "png":
        return to_png(fig, width, height)
    if fmt == "svg":
        return to_svg(fig, width, height)
    raise ValueError(f"Format non géré : {fmt!r} (png ou svg)")


def write(fig: go.Figure, path: str | Path, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> Path:
    """Write `fig` to `path`; the format follows the extension (.png or .svg)."""
    path = Path(path)
    path.write_bytes(to_bytes(fig, path.suffix.lstrip("."), width, height))
    return path


def png_size_px(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the IHDR chunk."""
    return struct.unpack(">II", png[16:24])
