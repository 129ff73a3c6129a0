"""Fiche quartier as a 2-page A4 PDF (fpdf2, DejaVu for French text): page 1 the quartier's indicators by
theme; page 2 the comparison with its reference territories, the baromètre, the evolution of the main gaps, a
map inset, its twins and the sources.

Layout only: everything printed comes from the fiche view (presentation.fiche.view, the same as the fiche
page): the same rows, the same reference levels and columns (vocabulary place `fiche`), the same cells
(« ≈ 49,2 % », « 22,0 % (2021) », status labels), the same baromètre lines and lights. Long labels and values
wrap in their cell (fpdf2 tables); nothing is cut. The evolution charts and the map inset are drawn in
vectors by exports.pdf_charts from the same views as the page's charts: no browser, no picture to render.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from exports import pdf_charts
from observatoire import frformat, vocabulary
from presentation import barometre as barometre_view
from presentation import fiche as fiche_view
from presentation import locator as locator_view
from presentation import share, sources

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
NAVY, GREY = vocabulary.rgb(vocabulary.palette("navy")), vocabulary.rgb(vocabulary.palette("grey"))
LIGHT, DEMO_RED = vocabulary.rgb(vocabulary.palette("light")), vocabulary.rgb(vocabulary.palette("demo"))
LIGHT_BLUE, WHITE = vocabulary.rgb(vocabulary.palette("light_blue")), vocabulary.rgb(vocabulary.palette("white"))
BLACK, WARNING = vocabulary.rgb(vocabulary.palette("black")), vocabulary.rgb(vocabulary.palette("warning_light"))
PAGE_W, PAGE_H, MARGIN = 210, 297, 11
BODY_W = PAGE_W - 2 * MARGIN
EVO_H = 80                       # mm: each evolution chart, half the body wide
MAP_MM = 70                      # mm: the map inset, square
QR_MM = 22                       # the QR code of the quartier's public page (page 2, beside the baromètre)
BOTTOM = PAGE_H - 12             # lowest y of the body (the footer is below)


# The faces of the document, by family and style: each is parsed (fontTools, a few hundredths of a second a face)
# and subset into the file only when the document first uses it.
FACES = {(pdf_charts.SANS, ""): "DejaVuSans.ttf", (pdf_charts.SANS, "B"): "DejaVuSans-Bold.ttf",
         (pdf_charts.SANS, "I"): "DejaVuSans-Oblique.ttf", (pdf_charts.CONDENSED, ""): "DejaVuSansCondensed.ttf",
         (pdf_charts.CONDENSED, "B"): "DejaVuSansCondensed-Bold.ttf",
         (pdf_charts.CONDENSED, "I"): "DejaVuSansCondensed-Oblique.ttf"}


class FichePDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(MARGIN, 10, MARGIN)
        self.set_auto_page_break(False)

    def face(self, family: str, style: str = "") -> None:
        """Add the face of FACES `family`/`style` (B, I) if the document does not have it yet."""
        for (name, emphasis), file in FACES.items():
            if name.lower() == family.lower() and emphasis == style and name.lower() + emphasis not in self.fonts:
                self.add_font(name, emphasis, str(FONT_DIR / file))

    def set_font(self, family=None, style="", size=0):
        """fpdf2's set_font, the face added on its first use (an unused face costs neither parsing nor
        embedding)."""
        letters = (style if isinstance(style, str) else style.style).upper()
        self.face(family or self.font_family, "".join(c for c in "BI" if c in letters))
        super().set_font(family, style, size)

    def footer(self):
        self.set_y(-9)
        self.set_font("DejaVuC", "", 6.5)
        self.set_text_color(*GREY)
        self.cell(BODY_W - 15, 4, self.footer_text, align="L")
        self.cell(15, 4, f"{self.page_no()}/2", align="R")


def _band(pdf: FichePDF, title: str, y: float | None = None, h: float = 6.5) -> None:
    if y is not None:
        pdf.set_y(y)
    pdf.set_fill_color(*NAVY)
    pdf.set_text_color(*WHITE)
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.set_x(MARGIN)
    pdf.cell(BODY_W, h, "  " + title, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BLACK)


def _source(pdf: FichePDF, text: str, x: float, y: float, w: float, demo: bool = False) -> float:
    pdf.set_xy(x, y)
    pdf.set_font("DejaVuC", "I", 6)
    pdf.set_text_color(*(DEMO_RED if demo else GREY))
    pdf.multi_cell(w, 2.6, text, new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    return pdf.get_y()


def _table(pdf: FichePDF, header: list[str], rows: list[list], widths: list[float], x: float, aligns: tuple,
           size: float = 6.8, fills: list | None = None, bold_cols: set[int] | None = None) -> float:
    """A table whose cells wrap (fpdf2): header in navy, alternate light rows; `fills` gives, per row, an
    optional (column, rgb) whose cell is filled (the light of the baromètre) with white bold text. Returns
    the y below the table."""
    left = pdf.l_margin
    pdf.set_left_margin(x)
    pdf.set_x(x)
    pdf.face("DejaVuC", "B")               # the headings' and bold cells' face: fpdf2's table wants it added
    pdf.set_font("DejaVuC", "", size)
    pdf.set_fill_color(*LIGHT)            # the alternate rows' fill (fpdf2 fills with the current colour)
    heading = FontFace(emphasis="B", color=WHITE, fill_color=NAVY, size_pt=size)
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", text_align=aligns, line_height=size * 0.42,
                   borders_layout="NONE", cell_fill_color=LIGHT, cell_fill_mode="ROWS", headings_style=heading,
                   padding=(0.5, 0.8), v_align="MIDDLE") as table:
        table.row(header)
        for k, cells in enumerate(rows):
            row = table.row()
            fill = (fills or [None] * len(rows))[k]
            for c, txt in enumerate(cells):
                style = None
                if fill and c == fill[0]:
                    style = FontFace(emphasis="B", color=WHITE, fill_color=fill[1], size_pt=size)
                elif bold_cols and c in bold_cols:
                    style = FontFace(emphasis="B", size_pt=size)
                row.cell(str(txt), style=style)
    pdf.set_left_margin(left)
    return pdf.get_y()


# --------------------------------------------------------------------------- page 1

def _header(pdf: FichePDF, v: fiche_view.FicheView) -> None:
    pdf.set_font("DejaVu", "", 8)
    extra = 4.5 * (len(pdf.multi_cell(BODY_W, 4.5, v.subtitle, dry_run=True, output="LINES")) - 1)
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, PAGE_W, 27 + extra, style="F")
    pdf.set_text_color(*WHITE)
    pdf.set_xy(MARGIN, 4)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(BODY_W, 4, f"FICHE QUARTIER — {sources.OBSERVATORY}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(BODY_W, 8, v.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(BODY_W, 4.5, v.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    pdf.cell(BODY_W, 4, f"Document établi le {frformat.fmt_date(dt.date.today())} à partir des données ouvertes "
                        "(Licence Ouverte / Etalab 2.0)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    pdf.set_y(29 + extra)
    if v.predecessor_note:
        pdf.set_fill_color(*WARNING)
        pdf.set_font("DejaVu", "B", 7.5)
        pdf.multi_cell(BODY_W, 3.6, v.predecessor_note, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if v.is_demo:
        pdf.set_text_color(*DEMO_RED)
        pdf.set_font("DejaVu", "B", 8)
        pdf.cell(BODY_W, 4, sources.DEMO_LABEL, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*BLACK)


def _key_figures(pdf: FichePDF, v: fiche_view.FicheView) -> None:
    """The strip of key figures (population, poverty, median income, employment) with their millésime."""
    figs = v.key_figures
    if not figs:
        return
    w = BODY_W / len(figs)
    y = pdf.get_y()
    for k, fig in enumerate(figs):
        pdf.set_fill_color(*LIGHT)
        pdf.rect(MARGIN + k * w + 0.5, y, w - 1, 14, style="F")
        pdf.set_xy(MARGIN + k * w + 2, y + 1.2)
        pdf.set_font("DejaVuC", "", 7)
        pdf.set_text_color(*GREY)
        pdf.cell(w - 4, 3.5, fig["short_label"], new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "B" if fig["shown"] else "I", 12 if fig["shown"] else 9)
        pdf.set_text_color(*(NAVY if fig["shown"] else GREY))
        pdf.cell(w - 4, 6, fig["value_text"], new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVuC", "", 6.5)
        pdf.set_text_color(*GREY)
        pdf.cell(w - 4, 3, f"millésime {fig['year_text']}", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    pdf.set_y(y + 16)


def _label(pdf: FPDF, r, width: float) -> str:
    """The full label when it fits on one line, else the catalogue's short label when that fits, else the
    full label (it wraps)."""
    pdf.set_font("DejaVuC", "", 6.8)
    if pdf.get_string_width(r.label) <= width - 2 or pdf.get_string_width(r.short_label) > width - 2:
        return r.label
    return r.short_label


def _theme_block(pdf: FichePDF, th: dict, x0: float, w: float) -> None:
    widths = [w * 0.5, w * 0.27, w * 0.11, w * 0.12]
    pdf.set_xy(x0, pdf.get_y())
    pdf.set_font("DejaVu", "B", 7.5)
    pdf.set_fill_color(*LIGHT_BLUE)
    pdf.set_text_color(*NAVY)
    pdf.cell(w, 4.6, " " + th["label"], fill=True, new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    rows = [[_label(pdf, r, widths[0]), str(r.value), r.year_text, r.percentile_text]
            for r in th["rows"]]
    _table(pdf, ["Indicateur", "Valeur", "Millés.", "Centile nat."], rows, widths, x0,
           ("LEFT", "RIGHT", "CENTER", "CENTER"), bold_cols={1})
    pdf.ln(1.2)


def _block_height(pdf: FichePDF, th: dict, w: float) -> float:
    """Estimated height of a theme block (lines of its wrapped cells)."""
    pdf.set_font("DejaVuC", "", 6.8)
    lines = 0
    for r in th["rows"]:
        lab = _label(pdf, r, w * 0.5)
        lines += max(len(pdf.multi_cell(w * 0.5 - 1.6, 3, lab, dry_run=True, output="LINES")),
                     len(pdf.multi_cell(w * 0.27 - 1.6, 3, str(r.value), dry_run=True, output="LINES")))
    return 4.6 + 4 + lines * 2.86 + len(th["rows"]) * 1 + 1.2


def page_indicators(pdf: FichePDF, con, v: fiche_view.FicheView) -> None:
    col_w = (BODY_W - 4) / 2
    _band(pdf, "1. Les indicateurs du quartier, par thème")
    pdf.set_font("DejaVuC", "", 6.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(BODY_W, 3, "Dernier millésime publié de chaque indicateur. Centile national : part des "
                   "quartiers de la même géographie dont la valeur est plus faible ou égale (100 = valeur la plus "
                   f"élevée). « {vocabulary.status_label('secret')} » : valeur non diffusée (trop peu de ménages ou "
                   "de personnes). « ≈ » : valeur du quartier 2015 correspondant.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    pdf.ln(1)
    y0 = pdf.get_y()
    heights = [_block_height(pdf, th, col_w) for th in v.themes]
    total, acc, split = sum(heights), 0.0, len(v.themes)
    for k, h in enumerate(heights):      # first column: the blocks up to half of the height
        if acc > 0 and acc + h / 2 > total / 2:
            split = k
            break
        acc += h
    bottom = y0
    for col, blocks in enumerate((v.themes[:split], v.themes[split:])):
        pdf.set_y(y0)
        for th in blocks:
            _theme_block(pdf, th, MARGIN + col * (col_w + 4), col_w)
        bottom = max(bottom, pdf.get_y())
    y = _source(pdf, v.source_line + " — fichiers et variables : voir le classeur XLSX ou la page Fiche quartier.",
                MARGIN, bottom + 1, BODY_W)
    if v.imported_lines:   # the user's own values, beside the official ones, each with its source line
        pdf.set_xy(MARGIN, y + 1)
        pdf.set_font("DejaVu", "B", 7.5)
        pdf.set_text_color(*NAVY)
        pdf.cell(BODY_W, 4, "Valeurs importées (à côté des valeurs officielles, jamais à leur place)",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*BLACK)
        pdf.set_font("DejaVuC", "", 6.3)
        for line in v.imported_lines:
            pdf.multi_cell(BODY_W, 2.8, line, new_x="LMARGIN", new_y="NEXT")


# --------------------------------------------------------------------------- page 2

def _comparison_table(pdf: FichePDF, v: fiche_view.FicheView) -> float:
    """The reference table of the view for the baromètre's indicators (same columns and cells as the page),
    with the baromètre's light."""
    refs = v.references
    levels, cols = refs["levels"], refs["columns"]
    items = v.barometre.items
    fixed = [42, 9.5, 16.5, 16]
    lv_w = (BODY_W - sum(fixed)) / max(len(levels), 1)
    widths = fixed[:3] + [lv_w] * len(levels) + fixed[3:]
    rows, fills = [], []
    for it in items:
        r = v.row(it.indicator_id)
        cells = [r.references[lv] for lv in levels] if r else []
        rows.append([it.label, r.year_text if r else "", str(r.value) if r else it.value_text]
                    + [str(c) for c in cells] + [it.light.label])
        fills.append((len(widths) - 1, vocabulary.rgb(it.light.color)))
    header = ["Indicateur", "Millés.", vocabulary.level_label("qpv", short=True)] + cols + ["Voyant"]
    aligns = ("LEFT", "CENTER", "RIGHT") + ("RIGHT",) * len(levels) + ("CENTER",)
    return _table(pdf, header, rows, widths, MARGIN, aligns, size=6.6, fills=fills, bold_cols={2})


