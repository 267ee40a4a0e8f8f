"""The public catalog: its JSON API and its pages (read-only, no sign-in).

GET /api/v1/catalog/programs         search with filters and facet counts (JSON)
GET /api/v1/catalog/programs/{id}    one program, whole (JSON)
GET /catalog                         the search page (a GET form; works without JavaScript)
GET /catalog/programs/{id}           a program's page
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.catalog import search as catalog_search
from microcred.catalog import store as catalog_store
from microcred.catalog.model import FORMATS, PROOFS, PROVIDER_TYPES
from microcred.errors import MicrocredError
from microcred.store.db import session_scope
from microcred.store.models import CatalogProgram
from microcred.web import catalog_view as view
from microcred.web.catalog_schemas import (
    PAGE_SIZE,
    CatalogFacets,
    CatalogList,
    CatalogQuery,
    ProgramDetail,
    ProgramSummary,
    ProviderBrief,
)
from microcred.web.errors import PROBLEM_JSON
from microcred.web.templating import render

router = APIRouter(tags=["catalog"])
CACHE = {"Cache-Control": "public, max-age=60"}
_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}
# the page's filters, in the order of the form, with the words that name them
FILTER_LABELS = {
    "q": "Search",
    "topic": "Topic",
    "skill": "Skill",
    "provider_type": "Provider type",
    "format": "Format",
    "max_cost": "Max cost",
    "max_weeks": "Max weeks",
    "funding": "Funding",
    "proof": "Proof",
}
FACET_TITLES = {
    "provider_type": ("Provider type", view.PROVIDER_LABELS),
    "format": ("Format", view.FORMAT_LABELS),
    "credential_type": ("Credential type", view.CREDENTIAL_LABELS),
    "proof": ("Proof", view.PROOF_LABELS),
}
FILTERABLE_FACETS = ("provider_type", "format", "proof")  # search filters on these
MAX_PAGE = 10_000


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _sample_flags(session: Session, ids: list[str]) -> dict[str, bool]:
    if not ids:
        return {}
    rows = session.execute(
        select(CatalogProgram.id, CatalogProgram.is_sample).where(CatalogProgram.id.in_(ids))
    )
    return {pid: bool(flag) for pid, flag in rows}


def _run_search(request: Request, args: dict[str, Any]) -> tuple[Any, dict[str, bool]]:
    with session_scope(_engine(request)) as s:
        result = catalog_search.search(s, **args)
        flags = _sample_flags(s, [h.id for h in result.items])
    return result, flags


def _not_found(program_id: str) -> MicrocredError:
    return MicrocredError(f"There is no catalog program {program_id!r}.", code="not_found")


def _get(request: Request, program_id: str) -> catalog_store.StoredProgram:
    with session_scope(_engine(request)) as s:
        stored = catalog_store.get_program(s, program_id)
    if stored is None:
        raise _not_found(program_id)
    return stored


# ---- JSON API -----------------------------------------------------------------------------
@router.get(
    "/api/v1/catalog/programs",
    response_model=CatalogList,
    summary="Search the catalog",
    responses={400: {"description": "A parameter has a bad value (named).", **_PROBLEM}},
)
def api_search(
    request: Request, response: Response, query: Annotated[CatalogQuery, Query()]
) -> CatalogList:
    """Programs matching every word of `q` and every filter, by relevance then name, with
    facet counts over all matches. Public, read-only."""
    result, flags = _run_search(request, query.search_args())
    items = []
    for hit in result.items:
        p = hit.program
        items.append(
            ProgramSummary(
                id=hit.id,
                name=p.name,
                provider=ProviderBrief(
                    name=p.provider.name, provider_type=p.provider.provider_type
                ),
                credential_type=p.credential_type,
                description=p.description,
                hours=p.hours,
                weeks_min=p.weeks_min,
                weeks_max=p.weeks_max,
                format=p.format,
                language=p.language,
                proof=p.proof,
                price_hint=p.price_hint(),
                currency=p.currency,
                funding=p.funding,
                topics=p.topics,
                is_sample=flags.get(hit.id, False),
                as_of=p.as_of,
                score=hit.score,
            )
        )
    response.headers.update(CACHE)
    return CatalogList(
        total=result.total,
        limit=query.limit,
        offset=query.offset,
        items=items,
        facets=CatalogFacets(**result.facets),
    )


@router.get(
    "/api/v1/catalog/programs/{program_id}",
    response_model=ProgramDetail,
    summary="One catalog program",
    responses={404: {"description": "No such program.", **_PROBLEM}},
)
def api_program(request: Request, response: Response, program_id: str) -> ProgramDetail:
    """The whole program: provider, EU standard elements, skills, duration, cost, funding,
    proof, validity and employer recognition."""
    stored = _get(request, program_id)
    p = stored.program
    response.headers.update(CACHE)
    return ProgramDetail.model_validate(
        {
            **p.to_json(),
            "id": stored.id,
            "is_sample": stored.is_sample,
            "price_hint": p.price_hint(),
        }
    )


# ---- pages --------------------------------------------------------------------------------
def _form_values(params: Mapping[str, str]) -> dict[str, str]:
    return {name: params.get(name, "") for name in FILTER_LABELS}


def _validate(values: dict[str, str]) -> tuple[CatalogQuery, dict[str, str]]:
    """The valid filters, and a message per bad one (the bad ones are left out)."""
    errors: dict[str, str] = {}
    try:
        return CatalogQuery.model_validate(values), errors
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err.get("loc") else ""
            errors[name] = _message(name, err)
    kept = {k: v for k, v in values.items() if k not in errors}
    return CatalogQuery.model_validate(kept), errors


def _message(name: str, err: Any) -> str:
    label = FILTER_LABELS.get(name, name)
    kind = err.get("type", "")
    if name in ("provider_type", "format", "proof"):
        choices = {"provider_type": PROVIDER_TYPES, "format": FORMATS, "proof": PROOFS}[name]
        return f"{label}: choose one of {', '.join(choices)}."
    if name == "funding":
        return f"{label}: tick the box, or give a funding token such as skillsfuture_eligible."
    if name == "max_cost":
        return f"{label}: give an amount of 0 or more."
    if name == "max_weeks":
        return f"{label}: give a whole number of weeks from 0 to 10,000."
    if kind == "string_too_long":
        return f"{label}: too long ({err.get('msg', '')})."
    return f"{label}: {err.get('msg', 'not a usable value')}."


def _href(filters: dict[str, str], **changes: str | None) -> str:
    values = {**filters, **changes}
    pairs = [(k, v) for k, v in values.items() if v not in (None, "")]
    return "/catalog" + ("?" + urlencode(pairs) if pairs else "")


def _active(filters: dict[str, str]) -> list[dict[str, str]]:
    """The filters in force, each with a link that removes it."""
    out = []
    for name, value in filters.items():
        if not value:
            continue
        if name in FACET_TITLES:
            shown = view.label(FACET_TITLES[name][1], value)
        elif name == "funding":
            shown = {"true": "any funding", "false": "no funding"}.get(value) or (
                view.funding_words(value)
            )
        elif name == "max_cost":
            shown = f"at most {view.plain(float(value))}"
        elif name == "max_weeks":
            shown = f"at most {value} weeks"
        else:
            shown = value
        out.append(
            {"label": FILTER_LABELS[name], "value": shown, "remove": _href(filters, **{name: None})}
        )
    return out


def _facets(result: Any, filters: dict[str, str]) -> list[dict[str, Any]]:
    groups = []
    for name, (title, labels) in FACET_TITLES.items():
        entries = []
        for value, count in result.facets.get(name, {}).items():
            if not count and filters.get(name) != value:
                continue
            link = None
            if name in FILTERABLE_FACETS and value != catalog_search.UNKNOWN:
                link = _href(filters, **{name: value})
            entries.append(
                {
                    "label": view.label(labels, value) if value != "unknown" else "Not stated",
                    "count": count,
                    "href": link,
                    "active": filters.get(name) == value,
                }
            )
        if entries:
            groups.append({"name": name, "title": title, "entries": entries})
    return groups


@router.get("/catalog", include_in_schema=False, name="catalog_page")
def catalog_page(request: Request) -> Response:
    """Search the catalog: words and filters in a GET form, facets that add a filter."""
    params = request.query_params
    values = _form_values(params)
    query, errors = _validate(values)
    filters = {k: v for k, v in values.items() if v and k not in errors}
    page_number = 1
    raw_page = params.get("page", "")
    if raw_page:
        try:
            page_number = int(raw_page)
        except ValueError:
            page_number = 0
        if not 1 <= page_number <= MAX_PAGE:
            errors["page"] = f"Page: give a page number from 1 to {MAX_PAGE:,}."
            page_number = 1
    args = {**query.search_args(), "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
    result, flags = _run_search(request, args)
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    results = [
        view.summary(h.id, h.program, is_sample=flags.get(h.id, False)) for h in result.items
    ]
    for r in results:
        r["href"] = request.url_for("catalog_program_page", program_id=r["id"]).path

    def page_href(n: int) -> str:
        return _href(filters, page=str(n) if n > 1 else None)

    return render(
        request,
        "catalog.html",
        400 if errors else 200,
        values=values,
        errors=errors,
        error_list=list(errors.values()),
        results=results,
        total=result.total,
        facets=_facets(result, filters),
        active=_active(filters),
        clear_href="/catalog",
        page_number=page_number,
        pages=pages,
        prev_href=page_href(page_number - 1) if page_number > 1 else None,
        next_href=page_href(page_number + 1) if page_number < pages else None,
        provider_types=[(k, view.PROVIDER_LABELS[k]) for k in PROVIDER_TYPES],
        formats=[(k, view.FORMAT_LABELS[k]) for k in FORMATS],
        proofs=[(k, view.PROOF_LABELS[k]) for k in PROOFS],
    )


@router.get("/catalog/programs/{program_id}", include_in_schema=False, name="catalog_program_page")
def program_page(request: Request, program_id: str) -> Response:
    """Everything about one program, laid out for a learner."""
    stored = _get(request, program_id)
    p = view.detail(stored.id, stored.program, is_sample=stored.is_sample)
    return render(
        request,
        "catalog_program.html",
        p=p,
        cost_href="/cost?" + urlencode({"program": stored.id}),
        compare_href="/catalog/compare?" + urlencode({"ids": stored.id}),
        catalog_href=request.url_for("catalog_page").path,
    )
