"""The learner's true cost, comparison and advice: JSON API and pages (public, no sign-in).

POST /api/v1/cost        a catalog program's (or a hand-described program's) true cost
POST /api/v1/compare     two to four catalog programs side by side
POST /api/v1/advise      programs ranked for a goal, with reasons
GET  /cost               the cost calculator (a GET form; works without JavaScript)
GET  /catalog/compare    the comparison page (``ids`` repeated)
GET  /advisor            the advisor page

The services (``microcred.catalog.service``) do the work; the CLI calls the same ones, so
all three answer alike. A bad value is a 400 naming its field (a problem for the API, a
message on the page), an unknown program a 404, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from microcred.advisor.advise import Preferences
from microcred.advisor.funding import Learner
from microcred.advisor.inputs import learner_from, manual_quote, quote_json
from microcred.advisor.quote import MAX_COMPARE, MIN_COMPARE, Caveat
from microcred.advisor.skills import load_curated, split_items
from microcred.catalog import service
from microcred.catalog import store as catalog_store
from microcred.errors import MicrocredError
from microcred.store.db import session_scope
from microcred.store.models import CatalogProgram
from microcred.wallet import organise
from microcred.web import advice_view as view
from microcred.web import catalog_view as cv
from microcred.web.advice_schemas import (
    INSTITUTION_TYPES,
    RESIDENCIES,
    AdviceOut,
    AdviseRequest,
    CompareRequest,
    ComparisonOut,
    CostAnswer,
    CostRequest,
    CostsIn,
    HorizonYears,
    HoursPerWeek,
    LearnerIn,
)
from microcred.web.errors import PROBLEM_JSON, STATUS_BY_CODE, BadRequest
from microcred.web.learner_auth import optional_learner
from microcred.web.templating import render

router = APIRouter(tags=["advisor"])
_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A field has a bad value (named by its JSON path).", **_PROBLEM},
    404: {"description": "No such catalog program.", **_PROBLEM},
}
NO_JURISDICTION = "XX"  # no funding rules: the pages' answer before the learner says where
NO_FUNDING_CODES = ("no_funding", "currency")  # meaningless before the learner says where
PROGRAM_CHOICES = 500  # programs offered in the compare page's "add a program" list


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _costs_error(exc: ValueError) -> BadRequest:
    return BadRequest(f"costs: {exc}")


# ---- JSON API -----------------------------------------------------------------------------
@router.post(
    "/api/v1/cost",
    response_model=CostAnswer,
    response_model_exclude_unset=True,
    summary="A program's true cost for a learner",
    responses=_ERRORS,
)
def api_cost(request: Request, body: CostRequest) -> Any:
    """Gross cost at the learner's pace, one line per funding program (amount, timing,
    whether it applies and why, its source) and the net cost: the same JSON as
    `microcred cost --json`. With `program` (a catalog id) also the program, the cumulative
    cash per month, the month tax credits come back and the warnings."""
    learner = body.learner.learner()
    if body.program is not None:
        with session_scope(_engine(request)) as s:
            q = service.quote_program(
                s,
                body.program,
                learner,
                hours_per_week=body.hours_per_week,
                horizon_years=body.horizon_years,
                start=body.start,
            )
        return CostAnswer.model_validate(quote_json(q))
    assert body.costs is not None
    try:
        result = manual_quote(
            body.costs.manual(body.start),
            learner,
            hours_per_week=body.hours_per_week,
            horizon_years=body.horizon_years,
        )
    except ValueError as exc:
        raise _costs_error(exc) from None
    return CostAnswer.model_validate(result.to_json())


@router.post(
    "/api/v1/compare",
    response_model=ComparisonOut,
    summary="Compare two to four catalog programs",
    responses=_ERRORS,
)
def api_compare(request: Request, body: CompareRequest) -> Any:
    """Each program's true cost on one time axis, and `chart`: per program, the cumulative
    gross spend and cash out of pocket per month over `months`."""
    learner = body.learner.learner()
    with session_scope(_engine(request)) as s:
        c = service.compare_programs(
            s,
            body.programs,
            learner,
            hours_per_week=body.hours_per_week,
            horizon_years=body.horizon_years,
            start=body.start,
        )
    return c.to_json()


@router.post(
    "/api/v1/advise",
    response_model=AdviceOut,
    summary="Rank the catalog's programs for a goal",
    responses=_ERRORS,
)
def api_advise(request: Request, body: AdviseRequest) -> Any:
    """The goal's skills the learner lacks (`gap`), and the programs that teach them ranked
    by skills covered, net cost, time, proof, recognition and format, each with its reasons
    and warnings. A goal nothing matches is a 400 naming `goal` (with the nearest
    occupations)."""
    learner = body.learner.learner()
    prefs = Preferences(
        budget=body.budget,
        hours_per_week=body.hours_per_week,
        format=body.format,
        horizon_years=body.horizon_years,
        limit=body.limit,
    )
    have = [item for text in body.have for item in split_items(text)]
    engine = _engine(request)
    with session_scope(engine) as s:
        if body.use_wallet:
            have += _wallet_skills(request, s)
        advice = service.advise_learner(
            s, service.skills_source(engine), body.goal, learner, prefs, have=have
        )
    return advice.to_json()


def _wallet_skills(request: Request, session: Any) -> list[str]:
    """The skill URIs of the signed-in learner's wallet (verified credentials); none
    without a session."""
    account = optional_learner(request)
    if account is None:
        return []
    return organise.have_uris(session, account)


# ---- form handling shared by the pages ----------------------------------------------------
LEARNER_FIELDS = (
    "jurisdiction",
    "age",
    "income",
    "filing_status",
    "tax_year",
    "residency",
    "family_size",
    "ctc_years",
    "ctc_balance",
    "employer_assistance",
)
PACE_FIELDS = ("hours_per_week", "horizon_years", "start")
COST_FIELDS = (
    "price",
    "monthly",
    "hours",
    "exam_fee",
    "retake_fee",
    "retakes",
    "renewal_fee",
    "renewal_every",
    "currency",
    "institution_type",
    "weeks",
    "approved",
    "federal_aid_eligible",
    "level",
    "start_date",
)
LABELS = {
    "jurisdiction": "Where you live",
    "age": "Age",
    "income": "Income",
    "filing_status": "Filing status",
    "tax_year": "Tax year",
    "residency": "Residency",
    "family_size": "Family size",
    "ctc_years": "Canada Training Credit years",
    "ctc_balance": "Canada Training Credit balance",
    "employer_assistance": "Employer assistance",
    "hours_per_week": "Hours a week",
    "horizon_years": "Years of renewals",
    "price": "Price",
    "monthly": "Monthly price",
    "hours": "Hours of study",
    "exam_fee": "Exam fee",
    "retake_fee": "Retake fee",
    "retakes": "Retakes",
    "renewal_fee": "Renewal fee",
    "renewal_every": "Renew every (years)",
    "currency": "Currency",
    "institution_type": "Institution type",
    "weeks": "Length in weeks",
    "approved": "Approved by the funder",
    "federal_aid_eligible": "Eligible for federal student aid",
    "level": "Qualification level",
    "start_date": "Start date",
    "start": "Start date",
    "goal": "Goal",
    "have": "Skills you have",
    "budget": "Budget",
    "format": "Format",
    "ids": "Programs",
    "program": "Program",
}


class PaceIn(BaseModel):
    hours_per_week: float | None = HoursPerWeek
    horizon_years: int = HorizonYears
    start: dt.date | None = None


class AdvisorPrefsIn(BaseModel):
    goal: str = Field(max_length=500)
    have: str = Field("", max_length=2000)
    budget: float | None = Field(None, ge=0, le=1e9, allow_inf_nan=False)
    format: str | None = Field(None, pattern=r"^(online|hybrid|in_person)$")


def _values(params: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    return {n: params.get(n, "").strip() for n in names}


def _message(name: str, err: Mapping[str, Any]) -> str:
    label = LABELS.get(name, name.replace("_", " ").capitalize())
    msg = str(err.get("msg", "not a usable value"))
    msg = msg.removeprefix("Value error, ")
    if name == "jurisdiction":
        return f"{label}: choose a place from the list."
    if name == "format":
        return f"{label}: choose online, hybrid or in person."
    return f"{label}: {msg}."


def _validate(
    model: type[BaseModel], values: Mapping[str, str], errors: dict[str, str], *, model_field: str
) -> Any:
    """``model`` from the non-empty ``values``, or None with a message per bad field added
    to ``errors`` (a rule across fields is named ``model_field``)."""
    data = {k: v for k, v in values.items() if v != ""}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = err.get("loc") or ()
            name = str(loc[0]) if loc else model_field
            errors.setdefault(name, _message(name, err))
        return None


def _learner_in(values: Mapping[str, str], errors: dict[str, str]) -> LearnerIn | None:
    learner: LearnerIn | None = _validate(
        LearnerIn, _only(values, LEARNER_FIELDS), errors, model_field="ctc_years"
    )
    return learner


def _only(values: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    return {n: values.get(n, "") for n in names}


def _carry(
    values: Mapping[str, str], names: Sequence[str] = (*LEARNER_FIELDS, *PACE_FIELDS)
) -> list[tuple[str, str]]:
    """The learner's fields to carry over into a link."""
    return [(n, values[n]) for n in names if values.get(n)]


