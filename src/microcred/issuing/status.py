"""Status lists of an organisation: random unused indexes, revoke / suspend / unsuspend, and
the signed BitstringStatusListCredential served at a stable URL.

Indexes are drawn at random among the unused ones (herd privacy: neighbours in a list tell
nothing about each other). A list is closed to new entries at FILL of its size and the next
one opens.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import orgs
from microcred.issuing.context import IssuingContext
from microcred.store.db import is_postgres
from microcred.store.models import AuditEntry, Credential, Organisation, StatusList, new_id
from microcred.vc import proofs, statuslist

PURPOSES = ("revocation", "suspension")
LIST_SIZE = statuslist.MIN_BITS  # 131,072 entries, 16 KB
FILL = 0.85


def list_url(ctx: IssuingContext, org: Organisation, purpose: str, number: int) -> str:
    return f"{ctx.base_url}/orgs/{org.slug}/status/{purpose}/{number}"


def _open_list(session: Session, org: Organisation, purpose: str, need: int) -> StatusList:
    query = (
        select(StatusList)
        .where(StatusList.org_id == org.id, StatusList.purpose == purpose)
        .order_by(StatusList.number.desc())
        .limit(1)
    )
    if session.bind is not None and is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update()
    current = session.scalar(query)
    if current is not None and current.allocated + need <= int(current.size * FILL):
        return current
    number = 1 if current is None else current.number + 1
    fresh = StatusList(
        id=new_id(),
        org_id=org.id,
        purpose=purpose,
        number=number,
        size=LIST_SIZE,
        bits=bytes(LIST_SIZE // 8),
        used=bytes(LIST_SIZE // 8),
        allocated=0,
    )
    session.add(fresh)
    session.flush()
    return fresh


def allocate(
    session: Session, org: Organisation, purpose: str, n: int
) -> list[tuple[StatusList, int]]:
    """``n`` random unused (list, index) pairs for ``purpose``, marked used in this transaction."""
    out: list[tuple[StatusList, int]] = []
    while len(out) < n:
        lst = _open_list(session, org, purpose, 1)
        room = int(lst.size * FILL) - lst.allocated
        take = min(room, n - len(out))
        used = bytearray(lst.used)
        for _ in range(take):
            while True:
                i = secrets.randbelow(lst.size)
                if not used[i >> 3] & (0x80 >> (i & 7)):
                    used[i >> 3] |= 0x80 >> (i & 7)
                    out.append((lst, i))
                    break
        lst.used = bytes(used)
        lst.allocated += take
        session.flush()
    return out


def entries_for(
    ctx: IssuingContext, org: Organisation, allocation: dict[str, tuple[StatusList, int]]
) -> list[dict[str, Any]]:
    return [
        statuslist.status_entry(
            list_url=list_url(ctx, org, purpose, lst.number), index=index, purpose=purpose
        )
        for purpose, (lst, index) in allocation.items()
    ]


def _set_bit(session: Session, list_id: str | None, index: int | None, value: int) -> None:
    if list_id is None or index is None:
        raise MicrocredError("this credential has no status list entry", code="no_status")
    lst = session.get(StatusList, list_id, with_for_update=is_postgres(session.get_bind()))  # type: ignore[arg-type]
    assert lst is not None
    bits = statuslist.StatusList.from_bytes(lst.bits)
    bits.set(index, value)
    lst.bits = bits.to_bytes()
    lst.updated_at = datetime.now(UTC)


def change_status(
    session: Session, ctx: IssuingContext, cred: Credential, action: str, *, reason: str
) -> None:
    """revoke | suspend | unsuspend ``cred``, with a reason recorded in the audit log.

    Raises MicrocredError for a missing reason or an action that does not apply."""
    if not reason or not reason.strip():
        raise MicrocredError(
            f"{action}: give a reason (it is kept in the audit log)", code="bad_input"
        )
    if action == "revoke":
        if cred.revoked_at is not None:
            raise MicrocredError(f"credential {cred.id} is already revoked", code="conflict")
        _set_bit(session, cred.revocation_list_id, cred.revocation_index, 1)
        cred.revoked_at = datetime.now(UTC)
    elif action in ("suspend", "unsuspend"):
        if cred.revoked_at is not None:
            raise MicrocredError(
                f"credential {cred.id} is revoked; it cannot be {action}ed", code="conflict"
            )
        want = action == "suspend"
        if cred.suspended == want:
            raise MicrocredError(
                f"credential {cred.id} is {'already' if want else 'not'} suspended", code="conflict"
            )
        _set_bit(session, cred.suspension_list_id, cred.suspension_index, 1 if want else 0)
        cred.suspended = want
    else:
        raise MicrocredError(f"unknown status action {action!r}", code="bad_input")
    session.add(
        AuditEntry(
            org_id=cred.org_id,
            actor=ctx.actor,
            action=action,
            subject=cred.id,
            reason=reason.strip(),
        )
    )
    session.flush()


def list_credential(
    session: Session, ctx: IssuingContext, org: Organisation, purpose: str, number: int
) -> tuple[dict[str, Any], datetime]:
    """The signed status list credential and when the list last changed.

    Raises MicrocredError (code not_found) for a list that does not exist."""
    lst = session.scalar(
        select(StatusList).where(
            StatusList.org_id == org.id, StatusList.purpose == purpose, StatusList.number == number
        )
    )
    if lst is None:
        raise MicrocredError(f"no {purpose} list {number} for {org.slug!r}", code="not_found")
    url = list_url(ctx, org, purpose, number)
    issued = (
        lst.updated_at.astimezone(UTC)
        if lst.updated_at.tzinfo
        else lst.updated_at.replace(tzinfo=UTC)
    )
    doc = statuslist.status_list_credential(
        id=url,
        issuer=orgs.issuer_id(org, ctx, session),
        purpose=purpose,
        encoded_list=statuslist.StatusList.from_bytes(lst.bits).encode(),
        valid_from=issued.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )
    return proofs.sign(doc, orgs.signer(session, ctx, org)), issued
