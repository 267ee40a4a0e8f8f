"""Learner accounts: sign up, sign in (password or an e-mail link), the account page.

GET  /account/signup, POST /account/signup   a new account (signed in at once; a mail
                                             asks to confirm the address)
GET  /account/signin, POST /account/signin   a password, or "e-mail me a sign-in link"
POST /account/signout                        ends this session
GET  /account/verify/{token}                 what the link would confirm (mail scanners GET),
POST /account/verify/{token}                 the address confirmed on POST only (used up)
GET  /account/link/{token}                   a one-time sign-in link: a confirmation page,
POST /account/link/{token}                   signed in on POST only (mail scanners GET)
GET  /account, POST /account                 name, password, sign out everywhere, the DID,
                                             the e-mail addresses
POST /account/emails                         add an address (a link to confirm it is mailed)
POST /account/emails/{id}/resend, /remove    a new link; remove an added address
GET  /account/emails/verify/{token}          what the link would confirm (mail scanners GET),
POST /account/emails/verify/{token}          confirmed on POST only
GET  /api/v1/me                              the signed-in learner as JSON
GET  /api/v1/me/emails, POST /api/v1/me/emails        the addresses; add one
POST /api/v1/me/emails/{id}/resend, DELETE /api/v1/me/emails/{id}

Forms of a signed-in learner carry ``csrf_token`` (``web.learner_auth.require_csrf``); the
sign-in forms carry a double-submit token. ``next=`` only ever leads to a path of this site.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from microcred.accounts import auth, emails
from microcred.accounts.learners import AccountError, AccountExists
from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount
from microcred.web import learner_auth as la
from microcred.web.templating import render

router = APIRouter()  # pages: each left out of the OpenAPI description
api_router = APIRouter(prefix="/api/v1", tags=["learners"])

DONE = {
    "name": "Your name is saved.",
    "password": "Your password is changed; your other sessions have ended.",
    "resent": "We sent you a new confirmation link.",
    "not_resent": "A confirmation link was sent less than a minute ago: check your mail.",
    "email_added": "We sent a confirmation link to the new address: open it to confirm the "
    "address. Credentials issued to it can go into your wallet once it is confirmed.",
    "email_resent": "We sent a new confirmation link to that address.",
    "email_not_resent": "That address is confirmed already, or a link was sent to it less "
    "than a minute ago: check your mail.",
    "email_removed": "The address is removed from your account. Credentials issued to it no "
    "longer show as issued to you.",
}

Text = Annotated[str, Form(max_length=2000)]
Secret = Annotated[str, Form(max_length=auth.MAX_PASSWORD + 1)]


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _base_url(request: Request) -> str:
    base: str = request.app.state.issuing.base_url
    return base


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page of the account area, never cached, sending its Origin with its forms; a fresh
    pre-session form token when the page needs one (``form_token``)."""
    response = render(request, template, status, **context)
    response.headers.update(la.PAGE_HEADERS)
    la.remember_form(request, response)
    return response


