"""Schema migrations (Alembic), run from code: ``upgrade(engine)`` brings a database to head.

`microcred serve`, `microcred worker` and the other commands call it on start, so a new
SQLite file or an empty PostgreSQL database is ready without a separate step.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).parent


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def open_database(url: str) -> Engine:
    """An engine for ``url``, its schema brought to the newest revision."""
    from microcred.store.db import make_engine

    engine = make_engine(url)
    upgrade(engine)
    return engine
