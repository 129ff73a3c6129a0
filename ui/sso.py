"""Single sign-on through Streamlit's `st.login` (OpenID Connect with Authlib), configured in
.streamlit/secrets.toml (`[auth]`, `[auth.proconnect]`; see docs/DEPLOIEMENT.md and
.streamlit/secrets.example.toml).

st.login runs the provider's authorization code flow and keeps the identity's claims in its own signed
HttpOnly cookie (`st.user`). The observatory turns a fresh identity into one of its sessions (ui/auth.py,
contract.accounts.sso_sign_in): the account registered for the identity's e-mail, with its role and contracts.

ProConnect gives the e-mail at its userinfo endpoint only, as a signed JWT (not in the ID token that st.user
shows): with `expose_tokens = "access"` in `[auth]`, the access token (valid 60 s at ProConnect) is used once,
right after the sign-in, to read it; the JWT's signature is checked against the provider's published keys
(or the client secret for HS256) and its subject must be the ID token's.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime
from functools import lru_cache

import streamlit as st

LABELS = {"proconnect": "ProConnect", "default": "l'authentification unique"}
TIMEOUT = 10


class SSOError(RuntimeError):
    """The provider's answer could not be used (French message)."""


def _auth_section() -> dict:
    try:
        return st.secrets.get("auth", {}).to_dict() if "auth" in st.secrets else {}
    except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: no single sign-on
        return {}


def providers() -> dict[str, str]:
    """{provider name for st.login: label} of the providers configured in .streamlit/secrets.toml."""
    auth = _auth_section()
    found = {name: LABELS.get(name, name.capitalize()) for name, v in auth.items()
             if isinstance(v, dict) and ("client_id" in v or "server_metadata_url" in v)}
    if not found and auth.get("client_id"):
        found["default"] = LABELS["default"]
    return found


def _provider_config(provider: str) -> dict:
    auth = _auth_section()
    return auth.get(provider) if provider in auth else auth


def identity() -> dict | None:
    """The claims of the st.login identity of this tab (None when nobody signed in through a provider)."""
    if not providers():
        return None
    try:
        info = st.user.to_dict()
    except Exception:  # noqa: BLE001
        return None
    return dict(info) if info.get("is_logged_in") else None


def proof(claims: dict) -> str:
    """What makes one sign-in at the provider unique: issuer, subject, time of issue, nonce."""
    return "|".join(str(claims.get(k, "")) for k in ("provider", "iss", "sub", "iat", "nonce"))


def issued_at(claims: dict) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(claims["iat"]))
    except (KeyError, TypeError, ValueError):
        return None


@lru_cache(maxsize=8)
def _metadata(url: str) -> dict:
    import httpx
    return httpx.get(url, timeout=TIMEOUT).raise_for_status().json()


@lru_cache(maxsize=8)
def _jwks(url: str) -> dict:
    import httpx
    return httpx.get(url, timeout=TIMEOUT).raise_for_status().json()


def verify_userinfo(body: bytes, content_type: str, jwks: dict | None, client_secret: str | None,
                    subject: str) -> dict:
    """The claims of a userinfo answer: JSON, or a JWT whose signature is checked (RS256/ES256 against the
    provider's keys, HS256 against the client secret). Its subject must be the signed-in identity's."""
    if "jwt" in (content_type or ""):
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet, OctKey
        text = body.decode("ascii").strip()
        try:
            header = json.loads(base64.urlsafe_b64decode(text.split(".")[0] + "==="))
            key = OctKey.import_key(client_secret or "") if header.get("alg") == "HS256" else KeySet.import_key_set(jwks or {})
            claims = jwt.decode(text, key, algorithms=["RS256", "ES256", "HS256"]).claims
        except (JoseError, ValueError, IndexError) as exc:
            raise SSOError(f"réponse du fournisseur d'identité non vérifiable ({exc.__class__.__name__})") from exc
    else:
        try:
            claims = json.loads(body)
        except ValueError as exc:
            raise SSOError("réponse du fournisseur d'identité illisible") from exc
    if str(claims.get("sub")) != str(subject):
        raise SSOError("la réponse du fournisseur d'identité concerne une autre personne")
    return claims


def email(claims: dict) -> str | None:
    """The identity's e-mail: in the ID token's claims, else at the provider's userinfo endpoint (ProConnect)."""
    if claims.get("email"):
        return str(claims["email"])
    try:
        access = st.user.tokens.get("access")
    except Exception:  # noqa: BLE001
        access = None
    provider = claims.get("provider") or "default"
    cfg = _provider_config(provider)
    if not access or not cfg.get("server_metadata_url"):
        return None
    import httpx
    try:
        meta = _metadata(cfg["server_metadata_url"])
        answer = httpx.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {access}"}, timeout=TIMEOUT)
        answer.raise_for_status()
        jwks = _jwks(meta["jwks_uri"]) if "jwt" in answer.headers.get("content-type", "") else None
        info = verify_userinfo(answer.content, answer.headers.get("content-type", ""), jwks,
                               cfg.get("client_secret"), claims.get("sub"))
    except (httpx.HTTPError, KeyError) as exc:
        raise SSOError(f"fournisseur d'identité injoignable ou réponse incomplète ({exc.__class__.__name__})") from exc
    return info.get("email")
