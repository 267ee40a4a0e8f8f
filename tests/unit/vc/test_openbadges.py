"""Open Badges 3.0 / CLR 2.0 builders and shape checks (no I/O: every fixture is inline)."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import MicrocredError
from microcred.vc import openbadges as ob
from microcred.vc.errors import VCError
from microcred.vc.openbadges import Problem, ShapeError, check_shape

ISSUER = "https://issuer.example.org/profile"
START = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)
# sha256("alice@example.org" + "salt"), computed once with hashlib and pasted.
KAT_HEX = "f931ea8c57627e1e97571259ed9ebfefb15b748f89ba8afab5993d3913bb54e4"


def _achievement(**over: Any) -> dict[str, Any]:
    args: dict[str, Any] = dict(
        id="https://issuer.example.org/achievements/python-101",
        name="Python 101",
        description="Writes and tests small Python programs.",
        criteria_narrative="Passed the final project with a grade of B or better.",
        achievement_type="MicroCredential",
    )
    args.update(over)
    return ob.achievement(**args)


def _badge(**over: Any) -> dict[str, Any]:
    args: dict[str, Any] = dict(
        id="urn:uuid:2f9a5c6e-8d3b-4d7e-9a61-0c5d1f3b2a10",
        issuer=ob.profile(id=ISSUER, name="Example Institute"),
        achievement=_achievement(),
        subject_id="did:example:alice",
        valid_from=START,
    )
    args.update(over)
    return ob.open_badge_credential(**args)


# A hand-written credential exercising every rule; mutations below break one rule each.
COMPLETE: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:6c1f1b3e-5a7d-4c1e-8b44-3f0f1d2e9a77",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Data Literacy",
    "issuer": {
        "id": "https://college.example.edu/issuer",
        "type": ["Profile"],
        "name": "Example College",
        "otherIdentifier": [
            {"type": "IdentifierEntry", "identifier": "12345", "identifierType": "sourcedId"}
        ],
        "parentOrg": {"id": "did:example:parent", "type": ["Profile"], "name": "Parent"},
        "address": {"type": ["Address"], "addressCountry": "France"},
        "image": {"id": "https://college.example.edu/logo.png", "type": "Image"},
    },
    "validFrom": "2025-01-31T12:00:00Z",
    "validUntil": "2030-01-31T12:00:00+01:00",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": "sha256$" + "ab" * 32,
                "identityType": "emailAddress",
                "salt": "pepper",
            }
        ],
        "achievement": {
            "id": "https://college.example.edu/achievements/data-literacy",
            "type": ["Achievement"],
            "name": "Data Literacy",
            "description": "Reads, cleans and charts tabular data.",
            "criteria": {"narrative": "Completed four graded projects."},
            "achievementType": "Certificate",
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": "Data analysis",
                    "targetUrl": "https://framework.example.org/skills/data-analysis",
                    "targetType": "CFItem",
                }
            ],
            "resultDescription": [
                {
                    "id": "urn:uuid:rd-1",
                    "type": ["ResultDescription"],
                    "name": "Final grade",
                    "resultType": "LetterGrade",
                }
            ],
            "endorsement": [
                {
                    "@context": [
                        "https://www.w3.org/ns/credentials/v2",
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                    ],
                    "type": ["VerifiableCredential", "EndorsementCredential"],
                    "issuer": {"id": "https://agency.example.gov", "type": ["Profile"]},
                    "validFrom": "2024-01-01T00:00:00Z",
                    "credentialSubject": {
                        "id": "https://college.example.edu/achievements/data-literacy",
                        "type": ["EndorsementSubject"],
                    },
                }
            ],
        },
        "result": [{"type": ["Result"], "resultDescription": "urn:uuid:rd-1", "value": "A"}],
        "source": {"id": "https://college.example.edu/campus", "type": ["Profile"]},
    },
    "evidence": [{"type": ["Evidence"], "id": "https://portfolio.example.org/alice/1"}],
    "credentialStatus": {
        "id": "https://college.example.edu/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://college.example.edu/status/1",
    },
}

V1_BADGE: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.com/issuers/876543", "type": "Profile"},
    "issuanceDate": "2010-01-01T00:00:00Z",
    "expirationDate": "2030-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": "AchievementSubject",
        "achievement": {
            "id": "https://example.com/achievements/teamwork",
            "type": "Achievement",
            "name": "Teamwork",
            "description": "Collaborates within a group.",
            "criteria": {"id": "https://example.com/achievements/teamwork/criteria"},
        },
    },
}

STATUS_LIST: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "https://example.com/credentials/status/3",
    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
    "issuer": "https://example.com/issuers/1",
    "credentialSubject": {
        "id": "https://example.com/status/3#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": "uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAA",
    },
}


def _paths(doc: Any) -> list[str]:
    return [p.path for p in check_shape(doc)]


def _mutate(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A deep copy of doc with doc[path] set to value (or deleted when value is DELETE)."""
    out = copy.deepcopy(doc)
    node: Any = out
    for step in path[:-1]:
        node = node[step]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


