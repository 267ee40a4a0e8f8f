"""Learners' sign-in on the web: the session cookie, who is signed in, CSRF and origin checks.

**Cookie.** The session token (``accounts.auth.start_session``; only its SHA-256 is stored)
goes in ``__Host-mc_learner`` when the deployment's base URL is https, else in
``mc_learner``: a ``__Host-`` cookie must be ``Secure``, and a browser will not keep a
``Secure`` cookie set over plain http://127.0.0.1 (development). Always ``HttpOnly;
SameSite=Lax; Path=/``, ``Max-Age`` the session's 14 days.

**Who is signed in.** ``current_learner`` (a FastAPI dependency) is the learner of a live
session, else :class:`SignInRequired`: a page request (GET asking for HTML, as
``web.errors`` tells pages from API calls) is redirected to
``/account/signin?next=<the page>``, anything else answers a 401 problem.
``optional_learner`` is the learner or None.

**CSRF.** A signed-in learner's state-changing request (POST, PUT, PATCH, DELETE; forms and
JSON) must carry ``csrf_token_for(request)``: HMAC-SHA256 of the session token under a key
derived from the deployment's secret, in the form field ``csrf_token`` or the header
``X-CSRF-Token`` (compared in constant time). ``require_csrf`` checks it, and refuses a
request whose ``Origin`` names another site (or is ``null``: pages must send
``Referrer-Policy: same-origin``, ``PAGE_HEADERS``, or a browser sends ``Origin: null``
with their forms). Without an ``Origin`` the ``Referer`` is checked the same way.
The sign-in, sign-up and sign-in-link forms have no session yet: they carry an HMAC of a
random nonce that is also set in a short-lived cookie (``mc_learner_form``: double
submit), so another site cannot sign a browser in to an account of its choosing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from microcred.accounts import auth
from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount
from microcred.web.errors import problem
from microcred.web.templating import render, templates

COOKIE = "mc_learner"
COOKIE_HTTPS = "__Host-mc_learner"
FORM_COOKIE = "mc_learner_form"
FORM_COOKIE_HTTPS = "__Host-mc_learner_form"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SIGNIN_PATH = "/account/signin"
SESSION_SECONDS = int(auth.SESSION_LIFETIME.total_seconds())
FORM_SECONDS = 3600
NO_STORE = {"Cache-Control": "no-store"}
# Same-origin forms must carry our Origin: under the site's "no-referrer" policy a browser
# sends "Origin: null" with a form POST, which the origin check refuses (as it should).
PAGE_HEADERS = {**NO_STORE, "Referrer-Policy": "same-origin"}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY_INFO = b"microcred learner csrf v1"


class SignInRequired(Exception):  # noqa: N818 - a redirect (pages) or a 401 (API)
    """No live learner session."""


class LearnerDenied(Exception):  # noqa: N818 - mapped to a 403 page or problem
    """A learner's request refused: CSRF token missing or wrong, another site's origin."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# ---- the cookie ---------------------------------------------------------------------------
def is_https(request: Request) -> bool:
    base: str = request.app.state.issuing.base_url
    return base.startswith("https://")


def cookie_name(request: Request) -> str:
    """``__Host-mc_learner`` on an https deployment, else ``mc_learner``."""
    return COOKIE_HTTPS if is_https(request) else COOKIE


def _form_cookie_name(request: Request) -> str:
    return FORM_COOKIE_HTTPS if is_https(request) else FORM_COOKIE


def session_token(request: Request) -> str | None:
    value = request.cookies.get(cookie_name(request))
    return value if value and len(value) <= auth.MAX_TOKEN else None


def _set(request: Request, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """Put the session ``token`` in the cookie (and drop the sign-in form's cookie)."""
    _set(request, response, cookie_name(request), token, SESSION_SECONDS)
    clear_form_cookie(request, response)


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request), path="/", httponly=True, samesite="lax", secure=is_https(request)
    )


