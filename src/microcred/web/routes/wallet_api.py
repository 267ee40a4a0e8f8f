"""The wallet's JSON API, for the signed-in learner (session cookie): ``/api/v1/wallet``.

GET    /credentials                        list (filters, sort), each with its status (re-checked)
POST   /credentials                        import: file(s), a JSON {"url"} body, or the raw body
GET    /credentials/{id}                   one, whole (re-checked on every request)
POST   /credentials/{id}/recheck           verify it again now
DELETE /credentials/{id}                   remove it
GET    /credentials/{id}/original          the bytes as imported (an attachment)
PUT    /credentials/{id}/tags, /note       organise
GET    /collections, POST /collections     collections
PATCH  /collections/{id}, DELETE ...       rename, delete
POST   /collections/{id}/credentials       add credentials (ids in the body)
DELETE /collections/{id}/credentials       take them out
GET    /timeline, /expiring?days=, /skills views
GET    /export                             a ZIP (with the platform-signed CLR transcript)
POST   /transcript                         a CLR 2.0 transcript of chosen credentials
GET    /shares, POST /shares               share links (the URL is shown once)
DELETE /shares/{id}                        revoke one
POST   /presentations                      a verifiable presentation signed by the learner

Every mutation carries ``X-CSRF-Token`` (``learner_auth.require_csrf``: 403 without it).
Another learner's ids are 404, like ids that do not exist. One transaction per request;
errors are problem details (``web.errors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, ShareLink, WalletCredential
from microcred.vc.identity import TrustRegistry
from microcred.vc.jsondocs import loads_strict
from microcred.vc.verifier import Fetch
from microcred.wallet import export, holdings, organise, shares
from microcred.web.deps import FetchDep, TrustDep
from microcred.web.errors import PROBLEM_JSON, BadRequest
from microcred.web.learner_auth import LearnerDep, LearnerPost, SignInRequired
from microcred.web.wallet_schemas import (
    ChangedOut,
    CollectionIn,
    CollectionList,
    CollectionOut,
    CollectionPatch,
    CollectionRef,
    CredentialDetail,
    CredentialIds,
    CredentialList,
    CredentialOut,
    ExpiringList,
    ExpiringOut,
    ImportedOut,
    ImportResult,
    IssuerIdentityOut,
    NoteIn,
    NoteOut,
    PresentationIn,
    ShareCreated,
    ShareIn,
    ShareList,
    ShareOut,
    SkillEntryOut,
    SkillOut,
    SkillsProfile,
    StatusOut,
    TagsIn,
    TagsOut,
    TimelineEventOut,
    TimelineOut,
    TranscriptIn,
)

NO_STORE = "no-store"
MAX_FILES = 20
EXPIRING_DEFAULT = 30
EXPIRING_MAX = 3650


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = NO_STORE


router = APIRouter(prefix="/api/v1/wallet", tags=["wallet"], dependencies=[Depends(_no_store)])

_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A bad value (the detail names it).", **_PROBLEM},
    401: {"description": "Not signed in.", **_PROBLEM},
    403: {"description": "The X-CSRF-Token header is missing or wrong.", **_PROBLEM},
    404: {"description": "No such id in your wallet.", **_PROBLEM},
    409: {"description": "A conflict (a collection of that name, ...).", **_PROBLEM},
}
_IMPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    400: {
        "description": "Not a credential, or refused: a credential failed verification "
        "(the detail names the check and why); nothing was stored.",
        **_PROBLEM,
    },
    413: {"description": "The request is larger than the upload limit.", **_PROBLEM},
}
_IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "JSON, JSON Lines, VC-JWT, or baked PNG/SVG files "
                        "(repeat the field for several).",
                    },
                    "url": {"type": "string", "description": "An https URL to fetch."},
                },
            }
        },
        "application/json": {
            "schema": {
                "description": '`{"url": "https://..."}` to fetch, or the credential itself '
                "(a JSON object or array).",
            }
        },
        "application/octet-stream": {
            "schema": {
                "type": "string",
                "format": "binary",
                "description": "The input itself (JSON Lines, a VC-JWT, an image...).",
            }
        },
    },
}


# ---- plumbing -------------------------------------------------------------------------------
def _engine(request: Request) -> Any:
    return request.app.state.engine


@contextmanager
def _wallet(request: Request, learner: LearnerAccount) -> Iterator[tuple[Session, LearnerAccount]]:
    """One transaction, and the learner loaded in it (gone since sign-in: 401)."""
    with session_scope(_engine(request)) as s:
        me = s.get(LearnerAccount, learner.id)
        if me is None:
            raise SignInRequired()
        yield s, me


def _iso_utc(t: datetime | None) -> datetime | None:
    return holdings.utc(t) if t is not None else None


def _now() -> datetime:
    return datetime.now(UTC)


def status_out(status: holdings.Status) -> StatusOut:
    return StatusOut(
        verdict=status.verdict,  # type: ignore[arg-type]
        state=status.state,  # type: ignore[arg-type]
        reason=status.reason,
        checked_at=status.checked_at,
    )


def _fields(row: WalletCredential, status: holdings.Status) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "issuer_id": row.issuer_id,
        "issuer_name": row.issuer_name,
        "credential_id": row.credential_id,
        "valid_from": _iso_utc(row.valid_from),
        "valid_until": _iso_utc(row.valid_until),
        "added_at": holdings.utc(row.added_at),
        "media_type": row.media_type,
        "source": row.source,
        "tags": list(row.tags),
        "note": row.note,
        "skills": [
            SkillOut(
                uri=s.get("uri"),
                label=str(s.get("label") or s.get("uri")),
                framework=s.get("framework"),
            )
            for s in row.skills
            if isinstance(s, dict) and (s.get("label") or s.get("uri"))
        ],
        "renewal_url": row.renewal_url,
        "issued_credential_id": row.issued_credential_id,
        "status": status_out(status),
        "issuer_identity": _identity_out(row),
    }


def _identity_out(row: WalletCredential) -> IssuerIdentityOut | None:
    identity = holdings.identity_of(row)
    if identity is None:
        return None
    return IssuerIdentityOut(**identity.to_json())


def credential_out(row: WalletCredential, now: datetime) -> CredentialOut:
    return CredentialOut(**_fields(row, holdings.status_of(row, now)))


def _detail(
    s: Session, me: LearnerAccount, row: WalletCredential, status: holdings.Status
) -> CredentialDetail:
    return CredentialDetail(
        **_fields(row, status),
        document=row.document,
        report=row.report,
        collections=[
            CollectionRef(id=c.id, name=c.name) for c in organise.collections_of(s, me, row.id)
        ],
    )


def _collection_out(c: Any, count: int) -> CollectionOut:
    return CollectionOut(
        id=c.id,
        name=c.name,
        description=c.description,
        count=count,
        created_at=holdings.utc(c.created_at),
    )


def _share_fields(row: ShareLink) -> dict[str, Any]:
    return {
        "id": row.id,
        "target_kind": row.target_kind,
        "target_id": row.target_id,
        "label": row.label,
        "show_name": row.show_name,
        "show_email": row.show_email,
        "created_at": holdings.utc(row.created_at),
        "expires_at": _iso_utc(row.expires_at),
        "revoked_at": _iso_utc(row.revoked_at),
        "state": shares.share_state(row),
        "views": row.views,
    }


def share_url(request: Request, token: str) -> str:
    base: str = request.app.state.issuing.base_url
    return f"{base.rstrip('/')}/s/{token}"


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": NO_STORE,
        },
    )


def original_response(row: WalletCredential) -> Response:
    """The credential's bytes as imported, as a download (never rendered by a browser)."""
    name = export.file_name(row).rsplit("/", 1)[-1]
    return _attachment(row.original, row.media_type, name)


