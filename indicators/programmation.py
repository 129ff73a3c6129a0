"""Programmation annuelle: money (means), actions and beneficiaries (outputs), money against need.

Pure functions. `sc` is a connection to the saisie database (contract.store.connect()), `con` a
connection to the warehouse (read-only) where State means and quartier populations live.

Conventions (said on the pages):
- Statuses, financeurs, sexes and age bands come back as codes: presentation/ writes their labels.
- Amounts "accordés" count only actions whose status is accordé or soldé.
- An action on several quartiers is split equally between them for per-quartier amounts (the files give
  no finer key); an action on every quartier of the contract counts for each of them in the same way.
- Beneficiary counts are people, hence personal: any count below the 'beneficiaires' threshold is
  returned as None with status 'effectif_insuffisant', and when one cell of a breakdown is hidden the
  smallest other cell is hidden too (secondary secrecy), so a total cannot give it back.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from contract.warehouse import quartier_label
from indicators import secret
from observatoire import vocabulary

FUNDED = tuple(vocabulary.flagged("action_statuses", "funded"))
_FUNDED_SQL = "('" + "', '".join(FUNDED) + "')"


def _years_filter(years) -> tuple[str, list]:
    if years is None:
        return "", []
    years = [years] if isinstance(years, int) else list(years)
    return f" AND a.annee IN ({', '.join('?' for _ in years)})", years


def is_demo(sc: duckdb.DuckDBPyConnection, contrat: str, table: str = "action") -> bool:
    """Whether the rows shown for this contract are démo rows (then every display says so)."""
    row = sc.execute(f'SELECT bool_or(is_demo) FROM "{table}" WHERE contrat_code = ?', [contrat]).fetchone()
    return bool(row and row[0])


def life_counts(sc, contrat: str) -> dict | None:
    """{demo, n_actions, n_engagements} of a contract in the saisie database, None when it is not there:
    what decides which contract-life blocks an export shows, and whether they carry the démo label."""
    if not sc.execute("SELECT count(*) FROM contrat WHERE contrat_code = ?", [contrat]).fetchone()[0]:
        return None
    n_actions = sc.execute("SELECT count(*) FROM action WHERE contrat_code = ?", [contrat]).fetchone()[0]
    n_eng = sc.execute("SELECT count(*) FROM engagement WHERE contrat_code = ?", [contrat]).fetchone()[0]
    demo = bool(sc.execute(
        "SELECT bool_or(is_demo) FROM (SELECT is_demo FROM action WHERE contrat_code = ? "
        "UNION ALL SELECT is_demo FROM engagement WHERE contrat_code = ? "
        "UNION ALL SELECT is_demo FROM contrat WHERE contrat_code = ?) AS d", [contrat] * 3).fetchone()[0])
    return {"demo": demo, "n_actions": int(n_actions), "n_engagements": int(n_eng)}


def contract_nom(sc, contrat: str) -> str | None:
    """The contract's name as registered in the saisie database (None when absent): how pages name a
    contract the warehouse does not know."""
    row = sc.execute("SELECT nom FROM contrat WHERE contrat_code = ?", [contrat]).fetchone()
    return row[0] if row else None


def years(sc, contrat: str) -> list[int]:
    return [r[0] for r in sc.execute("SELECT DISTINCT annee FROM action WHERE contrat_code = ? ORDER BY 1",
                                     [contrat]).fetchall()]


def quartiers(sc, contrat: str) -> pd.DataFrame:
    """The contract's quartiers as registered in the saisie database (code, nom, communes, label)."""
    df = sc.execute("SELECT quartier_code, nom, communes FROM contrat_quartier WHERE contrat_code = ? "
                    "ORDER BY quartier_code", [contrat]).df()
    df["label"] = [quartier_label(n, c) for n, c in zip(df["nom"], df["communes"])]
    return df


# --------------------------------------------------------------------------- money

