"""VC-JWT: a credential secured as a compact JWS (Open Badges 3.0 §8.2, VC-JWT 1.1 style).

Two shapes are read: the credential in the ``vc`` claim (OB 3.0 / VC Data Model 1.1 JWT,
with ``iss``, ``jti``, ``sub``, ``nbf``, ``exp`` mapped from it), and the VC 2.0 style where the
payload *is* the credential. ``sign_vc_jwt`` writes the first, as Open Badges 3.0 asks.

- ``decode_vc_jwt`` raises ``JwtError`` for a token that is not a JWS holding a credential.
- ``verify_vc_jwt`` never raises for a bad token: it returns a ``JwtVerification``.

Algorithms: EdDSA (Ed25519), RS256 (RSA ≥ 2048 bits), ES256 (P-256); anything else fails.
The key comes from the header's ``kid`` (resolved with ``dids.resolve_key``: its controller's
own document must list it) or, failing that, its ``jwk``, which is a claim of the token
itself: it counts only when the issuer's own document lists the same key material
(``dids.confirm_jwk``); otherwise ``unconfirmed`` says why. The result names the key's
proven ``controller``; comparing it with the issuer is the caller's check. ``nbf``/``exp``
are returned; the verifier holds them against its clock with the credential's own dates.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from microcred.vc.dids import Fetch, confirm_jwk, resolve_key
from microcred.vc.errors import (
    FetchFailed,
    KeyFormatError,
    ResolutionError,
    SigningError,
    VCError,
)
from microcred.vc.keys import Ed25519Multikey

ErrorKind = Literal["proof", "key", "could_not_check"]
ALGORITHMS = ("EdDSA", "RS256", "ES256")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_PUBLIC_JWK_MEMBERS = ("kty", "crv", "x", "y", "n", "e")


class JwtError(VCError):
    """The token is not a compact JWS with JSON header and payload holding a credential."""

    code = "jwt"


@dataclass(frozen=True)
class DecodedJwt:
    header: dict[str, Any]
    payload: dict[str, Any]
    credential: dict[str, Any]
    signing_input: bytes
    signature: bytes
    style: Literal["vc_claim", "payload"] = "vc_claim"


@dataclass
class JwtVerification:
    """The outcome: ``verified``, or ``error`` (a sentence) with ``error_kind``."""

    verified: bool
    error: str | None = None
    error_kind: ErrorKind | None = None
    warnings: list[str] = field(default_factory=list)
    key_id: str | None = None
    controller: str | None = None  # whose key it is, proven (None: not confirmed)
    unconfirmed: str | None = None  # why nothing confirms whose key it is
    key_source: str | None = None  # the document that listed the key
    key_fingerprint: str | None = None  # the key material (``KeyBinding.fingerprint``)
    credential: dict[str, Any] | None = None
    not_before: datetime | None = None
    expires: datetime | None = None
    issued_at: datetime | None = None


# ---- encoding helpers ---------------------------------------------------------------------
def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(part: str, what: str) -> bytes:
    if not _B64URL.fullmatch(part):
        raise JwtError(f"the token's {what} is not base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise JwtError(f"the token's {what} is not valid base64url") from None


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    from microcred.vc.errors import InputError
    from microcred.vc.jsondocs import loads_strict  # duplicate keys refused (I-JSON)

    try:
        value = loads_strict(raw.decode("utf-8"), f"the token's {what}")
    except InputError as exc:
        if exc.code == "duplicate_key":
            raise JwtError(str(exc)) from None
        raise JwtError(f"the token's {what} is not JSON") from None
    except UnicodeDecodeError:
        raise JwtError(f"the token's {what} is not JSON") from None
    if not isinstance(value, dict):
        raise JwtError(f"the token's {what} is not a JSON object")
    return value


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        vid = value.get("id")
        return vid if isinstance(vid, str) else None
    return None


def _numeric_date(value: Any, what: str) -> int:
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise SigningError(f"the credential's {what} {value!r} is not an ISO 8601 date") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp())


def _from_numeric_date(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# ---- signing ------------------------------------------------------------------------------
def sign_vc_jwt(
    credential: dict[str, Any], key: Ed25519Multikey, *, now: datetime | None = None
) -> str:
    """A compact JWS (EdDSA) with the credential in the ``vc`` claim and the JWT claims mapped.

    Raises SigningError (no issuer, malformed dates, key without its secret or id).
    """
    if not isinstance(credential, dict):
        raise SigningError("a credential to sign is a JSON object")
    issuer = _id_of(credential.get("issuer"))
    if not issuer:
        raise SigningError("the credential has no issuer id, which a VC-JWT needs for 'iss'")
    if not key.has_secret or not key.id:
        raise SigningError("signing needs a key with its secret part and an id (the JWT 'kid')")
    claims: dict[str, Any] = {"vc": credential, "iss": issuer}
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    for prop, claim in (
        ("validFrom", "nbf"),
        ("issuanceDate", "nbf"),
        ("validUntil", "exp"),
        ("expirationDate", "exp"),
    ):
        if prop in credential and claim not in claims:
            claims[claim] = _numeric_date(credential[prop], prop)
    claims["iat"] = int((now or datetime.now(UTC)).timestamp())
    header = {"alg": "EdDSA", "typ": "JWT", "kid": key.id}
    signing_input = ".".join(
        _b64encode(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        for part in (header, claims)
    )
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64encode(signature)}"


# ---- decoding -----------------------------------------------------------------------------
def decode_vc_jwt(token: str | bytes) -> DecodedJwt:
    """Split and parse a VC-JWT without verifying it.

    Raises JwtError (not three parts, bad base64url, header or payload not a JSON object,
    payload holding no credential).
    """
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise JwtError("the token is not ASCII text") from None
    if not isinstance(token, str):
        raise JwtError("the token is not text")
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError(f"a compact JWS has 3 dot-separated parts; this token has {len(parts)}")
    header = _json_object(_b64decode(parts[0], "header"), "header")
    payload = _json_object(_b64decode(parts[1], "payload"), "payload")
    signature = _b64decode(parts[2], "signature")
    style: Literal["vc_claim", "payload"]
    if isinstance(payload.get("vc"), dict):
        credential, style = payload["vc"], "vc_claim"
    elif "@context" in payload or "credentialSubject" in payload:
        credential, style = payload, "payload"
    else:
        raise JwtError("the token's payload is neither a credential nor has a 'vc' claim")
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    return DecodedJwt(header, payload, credential, signing_input, signature, style)


# ---- verification -------------------------------------------------------------------------
def verify_vc_jwt(
    token: str | bytes, *, fetch: Fetch | None, issuer_id: str | None = None
) -> JwtVerification:
    """Verify the signature of a VC-JWT and the mapping of its JWT claims onto the credential.

    ``verified`` says the signature matches the key and the claims match the credential; the
    caller binds the key to the issuer by comparing ``controller`` with the issuer id
    (``controller`` is None for a key taken from the ``jwk`` header). ``fetch`` is the guarded
    fetcher used to resolve a ``kid`` (None: never fetch). Never raises for a bad token;
    FetchFailed while resolving the key gives ``could_not_check``.
    """
    try:
        decoded = decode_vc_jwt(token)
    except JwtError as exc:
        return JwtVerification(False, str(exc), "proof")
    result = JwtVerification(False, credential=decoded.credential)
    payload = decoded.payload
    result.not_before = _from_numeric_date(payload.get("nbf"))
    result.expires = _from_numeric_date(payload.get("exp"))
    result.issued_at = _from_numeric_date(payload.get("iat"))

    def fail(message: str, kind: ErrorKind = "proof") -> JwtVerification:
        result.error, result.error_kind = message, kind
        return result

    header = decoded.header
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        if alg == "none":
            return fail("the token is not signed (its algorithm is 'none')")
        return fail(f"the token's algorithm {alg!r} is not accepted (EdDSA, RS256, ES256 are)")
    if "crit" in header:
        return fail("the token has critical header parameters this verifier does not understand")
    issuer = issuer_id or _id_of(decoded.credential.get("issuer"))

    kid, jwk = header.get("kid"), header.get("jwk")
    public_key: Any = None
    if kid is not None:
        if not isinstance(kid, str) or not kid:
            return fail("the token's 'kid' header is not a string", "key")
        if kid.startswith("#") and issuer:
            kid = issuer + kid
        try:
            resolved = resolve_key(kid, fetch=fetch)
        except FetchFailed as exc:
            return fail(f"the key {kid} could not be fetched: {exc}", "could_not_check")
        except (ResolutionError, KeyFormatError) as exc:
            return fail(f"the key {kid} could not be resolved: {exc}", "key")
        result.key_id, result.controller = resolved.id, resolved.owner
        result.unconfirmed, result.key_source = resolved.unconfirmed, resolved.source
        result.key_fingerprint = resolved.fingerprint
        public_key = resolved.key if resolved.key is not None else resolved.jwk
    elif isinstance(jwk, dict):
        # the signature is checked with the header's key first; whose key it is comes next
        problem = _check_signature(alg, jwk, decoded) if isinstance(alg, str) else None
        if problem is not None:
            return fail(*problem)
        try:
            bound = confirm_jwk(jwk, controller=issuer, fetch=fetch)
        except (ResolutionError, KeyFormatError) as exc:
            return fail(f"the key in the token's 'jwk' header is not the issuer's: {exc}", "key")
        result.key_id, result.controller = bound.id, bound.owner
        result.unconfirmed, result.key_source = bound.unconfirmed, bound.source
        result.key_fingerprint = bound.fingerprint
        public_key = bound.key if bound.key is not None else jwk
    else:
        return fail("the token names no key: it has neither a 'kid' nor a 'jwk' header", "key")

    if not isinstance(public_key, Ed25519Multikey | dict):
        return fail("the token's key could not be read", "key")
    problem = _check_signature(alg, public_key, decoded)
    if problem is not None:
        return fail(*problem)
    problem_text = _check_claims(payload, decoded.credential, issuer)
    if problem_text is not None:
        return fail(problem_text)
    result.verified = True
    return result


def _check_signature(alg: str, key: Any, decoded: DecodedJwt) -> tuple[str, ErrorKind] | None:
    """None if the signature verifies, else (sentence, error kind)."""
    if isinstance(key, Ed25519Multikey):
        if alg != "EdDSA":
            return f"the token says {alg} but its key is an Ed25519 key", "key"
        ok = key.verify(decoded.signature, decoded.signing_input)
    else:
        kty, crv = key.get("kty"), key.get("crv")
        wanted = {"EdDSA": ("OKP", "Ed25519"), "RS256": ("RSA", None), "ES256": ("EC", "P-256")}
        if (kty, crv if kty != "RSA" else None) != wanted[alg]:
            kind = " ".join(str(v) for v in (kty, crv) if v)
            return f"the token says {alg} but its key is of another type ({kind or 'none'})", "key"
        public_jwk = {k: v for k, v in key.items() if k in _PUBLIC_JWK_MEMBERS}
        algorithm: Any = {
            "EdDSA": OKPAlgorithm(),
            "RS256": RSAAlgorithm(RSAAlgorithm.SHA256),
            "ES256": ECAlgorithm(ECAlgorithm.SHA256),
        }[alg]
        try:
            public_key = algorithm.from_jwk(public_jwk)
        except (InvalidKeyError, ValueError, TypeError, KeyError):
            return "the token's key is a malformed JWK", "key"
        if alg == "RS256" and public_key.key_size < 2048:
            return f"the RSA key has {public_key.key_size} bits; at least 2048 are needed", "key"
        try:
            ok = algorithm.verify(decoded.signing_input, public_key, decoded.signature)
        except (ValueError, TypeError):
            ok = False
    if not ok:
        return (
            "the signature does not match: the token was altered or signed by another key",
            "proof",
        )
    return None


def _check_claims(
    payload: dict[str, Any], credential: dict[str, Any], issuer: str | None
) -> str | None:
    """The JWT claims must say what the credential says (VC-JWT 1.1 §6.3.1)."""
    checks = [("iss", issuer, "the issuer id")]
    checks.append(("jti", credential.get("id"), "the credential id"))
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    subject_ids = [s.get("id") for s in subjects if isinstance(s, dict) and s.get("id")]
    for claim, expected, what in checks:
        if claim in payload and payload[claim] != expected:
            return f"the token's '{claim}' claim {payload[claim]!r} is not {what} {expected!r}"
    if "sub" in payload and payload["sub"] not in subject_ids:
        shown = subject_ids[0] if len(subject_ids) == 1 else subject_ids
        return f"the token's 'sub' claim {payload['sub']!r} is not the subject id {shown!r}"
    return None