# ---- credentials ----------------------------------------------------------------------------
@router.get("/credentials", response_model=CredentialList, responses=_ERRORS)
def list_credentials(
    request: Request,
    learner: LearnerDep,
    fetch: FetchDep,
    trust: TrustDep,
    q: Annotated[str | None, Query(max_length=500, description="Words to find.")] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    collection: Annotated[str | None, Query(max_length=100, description="A collection id.")] = None,
    issuer: Annotated[str | None, Query(max_length=2000, description="Issuer id or name.")] = None,
    skill: Annotated[str | None, Query(max_length=2000, description="Skill URI or label.")] = None,
    sort: Literal["date", "issuer", "skill", "name"] = "date",
    order: Literal["asc", "desc"] | None = None,
) -> Any:
    """The learner's credentials, filtered and sorted, each with its status now: every
    credential listed is verified again (a revocation or suspension a second ago shows;
    the status lists are fetched as their caching headers allow, this deployment's own
    read from its database). A very large wallet is checked for at most a few seconds,
    oldest check first; the others keep their last check (`status.checked_at`)."""
    with _wallet(request, learner) as (s, me):
        rows = organise.list_credentials(
            s,
            me,
            q=q,
            tag=tag,
            collection=collection,
            issuer=issuer,
            skill=skill,
            sort=sort,
            order=order,
        )
    # outside a transaction
    holdings.check_and_store(_engine(request), me, rows, fetch=fetch, trust=trust)
    now = _now()
    items = [credential_out(r, now) for r in rows]
    return CredentialList(total=len(items), items=items)


