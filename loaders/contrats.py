"""Contrats de ville (2015 and 2024 generations), quartier -> contract links, and the State means per contract.

Contracts (`geom_cv_ctr_{2015,2024}gen.json`): one territory per code (the 45 `CV` codes present in both
files are one row, generation '2015/2024'); every published carrier (`codgeo`) goes to contract_carrier and
resolves to a current territory: commune (5 chars), EPCI or EPT (Grand Paris) SIREN, or — for the 2015
SIRENs of EPCI merged since (NOTRe law, 2017) — 'epci_fusionne': candidate successors are the current EPCI
(with communes in the contract's département) whose ANCT outline holds the contract point or lies within
0.03°, and the carrier kept is the EPCI of the quartiers finally assigned to the contract.

Quartier -> contract (`qpv_contrat`), per generation, first non-empty tier among the contracts of that
generation's file carried by: 1. one of the quartier's communes, 2. their EPT, 3. their EPCI, 4. an old
EPCI merged into their EPCI; candidates outside the quartier's département are dropped when others remain;
in the 2024 file a `CN` contract wins over a `CV` one with the same carrier (overseas carriers are listed
with their old and new contract). Several candidates left:
- 2015: the published `pop` of each contract is the sum of its quartiers' POP_MUN (exact for 231 of the
  236 contracts whose quartiers are all certain). Quartiers are grouped by commune (one commune = one EPCI = one contract in
  2015; a quartier spanning communes is free) and a branch-and-bound search looks for the split giving
  every contract exactly its published population, nearest contract point first. Exact split: 'resolved',
  confidence 0.9. Otherwise the nearest contract point is kept (0.6, 'fuzzy'; 0.9 for the contracts whose
  sum happens to be exact).
- 2024: no quartier population exists yet, so every candidate is linked with confidence 1/n and reported
  'ambiguous'.

Means: `adulte-relais-{year}.json` and `postes-fonjep-{year}.json` -> means_post, one row per record
(quirks kept and warned: `annee` as text from 2023, FONJEP rows without `code_cv`, no `code_tiers` from
2024, repeated records, 2025 partial). 2020 actions: the two subventions GeoPackages -> contract_actions_2020.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict

import numpy as np
import shapely

from loaders import bulk
from loaders.build import BuildContext
from loaders.geo import in_metro_bbox, is_overseas_dep, read_layer
from loaders.names import dep_from_quartier_code
from observatoire.frformat import fmt_int

DIR = "contrats_de_ville"
FILES = {"2015": f"{DIR}/geom_cv_ctr_2015gen.json", "2024": f"{DIR}/geom_cv_ctr_2024gen.json"}
EPCI_OUTLINES = "contours/admin_epci_anct.geojson"
CENTROIDS = "qpv2024_referentiel/communes_avec_qpv2024_centroides.geojson"
YEARS = range(2020, 2026)
PARTIAL_YEARS = {2025}
LINK_COLS = ["child_code", "parent_code", "relation", "confidence", "method", "source_file"]
REPORT_COLS = ["code", "relation", "status", "detail", "source_file"]


def _label(lib: str | None) -> str | None:
    """'01 - CC de la Plaine de l'Ain' -> 'CC de la Plaine de l'Ain' (the département stays in its column)."""
    return re.sub(r"^\s*[0-9][0-9AB]{1,2}\s*-\s*", "", lib).strip() if lib else lib


def _fr(n: float | None) -> str:
    return fmt_int(n) or "?"


def _read_contracts(ctx: BuildContext, known: dict[str, str], epci_deps: dict[str, set]) -> list[dict]:
    """Both contract files, one dict per feature, carriers resolved (see module docstring).

    An old SIREN (EPCI merged since 2015) gets `near`: the current EPCI having member communes in the
    contract's département whose ANCT outline contains the contract point or lies within 0.03° of it
    (containing one first). They are the candidate successors; the carrier is refined later from the
    quartiers assigned to the contract (_refine_carriers)."""
    outlines = read_layer(ctx.path(EPCI_OUTLINES))
    siren = outlines.fields["siren_epci"]
    tree = shapely.STRtree(outlines.geoms)
    rows, resolved = [], {}
    for gen, rel in FILES.items():
        lay = read_layer(ctx.path(rel))
        f = lay.fields
        inset = np.zeros(len(lay), dtype=bool)
        has_geom = np.array([g is not None for g in lay.geoms])
        if has_geom.any():
            inset[has_geom] = in_metro_bbox(lay.geoms[has_geom])
        for i in range(len(lay)):
            dep = f["insee_dep"][i]
            row = dict(code=f["code_cv"][i].strip(), gen=gen, codgeo=str(f["codgeo"][i]).strip(), lib=f["lib_cv"][i],
                       dep=dep, pop=None if f["pop"][i] is None or math.isnan(f["pop"][i]) else float(f["pop"][i]),
                       geom=lay.geoms[i], inset=bool(inset[i]) and is_overseas_dep(dep),
                       file=rel.split("/")[-1], feature=i + 1, near=[])
            level = known.get(row["codgeo"])
            if level in ("commune", "epci", "ept"):
                row.update(level=level, carrier=row["codgeo"], conf=1.0, method="codgeo")
            elif row["geom"] is not None and not row["inset"]:
                near = sorted(((shapely.distance(row["geom"], outlines.geoms[j]), siren[j])
                               for j in tree.query(row["geom"], predicate="dwithin", distance=0.03)
                               if known.get(siren[j]) == "epci" and dep in epci_deps.get(siren[j], ())))
                row["near"] = list(dict.fromkeys(s for _d, s in near))
                if near:
                    inside = near[0][0] == 0
                    row.update(level="epci_fusionne", carrier=near[0][1], conf=0.9 if inside else 0.8,
                               method="epci_fusionne_localisation" if inside else "epci_fusionne_proximite")
                    resolved.setdefault(row["codgeo"], row)
            rows.append(row)
    # The same old SIREN listed twice (CV043: Pays d'Aix, parts in 13 and 84) resolves the same way.
    for row in rows:
        if not row.get("carrier") and row["codgeo"] in resolved:
            src = resolved[row["codgeo"]]
            row.update(level=src["level"], carrier=src["carrier"], conf=src["conf"], method=src["method"],
                       near=src["near"])
    ctx.log_file(ctx.path(EPCI_OUTLINES), len(outlines), "localisation des contrats dont l'EPCI porteur a fusionné")
    return rows


def _refine_carriers(rows: list[dict], links: list[tuple], epci_of: dict[str, set]) -> None:
    """Merged-EPCI contracts: the current EPCI of the quartiers assigned to the contract (most frequent),
    which beats the point location when the point lies near a border (CV343 Lacs de l'Essonne)."""
    by_contract = defaultdict(list)
    for q, c, _rel, conf, _m, _src in links:
        by_contract[c].append((q, conf))
    for r in rows:
        if r.get("level") != "epci_fusionne" or r["gen"] != "2015" or not by_contract.get(r["code"]):
            continue
        votes = defaultdict(int)
        for q, _conf in by_contract[r["code"]]:
            for e in epci_of.get(q, ()):
                votes[e] += 1
        if votes:
            best = max(sorted(votes), key=lambda e: votes[e])
            sure = all(conf >= 0.9 for _q, conf in by_contract[r["code"]])
            r.update(carrier=best, conf=0.9 if sure else 0.8, method="epci_fusionne_quartiers")


def _insert_contracts(ctx: BuildContext, rows: list[dict]) -> None:
    con = ctx.con
    by_code = defaultdict(list)
    for r in rows:
        by_code[r["code"]].append(r)
    terr, carriers, links, reports = [], [], {}, []
    for code, rs in sorted(by_code.items()):
        gens = sorted({r["gen"] for r in rs})
        newest = [r for r in rs if r["gen"] == gens[-1]]
        main = max(newest, key=lambda r: r["pop"] or 0)
        pop = sum(r["pop"] or 0 for r in newest) if any(r["pop"] is not None for r in newest) else None
        terr.append((code, "contrat_de_ville", _label(main["lib"]) or code, "/".join(gens), code, main["dep"],
                     pop, f"{main['file']} (population des quartiers du contrat, champ pop)" if pop is not None else None))
        for r in rs:
            carriers.append((code, r["gen"], r["codgeo"], r.get("level"), r.get("carrier"), r["lib"], r["dep"], r["pop"],
                             r["inset"], r["file"], r["feature"]))
            if r.get("carrier"):
                key = (code, r["carrier"])
                if key not in links or links[key][0] < r["conf"]:
                    links[key] = (r["conf"], r["method"], r["file"])
                if r["level"] == "epci_fusionne":
                    reports.append((code, "contrat_epci", "resolved",
                                    f"SIREN porteur {r['codgeo']} (« {_label(r['lib'])} ») absent du COG actuel (EPCI fusionné) ; "
                                    + {"epci_fusionne_localisation": "le point du contrat est dans l'EPCI actuel ",
                                       "epci_fusionne_proximite": "le point du contrat est tout près de l'EPCI actuel ",
                                       "epci_fusionne_quartiers": "les quartiers rattachés au contrat sont dans l'EPCI actuel "}
                                    [r["method"]] + r["carrier"], r["file"]))
            else:
                reports.append((code, "contrat_epci", "unmatched",
                                f"porteur {r['codgeo']} (« {_label(r['lib'])} ») absent du COG actuel et non localisable"
                                + (" (point absent)" if r["geom"] is None else " (point en encart outre-mer)" if r["inset"] else ""),
                                r["file"]))
    regions = dict(con.execute("SELECT cog_code, region FROM territory WHERE level = 'departement'").fetchall())
    terr = [t[:6] + (regions.get(t[5]),) + t[6:] for t in terr]
    bulk.insert(con, "territory", ["code", "level", "name", "generation", "cog_code", "departement", "region",
                                   "population", "population_source"], terr)
    bulk.insert(con, "contract_carrier", ["contrat_code", "file_generation", "codgeo", "carrier_level", "carrier_code",
                                          "lib_cv", "insee_dep", "pop_qpv", "is_inset", "source_file", "feature"], carriers)
    bulk.insert(con, "territory_link", LINK_COLS,
                [(c, p, "contrat_epci", conf, m, f) for (c, p), (conf, m, f) in sorted(links.items())])
    bulk.insert(con, "link_report", REPORT_COLS, reports)


def _commune_points(ctx: BuildContext) -> dict[str, tuple[float, float]]:
    """Commune points (lon, lat) from the QPV 2024 referentiel centroids: the communes of nearly every quartier."""
    lay = read_layer(ctx.path(CENTROIDS))
    return {c: (shapely.get_x(g), shapely.get_y(g)) for c, g in zip(lay.fields["insee_com"], lay.geoms) if g is not None}


def _distance(a, b) -> float:
    """Squared equirectangular distance in degrees (ranking only)."""
    k = math.cos(math.radians((a[1] + b[1]) / 2))
    return ((a[0] - b[0]) * k) ** 2 + (a[1] - b[1]) ** 2


def _units(qs: set[str], communes_of: dict[str, set]) -> list[set[str]]:
    """Quartiers lying in a single commune grouped by commune (a commune belonged to one EPCI, hence one
    contract, in 2015); a quartier spanning several communes is a unit of its own (it may have been given to
    either commune's contract)."""
    by_commune = defaultdict(set)
    units = []
    for q in sorted(qs):
        cs = communes_of[q]
        if len(cs) == 1:
            by_commune[next(iter(cs))].add(q)
        else:
            units.append({q})
    return [by_commune[c] for c in sorted(by_commune)] + units


def _assign_units(units: list[set[str]], cands: dict[str, list[str]], pop: dict[str, float],
                  fixed: dict[str, float], target: dict[str, float], pref: dict[str, list[str]],
                  max_nodes: int = 200_000) -> dict[str, str] | None:
    """Branch and bound: each unit goes to one contract among the candidates common to its quartiers, so that
    sum |quartier population per contract - published population| is minimal (0 = every sum exact).
    Candidates are tried nearest first, so ties keep the geographic choice. None if a unit has no common
    candidate."""
    items = []
    for u in units:
        common = set.intersection(*(set(cands[q]) for q in u))
        if not common:
            return None
        first = pref[min(u)]
        order = sorted(common, key=lambda c: (first.index(c) if c in first else len(first), c))
        items.append((sum(pop.get(q, 0.0) for q in u), order, u))
    items.sort(key=lambda it: (-it[0], min(it[2])))
    contracts = sorted({c for _p, order, _u in items for c in order})
    cur = {c: fixed.get(c, 0.0) for c in contracts}
    remaining = [0.0] * (len(items) + 1)
    for i in range(len(items) - 1, -1, -1):
        remaining[i] = remaining[i + 1] + items[i][0]
    best = [math.inf, None]
    choice = [None] * len(items)
    nodes = [0]
    tgt = {c: target.get(c, cur[c]) for c in contracts}
    gap = {"over": sum(max(0.0, cur[c] - tgt[c]) for c in contracts),
           "under": sum(max(0.0, tgt[c] - cur[c]) for c in contracts)}

    def move(c, p):
        """cur[c] += p, keeping the total overshoot and undershoot up to date."""
        before = cur[c] - tgt[c]
        cur[c] += p
        after = cur[c] - tgt[c]
        gap["over"] += max(0.0, after) - max(0.0, before)
        gap["under"] += max(0.0, -after) - max(0.0, -before)

    def dfs(i):
        nodes[0] += 1
        if nodes[0] > max_nodes:
            return
        if i == len(items):
            err = gap["over"] + gap["under"]
            if err < best[0]:
                best[0], best[1] = err, list(choice)
            return
        # Lower bound: overshoot never shrinks; undershoot beyond the remaining population stays.
        if gap["over"] + max(0.0, gap["under"] - remaining[i]) >= best[0]:
            return
        p, order, _u = items[i]
        for c in order:
            move(c, p)
            choice[i] = c
            dfs(i + 1)
            move(c, -p)
            if best[0] < 0.5:
                return

    dfs(0)
    if best[1] is None:
        return None
    return {q: c for (_p, _o, u), c in zip(items, best[1]) for q in u}


def _link_quartiers(ctx: BuildContext, rows: list[dict]) -> tuple[list, list, dict]:
    con = ctx.con
    qc = defaultdict(set)
    for q, c, gen in con.execute("""SELECT l.child_code, l.parent_code, t.generation FROM territory_link l
                                    JOIN territory t ON t.code = l.child_code AND t.level = 'qpv'
                                    WHERE l.relation = 'qpv_commune'""").fetchall():
        qc[(gen, q)].add(c)
    quartiers = con.execute("SELECT code, generation FROM territory WHERE level = 'qpv' AND generation IN ('2015', '2024')"
                            " ORDER BY generation, code").fetchall()
    up = {"commune_epci": defaultdict(set), "commune_ept": defaultdict(set)}
    for c, p, rel in con.execute("SELECT child_code, parent_code, relation FROM territory_link "
                                 "WHERE relation IN ('commune_epci', 'commune_ept')").fetchall():
        up[rel][c].add(p)
    qpop = dict(con.execute("""SELECT territory_code, arg_max(value, edition) FROM source_value
                               WHERE source_variable = 'POP_MUN' AND value IS NOT NULL AND territory_code LIKE 'QP%'
                               GROUP BY 1""").fetchall())
    points = _commune_points(ctx)

    links, reports = [], []
    for gen in ("2015", "2024"):
        pool = [r for r in rows if r["gen"] == gen and r.get("carrier")]
        by_carrier = defaultdict(list)
        for r in pool:
            if r["level"] == "epci_fusionne":
                for e in r["near"]:
                    by_carrier[("epci_fusionne", e)].append(r)
            else:
                by_carrier[(r["level"], r["carrier"])].append(r)
        target = defaultdict(float)
        cpoint, cdeps = {}, defaultdict(set)
        for r in pool:
            target[r["code"]] += r["pop"] or 0.0
            cdeps[r["code"]].add(r["dep"])
            if r["geom"] is not None and not r["inset"]:
                cpoint.setdefault(r["code"], (shapely.get_x(r["geom"]), shapely.get_y(r["geom"])))
        src = FILES[gen].split("/")[-1]
        single, multi = {}, {}
        for q, g in quartiers:
            if g != gen:
                continue
            communes = qc.get((gen, q), set())
            if not communes:
                reports.append((q, "qpv_contrat", "unmatched", "quartier sans commune : contrat introuvable", src))
                continue
            dep = dep_from_quartier_code(q)
            epci = set().union(*(up["commune_epci"][c] for c in communes))
            ept = set().union(*(up["commune_ept"][c] for c in communes))
            tiers = (("commune", communes, "contrat_commune", 1.0), ("ept", ept, "contrat_ept", 1.0),
                     ("epci", epci, "contrat_epci", 1.0), ("epci_fusionne", epci, "contrat_epci_fusionne", 0.9))
            for level, keys, method, conf in tiers:
                cands = sorted({r["code"] for k in keys for r in by_carrier.get((level, k), [])})
                if not cands:
                    continue
                same_dep = [c for c in cands if dep in cdeps[c]]
                cands = same_dep or cands
                if gen == "2024" and any(c.startswith("CN") for c in cands):
                    cands = [c for c in cands if c.startswith("CN")]
                if len(cands) == 1:
                    single[q] = (cands[0], conf, method)
                else:
                    multi[q] = (cands, method)
                break
            else:
                reports.append((q, "qpv_contrat", "unmatched",
                                f"aucun contrat {gen} porté par les communes ({', '.join(sorted(communes))}) ou l'EPCI "
                                f"({', '.join(sorted(epci)) or 'aucun'}) du quartier", src))
        links += [(q, c, "qpv_contrat", conf, m, src) for q, (c, conf, m) in single.items()]
        if gen == "2024":
            for q, (cands, method) in multi.items():
                links += [(q, c, "qpv_contrat", round(1 / len(cands), 3), method + "_multiple", src) for c in cands]
                reports.append((q, "qpv_contrat", "ambiguous",
                                f"plusieurs contrats 2024 possibles ({', '.join(cands)}) : tous liés, confiance 1/{len(cands)}",
                                src))
            continue
        # 2015: population-checked assignment, group by group (connected candidate sets).
        fixed = defaultdict(float)
        for q, (c, _conf, _m) in single.items():
            fixed[c] += qpop.get(q, 0.0)
        groups = []
        for q in sorted(multi):
            cs = set(multi[q][0])
            merged = [g for g in groups if g[1] & cs]
            for g in merged:
                groups.remove(g)
            groups.append(({q}.union(*(g[0] for g in merged)), cs.union(*(g[1] for g in merged))))
        for qs, cs in groups:
            start = {}
            for q in sorted(qs):
                pts = [points[c] for c in qc[(gen, q)] if c in points]
                cands = multi[q][0]
                if pts:
                    here = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
                    start[q] = min(cands, key=lambda c: (_distance(here, cpoint[c]) if c in cpoint else 1e9, c))
                else:
                    start[q] = cands[0]
            # Exact population split found -> every contract verified; otherwise keep the nearest contract
            # points and verify contract by contract (a population-minimising split that is not exact can
            # be geographically absurd: Villetaneuse sent to Est Ensemble).
            assign, matched, sums = start, set(), {}
            if all(q in qpop for q in qs):
                communes_of = {q: qc[(gen, q)] for q in qs}
                prefs = {q: sorted(multi[q][0], key=lambda c: (c != start[q], c)) for q in qs}
                exact = _assign_units(_units(qs, communes_of), {q: multi[q][0] for q in qs}, qpop, fixed,
                                      target, prefs)
                for candidate in ([exact] if exact else []) + [start]:
                    sums = defaultdict(float, fixed)
                    for q, c in candidate.items():
                        sums[c] += qpop[q]
                    matched = {c for c in cs if abs(sums[c] - target[c]) < 0.5}
                    assign = candidate
                    if matched == cs:
                        break
            for q in sorted(qs):
                cands, method = multi[q]
                c = assign[q]
                if c in matched:
                    links.append((q, c, "qpv_contrat", 0.9, method + "_population", src))
                    reports.append((q, "qpv_contrat", "resolved",
                                    f"contrats possibles : {', '.join(cands)} ; {c} retenu : avec ce quartier, la population "
                                    f"des quartiers du contrat égale exactement sa population publiée ({_fr(target[c])})", src))
                else:
                    links.append((q, c, "qpv_contrat", 0.6, method + "_proximite", src))
                    reports.append((q, "qpv_contrat", "fuzzy",
                                    f"contrats possibles : {', '.join(cands)} ; {c} retenu : point de contrat le plus proche "
                                    f"(aucune répartition ne redonne exactement les populations publiées ; population "
                                    f"publiée de {c} : {_fr(target.get(c))}, des quartiers retenus : {_fr(sums.get(c))})",
                                    src))
    epci_of = {q: set().union(*(up["commune_epci"][c] for c in cs)) for (_g, q), cs in qc.items()}
    return links, reports, epci_of


def _load_means(ctx: BuildContext) -> None:
    """All twelve files in one statement (record = position in the file's JSON array), checks per file."""
    con = ctx.con
    contracts = {r[0] for r in con.execute("SELECT code FROM territory WHERE level = 'contrat_de_ville'").fetchall()}
    files = [(kind, year, ctx.path(f"{DIR}/{stem}-{year}.json"))
             for kind, stem in (("adulte_relais", "adulte-relais"), ("fonjep", "postes-fonjep")) for year in YEARS]
    cols = ("{id_poste: 'VARCHAR', code_tiers: 'VARCHAR', raison_sociale: 'VARCHAR', annee: 'VARCHAR', "
            "montant: 'VARCHAR', code_cv: 'VARCHAR', insee_dep: 'VARCHAR', insee_reg: 'VARCHAR'}")
    con.execute("CREATE OR REPLACE TEMP TABLE mp AS " + " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, {year} AS file_year, '{path.name}' AS f, row_number() OVER () AS record, * "
        f"FROM read_json('{path}', format='array', columns={cols})" for kind, year, path in files))
    stats = {r[0]: r[1:] for r in con.execute("""
        SELECT f, count(*),
               count(*) FILTER (WHERE TRY_CAST(annee AS INTEGER) IS DISTINCT FROM file_year),
               count(*) FILTER (WHERE montant IS NOT NULL AND TRY_CAST(montant AS DOUBLE) IS NULL),
               count(*) FILTER (WHERE nullif(trim(code_cv), '') IS NULL),
               count(*) FILTER (WHERE code_tiers IS NULL),
               count(*) - count(DISTINCT (id_poste, code_tiers, raison_sociale, annee, montant, code_cv,
                                          insee_dep, insee_reg))
        FROM mp GROUP BY f""").fetchall()}
    unknown = defaultdict(list)
    for f, code, k in con.execute("""SELECT f, trim(code_cv), count(*) FROM mp WHERE nullif(trim(code_cv), '') IS NOT NULL
                                     GROUP BY ALL ORDER BY ALL""").fetchall():
        if code not in contracts:
            unknown[f].append((code, k))
    con.execute("""
        INSERT INTO means_post (kind, id_poste, year, code_tiers, raison_sociale, amount, contrat_code,
                                departement, region, source_file, record)
        SELECT kind, id_poste, coalesce(TRY_CAST(annee AS INTEGER), file_year), code_tiers, raison_sociale,
               TRY_CAST(montant AS DOUBLE), nullif(trim(code_cv), ''), insee_dep, insee_reg, f, record
        FROM mp""")
    con.execute("DROP TABLE mp")
    for kind, year, path in files:
        name = path.name
        n, bad_year, bad_amount, no_cv, no_tiers, dups = stats.get(name, (0, 0, 0, 0, 0, 0))
        if n == 0:
            ctx.warn("fichier vide", name)
        if bad_year:
            ctx.warn(f"{bad_year} enregistrement(s) dont l'année diffère de {year}", name, None, "annee")
        if bad_amount:
            ctx.warn(f"{bad_amount} montant(s) non numérique(s) ignoré(s)", name, None, "montant")
        if no_cv:
            ctx.warn(f"{no_cv} poste(s) sans code de contrat : comptés au département, pas au contrat", name, None, "code_cv")
        if n and no_tiers == n:
            ctx.warn("champ code_tiers absent du fichier (SIRET de l'employeur non publié)", name, None, "code_tiers")
        if dups:
            ctx.warn(f"{dups} enregistrement(s) identique(s) à un autre (conservés : un enregistrement = un poste publié)",
                     name)
        if year in PARTIAL_YEARS:
            ctx.warn(f"millésime {year} partiel (année en cours) : ne pas comparer aux années complètes", name)
        if unknown.get(name):
            ctx.warn(f"{len(unknown[name])} code(s) de contrat inconnu(s), gardés tels quels (codes accolés : poste "
                     "partagé entre deux contrats ?) : " + ", ".join(f"{c} ({k})" for c, k in unknown[name][:10]),
                     name, None, "code_cv")
        ctx.log_file(path, n, f"{kind} {year}" + (" (partiel)" if year in PARTIAL_YEARS else ""))


