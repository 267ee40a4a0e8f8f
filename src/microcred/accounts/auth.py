"""Signing learners in: passwords (argon2id), e-mail links, rate limits and sessions.

Pure services: each takes a SQLAlchemy ``Session`` (the caller's transaction) and never
sees a request. Every secret handed to a learner (a session cookie, an e-mail link) is
``secrets.token_urlsafe(32)`` and only its SHA-256 is stored (``LearnerToken``).

Passwords are hashed with argon2id, ``PASSWORD_HASHER``: memory 64 MiB, 2 passes,
2 lanes (about 70 ms on one core of a small server; RFC 9106's and OWASP's advice is met),
at most ``HASH_CONCURRENCY`` hashes at once per process so that a burst of sign-ins cannot
take more than 2 x 64 MiB of memory or more than the two cores. A stored hash made with
other parameters is replaced on the next successful sign-in (``check_needs_rehash``).

Rate limits: every failed password sign-in, and every sign-in link request, is recorded in
``SigninAttempt`` under ``email:<address>`` and ``ip:<client address>``. Once an address has
``MAX_FAILURES_PER_EMAIL`` (5) or a client ``MAX_FAILURES_PER_IP`` (20) records within
``ATTEMPT_WINDOW`` (15 minutes), further attempts are refused with :class:`TooManyAttempts`
(saying in how many minutes to try again) *before* any password hash is computed; refused
attempts are not recorded, so the wait announced is the wait. A successful sign-in clears
the address's records. An unknown address costs the same argon2 verification as a known
one (a dummy hash), so timing does not tell whether an account exists; sign-in link
requests answer the same either way.

Sessions last ``SESSION_LIFETIME`` (14 days, fixed from sign-in: no sliding renewal, so a
stolen cookie dies on a known date); signing out revokes the one session, a password change
revokes all the others.
"""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
import threading
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from microcred.accounts import mails
from microcred.accounts.learners import AccountError, AccountExists, create_learner, find_learner
from microcred.errors import MicrocredError
from microcred.issuing.mailer import Mail
from microcred.store.models import (
    LearnerAccount,
    LearnerEmail,
    LearnerToken,
    OutboxMail,
    SigninAttempt,
)

__all__ = [
    "ATTEMPT_WINDOW",
    "MAX_FAILURES_PER_EMAIL",
    "MAX_FAILURES_PER_IP",
    "PASSWORD_HASHER",
    "SESSION_LIFETIME",
    "SIGNIN_LINK_LIFETIME",
    "VERIFY_LINK_LIFETIME",
    "InvalidLink",
    "TooManyAttempts",
    "change_password",
    "check_password_policy",
    "create_account",
    "end_all_sessions",
    "end_session",
    "hash_password",
    "learner_for_session",
    "register",
    "request_signin_link",
    "resend_verification",
    "set_display_name",
    "signin_link_is_valid",
    "signin_with_link",
    "signin_with_password",
    "start_session",
    "verify_email",
]

# argon2id: 64 MiB, 2 passes, 2 lanes (see the module's docstring; docs/accounts.md)
PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=64 * 1024, parallelism=2)
HASH_CONCURRENCY = 2
_HASH_SLOTS = threading.BoundedSemaphore(HASH_CONCURRENCY)

MIN_PASSWORD = 10
MAX_PASSWORD = 1000
MAX_DISPLAY_NAME = 300
MAX_TOKEN = 200  # longer "tokens" are not ours: refused before hashing

VERIFY_LINK_LIFETIME = timedelta(hours=48)
SIGNIN_LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)
RESEND_AFTER = timedelta(minutes=1)

ATTEMPT_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
SWEEP_ONE_IN = 100  # one recorded failure in this many deletes every expired record

SESSION = "session"
VERIFY = "verify_email"
SIGNIN_LINK = "signin_link"


class TooManyAttempts(MicrocredError):
    """Too many failed attempts lately; ``retry_after`` is the wait in seconds."""

    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many sign-in attempts: try again in {minutes} {unit}.")
        self.retry_after = retry_after
        self.minutes = minutes


