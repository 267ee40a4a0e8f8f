"""The verifier: one entry point for JSON, JSON Lines, VC-JWT, baked PNG/SVG and URLs.

``verify_credential`` never raises for a bad credential: everything wrong with it is a
failed check in the report. ``verify_bytes`` raises ``InputError`` only for input that is
not a credential at all (too big, unknown format, broken JSON: the message says where).
A status list or DID document that cannot be fetched makes the verdict ``indeterminate``,
never "not revoked".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from microcred.vc import jsonld, openbadges, proofs, statuslist, vcjwt
from microcred.vc._ob_vocab import parse_time
from microcred.vc.baking import sniff_image, unbake
from microcred.vc.errors import (
    BakingError,
    ContextError,
    ExpansionError,
    FetchFailed,
    InputError,
    StatusListError,
    VCError,
)
from microcred.vc.identity import IssuerIdentity, TrustRegistry, domain_of
from microcred.vc.jsondocs import parse_documents
from microcred.vc.plainform import plain_form_problems
from microcred.vc.report import CHECK_ORDER, Check, Report, Summary, verdict_of
from microcred.vc.summary import summarize

__all__ = [
    "verify_bytes",
    "verify_credential",
    "verify_text",
    "verify_url",
    "InputError",
    "MAX_INPUT_BYTES",
    "ACCEPTED_FORMATS",
]

Fetch = Callable[..., bytes]
MAX_INPUT_BYTES = 5 * 1024 * 1024
ACCEPTED_FORMATS = (
    "a JSON credential, a JSON Lines file (one credential per line), a VC-JWT, "
    "a baked PNG or SVG badge image, or an https URL"
)
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
OLD_OB = {
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "3.0.0",
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": "3.0.0",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "3.0.1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "3.0.2",
}
STATUS_ACCEPT = (
    "application/vc+ld+json, application/vc, application/ld+json, application/json, "
    "application/vc+jwt"
)


# ---- entry points -------------------------------------------------------------------------
# a status list is re-signed (``validFrom`` now) whenever its issuer revokes: a verifier
# whose clock runs a little behind the issuer's, or read its clock just before fetching a
# list signed that second, must not call the list "not yet valid"
STATUS_LIST_CLOCK_SKEW = timedelta(minutes=5)


def verify_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    now: datetime | None = None,
    fetch: Fetch | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
    trust: TrustRegistry | None = None,
    strict: bool = False,
) -> list[Report]:
    """Verify whatever ``data`` holds. Raises InputError for unreadable input."""
    name = filename or "input"
    if len(data) > max_bytes:
        raise InputError(
            f"{name} is {len(data) / 1_048_576:.1f} MB; "
            f"the limit is {max_bytes / 1_048_576:.0f} MB",
            code="too_large",
        )
    kind = sniff_image(data)
    if kind is not None:
        try:
            payload = unbake(data)
        except BakingError as exc:
            raise InputError(f"{name}: {exc}", code="bad_image") from None
        reports = verify_text(
            payload,
            filename=name,
            now=now,
            fetch=fetch,
            allow_url=False,
            trust=trust,
            strict=strict,
        )
        for r in reports:
            r.credential.format = f"baked {kind.upper()} ({r.credential.format})"
        return reports
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            f"{name} is not a supported format: give {ACCEPTED_FORMATS}", code="unknown_format"
        ) from None
    return verify_text(text, filename=name, now=now, fetch=fetch, trust=trust, strict=strict)


def verify_text(
    text: str,
    *,
    filename: str | None = None,
    now: datetime | None = None,
    fetch: Fetch | None = None,
    allow_url: bool = True,
    trust: TrustRegistry | None = None,
    strict: bool = False,
    _depth: int = 0,
) -> list[Report]:
    name = filename or "input"
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{name} is empty: give {ACCEPTED_FORMATS}", code="empty")
    if stripped[0] in "{[":
        docs = parse_documents(text, name)
        return [
            _with_source(
                verify_credential(
                    d, now=now, fetch=fetch, trust=trust, strict=strict, _depth=_depth
                ),
                name,
                "JSON",
            )
            for _, d in docs
        ]
    if _JWT.match(stripped):
        report = verify_jwt(
            stripped, now=now, fetch=fetch, trust=trust, strict=strict, _depth=_depth
        )
        return [_with_source(report, name, "VC-JWT")]
    if allow_url and re.match(r"^https?://\S+$", stripped):
        if fetch is None:
            raise InputError("verifying a URL needs fetching, which is off here", code="no_fetch")
        return verify_url(stripped, now=now, fetch=fetch, trust=trust, strict=strict)
    raise InputError(
        f"{name} is not a supported format: give {ACCEPTED_FORMATS}", code="unknown_format"
    )


def verify_url(
    url: str,
    *,
    now: datetime | None = None,
    fetch: Fetch,
    trust: TrustRegistry | None = None,
    strict: bool = False,
) -> list[Report]:
    """Fetch ``url`` (through the caller's guarded fetcher) and verify what it returns."""
    try:
        data = fetch(
            url,
            accept="application/vc+ld+json, application/ld+json, application/json, "
            "application/vc+jwt, image/png, image/svg+xml",
        )
    except FetchFailed as exc:
        raise InputError(exc.user_message, code="fetch_failed") from None
    reports = verify_bytes(data, filename=url, now=now, fetch=fetch, trust=trust, strict=strict)
    return reports


def _with_source(report: Report, source: str, fmt: str) -> Report:
    report.source = source
    if report.credential.format is None:
        report.credential.format = fmt
    return report


# ---- one credential -----------------------------------------------------------------------
_parse_time = parse_time


def _issuer_id(doc: dict[str, Any]) -> str | None:
    iss = doc.get("issuer")
    if isinstance(iss, str):
        return iss
    if isinstance(iss, dict):
        ident = iss.get("id")
        if isinstance(ident, str):
            return ident
    return None


def verify_credential(
    doc: Any,
    *,
    now: datetime | None = None,
    fetch: Fetch | None = None,
    trust: TrustRegistry | None = None,
    strict: bool = False,
    _jwt: vcjwt.JwtVerification | None = None,
    _depth: int = 0,
    _nested: bool = False,
) -> Report:
    """Verify one credential (a JSON object). Never raises for a bad credential.

    ``trust``: the registries of issuers this verifier knows (``identity.TrustRegistry``);
    with it the report's identity level can be "registered", and a credential whose issuer
    name is a registered issuer's but which that issuer did not sign fails. ``strict``:
    departures from Open Badges 3.0 that do not change what the credential says (the
    report's ``conformance``) fail the shape check instead of being reported apart.
    """
    now = now or datetime.now(UTC)
    checks: list[Check] = []
    warnings: list[str] = []
    if not isinstance(doc, dict):
        checks.append(
            Check(
                "shape",
                "failed",
                "a credential is a JSON object; this is "
                f"a JSON {type(doc).__name__.replace('str', 'string')}",
            )
        )
        return Report(verdict_of(checks), checks, warnings, Summary(), document=None)
    try:
        jsonld.check_size(doc)  # before anything recursive or quadratic looks at it
    except ExpansionError as exc:
        checks = [
            Check("shape", "failed", exc.user_message),
            Check("proof", "skipped", "not checked: the document is refused as too large"),
        ]
        return Report("failed", checks, warnings, Summary(), document=None)
    summary = summarize(doc)
    issuer = _issuer_id(doc)

    # context
    expanded: list[Any] | None = None
    try:
        # the proofs are checked on their own (an unknown proof type is a warning there)
        expanded = jsonld.expand({k: v for k, v in doc.items() if k != "proof"})
        ctx = doc.get("@context")
        ctx_list = ctx if isinstance(ctx, list) else [ctx]
        for url in ctx_list:
            if isinstance(url, str) and url in OLD_OB:
                warnings.append(f"the credential uses the older Open Badges context {OLD_OB[url]}")
        if ctx_list[:1] == [VC1]:
            warnings.append("the credential uses the VC 1.1 data model (VC 2.0 is current)")
        checks.append(
            Check("context", "passed", "every term is defined by a known JSON-LD context")
        )
    except (ContextError, ExpansionError) as exc:
        checks.append(Check("context", "failed", exc.user_message))
    except RecursionError:
        checks.append(Check("context", "failed", "the credential is nested too deeply"))
    # plain form (plainform.py): only keys its contexts define, so what is read is what is signed
    plain = plain_form_problems(doc)
    if plain and checks[-1].status == "passed":
        checks[-1] = Check("context", "failed", "; ".join(plain[:5]))

    # shape: what decides trust fails; departures from the specification are reported apart
    problems = openbadges.check_shape(doc)
    conformance = [f"{p.path}: {p.message}" for p in problems if not p.trust]
    failing = [f"{p.path}: {p.message}" for p in problems if p.trust or strict]
    both = _both_credential_and_presentation(doc)
    if both:
        failing.insert(0, both)
    if failing:
        shown = "; ".join(failing[:5])
        more = f" (and {len(failing) - 5} more)" if len(failing) > 5 else ""
        checks.append(Check("shape", "failed", shown + more))
    elif conformance:
        checks.append(
            Check(
                "shape",
                "passed",
                "the credential has what a verifier needs to judge it; it does not fully follow "
                "Open Badges 3.0 (see conformance)",
            )
        )
    else:
        checks.append(Check("shape", "passed", "the credential has the fields its type requires"))

    # proof, key, issuer
    signer: str | None
    signer_key: str | None
    if _jwt is not None:
        checks.extend(_jwt_checks(_jwt, issuer))
        warnings.extend(_jwt.warnings)
        signer = _jwt.controller if _jwt.verified else None
        signer_key = _jwt.key_fingerprint if signer else None
    else:
        proof_checks, signer, signer_key = _proof_checks(
            doc, fetch, issuer, warnings, expanded, now
        )
        checks.extend(proof_checks)

    # dates
    v1 = isinstance(doc.get("@context"), list) and doc["@context"][:1] == [VC1]
    start_field, end_field = (
        ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    )
    start = _parse_time(doc.get(start_field) or doc.get("validFrom"))
    end = _parse_time(doc.get(end_field) or doc.get("validUntil"))
    if _jwt is not None:  # the token's own signed limits count too: the stricter wins
        if _jwt.not_before is not None and (start is None or _jwt.not_before > start):
            start = _jwt.not_before
        if _jwt.expires is not None and (end is None or _jwt.expires < end):
            end = _jwt.expires
    if start is None:
        checks.append(Check("not_yet_valid", "skipped", f"no readable {start_field}"))
    elif start > now + (STATUS_LIST_CLOCK_SKEW if _depth else timedelta(0)):
        checks.append(
            Check("not_yet_valid", "failed", f"the credential is not valid before {_fmt(start)}")
        )
    else:
        checks.append(Check("not_yet_valid", "passed", f"valid from {_fmt(start)}"))
    if end is None:
        checks.append(Check("expiry", "passed", "the credential does not expire"))
    elif end < now:
        checks.append(Check("expiry", "failed", f"the credential expired on {_fmt(end)}"))
    else:
        checks.append(Check("expiry", "passed", f"valid until {_fmt(end)}"))

    # status
    if _depth == 0:
        status_check, status_notes = _status_check(doc, now, fetch, signer, signer_key, strict)
        checks.append(status_check)
        conformance.extend(status_notes)
    if doc.get("credentialSchema"):
        warnings.append(
            "credentialSchema is not checked (the shape check applies the Open Badges rules)"
        )

    # who issued it; a registered issuer's name on someone else's credential fails
    identity = issuer_identity(issuer, signer, summary.issuer_name, trust)
    impostor = _impersonation(identity, signer, summary.issuer_name, trust)
    if impostor is not None:
        checks = [c for c in checks if c.name != "issuer"] + [impostor]

    # the credentials it carries (a CLR's achievements): each is verified on its own
    nested: list[Report] = []
    if not _nested and _depth == 0:
        nested = _verify_nested(doc, now=now, fetch=fetch, trust=trust, strict=strict)
        if nested:
            checks.append(credentials_check(nested, none=""))
    report = Report(
        verdict_of(checks),
        _ordered(checks),
        _dedupe(warnings),
        summary,
        document=doc,
        issuer_identity=identity,
        conformance=[] if strict else _dedupe(conformance),
        signer=signer,
        signer_key=signer_key,
        nested=nested,
    )
    return report


def _ordered(checks: list[Check]) -> list[Check]:
    rank = {name: i for i, name in enumerate(CHECK_ORDER)}
    return sorted(checks, key=lambda c: rank.get(c.name, len(rank)))


def _both_credential_and_presentation(doc: dict[str, Any]) -> str | None:
    raw = doc.get("type")
    types = raw if isinstance(raw, list) else [raw]
    if "VerifiablePresentation" in types:
        return (
            "$.type: the document is typed both as a credential and as a presentation; "
            "it is neither until it says which"
        )
    return None


# ---- identity -----------------------------------------------------------------------------
def issuer_identity(
    issuer: str | None, signer: str | None, name: str | None, trust: TrustRegistry | None
) -> IssuerIdentity:
    """How far the issuer's identity is established (``identity`` module). Only a signer
    proven to be the issuer lifts the level above "self-asserted"."""
    if issuer is None or signer != issuer:
        return IssuerIdentity("self-asserted", issuer, name)
    entry = trust.lookup(issuer) if trust is not None else None
    domain = domain_of(issuer)
    if entry is not None:
        return IssuerIdentity("registered", issuer, name, domain, entry.registry)
    if domain is not None:
        return IssuerIdentity("domain", issuer, name, domain)
    return IssuerIdentity("self-asserted", issuer, name)


def _impersonation(
    identity: IssuerIdentity, signer: str | None, name: str | None, trust: TrustRegistry | None
) -> Check | None:
    """A credential whose issuer name is a registered issuer's, proven signed by someone
    else. (Nothing proven about the signer: the key check already says "could not check".)"""
    if trust is None or not name or signer is None:
        return None
    known = trust.named(name)
    if not known:
        return None
    if identity.level in ("registered", "domain") and any(e.id == identity.id for e in known):
        return None
    who = known[0]
    return Check(
        "issuer",
        "failed",
        f"the credential claims to be from “{who.name}” but is not signed by {who.name} "
        f"({who.id}, listed in {who.registry}): it is made to look like theirs",
    )


# ---- credentials inside a credential ------------------------------------------------------
MAX_NESTED = 100


def _verify_nested(
    doc: dict[str, Any],
    *,
    now: datetime,
    fetch: Fetch | None,
    trust: TrustRegistry | None,
    strict: bool,
) -> list[Report]:
    """Each credential a CLR carries (``credentialSubject.verifiableCredential``), verified
    on its own: the CLR's signature vouches for the bundle, not for who issued each part."""
    subjects = doc.get("credentialSubject")
    found: list[Any] = []
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if isinstance(subject, dict):
            inner = subject.get("verifiableCredential")
            if inner is not None:
                found.extend(inner if isinstance(inner, list) else [inner])
    reports: list[Report] = []
    for item in found[:MAX_NESTED]:
        if isinstance(item, str) and _JWT.match(item.strip()):
            r = verify_jwt(
                item.strip(), now=now, fetch=fetch, trust=trust, strict=strict, _nested=True
            )
        else:
            r = verify_credential(
                item, now=now, fetch=fetch, trust=trust, strict=strict, _nested=True
            )
        reports.append(r)
    if len(found) > MAX_NESTED:
        reports.append(
            Report(
                "failed",
                [Check("shape", "failed", f"more than {MAX_NESTED} credentials in one CLR")],
                [],
                Summary(),
            )
        )
    return reports


def credentials_check(reports: list[Report], *, none: str) -> Check:
    """The ``credentials`` check over the reports of the credentials a document carries (a
    presentation's, a CLR's): failed if one failed, could not check if one could not be
    checked, each named with its first such check. ``none``: the message for no credentials."""
    if not reports:
        return Check("credentials", "passed", none)
    failed = [i for i, r in enumerate(reports) if r.verdict == "failed"]
    unsure = [i for i, r in enumerate(reports) if r.verdict == "indeterminate"]

    def which(indexes: list[int], status: str) -> str:
        parts = []
        for i in indexes[:5]:
            why = next((c for c in reports[i].checks if c.status == status), None)
            parts.append(
                credential_label(reports[i], i) + (f" ({why.name}: {why.message})" if why else "")
            )
        return "; ".join(parts)

    if failed:
        return Check("credentials", "failed", f"not verified: {which(failed, 'failed')}")
    if unsure:
        return Check(
            "credentials",
            "could_not_check",
            f"could not be checked: {which(unsure, 'could_not_check')}",
        )
    n = len(reports)
    return Check(
        "credentials",
        "passed",
        f"{'the' if n == 1 else f'all {n}'} credential{'s' * (n > 1)} verified",
    )


def credential_label(report: Report, i: int) -> str:
    name = report.credential.name or report.credential.achievement_name
    return f"credential {i + 1}" + (f" «{name}»" if name else "")


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _proof_checks(
    doc: dict[str, Any],
    fetch: Fetch | None,
    issuer: str | None,
    warnings: list[str],
    expanded: list[Any] | None,
    now: datetime,
) -> tuple[list[Check], str | None, str | None]:
    """The proof, key and issuer checks, the proven owner of the key that signed and that
    key's material."""
    results = proofs.verify_proofs(doc, fetch=fetch, issuer_id=issuer, expanded=expanded, now=now)
    if not results:
        return (
            [
                Check(
                    "proof", "failed", "the credential has no proof: anyone could have written it"
                ),
                Check("key", "skipped", "no proof to take a key from"),
                Check("issuer", "skipped", "no verified proof"),
            ],
            None,
            None,
        )
    good = [r for r in results if r.verified]
    for r in results:
        warnings.extend(r.warnings)
        if r.kind == "unsupported" and (good or len(results) > 1):
            warnings.append(f"a proof was not checked: {r.error}")
    if good:
        # the issuer is bound to the proof that verified: prefer one whose key is proven to
        # be the issuer's, then one whose owner is proven at all
        best = max(
            good,
            key=lambda r: (issuer is not None and r.controller == issuer, r.controller is not None),
        )
        for r in results:
            if not r.verified and r.kind != "unsupported":
                warnings.append(f"another proof did not verify: {r.error}")
        out = [
            Check("proof", "passed", f"the signature ({best.suite}) matches the credential"),
            _key_check(
                best.verification_method, best.controller, best.unconfirmed, best.key_source
            ),
            _issuer_binding(issuer, best.controller, best.unconfirmed),
        ]
        return out, best.controller, best.key_fingerprint if best.controller else None
    return _failed_proof_checks(results), None, None


def _key_check(
    vm: str | None, owner: str | None, unconfirmed: str | None, source: str | None
) -> Check:
    shown = vm or "the key given with the credential"
    if owner is None:
        return Check(
            "key",
            "could_not_check",
            f"signed with {shown}, but nothing confirms whose key that is: "
            f"{unconfirmed or 'no document lists it'}",
        )
    if source and source.startswith("https://"):
        return Check("key", "passed", f"signed with {shown}, listed by {owner}'s own document")
    return Check("key", "passed", f"signed with {shown}, the key of {owner}")


def _failed_proof_checks(results: list[proofs.ProofResult]) -> list[Check]:
    """Nothing verified: the most telling failure."""
    by_kind = {r.kind: r for r in reversed(results)}
    if "proof" in by_kind or "context" in by_kind:
        r = by_kind.get("proof") or by_kind["context"]
        key_status = (
            Check("key", "passed", f"signed with {r.verification_method}")
            if r.controller is not None
            else Check("key", "skipped", "the proof failed before its key was used")
        )
        return [
            Check("proof", "failed", r.error or "the proof does not verify"),
            key_status,
            Check("issuer", "skipped", "no verified proof"),
        ]
    if "key" in by_kind:
        r = by_kind["key"]
        return [
            Check(
                "proof",
                "failed",
                "the signature cannot be accepted: its key is not usable "
                "as the signer's (see the key check)",
            ),
            Check("key", "failed", r.error or "the key cannot be resolved"),
            Check("issuer", "skipped", "no verified proof"),
        ]
    if "could_not_check" in by_kind:
        r = by_kind["could_not_check"]
        return [
            Check("proof", "could_not_check", "the signature could not be checked without the key"),
            Check("key", "could_not_check", r.error or "the key could not be fetched"),
            Check("issuer", "skipped", "no verified proof"),
        ]
    r = results[0]
    return [
        Check("proof", "failed", f"no supported proof: {r.error}"),
        Check("key", "skipped", "no supported proof"),
        Check("issuer", "skipped", "no verified proof"),
    ]


def _issuer_binding(issuer: str | None, owner: str | None, unconfirmed: str | None) -> Check:
    """Is the key that signed proven to be the issuer's?

    Only the key's own resolution counts (a did:key is its own key; a did:web or https
    issuer's own document lists it), never what the credential says of its key. An issuer id
    no document can exist for (a urn:uuid, say) can never be tied to a key: skipped, and the
    identity level says "self-asserted".
    """
    if issuer is None:
        return Check("issuer", "failed", "the credential names no issuer")
    if owner is None:
        return Check(
            "issuer",
            "could_not_check",
            f"nothing confirms that the key that signed belongs to the issuer {issuer}",
        )
    if owner == issuer:
        return Check("issuer", "passed", f"the key belongs to the issuer {issuer}")
    if issuer.startswith(("did:", "https://", "http://")):
        return Check(
            "issuer",
            "failed",
            f"the key is controlled by {owner}, not by the "
            f"issuer {issuer}: the credential may be made to look like someone else's",
        )
    return Check(
        "issuer",
        "skipped",
        f"the issuer is identified as {issuer}, which no key can be bound to; the credential "
        f"was signed by {owner}, whose name it does not prove",
    )


def _jwt_checks(v: vcjwt.JwtVerification, issuer: str | None) -> list[Check]:
    if v.verified:
        return [
            Check("proof", "passed", "the JWT signature matches the credential"),
            _key_check(v.key_id, v.controller, v.unconfirmed, v.key_source),
            _issuer_binding(issuer, v.controller, v.unconfirmed),
        ]
    if v.error_kind == "key":
        return [
            Check(
                "proof",
                "failed",
                "the signature cannot be accepted: its key is not usable "
                "as the signer's (see the key check)",
            ),
            Check("key", "failed", v.error or "the key cannot be resolved"),
            Check("issuer", "skipped", "no verified signature"),
        ]
    if v.error_kind == "could_not_check":
        return [
            Check("proof", "could_not_check", "the signature could not be checked without the key"),
            Check("key", "could_not_check", v.error or "the key could not be fetched"),
            Check("issuer", "skipped", "no verified signature"),
        ]
    return [
        Check("proof", "failed", v.error or "the JWT signature does not verify"),
        Check("key", "skipped", "the signature failed"),
        Check("issuer", "skipped", "no verified signature"),
    ]


def verify_jwt(
    token: str,
    *,
    now: datetime | None = None,
    fetch: Fetch | None = None,
    trust: TrustRegistry | None = None,
    strict: bool = False,
    _depth: int = 0,
    _nested: bool = False,
) -> Report:
    try:
        decoded = vcjwt.decode_vc_jwt(token)
    except VCError as exc:
        checks = [Check("proof", "failed", exc.user_message)]
        return Report(
            "failed",
            checks,
            [],
            Summary(format="VC-JWT"),
            issuer_identity=IssuerIdentity("self-asserted"),
        )
    credential = decoded.credential
    issuer = _issuer_id(credential) if isinstance(credential, dict) else None
    verification = vcjwt.verify_vc_jwt(token, fetch=fetch, issuer_id=issuer)
    report = verify_credential(
        credential,
        now=now,
        fetch=fetch,
        trust=trust,
        strict=strict,
        _jwt=verification,
        _depth=_depth,
        _nested=_nested,
    )
    report.credential.format = "VC-JWT"
    return report


# ---- status -------------------------------------------------------------------------------
def _status_check(
    doc: dict[str, Any],
    now: datetime,
    fetch: Fetch | None,
    signer: str | None,
    signer_key: str | None,
    strict: bool,
) -> tuple[Check, list[str]]:
    """The status check, and conformance notes (a list shorter than the minimum).

    A status list counts only when it is verified and speaks for the credential's issuer:
    issued by the same issuer and signed by the same proven key owner, or signed by the very
    key proven to be the issuer's (a did:web issuer whose lists are issued under the did:key
    of the same key). A list from anyone else cannot speak for the credential ("could not
    check").
    """
    notes: list[str] = []
    raw = doc.get("credentialStatus")
    if not raw:
        return Check(
            "status", "skipped", "the credential has no status list (it cannot be revoked)"
        ), notes
    entries = raw if isinstance(raw, list) else [raw]
    messages: list[str] = []
    issuer = _issuer_id(doc)
    for entry in entries:
        if not isinstance(entry, dict):
            return Check("status", "failed", "credentialStatus must be an object"), notes
        etype = entry.get("type")
        if etype not in ("BitstringStatusListEntry", "StatusList2021Entry"):
            return Check(
                "status",
                "could_not_check",
                f"the status method {etype!r} is not supported, so revocation could not be checked",
            ), notes
        url = entry.get("statusListCredential")
        if not isinstance(url, str):
            return Check(
                "status", "failed", "the status entry has no statusListCredential URL"
            ), notes
        if fetch is None:
            return Check(
                "status",
                "could_not_check",
                f"the status list {url} was not fetched (fetching is off)",
            ), notes
        try:
            data = fetch(url, accept=STATUS_ACCEPT)
        except FetchFailed as exc:
            return Check(
                "status", "could_not_check", f"the status list could not be fetched: {exc}"
            ), notes
        try:
            # the list's own status is not followed (_depth): a list naming itself must not loop
            list_reports = verify_text(
                data.decode("utf-8"), filename=url, now=now, fetch=fetch, allow_url=False, _depth=1
            )
        except (VCError, UnicodeDecodeError) as exc:
            return Check(
                "status", "could_not_check", f"the status list at {url} is unreadable: {exc}"
            ), notes
        list_report = list_reports[0]
        if list_report.verdict != "verified" or list_report.document is None:
            failed = [
                c for c in list_report.checks if c.status != "passed" and c.status != "skipped"
            ]
            why = failed[0].message if failed else list_report.verdict
            return Check(
                "status", "could_not_check", f"the status list at {url} does not verify ({why})"
            ), notes
        list_issuer = _issuer_id(list_report.document)
        same_issuer = list_issuer == issuer and signer is not None and list_report.signer == signer
        same_key = (
            signer is not None
            and signer == issuer
            and signer_key is not None
            and list_report.signer is not None
            and list_report.signer == list_issuer
            and list_report.signer_key == signer_key
        )
        if not (same_issuer or same_key):
            by = list_report.signer or "a key nothing ties to anyone"
            return Check(
                "status",
                "could_not_check",
                f"the status list at {url} is issued by {list_issuer} and signed by {by}, not "
                f"by the credential's issuer {issuer}: it cannot speak for this credential",
            ), notes
        try:
            result = statuslist.check_status(
                entry, list_report.document, minimum_bits=statuslist.MIN_BITS if strict else 1
            )
        except statuslist.UnsupportedStatus as exc:
            return Check("status", "could_not_check", str(exc)), notes
        except StatusListError as exc:
            return Check(
                "status", "could_not_check", f"the status list at {url} cannot be read: {exc}"
            ), notes
        notes.extend(result.conformance)
        if result.set:
            return Check(
                "status",
                "failed",
                f"{result.message} (status list {url}, index {entry.get('statusListIndex')})",
            ), notes
        messages.append(result.message)
    return Check("status", "passed", "; ".join(messages) or "not revoked"), notes
