"""Learner accounts against SQLite and PostgreSQL: registration and the password rules,
argon2id hashes, e-mail verification and sign-in links (single use, expiry, no account
enumeration), rate limits, sessions."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from microcred.accounts import auth
from microcred.accounts.learners import AccountError, AccountExists, create_learner
from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, LearnerToken, OutboxMail, SigninAttempt

SECRET = b"test secret for learner accounts"
BASE = "https://wallet.example"
PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _register(engine, email="ann@example.org", password=PASSWORD, name="Ann", now=None):
    with session_scope(engine) as s:
        learner, token = auth.register(s, email, password, name, SECRET, base_url=BASE, now=now)
        return learner.id, token


def _outbox(engine):
    with session_scope(engine) as s:
        return list(s.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def _signin(engine, email="ann@example.org", password=PASSWORD, ip="192.0.2.1", now=None):
    with session_scope(engine) as s:
        learner = auth.signin_with_password(s, email, password, ip, now=now)
        return learner.id if learner is not None else None


def test_register_hashes_with_argon2id_and_queues_the_verification_mail(engine):
    learner_id, token = _register(engine, email=" Ann@Example.org ")
    with session_scope(engine) as s:
        learner = s.get(LearnerAccount, learner_id)
        assert learner.email == "ann@example.org" and learner.display_name == "Ann"
        assert learner.password_hash.startswith("$argon2id$v=19$m=65536,t=2,p=2$")
        assert PASSWORD not in learner.password_hash
        assert learner.email_verified_at is None and learner.did.startswith("did:key:z6Mk")
        row = s.scalar(select(LearnerToken).where(LearnerToken.learner_id == learner_id))
        assert row.kind == "verify_email"
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
        lifetime = row.expires_at.replace(tzinfo=UTC) - row.created_at.replace(tzinfo=UTC)
        assert abs(lifetime - timedelta(hours=48)) < timedelta(minutes=1)
    (mail,) = _outbox(engine)
    assert mail.kind == "verify_email" and mail.to == "ann@example.org"
    assert f"{BASE}/account/verify/{token}" in mail.body and mail.credential_id is None
    assert f'href="{BASE}/account/verify/{token}"' in mail.html
    with pytest.raises(AccountExists):
        _register(engine, email="ANN@example.org")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("nine char", "at least 10"),
        ("x" * 1001, "at most 1,000"),
        ("Ann@Example.org", "e-mail address"),
        ("", "at least 10"),
    ],
)
def test_password_rules(engine, password, message):
    with pytest.raises(AccountError, match=message):
        _register(engine, password=password)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(LearnerAccount)) == 0
    assert _outbox(engine) == []


def test_password_of_ten_and_of_a_thousand_characters_are_accepted(engine):
    _register(engine, email="ten@example.org", password="0123456789")
    _register(engine, email="long@example.org", password="y" * 1000)
    assert _signin(engine, "ten@example.org", "0123456789") is not None
    assert _signin(engine, "long@example.org", "y" * 1000) is not None


def test_verification_link_works_once_and_expires(engine):
    learner_id, token = _register(engine, now=T0)
    with session_scope(engine) as s:
        assert auth.verify_email(s, token, now=T0 + timedelta(hours=1)).id == learner_id
    with session_scope(engine) as s:
        assert s.get(LearnerAccount, learner_id).email_verified_at is not None
        with pytest.raises(auth.InvalidLink, match="used already"):
            auth.verify_email(s, token, now=T0 + timedelta(hours=2))
    _, late = _register(engine, email="bob@example.org", now=T0)
    with session_scope(engine) as s, pytest.raises(auth.InvalidLink):
        auth.verify_email(s, late, now=T0 + timedelta(hours=48, seconds=1))
    with session_scope(engine) as s, pytest.raises(auth.InvalidLink):
        auth.verify_email(s, "not-a-token-but-long-enough-to-look-like-one")


def test_signin_link_is_single_use_expires_and_does_not_reveal_accounts(engine):
    learner_id, _ = _register(engine)
    before = len(_outbox(engine))
    with session_scope(engine) as s:
        assert auth.request_signin_link(s, "nobody@example.org", base_url=BASE, now=T0) is None
    assert len(_outbox(engine)) == before  # nothing for an unknown address, and no error
    with session_scope(engine) as s:
        assert auth.request_signin_link(s, "ANN@example.org", base_url=BASE, now=T0) is None
    mail = _outbox(engine)[-1]
    assert mail.kind == "signin_link" and mail.to == "ann@example.org"
    token = mail.body.split(f"{BASE}/account/link/")[1].split()[0]
    with session_scope(engine) as s:
        assert auth.signin_link_is_valid(s, token, now=T0 + timedelta(minutes=1))
        learner = auth.signin_with_link(s, token, now=T0 + timedelta(minutes=1))
        assert learner.id == learner_id and learner.email_verified_at is not None
    with session_scope(engine) as s:
        assert not auth.signin_link_is_valid(s, token, now=T0 + timedelta(minutes=2))
        with pytest.raises(auth.InvalidLink):
            auth.signin_with_link(s, token, now=T0 + timedelta(minutes=2))
    with session_scope(engine) as s:
        auth.request_signin_link(s, "ann@example.org", base_url=BASE, now=T0)
    token = _outbox(engine)[-1].body.split(f"{BASE}/account/link/")[1].split()[0]
    with session_scope(engine) as s, pytest.raises(auth.InvalidLink):
        auth.signin_with_link(s, token, now=T0 + timedelta(minutes=15, seconds=1))


def test_signin_with_password(engine):
    learner_id, _ = _register(engine)
    assert _signin(engine, " ANN@example.org ") == learner_id
    assert _signin(engine, password="wrong password") is None
    assert _signin(engine, email="nobody@example.org") is None
    assert _signin(engine, password="") is None
    assert _signin(engine, email="x" * 5000) is None
    with session_scope(engine) as s:  # failures of both the address and the client
        keys = sorted(s.scalars(select(SigninAttempt.key)))
    assert keys.count("ip:192.0.2.1") == 4 and "email:ann@example.org" in keys
    assert "email:nobody@example.org" in keys


def test_too_many_failures_for_an_address_are_refused_even_with_the_right_password(engine):
    learner_id, _ = _register(engine)
    for i in range(auth.MAX_FAILURES_PER_EMAIL):
        assert _signin(engine, password=f"wrong {i}", ip=f"198.51.100.{i}", now=T0) is None
    later = T0 + timedelta(minutes=3)
    with pytest.raises(auth.TooManyAttempts, match="try again in 12 minutes") as refused:
        _signin(engine, ip="203.0.113.9", now=later)
    assert refused.value.retry_after == 12 * 60 and refused.value.minutes == 12
    with session_scope(engine) as s:  # refused attempts are not recorded
        count = s.scalar(select(func.count()).select_from(SigninAttempt))
        assert count == 2 * auth.MAX_FAILURES_PER_EMAIL
    with session_scope(engine) as s, pytest.raises(auth.TooManyAttempts):  # links too
        auth.request_signin_link(s, "ann@example.org", base_url=BASE, now=later)
    assert _signin(engine, now=T0 + timedelta(minutes=15, seconds=1)) == learner_id
    with session_scope(engine) as s:  # a success clears the address's record
        keys = set(s.scalars(select(SigninAttempt.key)))
    assert "email:ann@example.org" not in keys


def test_too_many_failures_from_one_client_are_refused(engine):
    learner_id, _ = _register(engine)
    for i in range(auth.MAX_FAILURES_PER_IP):
        assert _signin(engine, email=f"p{i}@example.org", ip="192.0.2.66", now=T0) is None
    with pytest.raises(auth.TooManyAttempts, match="15 minutes"):
        _signin(engine, ip="192.0.2.66", now=T0)
    assert _signin(engine, ip="192.0.2.67", now=T0) == learner_id


def test_signin_link_requests_are_rate_limited(engine):
    _register(engine)
    for _ in range(auth.MAX_FAILURES_PER_EMAIL):
        with session_scope(engine) as s:
            auth.request_signin_link(s, "nobody@example.org", base_url=BASE, now=T0)
    with session_scope(engine) as s, pytest.raises(auth.TooManyAttempts):
        auth.request_signin_link(s, "nobody@example.org", base_url=BASE, now=T0)


def test_a_hash_with_old_parameters_is_replaced_on_sign_in(engine):
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with session_scope(engine) as s:
        learner = create_learner(s, email="old@example.org", secret=SECRET, password_hash=old)
        learner_id = learner.id
    assert _signin(engine, email="old@example.org") == learner_id
    with session_scope(engine) as s:
        new = s.get(LearnerAccount, learner_id).password_hash
    assert new != old and new.startswith("$argon2id$v=19$m=65536,t=2,p=2$")
    assert _signin(engine, email="old@example.org") == learner_id


def test_an_account_without_a_password_cannot_sign_in_with_one(engine):
    with session_scope(engine) as s:
        auth.create_account(s, email="links@example.org", secret=SECRET)
    assert _signin(engine, email="links@example.org", password="") is None
    assert _signin(engine, email="links@example.org") is None


def test_sessions_belong_to_their_learner_expire_and_end(engine):
    a_id, _ = _register(engine)
    b_id, _ = _register(engine, email="bob@example.org")
    with session_scope(engine) as s:
        a, b = s.get(LearnerAccount, a_id), s.get(LearnerAccount, b_id)
        a1, a2 = auth.start_session(s, a, now=T0), auth.start_session(s, a, now=T0)
        b1 = auth.start_session(s, b, now=T0)
    with session_scope(engine) as s:
        assert auth.learner_for_session(s, a1, now=T0).id == a_id
        assert auth.learner_for_session(s, a2, now=T0).id == a_id
        assert auth.learner_for_session(s, b1, now=T0).id == b_id
        assert auth.learner_for_session(s, None) is None
        assert auth.learner_for_session(s, a1 + "x", now=T0) is None
        assert auth.learner_for_session(s, a1, now=T0 + timedelta(days=14, seconds=1)) is None
        auth.end_session(s, a1)
    with session_scope(engine) as s:
        assert auth.learner_for_session(s, a1, now=T0) is None
        assert auth.learner_for_session(s, a2, now=T0).id == a_id
        assert auth.end_all_sessions(s, s.get(LearnerAccount, a_id)) == 1
    with session_scope(engine) as s:
        assert auth.learner_for_session(s, a2, now=T0) is None
        assert auth.learner_for_session(s, b1, now=T0).id == b_id


def test_change_password_needs_the_current_one_and_ends_other_sessions(engine):
    learner_id, _ = _register(engine)
    with session_scope(engine) as s:
        me = s.get(LearnerAccount, learner_id)
        here, there = auth.start_session(s, me), auth.start_session(s, me)
    with session_scope(engine) as s:
        me = s.get(LearnerAccount, learner_id)
        assert auth.change_password(s, me, current="wrong one!", new="a new passphrase") is None
        with pytest.raises(AccountError, match="at least 10"):
            auth.change_password(s, me, current=PASSWORD, new="short")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(SigninAttempt)) == 2  # recorded
        me = s.get(LearnerAccount, learner_id)
        ended = auth.change_password(
            s, me, current=PASSWORD, new="a new passphrase", keep_session=here
        )
        assert ended == 1
    with session_scope(engine) as s:
        assert auth.learner_for_session(s, here).id == learner_id
        assert auth.learner_for_session(s, there) is None
    assert _signin(engine) is None
    assert _signin(engine, password="a new passphrase") == learner_id


def test_resend_verification_at_most_once_a_minute(engine):
    learner_id, _ = _register(engine, now=T0)
    with session_scope(engine) as s:
        me = s.get(LearnerAccount, learner_id)
        assert not auth.resend_verification(s, me, base_url=BASE, now=T0 + timedelta(seconds=30))
        assert auth.resend_verification(s, me, base_url=BASE, now=T0 + timedelta(minutes=2))
    assert [m.kind for m in _outbox(engine)] == ["verify_email", "verify_email"]


def test_unknown_addresses_cost_an_argon2_verification_too(engine, monkeypatch):
    _register(engine)
    calls: list[str] = []
    real = auth.PASSWORD_HASHER

    class Counting:
        def verify(self, hashed, password):
            calls.append(hashed)
            return real.verify(hashed, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(auth, "PASSWORD_HASHER", Counting())
    assert _signin(engine, email="nobody@example.org") is None
    assert _signin(engine, password="wrong password") is None
    assert len(calls) == 2, calls
    assert all(c.startswith("$argon2id$v=19$m=65536,t=2,p=2$") for c in calls)


def test_expired_attempt_records_are_deleted(engine):
    _register(engine)
    assert _signin(engine, password="wrong password", now=T0) is None
    assert _signin(engine, password="wrong password", now=T0 + timedelta(minutes=16)) is None
    with session_scope(engine) as s:
        times = list(s.scalars(select(SigninAttempt.at)))
    assert len(times) == 2  # the first failure's two records are gone


def test_two_sign_ups_racing_for_one_address_give_account_exists(engine, monkeypatch):
    from microcred.accounts import learners

    with session_scope(engine) as s:
        create_learner(s, email="race@example.org", secret=SECRET)
    # the second sign-up looked before the first one committed: the unique index decides
    monkeypatch.setattr(learners, "find_learner", lambda session, email: None)
    with session_scope(engine) as s:
        with pytest.raises(AccountExists, match="race@example.org"):
            create_learner(s, email="race@example.org", secret=SECRET)
        # the caller's transaction is still usable
        assert s.scalar(select(func.count()).select_from(LearnerAccount)) == 1
