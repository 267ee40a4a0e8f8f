"""Sending the outbox and queuing expiry reminders.

Every e-mail is first a row of the ``outbox`` table (queued in the transaction that made
it: an award, a reminder), then sent by :func:`send_outbox`. Sending is safe with any
number of senders (the web app's background thread, ``microcred mail send``, several web
processes on PostgreSQL): a sender *claims* a mail with a conditional UPDATE that counts
the attempt and moves ``next_attempt_at`` one lease ahead, commits, and only then talks
SMTP. A failed attempt records the error and the time of the next try (backing off); after
``MAX_ATTEMPTS`` the mail stays unsent with its last error, shown on the outbox page. A
sender that dies mid-send leaves its claim to expire: the mail is tried again after the
lease (at least once, never lost).

With :class:`~microcred.issuing.mailer.NullMailer` (no SMTP server configured) nothing is
sent: the mails stay in the outbox, where the development outbox page shows them.

:func:`queue_expiry_reminders` queues one reminder per credential (exactly once, also
with concurrent callers: the credential's ``reminder_sent_at`` is set by a conditional
UPDATE in the same transaction as the queued mail).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, func, or_, select, update
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import mailer as mail_templates
from microcred.issuing.context import IssuingContext
from microcred.issuing.mailer import Mail, Mailer, NullMailer
from microcred.store.db import session_scope
from microcred.store.models import Achievement, Credential, Organisation, OutboxMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)  # a claimed mail is left alone this long by other senders
BACKOFF_BASE = timedelta(minutes=1)  # after attempt n: 1 min, 4 min, 16 min, ... (capped)
BACKOFF_MAX = timedelta(hours=12)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    factor: int = 4 ** min(max(attempts - 1, 0), 10)
    return min(BACKOFF_BASE * factor, BACKOFF_MAX)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxMail.sent_at.is_(None),
        or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
    )


def pending_count(session: Session) -> int:
    """Mails not sent yet (including those that gave up)."""
    return int(session.scalar(select(func.count()).where(OutboxMail.sent_at.is_(None))) or 0)


def _claim(engine: Engine, mail_id: int, attempts: int, now: datetime) -> Mail | None:
    """Count an attempt on ``mail_id`` and lease it, unless another sender got there first."""
    with session_scope(engine) as s:
        claimed = s.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.attempts == attempts,
                *_due(now),
            )
            .values(attempts=attempts + 1, next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = s.get(OutboxMail, mail_id)
        assert row is not None
        return Mail(
            to=row.to,
            subject=row.subject,
            text=row.body,
            html=row.html,
            kind=row.kind,
            credential_id=row.credential_id,
        )


def _record(engine: Engine, mail_id: int, *, sent_at: datetime | None, **values: object) -> None:
    with session_scope(engine) as s:
        s.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id)
            .values(sent_at=sent_at, **values)
            .execution_options(synchronize_session=False)
        )


def send_outbox(
    engine: Engine,
    mailer: Mailer,
    *,
    limit: int = 100,
    now: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> int:
    """Send up to ``limit`` due mails, oldest first; returns how many were sent.

    A mail is due when it is unsent, has had fewer than ``max_attempts`` attempts and its
    next attempt time has come (``now``: the clock, for tests). Each mail is claimed in its
    own transaction before it is sent and marked sent (or failed, with the error and the
    next attempt's time) in another. Never raises for a mail that cannot be sent; with a
    NullMailer sends nothing and returns 0."""
    if isinstance(mailer, NullMailer):
        return 0
    clock = _utc(now)
    with session_scope(engine) as s:
        due = s.execute(
            select(OutboxMail.id, OutboxMail.attempts)
            .where(*_due(clock), OutboxMail.attempts < max_attempts)
            .order_by(OutboxMail.created_at, OutboxMail.id)
            .limit(limit)
        ).all()
    sent = 0
    for mail_id, attempts in due:
        at = _utc(now)
        mail = _claim(engine, mail_id, attempts, at)
        if mail is None:
            continue
        try:
            mailer.send(mail)
        except MicrocredError as exc:
            log.warning("mail %s to %s not sent: %s (%s)", mail_id, mail.to, exc, exc.detail)
            error = exc.user_message
        except Exception as exc:  # a bug must not stop the other mails
            log.exception("mail %s to %s not sent", mail_id, mail.to)
            error = f"unexpected error: {type(exc).__name__}"
        else:
            _record(engine, mail_id, sent_at=_utc(now), error=None, next_attempt_at=None)
            sent += 1
            continue
        tries = attempts + 1
        if tries >= max_attempts:
            error = f"gave up after {tries} attempts: {error}"
        _record(
            engine,
            mail_id,
            sent_at=None,
            error=error,
            next_attempt_at=None if tries >= max_attempts else at + backoff(tries),
        )
    return sent


def renewal_url(ctx: IssuingContext, credential_id: str) -> str:
    return f"{ctx.base_url}/renew/{credential_id}"


def queue_expiry_reminders(
    session: Session, ctx: IssuingContext, *, days: int, now: datetime | None = None
) -> int:
    """Queue a reminder for every credential that expires within ``days`` from ``now``:
    issued to an e-mail address, not revoked or suspended, not sample data, not reminded
    before. Sets ``reminder_sent_at`` (so each credential gets one reminder, ever) in the
    caller's transaction; returns how many were queued. Raises MicrocredError for days < 1."""
    if days < 1:
        raise MicrocredError("reminder days: 1 or more", code="bad_input")
    clock = _utc(now)
    rows = session.execute(
        select(Credential, Achievement.name, Organisation.name)
        .join(Achievement, Achievement.id == Credential.achievement_id)
        .join(Organisation, Organisation.id == Credential.org_id)
        .where(
            Credential.recipient_kind == "email",
            Credential.revoked_at.is_(None),
            Credential.suspended.is_(False),
            Credential.is_sample.is_(False),
            Credential.reminder_sent_at.is_(None),
            Credential.valid_until.is_not(None),
            Credential.valid_until > clock,
            Credential.valid_until <= clock + timedelta(days=days),
        )
        .order_by(Credential.valid_until)
    ).all()
    queued = 0
    for cred, achievement_name, issuer_name in rows:
        mine = session.execute(  # exactly once, even with another caller at the same time
            update(Credential)
            .where(Credential.id == cred.id, Credential.reminder_sent_at.is_(None))
            .values(reminder_sent_at=clock)
            .execution_options(synchronize_session=False)
        )
        if mine.rowcount != 1:  # type: ignore[attr-defined]
            continue
        mail = mail_templates.reminder_mail(
            to=cred.recipient_key,
            recipient_name=cred.recipient_name,
            achievement_name=achievement_name,
            issuer_name=issuer_name,
            valid_until=_utc(cred.valid_until),
            credential_url=f"{ctx.base_url}/credentials/{cred.id}",
            renewal_url=renewal_url(ctx, cred.id),
            credential_id=cred.id,
        )
        session.add(
            OutboxMail(
                to=mail.to,
                subject=mail.subject,
                body=mail.text,
                html=mail.html,
                kind=mail.kind,
                credential_id=cred.id,
            )
        )
        queued += 1
    session.flush()
    return queued


def recent_mails(session: Session, *, limit: int = 200) -> list[OutboxMail]:
    """The newest ``limit`` mails of the outbox, newest first (the dev outbox page)."""
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)))


