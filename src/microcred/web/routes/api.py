"""JSON API: ``POST /credentials/verify`` and ``POST /presentations/verify`` (W3C VC API), and
``POST /verify`` (any input)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from microcred.issuing import public
from microcred.vc import presentations, verifier
from microcred.vc.presentations import PresentationReport
from microcred.vc.report import Report
from microcred.web.deps import FetchDep, SettingsDep
from microcred.web.errors import BadRequest, problem

router = APIRouter(tags=["verify"])

JWT_ENVELOPE = "data:application/vc+jwt,"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

_VC_API_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["verifiableCredential"],
                "properties": {
                    "verifiableCredential": {
                        "type": "object",
                        "description": "The credential (JSON-LD with a Data Integrity proof), "
                        "or an EnvelopedVerifiableCredential holding a VC-JWT as a data: URL.",
                    },
                    "options": {"type": "object", "description": "Accepted; not used yet."},
                },
            }
        }
    },
}
_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "description": "Exactly one of file, text or url.",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "JSON, JSON Lines, VC-JWT, or a baked PNG/SVG.",
                    },
                    "text": {"type": "string", "description": "Pasted JSON or a VC-JWT."},
                    "url": {"type": "string", "description": "An https URL to fetch."},
                },
            }
        },
        "application/octet-stream": {
            "schema": {
                "type": "string",
                "format": "binary",
                "description": "The input itself, as the request body.",
            }
        },
    },
}


async def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run the (CPU- and fetch-bound) verifier off the event loop."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    except RecursionError:
        raise BadRequest("The input is nested too deeply to read.", code="bad_input") from None


def _error_entry(check: Any) -> dict[str, str]:
    label = "could not be checked" if check.status == "could_not_check" else "failed"
    return {
        "type": f"urn:microcred:check:{check.name}",
        "title": f"{check.name} {label}",
        "detail": check.message,
        "check": check.name,
        "result": check.status,
    }


def vc_api_result(report: Report | PresentationReport) -> JSONResponse:
    """The VC API answer for one report: 200 when verified, else a 400 problem."""
    what = "Presentation" if isinstance(report, PresentationReport) else "Credential"
    passed = [c.name for c in report.checks if c.status == "passed"]
    body: dict[str, Any] = {"checks": passed, "warnings": list(report.warnings)}
    if report.verdict == "verified":
        return JSONResponse({"verified": True, **body, "errors": [], "report": report.to_json()})
    wanted = "failed" if report.verdict == "failed" else "could_not_check"
    errors = [_error_entry(c) for c in report.checks if c.status == wanted]
    first = f"{errors[0]['check']}: {errors[0]['detail']}" if errors else report.verdict
    if report.verdict == "failed":
        code, title, detail = "verification_failed", f"{what} not verified", first
    else:
        code, title = "verification_indeterminate", f"{what} could not be checked"
        detail = f"could not check: {first}"
    return problem(
        400,
        detail,
        code=code,
        title=title,
        verified=False,
        **body,
        errors=errors,
        report=report.to_json(),
    )


def _read_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(
            f"The request body is not JSON ({exc}). Send "
            '{"verifiableCredential": {...}, "options": {...}}.',
            code="bad_json",
        ) from None
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.", code="bad_json") from None


@router.post(
    "/credentials/verify",
    openapi_extra={"requestBody": _VC_API_BODY},
    responses={
        200: {"description": "Verified: `verified` is true; `checks` names the checks passed."},
        400: {
            "description": "Not verified (a check failed), could not be checked (a "
            "status list or key could not be fetched: the `detail` says 'could not check'), "
            "or the request is malformed. Problem details with `verified: false`, `errors` "
            "and the full `report`.",
            "content": {"application/problem+json": {}},
        },
        413: {"description": "The request body is too large."},
    },
)
async def verify_credential_api(request: Request, fetch: FetchDep) -> JSONResponse:
    """Verify one credential, as the W3C VC API's verifier does.

    An *indeterminate* verdict (nothing failed, but something could not be checked) is
    answered like a failure, 400, because the credential is not verified; its problem
    `type` ends in `verification_indeterminate` and its detail starts with "could not check".
    """
    body = _read_json(await request.body())
    if not isinstance(body, dict) or "verifiableCredential" not in body:
        raise BadRequest(
            "The request body must be a JSON object with a verifiableCredential member: "
            '{"verifiableCredential": {...}, "options": {...}}.'
        )
    credential = body["verifiableCredential"]
    if not isinstance(credential, dict):
        raise BadRequest("verifiableCredential must be a JSON object (a credential).")
    if not isinstance(body.get("options", {}), dict):
        raise BadRequest("options must be a JSON object.")
    envelope = credential.get("id")
    if credential.get("type") == "EnvelopedVerifiableCredential" and isinstance(envelope, str):
        if not envelope.startswith(JWT_ENVELOPE):
            raise BadRequest(f"An enveloped credential must be a {JWT_ENVELOPE}... URL.")
        token = envelope[len(JWT_ENVELOPE) :].encode()
        reports = await _run(
            verifier.verify_bytes, token, filename="verifiableCredential", fetch=fetch
        )
        await _count_verified(request, reports)
        return vc_api_result(reports[0])
    report = await _run(verifier.verify_credential, credential, fetch=fetch)
    await _count_verified(request, [report])
    return vc_api_result(report)


_VP_API_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["verifiablePresentation"],
                "properties": {
                    "verifiablePresentation": {
                        "type": "object",
                        "description": "A VerifiablePresentation with a Data Integrity proof "
                        "(eddsa-rdfc-2022 or eddsa-jcs-2022, proofPurpose authentication) by "
                        "its holder; credentials embedded as JSON-LD or as "
                        "EnvelopedVerifiableCredential (VC-JWT).",
                    },
                    "options": {
                        "type": "object",
                        "properties": {
                            "challenge": {
                                "type": "string",
                                "description": "The nonce the proof must carry; "
                                "without it the challenge is not checked (a warning).",
                            },
                            "domain": {
                                "type": "string",
                                "description": "The domain the proof must be made for; "
                                "without it the domain is not checked (a warning).",
                            },
                        },
                    },
                },
            }
        }
    },
}


@router.post(
    "/presentations/verify",
    openapi_extra={"requestBody": _VP_API_BODY},
    responses={
        200: {
            "description": "Verified: the presentation's proof (by its holder, for the "
            "challenge and domain given) and every credential in it. `checks` names the "
            "presentation checks passed; `report` holds each credential's report."
        },
        400: {
            "description": "Not verified (a check of the presentation or of a credential "
            "failed: a replay to another challenge or domain, an expired proof, a key that is "
            "not the holder's, a revoked credential...), could not be checked (`detail` says "
            "'could not check'), or the request is malformed. Problem details with "
            "`verified: false`, `errors` and the full `report`.",
            "content": {"application/problem+json": {}},
        },
        413: {"description": "The request body is too large."},
    },
)
async def verify_presentation_api(request: Request, fetch: FetchDep) -> JSONResponse:
    """Verify a presentation, as the W3C VC API's verifier does: its proof (purpose
    authentication, bound to `options.challenge` and `options.domain`), that the key is the
    holder's, and every credential in it. Answered as `/credentials/verify` answers: 200 when
    verified, else 400 problem details with the report."""
    body = _read_json(await request.body())
    if not isinstance(body, dict) or "verifiablePresentation" not in body:
        raise BadRequest(
            "The request body must be a JSON object with a verifiablePresentation member: "
            '{"verifiablePresentation": {...}, "options": {"challenge": "...", "domain": "..."}}.'
        )
    vp = body["verifiablePresentation"]
    if not isinstance(vp, dict):
        raise BadRequest("verifiablePresentation must be a JSON object (a presentation).")
    if not presentations.is_presentation(vp):
        raise BadRequest('verifiablePresentation must have the type "VerifiablePresentation".')
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise BadRequest("options must be a JSON object.")
    for name in ("challenge", "domain"):
        if name in options and not isinstance(options[name], str):
            raise BadRequest(f"options.{name} must be a string.")
    report = await _run(
        presentations.verify_presentation,
        vp,
        challenge=options.get("challenge"),
        domain=options.get("domain"),
        now=datetime.now(UTC),
        fetch=fetch,
    )
    await _count_verified(request, report.credentials if report.verdict == "verified" else [])
    return vc_api_result(report)


_JWT_BODY = re.compile(rb"^\s*[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\s*$")


async def _count_verified(request: Request, reports: list[Report]) -> None:
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        await _run(public.record_verifications, engine, request.app.state.issuing, reports)


async def _input_of(request: Request, limit: int) -> tuple[str, bytes | str, str | None]:
    """(kind, value, file name): kind is "file" (bytes), "text" or "url" (str)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in FORM_TYPES:
        return "file", await request.body(), None
    if ctype == "application/x-www-form-urlencoded":
        # `curl --data-binary @badge.json` sends this type by default: a body that is not a
        # form of ours (text=..., url=...) is taken as the input itself.
        raw = await request.body()
        if (
            raw.lstrip()[:1] in (b"{", b"[", b"<")
            or raw.startswith(b"\x89PNG")
            or _JWT_BODY.match(raw)
        ):
            return "file", raw, None
    given: dict[str, tuple[bytes | str, str | None]] = {}
    async with request.form(max_files=1, max_fields=3, max_part_size=limit) as form:
        unknown = sorted(set(form.keys()) - {"file", "text", "url"})
        if unknown:
            raise BadRequest(f"Unknown form field {unknown[0]!r}: send file, text or url.")
        for name in ("file", "text", "url"):
            field = form.get(name)
            if isinstance(field, UploadFile):
                if field.filename or field.size:  # browsers send an empty part for no file
                    given[name] = (await field.read(), field.filename or None)
            elif isinstance(field, str) and field.strip():
                given[name] = (field, None)
    if len(given) != 1:
        which = "nothing" if not given else " and ".join(given)
        raise BadRequest(f"Send exactly one of file, text or url (got {which}).")
    ((kind, (value, filename)),) = given.items()
    return kind, value, filename


@router.post(
    "/verify",
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={
        200: {"description": 'One report per credential found: `{"reports": [...]}`.'},
        400: {
            "description": "Unreadable input (the detail names the accepted formats), "
            "or a URL that could not be fetched.",
            "content": {"application/problem+json": {}},
        },
        413: {"description": "The upload is too large."},
    },
)
async def verify_upload(request: Request, fetch: FetchDep, settings: SettingsDep) -> dict[str, Any]:
    """Verify an uploaded file, pasted text or a URL; every report, whatever its verdict."""
    kind, value, filename = await _input_of(request, settings.upload_max_bytes)
    if kind == "url":
        if not isinstance(value, str):
            raise BadRequest("url must be a form field holding an https URL, not a file.")
        reports = await _run(verifier.verify_url, value.strip(), fetch=fetch)
    else:
        data = value.encode("utf-8") if isinstance(value, str) else value
        name = filename or ("pasted text" if kind == "text" else "request body")
        reports = await _run(
            verifier.verify_bytes,
            data,
            filename=name,
            fetch=fetch,
            max_bytes=settings.upload_max_bytes,
        )
    await _count_verified(request, reports)
    return {"reports": [r.to_json() for r in reports]}
