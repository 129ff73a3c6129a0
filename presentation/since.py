"""« Depuis le dernier COPIL » in French: the one wording of what changed since a date, for the COPIL deck's
slide and the Engagements page (indicators.since gives the tables: publications, imports, points d'étape,
actions voted).

New data counts publications AND imports alike: a file imported on 06/12/2026 is never listed under
« Aucune nouvelle publication de données » without the first line saying so. Commitments are named by
their title (never their internal reference alone), signataires and file names as typed, authors as people
(presentation.sources.imported_by_text).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from babel.dates import format_date

from indicators import engagements as engagements_lib, since as since_lib
from observatoire import frformat, vocabulary
from presentation import sources, text

MAX_ITEMS = 6                   # lines per column (a slide column holds about six bullets)
REVIEW, REVIEWS = "point d'étape", "points d'étape"
COLUMNS = (("donnees", "Nouvelles données"), ("engagements", "Engagements revus"), ("actions", "Actions votées"))


@dataclass
class SinceView:
    """The three columns of « Depuis le dernier COPIL » and their headings (démo-labelled when démo)."""
    since: dt.date
    today: dt.date
    origin: str                                  # why this date (vocabulary since_origins)
    columns: dict[str, list[str]] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    demo: bool = False

    @property
    def title(self) -> str:
        return f"Depuis le dernier COPIL ({text.date_text(self.since)})"

    @property
    def subtitle(self) -> str:
        return f"Date de départ : {self.origin}."

    @property
    def notes(self) -> list[str]:
        return [f"{self.heads[k]} : " + " ".join(self.columns[k]) for k, _ in COLUMNS]


def since_date(depuis: dt.date | None, copil_dates: list[dt.date], today: dt.date) -> tuple[dt.date, str]:
    """(date, origin sentence): the date given, else the last COPIL recorded in the points d'étape before
    today, else six months before the document."""
    if depuis:
        return depuis, vocabulary.label("since_origins", "given")
    past = sorted((d for d in copil_dates if d < today), reverse=True)
    if past:
        return past[0], vocabulary.label("since_origins", "copil")
    return today - dt.timedelta(days=182), vocabulary.label("since_origins", "default")


def published_text(when: str) -> str:
    """« le 15/03/2022 », « en mars 2022 » (month via Babel), « en 2022 » from a declared publication date."""
    first, _, precision = since_lib._period(when)   # noqa: SLF001 - the one parser of declared dates
    if precision == "day":
        return f"le {text.date_text(first)}"
    if precision == "month":
        return f"en {format_date(first, 'MMMM yyyy', locale=frformat.LOCALE)}"
    return f"en {first.year}"


def years_text(years) -> str:
    """2017, 2018, 2019, 2021 → « 2017-2019, 2021 » (runs of three years or more as a range)."""
    ys, out, i = sorted({int(y) for y in years}), [], 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        out += [f"{ys[i]}-{ys[j]}"] if j - i >= 2 else [text.year_text(y) for y in ys[i:j + 1]]
        i = j + 1
    return ", ".join(out)


def _imports(f: dict) -> pd.DataFrame:
    """Warehouse imports and the contract's imports together, oldest first."""
    frames = [df for df in (f.get("imports"), f.get("contract_imports")) if df is not None and len(df)]
    if not frames:
        return pd.DataFrame(columns=["kind", "file_name", "imported_at", "rows", "imported_by"])
    return pd.concat(frames, ignore_index=True).sort_values("imported_at", kind="stable").reset_index(drop=True)


def import_line(r, names: dict[str, str]) -> str:
    """« Import — engagements des signataires : engagements.xlsx (06/12/2026, 2 lignes, par Marie Dupont). »"""
    rows = text.plural_text(r.rows, "ligne") if not frformat.is_missing(r.rows) else None
    details = ", ".join(x for x in (text.date_text(r.imported_at), rows,
                                    f"par {sources.imported_by_text(r.imported_by, names)}") if x)
    return f"Import — {vocabulary.label('import_kinds', r.kind)} : {r.file_name} ({details})."


def data_lines(f: dict) -> list[str]:
    """New publications since the date (declared publication dates) and the files imported, counted together
    on the first line."""
    d = text.date_text(f["since"])
    rel = f.get("releases")
    n_rel = 0 if rel is None else len(rel)
    imp = _imports(f)
    n_imp = len(imp)
    imported = text.plural_text(n_imp, "import de fichier", "imports de fichiers")
    if n_rel:
        lines = [f"{text.plural_text(n_rel, 'nouvelle édition publiée', 'nouvelles éditions publiées')}"
                 + (f" et {imported}" if n_imp else "") + f" depuis le {d} :"]
        groups = []
        for title, g in rel.groupby("title", sort=False):
            when = "; ".join(dict.fromkeys(published_text(w) for w in g["published"]))
            groups.append(f"{title} — millésime{'s' if len(g) > 1 else ''} {years_text(g['edition'])} (publié {when}).")
        lines += groups[:MAX_ITEMS - 1]
        if len(groups) > MAX_ITEMS - 1:
            lines.append(f"… et {text.plural_text(len(groups) - MAX_ITEMS + 1, 'autre jeu de données', 'autres jeux de données')}.")
        if (rel["precision"] != "day").any():
            lines.append("Dates de publication connues au mois ou à l'année : à vérifier auprès du producteur.")
    else:
        lines = [f"Aucune nouvelle publication de données depuis le {d}"
                 + (f", mais {imported} :" if n_imp else ".")]
    names = f.get("names") or {}
    lines += [import_line(r, names) for r in imp.itertuples()]
    lp = f.get("latest_publications")
    if not n_rel and lp is not None and len(lp):
        lines.append("Dernières éditions disponibles : "
                     + " ; ".join(f"{r.title} {text.year_text(r.edition)} (publiée {published_text(r.published)})"
                                  for r in lp.itertuples()) + ".")
    return lines


