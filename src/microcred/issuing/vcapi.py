"""The W3C VC API's issue: sign a credential the caller composed, as an organisation.

The caller sends an unsigned credential; microcred checks it is this organisation's (its
``issuer`` is the organisation's issuer id, or is filled in with its Profile), checks its
shape (Open Badges 3.0 / CLR 2.0 rules, VC rules for other credentials), signs it with the
organisation's current key, verifies its own signature, and records the issue in the audit
log. It is not stored as an award (it belongs to no achievement of ours).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import orgs
from microcred.issuing.context import IssuingContext
from microcred.store.models import AuditEntry, Organisation
from microcred.vc import openbadges, proofs

VC2 = "https://www.w3.org/ns/credentials/v2"
OPTIONS = ("cryptosuite",)


class CredentialRejected(MicrocredError):
    """The credential's shape is wrong; ``problems`` holds every (JSON path, message)."""

    code = "bad_credential"

    def __init__(self, problems: list[openbadges.Problem]):
        shown = "; ".join(f"{p.path}: {p.message}" for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"the credential is not well formed: {shown}{more}")
        self.problems = problems


def _bad(message: str) -> MicrocredError:
    return MicrocredError(message, code="bad_input")


def _with_issuer(
    doc: dict[str, Any], session: Session, ctx: IssuingContext, org: Organisation
) -> None:
    issuer_id = orgs.issuer_id(org, ctx, session)
    given = doc.get("issuer")
    if given is None:
        doc["issuer"] = orgs.profile(session, ctx, org)
        return
    found = given.get("id") if isinstance(given, dict) else given
    if not isinstance(found, str):
        raise _bad("$.issuer: an issuer id (a string) or a Profile object with an id")
    if found != issuer_id:
        raise _bad(
            f"$.issuer: this token issues as {issuer_id}; the credential names {found!r} "
            "(leave issuer out and it is filled in)"
        )


def issue_credential(
    session: Session,
    ctx: IssuingContext,
    org: Organisation,
    credential: Any,
    *,
    options: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The credential signed by ``org``'s current key (a Data Integrity proof).

    Raises MicrocredError (bad_input) for a credential that is not ``org``'s, already has a
    proof, or options we do not support; CredentialRejected for shape problems; ContextError
    / ExpansionError for a context that is not bundled or a term no context defines."""
    options = options or {}
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise _bad(f"options.{unknown[0]}: not supported (supported: {', '.join(OPTIONS)})")
    if not isinstance(credential, dict):
        raise _bad("$: a credential is a JSON object")
    if "proof" in credential:
        raise _bad("$.proof: send the credential unsigned; it is signed here")
    doc = copy.deepcopy(credential)
    _with_issuer(doc, session, ctx, org)
    contexts = doc.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first == VC2 and "validFrom" not in doc:
        now = now or datetime.now(UTC)
        doc["validFrom"] = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    problems = openbadges.check_shape(doc)
    if problems:
        raise CredentialRejected(problems)
    suite = options.get("cryptosuite", "eddsa-rdfc-2022")
    if not isinstance(suite, str):
        raise _bad("options.cryptosuite: a cryptosuite name, e.g. eddsa-rdfc-2022")
    signed = proofs.sign(doc, orgs.signer(session, ctx, org), cryptosuite=suite)
    results = proofs.verify_proofs(signed)
    if not results or not all(r.verified for r in results):
        raise MicrocredError(
            "a credential we signed does not verify: not issued",
            detail=str(results),
            code="self_check",
        )
    ident = doc.get("id")
    session.add(
        AuditEntry(
            org_id=org.id,
            actor=ctx.actor,
            action="vc_api_issue",
            reason=f"signed {ident if isinstance(ident, str) else 'a credential without id'}"[
                :2000
            ],
        )
    )
    session.flush()
    return signed
