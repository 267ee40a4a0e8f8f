"""HTML pages: the verifier page, and the health check."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from microcred import __version__
from microcred.vc.verifier import ACCEPTED_FORMATS
from microcred.verifying.demo import Sample, demo_samples
from microcred.web.templating import render

router = APIRouter()


@router.get("/", include_in_schema=False)
async def index(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("verify_page").path, status_code=303)


@router.get("/verify", include_in_schema=False, name="verify_page")
async def verify_page(request: Request) -> Response:
    """Paste JSON or a JWT, drop a badge image, or give a URL; results render in place."""
    samples = _samples(request)
    return render(
        request,
        "verify.html",
        accepted=ACCEPTED_FORMATS,
        samples=list(samples.values()) if samples else [],
    )


def _samples(request: Request) -> dict[str, Sample] | None:
    settings = request.app.state.settings
    return _demo(Path(settings.data_dir).resolve()) if settings.demo else None


@lru_cache(maxsize=4)
def _demo(data_dir: Path) -> dict[str, Sample]:
    return demo_samples(data_dir)


@router.get("/demo/samples/{name}", include_in_schema=False, name="demo_sample")
async def demo_sample(request: Request, name: str) -> Response:
    """A demo credential to try the verifier on (see the settings' ``demo``)."""
    sample = (_samples(request) or {}).get(name)
    if sample is None:
        raise HTTPException(status_code=404, detail=f"no demo sample named {name!r}")
    return Response(
        sample.data,
        media_type=sample.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{sample.name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """Liveness: 200 while the process serves requests."""
    return {"status": "ok", "version": __version__}
