"""Verifiable presentations: build, sign (authentication, challenge, domain, expires), verify.

A presentation verifies only when its proof is the holder's, made for the challenge and
domain the verifier expects, not expired nor made in the future, and every credential in it
verifies; a credential that could not be checked makes it indeterminate.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from microcred.vc import proofs, statuslist, vcjwt
from microcred.vc.errors import SigningError
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import (
    JWT_ENVELOPE,
    PresentationReport,
    build_presentation,
    is_presentation,
    presentation_in,
    sign_presentation,
    verify_presentation,
)
from microcred.verifying.fetcher import Fetcher
from tests.helpers import ob_credential

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def sign_before_now(*args, **kwargs):
    """Sign with a ``created`` before the fixed clock these tests verify at (a proof made
    after the verifier's "now" fails as made in the future)."""
    kwargs.setdefault("created", "2025-06-01T00:00:00Z")
    return proofs.sign(*args, **kwargs)


RDFC, JCS = "eddsa-rdfc-2022", "eddsa-jcs-2022"
SUITES = (RDFC, JCS)
VC2 = "https://www.w3.org/ns/credentials/v2"
CHALLENGE, DOMAIN = "c0ffee-42", "jobs.example.com"
ISSUER = Ed25519Multikey.from_seed(bytes(range(32)))
LEARNER = Ed25519Multikey.from_seed(bytes(range(1, 33)))
OTHER = Ed25519Multikey.from_seed(bytes(range(2, 34)))
STATUS_URL = "https://status.example.edu/lists/1"


class _NoNetwork:
    """An httpx transport that refuses every request (tests never touch the internet)."""

    def handle_request(self, request: Any) -> Any:
        import httpx

        raise httpx.ConnectError(f"no network in tests: {request.url}", request=request)

    def close(self) -> None:
        pass


def credential(name: str = "Data Analysis", *, subject: str | None = None, **kw: Any) -> dict:
    doc = ob_credential(
        ISSUER.controller, name=name, subject_id=subject or LEARNER.controller, **kw
    )
    return sign_before_now(doc, ISSUER)


def signed_vp(
    creds: list[Any] | None = None, *, suite: str = RDFC, key: Ed25519Multikey = LEARNER, **kw: Any
) -> dict[str, Any]:
    vp = build_presentation([credential()] if creds is None else creds, holder=key.controller or "")
    kw.setdefault("created", NOW - timedelta(minutes=1))
    return sign_presentation(vp, key, challenge=CHALLENGE, domain=DOMAIN, cryptosuite=suite, **kw)


def verify(vp: Any, **kw: Any) -> PresentationReport:
    kw.setdefault("challenge", CHALLENGE)
    kw.setdefault("domain", DOMAIN)
    kw.setdefault("now", NOW)
    return verify_presentation(vp, **kw)


def status(report: PresentationReport) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def message(report: PresentationReport, name: str) -> str:
    check = report.check(name)
    assert check is not None
    return check.message


# ---- building ------------------------------------------------------------------------------
def test_build_presentation_shape():
    cred = credential()
    vp = build_presentation([cred], holder=LEARNER.controller, id="urn:uuid:1234")
    assert vp == {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "id": "urn:uuid:1234",
        "holder": LEARNER.controller,
        "verifiableCredential": [cred],
    }
    assert vp["verifiableCredential"][0] is not cred  # a copy
    assert "id" not in build_presentation([], holder=LEARNER.controller)
    assert is_presentation(vp) and not is_presentation(cred)


def test_a_vc_jwt_goes_in_enveloped():
    token = vcjwt.sign_vc_jwt(ob_credential(ISSUER.controller), ISSUER)
    vp = build_presentation([token], holder=LEARNER.controller)
    assert vp["verifiableCredential"] == [
        {"@context": VC2, "id": JWT_ENVELOPE + token, "type": "EnvelopedVerifiableCredential"}
    ]


@pytest.mark.parametrize("bad", ["not a jwt", 42, None])
def test_build_refuses_what_is_no_credential(bad):
    with pytest.raises(SigningError):
        build_presentation([bad], holder=LEARNER.controller)


def test_sign_refuses_another_key_than_the_holders():
    vp = build_presentation([credential()], holder=LEARNER.controller)
    with pytest.raises(SigningError, match="not by the holder"):
        sign_presentation(vp, OTHER, challenge=CHALLENGE, domain=DOMAIN)
    with pytest.raises(SigningError, match="challenge"):
        sign_presentation(vp, LEARNER, challenge="", domain=DOMAIN)


def test_extra_proof_options_cannot_override_the_proof():
    with pytest.raises(SigningError, match="proofPurpose"):
        sign_before_now({"@context": [VC2]}, LEARNER, options={"proofPurpose": "x"})


# ---- round trip ----------------------------------------------------------------------------
@pytest.mark.parametrize("suite", SUITES)
def test_sign_and_verify(suite):
    vp = signed_vp(suite=suite, expires=NOW + timedelta(minutes=10))
    proof = vp["proof"]
    assert proof["proofPurpose"] == "authentication"
    assert (proof["challenge"], proof["domain"]) == (CHALLENGE, DOMAIN)
    assert proof["cryptosuite"] == suite
    assert proof["expires"] == "2026-03-01T12:10:00Z"
    report = verify(vp)
    assert report.verdict == "verified", report.to_json()
    assert set(status(report).values()) == {"passed"}
    assert report.warnings == []
    out = report.to_json()
    assert out["holder"] == LEARNER.controller
    assert out["verdict"] == "verified"
    [cred] = out["credentials"]
    assert cred["verdict"] == "verified" and cred["credential"]["name"] == "Data Analysis"
    json.dumps(out)  # plain JSON


@pytest.mark.parametrize("suite", SUITES)
def test_a_wrong_challenge_fails(suite):
    report = verify(signed_vp(suite=suite), challenge="another-nonce")
    assert report.verdict == "failed"
    assert status(report)["challenge"] == "failed"
    assert status(report)["proof"] == "passed"  # the signature itself is fine: a replay
    assert "another-nonce" in message(report, "challenge")
    assert "replay" in message(report, "challenge")


@pytest.mark.parametrize("suite", SUITES)
def test_a_wrong_domain_fails(suite):
    report = verify(signed_vp(suite=suite), domain="evil.example")
    assert report.verdict == "failed"
    assert status(report)["domain"] == "failed"
    assert "replayed to another verifier" in message(report, "domain")
    assert DOMAIN in message(report, "domain")


def test_changing_the_challenge_in_the_proof_breaks_the_signature():
    vp = signed_vp()
    vp["proof"]["challenge"] = "another-nonce"
    report = verify(vp, challenge="another-nonce")
    assert report.verdict == "failed" and status(report)["proof"] == "failed"


def test_no_expected_challenge_or_domain_is_a_warning():
    report = verify(signed_vp(), challenge=None, domain=None)
    assert report.verdict == "verified"
    assert status(report)["challenge"] == status(report)["domain"] == "skipped"
    assert any("replay" in w for w in report.warnings)


@pytest.mark.parametrize("suite", SUITES)
def test_an_expired_proof_fails(suite):
    vp = signed_vp(suite=suite, expires=NOW - timedelta(seconds=1))
    report = verify(vp)
    assert report.verdict == "failed"
    assert status(report)["expires"] == "failed"
    assert "expired" in message(report, "expires")


def test_a_proof_made_in_the_future_fails():
    report = verify(signed_vp(created=NOW + timedelta(hours=1)))
    assert report.verdict == "failed" and status(report)["created"] == "failed"
    assert "future" in message(report, "created")
    # a little clock skew is tolerated
    assert verify(signed_vp(created=NOW + timedelta(minutes=2))).verdict == "verified"


@pytest.mark.parametrize("suite", SUITES)
def test_a_credential_changed_inside_breaks_the_presentation_proof(suite):
    vp = signed_vp(suite=suite)
    vp["verifiableCredential"][0]["name"] = "Advanced Data Science (forged)"
    report = verify(vp)
    assert report.verdict == "failed"
    assert status(report)["proof"] == "failed"
    assert status(report)["credentials"] == "failed"
    assert report.credentials[0].check("proof").status == "failed"


def test_a_credential_added_after_signing_breaks_the_proof():
    vp = signed_vp()
    vp["verifiableCredential"].append(credential("Statistics"))
    report = verify(vp)
    assert status(report)["proof"] == "failed"


def test_a_key_that_is_not_the_holders_fails():
    vp = build_presentation([credential()], holder=LEARNER.controller)
    # signed by someone else, claiming to be the learner
    forged = sign_before_now(
        vp,
        OTHER,
        proof_purpose="authentication",
        options={"challenge": CHALLENGE, "domain": DOMAIN},
    )
    report = verify(forged)
    assert report.verdict == "failed"
    assert status(report)["proof"] == "passed"
    assert status(report)["holder"] == "failed"
    assert OTHER.controller in message(report, "holder")


def test_a_proof_for_assertion_is_not_an_authentication():
    vp = build_presentation([credential()], holder=LEARNER.controller)
    signed = sign_before_now(vp, LEARNER, options={"challenge": CHALLENGE, "domain": DOMAIN})
    report = verify(signed)
    assert report.verdict == "failed" and status(report)["proof"] == "failed"
    assert "authentication" in message(report, "proof")


def test_an_unsigned_presentation_is_refused_unless_allowed():
    vp = build_presentation([credential()], holder=LEARNER.controller)
    report = verify(vp)
    assert report.verdict == "failed" and status(report)["proof"] == "failed"
    assert "no proof" in message(report, "proof")
    allowed = verify(vp, unsigned_ok=True)
    assert allowed.verdict == "verified"
    assert status(allowed)["proof"] == status(allowed)["holder"] == "skipped"
    assert any("not signed" in w for w in allowed.warnings)


def test_a_presentation_without_holder_fails():
    vp = signed_vp()
    del vp["holder"]
    report = verify(vp)
    assert report.verdict == "failed" and status(report)["shape"] == "failed"


# ---- the credentials inside ----------------------------------------------------------------
def _status_list(revoked: int) -> bytes:
    lst = statuslist.StatusList()
    lst.set(revoked, 1)
    doc = statuslist.status_list_credential(
        id=STATUS_URL,
        issuer=ISSUER.controller,
        purpose="revocation",
        encoded_list=lst.encode(),
        valid_from="2025-01-01T00:00:00Z",
    )
    return json.dumps(sign_before_now(doc, ISSUER)).encode()


def _with_status(name: str, index: int) -> dict[str, Any]:
    entry = statuslist.status_entry(list_url=STATUS_URL, index=index, purpose="revocation")
    return credential(name, credential_status=entry)


def test_one_revoked_credential_of_two_fails_the_presentation():
    vp = signed_vp([_with_status("Data Analysis", 8), _with_status("Statistics", 7)])
    with Fetcher(fixtures={STATUS_URL: _status_list(7)}, transport=_NoNetwork()) as fetch:
        report = verify(vp, fetch=fetch)
    assert [r.verdict for r in report.credentials] == ["verified", "failed"]
    assert report.verdict == "failed"
    assert status(report)["proof"] == "passed"
    assert "credential 2" in message(report, "credentials")
    assert "revoked" in message(report, "credentials")


def test_a_status_list_that_cannot_be_fetched_makes_it_indeterminate():
    vp = signed_vp([credential("Data Analysis"), _with_status("Statistics", 7)])
    with Fetcher(fixtures={}, transport=_NoNetwork()) as fetch:
        report = verify(vp, fetch=fetch)
    assert [r.verdict for r in report.credentials] == ["verified", "indeterminate"]
    assert report.verdict == "indeterminate"
    assert status(report)["credentials"] == "could_not_check"


def test_an_indeterminate_credential_does_not_hide_a_failure():
    vp = signed_vp([_with_status("Statistics", 7)])
    with Fetcher(fixtures={}, transport=_NoNetwork()) as fetch:
        report = verify(vp, fetch=fetch, domain="evil.example")
    assert report.verdict == "failed"


def test_an_enveloped_vc_jwt_is_verified():
    token = vcjwt.sign_vc_jwt(
        ob_credential(ISSUER.controller, subject_id=LEARNER.controller), ISSUER
    )
    report = verify(signed_vp([token, credential()]))
    assert report.verdict == "verified", report.to_json()
    assert report.credentials[0].credential.format == "VC-JWT (enveloped)"


def test_a_broken_envelope_fails():
    vp = signed_vp(
        [{"@context": VC2, "id": "data:text/plain,hi", "type": "EnvelopedVerifiableCredential"}]
    )
    report = verify(vp)
    assert report.verdict == "failed" and report.credentials[0].verdict == "failed"


def test_a_subject_named_by_e_mail_is_a_warning():
    doc = ob_credential(ISSUER.controller)
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": "learner@example.edu",
            "identityType": "emailAddress",
        }
    ]
    report = verify(signed_vp([sign_before_now(doc, ISSUER), credential()]))
    assert report.verdict == "verified", report.to_json()
    assert status(report)["subject"] == "passed"
    assert any("e-mail" in w and "credential 1" in w for w in report.warnings)


