"""Forgeries an attacker can make with nothing but a fresh Ed25519 key, and what each gets.

Each test names the trick of the red team's report (issue 9) and asserts the verdict is
never ``verified``: ``failed`` where a document the claimed controller controls says the key
is not theirs, ``indeterminate`` (the key check "could not check") where no such document
can be read. Next to each forgery the genuine credential verifies, so the test could fail.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from microcred.vc import dids, proofs, vcjwt
from microcred.vc.errors import FetchFailed
from microcred.vc.identity import RegistryEntry, StaticRegistry
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import build_presentation, sign_presentation, verify_presentation
from microcred.vc.statuslist import StatusList, status_entry, status_list_credential
from microcred.vc.verifier import verify_credential, verify_jwt
from tests.helpers import ob_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CREATED = "2026-01-01T00:00:00Z"
RDFC, JCS = "eddsa-rdfc-2022", "eddsa-jcs-2022"

VICTIM_DID = "did:web:registrar.ox.ac.uk"
VICTIM_DOC_URL = "https://registrar.ox.ac.uk/.well-known/did.json"
VICTIM_HTTPS = "https://www.ox.ac.uk/badges/issuer"
ATTACKER_DID = "did:web:attacker.example"
ATTACKER_DOC_URL = "https://attacker.example/.well-known/did.json"

VICTIM_KEY = Ed25519Multikey.generate().with_controller(VICTIM_DID, id=f"{VICTIM_DID}#key-1")
HTTPS_KEY = Ed25519Multikey.generate().with_controller(VICTIM_HTTPS, id=f"{VICTIM_HTTPS}#key-1")
ATTACKER = Ed25519Multikey.generate()  # a did:key anyone can make


class Fetch:
    """URL -> JSON document; anything else is unreachable (tests have no network)."""

    def __init__(self, docs: dict[str, object] | None = None):
        self.docs = dict(docs or {})

    def __call__(self, url: str, accept: str | None = None) -> bytes:
        if url not in self.docs:
            raise FetchFailed(f"{url} is not reachable")
        doc = self.docs[url]
        return doc if isinstance(doc, bytes) else json.dumps(doc).encode()


def _victim_doc() -> dict:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": VICTIM_DID,
        "verificationMethod": [
            {
                "id": VICTIM_KEY.id,
                "type": "Multikey",
                "controller": VICTIM_DID,
                "publicKeyMultibase": VICTIM_KEY.public_key_multibase,
            }
        ],
        "assertionMethod": [VICTIM_KEY.id],
        "authentication": [VICTIM_KEY.id],
    }


def _https_doc() -> dict:
    return {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": VICTIM_HTTPS,
        "verificationMethod": [
            {
                "id": HTTPS_KEY.id,
                "type": "Multikey",
                "controller": VICTIM_HTTPS,
                "publicKeyMultibase": HTTPS_KEY.public_key_multibase,
            }
        ],
        "assertionMethod": [HTTPS_KEY.id],
    }


ONLINE = {VICTIM_DOC_URL: _victim_doc(), VICTIM_HTTPS: _https_doc()}


MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def sign(doc: dict, key: Ed25519Multikey, *, suite: str = RDFC, vm: object = None, **kw) -> dict:
    if isinstance(vm, dict):  # an embedded key's terms come from the Multikey context
        doc = {**doc, "@context": [*doc["@context"], MULTIKEY_CONTEXT]}
    return proofs.sign(doc, key, cryptosuite=suite, created=CREATED, verification_method=vm, **kw)


def verdict(doc: dict, fetch: Fetch | None = None, **kw) -> tuple[str, dict[str, str]]:
    report = verify_credential(doc, now=NOW, fetch=fetch or Fetch(), **kw)
    return report.verdict, {c.name: c.status for c in report.checks}


# ---- the premise: genuine credentials verify, and say who issued them ---------------------
@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_the_genuine_did_web_and_https_credentials_verify(suite):
    for issuer, key in ((VICTIM_DID, VICTIM_KEY), (VICTIM_HTTPS, HTTPS_KEY)):
        report = verify_credential(
            sign(ob_credential(issuer), key, suite=suite), now=NOW, fetch=Fetch(ONLINE)
        )
        assert report.verdict == "verified", report.to_json()
        assert report.issuer_identity is not None
        assert report.issuer_identity.level == "domain"
        assert report.issuer_identity.domain in ("registrar.ox.ac.uk", "www.ox.ac.uk")


# ---- 1. an embedded verification method whose controller claims the issuer -----------------
@pytest.mark.parametrize("suite", [RDFC, JCS])
@pytest.mark.parametrize("issuer", [VICTIM_DID, VICTIM_HTTPS])
@pytest.mark.parametrize("online", [False, True])
def test_an_embedded_key_claiming_the_issuer_never_verifies(suite, issuer, online):
    fetch = Fetch(ONLINE if online else {})
    for vm_id in (f"{issuer}#key-1", ATTACKER.id, None):
        embedded = {
            "type": "Multikey",
            "controller": issuer,
            "publicKeyMultibase": ATTACKER.public_key_multibase,
        }
        if vm_id is not None:
            embedded["id"] = vm_id
        forged = sign(ob_credential(issuer), ATTACKER, suite=suite, vm=embedded)
        got, checks = verdict(forged, fetch)
        assert got != "verified", (vm_id, checks)
        if online or vm_id != f"{issuer}#key-1":
            assert got == "failed", (vm_id, checks)


# ---- 2. the attacker's key in a fragment of the victim's id --------------------------------
@pytest.mark.parametrize("issuer", [VICTIM_DID, VICTIM_HTTPS, "urn:uuid:8e2b5d8e-1c1f-4c1e-9a3e-1"])
def test_a_key_in_a_fragment_of_the_victims_id(issuer):
    vm = f"{issuer}#{ATTACKER.public_key_multibase}"
    forged = sign(ob_credential(issuer), ATTACKER, vm=vm)
    got, checks = verdict(forged, Fetch())
    assert got == "indeterminate" and checks["key"] == "could_not_check", checks
    if issuer.startswith("urn:"):
        return
    got, checks = verdict(forged, Fetch(ONLINE))  # the victim's document does not list it
    assert got == "failed" and checks["key"] == "failed", checks


# ---- 3. a VC-JWT with a jwk header and an https iss -----------------------------------------
def _jwk_token(issuer: str) -> str:
    private = ec.generate_private_key(ec.SECP256R1())
    import jwt
    from jwt.algorithms import ECAlgorithm

    jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    cred = ob_credential(issuer)
    payload = {"vc": cred, "iss": issuer, "nbf": 1735689600}
    return jwt.encode(payload, private, algorithm="ES256", headers={"jwk": jwk})


@pytest.mark.parametrize("issuer", [VICTIM_HTTPS, VICTIM_DID])
def test_a_vc_jwt_with_a_jwk_header_is_not_the_issuers_key(issuer):
    token = _jwk_token(issuer)
    offline = verify_jwt(token, now=NOW, fetch=Fetch())
    assert offline.verdict == "indeterminate", offline.to_json()
    assert offline.check("key").status == "could_not_check"
    online = verify_jwt(token, now=NOW, fetch=Fetch(ONLINE))
    assert online.verdict == "failed" and online.check("key").status == "failed"


# ---- 4. a presentation whose holder is the victim ------------------------------------------
def _held_by_victim() -> dict:
    doc = ob_credential(VICTIM_DID)
    doc["credentialSubject"]["id"] = VICTIM_DID
    return sign(doc, VICTIM_KEY)


def test_a_presentation_held_by_the_victim_signed_by_an_embedded_key():
    cred = _held_by_victim()
    vp = build_presentation([cred], holder=VICTIM_DID)
    vp["@context"] = [*vp["@context"], MULTIKEY_CONTEXT]
    embedded = {
        "id": f"{VICTIM_DID}#{ATTACKER.public_key_multibase}",
        "type": "Multikey",
        "controller": VICTIM_DID,
        "publicKeyMultibase": ATTACKER.public_key_multibase,
    }
    forged = proofs.sign(
        vp,
        ATTACKER,
        created=CREATED,
        proof_purpose="authentication",
        verification_method=embedded,  # type: ignore[arg-type]
        options={"challenge": "c1", "domain": "hr.example"},
    )
    for fetch in (Fetch(), Fetch(ONLINE)):
        report = verify_presentation(
            forged, challenge="c1", domain="hr.example", now=NOW, fetch=fetch
        )
        assert report.verdict != "verified", report.to_json()
        assert {c.name: c.status for c in report.checks}["holder"] != "passed"
    # the genuine holder's presentation verifies
    genuine = sign_presentation(
        vp,
        VICTIM_KEY,
        challenge="c1",
        domain="hr.example",
        created=datetime(2026, 5, 31, 23, 59, tzinfo=UTC),
    )
    ok = verify_presentation(
        genuine, challenge="c1", domain="hr.example", now=NOW, fetch=Fetch(ONLINE)
    )
    assert ok.verdict == "verified", ok.to_json()


# ---- 7a. a fetched document's controller is not trusted -------------------------------------
def _attacker_doc(*, vm_controller: str = ATTACKER_DID, doc_id: str = ATTACKER_DID) -> dict:
    vm_id = f"{ATTACKER_DID}#k"
    return {
        "id": doc_id,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": vm_controller,
                "publicKeyMultibase": ATTACKER.public_key_multibase,
            }
        ],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
    }


@pytest.mark.parametrize("suite", [RDFC, JCS])
@pytest.mark.parametrize("lie", ["vm_controller", "doc_id"])
def test_an_attacker_document_that_names_the_victim(suite, lie):
    doc = _attacker_doc(**{lie: VICTIM_DID})
    fetch = Fetch({**ONLINE, ATTACKER_DOC_URL: doc})
    forged = sign(ob_credential(VICTIM_DID), ATTACKER, suite=suite, vm=f"{ATTACKER_DID}#k")
    got, checks = verdict(forged, fetch)
    assert got == "failed", checks
    # the same document telling the truth: the key is the attacker's, not the victim's
    honest = Fetch({**ONLINE, ATTACKER_DOC_URL: _attacker_doc()})
    got, checks = verdict(forged, honest)
    assert got == "failed" and checks["key"] == "passed" and checks["issuer"] == "failed"


def test_an_attacker_document_through_a_vc_jwt_kid():
    fetch = Fetch({**ONLINE, ATTACKER_DOC_URL: _attacker_doc(vm_controller=VICTIM_DID)})
    key = ATTACKER.with_controller(ATTACKER_DID, id=f"{ATTACKER_DID}#k")
    token = vcjwt.sign_vc_jwt(ob_credential(VICTIM_DID), key)
    report = verify_jwt(token, now=NOW, fetch=fetch)
    assert report.verdict == "failed", report.to_json()


def test_an_https_key_document_naming_the_victim_as_controller():
    key_url = "https://attacker.example/keys/1"
    key_doc = {
        "id": key_url,
        "type": "Multikey",
        "controller": VICTIM_HTTPS,
        "publicKeyMultibase": ATTACKER.public_key_multibase,
    }
    forged = sign(ob_credential(VICTIM_HTTPS), ATTACKER, vm=key_url)
    got, checks = verdict(forged, Fetch({**ONLINE, key_url: key_doc}))
    assert got == "failed" and checks["key"] == "failed", checks
    # had the victim's own document listed that key, it would be theirs
    listed = _https_doc()
    listed["assertionMethod"].append(key_url)
    got, checks = verdict(forged, Fetch({VICTIM_HTTPS: listed, key_url: key_doc}))
    assert got == "verified", checks


def test_a_presentation_holder_through_an_attacker_document():
    cred = _held_by_victim()
    vp = build_presentation([cred], holder=VICTIM_DID)
    key = ATTACKER.with_controller(VICTIM_DID, id=f"{ATTACKER_DID}#k")
    forged = proofs.sign(
        vp,
        key,
        created=CREATED,
        proof_purpose="authentication",
        options={"challenge": "c1", "domain": "hr.example"},
    )
    fetch = Fetch({**ONLINE, ATTACKER_DOC_URL: _attacker_doc(vm_controller=VICTIM_DID)})
    report = verify_presentation(forged, challenge="c1", domain="hr.example", now=NOW, fetch=fetch)
    assert report.verdict == "failed", report.to_json()


@pytest.mark.parametrize("only_in", ["authentication", "verificationMethod"])
def test_relationships_are_enforced(only_in):
    doc = _victim_doc()
    doc["assertionMethod"] = []
    if only_in == "verificationMethod":
        doc["authentication"] = []
    forged = sign(ob_credential(VICTIM_DID), VICTIM_KEY)
    got, checks = verdict(forged, Fetch({VICTIM_DOC_URL: doc}))
    assert got == "failed" and checks["key"] == "failed", checks


# ---- 7b. signed time limits ------------------------------------------------------------------
def test_a_proof_that_expired_fails():
    doc = sign(
        ob_credential(ATTACKER.controller), ATTACKER, options={"expires": "2026-02-01T00:00:00Z"}
    )
    got, checks = verdict(doc)
    assert got == "failed" and checks["proof"] == "failed"
    still = sign(
        ob_credential(ATTACKER.controller), ATTACKER, options={"expires": "2027-02-01T00:00:00Z"}
    )
    assert verdict(still)[0] == "verified"


def test_a_proof_created_in_2099_fails():
    doc = proofs.sign(ob_credential(ATTACKER.controller), ATTACKER, created="2099-01-01T00:00:00Z")
    got, checks = verdict(doc)
    assert got == "failed" and checks["proof"] == "failed"


def _jwt_with(claims: dict) -> str:
    cred = ob_credential(ATTACKER.controller)
    header = {"alg": "EdDSA", "typ": "JWT", "kid": ATTACKER.id}
    payload = {"vc": cred, "iss": ATTACKER.controller, **claims}

    def b64(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    signing_input = f"{b64(header)}.{b64(payload)}"
    sig = base64.urlsafe_b64encode(ATTACKER.sign(signing_input.encode())).rstrip(b"=").decode()
    return f"{signing_input}.{sig}"


def test_vc_jwt_exp_and_nbf_count():
    assert verify_jwt(_jwt_with({}), now=NOW).verdict == "verified"
    expired = verify_jwt(
        _jwt_with({"exp": int(datetime(2026, 2, 1, tzinfo=UTC).timestamp())}), now=NOW
    )
    assert expired.verdict == "failed" and expired.check("expiry").status == "failed"
    early = verify_jwt(
        _jwt_with({"nbf": int(datetime(2027, 2, 1, tzinfo=UTC).timestamp())}), now=NOW
    )
    assert early.verdict == "failed" and early.check("not_yet_valid").status == "failed"


# ---- 7c. status lists from anyone ------------------------------------------------------------
LIST_URL = "https://registrar.ox.ac.uk/status/1"


def _revocable(key: Ed25519Multikey, issuer: str) -> dict:
    doc = ob_credential(issuer)
    doc["credentialStatus"] = status_entry(list_url=LIST_URL, index=7, purpose="revocation")
    return sign(doc, key)


def _list(key: Ed25519Multikey, issuer: str, revoked: bool = False) -> dict:
    bits = StatusList()
    if revoked:
        bits.set(7, 1)
    unsigned = status_list_credential(
        id=LIST_URL,
        issuer=issuer,
        purpose="revocation",
        encoded_list=bits.encode(),
        valid_from="2026-01-01T00:00:00Z",
    )
    return sign(unsigned, key)


def test_a_status_list_signed_by_someone_else_cannot_speak_for_the_credential():
    cred = _revocable(VICTIM_KEY, VICTIM_DID)
    genuine = verify_credential(
        cred, now=NOW, fetch=Fetch({**ONLINE, LIST_URL: _list(VICTIM_KEY, VICTIM_DID)})
    )
    assert genuine.verdict == "verified", genuine.to_json()
    revoked = verify_credential(
        cred,
        now=NOW,
        fetch=Fetch({**ONLINE, LIST_URL: _list(VICTIM_KEY, VICTIM_DID, revoked=True)}),
    )
    assert revoked.check("status").status == "failed"
    for key, issuer in (
        (ATTACKER, ATTACKER.controller),
        (ATTACKER, "urn:uuid:1-2-3"),
        (ATTACKER, VICTIM_DID),
    ):
        fetch = Fetch({**ONLINE, LIST_URL: _list(key, issuer)})
        report = verify_credential(cred, now=NOW, fetch=fetch)
        assert report.verdict == "indeterminate", (issuer, report.to_json())
        assert report.check("status").status == "could_not_check"


# ---- 7d. a document typed both credential and presentation ---------------------------------
def test_a_document_that_is_both_a_credential_and_a_presentation():
    doc = ob_credential(VICTIM_DID)
    doc["type"] = [*doc["type"], "VerifiablePresentation"]
    doc["holder"] = ATTACKER.controller
    forged = proofs.sign(
        doc,
        ATTACKER,
        created=CREATED,
        proof_purpose="authentication",
        options={"challenge": "c", "domain": "d"},
    )
    as_vp = verify_presentation(forged, challenge="c", domain="d", now=NOW, fetch=Fetch())
    assert as_vp.verdict == "failed"
    got, checks = verdict(forged)
    assert got == "failed" and checks["shape"] == "failed"


# ---- 7e. credentials inside a CLR ------------------------------------------------------------
def _clr(inner: list[dict], key: Ed25519Multikey) -> dict:
    doc = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:4c1b2a42-2f61-4b43-9c53-5d9a1a1d0a01",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": key.controller, "type": ["Profile"], "name": "Attacker Transcripts"},
        "name": "Transcript",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": "did:example:learner",
            "verifiableCredential": inner,
            "achievement": [c["credentialSubject"]["achievement"] for c in inner],
        },
    }
    return sign(doc, key)


def test_a_clr_carrying_a_forged_credential_fails_naming_it():
    fake = ob_credential(VICTIM_DID, name="Doctor of Medicine")
    fake = sign(fake, ATTACKER, vm=f"{VICTIM_DID}#{ATTACKER.public_key_multibase}")
    clr = _clr([fake], ATTACKER)
    report = verify_credential(clr, now=NOW, fetch=Fetch(ONLINE))
    assert report.verdict == "failed", report.to_json()
    assert report.check("credentials").status == "failed"
    assert "Doctor of Medicine" in report.check("credentials").message
    assert report.nested[0].verdict == "failed"
    real = sign(ob_credential(VICTIM_DID, name="Doctor of Medicine"), VICTIM_KEY)
    honest = verify_credential(_clr([real], ATTACKER), now=NOW, fetch=Fetch(ONLINE))
    assert honest.verdict == "verified", honest.to_json()
    assert honest.check("credentials").status == "passed"


# ---- 2 (identity). a new did:key that names itself after a registered issuer ---------------
def test_a_did_key_calling_itself_a_registered_college_fails():
    registry = StaticRegistry(
        [RegistryEntry(VICTIM_DID, "Northbridge College of Applied Sciences", "this server")]
    )
    doc = ob_credential(ATTACKER.controller)
    doc["issuer"]["name"] = "NORTHBRIDGE college of applied sciences."
    forged = sign(doc, ATTACKER)
    report = verify_credential(forged, now=NOW, fetch=Fetch(), trust=registry)
    assert report.verdict == "failed"
    assert "claims to be from" in report.check("issuer").message
    # without the registry the signature holds, and the identity says what it is worth
    alone = verify_credential(forged, now=NOW, fetch=Fetch())
    assert alone.verdict == "verified" and alone.issuer_identity.level == "self-asserted"
    assert "anyone can create such a key" in alone.issuer_identity.sentence()
    # the registered issuer itself is "registered"
    genuine = copy.deepcopy(ob_credential(VICTIM_DID))
    genuine["issuer"]["name"] = "Northbridge College of Applied Sciences"
    ok = verify_credential(sign(genuine, VICTIM_KEY), now=NOW, fetch=Fetch(ONLINE), trust=registry)
    assert ok.verdict == "verified" and ok.issuer_identity.level == "registered"


def test_did_jwk_is_its_own_key():
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(ATTACKER.public_bytes).rstrip(b"=").decode(),
    }
    did = "did:jwk:" + base64.urlsafe_b64encode(json.dumps(jwk).encode()).rstrip(b"=").decode()
    key = ATTACKER.with_controller(did, id=f"{did}#0")
    doc = sign(ob_credential(did), key)
    got, checks = verdict(doc)
    assert got == "verified", checks
    binding = dids.resolve_key(f"{did}#0", fetch=None)
    assert binding.owner == did


# ---- the same forgeries, for the CLI, the APIs, the wallet and the share pages --------------
def forgery_cases() -> list[tuple[str, bytes, dict[str, bytes]]]:
    """(name, the forged input as bytes, URL -> bytes the verifier may fetch): every forgery
    above that a person could hand to a verifier. None may ever come back "verified"."""
    online = {url: json.dumps(doc).encode() for url, doc in ONLINE.items()}
    attacker_doc = json.dumps(_attacker_doc(vm_controller=VICTIM_DID)).encode()
    cases: list[tuple[str, bytes, dict[str, bytes]]] = []

    def add(name: str, doc: object, fixtures: dict[str, bytes] | None = None) -> None:
        data = doc.encode() if isinstance(doc, str) else json.dumps(doc).encode()
        cases.append((name, data, online if fixtures is None else fixtures))

    for issuer in (VICTIM_DID, VICTIM_HTTPS):
        embedded = {
            "id": f"{issuer}#key-1",
            "type": "Multikey",
            "controller": issuer,
            "publicKeyMultibase": ATTACKER.public_key_multibase,
        }
        add(f"embedded key claiming {issuer}", sign(ob_credential(issuer), ATTACKER, vm=embedded))
        fragment = sign(
            ob_credential(issuer), ATTACKER, vm=f"{issuer}#{ATTACKER.public_key_multibase}"
        )
        add(f"fragment key under {issuer}", fragment)
        add(f"fragment key under {issuer}, offline", fragment, {})
        add(f"VC-JWT jwk header, iss {issuer}", _jwk_token(issuer))
    urn = "urn:uuid:8e2b5d8e-1c1f-4c1e-9a3e-000000000001"
    add(
        "fragment key under a urn:uuid issuer",
        sign(ob_credential(urn), ATTACKER, vm=f"{urn}#{ATTACKER.public_key_multibase}"),
    )
    add(
        "attacker did:web document naming the victim",
        sign(ob_credential(VICTIM_DID), ATTACKER, vm=f"{ATTACKER_DID}#k"),
        {**online, ATTACKER_DOC_URL: attacker_doc},
    )
    add(
        "proof expired",
        sign(
            ob_credential(ATTACKER.controller),
            ATTACKER,
            options={"expires": "2026-02-01T00:00:00Z"},
        ),
    )
    add(
        "proof created in 2099",
        proofs.sign(ob_credential(ATTACKER.controller), ATTACKER, created="2099-01-01T00:00:00Z"),
    )
    fake = sign(
        ob_credential(VICTIM_DID, name="Doctor of Medicine"),
        ATTACKER,
        vm=f"{VICTIM_DID}#{ATTACKER.public_key_multibase}",
    )
    add("CLR carrying a forged Doctor of Medicine", _clr([fake], ATTACKER))
    both = ob_credential(VICTIM_DID)
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
    )
    vp = build_presentation([_held_by_victim()], holder=VICTIM_DID)
    vp["@context"] = [*vp["@context"], MULTIKEY_CONTEXT]
    holder_key = {
        "id": f"{VICTIM_DID}#{ATTACKER.public_key_multibase}",
        "type": "Multikey",
        "controller": VICTIM_DID,
        "publicKeyMultibase": ATTACKER.public_key_multibase,
    }
    add(
        "presentation held by the victim, signed by an embedded key",
        proofs.sign(
            vp,
            ATTACKER,
            created=CREATED,
            proof_purpose="authentication",
            verification_method=holder_key,  # type: ignore[arg-type]
            options={"challenge": "c1", "domain": "hr.example"},
        ),
    )
    return cases


def genuine_case() -> tuple[bytes, dict[str, bytes]]:
    """A credential the victim really issued, with the documents that confirm it."""
    doc = sign(ob_credential(VICTIM_DID), VICTIM_KEY)
    return json.dumps(doc).encode(), {u: json.dumps(d).encode() for u, d in ONLINE.items()}


@pytest.mark.parametrize("case", forgery_cases(), ids=lambda c: c[0])
def test_no_forgery_verifies(case):
    from microcred.vc.presentations import presentation_in
    from microcred.vc.verifier import verify_bytes

    name, data, fixtures = case
    fetch = Fetch({u: b for u, b in fixtures.items()})
    vp = presentation_in(data)
    if vp is not None:
        got = verify_presentation(vp, challenge="c1", domain="hr.example", now=NOW, fetch=fetch)
        assert got.verdict != "verified", name
        return
    reports = verify_bytes(data, now=NOW, fetch=fetch)
    assert all(r.verdict != "verified" for r in reports), (name, [r.to_json() for r in reports])


def test_a_status_list_under_the_did_key_of_the_issuers_own_key_counts():
    """DCC's issuers sign under did:web and publish lists under the did:key of the same key:
    the list is signed by the very key the issuer's document lists, so it speaks for it."""
    same = VICTIM_KEY.with_controller(f"did:key:{VICTIM_KEY.public_key_multibase}")
    cred = _revocable(VICTIM_KEY, VICTIM_DID)
    for revoked, expected in ((False, "verified"), (True, "failed")):
        fetch = Fetch({**ONLINE, LIST_URL: _list(same, same.controller, revoked=revoked)})
        report = verify_credential(cred, now=NOW, fetch=fetch)
        assert report.verdict == expected, report.to_json()


