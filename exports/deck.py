"""COPIL deck (PPTX, editable) for one contrat de ville.

Slides: title; the quartiers on a map; key indicators with gaps to the EPCI, France and the Ensemble des
QPV; evolution of the main gaps; one barometer slide per quartier; State means; programmation; commitments
and what is late; « Depuis le dernier COPIL »; sources. Charts are native PowerPoint charts (data editable)
except the map (a 300 dpi image rendered offline). Every chart and table carries its source line; secret
values show their status label, never a number; démo data carry « Données de démonstration ».
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
from presentation import sources
from observatoire import frformat, vocabulary
from presentation import text

MAX_ROWS_PER_TABLE = 10


# --------------------------------------------------------------------------- slides

def slide_title(prs, c: ct.Content) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.text = f"Contrat de ville\n{c.name}"
    K._style_runs(s.shapes.title.text_frame, 36, True, K.NAVY)
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
    adm = geo.outlines(con, [p.geom for p in places])
    carrier = [o for o in adm.get("epci", []) if c.carrier and o[2] == c.carrier["code"]]
    others = [o for o in adm.get("epci", []) if not c.carrier or o[2] != c.carrier["code"]] + adm.get("departement", [])
    n_contour = sum(1 for p in places if p.kind == "contour")
    line = sources.source_line(["ANCT / SIG Ville (contours)" if n_contour else "ANCT (communes des quartiers)",
                     "ANCT (contours administratifs simplifiés)"], None, c.generation)
    return locator.locator_map(places, outlines=others, strong_outlines=carrier, source_line=line,
                               width=width, height=height)


def slide_map(prs, con, c: ct.Content, png: bytes | None) -> None:
    s = K.titled_slide(prs, "Les quartiers du contrat",
                       f"{len(c.quartiers)} quartiers prioritaires ({vocabulary.generation_label(c.generation)}) — "
                       f"porteur : {c.carrier['name'] if c.carrier else 'non renseigné'}")
    if png:
        K.picture(s, png, K.MARGIN, K.BODY_TOP, height=Inches(5.6))
    else:
        K.text(s, "Aucune géométrie disponible pour ces quartiers.", K.MARGIN, K.BODY_TOP, Inches(7), Inches(1))
    rows = []
    for q in c.quartiers:
        pop = ct.indicator_of(q.fiche, "pop")
        pop_txt = text.indicator_value_text(pop) if pop and pop["edition"] else "—"
        if q.proxy and pop and pop["edition"]:
            pop_txt += " *"
        rows.append([{"text": str(q.number), "align": "c"}, {"text": q.name, "sub": q.communes, "bold": True}, pop_txt])
    left = K.MARGIN + Inches(8.1)
    K.table(s, ["N°", "Quartier", "Population"], rows, left, K.BODY_TOP, Inches(4.3),
            col_widths=[0.45, 2.65, 1.2], size=10, first_col_bold=False, row_height=Inches(0.3), text_cols={1},
            sub_size=8)
    note = ""
    if c.uses_proxy:
        note = " * population du quartier 2015 correspondant (géographie 2015)."
    K.source_line(s, sources.source_line(["ANCT (quartiers et contrats)", "INSEE (population, SIG Ville)"],
                              None, c.generation) + note)


def slide_key_table(prs, con, c: ct.Content) -> None:
    kt = ct.key_table(con, c)
    chunks = [kt["rows"][i:i + MAX_ROWS_PER_TABLE] for i in range(0, len(kt["rows"]), MAX_ROWS_PER_TABLE)] or [[]]
    for k, chunk in enumerate(chunks):
        title = "Indicateurs clés et écarts aux territoires de référence"
        if len(chunks) > 1:
            title = f"Indicateurs clés et écarts aux références ({k + 1}/{len(chunks)})"
        sub = ("Sous la valeur : écart à l'EPCI, à la France ou à l'ensemble des QPV (points ; rapport pour les "
               "revenus). — : non publié.")
        s = K.titled_slide(prs, title, sub)
        rows = []
        for r in chunk:
            row = [r[0], r[1]]
            for cell in r[2:]:
                st_ = cell.get("status")
                if st_ and st_ not in vocabulary.shown_statuses():
                    row.append({"text": cell["text"], "italic": True, "colour": K.GREY, "bold": False})
                else:
                    row.append({"text": cell["text"], "sub": cell.get("sub", ""), "bold": True})
            rows.append(row)
        for r in kt["ref_rows"]:
            rows.append([{"text": r[0]["text"], "sub": r[0]["sub"], "bold": True, "fill": K.LIGHT_BLUE,
                          "dark": False, "colour": K.NAVY}]
                        + [{"text": x["text"], "sub": x.get("sub", ""), "fill": K.LIGHT_BLUE, "dark": False,
                            "colour": K.NAVY, "bold": False} for x in r[1:]])
        K.table(s, kt["header"], rows, K.MARGIN, K.BODY_TOP, K.WIDTH - 2 * K.MARGIN,
                col_widths=[3.3, 1.2] + [1.6] * (len(kt["header"]) - 2), size=9, row_height=Inches(0.3), sub_size=7)
        note = f" — {ct.PROXY_NOTE}" if kt["proxy"] else ""
        K.source_line(s, kt["source"] + note)


def slide_evolution(prs, con, c: ct.Content) -> None:
    s = K.titled_slide(prs, "Évolution des principaux écarts",
                       "Chaque courbe : un quartier. Rapport au revenu médian de référence (1 = égalité) ; "
                       "écart de taux de pauvreté en points.")
    w = (K.WIDTH - 2 * K.MARGIN - Inches(0.3)) / 2
    for k, (ind, level) in enumerate(ct.EVOLUTION_GAPS):
        g = ct.gap_series(con, c, ind, level)
        left = K.MARGIN + k * (w + Inches(0.3))
        if not g["series"]:
            K.text(s, f"{g['title']} : pas de série disponible (valeurs ou référence non publiées).",
                   left, K.BODY_TOP, w, Inches(1), size=12)
            continue
        fmt = '0.00' if g["gap_kind"] == "ratio" else '+0.0;-0.0;0.0'
        rng = None
        if g["gap_kind"] == "ratio":
            vals = [v for vs in g["series"].values() for v in vs if v is not None]
            rng = (max(0.0, round(min(vals) - 0.05, 1)), None) if vals else None
        K.chart(s, "line", [str(e) for e in g["editions"]], g["series"], left, K.BODY_TOP, w, Inches(5.0),
                number_format=fmt, title=g["title"], legend=True, legend_position="right", value_range=rng)
        K.source_line(s, g["source"] + " — " + g["caveat"]
                      + (f" — {ct.PROXY_NOTE}" if c.uses_proxy else ""),
                      top=K.BODY_TOP + Inches(5.05), left=left, width=w)


def slide_quartier(prs, con, c: ct.Content, q: ct.Quartier) -> None:
    title = f"{q.number}. {q.name}" + (f" ({q.communes})" if q.communes else "")
    sub = f"Baromètre — {q.code}"
    if q.proxy:
        sub += (f" — valeurs du quartier 2015 correspondant : {q.proxy['name']} ({q.proxy['code']})"
                + (f" ; autres correspondances : {', '.join(o['code'] for o in q.other_proxies)}" if q.other_proxies else ""))
    s = K.titled_slide(prs, title, sub)
    rows_b = ct.barometer_rows(q.fiche)
    if not rows_b or all(r["edition"] is None for r in rows_b):
        K.text(s, "Aucun indicateur publié pour ce quartier dans l'entrepôt (ni correspondance 2015 exploitable).",
               K.MARGIN, K.BODY_TOP, Inches(10), Inches(1), size=14)
        K.source_line(s, sources.source_line("Observatoire des contrats de ville", None, q.generation))
        return
    rows = []
    for r in rows_b:
        shown = r["status"] in vocabulary.shown_statuses()
        rows.append([
            {"text": K.light_text(r["light"], shown), "fill": K.light_colour(r["light"]), "bold": True,
             "align": "c", "size": 8},
            {"text": r["label"], "sub": f"millésime {r['edition']}" if r["edition"] else "", "bold": True},
            {"text": r["value_text"], "bold": shown, "italic": not shown, "align": "r"},
            {"text": r["sentence"], "bold": False, "size": 7.5},
            {"text": K.light_text(r["trend_light"], True), "fill": K.light_colour(r["trend_light"]), "bold": True,
             "align": "c", "size": 8},
            {"text": r["trend_sentence"], "bold": False, "size": 7.5},
        ])
    K.table(s, ["Situation", "Indicateur", "Valeur", "Comparaison", "Évolution", "Depuis un millésime comparable"],
            rows, K.MARGIN, K.BODY_TOP, K.WIDTH - 2 * K.MARGIN,
            col_widths=[1.0, 1.9, 0.85, 4.8, 1.0, 3.2], size=9, row_height=Inches(0.3),
            first_col_bold=False, text_cols={1, 3, 5}, sub_size=7)
    eds = [r["edition"] for r in rows_b if r["edition"]]
    ids = [r["indicator_id"] for r in rows_b if r["edition"]]
    line = ct.indicator_source_line(con, ids, eds, "2015" if q.proxy else q.generation)
    K.source_line(s, line)
    K.notes(s, "Voyants : comparaison à la commune, à défaut à l'intercommunalité ou à l'ensemble des quartiers "
               "prioritaires, avec la tolérance déclarée au catalogue ; l'évolution compare des millésimes non "
               "consécutifs (avertissement INSEE). Valeurs couvertes par le secret statistique : statut affiché.")


def slide_means(prs, con, c: ct.Content) -> None:
    s = K.titled_slide(prs, "Moyens de l'État : adultes-relais et postes FONJEP",
                       "Postes financés dans le contrat, par année (données réelles ASP et FONJEP, via l'ANCT)")
    m = c.means
    if m is None or m.empty:
        K.text(s, "Aucun poste adulte-relais ni FONJEP rattaché à ce contrat dans les fichiers de l'ANCT.",
               K.MARGIN, K.BODY_TOP, Inches(10), Inches(1), size=14)
        K.source_line(s, sources.source_line(["ASP / ANCT — Ci.Ville", "FONJEP / ANCT — Ci.Ville"]))
        return
    years = sorted(m["year"].unique())
    cats = [f"{y}{' (partiel)' if bool(m.loc[m.year == y, 'partial'].any()) else ''}" for y in years]
    series = {}
    for kind, label in (("adulte_relais", "Adultes-relais"), ("fonjep", "Postes FONJEP")):
        sub = m[m.kind == kind].set_index("year")
        series[label] = [int(sub.loc[y, "n_posts"]) if y in sub.index else None for y in years]
    w = Inches(6.2)
    K.chart(s, "column", cats, series, K.MARGIN, K.BODY_TOP, w, Inches(4.9), number_format='0',
            title="Nombre de postes financés", labels=True, colours=["1F4E79", "B5651D"])
    rows = []
    for y in years:
        row = [str(y) + (" *" if bool(m.loc[m.year == y, "partial"].any()) else "")]
        for kind in ("adulte_relais", "fonjep"):
            sub = m[(m.year == y) & (m.kind == kind)]
            row += [text.count_text(sub["n_posts"].sum()) if len(sub) else "—", text.eur_text(sub["amount"].sum()) if len(sub) else "—"]
        rows.append(row)
    K.table(s, ["Année", "Adultes-relais", "Montant", "FONJEP", "Montant"], rows, K.MARGIN + w + Inches(0.3),
            K.BODY_TOP + Inches(0.2), K.WIDTH - 2 * K.MARGIN - w - Inches(0.3), size=11,
            col_widths=[1.0, 1.2, 1.5, 1.0, 1.3])
    files = sorted(set(", ".join(m["source_file"].dropna()).split(", ")))
    K.source_line(s, sources.source_line(["ASP / ANCT — Ci.Ville (adultes-relais)", "FONJEP / ANCT — Ci.Ville"], years,
                              None, note="fichiers " + ", ".join(files))
                  + " — * année partielle (fichier 2025 incomplet).", top=K.BODY_TOP + Inches(5.0))


def slide_programmation(prs, con, c: ct.Content) -> None:
    life = c.life or {}
    if not life.get("n_actions"):
        return
    year = life["year"]
    s = K.titled_slide(prs, f"Programmation : synthèse {year}",
                       "Actions déposées et financées, montants sollicités et accordés (accordé = actions accordées ou soldées)")
    if c.demo:
        K.demo_badge(s)
    fin = life["by_financeur"]
    fin = fin[fin["montant_accorde"] > 0].sort_values("montant_accorde", ascending=True)
    w = Inches(6.0)
    if len(fin):
        K.chart(s, "bar", fin["financeur_label"].tolist(), {"Montant accordé (€)": fin["montant_accorde"].tolist()},
                K.MARGIN, K.BODY_TOP, w, Inches(4.9), number_format='#,##0" €"',
                title=f"Montants accordés par financeur en {year}", labels=True, legend=False)
    by = life["by_year"]
    rows = [[str(int(r.annee)), text.count_text(r.n_actions), text.count_text(r.n_financees), text.eur_text(r.montant_sollicite),
             text.eur_text(r.montant_accorde), text.eur_text(r.montant_accorde_p147)] for r in by.itertuples()]
    left = K.MARGIN + w + Inches(0.3)
    tw = K.WIDTH - 2 * K.MARGIN - w - Inches(0.3)
    _, th = K.table(s, ["Année", "Actions", "Financées", "Sollicité", "Accordé", "dont État P147"], rows, left,
                    K.BODY_TOP + Inches(0.2), tw, size=10, col_widths=[0.7, 0.8, 0.95, 1.25, 1.25, 1.25],
                    header_size=9)
    gb = life.get("girls_boys")
    if gb is not None and len(gb):
        tot = gb[gb["thematique"] == "Ensemble"]
        if len(tot):
            r = tot.iloc[0]
            share = (frformat.fmt_number(r["part_filles"], 0, "%") if r["status"] == "ok"
                     else vocabulary.status_label(r["status"]))
            K.text(s, [f"Bénéficiaires prévus {year} : part des filles et des femmes {share} "
                       f"({int(r['n_actions'])} actions renseignées)."], left, K.BODY_TOP + Inches(0.4) + th,
                   tw, Inches(0.8), size=12)
    K.source_line(s, ct.life_source(c) + f" — programmation {', '.join(str(int(y)) for y in by['annee'])}",
                  demo=c.demo)


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
    colours = {"prevu": "B3C5D6", "en_cours": "4A7FB5", "realise": "1B7A3D", "abandonne": "8D6E63",
               "en_retard": "B71C1C"}
    w = Inches(6.3)
    K.chart(s, "stacked_bar", [str(x)[:38] for x in body["signataire"]],
            {vocabulary.labels("engagement_statuses")[st_]: body[st_].astype(int).tolist() for st_ in statuses},
            K.MARGIN, K.BODY_TOP, w, Inches(5.1), number_format='0', title="Statut des engagements par signataire",
            colours=[colours[st_] for st_ in statuses])
    late = life["late"].head(9)
    rows = [[str(r.code), str(r.signataire), {"text": str(r.intitule), "bold": False},
             frformat.fmt_date(r.echeance) if pd.notna(r.echeance) else "—",
             text.count_text(r.jours_de_retard)] for r in late.itertuples()]
    left = K.MARGIN + w + Inches(0.25)
    tw = K.WIDTH - 2 * K.MARGIN - w - Inches(0.25)
    K.text(s, f"Les plus en retard ({len(life['late'])} au total)", left, K.BODY_TOP - Inches(0.05), tw,
           Inches(0.3), size=12, bold=True, colour=K.NAVY)
    if rows:
        K.table(s, ["Réf.", "Signataire", "Engagement", "Échéance", "Jours"], rows, left, K.BODY_TOP + Inches(0.3),
                tw, size=8, col_widths=[0.75, 1.5, 2.5, 0.85, 0.5], row_height=Inches(0.3), first_col_bold=False,
                text_cols={0, 1, 2})
    K.source_line(s, ct.life_source(c) + " — tableau de bord des engagements", demo=c.demo)


def slide_since(prs, con, c: ct.Content) -> None:
    """Three columns from indicators.since (same sentences as the pages): new data, reviews, actions voted."""
    from indicators import since as since_mod

    ch = c.changes
    s = K.titled_slide(prs, f"Depuis le dernier COPIL ({frformat.fmt_date(ch['since'])})",
                       f"Date de référence : {c.depuis_origin}.")
    if c.demo:
        K.demo_badge(s)
    text = since_mod.lines(ch)
    col_w = (K.WIDTH - 2 * K.MARGIN - Inches(0.4)) / 3
    tops = K.BODY_TOP + Inches(0.1)
    demo = " (démo)" if ch.get("demo") else ""
    for i, (key, head) in enumerate((("donnees", "Nouvelles données"), ("engagements", f"Engagements revus{demo}"),
                                     ("actions", f"Actions votées{demo}"))):
        left = K.MARGIN + i * (col_w + Inches(0.2))
        K.text(s, head, left, tops, col_w, Inches(0.4), size=16, bold=True, colour=K.NAVY)
        K.text(s, text[key], left, tops + Inches(0.45), col_w, Inches(4.8), size=10 if len(text[key]) > 4 else 11,
               bullets=True)
    K.source_line(s, sources.source_line(["Entrepôt de l'observatoire (journal de chargement : premier chargement de chaque "
                               "fichier)", "saisie du contrat (points d'étape, dates de décision de la programmation)"],
                              None, None, demo=c.demo), demo=c.demo)


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
    notes.append("Secret statistique : aucune valeur calculée sur moins de 11 ménages fiscaux (revenus) ou "
                 "5 personnes (demandeurs d'emploi) n'est affichée ; la cellule porte son statut.")
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


# --------------------------------------------------------------------------- build

def build(con, contrat: str, out: str | Path, depuis: dt.date | None = None, progress=None,
          today: dt.date | None = None) -> Path:
    """Write the COPIL deck of `contrat` to `out` (.pptx). progress(fraction, text) is optional."""
    progress = progress or (lambda f, t: None)
    progress(0.0, "Lecture des indicateurs")
    with render.session():  # Chrome starts in its own thread while the figures are gathered
        c = ct.gather(con, contrat, depuis=depuis, today=today, progress=progress)
        progress(0.7, "Carte")
        fig = map_figure(con, c)
        png = render.to_png(fig, int(fig.layout.width), int(fig.layout.height)) if fig is not None else None
    progress(0.8, "Diapositives")
    prs = K.new_deck()
    slide_title(prs, c)
    slide_map(prs, con, c, png)
    slide_key_table(prs, con, c)
    slide_evolution(prs, con, c)
    for q in c.quartiers:
        slide_quartier(prs, con, c, q)
    slide_means(prs, con, c)
    slide_programmation(prs, con, c)
    slide_engagements(prs, con, c)
    slide_since(prs, con, c)
    slide_sources(prs, con, c)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    prs.core_properties.title = f"COPIL — contrat de ville {c.name}"
    prs.core_properties.language = "fr-FR"
    prs.save(out)
    progress(1.0, "Terminé")
    return out