def amounts_sql(where: str = "") -> str:
    """One row per action with its requested and granted totals and its State P147 part."""
    return f"""
        SELECT a.id, a.annee, a.thematique, a.statut, a.porteur_type,
               a.cout_total,
               coalesce(a.montant_sollicite, sum(f.montant_sollicite)) AS sollicite,
               CASE WHEN a.statut IN {_FUNDED_SQL} THEN coalesce(sum(f.montant_accorde), 0) ELSE 0 END AS accorde,
               CASE WHEN a.statut IN {_FUNDED_SQL}
                    THEN coalesce(sum(f.montant_accorde) FILTER (WHERE f.financeur = 'etat_p147'), 0)
                    ELSE 0 END AS accorde_p147
        FROM action a LEFT JOIN action_financement f ON f.action_id = a.id
        WHERE a.contrat_code = ? {where}
        GROUP BY a.id, a.annee, a.thematique, a.statut, a.porteur_type, a.cout_total, a.montant_sollicite
    """


def totals_by_year(sc, contrat: str) -> pd.DataFrame:
    """Per year: actions filed and funded, amounts requested and granted (all financeurs, and State P147)."""
    return sc.execute(f"""
        SELECT annee, count(*) AS n_actions,
               count(*) FILTER (WHERE statut IN {_FUNDED_SQL}) AS n_financees,
               sum(sollicite) AS montant_sollicite, sum(accorde) AS montant_accorde,
               sum(accorde_p147) AS montant_accorde_p147,
               sum(cout_total) FILTER (WHERE statut IN {_FUNDED_SQL}) AS cout_total_financees
        FROM ({amounts_sql()}) AS m GROUP BY annee ORDER BY annee
    """, [contrat]).df()


def totals_by_theme(sc, contrat: str, years=None) -> pd.DataFrame:
    """Per theme (and year): funded actions and granted amounts, with the theme's share of the total."""
    where, params = _years_filter(years)
    df = sc.execute(f"""
        SELECT annee, coalesce(thematique, ?) AS thematique,
               count(*) FILTER (WHERE statut IN {_FUNDED_SQL}) AS n_financees,
               sum(accorde) AS montant_accorde, sum(accorde_p147) AS montant_accorde_p147
        FROM ({amounts_sql(where)}) AS m GROUP BY 1, 2 ORDER BY annee, montant_accorde DESC
    """, [vocabulary.row_label("missing_theme"), contrat, *params]).df()
    tot = df.groupby("annee")["montant_accorde"].transform("sum")
    df["part"] = (df["montant_accorde"] / tot.where(tot > 0) * 100).astype(float)
    return df


def totals_by_financeur(sc, contrat: str, years=None) -> pd.DataFrame:
    """Per financeur (and year): amounts requested and granted on the contract's programmation."""
    where, params = _years_filter(years)
    df = sc.execute(f"""
        SELECT a.annee, f.financeur,
               sum(f.montant_sollicite) AS montant_sollicite,
               sum(f.montant_accorde) FILTER (WHERE a.statut IN {_FUNDED_SQL}) AS montant_accorde,
               count(DISTINCT a.id) FILTER (WHERE a.statut IN {_FUNDED_SQL} AND f.montant_accorde > 0) AS n_actions
        FROM action a JOIN action_financement f ON f.action_id = a.id
        WHERE a.contrat_code = ? {where}
        GROUP BY a.annee, f.financeur ORDER BY a.annee, montant_accorde DESC NULLS LAST
    """, [contrat, *params]).df()
    df["montant_accorde"] = df["montant_accorde"].fillna(0.0)
    tot = df.groupby("annee")["montant_accorde"].transform("sum")
    df["part"] = (df["montant_accorde"] / tot.where(tot > 0) * 100).astype(float)
    return df


