"""Engagements des signataires (tableau de bord coopératif): statuses, completion, late items, history.

Pure functions of a saisie-database connection (contract.store.connect()).

Definitions (shown on the page):
- effective status at date D: the recorded status, except that a commitment still « prévu » or « en cours »
  whose due date is before D counts as « en retard »;
- completion rate = réalisés / (all − abandonnés): abandoned commitments leave the denominator;
- late = effective status « en retard »; due before the next COPIL = not closed, due date in [D, horizon],
  the horizon being the next COPIL when it is known, else D + the days of `engagement_horizon` (vocabulary):
  one rule for the Engagements page and the COPIL deck (`horizon`).

Statuses come back as codes; their labels are written by presentation/.
"""
from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from observatoire import vocabulary

STATUS_ORDER = vocabulary.codes("engagement_statuses")
TOTAL = vocabulary.row_label("total")          # the last row of status_counts
_CLOSED = "('" + "', '".join(vocabulary.flagged("engagement_statuses", "closed")) + "')"


def horizon(today: date, next_copil: date | None = None) -> date:
    """The due-date horizon of « à échéance d'ici le … »: the next COPIL when it is known and ahead, else
    `today` plus the declared number of days (catalogue/vocabulary.yaml `engagement_horizon`)."""
    if next_copil is not None and next_copil > today:
        return next_copil
    return today + timedelta(days=int(vocabulary.term("engagement_horizon", "default")["days"]))


def _effective_sql() -> str:
    return (f"CASE WHEN e.statut NOT IN {_CLOSED} AND e.echeance IS NOT NULL AND e.echeance < CAST(? AS DATE) "
            "THEN 'en_retard' ELSE e.statut END")


def engagements(sc: duckdb.DuckDBPyConnection, contrat: str, as_of: date | None = None,
                signataire: str | None = None, referent: str | None = None, axe: str | None = None,
                statut: str | None = None, real_only: bool = False) -> pd.DataFrame:
    """One row per commitment with its signataire, effective status and last review (filters optional;
    `real_only` leaves démo rows out: the public site never publishes them)."""
    as_of = as_of or date.today()
    where, params = (" AND NOT e.is_demo" if real_only else ""), []
    for col, val in (("s.nom", signataire), ("e.referent", referent), ("e.axe", axe)):
        if val:
            where += f" AND {col} = ?"
            params.append(val)
    df = sc.execute(f"""
        SELECT e.id, e.row_version, e.code, s.nom AS signataire, s.type_signataire, e.signataire_id, e.referent,
               e.axe, e.objectif, e.intitule, e.indicateur, e.valeur_reference, e.valeur_cible, e.echeance,
               e.statut, {_effective_sql()} AS statut_effectif, e.preuve,
               (SELECT max(p.date_point) FROM engagement_point p WHERE p.engagement_id = e.id) AS dernier_point,
               (SELECT count(*) FROM engagement_point p WHERE p.engagement_id = e.id) AS n_points,
               (SELECT p.valeur_constatee FROM engagement_point p WHERE p.engagement_id = e.id
                  AND p.valeur_constatee IS NOT NULL ORDER BY p.date_point DESC LIMIT 1) AS derniere_valeur,
               e.is_demo
        FROM engagement e JOIN signataire s ON s.id = e.signataire_id
        WHERE e.contrat_code = ? {where}
        ORDER BY e.code
    """, [as_of, contrat, *params]).df()
    if statut:
        df = df[df["statut_effectif"] == statut].reset_index(drop=True)
    return df


def status_counts(sc, contrat: str, by: str = "signataire", as_of: date | None = None,
                  referent: str | None = None, real_only: bool = False) -> pd.DataFrame:
    """Counts per effective status for each signataire (by='signataire') or axis (by='axe'), with the
    completion rate and the number of late items. A last row TOTAL (« Ensemble ») sums everything."""
    df = engagements(sc, contrat, as_of, referent=referent, real_only=real_only)
    key = {"signataire": "signataire", "axe": "axe", "referent": "referent",
           "type": "type_signataire"}[by]
    df[key] = df[key].fillna(vocabulary.row_label("missing"))
    pivot = pd.crosstab(df[key], df["statut_effectif"]).reindex(columns=STATUS_ORDER, fill_value=0)
    pivot.loc[TOTAL] = pivot.sum()
    pivot["total"] = pivot[STATUS_ORDER].sum(axis=1)
    denom = pivot["total"] - pivot["abandonne"]
    pivot["taux_realisation"] = (pivot["realise"] / denom.where(denom > 0) * 100).astype(float)
    out = pivot.reset_index().rename(columns={key: by if by != "type" else "type_signataire"})
    out.columns.name = None
    return out


def late(sc, contrat: str, as_of: date | None = None) -> pd.DataFrame:
    """Commitments whose effective status is « en retard », most overdue first."""
    as_of = as_of or date.today()
    df = engagements(sc, contrat, as_of)
    df = df[df["statut_effectif"] == "en_retard"].copy()
    df["jours_de_retard"] = [(as_of - d.date() if hasattr(d, "date") else as_of - d).days if pd.notna(d) else None
                             for d in df["echeance"]]
    return df.sort_values("jours_de_retard", ascending=False, na_position="last").reset_index(drop=True)


def due_before(sc, contrat: str, before: date, as_of: date | None = None) -> pd.DataFrame:
    """Open commitments due between `as_of` (today) and `before` (the next COPIL), soonest first."""
    as_of = as_of or date.today()
    df = engagements(sc, contrat, as_of)
    ech = pd.to_datetime(df["echeance"])
    mask = (~df["statut"].isin(vocabulary.flagged("engagement_statuses", "closed"))) & (ech >= pd.Timestamp(as_of)) & \
        (ech <= pd.Timestamp(before))
    return df[mask].sort_values("echeance").reset_index(drop=True)


def history(sc, engagement_id: int) -> pd.DataFrame:
    """The points d'étape of one commitment, oldest first."""
    return sc.execute("""
        SELECT id, row_version, date_point, statut, valeur_constatee, commentaire, instance, auteur, is_demo
        FROM engagement_point WHERE engagement_id = ? ORDER BY date_point, id
    """, [engagement_id]).df()


def reviews_since(sc, contrat: str, since: date) -> pd.DataFrame:
    """Points d'étape recorded since a date (what moved since the last COPIL), with their commitment."""
    return sc.execute("""
        SELECT p.date_point, e.code, s.nom AS signataire, e.intitule, p.statut, p.commentaire, p.instance
        FROM engagement_point p JOIN engagement e ON e.id = p.engagement_id
        JOIN signataire s ON s.id = e.signataire_id
        WHERE p.contrat_code = ? AND p.date_point >= ?
        ORDER BY p.date_point DESC, e.code
    """, [contrat, since]).df()


def signataires(sc, contrat: str) -> pd.DataFrame:
    return sc.execute("""
        SELECT s.id, s.nom, s.type_signataire, count(e.id) AS n_engagements
        FROM signataire s LEFT JOIN engagement e ON e.signataire_id = s.id
        WHERE s.contrat_code = ? GROUP BY s.id, s.nom, s.type_signataire ORDER BY s.nom
    """, [contrat]).df()


def next_review_dates(sc, contrat: str) -> list[date]:
    """Dates of past reviews held in COPIL, newest first (the page proposes the last one as « depuis »)."""
    return [r[0] for r in sc.execute("""
        SELECT DISTINCT date_point FROM engagement_point WHERE contrat_code = ? AND instance = 'COPIL'
        ORDER BY 1 DESC""", [contrat]).fetchall()]
