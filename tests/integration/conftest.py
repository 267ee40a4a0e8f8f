"""Database fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL comes from MICROCRED_TEST_POSTGRES_URL (`.ci/run` starts a server and sets it:
`eval "$(bash .ci/postgres.sh)"` does the same locally). Without it the PostgreSQL variant
skips with a message, and fails under CI=true.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from microcred.store.db import make_engine
from microcred.store.migrate import upgrade

PG_URL = os.environ.get("MICROCRED_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path) -> Iterator[Engine]:
    yield from _engine(request.param, tmp_path)


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    yield from _engine("sqlite", tmp_path)


@pytest.fixture
def pg_engine(tmp_path) -> Iterator[Engine]:
    yield from _engine("postgres", tmp_path)


def _engine(kind: str, tmp_path) -> Iterator[Engine]:
    if kind == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'microcred.db'}")
    else:
        if not PG_URL:
            message = "PostgreSQL not configured: set MICROCRED_TEST_POSTGRES_URL (.ci/postgres.sh)"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        eng = make_engine(PG_URL)
        with eng.begin() as conn:  # a clean schema for every test
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()