def _run_import(
    request: Request,
    learner: LearnerAccount,
    inputs: list[tuple[str, bytes]],
    url: str | None,
    fetch: Fetch,
    trust: TrustRegistry,
) -> ImportResult:
    now = _now()
    if url is not None:  # fetched before the transaction; then all inputs, all or none
        inputs = [*inputs, (url.strip(), holdings.fetch_url(url, fetch=fetch))]
    try:
        with _wallet(request, learner) as (s, me):
            done = holdings.import_inputs(s, me, inputs, fetch=fetch, now=now, trust=trust)
            out = [
                ImportedOut(
                    id=d.credential.id,
                    name=d.credential.name,
                    created=d.created,
                    status=status_out(holdings.status_of(d.credential, now)),
                )
                for d in done
            ]
    except RecursionError:
        raise BadRequest("The input is nested too deeply to read.", code="bad_input") from None
    created = sum(1 for d in out if d.created)
    return ImportResult(created=created, duplicates=len(out) - created, credentials=out)


def _json_url(raw: bytes) -> str | None:
    """The URL of a ``{"url": "..."}`` body, else None (the body is the credential)."""
    try:
        body = loads_strict(raw, "the request body")
    except ValueError:  # not JSON, or a key twice: read as a credential, which names the key
        return None
    if isinstance(body, dict) and "url" in body and len(body) == 1:
        if not isinstance(body["url"], str):
            raise BadRequest("url: an https URL (a string)", code="bad_input")
        return body["url"]
    return None


