"""The tables. Plain data: no behaviour in ORM events; services own what happens.

IDs are UUID strings (portable across SQLite and PostgreSQL). JSON columns hold the
specifications' documents as they are (``credential.document`` is the signed credential).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JsonType, list[Any]: JsonType}


class Organisation(Base):
    """An issuer: its Open Badges Profile, provider type and quality assurance."""

    __tablename__ = "organisation"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    email: Mapped[str | None] = mapped_column(String(320))
    image: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # university_college | employer_vendor | online_platform | nonprofit_industry
    provider_type: Mapped[str] = mapped_column(String(40))
    # {"accrediting_body": str|None, "recognised_institution": bool, ...}
    quality_assurance: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SigningKey(Base):
    """An Ed25519 key of an organisation; the secret part encrypted at rest (AES-GCM)."""

    __tablename__ = "signing_key"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    public_key_multibase: Mapped[str] = mapped_column(String(64))
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Achievement(Base):
    """A micro-credential definition: the OB Achievement plus the EU standard elements."""

    __tablename__ = "achievement"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    # the definition as given (validated): OB fields, EU elements, alignment, validity
    definition: Mapped[dict[str, Any]] = mapped_column(JsonType)
    validity_days: Mapped[int | None] = mapped_column(Integer)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatusList(Base):
    """A Bitstring Status List of an organisation for one purpose."""

    __tablename__ = "status_list"
    __table_args__ = (UniqueConstraint("org_id", "purpose", "number"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # revocation | suspension
    number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)  # the status bits (1 bit per entry)
    used: Mapped[bytes] = mapped_column(LargeBinary)  # allocated indexes (1 bit per entry)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Credential(Base):
    """An award: the signed credential and what the issuer needs to manage it."""

    __tablename__ = "credential"
    __table_args__ = (
        Index("ix_credential_dup", "achievement_id", "recipient_key"),
        UniqueConstraint("revocation_list_id", "revocation_index"),
        UniqueConstraint("suspension_list_id", "suspension_index"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id"), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(10))  # email | did
    # what identifies the recipient for duplicates: the lower-cased e-mail, or the DID
    recipient_key: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(JsonType)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    revocation_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_list.id"))
    revocation_index: Mapped[int | None] = mapped_column(Integer)
    suspension_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_list.id"))
    suspension_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    replaced_by: Mapped[str | None] = mapped_column(String(36))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("job.id"), index=True)
    # sha256 of the claim link's token (the token itself is only in the award e-mail)
    claim_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    show_recipient: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Job(Base):
    """A cohort issuing job: durable, resumable; its rows are claimed by workers."""

    __tablename__ = "job"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievement.id"))
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending|running|done|failed
    on_duplicate: Mapped[str] = mapped_column(String(10), default="skip")  # skip|reissue|fail
    source: Mapped[str | None] = mapped_column(String(300))
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """One CSV row of a job. ``state``: pending | done | skipped | failed."""

    __tablename__ = "job_row"
    __table_args__ = (Index("ix_job_row_claim", "job_id", "state", "line"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id"))
    line: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    credential_id: Mapped[str | None] = mapped_column(String(36))
    error: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """Who did what to which credential, and why (revoke, suspend, unsuspend, rotate…)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(36), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; scoped to one organisation and a role."""

    __tablename__ = "api_token"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # owner | issuer | viewer
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Event(Base):
    """Counted moments of a credential's life for the dashboard: issued, claimed, viewed,
    verified."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_org_kind_at", "org_id", "kind", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    credential_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxMail(Base):
    """Every e-mail the platform sends, kept for the dev outbox page and for retries.

    ``body`` is the plain-text part, ``html`` the HTML part (if any). A sender claims a mail
    by counting an attempt and moving ``next_attempt_at`` past its lease; a failed attempt
    records ``error`` and the time of the next try (see ``issuing.notify``)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # award | reminder
    credential_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CatalogProvider(Base):
    """A provider of catalog programs: its type and quality assurance."""

    __tablename__ = "provider"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    # university_college | employer_vendor | online_platform | nonprofit_industry
    provider_type: Mapped[str] = mapped_column(String(40))
    accrediting_body: Mapped[str | None] = mapped_column(String(300))
    recognised_institution: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str | None] = mapped_column(String(2000))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CatalogProgram(Base):
    """A catalog program: columns to filter on, and the whole program in ``data``."""

    __tablename__ = "program"
    __table_args__ = (UniqueConstraint("provider_id", "external_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    provider_id: Mapped[str] = mapped_column(ForeignKey("provider.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(300))
    credential_type: Mapped[str] = mapped_column(String(40), index=True)
    format: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(35))
    hours: Mapped[float | None] = mapped_column(Float)
    weeks_min: Mapped[int | None] = mapped_column(Integer)
    weeks_max: Mapped[int | None] = mapped_column(Integer)
    ects: Mapped[float | None] = mapped_column(Float)
    eqf_level: Mapped[int | None] = mapped_column(Integer)
    proof: Mapped[str | None] = mapped_column(String(10))
    has_funding: Mapped[bool] = mapped_column(Boolean, default=False)
    # gross cost at 5 hours a week (advisor.cost), in ``currency``
    price_hint: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    as_of: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # full text (catalog.search): the words of the name, outcomes, skills, topics and
    # provider; indexed by the SQLite FTS5 table ``program_fts`` or a PostgreSQL GIN index
    search_text: Mapped[str | None] = mapped_column(Text)
    # exact-match filters: "\nt:<topic>\ns:<skill uri>\nf:<funding>\n", lower case
    search_tags: Mapped[str | None] = mapped_column(Text)


class CatalogProgramTag(Base):
    """One exact-match tag of a program (``s:<skill uri>``, ``o:<occupation>``, ``t:<topic>``,
    ``f:<funding>``; lower case): the advisor finds its candidates by tag through the
    primary key's index, without reading every program."""

    __tablename__ = "program_tag"
    tag: Mapped[str] = mapped_column(String(512), primary_key=True)
    program_id: Mapped[str] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TaxonomySkill(Base):
    """A skill of a taxonomy (ESCO's skills pillar, or another): its labels and kind.

    ``label_key`` is the label case-folded with its spaces collapsed (the exact lookup);
    ``terms`` is ``"\n" + label + "\n" + each alternative label + "\n"``, case-folded the
    same way, for word and alternative-label matching with LIKE (both filled by
    ``catalog.skills_store``, identically on SQLite and PostgreSQL)."""

    __tablename__ = "skill"
    uri: Mapped[str] = mapped_column(String(300), primary_key=True)
    label: Mapped[str] = mapped_column(String(500))
    label_key: Mapped[str] = mapped_column(String(500), index=True)
    alt_labels: Mapped[str | None] = mapped_column(Text)  # newline-separated, as ESCO gives them
    terms: Mapped[str] = mapped_column(Text)
    skill_type: Mapped[str | None] = mapped_column(String(40))  # knowledge | skill/competence
    taxonomy: Mapped[str] = mapped_column(String(20), index=True)  # esco | ...
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TaxonomyOccupation(Base):
    """An occupation of a taxonomy (ESCO's occupations pillar): labels, code, ISCO group."""

    __tablename__ = "occupation"
    uri: Mapped[str] = mapped_column(String(300), primary_key=True)
    label: Mapped[str] = mapped_column(String(500))
    label_key: Mapped[str] = mapped_column(String(500), index=True)
    alt_labels: Mapped[str | None] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(40), index=True)  # ESCO: 2512.4
    isco_group: Mapped[str | None] = mapped_column(String(20))  # ISCO-08: 2512
    taxonomy: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OccupationSkill(Base):
    """A skill an occupation needs: ``relation`` is essential | optional."""

    __tablename__ = "occupation_skill"
    occupation_uri: Mapped[str] = mapped_column(
        ForeignKey("occupation.uri", ondelete="CASCADE"), primary_key=True
    )
    skill_uri: Mapped[str] = mapped_column(
        ForeignKey("skill.uri", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[str] = mapped_column(String(10))


# Full-text objects made by migration 0004 with dialect-specific SQL, outside the metadata.
FTS_TABLE = "program_fts"
PG_SEARCH_INDEX = "ix_program_search"


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic hook: leave the full-text objects (not in the metadata) out of comparison."""
    return include_name(name, type_, {})


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_SEARCH_INDEX)


# ---- learners: accounts, wallet, sharing (issue 5) -----------------------------------------
class LearnerAccount(Base):
    """A learner's account: e-mail sign-in, and the DID that holds credentials and signs
    presentations (an Ed25519 ``did:key``, its seed sealed like organisations' keys)."""

    __tablename__ = "learner"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower-cased
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id; None: links only
    display_name: Mapped[str | None] = mapped_column(String(300))
    did: Mapped[str] = mapped_column(String(200), unique=True)
    key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LearnerToken(Base):
    """A secret the learner holds, kept only as its SHA-256: a session cookie, an e-mail
    verification link or a one-time sign-in link."""

    __tablename__ = "learner_token"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # session | verify_email | signin_link
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # or revoked


class LearnerEmail(Base):
    """Another e-mail address of a learner (the account's own stays on ``learner``), added
    on the account page and verified by a link sent to it: the link's token is kept only as
    its SHA-256, one live link per address. An address verified by one learner is verified
    by no other (a partial unique index; the account addresses are checked by the service)."""

    __tablename__ = "learner_email"
    __table_args__ = (
        UniqueConstraint("learner_id", "email"),
        Index(
            "ux_learner_email_verified",
            "email",
            unique=True,
            sqlite_where=text("verified_at IS NOT NULL"),
            postgresql_where=text("verified_at IS NOT NULL"),
        ),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))  # lower-cased
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # the live link
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SigninAttempt(Base):
    """A failed (or throttled) sign-in, for rate limiting by e-mail and by client address."""

    __tablename__ = "signin_attempt"
    __table_args__ = (Index("ix_signin_attempt_key_at", "key", "at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(400))  # "email:<address>" | "ip:<address>"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WalletCredential(Base):
    """A credential in a learner's wallet: the bytes as imported (kept whole, for export),
    the credential, and what the verifier said (re-checked on view)."""

    __tablename__ = "wallet_credential"
    __table_args__ = (UniqueConstraint("learner_id", "content_hash"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the credential's JSON
    original: Mapped[bytes] = mapped_column(LargeBinary)  # as imported (JSON, JWT, PNG, SVG)
    media_type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(2000))  # file name or URL
    document: Mapped[dict[str, Any]] = mapped_column(JsonType)  # the credential (JWT: payload)
    credential_id: Mapped[str | None] = mapped_column(String(2000))
    name: Mapped[str] = mapped_column(String(500))  # the achievement's name
    issuer_id: Mapped[str | None] = mapped_column(String(2000))
    issuer_name: Mapped[str | None] = mapped_column(String(500))
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    verdict: Mapped[str] = mapped_column(String(20))  # verified | failed | indeterminate
    report: Mapped[dict[str, Any]] = mapped_column(JsonType)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    skills: Mapped[list[Any]] = mapped_column(JsonType, default=list)  # [{uri, label, framework}]
    tags: Mapped[list[Any]] = mapped_column(JsonType, default=list)  # the learner's tags
    note: Mapped[str | None] = mapped_column(Text)
    renewal_url: Mapped[str | None] = mapped_column(String(2000))
    issued_credential_id: Mapped[str | None] = mapped_column(String(36))  # ours, when claimed
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WalletCollection(Base):
    __tablename__ = "wallet_collection"
    __table_args__ = (UniqueConstraint("learner_id", "name"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WalletCollectionItem(Base):
    __tablename__ = "wallet_collection_item"
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("wallet_collection.id", ondelete="CASCADE"), primary_key=True
    )
    credential_id: Mapped[str] = mapped_column(
        ForeignKey("wallet_credential.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ShareLink(Base):
    """A public link to one credential or one collection: the token (128 bits or more) is
    kept only as its SHA-256; it can expire and be revoked."""

    __tablename__ = "share_link"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    target_kind: Mapped[str] = mapped_column(String(20))  # credential | collection
    target_id: Mapped[str] = mapped_column(String(36))
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)  # the learner's name shows
    show_email: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str | None] = mapped_column(String(200))  # the learner's own label for it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    views: Mapped[int] = mapped_column(Integer, default=0)
