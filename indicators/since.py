"""What changed since a date: the « Depuis le dernier COPIL » facts, one implementation for the COPIL deck
and the pages.

Three questions, each answered from where the truth is recorded:
- **new data**: warehouse files whose exact content (file name + SHA-256) was first loaded on or after the
  date (`load_log.first_loaded_at`, carried over from one build to the next by loaders.build: a rebuild that
  re-reads the same files brings nothing new), with the source and millésime they hold; and the user's imports;
- **commitments reviewed**: points d'étape dated on or after it (indicators.engagements.reviews_since);
- **actions voted**: actions whose decision date (`action.date_decision`, vote of the comité de programmation
  or notification) falls between the date and today.

Dates are inclusive (« depuis le 25/06/2026 » counts what happened on the 25th). Pure functions of a
warehouse connection `con` and a saisie connection `sc` (either may be None); `lines()` gives the French
sentences shown, so that the deck and the pages say the same thing.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import re

import pandas as pd

from indicators import engagements, programmation
from observatoire import frformat, vocabulary

# Build steps whose files are not data for a COPIL: the observatory's own catalogue (YAML), and user imports
# (listed from user_import with their import date instead of their replay).
NOT_DATA_STEPS = ("catalogue", "user_imports")
DECIDED_STATUTS = ("accorde", "solde", "refuse")
MAX_ITEMS = 6
_EDITION_IN_DETAIL = re.compile(r"édition (\d{4})")
_YEAR_IN_NAME = re.compile(r"[-_](\d{4})\.[A-Za-z]+$")


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                      "AND table_schema = 'main'", [table]).fetchall()}


def _ts(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


# --------------------------------------------------------------------------- warehouse

def _sources(con) -> list[dict]:
    """Declared sources with the file-name patterns of their files ('REVN_*.csv')."""
    rows = con.execute("SELECT source_id, producer, title, files, editions FROM source_catalog").fetchall()
    out = []
    for sid, producer, title, files, editions in rows:
        patterns = [f.strip().rsplit("/", 1)[-1] for f in (files or "").split(";") if f.strip()]
        eds = [e.strip() for e in (editions or "").split(",") if e.strip()]
        out.append({"source_id": sid, "producer": producer, "title": title, "patterns": patterns, "editions": eds})
    return out


def short_title(title: str | None) -> str:
    """« Revenus, pauvreté, couverture maladie et minima sociaux » from the catalogue's long title."""
    return (title or "").split(" par ")[0].split(" (")[0].strip()


def new_files(con, since: dt.date) -> pd.DataFrame:
    """Warehouse files whose exact content was first loaded on or after `since`, oldest first.

    One row per file content: source_file, first_loaded_at, steps, rows, detail, source_id, producer, title,
    edition (millésime: from the load detail « édition 2022 », the file name « …-2024.json », or the
    source's only edition; None otherwise). Attributes: `total` data files in the warehouse, `created` the
    first load of the oldest one, `exact` False for a warehouse built before first_loaded_at existed (then
    loaded_at, the time of its build, is used)."""
    exact = "first_loaded_at" in _columns(con, "load_log")
    first = "coalesce(first_loaded_at, loaded_at)" if exact else "loaded_at"
    df = con.execute(f"""
        SELECT source_file, sha256, min({first}) AS first_loaded_at,
               string_agg(DISTINCT step, ', ' ORDER BY step) AS steps,
               arg_min(rows, {first}) AS rows, arg_min(detail, {first}) AS detail
        FROM load_log
        WHERE source_file IS NOT NULL AND step NOT IN ({', '.join('?' for _ in NOT_DATA_STEPS)})
        GROUP BY source_file, sha256
        HAVING min({first}) >= ?
        ORDER BY first_loaded_at, source_file
    """, [*NOT_DATA_STEPS, _ts(since)]).df()
    sources = _sources(con) if len(df) else []
    meta = []
    for name, detail in zip(df["source_file"], df["detail"]):
        src = next((s for s in sources if any(fnmatch.fnmatchcase(name, p) for p in s["patterns"])), None)
        m = _EDITION_IN_DETAIL.search(detail or "") or _YEAR_IN_NAME.search(name)
        edition = int(m[1]) if m else (int(src["editions"][0]) if src and len(src["editions"]) == 1 else None)
        meta.append({"source_id": src and src["source_id"], "producer": src and src["producer"],
                     "title": src and src["title"], "edition": edition})
    df = pd.concat([df.reset_index(drop=True), pd.DataFrame(meta, columns=["source_id", "producer", "title", "edition"])],
                   axis=1)
    df["edition"] = df["edition"].astype("Int64")
    df.attrs["exact"] = exact
    df.attrs["total"], df.attrs["created"] = con.execute(f"""
        SELECT count(DISTINCT (source_file, sha256)), min({first}) FROM load_log
        WHERE source_file IS NOT NULL AND step NOT IN ({', '.join('?' for _ in NOT_DATA_STEPS)})
    """, list(NOT_DATA_STEPS)).fetchone()
    return df