DELETE = object()


# ------------------------------------------------------------------------- builders


def test_builders_make_a_valid_open_badge_credential():
    doc = _badge()
    assert check_shape(doc) == []
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["validFrom"] == "2025-01-31T12:00:00Z"
    assert doc["name"] == "Python 101"
    assert doc["issuer"] == {"id": ISSUER, "type": ["Profile"], "name": "Example Institute"}
    subject = doc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == "did:example:alice"
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["criteria"] == {
        "narrative": "Passed the final project with a grade of B or better."
    }


def test_a_badge_with_every_optional_part_is_valid():
    rd = ob.result_description(
        id="urn:uuid:rd-1", name="Grade", result_type="LetterGrade", allowed_value=["A", "B"]
    )
    skill = ob.alignment(
        target_name="Testing",
        target_url="https://framework.example.org/testing",
        target_type="ext:Skill.v2",
        target_code="T1",
    )
    doc = _badge(
        issuer=ob.profile(
            id=ISSUER,
            name="Example Institute",
            url="https://issuer.example.org",
            email="registrar@issuer.example.org",
            image="https://issuer.example.org/logo.png",
            description="A school.",
            address={"addressCountry": "France", "postalCode": "75001"},
            parent_org=ob.profile(id="did:example:parent"),
        ),
        achievement=_achievement(
            criteria_id="https://issuer.example.org/criteria/python-101",
            image={"id": "https://issuer.example.org/python.png", "caption": "Python"},
            credits_available=3,
            result_description=[rd],
            tag=["python", "testing"],
            alignment=[skill],
            in_language="en-GB",
            version="2",
            field_of_study="Computing",
            human_code="PY101",
            creator=ob.profile(id=ISSUER),
        ),
        identifier=ob.identity_object("alice@example.org", salt="s"),
        valid_until=START + timedelta(days=365),
        result=ob.result(result_description="urn:uuid:rd-1", value="A", status="Completed"),
        evidence=[ob.evidence(id="https://portfolio.example.org/1", name="Project")],
        credential_status={
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://issuer.example.org/status/1",
        },
        context_version="3.0.2",
    )
    assert check_shape(doc) == []
    assert doc["credentialSubject"]["identifier"][0]["type"] == "IdentityObject"
    assert doc["issuer"]["address"]["type"] == ["Address"]
    assert doc["validUntil"] == "2026-01-31T12:00:00Z"


def test_a_string_issuer_becomes_a_profile_and_times_become_utc():
    paris = timezone(timedelta(hours=1))
    doc = _badge(issuer=ISSUER, valid_from=datetime(2025, 1, 31, 13, 0, tzinfo=paris))
    assert doc["issuer"] == {"id": ISSUER, "type": ["Profile"]}
    assert doc["validFrom"] == "2025-01-31T12:00:00Z"


