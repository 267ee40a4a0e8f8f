"""E-mail: the two messages we send (an award, an expiry reminder) and the ways to send them.

A :class:`Mailer` has one method, ``send(mail)``. :class:`SmtpMailer` talks SMTP
(``smtplib``); :class:`NullMailer` sends nothing (the caller keeps the mail in its outbox
table, which is what happens when no SMTP server is configured); :class:`MemoryMailer`
keeps what it was given, for tests. :func:`mailer_from_settings` picks one from the
settings.

The templates build plain text and a simple HTML part; every value put into the HTML is
escaped, and links must be http(s). A subject never carries a line break (no header
injection).
"""

from __future__ import annotations

import html
import ipaddress
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from microcred.errors import MicrocredError

if TYPE_CHECKING:
    from microcred.config import Settings

__all__ = [
    "Mail",
    "Mailer",
    "MemoryMailer",
    "NullMailer",
    "SmtpMailer",
    "award_mail",
    "mailer_from_settings",
    "reminder_mail",
]


@dataclass(frozen=True)
class Mail:
    """One e-mail to one recipient. ``kind`` ("award", "reminder") and ``credential_id`` are
    for the outbox record; they are not sent."""

    to: str
    subject: str
    text: str
    html: str | None = None
    kind: str = "award"
    credential_id: str | None = None


class Mailer(Protocol):
    """Sends a mail or raises MicrocredError (code ``mail``) saying why it could not."""

    def send(self, mail: Mail) -> None: ...


class NullMailer:
    """Sends nothing: the mail stays in the outbox table (the caller records it)."""

    def send(self, mail: Mail) -> None:
        return None


