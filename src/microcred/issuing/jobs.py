"""Cohort jobs: durable, resumable, shared by any number of workers.

A job is created from a CSV that passed its dry run: every row is stored (streamed, in
chunks) as a pending ``JobRow`` before anything is signed. Workers claim pending rows in
batches — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on many machines share the
queue; SQLite has one writer and runs jobs in-process — and in ONE transaction sign the
batch, store its credentials and mark the rows done. A worker killed mid-batch leaves its
transaction uncommitted: the rows are pending again and the next worker issues them, so
every row is issued exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import awards, cohort_csv
from microcred.issuing.context import IssuingContext
from microcred.issuing.signing import ParallelSigner
from microcred.store.db import is_postgres, session_scope
from microcred.store.models import Achievement, Job, JobRow, Organisation, new_id

INSERT_CHUNK = 2_000
BATCH = 250


class CohortRejected(MicrocredError):
    """The CSV has problems: nothing was stored or signed. ``report`` lists them all."""

    code = "cohort_rejected"

    def __init__(self, report: cohort_csv.DryRunReport):
        report.problems.extend(
            cohort_csv.RowProblem(line=b, column=None, message=f"the same recipient as on line {a}")
            for a, b in report.duplicates_in_file
        )
        report.duplicates_in_file.clear()
        shown = "; ".join(
            f"line {p.line}" + (f", column {p.column}" if p.column else "") + f": {p.message}"
            for p in report.problems[:3]
        )
        more = len(report.problems) - 3
        super().__init__(
            f"{len(report.problems)} problem(s) in the CSV, nothing was issued: "
            f"{shown}" + (f" (and {more} more)" if more > 0 else "")
        )
        self.report = report


@dataclass
class Progress:
    job_id: str
    state: str
    total: int
    done: int
    skipped: int
    failed: int

    @property
    def finished(self) -> int:
        return self.done + self.skipped + self.failed


def recipient_of(row: cohort_csv.CohortRow) -> awards.Recipient:
    return awards.Recipient(
        email=row.email,
        did=row.did,
        name=row.name,
        grade=row.grade,
        score=row.score,
        evidence_url=row.evidence_url,
        evidence_narrative=row.evidence_narrative,
        narrative=row.narrative,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def _requires_grade(ach: Achievement) -> bool:
    return bool(ach.definition.get("resultDescription"))


def dry_run(stream: TextIO, achievement: Achievement) -> cohort_csv.DryRunReport:
    return cohort_csv.dry_run(stream, require_grade=_requires_grade(achievement))


def create_job(
    session: Session,
    *,
    org: Organisation,
    achievement: Achievement,
    open_stream: Callable[[], TextIO],
    source: str,
    on_duplicate: str = "skip",
) -> Job:
    """Validate the CSV (the whole dry run) and store it as a pending job.

    ``open_stream`` is called twice (validate, then store), so a file is read twice and
    never held in memory. Raises CohortRejected listing every problem."""
    if on_duplicate not in awards.DUPLICATE_POLICIES:
        raise MicrocredError(
            f"on duplicate {on_duplicate!r}: use skip, reissue or fail", code="bad_input"
        )
    with open_stream() as stream:
        report = dry_run(stream, achievement)
    if report.problems or report.duplicates_in_file:
        raise CohortRejected(report)
    if report.valid == 0:
        raise MicrocredError(f"{source}: no rows to issue", code="bad_input")
    job = Job(
        id=new_id(),
        org_id=org.id,
        achievement_id=achievement.id,
        state="pending",
        on_duplicate=on_duplicate,
        source=source,
        total=0,
    )
    session.add(job)
    session.flush()
    total = 0
    chunk: list[dict[str, Any]] = []
    with open_stream() as stream:
        for item in cohort_csv.iter_rows(stream, require_grade=_requires_grade(achievement)):
            if isinstance(item, cohort_csv.RowProblem):  # validated above; the file changed?
                raise MicrocredError(f"{source} changed while it was read (line {item.line})")
            chunk.append(
                {"job_id": job.id, "line": item.line, "data": item.to_json(), "state": "pending"}
            )
            if len(chunk) >= INSERT_CHUNK:
                session.execute(insert(JobRow), chunk)
                total += len(chunk)
                chunk = []
    if chunk:
        session.execute(insert(JobRow), chunk)
        total += len(chunk)
    job.total = total
    session.flush()
    return job


def progress(session: Session, job_id: str) -> Progress:
    job = session.get(Job, job_id)
    if job is None:
        raise MicrocredError(f"no job {job_id!r}", code="not_found")
    counts: dict[str, int] = dict(
        session.execute(
            select(JobRow.state, func.count()).where(JobRow.job_id == job_id).group_by(JobRow.state)
        ).all()
    )
    return Progress(
        job.id,
        job.state,
        job.total,
        counts.get("done", 0),
        counts.get("skipped", 0),
        counts.get("failed", 0),
    )


def _claim(session: Session, job_id: str, n: int) -> list[JobRow]:
    query = (
        select(JobRow)
        .where(JobRow.job_id == job_id, JobRow.state == "pending")
        .order_by(JobRow.line)
        .limit(n)
    )
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def run_batch(
    engine: Engine,
    ctx: IssuingContext,
    job_id: str,
    *,
    batch: int = BATCH,
    sign_many: awards.SignMany | None = None,
) -> int:
    """Claim and issue one batch of ``job_id`` in one transaction; returns rows handled."""
    with session_scope(engine) as session:
        rows = _claim(session, job_id, batch)
        if not rows:
            return 0
        job = session.get(Job, job_id)
        assert job is not None
        if job.state == "pending":
            job.state = "running"
        org = session.get(Organisation, job.org_id)
        ach = session.get(Achievement, job.achievement_id)
        assert org is not None and ach is not None
        recipients = [recipient_of(cohort_csv.CohortRow.from_json(r.data)) for r in rows]
        outcomes = _issue_rows(session, ctx, org, ach, job, rows, recipients, sign_many)
        for row, outcome in zip(rows, outcomes, strict=True):
            if isinstance(outcome, str):
                row.state, row.error = "failed", outcome
            else:
                row.state = "skipped" if outcome.status == "skipped" else "done"
                row.credential_id = outcome.credential.id
        return len(rows)


def _issue_rows(
    session: Session,
    ctx: IssuingContext,
    org: Organisation,
    ach: Achievement,
    job: Job,
    rows: list[JobRow],
    recipients: list[awards.Recipient],
    sign_many: awards.SignMany | None = None,
) -> list[awards.AwardOutcome | str]:
    if job.on_duplicate != "fail":
        return list(
            awards.issue_batch(
                session,
                ctx,
                org=org,
                achievement=ach,
                recipients=recipients,
                on_duplicate=job.on_duplicate,
                job_id=job.id,
                sign_many=sign_many,
            )
        )
    # policy "fail": a recipient who already holds it fails that row, not the whole batch
    out: list[awards.AwardOutcome | str] = []
    keep: list[int] = []
    held = awards.existing_many(session, ach, [r.key for r in recipients])
    for i, r in enumerate(recipients):
        if r.key in held:
            out.append(f"{r.key} already holds {ach.name!r}")
        else:
            out.append("")
            keep.append(i)
    issued = awards.issue_batch(
        session,
        ctx,
        org=org,
        achievement=ach,
        recipients=[recipients[i] for i in keep],
        on_duplicate="fail",
        job_id=job.id,
        sign_many=sign_many,
    )
    for i, outcome in zip(keep, issued, strict=True):
        out[i] = outcome
    return out


def run_job(
    engine: Engine,
    ctx: IssuingContext,
    job_id: str,
    *,
    batch: int = BATCH,
    on_progress: Callable[[Progress], None] | None = None,
    sign_many: awards.SignMany | None = None,
) -> Progress:
    """Work on ``job_id`` until no pending row is left (other workers may share it)."""
    while run_batch(engine, ctx, job_id, batch=batch, sign_many=sign_many):
        if on_progress is not None:
            with session_scope(engine) as session:
                on_progress(progress(session, job_id))
    with session_scope(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        p = progress(session, job_id)
        if p.finished >= p.total and job.state != "done":
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(state="done", finished_at=datetime.now(UTC))
            )
            p.state = "done"
        return p


def pending_jobs(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Job.id).where(Job.state.in_(("pending", "running"))).order_by(Job.created_at)
        )
    )


def work(
    engine: Engine,
    ctx: IssuingContext,
    *,
    stop: Callable[[], bool] = lambda: False,
    idle: float = 1.0,
    once: bool = False,
    wait: Callable[[float], Any] = time.sleep,
    workers: int | None = None,
) -> None:
    """The worker loop: run every job that has pending rows; poll when idle."""
    while not stop():
        with session_scope(engine) as session:
            jobs = pending_jobs(session)
        if jobs:
            with ParallelSigner(workers) as signer:
                for job_id in jobs:
                    run_job(engine, ctx, job_id, sign_many=signer)
        if once:
            return
        if not jobs:
            wait(idle)


def rows_of(session: Session, job_id: str, states: Iterable[str] = ("failed",)) -> list[JobRow]:
    return list(
        session.scalars(
            select(JobRow)
            .where(JobRow.job_id == job_id, JobRow.state.in_(tuple(states)))
            .order_by(JobRow.line)
        )
    )


class InProcessWorker:
    """The SQLite deployment's worker: a thread in the web process running ``work``."""

    def __init__(self, engine: Engine, ctx: IssuingContext, *, idle: float = 0.5) -> None:
        import threading

        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(engine, ctx, idle), name="microcred-worker", daemon=True
        )

    def _run(self, engine: Engine, ctx: IssuingContext, idle: float) -> None:
        import logging

        while not self._stop.is_set():
            try:
                work(engine, ctx, stop=self._stop.is_set, idle=idle, wait=self._stop.wait)
            except Exception:  # keep the worker alive; the job stays pending and is retried
                logging.getLogger("microcred.worker").exception("cohort worker error")
                self._stop.wait(5)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
