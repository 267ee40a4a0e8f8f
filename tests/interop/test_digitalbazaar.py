"""microcred and Digital Bazaar's libraries accept each other's Data Integrity proofs.

For eddsa-rdfc-2022 and eddsa-jcs-2022: what microcred signs verifies with
``@digitalbazaar/vc``'s ``verifyCredential``, what ``@digitalbazaar/vc``'s ``issue`` signs
verifies with ``verify_proofs``, and a copy changed after signing fails on both sides. The
credentials are Open Badges 3.0 ones with control characters, non-ASCII text and several
blank nodes, where canonicalization differences would show.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from microcred.bench import DbTool, sample_credential
from microcred.vc.jsonld import canonical_nquads
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.proofs import sign, verify_proofs

pytestmark = pytest.mark.interop

SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]


def _named(name: str) -> Any:
    def build(issuer: str) -> dict[str, Any]:
        doc = sample_credential(issuer, name=name)
        doc["credentialSubject"]["achievement"]["criteria"]["narrative"] = f"Criteria: {name}"
        return doc

    return build


def _duplicate_alignments(issuer: str) -> dict[str, Any]:
    """Two identical alignments without ids: blank nodes that only N-degree hashing orders."""
    doc = sample_credential(issuer)
    alignments = doc["credentialSubject"]["achievement"]["alignment"]
    alignments.append(copy.deepcopy(alignments[0]))
    return doc


def _many_blank_nodes(issuer: str) -> dict[str, Any]:
    """Subject without id, criteria, results and alignments without ids, evidence without id."""
    doc = sample_credential(issuer)
    subject = doc["credentialSubject"]
    subject["result"] = [
        {"type": ["Result"], "value": "A"},
        {"type": ["Result"], "value": "92", "status": "Completed"},
    ]
    subject["achievement"]["alignment"].append(
        {"type": ["Alignment"], "targetName": "Statistics", "targetType": "ceasn:Competency"}
    )
    doc["evidence"] = [
        {"type": ["Evidence"], "name": "Capstone report", "narrative": "Sales data, cleaned."}
    ]
    return doc


VARIANTS = {
    "plain": _named("Data Literacy Fundamentals"),
    "control-chars": _named("ctl \b backspace \f formfeed \x01 soh \x7f del"),
    "tab-newline": _named("tab\there\nnew line\r\ncarriage return"),
    "quotes-backslash": _named('quote " and backslash \\ and \\n literally'),
    "non-ascii": _named("Café é — 中文证书 🎓👩\u200d🔬"),
    "duplicate-alignments": _duplicate_alignments,
    "many-blank-nodes": _many_blank_nodes,
}


@pytest.fixture(params=sorted(VARIANTS))
def credential(request: pytest.FixtureRequest, issuer_key: Ed25519Multikey) -> dict[str, Any]:
    assert issuer_key.controller is not None
    return VARIANTS[request.param](issuer_key.controller)


def _ours(doc: dict[str, Any]) -> tuple[bool, str]:
    results = verify_proofs(doc)
    errors = "; ".join(r.error or "" for r in results if not r.verified)
    return bool(results) and all(r.verified for r in results), errors


def _theirs(tool: DbTool, doc: dict[str, Any]) -> tuple[bool, str]:
    answer = tool.call("verify", credential=doc)
    return answer["verified"], answer["error"] or ""


def _tamper(doc: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    changed["name"] = changed["name"] + " (changed)"
    return changed


def test_canonical_nquads_match(dbtool: DbTool, credential: dict[str, Any]) -> None:
    theirs = dbtool.call("canonize", document=credential)["nquads"]
    assert canonical_nquads(credential) == theirs


@pytest.mark.parametrize("suite", SUITES)
def test_microcred_signed_verifies_in_digitalbazaar(
    dbtool: DbTool, issuer_key: Ed25519Multikey, credential: dict[str, Any], suite: str
) -> None:
    signed = sign(credential, issuer_key, cryptosuite=suite)
    assert _ours(signed) == (True, "")
    verified, error = _theirs(dbtool, signed)
    assert verified, error


@pytest.mark.parametrize("suite", SUITES)
def test_digitalbazaar_signed_verifies_in_microcred(
    dbtool: DbTool, issuer_key: Ed25519Multikey, credential: dict[str, Any], suite: str
) -> None:
    signed = dbtool.call(
        "sign", suite=suite, key=issuer_key.to_json(include_secret=True), credential=credential
    )["credential"]
    assert signed["proof"]["cryptosuite"] == suite
    assert _theirs(dbtool, signed) == (True, "")
    verified, error = _ours(signed)
    assert verified, error


@pytest.mark.parametrize("signer", ["microcred", "digitalbazaar"])
@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("variant", ["plain", "control-chars", "non-ascii", "many-blank-nodes"])
def test_tampered_copy_fails_on_both_sides(
    dbtool: DbTool, issuer_key: Ed25519Multikey, suite: str, signer: str, variant: str
) -> None:
    assert issuer_key.controller is not None
    doc = VARIANTS[variant](issuer_key.controller)
    if signer == "microcred":
        signed = sign(doc, issuer_key, cryptosuite=suite)
    else:
        signed = dbtool.call(
            "sign", suite=suite, key=issuer_key.to_json(include_secret=True), credential=doc
        )["credential"]
    assert _ours(signed)[0] and _theirs(dbtool, signed)[0]
    changed = _tamper(signed)
    ours_ok, ours_error = _ours(changed)
    theirs_ok, theirs_error = _theirs(dbtool, changed)
    assert not ours_ok and "signature does not match" in ours_error
    assert not theirs_ok and "Invalid signature" in theirs_error


@pytest.mark.parametrize("suite", SUITES)
def test_tampered_blank_node_fails_on_both_sides(
    dbtool: DbTool, issuer_key: Ed25519Multikey, suite: str
) -> None:
    """A change inside a blank node (an alignment without id) is caught too."""
    assert issuer_key.controller is not None
    signed = sign(_many_blank_nodes(issuer_key.controller), issuer_key, cryptosuite=suite)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["alignment"][1]["targetCode"] = "SS-3"
    assert not _ours(changed)[0]
    assert not _theirs(dbtool, changed)[0]


def test_key_export_loads_in_both(dbtool: DbTool, issuer_key: Ed25519Multikey) -> None:
    """Our key file is @digitalbazaar/ed25519-multikey's shape: a signature by it under their
    library names our verification method."""
    assert issuer_key.controller is not None
    signed = dbtool.call(
        "sign",
        suite="eddsa-jcs-2022",
        key=issuer_key.to_json(include_secret=True),
        credential=sample_credential(issuer_key.controller),
    )["credential"]
    assert signed["proof"]["verificationMethod"] == issuer_key.id