def actions(sc, contrat: str, years=None, thematique: str | None = None, statut: str | None = None,
            quartier: str | None = None, porteur: str | None = None) -> pd.DataFrame:
    """The actions table with filters: amounts, quartiers, planned/actual beneficiaries (guarded)."""
    where, params = _years_filter(years)
    for col, val in (("a.thematique", thematique), ("a.statut", statut)):
        if val:
            where += f" AND {col} = ?"
            params.append(val)
    if porteur:
        where += " AND a.porteur_nom ILIKE ?"
        params.append(f"%{porteur}%")
    if quartier:
        where += " AND a.id IN (SELECT action_id FROM action_quartier WHERE quartier_code = ?)"
        params.append(quartier)
    df = sc.execute(f"""
        WITH m AS ({amounts_sql(where)})
        SELECT a.id, a.row_version, a.annee, a.numero_dossier, a.porteur_nom, a.porteur_siret, a.porteur_type,
               a.intitule, a.thematique, a.axe, a.statut, m.cout_total, m.sollicite AS montant_sollicite,
               m.accorde AS montant_accorde, m.accorde_p147 AS montant_accorde_p147,
               (SELECT string_agg(q.quartier_code, ', ' ORDER BY q.quartier_code) FROM action_quartier q
                 WHERE q.action_id = a.id) AS quartiers,
               (SELECT n FROM action_beneficiaire b WHERE b.action_id = a.id AND b.phase = 'prevu'
                 AND b.sexe = '*' AND b.tranche_age = '*') AS beneficiaires_prevus,
               (SELECT n FROM action_beneficiaire b WHERE b.action_id = a.id AND b.phase = 'realise'
                 AND b.sexe = '*' AND b.tranche_age = '*') AS beneficiaires_realises,
               a.is_demo
        FROM action a JOIN m ON m.id = a.id
        ORDER BY a.annee DESC, a.numero_dossier
    """, [contrat, *params]).df()
    for col in ("beneficiaires_prevus", "beneficiaires_realises"):
        guarded = [secret.guard(v, v, "beneficiaires") if pd.notna(v) else (None, "non_disponible")
                   for v in df[col]]
        df[col] = pd.array([g[0] for g in guarded], dtype="Int64")
        df[col + "_statut"] = [g[1] for g in guarded]
    return df


# --------------------------------------------------------------------------- beneficiaries

def _suppress(values: list, total_shown: bool = True) -> list[str]:
    """Statuses for the cells of one breakdown: primary (< threshold, zero allowed) then secondary."""
    t = secret.threshold("beneficiaires")
    status = ["ok" if v is None or v == 0 or v >= t else "effectif_insuffisant" for v in values]
    hidden = [i for i, s in enumerate(status) if s != "ok"]
    if len(hidden) == 1 and total_shown:
        others = [(values[i], i) for i, s in enumerate(status) if s == "ok" and values[i]]
        if others:
            status[min(others)[1]] = "effectif_insuffisant"
    return status


def beneficiaries(sc, contrat: str, years=None, phase: str = "prevu", by: str = "sexe",
                  thematique: str | None = None, funded_only: bool = True) -> pd.DataFrame:
    """Beneficiaries summed over actions, by 'sexe', 'age' or 'sexe_age', guarded.

    Only actions that give the breakdown count in it; `n_actions` says how many did, so the reader can
    compare with the total. Columns: key(s) (codes), n (None when hidden), status, share (% of shown total)."""
    where, params = _years_filter(years)
    if thematique:
        where += " AND a.thematique = ?"
        params.append(thematique)
    if funded_only:
        where += f" AND a.statut IN {_FUNDED_SQL}"
    cond = {"sexe": "b.sexe <> '*' AND b.tranche_age = '*'", "age": "b.sexe = '*' AND b.tranche_age <> '*'",
            "sexe_age": "b.sexe <> '*' AND b.tranche_age <> '*'"}[by]
    df = sc.execute(f"""
        SELECT b.sexe, b.tranche_age, sum(b.n) AS n, count(DISTINCT a.id) AS n_actions
        FROM action a JOIN action_beneficiaire b ON b.action_id = a.id
        WHERE a.contrat_code = ? AND b.phase = ? AND {cond} {where}
        GROUP BY b.sexe, b.tranche_age
    """, [contrat, phase, *params]).df()
    keys = {"sexe": ["sexe"], "age": ["tranche_age"], "sexe_age": ["sexe", "tranche_age"]}[by]
    order = {k: i for i, k in enumerate(vocabulary.codes("sexes") + vocabulary.codes("age_bands"))}
    if df.empty:
        return pd.DataFrame(columns=keys + ["n", "status", "part", "n_actions"])
    df = df.sort_values(keys, key=lambda s: s.map(order)).reset_index(drop=True)
    df["n"] = df["n"].astype(int)
    if by == "sexe_age":
        status = [None] * len(df)
        for _, idx in df.groupby("sexe").groups.items():
            idx = list(idx)
            for i, s in zip(idx, _suppress([int(df.at[i, "n"]) for i in idx])):
                status[i] = s
    else:
        status = _suppress(df["n"].tolist())
    df["status"] = status
    df["n"] = pd.array([int(n) if s == "ok" else None for n, s in zip(df["n"], df["status"])], dtype="Int64")
    shown = df.loc[df["status"] == "ok", "n"].sum()
    df["part"] = [float(n) / shown * 100 if s == "ok" and shown else None for n, s in zip(df["n"], df["status"])]
    return df[keys + ["n", "status", "part", "n_actions"]]