class InvalidLink(MicrocredError):
    """An e-mail link (or a session) that is unknown, used or expired."""

    code = "link_invalid"


# ---- small parts --------------------------------------------------------------------------
def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _usable(token: str | None) -> bool:
    return isinstance(token, str) and 20 <= len(token) <= MAX_TOKEN


def _queue(session: Session, mail: Mail) -> None:
    session.add(
        OutboxMail(to=mail.to, subject=mail.subject, body=mail.text, html=mail.html, kind=mail.kind)
    )


def _new_token(
    session: Session, learner: LearnerAccount, kind: str, now: datetime, lifetime: timedelta
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        LearnerToken(
            learner_id=learner.id,
            kind=kind,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def _live_token(
    session: Session, token: str | None, kind: str, now: datetime
) -> LearnerToken | None:
    if not _usable(token):
        return None
    assert token is not None
    return session.scalar(
        select(LearnerToken).where(
            LearnerToken.token_hash == token_hash(token),
            LearnerToken.kind == kind,
            LearnerToken.used_at.is_(None),
            LearnerToken.expires_at > now,
        )
    )


def _consume(session: Session, token: str | None, kind: str, now: datetime) -> LearnerAccount:
    """The learner of a live ``kind`` token, which is used up (exactly once, also with two
    requests at the same time: a conditional UPDATE). InvalidLink otherwise."""
    row = _live_token(session, token, kind, now)
    if row is not None:
        used = session.execute(
            update(LearnerToken)
            .where(LearnerToken.id == row.id, LearnerToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount == 1:  # type: ignore[attr-defined]
            learner = session.get(LearnerAccount, row.learner_id)
            if learner is not None:
                return learner
    what = "sign-in link" if kind == SIGNIN_LINK else "confirmation link"
    raise InvalidLink(
        f"This {what} does not work: it has been used already, has expired or is mistyped."
    )


# ---- passwords ----------------------------------------------------------------------------
def check_password_policy(password: str, email: str) -> None:
    """AccountError naming the rule a password breaks: 10 to 1,000 characters, and not the
    e-mail address."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"password: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"password: use at most {MAX_PASSWORD:,} characters")
    if password.strip().lower() == email.strip().lower():
        raise AccountError("password: it must not be your e-mail address")


def hash_password(password: str) -> str:
    """The argon2id hash (``$argon2id$v=19$m=65536,t=2,p=2$...``) of ``password``."""
    with _HASH_SLOTS:
        return PASSWORD_HASHER.hash(password)


def _password_matches(stored: str | None, password: str) -> bool:
    """argon2 verification; an account without a password checks a dummy hash (the same
    cost) and fails."""
    with _HASH_SLOTS:
        try:
            return PASSWORD_HASHER.verify(stored or _dummy_hash(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


@functools.cache
def _dummy_hash() -> str:
    return PASSWORD_HASHER.hash(secrets.token_urlsafe(24))


def _clean_name(display_name: str | None) -> str | None:
    name = " ".join((display_name or "").split())
    if len(name) > MAX_DISPLAY_NAME:
        raise AccountError(f"display name: use at most {MAX_DISPLAY_NAME} characters")
    return name or None


# ---- rate limits --------------------------------------------------------------------------
def _email_key(email: str) -> str:
    return "email:" + (email or "").strip().lower()[:320]


def _ip_key(client_ip: str | None) -> str:
    return "ip:" + ((client_ip or "").strip()[:300] or "unknown")


def _check_throttle(session: Session, keys: list[tuple[str, int]], now: datetime) -> None:
    """TooManyAttempts when any ``(key, limit)`` has ``limit`` records in the window; the
    wait is until enough of them age out."""
    since = now - ATTEMPT_WINDOW
    wait = 0
    for key, limit in keys:
        times = list(
            session.scalars(
                select(SigninAttempt.at)
                .where(SigninAttempt.key == key, SigninAttempt.at > since)
                .order_by(SigninAttempt.at)
            )
        )
        if len(times) >= limit:
            frees_at = _utc(times[len(times) - limit]) + ATTEMPT_WINDOW
            wait = max(wait, math.ceil((frees_at - now).total_seconds()))
    if wait > 0:
        raise TooManyAttempts(wait)


def _record_attempt(session: Session, keys: list[str], now: datetime) -> None:
    """Record a failed attempt under ``keys``; their records older than the window go (and,
    once in a while, everybody's: no sweeper process is needed)."""
    old = SigninAttempt.at <= now - ATTEMPT_WINDOW
    if secrets.randbelow(SWEEP_ONE_IN) == 0:
        session.execute(delete(SigninAttempt).where(old))
    else:
        session.execute(delete(SigninAttempt).where(SigninAttempt.key.in_(keys), old))
    session.add_all(SigninAttempt(key=key, at=now) for key in keys)
    session.flush()


def _clear_attempts(session: Session, email: str) -> None:
    session.execute(delete(SigninAttempt).where(SigninAttempt.key == _email_key(email)))


def _limits(email: str, client_ip: str | None) -> list[tuple[str, int]]:
    return [(_email_key(email), MAX_FAILURES_PER_EMAIL), (_ip_key(client_ip), MAX_FAILURES_PER_IP)]


# ---- accounts -----------------------------------------------------------------------------
def create_account(
    session: Session,
    *,
    email: str,
    secret: bytes,
    password: str | None = None,
    display_name: str | None = None,
    verified: bool = False,
    now: datetime | None = None,
) -> LearnerAccount:
    """A new learner (with its sealed ``did:key``): the password checked against the
    policy and hashed (None: sign-in by e-mail link only), the address marked verified when
    ``verified``. AccountError / AccountExists; no e-mail is sent."""
    from microcred.accounts.learners import normalise_email

    address = normalise_email(email)
    if password is not None:
        check_password_policy(password, address)
    name = _clean_name(display_name)
    learner = create_learner(
        session,
        email=address,
        secret=secret,
        password_hash=hash_password(password) if password is not None else None,
        display_name=name,
    )
    if verified:
        learner.email_verified_at = _utc(now)
    session.flush()
    return learner


def register(
    session: Session,
    email: str,
    password: str,
    display_name: str | None,
    secret: bytes,
    *,
    base_url: str,
    client_ip: str | None = None,
    now: datetime | None = None,
) -> tuple[LearnerAccount, str]:
    """Sign up: a new learner and the token of the e-mail verification link
    (``{base_url}/account/verify/{token}``, 48 hours, once), whose mail is queued in the
    caller's transaction. AccountError for a bad address, name or password; TooManyAttempts;
    AccountExists for a known address, recorded as a failed attempt of the client (so
    probing for accounts is rate limited like sign-in) when the caller commits anyway."""
    clock = _utc(now)
    _check_throttle(session, [(_ip_key(client_ip), MAX_FAILURES_PER_IP)], clock)
    if find_learner(session, email) is not None:
        _record_attempt(session, [_ip_key(client_ip)], clock)
    learner = create_account(
        session, email=email, secret=secret, password=password, display_name=display_name
    )
    token = _queue_verification(session, learner, base_url, clock)
    return learner, token


def _queue_verification(
    session: Session, learner: LearnerAccount, base_url: str, now: datetime
) -> str:
    token = _new_token(session, learner, VERIFY, now, VERIFY_LINK_LIFETIME)
    _queue(
        session,
        mails.verify_mail(
            to=learner.email,
            display_name=learner.display_name,
            url=f"{base_url.rstrip('/')}/account/verify/{token}",
            hours=int(VERIFY_LINK_LIFETIME.total_seconds() // 3600),
        ),
    )
    return token


def resend_verification(
    session: Session, learner: LearnerAccount, *, base_url: str, now: datetime | None = None
) -> bool:
    """Queue a new verification mail; False (nothing queued) when the address is verified
    already or a link was sent in the last minute."""
    clock = _utc(now)
    if learner.email_verified_at is not None:
        return False
    recent = session.scalar(
        select(func.count())
        .select_from(LearnerToken)
        .where(
            LearnerToken.learner_id == learner.id,
            LearnerToken.kind == VERIFY,
            LearnerToken.created_at > clock - RESEND_AFTER,
        )
    )
    if recent:
        return False
    _queue_verification(session, learner, base_url, clock)
    return True


def verify_link_learner(
    session: Session, token: str, *, now: datetime | None = None
) -> LearnerAccount:
    """The learner whose address a verification link would confirm (for the confirmation
    page; nothing changes: mail scanners fetch links). InvalidLink for one that is unknown,
    used or expired."""
    row = _live_token(session, token, VERIFY, _utc(now))
    learner = session.get(LearnerAccount, row.learner_id) if row is not None else None
    if learner is None:
        raise InvalidLink(
            "This confirmation link does not work: it has been used already, has expired or "
            "is mistyped."
        )
    return learner


def verify_email(session: Session, token: str, *, now: datetime | None = None) -> LearnerAccount:
    """Use up a verification link: the learner's address is verified (the web app does this
    on the POST of the link's confirmation page only, never on a GET). InvalidLink for a
    link that is unknown, used or expired; AccountExists when another learner has added
    and verified this address meanwhile."""
    clock = _utc(now)
    learner = _consume(session, token, VERIFY, clock)
    if learner.email_verified_at is None:
        if _confirmed_elsewhere(session, learner):
            raise AccountExists(
                f"{learner.email} is already confirmed for another account (added there): an "
                "address belongs to one account only"
            )
        learner.email_verified_at = clock
    session.flush()
    return learner


def _confirmed_elsewhere(session: Session, learner: LearnerAccount) -> bool:
    """Whether another learner added and verified this learner's own address (then it is
    theirs: an address is verified for one account only)."""
    return (
        session.scalar(
            select(LearnerEmail.id)
            .where(
                LearnerEmail.email == learner.email,
                LearnerEmail.verified_at.is_not(None),
                LearnerEmail.learner_id != learner.id,
            )
            .limit(1)
        )
        is not None
    )


def set_display_name(session: Session, learner: LearnerAccount, display_name: str | None) -> None:
    learner.display_name = _clean_name(display_name)
    session.flush()


# ---- signing in ---------------------------------------------------------------------------
def signin_with_password(
    session: Session,
    email: str,
    password: str,
    client_ip: str | None,
    *,
    now: datetime | None = None,
) -> LearnerAccount | None:
    """The learner whose address and password these are, or None when either is wrong
    (recorded, in the caller's transaction, as a failed attempt of the address and of the
    client: commit it). TooManyAttempts is checked first, before any hashing. A hash made
    with older argon2 parameters is replaced."""
    clock = _utc(now)
    _check_throttle(session, _limits(email, client_ip), clock)
    learner = find_learner(session, email or "") if len(email or "") <= 320 else None
    candidate = password if isinstance(password, str) and len(password) <= MAX_PASSWORD else ""
    stored = learner.password_hash if learner is not None else None
    matches = _password_matches(stored, candidate)  # always: the same cost for any address
    if learner is None or not matches or not candidate:
        _record_attempt(session, [_email_key(email), _ip_key(client_ip)], clock)
        return None
    assert stored is not None
    if PASSWORD_HASHER.check_needs_rehash(stored):
        learner.password_hash = hash_password(candidate)
    _clear_attempts(session, learner.email)
    session.flush()
    return learner


def request_signin_link(
    session: Session,
    email: str,
    *,
    base_url: str,
    client_ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Queue a one-time sign-in link (``{base_url}/account/link/{token}``, 15 minutes) to
    the account of ``email``, if there is one. Answers the same either way (no error for an
    unknown address); every request counts as an attempt for the rate limits, so it can
    raise TooManyAttempts (for known and unknown addresses alike)."""
    clock = _utc(now)
    _check_throttle(session, _limits(email, client_ip), clock)
    _record_attempt(session, [_email_key(email), _ip_key(client_ip)], clock)
    learner = find_learner(session, email or "") if len(email or "") <= 320 else None
    if learner is None:
        return
    token = _new_token(session, learner, SIGNIN_LINK, clock, SIGNIN_LINK_LIFETIME)
    _queue(
        session,
        mails.signin_mail(
            to=learner.email,
            display_name=learner.display_name,
            url=f"{base_url.rstrip('/')}/account/link/{token}",
            minutes=int(SIGNIN_LINK_LIFETIME.total_seconds() // 60),
        ),
    )


def signin_link_is_valid(session: Session, token: str, *, now: datetime | None = None) -> bool:
    """Whether the sign-in link would work (it is not used up: for the confirmation page)."""
    return _live_token(session, token, SIGNIN_LINK, _utc(now)) is not None


def signin_with_link(
    session: Session, token: str, *, now: datetime | None = None
) -> LearnerAccount:
    """Use up a sign-in link: its learner (whose address it also verifies: the link came
    by mail). InvalidLink for one that is unknown, used or expired."""
    clock = _utc(now)
    learner = _consume(session, token, SIGNIN_LINK, clock)
    if learner.email_verified_at is None and not _confirmed_elsewhere(session, learner):
        learner.email_verified_at = clock
    _clear_attempts(session, learner.email)
    session.flush()
    return learner


# ---- sessions -----------------------------------------------------------------------------
def start_session(session: Session, learner: LearnerAccount, *, now: datetime | None = None) -> str:
    """A new session for ``learner``: the token for the cookie (valid 14 days). The
    learner's expired tokens are removed on the way."""
    clock = _utc(now)
    session.execute(
        delete(LearnerToken).where(
            LearnerToken.learner_id == learner.id, LearnerToken.expires_at <= clock
        )
    )
    return _new_token(session, learner, SESSION, clock, SESSION_LIFETIME)


def learner_for_session(
    session: Session, token: str | None, *, now: datetime | None = None
) -> LearnerAccount | None:
    """The learner of a live session token; None for a missing, unknown, expired or
    revoked one."""
    row = _live_token(session, token, SESSION, _utc(now))
    return session.get(LearnerAccount, row.learner_id) if row is not None else None


def end_session(session: Session, token: str | None, *, now: datetime | None = None) -> None:
    """Sign out: the session token is revoked (nothing happens for an unknown one)."""
    if not _usable(token):
        return
    assert token is not None
    session.execute(
        update(LearnerToken)
        .where(
            LearnerToken.token_hash == token_hash(token),
            LearnerToken.kind == SESSION,
            LearnerToken.used_at.is_(None),
        )
        .values(used_at=_utc(now))
        .execution_options(synchronize_session=False)
    )


def end_all_sessions(
    session: Session,
    learner: LearnerAccount,
    *,
    keep: str | None = None,
    now: datetime | None = None,
) -> int:
    """Revoke every live session of ``learner`` (but ``keep``, a session token); returns
    how many ended."""
    query = update(LearnerToken).where(
        LearnerToken.learner_id == learner.id,
        LearnerToken.kind == SESSION,
        LearnerToken.used_at.is_(None),
    )
    if keep is not None:
        query = query.where(LearnerToken.token_hash != token_hash(keep))
    ended = session.execute(
        query.values(used_at=_utc(now)).execution_options(synchronize_session=False)
    )
    return int(ended.rowcount)  # type: ignore[attr-defined]


def change_password(
    session: Session,
    learner: LearnerAccount,
    *,
    current: str | None,
    new: str,
    keep_session: str | None = None,
    client_ip: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Set a new password; returns how many other sessions ended (all but
    ``keep_session``, the one in use). AccountError for a new password the policy refuses.
    The current password is required when the account has one: a wrong one returns None
    and counts as a failed sign-in (recorded in the caller's transaction: commit it);
    TooManyAttempts after too many."""
    clock = _utc(now)
    check_password_policy(new, learner.email)
    if learner.password_hash is not None:
        _check_throttle(session, _limits(learner.email, client_ip), clock)
        given = current if isinstance(current, str) and len(current) <= MAX_PASSWORD else ""
        if not given or not _password_matches(learner.password_hash, given):
            _record_attempt(session, [_email_key(learner.email), _ip_key(client_ip)], clock)
            return None
    learner.password_hash = hash_password(new)
    session.flush()
    return end_all_sessions(session, learner, keep=keep_session, now=clock)
