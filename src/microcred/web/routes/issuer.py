"""An organisation's public documents and each credential's public page and downloads.

/orgs/{slug}/did.json                    DID document (did:web resolution)
/orgs/{slug}                             issuer Profile (JSON)
/orgs/{slug}/status/{purpose}/{n}        signed status list (cache headers, ETag)
/contexts/eu-mc/v1                       microcred's EU micro-credential context
/credentials/{id}                        the page; JSON with Accept: application/(vc+)ld+json
/credentials/{id}.json|.jwt|.png|.svg|.pdf   downloads
"""

from __future__ import annotations

import hashlib
import json
from email.utils import format_datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from microcred.errors import MicrocredError
from microcred.issuing import orgs, public, sharing, status
from microcred.issuing.achievements import EU_CONTEXT
from microcred.store.db import session_scope
from microcred.vc import baking, documents, vcjwt
from microcred.verifying.demo import badge_png
from microcred.web.templating import render

router = APIRouter(tags=["issuer"])
LD_TYPES = ("application/vc+ld+json", "application/ld+json", "application/vc")
DOWNLOADS = {
    "json": ("application/vc+ld+json", "JSON credential"),
    "jwt": ("application/vc+jwt", "VC-JWT"),
    "png": ("image/png", "Badge image (PNG, credential baked in)"),
    "svg": ("image/svg+xml", "Badge image (SVG, credential baked in)"),
    "pdf": ("application/pdf", "PDF certificate"),
}


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _ctx(request: Request) -> Any:
    return request.app.state.issuing


def _json(body: Any, media_type: str = "application/json", **headers: str) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2), media_type=media_type, headers=headers
    )


@router.get("/orgs/{slug}/did.json", summary="An organisation's DID document (did:web)")
def did_document(request: Request, slug: str) -> Response:
    with session_scope(_engine(request)) as s:
        doc = orgs.did_document(s, _ctx(request), orgs.get_organisation(s, slug))
    return _json(doc, "application/did+json", **{"Cache-Control": "public, max-age=300"})


@router.get("/orgs/{slug}", summary="An organisation's Open Badges Profile")
def profile(request: Request, slug: str) -> Response:
    with session_scope(_engine(request)) as s:
        doc = orgs.profile(s, _ctx(request), orgs.get_organisation(s, slug))
    return _json(doc, **{"Cache-Control": "public, max-age=300"})


@router.get(
    "/orgs/{slug}/status/{purpose}/{number}", summary="A signed BitstringStatusListCredential"
)
def status_list(request: Request, slug: str, purpose: str, number: int) -> Response:
    if purpose not in status.PURPOSES:
        raise MicrocredError(f"no status purpose {purpose!r}", code="not_found")
    with session_scope(_engine(request)) as s:
        doc, changed = status.list_credential(
            s, _ctx(request), orgs.get_organisation(s, slug), purpose, number
        )
    body = json.dumps(doc, ensure_ascii=False)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": "public, max-age=60",
        "ETag": etag,
        "Last-Modified": format_datetime(changed, usegmt=True),
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/vc+ld+json", headers=headers)


@router.get("/contexts/eu-mc/v1", summary="microcred's EU micro-credential JSON-LD context")
def eu_context() -> Response:
    return _json(
        documents.get_context(EU_CONTEXT),
        "application/ld+json",
        **{"Cache-Control": "public, max-age=86400"},
    )


def _view(request: Request, credential_id: str, *, count_view: bool) -> public.CredentialView:
    engine, ctx = _engine(request), _ctx(request)
    fetch = public.LocalFirstFetch(engine, ctx, request.app.state.fetcher)
    trust = request.app.state.trust.registry(fetch)
    with session_scope(engine) as s:
        return public.credential_view(
            s, ctx, credential_id, fetch=fetch, count_view=count_view, trust=trust
        )


@router.get("/credentials/{credential_id:uuid}.{fmt}", summary="Download a credential")
async def download(request: Request, credential_id: UUID, fmt: str) -> Response:
    if fmt not in DOWNLOADS:
        raise MicrocredError(
            f"no download format {fmt!r}; use one of {', '.join(DOWNLOADS)}", code="not_found"
        )
    return await run_in_threadpool(_download, request, str(credential_id), fmt)


def _download(request: Request, credential_id: str, fmt: str) -> Response:
    view = _view(request, credential_id, count_view=False)
    doc = view.document
    media, _ = DOWNLOADS[fmt]
    name = f"credential-{credential_id}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "json":
        return _json(doc, media, **headers)
    if fmt == "jwt":
        with session_scope(_engine(request)) as s:
            key = orgs.signer(s, _ctx(request), view.org)
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        return Response(vcjwt.sign_vc_jwt(unsigned, key), media_type=media, headers=headers)
    if fmt == "png":
        return Response(baking.bake(badge_png(256), doc), media_type=media, headers=headers)
    if fmt == "svg":
        svg = sharing.badge_svg(name=view.achievement.get("name") or "Badge", issuer=view.org.name)
        return Response(baking.bake(svg.encode(), doc), media_type=media, headers=headers)
    pdf = sharing.certificate_pdf(
        credential=doc,
        page_url=view.page_url,
        issuer_name=view.org.name,
        recipient_name=view.recipient_name,
        achievement=view.achievement,
        issued=view.credential.valid_from,
        expires=view.credential.valid_until,
        verified_note=_verdict_sentence(view),
    )
    return Response(pdf, media_type=media, headers=headers)


def _safe_image(value: Any) -> str | None:
    """A badge image the page may show: a data:image URI or an https URL (the browser loads
    it; the server never fetches it)."""
    src = value.get("id") if isinstance(value, dict) else value
    if isinstance(src, str) and (src.startswith("data:image/") or src.startswith("https://")):
        return src
    return None


def _verdict_sentence(view: public.CredentialView) -> str:
    if view.verified:
        return "Verified: the signature matches and the credential is valid and not revoked."
    failed = [c.message for c in view.report.checks if c.status == "failed"]
    return "Not verified: " + (failed[0] if failed else "a check could not be made.")


@router.get("/credentials/{credential_id:uuid}", summary="A credential's public page")
async def credential_page(request: Request, credential_id: UUID) -> Response:
    accept = request.headers.get("accept", "")
    if any(t in accept for t in LD_TYPES):
        view = await run_in_threadpool(_view, request, str(credential_id), count_view=False)
        return _json(view.document, "application/vc+ld+json")
    view = await run_in_threadpool(_view, request, str(credential_id), count_view=True)
    ach = view.achievement
    issued, expires = view.credential.valid_from, view.credential.valid_until
    linkedin = None
    if view.verified:
        linkedin = sharing.linkedin_add_url(
            name=ach.get("name") or "Credential",
            organization_name=view.org.name,
            issued=issued,
            expires=expires,
            cert_url=view.page_url,
            cert_id=view.credential.id,
        )
    image = _safe_image(ach.get("image") or view.document.get("image"))
    og = sharing.open_graph_tags(
        title=f"{ach.get('name', 'Credential')} · {view.org.name}",
        description=str(ach.get("description") or ""),
        page_url=view.page_url,
        image_url=image,
    )
    return render(
        request,
        "credential.html",
        view=view,
        ach=ach,
        facts=sharing.achievement_facts(ach),
        skills=sharing.achievement_skills(ach),
        issued=issued,
        expires=expires,
        linkedin=linkedin,
        og=og,
        image=image,
        downloads=[
            (f"/credentials/{view.credential.id}.{k}", label) for k, (_, label) in DOWNLOADS.items()
        ],
        verdict_sentence=_verdict_sentence(view).split(": ", 1)[-1],
    )
