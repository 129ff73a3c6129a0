"""Login widget and the current role, kept in st.session_state (contract.roles does the checking).

Read-only is the default: with no users file, or before login, the session is the anonymous *lecture*
user. The role is enforced again by contract.store on every write: hiding a button is comfort, not security.
"""
from __future__ import annotations

import time

import streamlit as st

from contract import roles
from presentation import text

_KEY = "obs_user"
_FAILS = "obs_login_failures"


def current_user() -> roles.User:
    user = st.session_state.get(_KEY)
    return user if isinstance(user, roles.User) else roles.ANONYMOUS


def can_edit(contrat: str | None = None) -> bool:
    """Whether the session may edit something of `contrat` (édition, or partenaire for its commitments)."""
    user = current_user()
    return user.can_write and (contrat is None or user.covers(contrat))


def is_editor(contrat: str | None = None) -> bool:
    user = current_user()
    return user.role == "edition" and (contrat is None or user.covers(contrat))


def logout() -> None:
    st.session_state.pop(_KEY, None)


def login_box(container=None) -> roles.User:
    """Sidebar block: who is connected, a login form when accounts exist, a logout button."""
    container = container or st.sidebar
    user = current_user()
    box = container.container(border=True)
    if user.authenticated:
        box.markdown(f"**Connecté :** {text.md_text(user.label)}")
        if user.role == "partenaire":
            box.caption(f"Vous pouvez modifier les engagements de « {user.signataire} ».")
        if box.button("Se déconnecter", key="obs_logout", icon=":material/logout:"):
            logout()
            st.rerun()
        return user
    try:
        configured = roles.login_configured()
    except ValueError as exc:
        box.error(f"Fichier des utilisateurs invalide : {exc}")
        configured = False
    if not configured:
        box.caption("Consultation en **lecture seule** : aucun compte n'est configuré "
                    "(`python -m contract.roles ajouter …`, voir docs/CONTRAT.md).")
        return user
    box.caption("Consultation en **lecture seule**. Connectez-vous pour modifier.")
    with box.form("obs_login", clear_on_submit=True, border=False):
        login = st.text_input("Identifiant", key="obs_login_id")
        password = st.text_input("Mot de passe", type="password", key="obs_login_pw")
        ok = st.form_submit_button("Se connecter", icon=":material/login:")
    if ok:
        fails = st.session_state.get(_FAILS, 0)
        if fails >= 3:
            time.sleep(min(2 ** (fails - 2), 8))      # slow down repeated guesses in this session
        found = roles.authenticate(login, password)
        if found is None:
            st.session_state[_FAILS] = fails + 1
            box.error("Identifiant ou mot de passe incorrect.")
        else:
            st.session_state[_FAILS] = 0
            st.session_state[_KEY] = found
            st.rerun()
    return user
