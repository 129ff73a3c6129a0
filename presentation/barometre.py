"""The élu's baromètre as one view model, shared by the web page, the printed page, the fiche PDF and the
COPIL deck and report: per key indicator a light (colour + symbol + word), ONE short line (« Taux de
pauvreté : 49,2 % — au-dessus de la commune (22,0 % en 2021) · stable depuis 2017 »), and the details that
unfold below (full sentence, evolution, gap and tolerance, reference notes).

Every number of a line is the quartier's headline value or a named reference value (issue 11, « one value
per sentence »): the line, the light and every export read the same entry of indicators.barometre, which
gives numbers and codes; the words come from the vocabulary's phrases (catalogue/vocabulary.yaml). A value a
2024 quartier borrows from its 2015 predecessor(s) keeps its « ≈ » in the line AND in every sentence.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from indicators import barometre as barometre_lib, catalog, references
from observatoire import vocabulary
from presentation import phrases, sources, text
from presentation.quartier import shown_quartier


@dataclass
class Light:
    code: str | None
    label: str
    symbol: str
    color: str

    @classmethod
    def of(cls, code: str | None, value_shown: bool = True) -> "Light":
        """The light of the vocabulary: the computed one, « sans voyant » for a shown value without a usable
        reference, « non disponible » without a value. `code` stays the computed light (None when none)."""
        t = vocabulary.light(vocabulary.light_code(code, value_shown))
        return cls(code, t["label"], t["symbol"], t["color"])

    @classmethod
    def of_trend(cls, code: str | None, value_shown: bool = True, trend: str | None = None) -> "Light":
        """The evolution light, worded as a trend (« stable », « en amélioration », « en dégradation »)."""
        base = cls.of(code, value_shown)
        word = vocabulary.label("trends", trend) if trend and vocabulary.term("trends", trend) else None
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
    value_text: str                # « ≈ 49,2 % » or the status label
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
    approx: bool = False           # borrowed from the 2015 predecessor(s) (« ≈ »)
    reference_text: str = ""       # « 22,0 % (2021) »: the reference value as every table prints it
    change: str | None = None      # code of vocabulary `changes` (hausse, baisse, stable) or None
    change_from: int | None = None  # the earlier millésime of the trend
    position: str = ""             # the line without its trend (the page puts the trend in a pill)

    @property
    def trend_since(self) -> int | None:
        """The earlier millésime the trend light compares with (None without a trend light)."""
        return self.change_from if self.trend.code else None

    @property
    def trend_text(self) -> str:
        """The page's trend pill, the trend said once: « ● stable depuis 2019 », « ▼ en dégradation depuis 2017 »."""
        return f"{self.trend.text} depuis {text.year_text(self.trend_since)}" if self.trend_since else self.trend.text


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
    def unlit(self) -> int:
        """Values shown without a light (no reference within the year rule): said beside the verdict, so that
        « 0 mieux, 0 comparable, 2 moins bien » never reads as the whole story."""
        return sum(1 for i in self.items if i.light.code is None and i.shown)

    @property
    def verdict(self) -> str:
        """The overall verdict of the first screen: « 0 mieux, 2 comparables, 5 moins bien » (« , 1 sans
        voyant » when some values have no reference to be compared with)."""
        words = []
        for code, n in self.counts.items():
            label = vocabulary.light(code)["label"]
            words.append(f"{n} {label}{'s' if n > 1 and code == 'comparable' else ''}")
        if self.unlit:
            words.append(f"{self.unlit} {vocabulary.light('sans_voyant')['label']}")
        return ", ".join(words)

    @property
    def summary(self) -> str:
        """« En bref » sentence: how many lights of each colour."""
        c = self.counts

        def part(code):
            lab = vocabulary.light(code)["label"]
            return f"{c[code]} {vocabulary.light(code)['symbol']} {lab}{'s' if code == 'comparable' and c[code] > 1 else ''}"

        unlit = (f", {self.unlit} {vocabulary.light('sans_voyant')['symbol']} {vocabulary.light('sans_voyant')['label']}"
                 if self.unlit else "")
        return vocabulary.phrase("baro_summary", mieux=part("mieux"), comparable=part("comparable"),
                                 moins_bien=part("moins_bien") + unlit, count=text.count_text(len(self.items)))

    @property
    def date_text(self) -> str:
        return text.date_text(self.date)

    @property
    def millesimes(self) -> str:
        return sources.millesimes_text([i.edition for i in self.items if i.edition is not None])


