"""Taking a wallet away: a ZIP of every credential as it was imported with a manifest, a
CLR 2.0 transcript signed by the platform, and verifiable presentations signed by the
learner.

The platform's key: a ``microcred-platform`` organisation (non-profit/industry body) made
with ``issuing.orgs`` on first use; its current key signs transcripts (eddsa-rdfc-2022),
and its issuer id is a did:web on https deployments, otherwise the did:key of that key.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.accounts.learners import learner_key
from microcred.issuing import orgs
from microcred.issuing.context import IssuingContext
from microcred.store.models import LearnerAccount, Organisation, WalletCredential, new_id
from microcred.vc import jsonld, openbadges, proofs
from microcred.vc.baking import unbake
from microcred.vc.errors import ContextError, ExpansionError, VCError
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import build_presentation, sign_presentation
from microcred.wallet.errors import WalletError
from microcred.wallet.extract import achievement_of, slug
from microcred.wallet.holdings import (
    JWT_TYPE,
    _now,
    all_credentials,
    get_credentials,
    status_of,
    utc,
)

PLATFORM_SLUG = "microcred-platform"
PLATFORM_NAME = "microcred platform"
MAX_TRANSCRIPT = 500
_EXTENSIONS = {
    "application/ld+json": "json",
    JWT_TYPE: "jwt",
    "image/png": "png",
    "image/svg+xml": "svg",
}


# ---- the platform signer --------------------------------------------------------------------
@dataclass
class PlatformSigner:
    """The platform's issuer profile and current key (what signs transcripts)."""

    profile: dict[str, Any]
    key: Ed25519Multikey


def platform_signer(session: Session, ctx: IssuingContext) -> PlatformSigner:
    """The platform organisation's signer, the organisation made on first use."""
    org = session.scalar(select(Organisation).where(Organisation.slug == PLATFORM_SLUG))
    if org is None:
        org = orgs.create_organisation(
            session,
            ctx,
            slug=PLATFORM_SLUG,
            name=PLATFORM_NAME,
            provider_type="nonprofit_industry",
            url=ctx.base_url if ctx.base_url.startswith("https://") else None,
            description="The platform itself: it signs learners' transcripts (CLR 2.0).",
        )
    return PlatformSigner(orgs.profile(session, ctx, org), orgs.signer(session, ctx, org))


# ---- CLR 2.0 transcript ---------------------------------------------------------------------
def _embeddable(row: WalletCredential) -> dict[str, Any] | str:
    """The credential as the issuer signed it: the VC-JWT for a JWT (also one baked in an
    image), else the JSON credential with its proof."""
    if row.media_type == JWT_TYPE:
        return row.original.decode("utf-8-sig").strip()
    if row.media_type in ("image/png", "image/svg+xml"):
        try:
            payload = unbake(row.original).strip()
        except VCError:
            payload = ""
        if payload and not payload.startswith(("{", "[")):
            return payload
    return row.document


def _issuer_of(row: WalletCredential) -> str | None:
    return row.issuer_id


def _refs(ach: dict[str, Any]) -> list[tuple[str, str]]:
    """(association type, achievement id) that ``ach`` states about other achievements:
    an alignment to another achievement is part of it (it stacks into it), a ``related``
    entry is related to it."""
    out: list[tuple[str, str]] = []
    aligns = ach.get("alignment")
    for a in aligns if isinstance(aligns, list) else []:
        if isinstance(a, dict) and isinstance(a.get("targetUrl"), str):
            out.append(("isPartOf", a["targetUrl"]))
    related = ach.get("related")
    for r in related if isinstance(related, list) else []:
        if isinstance(r, dict) and isinstance(r.get("id"), str):
            out.append(("isRelatedTo", r["id"]))
    return out


