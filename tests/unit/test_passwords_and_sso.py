"""Warehouse-free checks of the account rules: the password rule (contract.roles.check_password_rule), the
hashes, the session-cookie route helpers (ui.server) and the verification of a single sign-on provider's
userinfo answer (ui.sso: ProConnect signs it as a JWT)."""
from __future__ import annotations

import json
import re

import pytest

from contract import roles


@pytest.mark.parametrize("password, login, names, message", [
    ("court-11ch!", "x", (), "trop court (12 caractères au moins)"),
    ("toulouse2026", "claire", ("Toulouse Métropole",), "trop proche de « Toulouse Métropole »"),
    ("Métropole-Toulouse!", "claire", ("Toulouse Métropole",), "trop proche de « Toulouse Métropole »"),
    ("marie.dupont-2026", "marie.dupont", (), "trop proche de « marie.dupont »"),
    ("Observatoire-2026!", "x", (), "trop proche de « observatoire »"),
    ("motdepasse2026!", "x", (), "trop courant"),
    ("Azertyuiop-1234", "x", (), "trop courant"),
    ("password123456", "x", (), "trop courant"),
    ("1234567890123", "x", (), "uniquement de chiffres"),
    ("aaaabbbbaaaabbbb", "x", (), "trop répétitif"),
])
def test_weak_passwords_are_refused_in_french(password, login, names, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        roles.check_password_rule(password, login=login, names=names)


@pytest.mark.parametrize("password, login, names", [
    ("Le chat mange 3 souris", "marie", ()),
    ("claire-secret-26", "claire", ("Toulouse Métropole",)),       # « secret26 » of its own beside the login
    ("Toulouse, ville rose et brique", "claire", ("Toulouse Métropole",)),
])
def test_passphrases_are_accepted(password, login, names):
    roles.check_password_rule(password, password, login=login, names=names)


def test_the_confirmation_must_match():
    with pytest.raises(ValueError, match="diffèrent"):
        roles.check_password_rule("Le chat mange 3 souris", "Le chat mange 3 souri", login="x")


def test_the_common_list_is_data_lowercase_and_french_words_are_in_it():
    common = roles.common_passwords()
    assert len(common) > 10_000
    assert {"azerty", "motdepasse", "soleil", "bonjour", "123456", "password"} <= common
    assert all(w == roles.fold(w) for w in common)


def test_hashes_and_their_upgrade():
    h = roles.hash_password("Le chat mange 3 souris")
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert roles.verify_password("Le chat mange 3 souris", h) and not roles.needs_rehash(h)
    assert not roles.verify_password("Le chat mange 3 souris", "") and not roles.verify_password("x", "garbage")
    assert roles.needs_rehash("scrypt$16384$8$1$c2FsdA==$ZGlnZXN0")


def test_the_cookie_routes_only_send_back_to_this_site():
    from ui import server
    assert server.safe_next("/engagements?contrat=CN03103I") == "/engagements?contrat=CN03103I"
    for evil in ("https://ailleurs.example/", "//ailleurs.example/x", "/\\ailleurs.example", "javascript:alert(1)",
                 None, ""):
        assert server.safe_next(evil) == "/"
    url = server.open_url("CODE", "/fiche?quartier=QP084002")
    assert url == "/_session/ouvrir?code=CODE&suite=%2Ffiche%3Fquartier%3DQP084002"


def _rsa_jwt(claims: dict):
    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
    return token.encode(), KeySet([key]).as_dict(private=False)


def test_a_signed_userinfo_answer_is_verified_before_its_email_is_used():
    from ui import sso
    body, jwks = _rsa_jwt({"sub": "agent-42", "email": "agent@exemple.gouv.fr"})
    claims = sso.verify_userinfo(body, "application/jwt", jwks, None, "agent-42")
    assert claims["email"] == "agent@exemple.gouv.fr"
    with pytest.raises(sso.SSOError, match="autre personne"):
        sso.verify_userinfo(body, "application/jwt", jwks, None, "quelqu-un-d-autre")
    _, other_keys = _rsa_jwt({"sub": "x"})
    with pytest.raises(sso.SSOError, match="non vérifiable"):
        sso.verify_userinfo(body, "application/jwt", other_keys, None, "agent-42")     # signed by someone else
    tampered = body.decode().split(".")
    tampered[1] = tampered[1][:-4] + "AAAA"
    with pytest.raises(sso.SSOError, match="non vérifiable"):
        sso.verify_userinfo(".".join(tampered).encode(), "application/jwt", jwks, None, "agent-42")
    plain = json.dumps({"sub": "agent-42", "email": "agent@exemple.gouv.fr"}).encode()
    assert sso.verify_userinfo(plain, "application/json", None, None, "agent-42")["email"] == "agent@exemple.gouv.fr"
