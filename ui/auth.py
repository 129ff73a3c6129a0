"""Who is signed in: the login box, the session cookie, single sign-on (contract.accounts does the checking).

Read-only is the default: with no account, or before login, the session is the anonymous *lecture* user.

Sessions that last (issue 20): a sign-in opens a session in the saisie database (contract.accounts), kept at
once in this tab, then handed to the browser as an HttpOnly cookie through the route /_session/ouvrir
(ui/server.py explains why a route: a WebSocket cannot set cookies). `refresh()` runs at the start of every
run (ui.navigation.frame): it checks this tab's session, else the one of the cookie the tab connected with, in
the database — so a reload or a new tab is still signed in, and a logout, a disabled account or a password
changed elsewhere signs every other tab out at its next interaction, on every replica. A single sign-on
identity (st.login, ui/sso.py) becomes a session of the account registered for its e-mail.

The role is enforced again by contract.store on every write: hiding a button is comfort, not security.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import streamlit as st
from markupsafe import Markup

from contract import accounts, roles, service, store
from contract.errors import StoreError
from presentation import text
from ui import server, sso

_KEY = "obs_user"
_TOKEN = "obs_session_token"
_GOTO = "_obs_goto"                 # a URL the browser must open (session cookie set or cleared)
_DEAD = "_obs_dead_tokens"          # session tokens this tab saw ended (never checked again)
_NOTE = "_obs_auth_note"            # French message for the login box (unknown SSO identity, damaged base)


@st.cache_resource(show_spinner=False)
def _bootstrap(target: str) -> str | None:
    """Once per process: the first administrateur from OBSERVATOIRE_ADMIN_LOGIN/_PASSWORD on a fresh install."""
    return accounts.bootstrap_admin_from_env()


_CONFIGURED: dict[str, tuple] = {}     # saisie database -> (its version, whether it held accounts then)


def _configured(target: str) -> bool:
    """Whether accounts exist, asked to the database again only after it changed (contract.service.version):
    the login box of every anonymous page view otherwise opened the saisie database for it. On PostgreSQL
    account writes do not move that version (sessions are written at every sign-in): there « no account yet »
    is asked again at every run, « accounts exist » is kept."""
    stamp = service.version()
    known = _CONFIGURED.get(target)
    if known and known[0] == stamp:
        return known[1]
    _bootstrap(target)
    found = accounts.accounts_exist()
    if found or store.engines.backend_for(None).kind != "postgresql":
        _CONFIGURED[target] = (stamp, found)
    return found


def _cookies() -> dict[str, str]:
    try:
        return st.context.cookies.to_dict()
    except Exception:  # noqa: BLE001 - no browser (AppTest, bare script run)
        return {}


def browser_id() -> str | None:
    """This browser's id cookie (ui/server.py), None without a browser."""
    return _cookies().get(server.BROWSER_COOKIE)


def session_token() -> str | None:
    return st.session_state.get(_TOKEN)


def _here() -> str:
    """The page the browser shows, with its query string (to come back to after the cookie route)."""
    try:
        path = urlsplit(st.context.url or "").path or "/"
        query = urlencode(st.query_params.to_dict())
    except Exception:  # noqa: BLE001
        return "/"
    return path + (f"?{query}" if query else "")


def _forget() -> None:
    for k in (_KEY, _TOKEN):
        st.session_state.pop(k, None)


def refresh() -> None:
    """Once per run, before the page: this tab's user from its session or the browser's session cookie, checked
    in the database; else a fresh single sign-on identity turned into a session."""
    state = st.session_state
    user, token = state.get(_KEY), state.get(_TOKEN)
    if isinstance(user, roles.User) and not token:
        return                      # put there by server code (tests): session_state never comes from the browser
    state.pop(_NOTE, None)
    dead = state.setdefault(_DEAD, [])
    for candidate in dict.fromkeys([token, _cookies().get(server.SESSION_COOKIE)]):
        if not candidate or candidate in dead:
            continue
        try:
            fresh = accounts.check_session(candidate)
        except store.StoreBusy:
            if isinstance(user, roles.User):
                return              # keep the session through a busy moment
            continue
        except StoreError as exc:
            state[_NOTE] = str(exc)
            _forget()
            return
        if fresh is not None:
            state[_KEY], state[_TOKEN] = fresh, candidate
            return
        dead.append(candidate)
    _forget()
    _single_sign_on()