def beneficiaries_total(sc, contrat: str, years=None, phase: str = "prevu") -> tuple[int | None, str, int]:
    """Total beneficiaries of funded actions (value, status, number of actions giving it), guarded."""
    where, params = _years_filter(years)
    n, k = sc.execute(f"""
        SELECT sum(b.n), count(DISTINCT a.id) FROM action a JOIN action_beneficiaire b ON b.action_id = a.id
        WHERE a.contrat_code = ? AND b.phase = ? AND b.sexe = '*' AND b.tranche_age = '*'
          AND a.statut IN {_FUNDED_SQL} {where}
    """, [contrat, phase, *params]).fetchone()
    if n is None:
        return None, "non_disponible", 0
    value, status = secret.guard(int(n), int(n), "beneficiaires")
    return value, status, int(k)


def girls_boys(sc, contrat: str, years=None, phase: str = "prevu", minors_only: bool = False) -> pd.DataFrame:
    """Girls/boys balance per theme (and overall): n_f, n_m, share of girls, guarded.

    minors_only: use the crossed cells under 18 (the seeds' warning concerns youth projects)."""
    where, params = _years_filter(years)
    if minors_only:
        cond = "b.sexe <> '*' AND b.tranche_age IN ('" + "', '".join(vocabulary.flagged("age_bands", "minor")) + "')"
    else:
        cond = "b.sexe <> '*' AND b.tranche_age = '*'"
    df = sc.execute(f"""
        SELECT coalesce(a.thematique, ?) AS thematique,
               sum(b.n) FILTER (WHERE b.sexe = 'F') AS n_f, sum(b.n) FILTER (WHERE b.sexe = 'M') AS n_m,
               count(DISTINCT a.id) AS n_actions
        FROM action a JOIN action_beneficiaire b ON b.action_id = a.id
        WHERE a.contrat_code = ? AND b.phase = ? AND a.statut IN {_FUNDED_SQL} AND {cond} {where}
        GROUP BY 1 ORDER BY thematique
    """, [vocabulary.row_label("missing_theme"), contrat, phase, *params]).df()
    if df.empty:
        return pd.DataFrame(columns=["thematique", "n_f", "n_m", "part_filles", "status", "n_actions"])
    total = pd.DataFrame([{"thematique": vocabulary.row_label("total"), "n_f": df["n_f"].sum(), "n_m": df["n_m"].sum(),
                           "n_actions": df["n_actions"].sum()}])
    df = pd.concat([df, total], ignore_index=True)
    out = []
    for r in df.itertuples():
        f, m = int(r.n_f or 0), int(r.n_m or 0)
        st_f, st_m = _suppress([f, m])
        share, status = secret.guard(f / (f + m) * 100 if f + m else None, min(f + m, 10 ** 9), "beneficiaires")
        if "effectif_insuffisant" in (st_f, st_m):
            share, status = None, "effectif_insuffisant"
        out.append({"thematique": r.thematique, "n_f": f if st_f == "ok" else None,
                    "n_m": m if st_m == "ok" else None, "part_filles": share, "status": status,
                    "n_actions": int(r.n_actions)})
    res = pd.DataFrame(out)
    for c in ("n_f", "n_m"):
        res[c] = pd.array(res[c], dtype="Int64")
    return res


