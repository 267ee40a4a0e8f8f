"""The public page of a share link a learner made in their wallet.

GET /s/{token}                                  the shared credential(s), each re-checked
GET /s/{token}/credentials/{id}/original        a shared credential as imported (download)

An unknown, expired or revoked token (or one whose credential or collection is gone) is
the same 404 page. The page shows what each credential says and its status now (verified
again when the last check is more than an hour old), and only the identity fields the
learner chose (name, e-mail): never their DID nor their other credentials. It is not
cached, not indexed, and sends no Referer (the token is in the URL).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, WalletCredential
from microcred.vc.summary import summarize
from microcred.wallet import holdings, shares
from microcred.web.deps import FetchDep
from microcred.web.routes.wallet_api import original_response
from microcred.web.templating import render

router = APIRouter(include_in_schema=False)
SHARE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
MAX_AGE = timedelta(hours=1)
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


def _item(token: str, row: WalletCredential, status: holdings.Status) -> dict[str, Any]:
    summary = summarize(row.document)
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
        "state_label": STATE_LABELS.get(status.state, status.state),
        "verdict": status.verdict,
        "reason": status.reason,
        "checked_at": holdings.utc(status.checked_at).strftime("%d %B %Y %H:%M UTC"),
        "original": f"/s/{token}/credentials/{row.id}/original",
    }


@router.get("/s/{token}", name="share_page")
def share_page(request: Request, token: str, fetch: FetchDep) -> Response:
    with session_scope(_engine(request)) as s:
        view = shares.resolve_share(s, token)
        if view is None:
            return _not_found(request)
        owner = s.get(LearnerAccount, view.link.learner_id)
        assert owner is not None  # resolve_share found it
        items = [
            _item(token, row, holdings.recheck(s, owner, row, fetch=fetch, max_age=MAX_AGE))
            for row in view.credentials
        ]
        context = {
            "items": items,
            "collection_name": view.collection_name,
            "collection_description": view.collection_description,
            "holder_name": view.holder_name,
            "holder_email": view.holder_email,
            "expires": _date(view.link.expires_at),
            "now": datetime.now(UTC).strftime("%d %B %Y"),
        }
    response = render(request, "share.html", **context)
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
