"""COPIL deck (PPTX, editable) for one contrat de ville.

At most 15 slides for a contract of any size (issue 12): title; the contract at a glance (map of its
quartiers on real contours, key figures); the quartiers ranked on six key indicators (one heat table at
14 pt, each cell the quartier's baromètre value and light); « Depuis le dernier COPIL » (editions published
since, commitments reviewed, actions voted); State means; commitments by signataire; programmation by theme
and money vs need; sources. `--annexe` adds one baromètre slide per quartier. Charts are native PowerPoint
charts (data editable, French number formats) except the map (a 300 dpi image rendered offline); every
slide carries its source line and speaker notes with the sentences; integer EMU everywhere (pptx_kit.emu).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from pptx.util import Inches

from charts import locator
from exports import content as ct
from exports import geo, render
from exports import pptx_kit as K
from indicators import geometry
from indicators import since as since_mod
from observatoire import frformat, vocabulary
from presentation import barometre as barometre_view, contract as pc, sources, text



# --------------------------------------------------------------------------- slides

def slide_title(prs, c: ct.Content) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[0])
    title = s.shapes.title
    title.text = f"Contrat de ville\n{c.name}"
    K._style_runs(title.text_frame, K.fit_size(["Contrat de ville", c.name], title.width, title.height,
                                              sizes=(36, 32, 28, 24, 20), spacing=1.2), True, K.NAVY)
    pop = f" · {text.count_text(c.population)} habitants dans les quartiers (ANCT)" if c.population else ""
    gen = vocabulary.generation_label(c.generation)
    sub = (f"Comité de pilotage — document préparé le {frformat.fmt_date(c.today)}\n"
           f"{c.code} · {gen} · {len(c.quartiers)} quartiers prioritaires{pop}")
    s.placeholders[1].text = sub
    K._style_runs(s.placeholders[1].text_frame, 16, False, K.GREY)
    K.text(s, "Observatoire des contrats de ville — données publiques (Licence Ouverte / Etalab 2.0) et "
              "données saisies par l'équipe du contrat", K.MARGIN, K.HEIGHT - Inches(0.7),
           K.WIDTH - 2 * K.MARGIN, Inches(0.4), size=10, colour=K.GREY)
    if c.demo:
        K.demo_badge(s)
        K.text(s, "La programmation, les engagements et les points d'étape de ce document sont des données de "
                  "démonstration (inventées) ; les indicateurs et les moyens de l'État sont réels.",
               K.MARGIN, K.HEIGHT - Inches(1.2), K.WIDTH - 2 * K.MARGIN, Inches(0.45), size=11, colour=K.DEMO_RED)


def map_figure(con, c: ct.Content, width: int = 900, height: int = 640):
    places = geo.places(con, [(q.code, q.name, q.number) for q in c.quartiers])
    if not places:
        return None
    adm = geometry.outlines_around(con, [p.geom for p in places])
    carrier = [o for o in adm.get("epci", []) if c.carrier and o[2] == c.carrier["code"]]
    others = [o for o in adm.get("epci", []) if not c.carrier or o[2] != c.carrier["code"]] + adm.get("departement", [])
    n_contour = sum(1 for p in places if p.kind == "contour")
    line = sources.source_line(["ANCT / SIG Ville (contours)" if n_contour else "ANCT (communes des quartiers)",
                     "ANCT (contours administratifs simplifiés)"], None, c.generation)
    return locator.locator_map(places, outlines=others, strong_outlines=carrier, source_line=line,
                               width=width, height=height)


def slide_glance(prs, con, c: ct.Content, png: bytes | None) -> None:
    """The contract at a glance: the map of its quartiers (numbers = rows of the ranking) and key figures."""
    gen = vocabulary.generation_label(c.generation)
    s = K.titled_slide(prs, "Le contrat en un coup d'œil",
                       f"{len(c.quartiers)} quartiers prioritaires ({gen}) — porteur : "
                       f"{c.carrier['name'] if c.carrier else 'non renseigné'}")
    map_w = Inches(7.4)
    if png:
        K.picture(s, png, K.MARGIN, K.BODY_TOP, height=Inches(5.25))
    else:
        K.text(s, "Aucune géométrie disponible pour ces quartiers.", K.MARGIN, K.BODY_TOP, map_w, Inches(1))
    left = K.MARGIN + map_w + Inches(0.35)
    w = K.WIDTH - K.MARGIN - left
    figs = pc.key_figures(len(c.quartiers), c.population, None, c.means, c.life, c.today)
    top = K.BODY_TOP
    step = min(Inches(1.25), Inches(5.4) / max(len(figs), 1))
    for f in figs:
        K.text(s, f.value, left, top, w, Inches(0.55), size=26, bold=True, colour=K.NAVY)
        K.text(s, f.label + (f" ({f.note})" if f.note else ""), left, top + Inches(0.5), w, step - Inches(0.5),
               size=14, colour=K.GREY)
        top += step
    K.source_line(s, sources.source_line(["ANCT (quartiers, contrats, population)", "ASP / FONJEP via ANCT (postes)"]
                                         + (["saisie du contrat"] if c.life else []), None, c.generation,
                                         demo=c.demo), demo=c.demo)
    K.notes(s, [f"{q.number}. {q.label}" for q in c.quartiers])


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


def slide_ranking(prs, con, c: ct.Content) -> None:
    """One heat table: quartiers (rows, highest poverty first) × key indicators; each cell is the quartier's
    baromètre value with its light (colour + symbol)."""
    rk = pc.ranking([(q.number, q.label, q.view) for q in c.quartiers])
    width = K.WIDTH - 2 * K.MARGIN
    col_w = [3.1] + [1.55] * (len(rk["header"]) - 1)
    label_w = width * col_w[0] / sum(col_w)
    pages = ranking_pages(rk["rows"], label_w)
    if natural_pages(rk["rows"], label_w) > len(pages):
        # a large contract: one line per quartier (name cut to the column; full names in the notes)
        for r in rk["rows"]:
            r["label"] = one_line(r["label"], label_w)
        pages = ranking_pages(rk["rows"], label_w)
    for k, chunk in enumerate(pages):
        title = "Les quartiers sur six indicateurs clés" + (f" ({k + 1}/{len(pages)})" if len(pages) > 1 else "")
        s = K.titled_slide(prs, title, f"Par taux de pauvreté décroissant — {pc.light_legend()} que la commune, "
                                       "l'EPCI ou l'ensemble des QPV")
        rows = []
        for r in chunk:
            row = [{"text": f"{r['number']}. {r['label']}", "bold": True}]
            for cell in r["cells"]:
                lt = cell["light"]
                if lt is not None and lt.code:
                    row.append({"text": f"{lt.symbol} {cell['text']}", "fill": K.RGBColor.from_string(lt.color.lstrip('#').upper()),
                                "bold": True, "align": "c"})
                else:
                    row.append({"text": cell["text"], "bold": False, "align": "c",
                                "italic": cell["value"] is None, "colour": K.GREY if cell["value"] is None else None})
            rows.append(row)
        K.table(s, rk["header"], rows, K.MARGIN, K.BODY_TOP + Inches(0.05), width, col_widths=col_w,
                size=RANKING_SIZE, header_size=RANKING_SIZE, row_height=Inches(0.36), first_col_bold=True)
        eds = [(i, e) for i, es in rk["editions"].items() for e in es]
        line = ct.indicator_source_line(con, [i for i, _ in eds], [e for _, e in eds], c.generation_shown)
        approx = any(r["approx"] for r in chunk)
        K.source_line(s, line + (f" — ≈ : {ct.PROXY_NOTE}" if approx else ""))
        notes = [pc.light_legend()]
        for r in chunk:
            q = next(q for q in c.quartiers if q.number == r["number"])
            notes.append(f"{q.number}. {q.label}" + (f" — {q.view.approximation}" if q.view.approximation else ""))
            notes += [f"  {it.light.text} — {it.line}" for it in q.view.items]
        notes.append(barometre_view.reading_note())
        K.notes(s, notes)


def slide_means(prs, con, c: ct.Content) -> None:
    s = K.titled_slide(prs, "Moyens de l'État : adultes-relais et postes FONJEP",
                       "Postes financés dans le contrat, par année (un poste compte une fois par an ; ASP et FONJEP, via l'ANCT)")
    m = c.means
    if m is None or m.empty:
        K.text(s, "Aucun poste adulte-relais ni FONJEP rattaché à ce contrat dans les fichiers de l'ANCT.",
               K.MARGIN, K.BODY_TOP, Inches(10), Inches(1), size=16)
        K.source_line(s, sources.means_line(None, [c.code]))
        return
    years = sorted(m["year"].unique())
    cats = [text.year_text(y) + (" (partiel)" if bool(m.loc[m.year == y, "partial"].any()) else "") for y in years]
    series = {}
    for kind in ("adulte_relais", "fonjep"):
        sub = m[m.kind == kind].set_index("year")
        series[vocabulary.label("means_kinds", kind)] = [int(sub.loc[y, "n_posts"]) if y in sub.index else None
                                                        for y in years]
    w = Inches(6.2)
    K.chart(s, "column", cats, series, K.MARGIN, K.BODY_TOP, w, Inches(4.9), number_format='# ##0',
            title="Nombre de postes financés", labels=True, colours=["1F4E79", "B5651D"])
    rows = pc.means_rows(m)
    K.table(s, ["Année", "Adultes-relais", "Montant", "FONJEP", "Montant"], rows, K.MARGIN + w + Inches(0.3),
            K.BODY_TOP + Inches(0.2), K.WIDTH - 2 * K.MARGIN - w - Inches(0.3), size=12,
            col_widths=[1.1, 1.25, 1.45, 1.0, 1.4], header_size=12)
    files = sorted(set(", ".join(m["source_file"].dropna()).split(", ")))
    K.source_line(s, sources.means_line(years, [c.code]) + " — fichiers " + ", ".join(files)
                  + " — * année partielle (fichier 2025 incomplet).")
    sm = pc.means_summary(m)
    K.notes(s, [f"En {sm['year']} : {sm['adultes_relais']} postes d'adultes-relais et {sm['fonjep']} postes FONJEP "
                f"({text.eur_text(sm['amount'])}).",
                "Règle de compte : un poste compte une fois par contrat et par année (indicators/means.py)."])


def slide_programmation(prs, con, c: ct.Content) -> None:
    """Programmation of the current year: granted amounts by theme (native chart) and money vs need per
    quartier (€ per inhabitant next to the poverty rate)."""
    life = c.life or {}
    if not life.get("n_actions"):
        return
    year = life["year"]
    s = K.titled_slide(prs, f"Programmation {year} : thèmes et besoins",
                       "Montants accordés (actions accordées ou soldées) ; par quartier : euros par habitant et "
                       "taux de pauvreté")
    if c.demo:
        K.demo_badge(s)
    th = life["by_theme"]
    th = th[th["montant_accorde"] > 0].sort_values("montant_accorde", ascending=True).tail(8)
    w = Inches(6.0)
    if len(th):
        K.chart(s, "bar", [str(x)[:34] for x in th["thematique"]], {"Montant accordé (€)": th["montant_accorde"].tolist()},
                K.MARGIN, K.BODY_TOP, w, Inches(5.0), number_format='# ##0" €"',
                title=f"Montants accordés par thème en {year}", labels=True, legend=False)
    mv = life.get("money_vs_need")
    left = K.MARGIN + w + Inches(0.3)
    tw = K.WIDTH - K.MARGIN - left
    if mv is not None and len(mv):
        mv = mv.sort_values("montant_accorde", ascending=False).head(9)
        rows = []
        for r in mv.itertuples():
            approx = r.method == "approx_qp2015"
            rows.append([{"text": r.label, "bold": True},
                         text.eur_text(r.montant_accorde),
                         text.value_text(r.euros_par_habitant, r.status_habitant, "€", 0, approx=approx),
                         text.value_text(r.tx_pauvrete, r.pauv_status, "%", 1, approx=approx)])
        K.table(s, ["Quartier", "Accordé", "€ / habitant", "Pauvreté"], rows, left, K.BODY_TOP, tw, size=12,
                header_size=12, col_widths=[2.6, 1.3, 1.1, 1.0], row_height=Inches(0.34))
    K.source_line(s, ct.life_source(c) + f" — programmation {year} ; population et taux de pauvreté : INSEE "
                  "(≈ : quartier 2015 correspondant)", demo=c.demo)
    by = life["by_year"]
    cur = by[by["annee"] == year]
    if len(cur):
        r = cur.iloc[0]
        K.notes(s, [f"{text.count_text(r.n_actions)} actions déposées, {text.count_text(r.n_financees)} financées en "
                    f"{year} : {text.eur_text(r.montant_accorde)} accordés dont {text.eur_text(r.montant_accorde_p147)} "
                    f"de l'État (P147)."])


def slide_engagements(prs, con, c: ct.Content) -> None:
    life = c.life or {}
    if not life.get("n_engagements"):
        return
    sig = life["by_signataire"]
    tot = sig[sig["signataire"] == "Ensemble"].iloc[0]
    rate = frformat.fmt_number(tot["taux_realisation"], 0, "%") if tot["taux_realisation"] == tot["taux_realisation"] else "—"
    s = K.titled_slide(prs, "Engagements des signataires",
                       f"{int(tot['total'])} engagements — taux de réalisation {rate} — {int(tot['en_retard'])} en retard "
                       f"au {frformat.fmt_date(c.today)} (échéance dépassée sans réalisation)")
    if c.demo:
        K.demo_badge(s)
    body = sig[sig["signataire"] != "Ensemble"].sort_values("total", ascending=False).head(12)
    body = body.iloc[::-1]
    statuses = [st_ for st_ in vocabulary.labels("engagement_statuses") if st_ in body.columns]
    w = Inches(6.3)
    K.chart(s, "stacked_bar", [str(x)[:38] for x in body["signataire"]],
            {vocabulary.labels("engagement_statuses")[st_]: body[st_].astype(int).tolist() for st_ in statuses},
            K.MARGIN, K.BODY_TOP, w, Inches(5.1), number_format='# ##0', title="Statut des engagements par signataire",
            colours=[vocabulary.color("engagement_statuses", st_).lstrip("#").upper() for st_ in statuses])
    late = life["late"].head(6)
    rows = [[str(r.code), str(r.signataire), {"text": str(r.intitule), "bold": False},
             frformat.fmt_date(r.echeance) if pd.notna(r.echeance) else "—",
             text.count_text(r.jours_de_retard)] for r in late.itertuples()]
    left = K.MARGIN + w + Inches(0.25)
    tw = K.WIDTH - 2 * K.MARGIN - w - Inches(0.25)
    K.text(s, f"Les plus en retard ({len(life['late'])} au total)", left, K.BODY_TOP - Inches(0.05), tw,
           Inches(0.3), size=12, bold=True, colour=K.NAVY)
    if rows:
        K.table(s, ["Signataire", "Engagement", "Échéance", "Jours"], [r[1:] for r in rows], left,
                K.BODY_TOP + Inches(0.35), tw, size=11, col_widths=[1.45, 2.5, 1.1, 0.65], row_height=Inches(0.3),
                first_col_bold=False, text_cols={0, 1}, header_size=11)
    K.source_line(s, ct.life_source(c) + " — tableau de bord des engagements", demo=c.demo)


def slide_since(prs, con, c: ct.Content) -> None:
    """Three columns from indicators.since (same sentences as the pages): new data, reviews, actions voted."""

    ch = c.changes
    s = K.titled_slide(prs, f"Depuis le dernier COPIL ({frformat.fmt_date(ch['since'])})",
                       f"Date de référence : {c.depuis_origin}.")
    if c.demo:
        K.demo_badge(s)
    cols = since_mod.lines(ch)
    life = c.life or {}
    if life.get("n_engagements"):
        late, due = life["late"], life["due"]
        cols["engagements"].insert(0, f"Aujourd'hui : {text.count_text(len(late))} en retard, "
                                      f"{text.count_text(len(due))} à échéance d'ici le {text.date_text(life['due_until'])}.")
    col_w = (K.WIDTH - 2 * K.MARGIN - Inches(0.4)) / 3
    tops = K.BODY_TOP + Inches(0.1)
    demo = " (démo)" if ch.get("demo") else ""
    for i, (key, head) in enumerate((("donnees", "Nouvelles données"), ("engagements", f"Engagements revus{demo}"),
                                     ("actions", f"Actions votées{demo}"))):
        left = K.MARGIN + i * (col_w + Inches(0.2))
        K.text(s, head, left, tops, col_w, Inches(0.4), size=16, bold=True, colour=K.NAVY)
        box_h = Inches(4.85)
        K.text(s, cols[key], left, tops + Inches(0.45), col_w, box_h,
               size=K.fit_size([f"• {t}" for t in cols[key]], col_w, box_h), bullets=True)
    K.source_line(s, sources.source_line(["dates de publication déclarées au catalogue des sources",
                                          "saisie du contrat (points d'étape, échéances, dates de décision)"],
                                         None, None, demo=c.demo), demo=c.demo)
    K.notes(s, [f"{head} : " + " ".join(cols[key]) for key, head in (("donnees", "Nouvelles données"),
                                                                    ("engagements", "Engagements"),
                                                                    ("actions", "Actions votées"))])


def slide_sources(prs, con, c: ct.Content) -> None:
    s = K.titled_slide(prs, "Sources et précautions de lecture")
    rows = [[{"text": r["producer"], "bold": True}, {"text": r["title"], "bold": False},
             r["editions"] or "—", vocabulary.generation_label(r["generation"]) or "—"]
            for r in ct.sources_used(con, c)]
    if c.life:
        rows.append([{"text": "Équipe du contrat", "bold": True},
                     {"text": "Programmation, engagements des signataires, points d'étape (base de saisie)"
                      + (" — DONNÉES DE DÉMONSTRATION" if c.demo else ""), "bold": False}, "—", "—"])
    _, th = K.table(s, ["Producteur", "Données", "Millésimes", "Géographie"], rows, K.MARGIN,
                    K.BODY_TOP - Inches(0.15), K.WIDTH - 2 * K.MARGIN, col_widths=[3.2, 5.6, 1.6, 2.0], size=9,
                    row_height=Inches(0.26), text_cols={0, 1, 2, 3})
    notes = list(sources.insee_caveats())
    notes.append(sources.secret_note())      # generated from the secret rules of catalogue/indicators.yaml
    if c.uses_proxy:
        notes.append(ct.PROXY_NOTE)
    if c.demo:
        notes.append("Données de démonstration : programmation, engagements et points d'étape inventés pour "
                     "montrer l'outil ; à remplacer par les données du contrat.")
    top = K.BODY_TOP - Inches(0.05) + th
    K.text(s, notes, K.MARGIN, top, K.WIDTH - 2 * K.MARGIN, K.HEIGHT - top - Inches(0.5), size=10, bullets=True,
           colour=K.GREY)
    K.source_line(s, "Licence Ouverte / Etalab 2.0 — citer le producteur et le millésime. "
                     "Observatoire des contrats de ville.", demo=c.demo)


def slide_quartier(prs, con, c: ct.Content, q: ct.Quartier) -> None:
    """Appendix (--annexe): the quartier's baromètre, the same lines as the page and the PDF."""
    v = q.view
    s = K.titled_slide(prs, f"{q.number}. {q.name}",
                       f"Baromètre — {q.communes + ' · ' if q.communes else ''}{q.code}"
                       + (f" — {v.approximation}" if v.approximation else ""))
    if not v.items:
        K.text(s, v.empty_message or "", K.MARGIN, K.BODY_TOP, Inches(11), Inches(1), size=16)
        K.source_line(s, sources.source_line("Observatoire des contrats de ville", None, q.generation))
        return
    rows = [[{"text": it.light.text, "fill": K.light_colour(it.light.code), "bold": True, "align": "c"},
             {"text": it.line, "bold": False}] for it in v.items]
    K.table(s, ["Situation", "Indicateur (millésime " + v.millesimes + ")"], rows, K.MARGIN, K.BODY_TOP,
            K.WIDTH - 2 * K.MARGIN, col_widths=[1.8, 10.6], size=13, header_size=13, row_height=Inches(0.4),
            text_cols={1})
    K.source_line(s, v.source_line)
    K.notes(s, [f"{it.label} : {it.sentence} {it.trend_sentence} " + " ".join(it.details) for it in v.items]
            + [barometre_view.reading_note()])


