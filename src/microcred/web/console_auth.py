"""The console's sign-in: a signed, expiring session cookie, CSRF tokens and origin checks.

A user signs in with an API token (``microcred token create``). The token itself is never
kept: the cookie holds ``{token id, organisation id, role, csrf, expiry}``, signed with
HMAC-SHA256 under a key derived from the deployment's secret, and every request looks the
token up again by id, so revoking the token ends its sessions at once. The cookie is
``HttpOnly; SameSite=Lax; Path=/console`` (and ``Secure`` on an https deployment).

Every console form that changes something carries the session's ``csrf`` value (compared in
constant time); a request whose ``Origin`` (or, without one, ``Referer``) names another
site is refused whatever it carries. The sign-in form itself has no session yet: it is tied
to a random cookie set with the form (double submit), so another site cannot sign a
browser in to an account of its choosing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from microcred.issuing import tokens
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import ApiToken, Organisation

COOKIE = "mc_console"
LOGIN_COOKIE = "mc_console_login"
COOKIE_PATH = "/console"
SESSION_SECONDS = 8 * 3600
LOGIN_FORM_SECONDS = 3600
_KEY_INFO = b"microcred console session v1"
_MAX_COOKIE = 1024


class LoginRequired(Exception):  # noqa: N818 - a redirect, not an error
    """No valid session: pages redirect to the sign-in page, JSON answers 401."""


class ConsoleDenied(Exception):  # noqa: N818 - mapped to an HTML error page
    """A console request that is refused (CSRF, another site's origin, a role too low)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Console:
    """Who is signed in: the token's organisation and role, and the session's CSRF value.
    ``ctx`` names the token in the audit log (as the API does)."""

    org_id: str
    org_slug: str
    org_name: str
    role: str
    token_id: str
    token_name: str
    csrf: str
    ctx: IssuingContext

    def can(self, role: str) -> bool:
        return tokens.ROLES.index(self.role) >= tokens.ROLES.index(role)

    def require(self, role: str) -> None:
        """Raises ConsoleDenied (403) unless the session's role is ``role`` or above."""
        if not self.can(role):
            raise ConsoleDenied(
                403,
                f"This needs the {role} role; you signed in with a {self.role} token.",
            )

    def org(self, session: Any) -> Organisation:
        org = session.get(Organisation, self.org_id)
        if org is None:  # pragma: no cover - organisations are never deleted
            raise LoginRequired()
        assert isinstance(org, Organisation)
        return org


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, _KEY_INFO, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, payload: dict[str, Any]) -> str:
    """``payload`` as a cookie value: base64url(JSON) "." base64url(HMAC-SHA256)."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(_key(secret), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(secret: bytes, value: str | None, *, now: float | None = None) -> dict[str, Any] | None:
    """The payload of a cookie made by :func:`sign`, or None when it is missing, altered,
    malformed or past its ``exp``."""
    if not value or len(value) > _MAX_COOKIE or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    want = _b64(hmac.new(_key(secret), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want.encode(), mac.encode()):
        return None
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        return None
    if payload["exp"] <= (time.time() if now is None else now):
        return None
    return payload


def _ctx(request: Request) -> IssuingContext:
    ctx: IssuingContext = request.app.state.issuing
    return ctx


def _secure(request: Request) -> bool:
    return _ctx(request).base_url.startswith("https://")


def _set_cookie(request: Request, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def _delete_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path=COOKIE_PATH, httponly=True, samesite="lax", secure=_secure(request)
    )


# ---- the session --------------------------------------------------------------------------
def start_session(request: Request, response: Response, identity: tokens.TokenIdentity) -> None:
    """Set the session cookie for ``identity`` (and drop the sign-in form's cookie)."""
    payload = {
        "tid": identity.token_id,
        "org": identity.org.id,
        "role": identity.role,
        "csrf": secrets.token_urlsafe(24),
        "exp": int(time.time()) + SESSION_SECONDS,
    }
    _set_cookie(request, response, COOKIE, sign(_ctx(request).secret, payload), SESSION_SECONDS)
    _delete_cookie(request, response, LOGIN_COOKIE)


def end_session(request: Request, response: Response) -> None:
    _delete_cookie(request, response, COOKIE)


def current(request: Request) -> Console | None:
    """The signed-in console, or None. Looks the token up again: a revoked token, or one
    no longer of the organisation the cookie names, has no session."""
    payload = unsign(_ctx(request).secret, request.cookies.get(COOKIE))
    if payload is None:
        return None
    token_id, org_id, csrf = payload.get("tid"), payload.get("org"), payload.get("csrf")
    if not all(isinstance(v, str) and v for v in (token_id, org_id, csrf)):
        return None
    with session_scope(request.app.state.engine) as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.revoked_at is not None or row.org_id != org_id:
            return None
        org = s.get(Organisation, org_id)
        if org is None or row.role not in tokens.ROLES:
            return None
        identity = tokens.TokenIdentity(org=org, role=row.role, token_id=row.id, name=row.name)
        return Console(
            org_id=org.id,
            org_slug=org.slug,
            org_name=org.name,
            role=row.role,
            token_id=row.id,
            token_name=row.name,
            csrf=str(csrf),
            ctx=replace(_ctx(request), actor=f"{identity.actor} via console"[:200]),
        )


def require_session(request: Request) -> Console:
    """The signed-in console. Raises LoginRequired."""
    console = current(request)
    if console is None:
        raise LoginRequired()
    return console


# ---- cross-site requests ------------------------------------------------------------------
def _netloc(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.netloc.lower()


def check_origin(request: Request) -> None:
    """Raises ConsoleDenied (403) when ``Origin`` (or, without it, ``Referer``) names a site
    other than this one (the request's host, or the deployment's base URL)."""
    given = request.headers.get("origin")
    if given is None:
        given = request.headers.get("referer")
        if not given:
            return
    ours = {request.headers.get("host", "").lower(), _netloc(_ctx(request).base_url)}
    if _netloc(given) not in ours - {None, ""}:
        raise ConsoleDenied(
            403,
            "This form was sent from another site, so it was refused. Open the console "
            "and send it from there.",
        )


def check_csrf(console: Console, given: Any) -> None:
    """Raises ConsoleDenied (403) unless ``given`` is the session's CSRF value."""
    if not isinstance(given, str) or not hmac.compare_digest(
        console.csrf.encode(), given.encode("utf-8")
    ):
        raise ConsoleDenied(
            403,
            "This form is out of date or did not come from the console (its security "
            "token is missing or wrong). Reload the page and send it again.",
        )


# ---- the sign-in form (no session yet: double submit) ------------------------------------
def new_login_form(request: Request) -> tuple[str, str]:
    """(nonce, form value) for a fresh sign-in form: the nonce goes in a cookie
    (:func:`remember_login_form`), the value in the form."""
    nonce = secrets.token_urlsafe(24)
    return nonce, _login_mac(request, nonce)


def remember_login_form(request: Request, response: Response, nonce: str) -> None:
    _set_cookie(request, response, LOGIN_COOKIE, nonce, LOGIN_FORM_SECONDS)


def _login_mac(request: Request, nonce: str) -> str:
    key = _key(_ctx(request).secret)
    return hmac.new(key, b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


def check_login_form(request: Request, given: Any) -> None:
    """Raises ConsoleDenied (403) unless ``given`` matches the sign-in form's cookie."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    if (
        not nonce
        or len(nonce) > 100
        or not isinstance(given, str)
        or not hmac.compare_digest(_login_mac(request, nonce).encode(), given.encode("utf-8"))
    ):
        raise ConsoleDenied(
            403,
            "The sign-in form is out of date (or cookies are blocked). Reload the page "
            "and sign in again.",
        )