@dataclass
class CycleResult:
    reminders: int
    sent: int


def run_cycle(
    engine: Engine,
    ctx: IssuingContext,
    mailer: Mailer,
    *,
    reminder_days: int,
    limit: int = 100,
    now: datetime | None = None,
) -> CycleResult:
    """Queue due reminders (one transaction), then send what is due."""
    with session_scope(engine) as s:
        reminders = queue_expiry_reminders(s, ctx, days=reminder_days, now=now)
    return CycleResult(reminders, send_outbox(engine, mailer, limit=limit, now=now))


class MailSender:
    """A thread in the web process: every ``every`` seconds it queues expiry reminders and
    sends the outbox (see :func:`run_cycle`). Safe to run in several processes at once."""

    def __init__(
        self,
        engine: Engine,
        ctx: IssuingContext,
        mailer: Mailer,
        *,
        reminder_days: int,
        every: float = 60.0,
    ) -> None:
        self._stop = threading.Event()
        self._args = (engine, ctx, mailer, reminder_days, every)
        self._thread = threading.Thread(target=self._run, name="microcred-mail", daemon=True)

    def _run(self) -> None:
        engine, ctx, mailer, reminder_days, every = self._args
        while not self._stop.is_set():
            try:
                result = run_cycle(engine, ctx, mailer, reminder_days=reminder_days)
                if result.reminders or result.sent:
                    log.info("mail: %d reminder(s) queued, %d sent", result.reminders, result.sent)
            except Exception:  # keep the thread alive; the next cycle tries again
                log.exception("mail sender error")
            self._stop.wait(every)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)
