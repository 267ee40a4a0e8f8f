"""The console dashboard's numbers on SQLite and PostgreSQL: events per kind and week (one
query with a CASE per week), totals, and the latest cohort jobs."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from microcred.issuing import achievements, dashboard, jobs, orgs
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import Event

CTX = IssuingContext(base_url="http://127.0.0.1:8000", secret=b"test secret")
ACH = {"name": "Data Literacy", "description": "Charts data.", "criteria": "Pass."}


def test_weekly_counts(engine) -> None:
    now = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)  # a Thursday
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, CTX, slug="acme", name="Acme")
        other = orgs.create_organisation(s, CTX, slug="beta", name="Beta")
        at = [
            ("issued", monday),  # the first moment of this week
            ("issued", monday - timedelta(microseconds=1)),  # the last one of the week before
            ("viewed", now),
            ("viewed", now - timedelta(weeks=11)),  # the oldest week shown
            ("viewed", now - timedelta(weeks=12)),  # too old for the chart, in the totals
            ("claimed", now - timedelta(weeks=2)),
            ("verified", now - timedelta(weeks=5)),
            ("shared", now),  # not a kind the dashboard counts
        ]
        s.add_all(Event(org_id=org.id, kind=kind, at=t) for kind, t in at)
        s.add(Event(org_id=other.id, kind="issued", at=now))  # another organisation's
    with session_scope(engine) as s:
        weekly = dashboard.weekly_counts(s, orgs.get_organisation(s, "acme"), now=now)
    assert len(weekly.weeks) == 12
    assert weekly.weeks[-1] == monday and weekly.weeks[0] == monday - timedelta(weeks=11)
    assert all(w.weekday() == 0 for w in weekly.weeks)
    assert weekly.counts["issued"][-2:] == [1, 1]
    assert weekly.counts["viewed"][0] == 1 and weekly.counts["viewed"][-1] == 1
    assert sum(weekly.counts["viewed"]) == 2
    assert weekly.counts["claimed"][-3] == 1 and weekly.counts["verified"][-6] == 1
    assert weekly.totals == {"issued": 2, "claimed": 1, "viewed": 3, "verified": 1}


def test_recent_jobs(engine) -> None:
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, CTX, slug="acme", name="Acme")
        ach = achievements.create_achievement(s, org, ACH)
        for name in ("first.csv", "second.csv"):
            data = b"email,name\r\nada@example.org,Ada\r\n"
            jobs.create_job(
                s, org=org, achievement=ach, open_stream=lambda d=data: io.BytesIO(d), source=name
            )
    with session_scope(engine) as s:
        recent = dashboard.recent_jobs(s, orgs.get_organisation(s, "acme"), limit=5)
    assert {j.source for j in recent} == {"first.csv", "second.csv"}
    assert all(j.achievement_name == "Data Literacy" and j.total == 1 for j in recent)
