"""Organisations (issuers), their signing keys at rest, and their identity.

Identity: on an https deployment an organisation is ``did:web:<host>:orgs:<slug>`` and its
DID document (every key, current and retired) is served at ``/orgs/<slug>/did.json``;
otherwise it is the ``did:key`` of its current key (a rotation then changes the id).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import keystore
from microcred.issuing.context import IssuingContext
from microcred.store.models import AuditEntry, Organisation, SigningKey, new_id
from microcred.vc import dids
from microcred.vc.keys import Ed25519Multikey

PROVIDER_TYPES = {
    "university_college": "University or college",
    "employer_vendor": "Employer or vendor",
    "online_platform": "Online platform",
    "nonprofit_industry": "Non-profit or industry body",
}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class NotFound(MicrocredError):
    code = "not_found"


def create_organisation(
    session: Session,
    ctx: IssuingContext,
    *,
    slug: str,
    name: str,
    provider_type: str = "university_college",
    url: str | None = None,
    email: str | None = None,
    image: str | None = None,
    description: str | None = None,
    address: dict[str, Any] | None = None,
    quality_assurance: dict[str, Any] | None = None,
    is_sample: bool = False,
) -> Organisation:
    """Create an organisation with its first signing key. Raises MicrocredError on bad input."""
    if not _SLUG.match(slug or ""):
        raise MicrocredError(
            f"slug {slug!r}: use 2-63 lower-case letters, digits and '-' (e.g. 'acme-college')",
            code="bad_input",
        )
    if not name or not name.strip():
        raise MicrocredError("name: an organisation needs a name", code="bad_input")
    if provider_type not in PROVIDER_TYPES:
        raise MicrocredError(
            f"type {provider_type!r}: use one of {', '.join(PROVIDER_TYPES)}", code="bad_input"
        )
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        raise MicrocredError(f"an organisation with the slug {slug!r} exists", code="conflict")
    org = Organisation(
        id=new_id(),
        slug=slug,
        name=name.strip(),
        provider_type=provider_type,
        url=url,
        email=email,
        image=image,
        description=description,
        address=address,
        quality_assurance=quality_assurance or {"recognised_institution": False},
        is_sample=is_sample,
    )
    session.add(org)
    _new_key(session, ctx, org)
    session.flush()
    return org


def get_organisation(session: Session, slug: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(f"no organisation with the slug {slug!r}")
    return org


def _new_key(session: Session, ctx: IssuingContext, org: Organisation) -> SigningKey:
    key = Ed25519Multikey.generate()
    row = SigningKey(
        id=new_id(),
        org_id=org.id,
        public_key_multibase=key.public_key_multibase,
        secret_encrypted=b"",
    )
    row.secret_encrypted = keystore.seal(key, key_id=row.id, secret=ctx.secret)
    session.add(row)
    return row


def keys_of(session: Session, org: Organisation) -> list[SigningKey]:
    """Every key, newest first (the first one without retired_at is the current key)."""
    return list(
        session.scalars(
            select(SigningKey)
            .where(SigningKey.org_id == org.id)
            .order_by(SigningKey.created_at.desc())
        )
    )


def current_key_row(session: Session, org: Organisation) -> SigningKey:
    for row in keys_of(session, org):
        if row.retired_at is None:
            return row
    raise MicrocredError(f"organisation {org.slug!r} has no current signing key", code="keystore")


def issuer_id(org: Organisation, ctx: IssuingContext, session: Session) -> str:
    if ctx.did_web:
        return dids.did_web_for(f"{ctx.base_url}/orgs/{org.slug}")
    return f"did:key:{current_key_row(session, org).public_key_multibase}"


def signer(session: Session, ctx: IssuingContext, org: Organisation) -> Ed25519Multikey:
    """The organisation's current key, ready to sign, with its verification method id."""
    row = current_key_row(session, org)
    controller = issuer_id(org, ctx, session)
    return keystore.unseal(
        row.secret_encrypted,
        key_id=row.id,
        secret=ctx.secret,
        controller=controller,
        vm_id=f"{controller}#{row.public_key_multibase}",
    )


def rotate_key(session: Session, ctx: IssuingContext, org: Organisation, *, reason: str) -> str:
    """Retire the current key and make a new one; old public keys stay published."""
    old = current_key_row(session, org)
    old.retired_at = datetime.now(UTC)
    new = _new_key(session, ctx, org)
    session.add(
        AuditEntry(
            org_id=org.id, actor=ctx.actor, action="rotate_key", subject=new.id, reason=reason
        )
    )
    session.flush()
    return new.public_key_multibase


def did_document(session: Session, ctx: IssuingContext, org: Organisation) -> dict[str, Any]:
    """The did:web DID document: every key of the organisation, current and retired."""
    did = issuer_id(org, ctx, session)
    keys = [Ed25519Multikey.from_public(k.public_key_multibase) for k in keys_of(session, org)]
    return dids.did_web_document(did, keys)


def profile(session: Session, ctx: IssuingContext, org: Organisation) -> dict[str, Any]:
    """The Open Badges Profile of the organisation (served at its issuer id URL)."""
    out: dict[str, Any] = {
        "id": issuer_id(org, ctx, session),
        "type": ["Profile"],
        "name": org.name,
    }
    for key in ("url", "email", "description"):
        value = getattr(org, key)
        if value:
            out[key] = value
    if org.image:
        out["image"] = {"id": org.image, "type": "Image"}
    if org.address:
        out["address"] = {"type": ["Address"], **org.address}
    return out
