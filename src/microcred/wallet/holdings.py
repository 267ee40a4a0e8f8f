"""Credentials in a learner's wallet: import (verified first), the ones microcred issued
(claim), re-checks, and each row's current state.

Every function takes the learner and touches only that learner's rows: the id of another
learner's credential raises ``NotFound``, exactly as an id that does not exist.

Import runs the verifier on what was given. A credential whose verdict is ``failed`` is
refused (``CredentialRefused`` naming the failed check); ``verified`` and
``indeterminate`` ones are stored with that verdict (an indeterminate credential stays
indeterminate until a re-check can decide). A credential must also have been issued to
the learner (``vc.recipient.issued_to``): its subject is the learner's DID, or an e-mail
identity (hashed with its salt, or plain) of one of the learner's verified addresses
(``accounts.emails.verified_emails``); any other is refused (``NotYours``, "issued to
someone else: this credential's subject is …, not you"). One input may hold several
credentials (JSON Lines, a JSON array): all are stored or none. A credential already in
the wallet (same ``content_hash``, whatever it came in: JSON, a baked PNG or SVG) is not
stored twice: the import is a no-op for it and returns the existing row with
``created=False``.

Every function that verifies takes ``trust`` (a ``vc.identity.TrustRegistry``: the web app's
``app.state.trust.registry(fetch)``, the CLI's ``verifying.trust.load_registries``): with it
an issuer it lists is "registered", and a credential bearing a registered issuer's name
that this issuer did not sign fails. The report, stored as JSON with the checks, carries
who issued it (``identity_of``) and the departures from Open Badges 3.0 (``conformance_of``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from microcred.accounts.emails import list_addresses, verified_emails
from microcred.errors import MicrocredError
from microcred.store.db import session_scope
from microcred.store.models import Credential, LearnerAccount, WalletCredential, new_id
from microcred.vc.baking import sniff_image
from microcred.vc.errors import FetchFailed
from microcred.vc.identity import IssuerIdentity, TrustRegistry
from microcred.vc.jsondocs import parse_documents
from microcred.vc.recipient import RecipientMatch, describe_subject, issued_to
from microcred.vc.report import Report
from microcred.vc.verifier import MAX_INPUT_BYTES, verify_bytes, verify_credential
from microcred.wallet.errors import (
    ClaimRefused,
    CredentialRefused,
    NotFound,
    NotYours,
    WalletError,
)
from microcred.wallet.extract import Fields, content_hash, fields_of

Fetch = Callable[..., bytes]

MAX_PER_INPUT = 200  # credentials in one file (JSON Lines): each one is verified
MAX_CREDENTIALS = 5000  # credentials in one wallet
DEFAULT_MAX_AGE = timedelta(hours=24)
VIEW_CHECK_SECONDS = 5.0  # a view re-checks for at most this long (a very large wallet)
JSON_TYPE = "application/ld+json"
JWT_TYPE = "application/vc+jwt"
URL_ACCEPT = (
    "application/vc+ld+json, application/ld+json, application/json, "
    "application/vc+jwt, image/png, image/svg+xml"
)
_URL_TEXT = re.compile(r"^\s*https?://\S+\s*$")
_OURS = re.compile(
    r"^(https?://\S+)/credentials/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
STATES = ("verified", "indeterminate", "expired", "revoked", "suspended", "failed")


@dataclass
class Imported:
    """One credential of an import: its row, and False in ``created`` when it was in the
    wallet already (nothing was changed)."""

    credential: WalletCredential
    created: bool


@dataclass(frozen=True)
class Status:
    """Where a wallet credential stands: the verifier's ``verdict`` (verified | failed |
    indeterminate) at ``checked_at``, the ``state`` shown to the learner (verified |
    indeterminate | expired | revoked | suspended | failed: expiry by date counts even
    before a re-check) and, unless verified, the reason in a sentence."""

    verdict: str
    state: str
    reason: str | None
    checked_at: datetime


def utc(t: datetime) -> datetime:
    """``t`` as an aware UTC datetime (SQLite gives naive ones back)."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _now(now: datetime | None) -> datetime:
    return utc(now) if now is not None else datetime.now(UTC)


