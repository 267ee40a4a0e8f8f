"""Pages a learner reaches from our e-mails, and the development outbox.

GET  /claim/{token}          the claim page: the credential, and a form to choose whether
                             its public page shows the learner's name
POST /claim/{token}          records the claim (form token required), 303 to the credential
POST /claim/{token}/wallet   a signed-in learner to whom it was issued (one of their
                             verified addresses, or their DID) puts the credential into
                             their wallet (and claims it), 303 to its wallet page
GET  /renew/{credential_id}  how to renew, from the achievement's renewal rules
GET  /console/outbox         the last 200 e-mails (development only; 404 otherwise)
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from microcred.errors import MicrocredError
from microcred.issuing import claims, notify
from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, WalletCredential
from microcred.wallet import holdings
from microcred.web import learner_auth as la
from microcred.web.deps import FetchDep, TrustDep
from microcred.web.templating import render

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.issuing.secret
    return secret


def _wallet_offer(request: Request, view: claims.ClaimView, token: str) -> dict[str, Any]:
    """What the claim page says about the wallet: ``state`` is ``signin`` (not signed in:
    links to sign in or up, coming back here), ``unverified`` (issued to an address of the
    learner's they have not confirmed, or they have confirmed none), ``mismatch`` (another
    recipient),
    ``in_wallet`` or ``offer`` (the form, with ``sentence``: to whom it was issued)."""
    learner = la.optional_learner(request)
    back = quote(f"/claim/{token}", safe="")
    offer: dict[str, Any] = {
        "state": "signin",
        "held": "/wallet",
        "signin": f"{la.SIGNIN_PATH}?next={back}",
        "signup": f"/account/signup?next={back}",
        "action": f"/claim/{token}/wallet",
    }
    if learner is None:
        return offer
    with session_scope(_engine(request)) as s:
        match = holdings.recipient_match(s, learner, view.credential.document)
        problem = holdings.claim_problem(s, learner, view.credential.document)
        if problem == "unconfirmed":
            offer["state"] = "unverified"
        elif problem is not None:
            offer["state"] = "mismatch"
        else:
            held = s.scalar(
                select(WalletCredential.id).where(
                    WalletCredential.learner_id == learner.id,
                    WalletCredential.issued_credential_id == view.credential.id,
                )
            )
            offer["state"] = "in_wallet" if held else "offer"
            offer["held"] = f"/wallet/credentials/{held}" if held else "/wallet"
    offer["email"] = learner.email
    offer["sentence"] = (
        "It was issued to your DID"
        if match.how == "did"
        else "It was issued to one of your confirmed e-mail addresses"
    )
    return offer


@router.get("/claim/{token}", name="claim_page")
def claim_page(request: Request, token: str) -> Response:
    with session_scope(_engine(request)) as s:
        view = claims.credential_for_token(s, token)
    wallet = _wallet_offer(request, view, token)
    response = render(
        request,
        "claim.html",
        view=view,
        csrf=claims.form_token(_secret(request), token),
        action=request.url.path,
        wallet=wallet,
    )
    response.headers.update(NO_STORE)
    if wallet["state"] != "signin":  # a signed-in form must send its Origin
        response.headers.update(la.PAGE_HEADERS)
    return response


@router.post("/claim/{token}/wallet", name="claim_into_wallet")
def claim_into_wallet(
    request: Request, token: str, learner: la.LearnerPost, fetch: FetchDep, trust: TrustDep
) -> Response:
    """Add the claimed credential to the signed-in learner's wallet (their verified e-mail
    must be the recipient's) and record the claim as the claim form does."""
    try:
        with session_scope(_engine(request)) as s:
            view = claims.credential_for_token(s, token)
            me = s.get(LearnerAccount, learner.id)
            if me is None:
                raise la.SignInRequired()
            row = holdings.claim_into_wallet(s, me, view.credential, fetch=fetch, trust=trust)
            claims.claim(s, view, show_recipient=bool(view.credential.show_recipient))
            wallet_id = row.id
    except claims.NotFound:
        raise
    except MicrocredError as exc:
        status = 403 if exc.code == "forbidden" else 409 if exc.code == "conflict" else 400
        response = render(
            request,
            "error.html",
            status,
            title="Not added to your wallet",
            status=status,
            detail=exc.user_message[:1].upper() + exc.user_message[1:],
        )
        response.headers.update(la.PAGE_HEADERS)
        return response
    return RedirectResponse(f"/wallet/credentials/{wallet_id}", status_code=303, headers=NO_STORE)


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