def test_someone_elses_credential_fails():
    report = verify(signed_vp([credential(subject="did:example:someone-else")]))
    assert report.verdict == "failed"
    assert status(report)["subject"] == "failed"
    assert "did:example:someone-else" in message(report, "subject")
    assert report.credentials[0].verdict == "verified"


# ---- input that is no presentation ---------------------------------------------------------
@pytest.mark.parametrize("bad", [None, "text", [1, 2], 42])
def test_not_an_object_fails_without_raising(bad):
    report = verify(bad)
    assert report.verdict == "failed" and status(report) == {"shape": "failed"}


def test_an_undefined_term_fails_the_context_check():
    vp = build_presentation([credential()], holder=LEARNER.controller)
    vp["favouriteColour"] = "green"
    report = verify(
        sign_presentation(vp, LEARNER, challenge=CHALLENGE, domain=DOMAIN, cryptosuite=JCS)
    )
    assert report.verdict == "failed" and status(report)["context"] == "failed"
    assert "favouriteColour" in message(report, "context")


def test_presentation_in():
    vp = signed_vp()
    assert presentation_in(json.dumps(vp).encode()) == vp
    assert presentation_in(b"\xef\xbb\xbf" + json.dumps(vp).encode()) == vp
    assert presentation_in(json.dumps(credential()).encode()) is None
    assert presentation_in(b"{broken") is None
    assert presentation_in(b"eyJ.x.y") is None