# ---- reading rows ---------------------------------------------------------------------------
def get_credential(
    session: Session, learner: LearnerAccount, credential_id: str
) -> WalletCredential:
    """The learner's wallet credential ``credential_id``; NotFound otherwise (also for
    another learner's)."""
    row = session.scalar(
        select(WalletCredential).where(
            WalletCredential.id == str(credential_id), WalletCredential.learner_id == learner.id
        )
    )
    if row is None:
        raise NotFound(f"no credential {credential_id!r} in your wallet")
    return row


def get_credentials(
    session: Session, learner: LearnerAccount, credential_ids: list[str]
) -> list[WalletCredential]:
    """The learner's credentials ``credential_ids``, in that order, each once; NotFound
    naming the first id that is not theirs."""
    wanted = list(dict.fromkeys(str(i) for i in credential_ids))
    if not wanted:
        return []
    rows = {
        r.id: r
        for r in session.scalars(
            select(WalletCredential).where(
                WalletCredential.learner_id == learner.id, WalletCredential.id.in_(wanted)
            )
        )
    }
    for cid in wanted:
        if cid not in rows:
            raise NotFound(f"no credential {cid!r} in your wallet")
    return [rows[c] for c in wanted]


def all_credentials(session: Session, learner: LearnerAccount) -> list[WalletCredential]:
    return list(
        session.scalars(
            select(WalletCredential)
            .where(WalletCredential.learner_id == learner.id)
            .order_by(WalletCredential.added_at, WalletCredential.id)
        )
    )


def delete_credential(session: Session, learner: LearnerAccount, credential_id: str) -> None:
    """Remove a credential from the wallet (its collection entries go with it; share links
    to it stop resolving)."""
    row = get_credential(session, learner, credential_id)
    session.delete(row)
    session.flush()


def _own(learner: LearnerAccount, row: WalletCredential) -> None:
    if row.learner_id != learner.id:
        raise NotFound(f"no credential {row.id!r} in your wallet")


# ---- state ----------------------------------------------------------------------------------
def _failed_check(report: dict[str, Any]) -> dict[str, Any] | None:
    for check in report.get("checks") or []:
        if isinstance(check, dict) and check.get("status") == "failed":
            return check
    return None


def status_of(row: WalletCredential, now: datetime | None = None) -> Status:
    """The cheap check for list views: the stored verdict, with expiry by date applied
    (no fetch, no signature check). ``recheck`` is the full one."""
    at = _now(now)
    checked = utc(row.checked_at)
    if row.verdict == "failed":
        check = _failed_check(row.report) or {}
        message = str(check.get("message") or "the credential did not verify")
        name = check.get("name")
        if name == "status":
            state = "suspended" if "suspend" in message.lower() else "revoked"
        elif name == "expiry":
            state = "expired"
        else:
            state = "failed"
        return Status("failed", state, message, checked)
    if row.valid_until is not None and utc(row.valid_until) < at:
        when = utc(row.valid_until).strftime("%Y-%m-%d %H:%M UTC")
        return Status(row.verdict, "expired", f"the credential expired on {when}", checked)
    if row.verdict == "indeterminate":
        reason = next(
            (
                str(c.get("message"))
                for c in row.report.get("checks") or []
                if isinstance(c, dict) and c.get("status") == "could_not_check"
            ),
            "some checks could not be made",
        )
        return Status("indeterminate", "indeterminate", reason, checked)
    return Status(row.verdict, row.verdict, None, checked)


_LEVELS = ("domain", "registered", "self-asserted")


def identity_of(row: WalletCredential) -> IssuerIdentity | None:
    """Who issued it, as the last check established (the report's ``issuer_identity``,
    stored with the checks); None when the row was checked before reports carried it."""
    stored = row.report.get("issuer_identity") if isinstance(row.report, dict) else None
    if not isinstance(stored, dict) or stored.get("level") not in _LEVELS:
        return None

    def text(key: str) -> str | None:
        value = stored.get(key)
        return value if isinstance(value, str) and value else None

    return IssuerIdentity(
        stored["level"],
        id=text("id"),
        name=text("name"),
        domain=text("domain"),
        registry=text("registry"),
    )


def conformance_of(row: WalletCredential) -> list[str]:
    """The last check's departures from Open Badges 3.0 that do not change what the
    credential says ([] when it follows the specification, or was checked before)."""
    stored = row.report.get("conformance") if isinstance(row.report, dict) else None
    problems = stored.get("problems") if isinstance(stored, dict) else None
    return [str(p) for p in problems if isinstance(p, str)] if isinstance(problems, list) else []


