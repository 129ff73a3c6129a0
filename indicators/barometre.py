"""Barometer for élus: per quartier and key indicator (catalogue `barometre: true`), a light
« mieux / comparable / moins bien » against the commune (or the EPCI when the commune has no value) and
against an earlier comparable edition, with the tolerance, the millésime and one plain French sentence.

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
FOLD = 1.5  # from this ratio on, rates are also said as "n fois"

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


def territory_sentence(meta: dict, value, ref_value, gap, level, ref_name, edition, tol, ref_edition=None) -> str:
    """One plain French sentence comparing the quartier with its reference (numbers via frformat); a reference
    of another year (gaps.barometre_reference) is given with both years."""
    np_, pron = noun_phrase(meta["label"])
    est, atteint, eleve = verb("est", pron), verb("atteint", pron), verb("s'élève", pron)
    v, r = catalog.fmt_value(value, meta), catalog.fmt_value(ref_value, meta)
    tail = f" en {edition}"
    if ref_edition not in (None, edition):
        r, tail = f"{r} en {ref_edition} ; quartier : {edition}", ""
    ref = f"{pron} {vocabulary.level_of(level, ref_name)}"
    if meta["gap_kind"] == "points":
        if ref_value and ref_value > 0 and value / ref_value >= FOLD:
            return f"{np_} {atteint} {v}, soit {fmt_number(value / ref_value, 1)} fois {ref} ({r}){tail}."
        if abs(gap) <= tol:
            return (f"{np_} ({v}) {est} proche de {ref} ({r}){tail} : écart de {_pts(gap)}, "
                    f"dans la tolérance de {_pts(tol)}.")
        more = "de plus" if gap > 0 else "de moins"
        return f"{np_} {atteint} {v}, soit {_pts(gap)} {more} que {ref} ({r}){tail}."
    # ratio
    if gap >= FOLD:
        return f"{np_} {eleve} à {v}, soit {fmt_number(gap, 1)} fois {ref} ({r}){tail}."
    if abs(gap - 1) <= tol:
        return (f"{np_} ({v}) {est} proche de {ref} ({r}){tail} : écart de "
                f"{fmt_number(abs(gap - 1) * 100, 0)} %, dans la tolérance de {fmt_number(tol * 100, 0)} %.")
    more = "de plus" if gap > 1 else "de moins"
    return f"{np_} {eleve} à {v}, soit {fmt_number(abs(gap - 1) * 100, 0)} % {more} que {ref} ({r}){tail}."


def trend_sentence(meta: dict, comp: dict) -> str:
    """French sentence for the change between two comparable editions, e.g. 'Entre 2019 et 2022, …'."""
    np_, pron = noun_phrase(meta["label"])
    est, a_ = verb("est", pron), verb("a", pron)
    a, b = comp["value_from"], comp["value_to"]
    fa, fb = catalog.fmt_value(a, meta), catalog.fmt_value(b, meta)
    head = f"Entre {comp['from_edition']} et {comp['to_edition']}, {np_[0].lower() + np_[1:]}"
    reste = "resté" + {"celle": "e", "ceux": "s", "celles": "es"}.get(pron, "")
    if meta["gap_kind"] == "points":
        ch = b - a
        if comp["value_trend"] == "stable":
            return (f"{head} {est} {reste} stable ({fa} puis {fb} ; variation de {_pts(ch)}, "
                    f"tolérance {_pts(comp['tolerance'])}).")
        return f"{head} {a_} {'augmenté' if ch > 0 else 'baissé'} de {_pts(ch)} ({fa} puis {fb})."
    rel = (b / a - 1) * 100 if a else 0.0
    if comp["value_trend"] == "stable":
        return (f"{head} {est} {reste} stable ({fa} puis {fb} ; variation de {fmt_number(abs(rel), 1)} %, "
                f"tolérance {fmt_number(comp['tolerance'] * 100, 0)} %).")
    return f"{head} {a_} {'augmenté' if rel > 0 else 'baissé'} de {fmt_number(abs(rel), 1)} % ({fa} puis {fb})."


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

    When no reference is published at that edition, the comparison uses the latest earlier edition where
    the quartier and a reference both are, and says so (`millesime` is then that edition).
    """
    meta = catalog.indicator(con, indicator_id)
    tol = catalog.tolerance(con, indicator_id)
    base = gap_rows[0] if gap_rows else {"value": None, "status": "non_disponible", "edition": None}
    out = {"indicator_id": indicator_id, "label": meta["label"], "unit": meta["unit"], "polarity": meta["polarity"],
           "edition": base["edition"], "millesime": base["edition"], "value": base["value"], "status": base["status"],
           "status_label": vocabulary.status_label(base["status"]), "tolerance": tol, "gap_kind": meta["gap_kind"],
           "light": None, "light_label": None, "sentence": None, "reference_level": None,
           "reference_code": None, "reference_name": None, "reference_value": None, "reference_edition": None,
           "gap": None, "reference_note": None, "evolution": None,
           "approximation": predecessors.block(con, code, base.get("approx"))}
    np_, pron = noun_phrase(meta["label"])
    if base["value"] is None:
        out["sentence"] = (f"{np_} n'{verb('est', pron)} pas disponible{'s' if pron in ('ceux', 'celles') else ''} "
                           f"pour ce quartier ({vocabulary.status_label(base['status']) or 'non disponible'}).")
        out["evolution"] = {"light": None, "light_label": None, "comparison": None,
                            "sentence": "Évolution non mesurable : valeur du dernier millésime non disponible."}
        return out
    ref, note = _pick(gap_rows, meta, tol)
    rows_used = gap_rows
    if ref is None and base["edition"] is not None:
        rows_used = _earlier_rows(con, code, indicator_id, base["edition"], meta)
        ref, note = _pick(rows_used) if rows_used else (None, None)
        if ref is not None:
            earlier = f"aucune référence publiée pour {base['edition']}, dernier millésime commun : {ref['edition']}"
            note = f"{earlier} ; {note}" if note else earlier
    if ref is None:
        out["reference_note"] = ("Aucune valeur de référence publiée (commune, intercommunalité, ensemble des "
                                 "quartiers prioritaires) pour ce quartier : pas de voyant.")
        out["sentence"] = out["reference_note"]
    else:
        lt = light(ref["gap"], meta["gap_kind"], meta["polarity"], tol)
        out.update(light=lt, light_label=vocabulary.light(lt)["label"] if lt else None, millesime=ref["edition"],
                   reference_level=ref["level"], reference_code=ref["ref_code"], reference_name=ref["ref_name"],
                   reference_value=ref["ref_value"], reference_edition=ref.get("ref_edition") or ref["edition"],
                   gap=ref["gap"], reference_note=note,
                   sentence=territory_sentence(meta, ref["value"], ref["ref_value"], ref["gap"], ref["level"],
                                               ref["ref_name"], ref["edition"], tol, ref.get("ref_edition")))
        if note:
            out["sentence"] += f" (Référence : {vocabulary.level_with(ref['level'])} ; {note}.)"
    out["evolution"] = _trend(con, code, indicator_id, base["edition"], meta)
    return out


