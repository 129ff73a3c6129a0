"""The Engagements page as one view: the cooperative dashboard of the signataires' commitments — key
figures, statuses by signataire / axis / référent, what is late or due before the horizon, what moved since
the last COPIL, and one commitment's history.

The due-date horizon is THE rule of indicators.engagements.horizon (the next COPIL when given, else the
declared number of days): the COPIL deck's « à échéance d'ici le … » shows the same date. Statuses are
labelled here (codes from indicators/); user text (titles, signataires, comments) is returned as typed:
the page escapes it at its sink.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from indicators import engagements as eng_lib
from observatoire import vocabulary
from presentation import contract_life, since as since_view, text

PRODUCER = "Tableau de bord des signataires (saisie)"
STATUS_CHOICES = vocabulary.labels("engagement_statuses")     # the point d'étape form: code -> label
INSTANCE_CHOICES = vocabulary.labels("review_instances")
DEMO_WHAT = "Les engagements, signataires non institutionnels et points d'étape de cette page"


@dataclass
class Defaults:
    """What the page's sidebar proposes before the user chooses: the horizon, the last COPIL, référents."""
    horizon: dt.date
    since: dt.date
    referents: list[str]
    empty: bool
    is_demo: bool


@dataclass
class View:
    today: dt.date
    horizon: dt.date
    since: dt.date
    is_demo: bool
    source_line: str
    metrics: list[tuple[str, str, str | None]]        # (label, value, help)
    by_signataire: pd.DataFrame                       # indicators.engagements.status_counts (charts)
    by_axe: pd.DataFrame
    by_referent: pd.DataFrame
    late_title: str
    late: pd.DataFrame                                # display tables (text)
    due_title: str
    due: pd.DataFrame
    moved_title: str
    moved: pd.DataFrame
    since_title: str
    since_view: since_view.SinceView
    all_rows: pd.DataFrame
    choices: dict[int, str] = field(default_factory=dict)
    rows: pd.DataFrame | None = None                  # the commitments shown (codes), for the editor's ids


def defaults(sc, contrat: str, today: dt.date) -> Defaults:
    """The horizon (indicators.engagements.horizon), the last COPIL recorded before today (else six months
    ago), the référents of the contract's commitments."""
    rows = eng_lib.engagements(sc, contrat, today)
    past = [d for d in eng_lib.next_review_dates(sc, contrat) if d <= today]
    return Defaults(horizon=eng_lib.horizon(today), since=past[0] if past else today - dt.timedelta(days=180),
                    referents=sorted(rows["referent"].dropna().unique()), empty=rows.empty,
                    is_demo=contract_life.is_demo(sc, contrat, "engagement"))


status_label = since_view.status_label       # « En retard »…: one label function for a commitment's status


def _date(d) -> str:
    return text.date_text(d) if pd.notna(d) else ""


def table(df: pd.DataFrame, extra: dict | None = None) -> pd.DataFrame:
    """The commitments as the page lists them: reference, signataire, title, référent, due date, status."""
    out = {"Réf.": df["code"], "Signataire": df["signataire"], "Engagement": df["intitule"],
           "Référent": df["referent"], "Échéance": [_date(d) for d in df["echeance"]],
           "Statut": [status_label(s) for s in df["statut_effectif"]],
           "Dernier point": [_date(d) for d in df["dernier_point"]]}
    out.update(extra or {})
    return pd.DataFrame(out)


