"""API tokens: bearer secrets scoped to one organisation and a role.

A token is ``mc_`` + 43 URL-safe characters (32 random bytes). It is shown once, when it is
created; only its SHA-256 (hex) is stored. Authentication hashes what the client sent and
looks the hash up (a unique index), so nothing secret is ever compared byte by byte against
a stored secret; the final comparison is constant-time all the same.

Roles, each including the ones before it: ``viewer`` (read), ``issuer`` (award, revoke,
suspend, define achievements), ``owner`` (rotate keys, read the audit log).

Errors: ``Unauthorized`` (code ``unauthorized``: no token, an unknown or revoked one) and
``Forbidden`` (code ``forbidden``: the token's role is too low); ``MicrocredError`` with
code ``bad_input`` for a bad role or name, ``not_found`` / ``conflict`` when revoking.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.store.models import ApiToken, AuditEntry, Organisation, new_id

__all__ = [
    "PREFIX",
    "ROLES",
    "Forbidden",
    "TokenIdentity",
    "TokenInfo",
    "Unauthorized",
    "authenticate",
    "create_token",
    "has_role",
    "list_tokens",
    "require",
    "revoke_token",
]

PREFIX = "mc_"
ROLES = ("viewer", "issuer", "owner")  # ascending: each role includes the ones before it
_RANK = {role: rank for rank, role in enumerate(ROLES)}
_MAX_TOKEN_CHARS = 200  # what we issue is 46; anything far longer is not ours
_MAX_NAME = 200


class Unauthorized(MicrocredError):
    """No usable token: missing, malformed, unknown or revoked (the web answers 401)."""

    code = "unauthorized"


class Forbidden(MicrocredError):
    """The token is valid but its role does not allow the action (the web answers 403)."""

    code = "forbidden"


@dataclass(frozen=True)
class TokenIdentity:
    """Who a request acts as: the token's organisation and role."""

    org: Organisation
    role: str
    token_id: str
    name: str

    @property
    def actor(self) -> str:
        """How the audit log names this token (its name and the start of its id)."""
        return f"{self.name} (token {self.token_id[:8]})"[:200]


@dataclass(frozen=True)
class TokenInfo:
    """What can be shown about a token: never the secret, nor its hash."""

    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_role(role: str) -> None:
    if role not in _RANK:
        raise MicrocredError(f"role {role!r}: use one of {', '.join(ROLES)}", code="bad_input")


def create_token(
    session: Session, org: Organisation, *, name: str, role: str, actor: str = "system"
) -> str:
    """Create a token for ``org`` with ``role``; returns the token (the only time it is
    available: store it now). Raises MicrocredError (bad_input) for a bad role or name."""
    _check_role(role)
    name = (name or "").strip()
    if not name or len(name) > _MAX_NAME:
        raise MicrocredError(
            f"name: give the token a name (1-{_MAX_NAME} characters), e.g. 'registrar script'",
            code="bad_input",
        )
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(id=new_id(), org_id=org.id, name=name, role=role, token_hash=_hash(token))
    session.add(row)
    session.add(
        AuditEntry(
            org_id=org.id,
            actor=actor,
            action="create_token",
            subject=row.id,
            reason=f"{role} token {name!r}",
        )
    )
    session.flush()
    return token


def authenticate(session: Session, token: str | None) -> TokenIdentity:
    """The identity ``token`` stands for. Raises Unauthorized when it is missing, not one
    of ours, unknown or revoked (one message for all: nothing to probe)."""
    refused = Unauthorized("a valid API token is required (Authorization: Bearer mc_...)")
    if not token or len(token) > _MAX_TOKEN_CHARS or not token.startswith(PREFIX):
        raise refused
    digest = _hash(token)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise refused
    if row.revoked_at is not None:
        raise refused
    org = session.get(Organisation, row.org_id)
    if org is None:  # pragma: no cover - the foreign key keeps this from happening
        raise refused
    return TokenIdentity(org=org, role=row.role, token_id=row.id, name=row.name)


def has_role(identity: TokenIdentity, role: str) -> bool:
    _check_role(role)
    return _RANK.get(identity.role, -1) >= _RANK[role]


def require(identity: TokenIdentity, role: str) -> None:
    """Raises Forbidden unless ``identity``'s role is ``role`` or above
    (viewer < issuer < owner)."""
    if not has_role(identity, role):
        raise Forbidden(f"this needs a token with the {role} role; this token is a {identity.role}")


def list_tokens(session: Session, org: Organisation) -> list[TokenInfo]:
    """Every token of ``org``, oldest first, revoked ones included (never the secret)."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.org_id == org.id).order_by(ApiToken.created_at)
    )
    return [TokenInfo(r.id, r.name, r.role, r.created_at, r.revoked_at) for r in rows]


def revoke_token(
    session: Session,
    token_id: str,
    *,
    org: Organisation | None = None,
    actor: str = "system",
    reason: str | None = None,
) -> TokenInfo:
    """Revoke a token at once (its next request is refused). With ``org``, only a token of
    that organisation. Raises MicrocredError: not_found, or conflict when already revoked."""
    row = session.get(ApiToken, token_id)
    if row is None or (org is not None and row.org_id != org.id):
        raise MicrocredError(f"no API token {token_id!r}", code="not_found")
    if row.revoked_at is not None:
        raise MicrocredError(f"API token {token_id} is already revoked", code="conflict")
    row.revoked_at = datetime.now(UTC)
    session.add(
        AuditEntry(
            org_id=row.org_id, actor=actor, action="revoke_token", subject=row.id, reason=reason
        )
    )
    session.flush()
    return TokenInfo(row.id, row.name, row.role, row.created_at, row.revoked_at)