@dataclass
class MemoryMailer:
    """Keeps every mail in ``sent``: an in-memory fake for tests."""

    sent: list[Mail] = field(default_factory=list)

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpMailer:
    """Sends through an SMTP server, one connection per mail.

    ``starttls`` upgrades the connection (certificate checked) before anything else is
    said; a user name and password are refused on a connection that is neither encrypted
    nor to this machine (MicrocredError, code ``config``), so a password is never sent in
    the clear.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        sender: str,
        timeout: float = 10,
    ) -> None:
        if username and not starttls and not _is_loopback(host):
            raise MicrocredError(
                "the SMTP password would be sent unencrypted: set MICROCRED_SMTP_STARTTLS=true",
                code="config",
            )
        if not parseaddr(sender)[1]:
            raise MicrocredError(f"the mail sender {sender!r} is not an address", code="config")
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.starttls = starttls
        self.sender = sender
        self.timeout = timeout

    def __repr__(self) -> str:
        return (
            f"SmtpMailer(host={self.host!r}, port={self.port}, username={self.username!r}, "
            f"starttls={self.starttls}, sender={self.sender!r})"
        )

    def message(self, mail: Mail) -> EmailMessage:
        """The message ``send`` would send. Raises MicrocredError for an unusable header."""
        addresses = getaddresses([mail.to])
        if len(addresses) != 1 or "@" not in addresses[0][1]:
            raise MicrocredError(f"{mail.to!r} is not one e-mail address", code="mail")
        msg = EmailMessage()
        try:
            msg["From"] = self.sender
            msg["To"] = mail.to
            msg["Subject"] = mail.subject
            msg["Date"] = formatdate(usegmt=True)
            domain = parseaddr(self.sender)[1].rpartition("@")[2] or None
            msg["Message-ID"] = make_msgid(domain=domain)
        except (ValueError, TypeError) as exc:
            raise MicrocredError(
                "the e-mail has an unusable header (a line break in it?)",
                detail=str(exc),
                code="mail",
            ) from None
        msg.set_content(mail.text)
        if mail.html is not None:
            msg.add_alternative(mail.html, subtype="html")
        return msg

    def send(self, mail: Mail) -> None:
        """Send ``mail``. Raises MicrocredError (code ``mail``) when the server cannot be
        reached, refuses the login, the sender or the recipient, or fails otherwise; the
        message never contains the password."""
        msg = self.message(mail)
        where = f"{self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self._password or "")
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise self._error(f"the SMTP server {where} refused the login", exc) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise self._error(
                f"the SMTP server {where} refused the recipient {mail.to}", exc
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            raise self._error(
                f"the SMTP server {where} refused the sender {self.sender}", exc
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise self._error(f"the SMTP server {where} does not offer STARTTLS", exc) from None
        except TimeoutError as exc:
            raise self._error(
                f"the SMTP server {where} did not answer within {self.timeout:g} s", exc
            ) from None
        except ssl.SSLError as exc:
            raise self._error(f"STARTTLS with the SMTP server {where} failed", exc) from None
        except smtplib.SMTPException as exc:
            raise self._error(f"the SMTP server {where} failed to take the e-mail", exc) from None
        except OSError as exc:
            raise self._error(f"could not connect to the SMTP server {where}", exc) from None

    def _error(self, message: str, exc: BaseException) -> MicrocredError:
        detail = f"{type(exc).__name__}: {exc}"
        if self._password:
            detail = detail.replace(self._password, "***")
        return MicrocredError(message, detail=detail, code="mail")


def mailer_from_settings(settings: Settings) -> Mailer:
    """An :class:`SmtpMailer` when ``smtp_host`` is set, else a :class:`NullMailer`.
    Raises MicrocredError (code ``config``) for settings that cannot work."""
    if not settings.smtp_host:
        return NullMailer()
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        starttls=settings.smtp_starttls,
        sender=settings.mail_from,
    )


# --- the templates -------------------------------------------------------------------


def _one_line(value: str, limit: int = 200) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise MicrocredError(f"{url!r} is not an http(s) URL for an e-mail link", code="mail")
    return url


def _html_page(paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        f'<body style="font-family: sans-serif; line-height: 1.5">\n{body}\n</body></html>\n'
    )


def _a(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(label)}</a>'


def _hello(name: str | None) -> str:
    return f"Hello {name}," if name else "Hello,"


def award_mail(
    *,
    to: str,
    recipient_name: str | None,
    achievement_name: str,
    issuer_name: str,
    credential_url: str,
    claim_url: str,
    credential_id: str | None = None,
) -> Mail:
    """The e-mail telling a recipient they were awarded a credential, with a link to view it
    and one to claim it (and choose whether its public page shows the recipient's name).
    ``recipient_name`` None greets without a name. Raises MicrocredError for a link that is
    not http(s)."""
    credential_url, claim_url = _checked_url(credential_url), _checked_url(claim_url)
    name = _one_line(recipient_name) if recipient_name else None
    achievement, issuer = (_one_line(v) for v in (achievement_name, issuer_name))
    text = (
        f"{_hello(name)}\n\n"
        f'{issuer} has awarded you "{achievement}".\n\n'
        f"View your credential: {credential_url}\n"
        f"Claim it (and choose whether its page shows your name): {claim_url}\n\n"
        "It is a signed Open Badges 3.0 credential: anyone you share it with can check that "
        f"it is real and that it was issued by {issuer}.\n"
    )
    e = html.escape
    page = _html_page(
        [
            e(_hello(name)),
            f"{e(issuer)} has awarded you <strong>{e(achievement)}</strong>.",
            _a(credential_url, "View your credential") + " · " + _a(claim_url, "Claim it"),
            "It is a signed Open Badges 3.0 credential: anyone you share it with can check that "
            f"it is real and that it was issued by {e(issuer)}.",
        ]
    )
    return Mail(
        to=to,
        subject=_one_line(f"{issuer} awarded you {achievement}"),
        text=text,
        html=page,
        kind="award",
        credential_id=credential_id,
    )


def reminder_mail(
    *,
    to: str,
    recipient_name: str | None,
    achievement_name: str,
    issuer_name: str,
    valid_until: datetime,
    credential_url: str,
    renewal_url: str | None,
    credential_id: str | None = None,
) -> Mail:
    """The e-mail telling a recipient their credential expires on ``valid_until`` (shown as
    a UTC date; a naive datetime is taken as UTC), with links to it and to renewal (left out
    when ``renewal_url`` is None). Raises MicrocredError for a link that is not http(s)."""
    credential_url = _checked_url(credential_url)
    renewal = _checked_url(renewal_url) if renewal_url is not None else None
    when = valid_until if valid_until.tzinfo else valid_until.replace(tzinfo=UTC)
    day = when.astimezone(UTC).date().isoformat()
    name = _one_line(recipient_name) if recipient_name else None
    achievement, issuer = (_one_line(v) for v in (achievement_name, issuer_name))
    text = (
        f"{_hello(name)}\n\n"
        f'Your credential "{achievement}" from {issuer} expires on {day} (UTC).\n\n'
        f"View it: {credential_url}\n" + (f"Renew it: {renewal}\n" if renewal else "")
    )
    e = html.escape
    links = _a(credential_url, "View it") + (f" · {_a(renewal, 'Renew it')}" if renewal else "")
    page = _html_page(
        [
            e(_hello(name)),
            f"Your credential <strong>{e(achievement)}</strong> from {e(issuer)} expires on "
            f"{e(day)} (UTC).",
            links,
        ]
    )
    return Mail(
        to=to,
        subject=_one_line(f"Your credential {achievement} expires on {day}"),
        text=text,
        html=page,
        kind="reminder",
        credential_id=credential_id,
    )
