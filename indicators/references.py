"""Reference territories of a quartier: commune(s), EPCI, contrat de ville, département, région, France
métropolitaine and the Ensemble des QPV.

Every level is listed even when the warehouse could not link it (unmatched or ambiguous commune name):
the entry then has `code=None` and a `link_status`, so that callers show a status instead of silently
falling back to another level.
"""
from __future__ import annotations

from indicators import cache
from observatoire import vocabulary



class UnknownTerritory(KeyError):
    """Raised when a code is not in the warehouse's `territory` table."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


def normalise_code(code: str) -> str:
    """Strip and upper-case a user-typed code (quartier codes are upper case: 'qp031001' -> 'QP031001')."""
    c = str(code).strip()
    return c.upper() if c[:2].lower() in ("qp", "qn", "cv", "cn") or c[:3].lower() in ("dep", "reg", "frm", "ens") else c


def code_of(territory_or_code) -> str:
    """The code of a resolved territory dict, or a user-typed code normalised."""
    if isinstance(territory_or_code, dict):
        return territory_or_code["code"]
    return normalise_code(territory_or_code)


def _cache(con) -> dict:
    """Memo of the warehouse build (territories and links do not change under a read-only connection)."""
    return cache.memo(con)


def territory(con, code) -> dict:
    """The territory row for `code` as a dict; UnknownTerritory when the warehouse does not know it.

    A territory dict already resolved (a view resolves its quartier once and passes it down) is returned
    as it is: the functions of the library accept either."""
    if isinstance(code, dict):
        return code
    code = normalise_code(code)
    c = _cache(con)
    key = ("territory", code)
    if key not in c:
        cur = con.execute("SELECT * FROM territory WHERE code = ?", [code])
        row = cur.fetchone()
        if row is None:
            raise UnknownTerritory(f"Territoire inconnu dans l'entrepôt : {code!r}")
        c[key] = dict(zip([d[0] for d in cur.description], row))
    return dict(c[key])


def _records(con, sql: str, params) -> list[dict]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _grouped(con, key, sql: str) -> dict[str, list[dict]]:
    """{first column: [records of the other columns, in the query's order]} of a whole small table, read once
    per warehouse build: what every fiche asks of `link_report` and of the crosswalk, for all quartiers."""
    c = _cache(con)
    if key not in c:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description][1:]
        out: dict[str, list[dict]] = {}
        for r in cur.fetchall():
            out.setdefault(r[0], []).append(dict(zip(cols, r[1:])))
        c[key] = out
    return c[key]


def link_issues(con, code) -> list[dict]:
    """Rows of `link_report` for this territory (unmatched, ambiguous, fuzzy, resolved, note)."""
    every = _grouped(con, "link_issues", "SELECT code, relation, status, detail, source_file FROM link_report "
                                         "ORDER BY code, relation, status, detail, source_file")
    return [dict(r) for r in every.get(code_of(code), [])]


def _parents(con, child: str | list[str], relation: str) -> list[dict]:
    children = [child] if isinstance(child, str) else list(child)
    if not children:
        return []
    if relation.startswith("qpv_"):   # a quartier's own links: every quartier's, read once per build
        every = _grouped(con, ("parents", relation), f"""
            SELECT l.child_code, l.child_code, l.parent_code AS code, t.name, t.level AS territory_level,
                   l.confidence, l.method
            FROM territory_link l LEFT JOIN territory t ON t.code = l.parent_code
            WHERE l.relation = '{relation}' ORDER BY l.parent_code""")
        wanted = set(children)
        rows = [r for c in wanted for r in every.get(c, [])]
        return [dict(r) for r in sorted(rows, key=lambda r: r["code"])]
    return _records(con,
        """
        SELECT l.child_code, l.parent_code AS code, t.name, t.level AS territory_level, l.confidence, l.method
        FROM territory_link l LEFT JOIN territory t ON t.code = l.parent_code
        WHERE l.relation = ? AND list_contains(?, l.child_code)
        ORDER BY l.parent_code
        """,
        [relation, children])


def _entry(level: str, code, name, **extra) -> dict:
    d = {"level": level, "code": code, "name": name}
    d.update(extra)
    return d


def _clean(v):
    return None if isinstance(v, float) and v != v else v


def _status(conf) -> str:
    """'ok' for a certain link (confidence 1), 'fuzzy' otherwise (the method says why)."""
    return "ok" if conf is None or conf >= 1.0 else "fuzzy"


def communes(con, code: str) -> list[dict]:
    """The quartier's communes (several for multi-commune quartiers), with link confidence and method (a code
    of the vocabulary's `link_methods`)."""
    return [
        _entry("commune", p["code"], p["name"], confidence=_clean(p["confidence"]), method=p["method"],
               link_status=_status(_clean(p["confidence"])))
        for p in _parents(con, code_of(code), "qpv_commune")
    ]


def contracts(con, code) -> list[dict]:
    """Contrats de ville the quartier belongs to (direct `qpv_contrat` links)."""
    code = code_of(code)
    return [
        _entry("contrat_de_ville", p["code"], p["name"], confidence=_clean(p["confidence"]), method=p["method"],
               link_status=_status(_clean(p["confidence"])))
        for p in _parents(con, code, "qpv_contrat")
    ]


def names(con, codes: list[str]) -> dict[str, str]:
    """{code: name} of the known territories among `codes`, in one read (column headers of the classeur)."""
    return dict(con.execute("SELECT code, name FROM territory WHERE code = ANY(?)", [list(codes)]).fetchall())


def contract_members(con, code: str) -> list[str]:
    """Codes of the quartiers linked to a contrat de ville (`qpv_contrat`), ordered: what a contract code
    stands for in the classeur."""
    return [r[0] for r in con.execute(
        "SELECT child_code FROM territory_link WHERE parent_code = ? AND relation = 'qpv_contrat' "
        "ORDER BY child_code", [normalise_code(code)]).fetchall()]


def crosswalk(con, code) -> list[dict]:
    """2015 <-> 2024 correspondences of a quartier (either direction), with confidence (the whole crosswalk is
    read once per build)."""
    every = _grouped(con, "crosswalk", """
        WITH both_ways AS (
            SELECT child_code AS me, parent_code AS code, confidence, method FROM territory_link
            WHERE relation = 'qp2015_qpv2024'
            UNION ALL
            SELECT parent_code, child_code, confidence, method FROM territory_link
            WHERE relation = 'qp2015_qpv2024' AND parent_code <> child_code)
        SELECT b.me, b.code, t.name, t.generation, b.confidence, b.method
        FROM both_ways b LEFT JOIN territory t ON t.code = b.code
        ORDER BY b.me, b.confidence DESC NULLS LAST, b.code""")
    return [dict(r) for r in every.get(code_of(code), [])]


def reference_territories(con, code) -> list[dict]:
    """[{level, code, name, ...}] for commune(s), epci, contrat_de_ville, departement, region, france, ensemble_qpv.

    A level the warehouse could not link appears with code None and `link_status` 'unmatched'/'ambiguous'
    (from link_report) or 'non_disponible', never replaced by another level. Links made with doubt carry
    'fuzzy' (confidence < 1, see `method`) or 'ambiguous' (several candidates kept, e.g. two EPCI).
    """
    t = territory(con, code)
    key = ("refs", t["code"])
    c = _cache(con)
    if key not in c:
        c[key] = _reference_territories(con, t)
    return [dict(r) for r in c[key]]


def _reference_territories(con, t: dict) -> list[dict]:
    """Every reference level of the vocabulary, resolved by its declared `link` rule."""
    issues = link_issues(con, t["code"])
    refs: list[dict] = []
    for level in vocabulary.reference_levels():
        refs.extend(_resolve(con, t, level, vocabulary.term("levels", level).get("link") or {}, issues, refs))
    return refs


def _linked(con, level: str, parents: list[dict], ambiguous: bool) -> list[dict]:
    out, seen = [], set()
    for p in parents:
        if p["code"] in seen:
            continue
        seen.add(p["code"])
        conf = _clean(p["confidence"])
        out.append(_entry(level, p["code"], p["name"], confidence=conf, method=p["method"],
                          link_status="ambiguous" if ambiguous else _status(conf)))
    return out


def _named(con, level: str, ref_code: str | None) -> dict:
    try:
        row = territory(con, ref_code) if ref_code else None
    except UnknownTerritory:
        row = None
    return _entry(level, ref_code if row else None, row["name"] if row else None,
                  link_status="ok" if row else "non_disponible")


def _resolve(con, t: dict, level: str, rule: dict, issues: list[dict], earlier: list[dict]) -> list[dict]:
    """Territories of one reference level for the quartier `t` (see catalogue/vocabulary.yaml, `link`).

    Links come from territory_link; a relation reported `ambiguous` marks its links so; an `unmatched` (or an
    ambiguous one with no link) adds an entry with code None carrying the report's detail; a level with
    nothing gets one `non_disponible` entry. Never another level instead."""
    code = t["code"]
    if "column" in rule or "code" in rule:
        if "column" in rule:
            value = t.get(rule["column"])
            return [_named(con, level, f"{rule.get('prefix', '')}{value}" if value else None)]
        entry = _named(con, level, rule["code"].format(generation=t.get("generation") or "2015"))
        if entry["code"] is None and rule.get("else_code"):
            entry = _named(con, level, rule["else_code"])
        return [entry]
    relation = rule.get("relation")
    parents = _parents(con, code, relation) if relation else []
    via = rule.get("via_communes") or (rule.get("else_via_communes") if not parents else None)
    if via:   # the quartier's communes: already resolved, or by the commune level's own relation (any order)
        commune_codes = [r["code"] for r in earlier if r["level"] == "commune" and r["code"]]
        if not commune_codes:
            rel = (vocabulary.term("levels", "commune").get("link") or {}).get("relation")
            commune_codes = [p["code"] for p in _parents(con, code, rel)] if rel else []
        parents = parents or _parents(con, commune_codes, via)
    mine = [i for i in issues if relation and i["relation"] == relation]
    ambiguous = any(i["status"] == "ambiguous" for i in mine)
    out = _linked(con, level, parents, ambiguous and bool(parents))
    for i in mine:
        if i["status"] == "unmatched" or (i["status"] == "ambiguous" and not parents):
            out.append(_entry(level, None, i["detail"], link_status=i["status"], detail=i["detail"]))
    return out or [_entry(level, None, None, link_status="non_disponible")]
