"""The Programmation page as one view: money and actions of the contract, its social usefulness
(beneficiaries by sex and age, where they live, money against need per quartier) and the State means
(real data) beside it.

Numbers come from indicators.programmation and indicators.means (codes, statuses); this module labels
them (vocabulary), decides every displayed text through presentation.text, and keeps the source lines
with the blocks. User text (titles, porteurs) is returned as typed: the page escapes it at its sink.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators import means as means_lib, programmation as prog_lib, secret
from observatoire import vocabulary
from presentation import contract_life, sources, text

PRODUCER = "Programmation saisie ou importée par l'équipe du contrat"
DEMO_WHAT = "Les actions, montants et bénéficiaires de cette page"
PHASES = vocabulary.labels("beneficiary_phases")
ACTION_STATUSES = vocabulary.labels("action_statuses")
EVALUATION_CRITERIA = vocabulary.labels("evaluation_criteria")
NOTE_MIN = int(vocabulary.term("evaluation_marks", "min")["value"])
NOTE_MAX = int(vocabulary.term("evaluation_marks", "max")["value"])
EDIT_COLUMNS = ["numero_dossier", "intitule", "statut", "date_decision", "thematique", "porteur_nom",
                *EVALUATION_CRITERIA, "evaluation"]


@dataclass
class View:
    year: int
    years: list[int]
    is_demo: bool
    source_line: str
    source_year: str
    metrics: list[tuple[str, str, str | None]]
    by_year: pd.DataFrame
    by_financeur: pd.DataFrame
    by_theme: pd.DataFrame
    themes: list[str]
    means: pd.DataFrame
    means_source: str
    means_real: bool
    need: pd.DataFrame
    need_source: str
    need_table: pd.DataFrame
    need_note: tuple[str, list]                    # an html_fragment template and its values
    homes_source: str
    homes_threshold: int
    quartiers: dict[str, str]


BY_YEAR_TITLE = "Montants de la programmation par année"
GRANTED_P147 = "Accordé – État (P147)"
GRANTED_OTHER = "Accordé – autres financeurs"
REQUESTED = "Sollicité (total)"
GRANTED = "Total accordé"


@dataclass
class ByYearChart:
    """The programmation by year as chart data (the page's Plotly chart and the report's Word chart show the
    same): granted amounts stacked (State P147, other financeurs), the requested total as a line, and above
    each stack the granted total and the number of funded actions. None = no amount (a gap, never 0)."""
    categories: list[str]
    stacked: dict[str, list[float | None]]
    requested: list[float | None]
    granted: list[float | None]
    labels: list[str]
    colours: list[str]              # State P147, other financeurs, requested


def by_year_chart(by_year: pd.DataFrame) -> ByYearChart:
    """indicators.programmation.totals_by_year as a ByYearChart."""
    def amounts(col: str) -> list[float | None]:
        return [None if pd.isna(v) else float(v) for v in by_year[col]]
    granted, p147 = amounts("montant_accorde"), amounts("montant_accorde_p147")
    return ByYearChart(
        categories=[text.year_text(int(y)) for y in by_year["annee"]],
        stacked={GRANTED_P147: p147,
                 GRANTED_OTHER: [None if g is None or s is None else g - s for g, s in zip(granted, p147)]},
        requested=amounts("montant_sollicite"), granted=granted,
        labels=[f"{text.eur_text(g)}\n{text.plural_text(n, 'action')}"
                for g, n in zip(granted, by_year["n_financees"])],
        colours=[vocabulary.color("financeurs", "etat_p147"), vocabulary.color("financeurs", "epci"),
                 vocabulary.palette("text")])


def _source(is_demo: bool, **kw) -> str:
    return contract_life.source_line(is_demo, PRODUCER, generation="2024", **kw)


def years(sc, contrat: str) -> list[int]:
    return prog_lib.years(sc, contrat)


def view(con, sc, contrat: str, year: int) -> View:
    """Everything the page shows above the beneficiaries for `year` (`con` None: no warehouse)."""
    yrs = prog_lib.years(sc, contrat)
    is_demo = contract_life.is_demo(sc, contrat)
    src, src_year = _source(is_demo, millesimes=yrs), _source(is_demo, millesimes=year)
    by_year = prog_lib.totals_by_year(sc, contrat)
    row = by_year[by_year["annee"] == year].iloc[0]
    n_ben, ben_status, n_ben_actions = prog_lib.beneficiaries_total(sc, contrat, year)
    metrics = [(f"Actions financées en {text.year_text(year)}", text.count_text(row["n_financees"]),
                f"{text.count_text(row['n_actions'])} dossiers déposés"),
               ("Montant accordé", text.eur_text(row["montant_accorde"]), "Tous financeurs, actions accordées ou soldées"),
               ("dont État (P147)", text.eur_text(row["montant_accorde_p147"]), None),
               ("Bénéficiaires prévus", text.value_text(n_ben, ben_status, None, 0),
                f"Actions financées qui renseignent leurs bénéficiaires : {text.count_text(n_ben_actions)}")]
    means = means_lib.state_means(con, contrat) if con is not None else pd.DataFrame(columns=means_lib.COLUMNS)
    means = means.assign(label=means["kind"].map(vocabulary.labels("means_kinds")))
    means_src = sources.means_line(means["year"].tolist() if not means.empty else None, [contrat])
    themes = prog_lib.totals_by_theme(sc, contrat, year)
    need = prog_lib.money_vs_need(sc, con, contrat, year)
    approx = (need["method"] == "approx_qp2015").any()
    need_src = sources.source_line(
        contract_life.producer(is_demo, PRODUCER) + ["INSEE / SIG Ville (population, taux de pauvreté)"],
        millesimes=year, generation="2024", demo=is_demo,
        note="population et pauvreté des quartiers 2015 correspondants (approximation)" if approx else None)
    pop, _ = prog_lib.contract_population(con, contrat)
    note = ("Aucun indicateur INSEE n'est encore publié pour les quartiers de la géographie 2024 : la population et "
            "le taux de pauvreté sont, quand c'est possible, ceux du ou des quartiers 2015 correspondants (table de "
            "passage de l'entrepôt) — une <b>approximation</b> signalée par « ≈ » ; sinon « {} ». Le montant d'une "
            "action sur plusieurs quartiers est réparti à parts égales.", [vocabulary.status_label("non_disponible")])
    if pop:
        note = (note[0] + " Population des quartiers du contrat selon l'ANCT : <b>{}</b> habitants, soit <b>{}</b> "
                "accordés par habitant en {}.", note[1] + [text.count_text(pop),
                                                             text.value_text(row["montant_accorde"] / pop, "ok", "€", 2),
                                                             text.year_text(year)])
    qs = prog_lib.quartiers(sc, contrat)
    return View(
        year=year, years=yrs, is_demo=is_demo, source_line=src, source_year=src_year, metrics=metrics,
        by_year=by_year, by_financeur=prog_lib.totals_by_financeur(sc, contrat, year), by_theme=themes,
        themes=sorted(themes["thematique"].unique().tolist()), means=means, means_source=means_src,
        means_real=not means.empty, need=need, need_source=need_src, need_table=need_table(need), need_note=note,
        homes_source=sources.source_line(contract_life.producer(is_demo, PRODUCER)
                                         + ["fichiers de bénéficiaires localisés sur les contours ANCT des QPV 2024"],
                                         millesimes=year, generation="2024", demo=is_demo),
        homes_threshold=secret.threshold("beneficiaires"), quartiers=dict(zip(qs["quartier_code"], qs["label"])))


def need_table(need: pd.DataFrame) -> pd.DataFrame:
    """Money against need per quartier: amounts, population and poverty (numbers, « ≈ » said in Méthode)."""
    return pd.DataFrame({
        vocabulary.level_label("qpv", short=True): need["label"], "Code": need["quartier_code"],
        "Actions financées": need["n_actions"],
        "Montant accordé (€)": need["montant_accorde"], "dont État P147 (€)": need["montant_accorde_p147"],
        "Population": pd.to_numeric(need["population"]), "Taux de pauvreté (%)": pd.to_numeric(need["tx_pauvrete"]),
        "€ par habitant": pd.to_numeric(need["euros_par_habitant"]),
        "€ par habitant pauvre": pd.to_numeric(need["euros_par_pauvre"]),
        "Bénéficiaires résidant en QPV (%)": [text.value_text(v, s, "%", 0) for v, s in
                                              zip(need["benef_part_qpv"], need["benef_part_qpv_status"])],
        "Bénéficiaires résidant dans le quartier": [text.value_text(v, s, None, 0) for v, s in
                                                    zip(need["benef_residents"], need["benef_residents_status"])],
        "Méthode": [f"≈ quartier(s) 2015 {c}" if m == "approx_qp2015" else "quartier 2024" if m == "qpv2024"
                    else vocabulary.status_label("non_disponible") for m, c in zip(need["method"], need["codes_2015"])],
    })


@dataclass
class Beneficiaries:
    pyramid: pd.DataFrame
    girls: pd.DataFrame
    pyramid_title: str
    minors_sentence: str | None           # Markdown with bold numbers (constants and formatted numbers only)
    caption: str


def beneficiaries(sc, contrat: str, year: int, phase: str) -> Beneficiaries:
    """Beneficiaries of the funded actions of `year` (planned or actual): pyramid, girls' share per theme,
    the girls' share among minors."""
    young = prog_lib.girls_boys(sc, contrat, year, phase=phase, minors_only=True)
    ens = young[young["thematique"] == vocabulary.row_label("total")]
    sentence = None
    if not ens.empty and ens.iloc[0]["status"] == "ok":
        sentence = (f"Parmi les **moins de 18 ans**, les filles représentent "
                    f"**{text.value_text(ens.iloc[0]['part_filles'], 'ok', '%', 0)}** des bénéficiaires "
                    f"{PHASES[phase]} en {text.year_text(year)}.")
    t = secret.threshold("beneficiaires")
    return Beneficiaries(
        pyramid=prog_lib.beneficiaries(sc, contrat, year, phase=phase, by="sexe_age"),
        girls=prog_lib.girls_boys(sc, contrat, year, phase=phase),
        pyramid_title=f"Bénéficiaires {PHASES[phase]} par sexe et âge ({text.year_text(year)})",
        minors_sentence=sentence,
        caption=(f"Comptes de personnes : sous {text.count_text(t)} bénéficiaires, la valeur est masquée "
                 f"(« {vocabulary.status_label('effectif_insuffisant')} »), et une seconde valeur l'est aussi quand "
                 "le total permettrait de la retrouver."))