def page_comparison(pdf: FichePDF, v: fiche_view.FicheView, evo: list, loc: dict | None) -> None:
    """Page 2; `evo` the Details of the evolution charts (those with a series), `loc` the locator map's view
    (None without geometry)."""
    _band(pdf, "2. Comparaison avec les territoires de référence et évolution", y=10)
    pdf.ln(1)
    y = _comparison_table(pdf, v) + 0.5
    y = _source(pdf, v.references["source_line"] + " — " + barometre_view.light_rule()
                + f" « {vocabulary.status_placeholder('non_disponible')} » : pas de valeur publiée pour ce territoire "
                "et ce millésime.", MARGIN, y, BODY_W)
    # the baromètre lines, the same as the page and the COPIL deck (presentation.barometre); beside them,
    # when a public site is published (OBSERVATOIRE_SITE_URL), the QR code of the quartier's page
    url = share.quartier_url(v.code)
    top = y + 1
    lines_w = BODY_W - (QR_MM + 3 if url else 0)
    pdf.set_y(top)
    pdf.set_font("DejaVuC", "", 6.6)
    for it in v.barometre.items:
        pdf.set_x(MARGIN)
        pdf.multi_cell(lines_w, 2.9, f"{it.light.text} — {it.line}", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 1.5
    if url:
        x = MARGIN + BODY_W - QR_MM
        pdf.image(io.BytesIO(share.qr_png(url)), x=x, y=top, w=QR_MM, alt_text=f"QR code : {url}")
        pdf.set_xy(x - 2, top + QR_MM)
        pdf.set_font("DejaVuC", "", 5.2)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(QR_MM + 2, 2.1, f"Baromètre en ligne : {url}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*BLACK)
        y = max(y, pdf.get_y() + 1.5)
    w = (BODY_W - 4) / 2
    for k, d in enumerate(evo[:2]):
        pdf_charts.evolution_chart(pdf, d, MARGIN + k * (w + 4), y, w, EVO_H)
    if not evo:
        pdf.set_xy(MARGIN, y)
        pdf.set_font("DejaVu", "I", 8)
        pdf.cell(BODY_W, 5, "Pas de série comparable pour ce quartier.")
    y += EVO_H + 3 if evo else 8
    if loc:
        pdf_charts.locator_map(pdf, loc, MARGIN, y, MAP_MM, MAP_MM)
    x2 = MARGIN + (MAP_MM + 4 if loc else 0)
    tw_w = BODY_W - (x2 - MARGIN)
    pdf.set_xy(x2, y)
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_text_color(*NAVY)
    pdf.cell(tw_w, 4.5, "Quartiers jumeaux (profil standardisé le plus proche en France)", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    if v.twins["items"]:
        for tw in v.twins["items"][:5]:
            pdf.set_x(x2)
            pdf.set_font("DejaVuC", "B", 6.8)
            pdf.multi_cell(tw_w, 3.1, tw["title"], new_x="LEFT", new_y="NEXT")
            pdf.set_font("DejaVuC", "", 6.2)
            pdf.multi_cell(tw_w, 2.8, f"proches sur : {tw['similar']}", new_x="LEFT", new_y="NEXT")
    else:
        pdf.set_x(x2)
        pdf.set_font("DejaVuC", "I", 6.8)
        pdf.multi_cell(tw_w, 3.2, "Pas de quartier jumeau calculable (profil trop incomplet).", new_x="LEFT",
                       new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_x(x2)
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_text_color(*NAVY)
    pdf.cell(tw_w, 4.5, "Sources et précautions", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    pdf.set_font("DejaVuC", "", 6)
    for ln in v.sources + [sources.secret_note()] + v.caveats:
        if pdf.get_y() > BOTTOM - 3:
            break
        pdf.set_x(x2)
        pdf.multi_cell(tw_w, 2.6, "• " + ln, new_x="LEFT", new_y="NEXT")


# --------------------------------------------------------------------------- build

def build(con, quartier: str, out: str | Path, edition: int | None = None, progress=None) -> Path:
    """Write the 2-page fiche of `quartier` to `out` (.pdf)."""
    progress = progress or (lambda f, t: None)
    progress(0.05, "Indicateurs")
    v = fiche_view.view(con, quartier, edition=edition)
    progress(0.35, "Graphiques")
    evo = [d for d in fiche_view.details(con, v.territory, [i for i in fiche_view.PDF_EVOLUTIONS
                                                            if v.row(i) is not None]) if d.evolution is not None]
    progress(0.6, "Carte")
    loc = locator_view.quartier_locator(con, v.territory, (v.epci or {}).get("code"))
    progress(0.75, "Mise en page")
    footer = (f"{v.name} ({v.code}) — {sources.OBSERVATORY} — sources : INSEE, CNAF, Pôle emploi/DARES, ANCT "
              "(Licence Ouverte / Etalab 2.0)")
    pdf = FichePDF(footer)
    pdf.set_title(f"Fiche quartier — {v.name} ({v.code})")
    pdf.set_lang("fr-FR")
    pdf.set_creator(sources.OBSERVATORY)
    pdf.add_page()
    _header(pdf, v)
    _key_figures(pdf, v)
    page_indicators(pdf, con, v)
    pdf.add_page()
    page_comparison(pdf, v, evo, loc)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    progress(1.0, "Terminé")
    return out
