"""The site's one stylesheet: CSS variables generated from the vocabulary (house palette, lights, levels)
followed by the hand-written rules of static/site.css, which name colours only through these variables.
Text on a coloured badge is black or white, whichever contrasts more (WCAG relative luminance)."""
from __future__ import annotations

from pathlib import Path

from observatoire import vocabulary

RULES = Path(__file__).with_name("static") / "site.css"
PALETTE = ("navy", "text", "grey", "light", "light_blue", "grid", "muted", "highlight", "reference", "demo",
           "white", "black")
LIGHTS = ("mieux", "comparable", "moins_bien", "sans_objet", "none")


def luminance(hex_colour: str) -> float:
    def lin(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = vocabulary.rgb(hex_colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def on(background: str) -> str:
    """Black or white text, whichever reads better on `background`."""
    black, white = vocabulary.palette("black"), vocabulary.palette("white")
    return black if contrast(background, black) >= contrast(background, white) else white


def variables(prefix: str = "", names=PALETTE) -> str:
    """`:root` CSS custom properties of the palette colours `names`, the lights (with the text colour that
    reads on each) and the levels, each named `--{prefix}…`: the one place CSS gets its colours (the site's
    stylesheet; the app's pages with prefix « obs- », ui/common.py)."""
    p = f"  --{prefix}"
    lines = [f"{p}{name.replace('_', '-')}: {vocabulary.palette(name)};" for name in names]
    for code in LIGHTS:
        colour = vocabulary.light(code)["color"]
        lines += [f"{p}light-{code}: {colour};", f"{p}on-{code}: {on(colour)};"]
    for code in vocabulary.codes("levels"):
        lines.append(f"{p}level-{code}: {vocabulary.color('levels', code)};")
    return ":root {\n" + "\n".join(lines) + "\n}\n"


def stylesheet() -> str:
    return variables() + RULES.read_text(encoding="utf-8")
