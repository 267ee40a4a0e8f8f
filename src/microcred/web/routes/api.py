"""JSON API: ``POST /credentials/verify`` and ``POST /presentations/verify`` (W3C VC API), and
``POST /verify`` (any input)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from microcred.issuing import public
from microcred.vc import presentations, verifier
from microcred.vc.jsondocs import JSONInputError, loads_strict
from microcred.vc.presentations import PresentationReport
from microcred.vc.recipient import issued_to, names_recipient
from microcred.vc.report import Report
from microcred.web.deps import FetchDep, SettingsDep, TrustDep
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
                    "options": {
                        "type": "object",
                        "properties": {
                            "strict": {
                                "type": "boolean",
                                "description": "true: departures from Open Badges 3.0 that "
                                "do not change what the credential says fail it (a strict "
                                "validator's reading); by default they are reported under "
                                "`conformance`.",
                            }
                        },
                    },
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
                "description": "Exactly one of file, text or url; challenge, domain and "
                "recipient are optional.",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "JSON, JSON Lines, VC-JWT, or a baked PNG/SVG; or a "
                        "verifiable presentation (JSON).",
                    },
                    "text": {
                        "type": "string",
                        "description": "Pasted JSON or a VC-JWT, or a verifiable presentation.",
                    },
                    "url": {"type": "string", "description": "An https URL to fetch."},
                    "challenge": {
                        "type": "string",
                        "description": "For a presentation: the challenge its proof must "
                        "carry (or the query parameter).",
                    },
                    "domain": {
                        "type": "string",
                        "description": "For a presentation: the domain its proof must be "
                        "made for (or the query parameter).",
                    },
                    "recipient": {
                        "type": "string",
                        "description": "An e-mail address or DID: each credential's report "
                        "says whether it was issued to it (`recipient`). A form field only, "
                        "never a query parameter, so it stays out of access logs; never "
                        "stored or logged.",
                    },
                    "strict": {
                        "type": "string",
                        "enum": ["true", "false"],
                        "description": "true: departures from Open Badges 3.0 that do not "
                        "change what a credential says fail it (or the query parameter).",
                    },
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
        return loads_strict(raw, "the request body")  # duplicate keys refused
    except JSONInputError as exc:
        if exc.code == "duplicate_key":
            raise BadRequest(exc.user_message, code="duplicate_key") from None
        raise BadRequest(
            f"The request body is not JSON ({exc.user_message}). Send "
            '{"verifiableCredential": {...}, "options": {...}}.',
            code="bad_json",
        ) from None


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
async def verify_credential_api(request: Request, fetch: FetchDep, trust: TrustDep) -> JSONResponse:
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
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise BadRequest("options must be a JSON object.")
    strict = _strict_option(options)
    envelope = credential.get("id")
    if credential.get("type") == "EnvelopedVerifiableCredential" and isinstance(envelope, str):
        if not envelope.startswith(JWT_ENVELOPE):
            raise BadRequest(f"An enveloped credential must be a {JWT_ENVELOPE}... URL.")
        token = envelope[len(JWT_ENVELOPE) :].encode()
        reports = await _run(
            verifier.verify_bytes,
            token,
            filename="verifiableCredential",
            fetch=fetch,
            trust=trust,
            strict=strict,
        )
        await _count_verified(request, reports)
        return vc_api_result(reports[0])
    report = await _run(
        verifier.verify_credential, credential, fetch=fetch, trust=trust, strict=strict
    )
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
async def verify_presentation_api(
    request: Request, fetch: FetchDep, trust: TrustDep
) -> JSONResponse:
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
        trust=trust,
        strict=_strict_option(options),
    )
    await _count_verified(request, report.credentials if report.verdict == "verified" else [])
    return vc_api_result(report)


_JWT_BODY = re.compile(rb"^\s*[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\s*$")


async def _count_verified(request: Request, reports: list[Report]) -> None:
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        await _run(public.record_verifications, engine, request.app.state.issuing, reports)


INPUT_FIELDS = ("file", "text", "url")
OPTION_FIELDS = ("challenge", "domain", "recipient", "strict")
RECIPIENT_MAX = 320  # the longest e-mail address; a DID this long is refused too


def _strict_option(options: dict[str, Any]) -> bool:
    """``options.strict``: departures from Open Badges 3.0 fail instead of being reported."""
    strict = options.get("strict", False)
    if not isinstance(strict, bool):
        raise BadRequest("options.strict must be true or false.")
    return strict


@dataclass
class _Upload:
    kind: str  # "file" (bytes), "text" or "url" (str)
    value: bytes | str
    filename: str | None
    options: dict[str, str] = field(default_factory=dict)


async def _input_of(request: Request, limit: int) -> _Upload:
    """The input and the options sent with it (form fields; none with a raw body)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in FORM_TYPES:
        return _Upload("file", await request.body(), None)
    if ctype == "application/x-www-form-urlencoded":
        # `curl --data-binary @badge.json` sends this type by default: a body that is not a
        # form of ours (text=..., url=...) is taken as the input itself.
        raw = await request.body()
        if (
            raw.lstrip()[:1] in (b"{", b"[", b"<")
            or raw.startswith(b"\x89PNG")
            or _JWT_BODY.match(raw)
        ):
            return _Upload("file", raw, None)
    given: dict[str, tuple[bytes | str, str | None]] = {}
    options: dict[str, str] = {}
    fields = INPUT_FIELDS + OPTION_FIELDS
    async with request.form(max_files=1, max_fields=len(fields), max_part_size=limit) as form:
        unknown = sorted(set(form.keys()) - set(fields))
        if unknown:
            raise BadRequest(
                f"Unknown form field {unknown[0]!r}: send file, text or url, and optionally "
                "challenge, domain and recipient."
            )
        for name in INPUT_FIELDS:
            field_ = form.get(name)
            if isinstance(field_, UploadFile):
                if field_.filename or field_.size:  # browsers send an empty part for no file
                    given[name] = (await field_.read(), field_.filename or None)
            elif isinstance(field_, str) and field_.strip():
                given[name] = (field_, None)
        for name in OPTION_FIELDS:
            option = form.get(name)
            if isinstance(option, UploadFile):
                raise BadRequest(f"{name} must be a text field, not a file.")
            if isinstance(option, str) and option.strip():
                options[name] = option.strip()
    if len(given) != 1:
        which = "nothing" if not given else " and ".join(given)
        raise BadRequest(f"Send exactly one of file, text or url (got {which}).")
    ((kind, (value, filename)),) = given.items()
    return _Upload(kind, value, filename, options)


