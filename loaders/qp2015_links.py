"""QP 2015 quartiers -> communes (and EPCI), from the commune *names* of the SIG Ville files.

The SIG Ville DEMO files carry `LIB_COM` (one or several names separated by ', ', e.g.
'Asnières-sur-Seine, Gennevilliers'; municipal arrondissements as 'Marseille 15e Arrondissement').
The sigville step stores them in source_value (source_variable 'LIB_COM', status 'text'). Each quartier is
matched with the names of its **most recent edition** (names follow commune mergers and renamings, and
older editions hold a few errors, e.g. QP095005 'Douai, Argenteuil' in DEMO 2017-2018, fixed later); an
older edition listing other communes is reported (status 'note').

Every name goes down a cascade, within the quartier's département (from its code) unless said otherwise:
 1. name_exact          same name as a current commune or municipal arrondissement            conf. 1
 2. name_normalised     same key (loaders.names.name_key: accents, case, hyphens, apostrophes,
                        St/Ste, '(Le)')                                                        conf. 1
 3. cog_commune_deleguee the name of a former commune (commune déléguée/associée in the COG):
                        linked to the commune nouvelle it now belongs to                      conf. 0.95, 'resolved'
 4. name_prefix         the key is the beginning of exactly one commune name of the
                        département (renamed communes: 'Oissel' -> 'Oissel-sur-Seine')         conf. 0.9, 'fuzzy'
 5. name_other_departement a quartier spanning two départements: unique commune with that key
                        in France, when another commune of the quartier matched in its own
                        département                                                            conf. 0.9, 'fuzzy'
 6. name_similar        difflib ratio >= 0.88 with exactly one commune of the département     conf. ratio*0.9, 'fuzzy'
 otherwise 'unmatched' (or 'ambiguous' with the candidates): never a silent guess.
Municipal arrondissements link the quartier to their commune (qpv_commune -> 13055) and to the
arrondissement (qpv_arrondissement -> 13215). Extra evidence: the Occitanie contours' `code_commune` and the
Ille-et-Vilaine contours' `COMMUNE_QP` must agree with the name match (else 'ambiguous'), and supply the
commune when the name fails (method contour_code_commune).
"""
from __future__ import annotations

import difflib
import json
from collections import defaultdict

import pyarrow as pa

from loaders import bulk
from loaders.build import BuildContext
from loaders.names import dep_from_quartier_code, install_name_key, name_key, split_communes
from loaders.qpv2024 import DEP_SQL, link_quartier_epci
from observatoire.frformat import fmt_int

OCCITANIE = "contours/qp2015_occitanie.geojson"
ILLE_ET_VILAINE = "contours/qp2015_ille_et_vilaine.geojson"
CURRENT = ("commune-actuelle", "arrondissement-municipal")
REL = "qpv_commune"


def _fmt_int(v) -> str:
    return fmt_int(v) or "?"


