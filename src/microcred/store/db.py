"""The engine and sessions. SQLite (WAL, foreign keys on) by default, PostgreSQL when the
database URL names one. Adapters own transactions: ``with session_scope(engine) as s:``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from microcred.errors import MicrocredError


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, a busy timeout and foreign keys.

    Statement parameters are kept out of logs and error messages (``hide_parameters``):
    they carry sealed keys, token hashes and e-mail addresses."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(conn: Any, _name: Any) -> None:
            # pysqlite opens a transaction only at the first write: a SAVEPOINT issued before
            # any write would start a transaction of its own that RELEASE commits, out of the
            # caller's reach. Open the outer transaction first so rollback undoes it all.
            dbapi = conn.connection.dbapi_connection
            if not dbapi.in_transaction:
                dbapi.execute("BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)
    except Exception as exc:  # a URL SQLAlchemy cannot use
        raise MicrocredError(
            f"MICROCRED_DATABASE_URL is not usable: {exc}", code="config"
        ) from None


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine_or_factory: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any exception."""
    factory = (
        engine_or_factory
        if isinstance(engine_or_factory, sessionmaker)
        else session_factory(engine_or_factory)
    )
    with factory() as session, session.begin():
        yield session
