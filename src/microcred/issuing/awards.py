"""Awarding a micro-credential: compose, sign, verify our own output, store.

``issue_award`` issues one credential inside the caller's transaction; cohort jobs call
``issue_batch`` with many recipients at once (one status-list allocation per batch).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import achievements, mailer, orgs, status
from microcred.issuing.context import IssuingContext
from microcred.store.models import (
    Achievement,
    AuditEntry,
    Credential,
    Event,
    Organisation,
    OutboxMail,
    new_id,
)
from microcred.vc import openbadges, proofs
from microcred.vc.keys import Ed25519Multikey

DUPLICATE_POLICIES = ("skip", "reissue", "fail")


@dataclass(frozen=True)
class Recipient:
    email: str | None = None
    did: str | None = None
    name: str | None = None
    grade: str | None = None
    score: float | None = None
    evidence_url: str | None = None
    evidence_narrative: str | None = None
    narrative: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @property
    def key(self) -> str:
        if self.email:
            return self.email.strip().lower()
        if self.did:
            return self.did
        raise MicrocredError("a recipient needs an e-mail address or a DID", code="bad_input")


@dataclass
class AwardOutcome:
    status: str  # issued | skipped | reissued
    credential: Credential
    claim_token: str | None = None
    replaced: list[str] = field(default_factory=list)


class DuplicateAward(MicrocredError):
    code = "duplicate"


def _parse_xsd(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _xsd(t: datetime) -> str:
    return t.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class _Prepared:
    """What every credential of one achievement shares (computed once per batch)."""

    org: Organisation
    achievement: Achievement
    signer: Ed25519Multikey
    profile: dict[str, Any]
    achievement_doc: dict[str, Any]


def _prepare(
    session: Session, ctx: IssuingContext, org: Organisation, ach: Achievement
) -> _Prepared:
    profile = orgs.profile(session, ctx, org)
    return _Prepared(
        org,
        ach,
        orgs.signer(session, ctx, org),
        profile,
        achievements.achievement_json(ach, base_url=ctx.base_url, issuer_profile=profile),
    )


def compose(
    ctx: IssuingContext,
    p: _Prepared,
    r: Recipient,
    *,
    credential_id: str,
    status_entries: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for recipient ``r``."""
    valid_from = r.valid_from or now
    valid_until = r.valid_until or (
        valid_from + timedelta(days=p.achievement.validity_days)
        if p.achievement.validity_days
        else None
    )
    identifier = []
    if r.email:
        identifier.append(openbadges.identity_object(r.email.strip().lower()))
    if r.name:
        identifier.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": r.name,
            }
        )
    result = []
    if r.grade is not None or r.score is not None:
        res: dict[str, Any] = {
            "type": ["Result"],
            "value": r.grade if r.grade is not None else str(r.score),
        }
        rd = p.achievement_doc.get("resultDescription")
        if rd:
            res["resultDescription"] = rd[0]["id"]
        result.append(res)
    doc: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            openbadges.OB_CONTEXT.format(version="3.0.3"),
            achievements.EU_CONTEXT,
        ],
        "id": f"{ctx.base_url}/credentials/{credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": p.achievement_doc["name"],
        "issuer": p.profile,
        "validFrom": _xsd(valid_from),
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": p.achievement_doc},
        "credentialStatus": status_entries,
    }
    subject = doc["credentialSubject"]
    if r.did:
        subject["id"] = r.did
    if identifier:
        subject["identifier"] = identifier
    if result:
        subject["result"] = result
    if r.narrative:
        subject["narrative"] = r.narrative
    if valid_until is not None:
        doc["validUntil"] = _xsd(valid_until)
    if r.evidence_url or r.evidence_narrative:
        ev: dict[str, Any] = {"type": ["Evidence"]}
        if r.evidence_url:
            ev["id"] = r.evidence_url
        if r.evidence_narrative:
            ev["narrative"] = r.evidence_narrative
        doc["evidence"] = [ev]
    if p.achievement_doc.get("image"):
        doc["image"] = p.achievement_doc["image"]
    return doc


