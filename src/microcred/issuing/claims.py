"""Claim links and renewal rules: what a learner reaches from the award and reminder e-mails.

A claim link is ``{base}/claim/{token}``; only the token's SHA-256 is stored
(``credential.claim_token_hash``, a unique index), so a credential is found by hashing the
token and looking the hash up: no comparison of secrets that could leak by timing. The
claim form carries a second token, an HMAC of the claim token under a key derived from the
deployment's secret: a form not made by this site for this link is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.store.models import Achievement, Credential, Event, Organisation

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_FORM_KEY_INFO = b"microcred claim form v1"


class NotFound(MicrocredError):
    code = "not_found"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def form_token(secret: bytes, claim_token: str) -> str:
    """The hidden form field that ties a claim form to its claim link."""
    key = hmac.new(secret, _FORM_KEY_INFO, hashlib.sha256).digest()
    return hmac.new(key, claim_token.encode(), hashlib.sha256).hexdigest()


def check_form_token(secret: bytes, claim_token: str, given: str | None) -> bool:
    """True when ``given`` is the form token of ``claim_token`` (constant-time compare)."""
    if not given:
        return False
    return hmac.compare_digest(form_token(secret, claim_token).encode(), given.encode("utf-8"))


@dataclass
class ClaimView:
    credential: Credential
    org: Organisation
    achievement_name: str

    @property
    def revoked(self) -> bool:
        return self.credential.revoked_at is not None


def _view(session: Session, cred: Credential) -> ClaimView:
    org = session.get(Organisation, cred.org_id)
    ach = session.get(Achievement, cred.achievement_id)
    assert org is not None and ach is not None
    return ClaimView(cred, org, ach.name)


def credential_for_token(session: Session, token: str) -> ClaimView:
    """The credential a claim link names. Raises NotFound for an unknown or malformed token."""
    if not _TOKEN.match(token or ""):
        raise NotFound("This claim link is not valid: check that it was copied whole.")
    cred = session.scalar(
        select(Credential).where(Credential.claim_token_hash == token_hash(token))
    )
    if cred is None:
        raise NotFound("This claim link is not valid: check that it was copied whole.")
    return _view(session, cred)


def claim(
    session: Session, view: ClaimView, *, show_recipient: bool, now: datetime | None = None
) -> bool:
    """Record the learner's claim and their choice for the public page; True the first time
    (counted as a "claimed" event). A later claim only changes the choice. Raises
    MicrocredError (conflict) for a revoked credential."""
    cred = view.credential
    if cred.revoked_at is not None:
        raise MicrocredError(
            "This credential has been revoked by its issuer; it cannot be claimed.",
            code="conflict",
        )
    cred.show_recipient = show_recipient
    first = cred.claimed_at is None
    if first:
        at = now or datetime.now(UTC)
        cred.claimed_at = at
        session.add(Event(org_id=cred.org_id, credential_id=cred.id, kind="claimed", at=at))
    session.flush()
    return first


def count_events(session: Session, kind: str, *, org_id: str | None = None) -> int:
    """How many events of ``kind`` ("issued", "claimed", "viewed", ...), for one org or all."""
    query = select(func.count()).select_from(Event).where(Event.kind == kind)
    if org_id is not None:
        query = query.where(Event.org_id == org_id)
    return int(session.scalar(query) or 0)


# --- renewal ---------------------------------------------------------------------------------

_LABELS = {
    "renewable": "Renewable",
    "requires": "What it takes",
    "howTo": "How to renew",
    "window": "When",
    "cost": "Cost",
    "contact": "Contact",
}


@dataclass
class RenewalView:
    credential: Credential
    org: Organisation
    achievement_name: str
    renewable: bool | None
    rules: list[tuple[str, str]]
    link: str | None


def _label(key: str) -> str:
    if key in _LABELS:
        return _LABELS[key]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", key).replace("_", " ")
    return words[:1].upper() + words[1:].lower()


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | str) and str(value).strip():
        return str(value).strip()[:500]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "; ".join(v.strip() for v in value)[:500]
    return None


def renewal_rules(renewal: Mapping[str, Any] | None) -> tuple[bool | None, list[tuple[str, str]]]:
    """(renewable, [(label, text), ...]) from an achievement's ``renewal`` object. Never
    raises: values that are not text, numbers, booleans or lists of text are left out."""
    if not isinstance(renewal, Mapping):
        return None, []
    renewable = renewal.get("renewable")
    rules = []
    for key, value in renewal.items():
        if key in ("renewable", "url"):
            continue
        text = _text(value)
        if text:
            rules.append((_label(str(key)), text))
    return (renewable if isinstance(renewable, bool) else None), rules


def renewal(session: Session, credential_id: str) -> RenewalView:
    """How to renew a credential, from its achievement's ``renewal`` rules. Raises NotFound."""
    cred = session.get(Credential, credential_id)
    if cred is None:
        raise NotFound(f"There is no credential {credential_id}.")
    view = _view(session, cred)
    ach = session.get(Achievement, cred.achievement_id)
    assert ach is not None
    definition = ach.definition.get("renewal")
    renewable, rules = renewal_rules(definition)
    link = definition.get("url") if isinstance(definition, Mapping) else None
    if not (isinstance(link, str) and link.startswith(("https://", "http://"))):
        link = None
    return RenewalView(cred, view.org, view.achievement_name, renewable, rules, link)
