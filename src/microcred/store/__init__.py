"""Persistence: SQLAlchemy 2 tables, the engine and sessions, Alembic migrations."""
