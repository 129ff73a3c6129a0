"""Login widget and the current user, kept in st.session_state (contract.accounts does the checking).

Read-only is the default: with no account, or before login, the session is the anonymous *lecture* user.
A login opens a session stored in the saisie database (contract.accounts): its token stays in this browser
session, and is checked again every minute, so that a disabled account or an expired session stops at once
on every replica. The role is enforced again by contract.store on every write: hiding a button is comfort,
not security.
"""
from __future__ import annotations

import time

import streamlit as st

from contract import accounts, roles, store
from presentation import text

_KEY = "obs_user"
_TOKEN = "obs_session_token"
_CHECKED = "obs_session_checked"
RECHECK_SECONDS = 60


@st.cache_resource(show_spinner=False)
def _bootstrap(target: str) -> str | None:
    """Once per process: the first administrateur from OBSERVATOIRE_ADMIN_LOGIN/_PASSWORD on a fresh install."""
    return accounts.bootstrap_admin_from_env()


def current_user() -> roles.User:
    user = st.session_state.get(_KEY)
    if not isinstance(user, roles.User):
        return roles.ANONYMOUS
    token = st.session_state.get(_TOKEN)
    # (a User without token was put there by server code, e.g. tests: session_state never comes from the browser)
    if token and time.monotonic() - st.session_state.get(_CHECKED, 0) > RECHECK_SECONDS:
        try:
            fresh = accounts.check_session(token)
        except store.StoreBusy:
            return user                       # keep the session through a busy moment
        if fresh is None:
            logout(end=False)
            return roles.ANONYMOUS
        st.session_state[_KEY], st.session_state[_CHECKED] = fresh, time.monotonic()
        user = fresh
    return user


def can_edit(contrat: str | None = None) -> bool:
    """Whether the session may edit something of `contrat` (chef de projet, administrateur, or partenaire
    for its commitments)."""
    user = current_user()
    return user.can_write and (contrat is None or user.covers(contrat))


def is_editor(contrat: str | None = None) -> bool:
    """Chef de projet of the contract (or administrateur): edits everything and imports files."""
    return current_user().manages(contrat)


def logout(end: bool = True) -> None:
    if end:
        try:
            accounts.end_session(st.session_state.get(_TOKEN))
        except store.StoreBusy:
            pass                              # it expires by itself
    for k in (_KEY, _TOKEN, _CHECKED):
        st.session_state.pop(k, None)


def login_box(container=None) -> roles.User:
    """Sidebar block: who is connected, a login form when accounts exist, a logout button."""
    container = container or st.sidebar
    user = current_user()
    box = container.container(border=True)
    if user.authenticated:
        box.markdown(f"**Connecté :** {text.md_text(user.label)}")
        if user.is_partner:
            box.caption(f"Vous pouvez modifier les engagements de « {user.signataire} ».")
        if box.button("Se déconnecter", key="obs_logout", icon=":material/logout:"):
            logout()
            st.rerun()
        return user
    try:
        _bootstrap(str(store.engines.backend_for(None).target))
        configured = accounts.accounts_exist()
    except (accounts.AccountError, store.StoreBusy) as exc:
        box.error(str(exc))
        configured = False
    if not configured:
        box.caption("Consultation en **lecture seule** : aucun compte n'est configuré. Créez le premier "
                    "administrateur sur la page **Comptes**.")
        return user
    box.caption("Consultation en **lecture seule**. Connectez-vous pour modifier.")
    with box.form("obs_login", clear_on_submit=True, border=False):
        login = st.text_input("Identifiant", key="obs_login_id")
        password = st.text_input("Mot de passe", type="password", key="obs_login_pw")
        ok = st.form_submit_button("Se connecter", icon=":material/login:")
    if ok:
        try:
            found = accounts.authenticate(login, password)
        except (accounts.LoginLocked, store.StoreBusy) as exc:
            box.error(str(exc))
            return user
        if found is None:
            box.error("Identifiant ou mot de passe incorrect.")
        else:
            sign_in(found)
            st.rerun()
    return user


def sign_in(user: roles.User) -> None:
    """Open a stored session for an authenticated user and keep its token in this browser session."""
    st.session_state[_TOKEN] = accounts.start_session(user)
    st.session_state[_KEY], st.session_state[_CHECKED] = user, time.monotonic()