def _learner_context() -> dict[str, Any]:
    return {
        "jurisdictions": list(view.JURISDICTIONS.items()),
        "residencies": [(k, view.RESIDENCY_LABELS[k]) for k in RESIDENCIES],
    }


def _placeholder_learner() -> Learner:
    return learner_from(NO_JURISDICTION)


def _without_no_funding(warnings: Sequence[Caveat]) -> list[Caveat]:
    return [w for w in warnings if w.code not in NO_FUNDING_CODES]


def _status(exc: MicrocredError) -> int:
    return STATUS_BY_CODE.get(exc.code, 400)


# ---- the cost page ------------------------------------------------------------------------
@router.get("/cost", include_in_schema=False, name="cost_page")
def cost_page(request: Request) -> Response:
    """The cost calculator: a catalog program's, or a program described by hand."""
    params = request.query_params
    program_id = params.get("program", "").strip()
    values = _values(params, (*LEARNER_FIELDS, *PACE_FIELDS, *COST_FIELDS))
    errors: dict[str, str] = {}
    status = 200
    stored = None
    if program_id:
        with session_scope(_engine(request)) as s:
            stored = catalog_store.get_program(s, program_id)
        if stored is None:
            errors["program"] = f"There is no catalog program {program_id!r}."
            status = 404
    submitted = bool(values["jurisdiction"]) and status == 200
    result = None
    if submitted:
        learner_in = _learner_in(values, errors)
        pace = _validate(PaceIn, _only(values, PACE_FIELDS), errors, model_field="hours_per_week")
        costs = None
        if stored is None:
            costs = _validate(CostsIn, _only(values, COST_FIELDS), errors, model_field="price")
        if errors:
            status = 400
        else:
            assert learner_in is not None and pace is not None
            learner = learner_in.learner()
            try:
                result = _quote(request, stored, costs, learner, pace)
            except MicrocredError as exc:
                errors["program" if stored is not None else "price"] = exc.user_message
                status = _status(exc)
            except ValueError as exc:
                errors["price"] = f"Costs: {exc}."
                status = 400
    program = None
    if stored is not None:
        p = stored.program
        program = {
            "id": stored.id,
            "name": p.name,
            "provider": p.provider.name,
            "href": request.url_for("catalog_program_page", program_id=stored.id).path,
            "cost_lines": [cv.cost_line(c) for c in p.cost],
            "sample": cv.sample_marker(stored.is_sample, p.as_of),
        }
    advisor_href = "/advisor" + _query(_carry(values))
    return render(
        request,
        "cost.html",
        status,
        values=values,
        program_id=program_id,
        program=program,
        errors=errors,
        error_list=list(errors.values()),
        submitted=submitted,
        result=result,
        institution_types=[(k, view.INSTITUTION_LABELS[k]) for k in INSTITUTION_TYPES],
        advisor_href=advisor_href,
        **_learner_context(),
    )


