"""Skills taxonomy: skills, occupations and the skills each occupation needs (ESCO import).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-16 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skill",
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("label_key", sa.String(length=500), nullable=False),
        sa.Column("alt_labels", sa.Text(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("skill_type", sa.String(length=40), nullable=True),
        sa.Column("taxonomy", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uri"),
    )
    with op.batch_alter_table("skill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skill_label_key"), ["label_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_skill_taxonomy"), ["taxonomy"], unique=False)
    op.create_table(
        "occupation",
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("label_key", sa.String(length=500), nullable=False),
        sa.Column("alt_labels", sa.Text(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("isco_group", sa.String(length=20), nullable=True),
        sa.Column("taxonomy", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uri"),
    )
    with op.batch_alter_table("occupation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_occupation_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_occupation_label_key"), ["label_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_occupation_taxonomy"), ["taxonomy"], unique=False)
    op.create_table(
        "occupation_skill",
        sa.Column("occupation_uri", sa.String(length=300), nullable=False),
        sa.Column("skill_uri", sa.String(length=300), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["occupation_uri"], ["occupation.uri"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["skill_uri"], ["skill.uri"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("occupation_uri", "skill_uri"),
    )
    with op.batch_alter_table("occupation_skill", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_occupation_skill_skill_uri"), ["skill_uri"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("occupation_skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_occupation_skill_skill_uri"))
    op.drop_table("occupation_skill")
    with op.batch_alter_table("occupation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_occupation_taxonomy"))
        batch_op.drop_index(batch_op.f("ix_occupation_label_key"))
        batch_op.drop_index(batch_op.f("ix_occupation_code"))
    op.drop_table("occupation")
    with op.batch_alter_table("skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_taxonomy"))
        batch_op.drop_index(batch_op.f("ix_skill_label_key"))
    op.drop_table("skill")
