"""Annual report skeleton (DOCX, editable): the sections fixed by the décret n° 2015-1118 of 3 September
2015 (article L. 1111-2 of the CGCT), pre-filled with the contract's figures and charts, the prose left to
the team behind clearly highlighted « [À RÉDIGER — …] » placeholders.

Figures come from the same gathering as the COPIL deck (exports.content → indicators.*); charts are the
project's Plotly builders rendered at 300 dpi in one kaleido session.
"""
from __future__ import annotations

import datetime as dt
from contract import store
from indicators import programmation, referentiel
from pathlib import Path

import pandas as pd

from charts import contract as contract_charts
from charts import copil
from exports import content as ct
from exports import deck as deck_mod
from exports import docx_kit as D
from exports import render
from presentation import contract as pc, sources
from observatoire import frformat, vocabulary
from presentation import text

SECTIONS = [
    "1. Rappel des principales orientations du contrat de ville",
    "2. Évolution de la situation des quartiers prioritaires au regard des objectifs",
    "3. Actions menées au bénéfice des habitants des quartiers",
    "4. Perspectives d'évolution et améliorations nécessaires",
    "5. Articulation avec le renouvellement urbain (NPNRU)",
    "6. Actions financées au titre de la dotation de solidarité urbaine (DSU)",
    "Annexe — Avis des conseils citoyens",
]
# Per section: (what the observatory pre-fills, what the team writes) — said under each heading.
GUIDE = [
    ("liste et carte des quartiers, référentiel d'évaluation saisi.",
     "les orientations du contrat et les enjeux retenus avec les habitants."),
    ("indicateurs clés, écarts aux références et leur évolution, baromètre de chaque quartier (sources et "
     "millésimes indiqués).", "l'analyse au regard des objectifs du contrat."),
    ("engagements des signataires, programmation de l'année, moyens de l'État (adultes-relais, FONJEP).",
     "les actions de l'EPCI, des communes et, s'ils le souhaitent, des autres signataires."),
    ("engagements en retard ou à échéance.",
     "droit commun, coordination, participation des habitants, évaluation, améliorations."),
    ("rien (aucune donnée ouverte du NPNRU dans l'observatoire).", "l'articulation avec les projets ANRU."),
    ("actions cofinancées par les communes dans la programmation (à vérifier).",
     "la liste des actions financées au titre de la DSU."),
    ("un emplacement par quartier.", "les avis des conseils citoyens, des conseils municipaux et des signataires."),
]


def _png(fig, width=900, height=None) -> bytes:
    return render.to_png(fig, width, int(height or fig.layout.height or 480))


def _key_table(doc, con, c: ct.Content) -> None:
    kt = ct.key_table(con, c)
    header = kt["header"]
    rows = []
    for r in kt["rows"] + kt["ref_rows"]:
        row = [r[0]["text"]]
        for cell in r[1:]:
            txt = cell["text"]
            if cell.get("sub") and cell.get("status") in (None, "ok", "bruite") and r in kt["rows"]:
                txt += f" ({cell['sub']})" if cell is not r[1] else ""
            row.append(txt)
        rows.append(row)
    D.table(doc, header, rows, widths_cm=[4.2, 1.9] + [2.2] * (len(header) - 2), size=7)
    D.source(doc, kt["source"] + (f" — {ct.PROXY_NOTE}" if kt["proxy"] else ""))


def _life_block_programmation(doc, c: ct.Content, year: int) -> None:
    life = c.life or {}
    if not life.get("n_actions"):
        D.para(doc, "Aucune programmation n'est enregistrée pour ce contrat dans l'observatoire.", italic=True)
        return
    by = life["by_year"]
    cur = by[by["annee"] == year]
    if cur.empty:
        D.para(doc, f"Pas de programmation {year} enregistrée.", italic=True)
    else:
        r = cur.iloc[0]
        D.para(doc, f"Programmation {year} : {int(r['n_actions'])} actions déposées, {int(r['n_financees'])} "
                    f"financées ; {text.eur_text(r['montant_sollicite'])} sollicités, {text.eur_text(r['montant_accorde'])} accordés "
                    f"dont {text.eur_text(r['montant_accorde_p147'])} de crédits de l'État (programme 147).")
    line = ct.life_source(c)
    fig = contract_charts.programmation_by_year(by, source_line=line, demo=c.demo)
    D.figure(doc, _png(fig))
    D.source(doc, line, demo=c.demo)
    with store.connect() as sc:
        themes = programmation.totals_by_theme(sc, c.code, year)
        girls = programmation.girls_boys(sc, c.code, year)
    if len(themes):
        rows = [[t.thematique, str(int(t.n_financees)), text.eur_text(t.montant_accorde), text.eur_text(t.montant_accorde_p147),
                 frformat.fmt_number(t.part, 0, "%") if t.part == t.part else "—"] for t in themes.itertuples()]
        D.table(doc, ["Thématique", "Actions financées", "Accordé", "dont État P147", "Part"], rows,
                widths_cm=[6.5, 2.2, 2.6, 2.6, 1.5])
        D.source(doc, line + f" — programmation {year}", demo=c.demo)
    if len(girls):
        rows = [[g.thematique, frformat.fmt_int(g.n_f) if pd.notna(g.n_f) else vocabulary.status_label("effectif_insuffisant"),
                 frformat.fmt_int(g.n_m) if pd.notna(g.n_m) else vocabulary.status_label("effectif_insuffisant"),
                 frformat.fmt_number(g.part_filles, 0, "%") if g.status == "ok" else vocabulary.status_label(g.status)]
                for g in girls.itertuples()]
        D.para(doc, "Bénéficiaires prévus par sexe (actions financées) — l'équilibre filles / garçons est un point "
                    "d'attention des projets jeunesse.", italic=True, size=9)
        D.table(doc, ["Thématique", "Filles / femmes", "Garçons / hommes", "Part des filles"], rows,
                widths_cm=[7, 3, 3, 2.5])
        D.source(doc, line + " — effectifs inférieurs au seuil de diffusion masqués (secret)", demo=c.demo)