def _option(upload: _Upload, name: str, query: str | None) -> str | None:
    """A presentation option from the form or the query string (not both)."""
    form_value = upload.options.get(name)
    query_value = query.strip() if query and query.strip() else None
    if form_value is not None and query_value is not None and form_value != query_value:
        raise BadRequest(
            f"{name} is given twice, as a form field and as a query parameter, with "
            "different values: send it once."
        )
    return form_value or query_value


def _recipient(upload: _Upload) -> tuple[str, str] | None:
    """("email" | "did", the value) to compare each credential's recipient with. The value
    is never put in a message, a log line or the answer."""
    value = upload.options.get("recipient")
    if value is None:
        return None
    if len(value) <= RECIPIENT_MAX and not any(c.isspace() for c in value):
        if value.startswith("did:") and value.count(":") >= 2:
            return "did", value
        local, at, domain = value.rpartition("@")
        if at and local and "." in domain.strip("."):
            return "email", value
    raise BadRequest(
        "recipient must be an e-mail address (name@example.org) or a DID (did:method:...)."
    )


def _recipient_answer(doc: dict[str, Any] | None, kind: str, value: str) -> dict[str, Any]:
    """Whether ``doc`` was issued to the e-mail address or DID ``value``: ``answer`` is
    ``issued``, ``not_issued`` or ``not_comparable`` (the credential names its recipient
    in no way ``value`` can be compared with), with a ``sentence``."""
    what = "address" if kind == "email" else "DID"
    match = (
        (issued_to(doc, emails=[value]) if kind == "email" else issued_to(doc, dids=[value]))
        if doc is not None
        else None
    )
    if match is not None and match.matched:
        return {"answer": "issued", "how": match.how, "sentence": f"issued to this {what}"}
    if doc is None or not names_recipient(doc, kind):
        return {
            "answer": "not_comparable",
            "how": None,
            "sentence": f"the credential names no recipient this {what} can be compared with",
        }
    return {"answer": "not_issued", "how": None, "sentence": f"not issued to this {what}"}