def _load_actions(ctx: BuildContext) -> None:
    con = ctx.con
    contracts = {}
    for code, dep in con.execute("SELECT contrat_code, insee_dep FROM contract_carrier").fetchall():
        contracts.setdefault(code, set()).add(dep)
    rows = []
    for rel, has_theme in ((f"{DIR}/subventions2020_cv_nb_projets.gpkg", False),
                           (f"{DIR}/subventions2020_cv_nb_themes_projets.gpkg", True)):
        path = ctx.path(rel)
        lay = read_layer(path)
        f = lay.fields
        kept = defaultdict(list)
        for i in range(len(lay)):
            line = i + 1
            raw = f["code_cv"][i] or ""
            codes = sorted(set(re.findall(r"CV\d{3}", raw)))
            n = f["nb_projets"][i]
            theme = (f["theme"][i] or "").strip() or None if has_theme else None
            carrier = None if f["siren_epci"][i] is None or np.isnan(f["siren_epci"][i]) else str(int(f["siren_epci"][i]))
            dep = None if f["dep_epci"][i] is None or np.isnan(f["dep_epci"][i]) else int(f["dep_epci"][i])
            if n is None or np.isnan(n):
                continue   # no figure published for this contract (counted in the log below)
            if len(codes) != 1 or codes[0] != raw.strip():
                if len(codes) != 1:
                    ctx.warn(f"code de contrat illisible « {raw.strip()} » : ligne ignorée", path.name, line, "code_cv")
                    continue
                ctx.warn(f"code de contrat « {raw.strip()!r} » nettoyé en {codes[0]}", path.name, line, "code_cv")
            if has_theme and theme is None:
                ctx.warn("thème vide : ligne ignorée", path.name, line, "theme")
                continue
            kept[(codes[0], theme)].append((int(n), carrier, dep, line))
        for (code, theme), cands in sorted(kept.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            if code not in contracts:
                ctx.warn(f"contrat {code} inconnu des fichiers de contrats", path.name, cands[0][3], "code_cv")
            values = {c[0] for c in cands}
            if len(cands) > 1:
                deps = contracts.get(code, set())
                good = [c for c in cands if c[2] is not None and f"{c[2]:02d}" in deps]
                bad = [c for c in cands if c not in good]
                for c in bad:
                    ctx.warn(f"{code} répété (porteur {c[1]}, département {c[2]} différent de celui du contrat) : "
                             "ligne non retenue", path.name, c[3], "code_cv")
                if len(values) > 1 and len(good) != 1:
                    ctx.warn(f"{code} : valeurs contradictoires {sorted(values)} : contrat ignoré", path.name, cands[0][3],
                             "nb_projets")
                    continue
                cands = good[:1] or cands[:1]
            n, carrier, _dep, _line = cands[0]
            rows.append((code, theme, n, path.name, carrier))
        skipped = int(sum(1 for x in f["nb_projets"] if x is None or np.isnan(x)))
        ctx.log_file(path, sum(1 for r in rows if r[3] == path.name),
                     f"nombre d'actions 2020 par contrat{' et pilier' if has_theme else ''} ; "
                     f"{skipped} ligne(s) sans nombre publié")
    bulk.insert(con, "contract_actions_2020", ["contrat_code", "theme", "n_projects", "source_file", "carrier_code"], rows)


def load(ctx: BuildContext) -> None:
    con = ctx.con
    # Current carriers only: the filosofi_refs step also stores EPCI of past vintages (level 'epci', no members).
    known = dict(con.execute("""
        SELECT code, level FROM territory WHERE level IN ('commune', 'ept')
        UNION ALL
        SELECT DISTINCT parent_code, 'epci' FROM territory_link WHERE relation = 'commune_epci'""").fetchall())
    epci_deps = defaultdict(set)
    for e, d in con.execute("""SELECT l.parent_code, c.departement FROM territory_link l JOIN territory c
                               ON c.code = l.child_code WHERE l.relation = 'commune_epci'""").fetchall():
        epci_deps[e].add(d)
    rows = _read_contracts(ctx, known, epci_deps)
    links, reports, epci_of = _link_quartiers(ctx, rows)
    _refine_carriers(rows, links, epci_of)
    _insert_contracts(ctx, rows)
    bulk.insert(con, "territory_link", LINK_COLS, links)
    bulk.insert(con, "link_report", REPORT_COLS, reports)
    for gen, rel in FILES.items():
        ctx.log_file(ctx.path(rel), sum(1 for r in rows if r["gen"] == gen), f"contrats de ville, génération {gen}")
    _load_means(ctx)
    _load_actions(ctx)