# --------------------------------------------------------------------------- build

MAX_SLIDES = 15


def build(con, contrat: str, out: str | Path, depuis: dt.date | None = None, progress=None,
          today: dt.date | None = None, annexe: bool = False) -> Path:
    """Write the COPIL deck of `contrat` to `out` (.pptx): at most 15 slides, plus one baromètre slide per
    quartier in appendix when `annexe`. progress(fraction, text) is optional."""
    progress = progress or (lambda f, t: None)
    progress(0.0, "Lecture des indicateurs")
    with render.session():  # Chrome starts in its own thread while the figures are gathered
        c = ct.gather(con, contrat, depuis=depuis, today=today, progress=progress, with_fiche=False)
        progress(0.7, "Carte")
        fig = map_figure(con, c, width=760, height=560)
        png = render.to_png(fig, int(fig.layout.width), int(fig.layout.height)) if fig is not None else None
    progress(0.8, "Diapositives")
    prs = K.new_deck()
    slide_title(prs, c)
    slide_glance(prs, con, c, png)
    slide_ranking(prs, con, c)
    slide_since(prs, con, c)
    slide_means(prs, con, c)
    slide_engagements(prs, con, c)
    slide_programmation(prs, con, c)
    slide_sources(prs, con, c)
    assert len(prs.slides) <= MAX_SLIDES, f"{len(prs.slides)} diapositives (au plus {MAX_SLIDES})"
    if annexe:
        for q in c.quartiers:
            slide_quartier(prs, con, c, q)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    prs.core_properties.title = f"COPIL — contrat de ville {c.name}"
    prs.core_properties.language = "fr-FR"
    prs.save(out)
    progress(1.0, "Terminé")
    return out
