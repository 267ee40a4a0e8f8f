"""microcred and Digital Bazaar's ``@digitalbazaar/vc`` accept each other's presentations.

For eddsa-rdfc-2022 and eddsa-jcs-2022: a presentation microcred builds and signs
(``build_presentation`` + ``sign_presentation``) verifies with ``vc.verify({presentation,
challenge, domain})``, one ``vc.signPresentation`` signs verifies with
``verify_presentation``, and either one, replayed with another challenge or to another
domain, or with a credential inside changed, fails on both sides.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from microcred.bench import DbTool, sample_credential
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import (
    PresentationReport,
    build_presentation,
    sign_presentation,
    verify_presentation,
)
from microcred.vc.proofs import sign

pytestmark = pytest.mark.interop

SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
CHALLENGE, DOMAIN = "8a6e1c2f-1b7d-4d0e-9f3a-5c2b7e4d9a10", "jobs.example.com"
LEARNER = Ed25519Multikey.from_seed(bytes(range(7, 39)))


def _credentials(dbtool: DbTool, issuer_key: Ed25519Multikey) -> list[dict[str, Any]]:
    """Two credentials issued to the learner: one signed here (rdfc), one there (jcs)."""
    assert issuer_key.controller is not None
    first = sample_credential(issuer_key.controller)
    second = sample_credential(issuer_key.controller, name="Café é — 中文证书 🎓")
    for doc in (first, second):
        doc["credentialSubject"]["id"] = LEARNER.controller
    second["id"] = "urn:uuid:3c1f4b8e-2d5a-4e7b-8c9d-0a1b2c3d4e5f"
    theirs = dbtool.call(
        "sign",
        suite="eddsa-jcs-2022",
        key=issuer_key.to_json(include_secret=True),
        credential=second,
    )["credential"]
    return [sign(first, issuer_key), theirs]


def _theirs(dbtool: DbTool, vp: dict[str, Any], challenge: str, domain: str) -> dict[str, Any]:
    return dbtool.call("verify_presentation", presentation=vp, challenge=challenge, domain=domain)


def _ours(vp: dict[str, Any], challenge: str, domain: str) -> PresentationReport:
    return verify_presentation(vp, challenge=challenge, domain=domain, now=datetime.now(UTC))


def test_build_presentation_matches_create_presentation(
    dbtool: DbTool, issuer_key: Ed25519Multikey
) -> None:
    creds = _credentials(dbtool, issuer_key)
    theirs = dbtool.call(
        "create_presentation", credentials=creds, holder=LEARNER.controller, id="urn:uuid:1"
    )["presentation"]
    assert build_presentation(creds, holder=LEARNER.controller or "", id="urn:uuid:1") == theirs


@pytest.mark.parametrize("suite", SUITES)
def test_microcred_signed_presentation_verifies_in_digitalbazaar(
    dbtool: DbTool, issuer_key: Ed25519Multikey, suite: str
) -> None:
    vp = build_presentation(_credentials(dbtool, issuer_key), holder=LEARNER.controller or "")
    signed = sign_presentation(
        vp,
        LEARNER,
        challenge=CHALLENGE,
        domain=DOMAIN,
        cryptosuite=suite,
        expires=datetime.now(UTC) + timedelta(minutes=5),
    )
    assert _ours(signed, CHALLENGE, DOMAIN).verdict == "verified"
    answer = _theirs(dbtool, signed, CHALLENGE, DOMAIN)
    assert answer["verified"], answer["error"]
    assert answer["credentialsVerified"] == [True, True]


@pytest.mark.parametrize("suite", SUITES)
def test_digitalbazaar_signed_presentation_verifies_in_microcred(
    dbtool: DbTool, issuer_key: Ed25519Multikey, suite: str
) -> None:
    vp = build_presentation(_credentials(dbtool, issuer_key), holder=LEARNER.controller or "")
    signed = dbtool.call(
        "sign_presentation",
        suite=suite,
        key=LEARNER.to_json(include_secret=True),
        presentation=vp,
        challenge=CHALLENGE,
        domain=DOMAIN,
    )["presentation"]
    proof = signed["proof"]
    assert (proof["proofPurpose"], proof["challenge"], proof["domain"]) == (
        "authentication",
        CHALLENGE,
        DOMAIN,
    )
    assert _theirs(dbtool, signed, CHALLENGE, DOMAIN)["verified"]
    report = _ours(signed, CHALLENGE, DOMAIN)
    assert report.verdict == "verified", report.to_json()
    assert report.check("holder").status == "passed"  # type: ignore[union-attr]


@pytest.mark.parametrize("signer", ["microcred", "digitalbazaar"])
@pytest.mark.parametrize("suite", SUITES)
def test_a_replay_fails_on_both_sides(
    dbtool: DbTool, issuer_key: Ed25519Multikey, suite: str, signer: str
) -> None:
    vp = build_presentation(_credentials(dbtool, issuer_key), holder=LEARNER.controller or "")
    if signer == "microcred":
        signed = sign_presentation(
            vp, LEARNER, challenge=CHALLENGE, domain=DOMAIN, cryptosuite=suite
        )
    else:
        signed = dbtool.call(
            "sign_presentation",
            suite=suite,
            key=LEARNER.to_json(include_secret=True),
            presentation=vp,
            challenge=CHALLENGE,
            domain=DOMAIN,
        )["presentation"]
    for challenge, domain, word in (
        ("another-challenge", DOMAIN, "challenge"),
        (CHALLENGE, "evil.example", "domain"),
    ):
        theirs = _theirs(dbtool, signed, challenge, domain)
        assert not theirs["verified"] and word in theirs["error"]
        ours = _ours(signed, challenge, domain)
        assert ours.verdict == "failed"
        assert ours.check(word).status == "failed"  # type: ignore[union-attr]
        assert ours.check("proof").status == "passed"  # type: ignore[union-attr]
    # a credential changed inside: the presentation proof covers it
    changed = copy.deepcopy(signed)
    changed["verifiableCredential"][0]["name"] += " (changed)"
    assert not _theirs(dbtool, changed, CHALLENGE, DOMAIN)["verified"]
    assert _ours(changed, CHALLENGE, DOMAIN).check("proof").status == "failed"  # type: ignore[union-attr]