def _quote(
    request: Request, stored: Any, costs: CostsIn | None, learner: Learner, pace: PaceIn
) -> dict[str, Any]:
    if stored is not None:
        with session_scope(_engine(request)) as s:
            q = service.quote_program(
                s,
                stored.id,
                learner,
                hours_per_week=pace.hours_per_week,
                horizon_years=pace.horizon_years,
                start=pace.start,
            )
        shown = view.quote_view(
            currency=q.currency,
            gross=q.gross,
            funding=q.funding,
            net=q.net,
            cash=q.cash,
            refund_month=q.refund_month,
            warnings=q.warnings,
            title=q.name,
        )
        shown["start"] = cv.long_date(q.start)
        shown["pace"] = f"{q.hours_per_week:g} hours a week" if q.hours_per_week else None
        return shown
    assert costs is not None
    m = manual_quote(
        costs.manual(pace.start),
        learner,
        hours_per_week=pace.hours_per_week,
        horizon_years=pace.horizon_years,
    )
    shown = view.quote_view(
        currency=m.gross.currency,
        gross=m.gross,
        funding=m.funding,
        net=m.net,
        cash=m.cash,
        refund_month=m.refund_month,
        title="this program",
    )
    shown["start"] = cv.long_date(m.start)
    shown["pace"] = f"{pace.hours_per_week:g} hours a week" if pace.hours_per_week else None
    return shown


