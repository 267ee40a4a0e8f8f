"""The catalog Program: validation paths, JSON round trip, price hint."""

from __future__ import annotations

from datetime import date

from microcred.catalog.model import (
    PROVIDER_TYPES,
    CostItem,
    Program,
    Provider,
    Recognition,
    validate,
)
from microcred.issuing.orgs import PROVIDER_TYPES as ORG_PROVIDER_TYPES


def make(**kw) -> Program:
    base = dict(
        external_id="DA-101",
        name="Data Analytics",
        provider=Provider(name="Acme College", provider_type="university_college"),
        credential_type="micro_credential",
    )
    base.update(kw)
    return Program(**base)


def test_provider_types_match_organisations():
    assert set(PROVIDER_TYPES) == set(ORG_PROVIDER_TYPES)


def test_valid_program_has_no_problems():
    p = make(
        hours=180,
        cost=[CostItem("monthly", 49, "USD")],
        recognition=[Recognition("endorsement", "Endorsed", "Acme Corp", date(2026, 1, 5))],
    )
    assert validate(p) == []


def test_problems_name_their_path():
    p = make(
        name="",
        credential_type="diploma",
        eqf_level=9,
        cost=[CostItem("monthly", 10, "USD"), CostItem("monthly", -1, "usd")],
        skills=["not a uri"],
        recognition=[Recognition("rumour", "x", "")],
    )
    where = {pr.where for pr in validate(p)}
    assert {
        "name",
        "credential_type",
        "eqf_level",
        "cost[1].kind",
        "cost[1].amount",
        "cost[1].currency",
        "skills[0]",
        "recognition[0].kind",
        "recognition[0].source",
    } <= where


def test_mixed_currencies_rejected():
    p = make(cost=[CostItem("one_time", 100, "USD"), CostItem("exam", 50, "CAD")])
    assert any(pr.where == "cost" for pr in validate(p))


def test_json_round_trip():
    p = make(
        cohort_dates=[date(2027, 1, 10)],
        as_of=date(2026, 11, 1),
        recognition=[Recognition("survey", "80% of employers", "Survey Co", date(2026, 3, 1))],
        cost=[CostItem("renewal", 100, "USD", every_years=3)],
    )
    assert Program.from_json(p.to_json()) == p


def test_price_hint_subscription_at_five_hours_a_week():
    # 180 h at 5 h/week: 36 weeks, 9 months, 9 * 49 = 441 (issue 4's worked figure)
    assert make(hours=180, cost=[CostItem("monthly", 49, "USD")]).price_hint() == 441.0
    assert make(cost=[CostItem("one_time", 1200, "CAD")]).price_hint() == 1200.0
    assert make(cost=[CostItem("monthly", 49, "USD")]).price_hint() is None
    assert make().price_hint() is None


def test_country_institution_type_and_national_level_are_checked():
    p = make(
        provider=Provider(
            name="Acme College",
            provider_type="university_college",
            country="ca-on",
            institution_type="college",
        ),
        qualification_level=9,
    )
    problems = {pr.where: pr.message for pr in validate(p)}
    assert problems["provider.country"].startswith("'ca-on': an ISO 3166 code in capitals")
    assert problems["provider.institution_type"].startswith("'college': use one of public_college")
    assert problems["qualification_level"] == "a national framework level from 0 (entry) to 8"
    ok = make(
        provider=Provider(
            name="Acme College",
            provider_type="university_college",
            country="GB-ENG",
            institution_type="university",
        ),
        qualification_level=4,
    )
    assert validate(ok) == []
