"""A catalog program's true cost for a learner, and the side-by-side comparison: hand-computed
figures, the catalog-to-rules mapping, the cash schedule and the warnings."""

from __future__ import annotations

from datetime import date

import pytest

from microcred.advisor.funding import Learner
from microcred.advisor.quote import (
    cash_schedule,
    compare,
    funding_program,
    institution_type,
    quote,
)
from microcred.catalog.model import CostItem, Program, Provider

TODAY = date(2026, 11, 29)


def subscription(**kw) -> Program:
    base = dict(
        external_id="GDA",
        name="Data Analytics Certificate",
        provider=Provider(name="Learnly", provider_type="online_platform"),
        credential_type="certificate",
        hours=180,
        cost=[CostItem("monthly", 49, "USD")],
        proof="pdf",
    )
    base.update(kw)
    return Program(**base)


def college(**kw) -> Program:
    base = dict(
        external_id="PM-1",
        name="Project Management Essentials",
        provider=Provider(
            name="Lakeshore College",
            provider_type="university_college",
            recognised_institution=True,
        ),
        credential_type="micro_credential",
        hours=40,
        weeks_min=8,
        cost=[CostItem("one_time", 750, "CAD")],
        funding=["public_institution", "ontario_osap_approved"],
        proof="ob3_vc",
    )
    base.update(kw)
    return Program(**base)


def codes(q) -> set[str]:
    return {w.code for w in q.warnings}


def line(q, rule_id):
    [found] = [ln for ln in q.funding if ln.rule_id == rule_id]
    return found


# ---- the catalog program as the rules see it --------------------------------------------------
@pytest.mark.parametrize(
    ("name", "ptype", "recognised", "tokens", "expected"),
    [
        ("Lakeshore College", "university_college", True, ["public_institution"], "public_college"),
        ("Northern University", "university_college", True, [], "university"),
        ("Career Academy", "university_college", False, ["recognised_institution"], "certified"),
        ("Career Academy", "university_college", True, [], "certified"),
        ("Learnly", "online_platform", True, [], "platform"),
        ("Vendor Inc", "employer_vendor", False, [], "private"),
    ],
)
def test_institution_type(name, ptype, recognised, tokens, expected):
    p = college(
        provider=Provider(name=name, provider_type=ptype, recognised_institution=recognised),
        funding=tokens,
    )
    assert institution_type(p) == expected


def test_funding_program_reads_tokens_length_hours_and_level():
    p = college(weeks_min=6, weeks_max=10, eqf_level=5, funding=["federal_aid_eligible", "x_y"])
    fp = funding_program(p, TODAY)
    assert fp.weeks == 10  # the stated length, not the learner's pace
    assert fp.clock_hours == 40
    assert fp.eqf_level == 5
    assert fp.federal_aid_eligible is True
    assert fp.designations == frozenset({"federal_aid_eligible", "x_y"})
    assert fp.approved is False
    assert fp.start_date == TODAY


# ---- hand-computed quotes ---------------------------------------------------------------------
def test_subscription_at_five_hours_a_week_and_its_warnings():
    learner = Learner(jurisdiction="US", age=30, income=50_000, tax_year=2026)
    q = quote("p1", subscription(), learner, hours_per_week=5, today=TODAY)
    # 180 h / 5 = 36 weeks, 9 billed months, 9 x 49 = 441
    assert (q.gross.weeks, q.gross.months, q.gross.total) == (36, 9, 441.0)
    assert q.net.net == 441.0
    assert q.cash[:9] == [49.0 * m for m in range(1, 10)]
    assert q.refund_month is None
    pace = next(w for w in q.warnings if w.code == "subscription_pace")
    # at 2.5 h a week: 72 weeks, 18 months, 882
    assert "18 months (882.00 USD)" in pace.message
    assert "9 months (441.00 USD)" in pace.message
    assert {"no_verifiable_proof", "no_funding"} <= codes(q)
    assert "currency" not in codes(q)
    # the LLC does not apply to a platform not eligible for federal aid
    assert line(q, "US/lifetime_learning_credit").applies is False