def _engagements_block(doc, c: ct.Content) -> None:
    life = c.life or {}
    if not life.get("n_engagements"):
        D.para(doc, "Aucun engagement de signataire n'est enregistré dans l'observatoire.", italic=True)
        return
    sig = life["by_signataire"]
    rows = []
    for r in sig.itertuples():
        rate = frformat.fmt_number(r.taux_realisation, 0, "%") if r.taux_realisation == r.taux_realisation else "—"
        rows.append([r.signataire, str(int(r.total)), str(int(r.realise)), str(int(r.en_cours)), str(int(r.en_retard)),
                     rate])
    D.table(doc, ["Signataire", "Engagements", "Réalisés", "En cours", "En retard", "Taux de réalisation"], rows,
            widths_cm=[6.5, 2, 1.8, 1.8, 1.8, 2.4], size=8)
    D.source(doc, ct.life_source(c) + f" — statuts au {frformat.fmt_date(c.today)}", demo=c.demo)


def build(con, contrat: str, annee: int, out: str | Path, progress=None) -> Path:
    """Write the report skeleton of `contrat` for year `annee` to `out` (.docx)."""
    progress = progress or (lambda f, t: None)
    as_of = min(dt.date.today(), dt.date(int(annee), 12, 31))
    with render.session():
        c = ct.gather(con, contrat, today=as_of, depuis=dt.date(int(annee), 1, 1), progress=progress)
        progress(0.7, "Document")
        doc = D.new_document()
        doc.core_properties.title = f"Rapport politique de la ville {annee} — {c.name}"
        doc.add_heading(f"Rapport annuel sur la mise en œuvre de la politique de la ville — {annee}", 0)
        D.para(doc, f"Contrat de ville {c.name} ({c.code}) — {vocabulary.generation_label(c.generation)} — "
                    f"{len(c.quartiers)} quartiers prioritaires", bold=True)
        D.para(doc, f"Trame pré-remplie par l'Observatoire des contrats de ville le {frformat.fmt_date(dt.date.today())}. "
                    "Cadre : article L. 1111-2 du code général des collectivités territoriales et décret n° 2015-1118 "
                    "du 3 septembre 2015. Les chiffres, tableaux et graphiques proviennent des données ouvertes "
                    "(avec leur source) et des données saisies pour le contrat ; les passages surlignés "
                    "« [À RÉDIGER — …] » sont à écrire par l'équipe. Le projet de rapport est soumis aux conseils "
                    "citoyens et aux conseils municipaux avant son adoption.", italic=True, size=9)
        if c.demo:
            D.para(doc, "Données de démonstration : la programmation, les engagements et les points d'étape "
                        "figurant dans ce document sont inventés pour montrer l'outil.", bold=True, colour=D.DEMO_RED)

        # 1 ------------------------------------------------------------------ orientations
        doc.add_heading(SECTIONS[0], 1)
        D.guide(doc, *GUIDE[0])
        D.placeholder(doc, "principales orientations du contrat et projet de territoire qui a présidé à son "
                           "élaboration ; enjeux retenus avec les habitants")
        rows = []
        for q in c.quartiers:
            pop = ct.indicator_of(q.fiche, "pop")
            rows.append([str(q.number), q.name, q.code, q.communes,
                         text.indicator_value_text(pop) + (" *" if q.proxy else "") if pop and pop["edition"] else "—"])
        D.table(doc, ["N°", "Quartier", "Code", "Commune(s)", "Population"], rows, widths_cm=[0.8, 5, 2.2, 5, 2.5])
        D.source(doc, sources.source_line(["ANCT (quartiers et contrats)", "INSEE (population, SIG Ville)"], None, c.generation)
                 + (" — * population du quartier 2015 correspondant." if c.uses_proxy else ""))
        fig = deck_mod.map_figure(con, c)
        if fig is not None:
            D.figure(doc, _png(fig, int(fig.layout.width), int(fig.layout.height)), width_cm=14)
            D.source(doc, "Carte : contours des quartiers (ANCT / SIG Ville) et limites administratives (ANCT).")
        tree = _referentiel(c)
        if tree:
            D.para(doc, "Enjeux et objectifs du référentiel d'évaluation du contrat :", bold=True)
            D.bullets(doc, tree)
            D.source(doc, ct.life_source(c) + " — référentiel d'évaluation", demo=c.demo)

        # 2 ------------------------------------------------------------------ situation
        progress(0.75, "Situation des quartiers")
        doc.add_heading(SECTIONS[1], 1)
        D.guide(doc, *GUIDE[1])
        doc.add_heading("2.1 Indicateurs clés et écarts aux territoires de référence", 2)
        _key_table(doc, con, c)
        doc.add_heading("2.2 Évolution des principaux écarts", 2)
        for ind, level in ct.EVOLUTION_GAPS:
            g = ct.gap_series(con, c, ind, level)
            if g["series"]:
                D.figure(doc, _png(copil.gap_lines(g, source_line=g["source"]), 900, 480))
                D.source(doc, g["source"] + " — " + g["caveat"])
        doc.add_heading("2.3 Baromètre des quartiers", 2)
        _barometer_table(doc, con, c)
        D.placeholder(doc, "analyse de l'évolution de la situation au regard des objectifs du contrat (et des "
                           "objectifs de l'article 1er de la loi du 21 février 2014)")

        # 3 ------------------------------------------------------------------ actions
        progress(0.85, "Actions et moyens")
        doc.add_heading(SECTIONS[2], 1)
        D.guide(doc, *GUIDE[2])
        doc.add_heading("3.1 Actions de l'EPCI", 2)
        D.placeholder(doc, "actions menées par l'intercommunalité au titre de ses compétences, année " + str(annee))
        doc.add_heading("3.2 Actions des communes", 2)
        D.placeholder(doc, "actions menées par chaque commune au titre de ses compétences")
        doc.add_heading("3.3 Actions des autres signataires (engagements)", 2)
        _engagements_block(doc, c)
        D.placeholder(doc, "présentation par les autres signataires de leurs actions (facultatif)")
        doc.add_heading("3.4 Programmation et moyens mobilisés", 2)
        _life_block_programmation(doc, c, int(annee))
        m = c.means
        if m is not None and len(m):
            fig = contract_charts.state_means(m, source_line=sources.source_line(["ASP / ANCT — Ci.Ville", "FONJEP / ANCT — Ci.Ville"],
                                                                       sorted(m["year"].unique())))
            D.figure(doc, _png(fig, 900, 380))
            rows = [[str(int(r.year)) + (" (partiel)" if r.partial else ""), r.label, str(int(r.n_posts)), text.eur_text(r.amount)]
                    for r in m.itertuples()]
            D.table(doc, ["Année", "Dispositif", "Postes", "Montant"], rows, widths_cm=[3, 5, 2, 3.5])
            D.source(doc, sources.source_line(["ASP / ANCT — Ci.Ville (adultes-relais)", "FONJEP / ANCT — Ci.Ville"],
                                   sorted(m["year"].unique())) + " — données réelles ; 2025 partiel.")

        # 4 ------------------------------------------------------------------ perspectives
        doc.add_heading(SECTIONS[3], 1)
        D.guide(doc, *GUIDE[3])
        for title, what in (("4.1 Renforcement du droit commun", "mobilisation des politiques de droit commun "
                             "(éducation, emploi, santé, sécurité, logement) dans les quartiers"),
                            ("4.2 Coordination des acteurs et des politiques publiques", "gouvernance, COPIL/COTECH, "
                             "articulation avec les autres dispositifs (cités éducatives, cités de l'emploi)"),
                            ("4.3 Participation des habitants", "conseils citoyens, tables de quartier, enquêtes "
                             "habitants, budget participatif"),
                            ("4.4 Évaluation", "démarche d'évaluation, référentiel, résultats des évaluations "
                             "d'actions")):
            doc.add_heading(title, 2)
            D.placeholder(doc, what)
        late = (c.life or {}).get("late")
        if late is not None and len(late):
            D.para(doc, f"Engagements en retard au {frformat.fmt_date(c.today)} ({len(late)}) :", bold=True)
            D.bullets(doc, [f"{r.code} — {r.signataire} : {r.intitule} (échéance "
                            f"{frformat.fmt_date(r.echeance)})" for r in late.head(15).itertuples()])
            D.source(doc, ct.life_source(c), demo=c.demo)

        # 5 ------------------------------------------------------------------ NPNRU
        doc.add_heading(SECTIONS[4], 1)
        D.guide(doc, *GUIDE[4])
        D.para(doc, "L'observatoire ne contient pas de données sur les projets de renouvellement urbain (NPNRU).",
               italic=True, size=9)
        D.placeholder(doc, "articulation entre le volet urbain (projets ANRU) et les volets social et économique "
                           "du contrat ; calendrier et avancement des opérations")

        # 6 ------------------------------------------------------------------ DSU
        doc.add_heading(SECTIONS[5], 1)
        D.guide(doc, *GUIDE[5])
        D.para(doc, "La base de l'observatoire ne distingue pas la DSU parmi les financements communaux : le "
                    "tableau ci-dessous liste, pour vérification, les actions de la programmation cofinancées par "
                    "une commune.", italic=True, size=9)
        _dsu_candidates(doc, c, int(annee))
        D.placeholder(doc, "liste des actions financées au titre de la DSU (communes bénéficiaires)")

        # annex --------------------------------------------------------------
        doc.add_heading(SECTIONS[6], 1)
        D.guide(doc, *GUIDE[6])
        for q in c.quartiers:
            D.para(doc, f"Conseil citoyen — {q.name} ({q.communes})", bold=True)
            D.placeholder(doc, f"avis du conseil citoyen du quartier {q.name} sur le projet de rapport")
        doc.add_heading("Avis des conseils municipaux et contributions des signataires", 2)
        D.placeholder(doc, "délibérations des conseils municipaux et contributions des autres signataires")

        doc.add_heading("Sources", 1)
        for s in ct.sources_used(con, c):
            D.bullets(doc, [f"{s['producer']} — {s['title']}" + (f" ({s['editions']})" if s["editions"] else "")
                            + f" — {s['licence']}"])
        for note in sources.insee_caveats():
            D.para(doc, note, italic=True, size=8, colour=D.GREY)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    progress(1.0, "Terminé")
    return out