def imports(con, since: dt.date) -> pd.DataFrame:
    """Files the users imported into the warehouse (contours, indicateurs) on or after `since`."""
    return con.execute("""
        SELECT kind, file_name, imported_at, rows FROM user_import
        WHERE imported_at >= ? ORDER BY imported_at
    """, [_ts(since)]).df()


def latest_editions(con) -> pd.DataFrame:
    """Latest millésime of each source with quartier values (context for « what is there now »)."""
    df = con.execute("""
        SELECT c.source, max(v.edition) AS edition FROM indicator_value v
        JOIN indicator_catalog c USING (indicator_id)
        JOIN territory t ON t.code = v.territory_code AND t.level = 'qpv'
        GROUP BY 1 ORDER BY 1
    """).df()
    titles = dict(con.execute("SELECT source_id, title FROM source_catalog").fetchall())
    df["title"] = [short_title(titles.get(s)) or s for s in df["source"]]
    return df


# --------------------------------------------------------------------------- contract life

def actions_decided(sc, contrat: str, since: dt.date, until: dt.date | None = None) -> pd.DataFrame:
    """Actions whose decision date is between `since` and `until` (default today), both included, newest
    first: annee, numero_dossier, intitule, porteur_nom, statut, statut_label, date_decision, montant_accorde
    (all financeurs, 0 unless accordé or soldé), is_demo."""

    until = until or dt.date.today()
    df = sc.execute(f"""
        WITH m AS ({programmation.amounts_sql(" AND a.date_decision BETWEEN ? AND ?")})
        SELECT a.id, a.annee, a.numero_dossier, a.intitule, a.porteur_nom, a.statut, a.date_decision,
               m.accorde AS montant_accorde, a.is_demo
        FROM action a JOIN m ON m.id = a.id
        ORDER BY a.date_decision DESC, m.accorde DESC, a.numero_dossier
    """, [contrat, since, until]).df()
    df["statut_label"] = df["statut"].map(vocabulary.labels("action_statuses")).fillna(df["statut"])
    return df


def undated_decisions(sc, contrat: str, since: dt.date) -> pd.DataFrame:
    """Per programmation year from since.year on: decided actions (accordé, soldé, refusé) without a decision
    date — they cannot be placed before or after the date, and the slide says so."""
    return sc.execute(f"""
        SELECT annee, count(*) AS n FROM action
        WHERE contrat_code = ? AND date_decision IS NULL AND annee >= ?
          AND statut IN ({', '.join('?' for _ in DECIDED_STATUTS)})
        GROUP BY annee ORDER BY annee
    """, [contrat, since.year, *DECIDED_STATUTS]).df()


# --------------------------------------------------------------------------- everything