def actions_table(sc, contrat: str, year: int, **filters) -> tuple[pd.DataFrame, list[int], str]:
    """(display table, ids of the rows shown, count sentence) of the actions of `year` with the filters
    (thematique, statut, quartier, porteur)."""
    acts = prog_lib.actions(sc, contrat, year, **filters)
    shown = pd.DataFrame({
        "N° dossier": acts["numero_dossier"], "Porteur": acts["porteur_nom"], "Intitulé": acts["intitule"],
        "Thématique": acts["thematique"], "Statut": [text.label("action_statuses", s) for s in acts["statut"]],
        "Quartiers": acts["quartiers"], "Sollicité (€)": acts["montant_sollicite"],
        "Accordé (€)": acts["montant_accorde"], "dont P147 (€)": acts["montant_accorde_p147"],
        "Bénéficiaires prévus": [text.value_text(v, s, None, 0)
                                 for v, s in zip(acts["beneficiaires_prevus"], acts["beneficiaires_prevus_statut"])],
    })
    return shown, acts["id"].tolist(), f"{text.plural_text(len(acts), 'action affichée', 'actions affichées')}."


def residence_table(sc, contrat: str, year: int) -> pd.DataFrame:
    """Per funded action with a beneficiaries file: located beneficiaries, shares living in a QPV and in
    the quartiers targeted (guarded: status labels under the threshold)."""
    homes = prog_lib.residence_by_action(sc, contrat, year)
    return pd.DataFrame({
        "N° dossier": homes["numero_dossier"], "Action": homes["intitule"],
        "Bénéficiaires localisés": [text.value_text(v, s, None, 0) for v, s in
                                    zip(homes["n_localises_shown"], homes["n_localises_status"])],
        "Résidant en QPV": [text.value_text(v, s, "%", 0) for v, s in zip(homes["part_qpv"], homes["part_qpv_status"])],
        "Résidant dans les quartiers visés": [text.value_text(v, s, "%", 0) for v, s in
                                              zip(homes["part_cible"], homes["part_cible_status"])],
    })