def test_clr_builder_bundles_credentials():
    badge = _badge()
    achievement = badge["credentialSubject"]["achievement"]
    other = _achievement(id="https://issuer.example.org/achievements/python-201", name="201")
    doc = ob.clr_credential(
        id="urn:uuid:clr-1",
        issuer=ob.profile(id=ISSUER, name="Example Institute"),
        name="Transcript",
        verifiable_credentials=[badge],
        valid_from="2025-02-01T00:00:00Z",
        subject_id="did:example:alice",
        achievements=[achievement, other],
        associations=[
            ob.association(
                association_type="isParentOf", source_id=achievement["id"], target_id=other["id"]
            )
        ],
    )
    assert check_shape(doc) == []
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    assert doc["credentialSubject"]["type"] == ["ClrSubject"]
    assert doc["credentialSubject"]["verifiableCredential"] == [badge]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: _achievement(id="not a uri"), id="achievement-id"),
        pytest.param(lambda: _achievement(name=" "), id="achievement-name"),
        pytest.param(lambda: _achievement(criteria_narrative=None), id="no-criteria"),
        pytest.param(lambda: _achievement(achievement_type="Custom"), id="achievement-type"),
        pytest.param(lambda: _achievement(credits_available=-1), id="credits"),
        pytest.param(lambda: _achievement(in_language="english"), id="language"),
        pytest.param(lambda: _achievement(tag=["ok", ""]), id="tag"),
        pytest.param(lambda: ob.profile(id=ISSUER, email="nope"), id="email"),
        pytest.param(lambda: ob.profile(id=ISSUER, url="ftp://x"), id="url"),
        pytest.param(lambda: ob.alignment(target_name="x", target_url="y"), id="target-url"),
        pytest.param(
            lambda: ob.alignment(target_name="x", target_url="https://x", target_type="Skill"),
            id="target-type",
        ),
        pytest.param(
            lambda: ob.result_description(id="urn:x", name="n", result_type="Grade"),
            id="result-type",
        ),
        pytest.param(lambda: ob.result(status="Done"), id="result-status"),
        pytest.param(lambda: ob.result(), id="empty-result"),
        pytest.param(lambda: ob.evidence(name="nothing to point at"), id="empty-evidence"),
        pytest.param(
            lambda: ob.association(association_type="likes", source_id="urn:a", target_id="urn:b"),
            id="association-type",
        ),
        pytest.param(lambda: ob.identity_object(""), id="identity-value"),
        pytest.param(lambda: ob.identity_object("a@b.c", identity_type="mail"), id="identity-type"),
        pytest.param(lambda: _badge(subject_id=None), id="no-recipient"),
        pytest.param(lambda: _badge(valid_from=datetime(2025, 1, 1)), id="naive-datetime"),
        pytest.param(lambda: _badge(valid_from="2025-01-01"), id="date-without-time"),
        pytest.param(lambda: _badge(valid_until=START - timedelta(days=1)), id="until-before"),
        pytest.param(lambda: _badge(context_version="3.0.1"), id="context-version"),
        pytest.param(lambda: _badge(issuer={"name": "no id"}), id="issuer-without-id"),
        pytest.param(lambda: _badge(achievement={"id": "urn:x"}), id="achievement-checked"),
        pytest.param(
            lambda: _badge(credential_status={"type": "BitstringStatusListEntry"}),
            id="status-checked",
        ),
        pytest.param(
            lambda: ob.clr_credential(
                id="urn:c",
                issuer=ISSUER,
                name="T",
                verifiable_credentials=[],
                valid_from=START,
                subject_id="did:example:a",
            ),
            id="empty-clr",
        ),
    ],
)
def test_builders_refuse_caller_mistakes(build):
    with pytest.raises(ShapeError) as info:
        build()
    assert info.value.user_message


def test_shape_error_is_a_microcred_error_with_a_code_and_details():
    with pytest.raises(MicrocredError) as info:
        _badge(achievement={"id": "urn:x", "type": ["Achievement"]})
    assert isinstance(info.value, VCError)
    assert info.value.code == "shape"
    assert "$.credentialSubject.achievement.name" in info.value.user_message
    assert info.value.detail is not None