SignMany = Callable[[list[dict[str, Any]], Ed25519Multikey], list[dict[str, Any]]]


def sign_here(docs: list[dict[str, Any]], key: Ed25519Multikey) -> list[dict[str, Any]]:
    return [proofs.sign(doc, key) for doc in docs]


def existing_many(
    session: Session, ach: Achievement, keys: list[str]
) -> dict[str, list[Credential]]:
    """The unrevoked credentials of ``ach`` held by any of ``keys`` (one query)."""
    out: dict[str, list[Credential]] = {}
    for cred in session.scalars(
        select(Credential).where(
            Credential.achievement_id == ach.id,
            Credential.recipient_key.in_(set(keys)),
            Credential.revoked_at.is_(None),
        )
    ):
        out.setdefault(cred.recipient_key, []).append(cred)
    return out


def issue_batch(
    session: Session,
    ctx: IssuingContext,
    *,
    org: Organisation,
    achievement: Achievement,
    recipients: Sequence[Recipient],
    on_duplicate: str = "fail",
    job_id: str | None = None,
    notify: bool = True,
    is_sample: bool = False,
    verify: str = "first",
    now: datetime | None = None,
    prepared: _Prepared | None = None,
    sign_many: SignMany | None = None,
) -> list[AwardOutcome]:
    """Issue to every recipient in this transaction.

    sign_many: signs the composed credentials (default: here, one after the other; cohort
    jobs pass a process pool, see ``issuing.signing``).

    verify: "all" checks every signed credential with the verifier's proof check before it
    is stored, "first" only the first of the batch (the signing code and key are the same for
    all of them). Raises DuplicateAward (policy fail), MicrocredError for bad input.
    """
    if on_duplicate not in DUPLICATE_POLICIES:
        raise MicrocredError(
            f"on_duplicate {on_duplicate!r}: use skip, reissue or fail", code="bad_input"
        )
    now = now or datetime.now(UTC)
    p = prepared or _prepare(session, ctx, org, achievement)
    outcomes: list[AwardOutcome | None] = [None] * len(recipients)
    to_issue: list[tuple[int, Recipient, list[Credential]]] = []
    held = existing_many(session, achievement, [r.key for r in recipients])
    for i, r in enumerate(recipients):
        old = held.get(r.key, [])
        if old and on_duplicate == "fail":
            raise DuplicateAward(
                f"{r.key} already holds {achievement.name!r} ({old[0].id}); choose skip or reissue"
            )
        if old and on_duplicate == "skip":
            outcomes[i] = AwardOutcome("skipped", old[0])
            continue
        to_issue.append((i, r, old))
    if to_issue:
        revocation = status.allocate(session, org, "revocation", len(to_issue))
        suspension = status.allocate(session, org, "suspension", len(to_issue))
    ids = [new_id() for _ in to_issue]
    docs = [
        compose(
            ctx,
            p,
            r,
            credential_id=ids[n],
            status_entries=status.entries_for(
                ctx, org, {"revocation": revocation[n], "suspension": suspension[n]}
            ),
            now=now,
        )
        for n, (_, r, _) in enumerate(to_issue)
    ]
    # Signing runs in the signer's processes while the rows are built here; the documents
    # are filled in when it is done (nothing is flushed before).
    signer = sign_many or sign_here
    if hasattr(signer, "submit"):
        pending = signer.submit(docs, p.signer)
    else:
        done = signer(docs, p.signer)
        pending = lambda: done  # noqa: E731
    creds: list[Credential] = []
    for n, (i, r, old) in enumerate(to_issue):
        cred_id = ids[n]
        alloc = {"revocation": revocation[n], "suspension": suspension[n]}
        doc = docs[n]
        token = secrets.token_urlsafe(24) if (notify and r.email) else None
        cred = Credential(
            id=cred_id,
            org_id=org.id,
            achievement_id=achievement.id,
            recipient_kind="email" if r.email else "did",
            recipient_key=r.key,
            recipient_name=r.name,
            valid_from=_parse_xsd(doc["validFrom"]),
            valid_until=_parse_xsd(doc["validUntil"]) if "validUntil" in doc else None,
            revocation_list_id=alloc["revocation"][0].id,
            revocation_index=alloc["revocation"][1],
            suspension_list_id=alloc["suspension"][0].id,
            suspension_index=alloc["suspension"][1],
            job_id=job_id,
            is_sample=is_sample,
            issued_at=now,
            claim_token_hash=hashlib.sha256(token.encode()).hexdigest() if token else None,
        )
        creds.append(cred)
        replaced = []
        for prev in old:  # reissue: the earlier one is revoked, pointing at its successor
            status.change_status(session, ctx, prev, "revoke", reason=f"reissued as {cred_id}")
            prev.replaced_by = cred_id
            replaced.append(prev.id)
        if token and r.email:
            session.add(_award_mail(ctx, org, achievement, cred, r, token))
        outcomes[i] = AwardOutcome("reissued" if old else "issued", cred, token, replaced)
    signed_docs = pending()
    for n, cred in enumerate(creds):
        signed = signed_docs[n]
        if verify == "all" or (verify == "first" and n == 0):
            results = proofs.verify_proofs(signed)
            if not results or not results[0].verified:
                raise MicrocredError(
                    "a credential we signed does not verify: issuing stopped",
                    detail=str(results),
                    code="self_check",
                )
        cred.document = signed
        session.add(cred)
        session.add(Event(org_id=org.id, credential_id=cred.id, kind="issued", at=now))
    session.flush()
    return [o for o in outcomes if o is not None]


