"""Fiche quartier as a 2-page A4 PDF (fpdf2, DejaVu for French text): page 1 the quartier's indicators
by theme; page 2 the comparison with its reference territories, the evolution of the main gaps, a map
inset, its twins and the sources.

Values come from indicators.fiche (secret statistique applied there): a hidden value prints its status
label, never a number. A 2024 quartier without INSEE figures shows those of its 2015 counterpart, said so
in a banner.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
from fpdf import FPDF

from charts import fiche as fiche_charts
from charts import locator
from charts.source import add_source
from presentation import contract as ct
from exports import geo, render
from presentation import barometre as barometre_view
from presentation.quartier import shown_quartier
from presentation import sources
from indicators import evolution, fiche as fiche_mod, geometry, references
from observatoire import frformat, vocabulary
from presentation import text

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
NAVY, GREY = vocabulary.rgb(vocabulary.palette("navy")), vocabulary.rgb(vocabulary.palette("grey"))
LIGHT, DEMO_RED = vocabulary.rgb(vocabulary.palette("light")), vocabulary.rgb(vocabulary.palette("demo"))
PAGE_W, MARGIN = 210, 11
BODY_W = PAGE_W - 2 * MARGIN
EVOLUTION_IDS = ["tx_pauvrete", "rev_disp_median"]
EVO_W, EVO_H = 640, 560          # CSS px of the evolution charts (rendered at 300 dpi)
MAP_PX = 520
REF_LEVELS = [("commune", "Commune"), ("epci", "EPCI"), ("departement", "Départ."), ("france", "France"),
              ("ensemble_qpv", "Ens. QPV")]


class FichePDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(MARGIN, 10, MARGIN)
        self.set_auto_page_break(False)
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.add_font("DejaVuC", "", str(FONT_DIR / "DejaVuSansCondensed.ttf"))
        self.add_font("DejaVuC", "B", str(FONT_DIR / "DejaVuSansCondensed-Bold.ttf"))
        self.add_font("DejaVuC", "I", str(FONT_DIR / "DejaVuSansCondensed-Oblique.ttf"))

    def footer(self):
        self.set_y(-9)
        self.set_font("DejaVuC", "", 6.5)
        self.set_text_color(*GREY)
        self.cell(BODY_W - 15, 4, self.footer_text, align="L")
        self.cell(15, 4, f"{self.page_no()}/2", align="R")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Truncate `text` with an ellipsis to fit `width` mm in the current font."""
    text = str(text or "")
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _band(pdf: FichePDF, title: str, y: float | None = None, h: float = 6.5) -> None:
    if y is not None:
        pdf.set_y(y)
    pdf.set_fill_color(*NAVY)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.set_x(MARGIN)
    pdf.cell(BODY_W, h, "  " + title, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _source(pdf: FichePDF, text: str, x: float, y: float, w: float, demo: bool = False) -> float:
    pdf.set_xy(x, y)
    pdf.set_font("DejaVuC", "I", 6)
    pdf.set_text_color(*(DEMO_RED if demo else GREY))
    pdf.multi_cell(w, 2.6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    return pdf.get_y()


# --------------------------------------------------------------------------- page 1

def _header(pdf: FichePDF, f: dict, proxy: dict | None, shown: dict) -> None:
    t = f["territory"]
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, PAGE_W, 27, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN, 4)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(BODY_W, 4, "FICHE QUARTIER — Observatoire des contrats de ville", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(BODY_W, 8, _fit(pdf, t["name"], BODY_W), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    communes = ", ".join(c["name"] for c in t["communes"] if c.get("name")) or "commune non rattachée"
    parts = [t["code"], vocabulary.generation_label(t.get("generation")), communes]
    if t.get("epci"):
        parts.append(t["epci"]["name"])
    if t.get("contrat"):
        parts.append(f"contrat {t['contrat']['code']}")
    pdf.cell(BODY_W, 4.5, _fit(pdf, " · ".join(p for p in parts if p), BODY_W), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    pdf.cell(BODY_W, 4, f"Document établi le {frformat.fmt_date(dt.date.today())} à partir des données ouvertes "
                        "(Licence Ouverte / Etalab 2.0)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(29)
    if proxy:
        pdf.set_fill_color(255, 243, 205)
        pdf.set_font("DejaVu", "B", 7.5)
        msg = proxy["sentence"]
        pdf.multi_cell(BODY_W, 3.6, msg, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _key_figures(pdf: FichePDF, con, f: dict) -> None:
    """A strip of 4 key figures (population, poverty, median income, employment) with their millésime."""
    ids = ["pop", "tx_pauvrete", "rev_disp_median", "tx_emploi"]
    w = BODY_W / len(ids)
    y = pdf.get_y()
    for k, i in enumerate(ids):
        x = ct.indicator_of(f, i)
        pdf.set_fill_color(*LIGHT)
        pdf.rect(MARGIN + k * w + 0.5, y, w - 1, 14, style="F")
        pdf.set_xy(MARGIN + k * w + 2, y + 1.2)
        pdf.set_font("DejaVuC", "", 7)
        pdf.set_text_color(*GREY)
        pdf.cell(w - 4, 3.5, _label_for(pdf, con, x, w - 4) if x else i, new_x="LEFT", new_y="NEXT")
        shown = x is not None and x["value"] is not None
        pdf.set_font("DejaVu", "B" if shown else "I", 12 if shown else 9)
        pdf.set_text_color(*(NAVY if shown else GREY))
        pdf.cell(w - 4, 6, text.indicator_value_text(x) if x else "non disponible", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVuC", "", 6.5)
        pdf.set_text_color(*GREY)
        pdf.cell(w - 4, 3, f"millésime {x['edition']}" if x and x["edition"] else "", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(y + 16)


SHOWN_UNITS = {"%", "€", "hab."}
ROW_H = 4.2


def _short_value(x: dict) -> str:
    """Value for a narrow column: the unit only when it is short (%, €, hab.), else the number alone."""
    if x["value"] is None:
        return text.indicator_value_text(x)
    if (x.get("unit") or "") in SHOWN_UNITS:
        return text.indicator_value_text(x)
    dec = x.get("decimals")
    return frformat.fmt_number(x["value"], 1 if dec is None else int(dec))


def _label_for(pdf: FPDF, con, x: dict, width: float) -> str:
    """The full label when it fits, else the catalogue's short label, else a truncated label."""
    if pdf.get_string_width(x["label"]) <= width - 1:
        return x["label"]
    short = ct.meta(con, x["indicator_id"]).get("short_label") if con is not None else None
    unit = x.get("unit") or ""
    if short and unit not in SHOWN_UNITS and unit:
        short = f"{short} ({unit})"
    return _fit(pdf, short or x["label"], width)


def _indicator_block(pdf: FichePDF, con, theme: str, rows: list[dict], x0: float, w: float) -> None:
    widths = [w * 0.565, w * 0.205, w * 0.1, w * 0.13]
    pdf.set_x(x0)
    pdf.set_font("DejaVu", "B", 7.5)
    pdf.set_fill_color(227, 235, 244)
    pdf.set_text_color(*NAVY)
    pdf.cell(w, 4.6, " " + vocabulary.theme_label(theme), fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_x(x0)
    pdf.set_font("DejaVuC", "I", 6)
    pdf.set_text_color(*GREY)
    for txt, ww, al in zip(("Indicateur", "Valeur", "Millés.", "Centile nat."), widths, ("L", "R", "C", "C")):
        pdf.cell(ww, 3, txt, align=al)
    pdf.ln(3)
    pdf.set_text_color(0, 0, 0)
    for k, x in enumerate(rows):
        pdf.set_x(x0)
        fill = k % 2 == 1
        pdf.set_fill_color(*LIGHT)
        pdf.set_font("DejaVuC", "", 7)
        pdf.cell(widths[0], ROW_H, _label_for(pdf, con, x, widths[0]), fill=fill)
        shown = x["value"] is not None
        pdf.set_font("DejaVuC", "B" if shown else "I", 7 if shown else 6)
        if not shown:
            pdf.set_text_color(*GREY)
        pdf.cell(widths[1], ROW_H, _fit(pdf, _short_value(x), widths[1]), align="R", fill=fill)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVuC", "", 6.5)
        pdf.cell(widths[2], ROW_H, str(x["edition"] or ""), align="C", fill=fill)
        pct = frformat.fmt_number(x["percentile"], 0) if shown and x.get("percentile") is not None else ""
        pdf.cell(widths[3], ROW_H, pct, align="C", fill=fill, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.2)



def page_indicators(pdf: FichePDF, con, f: dict) -> None:
    inds = [x for x in f["indicators"] if x["edition"] is not None]
    themes = list(dict.fromkeys(x["theme"] for x in inds))
    blocks = [(th, [x for x in inds if x["theme"] == th]) for th in themes]
    total = sum(len(r) + 3 for _, r in blocks)
    col_w = (BODY_W - 4) / 2
    _band(pdf, "1. Les indicateurs du quartier, par thème")
    pdf.set_font("DejaVuC", "", 6.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(BODY_W, 3, "Dernier millésime publié de chaque indicateur. Centile national : part des "
                   "quartiers de la même géographie dont la valeur est plus faible (100 = valeur la plus élevée). "
                   "« secret statistique » : valeur non diffusée (trop peu de ménages ou de personnes).",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)
    y0 = pdf.get_y()
    acc, col, bottom = 0, 0, y0
    pdf.set_y(y0)
    for th, rows in blocks:
        if col == 0 and acc + (len(rows) + 3) / 2 > total / 2 and acc > 0:
            col, acc = 1, 0
            bottom = max(bottom, pdf.get_y())
            pdf.set_y(y0)
        _indicator_block(pdf, con, th, rows, MARGIN + col * (col_w + 4), col_w)
        acc += len(rows) + 3
    bottom = max(bottom, pdf.get_y())
    line = ct.indicator_source_line(con, [x["indicator_id"] for x in inds], [x["edition"] for x in inds],
                                    f["territory"].get("generation"))
    _source(pdf, line + " — fichiers et variables : voir le classeur XLSX ou la page Fiche quartier.",
            MARGIN, bottom + 1, BODY_W)


# --------------------------------------------------------------------------- page 2

def _comparison_table(pdf: FichePDF, f: dict) -> None:
    inds = [x for x in f["indicators"] if x.get("barometre") and x["edition"] is not None]
    if not inds:
        inds = [x for x in f["indicators"] if x["edition"] is not None][:8]
    headers = ["Indicateur", "Millés.", "Quartier"] + [lab for _, lab in REF_LEVELS] + ["Voyant"]
    widths = [50, 11, 17] + [17] * len(REF_LEVELS) + [23]
    pdf.set_font("DejaVuC", "B", 6.8)
    pdf.set_fill_color(*NAVY)
    pdf.set_text_color(255, 255, 255)
    for h, w in zip(headers, widths):
        pdf.cell(w, 4.5, h, align="C" if h != "Indicateur" else "L", fill=True)
    pdf.ln(4.5)
    pdf.set_text_color(0, 0, 0)
    for k, x in enumerate(inds):
        fill = k % 2 == 1
        pdf.set_fill_color(*LIGHT)
        pdf.set_font("DejaVuC", "", 6.8)
        pdf.cell(widths[0], 4.2, _fit(pdf, x["label"], widths[0]), fill=fill)
        pdf.cell(widths[1], 4.2, str(x["edition"]), align="C", fill=fill)
        shown = x["value"] is not None
        pdf.set_font("DejaVuC", "B" if shown else "I", 6.8 if shown else 6)
        pdf.cell(widths[2], 4.2, _fit(pdf, text.indicator_value_text(x), widths[2]), align="R", fill=fill)
        pdf.set_font("DejaVuC", "", 6.8)
        for (level, _), w in zip(REF_LEVELS, widths[3:]):
            r = ct.reference(x, level)
            txt = text.value_text(r["value"], r["status"], x["unit"], x.get("decimals")) if r else text.DASH
            pdf.cell(w, 4.2, _fit(pdf, txt, w), align="R", fill=fill)
        b = x.get("barometre") or {}
        lt = vocabulary.light(b.get("light"))
        word = lt["label"] if b.get("light") or not shown else "sans voyant"
        pdf.set_fill_color(*vocabulary.rgb(lt["color"]))
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("DejaVuC", "B", 6.5)
        pdf.cell(widths[-1], 4.2, word, align="C", fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)


def _evolution_figures(con, code: str, f: dict, generation: str | None) -> list[tuple[bytes, str]]:
    figs = []
    for i in EVOLUTION_IDS:
        x = ct.indicator_of(f, i)
        if x is None or x["edition"] is None:
            continue
        ev = evolution.series(con, code, i, levels=("epci", "france", "ensemble_qpv", "commune"))
        s = pd.DataFrame(ev["series"])
        if s.empty or not (s["level"] == "qpv").any():
            continue
        eds = sorted(s.edition.dropna().astype(int).unique())
        line = ct.indicator_source_line(con, [i] * len(eds), eds, generation)
        dec = x.get("decimals")
        fig = fiche_charts.gap_evolution(s, label=x.get("label"), unit=x.get("unit"),
                                         decimals=1 if dec is None else int(dec), source_line=line,
                                         caveat=ev.get("caveat"), height=EVO_H)
        # Print layout: legend under the title (several references would overlap the source line below).
        fig.update_layout(title=dict(font=dict(size=15), y=0.985, yanchor="top"), font=dict(size=14),
                          margin=dict(t=58 + 22 * s.level.nunique(), b=75),
                          legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, xanchor="left", font=dict(size=12)))
        if x.get("unit") == "€":
            fig.update_yaxes(tickformat=",.0f")
        fig.update_yaxes(rangemode="tozero")  # print: no truncated axis that would exaggerate changes
        fig.update_layout(margin=dict(b=20))
        add_source(fig, line + (f" — {ev['caveat']}" if ev.get("caveat") else ""), width=105, min_bottom=70)
        figs.append((fig, line))
    return figs


def map_figure(con, f: dict):
    """The locator map of the fiche (the quartier, its neighbours, EPCI and département outlines), or None
    when the quartier has no geometry; also `python -m exports graphique --type carte`."""
    t = f["territory"]
    near = geometry.neighbours(con, t["code"], t.get("generation"))
    quartiers = [(t["code"], t["name"], None)] + [(c, n, None) for c, n in near]
    pl = geo.places(con, quartiers, highlight={t["code"]})
    if not any(p.highlight for p in pl):
        return None
    adm = geometry.outlines_around(con, [p.geom for p in pl if p.highlight], margin=0.1)
    epci = t.get("epci") or {}
    strong = [o for o in adm.get("epci", []) if o[2] == epci.get("code")]
    others = [o for o in adm.get("epci", []) if o[2] != epci.get("code")] + adm.get("departement", [])
    line = sources.source_line(["ANCT / SIG Ville (contours)", "ANCT (limites administratives)"], None, t.get("generation"))
    return locator.locator_map(pl, outlines=others, strong_outlines=strong, source_line=line, width=MAP_PX,
                               height=MAP_PX, label="name", pad=0.6)


def page_comparison(pdf: FichePDF, con, f: dict, map_png: bytes | None, evo: list, view=None) -> None:
    t = f["territory"]
    _band(pdf, "2. Comparaison avec les territoires de référence et évolution", y=10)
    pdf.ln(1)
    _comparison_table(pdf, f)
    y = pdf.get_y() + 0.5
    inds = [x for x in f["indicators"] if x.get("barometre") and x["edition"] is not None]
    line = ct.indicator_source_line(con, [x["indicator_id"] for x in inds], [x["edition"] for x in inds],
                                    t.get("generation"))
    y = _source(pdf, line + " — Voyant : comparaison à la commune, à défaut à l'EPCI ou à l'ensemble des QPV, "
                "avec la tolérance du catalogue. « — » : pas de valeur publiée.", MARGIN, y, BODY_W)
    # the baromètre lines, the same as the page and the COPIL deck (presentation.barometre)
    pdf.set_y(y + 1)
    pdf.set_font("DejaVuC", "", 6.6)
    for it in (view.items if view is not None else []):
        pdf.set_x(MARGIN)
        pdf.multi_cell(BODY_W, 2.9, f"{it.light.text} — {it.line}", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 1.5
    # evolution charts
    w = (BODY_W - 4) / 2
    for k, (png, _) in enumerate(evo[:2]):
        pdf.image(io.BytesIO(png), x=MARGIN + k * (w + 4), y=y, w=w)
    if not evo:
        pdf.set_xy(MARGIN, y)
        pdf.set_font("DejaVu", "I", 8)
        pdf.cell(BODY_W, 5, "Pas de série comparable pour ce quartier.")
    y += (w * EVO_H / EVO_W) + 2 if evo else 8
    # map inset + twins
    map_w = 70
    if map_png:
        pdf.image(io.BytesIO(map_png), x=MARGIN, y=y, w=map_w)
    x2 = MARGIN + (map_w + 4 if map_png else 0)
    pdf.set_xy(x2, y)
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_text_color(*NAVY)
    pdf.cell(BODY_W - (x2 - MARGIN), 4.5, "Quartiers jumeaux (profil standardisé le plus proche en France)",
             new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    tw_w = BODY_W - (x2 - MARGIN)
    if f["twins"]:
        for tw in f["twins"][:5]:
            pdf.set_x(x2)
            pdf.set_font("DejaVuC", "B", 6.8)
            pdf.cell(tw_w, 3.3, _fit(pdf, f"{tw['name']} ({tw['code']}) — {tw.get('communes') or ''}", tw_w),
                     new_x="LEFT", new_y="NEXT")
            pdf.set_font("DejaVuC", "", 6.2)
            sim = ", ".join(d["label"] for d in tw.get("similar_on", [])[:3])
            pdf.cell(tw_w, 3, _fit(pdf, f"proches sur : {sim}", tw_w), new_x="LEFT", new_y="NEXT")
    else:
        pdf.set_x(x2)
        pdf.set_font("DejaVuC", "I", 6.8)
        pdf.multi_cell(tw_w, 3.2, "Pas de quartier jumeau calculable (profil trop incomplet).", new_x="LEFT",
                       new_y="NEXT")
    # sources and caveats
    pdf.ln(1.5)
    pdf.set_x(x2)
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_text_color(*NAVY)
    pdf.cell(tw_w, 4.5, "Sources et précautions", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    used = {}
    for x in f["indicators"]:
        if x["edition"] is not None:
            used.setdefault(ct.meta(con, x["indicator_id"])["source"], set()).add(x["edition"])
    lines = []
    for sid, eds in used.items():
        info = sources.source_info(con, sid)
        lines.append(f"{info.get('producer', sid)} — {(info.get('title') or '').split(' (')[0]} "
                     f"({sources.millesimes_text(eds)}).")
    lines.append("Références : INSEE — Filosofi (EPCI, départements, France) ; SIG Ville (ensemble des QPV).")
    lines += [c for c in f["caveats"] if "INSEE" in c or "secret" in c or "Rattachement" in c][:3]
    pdf.set_font("DejaVuC", "", 6)
    for ln in lines:
        pdf.set_x(x2)
        pdf.multi_cell(tw_w, 2.7, "• " + ln, new_x="LEFT", new_y="NEXT")


# --------------------------------------------------------------------------- build

def build(con, quartier: str, out: str | Path, edition: int | None = None, progress=None) -> Path:
    """Write the 2-page fiche of `quartier` to `out` (.pdf)."""
    progress = progress or (lambda f, t: None)
    code = references.normalise_code(quartier)
    t = references.territory(con, code)
    if t["level"] != "qpv":
        raise ValueError(f"{code} n'est pas un quartier prioritaire (niveau {t['level']}).")
    with render.session():
        progress(0.05, "Indicateurs")
        own = fiche_mod.fiche(con, code, edition=edition)
        proxy = shown_quartier(con, code)["proxy"]
        shown = own   # a 2024 quartier: the library's values through its 2015 predecessor(s), flagged
        gen_shown = shown["territory"].get("generation")
        progress(0.35, "Graphiques")
        evo = [(render.to_png(fig, EVO_W, EVO_H), line) for fig, line in
               _evolution_figures(con, shown["territory"]["code"], shown, gen_shown)]
        progress(0.7, "Carte")
        mfig = map_figure(con, own)
        map_png = render.to_png(mfig, MAP_PX, MAP_PX) if mfig is not None else None
    progress(0.85, "Mise en page")
    footer = (f"{own['territory']['name']} ({code}) — Observatoire des contrats de ville — sources : INSEE, CNAF, "
              f"Pôle emploi/DARES, ANCT (Licence Ouverte / Etalab 2.0)")
    pdf = FichePDF(footer)
    pdf.set_title(f"Fiche quartier — {own['territory']['name']} ({code})")
    pdf.set_lang("fr-FR")
    pdf.set_creator("Observatoire des contrats de ville")
    pdf.add_page()
    _header(pdf, own, proxy, shown)
    _key_figures(pdf, con, shown)
    page_indicators(pdf, con, shown)
    pdf.add_page()
    page_comparison(pdf, con, shown, map_png, evo, barometre_view.view(con, code))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    progress(1.0, "Terminé")
    return out
