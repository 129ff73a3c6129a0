"""Baromètre (AppTest, real warehouse): one row per key indicator with two lights and plain sentences,
the A4 print rules, the source line; and a 2024 quartier without INSEE indicators."""
from __future__ import annotations

import re

from pages_apptest import run_page, texts


def _rows(at) -> list[str]:
    html = next(m.value for m in at.markdown if 'class="obs-baro"' in m.value)
    return html.split('<div class="obs-row">')[1:]


def test_barometre_lights_and_sentences(warehouse):
    at = run_page("barometre", quartier="QP001001")
    rows = _rows(at)
    assert len(rows) == 8                       # the 8 indicators flagged barometre: true in the catalogue
    for r in rows:
        assert r.count('class="obs-light"') == 2
    pov = next(r for r in rows if "Taux de pauvreté au seuil de 60 %" in r)
    # data_filo19 DISP_TP60_A19 = 41,9 (2019) vs Bourg-en-Bresse TP6021 = 24,0 (2021, cc_filosofi_2021_COM.csv):
    # 17,9 points, beyond twice the 2-point tolerance -> compared across years, 'moins bien';
    # 2017 -> 2019: 38,9 -> 41,9 (+3,0 pt) -> 'moins bien'.
    assert "41,9 %" in pov
    lights = re.findall(r'class="obs-light" style="background:[^"]+" title="([^"]+)"', pov)
    assert lights == ["moins bien", "moins bien"]
    assert "24,0 % en 2021 ; quartier : 2019" in pov and "38,9 %" in pov
    assert "(Référence :" not in pov            # the reference note goes to the small print
    shown = texts(at)
    assert "Source : " in shown and "géographie prioritaire 2015" in shown


def test_barometre_print_rules(warehouse):
    at = run_page("barometre", quartier="QP001001")
    css = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "@page {size: A4 portrait" in css and "max-width: 640px" in css


def test_barometre_2024_quartier(warehouse):
    """QN00101M <- QP001001: the key indicators are its predecessor's, marked « ≈ »."""
    at = run_page("barometre", quartier="QN00101M")
    pov = next(r for r in _rows(at) if "Taux de pauvreté au seuil de 60 %" in r)
    assert '<span class="obs-value">≈ 41,9 %</span>' in pov