# --------------------------------------------------------------------------- sentences

def _value(b: dict, value, approx: bool) -> str:
    return text.value_text(value, "ok", b["unit"], b.get("decimals"), approx=approx)


def _ref(b: dict) -> str:
    return text.value_text(b["reference_value"], "ok", b["unit"], b.get("decimals"))


def _tolerance(b: dict, tol: float, gap_kind: str) -> str:
    return phrases.amount(tol, gap_kind, 1 if gap_kind == "points" else 0)


def _where(subj: phrases.Subject, direction: str) -> str:
    """« proche de », « plus élevé que », « plus basse que »… agreed with the subject."""
    if direction == "proche":
        return ("proches" if subj.plural else "proche") + " de"
    return "plus " + subj.agree("élevé" if direction == "au_dessus" else "bas") + " que"


def sentence(b: dict, approx: bool = False) -> str:
    """The plain sentence comparing the quartier with its reference (two numbers: the quartier's value and the
    reference's, each year named when they differ), or saying why there is none."""
    subj = phrases.subject(b["label"])
    if b["value"] is None:
        return vocabulary.phrase("baro_unavailable", Subject=subj.text, is_not=subj.verb("n'est"),
                                 available="disponibles" if subj.plural else "disponible",
                                 status=vocabulary.status_label(b["status"]))
    if not b.get("reference_level"):
        return vocabulary.phrase("baro_no_reference", levels=", ".join(_plain_level(lv) for lv in b.get("tried") or []))
    same = b["reference_edition"] == b["edition"]
    return vocabulary.phrase(
        "baro_same_year" if same else "baro_other_year", subject=subj.lower, Subject=subj.text,
        value=_value(b, b["value"], approx), where=_where(subj, b["direction"]),
        ref=f"{subj.pronoun} {vocabulary.level_of(b['reference_level'], b['reference_name'])}", ref_value=_ref(b),
        year=text.year_text(b["edition"]), ref_year=text.year_text(b["reference_edition"]),
        **{"is": subj.verb("est")})


def _plain_level(level: str) -> str:
    """« commune », « intercommunalité », « ensemble des quartiers prioritaires » (a list in a sentence)."""
    w = vocabulary.level_with(level)
    for article in ("la ", "le ", "les ", "l'"):
        if w.startswith(article):
            return w[len(article):]
    return w


def gap_sentence(b: dict) -> str | None:
    """The gap and the tolerance behind the light, for the details (never in the headline)."""
    if b.get("gap") is None:
        return None
    comparable = vocabulary.label("lights", "comparable")
    if b["gap_kind"] == "points":
        return vocabulary.phrase("baro_gap_points", gap=phrases.amount(b["gap"], "points"),
                                 tolerance=_tolerance(b, b["tolerance"], "points"), comparable=comparable)
    return vocabulary.phrase("baro_gap_ratio", gap=phrases.amount(b["gap"] - 1, "ratio", 0),
                             tolerance=_tolerance(b, b["tolerance"], "ratio"), comparable=comparable)


