"""Funding rules: hand-computed cases, edges included (ages, the $100 floor, phase-out
midpoints, lifetime caps, clock hours and weeks, effective dates, outdated rule files)."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from microcred.advisor.cost import CostProfile, gross_cost
from microcred.advisor.funding import (
    RULES_DIR,
    Learner,
    Program,
    Rule,
    ctc_accrues,
    evaluate,
    load_rules,
    net_cost,
)

CA_COLLEGE = Program(institution_type="public_college", weeks=10, approved=True)


def gross(tuition: float, exam: float = 0.0, currency: str = "CAD"):
    return gross_cost(
        CostProfile(one_time=tuition, exam_fee=exam, currency=currency), horizon_years=0
    )


def line(lines, rule_id):
    [found] = [ln for ln in lines if ln.rule_id == rule_id]
    return found


def ca(age=30, income=50_000.0, year=2026, **kw):
    return Learner(jurisdiction="CA-ON", age=age, income=income, tax_year=year, **kw)


# ---- the rule files -------------------------------------------------------------------------
def test_every_rule_file_loads_and_names_its_source_and_year():
    files = sorted(RULES_DIR.glob("*/*.json"))
    assert len(files) == 9
    for f in files:
        data = json.loads(f.read_text("utf-8"))
        rule = Rule.from_json(data)
        assert rule.id == f"{f.parent.name}/{f.stem}"
        assert rule.jurisdiction == f.parent.name
        assert rule.source["title"]
        assert isinstance(rule.tax_year, int)
        assert rule.status in ("verified", "unverified")
        if rule.status == "unverified":
            assert "check" in rule.note


def test_load_rules_by_jurisdiction():
    assert [r.id for r in load_rules("CA-ON")] == [
        "CA/ctc",
        "CA/tuition_credit",
        "CA-ON/osap_micro",
    ]
    assert "CA-ON/osap_micro" not in [r.id for r in load_rules("CA-BC")]
    assert [r.id for r in load_rules("US")] == [
        "US/section_127",
        "US/lifetime_learning_credit",
        "US/workforce_pell",
    ]
    assert [r.id for r in load_rules("sg")] == ["SG/skillsfuture_credit"]


def test_bare_country_explains_regional_rules():
    lines = evaluate(Learner("CA", age=30, income=50_000, tax_year=2026), CA_COLLEGE, gross(800))
    osap = line(lines, "CA-ON/osap_micro")
    assert not osap.applies and "CA-ON only" in osap.reason
    lle = line(
        evaluate(Learner("UK", tax_year=2027), Program(), gross(900, currency="GBP")),
        "UK-ENG/lifelong_learning_entitlement",
    )
    assert not lle.applies and "UK-ENG only" in lle.reason


# ---- Canada Training Credit -----------------------------------------------------------------
def _ctc_rule():
    return next(r for r in load_rules("CA") if r.id == "CA/ctc")


@pytest.mark.parametrize(("age", "accrues"), [(24, False), (25, True), (64, True), (65, False)])
def test_ctc_accumulation_ages(age, accrues):
    ok, why = ctc_accrues(_ctc_rule(), ca(age=age))
    assert ok is accrues, why


@pytest.mark.parametrize(
    ("income", "accrues"),
    [(12_057, False), (12_058, True), (177_882, True), (177_883, False)],
)
def test_ctc_accumulation_income_thresholds_2026(income, accrues):
    assert ctc_accrues(_ctc_rule(), ca(income=income))[0] is accrues


def test_ctc_accumulation_year_without_thresholds():
    ok, why = ctc_accrues(_ctc_rule(), ca(year=2022))
    assert not ok and "2022" in why


@pytest.mark.parametrize(("age", "applies"), [(25, False), (26, True), (65, True), (66, False)])
def test_ctc_claim_ages(age, applies):
    ln = line(evaluate(ca(age=age, ctc_balance=1000), CA_COLLEGE, gross(800)), "CA/ctc")
    assert ln.applies is applies
    assert ln.amount == (400.0 if applies else 0.0)
    assert ln.timing == "later"


def test_ctc_claim_is_lesser_of_limit_and_half_the_fees():
    # half of 1,000 = 500 < limit 1,000
    assert line(evaluate(ca(ctc_years=4), CA_COLLEGE, gross(1000)), "CA/ctc").amount == 500.0
    # limit 1,000 < half of 3,000
    assert line(evaluate(ca(ctc_years=4), CA_COLLEGE, gross(3000)), "CA/ctc").amount == 1000.0
    # exam fees count: (800 + 200) / 2
    assert line(evaluate(ca(ctc_years=4), CA_COLLEGE, gross(800, 200)), "CA/ctc").amount == 500.0


def test_ctc_lifetime_cap():
    big = gross(20_000)
    assert line(evaluate(ca(ctc_years=20), CA_COLLEGE, big), "CA/ctc").amount == 5000.0
    assert line(evaluate(ca(ctc_years=25), CA_COLLEGE, big), "CA/ctc").amount == 5000.0
    assert line(evaluate(ca(ctc_balance=6000), CA_COLLEGE, big), "CA/ctc").amount == 5000.0
    assert line(evaluate(ca(ctc_years=19), CA_COLLEGE, big), "CA/ctc").amount == 4750.0


def test_ctc_without_a_balance_does_not_apply():
    ln = line(evaluate(ca(), CA_COLLEGE, gross(1000)), "CA/ctc")
    assert not ln.applies and "--ctc-balance" in ln.reason


# ---- federal tuition tax credit -------------------------------------------------------------
@pytest.mark.parametrize(("fees", "amount"), [(100, 0.0), (101, 14.14)])
def test_tuition_credit_100_floor(fees, amount):
    ln = line(evaluate(ca(), CA_COLLEGE, gross(fees)), "CA/tuition_credit")
    assert ln.applies is (amount > 0)
    assert ln.amount == amount


@pytest.mark.parametrize(("year", "amount"), [(2024, 150.0), (2025, 145.0), (2026, 140.0)])
def test_tuition_credit_rate_by_year(year, amount):
    ln = line(evaluate(ca(year=year), CA_COLLEGE, gross(1000)), "CA/tuition_credit")
    assert ln.amount == amount


def test_tuition_credit_reduced_by_ctc_claimed_in_any_rule_order():
    rules = load_rules("CA-ON")
    random.Random(4).shuffle(rules)
    rules.reverse()
    lines = evaluate(ca(ctc_balance=1000), CA_COLLEGE, gross(1000), rules=rules)
    assert [ln.rule_id for ln in lines][:2] == ["CA/ctc", "CA/tuition_credit"]
    assert line(lines, "CA/ctc").amount == 500.0
    assert line(lines, "CA/tuition_credit").amount == 70.0  # (1,000 - 500) * 14%


def test_tuition_credit_ineligible_institution():
    ln = line(
        evaluate(ca(), Program(institution_type="platform"), gross(1000)), "CA/tuition_credit"
    )
    assert not ln.applies and "not an eligible institution" in ln.reason


def test_employer_paid_fees_are_not_the_learners():
    lines = evaluate(ca(employer_assistance=400), CA_COLLEGE, gross(1000))
    emp = line(lines, "employer")
    assert (emp.applies, emp.amount, emp.timing, emp.source) == (
        True,
        400.0,
        "up_front",
        "learner input",
    )
    assert line(lines, "CA/tuition_credit").amount == 84.0  # 600 * 14%


def test_outdated_rule_file_never_silently_applies():
    lines = evaluate(ca(year=2027, ctc_balance=1000), CA_COLLEGE, gross(1000))
    for rid in ("CA/ctc", "CA/tuition_credit", "CA-ON/osap_micro"):
        ln = line(lines, rid)
        assert not ln.applies and ln.status == "outdated" and ln.amount == 0.0
        assert ln.reason == "rates for 2027 not published in this rule file (has 2026)"


def test_rule_before_its_years():
    ln = line(evaluate(ca(year=2018, ctc_balance=1000), CA_COLLEGE, gross(1000)), "CA/ctc")
    assert not ln.applies and "not in effect in 2018" in ln.reason


# ---- Ontario OSAP ---------------------------------------------------------------------------
@pytest.mark.parametrize(("weeks", "applies"), [(11, True), (12, False)])
def test_osap_under_12_weeks(weeks, applies):
    prog = Program(institution_type="university", weeks=weeks, approved=True)
    ln = line(evaluate(ca(), prog, gross(900)), "CA-ON/osap_micro")
    assert ln.applies is applies
    if applies:
        assert (ln.amount, ln.timing) == (900.0, "loan")


@pytest.mark.parametrize(
    ("income", "family", "applies"),
    [(80_000, 1, True), (80_001, 1, False), (100_000, 2, True), (100_001, 3, False)],
)
def test_osap_income_limits(income, family, applies):
    ln = line(
        evaluate(ca(income=income, family_size=family), CA_COLLEGE, gross(900)), "CA-ON/osap_micro"
    )
    assert ln.applies is applies


@pytest.mark.parametrize(
    "prog",
    [
        Program(institution_type="private", weeks=10, approved=True),
        Program(institution_type="public_college", weeks=10, approved=False),
        Program(institution_type="public_college", weeks=10, approved=True, clock_hours=301),
        Program(institution_type="public_college", weeks=10, approved=True, clock_hours=4),
    ],
)
def test_osap_program_conditions(prog):
    assert not line(evaluate(ca(), prog, gross(900)), "CA-ON/osap_micro").applies


def test_osap_residency():
    ln = line(evaluate(ca(residency="other"), CA_COLLEGE, gross(900)), "CA-ON/osap_micro")
    assert not ln.applies


# ---- British Columbia -----------------------------------------------------------------------
def bc(age=30, **kw):
    return Learner(jurisdiction="CA-BC", age=age, income=50_000, tax_year=2026, **kw)


BC_RULE = "CA-BC/future_skills_grant"


def test_bc_grant_lifetime_limit():
    assert line(evaluate(bc(), CA_COLLEGE, gross(5000)), BC_RULE).amount == 3500.0
    assert line(evaluate(bc(), CA_COLLEGE, gross(2000)), BC_RULE).amount == 2000.0
    used = bc(prior_use={BC_RULE: 3000})
    assert line(evaluate(used, CA_COLLEGE, gross(2000)), BC_RULE).amount == 500.0
    spent = bc(prior_use={BC_RULE: 3500})
    assert not line(evaluate(spent, CA_COLLEGE, gross(2000)), BC_RULE).applies


@pytest.mark.parametrize(("age", "applies"), [(18, False), (19, True)])
def test_bc_grant_age(age, applies):
    assert line(evaluate(bc(age=age), CA_COLLEGE, gross(1000)), BC_RULE).applies is applies


def test_bc_grant_public_designated_only():
    private = Program(institution_type="private", approved=True)
    assert not line(evaluate(bc(), private, gross(1000)), BC_RULE).applies
    assert line(evaluate(bc(), CA_COLLEGE, gross(1000)), BC_RULE).timing == "up_front"


# ---- United States --------------------------------------------------------------------------
US_SCHOOL = Program(institution_type="public_college", federal_aid_eligible=True)
LLC = "US/lifetime_learning_credit"


def us(income=None, filing="single", **kw):
    return Learner(jurisdiction="US", income=income, filing_status=filing, tax_year=2026, **kw)


@pytest.mark.parametrize(
    ("magi", "filing", "amount"),
    [
        (70_000, "single", 2000.0),
        (80_000, "single", 2000.0),
        (85_000, "single", 1000.0),
        (89_000, "single", 200.0),
        (90_000, "single", 0.0),
        (160_000, "joint", 2000.0),
        (170_000, "joint", 1000.0),
        (180_000, "joint", 0.0),
        (85_000, "joint", 2000.0),
    ],
)
def test_llc_phase_out(magi, filing, amount):
    ln = line(evaluate(us(magi, filing), US_SCHOOL, gross(10_000, currency="USD")), LLC)
    assert ln.amount == amount
    assert ln.applies is (amount > 0)


def test_llc_expense_limit_and_rate():
    assert line(evaluate(us(50_000), US_SCHOOL, gross(15_000, currency="USD")), LLC).amount == 2000
    assert line(evaluate(us(50_000), US_SCHOOL, gross(441, currency="USD")), LLC).amount == 88.2


def test_llc_needs_eligible_institution_and_income():
    platform = Program(institution_type="platform")
    assert not line(evaluate(us(50_000), platform, gross(1000, currency="USD")), LLC).applies
    ln = line(evaluate(us(None), US_SCHOOL, gross(1000, currency="USD")), LLC)
    assert not ln.applies and "MAGI" in ln.reason


def test_llc_is_flagged_unverified():
    ln = line(evaluate(us(50_000), US_SCHOOL, gross(1000, currency="USD")), LLC)
    assert ln.status == "unverified" and "rule unverified" in ln.reason


@pytest.mark.parametrize(
    ("paid", "tax_free", "excess"),
    [(1000, 1000.0, None), (5250, 5250.0, None), (6000, 5250.0, 750.0)],
)
def test_section_127_cap(paid, tax_free, excess):
    lines = evaluate(us(50_000, employer_assistance=paid), US_SCHOOL, gross(8000, currency="USD"))
    s127 = line(lines, "US/section_127")
    assert (s127.amount, s127.timing, s127.status) == (tax_free, "tax_free", "unverified")
    others = [ln for ln in lines if ln.rule_id == "employer"]
    assert [ln.amount for ln in others] == ([excess] if excess else [])
    # the LLC's expenses exclude tax-free assistance: 20% of (8,000 - tax-free)
    assert line(lines, LLC).amount == round(0.2 * (8000 - tax_free), 2)


def test_section_127_without_assistance():
    ln = line(evaluate(us(50_000), US_SCHOOL, gross(1000, currency="USD")), "US/section_127")
    assert not ln.applies


PELL = "US/workforce_pell"


def pell(hours=300, weeks=10, start=date(2026, 7, 1), approved=True):
    prog = Program(clock_hours=hours, weeks=weeks, start_date=start, approved=approved)
    return line(evaluate(us(30_000), prog, gross(3000, currency="USD")), PELL)


@pytest.mark.parametrize(("hours", "ok"), [(149, False), (150, True), (599, True), (600, False)])
def test_workforce_pell_clock_hours(hours, ok):
    assert pell(hours=hours).applies is ok


@pytest.mark.parametrize(
    ("weeks", "ok"), [(7, False), (8, True), (14, True), (15, False), (16, False)]
)
def test_workforce_pell_weeks(weeks, ok):
    assert pell(weeks=weeks).applies is ok


@pytest.mark.parametrize(
    ("start", "ok"), [(date(2026, 6, 30), False), (date(2026, 7, 1), True), (None, False)]
)
def test_workforce_pell_from_july_2026(start, ok):
    assert pell(start=start).applies is ok


def test_workforce_pell_unverified_and_not_estimated():
    ln = pell()
    assert ln.status == "unverified" and "rule unverified" in ln.reason
    assert ln.amount == 0.0 and "not estimated" in ln.reason
    assert not pell(approved=False).applies


# ---- Singapore and England ------------------------------------------------------------------
SG_RULE = "SG/skillsfuture_credit"


@pytest.mark.parametrize(("age", "amount"), [(24, 0.0), (25, 500.0), (39, 500.0), (40, 4500.0)])
def test_skillsfuture_credit(age, amount):
    lr = Learner(jurisdiction="SG", age=age, tax_year=2026)
    prog = Program(approved=True)
    ln = line(evaluate(lr, prog, gross(6000, currency="SGD")), SG_RULE)
    assert ln.amount == amount


def test_skillsfuture_prior_use_and_course():
    lr = Learner(jurisdiction="SG", age=45, tax_year=2026, prior_use={SG_RULE: 4000})
    assert (
        line(evaluate(lr, Program(approved=True), gross(900, currency="SGD")), SG_RULE).amount
        == 500
    )
    assert not line(evaluate(lr, Program(), gross(900, currency="SGD")), SG_RULE).applies


LLE = "UK-ENG/lifelong_learning_entitlement"


def test_lifelong_learning_entitlement():
    lr = Learner(jurisdiction="UK-ENG", tax_year=2027)

    def run(start, level, tuition=2000.0):
        prog = Program(start_date=start, level=level, approved=True)
        return line(evaluate(lr, prog, gross(tuition, currency="GBP")), LLE)

    ok = run(date(2027, 1, 11), 4)
    assert (ok.applies, ok.amount, ok.timing) == (True, 2000.0, "loan")
    assert not run(date(2026, 12, 31), 4).applies
    assert not run(date(2027, 1, 11), 7).applies
    assert run(date(2027, 1, 11), 6, tuition=50_000).amount == 38_140.0


# ---- net ------------------------------------------------------------------------------------
def test_net_cost_loans_are_not_income():
    g = gross(800, 200)
    lines = evaluate(ca(ctc_years=4), CA_COLLEGE, g)
    n = net_cost(g, lines)
    # CTC 500 and tuition credit (1000 - 500) * 14% = 70 later; OSAP loan of 800 tuition
    assert (n.gross, n.recovered_later, n.loans) == (1000.0, 570.0, 800.0)
    assert n.net == 430.0
    assert n.cash_up_front == 200.0
    assert n.grants_up_front == 0.0


def test_net_cost_with_grant_and_employer():
    g = gross(3000)
    lines = evaluate(bc(employer_assistance=500), CA_COLLEGE, g)
    n = net_cost(g, lines)
    # employer 500 up front; grant = min(3,500, 3,000 - 500) = 2,500. The federal credits run
    # before the grant (it may be taxable, leaving the fees eligible): 2,500 * 14% = 350 later;
    # net never goes below zero.
    assert n.grants_up_front == 3000.0
    assert n.recovered_later == 350.0
    assert n.net == 0.0 and n.cash_up_front == 0.0


def test_rules_dir_is_in_the_package():
    assert RULES_DIR == Path(__file__).resolve().parents[3] / "src/microcred/advisor/rules"