# ------------------------------------------------------------------- IdentityObject


def test_identity_hash_known_answer():
    obj = ob.identity_object("alice@example.org", salt="salt")
    independent = hashlib.sha256(b"alice@example.org" + b"salt").hexdigest()
    assert obj == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": "sha256$" + independent,
        "identityType": "emailAddress",
        "salt": "salt",
    }
    # Computed once and pasted, so a change in encoding or concatenation order shows up.
    assert obj["identityHash"] == (
        "sha256$f931ea8c57627e1e97571259ed9ebfefb15b748f89ba8afab5993d3913bb54e4"
    )


def test_identity_hash_matches_the_specifications_example():
    # OB 3.0, IdentityHash: sha256 of 'a@example.com' salted with 'Kosher'.
    obj = ob.identity_object("a@example.com", salt="Kosher")
    assert obj["identityHash"] == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_identity_object_generates_a_fresh_salt():
    first = ob.identity_object("alice@example.org")
    second = ob.identity_object("alice@example.org")
    assert first["salt"] and first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]
    assert ob.identity_matches(first, "alice@example.org")
    assert ob.identity_matches(second, "alice@example.org")


@pytest.mark.parametrize(
    ("obj", "value", "expected"),
    [
        (ob.identity_object("alice@example.org", salt="salt"), "alice@example.org", True),
        (ob.identity_object("alice@example.org", salt="salt"), "bob@example.org", False),
        (ob.identity_object("alice@example.org", salt="salt"), "Alice@example.org", False),
        (
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityType": "emailAddress",
                "identityHash": "sha256$" + KAT_HEX.upper(),
                "salt": "salt",
            },
            "alice@example.org",
            True,
        ),
        (
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityType": "emailAddress",
                "identityHash": "md5$1ee85d7f874364f75d75682617b4e066",
                "salt": "salt",
            },
            "alice@example.org",
            True,
        ),
        (
            {
                "type": "IdentityObject",
                "hashed": False,
                "identityType": "emailAddress",
                "identityHash": "student@example.edu",
            },
            "student@example.edu",
            True,
        ),
        ({"hashed": True, "identityHash": "sha1$00"}, "x", False),
        ({"hashed": True}, "x", False),
        ("not an object", "x", False),
    ],
)
def test_identity_matches(obj, value, expected):
    assert ob.identity_matches(obj, value) is expected


# ------------------------------------------------------------------------- ext: rule


@pytest.mark.parametrize(
    "value",
    [
        "MicroCredential",
        "Badge",
        "Certificate",
        "Certification",
        "ext:Nanodegree",
        "ext:my.type_2",
        "ext:dash-ed",
    ],
)
def test_achievement_types_accepted(value):
    assert ob.is_valid_achievement_type(value)
    assert _achievement(achievement_type=value)["achievementType"] == value
    assert check_shape(_mutate(COMPLETE, ACH + ("achievementType",), value)) == []


@pytest.mark.parametrize(
    "value",
    [
        "Nanodegree",
        "microcredential",
        "ext:",
        "ext:has space",
        "EXT:Foo",
        "x-ext:Foo",
        "ext:Foo!",
        "ext:A|B",
        7,
        None,
    ],
)
def test_achievement_types_refused(value):
    # The spec's pattern [a-z|A-Z|0-9|.|-|_] means letters, digits, '.', '-', '_': the "|"
    # are the usual character-class mistake, so "ext:A|B" is refused and "ext:dash-ed" taken.
    assert not ob.is_valid_achievement_type(value)
    assert _paths(_mutate(COMPLETE, ACH + ("achievementType",), value)) == [
        "$.credentialSubject.achievement.achievementType"
    ]


# ----------------------------------------------------------------------- shape checks

SUBJ = ("credentialSubject",)
ACH = ("credentialSubject", "achievement")


