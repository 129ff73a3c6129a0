"""Resident surveys: the perception barometer per quartier and question, evolution between waves, verbatims.

Pure functions of a saisie-database connection (contract.store.connect()).

- n counts the answers to the question excluding « ne sait pas »-like options (`exclue`); the share
  favourable is k/n with a Wilson 95 % score interval (good for small n and shares near 0 or 1).
- Below the 'enquete_reponses' minimum n (catalogue/indicators.yaml), a quartier's share, interval and
  n are hidden (status 'effectif_insuffisant'); when exactly one quartier is hidden for a question and
  wave, the smallest other quartier is hidden too, so the « Ensemble » row cannot give it back.
- Only verbatims flagged publiable are returned; their quartier is named only when that quartier has
  enough respondents in the wave, otherwise « autre quartier ».
"""
from __future__ import annotations

import math

import pandas as pd

from contract.warehouse import quartier_label
from indicators import secret
from observatoire import vocabulary

Z95 = 1.959963984540054
RULE = "enquete_reponses"
ENSEMBLE = "ENSEMBLE"


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval for a proportion k/n, as fractions (None when n = 0)."""
    if not n:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def enquetes(sc, contrat: str) -> pd.DataFrame:
    return sc.execute("""
        SELECT e.id, e.titre, e.methode, e.is_demo,
               (SELECT count(*) FROM repondant r WHERE r.enquete_id = e.id) AS n_repondants,
               (SELECT count(*) FROM enquete_vague v WHERE v.enquete_id = e.id) AS n_vagues
        FROM enquete e WHERE e.contrat_code = ? ORDER BY e.id
    """, [contrat]).df()


def vagues(sc, enquete_id: int) -> pd.DataFrame:
    return sc.execute("""
        SELECT v.id, v.numero, v.libelle, v.date_debut, v.date_fin,
               (SELECT count(*) FROM repondant r WHERE r.vague_id = v.id) AS n_repondants
        FROM enquete_vague v WHERE v.enquete_id = ? ORDER BY v.numero
    """, [enquete_id]).df()


def questions(sc, enquete_id: int) -> pd.DataFrame:
    return sc.execute("""
        SELECT q.id, q.code, q.libelle, q.theme, e.code AS echelle, e.libelle AS echelle_libelle,
               (SELECT string_agg(m.libelle, ' / ' ORDER BY m.ordre) FROM echelle_modalite m
                 WHERE m.echelle_id = e.id AND m.favorable) AS favorables
        FROM question q JOIN echelle e ON e.id = q.echelle_id
        WHERE q.enquete_id = ? ORDER BY q.ordre
    """, [enquete_id]).df()


def _counts(sc, enquete_id: int) -> pd.DataFrame:
    """k favourable and n valid answers per wave × quartier × question (quartier ENSEMBLE = all)."""
    return sc.execute(f"""
        WITH a AS (
            SELECT v.numero AS vague, r.quartier_code, q.id AS question_id, q.code AS question_code,
                   q.libelle AS question, q.ordre, m.favorable, m.exclue
            FROM reponse x JOIN repondant r ON r.id = x.repondant_id
            JOIN enquete_vague v ON v.id = r.vague_id
            JOIN question q ON q.id = x.question_id
            JOIN echelle_modalite m ON m.id = x.modalite_id
            WHERE r.enquete_id = ?
        )
        SELECT vague, coalesce(quartier_code, '{ENSEMBLE}') AS quartier_code, question_id, question_code,
               question, ordre,
               count(*) FILTER (WHERE NOT exclue) AS n,
               count(*) FILTER (WHERE favorable AND NOT exclue) AS k,
               count(*) FILTER (WHERE exclue) AS n_exclues
        FROM a GROUP BY GROUPING SETS ((vague, quartier_code, question_id, question_code, question, ordre),
                                       (vague, question_id, question_code, question, ordre))
    """, [enquete_id]).df()


def barometer(sc, contrat: str, enquete_id: int, vague: int | None = None) -> pd.DataFrame:
    """Share favourable per quartier × question (one wave, default the latest), with n and the Wilson
    95 % interval in percent; hidden cells have share/low/high/n = None and status 'effectif_insuffisant'."""
    df = _counts(sc, enquete_id)
    if df.empty:
        return pd.DataFrame(columns=["vague", "quartier_code", "quartier", "question_code", "question", "n", "k",
                                     "part", "bas", "haut", "status"])
    if vague is None:
        vague = int(df["vague"].max())
    df = df[df["vague"] == vague].copy()
    df = _guard(df)
    names = _quartier_names(sc, contrat)
    df["quartier"] = df["quartier_code"].map(names).fillna(df["quartier_code"])
    df.loc[df["quartier_code"] == ENSEMBLE, "quartier"] = vocabulary.row_label("surveyed")
    df["is_ensemble"] = df["quartier_code"] == ENSEMBLE
    return df.sort_values(["ordre", "is_ensemble", "quartier"]).reset_index(drop=True)[
        ["vague", "quartier_code", "quartier", "question_id", "question_code", "question", "n", "k", "part", "bas",
         "haut", "status", "n_exclues"]]


def _guard(df: pd.DataFrame) -> pd.DataFrame:
    """Shares and intervals where n reaches the minimum; primary then secondary suppression."""
    t = secret.threshold(RULE)
    df = df.copy()
    df["status"] = ["ok" if n >= t else "effectif_insuffisant" for n in df["n"]]
    for _, idx in df.groupby(["vague", "question_id"]).groups.items():
        sub = df.loc[idx]
        quartiers = sub[sub["quartier_code"] != ENSEMBLE]
        hidden = quartiers[quartiers["status"] != "ok"]
        if len(hidden) == 1:
            visible = quartiers[quartiers["status"] == "ok"]
            if not visible.empty:
                df.loc[visible["n"].idxmin(), "status"] = "effectif_insuffisant"
    parts, lows, highs = [], [], []
    for k, n, s in zip(df["k"], df["n"], df["status"]):
        if s != "ok":
            parts.append(None), lows.append(None), highs.append(None)
            continue
        lo, hi = wilson(int(k), int(n))
        parts.append(k / n * 100), lows.append(lo * 100), highs.append(hi * 100)
    df["part"], df["bas"], df["haut"] = parts, lows, highs
    ok = df["status"] == "ok"
    df["n"] = pd.array([int(n) if o else None for n, o in zip(df["n"], ok)], dtype="Int64")
    df["k"] = pd.array([int(k) if o else None for k, o in zip(df["k"], ok)], dtype="Int64")
    df["n_exclues"] = pd.array([int(x) if o else None for x, o in zip(df["n_exclues"], ok)], dtype="Int64")
    return df


def evolution(sc, contrat: str, enquete_id: int, from_wave: int | None = None,
              to_wave: int | None = None) -> pd.DataFrame:
    """Share favourable in two waves per quartier × question, the difference in points, and `lecture`: a
    code of the vocabulary's survey_readings — hausse_nette / baisse_nette when the two Wilson intervals are
    disjoint, incertain when they overlap, effectif_insuffisant when a wave is hidden."""
    df = _counts(sc, enquete_id)
    waves = sorted(df["vague"].unique()) if not df.empty else []
    if len(waves) < 2:
        return pd.DataFrame(columns=["quartier_code", "quartier", "question_code", "question", "part_1",
                                     "part_2", "ecart", "lecture", "status"])
    a, b = from_wave or waves[-2], to_wave or waves[-1]
    g = _guard(df[df["vague"].isin([a, b])])
    one = g[g["vague"] == a].set_index(["quartier_code", "question_id"])
    two = g[g["vague"] == b].set_index(["quartier_code", "question_id"])
    m = one[["question_code", "question", "ordre", "part", "bas", "haut", "n", "status"]].join(
        two[["part", "bas", "haut", "n", "status"]], lsuffix="_1", rsuffix="_2", how="outer").reset_index()
    m["question_code"] = m["question_code"].fillna(
        m["question_id"].map(two.reset_index().drop_duplicates("question_id").set_index("question_id")["question_code"]))
    ok = (m["status_1"] == "ok") & (m["status_2"] == "ok")
    m["status"] = ["ok" if o else "effectif_insuffisant" for o in ok]
    m["ecart"] = [p2 - p1 if o else None for p1, p2, o in zip(m["part_1"], m["part_2"], ok)]

    def reading(r):        # a code of the vocabulary's survey_readings
        if r.status != "ok":
            return "effectif_insuffisant"
        if r.bas_2 > r.haut_1:
            return "hausse_nette"
        if r.haut_2 < r.bas_1:
            return "baisse_nette"
        return "incertain"

    m["lecture"] = [reading(r) for r in m.itertuples()]
    for c in ("part_1", "part_2", "bas_1", "haut_1", "bas_2", "haut_2"):
        m[c] = [v if o else None for v, o in zip(m[c], ok)]
    names = _quartier_names(sc, contrat)
    m["quartier"] = m["quartier_code"].map(names).fillna(vocabulary.row_label("surveyed"))
    m["vague_1"], m["vague_2"] = a, b
    return m.sort_values(["ordre", "quartier_code"]).reset_index(drop=True)[
        ["vague_1", "vague_2", "quartier_code", "quartier", "question_code", "question", "n_1", "part_1", "bas_1",
         "haut_1", "n_2", "part_2", "bas_2", "haut_2", "ecart", "lecture", "status"]]


def verbatims(sc, contrat: str, enquete_id: int, quartier: str | None = None,
              question_code: str | None = None) -> pd.DataFrame:
    """Publishable verbatims only, with their wave, question and quartier (masked when too few respondents)."""
    t = secret.threshold(RULE)
    where, params = "", []
    if quartier:
        where += " AND v.quartier_code = ?"
        params.append(quartier)
    if question_code:
        where += " AND q.code = ?"
        params.append(question_code)
    df = sc.execute(f"""
        SELECT v.id, w.numero AS vague, w.libelle AS vague_libelle, v.quartier_code, q.code AS question_code,
               q.libelle AS question, v.texte,
               (SELECT count(*) FROM repondant r WHERE r.vague_id = v.vague_id AND r.quartier_code = v.quartier_code)
                   AS n_quartier
        FROM verbatim v JOIN enquete_vague w ON w.id = v.vague_id
        LEFT JOIN question q ON q.id = v.question_id
        WHERE v.enquete_id = ? AND v.publiable {where}
        ORDER BY w.numero DESC, q.ordre NULLS LAST, v.id
    """, [enquete_id, *params]).df()
    names = _quartier_names(sc, contrat)
    df["quartier"] = [names.get(c, c) if n >= t else vocabulary.row_label("masked_quartier")
                      for c, n in zip(df["quartier_code"], df["n_quartier"])]
    df.loc[df["n_quartier"] < t, "quartier_code"] = None
    return df.drop(columns=["n_quartier"])


def respondents(sc, contrat: str, enquete_id: int) -> pd.DataFrame:
    """Respondents per quartier and wave (counts of people: guarded like the shares)."""
    t = secret.threshold(RULE)
    df = sc.execute("""
        SELECT w.numero AS vague, r.quartier_code, count(*) AS n
        FROM repondant r JOIN enquete_vague w ON w.id = r.vague_id
        WHERE r.enquete_id = ? GROUP BY 1, 2 ORDER BY 1, 2
    """, [enquete_id]).df()
    names = _quartier_names(sc, contrat)
    df["quartier"] = df["quartier_code"].map(names).fillna(df["quartier_code"])
    df["status"] = ["ok" if n >= t else "effectif_insuffisant" for n in df["n"]]
    df["n"] = pd.array([int(n) if s == "ok" else None for n, s in zip(df["n"], df["status"])], dtype="Int64")
    return df


def _quartier_names(sc, contrat: str) -> dict:
    return {c: quartier_label(n, com) for c, n, com in sc.execute(
        "SELECT quartier_code, nom, communes FROM contrat_quartier WHERE contrat_code = ?", [contrat]).fetchall()}
