"""What a view says about where a quartier's figures come from: THE one place for the baromètre, the deck,
the report and the fiche PDF.

INSEE publishes no indicator in the 2024 geography yet: the indicator library gives a 2024 quartier the values
of its 2015 predecessor(s) itself (indicators.predecessors: an `approximation` block on every such value,
sums and weighted means only where the indicator allows, never an average of medians). Views therefore always
ask the library for the quartier's own code; `shown_quartier` adds the note naming the 2015 quartier(s).
"""
from __future__ import annotations

from indicators import predecessors, references


def shown_quartier(con, code: str) -> dict:
    """{code: the quartier's own code, proxy: None, or for a 2024 quartier shown through its 2015
    predecessor(s) {code, name, confidence, others[], sentence} (strongest link first)}."""
    t = references.territory(con, code)
    proxy = None
    if t.get("generation") == "2024" and not predecessors.has_own_values(con, t["code"]):
        note = predecessors.territory_note(con, t["code"])
        preds = (note or {}).get("predecessors") or []
        if preds:
            proxy = {"code": preds[0]["code"], "name": preds[0]["name"], "confidence": preds[0]["confidence"],
                     "others": [{"code": p["code"], "name": p["name"]} for p in preds[1:]],
                     "sentence": note["sentence"]}
    return {"code": t["code"], "proxy": proxy}
