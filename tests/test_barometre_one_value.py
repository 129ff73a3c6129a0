"""Issue 11, « one value per sentence »: for every key indicator of 20 quartiers (2015 and 2024 codes), every
number of the baromètre line and sentence is the headline value or a named reference value, and every
number of the evolution sentence is the quartier's value at a millésime the sentence names. The numbers are
read back from the warehouse cells (indicator_value), independently of the baromètre's own fields."""
from __future__ import annotations

import re

import pytest

from indicators import catalog
from observatoire.frformat import fmt_number
from presentation import barometre as pb
from presentation.quartier import shown_quartier

QUARTIERS_2015 = ["QP001001", "QP006009", "QP013001", "QP031006", "QP031007", "QP034004", "QP035001",
                  "QP059001", "QP069001", "QP075001", "QP093001", "QP095002"]
QUARTIERS_2024 = ["QN03112M", "QN00612M", "QN00101M", "QN01301M", "QN06901M", "QN03401M", "QN05901M",
                  "QN97401I"]
_NUMBER = re.compile(r"\d[\d\u202f\u00a0 ]*(?:,\d+)?")


def numbers(text: str) -> list[str]:
    """French numbers of a text, years included (« 13 860 », « 41,9 », « 2019 »)."""
    return [re.sub(r"[\u202f\u00a0 ]", "", m).rstrip() for m in _NUMBER.findall(text)]


def without_label(text: str, label: str) -> str:
    """The sentence without the indicator's name (« 25 ans ou moins », « 15-64 ans » are not values)."""
    name = re.sub(r"\s*\([^)]*\)\s*$", "", label).split(" : ")[0]
    return re.sub(re.escape(name[1:]), "", text, flags=re.I)


def cell(con, code, indicator_id, edition):
    row = con.execute("SELECT value FROM indicator_value WHERE territory_code = ? AND indicator_id = ? AND "
                      "edition = ?", [code, indicator_id, edition]).fetchone()
    return row[0] if row else None


def as_text(value, decimals) -> str:
    return fmt_number(value, decimals).replace("\u202f", "").replace("\u00a0", "").replace(" ", "")


@pytest.mark.parametrize("code", QUARTIERS_2015 + QUARTIERS_2024)
def test_every_number_is_the_headline_or_a_named_reference(con, code):
    v = pb.view(con, code)          # a code absent from the warehouse fails (UnknownTerritory): never skipped
    sq = shown_quartier(con, code)
    # a 2024 quartier's values are its single 2015 predecessor's cells (indicators.predecessors)
    shown = sq["proxy"]["code"] if sq["proxy"] and not sq["proxy"]["others"] else sq["code"]
    checked = 0
    for it in v.items:
        if not it.shown:
            continue
        checked += 1
        dec = int(catalog.indicator(con, it.indicator_id).get("decimals") or 0)
        headline = as_text(cell(con, shown, it.indicator_id, it.edition), dec)
        assert headline in numbers(it.value_text), (code, it.indicator_id)
        allowed = {headline, str(it.edition)}
        if it.reference_level:
            allowed |= {as_text(it.reference_value, dec), str(it.reference_edition)}
        for txt in (it.line, it.sentence):
            body = without_label(txt.split(" : ", 1)[-1] if txt is it.line else txt, it.label)
            body = re.sub(r"(?<=depuis )\d{4}", "", body)   # « stable depuis 2017 »: the trend's first millésime
            extra = [n for n in numbers(body) if n not in allowed]
            assert not extra, f"{code} {it.indicator_id}: {extra} dans « {txt} » (autorisés : {allowed})"
        m = re.match(r"Entre (\d{4}) et (\d{4}),", it.trend_sentence)
        if m:
            years = [int(m[1]), int(m[2])]
            values = {as_text(cell(con, shown, it.indicator_id, y), dec) for y in years}
            body = without_label(it.trend_sentence, it.label)
            extra = [n for n in numbers(body) if n not in values | {str(y) for y in years}]
            assert not extra, f"{code} {it.indicator_id}: {extra} dans « {it.trend_sentence} »"
    assert checked >= 3, f"{code}: {checked} indicateur(s) du baromètre vérifié(s) seulement"
