"""Barometer for élus: per quartier and key indicator (catalogue `barometre: true`), a light
« mieux / comparable / moins bien » against the commune (or the EPCI when the commune has no value) and
against an earlier comparable edition, with the tolerance, the millésime and one plain French sentence.

One value per entry: the light, the sentence and the exports use the quartier's latest value; a reference
published for an earlier millésime only is named with its millésime. Sentences carry only the quartier's and
the reference's values; gaps and tolerances go to `gap_sentence` / evolution `detail` (the page's details).

Reference rule: commune, else EPCI (the sentence names the level actually used). A reference published
for another year only (the communes' Filosofi 2021 against a quartier's 2019) is used under the rule of
gaps.barometre_reference (rates only, at most 2 years apart, gap beyond twice the tolerance), the sentence
giving both years; otherwise the next level is tried and `reference_note` says why. When neither has a
usable value (the poverty rate has no EPCI value), the quartier is compared with the Ensemble des quartiers
prioritaires; when that is missing too the light is None with status 'non_disponible'. A level is never
presented as another. A 2024 quartier's value through its 2015 predecessor(s) carries `approximation`.
"""
from __future__ import annotations

import re

from indicators import catalog, evolution, gaps as gaps_mod, predecessors, references
from observatoire.frformat import fmt_number
from observatoire import vocabulary

REFERENCE_LEVELS = ["commune", "epci", "ensemble_qpv"]

_FEM = {"part", "population", "proportion", "densité", "moyenne", "médiane", "durée", "dépense", "couverture"}
_PLURAL = {"demandeurs": "ceux", "allocataires": "ceux", "emplois": "ceux", "ménages": "ceux", "foyers": "ceux",
           "bénéficiaires": "ceux", "enfants": "ceux", "personnes": "celles", "familles": "celles",
           "dépenses": "celles"}
_VERBS = {"est": "sont", "atteint": "atteignent", "s'élève": "s'élèvent", "a": "ont"}


