"""Learner accounts as rows: create, find, and the learner's key.

Every learner holds an Ed25519 ``did:key``: it is the holder of the credentials in their
wallet and signs their presentations. Its seed is sealed with the deployment's secret like
an organisation's keys (``issuing.keystore``), bound to the learner's id; no API returns it.
E-mail addresses are stored lower-cased and compared that way.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import keystore
from microcred.store.models import LearnerAccount, LearnerEmail, new_id
from microcred.vc.keys import Ed25519Multikey

# a pragmatic address check: one @, no spaces, a dot in the domain (delivery is the proof)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 320


class AccountError(MicrocredError):
    code = "bad_input"


class AccountExists(MicrocredError):
    code = "conflict"


def normalise_email(email: str) -> str:
    """``email`` trimmed and lower-cased; ``AccountError`` naming it when it is not one."""
    value = (email or "").strip().lower()
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise AccountError(f"email: {email!r} is not an e-mail address")
    return value


def find_learner(session: Session, email: str) -> LearnerAccount | None:
    return session.scalar(
        select(LearnerAccount).where(LearnerAccount.email == email.strip().lower())
    )


def _verified_added(session: Session, address: str) -> bool:
    """Whether ``address`` is an address another learner added and verified (it belongs to
    that account: see ``accounts.emails``)."""
    return (
        session.scalar(
            select(LearnerEmail.id)
            .where(LearnerEmail.email == address, LearnerEmail.verified_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def create_learner(
    session: Session,
    *,
    email: str,
    secret: bytes,
    password_hash: str | None = None,
    display_name: str | None = None,
) -> LearnerAccount:
    """A new learner with a fresh ``did:key`` (sealed); ``AccountExists`` for a known
    address. The caller's transaction stores it."""
    address = normalise_email(email)
    if find_learner(session, address) is not None or _verified_added(session, address):
        raise AccountExists(f"an account for {address} already exists")
    key = Ed25519Multikey.generate()
    row = LearnerAccount(
        id=new_id(),
        email=address,
        password_hash=password_hash,
        display_name=(display_name or "").strip() or None,
        did=f"did:key:{key.public_key_multibase}",
    )
    row.key_sealed = keystore.seal(key, key_id=row.id, secret=secret)
    try:
        with session.begin_nested():  # two sign-ups racing for one address: one wins
            session.add(row)
            session.flush()
    except IntegrityError:
        raise AccountExists(f"an account for {address} already exists") from None
    return row


def learner_key(learner: LearnerAccount, secret: bytes) -> Ed25519Multikey:
    """The learner's key, ready to sign presentations (verification method ``did#key``)."""
    pub = learner.did.removeprefix("did:key:")
    return keystore.unseal(
        learner.key_sealed,
        key_id=learner.id,
        secret=secret,
        controller=learner.did,
        vm_id=f"{learner.did}#{pub}",
    )
