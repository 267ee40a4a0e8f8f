"""Organising a wallet: collections, tags, notes, search and sort, the timeline, what
expires soon, and the skills profile.

Every function takes the learner and touches only that learner's rows (another learner's
ids raise ``NotFound``). Search runs over the learner's own rows in Python: a wallet holds
hundreds of credentials, not millions, and the same code then serves SQLite and
PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microcred.store.models import (
    LearnerAccount,
    WalletCollection,
    WalletCollectionItem,
    WalletCredential,
    new_id,
)
from microcred.wallet.errors import NotFound, WalletError
from microcred.wallet.holdings import (
    _now,
    all_credentials,
    get_credential,
    get_credentials,
    is_current,
    status_of,
    utc,
)

MAX_TAGS = 20
MAX_TAG = 40
MAX_NOTE = 2000
MAX_COLLECTION_NAME = 200
MAX_COLLECTION_DESCRIPTION = 2000
MAX_COLLECTIONS = 200
SORTS = ("date", "issuer", "skill", "name")
_SPACE = re.compile(r"\s+")


# ---- tags and notes -------------------------------------------------------------------------
def normalise_tag(tag: str) -> str:
    """A tag as stored: NFKC, trimmed, a leading '#' dropped, inner spaces collapsed,
    lower-cased. WalletError for an empty tag, one over ``MAX_TAG`` characters, or one with
    control characters."""
    if not isinstance(tag, str):
        raise WalletError("a tag is text")
    value = _SPACE.sub(" ", unicodedata.normalize("NFKC", tag)).strip().lstrip("#").strip()
    value = value.lower()
    if not value:
        raise WalletError("a tag cannot be empty")
    if len(value) > MAX_TAG:
        raise WalletError(f"tag {value[:MAX_TAG]!r}…: at most {MAX_TAG} characters")
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise WalletError(f"tag {value!r}: no control characters")
    return value


def _tags(values: list[str]) -> list[str]:
    out = list(dict.fromkeys(normalise_tag(t) for t in values))
    if len(out) > MAX_TAGS:
        raise WalletError(f"at most {MAX_TAGS} tags on a credential")
    return out


def set_tags(
    session: Session, learner: LearnerAccount, credential_id: str, tags: list[str]
) -> list[str]:
    """Replace the credential's tags (normalised, each once, at most ``MAX_TAGS``)."""
    row = get_credential(session, learner, credential_id)
    row.tags = _tags(tags)
    session.flush()
    return list(row.tags)


def add_tag(session: Session, learner: LearnerAccount, credential_id: str, tag: str) -> list[str]:
    row = get_credential(session, learner, credential_id)
    row.tags = _tags([*row.tags, tag])
    session.flush()
    return list(row.tags)


def remove_tag(
    session: Session, learner: LearnerAccount, credential_id: str, tag: str
) -> list[str]:
    """Remove ``tag`` (normalised first); no error when the credential does not have it."""
    row = get_credential(session, learner, credential_id)
    gone = normalise_tag(tag)
    row.tags = [t for t in row.tags if t != gone]
    session.flush()
    return list(row.tags)


