"""check_shape against 1EdTech's published samples (../shared/conformance, read-only).

Sources: ``1edtech-validator-ob30/`` is from 1EdTech's digital-credentials-public-validator
(inspector-vc/src/test/resources/ob30/, Apache-2.0); ``1edtech-canon-vectors/`` from the
Open Badges specification repository (ob_v3p0/impl/test-vectors/). See the folder's README.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred.vc.openbadges import check_shape

pytestmark = pytest.mark.conformance

VALIDATOR = "1edtech-validator-ob30"

# Each sample breaks one rule; check_shape must name the path of what it breaks.
BROKEN = {
    "simple-err-type.json": "$.type",
    "simple-err-credential-subject-type.json": "$.credentialSubject.type",
    "simple-err-credential-subject-identifier-type.json": "$.credentialSubject.identifier[0].type",
    "simple-err-credential-subject-result-type.json": "$.credentialSubject.result[1].type",
    "simple-err-credential-subject-achievement-result-description-type.json": "$.credentialSubject.achievement.resultDescription[2].type",
    "simple-err-credential-subject-profile-type.json": "$.credentialSubject.source.type",
    "simple-err-evidence-type.json": "$.evidence[1].type",
    "simple-err-issuer-type.json": "$.issuer.type",
    "simple-err-issuer-parentorg-type.json": "$.issuer.parentOrg.type",
    "simple-err-issuer-otheridentifier-type.json": "$.issuer.otherIdentifier[1].type",
    "simple-err-issuer.json": "$.issuer",
    "simple-err-context.json": "$['@context']",
}

VALID = [
    f"{VALIDATOR}/simple.json",
    f"{VALIDATOR}/simple_v1.json",
    f"{VALIDATOR}/complete.json",
    f"{VALIDATOR}/complete_v1.json",
    f"{VALIDATOR}/endorsement-valid.json",
    f"{VALIDATOR}/simple-context-version.json",
    f"{VALIDATOR}/simple-did-key-method.json",
    f"{VALIDATOR}/simple-did-web-method.json",
    f"{VALIDATOR}/credential-status-revoked.json",
    f"{VALIDATOR}/bit-string-list/credential-status-revoked.json",
    f"{VALIDATOR}/bit-string-list/testlist",
    "1edtech-canon-vectors/obv3p0/unsigned.json",
    "1edtech-canon-vectors/clrv2p0/unsigned.json",
]


def _load(conformance_dir: Path, name: str) -> dict:
    return json.loads((conformance_dir / name).read_text("utf-8"))


@pytest.mark.parametrize(("name", "path"), sorted(BROKEN.items()))
def test_broken_samples_name_the_path(conformance_dir, name, path):
    problems = check_shape(_load(conformance_dir, f"{VALIDATOR}/{name}"))
    assert path in [p.path for p in problems], problems


@pytest.mark.parametrize("name", VALID)
def test_valid_samples_have_no_problems(conformance_dir, name):
    assert check_shape(_load(conformance_dir, name)) == []


def test_every_shape_case_of_the_expectations_is_covered(conformance_dir):
    expectations = _load(conformance_dir, f"{VALIDATOR}/expectations.json")
    shape_cases = {
        case["file"] for case in expectations["cases"] if "shape" in case.get("checks", [])
    }
    assert shape_cases <= BROKEN.keys()
