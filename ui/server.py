"""What the observatory adds to Streamlit's web server (st.App in app.py): the session cookie.

Why: a Streamlit page talks to the server through a WebSocket, which cannot set a cookie, and
`st.context.cookies` only reads the cookies the browser sent when the tab connected. A sign-in kept in the
tab's memory is lost on reload (F5) and absent from new tabs. Streamlit 1.67 lets an app declare its own
HTTP routes and middleware (`st.App(routes=…, middleware=…)`, a public API run by `streamlit run app.py`), so:

- **/_session/ouvrir?code=…&suite=…** — after a sign-in, the page (ui/auth.py) sends the browser here with a
  one-time code (contract.accounts.grant_cookie: valid a minute, bound to this browser, used once). The route
  answers with the session token in an **HttpOnly** cookie (`obs_session`, SameSite=Lax, Secure over HTTPS,
  lifetime of the session) and sends the browser back to the page it came from. Every later page load — a
  reload, a new tab, a link — carries the cookie in its WebSocket handshake, where ui/auth.py reads it and
  checks the session in the saisie database at every run. Page scripts never see the cookie: only a code,
  valid once, travels through a URL.
- **/_session/fermer?suite=…** — logging out ends the session (every tab then finds itself signed out at its
  next interaction), deletes the cookie, and hands over to Streamlit's own /auth/logout when a single
  sign-on identity cookie is present (it ends the provider's session too).
- **obs_navigateur** — a random id cookie (HttpOnly, 400 days) given to every browser on its first request.
  Codes are bound to it (a code sent to someone else opens nothing in their browser) and failed logins are
  counted per login and browser with it (contract.accounts.authenticate).

Both routes refuse to act on a navigation started by another site (`Sec-Fetch-Site: cross-site`).

The server's lifespan hook is ui/warm.py's: the warm-up of what every visitor needs, in a background thread.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from streamlit import config

from contract import accounts
from contract.errors import StoreError

SESSION_COOKIE = "obs_session"
BROWSER_COOKIE = "obs_navigateur"
SSO_COOKIE = "_streamlit_user"            # Streamlit's st.login identity cookie
OPEN_PATH = "_session/ouvrir"
CLOSE_PATH = "_session/fermer"
BROWSER_MAX_AGE = 400 * 24 * 3600         # the longest lifetime browsers accept


def base_path() -> str:
    """`server.baseUrlPath` as "/prefix" ("" at the root)."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _cookie_path() -> str:
    return base_path() or "/"


def safe_next(value: str | None) -> str:
    """A path of this site to go back to (never another site: no scheme, no host, no `//`)."""
    home = base_path() + "/"
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return home
    return value


def open_url(code: str, back: str) -> str:
    return f"{base_path()}/{OPEN_PATH}?{urlencode({'code': code, 'suite': safe_next(back)})}"


def close_url(back: str) -> str:
    return f"{base_path()}/{CLOSE_PATH}?{urlencode({'suite': safe_next(back)})}"


def _https(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss") or conn.headers.get("x-forwarded-proto", "").lower() == "https"


def _from_elsewhere(request: Request) -> bool:
    """A navigation another site started (browsers send Sec-Fetch-Site on every request)."""
    return request.headers.get("sec-fetch-site", "same-origin") == "cross-site"


async def open_session(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("suite")), status_code=303)
    if _from_elsewhere(request):
        return response
    try:
        granted = await run_in_threadpool(accounts.redeem_grant, request.query_params.get("code"),
                                          request.cookies.get(BROWSER_COOKIE))
    except StoreError:
        granted = None                 # busy or damaged saisie database: the page says so; no cookie
    if granted:
        token, seconds = granted
        response.set_cookie(SESSION_COOKIE, token, max_age=seconds, path=_cookie_path(), httponly=True,
                            samesite="lax", secure=_https(request))
    return response


async def close_session(request: Request) -> RedirectResponse:
    target = safe_next(request.query_params.get("suite"))
    if _from_elsewhere(request):
        return RedirectResponse(target, status_code=303)
    try:
        await run_in_threadpool(accounts.end_session, request.cookies.get(SESSION_COOKIE))
    except StoreError:
        pass                           # the page already ended it, or it expires by itself
    if request.cookies.get(SSO_COOKIE):
        target = f"{base_path()}/auth/logout"      # Streamlit's st.logout route: its cookie, the provider's session
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_cookie_path(), httponly=True, samesite="lax")
    return response


class BrowserIdMiddleware:
    """Give every browser an id cookie on its first HTTP request (the page itself, before its WebSocket)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or BROWSER_COOKIE in HTTPConnection(scope).cookies:
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if _https(HTTPConnection(scope)) else ""
        cookie = (f"{BROWSER_COOKIE}={secrets.token_urlsafe(24)}; Path={_cookie_path()}; Max-Age={BROWSER_MAX_AGE}; "
                  f"HttpOnly; SameSite=Lax{secure}")

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)
        await self.app(scope, receive, send_with_cookie)


def routes() -> list[Route]:
    base = base_path()
    return [Route(f"{base}/{OPEN_PATH}", open_session, methods=["GET"]),
            Route(f"{base}/{CLOSE_PATH}", close_session, methods=["GET"])]


def middleware() -> list:
    from starlette.middleware import Middleware
    return [Middleware(BrowserIdMiddleware)]
