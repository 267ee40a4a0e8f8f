"""Verifiable presentations (W3C VC Data Model 2.0): build, sign, verify.

A holder (the learner, identified by a DID) wraps credentials in a ``VerifiablePresentation``
and signs it with a Data Integrity proof whose purpose is ``authentication``, bound to the
verifier's ``challenge`` (a nonce it handed out) and ``domain`` (who it is for), so the
presentation cannot be replayed elsewhere. ``verify_presentation`` checks that proof, that
the signing key belongs to the ``holder``, every credential with ``verify_credential``, and
whether each credential was issued to the holder. It never raises for a bad presentation.

Embedded credentials keep their own ``@context`` (VC 2.0's ``verifiableCredential`` is a
graph container that resets the context), so the presentation itself needs only the VC 2.0
context, as Digital Bazaar's ``createPresentation`` makes it. A VC-JWT goes in as an
``EnvelopedVerifiableCredential`` (``id: "data:application/vc+jwt,<jwt>"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from microcred.vc import jsonld, proofs
from microcred.vc._ob_vocab import parse_time
from microcred.vc.errors import ContextError, ExpansionError, SigningError
from microcred.vc.identity import TrustRegistry
from microcred.vc.jsondocs import loads_strict
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.plainform import plain_form_problems
from microcred.vc.recipient import names_email
from microcred.vc.report import Check, Report, Summary, verdict_of
from microcred.vc.verifier import credential_label, credentials_check, verify_credential, verify_jwt

__all__ = [
    "build_presentation",
    "sign_presentation",
    "verify_presentation",
    "is_presentation",
    "presentation_in",
    "PresentationReport",
    "JWT_ENVELOPE",
    "MAX_CLOCK_SKEW",
]

Fetch = Callable[..., bytes]
VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
JWT_ENVELOPE = "data:application/vc+jwt,"
#: a proof ``created`` this far ahead of the verifier's clock still passes (as Digital
#: Bazaar's ``maxClockSkew``); further ahead, it fails
MAX_CLOCK_SKEW = timedelta(minutes=5)
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


# ---- the report ---------------------------------------------------------------------------
@dataclass
class PresentationReport:
    """The presentation's verdict and checks, and one report per credential it holds.

    verdict: ``verified`` (the presentation proof and every credential verified),
    ``indeterminate`` (nothing failed, but something could not be checked, e.g. a
    credential's status list could not be fetched), ``failed`` otherwise.
    """

    verdict: str
    checks: list[Check]
    warnings: list[str]
    holder: str | None
    credentials: list[Report] = field(default_factory=list)
    id: str | None = None
    source: str | None = None

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "VerifiablePresentation",
            "verdict": self.verdict,
            "holder": self.holder,
            "id": self.id,
            "checks": [asdict(c) for c in self.checks],
            "warnings": list(self.warnings),
            "credentials": [r.to_json() for r in self.credentials],
        }
        if self.source is not None:
            out["source"] = self.source
        return out


# ---- building and signing -----------------------------------------------------------------
def _xsd(t: datetime) -> str:
    if t.tzinfo is None:
        raise SigningError("a proof time needs a time zone")
    return t.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _enveloped(token: str) -> dict[str, Any]:
    return {"@context": VC2, "id": JWT_ENVELOPE + token, "type": "EnvelopedVerifiableCredential"}


def build_presentation(
    credentials: Sequence[dict[str, Any] | str], *, holder: str, id: str | None = None
) -> dict[str, Any]:
    """An unsigned VC 2.0 ``VerifiablePresentation`` of ``credentials`` held by ``holder``.

    A credential is a JSON object (embedded as it is, proof included) or a VC-JWT string
    (embedded as an EnvelopedVerifiableCredential). Raises SigningError for anything else.
    """
    if not isinstance(holder, str) or ":" not in holder:
        raise SigningError(f"the holder must be a DID or URL, not {holder!r}")
    embedded: list[dict[str, Any]] = []
    for i, cred in enumerate(credentials):
        if isinstance(cred, str):
            token = cred.strip()
            if not _JWT.match(token):
                raise SigningError(f"credential {i + 1} is a string but not a VC-JWT")
            embedded.append(_enveloped(token))
        elif isinstance(cred, dict):
            embedded.append(json.loads(json.dumps(cred)))  # a deep copy, JSON only
        else:
            raise SigningError(f"credential {i + 1} must be a JSON object or a VC-JWT")
    vp: dict[str, Any] = {"@context": [VC2], "type": ["VerifiablePresentation"]}
    if id is not None:
        vp["id"] = id
    vp["holder"] = holder
    vp["verifiableCredential"] = embedded
    return vp


def sign_presentation(
    vp: dict[str, Any],
    key: Ed25519Multikey,
    *,
    challenge: str,
    domain: str,
    created: datetime | None = None,
    expires: datetime | None = None,
    cryptosuite: str = "eddsa-rdfc-2022",
) -> dict[str, Any]:
    """A copy of ``vp`` with a DataIntegrityProof for ``authentication`` bound to the
    verifier's ``challenge`` and ``domain`` (and, given ``expires``, valid until then).

    Raises SigningError (the key does not belong to the holder, an empty challenge or
    domain, an unknown cryptosuite, a key without secret) or ContextError / ExpansionError
    (eddsa-rdfc-2022: a term no bundled context defines).
    """
    if not isinstance(vp, dict) or "VerifiablePresentation" not in _types(vp.get("type")):
        raise SigningError("a presentation to sign must be a VerifiablePresentation object")
    if not isinstance(challenge, str) or not challenge:
        raise SigningError("a presentation is signed for a challenge (the verifier's nonce)")
    if not isinstance(domain, str) or not domain:
        raise SigningError("a presentation is signed for a domain (the verifier it is for)")
    holder = _holder_id(vp)
    if holder is not None and key.controller != holder:
        raise SigningError(
            f"the key is controlled by {key.controller}, not by the holder {holder}: "
            "sign with the holder's key"
        )
    options: dict[str, Any] = {"challenge": challenge, "domain": domain}
    if expires is not None:
        options["expires"] = _xsd(expires)
    return proofs.sign(
        vp,
        key,
        cryptosuite=cryptosuite,
        created=_xsd(created) if created is not None else None,
        proof_purpose="authentication",
        options=options,
    )


# ---- verifying ----------------------------------------------------------------------------
def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_presentation(doc: Any) -> bool:
    """Is ``doc`` (parsed JSON) a verifiable presentation?"""
    return isinstance(doc, dict) and "VerifiablePresentation" in _types(doc.get("type"))


def presentation_in(data: bytes) -> dict[str, Any] | None:
    """The presentation ``data`` holds (one JSON object whose type includes
    VerifiablePresentation), or None when it holds anything else (a credential, JSON Lines, a
    JWT, an image, broken JSON: the credential verifier reads those and names what is wrong).
    """
    head = data.lstrip()[:1]
    if head not in (b"{", b"\xef"):  # a JSON object, perhaps after a UTF-8 BOM
        return None
    try:
        # duplicate keys refused (I-JSON): such input goes on to the credential verifier,
        # which names the key
        doc = loads_strict(data.decode("utf-8-sig"), "presentation")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return doc if is_presentation(doc) else None


def _holder_id(vp: dict[str, Any]) -> str | None:
    h = vp.get("holder")
    if isinstance(h, dict):
        h = h.get("id")
    return h if isinstance(h, str) and h else None


_parse_time = parse_time


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def verify_presentation(
    vp: Any,
    *,
    challenge: str | None,
    domain: str | None,
    now: datetime,
    fetch: Fetch | None = None,
    unsigned_ok: bool = False,
    trust: TrustRegistry | None = None,
    strict: bool = False,
) -> PresentationReport:
    """Verify a presentation and the credentials in it. Never raises for a bad presentation.

    ``challenge`` / ``domain``: what the verifier expects the proof to be bound to; None
    skips that check (with a warning: such a presentation could be a replay).
    ``unsigned_ok``: accept a presentation without a proof (its holder is then unproven).
    """
    warnings: list[str] = []
    if not isinstance(vp, dict):
        kind = type(vp).__name__.replace("str", "string")
        bad = [Check("shape", "failed", f"a presentation is a JSON object; this is a {kind}")]
        return PresentationReport("failed", bad, warnings, None)
    try:
        jsonld.check_size(vp)
    except ExpansionError as exc:
        too_big = [Check("shape", "failed", exc.user_message)]
        return PresentationReport("failed", too_big, warnings, None)
    holder = _holder_id(vp)
    vp_id = vp.get("id") if isinstance(vp.get("id"), str) else None
    checks: list[Check] = []

    # context
    expanded: list[Any] | None = None
    try:
        expanded = jsonld.expand({k: v for k, v in vp.items() if k != "proof"})
        checks.append(
            Check("context", "passed", "every term is defined by a known JSON-LD context")
        )
    except (ContextError, ExpansionError) as exc:
        checks.append(Check("context", "failed", exc.user_message))
    except RecursionError:
        checks.append(Check("context", "failed", "the presentation is nested too deeply"))
    # plain form (plainform.py): only keys its contexts define, so what is read is what is signed
    plain = plain_form_problems(vp, what="presentation")
    if plain and checks[-1].status == "passed":
        checks[-1] = Check("context", "failed", "; ".join(plain[:5]))

    # shape
    raw_creds = vp.get("verifiableCredential", [])
    cred_list = raw_creds if isinstance(raw_creds, list) else [raw_creds]
    checks.append(_shape_check(vp, holder, cred_list, warnings))

    # proof, key, holder, challenge, domain, created, expires
    checks.extend(
        _proof_checks(vp, holder, challenge, domain, now, fetch, unsigned_ok, expanded, warnings)
    )

    # the credentials
    reports = [_verify_embedded(c, now, fetch, trust, strict) for c in cred_list]
    checks.append(credentials_check(reports, none="the presentation holds no credentials"))
    checks.append(_subject_check(reports, holder, warnings))
    return PresentationReport(
        verdict_of(checks), checks, list(dict.fromkeys(warnings)), holder, reports, vp_id
    )


def _shape_check(
    vp: dict[str, Any], holder: str | None, creds: list[Any], warnings: list[str]
) -> Check:
    problems: list[str] = []
    ctx = vp.get("@context")
    ctx_list = ctx if isinstance(ctx, list) else [ctx]
    if ctx_list[:1] == [VC1]:
        warnings.append("the presentation uses the VC 1.1 data model (VC 2.0 is current)")
    elif ctx_list[:1] != [VC2]:
        problems.append(f"$['@context'] must start with {VC2}")
    if "VerifiablePresentation" not in _types(vp.get("type")):
        problems.append("$.type must include VerifiablePresentation")
    if "VerifiableCredential" in _types(vp.get("type")):
        problems.append(
            "$.type: the document is typed both as a presentation and as a credential; it is "
            "neither until it says which"
        )
    if holder is None:
        problems.append("$.holder must name the holder (a DID or URL)")
    for i, c in enumerate(creds):
        if not isinstance(c, dict):
            problems.append(f"$.verifiableCredential[{i}] must be a JSON object")
    if problems:
        return Check("shape", "failed", "; ".join(problems))
    if not creds:
        warnings.append("the presentation holds no credentials")
    n = len(creds)
    return Check(
        "shape",
        "passed",
        f"a presentation by {holder} of {n} credential{'' if n == 1 else 's'}",
    )


def _proof_checks(
    vp: dict[str, Any],
    holder: str | None,
    challenge: str | None,
    domain: str | None,
    now: datetime,
    fetch: Fetch | None,
    unsigned_ok: bool,
    expanded: list[Any] | None,
    warnings: list[str],
) -> list[Check]:
    names = ("key", "holder", "challenge", "domain", "created", "expires")
    raw = proofs.proofs_of(vp)
    if not raw:
        if unsigned_ok:
            warnings.append(
                "the presentation is not signed: anyone could have put these credentials "
                "together, and nothing shows that its holder presented them"
            )
            return [
                Check("proof", "skipped", "the presentation is not signed (accepted here)"),
                *(
                    Check(n, "skipped", "not checked: the presentation is not signed")
                    for n in names
                ),
            ]
        return [
            Check(
                "proof",
                "failed",
                "the presentation has no proof: nothing shows that its holder presented it",
            ),
            *(Check(n, "skipped", "no proof to check") for n in names),
        ]
    results = proofs.verify_proofs(
        vp,
        fetch=fetch,
        issuer_id=holder,
        expected_purpose="authentication",
        expanded=expanded,
        now=now,
    )
    paired = list(zip(raw, results, strict=True))
    good = [(p, r) for p, r in paired if r.verified]
    for _, r in paired:
        warnings.extend(r.warnings)
    if not good:
        return _failed_proof(results, names)
    # prefer the holder's proof that matches the challenge and domain asked for
    best_proof, best = max(
        good,
        key=lambda pr: (
            pr[1].controller == holder,
            challenge is None or pr[0].get("challenge") == challenge,
            domain is None or domain in _types(pr[0].get("domain")),
        ),
    )
    out = [
        Check(
            "proof",
            "passed",
            f"the signature ({best.suite}, for authentication) matches the presentation",
        ),
        Check("key", "passed", f"signed with {best.verification_method}")
        if best.controller is not None
        else Check(
            "key",
            "could_not_check",
            f"signed with {best.verification_method}, but nothing confirms whose key that is: "
            f"{best.unconfirmed or 'no document lists it'}",
        ),
    ]
    if holder is None:
        out.append(Check("holder", "failed", "the presentation names no holder"))
    elif best.controller is None:
        out.append(
            Check(
                "holder",
                "could_not_check",
                f"nothing confirms that the key that signed belongs to the holder {holder}",
            )
        )
    elif best.controller == holder:
        out.append(Check("holder", "passed", f"the key belongs to the holder {holder}"))
    else:
        out.append(
            Check(
                "holder",
                "failed",
                f"the key is controlled by {best.controller}, not by the holder {holder}: "
                "someone else signed this presentation",
            )
        )
    out.append(_challenge_check(best_proof.get("challenge"), challenge, warnings))
    out.append(_domain_check(best_proof.get("domain"), domain, warnings))
    out.extend(_time_checks(best_proof, now))
    return out


def _failed_proof(results: list[proofs.ProofResult], names: tuple[str, ...]) -> list[Check]:
    by_kind = {r.kind: r for r in reversed(results)}
    rest = [Check(n, "skipped", "no verified proof") for n in names[1:]]
    for kind in ("proof", "context"):
        if kind in by_kind:
            r = by_kind[kind]
            key = (
                Check("key", "passed", f"signed with {r.verification_method}")
                if r.controller is not None
                else Check("key", "skipped", "the proof failed before its key was used")
            )
            return [Check("proof", "failed", r.error or "the proof does not verify"), key, *rest]
    if "key" in by_kind:
        r = by_kind["key"]
        return [
            Check("proof", "failed", "the signature could not be checked: its key is unusable"),
            Check("key", "failed", r.error or "the key cannot be resolved"),
            *rest,
        ]
    if "could_not_check" in by_kind:
        r = by_kind["could_not_check"]
        return [
            Check("proof", "could_not_check", "the signature could not be checked without the key"),
            Check("key", "could_not_check", r.error or "the key could not be fetched"),
            *rest,
        ]
    r = results[0]
    return [
        Check("proof", "failed", f"no supported proof: {r.error}"),
        Check("key", "skipped", "no supported proof"),
        *rest,
    ]


def _challenge_check(given: Any, expected: str | None, warnings: list[str]) -> Check:
    if expected is None:
        warnings.append(
            "no challenge was given to check the presentation against: it could be a replay "
            "of one made for someone else"
        )
        return Check("challenge", "skipped", "no challenge was expected")
    if given is None:
        return Check(
            "challenge",
            "failed",
            f"the presentation's proof has no challenge; {expected!r} was expected",
        )
    if given != expected:
        return Check(
            "challenge",
            "failed",
            f"the presentation was made for the challenge {given!r}, not {expected!r}: "
            "it is a replay of an earlier presentation or an answer to another request",
        )
    return Check("challenge", "passed", f"made for the challenge {expected!r}")


def _domain_check(given: Any, expected: str | None, warnings: list[str]) -> Check:
    if expected is None:
        warnings.append(
            "no domain was given to check the presentation against: it could have been made "
            "for another verifier"
        )
        return Check("domain", "skipped", "no domain was expected")
    if given is None:
        return Check(
            "domain", "failed", f"the presentation's proof has no domain; {expected!r} was expected"
        )
    domains = _types(given)
    if expected not in domains:
        shown = ", ".join(repr(d) for d in domains)
        return Check(
            "domain",
            "failed",
            f"the presentation was made for {shown}, not for {expected!r}: "
            "it was replayed to another verifier",
        )
    return Check("domain", "passed", f"made for {expected!r}")


def _time_checks(proof: dict[str, Any], now: datetime) -> list[Check]:
    out: list[Check] = []
    raw_created = proof.get("created")
    created = _parse_time(raw_created)
    if raw_created is None:
        out.append(Check("created", "skipped", "the proof gives no creation time"))
    elif created is None:
        out.append(Check("created", "failed", f"the proof's created {raw_created!r} is no date"))
    elif created > now + MAX_CLOCK_SKEW:
        out.append(
            Check(
                "created",
                "failed",
                f"the presentation claims to be made on {_fmt(created)}, in the future",
            )
        )
    else:
        out.append(Check("created", "passed", f"made on {_fmt(created)}"))
    raw_expires = proof.get("expires")
    expires = _parse_time(raw_expires)
    if raw_expires is None:
        out.append(Check("expires", "passed", "the proof does not expire"))
    elif expires is None:
        out.append(Check("expires", "failed", f"the proof's expires {raw_expires!r} is no date"))
    elif expires < now:
        out.append(
            Check("expires", "failed", f"the presentation's proof expired on {_fmt(expires)}")
        )
    else:
        out.append(Check("expires", "passed", f"the proof is valid until {_fmt(expires)}"))
    return out


def _verify_embedded(
    cred: Any, now: datetime, fetch: Fetch | None, trust: TrustRegistry | None, strict: bool
) -> Report:
    if isinstance(cred, dict) and "EnvelopedVerifiableCredential" in _types(cred.get("type")):
        envelope = cred.get("id")
        if isinstance(envelope, str) and envelope.startswith(JWT_ENVELOPE):
            report = verify_jwt(
                envelope[len(JWT_ENVELOPE) :], now=now, fetch=fetch, trust=trust, strict=strict
            )
            report.credential.format = "VC-JWT (enveloped)"
            return report
        checks = [
            Check("format", "failed", f"an enveloped credential must be a {JWT_ENVELOPE}... URL")
        ]
        return Report("failed", checks, [], Summary())
    report = verify_credential(cred, now=now, fetch=fetch, trust=trust, strict=strict)
    if report.credential.format is None:
        report.credential.format = "JSON"
    return report


def _subject_check(reports: list[Report], holder: str | None, warnings: list[str]) -> Check:
    """Was each credential issued to the holder? A subject named by e-mail (an identifier,
    or a mailto: id) or by nothing cannot be tied to the holder's key: a warning. A subject
    with another id is someone else's credential: a failure."""
    if holder is None or not reports:
        return Check("subject", "skipped", "no holder or no credentials to compare")
    others: list[str] = []
    unbound = checked = 0
    for i, r in enumerate(reports):
        if not isinstance(r.document, dict):
            continue  # unreadable: its own report says why
        checked += 1
        subjects = [s for s in _types(r.document.get("credentialSubject")) if isinstance(s, dict)]
        ids = [s.get("id") for s in subjects]
        if holder in ids:
            continue
        real = [s for s in ids if isinstance(s, str) and not s.startswith("mailto:")]
        if real:
            others.append(f"{credential_label(r, i)} was issued to {real[0]}")
            continue
        unbound += 1
        by_email = any(names_email(s) for s in subjects)
        how = "by e-mail address" if by_email else "without an id"
        warnings.append(
            f"{credential_label(r, i)} names its subject {how}, not by the holder's DID: "
            f"it cannot be tied to {holder}"
        )
    if others:
        return Check("subject", "failed", "; ".join(others) + f", not to the holder {holder}")
    if checked == 0 or unbound == checked:
        return Check("subject", "skipped", "no credential names its subject by the holder's DID")
    note = f" ({unbound} not tied to the holder: see the warnings)" if unbound else ""
    return Check("subject", "passed", f"issued to the holder {holder}{note}")
