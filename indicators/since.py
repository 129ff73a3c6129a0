"""What changed since a date: the « Depuis le dernier COPIL » facts, one implementation for the COPIL deck
and the pages.

Three questions, each answered from where the truth is recorded:
- **new data**: editions of the declared sources *published* on or after the date (publication dates declared
  in catalogue/sources.yaml, `published`) — never the day a file entered the warehouse, which says nothing
  about the data (a new installation would list every file); and the user's imports. `new_files` (first load
  of each file content) stays available for the warehouse's own history;
- **commitments reviewed**: points d'étape dated on or after it (indicators.engagements.reviews_since);
- **actions voted**: actions whose decision date (`action.date_decision`, vote of the comité de programmation
  or notification) falls between the date and today.

Imports count with publications: a file a user imported (indicators or contours into the warehouse;
programmation, engagements, enquêtes for the contract) is new data for the COPIL as much as an INSEE edition.

Dates are inclusive (« depuis le 25/06/2026 » counts what happened on the 25th). Pure functions of a
warehouse connection `con` and a saisie connection `sc` (either may be None) returning tables, dates and
codes; the French sentences are written by presentation/since.py, for the deck and the pages alike.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import re

import pandas as pd

from indicators import cache, engagements, programmation
from observatoire import catalogue

# Build steps whose files are not data for a COPIL: the observatory's own catalogue (YAML), and user imports
# (listed from user_import with their import date instead of their replay).
NOT_DATA_STEPS = ("catalogue", "user_imports")
DECIDED_STATUTS = ("accorde", "solde", "refuse")
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


def warehouse_built(con) -> dt.datetime | None:
    """When the warehouse was last built (latest load_log entry): the « données au … » date of the exports."""
    row = con.execute("SELECT max(loaded_at) FROM load_log").fetchone()
    return row[0] if row else None


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


def _period(text: str) -> tuple[dt.date, dt.date, str]:
    """'2022-03-15' / '2022-03' / '2022' → (first day, last day, precision)."""
    parts = [int(x) for x in str(text).split("-")]
    if len(parts) == 3:
        d = dt.date(*parts)
        return d, d, "day"
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1), "month"
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), "year"


def publications() -> pd.DataFrame:
    """Every declared publication (catalogue/sources.yaml `published`): source_id, producer, title, edition,
    published (as declared), first/last day of the declared period, precision."""
    rows = []
    for sid, src in catalogue.sources().items():
        for ed, when in (src.get("published") or {}).items():
            first, last, precision = _period(when)
            rows.append({"source_id": sid, "producer": src.get("producer"), "title": short_title(src.get("title")),
                         "edition": int(ed), "published": str(when), "first": first, "last": last,
                         "precision": precision})
    cols = ["source_id", "producer", "title", "edition", "published", "first", "last", "precision"]
    return pd.DataFrame(rows, columns=cols)


def releases(since: dt.date, today: dt.date | None = None) -> pd.DataFrame:
    """Editions published on or after `since` (and not after `today`), oldest first. A publication known only
    to the month or year counts when its period reaches `since` (`precision` says how exact it is)."""
    today = today or dt.date.today()
    df = publications()
    df = df[(df["last"] >= since) & (df["first"] <= today)]
    return df.sort_values(["first", "title", "edition"]).reset_index(drop=True)


def latest_publications(today: dt.date | None = None) -> pd.DataFrame:
    """The latest declared edition of each source published by `today` (context: « what is there now »)."""
    today = today or dt.date.today()
    df = publications()
    df = df[df["first"] <= today]
    return df.sort_values("edition").groupby("source_id", sort=False).tail(1).sort_values("title").reset_index(drop=True)


def imports(con, since: dt.date) -> pd.DataFrame:
    """Files the users imported into the warehouse (contours, indicateurs) on or after `since`: kind,
    file_name, imported_at, rows, imported_by (login, or `cli:<account>` for the command line)."""
    return con.execute("""
        SELECT kind, file_name, imported_at, rows, imported_by FROM user_import
        WHERE imported_at >= ? ORDER BY imported_at
    """, [_ts(since)]).df()


def latest_editions(con) -> pd.DataFrame:
    """Latest millésime of each source with quartier values (context for « what is there now »); a scan of every
    value, done once per warehouse build (cache.memo) and copied for the caller."""
    store = cache.memo(con)
    if "latest_editions" not in store:
        store["latest_editions"] = _latest_editions(con)
    return store["latest_editions"].copy()


def _latest_editions(con) -> pd.DataFrame:
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
    first: annee, numero_dossier, intitule, porteur_nom, statut, date_decision, montant_accorde (all
    financeurs, 0 unless accordé or soldé), is_demo."""

    until = until or dt.date.today()
    return sc.execute(f"""
        WITH m AS ({programmation.amounts_sql(" AND a.date_decision BETWEEN ? AND ?")})
        SELECT a.id, a.annee, a.numero_dossier, a.intitule, a.porteur_nom, a.statut, a.date_decision,
               m.accorde AS montant_accorde, a.is_demo
        FROM action a JOIN m ON m.id = a.id
        ORDER BY a.date_decision DESC, m.accorde DESC, a.numero_dossier
    """, [contrat, since, until]).df()


def undated_decisions(sc, contrat: str, since: dt.date) -> pd.DataFrame:
    """Per programmation year from since.year on: decided actions (accordé, soldé, refusé) without a decision
    date — they cannot be placed before or after the date, and the slide says so."""
    return sc.execute(f"""
        SELECT annee, count(*) AS n FROM action
        WHERE contrat_code = ? AND date_decision IS NULL AND annee >= ?
          AND statut IN ({', '.join('?' for _ in DECIDED_STATUTS)})
        GROUP BY annee ORDER BY annee
    """, [contrat, since.year, *DECIDED_STATUTS]).df()


def contract_imports(sc, contrat: str, since: dt.date) -> pd.DataFrame:
    """Files imported for the contract (programmation, engagements, enquête, bénéficiaires…) on or after
    `since`, oldest first: kind, file_name, imported_at, rows, imported_by (démo loads left out)."""
    return sc.execute("""
        SELECT kind, file_name, imported_at, rows, imported_by FROM import_log
        WHERE contrat_code = ? AND imported_at >= ? AND NOT is_demo ORDER BY imported_at, id
    """, [contrat, _ts(since)]).df()


def account_names(sc) -> dict[str, str]:
    """{login: name} of the accounts of the saisie database: who a login is, for « importé par »."""
    try:
        return {login: nom for login, nom in sc.execute("SELECT login, nom FROM users").fetchall() if nom}
    except Exception:  # noqa: BLE001 - a saisie database without accounts: logins are shown as they are
        return {}


# --------------------------------------------------------------------------- everything

def facts(con, sc, contrat: str, since: dt.date, today: dt.date | None = None) -> dict:
    """Everything « Depuis le dernier COPIL » shows. `con` (warehouse) or `sc` (saisie) may be None.

    Keys: since, today, releases, latest_publications; files, files_exact, imports, latest_editions (None
    without a warehouse); contract_imports, names (accounts' names), reviews, actions, undated (None when the
    contract has no commitments / no programmation); demo (démo rows shown)."""

    today = today or dt.date.today()
    out: dict = {"since": since, "today": today, "releases": releases(since, today),
                 "latest_publications": latest_publications(today), "files": None, "files_exact": True, "imports": None,
                 "latest_editions": None, "contract_imports": None, "names": {}, "reviews": None, "actions": None,
                 "undated": None, "demo": False}
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
        out["contract_imports"] = contract_imports(sc, contrat, since)
        out["names"] = account_names(sc)
    return out