def test_the_complete_fixture_and_variants_are_valid():
    assert check_shape(COMPLETE) == []
    assert check_shape(V1_BADGE) == []
    assert check_shape(STATUS_LIST) == []
    assert check_shape(_mutate(COMPLETE, ("credentialStatus", "statusListIndex"), 94567)) == []
    assert check_shape(_mutate(COMPLETE, ("@context",), ob.VC_V2_CONTEXT)) != []  # no OB context


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("@context",), DELETE, "$['@context']"),
        (
            ("@context", 0),
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "$['@context']",
        ),
        (("@context", 1), "https://example.org/other-context.json", "$['@context']"),
        (("type",), ["VerifiableCredential", "OtherCredential"], "$.type"),
        (("type",), ["OpenBadgeCredential"], "$.type"),
        (("type",), DELETE, "$.type"),
        (("id",), "not a uri", "$.id"),
        (("issuer",), DELETE, "$.issuer"),
        (("issuer",), "https://college.example.edu/issuer", "$.issuer"),
        (("issuer",), 42, "$.issuer"),
        (("issuer", "type"), ["InvalidProfile"], "$.issuer.type"),
        (("issuer", "id"), DELETE, "$.issuer.id"),
        (("issuer", "id"), "no scheme", "$.issuer.id"),
        (
            ("issuer", "otherIdentifier", 0, "type"),
            "InvalidIdentifierEntry",
            "$.issuer.otherIdentifier[0].type",
        ),
        (
            ("issuer", "otherIdentifier", 0, "identifier"),
            DELETE,
            "$.issuer.otherIdentifier[0].identifier",
        ),
        (("issuer", "parentOrg", "type"), ["InvalidProfile"], "$.issuer.parentOrg.type"),
        (("issuer", "address", "type"), "Place", "$.issuer.address.type"),
        (("issuer", "image"), "https://college.example.edu/logo.png", "$.issuer.image"),
        (("issuer", "image", "type"), "Picture", "$.issuer.image.type"),
        (("validFrom",), DELETE, "$.validFrom"),
        (("validFrom",), "2025-01-31", "$.validFrom"),
        (("validFrom",), "2025-01-31T12:00:00", "$.validFrom"),
        (("validFrom",), "2025-02-30T12:00:00Z", "$.validFrom"),
        (("validFrom",), 1738324800, "$.validFrom"),
        (("validUntil",), "soon", "$.validUntil"),
        (SUBJ, DELETE, "$.credentialSubject"),
        (SUBJ, [], "$.credentialSubject"),
        (SUBJ + ("type",), ["InvalidAchievementSubject"], "$.credentialSubject.type"),
        (SUBJ + ("identifier",), DELETE, "$.credentialSubject"),
        (SUBJ + ("identifier",), {"type": "IdentityObject"}, "$.credentialSubject.identifier"),
        (
            SUBJ + ("identifier", 0, "type"),
            "InvalidIdentityObject",
            "$.credentialSubject.identifier[0].type",
        ),
        (SUBJ + ("identifier", 0, "hashed"), "true", "$.credentialSubject.identifier[0].hashed"),
        (
            SUBJ + ("identifier", 0, "identityHash"),
            DELETE,
            "$.credentialSubject.identifier[0].identityHash",
        ),
        (
            SUBJ + ("identifier", 0, "identityHash"),
            "sha256$abc",
            "$.credentialSubject.identifier[0].identityHash",
        ),
        (
            SUBJ + ("identifier", 0, "identityType"),
            DELETE,
            "$.credentialSubject.identifier[0].identityType",
        ),
        (SUBJ + ("identifier", 0, "salt"), 5, "$.credentialSubject.identifier[0].salt"),
        (SUBJ + ("result", 0, "type"), ["InvalidResult"], "$.credentialSubject.result[0].type"),
        (SUBJ + ("source", "type"), "InvalidProfile", "$.credentialSubject.source.type"),
        (ACH, DELETE, "$.credentialSubject.achievement"),
        (ACH + ("id",), DELETE, "$.credentialSubject.achievement.id"),
        (ACH + ("type",), ["Badge"], "$.credentialSubject.achievement.type"),
        (ACH + ("name",), DELETE, "$.credentialSubject.achievement.name"),
        (ACH + ("description",), "", "$.credentialSubject.achievement.description"),
        (ACH + ("criteria",), DELETE, "$.credentialSubject.achievement.criteria"),
        (ACH + ("criteria",), {}, "$.credentialSubject.achievement.criteria"),
        (ACH + ("creditsAvailable",), "3", "$.credentialSubject.achievement.creditsAvailable"),
        (ACH + ("tag",), "python", "$.credentialSubject.achievement.tag"),
        (
            ACH + ("alignment", 0, "type"),
            "Align",
            "$.credentialSubject.achievement.alignment[0].type",
        ),
        (
            ACH + ("alignment", 0, "targetUrl"),
            DELETE,
            "$.credentialSubject.achievement.alignment[0].targetUrl",
        ),
        (
            ACH + ("alignment", 0, "targetType"),
            "Skill",
            "$.credentialSubject.achievement.alignment[0].targetType",
        ),
        (
            ACH + ("resultDescription", 0, "type"),
            "InvalidResultDescription",
            "$.credentialSubject.achievement.resultDescription[0].type",
        ),
        (
            ACH + ("resultDescription", 0, "resultType"),
            DELETE,
            "$.credentialSubject.achievement.resultDescription[0].resultType",
        ),
        (
            ACH + ("endorsement", 0, "type"),
            ["VerifiableCredential"],
            "$.credentialSubject.achievement.endorsement[0].type",
        ),
        (
            ACH + ("endorsement", 0, "credentialSubject", "type"),
            "Subject",
            "$.credentialSubject.achievement.endorsement[0].credentialSubject.type",
        ),
        (
            ACH + ("endorsement", 0, "issuer"),
            DELETE,
            "$.credentialSubject.achievement.endorsement[0].issuer",
        ),
        (
            ACH + ("endorsement", 0),
            "not a credential",
            "$.credentialSubject.achievement.endorsement[0]",
        ),
        (("evidence", 0, "type"), "InvalidEvidence", "$.evidence[0].type"),
        (("evidence",), ["https://portfolio.example.org/alice/1"], "$.evidence[0]"),
        (("credentialStatus", "type"), DELETE, "$.credentialStatus.type"),
        (("credentialStatus", "statusPurpose"), DELETE, "$.credentialStatus.statusPurpose"),
        (("credentialStatus", "statusListIndex"), "-1", "$.credentialStatus.statusListIndex"),
        (("credentialStatus", "statusListIndex"), "12a", "$.credentialStatus.statusListIndex"),
        (("credentialStatus", "statusListIndex"), True, "$.credentialStatus.statusListIndex"),
        (("credentialStatus", "statusListIndex"), DELETE, "$.credentialStatus.statusListIndex"),
        (
            ("credentialStatus", "statusListCredential"),
            "status-1",
            "$.credentialStatus.statusListCredential",
        ),
        (("credentialStatus",), [{"id": "urn:x"}], "$.credentialStatus[0].type"),
    ],
)
def test_each_rule_fails_when_broken(path, value, expected):
    problems = check_shape(_mutate(COMPLETE, path, value))
    assert expected in [p.path for p in problems], problems
    assert all(isinstance(p, Problem) and p.message for p in problems)


