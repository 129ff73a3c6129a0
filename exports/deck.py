"""COPIL deck (PPTX, editable) for one contrat de ville: the layout of presentation.contract's view.

At most 15 slides for a contract of any size (issue 12): title; the contract at a glance (map of its
quartiers on real contours, key figures); the quartiers ranked on six key indicators (one heat table at
14 pt, each cell the quartier's baromètre value and light); « Depuis le dernier COPIL » (editions published
and files imported since, commitments reviewed, actions voted); State means; commitments by signataire;
programmation by theme and money vs need; sources. `--annexe` adds one baromètre slide per quartier. Charts
are native PowerPoint charts (data editable, French number formats) and the map is drawn with PowerPoint
shapes (pptx_kit.native_map): the deck renders no picture, so it needs no browser (issue 21: seconds, not
tens); every slide carries its source line and speaker notes with the sentences; integer EMU everywhere
(pptx_kit.emu). Every string comes from the view: nothing is read or worded here.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pptx.util import Inches

from contract import service
from exports import pptx_kit as K
from presentation import barometre as barometre_view, contract as pc, contract_life, locator as locator_view
from presentation import since as since_view, sources, text


# --------------------------------------------------------------------------- slides

def slide_title(prs, v: pc.ContractView) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[0])
    title = s.shapes.title
    title.text = v.title
    K._style_runs(title.text_frame, K.fit_size(v.title.split("\n"), title.width, title.height,
                                              sizes=(36, 32, 28, 24, 20), spacing=1.2), True, K.NAVY)
    s.placeholders[1].text = K.office_text(v.subtitle())
    K._style_runs(s.placeholders[1].text_frame, 16, False, K.GREY)
    K.text(s, "Observatoire des contrats de ville — données publiques (Licence Ouverte / Etalab 2.0) et "
              "données saisies par l'équipe du contrat", K.MARGIN, K.HEIGHT - Inches(0.7),
           K.WIDTH - 2 * K.MARGIN, Inches(0.4), size=10, colour=K.GREY)
    if v.demo:
        K.demo_badge(s)
        K.text(s, pc.DEMO_NOTE, K.MARGIN, K.HEIGHT - Inches(1.2), K.WIDTH - 2 * K.MARGIN, Inches(0.45), size=11,
               colour=K.DEMO_RED)


MAP_COLOURS = locator_view.COLOURS       # the deck's shapes and the report's picture (exports/map_picture.py)


def slide_glance(prs, v: pc.ContractView) -> None:
    """The contract at a glance: the map of its quartiers (numbers = rows of the ranking), drawn with PowerPoint
    shapes (no picture to render: the deck needs no browser), and key figures."""
    s = K.titled_slide(prs, "Le contrat en un coup d'œil", v.glance_subtitle)
    map_w = Inches(7.4)
    m = v.map
    if m["shapes"]:
        K.native_map(s, m["shapes"], m["others"], m["strong"], K.MARGIN, K.BODY_TOP, map_w, Inches(5.25),
                     MAP_COLOURS, locator_view.legend_line(m["shapes"], m["strong"]), m["source_line"])
    else:
        K.text(s, v.map["empty"], K.MARGIN, K.BODY_TOP, map_w, Inches(1))
    left = K.MARGIN + map_w + Inches(0.35)
    w = K.WIDTH - K.MARGIN - left
    top = K.BODY_TOP
    step = min(Inches(1.25), Inches(5.4) / max(len(v.key_figures), 1))
    for f in v.key_figures:
        K.text(s, f.value, left, top, w, Inches(0.55), size=26, bold=True, colour=K.NAVY)
        K.text(s, f.label + (f" ({f.note})" if f.note else ""), left, top + Inches(0.5), w, step - Inches(0.5),
               size=14, colour=K.GREY)
        top += step
    K.source_line(s, sources.source_line(["ANCT (quartiers, contrats, population)", "ASP / FONJEP via ANCT (postes)"]
                                         + (["saisie du contrat"] if v.has_life else []), None, v.generation,
                                         demo=v.demo), demo=v.demo)
    K.notes(s, [f"{q.number}. {q.label}" for q in v.quartiers])


RANKING_AVAILABLE = Inches(5.2)      # body height for the ranking table (title and source line apart)
RANKING_SIZE = 14                     # readable at the back of the room


def natural_pages(rows: list[dict], col_w, size: int = RANKING_SIZE) -> int:
    """How many slides the rows need at their estimated heights (no cap)."""
    return len(_fill(rows, col_w, size))


def ranking_pages(rows: list[dict], col_w, size: int = RANKING_SIZE, max_pages: int = 6) -> list[list[dict]]:
    """Rows split over as few slides as the estimated heights allow (at most `max_pages`), balanced."""
    pages = _fill(rows, col_w, size)
    n_pages = min(len(pages), max_pages)      # never more than max_pages slides; rows balanced between them
    n = -(-len(rows) // max(n_pages, 1))
    balanced = [rows[i:i + n] for i in range(0, len(rows), n)] or [[]]
    if len(pages) <= max_pages and any(len(_fill(p, col_w, size)) > 1 for p in balanced):
        return pages                          # balancing would overfill a slide: keep the greedy split
    return balanced


def _fill(rows: list[dict], col_w, size: int) -> list[list[dict]]:
    """Greedy split of the rows by estimated height."""
    def h(r):
        return max(int(Inches(0.36)), K.Pt(K.estimate_lines(r["label"], int(col_w), size) * size * 1.2 + 8))
    header = K.Pt(3 * size * 1.25 + 6)
    pages, cur, used = [], [], header
    for r in rows:
        if cur and used + h(r) > RANKING_AVAILABLE:
            pages.append(cur)
            cur, used = [], header
        cur.append(r)
        used += h(r)
    if cur:
        pages.append(cur)
    return pages


def one_line(label: str, width) -> str:
    """`label` cut (« … ») so that « NN. label » holds on one line of the ranking's first column."""
    out = label
    while K.estimate_lines(f"00. {out}", int(width * 0.85), RANKING_SIZE) > 1 and len(out) > 4:  # bold
        out = out[:-2].rstrip(" -(") + "…"
        out = out.replace("……", "…")
    return out


