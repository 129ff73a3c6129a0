"""Référentiel d'évaluation: enjeu → objectif stratégique → objectif opérationnel → actions, engagements,
indicators, and how far it is filled in (baseline, target, current value).

`sc` is the saisie connection; `con` the warehouse (optional): for an indicator taken from the catalogue,
the current value is the latest edition the warehouse holds for its territory. 2024 quartiers have no
INSEE indicator file yet, so such a value is honestly « non disponible » until INSEE publishes it.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from observatoire import vocabulary


def indicators(sc, contrat: str, con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Every indicator of the référentiel with its node path, values and fill flags."""
    df = sc.execute("""
        WITH RECURSIVE path AS (
            SELECT id, parent_id, id AS enjeu_id, code, libelle, niveau FROM ref_noeud
             WHERE contrat_code = ? AND parent_id IS NULL
            UNION ALL
            SELECT n.id, n.parent_id, p.enjeu_id, n.code, n.libelle, n.niveau
              FROM ref_noeud n JOIN path p ON n.parent_id = p.id
        )
        SELECT i.id, i.row_version, i.noeud_id, i.code, i.libelle, i.unite, i.source, i.responsable, i.frequence,
               i.catalogue_id, i.territoire_code, i.valeur_reference, i.annee_reference, i.valeur_cible,
               i.annee_cible, i.valeur_actuelle, i.date_actuelle, n.code AS noeud_code, n.libelle AS noeud,
               n.niveau, e.code AS enjeu_code, e.libelle AS enjeu, i.is_demo
        FROM ref_indicateur i JOIN path n ON n.id = i.noeud_id JOIN ref_noeud e ON e.id = n.enjeu_id
        WHERE i.contrat_code = ?
        ORDER BY i.code
    """, [contrat, contrat]).df()
    df["valeur_courante"] = df["valeur_actuelle"].astype(float)
    df["statut_courant"] = ["ok" if pd.notna(v) else "non_disponible" for v in df["valeur_actuelle"]]
    df["origine_courante"] = ["saisie" if pd.notna(v) else None for v in df["valeur_actuelle"]]
    df["edition_courante"] = pd.array([None] * len(df), dtype="Int64")
    if con is not None:
        for i, r in df.iterrows():
            if r["catalogue_id"] and r["territoire_code"] and pd.isna(r["valeur_actuelle"]):
                value, status, edition = _warehouse_value(con, r["territoire_code"], r["catalogue_id"])
                df.at[i, "valeur_courante"] = value
                df.at[i, "statut_courant"] = status
                df.at[i, "origine_courante"] = "entrepôt" if status in ("ok", "bruite") else None
                df.at[i, "edition_courante"] = edition
    df["a_reference"] = df["valeur_reference"].notna()
    df["a_cible"] = df["valeur_cible"].notna()
    df["a_valeur"] = df["valeur_courante"].notna()
    df["complet"] = df["a_reference"] & df["a_cible"] & df["a_valeur"]
    span = df["valeur_cible"] - df["valeur_reference"]
    df["avancement"] = [((c - r) / s * 100) if ok and s else None
                        for c, r, s, ok in zip(df["valeur_courante"], df["valeur_reference"], span, df["complet"])]
    return df


def _warehouse_value(con, territory: str, indicator_id: str) -> tuple[float | None, str, int | None]:
    try:
        row = con.execute("""
            SELECT value, status, edition FROM indicator_value WHERE territory_code = ? AND indicator_id = ?
            ORDER BY (value IS NOT NULL) DESC, edition DESC LIMIT 1
        """, [territory, indicator_id]).fetchone()
    except duckdb.Error:
        return None, "non_disponible", None
    if row is None:
        return None, "non_disponible", None
    value, status, edition = row
    return (value if status in ("ok", "bruite") else None), status, edition


