"""The élu's baromètre as one view model, shared by the web page, the printed page, the fiche PDF and the
COPIL deck: per key indicator a light (colour + symbol + word), ONE short line (« Taux de pauvreté :
49,2 % — au-dessus de l'ensemble des QPV (43,6 %) · stable depuis 2017 »), and the details that unfold
below (full sentence, evolution, gap and tolerance, reference notes).

Every number of a line is the quartier's headline value or a named reference value (issue 11, « one value
per sentence »): the line, the light and every export read the same entry of indicators.barometre.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from indicators import barometre as barometre_lib, catalog, references
from observatoire import vocabulary
from presentation import sources, text
from presentation.quartier import shown_quartier

_WHERE = {"proche": "proche de", "au_dessus": "au-dessus de", "en_dessous": "en dessous de"}
_SHORT_WITH = {"commune": "la commune", "epci": "l'intercommunalité", "ensemble_qpv": "l'ensemble des QPV",
               "france": "la France métropolitaine"}


@dataclass
class Light:
    code: str | None
    label: str
    symbol: str
    color: str

    @classmethod
    def of(cls, code: str | None, value_shown: bool = True) -> "Light":
        t = vocabulary.light(code)
        label = t["label"] if code is not None or not value_shown else "sans voyant"
        return cls(code, label, t["symbol"], t["color"])

    @classmethod
    def of_trend(cls, code: str | None, value_shown: bool = True) -> "Light":
        """The evolution light, worded as a trend (« stable », « en amélioration », « en dégradation »)."""
        base = cls.of(code, value_shown)
        word = next((t["label"] for t in vocabulary.terms("trends").values() if code and t.get("light") == code), None)
        return cls(code, word or base.label, base.symbol, base.color)

    @property
    def text(self) -> str:
        """« ▼ moins bien »: symbol and word, never colour alone."""
        return f"{self.symbol} {self.label}"


@dataclass
class Item:
    indicator_id: str
    label: str                     # full catalogue label (details)
    short_label: str               # the line's label
    value: float | None
    status: str
    value_text: str                # « 49,2 % » or the status label
    value_short: str               # the same for narrow cells (« secret », « n.d. »)
    edition: int | None            # millésime of the value (the line's, the light's, every export's)
    light: Light                   # against the reference territory
    trend: Light                   # against an earlier comparable millésime
    line: str                      # THE short line (PDF, deck): position, then « · stable depuis 2019 »
    sentence: str                  # plain sentence with the same two numbers as the line
    trend_sentence: str
    details: list[str] = field(default_factory=list)   # gap + tolerance, evolution detail, reference notes
    reference_level: str | None = None
    reference_value: float | None = None
    reference_edition: int | None = None
    shown: bool = True
    position: str = ""             # the line without its trend (the page puts the trend in a pill)
    trend_since: int | None = None  # the earlier millésime the trend compares with

    @property
    def trend_text(self) -> str:
        """The page's trend pill, the trend said once: « ● stable depuis 2019 », « ▼ en dégradation depuis 2017 »."""
        return f"{self.trend.text} depuis {self.trend_since}" if self.trend_since else self.trend.text


@dataclass
class View:
    code: str                      # the quartier asked for
    name: str
    communes: str
    generation: str | None
    date: dt.date
    items: list[Item]
    source_line: str
    approximation: str | None = None   # « valeurs du quartier 2015 … » when a 2024 quartier borrows them
    empty_message: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {k: sum(1 for i in self.items if i.light.code == k) for k in ("mieux", "comparable", "moins_bien")}

    @property
    def verdict(self) -> str:
        """The overall verdict of the first screen: « 0 mieux, 2 comparables, 5 moins bien »."""
        words = []
        for code, n in self.counts.items():
            label = vocabulary.light(code)["label"]
            words.append(f"{n} {label}{'s' if n > 1 and code == 'comparable' else ''}")
        return ", ".join(words)

    @property
    def summary(self) -> str:
        """« En bref » sentence: the verdict against the reference territories, out of how many indicators."""
        return f"Par rapport aux territoires de référence : {self.verdict} (sur {len(self.items)} indicateurs clés)."

    @property
    def date_text(self) -> str:
        return text.date_text(self.date)

    @property
    def millesimes(self) -> str:
        return sources.millesimes_text([i.edition for i in self.items if i.edition is not None])


def short_with(level: str) -> str:
    """« la commune », « l'intercommunalité », « l'ensemble des QPV »: short names for the line."""
    if level in _SHORT_WITH:
        return _SHORT_WITH[level]
    return vocabulary.level_with(level)


