"""The public address of a page of the static site (`python -m exports site`), and its QR code: the app's
fiche and baromètre offer « Partager » with it, the baromètre PDF prints the QR code, the site links its
pages with the same relative paths. One place decides where a quartier's or a contract's page lives.
"""
from __future__ import annotations

import io
from urllib.parse import urljoin

import segno

from observatoire import settings, vocabulary

QUARTIER_PATH = "quartiers/{code}.html"
CONTRACT_PATH = "contrats/{code}.html"
INDEX_PATH = "index.html"
DEPARTEMENT_PATH = "departements/{code}.html"


def quartier_path(code: str) -> str:
    """Path of a quartier's page inside the site (also its downloads: same stem, .csv / .xlsx)."""
    return QUARTIER_PATH.format(code=str(code).strip().upper())


def contract_path(code: str) -> str:
    return CONTRACT_PATH.format(code=str(code).strip().upper())


def departement_path(code: str) -> str:
    """The national site's list of one département's contracts (the index lists the départements)."""
    return DEPARTEMENT_PATH.format(code=str(code).strip().upper())


def public_url(path: str, base: str | None = None) -> str | None:
    """The public address of a path of the site (`base`, default OBSERVATOIRE_SITE_URL); None unpublished."""
    base = base if base is not None else settings.site_url()
    return urljoin(base.rstrip("/") + "/", path) if base else None


def quartier_url(code: str, base: str | None = None) -> str | None:
    """« the public address of quartier X »: OBSERVATOIRE_SITE_URL + its page; None when no site is
    published (the app then offers no « Partager »)."""
    return public_url(quartier_path(code), base)


def contract_url(code: str, base: str | None = None) -> str | None:
    return public_url(contract_path(code), base)


def _qr(url: str):
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, title: str = "QR code", scale: int = 4) -> str:
    """An inline SVG QR code of `url` (house text colour on transparent), with a <title> for screen readers."""
    buf = io.BytesIO()
    _qr(url).save(buf, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, title=title,
                  dark=vocabulary.palette("black"), light=None)
    return buf.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    """A PNG QR code of `url` (black on white), for the baromètre PDF and office documents."""
    buf = io.BytesIO()
    _qr(url).save(buf, kind="png", scale=scale, border=2, dark=vocabulary.palette("black"),
                  light=vocabulary.palette("white"))
    return buf.getvalue()