def trend_sentence(b: dict, approx: bool = False) -> str:
    """The change between two comparable millésimes, each value with its millésime (« ≈ » kept), or why there
    is none."""
    ev = b.get("evolution") or {}
    reason = ev.get("reason")
    if reason == "no_latest":
        return vocabulary.phrase("baro_trend_no_latest", status=vocabulary.status_label(ev.get("status")))
    if reason == "no_earlier" or not ev:
        return vocabulary.phrase("baro_trend_no_earlier")
    if reason == "not_measurable":
        return vocabulary.phrase("baro_trend_not_measurable", from_year=text.year_text(ev["from_edition"]),
                                 to_year=text.year_text(ev["to_edition"]),
                                 status=vocabulary.status_label(ev.get("status")))
    subj = phrases.subject(b["label"])
    values = dict(from_year=text.year_text(ev["from_edition"]), to_year=text.year_text(ev["to_edition"]),
                  subject=subj.lower, from_value=_value(b, ev["value_from"], approx),
                  to_value=_value(b, ev["value_to"], approx))
    if ev["trend"] == "stable":
        return vocabulary.phrase("baro_trend_stable", **values, stayed=subj.agree("resté"), stable="stable",
                                 **{"is": subj.verb("est")})
    moved = "augmenté" if ev["value_to"] > ev["value_from"] else "baissé"
    return vocabulary.phrase("baro_trend_moved", **values, has=subj.verb("a"), moved=moved)


def trend_detail(b: dict) -> str | None:
    """The change and the tolerance behind the evolution light (details, not headline)."""
    ev = b.get("evolution") or {}
    if ev.get("reason") or not ev:
        return None
    a, z = ev["value_from"], ev["value_to"]
    stable = vocabulary.label("changes", "stable")
    if b["gap_kind"] == "points":
        return vocabulary.phrase("baro_trend_points", change=phrases.amount(z - a, "points"),
                                 tolerance=phrases.amount(ev["tolerance"], "points"), stable=stable)
    rel = (z / a - 1) if a else 0.0
    return vocabulary.phrase("baro_trend_ratio", change=phrases.amount(rel, "ratio"),
                             tolerance=phrases.amount(ev["tolerance"], "ratio", 0), stable=stable)


def note_text(n: dict, b: dict) -> str:
    """One reference note of indicators.barometre (why a level could not be used, several territories)."""
    reason = n.get("reason")
    if reason == "unusable":
        return vocabulary.phrase("baro_note_unusable", levels=" ni ".join(vocabulary.level_with(lv)
                                                                         for lv in n["levels"]))
    if reason == "several":
        return vocabulary.phrase("baro_note_several", names=", ".join(f"{x['name']} ({x['code']})"
                                                                     for x in n["territories"]))
    level = vocabulary.level_with(n["level"])
    years = vocabulary.phrase("baro_note_years", ref_year=text.year_text(n.get("ref_year")), level=level,
                              year=text.year_text(n.get("year")))
    if reason == "status":
        return vocabulary.phrase("baro_note_status", level=level, status=vocabulary.status_label(n.get("status")),
                                 ref_year=text.year_text(n.get("ref_year")))
    if reason == "amount":
        return vocabulary.phrase("baro_note_amount", years=years)
    if reason == "too_far":
        return vocabulary.phrase("baro_note_too_far", level=level, ref_year=text.year_text(n.get("ref_year")),
                                 year=text.year_text(n.get("year")),
                                 max_years=text.count_text(vocabulary.rule("reference_year", "max_years_apart")))
    return vocabulary.phrase("baro_note_margin", years=years, gap=phrases.amount(n.get("gap") or 0.0, "points"),
                             multiple=phrases.times_text(vocabulary.rule("light_other_year", "tolerance_multiple")))


def line_of(b: dict, value_txt: str) -> str:
    """The short line from a barometre entry: label, value, where it stands, trend since when."""
    out = position_of(b, value_txt)
    ev = b.get("evolution") or {}
    if ev.get("change"):
        out += vocabulary.phrase("baro_line_trend", change=vocabulary.label("changes", ev["change"]),
                                 from_year=text.year_text(ev["from_edition"]))
    return out


