"""Sample data on SQLite and PostgreSQL: once only, fast, every provider type, credentials
that verify, the EU elements and alignments in place, no e-mail."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from microcred.catalog.model import Program
from microcred.catalog.sample import load_sample_programs
from microcred.catalog.store import import_programs
from microcred.issuing import achievements, seed
from microcred.issuing.context import IssuingContext
from microcred.issuing.orgs import PROVIDER_TYPES
from microcred.issuing.public import LocalFirstFetch
from microcred.store.db import session_scope
from microcred.store.models import (
    Achievement,
    CatalogProgram,
    CatalogProvider,
    Credential,
    Event,
    Organisation,
    OutboxMail,
)
from microcred.vc.verifier import verify_credential

CTX = IssuingContext(base_url="http://127.0.0.1:8000", secret=b"test secret")
TOPICS = (
    "Project Management",
    "Basic Life Support",
    "Cybersecurity",
    "Cloud Administrator",
    "Accounting",
    "Data Analysis",
    "Leading Teams",
    "Payroll",
    "Marketing",
    "Mental Health First Aid",
    "Python",
    "Construction Site Safety",
)


def _count(s, model, *where) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_is_idempotent_fast_and_covers_every_provider_type(engine):
    started = time.monotonic()
    first = seed.seed_samples(engine, CTX)
    assert time.monotonic() - started < 15
    assert first.created is True
    assert (first.organisations, first.achievements, first.credentials) == (4, 12, 300)
    assert first.by_provider_type == dict.fromkeys(PROVIDER_TYPES, 75)
    assert 1 <= first.revoked <= 10

    again = seed.seed_samples(engine, CTX)
    assert again.created is False
    assert (again.organisations, again.achievements, again.credentials) == (4, 12, 300)
    with session_scope(engine) as s:
        assert _count(s, Organisation) == 4 and _count(s, Credential) == 300
        assert _count(s, Organisation, Organisation.is_sample.is_(False)) == 0
        assert _count(s, Achievement, Achievement.is_sample.is_(False)) == 0
        assert _count(s, Credential, Credential.is_sample.is_(False)) == 0
        assert _count(s, OutboxMail) == 0  # no e-mail for sample data
        assert _count(s, Credential, Credential.claim_token_hash.is_not(None)) == 0
        assert _count(s, Event, Event.kind == "issued") == 300
        assert _count(s, Event, Event.kind == "claimed") > 0


def test_sample_achievements_carry_the_eu_elements_and_alignments(engine):
    seed.seed_samples(engine, CTX)
    with session_scope(engine) as s:
        achs = list(s.scalars(select(Achievement)))
        names = " | ".join(a.name for a in achs)
        for topic in TOPICS:
            assert topic in names, topic
        for ach in achs:
            d = ach.definition
            achievements.check_definition(d)
            for term in (
                "learningOutcome",
                "workloadHours",
                "eqfLevel",
                "assessmentType",
                "participationForm",
                "qualityAssurance",
            ):
                assert d.get(term), (ach.name, term)
            urls = [a["targetUrl"] for a in d["alignment"]]
            assert any(u.startswith("http://data.europa.eu/esco/skill/") for u in urls)
            assert any(u.startswith("https://www.onetonline.org/link/summary/") for u in urls)
        assert sum(1 for a in achs if "ects" in a.definition) >= 4
        [bls] = [a for a in achs if a.name.startswith("Basic Life Support")]
        assert bls.validity_days == 730
        for cred in s.scalars(select(Credential).where(Credential.achievement_id == bls.id)):
            assert cred.valid_until - cred.valid_from == timedelta(days=730)
        graded = s.scalars(select(Credential)).all()
        assert any(c.document["credentialSubject"].get("result") for c in graded)


def test_awards_are_spread_over_the_last_year_and_some_are_revoked(engine):
    now = datetime.now(UTC)
    seed.seed_samples(engine, CTX, now=now)
    with session_scope(engine) as s:
        issued = [
            t if t.tzinfo else t.replace(tzinfo=UTC)
            for t in s.scalars(select(Credential.issued_at))
        ]
        assert all(now - timedelta(days=366) <= t <= now for t in issued)
        assert max(issued) - min(issued) > timedelta(days=150)
        assert len({t.date() for t in issued}) >= 30
        revoked = list(s.scalars(select(Credential).where(Credential.revoked_at.is_not(None))))
        assert revoked
        from microcred.store.models import AuditEntry

        reasons = set(s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "revoke")))
        assert len(reasons & set(seed.REVOCATION_REASONS)) >= 1
        emails = set(s.scalars(select(Credential.recipient_key)))
        assert all(e.startswith("learner-") and e.endswith("@example.org") for e in emails)


def test_sample_credentials_verify(engine):
    seed.seed_samples(engine, CTX)
    fetch = LocalFirstFetch(engine, CTX, None)
    with session_scope(engine) as s:
        creds = list(s.scalars(select(Credential).order_by(Credential.id)))
    picked = random.Random(7).sample([c for c in creds if c.revoked_at is None], 10)
    for cred in picked:
        report = verify_credential(cred.document, fetch=fetch, now=datetime.now(UTC))
        assert report.verdict == "verified", (cred.id, report.to_json()["checks"])
    revoked = next(c for c in creds if c.revoked_at is not None)
    report = verify_credential(revoked.document, fetch=fetch, now=datetime.now(UTC))
    assert report.verdict == "failed"


def _catalog_snapshot(engine) -> dict:
    with session_scope(engine) as s:
        return {
            r.id: (r.is_sample, r.updated_at, r.data, r.search_text)
            for r in s.scalars(select(CatalogProgram))
        }


def test_seed_imports_the_sample_catalog_once(engine):
    n = len(load_sample_programs())
    first = seed.seed_samples(engine, CTX)
    assert (first.catalog_programs, first.catalog_changed) == (n, n)
    with session_scope(engine) as s:
        assert _count(s, CatalogProgram) == n
        assert _count(s, CatalogProgram, CatalogProgram.is_sample.is_(False)) == 0
        assert _count(s, CatalogProvider, CatalogProvider.is_sample.is_(False)) == 0
        types = set(s.scalars(select(CatalogProvider.provider_type)))
        assert types == set(PROVIDER_TYPES)
        currencies = set(s.scalars(select(CatalogProgram.currency)))
        assert {"CAD", "USD", "SGD", "GBP", "EUR"} <= currencies
    before = _catalog_snapshot(engine)

    again = seed.seed_samples(engine, CTX)  # a second run changes nothing
    assert again.created is False
    assert (again.catalog_programs, again.catalog_changed) == (n, 0)
    assert _catalog_snapshot(engine) == before
    assert seed.seed_catalog(engine) == 0
    assert _catalog_snapshot(engine) == before


def test_seed_brings_a_stale_sample_up_to_date_and_leaves_real_data_alone(engine):
    programs = load_sample_programs()
    taken = programs[0].provider.name  # a real provider happens to have a sample's name
    real = Program.from_json(programs[0].to_json())
    real.name = "A real program"
    stale = Program.from_json(next(p for p in programs if p.provider.name != taken).to_json())
    fresh_name, stale.name = stale.name, "An old name"
    with session_scope(engine) as s:
        import_programs(s, [real])  # a real import (is_sample=False)
        import_programs(s, [stale], is_sample=True)  # an older copy of a sample program
    skipped = sum(1 for p in programs if p.provider.name == taken)
    assert seed.seed_catalog(engine) == len(programs) - skipped  # the stale one among them
    with session_scope(engine) as s:
        names = list(s.scalars(select(CatalogProgram.name)))
        assert fresh_name in names and "An old name" not in names
        assert "A real program" in names
        assert _count(s, CatalogProgram, CatalogProgram.is_sample.is_(False)) == 1
        assert _count(s, CatalogProgram) == len(programs) - skipped + 1
        provider = s.scalar(select(CatalogProvider).where(CatalogProvider.name == taken))
        assert provider.is_sample is False
    assert seed.seed_catalog(engine) == 0


def test_demo_learner_holds_their_sample_credentials_verified(engine):
    from microcred.accounts.auth import signin_with_password
    from microcred.store.models import LearnerAccount, WalletCredential

    out = seed.seed_samples(engine, CTX, awards_per_achievement=5, demo_learner=True)
    assert out.demo_learner.endswith("@example.org")
    with session_scope(engine) as s:
        learner = s.scalar(select(LearnerAccount).where(LearnerAccount.email == out.demo_learner))
        assert learner is not None and learner.email_verified_at is not None
        rows = s.scalars(
            select(WalletCredential).where(WalletCredential.learner_id == learner.id)
        ).all()
        held = s.scalar(
            select(func.count()).where(
                Credential.recipient_key == out.demo_learner,
                Credential.revoked_at.is_(None),
            )
        )
        assert len(rows) == held >= 1
        assert {r.verdict for r in rows} == {"verified"}
        assert all(r.issued_credential_id for r in rows)
        assert signin_with_password(s, out.demo_learner, seed.DEMO_PASSWORD, "192.0.2.9")
    # once: a second run leaves the account (and its wallet) as it is
    assert seed.seed_demo_learner(engine, CTX) == out.demo_learner
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(LearnerAccount)) == 1
        assert s.scalar(select(func.count()).select_from(WalletCredential)) == len(rows)


def test_no_demo_learner_unless_asked(engine):
    from microcred.store.models import LearnerAccount

    seed.seed_samples(engine, CTX, awards_per_achievement=2)  # what production would run
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(LearnerAccount)) == 0