@router.post(
    "/credentials",
    response_model=ImportResult,
    status_code=201,
    responses={200: {"description": "Every credential was in the wallet already."}}
    | _IMPORT_ERRORS,
    openapi_extra={"requestBody": _IMPORT_BODY},
)
async def import_credentials(
    request: Request, response: Response, learner: LearnerPost, fetch: FetchDep, trust: TrustDep
) -> Any:
    """Verify and store credentials: files (`multipart/form-data`, field `file`, repeatable:
    JSON, JSON Lines, VC-JWT, baked PNG or SVG), a `{"url": ...}` JSON body (fetched by the
    guarded fetcher), or the raw input as the body. All or nothing: a credential that fails
    verification is refused (400 naming the check and why) and nothing is stored. A
    credential already in the wallet is reported with `created: false`. 201 when something
    was added, 200 when nothing was new."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    inputs: list[tuple[str, bytes]] = []
    url: str | None = None
    if kind == "multipart/form-data":
        async with request.form(max_files=MAX_FILES, max_fields=20) as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    name = (value.filename or "file").rsplit("/", 1)[-1][:200] or "file"
                    if data:
                        inputs.append((name, data))
                elif key == "url" and value.strip():
                    url = value.strip()
                elif key == "text" and value.strip():
                    inputs.append(("text", value.encode("utf-8")))
    else:
        raw = await request.body()
        if kind in ("application/json", "application/ld+json") or raw.lstrip()[:1] == b"{":
            url = _json_url(raw)
        if url is None and raw.strip():
            inputs.append(("body", raw))
    if not inputs and url is None:
        raise BadRequest(
            "Send a credential: a file (multipart field `file`), a JSON body "
            '{"url": "https://..."}, or the credential itself as the body.',
            code="bad_input",
        )
    result = await run_in_threadpool(_run_import, request, learner, inputs, url, fetch, trust)
    if not result.created:
        response.status_code = 200
    return result


@router.get("/credentials/{credential_id}", response_model=CredentialDetail, responses=_ERRORS)
def get_credential(
    request: Request, credential_id: str, learner: LearnerDep, fetch: FetchDep, trust: TrustDep
) -> Any:
    """One credential, whole: the document, the verifier's report (verified again on every
    request: it may have been revoked or suspended a second ago), its collections."""
    with _wallet(request, learner) as (s, me):
        row = holdings.get_credential(s, me, credential_id)
    # outside a transaction
    holdings.check_and_store(_engine(request), me, [row], fetch=fetch, trust=trust)
    with _wallet(request, learner) as (s, me):
        row = holdings.get_credential(s, me, credential_id)
        return _detail(s, me, row, holdings.status_of(row, _now()))


@router.post(
    "/credentials/{credential_id}/recheck", response_model=CredentialDetail, responses=_ERRORS
)
def recheck_credential(
    request: Request, credential_id: str, learner: LearnerPost, fetch: FetchDep, trust: TrustDep
) -> Any:
    """Verify the credential again now (signature, dates, status list)."""
    with _wallet(request, learner) as (s, me):
        row = holdings.get_credential(s, me, credential_id)
        status = holdings.recheck(s, me, row, fetch=fetch, force=True, trust=trust)
        return _detail(s, me, row, status)


@router.delete("/credentials/{credential_id}", status_code=204, responses=_ERRORS)
def delete_credential(request: Request, credential_id: str, learner: LearnerPost) -> Response:
    """Remove the credential (from its collections too; its share links stop working)."""
    with _wallet(request, learner) as (s, me):
        holdings.delete_credential(s, me, credential_id)
    return Response(status_code=204, headers={"Cache-Control": NO_STORE})


@router.get(
    "/credentials/{credential_id}/original",
    responses={
        200: {
            "description": "The bytes as imported (JSON-LD, VC-JWT, PNG or SVG).",
            "content": {
                "application/ld+json": {},
                "application/vc+jwt": {},
                "image/png": {},
                "image/svg+xml": {},
            },
        },
        **_ERRORS,
    },
)
def get_original(request: Request, credential_id: str, learner: LearnerDep) -> Response:
    """The credential exactly as imported, as a download."""
    with _wallet(request, learner) as (s, me):
        return original_response(holdings.get_credential(s, me, credential_id))


@router.put("/credentials/{credential_id}/tags", response_model=TagsOut, responses=_ERRORS)
def put_tags(request: Request, credential_id: str, body: TagsIn, learner: LearnerPost) -> Any:
    """Replace the credential's tags (trimmed, lower-cased, each once)."""
    with _wallet(request, learner) as (s, me):
        return TagsOut(tags=organise.set_tags(s, me, credential_id, body.tags))


@router.put("/credentials/{credential_id}/note", response_model=NoteOut, responses=_ERRORS)
def put_note(request: Request, credential_id: str, body: NoteIn, learner: LearnerPost) -> Any:
    """Set the learner's note on the credential (null or blank clears it)."""
    with _wallet(request, learner) as (s, me):
        return NoteOut(note=organise.set_note(s, me, credential_id, body.note))