# --------------------------------------------------------------------------- quartiers: money vs need

def actions_per_quartier(sc, contrat: str, years=None) -> pd.DataFrame:
    """Per quartier: funded actions, actions specific to it, granted amounts split equally between the
    quartiers of each action (total and State P147)."""
    where, params = _years_filter(years)
    df = sc.execute(f"""
        WITH m AS ({amounts_sql(where)}),
             nq AS (SELECT action_id, count(*) AS k FROM action_quartier GROUP BY 1)
        SELECT q.quartier_code, q.nom, q.communes,
               count(DISTINCT aq.action_id) FILTER (WHERE m.statut IN {_FUNDED_SQL}) AS n_actions,
               count(DISTINCT aq.action_id) FILTER (WHERE m.statut IN {_FUNDED_SQL} AND nq.k = 1) AS n_actions_propres,
               coalesce(sum(m.accorde / nq.k), 0) AS montant_accorde,
               coalesce(sum(m.accorde_p147 / nq.k), 0) AS montant_accorde_p147
        FROM contrat_quartier q
        LEFT JOIN action_quartier aq ON aq.quartier_code = q.quartier_code AND aq.contrat_code = q.contrat_code
        LEFT JOIN m ON m.id = aq.action_id
        LEFT JOIN nq ON nq.action_id = aq.action_id
        WHERE q.contrat_code = ?
        GROUP BY q.quartier_code, q.nom, q.communes ORDER BY montant_accorde DESC
    """, [contrat, *params, contrat]).df()
    df["label"] = [quartier_label(n, c) for n, c in zip(df["nom"], df["communes"])]
    return df


