"""HTML pages: the verifier page, and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from microcred import __version__
from microcred.vc.verifier import ACCEPTED_FORMATS
from microcred.web.templating import render

router = APIRouter()


@router.get("/", include_in_schema=False)
async def index(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("verify_page").path, status_code=303)


@router.get("/verify", include_in_schema=False, name="verify_page")
async def verify_page(request: Request) -> Response:
    """Paste JSON or a JWT, drop a badge image, or give a URL; results render in place."""
    return render(request, "verify.html", accepted=ACCEPTED_FORMATS)


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """Liveness: 200 while the process serves requests."""
    return {"status": "ok", "version": __version__}