def _trend(con, code, indicator_id, edition, meta) -> dict | None:
    """Light and sentence for the change since the latest comparable (non-consecutive) edition."""
    ev = evolution.evolution(con, code, indicator_id, to_edition=edition)
    comp = ev["comparison"]
    if comp is None:
        return {"light": None, "light_label": None, "comparison": None,
                "sentence": "Pas de millésime antérieur comparable (l'INSEE déconseille de comparer deux "
                            "millésimes consécutifs)."}
    if comp["value_from"] is None or comp["value_to"] is None:
        return {"light": None, "light_label": None, "comparison": comp,
                "sentence": f"Évolution {comp['from_edition']}-{comp['to_edition']} non mesurable : valeur "
                            f"{vocabulary.status_label(comp['status_from'] if comp['value_from'] is None else comp['status_to'])}."}
    lt = vocabulary.term("trends", comp["value_trend"]).get("light")
    return {"light": lt, "light_label": vocabulary.light(lt)["label"] if lt else None, "from_edition": comp["from_edition"],
            "to_edition": comp["to_edition"], "tolerance": comp["tolerance"], "label": comp["label"],
            "sentence": trend_sentence(meta, comp), "verdict": comp["verdict"],
            "verdict_reference": ev["reference_name"], "comparison": comp}


def barometre(con, code: str, edition: int | None = None, indicator_ids=None) -> list[dict]:
    """Per key indicator: {light, light_label, sentence, tolerance, millesime, reference_*, evolution{light, sentence}}."""
    code = references.normalise_code(code)
    ids = indicator_ids or catalog.ids(con, barometre=True)
    recs = gaps_mod.gap_rows(con, code, edition, ids, levels=REFERENCE_LEVELS)
    return [for_indicator(con, code, i, [r for r in recs if r["indicator_id"] == i]) for i in ids]