def quartier_need(con: duckdb.DuckDBPyConnection | None, codes: list[str]) -> pd.DataFrame:
    """Population and poverty rate of 2024 quartiers from the warehouse, with how they were obtained.

    No INSEE file exists yet for the 2024 geography: a quartier's own values are used when the warehouse
    has them (method 'qpv2024'); otherwise, when the 2015→2024 crosswalk links it to 2015 quartiers, the
    latest population of those (sum) and their population-weighted poverty rate are given as an
    approximation (method 'approx_qp2015', with the 2015 codes); otherwise status 'non_disponible'."""
    cols = ["quartier_code", "population", "pop_status", "pop_edition", "tx_pauvrete", "pauv_status",
            "pauv_edition", "method", "codes_2015"]
    if con is None or not codes:
        return pd.DataFrame({"quartier_code": codes, "population": None, "pop_status": "non_disponible",
                             "pop_edition": None, "tx_pauvrete": None, "pauv_status": "non_disponible",
                             "pauv_edition": None, "method": None, "codes_2015": None})[cols]
    codes_df = pd.DataFrame({"quartier_code": codes})
    try:
        con.register("_need_codes", codes_df)
        df = con.execute("""
            WITH latest AS (
                SELECT territory_code, indicator_id, value, status, edition,
                       row_number() OVER (PARTITION BY territory_code, indicator_id ORDER BY edition DESC) AS rk
                FROM indicator_value WHERE indicator_id IN ('pop', 'tx_pauvrete') AND value IS NOT NULL
            ),
            own AS (
                SELECT c.quartier_code,
                       max(value) FILTER (WHERE indicator_id = 'pop') AS population,
                       max(edition) FILTER (WHERE indicator_id = 'pop') AS pop_edition,
                       max(value) FILTER (WHERE indicator_id = 'tx_pauvrete') AS tx_pauvrete,
                       max(edition) FILTER (WHERE indicator_id = 'tx_pauvrete') AS pauv_edition
                FROM _need_codes c LEFT JOIN latest l ON l.territory_code = c.quartier_code AND l.rk = 1
                GROUP BY 1
            ),
            xw AS (
                SELECT k.parent_code AS quartier_code, k.child_code AS code_2015
                FROM territory_link k JOIN _need_codes c ON c.quartier_code = k.parent_code
                WHERE k.relation = 'qp2015_qpv2024'
            ),
            approx AS (
                SELECT x.quartier_code, string_agg(DISTINCT x.code_2015, ', ') AS codes_2015,
                       sum(p.value) AS population, max(p.edition) AS pop_edition,
                       sum(p.value * t.value) / nullif(sum(p.value) FILTER (WHERE t.value IS NOT NULL), 0) AS tx_pauvrete,
                       max(t.edition) AS pauv_edition,
                       count(*) FILTER (WHERE t.value IS NULL) AS missing_rates
                FROM xw x
                LEFT JOIN latest p ON p.territory_code = x.code_2015 AND p.indicator_id = 'pop' AND p.rk = 1
                LEFT JOIN latest t ON t.territory_code = x.code_2015 AND t.indicator_id = 'tx_pauvrete' AND t.rk = 1
                GROUP BY 1
            )
            SELECT c.quartier_code,
                   coalesce(o.population, a.population) AS population,
                   coalesce(o.pop_edition, a.pop_edition) AS pop_edition,
                   coalesce(o.tx_pauvrete, CASE WHEN a.missing_rates = 0 THEN a.tx_pauvrete END) AS tx_pauvrete,
                   coalesce(o.pauv_edition, a.pauv_edition) AS pauv_edition,
                   CASE WHEN o.population IS NOT NULL THEN 'qpv2024'
                        WHEN a.population IS NOT NULL THEN 'approx_qp2015' END AS method,
                   CASE WHEN o.population IS NULL THEN a.codes_2015 END AS codes_2015
            FROM _need_codes c LEFT JOIN own o USING (quartier_code) LEFT JOIN approx a USING (quartier_code)
        """).df()
    except duckdb.CatalogException:
        df = pd.DataFrame({"quartier_code": codes, "population": None, "pop_edition": None,
                           "tx_pauvrete": None, "pauv_edition": None, "method": None, "codes_2015": None})
    finally:
        try:
            con.unregister("_need_codes")
        except Exception:  # noqa: BLE001
            pass
    df["pop_status"] = ["ok" if pd.notna(v) else "non_disponible" for v in df["population"]]
    df["pauv_status"] = ["ok" if pd.notna(v) else "non_disponible" for v in df["tx_pauvrete"]]
    return df[cols]


def money_vs_need(sc, con, contrat: str, years=None) -> pd.DataFrame:
    """Per quartier: granted € (split rule above), € per inhabitant and per inhabitant below the poverty
    line, with status and method ('qpv2024' exact, 'approx_qp2015' approximate via the crosswalk); and, where
    beneficiaries files were imported, the share of the beneficiaries of the quartier's actions living in a
    QPV (benef_part_qpv) and the beneficiaries living in the quartier (benef_residents), guarded."""
    per_q = actions_per_quartier(sc, contrat, years)
    need = quartier_need(con, per_q["quartier_code"].tolist())
    df = per_q.merge(need, on="quartier_code", how="left")
    # social usefulness beside the money: where the beneficiaries of the quartier's actions live (issue 15)
    homes = residence_by_quartier(sc, contrat, years)[
        ["quartier_code", "part_qpv", "part_qpv_status", "n_residents_shown", "n_residents_status",
         "n_localises_shown", "n_localises_status"]].rename(columns={
            "part_qpv": "benef_part_qpv", "part_qpv_status": "benef_part_qpv_status",
            "n_residents_shown": "benef_residents", "n_residents_status": "benef_residents_status",
            "n_localises_shown": "benef_localises", "n_localises_status": "benef_localises_status"})
    df = df.merge(homes, on="quartier_code", how="left")
    yrs = _years_with_funding(sc, contrat) if years is None else ([years] if isinstance(years, int) else list(years))
    n_years = max(1, len(set(yrs)))
    df["n_annees"] = n_years
    df["pauvres"] = df["population"] * df["tx_pauvrete"] / 100
    df["euros_par_habitant"] = [a / n_years / p if pd.notna(p) and p > 0 else None
                                for a, p in zip(df["montant_accorde"], df["population"])]
    df["euros_par_pauvre"] = [a / n_years / p if pd.notna(p) and p > 0 else None
                              for a, p in zip(df["montant_accorde"], df["pauvres"])]
    df["status_habitant"] = ["ok" if v is not None and pd.notna(v) else "non_disponible" for v in df["euros_par_habitant"]]
    df["status_pauvre"] = ["ok" if v is not None and pd.notna(v) else "non_disponible" for v in df["euros_par_pauvre"]]
    return df