def slide_ranking(prs, v: pc.ContractView) -> None:
    """One heat table: quartiers (rows, highest poverty first) × key indicators; each cell is the quartier's
    baromètre value with its light (colour + symbol)."""
    rk = v.ranking
    width = K.WIDTH - 2 * K.MARGIN
    col_w = [3.1] + [1.55] * (len(rk["header"]) - 1)
    label_w = width * col_w[0] / sum(col_w)
    rows_in = [dict(r) for r in rk["rows"]]
    pages = ranking_pages(rows_in, label_w)
    if natural_pages(rows_in, label_w) > len(pages):
        # a large contract: one line per quartier (name cut to the column; full names in the notes)
        for r in rows_in:
            r["label"] = one_line(r["label"], label_w)
        pages = ranking_pages(rows_in, label_w)
    by_number = {q.number: q for q in v.quartiers}
    for k, chunk in enumerate(pages):
        title = "Les quartiers sur six indicateurs clés" + (f" ({k + 1}/{len(pages)})" if len(pages) > 1 else "")
        s = K.titled_slide(prs, title, f"Par taux de pauvreté décroissant — {pc.light_legend()} que "
                                       f"{pc.light_references()}")
        rows = []
        for r in chunk:
            row = [{"text": f"{r['number']}. {r['label']}", "bold": True}]
            for cell in r["cells"]:
                lt = cell["light"]
                if lt is not None and lt.code:
                    row.append({"text": f"{lt.symbol} {cell['text']}", "fill": K.hex_colour(lt.color),
                                "bold": True, "align": "c"})
                else:
                    row.append({"text": cell["text"], "bold": False, "align": "c",
                                "italic": cell["value"] is None, "colour": K.GREY if cell["value"] is None else None})
            rows.append(row)
        K.table(s, rk["header"], rows, K.MARGIN, K.BODY_TOP + Inches(0.05), width, col_widths=col_w,
                size=RANKING_SIZE, header_size=RANKING_SIZE, row_height=Inches(0.36), first_col_bold=True)
        approx = any(r["approx"] for r in chunk)
        K.source_line(s, rk["source"] + (f" — ≈ : {pc.PROXY_NOTE}" if approx else ""))
        notes = [pc.light_legend()]
        for r in chunk:
            q = by_number[r["number"]]
            b = q.barometre
            notes.append(f"{q.number}. {q.label}" + (f" — {b.approximation}" if b.approximation else ""))
            notes += [f"  {it.light.text} — {it.line}" for it in b.items]
        notes.append(barometre_view.reading_note())
        K.notes(s, notes)


