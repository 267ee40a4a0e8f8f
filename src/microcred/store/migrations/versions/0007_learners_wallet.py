"""Learner accounts, wallets, collections and share links (issue 5).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("display_name", sa.String(length=300), nullable=True),
        sa.Column("did", sa.String(length=200), nullable=False),
        sa.Column("key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("did"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "signin_attempt",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signin_attempt_key_at", "signin_attempt", ["key", "at"], unique=False)
    op.create_table(
        "learner_token",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_learner_token_learner_id"), "learner_token", ["learner_id"], unique=False
    )
    op.create_table(
        "share_link",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("show_email", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_share_link_learner_id"), "share_link", ["learner_id"], unique=False)
    op.create_table(
        "wallet_collection",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("learner_id", "name"),
    )
    op.create_index(
        op.f("ix_wallet_collection_learner_id"), "wallet_collection", ["learner_id"], unique=False
    )
    op.create_table(
        "wallet_credential",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=2000), nullable=True),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("credential_id", sa.String(length=2000), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("issuer_id", sa.String(length=2000), nullable=True),
        sa.Column("issuer_name", sa.String(length=500), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column(
            "report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("renewal_url", sa.String(length=2000), nullable=True),
        sa.Column("issued_credential_id", sa.String(length=36), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("learner_id", "content_hash"),
    )
    op.create_index(
        op.f("ix_wallet_credential_learner_id"), "wallet_credential", ["learner_id"], unique=False
    )
    op.create_index(
        op.f("ix_wallet_credential_valid_until"), "wallet_credential", ["valid_until"], unique=False
    )
    op.create_table(
        "wallet_collection_item",
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["wallet_collection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["credential_id"], ["wallet_credential.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("collection_id", "credential_id"),
    )
    op.create_index(
        op.f("ix_wallet_collection_item_credential_id"),
        "wallet_collection_item",
        ["credential_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_wallet_collection_item_credential_id"), table_name="wallet_collection_item"
    )
    op.drop_table("wallet_collection_item")
    op.drop_index(op.f("ix_wallet_credential_valid_until"), table_name="wallet_credential")
    op.drop_index(op.f("ix_wallet_credential_learner_id"), table_name="wallet_credential")
    op.drop_table("wallet_credential")
    op.drop_index(op.f("ix_wallet_collection_learner_id"), table_name="wallet_collection")
    op.drop_table("wallet_collection")
    op.drop_index(op.f("ix_share_link_learner_id"), table_name="share_link")
    op.drop_table("share_link")
    op.drop_index(op.f("ix_learner_token_learner_id"), table_name="learner_token")
    op.drop_table("learner_token")
    op.drop_index("ix_signin_attempt_key_at", table_name="signin_attempt")
    op.drop_table("signin_attempt")
    op.drop_table("learner")