def status_label(code) -> str:
    """« En retard »…: a commitment's status as every contract-life view writes it (presentation.engagements
    too)."""
    return text.label("engagement_statuses", code)


def review_lines(f: dict) -> list[str]:
    """Points d'étape since the date: how many, on how many commitments, the statuses noted, then the
    commitments by outcome, each named by its title and its signataire."""
    rv = f["reviews"]
    if rv is None:
        return ["Pas de tableau de bord des engagements pour ce contrat."]
    if rv.empty:
        return [f"Aucun point d'étape depuis le {text.date_text(f['since'])}."]
    counts = rv["statut"].map(status_label).value_counts()
    lines = [f"{text.plural_text(len(rv), REVIEW, REVIEWS)} sur {text.plural_text(rv['code'].nunique(), 'engagement')}"
             " (statut noté : "
             + ", ".join(f"« {k.lower()} » {text.count_text(v)}" for k, v in counts.items()) + ")."]
    for statut in ("realise", "en_retard", "abandonne"):
        word = vocabulary.label("engagement_statuses", statut, plural=True)
        sub = rv[rv["statut"] == statut].drop_duplicates("code")
        if len(sub):
            names = ", ".join(f"{r.intitule} ({r.signataire})" for r in sub.head(4).itertuples())
            more = f" et {text.plural_text(len(sub) - 4, 'autre')}" if len(sub) > 4 else ""
            lines.append(f"{word} : {names}{more}.")
    return lines


def action_lines(f: dict) -> list[str]:
    """Actions voted since the date (decision dates of the programmation), the money granted, and the
    decided actions that have no decision date."""
    ac, d = f["actions"], text.date_text(f["since"])
    if ac is None:
        return ["Pas de programmation enregistrée pour ce contrat."]
    funded_codes = vocabulary.flagged("action_statuses", "funded")
    if ac.empty:
        lines = [f"Aucune action votée depuis le {d} (date de décision de la programmation)."]
    else:
        funded = ac[ac["statut"].isin(funded_codes)]
        refused = ac[ac["statut"] == "refuse"]
        other = len(ac) - len(funded) - len(refused)
        parts = ([f"{text.plural_text(len(funded), 'accordée')} pour {text.eur_text(funded['montant_accorde'].sum())}"]
                 if len(funded) else [])
        if len(refused):
            parts.append(text.plural_text(len(refused), "refusée"))
        if other:
            parts.append(text.plural_text(other, "autre"))
        lines = [f"{text.plural_text(len(ac), 'action votée', 'actions votées')} depuis le {d} : " + ", ".join(parts) + "."]
        for r in ac.head(MAX_ITEMS - 1).itertuples():
            outcome = (text.eur_text(r.montant_accorde) if r.statut in funded_codes
                       else text.label("action_statuses", r.statut).lower())
            lines.append(f"{text.date_text(r.date_decision)} — {r.numero_dossier} {r.intitule} "
                         f"({r.porteur_nom}) : {outcome}")
        if len(ac) > MAX_ITEMS - 1:
            lines.append(f"… et {text.plural_text(len(ac) - MAX_ITEMS + 1, 'autre')}.")
    und = f["undated"]
    if und is not None and len(und):
        n = int(und["n"].sum())
        years = ", ".join(text.year_text(y) for y in und["annee"])
        lines.append(f"{text.plural_text(n, 'action décidée', 'actions décidées')} ({years}) sans date de décision : "
                     "renseignez la colonne « Date de décision » de la programmation.")
    return lines


def today_line(n_late: int, n_due: int, horizon: dt.date) -> str:
    """« Aujourd'hui : 1 en retard, 2 à échéance d'ici le 07/03/2027. » (the horizon rule of
    indicators.engagements.horizon, the same date as the Engagements page)."""
    late = vocabulary.label("engagement_statuses", "en_retard").lower()
    return (f"Aujourd'hui : {text.count_text(n_late)} {late}, {text.count_text(n_due)} à échéance d'ici le "
            f"{text.date_text(horizon)}.")


def view(con, sc, contrat: str, since: dt.date, today: dt.date, origin: str = "",
         engagements_now: tuple[int, int, dt.date] | None = None) -> SinceView:
    """What changed since `since` for a contract: `con` the warehouse, `sc` the saisie database (either may
    be None); `engagements_now` (late, due, horizon) adds today's situation at the top of the commitments."""
    f = since_lib.facts(con, sc, contrat, since, today)
    cols = {"donnees": data_lines(f), "engagements": review_lines(f), "actions": action_lines(f)}
    if engagements_now is not None and f["reviews"] is not None:
        cols["engagements"].insert(0, today_line(*engagements_now))
    demo = " (démo)" if f.get("demo") else ""
    heads = {"donnees": "Nouvelles données", "engagements": f"Engagements revus{demo}", "actions": f"Actions votées{demo}"}
    return SinceView(since=since, today=today, origin=origin, columns=cols, heads=heads, demo=bool(f.get("demo")))


def horizon(today: dt.date, next_copil: dt.date | None = None) -> dt.date:
    """The due-date horizon (indicators.engagements.horizon): re-exported for the views."""
    return engagements_lib.horizon(today, next_copil)