def tree(sc, contrat: str, con=None) -> list[dict]:
    """Nested nodes: {id, code, niveau, libelle, children, indicateurs, n_actions, n_engagements, fill}."""
    nodes = sc.execute("""
        SELECT n.id, n.parent_id, n.niveau, n.code, n.libelle, n.ordre,
               (SELECT count(*) FROM ref_lien l WHERE l.noeud_id = n.id AND l.action_id IS NOT NULL) AS n_actions,
               (SELECT count(*) FROM ref_lien l WHERE l.noeud_id = n.id AND l.engagement_id IS NOT NULL) AS n_engagements
        FROM ref_noeud n WHERE n.contrat_code = ? ORDER BY n.ordre, n.code
    """, [contrat]).df()
    inds = indicators(sc, contrat, con)
    by_node: dict[int, list[dict]] = {}
    for r in inds.to_dict("records"):
        by_node.setdefault(int(r["noeud_id"]), []).append(r)
    items = {int(r["id"]): {**r, "id": int(r["id"]), "niveau_label": vocabulary.label("referentiel_levels", r["niveau"]),
                            "children": [], "indicateurs": by_node.get(int(r["id"]), [])}
             for r in nodes.to_dict("records")}
    roots = []
    for item in items.values():
        pid = item["parent_id"]
        if pid is None or pd.isna(pid) or int(pid) not in items:
            roots.append(item)
        else:
            items[int(pid)]["children"].append(item)

    def fill(node):
        all_inds = list(node["indicateurs"])
        n_act, n_eng = node["n_actions"], node["n_engagements"]
        for c in node["children"]:
            sub = fill(c)
            all_inds += sub["_all"]
            n_act += c["total_actions"]
            n_eng += c["total_engagements"]
        node["total_actions"], node["total_engagements"] = int(n_act), int(n_eng)
        node["fill"] = _fill(all_inds)
        node["_all"] = all_inds
        return node

    for r in roots:
        fill(r)
    for item in items.values():
        item.pop("_all", None)
    return roots


def _fill(inds: list[dict]) -> dict:
    n = len(inds)
    cnt = lambda k: sum(1 for i in inds if i[k])  # noqa: E731
    return {"n_indicateurs": n, "avec_reference": cnt("a_reference"), "avec_cible": cnt("a_cible"),
            "avec_valeur": cnt("a_valeur"), "complets": cnt("complet"),
            "taux_complet": (cnt("complet") / n * 100) if n else None}


def progress(sc, contrat: str, con=None) -> pd.DataFrame:
    """Fill progress per enjeu and overall: how many indicators have a baseline, a target, a current value."""
    inds = indicators(sc, contrat, con)
    rows = []
    for (code, label), g in inds.groupby(["enjeu_code", "enjeu"], sort=True):
        rows.append({"enjeu_code": code, "enjeu": label, **_fill(g.to_dict("records"))})
    rows.append({"enjeu_code": "", "enjeu": vocabulary.row_label("referentiel"), **_fill(inds.to_dict("records"))})
    return pd.DataFrame(rows)


def flat(sc, contrat: str, con=None) -> pd.DataFrame:
    """The tree as a table (one row per node, indented code), for display and exports."""
    rows = []

    def walk(node, depth):
        rows.append({"code": node["code"], "niveau": node["niveau_label"], "libelle": "  " * depth + node["libelle"],
                     "actions": node["total_actions"], "engagements": node["total_engagements"],
                     "indicateurs": node["fill"]["n_indicateurs"], "complets": node["fill"]["complets"],
                     "taux_complet": node["fill"]["taux_complet"]})
        for c in node["children"]:
            walk(c, depth + 1)

    for root in tree(sc, contrat, con):
        walk(root, 0)
    return pd.DataFrame(rows)


def links(sc, noeud_id: int) -> pd.DataFrame:
    """Actions and commitments linked to a node."""
    return sc.execute("""
        SELECT 'action' AS type, a.id, a.annee::VARCHAR || ' · ' || a.numero_dossier AS reference, a.intitule AS libelle,
               a.statut
        FROM ref_lien l JOIN action a ON a.id = l.action_id WHERE l.noeud_id = ?
        UNION ALL
        SELECT 'engagement', e.id, e.code, e.intitule, e.statut
        FROM ref_lien l JOIN engagement e ON e.id = l.engagement_id WHERE l.noeud_id = ?
        ORDER BY 1, 3
    """, [noeud_id, noeud_id]).df()
