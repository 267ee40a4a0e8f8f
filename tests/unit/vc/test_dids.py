"""did:key, did:web and https verification methods: resolution through the caller's fetcher."""

from __future__ import annotations

import json

import pytest

from microcred.vc import dids, proofs
from microcred.vc.errors import FetchFailed, ResolutionError
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.verifier import verify_credential
from tests.helpers import ob_credential


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:issuers:1", "https://example.com:3000/issuers/1/did.json"),
    ],
)
def test_did_web_urls(did, url):
    assert dids.did_web_url(did) == url


def test_did_web_for_a_base_url_round_trips():
    did = dids.did_web_for("https://badges.example.edu:8443/orgs/acme")
    assert did == "did:web:badges.example.edu%3A8443:orgs:acme"
    assert dids.did_web_url(did) == "https://badges.example.edu:8443/orgs/acme/did.json"


class FixtureFetch:
    def __init__(self, docs):
        self.docs = docs
        self.calls = []

    def __call__(self, url, accept=None):
        self.calls.append(url)
        if url not in self.docs:
            raise FetchFailed(f"{url} is not reachable")
        return json.dumps(self.docs[url]).encode()


@pytest.fixture
def did_web_issuer():
    did = "did:web:college.example"
    key = Ed25519Multikey.generate().with_controller(did)
    old = Ed25519Multikey.generate().with_controller(did)
    fetch = FixtureFetch(
        {"https://college.example/.well-known/did.json": dids.did_web_document(did, [key, old])}
    )
    return did, key, old, fetch


def test_did_web_credential_verifies_with_the_fetched_document(did_web_issuer):
    did, key, old, fetch = did_web_issuer
    for signer in (key, old):  # a rotated-out key stays published and still verifies
        signed = proofs.sign(ob_credential(did), signer)
        report = verify_credential(signed, fetch=fetch)
        assert report.verdict == "verified", report.to_json()
        assert report.check("issuer").status == "passed"
    assert fetch.calls and all(
        c == "https://college.example/.well-known/did.json" for c in fetch.calls
    )


def test_key_missing_from_the_did_document_fails_the_key_check(did_web_issuer):
    did, _, _, fetch = did_web_issuer
    stranger = Ed25519Multikey.generate().with_controller(did)
    signed = proofs.sign(ob_credential(did), stranger)
    report = verify_credential(signed, fetch=fetch)
    assert report.verdict == "failed" and report.check("key").status == "failed"
    assert "does not list" in report.check("key").message


def test_unreachable_did_document_is_could_not_check_never_verified(did_web_issuer):
    did, key, _, _ = did_web_issuer
    named = key.with_controller(did, id=f"{did}#key-1")
    signed = proofs.sign(ob_credential(did), named)
    report = verify_credential(signed, fetch=FixtureFetch({}))
    assert report.verdict == "indeterminate"
    assert report.check("key").status == "could_not_check"


def test_a_fragment_key_is_never_the_issuers_when_the_did_document_is_unreachable(did_web_issuer):
    """A key written in the fragment of the issuer's id is the credential's own claim: the
    signature is checked with it, but only the issuer's document can say it is the issuer's
    (1EdTech's validator takes the fragment's word; decision 0005 says why we do not)."""
    did, key, _, _ = did_web_issuer
    signed = proofs.sign(ob_credential(did), key)
    report = verify_credential(signed, fetch=FixtureFetch({}))
    assert report.verdict == "indeterminate"
    assert report.check("proof").status == "passed"
    assert report.check("key").status == "could_not_check"
    assert "could not be read" in report.check("key").message
    assert report.check("issuer").status == "could_not_check"


def test_https_controller_document():
    issuer = "https://college.example/issuers/1"
    key = Ed25519Multikey.generate().with_controller(issuer, id=f"{issuer}/keys/1")
    controller_doc = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": issuer,
        "assertionMethod": [
            {
                "id": key.id,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": key.public_key_multibase,
            }
        ],
    }
    fetch = FixtureFetch(
        {
            key.id: {
                "id": key.id,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": key.public_key_multibase,
            },
            issuer: controller_doc,
        }
    )
    signed = proofs.sign(ob_credential(issuer), key)
    assert verify_credential(signed, fetch=fetch).verdict == "verified"


def test_key_of_another_controller_fails_the_issuer_check():
    impostor = Ed25519Multikey.generate()  # its own did:key
    signed = proofs.sign(ob_credential("https://university.example/issuer"), impostor)
    report = verify_credential(signed)
    assert report.check("proof").status == "passed"
    assert report.check("issuer").status == "failed" and report.verdict == "failed"


@pytest.mark.parametrize(
    ("vm", "message"),
    [
        ("no-scheme-here", "no scheme"),
        ("ftp://example.com/key", "'ftp'"),
        ("did:example:123#key-1", "did:example"),
    ],
)
def test_unresolvable_verification_methods_name_the_reason(vm, message):
    with pytest.raises(ResolutionError, match=message):
        dids.resolve_key(vm, fetch=None)


@pytest.mark.parametrize(
    "did",
    [
        "did:web:pages.example:alice:..:mallory",  # Alice's DID, Mallory's document
        "did:web:pages.example:alice:%2E%2E:mallory",
        "did:web:pages.example:alice:%2e%2E:mallory",
        "did:web:pages.example:alice:.:x",
        "did:web:pages.example:alice:%2E:x",
        "did:web:pages.example:alice%2F..%2Fmallory",
        "did:web:pages.example:alice%2f..%2fmallory",
        "did:web:pages.example:a%5C..%5Cmallory",  # a backslash, which some servers read as /
        "did:web:pages.example:a%252E%252E:mallory",  # %2E%2E after one decoding
        "did:web:pages.example:a%252F..",
        "did:web:pages.example:alice%3Fx=1",
        "did:web:pages.example:alice%23frag",
        "did:web:pages.example::mallory",  # an empty segment: //
        "did:web:pages.example:alice:",
        "did:web:pages.example:al%20ice",
        "did:web:pages.example:a%00b",
        "did:web:..:mallory",
        "did:web:.",
        "did:web:mallory.example%2Falice",
        "did:web:mallory.example%40pages.example",  # userinfo: https://mallory@pages/
        "did:web:pages.example%3F.mallory.example",
        "did:web:pages.example%23.mallory.example",
        "did:web:pages.example%5C.mallory.example",
        "did:web:pages.example%3A443%2F..",
        "did:web:%2E%2E",
        "did:web:",
    ],
)
def test_did_web_paths_that_leave_the_dids_own_path_are_refused(did):
    with pytest.raises(ResolutionError) as info:
        dids.did_web_url(did)
    assert repr(did) in info.value.user_message


def test_a_did_web_with_dot_dot_never_reaches_the_other_document():
    mallory = Ed25519Multikey.generate()
    did = "did:web:pages.example:alice:..:mallory"
    key = mallory.with_controller(did)
    # what a naive resolver fetches (https://pages.example/alice/../mallory/did.json, which
    # a server normalises to Mallory's): Mallory's document, naming Alice's DID as its id
    fetch = FixtureFetch(
        {
            "https://pages.example/alice/../mallory/did.json": dids.did_web_document(did, [key]),
            "https://pages.example/mallory/did.json": dids.did_web_document(did, [key]),
        }
    )
    report = verify_credential(proofs.sign(ob_credential(did), key), fetch=fetch)
    assert report.verdict != "verified"
    assert fetch.calls == []