@router.post(
    "/verify",
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={
        200: {
            "description": "One report per credential found, or one for a presentation "
            "(`type: VerifiablePresentation`, with its credentials' reports): "
            '`{"reports": [...]}`.'
        },
        400: {
            "description": "Unreadable input (the detail names the accepted formats), "
            "a URL that could not be fetched, a recipient that is neither an e-mail address "
            "nor a DID, or a recipient sent in the query string.",
            "content": {"application/problem+json": {}},
        },
        413: {"description": "The upload is too large."},
    },
)
async def verify_upload(
    request: Request,
    fetch: FetchDep,
    settings: SettingsDep,
    trust: TrustDep,
    challenge: Annotated[
        str | None,
        Query(
            description="For a presentation: the challenge its proof must carry (or the form "
            "field). Without it the report warns that the presentation could be a replay."
        ),
    ] = None,
    domain: Annotated[
        str | None,
        Query(
            description="For a presentation: the domain its proof must be made for (or the "
            "form field)."
        ),
    ] = None,
    strict: Annotated[
        str | None,
        Query(
            description="true: departures from Open Badges 3.0 that do not change what a "
            "credential says fail it, as a strict validator would (or the form field). By "
            "default they are reported under `conformance`."
        ),
    ] = None,
) -> dict[str, Any]:
    """Verify an uploaded file, pasted text or a URL; every report, whatever its verdict.

    A verifiable presentation (JSON, uploaded or pasted) is verified as one, for `challenge`
    and `domain`: its report has `type: VerifiablePresentation`, its own checks and each
    credential's report under `credentials`. With the form field `recipient` (an e-mail
    address or DID) each credential's report says whether it was issued to it."""
    if "recipient" in request.query_params:
        raise BadRequest(
            "recipient must be sent as a form field in the request body, never in the URL "
            "(addresses in URLs end up in logs)."
        )
    upload = await _input_of(request, settings.upload_max_bytes)
    expected = {
        "challenge": _option(upload, "challenge", challenge),
        "domain": _option(upload, "domain", domain),
    }
    recipient = _recipient(upload)
    strict_text = upload.options.get("strict") or (strict or "").strip() or "false"
    if strict_text.lower() not in ("true", "false", "1", "0", "on", "off"):
        raise BadRequest("strict must be true or false.")
    is_strict = strict_text.lower() in ("true", "1", "on")
    reports: list[Report | PresentationReport]
    counted: list[Report]
    if upload.kind == "url":
        if not isinstance(upload.value, str):
            raise BadRequest("url must be a form field holding an https URL, not a file.")
        reports = counted = await _run(
            verifier.verify_url, upload.value.strip(), fetch=fetch, trust=trust, strict=is_strict
        )
    else:
        data = upload.value.encode("utf-8") if isinstance(upload.value, str) else upload.value
        name = upload.filename or ("pasted text" if upload.kind == "text" else "request body")
        vp = presentations.presentation_in(data) if len(data) <= settings.upload_max_bytes else None
        if vp is not None:
            report = await _run(
                presentations.verify_presentation,
                vp,
                now=datetime.now(UTC),
                fetch=fetch,
                trust=trust,
                strict=is_strict,
                **expected,
            )
            report.source = name
            reports = [report]
            counted = report.credentials if report.verdict == "verified" else []
        else:
            reports = counted = await _run(
                verifier.verify_bytes,
                data,
                filename=name,
                fetch=fetch,
                trust=trust,
                strict=is_strict,
                max_bytes=settings.upload_max_bytes,
            )
    await _count_verified(request, counted)
    return {"reports": [_report_json(r, recipient) for r in reports]}


def _report_json(
    report: Report | PresentationReport, recipient: tuple[str, str] | None
) -> dict[str, Any]:
    """The report as JSON, with the issuer identity's sentence and, when asked, the
    recipient answer of each credential (a presentation's each)."""
    out = report.to_json()
    _annotate(report, out, recipient)
    return out


def _annotate(
    report: Report | PresentationReport, out: dict[str, Any], recipient: tuple[str, str] | None
) -> None:
    if isinstance(report, PresentationReport):
        for cred, cred_json in zip(report.credentials, out["credentials"], strict=True):
            _annotate(cred, cred_json, recipient)
        return
    if report.issuer_identity is not None and isinstance(out.get("issuer_identity"), dict):
        out["issuer_identity"]["sentence"] = report.issuer_identity.sentence()
    if recipient is not None:
        out["recipient"] = _recipient_answer(report.document, *recipient)
