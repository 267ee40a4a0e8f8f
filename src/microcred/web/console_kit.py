"""What every console route shares: the route class that turns refusals into pages, the
session dependencies, and the page renderer.

Console routes answer HTML, also when something goes wrong: ``ConsoleRoute`` maps a missing
session to a redirect to the sign-in page (401 for ``.json``), a refusal or a service error
to the console's error page with its status, instead of the API's problem documents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from microcred.errors import MicrocredError
from microcred.store.models import Achievement
from microcred.web.console_auth import (
    Console,
    ConsoleDenied,
    LoginRequired,
    check_csrf,
    check_origin,
    require_session,
)
from microcred.web.errors import STATUS_BY_CODE, problem
from microcred.web.templating import render

NO_STORE = {"Cache-Control": "no-store"}
# Same-origin forms must carry our Origin: under the site's "no-referrer" policy a browser
# sends "Origin: null" with a form POST, which the origin check refuses (as it should).
PAGE_HEADERS = {**NO_STORE, "Referrer-Policy": "same-origin"}
LOGIN_PATH = "/console/login"


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a console path of this site, nothing else."""
    if path and path.startswith("/console") and not path.startswith("//") and "\\" not in path:
        return path
    return "/console"


def error_page(request: Request, status: int, message: str) -> Response:
    response = render(
        request,
        "console/error.html",
        status,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=message,
    )
    response.headers.update(PAGE_HEADERS)
    return response


class ConsoleRoute(APIRoute):
    """An APIRoute whose refusals and errors are console pages (or a sign-in redirect)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                if request.url.path.endswith(".json"):
                    return problem(401, "Sign in to the console first.", code="unauthorized")
                target = request.url.path if request.method == "GET" else "/console"
                if request.method == "GET" and request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(
                    f"{LOGIN_PATH}?next={quote(target, safe='')}", 303, headers=NO_STORE
                )
            except ConsoleDenied as exc:
                return error_page(request, exc.status, exc.message)
            except MicrocredError as exc:
                return error_page(request, STATUS_BY_CODE.get(exc.code, 400), exc.user_message)
            except RequestValidationError as exc:
                fields = (
                    ", ".join(str(err.get("loc", ("?",))[-1]) for err in exc.errors()) or "the form"
                )
                return error_page(request, 400, f"Check these fields and send again: {fields}.")

        return console_handler


async def _signed_in(request: Request) -> Console:
    return await run_in_threadpool(require_session, request)


ConsoleDep = Annotated[Console, Depends(_signed_in)]


def posted(role: str = "viewer") -> Callable[..., Awaitable[Console]]:
    """A dependency for console forms: signed in, sent from this site, carrying the
    session's CSRF value, by a role of ``role`` or above (else ConsoleDenied, 403)."""

    async def dependency(request: Request) -> Console:
        console = await run_in_threadpool(require_session, request)
        check_origin(request)
        form = await request.form()
        check_csrf(console, form.get("csrf"))
        console.require(role)
        return console

    return dependency


ViewerPost = Annotated[Console, Depends(posted("viewer"))]
IssuerPost = Annotated[Console, Depends(posted("issuer"))]
OwnerPost = Annotated[Console, Depends(posted("owner"))]


def engine(request: Request) -> Any:
    return request.app.state.engine


def page(
    request: Request, console: Console, template: str, status: int = 200, /, **context: Any
) -> Response:
    """A console page (``templates/console/<template>``), never cached."""
    response = render(request, f"console/{template}", status, console=console, **context)
    response.headers.update(PAGE_HEADERS)
    return response


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=NO_STORE)


def org_achievements(session: Session, console: Console) -> list[Achievement]:
    """The organisation's achievements, by name."""
    return list(
        session.scalars(
            select(Achievement)
            .where(Achievement.org_id == console.org_id)
            .order_by(Achievement.name, Achievement.created_at)
        )
    )
