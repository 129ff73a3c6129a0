"""Barometer for élus: per quartier and key indicator (catalogue `barometre: true`), a light
« mieux / comparable / moins bien » against the commune (or the EPCI when the commune has no value) and
against an earlier comparable edition, with the tolerance, the millésime and one plain French sentence.

Reference rule: commune, else EPCI (the sentence names the level actually used). When neither has a value
(the poverty rate: Filosofi reference files publish no poverty rate for communes or EPCI), the quartier is
compared with the Ensemble des quartiers prioritaires, and `reference_note` says why; when that is missing
too the light is None with status 'non_disponible'. A level is never presented as another.
"""
from __future__ import annotations

import re

from indicators import catalog, evolution, gaps as gaps_mod, references, secret
from observatoire.frformat import fmt_number

REFERENCE_LEVELS = ["commune", "epci", "ensemble_qpv"]
LIGHT_LABELS = {"mieux": "mieux", "comparable": "comparable", "moins_bien": "moins bien"}
TREND_LIGHT = {"amelioration": "mieux", "stable": "comparable", "degradation": "moins_bien"}
_WITH = {"commune": "la commune", "epci": "l'intercommunalité", "ensemble_qpv": "l'ensemble des quartiers prioritaires"}
FOLD = 1.5  # from this ratio on, rates are also said as "n fois"

_FEM = {"part", "population", "proportion", "densité", "moyenne", "médiane", "durée", "dépense", "couverture"}
_PLURAL = {"demandeurs": "ceux", "allocataires": "ceux", "emplois": "ceux", "ménages": "ceux",
           "personnes": "celles", "familles": "celles", "dépenses": "celles"}


