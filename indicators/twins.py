"""Twin quartiers: the nationally most similar quartiers on a standardised profile.

Method (docs/INDICATEURS-LIBRARY.md):
- profile = chosen indicators (default PROFILE, those the catalogue declares), each at its latest edition not
  after `edition` for the quartier's generation; every quartier of that generation is a candidate, whatever
  its contract, including ex-quartiers (2015 quartiers left out of the 2024 geography);
- each indicator is standardised over all quartiers with a published value (z = (x - mean) / sd, sd with
  ddof=0); unpublished values (secret, absent) stay missing — never imputed;
- distance = root mean square of z differences over the dimensions both quartiers have
  (sqrt(sum dz^2 / m)); a candidate sharing fewer than `min_overlap` dimensions with the quartier is
  excluded (default: ceil(0.6 x number of dimensions), at least 2);
- ties are broken by code, so results are deterministic;
- 2024 quartiers: profiles are their 2015 predecessors' (indicators.predecessors, `approximated` True);
  quartiers sharing a predecessor with the target (parts of one 2015 quartier) are not twins;
- `similar_on` = the 3 dimensions with the smallest |dz|, `different_on` = up to 3 with the largest |dz|
  among those at least DIFFERENT_Z apart.
The z matrix is cached per warehouse build (indicators/cache.py), generation, edition and profile; a search is
one vectorised numpy pass.
"""
from __future__ import annotations

import math

import numpy as np

from indicators import cache, catalog, predecessors, references

# Structure indicators only (rates, shares, medians), no sizes: twins are alike in situation, not in scale.
PROFILE = [
    "tx_pauvrete", "rev_disp_median", "rev_disp_d1", "part_prest_sociales",   # income and poverty
    "tx_emploi", "tx_emploi_f", "tx_emploi_precaire", "part_de_infbac",       # employment
    "ind_jeunesse", "part_etrangers", "part_menages_6pers", "part_menages_1pers",  # population
    "part_alloc_rsa",                                                          # CAF
]
DIFFERENT_Z = 0.5


def default_profile(con) -> list[str]:
    """PROFILE ids that the warehouse's catalogue declares (order kept)."""
    declared = set(catalog.ids(con))
    return [i for i in PROFILE if i in declared]


class Matrix:
    """Standardised profile of all quartiers of one generation (rows sorted by code)."""

    def __init__(self, codes, ids, editions, raw):
        self.codes = np.asarray(codes, dtype=object)
        self.index = {c: k for k, c in enumerate(codes)}
        self.ids, self.editions, self.raw = list(ids), dict(editions), raw
        with np.errstate(invalid="ignore", divide="ignore"):
            self.mean = np.nanmean(raw, axis=0) if raw.size else np.zeros(len(ids))
            self.sd = np.nanstd(raw, axis=0) if raw.size else np.zeros(len(ids))
            sd = np.where(self.sd > 0, self.sd, np.nan)
            self.z = (raw - self.mean) / sd  # constant columns become all-NaN: no information
        self.present = ~np.isnan(self.z)
        self._info: dict[str, dict] = {}
        self._labels = None

    def info(self, con, codes) -> dict[str, dict]:
        """Name, communes, contract… of these quartiers of the matrix, read once each (a fiche needs five: a
        one-shot command line should not read the 1 600)."""
        missing = [str(c) for c in codes if str(c) not in self._info]
        if missing:
            self._info.update(_info(con, missing))
        return self._info

    def labels(self, con) -> dict[str, str]:
        if self._labels is None:
            self._labels = {r: catalog.indicator(con, r)["label"] for r in self.ids}
        return self._labels


def matrix(con, generation: str = "2015", edition: int | None = None, indicator_ids=None) -> Matrix:
    """The (cached) z-score matrix of the profile for one generation and edition bound."""
    ids = tuple(catalog.known(con, indicator_ids) if indicator_ids else default_profile(con))
    key = ("twins", generation, edition, ids)
    store = cache.memo(con)
    if key in store:
        return store[key]
    eds = {i: catalog.resolve_edition(con, i, edition, generation) for i in ids}
    ids = tuple(i for i in ids if eds[i] is not None)
    codes = [r[0] for r in con.execute(
        "SELECT code FROM territory WHERE level = 'qpv' AND generation = ? ORDER BY code", [generation]).fetchall()]
    raw = np.full((len(codes), len(ids)), np.nan)
    if ids and codes:
        # 2024 quartiers: values through their 2015 predecessors (indicators.predecessors).
        rows = con.execute(
            f"""
            WITH p AS (SELECT unnest(?) AS indicator_id, unnest(?) AS edition)
            SELECT v.territory_code, v.indicator_id, v.value
            FROM {predecessors.values_relation(generation)} v
            JOIN territory t ON t.code = v.territory_code AND t.level = 'qpv' AND t.generation = ?
            WHERE v.status IN ('ok', 'bruite') AND v.value IS NOT NULL
            """,
            [list(ids), [eds[i] for i in ids], generation],
        ).fetchnumpy()
        pos = {c: k for k, c in enumerate(codes)}
        col = {i: k for k, i in enumerate(ids)}
        r_idx = np.array([pos[c] for c in rows["territory_code"]], dtype=int)
        c_idx = np.array([col[i] for i in rows["indicator_id"]], dtype=int)
        raw[r_idx, c_idx] = np.asarray(rows["value"], dtype=float)
    m = Matrix(codes, ids, {i: eds[i] for i in ids}, raw)
    store[key] = m
    return m


def default_min_overlap(k: int) -> int:
    """Minimum number of common non-missing dimensions: ceil(0.6 k), at least 2 (or k when k < 2)."""
    return min(k, max(2, math.ceil(0.6 * k)))