def _barometer_table(doc, con, c: ct.Content) -> None:
    """Quartiers × key indicators, the same cells as the COPIL deck's ranking (presentation.contract.ranking
    of each quartier's baromètre view): the light's symbol and word, and the value."""
    rk = pc.ranking([(q.number, q.label, q.view) for q in c.quartiers])
    if not any(cell["value"] is not None for r in rk["rows"] for cell in r["cells"]):
        D.para(doc, "Pas d'indicateur publié pour ces quartiers.", italic=True)
        return
    rows = []
    for r in rk["rows"]:
        rows.append([f"{r['number']}. {r['label']}"]
                    + [f"{cell['light'].symbol} {cell['light'].label} ({cell['text']})" if cell["light"] and
                       cell["light"].code else cell["text"] for cell in r["cells"]])
    D.table(doc, rk["header"], rows, widths_cm=[3.6] + [2.2] * (len(rk["header"]) - 1), size=7.5)
    eds = [(i, e) for i, es in rk["editions"].items() for e in es]
    D.source(doc, ct.indicator_source_line(con, [i for i, _ in eds], [e for _, e in eds], c.generation_shown)
             + " — voyants : comparaison à la commune, à défaut à l'EPCI ou à l'ensemble des QPV"
             + (f" — ≈ : {ct.PROXY_NOTE}" if c.uses_proxy else ""))