def is_current(row: WalletCredential, now: datetime | None = None) -> bool:
    """Verified and not expired by date (what the skills profile counts)."""
    return status_of(row, now).state == "verified"


# ---- the holder ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Holder:
    """Who a learner is to a credential's subject, now: their verified e-mail addresses
    and their DID."""

    emails: tuple[str, ...]
    dids: tuple[str, ...]

    @classmethod
    def of(cls, session: Session, learner: LearnerAccount) -> Holder:
        return cls(tuple(verified_emails(session, learner)), (learner.did,))

    def match(self, document: dict[str, Any]) -> RecipientMatch:
        return issued_to(document, emails=self.emails, dids=self.dids)

    def check(self, where: str, document: dict[str, Any]) -> None:
        """NotYours (naming ``where`` and the credential's subject) unless ``document`` was
        issued to this holder."""
        if self.match(document).matched:
            return
        subject = describe_subject(document)
        hint = (
            " (if it was issued to another address of yours, add and confirm that address "
            "on your account page first)"
            if "e-mail address" in subject
            else ""
        )
        raise NotYours(
            f"{where}: refused: issued to someone else: this credential's subject is "
            f"{subject}, not you{hint}"
        )


# ---- import ---------------------------------------------------------------------------------
@dataclass
class _Item:
    where: str
    original: bytes
    media_type: str
    report: Report
    document: dict[str, Any]
    hash: str


def _media_type(data: bytes) -> str:
    kind = sniff_image(data)
    if kind == "png":
        return "image/png"
    if kind == "svg":
        return "image/svg+xml"
    head = data.decode("utf-8-sig", errors="replace").lstrip()[:1]
    return JSON_TYPE if head in ("{", "[") else JWT_TYPE


_TELLING = ("status", "expiry", "not_yet_valid", "proof", "key", "issuer", "context", "shape")


def _refusal(where: str, report: Report) -> CredentialRefused:
    """Refused, naming every failed check (the most telling first: revoked, expired, a
    bad signature, ... then the shape) and their messages."""
    failed = sorted(
        (c for c in report.checks if c.status == "failed"),
        key=lambda c: _TELLING.index(c.name) if c.name in _TELLING else len(_TELLING),
    )
    if not failed:
        return CredentialRefused(f"{where}: refused: the credential did not verify")
    names = ", ".join(c.name for c in failed)
    plural = "s" if len(failed) > 1 else ""
    messages = "; ".join(c.message for c in failed[:3])
    return CredentialRefused(f"{where}: refused ({names} check{plural} failed): {messages}")


def _originals(data: bytes, media_type: str, name: str, count: int) -> list[tuple[str, bytes]]:
    """(where, bytes) of each credential the input holds, in the verifier's order."""
    if count == 1 or media_type != JSON_TYPE:
        return [(name, data)] * count
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    out: list[tuple[str, bytes]] = []
    for where, doc in parse_documents(text, name):
        m = re.search(r", line (\d+)$", where)
        if m:
            out.append((where, lines[int(m.group(1)) - 1].strip().encode("utf-8")))
        else:
            out.append((where, json.dumps(doc, ensure_ascii=False).encode("utf-8")))
    return out


def _read(
    data: bytes,
    name: str,
    fetch: Fetch | None,
    now: datetime,
    trust: TrustRegistry | None = None,
) -> list[_Item]:
    """Every credential in ``data``, verified (with ``trust``: a registered issuer's name on
    someone else's credential fails); raises for unreadable input and refuses the whole
    input when any credential failed."""
    if len(data) > MAX_INPUT_BYTES:
        verify_bytes(data, filename=name)  # raises the verifier's own size message
    if sniff_image(data) is None:
        try:
            if _URL_TEXT.match(data.decode("utf-8-sig")):
                raise WalletError(f"{name} holds a URL, not a credential: import the URL itself")
        except UnicodeDecodeError:
            pass  # the verifier says what it is not
    media = _media_type(data)
    if media == JSON_TYPE:  # counted before anything is verified (each one costs)
        try:
            held = len(parse_documents(data.decode("utf-8-sig"), name))
        except UnicodeDecodeError:
            held = 1  # the verifier says what is wrong
        if held > MAX_PER_INPUT:
            raise WalletError(
                f"{name} holds {held} credentials; import at most {MAX_PER_INPUT} at a time"
            )
    reports = verify_bytes(data, filename=name, now=now, fetch=fetch, trust=trust)
    if len(reports) > MAX_PER_INPUT:
        raise WalletError(
            f"{name} holds {len(reports)} credentials; import at most {MAX_PER_INPUT} at a time"
        )
    originals = _originals(data, media, name, len(reports))
    items: list[_Item] = []
    for (where, original), report in zip(originals, reports, strict=True):
        if report.verdict == "failed" or not isinstance(report.document, dict):
            raise _refusal(where, report)
        items.append(
            _Item(
                where,
                original,
                media,
                report,
                report.document,
                content_hash(report.document),
            )
        )
    return items


