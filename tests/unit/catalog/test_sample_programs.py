"""The bundled sample catalog: it reads cleanly through the CSV template and gives the
advisor something to work with in every topic, provider type, currency and funding rule."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from microcred.advisor.skills import load_curated
from microcred.catalog import sample
from microcred.catalog.csv_io import read_csv
from microcred.catalog.model import PROVIDER_TYPES, validate
from microcred.catalog.sample import SampleCatalogError, load_sample_programs

TOPICS = (
    "project management",
    "basic life support",
    "health",
    "cybersecurity",
    "vendor certificates",
    "cloud",
    "salesforce",
    "it support",
    "accounting",
    "data skills",
    "leadership",
    "payroll",
    "marketing",
    "mental health",
    "python",
    "construction",
)
FUNDING_TOKENS = (
    "recognised_institution",
    "public_institution",
    "ontario_osap_approved",
    "bc_future_skills_designated",
    "federal_aid_eligible",
    "workforce_pell_eligible",
    "skillsfuture_eligible",
    "lle_designated",
)


@pytest.fixture(scope="module")
def programs():
    return load_sample_programs()


def test_the_csv_reads_without_problems():
    found, problems = read_csv(sample.SAMPLE_PATH.read_text("utf-8"))
    assert problems == []
    assert len(found) >= 60


def test_every_program_is_valid_and_marked_as_sample(programs):
    assert len(programs) >= 60
    for p in programs:
        assert validate(p) == [], p.external_id
        assert p.as_of is not None and p.as_of <= date(2026, 11, 29)
        text = f"{p.provider.name} {p.name} {p.description}"
        assert "(sample" in text or "SAMPLE DATA" in text, p.external_id
        assert p.learning_outcomes and p.skills and p.occupations and p.topics, p.external_id
        assert p.cost, p.external_id
        assert p.price_hint() is not None, p.external_id


def test_all_four_provider_types(programs):
    counts = Counter(p.provider.provider_type for p in programs)
    assert set(counts) == set(PROVIDER_TYPES)
    assert min(counts.values()) >= 5


def test_every_topic_area_is_covered(programs):
    topics = {t.lower() for p in programs for t in p.topics}
    assert [t for t in TOPICS if t not in topics] == []


def test_skills_and_occupations_come_from_the_curated_set(programs):
    curated = load_curated()
    skill_uris = {s.uri for s in curated.skills}
    occupation_uris = {o.uri for o in curated.occupations}
    for p in programs:
        assert [s for s in p.skills if s not in skill_uris] == [], p.external_id
        assert [o for o in p.occupations if o not in occupation_uris] == [], p.external_id
    # every curated occupation is served by at least one program
    served = {o for p in programs for o in p.occupations}
    assert occupation_uris <= served


def test_several_currencies_formats_languages_and_proofs(programs):
    currencies = Counter(p.currency for p in programs)
    assert {"CAD", "USD", "SGD", "GBP", "EUR"} <= set(currencies)
    assert {p.format for p in programs} >= {"online", "hybrid", "in_person"}
    assert {p.language for p in programs} >= {"en", "fr-CA"}
    assert {p.proof for p in programs} >= {"ob3_vc", "ob2", "pdf", "none"}
    assert any(p.proof is None for p in programs)  # not stated


def test_validity_renewal_recognition_and_stacking(programs):
    by_id = {p.external_id: p for p in programs}
    assert any(p.validity_months == 24 and "life support" in p.name.lower() for p in programs)
    assert any(any(c.kind == "renewal" for c in p.cost) for p in programs)
    assert sum(1 for p in programs if p.recognition) >= 5
    assert all(r.source and r.text for p in programs for r in p.recognition)
    stacked = [p for p in programs if p.stacks_into]
    assert len(stacked) >= 3
    for p in stacked:  # stacks_into names a program of the same provider
        for target in p.stacks_into:
            assert by_id[target].provider.name == p.provider.name
    for p in programs:
        for part in p.has_parts:
            assert by_id[part].stacks_into == [p.external_id]


def test_public_prices_from_domain_facts(programs):
    google = [p for p in programs if p.name.startswith("Google ")]
    assert len(google) >= 3
    for p in google:
        assert p.cost_profile().monthly == 49 and p.currency == "USD"
        assert (p.weeks_min, p.weeks_max) == (13, 26) and p.hours_per_week == 10
        assert "Fast Company" in p.description and p.as_of == date(2023, 11, 8)
    salesforce = [p for p in programs if p.provider.name.startswith("Salesforce")]
    assert salesforce
    for p in salesforce:
        profile = p.cost_profile()
        assert (profile.exam_fee, profile.retake_fee, p.currency) == (200, 100, "USD")


def test_funding_tokens_are_known_and_each_has_a_fitting_program(programs):
    used = Counter(t for p in programs for t in p.funding)
    assert set(used) == set(FUNDING_TOKENS)

    def having(token):
        return [p for p in programs if token in p.funding]

    for p in having("ontario_osap_approved"):  # Ontario: public, under 12 weeks, 5-300 h
        assert p.currency == "CAD" and p.provider.recognised_institution
        assert {"public_institution", "recognised_institution"} <= set(p.funding)
        assert p.weeks_max is not None and p.weeks_max < 12
        assert p.hours is not None and 5 <= p.hours <= 300
    for p in having("bc_future_skills_designated"):
        assert p.currency == "CAD" and "public_institution" in p.funding
    for p in having("public_institution") + having("recognised_institution"):
        assert (
            p.provider.provider_type == "university_college" and p.provider.recognised_institution
        )
    for p in having("workforce_pell_eligible"):  # 150-599 clock hours, 8 to under 15 weeks
        assert p.currency == "USD" and "federal_aid_eligible" in p.funding
        assert p.hours is not None and 150 <= p.hours <= 599
        assert p.weeks_min is not None and p.weeks_max is not None
        assert 8 <= p.weeks_min and p.weeks_max < 15
        assert p.cohort_dates and all(d >= date(2026, 7, 1) for d in p.cohort_dates)
    for p in having("federal_aid_eligible"):
        assert p.currency == "USD" and p.provider.recognised_institution
    for p in having("skillsfuture_eligible"):
        assert p.currency == "SGD"
    for p in having("lle_designated"):  # England, levels 4-6, courses from January 2027
        assert p.currency == "GBP" and p.eqf_level in (5, 6)
        assert p.qualification_level in (4, 5, 6)
        assert p.cohort_dates and all(d >= date(2027, 1, 1) for d in p.cohort_dates)
    # programs that fall just outside a rule, so the rules have something to refuse
    assert any(
        p.currency == "USD" and "federal_aid_eligible" in p.funding and p.hours and p.hours > 599
        for p in programs
    )
    assert any(
        "public_institution" in p.funding and p.currency == "CAD" and (p.weeks_max or 0) >= 12
        for p in programs
    )


def test_an_invalid_bundled_file_is_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "sample_programs.csv"
    bad.write_text(
        "external_id,name,provider,provider_type,credential_type\nX,Y,Z,space_agency,course\n"
    )
    monkeypatch.setattr(sample, "SAMPLE_PATH", bad)
    sample._sample_json.cache_clear()
    try:
        with pytest.raises(SampleCatalogError, match="sample_programs.csv: line 2"):
            load_sample_programs()
    finally:
        sample._sample_json.cache_clear()


def test_each_call_gives_fresh_objects(programs):
    again = load_sample_programs()
    assert again == programs and again[0] is not programs[0]


def test_every_sample_provider_names_its_country():
    # the country or region of the issuer is a mandatory EU standard element
    for p in load_sample_programs():
        assert p.provider.country, p.provider.name
