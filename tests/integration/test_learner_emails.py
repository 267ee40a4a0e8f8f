"""A learner's added e-mail addresses on SQLite and PostgreSQL: a confirmation link through
the outbox (hashed, once, expiring), the addresses the wallet counts, and one verified
owner per address (another learner's verified address cannot be added nor confirmed)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from microcred.accounts import auth, emails
from microcred.accounts.learners import AccountError, AccountExists, create_learner
from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, LearnerEmail, OutboxMail

SECRET = b"test secret for learner e-mails"
BASE = "https://wallet.example"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def people(engine):
    """eva (account address verified) and priya (verified), ids by name."""
    with session_scope(engine) as s:
        eva = create_learner(s, email="eva@example.org", secret=SECRET, display_name="Eva")
        eva.email_verified_at = T0
        priya = create_learner(s, email="priya@example.org", secret=SECRET)
        priya.email_verified_at = T0
        return {"engine": engine, "eva": eva.id, "priya": priya.id}


def _add(people, who, email, now=T0):
    with session_scope(people["engine"]) as s:
        row, token = emails.add_address(
            s, s.get(LearnerAccount, people[who]), email, base_url=BASE, now=now
        )
        return row.id, token


def _confirm(people, token, now=T0):
    with session_scope(people["engine"]) as s:
        return emails.confirm_address(s, token, now=now).email


def _verified(people, who):
    with session_scope(people["engine"]) as s:
        return emails.verified_emails(s, s.get(LearnerAccount, people[who]))


def _mails(people):
    with session_scope(people["engine"]) as s:
        return list(s.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_add_mails_a_link_that_confirms_once(people):
    address_id, token = _add(people, "eva", "  Eva.Work@Example.COM ")
    with session_scope(people["engine"]) as s:
        row = s.get(LearnerEmail, address_id)
        assert row.email == "eva.work@example.com" and row.verified_at is None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    (mail,) = _mails(people)
    assert mail.kind == "verify_address" and mail.to == "eva.work@example.com"
    assert f"{BASE}/account/emails/verify/{token}" in mail.body
    assert "eva@example.org" in mail.body  # it names the account the address would join
    assert f'href="{BASE}/account/emails/verify/{token}"' in mail.html
    # not counted until confirmed; the page can show what the link would do
    assert _verified(people, "eva") == ["eva@example.org"]
    with session_scope(people["engine"]) as s:
        row, learner = emails.address_for_link(s, token, now=T0)
        assert (row.email, learner.email) == ("eva.work@example.com", "eva@example.org")
    assert _confirm(people, token) == "eva.work@example.com"
    assert _verified(people, "eva") == ["eva@example.org", "eva.work@example.com"]
    with pytest.raises(emails.InvalidAddressLink, match="used already"):
        _confirm(people, token)
    with session_scope(people["engine"]) as s:
        assert s.get(LearnerEmail, address_id).token_hash is None
        listed = emails.list_addresses(s, s.get(LearnerAccount, people["eva"]))
        assert [(a.email, a.primary, a.verified) for a in listed] == [
            ("eva@example.org", True, True),
            ("eva.work@example.com", False, True),
        ]


def test_an_unverified_account_address_does_not_count(people):
    with session_scope(people["engine"]) as s:
        ann = create_learner(s, email="ann@example.org", secret=SECRET)
        assert emails.verified_emails(s, ann) == []
        _, token = emails.add_address(s, ann, "ann@school.example", base_url=BASE, now=T0)
    _confirm(people, token)
    with session_scope(people["engine"]) as s:
        ann = s.scalar(select(LearnerAccount).where(LearnerAccount.email == "ann@example.org"))
        assert emails.verified_emails(s, ann) == ["ann@school.example"]


def test_links_expire_and_die_with_their_address(people):
    _, token = _add(people, "eva", "eva@school.example")
    with pytest.raises(emails.InvalidAddressLink):
        _confirm(people, token, now=T0 + timedelta(hours=48, seconds=1))
    with pytest.raises(emails.InvalidAddressLink):
        _confirm(people, "x" * 43)
    with pytest.raises(emails.InvalidAddressLink):
        _confirm(people, "short")
    address_id, token2 = _add(people, "eva", "eva@work.example")
    with session_scope(people["engine"]) as s:
        assert emails.remove_address(s, s.get(LearnerAccount, people["eva"]), address_id) == (
            "eva@work.example"
        )
    with pytest.raises(emails.InvalidAddressLink):
        _confirm(people, token2)


def test_resend_replaces_the_link_at_most_once_a_minute(people):
    address_id, first = _add(people, "eva", "eva@school.example")
    with session_scope(people["engine"]) as s:
        eva = s.get(LearnerAccount, people["eva"])
        assert not emails.resend_address_link(s, eva, address_id, base_url=BASE, now=T0)
        later = T0 + timedelta(minutes=2)
        assert emails.resend_address_link(s, eva, address_id, base_url=BASE, now=later)
    assert len(_mails(people)) == 2
    second = _mails(people)[1].body.split("/account/emails/verify/", 1)[1].split()[0]
    with pytest.raises(emails.InvalidAddressLink):
        _confirm(people, first)
    _confirm(people, second)
    with session_scope(people["engine"]) as s:
        eva = s.get(LearnerAccount, people["eva"])
        later = T0 + timedelta(minutes=5)
        assert not emails.resend_address_link(s, eva, address_id, base_url=BASE, now=later)


def test_bad_duplicate_and_too_many_addresses(people):
    for value, words in [
        ("not an address", "is not an e-mail address"),
        ("eva@example.org", "one of your addresses already"),
        ("EVA@example.org", "one of your addresses already"),
    ]:
        with pytest.raises(AccountError, match=words):
            _add(people, "eva", value)
    _add(people, "eva", "eva@school.example")
    with pytest.raises(AccountError, match="one of your addresses already"):
        _add(people, "eva", "Eva@School.example")
    for n in range(emails.MAX_ADDRESSES - 1):
        _add(people, "eva", f"eva{n}@example.net")
    with pytest.raises(AccountError, match=f"at most {emails.MAX_ADDRESSES}"):
        _add(people, "eva", "one-more@example.net")


def test_another_learners_verified_address_cannot_be_added(people):
    # priya's account address, verified: not eva's to add
    with pytest.raises(AccountExists, match="already confirmed for another account"):
        _add(people, "eva", "priya@example.org")
    # an address priya added and confirmed: neither
    _, token = _add(people, "priya", "priya@school.example")
    _confirm(people, token)
    with pytest.raises(AccountExists):
        _add(people, "eva", "PRIYA@school.example")
    # nor can anyone sign up with it
    with session_scope(people["engine"]) as s, pytest.raises(AccountExists):
        create_learner(s, email="priya@school.example", secret=SECRET)


def test_two_learners_adding_one_address_only_the_first_confirms(people):
    _, eva_token = _add(people, "eva", "shared@example.net")
    _, priya_token = _add(people, "priya", "shared@example.net")  # unverified: both may add
    _confirm(people, priya_token)
    with pytest.raises(AccountExists, match="already confirmed for another account"):
        _confirm(people, eva_token)
    assert "shared@example.net" not in _verified(people, "eva")
    assert _verified(people, "priya") == ["priya@example.org", "shared@example.net"]


def test_the_database_holds_one_verified_owner_per_address(people):
    # what the partial unique index guarantees when two confirmations race past the check
    with session_scope(people["engine"]) as s:
        s.add(LearnerEmail(learner_id=people["eva"], email="race@example.net", verified_at=T0))
        s.add(LearnerEmail(learner_id=people["priya"], email="race@example.net"))
    with pytest.raises(IntegrityError), session_scope(people["engine"]) as s:
        row = s.scalar(select(LearnerEmail).where(LearnerEmail.learner_id == people["priya"]))
        row.verified_at = T0
        s.flush()


def test_an_account_address_another_learner_confirmed_is_not_verified_for_it(people):
    with session_scope(people["engine"]) as s:
        late, verify_token = auth.register(
            s, "late@example.net", "correct horse battery", None, SECRET, base_url=BASE
        )
        late_id = late.id
    _, token = _add(people, "eva", "late@example.net")
    _confirm(people, token)  # eva proved it first
    with pytest.raises(AccountExists, match="already confirmed for another account"):
        with session_scope(people["engine"]) as s:
            auth.verify_email(s, verify_token)
    with session_scope(people["engine"]) as s:
        auth.request_signin_link(s, "late@example.net", base_url=BASE)
    link = _mails(people)[-1].body.split("/account/link/", 1)[1].split()[0]
    with session_scope(people["engine"]) as s:
        assert auth.signin_with_link(s, link).id == late_id  # signs in, verifies nothing
    with session_scope(people["engine"]) as s:
        late = s.get(LearnerAccount, late_id)
        assert late.email_verified_at is None and emails.verified_emails(s, late) == []


def test_another_learners_address_ids_are_not_found(people):
    address_id, _ = _add(people, "eva", "eva@school.example")
    with session_scope(people["engine"]) as s:
        priya = s.get(LearnerAccount, people["priya"])
        with pytest.raises(emails.AddressNotFound):
            emails.remove_address(s, priya, address_id)
        with pytest.raises(emails.AddressNotFound):
            emails.resend_address_link(
                s, priya, address_id, base_url=BASE, now=T0 + timedelta(hours=1)
            )
    with session_scope(people["engine"]) as s:
        assert s.get(LearnerEmail, address_id) is not None