def position_of(b: dict, value_txt: str) -> str:
    """Label, value and where it stands against its reference (the line without its trend)."""
    out = f"{b['short_label']} : {value_txt}"
    if b.get("direction") and b.get("reference_level"):
        r = _ref(b)
        if b["reference_edition"] != b["edition"]:
            r += f" en {text.year_text(b['reference_edition'])}"
        out += vocabulary.phrase("baro_line_reference", where=vocabulary.label("directions", b["direction"]),
                                 ref=vocabulary.level_brief(b["reference_level"]), ref_value=r)
    return out


def item_of(b: dict, approx: bool = False) -> Item:
    """One line of the baromètre; `approx` marks values borrowed from a 2015 predecessor (« ≈ »)."""
    shown = b["status"] in vocabulary.shown_statuses() and b["value"] is not None
    vt = text.value_text(b["value"], b["status"], b["unit"], b.get("decimals"), approx=approx)
    ev = b.get("evolution") or {}
    details = [d for d in (gap_sentence(b), trend_detail(b)) if d]
    notes = [note_text(n, b) for n in b.get("notes") or []]
    if notes and b.get("light"):
        details.append(vocabulary.phrase("baro_detail_reference", level=vocabulary.level_with(b["reference_level"]),
                                         note=" ; ".join(notes)))
    elif notes:
        joined = " ; ".join(notes)
        details.append(text.capital(joined) + ".")
    ref_text = ""
    if b.get("reference_level"):
        ref_text = str(text.value_cell(b["reference_value"], "ok", b["unit"], b.get("decimals"),
                                       year=b["reference_edition"], row_year=b["edition"]))
    return Item(indicator_id=b["indicator_id"], label=b["label"], short_label=b["short_label"], value=b["value"],
                status=b["status"], value_text=vt,
                value_short=text.value_text(b["value"], b["status"], b["unit"], b.get("decimals"), short=True,
                                            approx=approx), edition=b["edition"], light=Light.of(b.get("light"), shown),
                trend=Light.of_trend(ev.get("light"), shown, ev.get("trend")), line=line_of(b, vt),
                sentence=sentence(b, approx), trend_sentence=trend_sentence(b, approx), details=details,
                reference_level=b.get("reference_level"), reference_value=b.get("reference_value"),
                reference_edition=b.get("reference_edition"), shown=shown, approx=approx, reference_text=ref_text,
                change=ev.get("change"), change_from=ev.get("from_edition"),
                position=position_of(b, vt))


def from_entries(con, t: dict, entries: list[dict], today: dt.date | None = None) -> View:
    """The view from the library's entries (indicators.barometre) of the quartier `t` (a territory dict): what
    the fiche view reuses, the entries being computed once for both."""
    communes = ", ".join(r["name"] for r in references.reference_territories(con, t)
                         if r["level"] == "commune" and r["code"] and r["name"])
    sq = shown_quartier(con, t)
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
        empty = vocabulary.phrase("baro_empty_2024" if t.get("generation") == "2024" else "baro_empty")
    return View(code=t["code"], name=t["name"], communes=communes, generation=t.get("generation"),
                date=today or dt.date.today(), items=items, source_line=line, approximation=approx,
                empty_message=empty)


def view(con, code, today: dt.date | None = None) -> View:
    """The baromètre of one quartier (2015 or 2024 code, or its resolved territory dict) as the page, the PDF,
    the deck and the report show it. The territory is resolved once."""
    t = references.territory(con, code)
    return from_entries(con, t, barometre_lib.barometre(con, t), today)


def light_rule() -> str:
    """« Voyant : comparaison à la commune, à défaut à l'intercommunalité ou à l'ensemble des quartiers
    prioritaires, avec la tolérance du catalogue. » (under the tables that show a light)."""
    return vocabulary.phrase("baro_light_rule", levels=phrases.levels_with(barometre_lib.reference_levels()))


def reading_note() -> str:
    """How the lights are computed, for the details and the speaker notes."""
    return vocabulary.phrase("baro_reading", levels=phrases.levels_with(barometre_lib.reference_levels()))
