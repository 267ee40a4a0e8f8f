"""The red team's forgeries (issue 9, ``tests/unit/vc/test_forgeries.py``) made again for a
wallet: each one issued to the learner's own DID, so that the wallet's recipient check does
not refuse it before the verifier has spoken. Used by the wallet's page, API, CLI and
browser tests.

``wallet_forgeries(did, variant)`` -> ``[Forgery]``: the forged input, the documents the
verifier may fetch (URL -> bytes), and what the wallet must make of it: ``failed`` (refused
at import) or ``indeterminate`` (kept as "could not check"). Never ``verified``. ``variant``
changes the credential's id, so that one learner can import the same forgery through
several doors (the wallet keeps a credential once).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from microcred.vc import proofs
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import build_presentation
from tests.helpers import ob_credential
from tests.unit.vc.test_forgeries import (
    ATTACKER,
    ATTACKER_DID,
    ATTACKER_DOC_URL,
    CREATED,
    MULTIKEY_CONTEXT,
    ONLINE,
    VICTIM_DID,
    VICTIM_HTTPS,
    VICTIM_KEY,
    _attacker_doc,
    sign,
)

ONLINE_BYTES = {url: json.dumps(doc).encode() for url, doc in ONLINE.items()}


@dataclass(frozen=True)
class Forgery:
    name: str
    data: bytes
    fixtures: dict[str, bytes]
    expected: str  # "failed" (refused) | "indeterminate" (kept as "could not check")

    @property
    def is_jwt(self) -> bool:
        return self.data[:2] == b"ey"


def _id(variant: str, n: int) -> str:
    tag = hashlib.sha256(variant.encode()).hexdigest()[:4]
    return f"urn:uuid:9b1c2d3e-4f50-4a6b-8c7d-{tag}{n:08d}"


def credential(issuer: str, did: str, variant: str, n: int, **kw: Any) -> dict[str, Any]:
    """An OB 3.0 credential from ``issuer`` to ``did`` (unsigned)."""
    return ob_credential(issuer, subject_id=did, id=_id(variant, n), **kw)


def _jwk_token(issuer: str, did: str, variant: str, n: int) -> str:
    """A VC-JWT signed by a P-256 key the token carries in its own ``jwk`` header."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    private = ec.generate_private_key(ec.SECP256R1())
    jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    payload = {"vc": credential(issuer, did, variant, n), "iss": issuer, "nbf": 1735689600}
    return jwt.encode(payload, private, algorithm="ES256", headers={"jwk": jwk})


def _clr(inner: list[dict[str, Any]], did: str, variant: str) -> dict[str, Any]:
    doc = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": _id(variant, 99),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": ATTACKER.controller, "type": ["Profile"], "name": "Attacker Transcripts"},
        "name": "Transcript",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": did,
            "verifiableCredential": inner,
            "achievement": [c["credentialSubject"]["achievement"] for c in inner],
        },
    }
    return sign(doc, ATTACKER)