def test_ten_hours_a_week_halves_the_subscription():
    learner = Learner(jurisdiction="US", tax_year=2026)
    q = quote("p1", subscription(), learner, hours_per_week=10, today=TODAY)
    assert (q.gross.weeks, q.gross.months, q.gross.total) == (18, 5, 245.0)


def test_ontario_college_with_credits_and_osap():
    learner = Learner(jurisdiction="CA-ON", age=30, income=50_000, tax_year=2026, ctc_years=5)
    q = quote("p2", college(), learner, start=date(2026, 12, 1), today=TODAY)
    # CTC: lesser of 5 x 250 = 1,250 and half of 750 = 375
    assert line(q, "CA/ctc").amount == 375.0
    # tuition credit: 14% of (750 - 375) = 52.50
    assert line(q, "CA/tuition_credit").amount == 52.5
    # OSAP: approved, public college, 8 weeks < 12, 40 h within 5-300, income under 80,000
    osap = line(q, "CA-ON/osap_micro")
    assert (osap.applies, osap.amount, osap.timing) == (True, 750.0, "loan")
    assert q.net.net == 322.5  # 750 - 375 - 52.50
    assert q.net.cash_up_front == 0.0  # the loan pays the fees
    # credits come back in May 2027: December is month 1, May month 6
    assert q.refund_month == 6
    assert q.cash[0] == 0.0
    assert "no_funding" not in codes(q)
    assert "no_verifiable_proof" not in codes(q)


def test_ontario_over_the_osap_income_limit():
    learner = Learner(jurisdiction="CA-ON", age=30, income=90_000, tax_year=2026, ctc_years=5)
    q = quote("p2", college(), learner, start=date(2026, 12, 1), today=TODAY)
    assert line(q, "CA-ON/osap_micro").applies is False
    assert q.cash[0] == 750.0
    assert q.cash[4] == 750.0  # April 2027: nothing back yet
    assert q.cash[5] == 322.5  # May 2027: 427.50 back
    assert q.cash[-1] == 322.5


def test_not_designated_no_osap():
    learner = Learner(jurisdiction="CA-ON", age=30, income=50_000, tax_year=2026)
    q = quote("p2", college(funding=["public_institution"]), learner, today=TODAY)
    assert "not a ministry-approved" in line(q, "CA-ON/osap_micro").reason


def test_currency_mismatch_is_not_converted():
    learner = Learner(jurisdiction="CA-ON", age=30, income=50_000, tax_year=2026, ctc_years=5)
    prog = college(cost=[CostItem("one_time", 750, "USD")])
    q = quote("p3", prog, learner, today=TODAY)
    ctc = line(q, "CA/ctc")
    assert ctc.applies is False
    assert "priced in USD" in ctc.reason
    assert {"currency", "no_funding"} <= codes(q)
    assert q.net.net == 750.0


def test_next_cohort_date_is_the_start():
    prog = college(pacing="cohort", cohort_dates=[date(2026, 1, 5), date(2027, 2, 1)])
    learner = Learner(jurisdiction="CA-ON", age=30, income=50_000, tax_year=2026)
    q = quote("p2", prog, learner, today=TODAY)
    assert q.start == date(2027, 2, 1)


def test_expiry_and_sample_warnings():
    prog = college(
        validity_months=24,
        renewal="Repeat the skills check",
        cost=[CostItem("one_time", 120, "CAD"), CostItem("renewal", 60, "CAD", every_years=2)],
        as_of=date(2026, 11, 1),
    )
    learner = Learner(jurisdiction="CA-ON", tax_year=2026)
    q = quote("p4", prog, learner, horizon_years=4, today=TODAY, is_sample=True)
    expires = next(w for w in q.warnings if w.code == "expires")
    assert "2 years" in expires.message
    assert "Repeat the skills check" in expires.message
    assert "120.00 CAD" in expires.message  # two renewals in four years
    as_of = next(w for w in q.warnings if w.code == "as_of")
    assert as_of.message.startswith("Sample data as of 2026-11-01")