def test_verifying_does_not_change_the_presentation():
    vp = signed_vp()
    before = copy.deepcopy(vp)
    verify(vp)
    assert vp == before


def test_a_cryptosuite_that_is_no_string_fails_without_raising():
    from microcred.vc.verifier import verify_credential

    cred = credential()
    cred["proof"]["cryptosuite"] = []
    assert verify_credential(cred, now=NOW).check("proof").status == "failed"
    vp = signed_vp()
    vp["proof"]["cryptosuite"] = ["eddsa-rdfc-2022"]
    assert status(verify(vp))["proof"] == "failed"


@pytest.mark.parametrize(
    "subject_id, words", [(None, "without an id"), ("mailto:learner@example.edu", "by e-mail")]
)
def test_a_subject_that_cannot_be_tied_to_the_holder_is_a_warning(subject_id, words):
    doc = ob_credential(ISSUER.controller)
    del doc["credentialSubject"]["id"]
    if subject_id:
        doc["credentialSubject"]["id"] = subject_id
    report = verify(signed_vp([sign_before_now(doc, ISSUER)]))
    # Open Badges wants a subject id or identifier: without either the credential does not
    # fully follow the specification (its conformance part says so) but still verifies
    assert report.verdict == "verified", report.to_json()
    inner = report.credentials[0]
    assert bool(inner.conformance) is (subject_id is None)
    assert status(report)["subject"] == "skipped"
    assert any(words in w for w in report.warnings)