def clear_form_cookie(request: Request, response: Response) -> None:
    if _form_cookie_name(request) in request.cookies:
        response.delete_cookie(
            _form_cookie_name(request),
            path="/",
            httponly=True,
            samesite="lax",
            secure=is_https(request),
        )


# ---- who is signed in ---------------------------------------------------------------------
def _engine(request: Request) -> Any:
    return request.app.state.engine


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.issuing.secret
    return secret


def client_ip(request: Request) -> str | None:
    """The client's address as the server sees it (behind a proxy, run uvicorn with
    ``--proxy-headers`` and ``--forwarded-allow-ips`` so that this is the real client)."""
    return request.client.host if request.client else None


def _lookup(request: Request) -> LearnerAccount | None:
    token = session_token(request)
    if token is None:
        return None
    cached = getattr(request.state, "mc_learner", None)
    if isinstance(cached, LearnerAccount):
        return cached
    with session_scope(_engine(request)) as s:
        learner = auth.learner_for_session(s, token)
        if learner is not None:
            s.expunge(learner)
    request.state.mc_learner = learner
    return learner


def optional_learner(request: Request) -> LearnerAccount | None:
    """The signed-in learner, or None (a FastAPI dependency; also callable directly)."""
    return _lookup(request)


def current_learner(request: Request) -> LearnerAccount:
    """The signed-in learner (a FastAPI dependency). Raises SignInRequired: a redirect to
    the sign-in page for pages, a 401 problem for API requests."""
    learner = _lookup(request)
    if learner is None:
        raise SignInRequired()
    return learner


# ---- CSRF ---------------------------------------------------------------------------------
def _key(secret: bytes) -> bytes:
    return hmac.new(secret, _KEY_INFO, hashlib.sha256).digest()


def csrf_token_for(request: Request) -> str:
    """The CSRF value for the signed-in learner's forms and ``X-CSRF-Token`` headers
    (HMAC of the session token); empty without a session. Templates have it as
    ``csrf_token_for(request)``."""
    token = session_token(request)
    if token is None:
        return ""
    return hmac.new(
        _key(_secret(request)), b"session:" + token.encode(), hashlib.sha256
    ).hexdigest()