def test_problems_are_plain_sentences_naming_the_rule():
    [problem] = check_shape(_mutate(COMPLETE, SUBJ + ("result", 0, "type"), ["InvalidResult"]))
    assert problem == Problem(
        "$.credentialSubject.result[0].type",
        "type must include 'Result', found ['InvalidResult']",
    )


def test_a_non_object_is_one_problem_at_the_root():
    assert _paths([COMPLETE]) == ["$"]
    assert _paths("{}") == ["$"]


def test_vc_1_1_uses_issuance_and_expiration_dates():
    assert _paths(_mutate(V1_BADGE, ("issuanceDate",), DELETE)) == ["$.issuanceDate"]
    assert _paths(_mutate(V1_BADGE, ("expirationDate",), "2030")) == ["$.expirationDate"]
    assert _paths(_mutate(V1_BADGE, ("credentialSubject", "achievement", "criteria"), {})) == [
        "$.credentialSubject.achievement.criteria"
    ]


def test_vc_2_0_names_the_renamed_date():
    doc = _mutate(COMPLETE, ("validFrom",), DELETE)
    doc["issuanceDate"] = "2025-01-31T12:00:00Z"
    [problem] = check_shape(doc)
    assert problem.path == "$.validFrom"
    assert "issuanceDate" in problem.message


