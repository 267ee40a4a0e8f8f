"""The one place errors become responses.

API requests get ``application/problem+json`` (RFC 9457: ``type``, ``title``, ``status``,
``detail``, plus ``code``); a browser asking for a page (GET with ``Accept: text/html``) gets
an HTML error page, and so does a form a browser posted to a page (not under ``/api/``).
Handled here: every ``MicrocredError`` (status from its ``code`` via
``STATUS_BY_CODE``, 400 by default; a 401 carries ``WWW-Authenticate: Bearer``), HTTP
errors (404, 405, ...), request validation errors (400) and, last, anything unexpected
(500, details only in the log).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from microcred.errors import MicrocredError
from microcred.web.templating import render

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
STATUS_BY_CODE = {
    "too_large": 413,
    "not_found": 404,
    "unauthorized": 401,
    "forbidden": 403,
    "conflict": 409,
    "duplicate": 409,
    "bad_input": 400,
    "cohort_rejected": 400,
}


class UploadTooLarge(MicrocredError):
    """The request body is larger than ``settings.upload_max_bytes``."""

    code = "too_large"


class BadRequest(MicrocredError):
    """The request is not usable (missing or conflicting fields, not JSON, ...)."""

    code = "bad_request"


def problem_type(code: str) -> str:
    return f"urn:microcred:problem:{code}"


def problem(
    status: int, detail: str, *, code: str, title: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem-details response (``extra`` members are added to the body)."""
    body = {
        "type": problem_type(code),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def wants_html(request: Request) -> bool:
    """A browser asking for a page: a GET, or a form it posted (browsers send ``Accept:
    text/html`` with form submissions; scripts' ``fetch`` sends ``*/*``), never the JSON API."""
    if "text/html" not in request.headers.get("accept", ""):
        return False
    if request.method in ("GET", "HEAD"):
        return True
    return request.method == "POST" and not request.url.path.startswith("/api/")


def error_response(request: Request, status: int, detail: str, *, code: str) -> Response:
    if wants_html(request):
        title = HTTPStatus(status).phrase
        return render(request, "error.html", status, title=title, status=status, detail=detail)
    return problem(status, detail, code=code)


async def _microcred_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MicrocredError)
    if exc.detail:
        log.info("%s: %s (%s)", exc.code, exc.user_message, exc.detail)
    status = STATUS_BY_CODE.get(exc.code, 400)
    response = error_response(request, status, exc.user_message, code=exc.code)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="microcred"'
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    detail = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
    if status == 404:
        detail = f"There is nothing at {request.url.path}."
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    response = error_response(request, status, detail, code=HTTPStatus(status).name.lower())
    response.headers.update(exc.headers or {})
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = [
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
        for err in exc.errors()
    ]
    return error_response(request, 400, "; ".join(parts) or "invalid request", code="bad_request")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        request,
        500,
        "Something went wrong on our side; the error has been logged.",
        code="internal",
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(MicrocredError, _microcred_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
