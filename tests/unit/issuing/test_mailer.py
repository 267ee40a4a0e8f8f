"""E-mail: the templates, and SmtpMailer against a real SMTP sink (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from microcred.config import get_settings
from microcred.errors import MicrocredError
from microcred.issuing.mailer import (
    Mail,
    MemoryMailer,
    NullMailer,
    SmtpMailer,
    award_mail,
    mailer_from_settings,
    reminder_mail,
)

SENDER = "microcred <no-reply@example.org>"
USER, PASSWORD = "issuer", "s3cret-pa55word"


class Sink:
    """Collects what the SMTP server received; refuses recipients at refused.example."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        out = []
        for env in self.envelopes:
            assert isinstance(env.content, bytes)
            msg = email.message_from_bytes(env.content, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
        return out


def _authenticator(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(**kwargs: Any) -> tuple[Controller, Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port(), **kwargs)
    controller.start()
    return controller, sink


@pytest.fixture
def smtp() -> Iterator[tuple[int, Sink]]:
    controller, sink = _start()
    try:
        yield controller.port, sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_auth() -> Iterator[tuple[int, Sink]]:
    controller, sink = _start(authenticator=_authenticator, auth_require_tls=False)
    try:
        yield controller.port, sink
    finally:
        controller.stop()


def _award(to: str = "bob@example.org", name: str = "Bob <script>alert(1)</script>") -> Mail:
    return award_mail(
        to=to,
        recipient_name=name,
        achievement_name="Welding & Safety\r\nLevel 1",
        issuer_name="ACME <Training>",
        credential_url="https://issuer.example/credentials/42",
        claim_url="https://issuer.example/claim?token=abc&x=1",
        credential_id="urn:uuid:42",
    )


def _parts(msg: EmailMessage) -> tuple[str, str]:
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    return plain.get_content(), html.get_content()


def test_award_mail_is_delivered_with_both_parts(smtp: tuple[int, Sink]) -> None:
    port, sink = smtp
    mailer = SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=5)
    mail = _award()
    assert (mail.kind, mail.credential_id) == ("award", "urn:uuid:42")
    mailer.send(mail)

    [envelope] = sink.envelopes
    assert envelope.rcpt_tos == ["bob@example.org"]
    assert envelope.mail_from == "no-reply@example.org"
    [msg] = sink.messages()
    assert msg["To"] == "bob@example.org"
    assert msg["From"] == SENDER
    assert msg["Subject"] == "ACME <Training> awarded you Welding & Safety Level 1"
    assert msg["Message-ID"] and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    text, html = _parts(msg)
    assert "Hello Bob <script>alert(1)</script>," in text
    assert "https://issuer.example/credentials/42" in text
    assert "https://issuer.example/claim?token=abc&x=1" in text
    # Every value is escaped in the HTML part.
    assert "<script>" not in html
    assert "Bob &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "ACME &lt;Training&gt;" in html
    assert "<strong>Welding &amp; Safety Level 1</strong>" in html
    assert 'href="https://issuer.example/claim?token=abc&amp;x=1"' in html


def test_reminder_mail(smtp: tuple[int, Sink]) -> None:
    port, sink = smtp
    mail = reminder_mail(
        to="ana@example.org",
        recipient_name="Ana",
        achievement_name="First Aid",
        issuer_name="Red Cross",
        valid_until=datetime(2027, 3, 31, 23, 30, tzinfo=UTC),
        credential_url="https://issuer.example/credentials/7",
        renewal_url="https://issuer.example/renew/7",
    )
    assert mail.kind == "reminder"
    SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=5).send(mail)
    [msg] = sink.messages()
    assert msg["Subject"] == "Your credential First Aid expires on 2027-03-31"
    text, html = _parts(msg)
    assert "expires on 2027-03-31 (UTC)" in text
    assert "Renew it: https://issuer.example/renew/7" in text
    assert 'href="https://issuer.example/renew/7"' in html


def test_reminder_without_renewal_link_and_date_in_utc() -> None:
    from datetime import timedelta, timezone

    mail = reminder_mail(
        to="ana@example.org",
        recipient_name="Ana",
        achievement_name="First Aid",
        issuer_name="Red Cross",
        valid_until=datetime(2027, 4, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))),
        credential_url="https://issuer.example/credentials/7",
        renewal_url=None,
    )
    assert "2027-03-31" in mail.subject
    assert "Renew" not in mail.text
    assert mail.html is not None and "Renew" not in mail.html


