"""DIDs and verification methods: did:key, did:web, and https controller documents.

``resolve_verification_method(vm_id, *, fetch, issuer_id)`` returns the public key a proof
names. ``fetch`` is the caller's guarded fetcher (``fetch(url, accept=...) -> bytes``,
raising FetchFailed); the core never opens a connection itself.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from microcred.vc.errors import FetchFailed, KeyFormatError, ResolutionError
from microcred.vc.keys import Ed25519Multikey, public_multibase
from microcred.vc.multibase import b58decode, decode_ed25519_public

Fetch = Callable[..., bytes]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method: its id, controller and Ed25519 key (or a JWK for JWT use)."""

    id: str
    controller: str | None
    key: Ed25519Multikey | None = None
    jwk: dict[str, Any] | None = None
    fetched: bool = False
    #: set when the key was read from the verification method id itself and the issuer's
    #: published keys could not be consulted to confirm it (a warning, not a failure)
    unconfirmed: str | None = None


# ---- did:key ------------------------------------------------------------------------------
def did_key_of(key: Ed25519Multikey) -> str:
    return f"did:key:{key.public_key_multibase}"


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 did:key (Multikey form)."""
    mb = _did_key_multibase(did)
    vm_id = f"{did}#{mb}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": mb}
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }


def _did_key_multibase(did: str) -> str:
    if not did.startswith("did:key:"):
        raise ResolutionError(f"{did!r} is not a did:key")
    mb = did[len("did:key:") :].split("#", 1)[0]
    try:
        decode_ed25519_public(mb, what=f"the key in {did}")
    except KeyFormatError as exc:
        raise ResolutionError(f"{did!r}: only Ed25519 did:key is supported ({exc})") from None
    return mb


# ---- did:web ------------------------------------------------------------------------------
def did_web_url(did: str) -> str:
    """The https URL of a did:web DID document (did:web:host[:path…])."""
    if not did.startswith("did:web:"):
        raise ResolutionError(f"{did!r} is not a did:web")
    parts = did[len("did:web:") :].split("#", 1)[0].split(":")
    host = unquote(parts[0])
    if not host or "/" in host:
        raise ResolutionError(f"{did!r} has no valid host")
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_web_for(base_url: str) -> str:
    """did:web DID for an https base URL (host, optional port, optional path)."""
    u = urlsplit(base_url)
    did = "did:web:" + quote(u.netloc, safe="")
    for seg in [s for s in u.path.split("/") if s]:
        did += ":" + quote(seg, safe="")
    return did


def did_web_document(did: str, keys: list[Ed25519Multikey]) -> dict[str, Any]:
    """A did:web DID document publishing ``keys`` (Multikey) for assertion and authentication."""
    vms = []
    for k in keys:
        vms.append(
            {
                "id": f"{did}#{k.public_key_multibase}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": k.public_key_multibase,
            }
        )
    ids = [vm["id"] for vm in vms]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": vms,
        "assertionMethod": ids,
        "authentication": ids,
    }


# ---- resolution ---------------------------------------------------------------------------
def resolve_verification_method(
    vm_id: Any, *, fetch: Fetch | None, issuer_id: str | None = None
) -> ResolvedKey:
    """Resolve ``vm_id`` to a key.

    Raises ResolutionError (malformed id, unsupported scheme or DID method, key not in the
    document: the key check fails) or FetchFailed (the document could not be fetched: could
    not check).
    """
    if isinstance(vm_id, dict):  # an embedded verification method
        return _key_from_vm(vm_id, vm_id.get("id", "(embedded)"), fetched=False)
    if not isinstance(vm_id, str) or not vm_id:
        raise ResolutionError("the proof has no verificationMethod")
    if ":" not in vm_id:
        raise ResolutionError(f"verificationMethod {vm_id!r} is not a URL or DID (no scheme)")
    base, _, fragment = vm_id.partition("#")
    # A fragment that is itself a Multikey, under a controller equal to the issuer id: the
    # key is in the URL and needs no fetch. Anyone can write such an id, though, so where the
    # issuer's keys can be read (its DID document, or a profile that lists keys) the key must
    # be among them; where they cannot, the key is used with a warning.
    if fragment.startswith("z6Mk") and issuer_id is not None and base == issuer_id:
        try:
            key = Ed25519Multikey.from_public(fragment, id=vm_id, controller=base)
        except KeyFormatError as exc:
            raise ResolutionError(
                f"verificationMethod {vm_id!r} names a key in its fragment, "
                f"but it is malformed ({exc})"
            ) from None
        return _confirm_fragment_key(vm_id, base, key, fetch)
    if vm_id.startswith("did:key:"):
        return _resolve_did_key(vm_id)
    if vm_id.startswith("did:web:"):
        doc = _fetch_json(did_web_url(base), fetch)
        return _find_in_document(doc, vm_id, base)
    if vm_id.startswith("did:"):
        method = vm_id.split(":")[1] if vm_id.count(":") >= 2 else "?"
        raise ResolutionError(
            f"verificationMethod {vm_id!r} uses the DID method did:{method}, which is not "
            "supported (did:key and did:web are)"
        )
    scheme = vm_id.split(":", 1)[0].lower()
    if scheme != "https":
        raise ResolutionError(
            f"verificationMethod {vm_id!r} has the scheme {scheme!r}: only https URLs, did:key "
            "and did:web can be resolved"
        )
    doc = _fetch_json(base, fetch)
    return _find_in_document(doc, vm_id, base)


def _confirm_fragment_key(
    vm_id: str, base: str, key: Ed25519Multikey, fetch: Fetch | None
) -> ResolvedKey:
    if base.startswith("did:key:"):
        return _resolve_did_key(vm_id)
    url = did_web_url(base) if base.startswith("did:web:") else base
    unconfirmed = ResolvedKey(
        vm_id,
        base,
        key,
        unconfirmed=f"the key was read from the verification method id itself; the issuer's "
        f"published keys ({url}) could not be read to confirm it",
    )
    if fetch is None or not (base.startswith("did:web:") or base.startswith("https://")):
        return unconfirmed
    try:
        doc = _fetch_json(url, fetch)
    except (FetchFailed, ResolutionError):
        return unconfirmed
    lists_keys = isinstance(doc, dict) and any(
        doc.get(p) for p in ("verificationMethod", "assertionMethod", "publicKey")
    )
    if not lists_keys and not base.startswith("did:web:"):
        return unconfirmed  # an issuer profile that publishes no keys
    found = _find_in_document(doc, vm_id, base)  # raises ResolutionError when absent
    if found.key is None or found.key.public_bytes != key.public_bytes:
        raise ResolutionError(f"the document at {url} gives another key for {vm_id!r}")
    return found


@lru_cache(maxsize=1024)
def _resolve_did_key(vm_id: str) -> ResolvedKey:
    """did:key needs no fetch: the key is the DID (cached: decoding is the costly part)."""
    did, _, fragment = vm_id.partition("#")
    mb = _did_key_multibase(did)
    if fragment and fragment != mb:
        raise ResolutionError(f"verificationMethod {vm_id!r}: fragment does not match the key")
    return ResolvedKey(vm_id, did, Ed25519Multikey.from_public(mb, id=vm_id, controller=did))


def _fetch_json(url: str, fetch: Fetch | None) -> Any:
    if fetch is None:
        raise FetchFailed(f"{url} would have to be fetched and fetching is off")
    data = fetch(url, accept="application/did+json, application/json, application/ld+json")
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ResolutionError(f"{url} did not return JSON") from None


def _find_in_document(doc: Any, vm_id: str, base: str) -> ResolvedKey:
    if not isinstance(doc, dict):
        raise ResolutionError(f"the document at {base} is not a JSON object")
    if doc.get("id") == vm_id:  # the URL names the key document itself
        return _key_from_vm(doc, vm_id, fetched=True)
    candidates: list[Any] = []
    for prop in ("verificationMethod", "assertionMethod", "publicKey", "authentication"):
        val = doc.get(prop)
        candidates.extend(val if isinstance(val, list) else [val] if val else [])
    fragment = vm_id.partition("#")[2]
    for vm in candidates:
        if not isinstance(vm, dict):
            continue
        vid = vm.get("id", "")
        if vid == vm_id or (fragment and vid == f"#{fragment}"):
            resolved = _key_from_vm(vm, vm_id, fetched=True, default_controller=doc.get("id"))
            return resolved
    raise ResolutionError(f"the document at {base} does not contain the key {vm_id!r}")


def _key_from_vm(
    vm: dict[str, Any], vm_id: str, *, fetched: bool, default_controller: str | None = None
) -> ResolvedKey:
    controller = vm.get("controller") or default_controller
    try:
        if isinstance(vm.get("publicKeyMultibase"), str):
            key = Ed25519Multikey.from_public(
                vm["publicKeyMultibase"], id=vm_id, controller=controller
            )
            return ResolvedKey(vm_id, controller, key, fetched=fetched)
        if isinstance(vm.get("publicKeyBase58"), str):
            raw = b58decode(vm["publicKeyBase58"])
            key = Ed25519Multikey.from_public(
                public_multibase(raw), id=vm_id, controller=controller
            )
            return ResolvedKey(vm_id, controller, key, fetched=fetched)
        jwk = vm.get("publicKeyJwk")
        if isinstance(jwk, dict):
            if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "x" in jwk:
                raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
                key = Ed25519Multikey.from_public(
                    public_multibase(raw), id=vm_id, controller=controller
                )
                return ResolvedKey(vm_id, controller, key, jwk=jwk, fetched=fetched)
            return ResolvedKey(vm_id, controller, None, jwk=jwk, fetched=fetched)
    except (KeyFormatError, ValueError) as exc:
        raise ResolutionError(f"verification method {vm_id!r} has a malformed key: {exc}") from None
    raise ResolutionError(f"verification method {vm_id!r} has no public key this verifier reads")