# ---- collections ----------------------------------------------------------------------------
@router.get("/collections", response_model=CollectionList, responses=_ERRORS)
def list_collections(request: Request, learner: LearnerDep) -> Any:
    """The learner's collections by name, with how many credentials each holds."""
    with _wallet(request, learner) as (s, me):
        items = [_collection_out(c.collection, c.count) for c in organise.list_collections(s, me)]
    return CollectionList(items=items)


@router.post("/collections", response_model=CollectionOut, status_code=201, responses=_ERRORS)
def create_collection(request: Request, body: CollectionIn, learner: LearnerPost) -> Any:
    """A new, empty collection (409 when you have one of that name)."""
    with _wallet(request, learner) as (s, me):
        row = organise.create_collection(s, me, body.name, description=body.description)
        return _collection_out(row, 0)


def _count(s: Session, me: LearnerAccount, collection_id: str) -> int:
    return len(organise.collection_credentials(s, me, collection_id))


@router.patch("/collections/{collection_id}", response_model=CollectionOut, responses=_ERRORS)
def patch_collection(
    request: Request, collection_id: str, body: CollectionPatch, learner: LearnerPost
) -> Any:
    """Rename a collection and/or change its description."""
    with _wallet(request, learner) as (s, me):
        row = organise.get_collection(s, me, collection_id)
        if body.name is not None:
            organise.rename_collection(s, me, row.id, body.name, description=body.description)
        elif body.description is not None:
            organise.rename_collection(s, me, row.id, row.name, description=body.description)
        return _collection_out(row, _count(s, me, row.id))


@router.delete("/collections/{collection_id}", status_code=204, responses=_ERRORS)
def delete_collection(request: Request, collection_id: str, learner: LearnerPost) -> Response:
    """Delete a collection (its credentials stay in the wallet)."""
    with _wallet(request, learner) as (s, me):
        organise.delete_collection(s, me, collection_id)
    return Response(status_code=204, headers={"Cache-Control": NO_STORE})


@router.post(
    "/collections/{collection_id}/credentials", response_model=ChangedOut, responses=_ERRORS
)
def add_to_collection(
    request: Request, collection_id: str, body: CredentialIds, learner: LearnerPost
) -> Any:
    """Add credentials to the collection; `changed`: how many were new to it."""
    with _wallet(request, learner) as (s, me):
        return ChangedOut(
            changed=organise.add_to_collection(s, me, collection_id, body.credentials)
        )


@router.delete(
    "/collections/{collection_id}/credentials", response_model=ChangedOut, responses=_ERRORS
)
def remove_from_collection(
    request: Request, collection_id: str, body: CredentialIds, learner: LearnerPost
) -> Any:
    """Take credentials out of the collection; `changed`: how many were in it."""
    with _wallet(request, learner) as (s, me):
        return ChangedOut(
            changed=organise.remove_from_collection(s, me, collection_id, body.credentials)
        )


# ---- views ----------------------------------------------------------------------------------
@router.get("/timeline", response_model=TimelineOut, responses=_ERRORS)
def get_timeline(request: Request, learner: LearnerDep) -> Any:
    """Every credential's issue date and expiry as events, oldest first."""
    with _wallet(request, learner) as (s, me):
        events = [
            TimelineEventOut(
                at=e.at,
                kind=e.kind,
                credential_id=e.credential.id,
                name=e.credential.name,  # type: ignore[arg-type]
            )
            for e in organise.timeline(s, me)
        ]
    return TimelineOut(events=events)


@router.get("/expiring", response_model=ExpiringList, responses=_ERRORS)
def get_expiring(
    request: Request,
    learner: LearnerDep,
    days: Annotated[int, Query(ge=0, le=EXPIRING_MAX, description="The horizon in days.")] = (
        EXPIRING_DEFAULT
    ),
) -> Any:
    """Credentials that expire within `days`, soonest first, with the renewal link."""
    with _wallet(request, learner) as (s, me):
        items = [
            ExpiringOut(
                credential_id=e.credential.id,
                name=e.credential.name,
                valid_until=e.valid_until,
                days_left=e.days_left,
                renewal_url=e.renewal_url,
            )
            for e in organise.expiring(s, me, days)
        ]
    return ExpiringList(days=days, items=items)


