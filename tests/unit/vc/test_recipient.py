"""issued_to: does a credential's subject name the holder (DID, hashed or plain e-mail)?

The hashes below were computed once by hand (``hashlib.sha256(b"eva@example.org" +
b"s4lt").hexdigest()``) and pasted, so a change in the order, encoding or case handling of
the hash shows up here.
"""

from __future__ import annotations

import pytest

from microcred.vc.recipient import RecipientMatch, describe_subject, issued_to

EVA_SHA256 = "5dedfd2d1bc54049dabc756f168b297f1c5df90ea37f7503765e517f3dc815e3"
EVA_MD5 = "3bdf02de80e179d105affbb7883a9334"
PRIYA_SHA256 = "052740fcea944987a097163f7d56d1b03dc869a5bfb1a493161fa5d64702ef17"
EVA_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def credential(subject: object) -> dict[str, object]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": subject,
    }


def hashed(digest: str, *, salt: str = "s4lt", algorithm: str = "sha256") -> dict[str, object]:
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": f"{algorithm}${digest}",
        "salt": salt,
    }


def plain(address: str) -> dict[str, object]:
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": False,
        "identityHash": address,
    }


def test_hashed_email_of_a_verified_address_matches():
    doc = credential({"type": "AchievementSubject", "identifier": [hashed(EVA_SHA256)]})
    match = issued_to(doc, emails=["eva@example.org"])
    assert match == RecipientMatch(
        True, "email-hashed", "issued to the holder's verified e-mail address"
    )


def test_the_address_is_trimmed_and_lower_cased_before_hashing():
    doc = credential({"identifier": [hashed(EVA_SHA256)]})
    assert issued_to(doc, emails=["  Eva@Example.ORG "]).how == "email-hashed"


def test_upper_case_hex_and_md5_hashes_match():
    doc = credential({"identifier": [hashed(EVA_SHA256.upper())]})
    assert issued_to(doc, emails=["eva@example.org"]).matched
    doc = credential({"identifier": hashed(EVA_MD5, algorithm="md5")})  # one object, no list
    assert issued_to(doc, emails=["eva@example.org"]).how == "email-hashed"


def test_the_specifications_example_hash():
    # OB 3.0, IdentityHash: sha256 of 'a@example.com' salted with 'Kosher'.
    ident = hashed(
        "b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399", salt="Kosher"
    )
    assert issued_to(credential({"identifier": [ident]}), emails=["a@example.com"]).matched


def test_someone_elses_hashed_email_does_not_match():
    doc = credential({"identifier": [hashed(PRIYA_SHA256)]})
    match = issued_to(doc, emails=["eva@example.org", "eva@work.example"], dids=[EVA_DID])
    assert match.matched is False and match.how is None
    assert match.sentence == (
        "issued to someone else: this credential's subject is a hashed e-mail address"
    )
    # ... and it is Priya's: her address matches.
    assert issued_to(doc, emails=["priya@example.org"]).matched


def test_wrong_salt_does_not_match():
    doc = credential({"identifier": [hashed(EVA_SHA256, salt="other")]})
    assert not issued_to(doc, emails=["eva@example.org"]).matched


def test_a_hashed_identity_of_another_type_is_not_an_email():
    ident = hashed(EVA_SHA256) | {"identityType": "studentId"}
    assert not issued_to(credential({"identifier": [ident]}), emails=["eva@example.org"]).matched


def test_plain_email_compares_ignoring_case_and_spaces():
    doc = credential({"identifier": [plain(" EVA@example.org ")]})
    assert issued_to(doc, emails=["eva@Example.org"]) == RecipientMatch(
        True, "email-plain", "issued to the holder's verified e-mail address"
    )
    assert not issued_to(doc, emails=["eve@example.org"]).matched


def test_mailto_subject_id_is_a_plain_email():
    doc = credential({"id": "mailto:Eva@example.org"})
    assert issued_to(doc, emails=["eva@example.org"]).how == "email-plain"
    assert describe_subject(doc) == "the e-mail address eva@example.org"


def test_did_subject_matches_and_is_named():
    doc = credential({"id": EVA_DID, "identifier": [hashed(PRIYA_SHA256)]})
    assert issued_to(doc, dids=[EVA_DID]) == RecipientMatch(
        True, "did", f"issued to the holder's DID {EVA_DID}"
    )


def test_another_did_is_someone_else():
    doc = credential({"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"})
    match = issued_to(doc, emails=["eva@example.org"], dids=[EVA_DID])
    assert not match.matched
    assert match.sentence == (
        "issued to someone else: this credential's subject is did:example:ebfeb1f712ebc6f1c276e12ec21"
    )


def test_a_did_is_compared_exactly():
    doc = credential({"id": EVA_DID + "#key-1"})
    assert not issued_to(doc, dids=[EVA_DID]).matched


def test_a_list_of_subjects_matches_on_any():
    doc = credential([{"id": "did:example:someone"}, {"identifier": [hashed(EVA_SHA256)]}])
    assert issued_to(doc, emails=["eva@example.org"]).how == "email-hashed"
    assert describe_subject(doc) == "did:example:someone; a hashed e-mail address"


def test_no_holder_identity_matches_nothing():
    doc = credential({"identifier": [hashed(EVA_SHA256)]})
    assert not issued_to(doc).matched
    assert not issued_to(doc, emails=["", "   "]).matched


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"type": ["VerifiableCredential"]}, "not given (the credential has no credentialSubject)"),
        (credential("did:example:x"), "not given (the credential has no credentialSubject)"),
        (
            credential({"type": "AchievementSubject"}),
            "not named (no subject id and no e-mail identifier)",
        ),
        (credential({"id": "https://example.org/people/7"}), "https://example.org/people/7"),
    ],
)
def test_malformed_or_anonymous_subjects_never_match(doc, words):
    match = issued_to(doc, emails=["eva@example.org"], dids=[EVA_DID])
    assert not match.matched
    assert match.sentence == f"issued to someone else: this credential's subject is {words}"


def test_not_a_dict_never_raises():
    assert not issued_to("nope", emails=["eva@example.org"]).matched  # type: ignore[arg-type]