def _single_sign_on() -> None:
    claims = sso.identity()
    if not claims:
        return
    try:
        user = accounts.sso_sign_in(sso.email(claims), sso.proof(claims), sso.issued_at(claims))
    except (accounts.SSOUnknown, sso.SSOError, StoreError) as exc:
        st.session_state[_NOTE] = str(exc)
        return
    if user is not None:
        sign_in(user, via=f"sso:{claims.get('provider') or 'default'}")


def follow() -> None:
    """Send the browser to the URL a sign-in or a logout left, and show nothing else meanwhile: the page reloads
    from there with the cookie set or cleared (a script in the page — Streamlit has no redirect of its own for
    apps —, and a link for a browser that runs no script)."""
    pending = st.session_state.pop(_GOTO, None)
    if not pending:
        return
    url, message = pending
    target = json.dumps(url).replace("<", "\\u003c")
    st.html(f"<script>window.location.replace({target});</script>", unsafe_allow_javascript=True)
    st.markdown(Markup('{} <a href="{}" target="_self">Continuer</a>').format(message, url), unsafe_allow_html=True)
    st.stop()


def current_user() -> roles.User:
    user = st.session_state.get(_KEY)
    return user if isinstance(user, roles.User) else roles.ANONYMOUS


def can_edit(contrat: str | None = None) -> bool:
    """Whether the session may edit something of `contrat` (chef de projet, administrateur, or partenaire
    for its commitments)."""
    user = current_user()
    return user.can_write and (contrat is None or user.covers(contrat))


def is_editor(contrat: str | None = None) -> bool:
    """Chef de projet of the contract (or administrateur): edits everything and imports files."""
    return current_user().manages(contrat)


def sign_in(user: roles.User, via: str = "mot_de_passe") -> None:
    """Open a stored session for an authenticated user, in this tab at once, then as the browser's cookie."""
    token = accounts.start_session(user, via=via)
    st.session_state[_KEY], st.session_state[_TOKEN] = user, token
    client = browser_id()
    if client:
        st.session_state[_GOTO] = (server.open_url(accounts.grant_cookie(token, client), _here()),
                                   "Connexion en cours…")


def logout() -> None:
    """End the session for every tab and browser holding it, then clear the browser's cookie."""
    state = st.session_state
    tokens = [t for t in dict.fromkeys([state.get(_TOKEN), _cookies().get(server.SESSION_COOKIE)]) if t]
    for t in tokens:
        try:
            accounts.end_session(t)
        except StoreError:
            pass                              # it expires by itself
    state.setdefault(_DEAD, []).extend(tokens)
    _forget()
    if browser_id():
        state[_GOTO] = (server.close_url(_here()), "Déconnexion en cours…")


def login_box(container=None) -> roles.User:
    """Sidebar block: who is connected, the sign-in options (single sign-on, password), a logout button."""
    container = container or st.sidebar
    user = current_user()
    box = container.container(border=True)
    if user.authenticated:
        box.markdown(f"**Connecté :** {text.md_text(user.label)}")
        if user.is_partner:
            box.caption(f"Vous pouvez modifier les engagements de « {text.md_text(user.signataire)} ».")
        if box.button("Se déconnecter", key="obs_logout", icon=":material/logout:"):
            logout()
            st.rerun()
        return user
    note = st.session_state.get(_NOTE)
    if note:
        box.warning(text.md_text(note))          # it names the identity's e-mail
    try:
        configured = _configured(str(store.engines.backend_for(None).target))
    except StoreError as exc:
        if exc.args and str(exc) != note:
            box.error(text.md_text(str(exc)))
        configured = False
    if not configured:
        box.caption("Consultation en **lecture seule** : aucun compte n'est configuré. Créez le premier "
                    "administrateur sur la page **Comptes**.")
        return user
    box.caption("Consultation en **lecture seule**. Connectez-vous pour modifier.")
    for provider, label in sso.providers().items():
        if box.button(f"Se connecter avec {label}", key=f"obs_sso_{provider}", icon=":material/badge:",
                      type="primary"):
            st.login(provider)
    with box.form("obs_login", clear_on_submit=True, border=False):
        login = st.text_input("Identifiant", key="obs_login_id")
        password = st.text_input("Mot de passe", type="password", key="obs_login_pw")
        ok = st.form_submit_button("Se connecter", icon=":material/login:")
    if ok:
        try:
            found = accounts.authenticate(login, password, client=browser_id())
        except StoreError as exc:                 # locked (it names the login typed), busy, damaged
            box.error(text.md_text(str(exc)))
            return user
        if found is None:
            box.error("Identifiant ou mot de passe incorrect.")
        else:
            sign_in(found)
            st.rerun()
    return user
