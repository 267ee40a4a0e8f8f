"""A learner's other e-mail addresses, each verified by a link (issue 9).

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-12 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_email",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("learner_id", "email"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_learner_email_learner_id"), "learner_email", ["learner_id"], unique=False
    )
    # one learner per verified address (unverified ones may be claimed by several)
    op.create_index(
        "ux_learner_email_verified",
        "learner_email",
        ["email"],
        unique=True,
        sqlite_where=sa.text("verified_at IS NOT NULL"),
        postgresql_where=sa.text("verified_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_learner_email_verified", table_name="learner_email")
    op.drop_index(op.f("ix_learner_email_learner_id"), table_name="learner_email")
    op.drop_table("learner_email")
