"""Cohort jobs on SQLite and PostgreSQL: dry run, durable rows, duplicates, and exactly-once
issuing when a worker is killed (SIGKILL) mid-job and another takes over."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from microcred.issuing import achievements, jobs, orgs
from microcred.store.db import session_scope
from microcred.store.models import Credential, Job, JobRow
from tests.integration.test_issuing import CTX, FIRST_AID


def _csv(n: int, start: int = 0) -> str:
    rows = ["email,name,grade"]
    rows += [f"learner{i}@example.org,Learner {i},pass" for i in range(start, start + n)]
    return "\n".join(rows) + "\n"


@pytest.fixture
def setup(engine):
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, CTX, slug="acme", name="Acme Training")
        ach = achievements.create_achievement(s, org, FIRST_AID)
        return org.slug, ach.id


def _create(engine, setup, text, on_duplicate="skip"):
    with session_scope(engine) as s:
        org = orgs.get_organisation(s, setup[0])
        ach = achievements.get_achievement(s, org, setup[1])
        job = jobs.create_job(
            s,
            org=org,
            achievement=ach,
            open_stream=lambda: io.StringIO(text),
            source="cohort.csv",
            on_duplicate=on_duplicate,
        )
        return job.id


def test_a_cohort_is_issued_in_batches(engine, setup):
    job_id = _create(engine, setup, _csv(120))
    seen = []
    final = jobs.run_job(
        engine, CTX, job_id, batch=50, on_progress=lambda p: seen.append(p.finished)
    )
    assert (final.state, final.total, final.done) == ("done", 120, 120)
    assert seen == [50, 100, 120]
    with session_scope(engine) as s:
        keys = s.scalars(select(Credential.recipient_key).where(Credential.job_id == job_id)).all()
    assert sorted(keys) == sorted(f"learner{i}@example.org" for i in range(120))


def test_bad_rows_reject_the_whole_file_and_nothing_is_stored(engine, setup):
    text = "email,name,colour\nbob@,Bob,red\nann@example.org,,blue\n"
    with pytest.raises(jobs.CohortRejected) as info:
        _create(engine, setup, text)
    lines = {(p.line, p.column) for p in info.value.report.problems}
    assert (1, "colour") in lines or any(p.line == 1 for p in info.value.report.problems)
    assert any(p.line == 2 and p.column == "email" for p in info.value.report.problems)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
        assert s.scalar(select(func.count()).select_from(JobRow)) == 0


def test_the_same_recipient_twice_in_a_file_is_a_problem(engine, setup):
    text = "email,name\nann@example.org,Ann\nbob@example.org,Bob\nANN@example.org,Ann B\n"
    with pytest.raises(jobs.CohortRejected) as info:
        _create(engine, setup, text)
    assert any(p.line == 4 and "line 2" in p.message for p in info.value.report.problems)


@pytest.mark.parametrize("policy", ["skip", "reissue", "fail"])
def test_duplicate_policy_against_earlier_awards(engine, setup, policy):
    jobs.run_job(engine, CTX, _create(engine, setup, _csv(3)))
    job_id = _create(engine, setup, _csv(4), on_duplicate=policy)  # 3 already hold it, 1 new
    final = jobs.run_job(engine, CTX, job_id)
    expected = {"skip": (1, 3, 0), "reissue": (4, 0, 0), "fail": (1, 0, 3)}[policy]
    assert (final.done, final.skipped, final.failed) == expected
    with session_scope(engine) as s:
        live = s.scalar(
            select(func.count()).select_from(Credential).where(Credential.revoked_at.is_(None))
        )
    assert live == 4


def _count(engine, job_id):
    with session_scope(engine) as s:
        return s.scalar(
            select(func.count()).select_from(Credential).where(Credential.job_id == job_id)
        )


def test_a_worker_killed_mid_job_leaves_every_row_issued_exactly_once(engine, setup, tmp_path):
    total = 1_500
    job_id = _create(engine, setup, _csv(total))
    env = {
        **os.environ,
        "MICROCRED_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "MICROCRED_SECRET_KEY": CTX.secret.decode(),
        "MICROCRED_PORT": "8000",
        "MICROCRED_DATA_DIR": str(tmp_path),
    }
    cmd = [sys.executable, "-m", "microcred.cli.main", "worker", "--once"]
    log = tmp_path / "worker.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    while _count(engine, job_id) < 300 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, log.read_text()[-2000:]
    partial = _count(engine, job_id)
    assert 0 < partial < total, "the worker should have been killed mid-job"
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    with session_scope(engine) as s:
        keys = s.scalars(select(Credential.recipient_key).where(Credential.job_id == job_id)).all()
        states = dict(
            s.execute(
                select(JobRow.state, func.count())
                .where(JobRow.job_id == job_id)
                .group_by(JobRow.state)
            ).all()
        )
        assert s.get(Job, job_id).state == "done"
    assert len(keys) == total and len(set(keys)) == total
    assert states == {"done": total}


def test_two_workers_share_one_job_without_issuing_a_row_twice(pg_engine, tmp_path):
    """PostgreSQL: workers claim rows with FOR UPDATE SKIP LOCKED, so adding a worker adds
    throughput and never a duplicate. (SQLite has one writer: the web app's in-process worker.)"""
    engine = pg_engine
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, CTX, slug="acme", name="Acme Training")
        setup = (org.slug, achievements.create_achievement(s, org, FIRST_AID).id)
    total = 1_200
    job_id = _create(engine, setup, _csv(total))
    env = {
        **os.environ,
        "MICROCRED_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "MICROCRED_SECRET_KEY": CTX.secret.decode(),
        "MICROCRED_PORT": "8000",
        "MICROCRED_DATA_DIR": str(tmp_path),
    }
    cmd = [sys.executable, "-m", "microcred.cli.main", "worker", "--once"]
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    procs = []
    for log in logs:
        with log.open("wb") as err:
            procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err))
    for proc, log in zip(procs, logs, strict=True):
        assert proc.wait(timeout=300) == 0, log.read_text()[-2000:]
    with session_scope(engine) as s:
        keys = s.scalars(select(Credential.recipient_key).where(Credential.job_id == job_id)).all()
        states = dict(
            s.execute(
                select(JobRow.state, func.count())
                .where(JobRow.job_id == job_id)
                .group_by(JobRow.state)
            ).all()
        )
    assert len(keys) == total and len(set(keys)) == total
    assert states == {"done": total}