def _find_hash(session: Session, learner: LearnerAccount, digest: str) -> WalletCredential | None:
    return session.scalar(
        select(WalletCredential).where(
            WalletCredential.learner_id == learner.id, WalletCredential.content_hash == digest
        )
    )


def _ours(session: Session, doc: dict[str, Any], digest: str) -> tuple[str | None, str | None]:
    """(issued credential id, renewal page) when ``doc`` is a credential this deployment
    issued, byte for byte the stored one; else (None, None)."""
    cid = doc.get("id")
    m = _OURS.match(cid) if isinstance(cid, str) else None
    if m is None:
        return None, None
    cred = session.get(Credential, m.group(2))
    if cred is None or content_hash(cred.document) != digest:
        return None, None
    return cred.id, f"{m.group(1)}/renew/{cred.id}"


def _room(session: Session, learner: LearnerAccount, adding: int) -> None:
    held = session.scalar(
        select(func.count())
        .select_from(WalletCredential)
        .where(WalletCredential.learner_id == learner.id)
    )
    if int(held or 0) + adding > MAX_CREDENTIALS:
        raise WalletError(f"a wallet holds at most {MAX_CREDENTIALS} credentials")


def _new_row(
    learner: LearnerAccount,
    *,
    digest: str,
    original: bytes,
    media_type: str,
    source: str | None,
    document: dict[str, Any],
    report: Report,
    fields: Fields,
    now: datetime,
    issued_credential_id: str | None,
    renewal_url: str | None,
) -> WalletCredential:
    return WalletCredential(
        id=new_id(),
        learner_id=learner.id,
        content_hash=digest,
        original=original,
        media_type=media_type,
        source=source[:2000] if source else None,
        document=document,
        credential_id=fields.credential_id,
        name=fields.name,
        issuer_id=fields.issuer_id,
        issuer_name=fields.issuer_name,
        valid_from=fields.valid_from,
        valid_until=fields.valid_until,
        verdict=report.verdict,
        report=report.to_json(),
        checked_at=now,
        skills=fields.skills,
        tags=[],
        note=None,
        renewal_url=fields.renewal_url or renewal_url,
        issued_credential_id=issued_credential_id,
        added_at=now,
    )


def import_credentials(
    session: Session,
    learner: LearnerAccount,
    data: bytes,
    *,
    source: str | None,
    fetch: Fetch | None,
    now: datetime | None = None,
    trust: TrustRegistry | None = None,
) -> list[Imported]:
    """Verify and store every credential in ``data`` (JSON, JSON Lines, a JSON array, a
    VC-JWT, a baked PNG or SVG), all or none.

    Raises InputError (not a credential: too large, unknown format, broken JSON: the
    message says where), CredentialRefused (a credential failed verification: the message
    names the check and why; nothing is stored), WalletError (too many credentials)."""
    at = _now(now)
    items = _read(data, source or "input", fetch, at, trust)
    return _store(session, learner, items, source, at)


def import_inputs(
    session: Session,
    learner: LearnerAccount,
    inputs: list[tuple[str, bytes]],
    *,
    fetch: Fetch | None,
    now: datetime | None = None,
    trust: TrustRegistry | None = None,
) -> list[Imported]:
    """``import_credentials`` for several inputs at once (the files of one upload, as
    ``(name, data)``): every credential of every input is verified before anything is
    stored, then all are stored in one step, or none (one refused credential refuses the
    whole upload). Each row's ``source`` is its input's name."""
    at = _now(now)
    items: list[_Item] = []
    sources: list[str | None] = []
    for name, data in inputs:
        read = _read(data, name or "input", fetch, at, trust)
        items.extend(read)
        sources.extend([name or None] * len(read))
    if len(items) > MAX_PER_INPUT:
        raise WalletError(f"import at most {MAX_PER_INPUT} credentials at a time")
    return _store(session, learner, items, None, at, sources=sources)


