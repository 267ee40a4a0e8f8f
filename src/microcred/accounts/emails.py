"""A learner's e-mail addresses: the account's own, and others they add and verify.

Credentials are often issued to an address other than the one a learner signed up with (a
school address, a work address). A learner adds it (``add_address``): a link to confirm it
is queued through the outbox, in the caller's transaction, to that address. The link's
token is ``secrets.token_urlsafe(32)``, kept only as its SHA-256 on the address's row (one
live link per address: asking again replaces it), and works once for
``ADDRESS_LINK_LIFETIME``. Opening it shows what it would do; only the confirmation (a
``POST``) uses it up (``confirm_address``), so a mail scanner fetching the link confirms
nothing, and the page names the account the address would join.

An address is verified for at most one learner: another learner's verified address (their
account's own or an added one) cannot be added, nor confirmed (a partial unique index
holds the line for added addresses, under concurrent requests too). The account's own
address counts once it is verified (``verified_emails``), which is what the wallet compares
a credential's recipient with.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microcred.accounts import mails
from microcred.accounts.learners import AccountError, AccountExists, normalise_email
from microcred.errors import MicrocredError
from microcred.issuing.mailer import Mail
from microcred.store.models import LearnerAccount, LearnerEmail, OutboxMail, new_id

__all__ = [
    "ADDRESS_LINK_LIFETIME",
    "MAX_ADDRESSES",
    "Address",
    "AddressNotFound",
    "InvalidAddressLink",
    "add_address",
    "address_for_link",
    "confirm_address",
    "list_addresses",
    "remove_address",
    "resend_address_link",
    "verified_elsewhere",
    "verified_emails",
]

ADDRESS_LINK_LIFETIME = timedelta(hours=48)
RESEND_AFTER = timedelta(minutes=1)
MAX_ADDRESSES = 10  # added addresses per learner, verified or not
MAX_TOKEN = 200


class AddressNotFound(MicrocredError):
    code = "not_found"


class InvalidAddressLink(MicrocredError):
    code = "link_invalid"


@dataclass(frozen=True)
class Address:
    """One of a learner's addresses: ``id`` None for the account's own (``primary``)."""

    id: str | None
    email: str
    primary: bool
    verified_at: datetime | None
    added_at: datetime | None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _rows(session: Session, learner: LearnerAccount) -> list[LearnerEmail]:
    return list(
        session.scalars(
            select(LearnerEmail)
            .where(LearnerEmail.learner_id == learner.id)
            .order_by(LearnerEmail.created_at, LearnerEmail.email)
        )
    )


def list_addresses(session: Session, learner: LearnerAccount) -> list[Address]:
    """The account's own address first, then the added ones in the order they were added."""
    own = Address(None, learner.email, True, learner.email_verified_at, learner.created_at)
    return [own] + [
        Address(r.id, r.email, False, r.verified_at, r.created_at) for r in _rows(session, learner)
    ]


def verified_emails(session: Session, learner: LearnerAccount) -> list[str]:
    """Every address the learner has verified (the account's own when verified), lower-cased:
    a credential issued to one of them was issued to this learner."""
    out = [learner.email] if learner.email_verified_at is not None else []
    out += list(
        session.scalars(
            select(LearnerEmail.email)
            .where(LearnerEmail.learner_id == learner.id, LearnerEmail.verified_at.is_not(None))
            .order_by(LearnerEmail.verified_at, LearnerEmail.email)
        )
    )
    return list(dict.fromkeys(out))


def verified_elsewhere(session: Session, email: str, learner_id: str) -> bool:
    """Whether ``email`` is a verified address of a learner other than ``learner_id``."""
    address = email.strip().lower()
    primary = session.scalar(
        select(func.count())
        .select_from(LearnerAccount)
        .where(
            LearnerAccount.email == address,
            LearnerAccount.email_verified_at.is_not(None),
            LearnerAccount.id != learner_id,
        )
    )
    added = session.scalar(
        select(func.count())
        .select_from(LearnerEmail)
        .where(
            LearnerEmail.email == address,
            LearnerEmail.verified_at.is_not(None),
            LearnerEmail.learner_id != learner_id,
        )
    )
    return bool(primary or added)


def _taken(address: str) -> AccountExists:
    return AccountExists(
        f"{address} is already confirmed for another account: an address belongs to one "
        "account only"
    )


