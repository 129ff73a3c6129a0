"""What a view says about where a quartier's figures come from: THE one place for the fiche (page and PDF),
the baromètre, the deck, the report and the map.

INSEE publishes no indicator in the 2024 geography yet: the indicator library gives a 2024 quartier the values
of its 2015 predecessor(s) itself (indicators.predecessors: an `approximation` block on every such value,
sums and weighted means only where the indicator allows, never an average of medians). Views therefore always
ask the library for the quartier's own code; this module writes the sentences naming the 2015 quartier(s),
from the vocabulary's phrases.
"""
from __future__ import annotations

from indicators import catalog, predecessors, references
from observatoire import vocabulary
from presentation import phrases, text


def _names(preds: list[dict]) -> str:
    return phrases.joined(f"{p['name']} ({p['code']})" for p in preds)


def _link_words(p: dict) -> str:
    """« recouvrement des contours, confiance 95 % »: how one predecessor was matched."""
    method = vocabulary.label("crosswalk_methods", p.get("method"))
    if p.get("confidence") is None:
        return method
    return vocabulary.phrase("crosswalk_link", method=method, confidence=text.count_text(round(100 * p["confidence"])))


def _how(preds: list[dict]) -> str:
    """« rattaché par recouvrement des contours, confiance 95 % » (each predecessor's way when they differ)."""
    hows = {_link_words(p) for p in preds}
    if len(hows) == 1:
        return vocabulary.phrase("crosswalk_how_many" if len(preds) > 1 else "crosswalk_how", how=next(iter(hows)))
    return vocabulary.phrase("crosswalk_how_many", how=" ; ".join(f"{p['code']} : {_link_words(p)}" for p in preds))


def note(preds: list[dict]) -> str:
    """The sentence a 2024 quartier's documents carry: whose values its « ≈ » figures are (or that it has none)."""
    if not preds:
        return vocabulary.phrase("predecessors_none")
    return vocabulary.phrase("predecessors_note", who=_names(preds), how=_how(preds))


def short_note(preds: list[dict]) -> str:
    """« quartier 2015 Grand Mirail (QP031007), recouvrement des contours, confiance 95 % » (map hovers)."""
    words = [f"{p['name']} ({p['code']}), {_link_words(p)}" for p in preds]
    if len(words) == 1:
        return vocabulary.phrase("predecessors_short", who=words[0])
    return vocabulary.phrase("predecessors_short_many", count=text.count_text(len(words)), who=" ; ".join(words))


def predecessor_notes(con) -> dict[str, str]:
    """{2024 code: short note} for every 2024 quartier that has 2015 predecessors (map hovers and tables)."""
    return {code: short_note(preds) for code, preds in predecessors.all_links(con).items()}


def approximation_text(con, block: dict | None, code: str, unit: str | None = None, decimals=None) -> str | None:
    """The sentence of one approximated value (indicators.predecessors.block): whose value, how it was made,
    or why there is none (not additive, shared predecessor). None for a quartier's own value."""
    if not block:
        return None
    via, method = block["via"], block["method"]
    who, how, n = _names(via), _how(via), text.count_text(len(via))
    if method == "predecessor":
        return vocabulary.phrase("approx_predecessor", who=who, how=how)
    if method == "predecessors_sum":
        return vocabulary.phrase("approx_sum", count=n, who=who, how=how)
    if method == "predecessors_weighted":
        weight = catalog.indicator(con, block["weight_id"])["label"].lower() if block.get("weight_id") else ""
        return vocabulary.phrase("approx_weighted", count=n, who=who, weight=weight, how=how)

    def value_words(x):
        return text.value_text(x.get("value"), x.get("status"), unit, decimals)

    if method == "predecessors_not_additive":
        listed = " ; ".join(f"{x['code']} : {value_words(x)}" for x in via)
        return vocabulary.phrase("approx_not_additive", count=n, listed=listed)
    p = via[0]
    others = [c for c in p.get("successors") or [] if c != code]
    return vocabulary.phrase("approx_shared", who=who, codes=", ".join(others), value=value_words(p),
                             others=f"{text.count_text(len(others))} autre{'s' if len(others) > 1 else ''} "
                                    f"quartier{'s' if len(others) > 1 else ''} 2024")


def shown_quartier(con, code) -> dict:
    """{code: the quartier's own code, proxy: None, or for a 2024 quartier shown through its 2015
    predecessor(s) {code, name, confidence, others[], sentence} (strongest link first)}. `code` is a code or
    the territory dict already resolved by the view."""
    t = references.territory(con, code)
    proxy = None
    if t.get("generation") == "2024" and not predecessors.has_own_values(con, t["code"]):
        preds = (predecessors.territory_note(con, t["code"]) or {}).get("predecessors") or []
        if preds:
            proxy = {"code": preds[0]["code"], "name": preds[0]["name"], "confidence": preds[0]["confidence"],
                     "others": [{"code": p["code"], "name": p["name"]} for p in preds[1:]],
                     "sentence": note(preds)}
    return {"code": t["code"], "proxy": proxy}