def slide_means(prs, v: pc.ContractView) -> None:
    s = K.titled_slide(prs, "Moyens de l'État : adultes-relais et postes FONJEP",
                       "Postes financés dans le contrat, par année (un poste compte une fois par an ; ASP et FONJEP, via l'ANCT)")
    m = v.means
    if m.empty:
        K.text(s, m.empty, K.MARGIN, K.BODY_TOP, Inches(10), Inches(1), size=16)
        K.source_line(s, m.source_line)
        return
    w = Inches(6.2)
    K.chart(s, "column", m.categories, m.series, K.MARGIN, K.BODY_TOP, w, Inches(4.9), number_format=K.NUMBER,
            title="Nombre de postes financés", labels=True, colours=m.colours)
    K.table(s, m.header, m.rows, K.MARGIN + w + Inches(0.3), K.BODY_TOP + Inches(0.2),
            K.WIDTH - 2 * K.MARGIN - w - Inches(0.3), size=12, col_widths=[1.1, 1.25, 1.45, 1.0, 1.4], header_size=12)
    K.source_line(s, m.source_line)
    K.notes(s, m.notes)


def slide_programmation(prs, v: pc.ContractView) -> None:
    """Programmation of the current year: granted amounts by theme (native chart) and money vs need per
    quartier (€ per inhabitant next to the poverty rate)."""
    p = v.programmation
    if p is None:
        return
    year = p.year
    s = K.titled_slide(prs, f"Programmation {year} : thèmes et besoins",
                       "Montants accordés (actions accordées ou soldées) ; par quartier : euros par habitant et "
                       "taux de pauvreté")
    if v.demo:
        K.demo_badge(s)
    w = Inches(6.0)
    if p.theme_categories:
        K.chart(s, "bar", p.theme_categories, {"Montant accordé (€)": p.theme_values},
                K.MARGIN, K.BODY_TOP, w, Inches(5.0), number_format=K.number_format(suffix=" €"),
                title=f"Montants accordés par thème en {year}", labels=True, legend=False)
    left = K.MARGIN + w + Inches(0.3)
    if p.need_rows:
        rows = [[{"text": r[0], "bold": True}, *r[1:]] for r in p.need_rows]
        K.table(s, p.need_header, rows, left, K.BODY_TOP, K.WIDTH - K.MARGIN - left, size=12,
                header_size=12, col_widths=[2.6, 1.3, 1.1, 1.0], row_height=Inches(0.34))
    K.source_line(s, v.life_source + f" — programmation {year} ; population et taux de pauvreté : INSEE "
                  "(≈ : quartier 2015 correspondant)", demo=v.demo)
    K.notes(s, [p.sentence])


def slide_engagements(prs, v: pc.ContractView) -> None:
    e = v.engagements
    if e is None:
        return
    s = K.titled_slide(prs, text.capital(contract_life.import_kind_label("engagements")), e.subtitle)
    if v.demo:
        K.demo_badge(s)
    w = Inches(6.3)
    K.chart(s, "stacked_bar", [c[:38] for c in e.categories], e.series, K.MARGIN, K.BODY_TOP, w, Inches(5.1),
            number_format=K.NUMBER, title="Statut des engagements par signataire", colours=e.colours)
    left = K.MARGIN + w + Inches(0.25)
    tw = K.WIDTH - 2 * K.MARGIN - w - Inches(0.25)
    K.text(s, e.late_title, left, K.BODY_TOP - Inches(0.05), tw, Inches(0.3), size=12, bold=True, colour=K.NAVY)
    if e.late_rows:
        rows = [[r[0], {"text": r[1], "bold": False}, r[2], r[3]] for r in e.late_rows]
        K.table(s, e.late_header, rows, left, K.BODY_TOP + Inches(0.35), tw, size=11,
                col_widths=[1.45, 2.5, 1.1, 0.65], row_height=Inches(0.3), first_col_bold=False, text_cols={0, 1},
                header_size=11)
    K.source_line(s, v.life_source + " — tableau de bord des engagements", demo=v.demo)
    K.notes(s, [e.subtitle] + e.late_bullets)


def slide_since(prs, v: pc.ContractView) -> None:
    """Three columns (presentation.since, the same sentences as the Engagements page): new data, reviews,
    actions voted."""
    sv = v.since
    s = K.titled_slide(prs, sv.title, sv.subtitle)
    if v.demo:
        K.demo_badge(s)
    col_w = (K.WIDTH - 2 * K.MARGIN - Inches(0.4)) / 3
    tops = K.BODY_TOP + Inches(0.1)
    for i, (key, _) in enumerate(since_view.COLUMNS):
        left = K.MARGIN + i * (col_w + Inches(0.2))
        K.text(s, sv.heads[key], left, tops, col_w, Inches(0.4), size=16, bold=True, colour=K.NAVY)
        box_h = Inches(4.85)
        K.text(s, sv.columns[key], left, tops + Inches(0.45), col_w, box_h,
               size=K.fit_size([f"• {t}" for t in sv.columns[key]], col_w, box_h), bullets=True)
    K.source_line(s, sources.source_line(["dates de publication déclarées au catalogue des sources",
                                          "imports de fichiers",
                                          "saisie du contrat (points d'étape, échéances, dates de décision)"],
                                         None, None, demo=v.demo), demo=v.demo)
    K.notes(s, sv.notes)