def commune_funded_actions(sc, contrat: str) -> set[int]:
    """Ids of the contract's actions with an amount granted by a commune: the DSU report's candidate list."""
    return {r[0] for r in sc.execute(
        "SELECT action_id FROM action_financement WHERE contrat_code = ? AND financeur = 'commune' "
        "AND coalesce(montant_accorde, 0) > 0", [contrat]).fetchall()}


def _years_with_funding(sc, contrat: str) -> list[int]:
    return [r[0] for r in sc.execute(
        f"SELECT DISTINCT annee FROM action WHERE contrat_code = ? AND statut IN {_FUNDED_SQL}", [contrat]).fetchall()]


def contract_population(con, contrat: str) -> tuple[float | None, str | None]:
    """Population of the contract's quartiers as published by ANCT (contract file), with its source."""
    if con is None:
        return None, None
    try:
        row = con.execute("SELECT population, population_source FROM territory WHERE code = ?", [contrat]).fetchone()
    except duckdb.Error:
        return None, None
    return (float(row[0]), row[1]) if row and row[0] is not None else (None, None)




# --------------------------------------------------------------------------- where beneficiaries live

def _residence_sql(where: str) -> str:
    """One row per (funded action with a beneficiaries file, place): lieu is a 2024 quartier code or a
    qpv_answers code ('non', 'indeterminee', 'non_geolocalisee'); in_cible says whether the place is one of
    the quartiers the action targets."""
    return f"""
        SELECT a.id AS action_id, a.annee, a.numero_dossier, a.intitule, r.lieu, r.n,
               r.lieu NOT IN ('non', 'indeterminee', 'non_geolocalisee') AS in_qpv,
               r.lieu IN ('non', 'indeterminee', 'non_geolocalisee') AND r.lieu <> 'non' AS unknown,
               EXISTS (SELECT 1 FROM action_quartier q WHERE q.action_id = a.id AND q.quartier_code = r.lieu)
                   AS in_cible
        FROM action a JOIN action_residence r ON r.action_id = a.id
        WHERE a.contrat_code = ? AND a.statut IN {_FUNDED_SQL} {where}
    """


def _shares(df: pd.DataFrame, shares=("part_qpv", "part_cible")) -> pd.DataFrame:
    """Guard the counts and shares of a residence table: nothing is shown under the 'beneficiaires'
    threshold of located beneficiaries (a share of 3 people would point at them)."""
    for col in shares:   # no located beneficiary at all: no file for it, « non disponible »
        guarded = [secret.guard(float(k) / n * 100, n, "beneficiaires") if n else (None, "non_disponible")
                   for k, n in zip(df[col.replace("part", "n")], df["n_localises"])]
        df[col] = [g[0] for g in guarded]
        df[col + "_status"] = [g[1] for g in guarded]
    located = [secret.guard(int(n), int(n), "beneficiaires") if n else (None, "non_disponible")
               for n in df["n_localises"]]
    df["n_localises_shown"] = pd.array([g[0] for g in located], dtype="Int64")
    df["n_localises_status"] = [g[1] for g in located]
    # raw person counts never leave this module: only the guarded columns above are displayed
    return df.drop(columns=[c for c in ("n_total", "n_localises", "n_qpv", "n_cible") if c in df.columns])


