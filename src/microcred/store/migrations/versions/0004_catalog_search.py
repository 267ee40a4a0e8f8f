"""Catalog full-text search: search columns, SQLite FTS5 table / PostgreSQL GIN index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from microcred.catalog.model import Program
    from microcred.catalog.search import document_tags, document_text

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("search_tags", sa.Text(), nullable=True))
    bind = op.get_bind()
    # fill the columns of programs stored before this revision
    program = sa.table(
        "program",
        sa.column("id", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("search_text", sa.Text()),
        sa.column("search_tags", sa.Text()),
    )
    for pid, data in bind.execute(sa.select(program.c.id, program.c.data)).all():
        prog = Program.from_json(data)
        bind.execute(
            program.update()
            .where(program.c.id == pid)
            .values(search_text=document_text(prog), search_tags=document_tags(prog))
        )
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE program_fts USING fts5("
            "search_text, content='program', content_rowid='rowid', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute("INSERT INTO program_fts(program_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_program_search ON program USING GIN "
            "(to_tsvector('simple'::regconfig, coalesce(search_text, ''::text)))"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS program_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_program_search")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("search_tags")
        batch_op.drop_column("search_text")