def line_of(b: dict, value_txt: str) -> str:
    """The short line from a barometre entry: label, value, where it stands, trend since when."""
    out = position_of(b, value_txt)
    ev = b.get("evolution") or {}
    if ev.get("change"):
        out += f" · {ev['change']} depuis {ev['from_edition']}"
    return out


def position_of(b: dict, value_txt: str) -> str:
    """Label, value and where it stands against its reference (the line without its trend)."""
    out = f"{b['short_label']} : {value_txt}"
    meta = {"unit": b["unit"], "decimals": b.get("decimals")}
    if b.get("direction") and b.get("reference_level"):
        r = catalog.fmt_value(b["reference_value"], meta)
        when = f" en {b['reference_edition']}" if b["reference_edition"] != b["edition"] else ""
        out += f" — {_WHERE[b['direction']]} {short_with(b['reference_level'])} ({r}{when})"
    return out


def item_of(b: dict, approx: bool = False) -> Item:
    """One line of the baromètre; `approx` marks values borrowed from a 2015 predecessor (« ≈ »)."""
    shown = b["status"] in vocabulary.shown_statuses() and b["value"] is not None
    vt = text.value_text(b["value"], b["status"], b["unit"], b.get("decimals"), approx=approx)
    ev = b.get("evolution") or {}
    details = [d for d in (b.get("gap_sentence"), ev.get("detail")) if d]
    if b.get("reference_note") and b.get("light"):
        details.append(f"Référence : {vocabulary.level_with(b['reference_level'])} ; {b['reference_note']}.")
    return Item(indicator_id=b["indicator_id"], label=b["label"], short_label=b["short_label"], value=b["value"],
                status=b["status"], value_text=vt,
                value_short=text.value_text(b["value"], b["status"], b["unit"], b.get("decimals"), short=True,
                                            approx=approx), edition=b["edition"], light=Light.of(b.get("light"), shown),
                trend=Light.of_trend(ev.get("light"), shown), line=line_of(b, vt), sentence=b.get("sentence") or "",
                trend_sentence=ev.get("sentence") or "", details=details, reference_level=b.get("reference_level"),
                reference_value=b.get("reference_value"), reference_edition=b.get("reference_edition"), shown=shown,
                position=position_of(b, vt), trend_since=ev.get("from_edition") if ev.get("light") else None)


def view(con, code: str, today: dt.date | None = None) -> View:
    """The baromètre of one quartier (2015 or 2024 code) as the page, the PDF and the deck show it."""
    code = references.normalise_code(code)
    t = references.territory(con, code)
    communes = ", ".join(r["name"] for r in references.reference_territories(con, code)
                         if r["level"] == "commune" and r["code"] and r["name"])
    sq = shown_quartier(con, code)
    entries = barometre_lib.barometre(con, sq["code"])
    items = [item_of(b, approx=bool(b.get("approximation"))) for b in entries]
    if all(i.edition is None for i in items):
        items = []
    gen_shown = "2015" if sq["proxy"] else t.get("generation")
    eds = [i.edition for i in items if i.edition is not None]
    ids = [i.indicator_id for i in items if i.edition is not None]
    line = sources.indicators_line(con, [{"source": catalog.indicator(con, i)["source"], "edition": e}
                                         for i, e in zip(ids, eds)], gen_shown)
    approx = sq["proxy"]["sentence"] if sq["proxy"] else None
    empty = None
    if not items:
        empty = ("Pas de baromètre pour ce quartier : "
                 + ("pas encore d'indicateurs INSEE pour la géographie 2024 (ni quartier 2015 correspondant "
                    "publié)." if t.get("generation") == "2024" else "aucun indicateur clé n'a de valeur publiée."))
    return View(code=code, name=t["name"], communes=communes, generation=t.get("generation"),
                date=today or dt.date.today(), items=items, source_line=line, approximation=approx,
                empty_message=empty)


def reading_note() -> str:
    """How the lights are computed, for the details and the speaker notes."""
    return ("Premier voyant : le quartier comparé à sa commune, à défaut à son intercommunalité ou à l'ensemble "
            "des quartiers prioritaires (la référence utilisée est nommée). Second voyant : le quartier comparé à "
            "lui-même quelques années plus tôt ; l'INSEE déconseille de comparer deux millésimes consécutifs. "
            "« Comparable » ou « stable » : un écart inférieur à la tolérance du catalogue (donnée dans le détail).")