def _query(pairs: Sequence[tuple[str, str]]) -> str:
    return "?" + urlencode(pairs) if pairs else ""


# ---- the comparison page ------------------------------------------------------------------
@router.get("/catalog/compare", include_in_schema=False, name="compare_page")
def compare_page(request: Request) -> Response:
    """Two to four programs side by side, with a chart of their cumulative cost."""
    params = request.query_params
    ids = [i.strip() for i in params.getlist("ids") if i.strip()]
    values = _values(params, (*LEARNER_FIELDS, *PACE_FIELDS))
    errors: dict[str, str] = {}
    status = 200
    unique = list(dict.fromkeys(ids))
    if len(unique) != len(ids):
        errors["ids"] = "Programs: the same program is picked twice; pick different ones."
    elif not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        errors["ids"] = (
            f"Programs: pick {MIN_COMPARE} to {MAX_COMPARE} programs to compare "
            f"(you picked {len(ids)})."
        )
    learner_in = _learner_in(values, errors) if values["jurisdiction"] else None
    pace = _validate(PaceIn, _only(values, PACE_FIELDS), errors, model_field="hours_per_week")
    if errors:
        status = 400
    shown = None
    if not errors:
        learner = learner_in.learner() if learner_in is not None else _placeholder_learner()
        try:
            with session_scope(_engine(request)) as s:
                c = service.compare_programs(
                    s,
                    ids,
                    learner,
                    hours_per_week=pace.hours_per_week,
                    horizon_years=pace.horizon_years,
                    start=pace.start,
                )
                programs = {pid: prog for pid, prog, _ in service.load(s, ids)}
        except MicrocredError as exc:
            errors["ids"] = _compare_error(exc)
            status = _status(exc)
        else:
            hide = () if learner_in is not None else NO_FUNDING_CODES
            shown = view.comparison_view(c, programs, hide=hide)
            for col in shown["columns"]:
                col["href"] = request.url_for("catalog_program_page", program_id=col["id"]).path
                col["cost_href"] = "/cost" + _query([("program", col["id"]), *_carry(values)])
    picked = _names(request, unique) if "ids" in errors else {}
    choices = _choices(request, unique) if "ids" in errors and len(picked) < MAX_COMPARE else []
    return render(
        request,
        "compare.html",
        status,
        ids=unique,
        values=values,
        errors=errors,
        error_list=list(errors.values()),
        shown=shown,
        funding_counted=learner_in is not None,
        picked=picked,
        choices=choices,
        **_learner_context(),
    )


def _compare_error(exc: MicrocredError) -> str:
    msg = exc.user_message
    if exc.code == "not_found":
        return f"Programs: {msg}. Pick programs from the catalog."
    return f"Programs: {msg}."


