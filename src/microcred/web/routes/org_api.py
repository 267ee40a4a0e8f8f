"""The organisation API (``/api/v1/orgs/{slug}/...``) and the W3C VC API's issue.

Every request carries ``Authorization: Bearer mc_...`` (an API token, `microcred token
create`). A token belongs to one organisation: any other organisation's URL answers 404,
exactly as an organisation that does not exist does. Roles: viewer (read), issuer
(achievements, awards, cohorts, revoke / suspend / unsuspend, VC API issue), owner (key
rotation, audit log). Order of refusals: no valid token 401, another organisation 404,
role too low 403.

One transaction per request: the session dependency opens it before the token is checked
and commits it before the response is sent (rolled back on any error).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import achievements, awards, jobs, orgs, records, status, tokens, vcapi
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import Achievement, Credential, Organisation
from microcred.web import schemas
from microcred.web.deps import strict_json_body
from microcred.web.errors import problem

PREFIX = "/api/v1/orgs/{slug}"
# a JSON body with a key twice in one object is refused (deps.strict_json_body)
_STRICT_JSON = [Depends(strict_json_body)]
org_router = APIRouter(prefix=PREFIX, tags=["organisation API"], dependencies=_STRICT_JSON)
vc_router = APIRouter(tags=["VC API"], dependencies=_STRICT_JSON)

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
_COMMON: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API token (missing, unknown or revoked).", **_PROBLEM},
    403: {"description": "The token's role does not allow this.", **_PROBLEM},
    404: {"description": "Not found (or another organisation's).", **_PROBLEM},
}


# ---- the request's transaction, token and organisation -----------------------------------
def _session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token of the organisation: `microcred token create`.",
)


def _identity(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> tokens.TokenIdentity:
    if credentials is None:
        raise tokens.Unauthorized("an API token is required: Authorization: Bearer mc_...")
    return tokens.authenticate(session, credentials.credentials)


IdentityDep = Annotated[tokens.TokenIdentity, Depends(_identity)]


@dataclass(frozen=True)
class OrgScope:
    """What a handler works with: the transaction, the token's organisation and role, and
    an issuing context whose actor (for the audit log) is the token."""

    session: Session
    org: Organisation
    identity: tokens.TokenIdentity
    ctx: IssuingContext

    def url(self, credential_id: str) -> str:
        return f"{self.ctx.base_url}/credentials/{credential_id}"


def _scope_of(request: Request, session: Session, identity: tokens.TokenIdentity) -> OrgScope:
    ctx = replace(request.app.state.issuing, actor=identity.actor)
    return OrgScope(session, identity.org, identity, ctx)


def _org_scope(role: str) -> Callable[..., OrgScope]:
    def dependency(
        request: Request, slug: str, session: SessionDep, identity: IdentityDep
    ) -> OrgScope:
        if slug != identity.org.slug:  # the same answer as for an organisation that is not
            raise MicrocredError(f"There is nothing at {request.url.path}.", code="not_found")
        tokens.require(identity, role)
        return _scope_of(request, session, identity)

    return dependency


def _token_scope(role: str) -> Callable[..., OrgScope]:
    def dependency(request: Request, session: SessionDep, identity: IdentityDep) -> OrgScope:
        tokens.require(identity, role)
        return _scope_of(request, session, identity)

    return dependency


Viewer = Annotated[OrgScope, Depends(_org_scope("viewer"))]
Issuer = Annotated[OrgScope, Depends(_org_scope("issuer"))]
Owner = Annotated[OrgScope, Depends(_org_scope("owner"))]
TokenIssuer = Annotated[OrgScope, Depends(_token_scope("issuer"))]


# ---- shapes -------------------------------------------------------------------------------
def _achievement(a: Achievement) -> schemas.AchievementPublic:
    return schemas.AchievementPublic(
        id=a.id,
        name=a.name,
        definition=a.definition,
        validity_days=a.validity_days,
        created_at=records.aware(a.created_at),  # type: ignore[arg-type]
        updated_at=records.aware(a.updated_at),  # type: ignore[arg-type]
    )


def _credential(sc: OrgScope, c: Credential, achievement_name: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "achievement_id": c.achievement_id,
        "achievement_name": achievement_name,
        "recipient_kind": c.recipient_kind,
        "recipient": c.recipient_key,
        "recipient_name": c.recipient_name,
        "state": records.state_of(c),
        "issued_at": records.aware(c.issued_at),
        "valid_from": records.aware(c.valid_from),
        "valid_until": records.aware(c.valid_until),
        "revoked_at": records.aware(c.revoked_at),
        "suspended": c.suspended,
        "replaced_by": c.replaced_by,
        "job_id": c.job_id,
        "url": sc.url(c.id),
    }


def _detail(sc: OrgScope, c: Credential) -> schemas.CredentialDetail:
    name = records.achievement_name(sc.session, c)
    return schemas.CredentialDetail(**_credential(sc, c, name), credential=c.document)


def _report(report: Any) -> dict[str, Any]:
    problems = [
        schemas.RowProblemPublic(line=p.line, column=p.column, message=p.message).model_dump()
        for p in report.problems
    ]
    return {
        "rows": report.rows,
        "valid": report.valid,
        "problem_count": max(report.problem_count, len(problems)),
        "problems": problems,
        "duplicates_in_file": [list(d) for d in report.duplicates_in_file],
    }


# ---- organisation and achievements --------------------------------------------------------
@org_router.get("", response_model=schemas.OrgPublic, responses=_COMMON, summary="The organisation")
def get_org(sc: Viewer) -> schemas.OrgPublic:
    org = sc.org
    keys = [
        schemas.KeyPublic(
            public_key_multibase=k.public_key_multibase,
            created_at=records.aware(k.created_at),  # type: ignore[arg-type]
            retired_at=records.aware(k.retired_at),
        )
        for k in orgs.keys_of(sc.session, org)
    ]
    return schemas.OrgPublic(
        slug=org.slug,
        name=org.name,
        issuer_id=orgs.issuer_id(org, sc.ctx, sc.session),
        provider_type=org.provider_type,
        url=org.url,
        email=org.email,
        description=org.description,
        keys=keys,
        token_role=sc.identity.role,
    )


@org_router.get(
    "/achievements",
    response_model=list[schemas.AchievementPublic],
    responses=_COMMON,
    summary="The organisation's achievements",
)
def list_achievements(sc: Viewer) -> list[schemas.AchievementPublic]:
    rows = sc.session.scalars(
        select(Achievement).where(Achievement.org_id == sc.org.id).order_by(Achievement.created_at)
    )
    return [_achievement(a) for a in rows]


@org_router.post(
    "/achievements",
    status_code=201,
    response_model=schemas.AchievementPublic,
    responses={**_COMMON, 400: {"description": "The definition has a problem (its JSON path)."}},
    summary="Define an achievement",
)
def create_achievement(
    sc: Issuer, definition: schemas.AchievementCreate
) -> schemas.AchievementPublic:
    return _achievement(achievements.create_achievement(sc.session, sc.org, definition.root))


@org_router.get(
    "/achievements/{achievement_id}",
    response_model=schemas.AchievementPublic,
    responses=_COMMON,
    summary="An achievement",
)
def get_achievement(sc: Viewer, achievement_id: str) -> schemas.AchievementPublic:
    return _achievement(achievements.get_achievement(sc.session, sc.org, achievement_id))


@org_router.put(
    "/achievements/{achievement_id}",
    response_model=schemas.AchievementPublic,
    responses={**_COMMON, 400: {"description": "The definition has a problem (its JSON path)."}},
    summary="Replace an achievement's definition (for awards from now on)",
)
def put_achievement(
    sc: Issuer, achievement_id: str, definition: schemas.AchievementCreate
) -> schemas.AchievementPublic:
    ach = achievements.get_achievement(sc.session, sc.org, achievement_id)
    return _achievement(achievements.update_achievement(sc.session, ach, definition.root))


# ---- awards, cohorts, jobs ----------------------------------------------------------------
@org_router.post(
    "/awards",
    status_code=201,
    response_model=schemas.AwardPublic,
    responses={
        **_COMMON,
        200: {"description": "Skipped: the recipient holds it already (on_duplicate=skip)."},
        409: {"description": "The recipient holds it already (on_duplicate=fail).", **_PROBLEM},
    },
    summary="Award an achievement to one recipient",
)
def award(sc: Issuer, body: schemas.AwardCreate, response: Response) -> schemas.AwardPublic:
    ach = achievements.get_achievement(sc.session, sc.org, body.achievement_id)
    recipient = awards.Recipient(
        email=body.email,
        did=body.did,
        name=body.name,
        grade=body.grade,
        score=body.score,
        evidence_url=body.evidence_url,
        evidence_narrative=body.evidence_narrative,
        narrative=body.narrative,
    )
    out = awards.issue_award(
        sc.session,
        sc.ctx,
        org=sc.org,
        achievement=ach,
        recipient=recipient,
        on_duplicate=body.on_duplicate,
        notify=body.notify,
    )
    if out.status == "skipped":
        response.status_code = 200
    return schemas.AwardPublic(
        credential_id=out.credential.id,
        status=out.status,  # type: ignore[arg-type]
        url=sc.url(out.credential.id),
        replaced=out.replaced,
        credential=out.credential.document,
    )


@org_router.post(
    "/cohorts",
    status_code=202,
    responses={
        **_COMMON,
        200: {"description": "Dry run: the report.", "model": schemas.CohortReport},
        202: {
            "description": "The job is created; its rows are issued by the worker.",
            "model": schemas.JobAccepted,
        },
        400: {
            "description": "The CSV has problems (listed by line and column); nothing was stored.",
            **_PROBLEM,
        },
        413: {"description": "The upload is larger than the limit.", **_PROBLEM},
    },
    summary="Award an achievement to a cohort (CSV upload)",
)
def cohort(
    sc: Issuer,
    response: Response,
    file: Annotated[UploadFile, File(description="The cohort CSV (UTF-8).")],
    achievement_id: Annotated[str, Form()],
    on_duplicate: Annotated[schemas.Duplicate, Form()] = "skip",
    dry_run: Annotated[bool, Form(description="Check everything, store nothing.")] = False,
) -> Any:
    """Columns: email or did, name, and optionally grade, score, evidence_url,
    evidence_narrative, narrative, valid_from, valid_until. The whole file is checked
    before anything is stored; a dry run answers the report (200), otherwise a job is
    created (202) and `GET .../jobs/{job_id}` follows its progress."""
    ach = achievements.get_achievement(sc.session, sc.org, achievement_id)
    data = file.file.read()
    if dry_run:
        report = jobs.dry_run(cast(Any, io.BytesIO(data)), ach)
        response.status_code = 200
        return schemas.CohortReport(ok=report.ok, **_report(report))
    try:
        job = jobs.create_job(
            sc.session,
            org=sc.org,
            achievement=ach,
            open_stream=lambda: cast(Any, io.BytesIO(data)),
            source=(file.filename or "upload.csv")[:300],
            on_duplicate=on_duplicate,
        )
    except jobs.CohortRejected as exc:  # raised before anything is stored
        return problem(400, exc.user_message, code=exc.code, **_report(exc.report))
    status_url = f"{PREFIX.replace('{slug}', sc.org.slug)}/jobs/{job.id}"
    response.headers["Location"] = status_url
    return schemas.JobAccepted(job_id=job.id, total=job.total, status_url=status_url)


@org_router.get(
    "/jobs/{job_id}",
    response_model=schemas.JobPublic,
    responses=_COMMON,
    summary="A cohort job's progress",
)
def job_progress(sc: Viewer, job_id: str) -> schemas.JobPublic:
    job = records.job_of(sc.session, sc.org, job_id)
    p = jobs.progress(sc.session, job.id)
    failures = [
        schemas.JobFailure(line=r.line, error=r.error) for r in jobs.rows_of(sc.session, job.id)
    ][:100]
    return schemas.JobPublic(
        job_id=p.job_id,
        state=p.state,
        total=p.total,
        done=p.done,
        skipped=p.skipped,
        failed=p.failed,
        failures=failures,
    )


# ---- credentials --------------------------------------------------------------------------
@org_router.get(
    "/credentials",
    response_model=schemas.CredentialList,
    responses=_COMMON,
    summary="Search the organisation's credentials",
)
def list_credentials(
    sc: Viewer,
    q: Annotated[str | None, Query(max_length=320, description="Recipient or name.")] = None,
    achievement_id: str | None = None,
    state: schemas.State | None = None,
    limit: Annotated[int, Query(ge=1, le=records.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> schemas.CredentialList:
    page = records.search_credentials(
        sc.session,
        sc.org,
        q=q,
        achievement_id=achievement_id,
        state=state,
        limit=limit,
        offset=offset,
    )
    items = [schemas.CredentialPublic(**_credential(sc, c, name)) for c, name in page.items]
    return schemas.CredentialList(total=page.total, limit=limit, offset=offset, items=items)


@org_router.get(
    "/credentials.csv",
    response_class=Response,
    responses={**_COMMON, 200: {"content": {"text/csv": {}}}},
    summary="Export the credentials (CSV)",
)
def export_credentials(sc: Viewer) -> Response:
    """One row per credential. A cell that a spreadsheet would run as a formula (starting
    with = + - @, a tab or a carriage return) is prefixed with a single quote."""
    body = "".join(records.export_csv(sc.session, sc.org, base_url=sc.ctx.base_url))
    name = f"{sc.org.slug}-credentials.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@org_router.get(
    "/credentials/{credential_id}",
    response_model=schemas.CredentialDetail,
    responses=_COMMON,
    summary="A credential",
)
def get_credential(sc: Viewer, credential_id: str) -> schemas.CredentialDetail:
    return _detail(sc, awards.get_credential(sc.session, credential_id, org=sc.org))


def _status_route(action: str) -> Callable[..., schemas.CredentialDetail]:
    def change(sc: Issuer, credential_id: str, body: schemas.StatusChange) -> Any:
        cred = awards.get_credential(sc.session, credential_id, org=sc.org)
        status.change_status(sc.session, sc.ctx, cred, action, reason=body.reason)
        return _detail(sc, cred)

    change.__name__ = f"{action}_credential"
    change.__doc__ = f"{action.capitalize()} a credential: its status list changes at once."
    return change


for _action in ("revoke", "suspend", "unsuspend"):
    org_router.post(
        f"/credentials/{{credential_id}}/{_action}",
        response_model=schemas.CredentialDetail,
        responses={**_COMMON, 409: {"description": "Not applicable now.", **_PROBLEM}},
        summary=f"{_action.capitalize()} a credential",
    )(_status_route(_action))


# ---- audit and keys -----------------------------------------------------------------------
@org_router.get(
    "/audit", response_model=schemas.AuditList, responses=_COMMON, summary="The audit log"
)
def audit_log(
    sc: Owner,
    subject: str | None = None,
    limit: Annotated[int, Query(ge=1, le=records.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> schemas.AuditList:
    total, entries = records.audit_page(
        sc.session, sc.org, subject=subject, limit=limit, offset=offset
    )
    items = [
        schemas.AuditPublic(
            id=e.id,
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            reason=e.reason,
            at=records.aware(e.at),  # type: ignore[arg-type]
        )
        for e in entries
    ]
    return schemas.AuditList(total=total, items=items)


@org_router.post(
    "/keys/rotate",
    response_model=schemas.KeyRotated,
    responses=_COMMON,
    summary="Rotate the signing key",
)
def rotate_key(sc: Owner, body: schemas.KeyRotate | None = None) -> schemas.KeyRotated:
    """Retire the current key and make a new one. Earlier credentials keep verifying (the
    retired public key stays published); only the new public key is answered."""
    reason = body.reason if body is not None else schemas.ROTATE_REASON
    return schemas.KeyRotated(
        public_key_multibase=orgs.rotate_key(sc.session, sc.ctx, sc.org, reason=reason)
    )


# ---- W3C VC API ---------------------------------------------------------------------------
@vc_router.post(
    "/credentials/issue",
    status_code=201,
    response_model=schemas.IssueResponse,
    responses={
        401: _COMMON[401],
        403: _COMMON[403],
        400: {
            "description": "Not this organisation's issuer, or shape problems (`problems` "
            "names each JSON path).",
            **_PROBLEM,
        },
    },
    summary="Issue a credential (W3C VC API)",
)
def issue_credential(sc: TokenIssuer, body: schemas.IssueRequest) -> Any:
    """Sign `credential` with the token's organisation's current key. Its `issuer` must be
    the organisation's issuer id (or is left out, and filled in with its Profile)."""
    try:
        signed = vcapi.issue_credential(
            sc.session, sc.ctx, sc.org, body.credential, options=body.options
        )
    except vcapi.CredentialRejected as exc:  # raised before anything is stored
        found = [{"path": p.path, "message": p.message} for p in exc.problems]
        return problem(400, exc.user_message, code=exc.code, problems=found)
    return schemas.IssueResponse(verifiableCredential=signed)


router = APIRouter()
router.include_router(org_router)
router.include_router(vc_router)