def test_text_only_mail_is_not_multipart(smtp: tuple[int, Sink]) -> None:
    port, sink = smtp
    mail = Mail(to="bob@example.org", subject="Hi", text="Just text.\n")
    SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=5).send(mail)
    [msg] = sink.messages()
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().splitlines() == ["Just text."]


def test_login_on_loopback(smtp_auth: tuple[int, Sink]) -> None:
    port, sink = smtp_auth
    mailer = SmtpMailer(
        "127.0.0.1", port, username=USER, password=PASSWORD, sender=SENDER, timeout=5
    )
    mailer.send(_award())
    assert len(sink.envelopes) == 1


def test_refused_login_names_no_password(smtp_auth: tuple[int, Sink]) -> None:
    port, sink = smtp_auth
    wrong = "wrong-" + PASSWORD
    mailer = SmtpMailer("127.0.0.1", port, username=USER, password=wrong, sender=SENDER, timeout=5)
    with pytest.raises(MicrocredError) as info:
        mailer.send(_award())
    assert info.value.code == "mail"
    assert "refused the login" in str(info.value)
    for text in (str(info.value), info.value.detail or "", repr(mailer)):
        assert wrong not in text
    assert not sink.envelopes


def test_refused_recipient(smtp: tuple[int, Sink]) -> None:
    port, sink = smtp
    mailer = SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=5)
    with pytest.raises(MicrocredError, match="refused the recipient bob@refused.example"):
        mailer.send(_award(to="bob@refused.example"))
    assert not sink.envelopes


def test_starttls_not_offered(smtp: tuple[int, Sink]) -> None:
    port, _ = smtp
    mailer = SmtpMailer("127.0.0.1", port, starttls=True, sender=SENDER, timeout=5)
    with pytest.raises(MicrocredError, match="does not offer STARTTLS"):
        mailer.send(_award())


def test_unreachable_server_fails_quickly() -> None:
    port = _free_port()  # nothing listens there any more
    mailer = SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=1)
    started = time.monotonic()
    with pytest.raises(MicrocredError) as info:
        mailer.send(_award())
    assert info.value.code == "mail"
    assert f"could not connect to the SMTP server 127.0.0.1:{port}" in str(info.value)
    assert time.monotonic() - started < 5  # generous: a refused connection is immediate


@pytest.mark.parametrize(
    "mail",
    [
        Mail(to="bob@example.org", subject="Hi\r\nBcc: eve@example.org", text="x"),
        Mail(to="bob@example.org, eve@example.org", subject="Hi", text="x"),
        Mail(to="bob@example.org\r\nBcc: eve@example.org", subject="Hi", text="x"),
        Mail(to="not an address", subject="Hi", text="x"),
    ],
)
def test_header_injection_is_refused_before_connecting(mail: Mail) -> None:
    mailer = SmtpMailer("127.0.0.1", _free_port(), sender=SENDER, timeout=1)
    with pytest.raises(MicrocredError) as info:
        mailer.message(mail)
    assert info.value.code == "mail"


def test_password_over_plain_connection_to_another_host_is_refused() -> None:
    with pytest.raises(MicrocredError, match="STARTTLS") as info:
        SmtpMailer("smtp.example.org", 587, username=USER, password=PASSWORD, sender=SENDER)
    assert info.value.code == "config"
    assert PASSWORD not in str(info.value)
    # With STARTTLS it is fine (nothing is contacted here).
    SmtpMailer(
        "smtp.example.org", 587, username=USER, password=PASSWORD, starttls=True, sender=SENDER
    )


def test_links_must_be_http() -> None:
    with pytest.raises(MicrocredError, match="http"):
        award_mail(
            to="bob@example.org",
            recipient_name="Bob",
            achievement_name="A",
            issuer_name="I",
            credential_url="javascript:alert(1)",
            claim_url="https://issuer.example/claim",
        )


def test_mailer_from_settings(tmp_path: Any) -> None:
    settings = get_settings(data_dir=tmp_path)
    assert isinstance(mailer_from_settings(settings), NullMailer)

    settings = get_settings(
        data_dir=tmp_path,
        smtp_host="smtp.example.org",
        smtp_port=587,
        smtp_username=USER,
        smtp_password=PASSWORD,
        smtp_starttls=True,
        mail_from="Issuer <badges@example.org>",
    )
    mailer = mailer_from_settings(settings)
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.username, mailer.starttls, mailer.sender) == (
        "smtp.example.org",
        587,
        USER,
        True,
        "Issuer <badges@example.org>",
    )
    assert PASSWORD not in repr(mailer)


def test_null_and_memory_mailers() -> None:
    mail = _award()
    NullMailer().send(mail)
    memory = MemoryMailer()
    memory.send(mail)
    assert memory.sent == [mail]