def residence_by_action(sc, contrat: str, years=None) -> pd.DataFrame:
    """Per funded action with a beneficiaries file (contract.imports.beneficiaires): beneficiaries counted,
    located (in a QPV or not), share living in a QPV and share living in the quartiers the action targets —
    shares over located beneficiaries, shown only from the 'beneficiaires' threshold (status otherwise)."""
    where, params = _years_filter(years)
    df = sc.execute(f"""
        SELECT action_id, annee, numero_dossier, intitule, CAST(sum(n) AS BIGINT) AS n_total,
               CAST(coalesce(sum(n) FILTER (WHERE NOT unknown), 0) AS BIGINT) AS n_localises,
               CAST(coalesce(sum(n) FILTER (WHERE in_qpv), 0) AS BIGINT) AS n_qpv,
               CAST(coalesce(sum(n) FILTER (WHERE in_cible), 0) AS BIGINT) AS n_cible
        FROM ({_residence_sql(where)}) x
        GROUP BY action_id, annee, numero_dossier, intitule ORDER BY annee DESC, numero_dossier
    """, [contrat, *params]).df()
    return _shares(df)


def residence_by_quartier(sc, contrat: str, years=None) -> pd.DataFrame:
    """Per quartier of the contract: the located beneficiaries of the funded actions that target it (an
    action on several quartiers counts for each) and the share of them living in a QPV; plus
    `n_residents`, beneficiaries of any funded action of the contract who live in the quartier. Same
    threshold rule as residence_by_action."""
    where, params = _years_filter(years)
    df = sc.execute(f"""
        WITH r AS ({_residence_sql(where)}),
        per_action AS (
            SELECT action_id, coalesce(sum(n) FILTER (WHERE NOT unknown), 0) AS n_localises,
                   coalesce(sum(n) FILTER (WHERE in_qpv), 0) AS n_qpv
            FROM r GROUP BY action_id),
        targeted AS (
            SELECT aq.quartier_code, sum(p.n_localises) AS n_localises, sum(p.n_qpv) AS n_qpv,
                   count(*) AS n_actions
            FROM per_action p JOIN action_quartier aq ON aq.action_id = p.action_id GROUP BY aq.quartier_code),
        residents AS (SELECT lieu AS quartier_code, sum(n) AS n_residents FROM r GROUP BY lieu)
        SELECT q.quartier_code, q.nom, q.communes,
               coalesce(t.n_actions, 0) AS n_actions_fichier,
               CAST(coalesce(t.n_localises, 0) AS BIGINT) AS n_localises,
               CAST(coalesce(t.n_qpv, 0) AS BIGINT) AS n_qpv,
               CAST(coalesce(s.n_residents, 0) AS BIGINT) AS n_residents
        FROM contrat_quartier q
        LEFT JOIN targeted t ON t.quartier_code = q.quartier_code
        LEFT JOIN residents s ON s.quartier_code = q.quartier_code
        WHERE q.contrat_code = ?
        ORDER BY q.quartier_code
    """, [contrat, *params, contrat]).df()
    res = [secret.guard(int(n), int(n), "beneficiaires") if n else (0, "ok") for n in df["n_residents"]]
    df["n_residents_shown"] = pd.array([g[0] for g in res], dtype="Int64")
    df["n_residents_status"] = [g[1] for g in res]
    df = _shares(df.drop(columns=["n_residents"]), ("part_qpv",))
    df["label"] = [quartier_label(n, c) for n, c in zip(df["nom"], df["communes"])]
    return df


def has_residence(sc, contrat: str) -> bool:
    """Whether a beneficiaries file was imported for this contract (démo rows included)."""
    return bool(sc.execute("SELECT count(*) FROM action_residence WHERE contrat_code = ?", [contrat]).fetchone()[0])
