"""DIDs and verification methods: did:key, did:jwk, did:web, and https controller documents.

``resolve_key(vm, *, fetch, relationship)`` returns the public key a proof names and whose key
it is proven to be; ``confirm_jwk`` does the same for a key given only as material (a JWT
``jwk`` header). ``fetch`` is the caller's guarded fetcher (``fetch(url, accept=...) ->
bytes``, raising FetchFailed); the core never opens a connection itself.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from microcred.vc.errors import FetchFailed, KeyFormatError, ResolutionError
from microcred.vc.jsondocs import JSONInputError, loads_strict
from microcred.vc.keys import Ed25519Multikey, public_multibase
from microcred.vc.multibase import b58decode, decode_ed25519_public

Fetch = Callable[..., bytes]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


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
    """The https URL of a did:web DID document (did:web:host[:path…]).

    Each part is percent-decoded once and must then name one host or one path segment:
    ``did:web:pages.example:alice:..:mallory`` would otherwise resolve to Mallory's document
    for Alice's DID. Refused (ResolutionError naming the DID): empty, ``.`` and ``..``
    segments; ``/ ? # \\``, spaces and control characters; and any ``%`` left after
    decoding (``%252F`` is ``%2F`` after one decoding, which a server reads as ``/``). The
    host is a DNS name (letters, digits, hyphens, dots) with an optional ``%3A`` port.
    """
    if not did.startswith("did:web:"):
        raise ResolutionError(f"{did!r} is not a did:web")
    parts = did[len("did:web:") :].split("#", 1)[0].split(":")
    decoded = [unquote(p) for p in parts]
    host, segments = decoded[0], decoded[1:]
    if not _DID_WEB_HOST.fullmatch(host):
        raise ResolutionError(
            f"{did!r} has no valid host: a did:web host is a domain name with an optional "
            "%3A port, nothing else"
        )
    for raw, seg in zip(parts[1:], segments, strict=True):
        if seg in ("", ".", "..") or _DID_WEB_BAD_SEGMENT.search(seg):
            raise ResolutionError(
                f"{did!r} has the path segment {raw!r}, which could point outside the DID's "
                "own path (no empty, '.' or '..' segments; no '/', '?', '#', '\\', '%' or "
                "spaces, encoded or not)"
            )
    path = "/".join(segments)
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


# a DNS name (labels of letters, digits, hyphens) and an optional port, after decoding %3A
_DID_WEB_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?::[0-9]{1,5})?"
)
_DID_WEB_BAD_SEGMENT = re.compile(r"[/?#\\%\s\x00-\x1f\x7f]")


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


# ---- resolution and key binding ----------------------------------------------------------
# A key counts as someone's only when a document that they control says so: a did:key or
# did:jwk is its own key; a did:web or https identifier's own document, fetched from where the
# identifier points and naming itself by that identifier, must list the key under the
# relationship asked for (assertionMethod to issue credentials, authentication to present).
# Whatever the credential says about its own key (an embedded verification method's
# controller and key material, a key written in a fragment, a JWT 'jwk' header) is a claim,
# never proof: it is confirmed against the controller's document by key material, or not at
# all (docs/decisions/0005-key-binding.md).
Relationship = str  # "assertionMethod" | "authentication"
_PURPOSE = {
    "assertionMethod": "issue credentials",
    "authentication": "sign presentations",
}


@dataclass(frozen=True)
class KeyBinding:
    """A verification method's key, and whose key it is proven to be.

    ``owner`` is the identifier whose own document (or whose identifier itself: did:key,
    did:jwk) lists the key under the relationship asked for; None when nothing could confirm
    it, and ``unconfirmed`` then says why (the key is still used to check the signature, and
    the verdict can at best be "could not check").
    """

    id: str
    key: Ed25519Multikey | None = None
    jwk: dict[str, Any] | None = None
    owner: str | None = None
    source: str | None = None  # the URL of the document that listed the key
    unconfirmed: str | None = None

    @property
    def fingerprint(self) -> str | None:
        """The public key material, comparable across identifiers (a did:web and a did:key
        can name the same key)."""
        return _material(self.key, self.jwk)


def resolve_key(
    vm: Any, *, fetch: Fetch | None, relationship: Relationship = "assertionMethod"
) -> KeyBinding:
    """The key a proof names, and whose it is proven to be.

    ``vm`` is the proof's ``verificationMethod``: an id, or an embedded object of which only
    the ``id`` is used. Raises ResolutionError (malformed or unsupported id; the controller's
    document does not list the key for ``relationship``; the document names itself otherwise:
    the key check fails) or FetchFailed (the key itself could not be obtained: could not
    check). A key read from the id (a Multikey fragment) whose document could not be read
    comes back with ``owner=None`` and ``unconfirmed`` set.
    """
    vm_id = _vm_id(vm)
    base, _, fragment = vm_id.partition("#")
    if base.startswith("did:key:"):
        return _resolve_did_key(vm_id)
    if base.startswith("did:jwk:"):
        return _resolve_did_jwk(vm_id)
    candidate = _fragment_key(vm_id, fragment)
    if base.startswith("did:web:"):
        url = did_web_url(base)
    elif base.startswith("did:"):
        method = base.split(":")[1] if base.count(":") >= 2 else "?"
        raise ResolutionError(
            f"verificationMethod {vm_id!r} uses the DID method did:{method}, which is not "
            "supported (did:key, did:jwk and did:web are)"
        )
    elif vm_id.split(":", 1)[0].lower() == "https":
        url = base
    elif candidate is not None:
        return KeyBinding(
            vm_id,
            candidate,
            unconfirmed=f"the key is written in the verification method id {vm_id}, under "
            f"{base}, an identifier no document can be fetched for: nothing confirms whose key "
            "it is",
        )
    else:
        scheme = vm_id.split(":", 1)[0].lower()
        raise ResolutionError(
            f"verificationMethod {vm_id!r} has the scheme {scheme!r}: only https URLs, "
            "did:key, did:jwk and did:web can be resolved"
        )
    try:
        doc = _fetch_json(url, fetch)
    except FetchFailed as exc:
        if candidate is None:
            raise
        return KeyBinding(
            vm_id,
            candidate,
            unconfirmed=f"the key is written in the verification method id, and the document "
            f"that would confirm it belongs to {base} could not be read ({exc})",
        )
    if isinstance(doc, dict) and doc.get("id") == vm_id and not fragment:
        return _bind_key_document(doc, url, vm_id, relationship, fetch)
    return bind_in_document(
        doc, url=url, controller=base, vm_id=vm_id, relationship=relationship, candidate=candidate
    )


def _bind_key_document(
    vm_doc: dict[str, Any], url: str, vm_id: str, relationship: Relationship, fetch: Fetch | None
) -> KeyBinding:
    """A verification method served at its own URL: the controller it names must list it in
    the controller's own document (the key document's word alone proves nothing)."""
    controller = vm_doc.get("controller")
    if not isinstance(controller, str) or not controller:
        raise ResolutionError(f"the key document at {url} names no controller")
    if controller.startswith("did:web:"):
        controller_url = did_web_url(controller)
    elif controller.startswith("https://") and "#" not in controller:
        controller_url = controller
    else:
        raise ResolutionError(
            f"the key document at {url} names {controller!r} as its controller, whose "
            "document cannot be read to confirm it"
        )
    controller_doc = _fetch_json(controller_url, fetch)
    return bind_in_document(
        controller_doc,
        url=controller_url,
        controller=controller,
        vm_id=vm_id,
        relationship=relationship,
        external=vm_doc,
    )


def confirm_jwk(
    jwk: dict[str, Any],
    *,
    controller: str | None,
    fetch: Fetch | None,
    relationship: Relationship = "assertionMethod",
) -> KeyBinding:
    """A key given only as material (a JWT's ``jwk`` header), confirmed against the document
    of the ``controller`` it claims (the credential's issuer) by key material. Raises
    ResolutionError when that document is read and does not list the key; never raises
    for an unreachable document (``unconfirmed`` says why)."""
    label = "the key in the token's 'jwk' header"
    if controller is None:
        return KeyBinding(label, jwk=jwk, unconfirmed="the credential names no issuer")
    if controller.startswith(("did:key:", "did:jwk:")):
        own = (
            _resolve_did_key(controller)
            if controller.startswith("did:key:")
            else _resolve_did_jwk(controller)
        )
        if _same_material(own, None, jwk):
            return KeyBinding(own.id, own.key, own.jwk or jwk, owner=controller)
        raise ResolutionError(f"{label} is not the key of the issuer {controller}")
    if controller.startswith("did:web:"):
        url = did_web_url(controller)
    elif controller.startswith("https://"):
        url = controller.partition("#")[0]
    else:
        return KeyBinding(
            label,
            jwk=jwk,
            unconfirmed=f"the issuer {controller} is an identifier no document can be "
            "fetched for, so nothing confirms whose key it is",
        )
    try:
        doc = _fetch_json(url, fetch)
    except (FetchFailed, ResolutionError) as exc:
        return KeyBinding(
            label,
            jwk=jwk,
            unconfirmed=f"the issuer's document ({url}) could not be read to confirm it ({exc})",
        )
    return bind_in_document(
        doc,
        url=url,
        controller=controller,
        vm_id=None,
        relationship=relationship,
        candidate_jwk=jwk,
    )


def bind_in_document(
    doc: Any,
    *,
    url: str,
    controller: str,
    vm_id: str | None,
    relationship: Relationship,
    candidate: Ed25519Multikey | None = None,
    candidate_jwk: dict[str, Any] | None = None,
    external: dict[str, Any] | None = None,
) -> KeyBinding:
    """Find ``vm_id`` (or, failing that, the candidate key material) among the keys that
    ``controller``'s own document ``doc`` (fetched from ``url``) lists under
    ``relationship``. ``external``: the verification method as served at its own URL, for a
    document that lists it by reference. Raises ResolutionError when it is not there."""
    if not isinstance(doc, dict):
        raise ResolutionError(f"the document at {url} is not a JSON object")
    if doc.get("id") != controller:
        raise ResolutionError(
            f"the document at {url} names itself {doc.get('id')!r}, not {controller}: a "
            "document speaks only for the identifier it was fetched for"
        )
    objects: dict[str, dict[str, Any]] = {}
    for prop in ("verificationMethod", "publicKey", *_PURPOSE):
        for item in _as_list(doc.get(prop)):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                objects.setdefault(_absolute(item["id"], controller), item)
    listed: list[str] = []
    for item in _as_list(doc.get(relationship)):
        ref = item if isinstance(item, str) else item.get("id") if isinstance(item, dict) else None
        if isinstance(ref, str):
            listed.append(_absolute(ref, controller))
    what = _PURPOSE.get(relationship, relationship)
    if vm_id is not None and vm_id in listed:
        binding = _listed_key(objects.get(vm_id, external), vm_id, url, controller)
        if (candidate is not None or candidate_jwk is not None) and not _same_material(
            binding, candidate, candidate_jwk
        ):
            raise ResolutionError(f"the document at {url} gives another key for {vm_id!r}")
        return binding
    if vm_id is not None and vm_id in objects:
        raise ResolutionError(
            f"the document at {url} lists the key {vm_id} but not under {relationship}: "
            f"{controller} has not made it a key to {what}"
        )
    if candidate is not None or candidate_jwk is not None:
        for ref in listed:
            obj = objects.get(ref)
            if obj is None:
                continue
            try:
                binding = _listed_key(obj, ref, url, controller)
            except ResolutionError:
                continue
            if _same_material(binding, candidate, candidate_jwk):
                return binding
    shown = vm_id or "the key given with the credential"
    raise ResolutionError(
        f"{controller}'s own document ({url}) does not list {shown} among its keys to {what}"
    )


def _listed_key(obj: dict[str, Any] | None, vm_id: str, url: str, controller: str) -> KeyBinding:
    if obj is None:
        raise ResolutionError(f"the document at {url} lists {vm_id!r} but gives no key for it")
    declared = obj.get("controller")
    if declared is not None and declared != controller:
        raise ResolutionError(
            f"the key {vm_id} in the document of {controller} names {declared!r} as its "
            "controller: a document can only vouch for keys its own subject controls"
        )
    resolved = _key_from_vm(obj, vm_id, default_controller=controller)
    return KeyBinding(vm_id, resolved.key, resolved.jwk, owner=controller, source=url)


def _same_material(
    binding: KeyBinding, candidate: Ed25519Multikey | None, jwk: dict[str, Any] | None
) -> bool:
    theirs = _material(candidate, jwk)
    return theirs is not None and binding.fingerprint == theirs


_JWK_PUBLIC = ("kty", "crv", "x", "y", "n", "e")


def _material(key: Ed25519Multikey | None, jwk: dict[str, Any] | None) -> str | None:
    """Public key material in one comparable form: an Ed25519 key (a Multikey, or an OKP
    JWK) as its multibase, any other JWK as its public members."""
    if key is not None:
        return key.public_key_multibase
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kty"), str):
        return None
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and isinstance(jwk.get("x"), str):
        try:
            raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
            return public_multibase(raw)
        except ValueError:
            return None
    return json.dumps({m: jwk[m] for m in _JWK_PUBLIC if m in jwk}, sort_keys=True)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _absolute(ref: str, base: str) -> str:
    return base + ref if ref.startswith("#") else ref


def _vm_id(vm: Any) -> str:
    if isinstance(vm, dict):  # embedded: only its id counts, its key material is a claim
        ident = vm.get("id")
        if not isinstance(ident, str) or not ident:
            raise ResolutionError(
                "the proof embeds its verification method without an id: a key that names "
                "nobody's document cannot be tied to anyone"
            )
        vm = ident
    if not isinstance(vm, str) or not vm:
        raise ResolutionError("the proof has no verificationMethod")
    if ":" not in vm:
        raise ResolutionError(f"verificationMethod {vm!r} is not a URL or DID (no scheme)")
    return vm


def _fragment_key(vm_id: str, fragment: str) -> Ed25519Multikey | None:
    if not fragment.startswith("z6Mk"):
        return None
    try:
        return Ed25519Multikey.from_public(fragment, id=vm_id)
    except KeyFormatError as exc:
        raise ResolutionError(
            f"verificationMethod {vm_id!r} names a key in its fragment, but it is malformed ({exc})"
        ) from None


@lru_cache(maxsize=1024)
def _resolve_did_key(vm_id: str) -> KeyBinding:
    """did:key needs no fetch: the key is the DID (cached: decoding is the costly part)."""
    did, _, fragment = vm_id.partition("#")
    mb = _did_key_multibase(did)
    if fragment and fragment != mb:
        raise ResolutionError(f"verificationMethod {vm_id!r}: fragment does not match the key")
    key = Ed25519Multikey.from_public(mb, id=vm_id, controller=did)
    return KeyBinding(vm_id, key, owner=did, source=did)


@lru_cache(maxsize=256)
def _resolve_did_jwk(vm_id: str) -> KeyBinding:
    """did:jwk: the DID is the base64url JSON of a public JWK (its only key is ``#0``)."""
    did, _, fragment = vm_id.partition("#")
    if fragment not in ("", "0"):
        raise ResolutionError(f"verificationMethod {vm_id!r}: a did:jwk has only the key #0")
    encoded = did[len("did:jwk:") :]
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        jwk = loads_strict(raw.decode("utf-8"), did)
    except (ValueError, UnicodeDecodeError):
        raise ResolutionError(f"{did!r} does not hold a JSON Web Key") from None
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kty"), str) or "d" in jwk:
        raise ResolutionError(f"{did!r} does not hold a public JSON Web Key")
    resolved = _key_from_vm({"publicKeyJwk": jwk}, f"{did}#0", default_controller=did)
    return KeyBinding(f"{did}#0", resolved.key, jwk, owner=did, source=did)


def _fetch_json(url: str, fetch: Fetch | None) -> Any:
    if fetch is None:
        raise FetchFailed(f"{url} would have to be fetched and fetching is off")
    data = fetch(url, accept="application/did+json, application/json, application/ld+json")
    try:
        return loads_strict(data, url)  # duplicate keys refused (I-JSON)
    except JSONInputError as exc:
        raise ResolutionError(str(exc)) from None
    except (ValueError, UnicodeDecodeError):
        raise ResolutionError(f"{url} did not return JSON") from None


@dataclass(frozen=True)
class _VmKey:
    key: Ed25519Multikey | None
    jwk: dict[str, Any] | None


def _key_from_vm(
    vm: dict[str, Any], vm_id: str, *, default_controller: str | None = None
) -> _VmKey:
    """The public key of a verification method object (Multikey, Ed25519 base58 or a JWK)."""
    controller = default_controller
    try:
        if isinstance(vm.get("publicKeyMultibase"), str):
            key = Ed25519Multikey.from_public(
                vm["publicKeyMultibase"], id=vm_id, controller=controller
            )
            return _VmKey(key, None)
        if isinstance(vm.get("publicKeyBase58"), str):
            raw = b58decode(vm["publicKeyBase58"])
            key = Ed25519Multikey.from_public(
                public_multibase(raw), id=vm_id, controller=controller
            )
            return _VmKey(key, None)
        jwk = vm.get("publicKeyJwk")
        if isinstance(jwk, dict):
            if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "x" in jwk:
                raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
                key = Ed25519Multikey.from_public(
                    public_multibase(raw), id=vm_id, controller=controller
                )
                return _VmKey(key, jwk)
            return _VmKey(None, jwk)
    except (KeyFormatError, ValueError) as exc:
        raise ResolutionError(f"verification method {vm_id!r} has a malformed key: {exc}") from None
    raise ResolutionError(f"verification method {vm_id!r} has no public key this verifier reads")