class _Matcher:
    """Cascade of name rules against commune_alias (see the module docstring)."""

    def __init__(self, con, pairs: set[tuple[str, str]]):
        """pairs: the (département, name) couples to match; only their exact homonyms are fetched."""
        self.con = con
        self.exact = defaultdict(list)            # (dep, name) -> [(alias_code, type, commune_code, name)]
        con.register("_wanted", pa.table({"dep": [d for d, _ in pairs], "name": [n for _, n in pairs]}))
        for code, name, dep, typ, commune in con.execute("""
                SELECT a.alias_code, w.name, a.departement, a.type, a.commune_code
                FROM commune_alias a JOIN _wanted w ON w.dep = a.departement
                 AND regexp_replace(a.name, '\\s+', ' ', 'g') = w.name""").fetchall():
            self.exact[(dep, name)].append((code, typ, commune, name))
        con.unregister("_wanted")
        self._keys: dict[str, dict] = {}

    def population(self, code: str):
        row = self.con.execute("SELECT population FROM territory WHERE code = ?", [code]).fetchone()
        return row[0] if row else None

    def keys(self, dep: str) -> dict:
        """name_key -> aliases, for one département (computed on demand: few départements need it)."""
        if dep not in self._keys:
            idx = defaultdict(list)
            for code, key, typ, commune, name in self.con.execute(
                    "SELECT alias_code, name_key(name), type, commune_code, name FROM commune_alias WHERE departement = ?",
                    [dep]).fetchall():
                idx[key].append((code, typ, commune, name))
            self._keys[dep] = idx
        return self._keys[dep]

    def national(self, key: str) -> list:
        """Current communes of all France with this key (prefiltered on the longest word: no full scan)."""
        word = max(key.split(), key=len, default="")
        if not word:
            return []
        return [r[:5] for r in self.con.execute(
            "SELECT alias_code, type, commune_code, name, departement, name_key(name) AS k FROM commune_alias "
            "WHERE type = 'commune-actuelle' AND lower(strip_accents(replace(replace(name, 'œ', 'oe'), 'Œ', 'Oe'))) "
            "LIKE ?", [f"%{word}%"]).fetchall()
            if r[5] == key]

    def match(self, dep: str, part: str) -> dict:
        """One commune name -> {status, aliases [(alias_code, type, commune)], method, confidence, detail}."""
        cands = [c for c in self.exact.get((dep, part), []) if c[1] in CURRENT]
        if len(cands) == 1:
            return dict(status="ok", hits=cands, method="name_exact", confidence=1.0)
        key = name_key(part)
        idx = self.keys(dep)
        by_key = idx.get(key, [])
        cands = [c for c in by_key if c[1] in CURRENT]
        if len(cands) == 1:
            return dict(status="ok", hits=cands, method="name_normalised", confidence=1.0)
        if len(cands) > 1:
            return dict(status="ambiguous", hits=[], detail="plusieurs communes portent ce nom : "
                        + ", ".join(f"{c[3]} ({c[0]})" for c in cands))
        former = {c[2]: c for c in by_key if c[1] not in CURRENT}
        if len(former) == 1:
            c = next(iter(former.values()))
            return dict(status="resolved", hits=[(c[2], "commune-actuelle", c[2], c[3])], method="cog_commune_deleguee",
                        confidence=0.95,
                        detail=f"« {part} » est une ancienne commune ({c[1]}, code {c[0]}) rattachée à la commune "
                               f"{c[2]} selon le COG")
        if len(former) > 1:
            return dict(status="ambiguous", hits=[], detail="ancienne commune rattachée à plusieurs communes : "
                        + ", ".join(sorted(former)))
        prefix = [c for k, lst in idx.items() if k.startswith(key + " ") for c in lst if c[1] == "commune-actuelle"]
        if len(prefix) == 1:
            c = prefix[0]
            return dict(status="fuzzy", hits=[c], method="name_prefix", confidence=0.9,
                        detail=f"« {part} » absent du COG ; seule commune du département dont le nom commence ainsi : "
                               f"{c[3]} ({c[0]}) — commune renommée ou fusionnée")
        if len(prefix) > 1:
            return dict(status="ambiguous", hits=[], detail="nom incomplet, plusieurs communes possibles : "
                        + ", ".join(f"{c[3]} ({c[0]})" for c in prefix[:8]))
        nat = self.national(key)
        if len(nat) == 1:
            c = nat[0]
            return dict(status="other_dep", hits=[c[:4]], method="name_other_departement", confidence=0.9,
                        detail=f"« {part} » absent du département {dep} ; seule commune de ce nom en France : "
                               f"{c[3]} ({c[0]}, département {c[4]})")
        current_keys = [k for k, lst in idx.items() if any(c[1] == "commune-actuelle" for c in lst)]
        close = difflib.get_close_matches(key, current_keys, n=2, cutoff=0.88)
        if len(close) == 1 or (len(close) == 2 and difflib.SequenceMatcher(None, key, close[0]).ratio()
                                > difflib.SequenceMatcher(None, key, close[1]).ratio() + 0.05):
            ratio = difflib.SequenceMatcher(None, key, close[0]).ratio()
            c = next(c for c in idx[close[0]] if c[1] == "commune-actuelle")
            return dict(status="fuzzy", hits=[c], method="name_similar", confidence=round(ratio * 0.9, 3),
                        detail=f"« {part} » absent du COG ; nom le plus proche dans le département : {c[3]} ({c[0]}), "
                               f"similarité {ratio:.2f}")
        detail = f"« {part} » : aucune commune de ce nom dans le département {dep}"
        if nat:
            detail += " (homonymes ailleurs : " + ", ".join(f"{c[3]} {c[0]}" for c in nat[:5]) + ")"
        return dict(status="unmatched", hits=[], detail=detail)