def _netloc(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.netloc.lower()


def check_origin(request: Request) -> None:
    """LearnerDenied (403) when ``Origin`` (or, without it, ``Referer``) names a site other
    than this one (the request's host or the deployment's base URL); ``Origin: null``
    is refused too."""
    given = request.headers.get("origin")
    if given is None:
        given = request.headers.get("referer")
        if not given:
            return
    base: str = request.app.state.issuing.base_url
    ours = {request.headers.get("host", "").lower(), _netloc(base)} - {None, ""}
    if _netloc(given) not in ours:
        raise LearnerDenied(
            "This request came from another site, so it was refused. Open the page on this "
            "site and send it from there."
        )


def _csrf_refused() -> LearnerDenied:
    return LearnerDenied(
        "This form is out of date or did not come from this site (its security token is "
        "missing or wrong). Reload the page and send it again."
    )


async def _given_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def require_csrf(request: Request) -> LearnerAccount:
    """The signed-in learner, for a state-changing request (a FastAPI dependency for every
    POST/PUT/PATCH/DELETE a learner makes): SignInRequired without a session; LearnerDenied
    (403) for another site's ``Origin`` or a missing or wrong CSRF token (``csrf_token``
    form field or ``X-CSRF-Token`` header). Safe methods only need the session."""
    learner = await run_in_threadpool(current_learner, request)
    if request.method not in UNSAFE_METHODS:
        return learner
    check_origin(request)
    given = await _given_csrf(request)
    want = csrf_token_for(request)
    if not given or not want or not hmac.compare_digest(want.encode(), given.encode("utf-8")):
        raise _csrf_refused()
    return learner


LearnerDep = Annotated[LearnerAccount, Depends(current_learner)]
OptionalLearnerDep = Annotated[LearnerAccount | None, Depends(optional_learner)]
LearnerPost = Annotated[LearnerAccount, Depends(require_csrf)]


# ---- the sign-in forms (no session yet: double submit) ------------------------------------
def new_form_token(request: Request, response: Response | None = None) -> str:
    """The value for a pre-session form's ``csrf_token`` field. The nonce it is tied to is
    the form cookie: reused when the browser has one, else made (and set on ``response``
    later with :func:`remember_form`)."""
    nonce = request.cookies.get(_form_cookie_name(request))
    if not nonce or len(nonce) > 100:
        nonce = getattr(request.state, "form_nonce", None) or secrets.token_urlsafe(24)
        request.state.form_nonce = nonce
    return _form_mac(request, nonce)


def remember_form(request: Request, response: Response) -> None:
    """Set the form cookie when :func:`new_form_token` made a new nonce."""
    nonce = getattr(request.state, "form_nonce", None)
    if nonce:
        _set(request, response, _form_cookie_name(request), nonce, FORM_SECONDS)


def _form_mac(request: Request, nonce: str) -> str:
    key = _key(_secret(request))
    return hmac.new(key, b"form:" + nonce.encode(), hashlib.sha256).hexdigest()


def check_form_token(request: Request, given: Any) -> None:
    """LearnerDenied (403) unless ``given`` matches the form cookie, or the request comes
    from another site."""
    check_origin(request)
    nonce = request.cookies.get(_form_cookie_name(request))
    if (
        not nonce
        or len(nonce) > 100
        or not isinstance(given, str)
        or not hmac.compare_digest(_form_mac(request, nonce).encode(), given.encode("utf-8"))
    ):
        raise LearnerDenied(
            "This form is out of date (or cookies are blocked). Reload the page and send it again."
        )


# ---- redirects ----------------------------------------------------------------------------
def safe_next(path: str | None, default: str = "/account") -> str:
    """Where to go after signing in: a path of this site (``/...``), nothing else — not
    ``//host``, not ``/\\host``, no scheme, no control characters or spaces."""
    if not path or len(path) > 2000 or not path.startswith("/") or path.startswith("//"):
        return default
    if "\\" in path or any(ord(c) < 0x21 or c == "\x7f" for c in path):
        return default
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return default
    return path


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=NO_STORE)


def signin_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"{SIGNIN_PATH}?next={quote(safe_next(target), safe='')}")


# ---- refusals as responses ----------------------------------------------------------------
def _is_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if request.method in ("GET", "HEAD"):
        return "text/html" in accept
    content_type = request.headers.get("content-type", "")
    return "text/html" in accept and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    response = render(request, "error.html", status, title=title, status=status, detail=detail)
    response.headers.update(PAGE_HEADERS)
    return response


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if request.method == "GET" and _is_page(request):
        return signin_redirect(request)
    if _is_page(request):  # a form sent after the session ended
        return see_other(SIGNIN_PATH)
    response = problem(
        401, "Sign in first (your session is missing or has ended).", code="unauthorized"
    )
    response.headers["WWW-Authenticate"] = 'Cookie realm="microcred"'
    return response


async def _denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LearnerDenied)
    if _is_page(request):
        return _error_page(request, exc.status, "Forbidden", exc.message)
    return problem(exc.status, exc.message, code="forbidden")


async def _too_many(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, auth.TooManyAttempts)
    if _is_page(request):
        response = _error_page(request, 429, "Too many attempts", exc.user_message)
    else:
        response = problem(429, exc.user_message, code="too_many_requests")
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def install(app: FastAPI) -> None:
    """Register the responses for SignInRequired, LearnerDenied and TooManyAttempts."""
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(LearnerDenied, _denied)
    app.add_exception_handler(auth.TooManyAttempts, _too_many)


templates.env.globals["csrf_token_for"] = csrf_token_for
__all__ = [
    "COOKIE",
    "COOKIE_HTTPS",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "PAGE_HEADERS",
    "LearnerDenied",
    "LearnerDep",
    "LearnerPost",
    "OptionalLearnerDep",
    "SignInRequired",
    "check_origin",
    "cookie_name",
    "csrf_token_for",
    "current_learner",
    "install",
    "optional_learner",
    "require_csrf",
    "safe_next",
]
