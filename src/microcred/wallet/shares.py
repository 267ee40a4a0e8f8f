"""Share links: a public link to one credential or one collection of a learner.

The token is ``secrets.token_urlsafe(32)`` (256 bits) and only its SHA-256 is stored (a
unique index, looked up by hash: no comparison of secrets). A link can expire and be
revoked; ``resolve_share`` answers None for a token that is unknown, expired or revoked, or
whose credential or collection is gone, and counts a view otherwise. The learner chooses
whether their name and e-mail address show.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from microcred.store.models import LearnerAccount, ShareLink, WalletCredential, new_id
from microcred.wallet.errors import NotFound, WalletError
from microcred.wallet.holdings import _now, get_credential, utc
from microcred.wallet.organise import _collection_rows, get_collection

TOKEN_BYTES = 32
TARGET_KINDS = ("credential", "collection")
MAX_LABEL = 200
MAX_SHARES = 500
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,128}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share(
    session: Session,
    learner: LearnerAccount,
    target_kind: str,
    target_id: str,
    *,
    expires_at: datetime | None = None,
    show_name: bool = False,
    show_email: bool = False,
    label: str | None = None,
    now: datetime | None = None,
) -> tuple[ShareLink, str]:
    """A new share link to the learner's credential or collection: (row, token). The token
    is returned once and never stored. NotFound for a target that is not the learner's;
    WalletError for an unknown kind, an expiry in the past or a label too long."""
    at = _now(now)
    if target_kind not in TARGET_KINDS:
        raise WalletError(f"target_kind {target_kind!r}: use credential or collection")
    if target_kind == "credential":
        target = get_credential(session, learner, target_id).id
    else:
        target = get_collection(session, learner, target_id).id
    if expires_at is not None and utc(expires_at) <= at:
        raise WalletError("expires_at: the link would be expired already")
    text = (label or "").strip()
    if len(text) > MAX_LABEL:
        raise WalletError(f"a label has at most {MAX_LABEL} characters")
    held = len(list_shares(session, learner))
    if held >= MAX_SHARES:
        raise WalletError(f"at most {MAX_SHARES} share links: revoke some first")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = ShareLink(
        id=new_id(),
        learner_id=learner.id,
        token_hash=token_hash(token),
        target_kind=target_kind,
        target_id=target,
        show_name=bool(show_name),
        show_email=bool(show_email),
        label=text or None,
        created_at=at,
        expires_at=utc(expires_at) if expires_at is not None else None,
        revoked_at=None,
        views=0,
    )
    session.add(row)
    session.flush()
    return row, token


def get_share(session: Session, learner: LearnerAccount, share_id: str) -> ShareLink:
    row = session.scalar(
        select(ShareLink).where(ShareLink.id == str(share_id), ShareLink.learner_id == learner.id)
    )
    if row is None:
        raise NotFound(f"no share link {share_id!r} of yours")
    return row


def revoke_share(
    session: Session, learner: LearnerAccount, share_id: str, *, now: datetime | None = None
) -> ShareLink:
    """Revoke a share link of the learner's (at once; revoking twice keeps the first time)."""
    row = get_share(session, learner, share_id)
    if row.revoked_at is None:
        row.revoked_at = _now(now)
        session.flush()
    return row


def list_shares(
    session: Session,
    learner: LearnerAccount,
    *,
    target_kind: str | None = None,
    target_id: str | None = None,
) -> list[ShareLink]:
    """The learner's share links, newest first (optionally those of one target)."""
    query = select(ShareLink).where(ShareLink.learner_id == learner.id)
    if target_kind is not None:
        query = query.where(ShareLink.target_kind == target_kind)
    if target_id is not None:
        query = query.where(ShareLink.target_id == str(target_id))
    return list(session.scalars(query.order_by(ShareLink.created_at.desc(), ShareLink.id)))


def share_state(row: ShareLink, now: datetime | None = None) -> str:
    """active | expired | revoked"""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and utc(row.expires_at) <= _now(now):
        return "expired"
    return "active"


@dataclass
class SharedView:
    """What a share link shows: the credentials (one, or a collection's), the collection's
    name and description, and only the identity fields the learner chose to show."""

    link: ShareLink
    credentials: list[WalletCredential]
    collection_name: str | None = None
    collection_description: str | None = None
    holder_name: str | None = None
    holder_email: str | None = None


def resolve_share(
    session: Session, token: str, now: datetime | None = None, *, count: bool = True
) -> SharedView | None:
    """The view behind ``token``, counting one view (unless ``count`` is False: then only
    reads, and the caller counts it with ``count_view`` when it likes); None when the token
    is unknown, malformed, expired or revoked, or its target is gone."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    row = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if row is None or share_state(row, now) != "active":
        return None
    learner = session.get(LearnerAccount, row.learner_id)
    if learner is None:
        return None
    view = SharedView(link=row, credentials=[])
    if row.target_kind == "credential":
        cred = session.scalar(
            select(WalletCredential).where(
                WalletCredential.id == row.target_id, WalletCredential.learner_id == learner.id
            )
        )
        if cred is None:
            return None
        view.credentials = [cred]
    else:
        try:
            coll = get_collection(session, learner, row.target_id)
        except NotFound:
            return None
        view.collection_name = coll.name
        view.collection_description = coll.description
        view.credentials = _collection_rows(session, learner.id, coll.id)
    if row.show_name:
        view.holder_name = learner.display_name
    if row.show_email:
        view.holder_email = learner.email
    if count:
        count_view(session, row.id)
        session.refresh(row)
    return view


def count_view(session: Session, link_id: str) -> None:
    """One more view of the share link (one UPDATE: a short write)."""
    session.execute(
        update(ShareLink).where(ShareLink.id == link_id).values(views=ShareLink.views + 1)
    )