def _contour_evidence(ctx: BuildContext) -> tuple[dict, dict]:
    """Occitanie code_commune and Ille-et-Vilaine COMMUNE_QP per quartier code (absent file: no evidence)."""
    occ, iev = {}, {}
    for rel, key_code, key_val, target in ((OCCITANIE, "code_qp", "code_commune", occ),
                                           (ILLE_ET_VILAINE, "CODE_QP", "COMMUNE_QP", iev)):
        p = ctx.data_dir / rel
        if not p.exists():
            continue
        for feat in json.loads(p.read_text(encoding="utf-8"))["features"]:
            props = feat.get("properties") or {}
            if props.get(key_code) and props.get(key_val):
                target[props[key_code]] = props[key_val]
    return occ, iev


def load(ctx: BuildContext) -> None:
    con = ctx.con
    install_name_key(con)
    # Département and région of the 2015 quartiers, from their code, where the sigville step left them empty.
    con.execute(f"""
        UPDATE territory t SET departement = {DEP_SQL.format(c='t.code')}
        WHERE t.level = 'qpv' AND t.generation = '2015' AND t.departement IS NULL AND t.code LIKE 'QP%'""")
    con.execute("""
        UPDATE territory t SET region = d.region FROM territory d
        WHERE t.level = 'qpv' AND t.generation = '2015' AND t.region IS NULL AND d.code = 'DEP' || t.departement""")

    quartiers = [r[0] for r in con.execute(
        "SELECT code FROM territory WHERE level = 'qpv' AND generation = '2015' AND code LIKE 'QP%' ORDER BY code").fetchall()]
    lib = defaultdict(list)   # code -> [(edition, file, raw)] newest first
    for code, edition, f, raw in con.execute("""
            SELECT territory_code, edition, source_file, raw FROM source_value
            WHERE source_variable = 'LIB_COM' AND raw IS NOT NULL AND trim(raw) <> ''
            ORDER BY territory_code, edition DESC, source_file""").fetchall():
        lib[code].append((edition, f, raw))
    pop_com = {}
    for code, f, v in con.execute("""
            SELECT territory_code, arg_max(source_file, edition), arg_max(value, edition) FROM source_value
            WHERE source_variable = 'POP_COM' AND value IS NOT NULL GROUP BY 1""").fetchall():
        pop_com[code] = (f, v)

    occ, iev = _contour_evidence(ctx)
    pairs = {(dep_from_quartier_code(q), " ".join(p.split())) for q in quartiers if lib.get(q)
             for p in split_communes(lib[q][0][2])}
    pairs |= {(dep_from_quartier_code(q), n) for q, n in iev.items()}
    matcher = _Matcher(con, pairs)
    links, arr_links, reports = {}, {}, []

    def add_link(q, commune, conf, method, src):
        old = links.get((q, commune))
        if old is None or conf > old[0]:
            links[(q, commune)] = (conf, method, src)

    for q in quartiers:
        dep = dep_from_quartier_code(q)
        if not lib.get(q):
            if q in occ:
                add_link(q, occ[q], 0.9, "contour_code_commune", OCCITANIE.split("/")[-1])
                reports.append((q, REL, "resolved", f"pas de LIB_COM ; commune {occ[q]} d'après le contour Occitanie",
                                OCCITANIE.split("/")[-1]))
            else:
                reports.append((q, REL, "unmatched", "aucun nom de commune (LIB_COM) dans les fichiers SIG Ville", None))
            continue
        edition, src, raw = lib[q][0]
        parts = split_communes(raw)
        results = [(p, matcher.match(dep, " ".join(p.split()))) for p in parts]
        own_dep_ok = any(r["status"] in ("ok", "resolved", "fuzzy") for _, r in results)
        for part, r in results:
            st = r["status"]
            if st == "other_dep" and not own_dep_ok:
                st, r = "unmatched", dict(r, detail=r["detail"] + " ; rejeté : aucune autre commune du quartier "
                                                                  "dans son département")
            if st in ("ok", "resolved", "fuzzy", "other_dep"):
                alias_code, typ, commune, _name = r["hits"][0][:4]
                add_link(q, commune, r["confidence"], r["method"], src)
                if typ == "arrondissement-municipal":
                    arr_links[(q, alias_code)] = (r["confidence"], r["method"], src)
                if st != "ok":
                    detail = r["detail"]
                    if q in pop_com and len(parts) == 1:
                        detail += (f" ; population communale dans {pop_com[q][0]} : {_fmt_int(pop_com[q][1])}, "
                                   f"COG : {_fmt_int(matcher.population(commune))}")
                    reports.append((q, REL, "fuzzy" if st == "other_dep" else st, detail, src))
            else:
                # Contour evidence can still give the commune.
                if q in occ and occ[q] not in {k[1] for k in links if k[0] == q}:
                    add_link(q, occ[q], 0.9, "contour_code_commune", OCCITANIE.split("/")[-1])
                    reports.append((q, REL, "resolved", r["detail"] + f" ; commune {occ[q]} d'après le contour Occitanie",
                                    OCCITANIE.split("/")[-1]))
                else:
                    reports.append((q, REL, st, r["detail"], src))
        # Older editions that list other communes.
        seen = {}
        for ed, f, raw_old in lib[q]:
            k = tuple(sorted(name_key(p) for p in split_communes(raw_old)))
            seen.setdefault(k, []).append((ed, f, raw_old))
        if len(seen) > 1:
            latest = tuple(sorted(name_key(p) for p in parts))
            others = [v for k, v in seen.items() if k != latest]
            detail = (f"communes retenues d'après {src} : « {raw} » ; autres éditions : "
                      + " ; ".join(f"{', '.join(x[1] for x in v)} : « {v[0][2]} »" for v in others))
            reports.append((q, REL, "note", detail, src))

    # Cross-check with the contours' commune evidence.
    by_q = defaultdict(set)
    for (q, c) in links:
        by_q[q].add(c)
    for q, code in occ.items():
        if q in by_q and code not in by_q[q]:
            reports.append((q, REL, "ambiguous", f"le contour Occitanie indique la commune {code}, "
                            f"le nom SIG Ville donne {', '.join(sorted(by_q[q]))}", OCCITANIE.split("/")[-1]))
    for q, name in iev.items():
        if q in by_q:
            dep = dep_from_quartier_code(q)
            r = matcher.match(dep, name)
            if r["hits"] and r["hits"][0][2] not in by_q[q]:
                reports.append((q, REL, "ambiguous", f"le contour Ille-et-Vilaine indique « {name} », "
                                f"le nom SIG Ville donne {', '.join(sorted(by_q[q]))}", ILLE_ET_VILAINE.split("/")[-1]))

    link_cols = ["child_code", "parent_code", "relation", "confidence", "method", "source_file"]
    bulk.insert(con, "territory_link", link_cols,
                [(q, c, REL, conf, m, s) for (q, c), (conf, m, s) in sorted(links.items())])
    bulk.insert(con, "territory_link", link_cols,
                [(q, a, "qpv_arrondissement", conf, m, s) for (q, a), (conf, m, s) in sorted(arr_links.items())])
    bulk.insert(con, "link_report", ["code", "relation", "status", "detail", "source_file"], reports)
    link_quartier_epci(ctx, "2015")

    n_linked = len(by_q)
    ctx.log_file(None, len(links), f"{n_linked}/{len(quartiers)} quartiers 2015 rattachés à {len(links)} communes "
                 f"(noms LIB_COM, édition la plus récente) ; {sum(1 for r in reports if r[2] == 'unmatched')} noms non trouvés")
    for rel in (OCCITANIE, ILLE_ET_VILAINE):
        p = ctx.data_dir / rel
        if p.exists():
            ctx.log_file(p, len(occ) if rel == OCCITANIE else len(iev), "indices de commune des contours 2015")
