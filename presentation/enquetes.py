"""The Enquêtes habitants page as one view: the perception barometer per quartier and question (share
favourable, n, 95 % interval; hidden under the minimum n), the evolution between two waves, and the
publishable verbatims.

Numbers and codes come from indicators.enquetes (secret rules applied there); this module labels them and
decides every displayed text. Survey titles, questions and verbatims are returned as typed: the page
escapes them at its sink.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators import enquetes as enq_lib, secret
from observatoire import vocabulary
from presentation import contract_life, sources, text

DEMO_WHAT = "Les réponses et verbatims de cette enquête"
SURVEYED = enq_lib.ENSEMBLE           # quartier_code of the row of all the quartiers surveyed (charts put it first)
QUARTIER = vocabulary.level_label("qpv", short=True)   # column header


def surveys(sc, contrat: str) -> dict[int, str]:
    """{id: title} of the contract's surveys."""
    df = enq_lib.enquetes(sc, contrat)
    return dict(zip(df["id"].astype(int), df["titre"]))


def minimum() -> int:
    return secret.threshold(enq_lib.RULE)


@dataclass
class View:
    is_demo: bool
    title: str
    method: str
    waves: dict[int, str]
    wave: int
    intro_counts: str
    source_line: str
    minimum: int
    barometer: pd.DataFrame                  # indicators.enquetes.barometer (charts)
    heat_title: str
    questions: dict[str, str]               # code -> « Q1 – libellé »


def waves(sc, enquete_id: int) -> dict[int, str]:
    """{number: label} of the survey's waves, in order."""
    w = enq_lib.vagues(sc, enquete_id)
    return dict(zip(w["numero"].astype(int), w["libelle"]))


def view(sc, contrat: str, enquete_id: int, wave: int) -> View:
    """The survey `enquete_id`, wave `wave`: the barometer and what the page says around it."""
    s = enq_lib.enquetes(sc, contrat)
    survey = s[s["id"] == enquete_id].iloc[0]
    is_demo = bool(survey["is_demo"])
    ws = enq_lib.vagues(sc, enquete_id)
    labels = dict(zip(ws["numero"].astype(int), ws["libelle"]))
    wrow = ws[ws["numero"] == wave].iloc[0]
    period = (f"{text.date_text(wrow['date_debut'])} – {text.date_text(wrow['date_fin'])}"
              if pd.notna(wrow["date_debut"]) else None)
    producer = contract_life.producer(is_demo, f"Enquête « {survey['titre']} » (équipe du contrat)")
    src = sources.source_line(producer, millesimes=pd.to_datetime(wrow["date_fin"]).year if pd.notna(wrow["date_fin"]) else None,
                              generation="2024", demo=is_demo, note=labels[wave] + (f", {period}" if period else ""))
    qs = enq_lib.questions(sc, enquete_id)
    return View(
        is_demo=is_demo, title=survey["titre"], method=survey["methode"] or "mode de collecte non renseigné",
        waves=labels, wave=wave,
        intro_counts=f"{text.count_text(wrow['n_repondants'])} répondants dans la {labels[wave].lower()}.",
        source_line=src, minimum=minimum(), barometer=enq_lib.barometer(sc, contrat, enquete_id, wave),
        heat_title=f"Baromètre des quartiers — {labels[wave]}",
        questions=dict(zip(qs["code"], qs["code"] + " – " + qs["libelle"])))


@dataclass
class Question:
    scale: str
    table: pd.DataFrame
    export: pd.DataFrame


def question(sc, enquete_id: int, barometer: pd.DataFrame, code: str) -> Question:
    """One question of the wave: its scale and favourable answers, the table per quartier (hidden values
    replaced by their status label or a dash), and the numeric export."""
    qs = enq_lib.questions(sc, enquete_id)
    q = qs[qs["code"] == code].iloc[0]
    d = barometer[barometer["question_code"] == code]

    def shown(values, fmt):
        return [fmt(v) if s == "ok" else text.DASH for v, s in zip(values, d["status"])]

    table = pd.DataFrame({
        QUARTIER: d["quartier"], "Réponses (n)": shown(d["n"], text.count_text),
        "Part favorable": [text.value_text(v, s, "%", 0) for v, s in zip(d["part"], d["status"])],
        "IC 95 % bas": shown(d["bas"], lambda v: text.value_text(v, "ok", None, 0)),
        "IC 95 % haut": shown(d["haut"], lambda v: text.value_text(v, "ok", None, 0))})
    export = pd.DataFrame({QUARTIER: d["quartier"], "Réponses (n)": pd.to_numeric(d["n"]),
                           "Part favorable (%)": pd.to_numeric(d["part"]), "Statut": d["status"],
                           "IC 95 % bas": pd.to_numeric(d["bas"]), "IC 95 % haut": pd.to_numeric(d["haut"])})
    return Question(scale=f"Échelle : {q['echelle_libelle']} ; réponses favorables : {q['favorables']}.",
                    table=table, export=export)


@dataclass
class Evolution:
    frame: pd.DataFrame                     # indicators.enquetes.evolution (charts)
    source_line: str
    table: pd.DataFrame


def evolution(sc, contrat: str, enquete_id: int, code: str, is_demo: bool, title: str) -> Evolution:
    """The two last waves compared per quartier for question `code` (reading labelled from the vocabulary)."""
    evo = enq_lib.evolution(sc, contrat, enquete_id)
    producer = contract_life.producer(is_demo, f"Enquête « {title} » (équipe du contrat)")
    src = sources.source_line(producer, generation="2024", demo=is_demo,
                              note=(f"vagues {text.count_text(evo['vague_1'].iloc[0])} et "
                                    f"{text.count_text(evo['vague_2'].iloc[0])}") if not evo.empty else None)
    e = evo[evo["question_code"] == code]
    hidden = vocabulary.status_label("effectif_insuffisant")
    table = pd.DataFrame({
        QUARTIER: e["quartier"],
        "Vague 1": [text.value_text(v, "ok", "%", 0) if s == "ok" else hidden for v, s in zip(e["part_1"], e["status"])],
        "Vague 2": [text.value_text(v, "ok", "%", 0) if s == "ok" else hidden for v, s in zip(e["part_2"], e["status"])],
        "Écart (points)": pd.to_numeric(e["ecart"]),
        "Lecture": [vocabulary.label("survey_readings", c) for c in e["lecture"]]})
    return Evolution(frame=evo, source_line=src, table=table)


def verbatims(sc, contrat: str, enquete_id: int, limit: int = 12) -> list[dict]:
    """Publishable verbatims: {text, quartier, wave, question (or None)}, newest wave first."""
    df = enq_lib.verbatims(sc, contrat, enquete_id).head(limit)
    return [{"text": r.texte, "quartier": r.quartier, "wave": str(r.vague_libelle).lower(),
             "question": r.question if isinstance(r.question, str) else None} for r in df.itertuples()]