def _store(
    session: Session,
    learner: LearnerAccount,
    items: list[_Item],
    source: str | None,
    at: datetime,
    *,
    sources: list[str | None] | None = None,
) -> list[Imported]:
    holder = Holder.of(session, learner)
    for item in items:  # every one is the learner's, or nothing is stored
        holder.check(item.where, item.document)
    out: list[Imported] = []
    batch: dict[str, WalletCredential] = {}
    new_rows: list[WalletCredential] = []
    for n, item in enumerate(items):
        if sources is not None:
            source = sources[n]
        existing = batch.get(item.hash) or _find_hash(session, learner, item.hash)
        if existing is not None:
            out.append(Imported(existing, False))
            continue
        issued_id, renewal = _ours(session, item.document, item.hash)
        row = _new_row(
            learner,
            digest=item.hash,
            original=item.original,
            media_type=item.media_type,
            source=source,
            document=item.document,
            report=item.report,
            fields=fields_of(item.document),
            now=at,
            issued_credential_id=issued_id,
            renewal_url=renewal,
        )
        batch[item.hash] = row
        new_rows.append(row)
        out.append(Imported(row, True))
    if new_rows:
        _room(session, learner, len(new_rows))
        _flush_new(session, new_rows)
    return out


def _flush_new(session: Session, rows: list[WalletCredential]) -> None:
    """Store ``rows`` in a savepoint: an import of the same credential at the same moment
    (another request) is a conflict, not a broken transaction."""
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        raise WalletError(
            "the same credential was being added to your wallet at the same moment: try again",
            code="conflict",
        ) from None


def import_credential(
    session: Session,
    learner: LearnerAccount,
    data: bytes,
    *,
    source: str | None,
    fetch: Fetch | None,
    now: datetime | None = None,
    trust: TrustRegistry | None = None,
) -> WalletCredential:
    """``import_credentials`` for input holding one credential: its row (the existing row
    when it was in the wallet already). WalletError when ``data`` holds several."""
    at = _now(now)
    name = source or "input"
    items = _read(data, name, fetch, at, trust)
    if len(items) != 1:
        raise WalletError(
            f"{name} holds {len(items)} credentials: import them with import_credentials"
        )
    return _store(session, learner, items, source, at)[0].credential


def import_url(
    session: Session,
    learner: LearnerAccount,
    url: str,
    *,
    fetch: Fetch,
    now: datetime | None = None,
    trust: TrustRegistry | None = None,
) -> list[Imported]:
    """Fetch ``url`` through the caller's (guarded) fetcher and import what it returns, as
    ``import_credentials`` does. WalletError when it cannot be fetched."""
    url = (url or "").strip()
    data = fetch_url(url, fetch=fetch)
    return import_credentials(session, learner, data, source=url, fetch=fetch, now=now, trust=trust)


def fetch_url(url: str, *, fetch: Fetch) -> bytes:
    """What ``url`` answers, through the caller's (guarded) fetcher. WalletError when it
    is not an http(s) URL or cannot be fetched."""
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 2000:
        raise WalletError(f"{url!r} is not an https URL")
    try:
        return fetch(url, accept=URL_ACCEPT)
    except FetchFailed as exc:
        raise WalletError(exc.user_message, code="fetch_failed") from None