def associations_of(rows: list[WalletCredential]) -> list[dict[str, Any]]:
    """CLR associations between the achievements of ``rows`` that the data states: among
    credentials of one issuer, an achievement aligned to another of the selection's
    achievements ``isPartOf`` it; one listing it as ``related`` ``isRelatedTo`` it. None
    otherwise (nothing is guessed from names)."""
    achs: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for row in rows:
        ach = achievement_of(row.document)
        if ach is not None and isinstance(ach.get("id"), str):
            achs.setdefault(ach["id"], (_issuer_of(row), ach))
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for source_id, (issuer, ach) in achs.items():
        for kind, target_id in _refs(ach):
            target = achs.get(target_id)
            if target is None or target_id == source_id or target[0] != issuer or issuer is None:
                continue
            if (kind, source_id, target_id) in seen:
                continue
            seen.add((kind, source_id, target_id))
            try:
                out.append(
                    openbadges.association(
                        association_type=kind, source_id=source_id, target_id=target_id
                    )
                )
            except openbadges.ShapeError:
                continue
    return out


def transcript_problem(row: WalletCredential) -> str | None:
    """Why the credential cannot be bundled in a CLR 2.0 transcript as its issuer signed
    it, or None. A VC-JWT always can; a JSON-LD credential cannot when its contexts clash
    with CLR 2.0's (VC 1.1, older Open Badges 3.0 contexts redefine protected terms) or its
    proofs use terms no context defines: the transcript's own signature would cover them."""
    entry = _embeddable(row)
    if isinstance(entry, str):
        return None
    probe = {
        "@context": [
            openbadges.VC_V2_CONTEXT,
            openbadges.CLR_CONTEXT,
            openbadges.OB_CONTEXT.format(version="3.0.3"),
        ],
        "type": ["VerifiableCredential", "ClrCredential"],
        "credentialSubject": {"type": ["ClrSubject"], "verifiableCredential": [entry]},
    }
    try:
        jsonld.expand(probe)
    except (ContextError, ExpansionError) as exc:
        return exc.user_message
    except RecursionError:
        return "the credential is nested too deeply"
    return None


