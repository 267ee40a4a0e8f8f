"""An organisation's numbers for the console's dashboard: issued, claimed, viewed and
verified credentials, week by week, from the ``event`` table; and its latest cohort jobs.

Weeks start on Monday, 00:00 UTC; the last week is the current one (so far). One query
counts every week of every kind (a ``CASE`` per week), the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from microcred.store.models import Achievement, Event, Job, Organisation

KINDS = ("issued", "claimed", "viewed", "verified")


@dataclass(frozen=True)
class Weekly:
    """``weeks``: the Monday each week starts; ``counts[kind][i]``: events of ``kind`` in
    week ``i``; ``totals[kind]``: all of them, ever."""

    weeks: list[datetime]
    counts: dict[str, list[int]]
    totals: dict[str, int]


def week_start(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly_counts(
    session: Session, org: Organisation, *, weeks: int = 12, now: datetime | None = None
) -> Weekly:
    """Events of ``org`` per kind and week, for the last ``weeks`` weeks (oldest first)."""
    now = now or datetime.now(UTC)
    first = week_start(now) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    bounds = [(s, s + timedelta(weeks=1)) for s in starts]
    columns = [
        func.count(case((and_(Event.at >= lo, Event.at < hi), 1))).label(f"w{i}")
        for i, (lo, hi) in enumerate(bounds)
    ]
    counts = {kind: [0] * weeks for kind in KINDS}
    rows = session.execute(
        select(Event.kind, *columns)
        .where(Event.org_id == org.id, Event.kind.in_(KINDS), Event.at >= first)
        .group_by(Event.kind)
    )
    for kind, *per_week in rows:
        counts[kind] = [int(n) for n in per_week]
    totals = {kind: 0 for kind in KINDS}
    for kind, n in session.execute(
        select(Event.kind, func.count())
        .where(Event.org_id == org.id, Event.kind.in_(KINDS))
        .group_by(Event.kind)
    ):
        totals[kind] = int(n)
    return Weekly(starts, counts, totals)


@dataclass(frozen=True)
class JobLine:
    id: str
    achievement_name: str
    source: str | None
    state: str
    total: int
    created_at: datetime


def recent_jobs(session: Session, org: Organisation, *, limit: int = 5) -> list[JobLine]:
    """The latest cohort jobs of ``org``, newest first."""
    rows = session.execute(
        select(Job, Achievement.name)
        .join(Achievement, Achievement.id == Job.achievement_id)
        .where(Job.org_id == org.id)
        .order_by(Job.created_at.desc())
        .limit(limit)
    )
    return [
        JobLine(job.id, name, job.source, job.state, job.total, job.created_at)
        for job, name in rows
    ]