# ---- credentials microcred issued -----------------------------------------------------------
def add_issued(
    session: Session,
    learner: LearnerAccount,
    credential_row: Credential,
    *,
    fetch: Fetch | None = None,
    now: datetime | None = None,
    trust: TrustRegistry | None = None,
) -> WalletCredential:
    """Put a credential this deployment issued (``credential_row``) into the wallet, marked
    with ``issued_credential_id``, its renewal page linked. It is verified like an import
    (pass the web app's ``LocalFirstFetch`` so its status list is read from the database;
    without a fetcher the status cannot be checked and the row is ``indeterminate``). A
    revoked or failed credential is refused. Already in the wallet: the existing row (now
    marked). Refused (``NotYours``) when it was not issued to the learner; the claim
    flow's own words for that are ``claim_into_wallet``'s."""
    at = _now(now)
    doc = credential_row.document
    Holder.of(session, learner).check(str(doc.get("id") or credential_row.id), doc)
    if credential_row.revoked_at is not None:
        raise CredentialRefused("this credential has been revoked by its issuer")
    report = verify_credential(doc, now=at, fetch=fetch, trust=trust)
    if report.verdict == "failed":
        raise _refusal(str(doc.get("id") or credential_row.id), report)
    digest = content_hash(doc)
    cid = doc.get("id")
    m = _OURS.match(cid) if isinstance(cid, str) else None
    renewal = f"{m.group(1)}/renew/{credential_row.id}" if m else None
    existing = _find_hash(session, learner, digest)
    if existing is not None:
        existing.issued_credential_id = credential_row.id
        existing.renewal_url = existing.renewal_url or renewal
        session.flush()
        return existing
    _room(session, learner, 1)
    row = _new_row(
        learner,
        digest=digest,
        original=json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"),
        media_type=JSON_TYPE,
        source=cid if isinstance(cid, str) else None,
        document=doc,
        report=report,
        fields=fields_of(doc),
        now=at,
        issued_credential_id=credential_row.id,
        renewal_url=renewal,
    )
    _flush_new(session, [row])
    return row


def recipient_match(
    session: Session, learner: LearnerAccount, document: dict[str, Any]
) -> RecipientMatch:
    """Whether ``document`` was issued to this learner, as of now: its subject is the
    learner's DID, or an e-mail identity of one of their verified addresses."""
    return Holder.of(session, learner).match(document)


def claim_problem(
    session: Session, learner: LearnerAccount, document: dict[str, Any]
) -> str | None:
    """Why the learner cannot claim ``document``: ``"unconfirmed"`` (it was issued to an
    address of theirs they have not confirmed, or they have confirmed none), ``"other"``
    (issued to someone else); None when it was issued to them."""
    holder = Holder.of(session, learner)
    if holder.match(document).matched:
        return None
    unconfirmed = [a.email for a in list_addresses(session, learner) if not a.verified]
    if not holder.emails or issued_to(document, emails=unconfirmed).matched:
        return "unconfirmed"
    return "other"


def claim_into_wallet(
    session: Session,
    learner: LearnerAccount,
    credential_row: Credential,
    *,
    fetch: Fetch | None = None,
    now: datetime | None = None,
    trust: TrustRegistry | None = None,
) -> WalletCredential:
    """The claim flow's step into the wallet: the credential must have been issued to one
    of the learner's verified addresses (sha256(email + salt) equals the IdentityObject's
    ``identityHash``) or to the learner's DID. Raises ClaimRefused otherwise, then does
    ``add_issued``."""
    problem = claim_problem(session, learner, credential_row.document)
    if problem is not None:
        if problem == "unconfirmed":
            raise ClaimRefused(
                "verify your e-mail address first: only then can a credential issued to it "
                "go into your wallet"
            )
        raise ClaimRefused(
            "this credential was issued to another recipient: it can only go into the "
            "wallet of the account with the e-mail address it was issued to (if that "
            "address is yours, add and confirm it on your account page first)"
        )
    return add_issued(session, learner, credential_row, fetch=fetch, now=now, trust=trust)


