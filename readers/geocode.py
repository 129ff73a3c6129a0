"""Optional online step: have an address file geocoded by a BAN CSV geocoding service.

Off by default (observatoire.settings.geocoder_url() is None): addresses stay on the machine unless a user
configures the service (`OBSERVATOIRE_GEOCODER_URL` or `--geocodeur URL`), e.g. the Base Adresse
Nationale's https://api-adresse.data.gouv.fr/search/csv/ or the Géoplateforme's
https://data.geopf.fr/geocodage/search/csv. The answer is the same file with the BAN columns added
(latitude, longitude, result_label, result_score, result_type, result_status…), which the lookup reads
as it reads a file geocoded by hand on adresse.data.gouv.fr/csv.
"""
from __future__ import annotations

from pathlib import Path

import requests

TIMEOUT_S = 120


class GeocoderUnavailable(Exception):
    """The service could not be reached or refused the file; the message is French and says what to do."""


def geocode_csv(path: str | Path, url: str, data: bytes | None = None, columns: list[str] | None = None,
                timeout: float = TIMEOUT_S) -> bytes:
    """POST the CSV to the service (multipart field `data`, one `columns` field per address column) and
    return the geocoded CSV bytes. Raises GeocoderUnavailable with a French message."""
    path = Path(path)
    body = path.read_bytes() if data is None else data
    fields = [("columns", c) for c in (columns or [])]
    advice = ("Géocodez le fichier vous-même sur https://adresse.data.gouv.fr/csv puis donnez le fichier "
              "obtenu tel quel, ou vérifiez l'adresse du service (--geocodeur / OBSERVATOIRE_GEOCODER_URL).")
    try:
        resp = requests.post(url, files={"data": (path.name, body, "text/csv")}, data=fields, timeout=timeout)
    except requests.RequestException as exc:
        raise GeocoderUnavailable(f"le service de géocodage {url} est injoignable "
                                  f"({exc.__class__.__name__}). {advice}") from None
    if resp.status_code != 200:
        raise GeocoderUnavailable(f"le service de géocodage {url} a refusé le fichier (code HTTP "
                                  f"{resp.status_code}). {advice}")
    return resp.content