def facts(con, sc, contrat: str, since: dt.date, today: dt.date | None = None) -> dict:
    """Everything « Depuis le dernier COPIL » shows. `con` (warehouse) or `sc` (saisie) may be None.

    Keys: since, today, files, files_exact, imports, latest_editions (None without a warehouse); reviews,
    actions, undated (None when the contract has no commitments / no programmation); demo (démo rows shown)."""

    today = today or dt.date.today()
    out: dict = {"since": since, "today": today, "files": None, "files_exact": True, "imports": None,
                 "latest_editions": None, "reviews": None, "actions": None, "undated": None, "demo": False}
    if con is not None:
        out["files"] = new_files(con, since)
        out["files_exact"] = out["files"].attrs.get("exact", True)
        out["imports"] = imports(con, since)
        out["latest_editions"] = latest_editions(con)
    if sc is not None:
        n_eng, demo_eng = sc.execute("SELECT count(*), bool_or(is_demo) FROM engagement WHERE contrat_code = ?",
                                     [contrat]).fetchone()
        n_act, demo_act = sc.execute("SELECT count(*), bool_or(is_demo) FROM action WHERE contrat_code = ?",
                                     [contrat]).fetchone()
        if n_eng:
            out["reviews"] = engagements.reviews_since(sc, contrat, since)
        if n_act:
            out["actions"] = actions_decided(sc, contrat, since, today)
            out["undated"] = undated_decisions(sc, contrat, since)
        out["demo"] = bool(demo_eng or demo_act)
    return out


# --------------------------------------------------------------------------- French sentences

def _eur(v) -> str:
    return frformat.fmt_number(float(v), 0, "€") if v is not None and v == v else "—"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{frformat.fmt_int(n)} {word if n < 2 else (plural or word + 's')}"


def years_text(years) -> str:
    """2017, 2018, 2019, 2021 → « 2017-2019, 2021 » (runs of three years or more as a range)."""
    ys, out, i = sorted({int(y) for y in years}), [], 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        out += [f"{ys[i]}-{ys[j]}"] if j - i >= 2 else [str(y) for y in ys[i:j + 1]]
        i = j + 1
    return ", ".join(out)


def data_lines(f: dict) -> list[str]:
    files, d = f["files"], frformat.fmt_date(f["since"])
    if files is None:
        return ["Entrepôt de données ouvertes indisponible."]
    lines = []
    listed = False
    if len(files) and len(files) == files.attrs.get("total"):
        lines.append(f"Entrepôt créé le {frformat.fmt_date(files.attrs.get('created'))}, après cette date : "
                     f"ses {frformat.fmt_int(len(files))} fichiers de données y sont tous entrés depuis.")
    elif len(files):
        listed = True
        days = sorted({t.date() for t in files["first_loaded_at"]})
        when = f" le {frformat.fmt_date(days[0])}" if len(days) == 1 else ""
        lines.append(f"{_plural(len(files), 'fichier nouveau ou modifié', 'fichiers nouveaux ou modifiés')} "
                     f"chargé{'s' if len(files) > 1 else ''} dans l'entrepôt{when} :")
        groups = []
        for key, g in files.groupby(files["title"].fillna(files["source_file"]), sort=False):
            eds = g["edition"].dropna()
            what = short_title(key) if g["title"].notna().any() else f"fichier {key}"
            ed = f" — millésime{'s' if eds.nunique() > 1 else ''} {years_text(eds)}" if len(eds) else ""
            names = ", ".join(g["source_file"]) if len(g) <= 2 else f"{len(g)} fichiers"
            day = "" if when else f", le {frformat.fmt_date(g['first_loaded_at'].min())}"
            groups.append(f"{what}{ed} ({names}){day}.")
        lines += groups[:MAX_ITEMS - 1]
        if len(groups) > MAX_ITEMS - 1:
            lines.append(f"… et {len(groups) - MAX_ITEMS + 1} autres jeux de données.")
    else:
        lines.append(f"Aucune nouvelle donnée dans l'entrepôt depuis le {d} (aucun fichier nouveau ou modifié).")
    if not f["files_exact"]:
        lines.append("Entrepôt construit avant le suivi des premiers chargements : dates de la dernière reconstruction.")
    for r in (f["imports"] if f["imports"] is not None else pd.DataFrame()).itertuples():
        lines.append(f"Import {r.kind} : {r.file_name} ({frformat.fmt_date(r.imported_at)}, "
                     f"{frformat.fmt_int(r.rows)} lignes).")
    le = f["latest_editions"]
    if not listed and le is not None and len(le):    # the new files already say their millésimes
        lines.append("Derniers millésimes par quartier : "
                     + " ; ".join(f"{r.title} {r.edition}" for r in le.itertuples()) + ".")
    return lines


