"""The organisation console (HTML): sign-in, dashboard, credentials, keys.

GET  /console/login, POST /console/login    sign in with an API token; POST /console/logout
GET  /console                               dashboard: issued / claimed / viewed / verified
GET  /console/credentials[.csv]             search and filters; the CSV export
GET  /console/credentials/{id}              one credential, its audit trail, status forms
POST /console/credentials/{id}/{action}     revoke / suspend / unsuspend, with a reason
GET  /console/keys, POST /console/keys/rotate   public keys; rotation (owner)

Achievements, awards and cohorts are in ``console_issue``. Roles as in the API: a viewer
reads, an issuer awards and changes status, an owner rotates keys. Every form carries the
session's CSRF value (see ``web.console_auth``).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from microcred.errors import MicrocredError
from microcred.issuing import awards, dashboard, orgs, records, status, tokens
from microcred.store.db import session_scope
from microcred.store.models import AuditEntry
from microcred.web import console_auth
from microcred.web.chart import line_chart
from microcred.web.console_kit import (
    NO_STORE,
    PAGE_HEADERS,
    ConsoleDep,
    ConsoleRoute,
    IssuerPost,
    OwnerPost,
    ViewerPost,
    engine,
    org_achievements,
    page,
    safe_next,
    see_other,
)
from microcred.web.errors import STATUS_BY_CODE
from microcred.web.routes import console_issue
from microcred.web.templating import render

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
PAGE_SIZE = 50
KIND_LABELS = {"issued": "Issued", "claimed": "Claimed", "viewed": "Viewed", "verified": "Verified"}
ACTIONS = ("revoke", "suspend", "unsuspend")
ROTATE_REASON = "rotated in the console"


# ---- sign-in ------------------------------------------------------------------------------
def _login_page(request: Request, *, next_path: str, error: str | None, status: int) -> Response:
    nonce, form_value = console_auth.new_login_form(request)
    response = render(
        request, "console/login.html", status, csrf=form_value, next=next_path, error=error
    )
    console_auth.remember_login_form(request, response, nonce)
    response.headers.update(PAGE_HEADERS)
    return response


@router.get("/login", name="console_login")
def login_page(request: Request, next: str | None = None) -> Response:
    if console_auth.current(request) is not None:
        return see_other(safe_next(next))
    return _login_page(request, next_path=safe_next(next), error=None, status=200)


@router.post("/login")
def login_submit(
    request: Request,
    token: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    console_auth.check_origin(request)
    console_auth.check_login_form(request, csrf)
    try:
        with session_scope(engine(request)) as s:
            identity = tokens.authenticate(s, token.strip())
            s.add(
                AuditEntry(
                    org_id=identity.org.id,
                    actor=identity.actor,
                    action="console_sign_in",
                    subject=identity.token_id,
                )
            )
    except tokens.Unauthorized:
        return _login_page(
            request,
            next_path=safe_next(next),
            error="That is not a valid API token (unknown, mistyped or revoked).",
            status=400,
        )
    response = see_other(safe_next(next))
    console_auth.start_session(request, response, identity)
    return response


@router.post("/logout")
def logout(request: Request, console: ViewerPost) -> Response:
    response = see_other("/console/login")
    console_auth.end_session(request, response)
    return response


# ---- dashboard ----------------------------------------------------------------------------
@router.get("", name="console_dashboard")
def dashboard_page(request: Request, console: ConsoleDep) -> Response:
    with session_scope(engine(request)) as s:
        org = console.org(s)
        weekly = dashboard.weekly_counts(s, org)
        jobs = dashboard.recent_jobs(s, org)
        achievement_count = len(org_achievements(s, console))
    chart = line_chart(
        weekly.weeks,
        weekly.counts,
        title="Issued, claimed, viewed and verified credentials per week, last 12 weeks",
        labels=KIND_LABELS,
    )
    return page(
        request,
        console,
        "dashboard.html",
        weekly=weekly,
        chart=chart,
        kinds=KIND_LABELS,
        jobs=jobs,
        achievement_count=achievement_count,
    )


# ---- credentials --------------------------------------------------------------------------
@router.get("/credentials", name="console_credentials")
def credentials_page(
    request: Request,
    console: ConsoleDep,
    q: Annotated[str, Query(max_length=320)] = "",
    achievement: Annotated[str, Query(max_length=64)] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    state = state if state in records.STATES else ""
    with session_scope(engine(request)) as s:
        org = console.org(s)
        found = records.search_credentials(
            s,
            org,
            q=q or None,
            achievement_id=achievement or None,
            state=state or None,
            limit=PAGE_SIZE,
            offset=(page_number - 1) * PAGE_SIZE,
        )
        rows = [(c, name, records.state_of(c)) for c, name in found.items]
        options = [(a.id, a.name) for a in org_achievements(s, console)]
    filters = {"q": q, "achievement": achievement, "state": state}
    pages = max(1, -(-found.total // PAGE_SIZE))

    def link(n: int) -> str:
        return "/console/credentials?" + urlencode({**filters, "page": n})

    return page(
        request,
        console,
        "credentials.html",
        rows=rows,
        total=found.total,
        filters=filters,
        options=options,
        states=records.STATES,
        page_number=page_number,
        pages=pages,
        prev_link=link(page_number - 1) if page_number > 1 else None,
        next_link=link(page_number + 1) if page_number < pages else None,
    )


@router.get("/credentials.csv", name="console_credentials_csv")
def credentials_csv(request: Request, console: ConsoleDep) -> Response:
    """Every credential; a cell a spreadsheet would run as a formula gets a leading quote."""
    with session_scope(engine(request)) as s:
        body = "".join(records.export_csv(s, console.org(s), base_url=console.ctx.base_url))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{console.org_slug}-credentials.csv"',
            **NO_STORE,
        },
    )


def _credential_page(
    request: Request,
    console: console_auth.Console,
    credential_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    with session_scope(engine(request)) as s:
        org = console.org(s)
        cred = awards.get_credential(s, credential_id, org=org)
        name = records.achievement_name(s, cred)
        trail = None
        if console.can("issuer"):
            _, entries = records.audit_page(s, org, subject=cred.id, limit=200)
            trail = entries
    return page(
        request,
        console,
        "credential.html",
        status_code,
        cred=cred,
        achievement_name=name,
        state=records.state_of(cred),
        trail=trail,
        public_url=f"/credentials/{cred.id}",
        error=error,
        done=done,
    )


DONE = {
    "issued": "Issued.",
    "reissued": "Issued again; the earlier credential is revoked.",
    "skipped": "Not issued: the recipient already holds it (this is their credential).",
    "revoke": "Revoked. Its status list says so from now on.",
    "suspend": "Suspended. It fails verification until it is unsuspended.",
    "unsuspend": "Unsuspended.",
}


@router.get("/credentials/{credential_id}", name="console_credential")
def credential_page(
    request: Request, console: ConsoleDep, credential_id: str, done: str | None = None
) -> Response:
    return _credential_page(request, console, credential_id, done=DONE.get(done) if done else None)


@router.post("/credentials/{credential_id}/{action}")
def change_status(
    request: Request,
    console: IssuerPost,
    credential_id: str,
    action: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if action not in ACTIONS:
        raise MicrocredError(f"There is nothing at {request.url.path}.", code="not_found")
    try:
        with session_scope(engine(request)) as s:
            cred = awards.get_credential(s, credential_id, org=console.org(s))
            status.change_status(s, console.ctx, cred, action, reason=reason)
    except MicrocredError as exc:
        if exc.code == "not_found":
            raise
        return _credential_page(
            request,
            console,
            credential_id,
            error=exc.user_message,
            status_code=STATUS_BY_CODE.get(exc.code, 400),
        )
    return see_other(f"/console/credentials/{credential_id}?done={action}")


# ---- keys ---------------------------------------------------------------------------------
def _keys_page(request: Request, console: console_auth.Console, *, done: bool = False) -> Response:
    console.require("owner")
    with session_scope(engine(request)) as s:
        org = console.org(s)
        keys = [
            (k.public_key_multibase, records.aware(k.created_at), records.aware(k.retired_at))
            for k in orgs.keys_of(s, org)
        ]
        issuer = orgs.issuer_id(org, console.ctx, s)
    return page(
        request,
        console,
        "keys.html",
        keys=keys,
        issuer_id=issuer,
        did_web=console.ctx.did_web,
        done=done,
    )


@router.get("/keys", name="console_keys")
def keys_page(request: Request, console: ConsoleDep, rotated: int = 0) -> Response:
    return _keys_page(request, console, done=bool(rotated))


@router.post("/keys/rotate")
def rotate(
    request: Request, console: OwnerPost, reason: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    with session_scope(engine(request)) as s:
        orgs.rotate_key(s, console.ctx, console.org(s), reason=reason.strip() or ROTATE_REASON)
    return see_other("/console/keys?rotated=1")


router.include_router(console_issue.router)