def wallet_forgeries(did: str, variant: str = "a") -> list[Forgery]:
    """Every forgery of ``forgery_cases()`` that can be put in a wallet, issued to ``did``."""
    out: list[Forgery] = []
    n = iter(range(1, 1000))

    def add(name: str, doc: object, expected: str, fixtures: dict[str, bytes] | None = None):
        data = doc.encode() if isinstance(doc, str) else json.dumps(doc).encode()
        out.append(Forgery(name, data, ONLINE_BYTES if fixtures is None else fixtures, expected))

    for issuer in (VICTIM_DID, VICTIM_HTTPS):
        embedded = {
            "id": f"{issuer}#key-1",
            "type": "Multikey",
            "controller": issuer,
            "publicKeyMultibase": ATTACKER.public_key_multibase,
        }
        doc = credential(issuer, did, variant, next(n))
        add(f"embedded key claiming {issuer}", sign(doc, ATTACKER, vm=embedded), "failed")
        fragment_vm = f"{issuer}#{ATTACKER.public_key_multibase}"
        fragment = sign(credential(issuer, did, variant, next(n)), ATTACKER, vm=fragment_vm)
        add(f"fragment key under {issuer}", fragment, "failed")
        add(f"fragment key under {issuer}, offline", fragment, "indeterminate", {})
        token = _jwk_token(issuer, did, variant, next(n))
        add(f"VC-JWT jwk header, iss {issuer}", token, "failed")
        add(f"VC-JWT jwk header, iss {issuer}, offline", token, "indeterminate", {})
    urn = "urn:uuid:8e2b5d8e-1c1f-4c1e-9a3e-000000000001"
    add(
        "fragment key under a urn:uuid issuer",
        sign(
            credential(urn, did, variant, next(n)),
            ATTACKER,
            vm=f"{urn}#{ATTACKER.public_key_multibase}",
        ),
        "indeterminate",
    )
    attacker_doc = json.dumps(_attacker_doc(vm_controller=VICTIM_DID)).encode()
    add(
        "attacker did:web document naming the victim",
        sign(credential(VICTIM_DID, did, variant, next(n)), ATTACKER, vm=f"{ATTACKER_DID}#k"),
        "failed",
        {**ONLINE_BYTES, ATTACKER_DOC_URL: attacker_doc},
    )
    add(
        "proof expired",
        sign(
            credential(ATTACKER.controller, did, variant, next(n)),
            ATTACKER,
            options={"expires": "2026-02-01T00:00:00Z"},
        ),
        "failed",
    )
    add(
        "proof created in 2099",
        proofs.sign(
            credential(ATTACKER.controller, did, variant, next(n)),
            ATTACKER,
            created="2099-01-01T00:00:00Z",
        ),
        "failed",
    )
    fake = sign(
        credential(VICTIM_DID, did, variant, next(n), name="Doctor of Medicine"),
        ATTACKER,
        vm=f"{VICTIM_DID}#{ATTACKER.public_key_multibase}",
    )
    add("CLR carrying a forged Doctor of Medicine", _clr([fake], did, variant), "failed")
    both = credential(VICTIM_DID, did, variant, next(n))
    both["type"] = [*both["type"], "VerifiablePresentation"]
    both["holder"] = ATTACKER.controller
    add(
        "typed both credential and presentation",
        proofs.sign(
            both,
            ATTACKER,
            created=CREATED,
            proof_purpose="authentication",
            options={"challenge": "c1", "domain": "hr.example"},
        ),
        "failed",
    )
    held = sign(credential(VICTIM_DID, did, variant, next(n)), VICTIM_KEY)
    vp = build_presentation([held], holder=did)
    vp["@context"] = [*vp["@context"], MULTIKEY_CONTEXT]
    holder_key = {
        "id": f"{did}#{ATTACKER.public_key_multibase}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": ATTACKER.public_key_multibase,
    }
    add(
        "presentation held by the learner, signed by an embedded key",
        proofs.sign(
            vp,
            ATTACKER,
            created=CREATED,
            proof_purpose="authentication",
            verification_method=holder_key,  # type: ignore[arg-type]
            options={"challenge": "c1", "domain": "hr.example"},
        ),
        "failed",
    )
    return out


def genuine(did: str, variant: str = "a") -> tuple[bytes, dict[str, bytes]]:
    """A credential the victim really issued to ``did``, with the documents that confirm it."""
    doc = sign(credential(VICTIM_DID, did, variant, 500), VICTIM_KEY)
    return json.dumps(doc).encode(), dict(ONLINE_BYTES)


def impostor(did: str, name: str, variant: str = "a") -> bytes:
    """A did:key credential to ``did`` whose issuer calls itself ``name``."""
    key = Ed25519Multikey.generate()
    doc = credential(key.controller, did, variant, 600)
    doc["issuer"]["name"] = name
    return json.dumps(proofs.sign(doc, key)).encode()


CASE_NAMES = [f.name for f in wallet_forgeries("did:example:names")]
