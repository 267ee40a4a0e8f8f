"""Gross cost: hand-computed cases (issue 4's worked figures first)."""

from __future__ import annotations

import pytest

from microcred.advisor.cost import CostProfile, gross_cost, study_months, study_weeks


def test_issue_figures_5_hours_a_week():
    g = gross_cost(CostProfile(monthly=49), hours=180, hours_per_week=5)
    assert (g.weeks, g.months, g.total) == (36, 9, 441.0)


def test_issue_figures_10_hours_a_week():
    g = gross_cost(CostProfile(monthly=49), hours=180, hours_per_week=10)
    # 18 weeks -> ceil(18 / 4) = 5 months -> 5 * 49
    assert (g.weeks, g.months, g.total) == (18, 5, 245.0)


@pytest.mark.parametrize(
    ("weeks", "months"), [(1, 1), (4, 1), (5, 2), (8, 2), (9, 3), (36, 9), (37, 10)]
)
def test_months_are_ceil_weeks_over_four(weeks, months):
    assert study_months(weeks) == months


def test_weeks_round_up():
    assert study_weeks(181, 5) == 37
    assert study_weeks(180, 5) == 36
    with pytest.raises(ValueError):
        study_weeks(180, 0)


def test_exam_retake_and_renewals_over_horizon():
    p = CostProfile(
        one_time=100,
        exam_fee=200,
        retake_fee=100,
        retakes=1,
        renewal_fee=50,
        renewal_every_years=2,
    )
    g = gross_cost(p, weeks=8, horizon_years=5)
    # 100 + 200 + 100 + 2 renewals (years 2 and 4) * 50
    assert (g.exam, g.renewal_count, g.renewals, g.total) == (300.0, 2, 100.0, 500.0)
    assert g.months == 0  # no subscription billed
    # schedule: study is 2 months; tuition month 1, exam month 2, renewals at +24 and +48
    assert g.schedule[0] == 100.0
    assert g.schedule[1] == 400.0
    assert g.schedule[2 + 23 - 1] == 400.0
    assert g.schedule[2 + 24 - 1] == 450.0
    assert g.schedule[2 + 48 - 1] == 500.0
    assert len(g.schedule) == 2 + 60
    assert g.schedule[-1] == g.total


def test_per_course_and_subscription():
    p = CostProfile(one_time=10, per_course=99, courses=3, monthly=39)
    g = gross_cost(p, hours=40, hours_per_week=10, horizon_years=0)
    assert g.tuition == 10 + 297 + 39
    assert g.schedule == [346.0]


def test_subscription_needs_a_pace():
    with pytest.raises(ValueError, match="monthly"):
        gross_cost(CostProfile(monthly=49))


def test_negative_prices_rejected():
    with pytest.raises(ValueError):
        CostProfile(exam_fee=-1)
