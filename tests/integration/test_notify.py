"""E-mail on SQLite and PostgreSQL: expiry reminders (once, inside the window only) and the
outbox sent through a real SMTP sink (aiosmtpd on 127.0.0.1), with retries and a cap."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from microcred.errors import MicrocredError
from microcred.issuing import achievements, awards, notify, orgs, status
from microcred.issuing.context import IssuingContext
from microcred.issuing.mailer import Mail, MemoryMailer, NullMailer, SmtpMailer
from microcred.store.db import session_scope
from microcred.store.models import Achievement, Credential, Organisation, OutboxMail

CTX = IssuingContext(base_url="http://127.0.0.1:8000", secret=b"test secret")
SENDER = "microcred <no-reply@example.org>"
COURSE = {
    "name": "Basic Life Support",
    "description": "Adult CPR and defibrillator use.",
    "criteria": "Pass the practical assessment.",
    "renewal": {"renewable": True, "requires": "a refresher course"},
}


class Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[int, Sink]]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, sink
    finally:
        controller.stop()


@pytest.fixture
def course(engine):
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, CTX, slug="lifeline", name="Lifeline Skills")
        ach = achievements.create_achievement(s, org, COURSE)
        return org.id, ach.id


def _issue(engine, course, recipient: awards.Recipient, *, notify_: bool = False) -> str:
    with session_scope(engine) as s:
        org = s.get(Organisation, course[0])
        ach = s.get(Achievement, course[1])
        out = awards.issue_award(
            s, CTX, org=org, achievement=ach, recipient=recipient, notify=notify_
        )
        return out.credential.id


def _expiring(engine, course, email_: str, days: float, **kwargs) -> str:
    now = datetime.now(UTC)
    return _issue(
        engine,
        course,
        awards.Recipient(
            email=email_,
            name=kwargs.pop("name", "Ana"),
            valid_from=now - timedelta(days=700),
            valid_until=now + timedelta(days=days),
            **kwargs,
        ),
    )


def _outbox(engine, kind: str | None = None) -> list[OutboxMail]:
    with session_scope(engine) as s:
        q = select(OutboxMail).order_by(OutboxMail.id)
        if kind:
            q = q.where(OutboxMail.kind == kind)
        return list(s.scalars(q))


# --- reminders ---------------------------------------------------------------------------


def test_reminders_are_queued_once_and_only_inside_the_window(engine, course):
    soon = _expiring(engine, course, "soon@example.org", 10)
    later = _expiring(engine, course, "later@example.org", 40)
    _expiring(engine, course, "expired@example.org", -5)
    revoked = _expiring(engine, course, "revoked@example.org", 10)
    suspended = _expiring(engine, course, "suspended@example.org", 10)
    _issue(
        engine,
        course,
        awards.Recipient(
            did="did:example:learner",
            valid_until=datetime.now(UTC) + timedelta(days=10),
        ),
    )
    no_expiry = _issue(engine, course, awards.Recipient(email="forever@example.org"))
    with session_scope(engine) as s:
        status.change_status(s, CTX, s.get(Credential, revoked), "revoke", reason="test")
        status.change_status(s, CTX, s.get(Credential, suspended), "suspend", reason="test")

    with session_scope(engine) as s:
        assert notify.queue_expiry_reminders(s, CTX, days=30) == 1
    with session_scope(engine) as s:  # never twice
        assert notify.queue_expiry_reminders(s, CTX, days=30) == 0

    [mail] = _outbox(engine, "reminder")
    assert (mail.to, mail.credential_id, mail.sent_at) == ("soon@example.org", soon, None)
    assert f"{CTX.base_url}/renew/{soon}" in mail.body
    assert f"{CTX.base_url}/credentials/{soon}" in mail.body
    assert "Hello Ana," in mail.body and "Basic Life Support" in mail.subject
    assert mail.html and f'href="{CTX.base_url}/renew/{soon}"' in mail.html
    with session_scope(engine) as s:
        assert s.get(Credential, soon).reminder_sent_at is not None
        assert s.get(Credential, later).reminder_sent_at is None
        assert s.get(Credential, no_expiry).reminder_sent_at is None

    # fifteen days on, the 40-day one is inside the window; the first is not queued again
    with session_scope(engine) as s:
        n = notify.queue_expiry_reminders(
            s, CTX, days=30, now=datetime.now(UTC) + timedelta(days=15)
        )
    assert n == 1
    assert [m.credential_id for m in _outbox(engine, "reminder")] == [soon, later]


def test_reminder_days_must_be_positive(engine):
    with session_scope(engine) as s, pytest.raises(MicrocredError):
        notify.queue_expiry_reminders(s, CTX, days=0)


# --- sending -------------------------------------------------------------------------------


def _award_with_mail(engine, course, name: str = "Ada Lovelace") -> tuple[str, str]:
    with session_scope(engine) as s:
        org = s.get(Organisation, course[0])
        ach = s.get(Achievement, course[1])
        out = awards.issue_award(
            s,
            CTX,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email="Ada@Example.org", name=name),
        )
        assert out.claim_token
        return out.credential.id, out.claim_token


def test_send_outbox_delivers_the_award_mail_with_the_claim_link(engine, course, smtp):
    port, sink = smtp
    cred_id, token = _award_with_mail(engine, course)
    mailer = SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=5)

    assert notify.send_outbox(engine, mailer) == 1
    [msg] = sink.messages
    assert msg["To"] == "Ada@Example.org"
    assert msg["Subject"] == "Lifeline Skills awarded you Basic Life Support"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    claim_url = f"{CTX.base_url}/claim/{token}"
    assert claim_url in plain.get_content() and "Hello Ada Lovelace," in plain.get_content()
    assert f'href="{claim_url}"' in html.get_content()
    assert f"{CTX.base_url}/credentials/{cred_id}" in plain.get_content()

    [row] = _outbox(engine)
    assert row.sent_at is not None and row.error is None and row.attempts == 1
    assert notify.send_outbox(engine, mailer) == 0  # sent once
    assert len(sink.messages) == 1


def test_an_unreachable_server_leaves_the_mail_unsent_and_it_is_retried_later(engine, course, smtp):
    port, sink = smtp
    _award_with_mail(engine, course)
    down = SmtpMailer("127.0.0.1", _free_port(), sender=SENDER, timeout=2)

    assert notify.send_outbox(engine, down) == 0
    [row] = _outbox(engine)
    assert row.sent_at is None and row.attempts == 1
    assert "could not connect to the SMTP server" in row.error
    assert row.next_attempt_at is not None

    up = SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=5)
    assert notify.send_outbox(engine, up) == 0  # backing off: not due yet
    assert sink.messages == []
    later = datetime.now(UTC) + notify.backoff(1) + timedelta(seconds=5)
    assert notify.send_outbox(engine, up, now=later) == 1
    [row] = _outbox(engine)
    assert row.sent_at is not None and row.error is None and row.attempts == 2
    assert len(sink.messages) == 1


class Failing(MemoryMailer):
    def send(self, mail: Mail) -> None:
        raise MicrocredError("the SMTP server refused the recipient", code="mail")


def test_attempts_are_capped(engine, course):
    _award_with_mail(engine, course)
    at = datetime.now(UTC)
    for n in range(1, 4):
        assert notify.send_outbox(engine, Failing(), now=at, max_attempts=3) == 0
        [row] = _outbox(engine)
        assert row.attempts == n
        at += timedelta(days=1)
    assert row.error.startswith("gave up after 3 attempts: the SMTP server refused")
    assert row.next_attempt_at is None
    ok = MemoryMailer()
    assert notify.send_outbox(engine, ok, now=at + timedelta(days=30), max_attempts=3) == 0
    assert ok.sent == []


def test_no_smtp_server_keeps_mails_in_the_outbox(engine, course):
    _award_with_mail(engine, course)
    assert notify.send_outbox(engine, NullMailer()) == 0
    [row] = _outbox(engine)
    assert row.sent_at is None and row.attempts == 0 and row.error is None


def test_a_claimed_mail_is_left_to_its_sender(engine, course):
    """Another sender's lease keeps a mail from being sent twice."""
    _award_with_mail(engine, course)
    [row] = _outbox(engine)
    now = datetime.now(UTC)
    assert notify._claim(engine, row.id, 0, now) is not None  # a sender is sending it
    assert notify._claim(engine, row.id, 0, now) is None
    other = MemoryMailer()
    assert notify.send_outbox(engine, other, now=now) == 0 and other.sent == []
    # the first sender died: after the lease the mail is tried again
    assert notify.send_outbox(engine, other, now=now + notify.LEASE + timedelta(seconds=1)) == 1
    assert [m.to for m in other.sent] == ["Ada@Example.org"]


def test_mails_go_oldest_first_up_to_the_limit(engine, course):
    for n in range(3):
        _issue(
            engine,
            course,
            awards.Recipient(email=f"l{n}@example.org", name=f"L{n}"),
            notify_=True,
        )
    memory = MemoryMailer()
    assert notify.send_outbox(engine, memory, limit=2) == 2
    assert notify.send_outbox(engine, memory, limit=2) == 1
    assert [m.to for m in memory.sent] == ["l0@example.org", "l1@example.org", "l2@example.org"]


def test_run_cycle_queues_reminders_and_sends(engine, course):
    _expiring(engine, course, "soon@example.org", 3)
    memory = MemoryMailer()
    result = notify.run_cycle(engine, CTX, memory, reminder_days=30)
    assert (result.reminders, result.sent) == (1, 1)
    assert [m.kind for m in memory.sent] == ["reminder"]
