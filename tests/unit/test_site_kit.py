"""Warehouse-free pieces of the static public site (issue 22): public addresses and QR codes, the stylesheet's
colours and contrasts, the inline SVG (escaped, scriptless) and the publication choice's default."""
from __future__ import annotations

import re

import pytest

from exports.site import style, svg
from observatoire import vocabulary
from presentation import share


def test_public_address_of_a_quartier_and_a_contract(monkeypatch):
    monkeypatch.delenv("OBSERVATOIRE_SITE_URL", raising=False)
    assert share.quartier_url("QN03107M") is None                # no published site: nothing to share
    monkeypatch.setenv("OBSERVATOIRE_SITE_URL", "https://www.agglo.fr/observatoire")
    assert share.quartier_url("qn03107m") == "https://www.agglo.fr/observatoire/quartiers/QN03107M.html"
    assert share.contract_url("CN03103I") == "https://www.agglo.fr/observatoire/contrats/CN03103I.html"
    assert share.quartier_url("QP031007", "https://x.fr/site/") == "https://x.fr/site/quartiers/QP031007.html"


def test_qr_codes_are_inline_svg_and_png():
    url = "https://www.agglo.fr/observatoire/quartiers/QN03107M.html"
    s = share.qr_svg(url, title="QR code <de la page>")
    assert s.startswith("<svg") and "<script" not in s and "&lt;de la page&gt;" in s
    assert share.qr_png(url)[:8] == b"\x89PNG\r\n\x1a\n"


def test_badges_and_text_pass_wcag_aa_contrast():
    white = vocabulary.palette("white")
    for code in style.LIGHTS:
        colour = vocabulary.light(code)["color"]
        assert style.contrast(colour, style.on(colour)) >= 4.5, code
    for name in ("text", "grey", "navy", "demo"):
        assert style.contrast(vocabulary.palette(name), white) >= 4.5, name
    assert round(style.contrast(vocabulary.palette("black"), white), 1) == 21.0
    # the comparable light's amber is too light for white text: the badge writes it in black
    assert style.on(vocabulary.light("comparable")["color"]) == vocabulary.palette("black")


def test_stylesheet_reads_its_colours_from_the_vocabulary():
    css = style.stylesheet()
    rules = style.RULES.read_text(encoding="utf-8")
    assert re.search(r"#[0-9a-fA-F]{3,6}\b", rules) is None        # hand-written rules: variables only
    assert f"--light-moins_bien: {vocabulary.light('moins_bien')['color']};" in css
    assert f"--level-epci: {vocabulary.color('levels', 'epci')};" in css
    used = set(re.findall(r"var\(--([a-z_-]+)\)", rules))
    declared = set(re.findall(r"--([a-z_-]+):", css))
    assert used <= declared, used - declared


def test_svg_chart_escapes_names_and_draws_every_series():
    ev = {"editions": [2017, 2019], "edition_labels": ["2017", "2019"],
          "series": [{"level": "qpv", "name": "Q", "points": [(2017, 48.8), (2019, 49.2)],
                      "runs": [[(2017, 48.8), (2019, 49.2)]], "labels": {2017: "≈ 48,8 %", 2019: "≈ 49,2 %"}},
                     {"level": "ensemble_qpv", "name": "E", "points": [(2017, 43.0), (2019, 43.6)],
                      "runs": [[(2017, 43.0), (2019, 43.6)]], "labels": {}}]}
    out = str(svg.line_chart(ev, 'Taux <b>"x"</b>'))
    assert out.count("<polyline") == 2 and "≈ 49,2 %" in out and "≈ 48,8 %" in out
    assert "&lt;b&gt;&#34;x&#34;&lt;/b&gt;" in out and "<b>" not in out


def test_a_contract_publishes_nothing_by_default(tmp_path):
    from contract import publication, store
    from contract.roles import User, cli_user

    path = tmp_path / "saisie.duckdb"
    with store.connect(path) as sc:
        assert publication.choice(sc, "CN03103I") == publication.Choice("CN03103I")
        assert publication.publishing(sc) == {}
    c = publication.set_choice("CN03103I", cli_user(), path, engagements=True)
    assert (c.engagements, c.verbatims) == (True, False)
    partner = User(login="p", role="partenaire", signataire="CAF", authenticated=True, contrats=("CN03103I",))
    with pytest.raises(store.PermissionDenied):
        publication.set_choice("CN03103I", partner, path, verbatims=True)
    with store.connect(path) as sc:
        assert list(publication.publishing(sc)) == ["CN03103I"]
        assert publication.choice(sc, "CN03103I").verbatims is False