def _names(request: Request, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    with session_scope(_engine(request)) as s:
        rows = s.execute(
            select(CatalogProgram.id, CatalogProgram.name).where(CatalogProgram.id.in_(list(ids)))
        )
        return {pid: name for pid, name in rows}


def _choices(request: Request, exclude: Sequence[str]) -> list[tuple[str, str]]:
    """Programs to add to the comparison (by name)."""
    with session_scope(_engine(request)) as s:
        rows = s.execute(
            select(CatalogProgram.id, CatalogProgram.name)
            .order_by(CatalogProgram.name, CatalogProgram.id)
            .limit(PROGRAM_CHOICES)
        )
        return [(pid, name) for pid, name in rows if pid not in exclude]


# ---- the advisor page ---------------------------------------------------------------------
@router.get("/advisor", include_in_schema=False, name="advisor_page")
def advisor_page(request: Request) -> Response:
    """A goal in, programs ranked with reasons out."""
    params = request.query_params
    values = _values(params, ("goal", "have", "budget", "format", *LEARNER_FIELDS, *PACE_FIELDS))
    use_wallet = params.get("use_wallet", "") in ("1", "true", "yes", "on")
    errors: dict[str, str] = {}
    status = 200
    advice = None
    near: list[dict[str, str]] = []
    asked = bool(values["goal"])
    if asked:
        prefs_in = _validate(
            AdvisorPrefsIn,
            _only(values, ("goal", "have", "budget", "format")),
            errors,
            model_field="goal",
        )
        learner_in = _learner_in(values, errors) if values["jurisdiction"] else None
        pace = _validate(PaceIn, _only(values, PACE_FIELDS), errors, model_field="hours_per_week")
        if errors:
            status = 400
        else:
            learner = learner_in.learner() if learner_in is not None else _placeholder_learner()
            prefs = Preferences(
                budget=prefs_in.budget,
                hours_per_week=pace.hours_per_week,
                format=prefs_in.format,
                horizon_years=pace.horizon_years,
            )
            engine = _engine(request)
            source = service.skills_source(engine)
            try:
                with session_scope(engine) as s:
                    have = split_items(prefs_in.have)
                    if use_wallet:
                        have += _wallet_skills(request, s)
                    result = service.advise_learner(
                        s, source, prefs_in.goal, learner, prefs, have=have
                    )
            except MicrocredError as exc:
                errors["goal"] = exc.user_message[:1].upper() + exc.user_message[1:]
                status = _status(exc)
                near = [
                    {
                        "label": o.label,
                        "href": "/advisor"
                        + _query(
                            [
                                ("goal", o.label),
                                *_carry(
                                    values,
                                    ("have", "budget", "format", *LEARNER_FIELDS, *PACE_FIELDS),
                                ),
                            ]
                        ),
                    }
                    for o in source.search_occupations(values["goal"], 5)
                ]
            else:
                advice = _advice_view(request, result, values, learner_in is not None)
    occupations = sorted({o.label for o in load_curated().occupations}, key=str.lower)
    return render(
        request,
        "advisor.html",
        status,
        values=values,
        errors=errors,
        error_list=list(errors.values()),
        asked=asked,
        advice=advice,
        near=near,
        occupations=occupations,
        use_wallet=use_wallet,
        signed_in=optional_learner(request) is not None,
        formats=[(k, cv.FORMAT_LABELS[k]) for k in ("online", "hybrid", "in_person")],
        **_learner_context(),
    )


def _advice_view(
    request: Request, a: Any, values: Mapping[str, str], funding_counted: bool
) -> dict[str, Any]:
    carry = _carry(values)
    recs = []
    for i, r in enumerate(a.recommendations, start=1):
        q = r.quote
        warnings = r.warnings if funding_counted else _without_no_funding(r.warnings)
        pace = f" at {q.hours_per_week:g} h/week" if q.hours_per_week else ""
        recs.append(
            {
                "rank": i,
                "id": r.program_id,
                "name": r.name,
                "provider": r.provider,
                "provider_type": cv.label(cv.PROVIDER_LABELS, r.provider_type),
                "score": f"{r.score:.2f}",
                "net": view.money(q.net.net, q.currency),
                "gross": view.money(q.gross.total, q.currency),
                "weeks": f"{q.weeks} weeks{pace}" if q.weeks else "Length not stated",
                "covers": [s.label for s in r.covers],
                "reasons": r.reasons,
                "warnings": [w.message for w in warnings],
                "href": request.url_for("catalog_program_page", program_id=r.program_id).path,
                "cost_href": "/cost" + _query([("program", r.program_id), *carry]),
            }
        )
    top = [r["id"] for r in recs[:MAX_COMPARE]]
    compare_href = None
    if len(top) >= MIN_COMPARE:
        compare_href = "/catalog/compare" + _query([*(("ids", pid) for pid in top), *carry])
    return {
        "goal": a.goal.label,
        "gap": [{"label": s.label, "essential": s.essential, "uri": s.uri} for s in a.gap],
        "have": [s.label for s in a.have],
        "considered": a.considered,
        "recommendations": recs,
        "notes": a.notes,
        "compare_href": compare_href,
        "compare_count": len(top),
    }
