"""The public page of a share link a learner made in their wallet.

GET /s/{token}                                  the shared credential(s), each re-checked
GET /s/{token}/credentials/{id}/original        a shared credential as imported (download)

An unknown, expired or revoked token (or one whose credential or collection is gone) is
the same 404 page. The page shows who issued each credential first (its identity level, in
plain words, as this server's trust registries establish it), what it says and its status
now (verified again on every view: a credential suspended a second ago shows suspended; a
departure from Open Badges 3.0 that changes nothing is a quiet note), to whom it was
issued as the holder's account stands now (one of their confirmed e-mail addresses, their
DID, or neither any more: then the page says so and does not call it verified), and only
the identity fields the learner chose (name, e-mail): never their DID nor their other
credentials. It is not cached, not indexed, and sends no Referer (the token is in the URL).

The view reads in one transaction, verifies outside any (a status list fetch may take
seconds: no database lock is held meanwhile), then records the new checks and the view in
a short write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, WalletCredential
from microcred.vc.recipient import RecipientMatch, describe_subject
from microcred.vc.summary import summarize
from microcred.wallet import holdings, shares
from microcred.web.deps import FetchDep, TrustDep
from microcred.web.routes.wallet_api import original_response
from microcred.web.templating import render

router = APIRouter(include_in_schema=False)
SHARE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
GONE = "This share link does not exist, has expired, or was revoked by its holder."
STATE_LABELS = {
    "verified": "Verified",
    "indeterminate": "Could not be fully checked",
    "expired": "Expired",
    "revoked": "Revoked by its issuer",
    "suspended": "Suspended by its issuer",
    "failed": "Not valid",
}


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _not_found(request: Request) -> Response:
    response = render(request, "error.html", 404, title="Not Found", status=404, detail=GONE)
    response.headers.update(SHARE_HEADERS)
    return response


def _date(t: datetime | None) -> str | None:
    return holdings.utc(t).strftime("%d %B %Y") if t is not None else None


def holder_line(match: RecipientMatch, document: dict[str, Any]) -> str:
    """To whom the credential was issued, for whoever the holder shares it with (never the
    holder's DID or address itself)."""
    if match.how == "did":
        return "Issued to the holder's DID"
    if match.matched:
        return "Issued to the holder's verified e-mail address"
    return (
        "Not shown to be the holder's: this credential's subject is "
        f"{describe_subject(document)}, which is none of the holder's confirmed e-mail "
        "addresses nor their DID (any more)"
    )


def _item(
    token: str, row: WalletCredential, status: holdings.Status, match: RecipientMatch
) -> dict[str, Any]:
    summary = summarize(row.document)
    label = STATE_LABELS.get(status.state, status.state)
    if not match.matched and status.state == "verified":
        label = "Genuine, but not shown to be the holder's"
    identity = holdings.identity_of(row)
    return {
        "id": row.id,
        "name": row.name,
        "issuer": row.issuer_name or row.issuer_id or "unknown issuer",
        "issuer_id": row.issuer_id,
        "description": summary.achievement_description or summary.description,
        "criteria": summary.criteria,
        "skills": [
            str(s.get("label") or s.get("uri"))
            for s in row.skills
            if isinstance(s, dict) and (s.get("label") or s.get("uri"))
        ],
        "valid_from": _date(row.valid_from),
        "valid_until": _date(row.valid_until),
        "state": status.state,
        "state_label": label,
        "identity": identity,
        "conformance": holdings.conformance_of(row),
        "holder_matched": match.matched,
        "holder_line": holder_line(match, row.document),
        "verdict": status.verdict,
        "reason": status.reason,
        "checked_at": holdings.utc(status.checked_at).strftime("%d %B %Y %H:%M UTC"),
        "original": f"/s/{token}/credentials/{row.id}/original",
    }


@router.get("/s/{token}", name="share_page")
def share_page(request: Request, token: str, fetch: FetchDep, trust: TrustDep) -> Response:
    engine = _engine(request)
    with session_scope(engine) as s:  # reads only
        view = shares.resolve_share(s, token, count=False)
        if view is None:
            return _not_found(request)
        owner = s.get(LearnerAccount, view.link.learner_id)
        assert owner is not None  # resolve_share found it
        holder = holdings.Holder.of(s, owner)
    now = datetime.now(UTC)
    rows = view.credentials
    checks = holdings.check_rows(rows, fetch=fetch, now=now, trust=trust)  # no transaction open
    with session_scope(engine) as s:  # a short write: the new checks, one more view
        holdings.store_checks(s, owner, rows, checks, now=now)
        shares.count_view(s, view.link.id)
    items = [
        _item(token, row, holdings.status_of(row, now), holder.match(row.document)) for row in rows
    ]
    response = render(
        request,
        "share.html",
        items=items,
        collection_name=view.collection_name,
        collection_description=view.collection_description,
        holder_name=view.holder_name,
        holder_email=view.holder_email,
        expires=_date(view.link.expires_at),
        now=now.strftime("%d %B %Y"),
    )
    response.headers.update(SHARE_HEADERS)
    return response


@router.get("/s/{token}/credentials/{credential_id}/original", name="share_original")
def share_original(request: Request, token: str, credential_id: str) -> Response:
    """A credential of the share, as imported (404 for any other credential)."""
    with session_scope(_engine(request)) as s:
        view = shares.resolve_share(s, token)
        row = next((r for r in view.credentials if r.id == credential_id), None) if view else None
        if row is None:
            return _not_found(request)
        response = original_response(row)
    response.headers.update(SHARE_HEADERS)
    return response
