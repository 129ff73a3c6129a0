"""Baromètre (AppTest, real warehouse): the élu's first screen — one light (colour + symbol + word) and one
short line per key indicator —, the details below, the A4 print rules, the source line; and 2024 quartiers
(2015 predecessor values, said so)."""
from __future__ import annotations

import re

from pages_apptest import run_page, texts


def _rows(at) -> list[str]:
    html = next(m.value for m in at.markdown if 'class="obs-baro"' in m.value)
    return html.split('<div class="obs-row">')[1:]


def test_barometre_lights_and_lines(warehouse):
    at = run_page("barometre", quartier="QP001001")
    rows = _rows(at)
    assert len(rows) == 8                       # the 8 indicators flagged barometre: true in the catalogue
    for r in rows:
        assert r.count('class="obs-chip"') == 1
    pov = next(r for r in rows if "Taux de pauvreté</b>" in r)
    # data_filo19 DISP_TP60_A19 = 41,9 (2019) vs Bourg-en-Bresse TP6021 = 24,0 (2021, cc_filosofi_2021_COM.csv):
    # 17,9 points, beyond twice the 2-point tolerance -> compared with the commune across the two years
    # (gaps.barometre_reference), 'moins bien'; 2017 -> 2019: 38,9 -> 41,9 (+3,0 pt) -> 'en dégradation'.
    assert "41,9 % — au-dessus de la commune (24,0 % en 2021)" in pov
    chips = re.findall(r'class="obs-(?:chip|trend)" style="background:[^"]+" title="([^"]+)"', pov)
    assert chips == ["moins bien", "en dégradation"]   # vs reference; trend worded as a trend
    # the trend is said once, in its pill (issue 20: no « stable depuis 2019 » followed by a « stable » pill)
    assert "▼ en dégradation depuis 2017</span>" in pov and "en hausse" not in pov
    for r in rows:
        line = re.sub(r"<[^>]+>", " ", r)
        assert line.count("depuis") <= 1, line
        words = [w for w in ("stable", "amélioration", "dégradation", "hausse", "baisse") if w in line]
        assert all(line.count(w) == 1 for w in words), line
    # the overall verdict on the first screen: the lights of the rows counted. One year rule for every
    # reference (issue 18): the six SIG Ville 2022 indicators (RSA, employment…) have no Ensemble des QPV value
    # after 2019, 3 years away, and « bas revenus » no reference at all: they stay without a light, said so.
    lights = [re.search(r'class="obs-chip" style="background:[^"]+" title="([^"]+)"', r).group(1) for r in rows]
    assert (lights.count("mieux"), lights.count("comparable"), lights.count("moins bien")) == (0, 0, 2)
    assert lights.count("sans voyant") == 6
    verdict = next(m.value for m in at.markdown if 'class="obs-verdict"' in m.value)
    assert "<b>0 mieux, 0 comparable, 2 moins bien, 6 sans voyant</b>" in verdict and "sur 8 indicateurs clés" in verdict
    assert "tolérance" not in pov               # tolerances live in the details
    shown = texts(at)
    assert "Source : " in shown and "géographie prioritaire 2015" in shown
    assert "écart de 17,9 points".lower() in shown.lower() and "38,9 % en 2017" in shown   # details


def test_barometre_print_rules(warehouse):
    at = run_page("barometre", quartier="QP001001")
    css = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "@page {size: A4 portrait" in css and "max-width: 640px" in css


def test_barometre_2024_quartier_uses_its_2015_predecessor(warehouse):
    at = run_page("barometre", quartier="QN03112M")   # Toulouse, Breguet Lecrivain - Saint Exupéry
    assert len(_rows(at)) == 8
    assert "celles du ou des quartiers 2015 correspondants, Saint Exupéry (QP031013)" in texts(at)
    assert all("≈" in r for r in _rows(at) if "non disponible" not in r and "secret" not in r)


def test_barometre_2024_quartier_without_predecessor(warehouse):
    at = run_page("barometre", quartier="QN00402M")   # Quartier Est, no 2015 link
    assert "pas encore d'indicateurs INSEE pour la géographie 2024" in texts(at)
