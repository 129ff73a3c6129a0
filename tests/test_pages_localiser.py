"""Page « Localiser » (issue 15) through app.py's navigation: typed coordinates answered on screen, the map
with the 2024 contours and one trace per answer, the caveats, and French text only."""
from __future__ import annotations

import shapely

from tests.pages_apptest import all_tables, figures, run_page, texts


def test_typed_coordinates_are_answered_on_the_page(warehouse, con):
    g = con.execute("SELECT geom FROM territory_geom WHERE code = 'QN01301M' AND kind = 'contour'").fetchone()[0]
    inside = shapely.get_point(shapely.maximum_inscribed_circle(shapely.make_valid(shapely.from_wkb(bytes(g)))), 0)
    at = run_page("localiser")
    txt = texts(at)
    assert "ne vaut pas attestation" in txt and "Rien n'est conservé" in txt
    typed = f"{inside.y:.6f} ; {inside.x:.6f}\n5,3698 ; 43,2965\nabc ; 5\n43,2095 ; 5,4460"
    at.text_area(key="loc_typed").input(typed).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # one point inside QN01301M, the Calanques point outside every Marseille quartier, two bad rows
    assert metrics == {"En QPV : oui": "1", "En QPV : non": "1", "En QPV : non géolocalisée": "2",
                       "En QPV : indéterminé": "0"}
    fig = figures(at)[0]
    names = [t.get("name", "") for t in fig["data"]]
    assert "quartier prioritaire 2024 (contour)" in names
    assert "en QPV : oui (1)" in names and "en QPV : non (1)" in names
    assert fig["layout"]["map"]["style"] == "white-bg"                # offline map
    result = next(t for t in all_tables(at) if "en_qpv" in t.columns)
    assert result["code_qpv"].tolist()[0] == "QN01301M"
    assert result.loc[2, "statut"] == "coordonnées non numériques" and result.loc[2, "code_qpv"] == "—"
    shown = " ".join(str(v) for v in result.to_numpy().ravel()) + txt
    assert "None" not in shown and "nan" not in shown