def distances(m: Matrix, target: int, min_overlap: int) -> tuple[np.ndarray, np.ndarray]:
    """RMS z distance of every row to row `target` over common dims (NaN below min_overlap) and overlap counts."""
    dz = m.z - m.z[target]
    common = m.present & m.present[target]
    n = common.sum(axis=1)
    sq = np.where(common, dz * dz, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(sq / n)
    d[(n < min_overlap) | (n == 0)] = np.nan
    d[target] = np.nan
    return d, n


def twins(con, code: str, n: int = 5, indicator_ids=None, edition: int | None = None,
          min_overlap: int | None = None) -> list[dict]:
    """The n most similar quartiers nationally: [{code, name, distance, n_common, similar_on, different_on, ...}].

    Empty list when the quartier is not in the matrix (no indicator data for its generation) or has fewer
    than `min_overlap` published dimensions.
    """
    t = references.territory(con, code)
    if t["level"] != "qpv":
        raise ValueError(f"Les quartiers jumeaux ne concernent que les quartiers ({t['code']} est {t['level']}).")
    m = matrix(con, t.get("generation") or "2015", edition, indicator_ids)
    k = len(m.ids)
    mo = default_min_overlap(k) if min_overlap is None else int(min_overlap)
    i = m.index.get(t["code"])
    if i is None or k == 0 or m.present[i].sum() < mo:
        return []
    d, cnt = distances(m, i, mo)
    approximated = predecessors.is_2024_code(t["code"])
    if approximated:  # 2024 profiles are their predecessors': a sibling from the same 2015 quartier is no twin
        siblings = {c for p in predecessors.links(con, t["code"]) for c in p["successors"]}
        for c in siblings:
            j = m.index.get(c)
            if j is not None:
                d[j] = np.nan
    ok = np.flatnonzero(~np.isnan(d))
    order = ok[np.lexsort((m.codes[ok].astype(str), d[ok]))][:n]
    info, labels = m.info(con, m.codes[order]), m.labels(con)
    out = []
    for j in order:
        common = np.flatnonzero(m.present[i] & m.present[j])
        adz = np.abs(m.z[j, common] - m.z[i, common])
        srt = common[np.argsort(adz, kind="stable")]
        dims = [{"indicator_id": m.ids[c], "label": labels[m.ids[c]], "edition": m.editions[m.ids[c]],
                 "value": float(m.raw[i, c]), "twin_value": float(m.raw[j, c]),
                 "z_diff": float(abs(m.z[j, c] - m.z[i, c]))} for c in srt]
        c = str(m.codes[j])
        out.append({
            "code": c, **info.get(c, {"name": None}), "distance": float(d[j]), "n_common": int(cnt[j]),
            "approximated": approximated,
            "similar_on": dims[:3],
            "different_on": [x for x in reversed(dims) if x["z_diff"] >= DIFFERENT_Z][:3],
        })
    return out


def _info(con, codes: list[str]) -> dict[str, dict]:
    """{code: {name, departement, region, communes, contrat, ex_quartier}} for quartiers (set-based SQL)."""
    if not codes:
        return {}
    rows = con.execute(
        """
        WITH q AS (SELECT code, name, departement, region FROM territory WHERE list_contains($1, code)),
        com AS (SELECT l.child_code AS code, string_agg(c.name, ', ' ORDER BY c.name) AS communes
                FROM territory_link l JOIN territory c ON c.code = l.parent_code
                WHERE l.relation = 'qpv_commune' AND list_contains($1, l.child_code) GROUP BY 1),
        cv AS (SELECT child_code AS code, string_agg(parent_code, ', ' ORDER BY parent_code) AS contrat
               FROM territory_link WHERE relation = 'qpv_contrat' AND list_contains($1, child_code) GROUP BY 1),
        xw AS (SELECT code, count(*) AS n FROM (
                  SELECT child_code AS code FROM territory_link WHERE relation = 'qp2015_qpv2024'
                  UNION ALL SELECT parent_code FROM territory_link WHERE relation = 'qp2015_qpv2024')
               WHERE list_contains($1, code) GROUP BY 1)
        SELECT q.code, q.name, q.departement, q.region, com.communes, cv.contrat, coalesce(xw.n, 0)
        FROM q LEFT JOIN com USING (code) LEFT JOIN cv USING (code) LEFT JOIN xw USING (code)
        """,
        [list(codes)],
    ).fetchall()
    has_xwalk = con.execute(
        "SELECT count(*) FROM territory_link WHERE relation = 'qp2015_qpv2024'").fetchone()[0] > 0
    # ex_quartier: a 2015 quartier with no 2024 successor in the crosswalk (None when there is no crosswalk)
    return {c: {"name": nm, "departement": dep, "region": reg, "communes": com, "contrat": cv,
                "ex_quartier": (nx == 0) if has_xwalk and c.startswith("QP") else None}
            for c, nm, dep, reg, com, cv, nx in rows}


def profile(con, code: str, edition: int | None = None, indicator_ids=None) -> list[dict]:
    """The quartier's standardised profile: [{indicator_id, edition, value, z}] (None where unpublished)."""
    t = references.territory(con, code)
    m = matrix(con, t.get("generation") or "2015", edition, indicator_ids)
    i = m.index.get(t["code"])
    return [{"indicator_id": ind, "edition": m.editions[ind],
             "value": None if i is None or np.isnan(m.raw[i, k]) else float(m.raw[i, k]),
             "z": None if i is None or np.isnan(m.z[i, k]) else float(m.z[i, k])}
            for k, ind in enumerate(m.ids)]
