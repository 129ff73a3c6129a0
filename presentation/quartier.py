"""Which quartier's figures a view shows: THE one place that decides it for the baromètre, the deck, the
report and the fiche PDF.

2024 quartiers have no INSEE indicators yet; until the indicator library carries 2024 values through their
2015 predecessors (an `approximation` block per value), a 2024 quartier without any value shows the values
of its best-linked 2015 quartier (crosswalk `qp2015_qpv2024`), and every view says so. When the library
does it itself, `shown_quartier` returns the quartier's own code and nothing else changes.
"""
from __future__ import annotations

from indicators import references


def has_any_value(con, code: str) -> bool:
    """Whether the warehouse holds at least one shown indicator value for `code` (cheap pre-check)."""
    return con.execute("SELECT count(*) FROM indicator_value WHERE territory_code = ? AND status IN ('ok', 'bruite')",
                       [code]).fetchone()[0] > 0


def proxy_2015(con, code: str) -> dict | None:
    """For a 2024 quartier: the best-linked 2015 quartier {code, name, confidence, others[]} or None."""
    xs = [x for x in references.crosswalk(con, code) if x.get("generation") == "2015"]
    xs.sort(key=lambda x: -(x.get("confidence") or 0))
    if not xs:
        return None
    return {"code": xs[0]["code"], "name": xs[0]["name"], "confidence": xs[0].get("confidence"),
            "others": [{"code": x["code"], "name": x["name"]} for x in xs[1:]]}


def shown_quartier(con, code: str) -> dict:
    """{code: the territory whose values are shown, proxy: the 2015 predecessor used (dict) or None}."""
    t = references.territory(con, code)
    if t.get("generation") == "2024" and not has_any_value(con, t["code"]):
        p = proxy_2015(con, t["code"])
        if p:
            return {"code": p["code"], "proxy": p}
    return {"code": t["code"], "proxy": None}
