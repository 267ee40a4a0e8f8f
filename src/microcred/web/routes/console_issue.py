"""The console's issuing pages: achievements, one award, cohort uploads and their jobs.

GET  /console/achievements                       the organisation's achievements
GET  /console/achievements/new, POST (issuer)    define one (the form keeps what was typed
GET  /console/achievements/{id}/edit, POST        and names the problem's JSON path)
GET  /console/achievements/{id}/preview          the credential it would issue, unsigned
GET  /console/award, POST (issuer)               award one; then its console page
GET  /console/cohorts/new, POST (issuer)         upload a CSV: a dry run lists problems by
                                                 line and column; otherwise a job is made
GET  /console/jobs/{id}, /progress.json          a job's live progress (static/console.js)
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from microcred.errors import MicrocredError
from microcred.issuing import achievements, awards, cohort_csv, jobs, orgs, records, sharing
from microcred.store.db import session_scope
from microcred.store.models import Credential
from microcred.vc.openbadges import check_shape
from microcred.web import console_forms, schemas
from microcred.web.console_auth import Console
from microcred.web.console_kit import (
    NO_STORE,
    ConsoleDep,
    ConsoleRoute,
    IssuerPost,
    engine,
    org_achievements,
    page,
    see_other,
)
from microcred.web.errors import STATUS_BY_CODE

router = APIRouter(route_class=ConsoleRoute)
PREVIEW_ID = "00000000-0000-4000-8000-000000000000"
SAMPLE_RECIPIENT = awards.Recipient(email="learner@example.org", name="Sample Learner")
DUPLICATE_CHOICES = {
    "fail": "Stop: do not issue it again",
    "skip": "Skip: keep the credential they hold",
    "reissue": "Reissue: revoke theirs and issue a new one",
}


# ---- achievements -------------------------------------------------------------------------
@router.get("/achievements", name="console_achievements")
def achievements_page(request: Request, console: ConsoleDep) -> Response:
    with session_scope(engine(request)) as s:
        items = org_achievements(s, console)
        issued = dict(
            s.execute(
                select(Credential.achievement_id, func.count())
                .where(Credential.org_id == console.org_id)
                .group_by(Credential.achievement_id)
            ).all()
        )
    return page(request, console, "achievements.html", items=items, issued=issued)


def _form_page(
    request: Request,
    console: Console,
    *,
    form: dict[str, str],
    action: str,
    heading: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        console,
        "achievement_form.html",
        status_code,
        form=form,
        action=action,
        heading=heading,
        error=error,
        error_field=console_forms.field_of(error) if error else None,
        types=console_forms.TYPES,
        participation=console_forms.PARTICIPATION_FORMS,
        eqf_levels=console_forms.EQF_LEVELS,
    )


@router.get("/achievements/new", name="console_achievement_new")
def new_achievement(request: Request, console: ConsoleDep) -> Response:
    console.require("issuer")
    return _form_page(
        request,
        console,
        form=console_forms.empty_form(),
        action="/console/achievements/new",
        heading="New achievement",
    )


async def _form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {f: v if isinstance(v := form.get(f), str) else "" for f in console_forms.FIELDS}


@router.post("/achievements/new")
async def create_achievement(request: Request, console: IssuerPost) -> Response:
    values = await _form_values(request)

    def save() -> str:
        with session_scope(engine(request)) as s:
            definition = console_forms.definition_from_form(values)
            return achievements.create_achievement(s, console.org(s), definition).id

    try:
        ach_id = await run_in_threadpool(save)
    except achievements.DefinitionError as exc:
        return _form_page(
            request,
            console,
            form=values,
            action="/console/achievements/new",
            heading="New achievement",
            error=exc.user_message,
            status_code=400,
        )
    return see_other(f"/console/achievements/{ach_id}/preview?saved=1")


@router.get("/achievements/{achievement_id}/edit", name="console_achievement_edit")
def edit_achievement(request: Request, console: ConsoleDep, achievement_id: str) -> Response:
    console.require("issuer")
    with session_scope(engine(request)) as s:
        ach = achievements.get_achievement(s, console.org(s), achievement_id)
        form = console_forms.form_from_definition(ach.definition)
    return _form_page(
        request,
        console,
        form=form,
        action=f"/console/achievements/{ach.id}/edit",
        heading=f"Edit “{ach.name}”",
    )


@router.post("/achievements/{achievement_id}/edit")
async def update_achievement(
    request: Request, console: IssuerPost, achievement_id: str
) -> Response:
    values = await _form_values(request)

    def save() -> str:
        with session_scope(engine(request)) as s:
            ach = achievements.get_achievement(s, console.org(s), achievement_id)
            definition = console_forms.definition_from_form(values, ach.definition)
            achievements.update_achievement(s, ach, definition)
            return ach.id

    try:
        ach_id = await run_in_threadpool(save)
    except achievements.DefinitionError as exc:
        return _form_page(
            request,
            console,
            form=values,
            action=f"/console/achievements/{achievement_id}/edit",
            heading="Edit achievement",
            error=exc.user_message,
            status_code=400,
        )
    return see_other(f"/console/achievements/{ach_id}/preview?saved=1")


def preview_credential(s: Any, console: Console, achievement_id: str) -> tuple[Any, dict[str, Any]]:
    """(achievement, the unsigned credential it would issue to a sample learner): composed
    as an award is, without a key (nothing is unsealed), a status entry or a proof."""
    org = console.org(s)
    ach = achievements.get_achievement(s, org, achievement_id)
    profile = orgs.profile(s, console.ctx, org)
    prepared = awards._Prepared(  # the signer is not used to compose
        org,
        ach,
        cast(Any, None),
        profile,
        achievements.achievement_json(ach, base_url=console.ctx.base_url, issuer_profile=profile),
    )
    doc = awards.compose(
        console.ctx,
        prepared,
        SAMPLE_RECIPIENT,
        credential_id=PREVIEW_ID,
        status_entries=[],
        now=datetime.now(UTC).replace(microsecond=0),
    )
    doc.pop("credentialStatus", None)
    return ach, doc


@router.get("/achievements/{achievement_id}/preview", name="console_achievement_preview")
def achievement_preview(
    request: Request, console: ConsoleDep, achievement_id: str, saved: int = 0
) -> Response:
    with session_scope(engine(request)) as s:
        ach, doc = preview_credential(s, console, achievement_id)
        name = ach.name
    ach_doc = doc["credentialSubject"]["achievement"]
    return page(
        request,
        console,
        "achievement_preview.html",
        achievement_id=achievement_id,
        ach_name=name,
        ach=ach_doc,
        doc=doc,
        pretty=json.dumps(doc, indent=2, ensure_ascii=False),
        facts=sharing.achievement_facts(ach_doc),
        skills=sharing.achievement_skills(ach_doc),
        problems=check_shape(doc),
        saved=bool(saved),
    )


# ---- award one ----------------------------------------------------------------------------
def _award_page(
    request: Request,
    console: Console,
    *,
    values: dict[str, str],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with session_scope(engine(request)) as s:
        options = [(a.id, a.name) for a in org_achievements(s, console)]
    return page(
        request,
        console,
        "award.html",
        status_code,
        values=values,
        options=options,
        duplicates=DUPLICATE_CHOICES,
        error=error,
    )


AWARD_FIELDS = ("achievement_id", "recipient", "name", "grade", "narrative", "on_duplicate")


@router.get("/award", name="console_award")
def award_page(request: Request, console: ConsoleDep, achievement: str = "") -> Response:
    console.require("issuer")
    values = dict.fromkeys(AWARD_FIELDS, "") | {
        "achievement_id": achievement,
        "on_duplicate": "fail",
        "notify": "yes",
    }
    return _award_page(request, console, values=values)


def _pydantic_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        where = {"email": "recipient", "did": "recipient"}.get(loc[-1], loc[-1]) if loc else ""
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


@router.post("/award")
async def award_submit(request: Request, console: IssuerPost) -> Response:
    form = await request.form()
    values = {f: v if isinstance(v := form.get(f), str) else "" for f in AWARD_FIELDS}
    values["notify"] = "yes" if form.get("notify") == "yes" else ""
    recipient = values["recipient"].strip()
    try:
        body = schemas.AwardCreate(
            achievement_id=values["achievement_id"],
            email=None if not recipient or recipient.startswith("did:") else recipient,
            did=recipient if recipient.startswith("did:") else None,
            name=values["name"].strip() or None,
            grade=values["grade"].strip() or None,
            score=None,
            evidence_url=None,
            evidence_narrative=None,
            narrative=values["narrative"].strip() or None,
            on_duplicate=cast(Any, values["on_duplicate"] or "fail"),
            notify=bool(values["notify"]),
        )
    except ValidationError as exc:
        message = _pydantic_message(exc)
        return await run_in_threadpool(
            lambda: _award_page(request, console, values=values, error=message, status_code=400)
        )

    def issue() -> tuple[str, str]:
        with session_scope(engine(request)) as s:
            org = console.org(s)
            ach = achievements.get_achievement(s, org, body.achievement_id)
            out = awards.issue_award(
                s,
                console.ctx,
                org=org,
                achievement=ach,
                recipient=awards.Recipient(
                    email=body.email,
                    did=body.did,
                    name=body.name,
                    grade=body.grade,
                    narrative=body.narrative,
                ),
                on_duplicate=body.on_duplicate,
                notify=body.notify,
            )
            return out.credential.id, out.status

    try:
        credential_id, outcome = await run_in_threadpool(issue)
    except MicrocredError as exc:
        status_code = STATUS_BY_CODE.get(exc.code, 400)
        error = exc.user_message
        if exc.code == "not_found":
            error = "Choose one of the organisation's achievements."
        return await run_in_threadpool(
            lambda: _award_page(
                request, console, values=values, error=error, status_code=status_code
            )
        )
    return see_other(f"/console/credentials/{credential_id}?done={outcome}")


# ---- cohorts and jobs ---------------------------------------------------------------------
def _problems(report: cohort_csv.DryRunReport) -> list[tuple[int, str | None, str]]:
    rows = [(p.line, p.column, p.message) for p in report.problems]
    rows += [(b, None, f"the same recipient as on line {a}") for a, b in report.duplicates_in_file]
    return sorted(rows, key=lambda r: r[0])


def _cohort_page(
    request: Request,
    console: Console,
    *,
    values: dict[str, str],
    report: cohort_csv.DryRunReport | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with session_scope(engine(request)) as s:
        options = [(a.id, a.name) for a in org_achievements(s, console)]
    return page(
        request,
        console,
        "cohort.html",
        status_code,
        values=values,
        options=options,
        duplicates=DUPLICATE_CHOICES,
        report=report,
        problems=_problems(report) if report else [],
        hidden=(
            max(0, report.problem_count + report.duplicate_count - len(_problems(report)))
            if report
            else 0
        ),
        columns=cohort_csv.KNOWN_COLUMNS,
        error=error,
    )


@router.get("/cohorts/new", name="console_cohort")
def cohort_page(request: Request, console: ConsoleDep, achievement: str = "") -> Response:
    console.require("issuer")
    values = {"achievement_id": achievement, "on_duplicate": "skip", "dry_run": "yes"}
    return _cohort_page(request, console, values=values)


@router.post("/cohorts/new")
def cohort_submit(
    request: Request,
    console: IssuerPost,
    file: Annotated[UploadFile, File()],
    achievement_id: Annotated[str, Form(max_length=64)] = "",
    on_duplicate: Annotated[str, Form(max_length=10)] = "skip",
    dry_run: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    values = {
        "achievement_id": achievement_id,
        "on_duplicate": on_duplicate,
        "dry_run": "yes" if dry_run else "",
    }
    data = file.file.read()
    source = (file.filename or "upload.csv")[:300]
    try:
        with session_scope(engine(request)) as s:
            org = console.org(s)
            ach = achievements.get_achievement(s, org, achievement_id)
            if dry_run:
                report = jobs.dry_run(cast(Any, io.BytesIO(data)), ach)
            else:
                job = jobs.create_job(
                    s,
                    org=org,
                    achievement=ach,
                    open_stream=lambda: cast(Any, io.BytesIO(data)),
                    source=source,
                    on_duplicate=on_duplicate,
                )
                return see_other(f"/console/jobs/{job.id}")
    except jobs.CohortRejected as exc:
        return _cohort_page(
            request,
            console,
            values=values,
            report=exc.report,
            error=f"{len(exc.report.problems)} problem(s) in {source}: nothing was issued.",
            status_code=400,
        )
    except MicrocredError as exc:
        error = exc.user_message
        if exc.code == "not_found":
            error = "Choose one of the organisation's achievements."
        return _cohort_page(request, console, values=values, error=error, status_code=400)
    return _cohort_page(request, console, values=values, report=report)


def _progress(request: Request, console: Console, job_id: str) -> dict[str, Any]:
    with session_scope(engine(request)) as s:
        job = records.job_of(s, console.org(s), job_id)
        p = jobs.progress(s, job.id)
    percent = 100 if p.total == 0 else int(100 * p.finished / p.total)
    return {
        "job_id": p.job_id,
        "state": p.state,
        "total": p.total,
        "done": p.done,
        "skipped": p.skipped,
        "failed": p.failed,
        "finished": p.finished,
        "percent": percent,
    }


@router.get("/jobs/{job_id}", name="console_job")
def job_page(request: Request, console: ConsoleDep, job_id: str) -> Response:
    progress = _progress(request, console, job_id)
    with session_scope(engine(request)) as s:
        job = records.job_of(s, console.org(s), job_id)
        name = records.achievement_name(s, cast(Any, job))
        failures = [(r.line, r.error) for r in jobs.rows_of(s, job.id)][:100]
        source, created = job.source, records.aware(job.created_at)
    return page(
        request,
        console,
        "job.html",
        progress=progress,
        achievement_name=name,
        source=source,
        created=created,
        failures=failures,
    )


@router.get("/jobs/{job_id}/progress.json", name="console_job_progress")
def job_progress(request: Request, console: ConsoleDep, job_id: str) -> Response:
    return JSONResponse(_progress(request, console, job_id), headers=NO_STORE)