def test_a_generic_credential_gets_only_the_vc_rules():
    assert check_shape(STATUS_LIST) == []  # string issuer, no validFrom: fine for VC 2.0
    assert _paths(_mutate(STATUS_LIST, ("type",), ["BitstringStatusListCredential"])) == ["$.type"]
    assert _paths(_mutate(STATUS_LIST, ("issuer",), {"name": "x"})) == ["$.issuer.id"]
    assert _paths(_mutate(STATUS_LIST, ("validFrom",), "yesterday")) == ["$.validFrom"]
    assert _paths(_mutate(STATUS_LIST, ("credentialSubject",), "x")) == ["$.credentialSubject"]
    v1 = _mutate(STATUS_LIST, ("@context",), [ob.VC_V1_CONTEXT])
    assert _paths(v1) == ["$.issuanceDate"]


def _clr() -> dict[str, Any]:
    return ob.clr_credential(
        id="urn:uuid:clr-1",
        issuer=ISSUER,
        name="Transcript",
        verifiable_credentials=[_badge()],
        valid_from=START,
        subject_id="did:example:alice",
        associations=[
            ob.association(association_type="isChildOf", source_id="urn:a", target_id="urn:b")
        ],
    )


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (SUBJ + ("type",), "AchievementSubject", "$.credentialSubject.type"),
        (SUBJ + ("verifiableCredential",), [], "$.credentialSubject.verifiableCredential"),
        (
            SUBJ + ("verifiableCredential", 0, "credentialSubject", "achievement", "name"),
            DELETE,
            "$.credentialSubject.verifiableCredential[0].credentialSubject.achievement.name",
        ),
        (SUBJ + ("achievement",), [{"id": "urn:x"}], "$.credentialSubject.achievement[0].type"),
        (
            SUBJ + ("association", 0, "sourceId"),
            DELETE,
            "$.credentialSubject.association[0].sourceId",
        ),
        (SUBJ + ("association", 0, "type"), "Link", "$.credentialSubject.association[0].type"),
        (("@context", 1), "https://example.org/ctx.json", "$['@context']"),
    ],
)
def test_clr_rules(path, value, expected):
    assert check_shape(_clr()) == []
    assert expected in _paths(_mutate(_clr(), path, value))


def test_a_clr_may_carry_vc_jwts():
    doc = _mutate(_clr(), SUBJ + ("verifiableCredential",), ["eyJhbGciOiJFZERTQSJ9.e30.c2ln"])
    assert check_shape(doc) == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "id",
                    "issuer",
                    "credentialSubject",
                    "achievement",
                    "identifier",
                    "result",
                    "evidence",
                    "endorsement",
                    "credentialStatus",
                    "@context",
                    "verifiableCredential",
                    "criteria",
                    "parentOrg",
                    "validFrom",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(noise=_json, where=st.sampled_from([(), SUBJ, ACH, ("issuer",), ("evidence",)]))
def test_check_shape_never_raises(noise, where):
    doc = _mutate(COMPLETE, where, noise) if where else noise
    assert all(isinstance(p, Problem) for p in check_shape(doc))