def noun_phrase(label: str) -> tuple[str, str]:
    """('Le taux de pauvreté', 'celui') from a catalogue label: article and matching pronoun (heuristic)."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", label.strip()).split(" : ")[0]
    first = text.split()[0].lower() if text else ""
    low = text[:1].lower() + text[1:]
    if first in _PLURAL:
        return f"Les {low}", _PLURAL[first]
    fem = first in _FEM
    if first[:1] in "aeéèêiîoôuhy":
        return f"L'{low}", "celle" if fem else "celui"
    return (f"La {low}", "celle") if fem else (f"Le {low}", "celui")


def verb(word: str, pronoun: str) -> str:
    """Agree a verb of the sentences ('est', 'atteint', "s'élève", 'a') with a plural subject."""
    return _VERBS.get(word, word) if pronoun in ("ceux", "celles") else word



def _pts(x: float) -> str:
    return f"{fmt_number(abs(x), 1)} point{'s' if abs(x) >= 2 else ''}"


def light(gap, gap_kind: str, polarity: str, tol: float) -> str | None:
    """'mieux' / 'comparable' / 'moins_bien' from a gap, the polarity and the tolerance (None if neutral)."""
    d = gaps_mod.disadvantage(gap, gap_kind, polarity)
    if d is None:
        return None
    if abs(d) <= tol:
        return "comparable"
    return "moins_bien" if d > 0 else "mieux"


def direction(value, ref_value, gap, gap_kind: str, tol: float) -> str:
    """'proche' (within the tolerance), 'au_dessus' or 'en_dessous': where the quartier stands."""
    d = gap if gap_kind == "points" else gap - 1.0
    if abs(d) <= tol:
        return "proche"
    return "au_dessus" if value > ref_value else "en_dessous"


def territory_sentence(meta: dict, value, ref_value, gap, level, ref_name, edition, tol,
                       ref_edition=None) -> str:
    """One plain French sentence comparing the quartier with its reference. Only two numbers: the quartier's
    value (the headline) and the reference's; the reference's millésime is named when it differs."""
    np_, pron = noun_phrase(meta["label"])
    est = verb("est", pron)
    v, r = catalog.fmt_value(value, meta), catalog.fmt_value(ref_value, meta)
    ref = f"{pron} {vocabulary.level_of(level, ref_name)}"
    ref_ed = ref_edition if ref_edition is not None else edition
    where = direction(value, ref_value, gap, meta["gap_kind"], tol)
    agree = {"celle": "e", "ceux": "s", "celles": "es"}.get(pron, "")
    word = {"proche": "proche" + ("s" if pron in ("ceux", "celles") else ""),
            "au_dessus": "plus élevé" + agree, "en_dessous": "plus bas" + {"celle": "se", "ceux": "", "celles": "ses"}.get(pron, "")}[where]
    link = "de" if where == "proche" else "que"
    if ref_ed == edition:
        return f"En {edition}, {np_[0].lower() + np_[1:]} ({v}) {est} {word} {link} {ref} ({r})."
    return (f"{np_} ({v} en {edition}) {est} {word} {link} {ref} ({r} en {ref_ed}, dernier millésime "
            f"publié pour cette référence).")


def gap_sentence(meta: dict, gap, tol) -> str:
    """The gap and the tolerance behind the light, for the details (never in the headline)."""
    if meta["gap_kind"] == "points":
        return f"Écart de {_pts(gap)} ; en deçà de {_pts(tol)}, le quartier est dit « comparable »."
    return (f"Écart de {fmt_number(abs(gap - 1) * 100, 0)} % ; en deçà de {fmt_number(tol * 100, 0)} %, "
            f"le quartier est dit « comparable ».")


def trend_sentence(meta: dict, comp: dict) -> str:
    """French sentence for the change between two comparable editions, each value with its millésime:
    « Entre 2017 et 2019, le taux de pauvreté est resté stable (48,8 % en 2017, 49,2 % en 2019). »
    The size of the change and the tolerance go to the details (trend_detail)."""
    np_, pron = noun_phrase(meta["label"])
    est, a_ = verb("est", pron), verb("a", pron)
    a, b = comp["value_from"], comp["value_to"]
    vals = (f"({catalog.fmt_value(a, meta)} en {comp['from_edition']}, "
            f"{catalog.fmt_value(b, meta)} en {comp['to_edition']})")
    head = f"Entre {comp['from_edition']} et {comp['to_edition']}, {np_[0].lower() + np_[1:]}"
    if comp["value_trend"] == "stable":
        reste = "resté" + {"celle": "e", "ceux": "s", "celles": "es"}.get(pron, "")
        return f"{head} {est} {reste} stable {vals}."
    return f"{head} {a_} {'augmenté' if b > a else 'baissé'} {vals}."


def trend_detail(meta: dict, comp: dict) -> str:
    """The change and the tolerance behind the evolution light (details, not headline)."""
    a, b = comp["value_from"], comp["value_to"]
    if meta["gap_kind"] == "points":
        return (f"Variation de {_pts(b - a)} ; en deçà de {_pts(comp['tolerance'])}, l'indicateur est dit "
                f"« stable ».")
    rel = (b / a - 1) * 100 if a else 0.0
    return (f"Variation de {fmt_number(abs(rel), 1)} % ; en deçà de {fmt_number(comp['tolerance'] * 100, 0)} %, "
            f"l'indicateur est dit « stable ».")


def _pick(rows: list[dict], meta: dict | None = None, tol: float = 0.0) -> tuple[dict | None, str | None]:
    """First reference row (commune, epci, ensemble_qpv) the baromètre may use (gaps.barometre_reference: same
    edition, or another year under its rule), and a short note saying which levels had no value or could not
    be used (and why) and, for a quartier linked to several territories of that level, which one."""
    tried, reasons = [], []
    for level in REFERENCE_LEVELS:
        for r in rows:
            if r["level"] != level:
                continue
            usable, reason = gaps_mod.barometre_reference(r, meta or {}, tol) if meta else (
                (r, None) if r["ref_value"] is not None else (None, None))
            if reason:
                reasons.append(reason)
            if usable is None:
                continue
            notes = []
            if tried:
                missing = " ni ".join(vocabulary.level_with(x) for x in dict.fromkeys(tried))
                notes.append(f"pas de valeur publiée utilisable pour {missing}")
            notes += list(dict.fromkeys(reasons))
            same = [x for x in rows if x["level"] == level and x["ref_code"]]
            if len(same) > 1:
                names = ", ".join(f"{x['ref_name']} ({x['ref_code']})" for x in same)
                notes.append(f"quartier rattaché à plusieurs territoires de ce niveau : {names}")
            return usable, " ; ".join(notes) or None
        tried.append(level)
    return None, None


def _earlier_rows(con, code: str, indicator_id: str, edition: int, meta: dict) -> list[dict]:
    """Gap rows (commune, EPCI, Ensemble des QPV) at the latest edition before `edition` where the quartier and
    one of these references are both published — [] when there is none."""
    t = references.territory(con, code)
    eds = [e for e in catalog.editions(con, indicator_id, t.get("generation")) if e < edition]
    refs = [r for r in references.reference_territories(con, code) if r["level"] in REFERENCE_LEVELS and r["code"]]
    if not eds or not refs:
        return []
    vals = gaps_mod.values(con, [code] + [r["code"] for r in refs], [(indicator_id, e) for e in eds])
    for e in sorted(eds, reverse=True):
        v, s = vals.get((code, indicator_id, e), (None, "non_disponible"))[:2]
        if v is None:
            continue
        rows = []
        for r in refs:
            rv, rs = vals.get((r["code"], indicator_id, e), (None, "non_disponible"))[:2]
            rows.append({"indicator_id": indicator_id, "edition": e, "value": v, "status": s, "level": r["level"],
                         "ref_code": r["code"], "ref_name": r["name"], "ref_value": rv, "ref_status": rs,
                         "gap": gaps_mod.gap_value(v, rv, meta["gap_kind"])})
        if any(r["ref_value"] is not None for r in rows):
            return rows
    return []


def for_indicator(con, code: str, indicator_id: str, gap_rows: list[dict]) -> dict:
    """Barometer entry for one indicator from its gaps rows at the shown edition (see barometre()).

    One value per entry: the quartier's value at its latest edition (`edition`, `value`) is the one the
    light, the sentence and every export use. When no reference is published at that edition, the
    reference is taken at the latest earlier edition where one is (`reference_edition`), and the sentence
    names both millésimes (« 38,9 % en 2022 … 44,6 % en 2019 »).
    """
    meta = catalog.indicator(con, indicator_id)
    tol = catalog.tolerance(con, indicator_id)
    base = gap_rows[0] if gap_rows else {"value": None, "status": "non_disponible", "edition": None}
    out = {"indicator_id": indicator_id, "label": meta["label"], "short_label": meta.get("short_label") or meta["label"],
           "unit": meta["unit"], "decimals": meta.get("decimals"), "polarity": meta["polarity"],
           "edition": base["edition"], "millesime": base["edition"], "value": base["value"], "status": base["status"],
           "status_label": vocabulary.status_label(base["status"]), "tolerance": tol, "gap_kind": meta["gap_kind"],
           "light": None, "light_label": None, "sentence": None, "reference_level": None,
           "reference_code": None, "reference_name": None, "reference_value": None, "reference_edition": None,
           "gap": None, "direction": None, "gap_sentence": None, "reference_note": None, "evolution": None,
           "approximation": predecessors.block(con, code, base.get("approx"))}
    np_, pron = noun_phrase(meta["label"])
    if base["value"] is None:
        out["sentence"] = (f"{np_} n'{verb('est', pron)} pas disponible{'s' if pron in ('ceux', 'celles') else ''} "
                           f"pour ce quartier ({vocabulary.status_label(base['status']) or 'non disponible'}).")
        out["evolution"] = {"light": None, "light_label": None, "comparison": None, "change": None,
                            "sentence": "Évolution non mesurable : valeur du dernier millésime non disponible."}
        return out
    ref, note = _pick(gap_rows, meta, tol)
    if ref is None and base["edition"] is not None:
        rows_used = _earlier_rows(con, code, indicator_id, base["edition"], meta)
        ref, note = _pick(rows_used) if rows_used else (None, None)
        if ref is not None:
            earlier = f"aucune référence publiée pour {base['edition']}, dernière publiée : {ref['edition']}"
            note = f"{earlier} ; {note}" if note else earlier
    if ref is None:
        out["reference_note"] = ("Aucune valeur de référence publiée (commune, intercommunalité, ensemble des "
                                 "quartiers prioritaires) pour ce quartier : pas de voyant.")
        out["sentence"] = out["reference_note"]
    else:
        # A reference of another year (gaps.barometre_reference) carries its own edition in ref_edition.
        value, ref_ed = base["value"], ref.get("ref_edition") or ref["edition"]
        gap = gaps_mod.gap_value(value, ref["ref_value"], meta["gap_kind"])
        lt = light(gap, meta["gap_kind"], meta["polarity"], tol)
        out.update(light=lt, light_label=vocabulary.light(lt)["label"] if lt else None,
                   reference_level=ref["level"], reference_code=ref["ref_code"], reference_name=ref["ref_name"],
                   reference_value=ref["ref_value"], reference_edition=ref_ed, gap=gap, reference_note=note,
                   direction=direction(value, ref["ref_value"], gap, meta["gap_kind"], tol),
                   gap_sentence=gap_sentence(meta, gap, tol),
                   sentence=territory_sentence(meta, value, ref["ref_value"], gap, ref["level"], ref["ref_name"],
                                               base["edition"], tol, ref_ed))
    out["evolution"] = _trend(con, code, indicator_id, base["edition"], meta)
    return out


def _trend(con, code, indicator_id, edition, meta) -> dict | None:
    """Light and sentence for the change since the latest comparable (non-consecutive) edition."""
    ev = evolution.evolution(con, code, indicator_id, to_edition=edition)
    comp = ev["comparison"]
    if comp is None:
        return {"light": None, "light_label": None, "comparison": None, "change": None,
                "sentence": "Pas de millésime antérieur comparable (l'INSEE déconseille de comparer deux "
                            "millésimes consécutifs)."}
    if comp["value_from"] is None or comp["value_to"] is None:
        return {"light": None, "light_label": None, "comparison": comp, "change": None,
                "sentence": f"Évolution {comp['from_edition']}-{comp['to_edition']} non mesurable : valeur "
                            f"{vocabulary.status_label(comp['status_from'] if comp['value_from'] is None else comp['status_to'])}."}
    lt = vocabulary.term("trends", comp["value_trend"]).get("light")
    change = "stable" if comp["value_trend"] == "stable" else ("en hausse" if comp["value_to"] > comp["value_from"]
                                                               else "en baisse")
    return {"light": lt, "change": change, "light_label": vocabulary.light(lt)["label"] if lt else None, "from_edition": comp["from_edition"],
            "to_edition": comp["to_edition"], "tolerance": comp["tolerance"], "label": comp["label"],
            "sentence": trend_sentence(meta, comp), "detail": trend_detail(meta, comp), "verdict": comp["verdict"],
            "verdict_reference": ev["reference_name"], "comparison": comp}


def barometre(con, code: str, edition: int | None = None, indicator_ids=None) -> list[dict]:
    """Per key indicator: {light, light_label, sentence, tolerance, millesime, reference_*, evolution{light, sentence}}."""
    code = references.normalise_code(code)
    ids = indicator_ids or catalog.ids(con, barometre=True)
    recs = gaps_mod.gap_rows(con, code, edition, ids, levels=REFERENCE_LEVELS)
    return [for_indicator(con, code, i, [r for r in recs if r["indicator_id"] == i]) for i in ids]