# ---- sign up ------------------------------------------------------------------------------
def _signup_page(
    request: Request,
    *,
    next_path: str,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    display_name: str = "",
    retry_after: int | None = None,
) -> Response:
    response = _page(
        request,
        "account_signup.html",
        status,
        form_token=la.new_form_token(request),
        next=next_path,
        error=error,
        email=email,
        display_name=display_name,
        min_password=auth.MIN_PASSWORD,
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@router.get("/account/signup", name="account_signup", include_in_schema=False)
def signup_page(request: Request, next: str | None = None) -> Response:
    if la.optional_learner(request) is not None:
        return la.see_other(la.safe_next(next))
    return _signup_page(request, next_path=la.safe_next(next))


@router.post("/account/signup", include_in_schema=False)
def signup_submit(
    request: Request,
    email: Text = "",
    password: Secret = "",
    display_name: Text = "",
    csrf_token: Text = "",
    next: Text = "/account",
) -> Response:
    la.check_form_token(request, csrf_token)
    next_path = la.safe_next(next)
    again = {"next_path": next_path, "email": email, "display_name": display_name}
    error: str | None = None
    status = 400
    token = ""
    try:
        with session_scope(_engine(request)) as s:
            try:
                learner, _ = auth.register(
                    s,
                    email,
                    password,
                    display_name,
                    _secret(request),
                    base_url=_base_url(request),
                    client_ip=la.client_ip(request),
                )
                token = auth.start_session(s, learner)
            except AccountExists:  # committed: the probe counts against the client's limit
                status = 409
                error = (
                    "There is already an account for this e-mail address: sign in, or ask "
                    "for a sign-in link."
                )
            except AccountError as exc:
                error = exc.user_message
    except auth.TooManyAttempts as exc:
        return _signup_page(
            request, status=429, error=exc.user_message, retry_after=exc.retry_after, **again
        )
    if error is not None:
        return _signup_page(request, status=status, error=error, **again)
    response = la.see_other(next_path)
    la.set_session_cookie(request, response, token)
    return response


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.issuing.secret
    return secret


# ---- sign in ------------------------------------------------------------------------------
def _signin_page(
    request: Request,
    *,
    next_path: str,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    retry_after: int | None = None,
) -> Response:
    response = _page(
        request,
        "account_signin.html",
        status,
        form_token=la.new_form_token(request),
        next=next_path,
        error=error,
        email=email,
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@router.get("/account/signin", name="account_signin", include_in_schema=False)
def signin_page(request: Request, next: str | None = None) -> Response:
    if la.optional_learner(request) is not None:
        return la.see_other(la.safe_next(next))
    return _signin_page(request, next_path=la.safe_next(next))


@router.post("/account/signin", include_in_schema=False)
def signin_submit(
    request: Request,
    email: Text = "",
    password: Secret = "",
    method: Annotated[str, Form(max_length=20)] = "password",
    csrf_token: Text = "",
    next: Text = "/account",
) -> Response:
    la.check_form_token(request, csrf_token)
    next_path = la.safe_next(next)
    email = email.strip()
    token = ""
    try:
        with session_scope(_engine(request)) as s:
            if method == "link":
                auth.request_signin_link(
                    s, email, base_url=_base_url(request), client_ip=la.client_ip(request)
                )
                learner = None
            else:
                learner = auth.signin_with_password(s, email, password, la.client_ip(request))
                token = auth.start_session(s, learner) if learner is not None else ""
    except auth.TooManyAttempts as exc:
        return _signin_page(
            request,
            next_path=next_path,
            status=429,
            error=exc.user_message,
            email=email,
            retry_after=exc.retry_after,
        )
    if method == "link":  # the same answer whether or not there is an account
        return _page(
            request,
            "account_message.html",
            title="Check your e-mail",
            message=f"If there is an account for {email}, we have sent it a sign-in link. "
            f"It works once, within {int(auth.SIGNIN_LINK_LIFETIME.total_seconds() // 60)} "
            "minutes.",
            link=("/account/signin", "Back to sign in"),
        )
    if learner is None:
        return _signin_page(
            request,
            next_path=next_path,
            status=401,
            error="The e-mail address or the password is wrong.",
            email=email,
        )
    response = la.see_other(next_path)
    la.set_session_cookie(request, response, token)
    return response


@router.post("/account/signout", include_in_schema=False)
def signout(request: Request, learner: la.LearnerPost) -> Response:
    with session_scope(_engine(request)) as s:
        auth.end_session(s, la.session_token(request))
    response = la.see_other("/account/signin")
    la.clear_session_cookie(request, response)
    return response


# ---- e-mail links -------------------------------------------------------------------------
def _verify_link_invalid(request: Request, exc: auth.InvalidLink) -> Response:
    return _page(
        request,
        "account_message.html",
        400,
        title="This link does not work",
        message=exc.user_message + " Sign in and ask for a new one on your account page.",
        link=("/account", "Your account"),
    )


@router.get("/account/verify/{token}", name="account_verify", include_in_schema=False)
def verify_page(request: Request, token: str) -> Response:
    """What the link would confirm, and a button: nothing changes on GET (mail scanners
    fetch links, and a confirmed address lets its account take the credentials issued to
    it)."""
    try:
        with session_scope(_engine(request)) as s:
            address = auth.verify_link_learner(s, token).email
    except auth.InvalidLink as exc:
        return _verify_link_invalid(request, exc)
    return _page(
        request,
        "account_verify.html",
        form_token=la.new_form_token(request),
        action=request.url.path,
        address=address,
    )


@router.post("/account/verify/{token}", include_in_schema=False)
def verify_submit(request: Request, token: str, csrf_token: Text = "") -> Response:
    la.check_form_token(request, csrf_token)
    try:
        with session_scope(_engine(request)) as s:
            learner = auth.verify_email(s, token)
            address = learner.email
    except auth.InvalidLink as exc:
        return _verify_link_invalid(request, exc)
    except AccountExists as exc:
        return _page(
            request,
            "account_message.html",
            409,
            title="This address belongs to another account",
            message=exc.user_message[:1].upper() + exc.user_message[1:] + ".",
            link=("/account", "Your account"),
        )
    return _page(
        request,
        "account_message.html",
        title="E-mail address confirmed",
        message=f"Thank you: {address} is confirmed.",
        link=("/account", "Your account"),
    )


def _link_invalid(request: Request, message: str) -> Response:
    return _page(
        request,
        "account_message.html",
        400,
        title="This sign-in link does not work",
        message=message + " Ask for a new one.",
        link=("/account/signin", "Sign in"),
    )


@router.get("/account/link/{token}", name="account_link", include_in_schema=False)
def link_page(request: Request, token: str) -> Response:
    with session_scope(_engine(request)) as s:
        valid = auth.signin_link_is_valid(s, token)
    if not valid:
        return _link_invalid(
            request, "This sign-in link has been used already, has expired or is mistyped."
        )
    return _page(
        request,
        "account_link.html",
        form_token=la.new_form_token(request),
        action=request.url.path,
    )


@router.post("/account/link/{token}", include_in_schema=False)
def link_submit(request: Request, token: str, csrf_token: Text = "") -> Response:
    la.check_form_token(request, csrf_token)
    try:
        with session_scope(_engine(request)) as s:
            learner = auth.signin_with_link(s, token)
            session_token = auth.start_session(s, learner)
    except auth.InvalidLink as exc:
        return _link_invalid(request, exc.user_message)
    response = la.see_other("/account")
    la.set_session_cookie(request, response, session_token)
    return response


# ---- the account page ---------------------------------------------------------------------
def _account_page(
    request: Request,
    learner: LearnerAccount,
    *,
    status: int = 200,
    done: str | None = None,
    error: str | None = None,
    error_field: str | None = None,
    new_email: str = "",
) -> Response:
    with session_scope(_engine(request)) as s:
        me = s.get(LearnerAccount, learner.id)
        addresses = emails.list_addresses(s, me) if me is not None else []
    return _page(
        request,
        "account.html",
        status,
        learner=learner,
        addresses=addresses,
        max_addresses=emails.MAX_ADDRESSES,
        new_email=new_email,
        done=DONE.get(done or ""),
        error=error,
        error_field=error_field,
        min_password=auth.MIN_PASSWORD,
    )


@router.get("/account", name="account_page", include_in_schema=False)
def account_page(request: Request, learner: la.LearnerDep, done: str | None = None) -> Response:
    return _account_page(request, learner, done=done)


@router.post("/account", include_in_schema=False)
def account_submit(
    request: Request,
    learner: la.LearnerPost,
    action: Annotated[str, Form(max_length=20)] = "",
    display_name: Text = "",
    current_password: Secret = "",
    new_password: Secret = "",
) -> Response:
    current_token = la.session_token(request)
    error: str | None = None
    done = action
    try:
        with session_scope(_engine(request)) as s:
            me = s.get(LearnerAccount, learner.id)
            if me is None:
                raise la.SignInRequired()
            if action == "name":
                auth.set_display_name(s, me, display_name)
            elif action == "password":
                ended = auth.change_password(
                    s,
                    me,
                    current=current_password or None,
                    new=new_password,
                    keep_session=current_token,
                    client_ip=la.client_ip(request),
                )
                if ended is None:  # committed: it counts as a failed sign-in
                    error = "The current password is wrong."
            elif action == "signout_all":
                auth.end_all_sessions(s, me)
            elif action == "resend":
                sent = auth.resend_verification(s, me, base_url=_base_url(request))
                done = "resent" if sent else "not_resent"
            else:
                error = "Choose what to change."
            s.flush()
            s.expunge(me)
    except AccountError as exc:
        return _account_page(
            request, learner, status=400, error=exc.user_message, error_field=action
        )
    except auth.TooManyAttempts as exc:
        response = _account_page(
            request, learner, status=429, error=exc.user_message, error_field=action
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if error is not None:
        return _account_page(request, me, status=400, error=error, error_field=action)
    if action == "signout_all":
        response = la.see_other("/account/signin")
        la.clear_session_cookie(request, response)
        return response
    return la.see_other(f"/account?done={done}")


# ---- e-mail addresses ---------------------------------------------------------------------
def _me(s: Session, learner: LearnerAccount) -> LearnerAccount:
    me = s.get(LearnerAccount, learner.id)
    if me is None:
        raise la.SignInRequired()
    return me


@router.post("/account/emails", include_in_schema=False)
def add_email(request: Request, learner: la.LearnerPost, email: Text = "") -> Response:
    try:
        with session_scope(_engine(request)) as s:
            emails.add_address(s, _me(s, learner), email, base_url=_base_url(request))
    except (AccountError, AccountExists) as exc:
        status = 409 if isinstance(exc, AccountExists) else 400
        message = exc.user_message.removeprefix("email: ")
        message = message[:1].upper() + message[1:] + "."
        return _account_page(
            request, learner, status=status, error=message, error_field="email", new_email=email
        )
    return la.see_other("/account?done=email_added#emails")


@router.post("/account/emails/{address_id}/resend", include_in_schema=False)
def resend_email(request: Request, learner: la.LearnerPost, address_id: str) -> Response:
    with session_scope(_engine(request)) as s:
        sent = emails.resend_address_link(
            s, _me(s, learner), address_id, base_url=_base_url(request)
        )
    return la.see_other(f"/account?done=email_{'resent' if sent else 'not_resent'}#emails")


@router.post("/account/emails/{address_id}/remove", include_in_schema=False)
def remove_email(request: Request, learner: la.LearnerPost, address_id: str) -> Response:
    with session_scope(_engine(request)) as s:
        emails.remove_address(s, _me(s, learner), address_id)
    return la.see_other("/account?done=email_removed#emails")


def _address_link_invalid(request: Request, message: str, status: int = 400) -> Response:
    return _page(
        request,
        "account_message.html",
        status,
        title="This link does not work",
        message=message,
        link=("/account", "Your account"),
    )


@router.get("/account/emails/verify/{token}", name="account_email_verify", include_in_schema=False)
def email_verify_page(request: Request, token: str) -> Response:
    """What the link would do (nothing changes on GET: mail scanners fetch links)."""
    try:
        with session_scope(_engine(request)) as s:
            row, owner = emails.address_for_link(s, token)
            address, account = row.email, owner.email
    except emails.InvalidAddressLink as exc:
        return _address_link_invalid(
            request, exc.user_message + " Sign in and ask for a new one on your account page."
        )
    return _page(
        request,
        "account_email_confirm.html",
        form_token=la.new_form_token(request),
        action=request.url.path,
        address=address,
        account=account,
    )


@router.post("/account/emails/verify/{token}", include_in_schema=False)
def email_verify_submit(request: Request, token: str, csrf_token: Text = "") -> Response:
    la.check_form_token(request, csrf_token)
    try:
        with session_scope(_engine(request)) as s:
            address = emails.confirm_address(s, token).email
    except emails.InvalidAddressLink as exc:
        return _address_link_invalid(
            request, exc.user_message + " Sign in and ask for a new one on your account page."
        )
    except AccountExists as exc:
        return _address_link_invalid(
            request, exc.user_message[:1].upper() + exc.user_message[1:] + ".", 409
        )
    return _page(
        request,
        "account_message.html",
        title="E-mail address confirmed",
        message=f"Thank you: {address} is confirmed. Credentials issued to it can now go into "
        "your wallet.",
        link=("/account", "Your account"),
    )


# ---- JSON ---------------------------------------------------------------------------------
class EmailIn(BaseModel):
    email: str = Field(max_length=400, description="The address to add.")


class EmailOut(BaseModel):
    id: str | None = Field(description="null for the account's own address")
    email: str
    primary: bool = Field(description="the address the account was made with")
    verified: bool
    verified_at: str | None
    added_at: str | None


class EmailList(BaseModel):
    emails: list[EmailOut]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _email_out(a: emails.Address) -> EmailOut:
    return EmailOut(
        id=a.id,
        email=a.email,
        primary=a.primary,
        verified=a.verified,
        verified_at=_iso(a.verified_at),
        added_at=_iso(a.added_at),
    )


@api_router.get("/me/emails", summary="Your e-mail addresses", response_model=EmailList)
def list_emails(request: Request, learner: la.LearnerDep) -> JSONResponse:
    """The account's own address first, then the added ones; each `verified` or not. A
    credential issued to a verified address is issued to you."""
    with session_scope(_engine(request)) as s:
        out = [_email_out(a) for a in emails.list_addresses(s, _me(s, learner))]
    return JSONResponse(EmailList(emails=out).model_dump(), headers=la.NO_STORE)


@api_router.post(
    "/me/emails", summary="Add an e-mail address", status_code=201, response_model=EmailOut
)
def add_email_api(request: Request, body: EmailIn, learner: la.LearnerPost) -> JSONResponse:
    """Adds the address, not yet verified, and mails it a link that confirms it (48 hours,
    once). 400 for a bad address or one you have; 409 when another account confirmed it.
    Needs `X-CSRF-Token`."""
    with session_scope(_engine(request)) as s:
        row, _ = emails.add_address(s, _me(s, learner), body.email, base_url=_base_url(request))
        out = _email_out(emails.Address(row.id, row.email, False, None, row.created_at))
    return JSONResponse(out.model_dump(), status_code=201, headers=la.NO_STORE)


@api_router.post("/me/emails/{address_id}/resend", summary="Send a new confirmation link")
def resend_email_api(request: Request, address_id: str, learner: la.LearnerPost) -> JSONResponse:
    """`{"sent": false}` when the address is confirmed already or a link went out in the
    last minute. 404 for an id that is not one of yours."""
    with session_scope(_engine(request)) as s:
        sent = emails.resend_address_link(
            s, _me(s, learner), address_id, base_url=_base_url(request)
        )
    return JSONResponse({"sent": sent}, headers=la.NO_STORE)


@api_router.delete("/me/emails/{address_id}", summary="Remove an added address", status_code=204)
def remove_email_api(request: Request, address_id: str, learner: la.LearnerPost) -> Response:
    """The account's own address cannot be removed. 404 for an id that is not yours."""
    with session_scope(_engine(request)) as s:
        emails.remove_address(s, _me(s, learner), address_id)
    return Response(status_code=204, headers=la.NO_STORE)


@api_router.get("/me", summary="The signed-in learner (session cookie)")
def me(learner: la.LearnerDep) -> JSONResponse:
    """The learner of the session cookie: `id`, `email`, `verified`, `did`,
    `display_name`. 401 without a live session."""
    return JSONResponse(
        {
            "id": learner.id,
            "email": learner.email,
            "verified": learner.email_verified_at is not None,
            "did": learner.did,
            "display_name": learner.display_name,
        },
        headers=la.NO_STORE,
    )


router.include_router(api_router)
