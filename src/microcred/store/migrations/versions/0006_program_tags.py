"""Program tags as rows (the advisor's candidate lookup), with occupation tags.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-20 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from microcred.catalog.model import Program
    from microcred.catalog.search import document_tags

    op.create_table(
        "program_tag",
        sa.Column("tag", sa.String(length=512), nullable=False),
        sa.Column("program_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tag", "program_id"),
    )
    with op.batch_alter_table("program_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_program_tag_program_id"), ["program_id"], unique=False)
    # programs stored before this revision: their tags (now with occupations), as rows too
    bind = op.get_bind()
    program = sa.table(
        "program",
        sa.column("id", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("search_tags", sa.Text()),
    )
    tag_table = sa.table("program_tag", sa.column("tag", sa.String()), sa.column("program_id"))
    rows: list[dict[str, str]] = []
    for pid, data in bind.execute(sa.select(program.c.id, program.c.data)).all():
        tags = document_tags(Program.from_json(data))
        bind.execute(program.update().where(program.c.id == pid).values(search_tags=tags))
        rows += [
            {"tag": t, "program_id": pid}
            for t in sorted(set(tags.split("\n")) - {""})
            if len(t) <= 512
        ]
        if len(rows) >= 5000:
            bind.execute(tag_table.insert(), rows)
            rows = []
    if rows:
        bind.execute(tag_table.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("program_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_tag_program_id"))
    op.drop_table("program_tag")
