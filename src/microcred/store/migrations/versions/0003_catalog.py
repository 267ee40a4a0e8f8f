"""Catalog: providers and programs (filter columns plus the whole program as JSON).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("provider_type", sa.String(length=40), nullable=False),
        sa.Column("accrediting_body", sa.String(length=300), nullable=True),
        sa.Column("recognised_institution", sa.Boolean(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "program",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("provider_id", sa.String(length=36), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("credential_type", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("weeks_min", sa.Integer(), nullable=True),
        sa.Column("weeks_max", sa.Integer(), nullable=True),
        sa.Column("ects", sa.Float(), nullable=True),
        sa.Column("eqf_level", sa.Integer(), nullable=True),
        sa.Column("proof", sa.String(length=10), nullable=True),
        sa.Column("has_funding", sa.Boolean(), nullable=False),
        sa.Column("price_hint", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id", "external_id"),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_credential_type"), ["credential_type"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_provider_id"), ["provider_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_provider_id"))
        batch_op.drop_index(batch_op.f("ix_program_credential_type"))
    op.drop_table("program")
    op.drop_table("provider")
