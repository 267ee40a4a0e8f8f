"""Issuing on SQLite and PostgreSQL: organisations, keys at rest, achievements, awards,
duplicates, status changes with an audit trail, key rotation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from microcred.errors import MicrocredError
from microcred.issuing import achievements, awards, orgs, status
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import OutboxMail, SigningKey, StatusList
from microcred.vc.verifier import verify_credential

CTX = IssuingContext(base_url="http://127.0.0.1:8000", secret=b"test secret")
FIRST_AID = {
    "name": "Basic Life Support",
    "description": "Adult CPR and defibrillator use.",
    "criteria": "Pass the practical assessment.",
    "achievementType": "Certificate",
    "learningOutcome": ["Performs adult CPR", "Uses an AED safely"],
    "workloadHours": 8,
    "eqfLevel": 3,
    "assessmentType": "practical assessment, supervised",
    "participationForm": "on-site",
    "alignment": [
        {
            "targetName": "perform cardiopulmonary resuscitation",
            "targetUrl": "http://data.europa.eu/esco/skill/cpr",
            "targetFramework": "ESCO",
        }
    ],
    "validity": "P2Y",
}


class Fixtures:
    """Answers status list URLs from the database (what the web app will serve)."""

    def __init__(self, engine):
        self.engine = engine

    def __call__(self, url, accept=None):
        from microcred.vc.errors import FetchFailed

        parts = url.split("/")
        if "/status/" not in url:
            raise FetchFailed(f"{url} is not served here")
        slug, purpose, number = parts[-4], parts[-2], int(parts[-1])
        with session_scope(self.engine) as s:
            org = orgs.get_organisation(s, slug)
            doc, _ = status.list_credential(s, CTX, org, purpose, number)
        return json.dumps(doc).encode()


@pytest.fixture
def college(engine):
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, CTX, slug="acme-college", name="Acme College")
        ach = achievements.create_achievement(s, org, FIRST_AID)
        return org.slug, ach.id


def _award(engine, slug, ach_id, email="ada@example.org", **kw):
    with session_scope(engine) as s:
        org = orgs.get_organisation(s, slug)
        ach = achievements.get_achievement(s, org, ach_id)
        out = awards.issue_award(
            s,
            CTX,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email=email, name="Ada Lovelace"),
            **kw,
        )
        return out.status, out.credential.id, out.credential.document


def test_award_verifies_with_status_and_eu_elements(engine, college):
    state, cred_id, doc = _award(engine, *college)
    assert state == "issued"
    report = verify_credential(doc, fetch=Fixtures(engine))
    assert report.verdict == "verified", report.to_json()["checks"]
    ach = doc["credentialSubject"]["achievement"]
    assert ach["eqfLevel"] == 3 and ach["participationForm"] == "on-site"
    assert ach["learningOutcome"] == ["Performs adult CPR", "Uses an AED safely"]
    assert [e["statusPurpose"] for e in doc["credentialStatus"]] == ["revocation", "suspension"]
    until = datetime.fromisoformat(doc["validUntil"].replace("Z", "+00:00"))
    assert timedelta(days=729) < until - datetime.now(UTC) <= timedelta(days=730)
    ident = doc["credentialSubject"]["identifier"][0]
    assert ident["hashed"] and ident["identityHash"].startswith("sha256$")
    assert "ada@example.org" not in json.dumps(doc)


def test_revoke_suspend_unsuspend_change_the_served_list(engine, college):
    _, cred_id, doc = _award(engine, *college)
    fetch = Fixtures(engine)
    with session_scope(engine) as s:
        cred = awards.get_credential(s, cred_id)
        status.change_status(s, CTX, cred, "suspend", reason="under review")
    report = verify_credential(doc, fetch=fetch)
    assert report.check("status").status == "failed" and "suspend" in report.check("status").message
    with session_scope(engine) as s:
        status.change_status(
            s, CTX, awards.get_credential(s, cred_id), "unsuspend", reason="cleared"
        )
    assert verify_credential(doc, fetch=fetch).verdict == "verified"
    with session_scope(engine) as s:
        status.change_status(
            s, CTX, awards.get_credential(s, cred_id), "revoke", reason="issued in error"
        )
    report = verify_credential(doc, fetch=fetch)
    assert report.verdict == "failed" and "revoked" in report.check("status").message
    with session_scope(engine) as s:
        org = orgs.get_organisation(s, college[0])
        trail = [(a.action, a.reason) for a in awards.audit(s, org, cred_id)]
        with pytest.raises(MicrocredError, match="already revoked"):
            status.change_status(
                s, CTX, awards.get_credential(s, cred_id), "revoke", reason="again"
            )
    assert trail == [
        ("suspend", "under review"),
        ("unsuspend", "cleared"),
        ("revoke", "issued in error"),
    ]


def test_a_reason_is_required(engine, college):
    _, cred_id, _ = _award(engine, *college)
    with session_scope(engine) as s, pytest.raises(MicrocredError, match="reason"):
        status.change_status(s, CTX, awards.get_credential(s, cred_id), "revoke", reason=" ")


def test_duplicate_policies(engine, college):
    _, first, _ = _award(engine, *college)
    with pytest.raises(awards.DuplicateAward):
        _award(engine, *college, email="ADA@example.org", on_duplicate="fail")
    state, same, _ = _award(engine, *college, on_duplicate="skip")
    assert (state, same) == ("skipped", first)
    state, second, _ = _award(engine, *college, on_duplicate="reissue")
    assert state == "reissued" and second != first
    with session_scope(engine) as s:
        old = awards.get_credential(s, first)
        assert old.revoked_at is not None and old.replaced_by == second


def test_statuses_get_distinct_random_indexes(engine, college):
    with session_scope(engine) as s:
        org = orgs.get_organisation(s, college[0])
        ach = achievements.get_achievement(s, org, college[1])
        outs = awards.issue_batch(
            s,
            CTX,
            org=org,
            achievement=ach,
            recipients=[awards.Recipient(email=f"learner{i}@example.org") for i in range(50)],
        )
        indexes = [o.credential.revocation_index for o in outs]
        lst = s.scalar(select(StatusList).where(StatusList.purpose == "revocation"))
        assert lst.allocated == 50
    assert len(set(indexes)) == 50 and indexes != sorted(indexes)


def test_keys_are_encrypted_at_rest_and_rotation_keeps_old_credentials_valid(engine, college):
    _, _, before = _award(engine, *college)
    with session_scope(engine) as s:
        org = orgs.get_organisation(s, college[0])
        seed_hex = orgs.signer(s, CTX, org).private_key.private_bytes_raw().hex()
        row = s.scalar(select(SigningKey).where(SigningKey.org_id == org.id))
        assert seed_hex not in row.secret_encrypted.hex()
        with pytest.raises(MicrocredError, match="cannot be decrypted"):
            orgs.signer(s, IssuingContext(base_url=CTX.base_url, secret=b"wrong"), org)
        orgs.rotate_key(s, CTX, org, reason="yearly rotation")
    _, _, after = _award(engine, *college, email="bob@example.org")
    assert before["proof"]["verificationMethod"] != after["proof"]["verificationMethod"]
    fetch = Fixtures(engine)
    assert verify_credential(after, fetch=fetch).verdict == "verified"
    # did:key deployments: the old credential keeps verifying with its own key
    assert verify_credential(before, fetch=fetch).check("proof").status == "passed"


def test_did_web_document_publishes_current_and_retired_keys(engine):
    web = IssuingContext(base_url="https://badges.example.edu", secret=b"s")
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, web, slug="acme", name="Acme")
        orgs.rotate_key(s, web, org, reason="test")
        doc = orgs.did_document(s, web, org)
        assert doc["id"] == "did:web:badges.example.edu:orgs:acme"
        assert len(doc["verificationMethod"]) == 2 and len(doc["assertionMethod"]) == 2
        assert orgs.profile(s, web, org)["id"] == doc["id"]


def test_award_mail_is_queued_in_the_outbox(engine, college):
    _, cred_id, _ = _award(engine, *college)
    with session_scope(engine) as s:
        mail = s.scalar(select(OutboxMail).where(OutboxMail.credential_id == cred_id))
        assert mail.to == "ada@example.org" and "/claim/" in mail.body


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("eqfLevel", 9, "$.eqfLevel"),
        ("participationForm", "by post", "$.participationForm"),
        ("validity", "two years", "$.validity"),
        ("alignment", [{"targetName": "x"}], "$.alignment[0]"),
        ("colour", "blue", "$.colour"),
    ],
)
def test_bad_definitions_name_the_json_path(field, value, path):
    with pytest.raises(MicrocredError) as info:
        achievements.check_definition({**FIRST_AID, field: value})
    assert info.value.user_message.startswith(path)


def test_organisation_input_is_checked(engine):
    with session_scope(engine) as s:
        with pytest.raises(MicrocredError, match="slug"):
            orgs.create_organisation(s, CTX, slug="Bad Slug!", name="X")
        with pytest.raises(MicrocredError, match="type"):
            orgs.create_organisation(s, CTX, slug="ok-slug", name="X", provider_type="guild")
