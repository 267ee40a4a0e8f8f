"""An organisation's records, read back: credentials by state and search, the CSV export,
cohort jobs and the audit log. Read-side queries for the API and the console.

Everything takes the organisation and filters by it: a credential, job or audit entry of
another organisation is "not found", never shown.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import awards
from microcred.store.models import Achievement, AuditEntry, Credential, Job, Organisation

STATES = ("active", "revoked", "suspended", "expired")
MAX_PAGE = 500
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "credential_id",
    "achievement_id",
    "achievement",
    "recipient_kind",
    "recipient",
    "name",
    "state",
    "issued_at",
    "valid_from",
    "valid_until",
    "revoked_at",
    "replaced_by",
    "url",
)


def aware(t: datetime | None) -> datetime | None:
    """``t`` as UTC-aware (SQLite hands back naive UTC date-times)."""
    if t is None:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def state_of(cred: Credential, now: datetime | None = None) -> str:
    """revoked > suspended > expired > active."""
    now = now or datetime.now(UTC)
    if cred.revoked_at is not None:
        return "revoked"
    if cred.suspended:
        return "suspended"
    until = aware(cred.valid_until)
    if until is not None and until <= now:
        return "expired"
    return "active"


def _state_clause(state: str, now: datetime) -> Any:
    live = and_(Credential.revoked_at.is_(None), Credential.suspended.is_(False))
    if state == "revoked":
        return Credential.revoked_at.is_not(None)
    if state == "suspended":
        return and_(Credential.revoked_at.is_(None), Credential.suspended.is_(True))
    if state == "expired":
        return and_(live, Credential.valid_until.is_not(None), Credential.valid_until <= now)
    return and_(live, or_(Credential.valid_until.is_(None), Credential.valid_until > now))


@dataclass(frozen=True)
class CredentialPage:
    total: int
    items: list[tuple[Credential, str]]  # (credential, achievement name)


def search_credentials(
    session: Session,
    org: Organisation,
    *,
    q: str | None = None,
    achievement_id: str | None = None,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> CredentialPage:
    """Credentials of ``org``, newest first. ``q``: a case-insensitive substring of the
    recipient (e-mail address or DID) or of the name. Raises MicrocredError (bad_input)
    for an unknown state or a page out of range."""
    if state is not None and state not in STATES:
        raise MicrocredError(f"state {state!r}: use one of {', '.join(STATES)}", code="bad_input")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise MicrocredError(f"limit: 1 to {MAX_PAGE}; offset: 0 or more", code="bad_input")
    now = now or datetime.now(UTC)
    query = select(Credential, Achievement.name).join(
        Achievement, Achievement.id == Credential.achievement_id
    )
    query = query.where(Credential.org_id == org.id)
    if q and q.strip():
        needle = q.strip().lower()
        query = query.where(
            or_(
                func.lower(Credential.recipient_key).contains(needle, autoescape=True),
                func.lower(Credential.recipient_name).contains(needle, autoescape=True),
            )
        )
    if achievement_id:
        query = query.where(Credential.achievement_id == achievement_id)
    if state:
        query = query.where(_state_clause(state, now))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Credential.issued_at.desc(), Credential.id).limit(limit).offset(offset)
    ).all()
    return CredentialPage(total, [(cred, name) for cred, name in rows])


def achievement_name(session: Session, cred: Credential) -> str:
    return (
        session.scalar(select(Achievement.name).where(Achievement.id == cred.achievement_id)) or ""
    )


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: a value starting with = + - @, a tab or a
    carriage return gets a leading single quote (and so is never run as a formula)."""
    if value is None:
        text = ""
    elif isinstance(value, datetime):
        text = aware(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # type: ignore[union-attr]
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_csv(
    session: Session, org: Organisation, *, base_url: str, now: datetime | None = None
) -> Iterator[str]:
    """The credentials of ``org`` as CSV text (a header, then one row each, oldest first),
    yielded in pieces; every cell neutralised with :func:`csv_cell`."""
    now = now or datetime.now(UTC)
    names: dict[str, str] = {
        ach_id: name
        for ach_id, name in session.execute(
            select(Achievement.id, Achievement.name).where(Achievement.org_id == org.id)
        )
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n, cred in enumerate(awards.iter_credentials(session, org), 1):
        row: Sequence[Any] = (
            cred.id,
            cred.achievement_id,
            names.get(cred.achievement_id, ""),
            cred.recipient_kind,
            cred.recipient_key,
            cred.recipient_name,
            state_of(cred, now),
            aware(cred.issued_at),
            aware(cred.valid_from),
            aware(cred.valid_until),
            aware(cred.revoked_at),
            cred.replaced_by,
            f"{base_url}/credentials/{cred.id}",
        )
        writer.writerow([csv_cell(v) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def job_of(session: Session, org: Organisation, job_id: str) -> Job:
    """The job ``job_id`` of ``org``. Raises MicrocredError (not_found)."""
    job = session.get(Job, job_id)
    if job is None or job.org_id != org.id:
        raise MicrocredError(f"no job {job_id!r} in {org.slug!r}", code="not_found")
    return job


def audit_page(
    session: Session,
    org: Organisation,
    *,
    subject: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[AuditEntry]]:
    """(total, entries) of ``org``'s audit log, newest first."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise MicrocredError(f"limit: 1 to {MAX_PAGE}; offset: 0 or more", code="bad_input")
    query = select(AuditEntry).where(AuditEntry.org_id == org.id)
    if subject:
        query = query.where(AuditEntry.subject == subject)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return total, list(entries)
