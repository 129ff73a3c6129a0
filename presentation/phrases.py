"""French grammar for the sentences the views write from the vocabulary's phrase patterns
(catalogue/vocabulary.yaml `phrases`): the article and pronoun of an indicator's label, verb and adjective
agreement, lists (« a, b et c »), gap and tolerance amounts. The patterns say WHAT is said; this module only
makes the words agree, so that no view spells a sentence of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from observatoire import frformat, vocabulary

_FEM = {"part", "population", "proportion", "densité", "moyenne", "médiane", "durée", "dépense", "couverture"}
_PLURAL = {"demandeurs": "ceux", "allocataires": "ceux", "emplois": "ceux", "ménages": "ceux", "foyers": "ceux",
           "bénéficiaires": "ceux", "enfants": "ceux", "personnes": "celles", "familles": "celles",
           "dépenses": "celles"}
_VERBS = {"est": "sont", "atteint": "atteignent", "s'élève": "s'élèvent", "a": "ont", "n'est": "ne sont"}
_VOWELS = "aeéèêiîoôuhy"


@dataclass(frozen=True)
class Subject:
    """An indicator named as the subject of a sentence: « Le taux de pauvreté » and its pronoun (celui,
    celle, ceux, celles), which drives every agreement."""
    text: str
    pronoun: str

    @property
    def lower(self) -> str:
        """« le taux de pauvreté » (inside a sentence)."""
        return self.text[:1].lower() + self.text[1:]

    @property
    def plural(self) -> bool:
        return self.pronoun in ("ceux", "celles")

    def verb(self, word: str) -> str:
        """« est » / « sont », « a » / « ont »…"""
        return _VERBS.get(word, word) if self.plural else word

    def agree(self, word: str) -> str:
        """An adjective or past participle agreed with the subject: « resté » → « restée », « restés »…;
        « bas » → « basse », « bas », « basses »."""
        if word.endswith("s") and word[-2:-1] == "a":          # bas, gras: basse, basses
            return {"celle": word + "se", "ceux": word, "celles": word + "ses"}.get(self.pronoun, word)
        return word + {"celle": "e", "ceux": "s", "celles": "es"}.get(self.pronoun, "")


def subject(label: str) -> Subject:
    """The subject of a sentence from a catalogue label (heuristic): ('Le taux de pauvreté', 'celui')."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", label.strip()).split(" : ")[0]
    first = text.split()[0].lower() if text else ""
    low = text[:1].lower() + text[1:]
    if first in _PLURAL:
        return Subject(f"Les {low}", _PLURAL[first])
    fem = first in _FEM
    if first[:1] in _VOWELS:
        return Subject(f"L'{low}", "celle" if fem else "celui")
    return Subject(f"La {low}", "celle") if fem else Subject(f"Le {low}", "celui")


def de(name: str) -> str:
    """« de Toulouse », « d'Aix »."""
    return f"d'{name}" if name[:1].lower() in _VOWELS else f"de {name}"


def joined(items) -> str:
    """« a », « a et b », « a, b et c » (empty items left out)."""
    items = [str(i) for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def amount(x: float, gap_kind: str | None, decimals: int = 1) -> str:
    """A gap or a tolerance as the details say it: « 3,5 points » for rates, « 12 » (a percentage, the
    pattern carries the « % ») for amounts compared as ratios."""
    if gap_kind == "points":
        return f"{frformat.fmt_number(abs(x), decimals)} point{'s' if abs(x) >= 2 else ''}"
    return frformat.fmt_number(abs(x) * 100, decimals)


def levels_with(levels) -> str:
    """« la commune, l'intercommunalité ou l'ensemble des quartiers prioritaires »."""
    words = [vocabulary.level_with(lv) for lv in levels]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " ou " + words[-1] if words else ""


def times_text(n) -> str:
    """« deux », « trois » (fois la tolérance), else the number."""
    n = int(n) if float(n).is_integer() else n
    return {2: "deux", 3: "trois", 4: "quatre"}.get(n, frformat.fmt_number(n, 0 if isinstance(n, int) else 1))


def years_text(n: int) -> str:
    """« 1 an », « 3 ans »."""
    return f"{n} an{'s' if abs(n) > 1 else ''}"
