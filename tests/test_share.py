"""Issue 22, item 5 — a way to reach the public site: with OBSERVATOIRE_SITE_URL set, the fiche and baromètre
pages offer « Partager » with the quartier's public address (a field to copy and its QR code), and the
baromètre part of the fiche PDF carries the QR code of that address; without it, nothing is offered.

The QR code printed in the PDF is read back module by module and compared with the code of the address
(segno), so the test fails if the PDF carried another address or an unreadable image.
"""
from __future__ import annotations

import parity_read as R
import pytest
from pages_apptest import run_page
from pypdf import PdfReader

SITE = "https://observatoire.toulouse-metropole.example/"
URL = SITE + "quartiers/QN03107M.html"


def _shared(at) -> tuple[list[str], list[str], int]:
    """(expander labels, code blocks, images) of a page run."""
    return [e.label for e in at.expander], [c.value for c in at.code], len(at.image)


@pytest.mark.parametrize("page", ["fiche", "barometre"])
def test_the_page_offers_the_public_address_of_the_quartier(warehouse, monkeypatch, page):
    monkeypatch.setenv("OBSERVATOIRE_SITE_URL", SITE.rstrip("/"))     # with or without the final « / »
    labels, codes, images = _shared(run_page(page, quartier="QN03107M"))
    assert "Partager" in labels
    assert codes == [URL]
    assert images == 1                                                   # the QR code


@pytest.mark.parametrize("page", ["fiche", "barometre"])
def test_nothing_to_share_without_a_public_site(warehouse, monkeypatch, page):
    monkeypatch.delenv("OBSERVATOIRE_SITE_URL", raising=False)
    labels, codes, images = _shared(run_page(page, quartier="QN03107M"))
    assert "Partager" not in labels and codes == [] and images == 0


def _pdf(con, path, monkeypatch, site: str | None):
    from exports import fiche_pdf

    if site:
        monkeypatch.setenv("OBSERVATOIRE_SITE_URL", site)
    else:
        monkeypatch.delenv("OBSERVATOIRE_SITE_URL", raising=False)
    with R.no_chrome():
        return PdfReader(str(fiche_pdf.build(con, "QN03107M", path)))


def _modules(image, size: int) -> list[list[bool]]:
    """The dark modules of a QR image printed by presentation.share.qr_png (border of 2 modules)."""
    img = image.convert("L")
    step = img.size[0] / (size + 4)
    return [[img.getpixel((int((c + 2.5) * step), int((r + 2.5) * step))) < 128 for c in range(size)]
            for r in range(size)]


def test_the_fiche_pdf_carries_the_qr_code_of_the_quartier_page(con, tmp_path, monkeypatch):
    import segno

    without = _pdf(con, tmp_path / "sans.pdf", monkeypatch, None)
    shared = _pdf(con, tmp_path / "avec.pdf", monkeypatch, SITE)
    assert len(without.pages) == len(shared.pages) == 2
    assert len(shared.pages[1].images) == len(without.pages[1].images) + 1
    text = R.flat(shared.pages[1].extract_text()).replace(" ", "")
    assert "Baromètreenligne:" + URL in text                            # the address, under the QR code
    assert "enligne" not in R.flat(without.pages[1].extract_text()).replace(" ", "")
    expected = [[bool(x) for x in row] for row in segno.make(URL, error="m", micro=False).matrix]
    qr = [im for im in shared.pages[1].images if im.image.size[0] == im.image.size[1]
          and im.image.size[0] % (len(expected) + 4) == 0 and im.image.mode == "1"]
    assert len(qr) == 1
    assert _modules(qr[0].image, len(expected)) == expected