def _queue_link(
    session: Session, learner: LearnerAccount, row: LearnerEmail, base_url: str, now: datetime
) -> str:
    token = secrets.token_urlsafe(32)
    row.token_hash = _hash(token)
    row.token_expires_at = now + ADDRESS_LINK_LIFETIME
    mail: Mail = mails.address_mail(
        to=row.email,
        display_name=learner.display_name,
        account=learner.email,
        url=f"{base_url.rstrip('/')}/account/emails/verify/{token}",
        hours=int(ADDRESS_LINK_LIFETIME.total_seconds() // 3600),
    )
    session.add(
        OutboxMail(to=mail.to, subject=mail.subject, body=mail.text, html=mail.html, kind=mail.kind)
    )
    session.flush()
    return token


def add_address(
    session: Session,
    learner: LearnerAccount,
    email: str,
    *,
    base_url: str,
    now: datetime | None = None,
) -> tuple[LearnerEmail, str]:
    """Add ``email`` to the learner's addresses, not yet verified, and queue the mail with
    the link that confirms it: (row, link token). AccountError for a bad address, one the
    learner has already, or too many; AccountExists when another learner verified it."""
    clock = _utc(now)
    address = normalise_email(email)
    if address == learner.email or any(r.email == address for r in _rows(session, learner)):
        raise AccountError(f"email: {address} is one of your addresses already")
    if len(_rows(session, learner)) >= MAX_ADDRESSES:
        raise AccountError(
            f"email: an account has at most {MAX_ADDRESSES} added addresses: remove one first"
        )
    if verified_elsewhere(session, address, learner.id):
        raise _taken(address)
    row = LearnerEmail(id=new_id(), learner_id=learner.id, email=address, created_at=clock)
    try:
        with session.begin_nested():  # the same address added twice at the same moment
            session.add(row)
            session.flush()
    except IntegrityError:
        raise AccountError(f"email: {address} is one of your addresses already") from None
    return row, _queue_link(session, learner, row, base_url, clock)


def _own_row(session: Session, learner: LearnerAccount, address_id: str) -> LearnerEmail:
    row = session.scalar(
        select(LearnerEmail).where(
            LearnerEmail.id == str(address_id), LearnerEmail.learner_id == learner.id
        )
    )
    if row is None:
        raise AddressNotFound(f"no address {address_id!r} on your account")
    return row


def resend_address_link(
    session: Session,
    learner: LearnerAccount,
    address_id: str,
    *,
    base_url: str,
    now: datetime | None = None,
) -> bool:
    """A new link for an added address that is not verified yet (the old link stops
    working); False (nothing sent) when it is verified or a link went out in the last
    minute. AddressNotFound for an id that is not the learner's."""
    clock = _utc(now)
    row = _own_row(session, learner, address_id)
    if row.verified_at is not None:
        return False
    sent = _utc(row.token_expires_at) - ADDRESS_LINK_LIFETIME if row.token_expires_at else None
    if sent is not None and sent > clock - RESEND_AFTER:
        return False
    _queue_link(session, learner, row, base_url, clock)
    return True


def remove_address(session: Session, learner: LearnerAccount, address_id: str) -> str:
    """Remove an added address (its link stops working); returns the address. The
    account's own address cannot be removed here. AddressNotFound for another's id."""
    row = _own_row(session, learner, address_id)
    address = row.email
    session.delete(row)
    session.flush()
    return address


def _live(session: Session, token: str | None, now: datetime) -> LearnerEmail | None:
    if not isinstance(token, str) or not 20 <= len(token) <= MAX_TOKEN:
        return None
    return session.scalar(
        select(LearnerEmail).where(
            LearnerEmail.token_hash == _hash(token),
            LearnerEmail.verified_at.is_(None),
            LearnerEmail.token_expires_at > now,
        )
    )


def _invalid() -> InvalidAddressLink:
    return InvalidAddressLink(
        "This confirmation link does not work: it has been used already, has expired or is "
        "mistyped."
    )


def address_for_link(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[LearnerEmail, LearnerAccount]:
    """The added address a link would confirm, and its learner (for the confirmation page;
    nothing changes). InvalidAddressLink for one that is unknown, used or expired."""
    row = _live(session, token, _utc(now))
    learner = session.get(LearnerAccount, row.learner_id) if row is not None else None
    if row is None or learner is None:
        raise _invalid()
    return row, learner


def confirm_address(session: Session, token: str, *, now: datetime | None = None) -> LearnerEmail:
    """Use up a confirmation link: its address is verified for its learner (exactly once,
    also under two requests at the same time). InvalidAddressLink for a link that is
    unknown, used or expired; AccountExists when another learner verified the address in
    the meantime (the link is then used up, the address stays unverified)."""
    clock = _utc(now)
    row = _live(session, token, clock)
    if row is None:
        raise _invalid()
    if verified_elsewhere(session, row.email, row.learner_id):
        raise _taken(row.email)
    try:
        with session.begin_nested():
            used = session.execute(
                update(LearnerEmail)
                .where(LearnerEmail.id == row.id, LearnerEmail.verified_at.is_(None))
                .values(verified_at=clock, token_hash=None, token_expires_at=None)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:  # another learner's row was verified at the same moment
        raise _taken(row.email) from None
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise _invalid()
    session.refresh(row)
    return row
