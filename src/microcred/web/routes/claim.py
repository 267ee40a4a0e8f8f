"""Pages a learner reaches from our e-mails, and the development outbox.

GET  /claim/{token}          the claim page: the credential, and a form to choose whether
                             its public page shows the learner's name
POST /claim/{token}          records the claim (form token required), 303 to the credential
GET  /renew/{credential_id}  how to renew, from the achievement's renewal rules
GET  /console/outbox         the last 200 e-mails (development only; 404 otherwise)
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from microcred.issuing import claims, notify
from microcred.store.db import session_scope
from microcred.web.templating import render

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.issuing.secret
    return secret


@router.get("/claim/{token}", name="claim_page")
def claim_page(request: Request, token: str) -> Response:
    with session_scope(_engine(request)) as s:
        view = claims.credential_for_token(s, token)
    response = render(
        request,
        "claim.html",
        view=view,
        csrf=claims.form_token(_secret(request), token),
        action=request.url.path,
    )
    response.headers.update(NO_STORE)
    return response


@router.post("/claim/{token}")
def claim_submit(
    request: Request,
    token: str,
    csrf: Annotated[str | None, Form()] = None,
    show_name: Annotated[str | None, Form()] = None,
) -> Response:
    if not claims.check_form_token(_secret(request), token, csrf):
        return render(
            request,
            "error.html",
            403,
            title="Forbidden",
            status=403,
            detail="This form did not come from your claim link. Open the link from the "
            "e-mail again and choose once more.",
        )
    with session_scope(_engine(request)) as s:
        view = claims.credential_for_token(s, token)
        claims.claim(s, view, show_recipient=show_name == "yes")
        credential_id = view.credential.id
    return RedirectResponse(f"/credentials/{credential_id}", status_code=303, headers=NO_STORE)


@router.get("/renew/{credential_id:uuid}", name="renew_page")
def renew_page(request: Request, credential_id: UUID) -> Response:
    with session_scope(_engine(request)) as s:
        view = claims.renewal(s, str(credential_id))
    return render(request, "renew.html", view=view)


@router.get("/console/outbox", name="outbox_page")
def outbox_page(request: Request) -> Response:
    if request.app.state.settings.environment != "development":
        raise HTTPException(status_code=404)
    with session_scope(_engine(request)) as s:
        mails = notify.recent_mails(s, limit=200)
        waiting = notify.pending_count(s)
    response = render(
        request,
        "outbox.html",
        mails=mails,
        waiting=waiting,
        smtp=bool(request.app.state.settings.smtp_host),
    )
    response.headers.update(NO_STORE)
    return response
