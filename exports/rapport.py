"""Annual report skeleton (DOCX, editable): the sections fixed by the décret n° 2015-1118 of 3 September
2015 (article L. 1111-2 of the CGCT), pre-filled with the contract's figures and charts, the prose left to
the team behind clearly highlighted « [À RÉDIGER — …] » placeholders.

Figures come from the same view as the COPIL deck (presentation.contract.view, with the report's blocks);
this module only lays them out. Charts are NATIVE Word charts (docx_kit.chart: data editable in Word, the deck's
styling) and the map a picture drawn with Pillow (exports/map_picture.py, the deck's map): the report starts no
browser (issue 21).
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from contract import service
from exports import docx_kit as D
from exports import axis, map_picture
from exports import pptx_kit as K
from observatoire import vocabulary
from presentation import contract as pc, locator as locator_view, programmation as prog_view, sources, text

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


GAP_AXIS = {"ratio": "rapport (1 = égalité)", "points": "écart (points)"}   # value axis of the gap evolutions
GAP_REFERENCE = {"ratio": 1, "points": 0}                                  # equality with the reference
GAP_FORMAT = {"ratio": K.number_format(2), "points": K.number_format(1, signed=True)}
MAP_CM = (14, 9.5)                                                         # the map as printed


def _gap_chart(doc, g: dict) -> None:
    """One line per quartier over editions (presentation.contract.gap_series): a ratio around 1, a difference
    in points around 0, the reference drawn as a dashed line and always inside the value axis."""
    kind = g["gap_kind"]
    ref = GAP_REFERENCE[kind]
    values = [x for vals in g["series"].values() for x in vals if x is not None]
    D.chart(doc, "line", [str(e) for e in g["editions"]], g["series"], height_cm=8.5,
            number_format=GAP_FORMAT[kind], title=g["title"], legend_position="right",
            axis_titles=("Millésime", GAP_AXIS[kind]), cross_at=ref, value_range=axis_range(values + [ref]))


def axis_range(values: list[float], ticks: int = 6) -> tuple[float, float] | None:
    """A value axis holding `values` with round bounds (multiples of a step of 1, 2, 2,5 or 5 × 10^k giving
    about `ticks` intervals): the gap charts keep their reference (1 or 0) in view without starting at 0."""
    if not values or min(values) == max(values):
        return None                                        # one value: the chart program's own axis
    lo, hi = min(values), max(values)
    step = axis.round_step(hi - lo, ticks)
    return round(math.floor(lo / step) * step, 10), round(math.ceil(hi / step) * step, 10)


def _map(doc, v: pc.ContractView) -> None:
    """The locator map of the contract's quartiers (numbers = rows of the quartiers' table), its legend and
    source lines as text."""
    m = v.map
    if not m["shapes"]:
        D.para(doc, m["empty"], italic=True, size=9)
        return
    D.figure(doc, map_picture.png(m["shapes"], m["others"], m["strong"], locator_view.COLOURS, *MAP_CM),
             width_cm=MAP_CM[0])
    D.source(doc, locator_view.legend_line(m["shapes"], m["strong"]))
    D.source(doc, m["source_line"])


def _key_table(doc, v: pc.ContractView) -> None:
    kt = v.key_table
    rows = []
    for r in kt["rows"] + kt["ref_rows"]:
        row = [r[0]["text"]]
        for k, cell in enumerate(r[1:]):
            txt = cell["text"]
            if k and cell.get("sub") and cell.get("status") in (None, "ok", "bruite") and r in kt["rows"]:
                txt += f" ({cell['sub']})"
            row.append(txt)
        rows.append(row)
    D.table(doc, kt["header"], rows, widths_cm=[4.2, 1.9] + [2.2] * (len(kt["header"]) - 2), size=7)
    D.source(doc, kt["source"] + (f" — {pc.PROXY_NOTE}" if kt["proxy"] else ""))


def _programmation_block(doc, v: pc.ContractView) -> None:
    p = v.programmation
    if p is None:
        D.para(doc, "Aucune programmation n'est enregistrée pour ce contrat dans l'observatoire.", italic=True)
        return
    D.para(doc, p.sentence, italic=p.by_year[p.by_year["annee"] == p.year].empty)
    if not p.by_year.empty:
        c = prog_view.by_year_chart(p.by_year)
        D.chart(doc, "stacked_column", c.categories,
                {**c.stacked, prog_view.REQUESTED: c.requested, prog_view.GRANTED: c.granted},
                number_format=K.number_format(suffix=" €"), title=prog_view.BY_YEAR_TITLE, colours=c.colours,
                lines=(prog_view.REQUESTED, prog_view.GRANTED), hidden=(prog_view.GRANTED,),
                point_labels={prog_view.GRANTED: c.labels})
        D.source(doc, v.life_source, demo=v.demo)
    if p.theme_rows:
        D.table(doc, p.theme_header, p.theme_rows, widths_cm=[6.5, 2.2, 2.6, 2.6, 1.5])
        D.source(doc, v.life_source + f" — programmation {p.year}", demo=v.demo)
    if p.girls_rows:
        D.para(doc, "Bénéficiaires prévus par sexe (actions financées) — l'équilibre filles / garçons est un point "
                    "d'attention des projets jeunesse.", italic=True, size=9)
        D.table(doc, p.girls_header, p.girls_rows, widths_cm=[7, 3, 3, 2.5])
        D.source(doc, v.life_source + " — effectifs inférieurs au seuil de diffusion masqués (secret)", demo=v.demo)


def _engagements_block(doc, v: pc.ContractView) -> None:
    e = v.engagements
    if e is None:
        D.para(doc, "Aucun engagement de signataire n'est enregistré dans l'observatoire.", italic=True)
        return
    D.table(doc, e.table_header, e.table_rows, widths_cm=[6.5, 2, 1.8, 1.8, 1.8, 2.4], size=8)
    D.source(doc, v.life_source + f" — statuts au {text.date_text(v.today)}", demo=v.demo)


def build(con, contrat: str, annee: int, out: str | Path, progress=None) -> Path:
    """Write the report skeleton of `contrat` for year `annee` to `out` (.docx)."""
    progress = progress or (lambda f, t: None)
    as_of = min(dt.date.today(), dt.date(int(annee), 12, 31))
    with service.reading() as sc:
        v = pc.view(con, contrat, sc, today=as_of, depuis=dt.date(int(annee), 1, 1), year=int(annee),
                    for_report=True, progress=progress)
    progress(0.7, "Document")
    doc = D.new_document()
    doc.core_properties.title = f"Rapport politique de la ville {annee} — {v.name}"
    doc.add_heading(f"Rapport annuel sur la mise en œuvre de la politique de la ville — {annee}", 0)
    D.para(doc, f"{vocabulary.level_label('contrat_de_ville')} {v.name} ({v.code}) — {v.generation_label} — "
                f"{text.quartiers_text(len(v.quartiers))}", bold=True)
    D.para(doc, f"Trame pré-remplie par l'Observatoire des contrats de ville le {text.date_text(dt.date.today())}. "
                "Cadre : article L. 1111-2 du code général des collectivités territoriales et décret n° 2015-1118 "
                "du 3 septembre 2015. Les chiffres, tableaux et graphiques proviennent des données ouvertes "
                "(avec leur source) et des données saisies pour le contrat ; les passages surlignés "
                "« [À RÉDIGER — …] » sont à écrire par l'équipe. Le projet de rapport est soumis aux conseils "
                "citoyens et aux conseils municipaux avant son adoption.", italic=True, size=9)
    if v.demo:
        D.para(doc, f"{sources.DEMO_LABEL} : la programmation, les engagements et les points d'étape "
                    "figurant dans ce document sont inventés pour montrer l'outil.", bold=True, colour=D.DEMO_RED)

    # 1 ------------------------------------------------------------------ orientations
    doc.add_heading(SECTIONS[0], 1)
    D.guide(doc, *GUIDE[0])
    D.placeholder(doc, "principales orientations du contrat et projet de territoire qui a présidé à son "
                       "élaboration ; enjeux retenus avec les habitants")
    D.table(doc, ["N°", vocabulary.level_label("qpv", short=True), "Code", "Commune(s)", "Population"],
            v.quartier_table,
            widths_cm=[0.8, 5, 2.2, 5, 2.5])
    D.source(doc, sources.source_line(["ANCT (quartiers et contrats)", "INSEE (population, SIG Ville)"], None,
                                      v.generation)
             + (" — * population du quartier 2015 correspondant." if v.uses_proxy else ""))
    _map(doc, v)
    if v.referentiel:
        D.para(doc, "Enjeux et objectifs du référentiel d'évaluation du contrat :", bold=True)
        D.bullets(doc, v.referentiel)
        D.source(doc, f"{v.life_source} — {vocabulary.label('import_kinds', 'referentiel')}", demo=v.demo)

    # 2 ------------------------------------------------------------------ situation
    progress(0.75, "Situation des quartiers")
    doc.add_heading(SECTIONS[1], 1)
    D.guide(doc, *GUIDE[1])
    doc.add_heading("2.1 Indicateurs clés et écarts aux territoires de référence", 2)
    _key_table(doc, v)
    doc.add_heading("2.2 Évolution des principaux écarts", 2)
    for g in v.gap_series:
        _gap_chart(doc, g)
        D.source(doc, g["source"] + " — " + g["caveat"])
    doc.add_heading("2.3 Baromètre des quartiers", 2)
    _barometer_table(doc, v)
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
    _engagements_block(doc, v)
    D.placeholder(doc, "présentation par les autres signataires de leurs actions (facultatif)")
    doc.add_heading("3.4 Programmation et moyens mobilisés", 2)
    _programmation_block(doc, v)
    m = v.means
    if not m.empty:
        D.chart(doc, "column", m.categories, m.series, height_cm=7, number_format=K.NUMBER,
                title="Moyens de l'État : postes financés", labels=True, colours=m.colours,
                axis_titles=(None, "postes"))
        D.table(doc, ["Année", "Dispositif", "Postes", "Montant"], m.detail_rows, widths_cm=[3, 5, 2, 3.5])
        D.source(doc, m.source_line + " — données réelles.")

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
    if v.engagements is not None and v.engagements.late_bullets:
        D.para(doc, f"Engagements en retard au {text.date_text(v.today)} ({text.count_text(v.engagements.n_late)}) :",
               bold=True)
        D.bullets(doc, v.engagements.late_bullets)
        D.source(doc, v.life_source, demo=v.demo)

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
    _dsu_candidates(doc, v)
    D.placeholder(doc, "liste des actions financées au titre de la DSU (communes bénéficiaires)")

    # annex --------------------------------------------------------------
    doc.add_heading(SECTIONS[6], 1)
    D.guide(doc, *GUIDE[6])
    for q in v.quartiers:
        D.para(doc, f"Conseil citoyen — {q.name} ({q.communes})", bold=True)
        D.placeholder(doc, f"avis du conseil citoyen du quartier {q.name} sur le projet de rapport")
    doc.add_heading("Avis des conseils municipaux et contributions des signataires", 2)
    D.placeholder(doc, "délibérations des conseils municipaux et contributions des autres signataires")

    doc.add_heading("Sources", 1)
    for producer, title, editions, _ in v.sources:
        D.bullets(doc, [f"{producer} — {title}" + (f" ({editions})" if editions != text.DASH else "")])
    for note in v.notes:
        D.para(doc, note, italic=True, size=8, colour=D.GREY)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    progress(1.0, "Terminé")
    return out


def _barometer_table(doc, v: pc.ContractView) -> None:
    """Quartiers × key indicators, the same cells as the COPIL deck's ranking (each quartier's baromètre
    view): the light's symbol and word, and the value."""
    rk = v.ranking
    if not any(cell["value"] is not None for r in rk["rows"] for cell in r["cells"]):
        D.para(doc, "Pas d'indicateur publié pour ces quartiers.", italic=True)
        return
    rows = [[f"{r['number']}. {r['label']}"]
            + [f"{cell['light'].symbol} {cell['light'].label} ({cell['text']})" if cell["light"] and cell["light"].code
               else cell["text"] for cell in r["cells"]] for r in rk["rows"]]
    D.table(doc, rk["header"], rows, widths_cm=[3.6] + [2.2] * (len(rk["header"]) - 1), size=7.5)
    D.source(doc, rk["source"] + " — voyants : comparaison à la commune, à défaut à l'EPCI ou à l'ensemble des QPV"
             + (f" — ≈ : {pc.PROXY_NOTE}" if v.uses_proxy else ""))


def _dsu_candidates(doc, v: pc.ContractView) -> None:
    p = v.programmation
    if p is None or not p.dsu_rows:
        D.para(doc, p.dsu_empty if p is not None else "Aucune programmation enregistrée.", italic=True, size=9)
        return
    D.table(doc, p.dsu_header, p.dsu_rows, widths_cm=[2.6, 6.5, 4, 3], size=8)
    D.source(doc, v.life_source + f" — programmation {p.year}", demo=v.demo)