# ---- re-check -------------------------------------------------------------------------------
class OncePerView:
    """A Fetch that asks ``fetch`` for each (URL, Accept) once and answers again from
    memory, failures included: one view re-checks many credentials sharing a status list
    with one fetch, and all of them see the same list."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self._seen: dict[tuple[str, str | None], bytes | FetchFailed] = {}
        self._lock = threading.Lock()

    def __call__(self, url: str, *, accept: str | None = None) -> bytes:
        key = (url, accept)
        with self._lock:
            seen = self._seen.get(key)
        if seen is None:
            try:
                seen = self._fetch(url, accept=accept)
            except FetchFailed as exc:
                seen = exc
            with self._lock:
                self._seen[key] = seen
        if isinstance(seen, FetchFailed):
            raise seen
        return seen


def _verify_row(
    row: WalletCredential,
    fetch: Fetch | None,
    at: datetime,
    trust: TrustRegistry | None = None,
) -> Report | None:
    """The verifier's report on the row's original bytes now; None when they can no longer
    be read (the row keeps its last report)."""
    try:
        reports = verify_bytes(
            row.original, filename=row.source or row.name, now=at, fetch=fetch, trust=trust
        )
    except MicrocredError:
        return None
    if not reports:
        return None
    return next(
        (
            r
            for r in reports
            if isinstance(r.document, dict) and content_hash(r.document) == row.content_hash
        ),
        reports[0],
    )


def check_rows(
    rows: list[WalletCredential],
    *,
    fetch: Fetch | None,
    now: datetime | None = None,
    budget: float = VIEW_CHECK_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    trust: TrustRegistry | None = None,
) -> dict[str, Report]:
    """Verify ``rows`` again from their original bytes, each with a fetch shared by the
    call (``OncePerView``): row id -> report. Touches no database, so call it outside any
    write transaction. Rows are taken oldest check first; once ``budget`` seconds are
    spent the rest are left out (they keep their last check: see ``status_of``)."""
    at = _now(now)
    once = OncePerView(fetch) if fetch is not None else None
    started = clock()
    out: dict[str, Report] = {}
    for row in sorted(rows, key=lambda r: utc(r.checked_at)):
        if out and clock() - started > budget:
            break
        report = _verify_row(row, once, at, trust)
        if report is not None:
            out[row.id] = report
    return out


def store_checks(
    session: Session,
    learner: LearnerAccount,
    rows: list[WalletCredential],
    checks: dict[str, Report],
    *,
    now: datetime | None = None,
) -> None:
    """Record what ``check_rows`` found, in one short write (UPDATEs of the learner's rows
    only), and onto ``rows`` themselves (attached to ``session`` or not) so that what is
    shown next is the new state."""
    at = _now(now)
    for row in rows:
        report = checks.get(row.id)
        if report is None:
            continue
        _own(learner, row)
        values = {"verdict": report.verdict, "report": report.to_json(), "checked_at": at}
        session.execute(
            update(WalletCredential)
            .where(WalletCredential.id == row.id, WalletCredential.learner_id == learner.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        for name, value in values.items():
            set_committed_value(row, name, value)


def check_and_store(
    engine: Engine,
    learner: LearnerAccount,
    rows: list[WalletCredential],
    *,
    fetch: Fetch | None,
    now: datetime | None = None,
    trust: TrustRegistry | None = None,
) -> set[str]:
    """A view's re-check: ``check_rows`` outside any transaction, then ``store_checks`` in
    a short one of its own. Returns the ids that were checked (the others, past the time
    budget of a very large wallet, show their last check)."""
    at = _now(now)
    checks = check_rows(rows, fetch=fetch, now=at, trust=trust)
    if checks:
        with session_scope(engine) as session:
            store_checks(session, learner, rows, checks, now=at)
    return set(checks)


def recheck(
    session: Session,
    learner: LearnerAccount,
    row: WalletCredential,
    *,
    fetch: Fetch | None,
    now: datetime | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    force: bool = False,
    trust: TrustRegistry | None = None,
) -> Status:
    """The full check: verify the credential again (signature, dates, status list: it may
    now be revoked, suspended or expired) when the last check is older than ``max_age`` or
    ``force``; stores the new verdict and report. Returns the row's ``Status``."""
    _own(learner, row)
    at = _now(now)
    if not force and utc(row.checked_at) > at - max_age:
        return status_of(row, at)
    report = _verify_row(row, fetch, at, trust)
    if report is not None:
        row.verdict = report.verdict
        row.report = report.to_json()
        row.checked_at = at
        session.flush()
    return status_of(row, at)


def recheck_stale(
    session: Session,
    learner: LearnerAccount,
    *,
    fetch: Fetch | None,
    now: datetime | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    limit: int = 50,
    trust: TrustRegistry | None = None,
) -> int:
    """The full check of the learner's credentials last checked before ``max_age`` (oldest
    first, at most ``limit``), all verified before any is written (no write lock is held
    while verifying); returns how many were checked."""
    at = _now(now)
    rows = list(
        session.scalars(
            select(WalletCredential)
            .where(
                WalletCredential.learner_id == learner.id,
                WalletCredential.checked_at < at - max_age,
            )
            .order_by(WalletCredential.checked_at)
            .limit(limit)
        )
    )
    checks = check_rows(rows, fetch=fetch, now=at, budget=float("inf"), trust=trust)
    store_checks(session, learner, rows, checks, now=at)
    return len(checks)