def view(con, sc, contrat: str, today: dt.date, horizon: dt.date | None, since: dt.date,
         referent: str | None = None) -> View:
    """Everything the Engagements page shows for a contract at `today`, `horizon` being the date the user
    chose for the next COPIL (Defaults.horizon proposes the rule's)."""
    horizon = horizon or eng_lib.horizon(today)
    is_demo = contract_life.is_demo(sc, contrat, "engagement")
    all_rows = eng_lib.engagements(sc, contrat, today)
    rows = all_rows if referent is None else all_rows[all_rows["referent"] == referent]
    counts = eng_lib.status_counts(sc, contrat, "signataire", today, referent=referent)
    total = counts[counts["signataire"] == eng_lib.TOTAL].iloc[0]
    late = eng_lib.late(sc, contrat, today)
    due = eng_lib.due_before(sc, contrat, horizon, today)
    if referent:
        late, due = late[late["referent"] == referent], due[due["referent"] == referent]
    src = contract_life.source_line(is_demo, PRODUCER, millesimes=today.year,
                                    note=f"situation au {text.date_text(today)}")
    due_title = f"À échéance d'ici le {text.date_text(horizon)}"
    done, overdue = (vocabulary.label("engagement_statuses", s, plural=True) for s in ("realise", "en_retard"))
    metrics = [("Engagements", text.count_text(total["total"]), None),
               (done, text.count_text(total["realise"]), None),
               ("Taux de réalisation", text.value_text(total["taux_realisation"], "ok", "%", 0),
                "Réalisés / (tous − abandonnés)"),
               (overdue, text.count_text(len(late)),
                "Statut « en retard », ou échéance dépassée sans être réalisé ni abandonné"),
               (due_title, text.count_text(len(due)), None)]
    moved = eng_lib.reviews_since(sc, contrat, since)
    moved_table = pd.DataFrame({"Date": [text.date_text(d) for d in moved["date_point"]], "Réf.": moved["code"],
                                "Signataire": moved["signataire"], "Engagement": moved["intitule"],
                                "Statut": [status_label(s) for s in moved["statut"]],
                                "Commentaire": moved["commentaire"]})
    sv = since_view.view(con, sc, contrat, since, today)
    return View(
        today=today, horizon=horizon, since=since, is_demo=is_demo, source_line=src, metrics=metrics,
        by_signataire=counts, by_axe=eng_lib.status_counts(sc, contrat, "axe", today, referent=referent),
        by_referent=eng_lib.status_counts(sc, contrat, "referent", today),
        late_title=f"{overdue} ({text.count_text(len(late))})",
        late=table(late, {"Jours de retard": late["jours_de_retard"]}),
        due_title=f"{due_title} ({text.count_text(len(due))})", due=table(due),
        moved_title=f"Points d'étape depuis le {text.date_text(since)} ({text.count_text(len(moved))})",
        moved=moved_table,
        since_title=f"Depuis le {text.date_text(since)} : nouvelles données et actions votées",
        since_view=sv,
        all_rows=table(rows, {"Axe": rows["axe"], "Indicateur": rows["indicateur"],
                              "Référence": rows["valeur_reference"], "Cible": rows["valeur_cible"],
                              "Dernière valeur": rows["derniere_valeur"]}),
        choices={int(r.id): f"{r.code} — {r.signataire} : {r.intitule}" for r in rows.itertuples()},
        rows=rows[["id", "code", "signataire", "statut", "row_version", "is_demo"]].reset_index(drop=True))


@dataclass
class Commitment:
    """One commitment: its facts (user text as typed), its history table and chart inputs."""
    id: int
    code: str
    signataire: str
    title: str
    facts: list[tuple[str, str]]                      # (label, value) pairs, values as typed
    status_label: str
    statut: str
    row_version: int
    is_demo: bool
    history: pd.DataFrame                             # indicators.engagements.history (chart)
    history_table: pd.DataFrame
    chart_label: str
    target: float | None
    reference: float | None


def commitment(sc, contrat: str, engagement_id: int, today: dt.date) -> Commitment:
    """The chosen commitment with its points d'étape (oldest first)."""
    rows = eng_lib.engagements(sc, contrat, today)
    e = rows[rows["id"] == engagement_id].iloc[0]
    hist = eng_lib.history(sc, engagement_id)
    facts = [("référent", e["referent"] or vocabulary.row_label("missing").lower()), ("axe", e["axe"] or text.DASH),
             ("échéance", text.date_text(e["echeance"]) if pd.notna(e["echeance"]) else text.DASH)]
    if pd.notna(e["preuve"]) and e["preuve"]:
        facts.append(("preuve", e["preuve"]))
    return Commitment(
        id=int(e["id"]), code=e["code"], signataire=e["signataire"], title=e["intitule"], facts=facts,
        status_label=status_label(e["statut_effectif"]), statut=e["statut"], row_version=int(e["row_version"]),
        is_demo=bool(e["is_demo"]), history=hist,
        history_table=pd.DataFrame({"Date": [text.date_text(d) for d in hist["date_point"]],
                                    "Statut": [status_label(s) for s in hist["statut"]],
                                    "Valeur": hist["valeur_constatee"], "Commentaire": hist["commentaire"],
                                    "Instance": hist["instance"]}),
        chart_label=f"{e['code']} {e['indicateur'] or e['intitule']}",
        target=e["valeur_cible"], reference=e["valeur_reference"])


def signataire_names(sc, contrats) -> list[str]:
    """Signataires' names of the given contracts, sorted (the Comptes page offers them for a partner account:
    the names as imported, to limit typos)."""
    return sorted({n for c in contrats for n in eng_lib.signataires(sc, c)["nom"].dropna()})