def noun_phrase(label: str) -> tuple[str, str]:
    """('Le taux de pauvreté', 'celui') from a catalogue label: article and matching pronoun (heuristic)."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", label.strip())
    first = text.split()[0].lower() if text else ""
    low = text[:1].lower() + text[1:]
    if first in _PLURAL:
        return f"Les {low}", _PLURAL[first]
    fem = first in _FEM
    if first[:1] in "aeéèêiîoôuhy" and first not in ("hausse",):
        return f"L'{low}", "celle" if fem else "celui"
    return (f"La {low}", "celle") if fem else (f"Le {low}", "celui")


def _de(name: str) -> str:
    return f"d'{name}" if name[:1].lower() in "aeéèêiîoôuhy" else f"de {name}"


def reference_phrase(level: str, name: str | None) -> str:
    """'de la commune de Toulouse', "de l'intercommunalité Toulouse Métropole", … (what follows celui/celle)."""
    name = name or ""
    if level == "commune":
        return f"de la commune {_de(name)}".strip()
    if level == "epci":
        return f"de l'intercommunalité {name}".strip()
    if level == "ensemble_qpv":
        return "de l'ensemble des quartiers prioritaires"
    if level == "france":
        return "de la France métropolitaine"
    if level == "departement":
        return f"du département ({name})"
    if level == "region":
        return f"de la région ({name})"
    return f"de {name}"


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


def territory_sentence(meta: dict, value, ref_value, gap, level, ref_name, edition, tol) -> str:
    """One plain French sentence comparing the quartier with its reference (numbers via frformat)."""
    np_, pron = noun_phrase(meta.get("short_label") or meta["label"])
    v, r = catalog.fmt_value(value, meta), catalog.fmt_value(ref_value, meta)
    ref = f"{pron} {reference_phrase(level, ref_name)}"
    if meta["gap_kind"] == "points":
        if ref_value and value / ref_value >= FOLD:
            return f"{np_} atteint {v}, soit {fmt_number(value / ref_value, 1)} fois {ref} ({r}) en {edition}."
        if abs(gap) <= tol:
            return f"{np_} ({v}) est proche de {ref} ({r}) en {edition} : écart de {_pts(gap)}, dans la tolérance de {_pts(tol)}."
        more = "de plus" if gap > 0 else "de moins"
        return f"{np_} atteint {v}, soit {_pts(gap)} {more} que {ref} ({r}) en {edition}."
    # ratio
    if gap >= FOLD:
        return f"{np_} s'élève à {v}, soit {fmt_number(gap, 1)} fois {ref} ({r}) en {edition}."
    if abs(gap - 1) <= tol:
        return (f"{np_} ({v}) est proche de {ref} ({r}) en {edition} : écart de "
                f"{fmt_number(abs(gap - 1) * 100, 0)} %, dans la tolérance de {fmt_number(tol * 100, 0)} %.")
    more = "de plus" if gap > 1 else "de moins"
    return f"{np_} s'élève à {v}, soit {fmt_number(abs(gap - 1) * 100, 0)} % {more} que {ref} ({r}) en {edition}."


def trend_sentence(meta: dict, comp: dict) -> str:
    """French sentence for the change between two comparable editions, e.g. 'Entre 2019 et 2022, …'."""
    np_, pron = noun_phrase(meta.get("short_label") or meta["label"])
    a, b = comp["value_from"], comp["value_to"]
    fa, fb = catalog.fmt_value(a, meta), catalog.fmt_value(b, meta)
    head = f"Entre {comp['from_edition']} et {comp['to_edition']}, {np_[0].lower() + np_[1:]}"
    reste = "resté" + {"celle": "e", "ceux": "s", "celles": "es"}.get(pron, "")
    if meta["gap_kind"] == "points":
        ch = b - a
        if comp["value_trend"] == "stable":
            return f"{head} est {reste} stable ({fa} puis {fb} ; variation de {_pts(ch)}, tolérance {_pts(comp['tolerance'])})."
        return f"{head} a {'augmenté' if ch > 0 else 'baissé'} de {_pts(ch)} ({fa} puis {fb})."
    rel = (b / a - 1) * 100 if a else 0.0
    if comp["value_trend"] == "stable":
        return (f"{head} est {reste} stable ({fa} puis {fb} ; variation de {fmt_number(abs(rel), 1)} %, "
                f"tolérance {fmt_number(comp['tolerance'] * 100, 0)} %).")
    return f"{head} a {'augmenté' if rel > 0 else 'baissé'} de {fmt_number(abs(rel), 1)} % ({fa} puis {fb})."


def _pick(rows: list[dict]) -> tuple[dict | None, str | None]:
    """First reference row (commune, epci, ensemble_qpv) with a published value, and a note on substitution."""
    tried = []
    for level in REFERENCE_LEVELS:
        for r in rows:
            if r["level"] == level and r["ref_value"] is not None:
                note = None
                if tried:
                    missing = " ni ".join(_WITH[x] for x in dict.fromkeys(tried))
                    note = (f"Pas de valeur publiée pour {missing} pour ce millésime : comparaison avec "
                            f"{_WITH[level]}.")
                return r, note
        tried.append(level)
    return None, None


def for_indicator(con, code: str, indicator_id: str, gap_rows: list[dict]) -> dict:
    """Barometer entry for one indicator from its gaps rows (see barometre())."""
    meta = catalog.indicator(con, indicator_id)
    tol = catalog.tolerance(con, indicator_id)
    base = gap_rows[0] if gap_rows else {"value": None, "status": "non_disponible", "edition": None}
    out = {"indicator_id": indicator_id, "label": meta["label"], "unit": meta["unit"], "polarity": meta["polarity"],
           "edition": base["edition"], "millesime": base["edition"], "value": base["value"], "status": base["status"],
           "status_label": secret.label(base["status"]), "tolerance": tol, "gap_kind": meta["gap_kind"],
           "light": None, "light_label": None, "sentence": None, "reference_level": None,
           "reference_code": None, "reference_name": None, "reference_value": None, "gap": None,
           "reference_note": None, "evolution": None}
    if base["value"] is None:
        out["sentence"] = (f"{noun_phrase(meta['label'])[0]} n'est pas disponible pour ce quartier"
                           f" ({secret.label(base['status']) or 'non disponible'}).")
    else:
        ref, note = _pick(gap_rows)
        if ref is None:
            out["status"] = "ok"
            out["reference_note"] = "Aucune valeur de référence publiée (commune, intercommunalité, ensemble des QPV)."
            out["sentence"] = out["reference_note"]
        else:
            lt = light(ref["gap"], meta["gap_kind"], meta["polarity"], tol)
            out.update(light=lt, light_label=LIGHT_LABELS.get(lt), reference_level=ref["level"],
                       reference_code=ref["ref_code"], reference_name=ref["ref_name"],
                       reference_value=ref["ref_value"], gap=ref["gap"], reference_note=note,
                       sentence=territory_sentence(meta, base["value"], ref["ref_value"], ref["gap"], ref["level"],
                                                   ref["ref_name"], base["edition"], tol))
            if note:
                out["sentence"] += " " + note
    out["evolution"] = _trend(con, code, indicator_id, base["edition"], meta)
    return out


def _trend(con, code, indicator_id, edition, meta) -> dict | None:
    if edition is None:
        return None
    ev = evolution.evolution(con, code, indicator_id, to_edition=edition)
    comp = ev["comparison"]
    if comp is None or comp["value_from"] is None or comp["value_to"] is None:
        return {"light": None, "light_label": None, "sentence": "Pas de millésime antérieur comparable "
                "(l'INSEE déconseille de comparer deux millésimes consécutifs).", "comparison": comp}
    lt = TREND_LIGHT.get(comp["value_trend"])
    return {"light": lt, "light_label": LIGHT_LABELS.get(lt), "from_edition": comp["from_edition"],
            "to_edition": comp["to_edition"], "tolerance": comp["tolerance"], "label": comp["label"],
            "sentence": trend_sentence(meta, comp), "verdict": comp["verdict"],
            "verdict_reference": ev["reference_name"], "comparison": comp}


def barometre(con, code: str, edition: int | None = None, indicator_ids=None) -> list[dict]:
    """Per key indicator: {light, light_label, sentence, tolerance, millesime, reference_*, evolution{light, sentence}}."""
    code = references.normalise_code(code)
    ids = indicator_ids or catalog.ids(con, barometre=True)
    recs = gaps_mod.gap_rows(con, code, edition, ids, levels=REFERENCE_LEVELS)
    return [for_indicator(con, code, i, [r for r in recs if r["indicator_id"] == i]) for i in ids]