@router.get("/skills", response_model=SkillsProfile, responses=_ERRORS)
def get_skills(request: Request, learner: LearnerDep) -> Any:
    """The skills the learner's verified, current credentials show (the skills profile)."""
    with _wallet(request, learner) as (s, me):
        entries = organise.skills_profile(s, me)
    return SkillsProfile(
        skills=[
            SkillEntryOut(
                uri=e.uri, label=e.label, framework=e.framework, credentials=list(e.credentials)
            )
            for e in entries
        ],
        have=[e.uri for e in entries if e.uri],
    )


# ---- export, transcript, presentations ------------------------------------------------------
@router.get(
    "/export",
    responses={200: {"description": "A ZIP.", "content": {"application/zip": {}}}, **_ERRORS},
)
def get_export(request: Request, learner: LearnerDep) -> Response:
    """The wallet as a ZIP: each credential as imported, `manifest.json`, and
    `transcript.clr.json` (a CLR 2.0 of the credentials that can be bundled, signed by the
    platform)."""
    now = _now()
    with _wallet(request, learner) as (s, me):
        signer = export.platform_signer(s, request.app.state.issuing)
        data = export.export_zip(s, me, signer=signer, now=now)
    return _attachment(data, "application/zip", f"wallet-{now.strftime('%Y%m%d')}.zip")


@router.post("/transcript", response_model=dict[str, Any], responses=_ERRORS)
def post_transcript(request: Request, body: TranscriptIn, learner: LearnerPost) -> Any:
    """A CLR 2.0 `ClrCredential` bundling the chosen credentials as their issuers signed
    them, about the learner's DID, signed by the platform."""
    with _wallet(request, learner) as (s, me):
        signer = export.platform_signer(s, request.app.state.issuing)
        doc = export.clr_transcript(s, me, body.credentials, signer=signer, name=body.name)
    return JSONResponse(doc, media_type="application/ld+json", headers={"Cache-Control": NO_STORE})


@router.post("/presentations", response_model=dict[str, Any], responses=_ERRORS)
def post_presentation(request: Request, body: PresentationIn, learner: LearnerPost) -> Any:
    """A verifiable presentation of the chosen credentials, held by the learner's DID and
    signed with their key for the verifier's `challenge` and `domain`."""
    with _wallet(request, learner) as (s, me):
        vp = export.present(
            s,
            me,
            body.credentials,
            challenge=body.challenge,
            domain=body.domain,
            secret=request.app.state.issuing.secret,
            expires=body.expires,
        )
    return JSONResponse(vp, media_type="application/ld+json", headers={"Cache-Control": NO_STORE})


# ---- share links ----------------------------------------------------------------------------
@router.get("/shares", response_model=ShareList, responses=_ERRORS)
def list_shares(request: Request, learner: LearnerDep) -> Any:
    """The learner's share links, newest first (their tokens are never shown again)."""
    with _wallet(request, learner) as (s, me):
        items = [ShareOut(**_share_fields(r)) for r in shares.list_shares(s, me)]
    return ShareList(items=items)


@router.post("/shares", response_model=ShareCreated, status_code=201, responses=_ERRORS)
def create_share(request: Request, body: ShareIn, learner: LearnerPost) -> Any:
    """A public link to one of your credentials or collections. `url` is shown this once:
    only a hash of its token is kept."""
    with _wallet(request, learner) as (s, me):
        row, token = shares.create_share(
            s,
            me,
            body.target_kind,
            body.target_id,
            expires_at=body.expires_at,
            show_name=body.show_name,
            show_email=body.show_email,
            label=body.label,
        )
        return ShareCreated(**_share_fields(row), url=share_url(request, token))


@router.delete("/shares/{share_id}", response_model=ShareOut, responses=_ERRORS)
def revoke_share(request: Request, share_id: str, learner: LearnerPost) -> Any:
    """Revoke a share link at once (its page answers 404 from then on)."""
    with _wallet(request, learner) as (s, me):
        return ShareOut(**_share_fields(shares.revoke_share(s, me, share_id)))