def _award_mail(
    ctx: IssuingContext,
    org: Organisation,
    ach: Achievement,
    cred: Credential,
    r: Recipient,
    token: str,
) -> OutboxMail:
    """The award e-mail (text and HTML, from ``mailer.award_mail``) queued in the outbox;
    ``issuing.notify.send_outbox`` sends it."""
    mail = mailer.award_mail(
        to=(r.email or "").strip(),
        recipient_name=r.name,
        achievement_name=ach.name,
        issuer_name=org.name,
        credential_url=f"{ctx.base_url}/credentials/{cred.id}",
        claim_url=f"{ctx.base_url}/claim/{token}",
        credential_id=cred.id,
    )
    return OutboxMail(
        to=mail.to,
        subject=mail.subject,
        body=mail.text,
        html=mail.html,
        kind=mail.kind,
        credential_id=cred.id,
    )


def issue_award(
    session: Session,
    ctx: IssuingContext,
    *,
    org: Organisation,
    achievement: Achievement,
    recipient: Recipient,
    on_duplicate: str = "fail",
    notify: bool = True,
    is_sample: bool = False,
    now: datetime | None = None,
) -> AwardOutcome:
    """Issue one credential (verified before it is stored)."""
    [outcome] = issue_batch(
        session,
        ctx,
        org=org,
        achievement=achievement,
        recipients=[recipient],
        on_duplicate=on_duplicate,
        notify=notify,
        is_sample=is_sample,
        verify="all",
        now=now,
    )
    return outcome


def get_credential(
    session: Session, credential_id: str, *, org: Organisation | None = None
) -> Credential:
    cred = session.get(Credential, credential_id)
    if cred is None or (org is not None and cred.org_id != org.id):
        raise MicrocredError(
            f"no credential {credential_id!r}" + (f" in {org.slug!r}" if org else ""),
            code="not_found",
        )
    return cred


def iter_credentials(session: Session, org: Organisation) -> Iterator[Credential]:
    """Every credential of ``org``, oldest first, streamed (not loaded at once)."""
    query = (
        select(Credential)
        .where(Credential.org_id == org.id)
        .order_by(Credential.issued_at, Credential.id)
        .execution_options(yield_per=500)
    )
    yield from session.scalars(query)


def audit(session: Session, org: Organisation, subject: str | None = None) -> list[AuditEntry]:
    q = select(AuditEntry).where(AuditEntry.org_id == org.id).order_by(AuditEntry.at)
    if subject:
        q = q.where(AuditEntry.subject == subject)
    return list(session.scalars(q))