def test_cash_schedule_extends_to_the_refund():
    from microcred.advisor.cost import CostProfile, gross_cost
    from microcred.advisor.funding import NetCost

    g = gross_cost(CostProfile(one_time=100, currency="CAD"), weeks=4, horizon_years=0)
    n = NetCost("CAD", 100, 0, 40, 0, 60, 100)
    assert cash_schedule(g, n, 3) == [100.0, 100.0, 60.0]


# ---- comparison -------------------------------------------------------------------------------
def test_compare_two_programs_on_one_axis():
    learner = Learner(jurisdiction="US", age=30, income=50_000, tax_year=2026)
    one_time = subscription(
        external_id="B", name="Bootcamp", cost=[CostItem("one_time", 300, "USD")], proof="ob3_vc"
    )
    c = compare(
        [("a", subscription(), True), ("b", one_time, False)],
        learner,
        hours_per_week=5,
        today=TODAY,
    )
    data = c.to_json()
    assert c.months == 9 + 12
    a, b = data["chart"]
    assert len(a["gross"]) == len(b["gross"]) == c.months
    assert a["gross"][:3] == [49.0, 98.0, 147.0]
    assert a["gross"][-1] == 441.0
    assert b["gross"][0] == 300.0 and b["gross"][-1] == 300.0
    # the subscription overtakes the one-time fee in month 7 (343 > 300)
    assert a["gross"][5] < 300 < a["gross"][6]
    assert c.notes == []


def test_compare_notes_currencies_and_refuses_bad_counts():
    learner = Learner(jurisdiction="US", tax_year=2026)
    cad = college()
    c = compare([("a", subscription(), False), ("b", cad, False)], learner, today=TODAY)
    assert c.currencies == ["CAD", "USD"]
    assert "not converted" in c.notes[0]
    with pytest.raises(ValueError, match="2 to 4"):
        compare([("a", cad, False)], learner)
    with pytest.raises(ValueError, match="2 to 4"):
        compare([(str(i), cad, False) for i in range(5)], learner)
    with pytest.raises(ValueError, match="twice"):
        compare([("a", cad, False), ("a", cad, False)], learner)


def test_the_catalog_institution_type_and_national_level_win():
    p = college(
        provider=Provider(
            name="Learnly", provider_type="online_platform", institution_type="university"
        ),
        qualification_level=4,
        eqf_level=7,
    )
    fp = funding_program(p, TODAY)
    assert fp.institution_type == "university"
    assert fp.level == 4 and fp.eqf_level == 7


def test_england_lle_reads_the_national_level_then_eqf():
    learner = Learner(jurisdiction="UK-ENG", age=30, tax_year=2026)
    module = college(
        cost=[CostItem("one_time", 1500, "GBP")],
        funding=["lle_designated"],
        qualification_level=4,
        cohort_dates=[date(2027, 1, 25)],
        pacing="cohort",
    )
    q = quote("m", module, learner, today=TODAY)
    lle = line(q, "UK-ENG/lifelong_learning_entitlement")
    assert (lle.applies, lle.amount, lle.timing) == (True, 1500.0, "loan")
    # EQF 7 (a master's level module) without a national level: not levels 4-6
    q = quote("m", college(**{**MODULE_KW, "eqf_level": 7}), learner, today=TODAY)
    assert "EQF level 7" in line(q, "UK-ENG/lifelong_learning_entitlement").reason
    q = quote("m", college(**{**MODULE_KW, "eqf_level": 5}), learner, today=TODAY)
    assert line(q, "UK-ENG/lifelong_learning_entitlement").applies is True


MODULE_KW = dict(
    cost=[CostItem("one_time", 1500, "GBP")],
    funding=["lle_designated"],
    cohort_dates=[date(2027, 1, 25)],
    pacing="cohort",
)