def clr_transcript(
    session: Session,
    learner: LearnerAccount,
    credential_ids: list[str],
    *,
    signer: PlatformSigner,
    now: datetime | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """A CLR 2.0 ``ClrCredential`` about the learner (subject: their DID) bundling the
    chosen credentials as the issuers signed them, with the associations the data states,
    signed by the platform (eddsa-rdfc-2022). NotFound for an id that is not the learner's;
    WalletError for none, or a credential that failed (revoked, expired...)."""
    at = _now(now)
    rows = get_credentials(session, learner, credential_ids)
    if not rows:
        raise WalletError("choose at least one credential for the transcript")
    if len(rows) > MAX_TRANSCRIPT:
        raise WalletError(f"a transcript bundles at most {MAX_TRANSCRIPT} credentials")
    for row in rows:
        state = status_of(row, at)
        if state.verdict == "failed" or state.state == "expired":
            raise WalletError(
                f"{row.name!r} is {state.state} ({state.reason}): it cannot go into a transcript"
            )
        problem = transcript_problem(row)
        if problem is not None:
            raise WalletError(
                f"{row.name!r} cannot go into a CLR 2.0 transcript as its issuer signed it: "
                f"{problem}"
            )
    holder = learner.display_name or "a learner"
    doc = openbadges.clr_credential(
        id=f"urn:uuid:{new_id()}",
        issuer=signer.profile,
        name=name or f"Comprehensive Learner Record of {holder}",
        description=f"{len(rows)} credential{'s' * (len(rows) != 1)} held in the learner's "
        f"wallet, bundled on {at.strftime('%Y-%m-%d')}",
        verifiable_credentials=[_embeddable(r) for r in rows],  # type: ignore[misc]
        valid_from=at.replace(microsecond=0),
        subject_id=learner.did,
        associations=associations_of(rows) or None,
    )
    created = at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return proofs.sign(doc, signer.key, created=created)


def _bundles(row: WalletCredential, at: datetime) -> bool:
    state = status_of(row, at)
    if state.verdict == "failed" or state.state == "expired":
        return False
    return transcript_problem(row) is None


# ---- ZIP export -----------------------------------------------------------------------------
def file_name(row: WalletCredential) -> str:
    """``credentials/<name>-<first 8 of id>.<json|jwt|png|svg>``"""
    ext = _EXTENSIONS.get(row.media_type, "bin")
    return f"credentials/{slug(row.name)}-{row.id[:8]}.{ext}"


def _iso(t: datetime | None) -> str | None:
    return utc(t).isoformat().replace("+00:00", "Z") if t is not None else None


def manifest_entry(row: WalletCredential, now: datetime) -> dict[str, Any]:
    status = status_of(row, now)
    return {
        "id": row.id,
        "name": row.name,
        "issuer": row.issuer_name or row.issuer_id,
        "issuer_id": row.issuer_id,
        "credential_id": row.credential_id,
        "verdict": row.verdict,
        "state": status.state,
        "checked_at": _iso(row.checked_at),
        "source": row.source,
        "file": file_name(row),
        "media_type": row.media_type,
        "valid_from": _iso(row.valid_from),
        "valid_until": _iso(row.valid_until),
        "tags": list(row.tags),
        "note": row.note,
        "skills": list(row.skills),
        "added_at": _iso(row.added_at),
    }


def export_zip(
    session: Session,
    learner: LearnerAccount,
    *,
    signer: PlatformSigner | None = None,
    now: datetime | None = None,
) -> bytes:
    """The wallet as a ZIP: every credential's original bytes under ``credentials/``, a
    ``manifest.json`` (id, name, issuer, verdict, state, source, file, ...) and, given the
    platform ``signer``, ``transcript.clr.json``: a CLR of the credentials that are not
    failed or expired and can be bundled (``transcript_problem``); each manifest entry
    then says ``in_transcript``. No transcript when none can be."""
    at = _now(now)
    rows = all_credentials(session, learner)
    manifest: dict[str, Any] = {
        "about": "A microcred wallet export: each credential as it was imported.",
        "holder": learner.did,
        "exported_at": _iso(at),
        "credentials": [manifest_entry(r, at) for r in rows],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for row in rows:
            zf.writestr(file_name(row), row.original)
        if signer is not None:
            current = [r.id for r in rows if _bundles(r, at)]
            for entry in manifest["credentials"]:
                entry["in_transcript"] = entry["id"] in current
            if current:
                clr = clr_transcript(session, learner, current, signer=signer, now=at)
                manifest["transcript"] = "transcript.clr.json"
                zf.writestr("transcript.clr.json", json.dumps(clr, indent=2, ensure_ascii=False))
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return buffer.getvalue()


# ---- presentations --------------------------------------------------------------------------
def present(
    session: Session,
    learner: LearnerAccount,
    wallet_credential_ids: list[str],
    *,
    challenge: str,
    domain: str,
    secret: bytes,
    expires: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A verifiable presentation of the learner's credentials (as the issuers signed them),
    held by the learner's DID and signed with their key for the verifier's ``challenge``
    and ``domain``. NotFound for an id that is not the learner's; WalletError for none."""
    rows = get_credentials(session, learner, wallet_credential_ids)
    if not rows:
        raise WalletError("choose at least one credential to present")
    if not (challenge or "").strip() or not (domain or "").strip():
        raise WalletError("a presentation needs the verifier's challenge and domain")
    if expires is not None and utc(expires) <= _now(now):
        raise WalletError("expires: the presentation would be expired already")
    vp = build_presentation(
        [_embeddable(r) for r in rows], holder=learner.did, id=f"urn:uuid:{new_id()}"
    )
    return sign_presentation(
        vp,
        learner_key(learner, secret),
        challenge=challenge,
        domain=domain,
        created=_now(now),
        expires=expires,
    )