def review_lines(f: dict) -> list[str]:
    rv = f["reviews"]
    if rv is None:
        return ["Pas de tableau de bord des engagements pour ce contrat."]
    if rv.empty:
        return [f"Aucun point d'étape depuis le {frformat.fmt_date(f['since'])}."]
    counts = rv["statut_label"].value_counts()
    lines = [f"{len(rv)} points d'étape sur {rv['code'].nunique()} engagements (statut noté : "
             + ", ".join(f"« {k.lower()} » {v}" for k, v in counts.items()) + ")."]
    for statut, word in (("realise", "Réalisés"), ("en_retard", "En retard"), ("abandonne", "Abandonnés")):
        sub = rv[rv["statut"] == statut].drop_duplicates("code")
        if len(sub):
            names = ", ".join(f"{r.code} ({r.signataire})" for r in sub.head(4).itertuples())
            more = f" et {len(sub) - 4} autres" if len(sub) > 4 else ""
            lines.append(f"{word} : {names}{more}.")
    return lines


def action_lines(f: dict) -> list[str]:
    ac, d = f["actions"], frformat.fmt_date(f["since"])
    if ac is None:
        return ["Pas de programmation enregistrée pour ce contrat."]
    if ac.empty:
        lines = [f"Aucune action votée depuis le {d} (date de décision de la programmation)."]
    else:
        funded = ac[ac["statut"].isin(vocabulary.flagged("action_statuses", "funded"))]
        refused = ac[ac["statut"] == "refuse"]
        other = len(ac) - len(funded) - len(refused)
        parts = [f"{_plural(len(funded), 'accordée')} pour {_eur(funded['montant_accorde'].sum())}"] if len(funded) else []
        if len(refused):
            parts.append(_plural(len(refused), "refusée"))
        if other:
            parts.append(f"{other} autre{'s' if other > 1 else ''}")
        lines = [f"{_plural(len(ac), 'action votée', 'actions votées')} depuis le {d} : " + ", ".join(parts) + "."]
        for r in ac.head(MAX_ITEMS - 1).itertuples():
            outcome = _eur(r.montant_accorde) if r.statut in vocabulary.flagged("action_statuses", "funded") else r.statut_label.lower()
            lines.append(f"{frformat.fmt_date(r.date_decision)} — {r.numero_dossier} {r.intitule} "
                         f"({r.porteur_nom}) : {outcome}")
        if len(ac) > MAX_ITEMS - 1:
            lines.append(f"… et {len(ac) - MAX_ITEMS + 1} autres.")
    und = f["undated"]
    if und is not None and len(und):
        n = int(und["n"].sum())
        years = ", ".join(str(int(y)) for y in und["annee"])
        lines.append(f"{_plural(n, 'action décidée', 'actions décidées')} ({years}) sans date de décision : "
                     "renseignez la colonne « Date de décision » de la programmation.")
    return lines


def lines(f: dict) -> dict[str, list[str]]:
    """The three columns of the slide: {"donnees", "engagements", "actions"} → French bullet lines."""
    return {"donnees": data_lines(f), "engagements": review_lines(f), "actions": action_lines(f)}