def test_a_presentation_with_a_key_twice_is_not_read_as_one():
    from microcred.vc.presentations import presentation_in

    vp = build_presentation([_held_by_victim()], holder=VICTIM_DID)
    text = json.dumps(vp)
    twice = text.replace('"holder":', f'"holder": "{ATTACKER.controller}", "holder":', 1)
    assert presentation_in(text.encode()) is not None
    assert presentation_in(twice.encode()) is None  # the credential reader then names the key


def test_a_did_document_with_a_key_twice_names_the_key():
    text = json.dumps(_victim_doc()).replace('"id":', f'"id": "{ATTACKER_DID}", "id":', 1)
    doc = sign(ob_credential(VICTIM_DID), VICTIM_KEY)
    report = verify_credential(doc, now=NOW, fetch=Fetch({VICTIM_DOC_URL: text.encode()}))
    assert report.verdict == "failed" and "appears twice" in report.check("key").message


def test_a_registered_issuers_own_credential_offline_is_could_not_check_not_an_impostor():
    registry = StaticRegistry([RegistryEntry(VICTIM_DID, "Example College", "this server")])
    doc = sign(ob_credential(VICTIM_DID), VICTIM_KEY)  # issuer.name "Example College"
    report = verify_credential(doc, now=NOW, fetch=Fetch(), trust=registry)
    assert report.verdict == "indeterminate", report.to_json()
    assert report.check("issuer").status != "failed"
    online = verify_credential(doc, now=NOW, fetch=Fetch(ONLINE), trust=registry)
    assert online.verdict == "verified" and online.issuer_identity.level == "registered"
