"""Data Integrity proofs: eddsa-rdfc-2022 and eddsa-jcs-2022 (sign and verify), and, verify
only, the legacy cryptosuite name eddsa-2022 and Ed25519Signature2020.

``sign`` raises on caller mistakes; ``verify_proofs`` never raises for a bad credential: it
returns one ``ProofResult`` per proof.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from microcred.vc import jcs, jsonld
from microcred.vc._ob_vocab import parse_time
from microcred.vc.dids import Fetch, KeyBinding, resolve_key
from microcred.vc.errors import (
    CanonicalizationError,
    ContextError,
    ExpansionError,
    FetchFailed,
    KeyFormatError,
    ResolutionError,
    SigningError,
)
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.multibase import decode_z, encode_z

__all__ = ["sign", "verify_proofs", "ProofResult", "SUPPORTED_CRYPTOSUITES", "proofs_of"]

SUPPORTED_CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
LEGACY = {"eddsa-2022": "eddsa-rdfc-2022"}


@dataclass
class ProofResult:
    """The outcome of one proof.

    kind: "" when verified; "proof" (bad signature, malformed proof, a proof that expired or
    was made in the future), "key" (the verification method cannot be resolved, holds no
    usable key, or its controller's document does not list it for the purpose),
    "unsupported" (a proof type or cryptosuite this verifier does not know),
    "could_not_check" (a document that had to be fetched could not be), "context" (the
    document's JSON-LD is not usable).
    """

    verified: bool
    suite: str
    verification_method: str | None = None
    controller: str | None = None  # whose key it is, proven (None: not confirmed)
    error: str | None = None
    kind: str = ""
    warnings: list[str] = field(default_factory=list)
    proof_purpose: str | None = None
    #: set when the signature matched a key that nothing confirms as anyone's (a key written
    #: in the verification method id whose controller's document could not be read)
    unconfirmed: str | None = None
    #: the document that listed the key (the controller's DID document or https document)
    key_source: str | None = None
    #: the key material that verified (``KeyBinding.fingerprint``)
    key_fingerprint: str | None = None


def proofs_of(doc: dict[str, Any]) -> list[Any]:
    p = doc.get("proof")
    if p is None:
        return []
    return p if isinstance(p, list) else [p]


def _now_xsd() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _sha(text: str | bytes) -> bytes:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).digest()


# ---- hashing per suite --------------------------------------------------------------------
def _rdfc_hash_data(
    unsecured: dict[str, Any], proof_config: dict[str, Any], expanded: list[Any] | None = None
) -> bytes:
    config = dict(proof_config)
    config["@context"] = unsecured.get("@context")
    proof_hash = _proof_config_hash(json.dumps(config, sort_keys=True))
    doc_hash = _sha(jsonld.canonicalize(jsonld.to_dataset(unsecured, expanded=expanded)))
    return proof_hash + doc_hash


@lru_cache(maxsize=256)
def _proof_config_hash(config_json: str) -> bytes:
    """Proof options repeat (a batch signed in one second with one key; many credentials of
    one issuer): their canonical hash is kept, keyed by their JSON."""
    return _sha(jsonld.canonical_nquads(json.loads(config_json)))


def _jcs_hash_data(
    unsecured: dict[str, Any], proof_config: dict[str, Any], expanded: list[Any] | None = None
) -> bytes:
    proof_hash = _sha(jcs.dumps(proof_config))
    doc_hash = _sha(jcs.dumps(unsecured))
    return proof_hash + doc_hash


_ed2020_hash_data = _rdfc_hash_data  # the same hashing, under the legacy suite's name


# ---- signing ------------------------------------------------------------------------------
def sign(
    doc: dict[str, Any],
    key: Ed25519Multikey,
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
    verification_method: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``doc`` with a DataIntegrityProof added (kept with any earlier proofs).

    ``options``: further proof options signed with the rest (``challenge``, ``domain``,
    ``expires``, ``nonce``: a presentation's proof carries them).

    Raises SigningError (unsupported cryptosuite, not a JSON object, key without secret),
    ContextError / ExpansionError (eddsa-rdfc-2022: the document uses a context that is not
    bundled or a term no context defines, which would go unsigned).
    """
    if not isinstance(doc, dict):
        raise SigningError("a credential to sign must be a JSON object")
    if cryptosuite not in SUPPORTED_CRYPTOSUITES:
        raise SigningError(
            f"unknown cryptosuite {cryptosuite!r}: use one of {', '.join(SUPPORTED_CRYPTOSUITES)}"
        )
    if not key.has_secret:
        raise SigningError("the key has no secret part and cannot sign")
    vm = verification_method or key.id
    if not vm:
        raise SigningError("the key has no verification method id (give its controller)")
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    config: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": cryptosuite,
        "created": created or _now_xsd(),
        "verificationMethod": vm,
        "proofPurpose": proof_purpose,
    }
    for name, value in (options or {}).items():
        if name in config or name in ("proofValue", "@context"):
            raise SigningError(f"the proof option {name!r} cannot be given as an extra option")
        config[name] = value
    if cryptosuite == "eddsa-jcs-2022":
        if "@context" in unsecured:
            config["@context"] = unsecured["@context"]
        data = _jcs_hash_data(unsecured, config)
    else:
        data = _rdfc_hash_data(unsecured, config)
    proof = dict(config)
    proof["proofValue"] = encode_z(key.sign(data))
    out = copy.deepcopy(doc)
    existing = proofs_of(doc)
    out["proof"] = [*existing, proof] if existing else proof
    return out


# ---- verification -------------------------------------------------------------------------
def verify_proofs(
    doc: dict[str, Any],
    *,
    fetch: Fetch | None = None,
    issuer_id: str | None = None,
    expected_purpose: str = "assertionMethod",
    expanded: list[Any] | None = None,
    now: datetime | None = None,
) -> list[ProofResult]:
    """Verify every proof on ``doc``; never raises for a bad credential.

    ``issuer_id`` is not trusted for anything: the key's owner comes from the key's own
    resolution (``dids.resolve_key``); the caller compares it with the issuer or holder.
    ``now``: a proof whose ``expires`` has passed, or whose ``created`` lies ahead of ``now``
    (beyond five minutes of clock skew), fails (assertion proofs; a presentation's proof
    times are the presentation verifier's own checks).

    ``expanded``: the strict JSON-LD expansion of ``doc`` without its proof, when the caller
    has it already (the verifier's context check does), so it is not computed twice.
    """
    proofs = proofs_of(doc)
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    return [
        _verify_one(unsecured, p, fetch, expected_purpose, expanded, now or datetime.now(UTC))
        for p in proofs
    ]


CLOCK_SKEW = timedelta(minutes=5)


def _time_problem(proof: dict[str, Any], now: datetime) -> str | None:
    """A signed time limit the proof breaks: ``expires`` passed, ``created`` in the future."""
    expires = _parse_time(proof.get("expires"))
    if proof.get("expires") is not None and expires is None:
        return "the proof's expires is not a date-time"
    if expires is not None and expires < now:
        return f"the proof expired on {expires:%Y-%m-%d %H:%M UTC}"
    created = _parse_time(proof.get("created"))
    if created is not None and created > now + CLOCK_SKEW:
        return f"the proof says it was created on {created:%Y-%m-%d %H:%M UTC}, in the future"
    return None


def _parse_time(value: Any) -> datetime | None:
    t = parse_time(value)
    return t.astimezone(UTC) if t is not None else None


def _suite_name(proof: Any) -> str:
    if not isinstance(proof, dict):
        return "(not an object)"
    t = proof.get("type")
    cs = proof.get("cryptosuite")
    return f"{t}/{cs}" if cs else str(t)


def _verify_one(
    unsecured: dict[str, Any],
    proof: Any,
    fetch: Fetch | None,
    purpose: str,
    expanded: list[Any] | None,
    now: datetime,
) -> ProofResult:
    suite = _suite_name(proof)
    if not isinstance(proof, dict):
        return ProofResult(False, suite, error="a proof must be a JSON object", kind="proof")
    warnings: list[str] = []
    ptype = proof.get("type")
    cs = proof.get("cryptosuite")
    hasher: Callable[[dict[str, Any], dict[str, Any], list[Any] | None], bytes]
    if ptype == "DataIntegrityProof":
        if isinstance(cs, str) and cs in LEGACY:
            warnings.append(
                f"the proof uses the legacy cryptosuite name {cs!r}; it is verified as {LEGACY[cs]}"
            )
            hasher = _rdfc_hash_data
        elif cs == "eddsa-rdfc-2022":
            hasher = _rdfc_hash_data
        elif cs == "eddsa-jcs-2022":
            hasher = _jcs_hash_data
        else:
            return ProofResult(
                False,
                suite,
                error=f"the cryptosuite {cs!r} is not supported by this verifier",
                kind="unsupported",
            )
    elif ptype == "Ed25519Signature2020":
        hasher = _ed2020_hash_data
        warnings.append("the proof uses the legacy suite Ed25519Signature2020")
    else:
        return ProofResult(
            False,
            suite,
            error=f"the proof type {ptype!r} is not supported by this verifier",
            kind="unsupported",
        )
    vm_id = proof.get("verificationMethod")
    result = ProofResult(
        False,
        suite,
        verification_method=vm_id if isinstance(vm_id, str) else None,
        warnings=warnings,
        proof_purpose=proof.get("proofPurpose"),
    )
    if proof.get("proofPurpose") != purpose:
        result.error = f"the proof's purpose is {proof.get('proofPurpose')!r}, expected {purpose!r}"
        result.kind = "proof"
        return result
    if purpose == "assertionMethod":
        late = _time_problem(proof, now)
        if late is not None:
            result.error = late
            result.kind = "proof"
            return result
    value = proof.get("proofValue")
    try:
        signature = decode_z(value, what="proofValue")
    except KeyFormatError as exc:
        result.error = str(exc)
        result.kind = "proof"
        return result
    if len(signature) != 64:
        result.error = "proofValue is not a 64-byte Ed25519 signature"
        result.kind = "proof"
        return result
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    doc_for_hash = unsecured
    if ptype == "DataIntegrityProof" and cs == "eddsa-jcs-2022" and "@context" in config:
        ctx = config["@context"]
        dctx = unsecured.get("@context")
        c_list = ctx if isinstance(ctx, list) else [ctx]
        d_list = dctx if isinstance(dctx, list) else [dctx]
        if d_list[: len(c_list)] != c_list:
            result.error = (
                "the proof's @context does not match the start of the document's @context"
            )
            result.kind = "proof"
            return result
    elif ptype == "DataIntegrityProof" and "@context" in config:
        config.pop("@context")
    try:
        data = hasher(doc_for_hash, config, expanded)
    except (ContextError, ExpansionError) as exc:
        result.error = str(exc)
        result.kind = "context"
        return result
    except CanonicalizationError as exc:
        result.error = str(exc)
        result.kind = "proof"
        return result
    except RecursionError:
        result.error = "the document is nested too deeply to canonicalize"
        result.kind = "proof"
        return result
    except (TypeError, ValueError) as exc:  # e.g. JCS of non-JSON numbers
        result.error = f"the document cannot be canonicalized: {exc}"
        result.kind = "proof"
        return result
    try:
        resolved: KeyBinding = resolve_key(vm_id, fetch=fetch, relationship=purpose)
    except FetchFailed as exc:
        result.error = f"the key could not be fetched: {exc}"
        result.kind = "could_not_check"
        return result
    except ResolutionError as exc:
        result.error = str(exc)
        result.kind = "key"
        return result
    if isinstance(vm_id, dict):
        result.verification_method = resolved.id
    result.controller = resolved.owner
    result.unconfirmed = resolved.unconfirmed
    result.key_source = resolved.source
    result.key_fingerprint = resolved.fingerprint
    if resolved.key is None:
        result.error = f"verification method {vm_id!r} is not an Ed25519 key"
        result.kind = "key"
        return result
    if not resolved.key.verify(signature, data):
        result.error = (
            "the signature does not match the credential: "
            "it was changed after signing or signed with another key"
        )
        result.kind = "proof"
        return result
    result.verified = True
    return result
