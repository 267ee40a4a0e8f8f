"""Key figures of the W3C vc-di-eddsa and 1EdTech vectors, kept in the project so every run
proves exactness (the full vectors are read from ../shared/conformance in test_conformance_vectors.py).

Provenance: W3C vc-di-eddsa specification, TestVectors/ (keyPair.json, unsigned.json,
eddsa-rdfc-2022/, eddsa-jcs-2022/); 1EdTech Open Badges specification, ob_v3p0/impl/test-vectors.
"""

from __future__ import annotations

import hashlib

import pytest
import rfc8785

from microcred.vc import jsonld, proofs
from microcred.vc.keys import Ed25519Multikey

W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_VM = f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"
W3C_CREATED = "2023-02-24T23:36:38Z"
W3C_UNSIGNED = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
FIGURES = {
    "eddsa-rdfc-2022": {
        "doc_hash": "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017",
        "proof_hash": "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0",
        "proofValue": "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme",
    },
    "eddsa-jcs-2022": {
        "doc_hash": "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19",
        "proof_hash": "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db",
        "proofValue": "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX",
    },
}
OB_SEED = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
OB_PUBLIC = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def w3c_key() -> Ed25519Multikey:
    return Ed25519Multikey.from_json(
        {"publicKeyMultibase": W3C_PUBLIC, "secretKeyMultibase": W3C_SECRET}
    )


def _config(suite: str) -> dict:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": suite,
        "created": W3C_CREATED,
        "verificationMethod": W3C_VM,
        "proofPurpose": "assertionMethod",
        "@context": W3C_UNSIGNED["@context"],
    }


def test_rdfc_hashes_are_exact():
    f = FIGURES["eddsa-rdfc-2022"]
    assert (
        hashlib.sha256(jsonld.canonical_nquads(W3C_UNSIGNED).encode()).hexdigest() == f["doc_hash"]
    )
    assert (
        hashlib.sha256(jsonld.canonical_nquads(_config("eddsa-rdfc-2022")).encode()).hexdigest()
        == f["proof_hash"]
    )


def test_jcs_hashes_are_exact():
    f = FIGURES["eddsa-jcs-2022"]
    assert hashlib.sha256(rfc8785.dumps(W3C_UNSIGNED)).hexdigest() == f["doc_hash"]
    assert hashlib.sha256(rfc8785.dumps(_config("eddsa-jcs-2022"))).hexdigest() == f["proof_hash"]


@pytest.mark.parametrize("suite", sorted(FIGURES))
def test_sign_gives_the_published_proof_value(suite):
    signed = proofs.sign(W3C_UNSIGNED, w3c_key(), cryptosuite=suite, created=W3C_CREATED)
    assert signed["proof"]["proofValue"] == FIGURES[suite]["proofValue"]
    assert signed["proof"]["verificationMethod"] == W3C_VM
    [result] = proofs.verify_proofs(signed)
    assert result.verified, result.error


@pytest.mark.parametrize("suite", sorted(FIGURES))
def test_changed_credential_fails(suite):
    signed = proofs.sign(W3C_UNSIGNED, w3c_key(), cryptosuite=suite, created=W3C_CREATED)
    signed["credentialSubject"]["alumniOf"] = "Another School"
    [result] = proofs.verify_proofs(signed)
    assert not result.verified and result.kind == "proof"


def test_ob_seed_gives_the_published_public_key():
    key = Ed25519Multikey.from_seed(bytes.fromhex(OB_SEED))
    assert key.public_key_multibase == OB_PUBLIC
    assert key.id == f"did:key:{OB_PUBLIC}#{OB_PUBLIC}"


def test_secret_multibase_round_trip_uses_0x8026_prefix():
    key = w3c_key()
    assert key.secret_multibase() == W3C_SECRET
    exported = key.to_json(include_secret=True)
    assert exported["type"] == "Multikey" and exported["secretKeyMultibase"] == W3C_SECRET
    assert "secretKeyMultibase" not in key.to_json()
