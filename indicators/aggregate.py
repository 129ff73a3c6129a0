"""Contract-level aggregates of quartier indicators, only where the indicator allows it.

The catalogue's `aggregation` says how:
- `sum` (counts): the sum over the contract's quartiers; if any quartier has no published value the total is
  not known, so the value is withheld (status 'non_disponible', with the number of quartiers missing);
- `weighted:<denominator>` (rates and shares whose denominator is known): the denominator-weighted mean over
  the quartiers where both are published, with the share of the denominator covered (`coverage`);
- `none` (medians, deciles, indices): never averaged — status 'sans_objet', method « non agrégeable ».
Secret statistique: a result computed on fewer units than the indicator's secret rule (e.g. fewer than 5 job
seekers) goes through secret.guard and comes back without a number.
"""
from __future__ import annotations

import pandas as pd

from indicators import catalog, references, secret

COLUMNS = ["indicator_id", "label", "unit", "edition", "method", "value", "status", "n_quartiers",
           "n_with_value", "coverage", "denominator", "note"]


def quartiers(con, contrat_code: str) -> list[str]:
    """Codes of the quartiers linked to a contract (`qpv_contrat`), sorted."""
    return [r[0] for r in con.execute(
        "SELECT child_code FROM territory_link WHERE relation = 'qpv_contrat' AND parent_code = ? ORDER BY 1",
        [references.normalise_code(contrat_code)]).fetchall()]


def _vals(con, codes, indicator_id, edition) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT territory_code, value, status FROM indicator_value WHERE indicator_id = ? AND edition = ? "
        "AND list_contains(?, territory_code)", [indicator_id, int(edition), codes]).fetchall()
    return {c: (secret.visible(v, s), s) for c, v, s in rows}


def _closest_edition(con, indicator_id, edition, generation) -> int | None:
    eds = catalog.editions(con, indicator_id, generation)
    if not eds:
        return None
    return min(eds, key=lambda e: (abs(e - edition), -e))


def aggregate(con, contrat_code: str, indicator_ids=None, edition: int | None = None) -> pd.DataFrame:
    """One row per indicator: contract-level value with method (somme / moyenne pondérée / non agrégeable).

    Weights of a weighted share use the denominator at the same edition key, else its closest edition
    (named in `note`).
    """
    t = references.territory(con, contrat_code)
    qs = quartiers(con, t["code"])
    gens = {r[0] for r in con.execute(
        "SELECT DISTINCT generation FROM territory WHERE list_contains(?, code)", [qs]).fetchall()} if qs else set()
    gen = sorted(gens)[0] if len(gens) == 1 else (t.get("generation") if t.get("generation") in ("2015", "2024") else "2015")
    ids = catalog.known(con, indicator_ids) if indicator_ids else catalog.ids(con)
    rows = []
    for i in ids:
        meta = catalog.indicator(con, i)
        e = catalog.resolve_edition(con, i, edition, gen)
        agg = (meta.get("aggregation") or "none").strip()
        row = {"indicator_id": i, "label": meta["label"], "unit": meta["unit"], "edition": e,
               "n_quartiers": len(qs), "value": None, "n_with_value": 0, "coverage": None,
               "denominator": None, "note": None}
        if agg == "none" or not agg:
            row.update(method="non agrégeable", status="sans_objet",
                       note="Non agrégeable : médiane, décile, indice ou taux dont le dénominateur n'est pas publié.")
        elif e is None or not qs:
            row.update(method="somme" if agg == "sum" else "moyenne pondérée", status="non_disponible")
        elif agg == "sum":
            row.update(_sum(con, qs, i, e, meta))
        elif agg.startswith("weighted:"):
            row.update(_weighted(con, qs, i, e, agg.split(":", 1)[1].strip(), gen, meta))
        else:
            raise ValueError(f"Agrégation inconnue pour {i} : {agg!r} (catalogue)")
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _sum(con, qs, i, e, meta) -> dict:
    vals = _vals(con, qs, i, e)
    have = [vals[q][0] for q in qs if q in vals and vals[q][0] is not None]
    out = {"method": "somme", "n_with_value": len(have)}
    missing = len(qs) - len(have)
    if missing:
        return dict(out, status="non_disponible",
                    note=f"{missing} quartier(s) sans valeur publiée : total inconnu.")
    total = float(sum(have))
    if meta.get("secret_rule"):
        v, s = secret.guard(total, total, meta["secret_rule"])
        return dict(out, value=v, status=s, note=None if s == "ok" else
                    f"Moins de {secret.threshold(meta['secret_rule'])} unités : secret statistique.")
    return dict(out, value=total, status="ok")


def _weighted(con, qs, i, e, denom, gen, meta) -> dict:
    out = {"method": f"moyenne pondérée par {denom}", "denominator": denom}
    catalog.indicator(con, denom)
    we = e if e in catalog.editions(con, denom, gen) else _closest_edition(con, denom, e, gen)
    if we is None:
        return dict(out, status="non_disponible", note=f"Dénominateur {denom} indisponible.")
    vals, wts = _vals(con, qs, i, e), _vals(con, qs, denom, we)
    pairs = [(vals[q][0], wts[q][0]) for q in qs
             if q in vals and q in wts and vals[q][0] is not None and wts[q][0] is not None]
    total_w = sum(wts[q][0] for q in qs if q in wts and wts[q][0] is not None)
    sw = float(sum(w for _, w in pairs))
    note = None if we == e else f"Pondération : {denom} millésime {we} (millésime {e} absent)."
    out.update(n_with_value=len(pairs), coverage=(sw / total_w) if total_w else None)
    if not pairs or sw <= 0:
        return dict(out, status="non_disponible", note=note)
    value = sum(v * w for v, w in pairs) / sw
    status = "ok"
    if meta.get("secret_rule"):
        value, status = secret.guard(value, sw, meta["secret_rule"])
    if len(pairs) < len(qs):
        extra = f"Calculé sur {len(pairs)} quartier(s) sur {len(qs)}."
        note = f"{note} {extra}" if note else extra
    return dict(out, value=value, status=status, note=note)
