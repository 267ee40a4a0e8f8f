"""Jinja2 pages: autoescaped templates, and the security headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from microcred import __version__

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

# Pages load nothing from elsewhere: no CDN, no fonts. Badge images may be data: URIs or
# https URLs (the credential's own), shown with <img> only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)
templates.env.globals["version"] = __version__


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """The template ``name`` as an HTML response with the page security headers."""
    return templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=PAGE_HEADERS
    )