def slide_sources(prs, v: pc.ContractView) -> None:
    s = K.titled_slide(prs, "Sources et précautions de lecture")
    rows = [[{"text": r[0], "bold": True}, {"text": r[1], "bold": False}, r[2], r[3]] for r in v.sources]
    size = 9 if len(rows) <= 9 else 8
    _, th = K.table(s, ["Producteur", "Données", "Millésimes", "Géographie"], rows, K.MARGIN,
                    K.BODY_TOP - Inches(0.15), K.WIDTH - 2 * K.MARGIN, col_widths=[3.2, 5.6, 1.6, 2.0], size=size,
                    row_height=Inches(0.22), text_cols={0, 1, 2, 3})
    top = K.BODY_TOP - Inches(0.05) + th
    width, height = K.WIDTH - 2 * K.MARGIN, K.HEIGHT - top - Inches(0.55)
    K.text(s, v.notes, K.MARGIN, top, width, height, bullets=True, colour=K.GREY,
           size=K.fit_size([f"• {n}" for n in v.notes], width, height, sizes=(10, 9, 8, 7), para_gap_pt=4))
    K.source_line(s, "Licence Ouverte / Etalab 2.0 — citer le producteur et le millésime. "
                     "Observatoire des contrats de ville.", demo=v.demo)


def slide_quartier(prs, v: pc.ContractView, q: pc.QuartierRow) -> None:
    """Appendix (--annexe): the quartier's baromètre, the same lines as the page and the PDF."""
    b = q.barometre
    s = K.titled_slide(prs, f"{q.number}. {q.name}",
                       f"Baromètre — {q.communes + ' · ' if q.communes else ''}{q.code}"
                       + (f" — {b.approximation}" if b.approximation else ""))
    if not b.items:
        K.text(s, b.empty_message or "", K.MARGIN, K.BODY_TOP, Inches(11), Inches(1), size=16)
        K.source_line(s, sources.source_line(sources.OBSERVATORY, None, q.generation))
        return
    rows = [[{"text": it.light.text, "fill": K.hex_colour(it.light.color), "bold": True, "align": "c"},
             {"text": it.line, "bold": False}] for it in b.items]
    K.table(s, ["Situation", "Indicateur (millésime " + b.millesimes + ")"], rows, K.MARGIN, K.BODY_TOP,
            K.WIDTH - 2 * K.MARGIN, col_widths=[1.8, 10.6], size=13, header_size=13, row_height=Inches(0.4),
            text_cols={1})
    K.source_line(s, b.source_line)
    K.notes(s, [f"{it.label} : {it.sentence} {it.trend_sentence} " + " ".join(it.details) for it in b.items]
            + [barometre_view.reading_note()])


# --------------------------------------------------------------------------- build

MAX_SLIDES = 15


def build(con, contrat: str, out: str | Path, depuis: dt.date | None = None, progress=None,
          today: dt.date | None = None, annexe: bool = False) -> Path:
    """Write the COPIL deck of `contrat` to `out` (.pptx): at most 15 slides, plus one baromètre slide per
    quartier in appendix when `annexe`. progress(fraction, text) is optional."""
    progress = progress or (lambda f, t: None)
    progress(0.0, "Lecture des indicateurs")
    with service.reading() as sc:
        v = pc.view(con, contrat, sc, depuis=depuis, today=today, progress=progress)
    progress(0.8, "Diapositives")
    prs = K.new_deck()
    slide_title(prs, v)
    slide_glance(prs, v)
    slide_ranking(prs, v)
    slide_since(prs, v)
    slide_means(prs, v)
    slide_engagements(prs, v)
    slide_programmation(prs, v)
    slide_sources(prs, v)
    assert len(prs.slides) <= MAX_SLIDES, f"{len(prs.slides)} diapositives (au plus {MAX_SLIDES})"
    if annexe:
        for q in v.quartiers:
            slide_quartier(prs, v, q)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    prs.core_properties.title = f"COPIL — contrat de ville {v.name}"
    prs.core_properties.language = "fr-FR"
    prs.save(out)
    progress(1.0, "Terminé")
    return out