def _referentiel(c: ct.Content) -> list[str]:
    if not c.life:
        return []
    with store.connect() as sc:
        tree = referentiel.tree(sc, c.code)
    out = []
    for e in tree:
        out.append(f"{e['code']} — {e['libelle']}")
        for o in e["children"]:
            out.append(f"    {o['code']} — {o['libelle']}")
    return out


def _dsu_candidates(doc, c: ct.Content, year: int) -> None:
    acts = (c.life or {}).get("actions")
    if acts is None or acts.empty:
        D.para(doc, "Aucune programmation enregistrée.", italic=True, size=9)
        return
    with store.connect() as sc:
        ids = programmation.commune_funded_actions(sc, c.code)
    sel = acts[(acts["annee"] == year) & acts["id"].isin(ids)]
    if sel.empty:
        D.para(doc, f"Aucune action {year} cofinancée par une commune.", italic=True, size=9)
        return
    rows = [[r.numero_dossier, r.intitule, r.porteur_nom, text.eur_text(r.montant_accorde)] for r in sel.itertuples()]
    D.table(doc, ["Dossier", "Action", "Porteur", "Accordé (tous financeurs)"], rows, widths_cm=[2.6, 6.5, 4, 3], size=8)
    D.source(doc, ct.life_source(c) + f" — programmation {year}", demo=c.demo)