def all_tags(session: Session, learner: LearnerAccount) -> list[tuple[str, int]]:
    """Every tag the learner uses, with how many credentials carry it, most used first."""
    counts: dict[str, int] = {}
    for row in all_credentials(session, learner):
        for t in row.tags:
            counts[t] = counts.get(t, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def set_note(
    session: Session, learner: LearnerAccount, credential_id: str, note: str | None
) -> str | None:
    """Set (or with None / blank, clear) the learner's note on a credential."""
    row = get_credential(session, learner, credential_id)
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise WalletError(f"a note holds at most {MAX_NOTE} characters")
    row.note = text or None
    session.flush()
    return row.note


# ---- collections ----------------------------------------------------------------------------
def _collection_name(name: str) -> str:
    value = _SPACE.sub(" ", name or "").strip()
    if not value:
        raise WalletError("a collection needs a name")
    if len(value) > MAX_COLLECTION_NAME:
        raise WalletError(f"a collection's name has at most {MAX_COLLECTION_NAME} characters")
    return value


def _description(description: str | None) -> str | None:
    text = (description or "").strip()
    if len(text) > MAX_COLLECTION_DESCRIPTION:
        raise WalletError(
            f"a collection's description has at most {MAX_COLLECTION_DESCRIPTION} characters"
        )
    return text or None


def _name_taken(session: Session, learner: LearnerAccount, name: str, but: str | None) -> bool:
    query = select(WalletCollection.id).where(
        WalletCollection.learner_id == learner.id,
        func.lower(WalletCollection.name) == name.lower(),
    )
    if but is not None:
        query = query.where(WalletCollection.id != but)
    return session.scalar(query) is not None


def get_collection(
    session: Session, learner: LearnerAccount, collection_id: str
) -> WalletCollection:
    row = session.scalar(
        select(WalletCollection).where(
            WalletCollection.id == str(collection_id), WalletCollection.learner_id == learner.id
        )
    )
    if row is None:
        raise NotFound(f"no collection {collection_id!r} in your wallet")
    return row


def create_collection(
    session: Session, learner: LearnerAccount, name: str, *, description: str | None = None
) -> WalletCollection:
    """A new, empty collection. WalletError (conflict) when the learner has one of that
    name (compared without case)."""
    value = _collection_name(name)
    if _name_taken(session, learner, value, None):
        raise WalletError(f"you have a collection named {value!r}", code="conflict")
    count = session.scalar(
        select(func.count())
        .select_from(WalletCollection)
        .where(WalletCollection.learner_id == learner.id)
    )
    if int(count or 0) >= MAX_COLLECTIONS:
        raise WalletError(f"a wallet holds at most {MAX_COLLECTIONS} collections")
    row = WalletCollection(
        id=new_id(), learner_id=learner.id, name=value, description=_description(description)
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise WalletError(f"you have a collection named {value!r}", code="conflict") from None
    return row


def rename_collection(
    session: Session,
    learner: LearnerAccount,
    collection_id: str,
    name: str,
    *,
    description: str | None = None,
) -> WalletCollection:
    """Rename a collection (and set its description, when given)."""
    row = get_collection(session, learner, collection_id)
    value = _collection_name(name)
    if _name_taken(session, learner, value, row.id):
        raise WalletError(f"you have a collection named {value!r}", code="conflict")
    row.name = value
    if description is not None:
        row.description = _description(description)
    session.flush()
    return row


def delete_collection(session: Session, learner: LearnerAccount, collection_id: str) -> None:
    """Delete a collection (its credentials stay in the wallet)."""
    row = get_collection(session, learner, collection_id)
    session.execute(
        delete(WalletCollectionItem).where(WalletCollectionItem.collection_id == row.id)
    )
    session.delete(row)
    session.flush()


def add_to_collection(
    session: Session, learner: LearnerAccount, collection_id: str, credential_ids: list[str]
) -> int:
    """Add the learner's credentials to the collection; returns how many were new to it."""
    coll = get_collection(session, learner, collection_id)
    rows = get_credentials(session, learner, credential_ids)
    present = set(
        session.scalars(
            select(WalletCollectionItem.credential_id).where(
                WalletCollectionItem.collection_id == coll.id
            )
        )
    )
    added = 0
    for row in rows:
        if row.id not in present:
            session.add(WalletCollectionItem(collection_id=coll.id, credential_id=row.id))
            added += 1
    session.flush()
    return added


def remove_from_collection(
    session: Session, learner: LearnerAccount, collection_id: str, credential_ids: list[str]
) -> int:
    """Take credentials out of the collection; returns how many were in it."""
    coll = get_collection(session, learner, collection_id)
    rows = get_credentials(session, learner, credential_ids)
    result = session.execute(
        delete(WalletCollectionItem).where(
            WalletCollectionItem.collection_id == coll.id,
            WalletCollectionItem.credential_id.in_([r.id for r in rows]),
        )
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class CollectionSummary:
    collection: WalletCollection
    count: int


def list_collections(session: Session, learner: LearnerAccount) -> list[CollectionSummary]:
    """The learner's collections by name, with how many credentials each holds."""
    counts: dict[str, int] = {
        str(cid): int(n)
        for cid, n in session.execute(
            select(WalletCollectionItem.collection_id, func.count())
            .join(WalletCollection, WalletCollection.id == WalletCollectionItem.collection_id)
            .where(WalletCollection.learner_id == learner.id)
            .group_by(WalletCollectionItem.collection_id)
        )
    }
    rows = session.scalars(
        select(WalletCollection)
        .where(WalletCollection.learner_id == learner.id)
        .order_by(func.lower(WalletCollection.name))
    )
    return [CollectionSummary(c, int(counts.get(c.id, 0))) for c in rows]


def collection_credentials(
    session: Session, learner: LearnerAccount, collection_id: str
) -> list[WalletCredential]:
    """The credentials in the collection, in the order they were added."""
    coll = get_collection(session, learner, collection_id)
    return _collection_rows(session, learner.id, coll.id)


def _collection_rows(
    session: Session, learner_id: str, collection_id: str
) -> list[WalletCredential]:
    return list(
        session.scalars(
            select(WalletCredential)
            .join(WalletCollectionItem, WalletCollectionItem.credential_id == WalletCredential.id)
            .where(
                WalletCollectionItem.collection_id == collection_id,
                WalletCredential.learner_id == learner_id,
            )
            .order_by(WalletCollectionItem.added_at, WalletCredential.id)
        )
    )


def collections_of(
    session: Session, learner: LearnerAccount, credential_id: str
) -> list[WalletCollection]:
    """The collections a credential of the learner is in."""
    row = get_credential(session, learner, credential_id)
    return list(
        session.scalars(
            select(WalletCollection)
            .join(WalletCollectionItem, WalletCollectionItem.collection_id == WalletCollection.id)
            .where(
                WalletCollectionItem.credential_id == row.id,
                WalletCollection.learner_id == learner.id,
            )
            .order_by(func.lower(WalletCollection.name))
        )
    )


# ---- list, search, sort ---------------------------------------------------------------------
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _haystack(row: WalletCredential) -> str:
    parts: list[str] = [row.name, row.issuer_name or "", row.issuer_id or "", row.note or ""]
    parts.extend(row.tags)
    for s in row.skills:
        if isinstance(s, dict):
            parts.extend(str(s.get(k) or "") for k in ("label", "uri", "framework"))
    return _fold(" \n ".join(parts))


def _skill_match(row: WalletCredential, skill: str) -> bool:
    wanted = _fold(skill.strip())
    for s in row.skills:
        if isinstance(s, dict) and (
            s.get("uri") == skill.strip() or _fold(str(s.get("label") or "")) == wanted
        ):
            return True
    return False


def _first_skill(row: WalletCredential) -> str:
    labels = sorted(_fold(str(s.get("label") or "")) for s in row.skills if isinstance(s, dict))
    return labels[0] if labels else "\uffff"  # credentials without skills sort last


def _date_key(row: WalletCredential) -> datetime:
    return utc(row.valid_from or row.added_at)


def list_credentials(
    session: Session,
    learner: LearnerAccount,
    *,
    q: str | None = None,
    tag: str | None = None,
    collection: str | None = None,
    issuer: str | None = None,
    skill: str | None = None,
    sort: str = "date",
    order: str | None = None,
) -> list[WalletCredential]:
    """The learner's credentials, filtered and sorted.

    ``q``: every word must occur (case and accents ignored) in the name, issuer, skills,
    tags or note. ``tag``: carries it. ``collection``: a collection id of the learner's
    (NotFound otherwise). ``issuer``: issuer id, or issuer name (case ignored). ``skill``:
    a skill URI or label. ``sort``: date (issue date; newest first by default), issuer,
    skill (first skill label), name; ``order``: asc | desc."""
    if sort not in SORTS:
        raise WalletError(f"sort {sort!r}: use one of {', '.join(SORTS)}")
    if order not in (None, "asc", "desc"):
        raise WalletError(f"order {order!r}: use asc or desc")
    if collection is not None:
        coll = get_collection(session, learner, collection)
        rows = _collection_rows(session, learner.id, coll.id)
    else:
        rows = all_credentials(session, learner)
    if q and q.strip():
        words = [_fold(w) for w in q.split() if w.strip()][:20]
        rows = [r for r in rows if all(w in _haystack(r) for w in words)]
    if tag is not None:
        wanted = normalise_tag(tag)
        rows = [r for r in rows if wanted in r.tags]
    if issuer is not None and issuer.strip():
        who = issuer.strip()
        rows = [r for r in rows if r.issuer_id == who or _fold(r.issuer_name or "") == _fold(who)]
    if skill is not None and skill.strip():
        rows = [r for r in rows if _skill_match(r, skill)]
    descending = (order or ("desc" if sort == "date" else "asc")) == "desc"
    keys: dict[str, Any] = {
        "date": lambda r: (_date_key(r), r.id),
        "issuer": lambda r: (_fold(r.issuer_name or r.issuer_id or ""), _fold(r.name), r.id),
        "skill": lambda r: (_first_skill(r), _fold(r.name), r.id),
        "name": lambda r: (_fold(r.name), r.id),
    }
    return sorted(rows, key=keys[sort], reverse=descending)


# ---- timeline and expiry --------------------------------------------------------------------
@dataclass
class TimelineEvent:
    """``kind``: issued (at valid_from, else when it was added), expires (a future expiry)
    or expired (a past one)."""

    at: datetime
    kind: str
    credential: WalletCredential


def timeline(
    session: Session, learner: LearnerAccount, *, now: datetime | None = None
) -> list[TimelineEvent]:
    """Every credential's issue date and expiry as events, oldest first."""
    at = _now(now)
    events: list[TimelineEvent] = []
    for row in all_credentials(session, learner):
        events.append(TimelineEvent(_date_key(row), "issued", row))
        if row.valid_until is not None:
            until = utc(row.valid_until)
            events.append(TimelineEvent(until, "expired" if until < at else "expires", row))
    order = {"issued": 0, "expired": 1, "expires": 1}
    return sorted(events, key=lambda e: (e.at, order[e.kind], e.credential.id))


@dataclass
class Expiring:
    credential: WalletCredential
    valid_until: datetime
    days_left: int
    renewal_url: str | None


def expiring(
    session: Session, learner: LearnerAccount, within_days: int, *, now: datetime | None = None
) -> list[Expiring]:
    """Credentials that expire within ``within_days`` from now (not yet expired, not
    revoked or failed), soonest first, with the issuer's renewal link when known."""
    if within_days < 0:
        raise WalletError("within_days: zero or more days")
    at = _now(now)
    horizon = at + timedelta(days=within_days)
    out: list[Expiring] = []
    for row in all_credentials(session, learner):
        if row.valid_until is None:
            continue
        until = utc(row.valid_until)
        if not (at <= until <= horizon):
            continue
        if status_of(row, at).state not in ("verified", "indeterminate"):
            continue
        out.append(Expiring(row, until, (until - at).days, row.renewal_url))
    return sorted(out, key=lambda e: (e.valid_until, e.credential.id))


# ---- skills profile -------------------------------------------------------------------------
@dataclass
class SkillEntry:
    """A skill the learner's verified credentials show: its URI (None when the issuer gave
    only a name), label, framework (ESCO, O*NET, ...) and the wallet credential ids."""

    uri: str | None
    label: str
    framework: str | None
    credentials: list[str] = field(default_factory=list)


def skills_profile(
    session: Session, learner: LearnerAccount, *, now: datetime | None = None
) -> list[SkillEntry]:
    """The skills aligned to the learner's verified credentials (not failed, revoked,
    suspended, expired or indeterminate), each once, by label."""
    at = _now(now)
    entries: dict[str, SkillEntry] = {}
    for row in all_credentials(session, learner):
        if not is_current(row, at):
            continue
        for s in row.skills:
            if not isinstance(s, dict):
                continue
            uri = s.get("uri") if isinstance(s.get("uri"), str) else None
            label = str(s.get("label") or uri or "")
            if not label:
                continue
            key = uri or f"label:{_fold(label)}"
            entry = entries.get(key)
            if entry is None:
                fw = s.get("framework")
                entry = entries[key] = SkillEntry(uri, label, fw if isinstance(fw, str) else None)
            if row.id not in entry.credentials:
                entry.credentials.append(row.id)
    return sorted(entries.values(), key=lambda e: (_fold(e.label), e.uri or ""))


def have_uris(
    session: Session, learner: LearnerAccount, *, now: datetime | None = None
) -> list[str]:
    """The skill URIs of ``skills_profile``: what the advisor's ``have`` takes."""
    return [e.uri for e in skills_profile(session, learner, now=now) if e.uri]
