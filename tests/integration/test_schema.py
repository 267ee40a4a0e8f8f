"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from microcred.store.models import Base, include_name, include_object


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn, opts={"include_name": include_name, "include_object": include_object}
            ),
            Base.metadata,
        )
    assert diff == []


def test_sqlite_runs_in_wal_mode(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_savepoint_first_in_a_transaction_is_rolled_back_with_it(engine):
    # pysqlite would let the savepoint's RELEASE commit when it opened the transaction
    from sqlalchemy import func, select

    from microcred.store.db import session_scope
    from microcred.store.models import CatalogProvider

    class Boom(Exception):
        pass

    try:
        with session_scope(engine) as s:
            s.execute(select(1))
            with s.begin_nested():
                s.add(CatalogProvider(name="Savepoint College", provider_type="online_platform"))
            raise Boom
    except Boom:
        pass
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(CatalogProvider)) == 0
