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


def _cache(con) -> dict:
    """Memo of the warehouse build (territories and links do not change under a read-only connection)."""
    return cache.memo(con)


def territory(con, code: str) -> dict:
    """The territory row for `code` as a dict; UnknownTerritory when the warehouse does not know it."""
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


def link_issues(con, code: str) -> list[dict]:
    """Rows of `link_report` for this territory (unmatched, ambiguous, fuzzy, resolved, note)."""
    return _records(con,
        "SELECT relation, status, detail, source_file FROM link_report WHERE code = ? ORDER BY relation, status",
        [normalise_code(code)])


def _parents(con, child: str | list[str], relation: str) -> list[dict]:
    children = [child] if isinstance(child, str) else list(child)
    if not children:
        return []
    return _records(con,
        """
        SELECT l.child_code, l.parent_code AS code, t.name, t.level AS territory_level, l.confidence, l.method
        FROM territory_link l LEFT JOIN territory t ON t.code = l.parent_code
        WHERE l.relation = ? AND list_contains(?, l.child_code)
        ORDER BY l.parent_code
        """,
        [relation, children])


def _entry(level: str, code, name, **extra) -> dict:
    d = {"level": level, "code": code, "name": name, "level_label": vocabulary.level_label(level)}
    d.update(extra)
    return d


def _clean(v):
    return None if isinstance(v, float) and v != v else v


# How a link was made (territory_link.method, set by the loaders) in words, for links with confidence < 1.
METHOD_LABELS = {
    "cog_commune_deleguee": "ancienne commune rattachée à sa commune nouvelle (COG)",
    "name_prefix": "nom approché (commune renommée)",
    "name_other_departement": "commune d'un autre département",
    "name_similar": "nom similaire",
    "contour_code_commune": "code commune du contour",
    "commune_epci": "par les communes du quartier",
}


def _status(conf) -> str:
    """'ok' for a certain link (confidence 1), 'fuzzy' otherwise (the method says why)."""
    return "ok" if conf is None or conf >= 1.0 else "fuzzy"


def communes(con, code: str) -> list[dict]:
    """The quartier's communes (several for multi-commune quartiers), with link confidence and method."""
    return [
        _entry("commune", p["code"], p["name"], confidence=_clean(p["confidence"]), method=p["method"],
               link_status=_status(_clean(p["confidence"])), method_label=METHOD_LABELS.get(p["method"]))
        for p in _parents(con, normalise_code(code), "qpv_commune")
    ]


def contracts(con, code: str) -> list[dict]:
    """Contrats de ville the quartier belongs to (direct `qpv_contrat` links)."""
    return [
        _entry("contrat_de_ville", p["code"], p["name"], confidence=_clean(p["confidence"]), method=p["method"],
               link_status=_status(_clean(p["confidence"])))
        for p in _parents(con, normalise_code(code), "qpv_contrat")
    ]


def crosswalk(con, code: str) -> list[dict]:
    """2015 <-> 2024 correspondences of a quartier (either direction), with confidence."""
    code = normalise_code(code)
    return _records(con,
        """
        SELECT CASE WHEN l.child_code = ? THEN l.parent_code ELSE l.child_code END AS code,
               t.name, t.generation, l.confidence, l.method
        FROM territory_link l
        LEFT JOIN territory t ON t.code = CASE WHEN l.child_code = ? THEN l.parent_code ELSE l.child_code END
        WHERE l.relation = 'qp2015_qpv2024' AND (l.child_code = ? OR l.parent_code = ?)
        ORDER BY l.confidence DESC NULLS LAST, code
        """,
        [code, code, code, code])


def reference_territories(con, code: str) -> list[dict]:
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
    code = t["code"]
    refs: list[dict] = []

    coms = communes(con, code)
    all_issues = link_issues(con, code)
    issues = [i for i in all_issues if i["relation"] == "qpv_commune"]
    ambiguous = {i["relation"] for i in all_issues if i["status"] == "ambiguous"}
    refs.extend(coms)
    for i in issues:
        if i["status"] in ("unmatched", "ambiguous"):
            refs.append(_entry("commune", None, i["detail"], link_status=i["status"], detail=i["detail"]))
    if not coms and not any(r["level"] == "commune" for r in refs):
        refs.append(_entry("commune", None, None, link_status="non_disponible"))

    # Direct quartier -> EPCI links when the warehouse has them, else through the communes.
    epcis = _parents(con, code, "qpv_epci") or _parents(con, [c["code"] for c in coms if c["code"]], "commune_epci")
    seen = set()
    for p in epcis:
        if p["code"] not in seen:
            seen.add(p["code"])
            conf = _clean(p["confidence"])
            refs.append(_entry("epci", p["code"], p["name"], confidence=conf, method=p["method"],
                               link_status="ambiguous" if "qpv_epci" in ambiguous else _status(conf)))
    if not seen:
        refs.append(_entry("epci", None, None, link_status="non_disponible"))

    cvs = contracts(con, code)
    if "qpv_contrat" in ambiguous:
        for c in cvs:
            c["link_status"] = "ambiguous"
    refs.extend(cvs or [_entry("contrat_de_ville", None, None, link_status="non_disponible")])

    for level, prefix, key in (("departement", "DEP", "departement"), ("region", "REG", "region")):
        ref_code = f"{prefix}{t[key]}" if t.get(key) else None
        row = con.execute("SELECT name FROM territory WHERE code = ?", [ref_code]).fetchone() if ref_code else None
        refs.append(_entry(level, ref_code if row else None, row[0] if row else None,
                           link_status="ok" if row else "non_disponible"))

    # Ensemble des QPV of the quartier's generation, else of 2015 (vocabulary `else_code`): a 2024 quartier's
    # values come from its 2015 predecessors (indicators.predecessors), compared with the 2015 ensemble.
    for level, ref_codes in (("france", ["FRM"]), ("ensemble_qpv", [f"ENSQP{t.get('generation') or '2015'}", "ENSQP2015"])):
        ref_code, row = None, None
        for ref_code in ref_codes:
            row = con.execute("SELECT name FROM territory WHERE code = ?", [ref_code]).fetchone()
            if row:
                break
        refs.append(_entry(level, ref_code if row else None, row[0] if row else None,
                           link_status="ok" if row else "non_disponible"))
    return refs
