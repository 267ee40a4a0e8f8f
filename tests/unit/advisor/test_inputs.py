"""The helpers the cost CLI and API share: a learner from its fields, a hand-made quote."""

from __future__ import annotations

from datetime import date

import pytest

from microcred.advisor.inputs import (
    ManualCosts,
    default_currency,
    learner_from,
    manual_quote,
    refund_month,
)


def test_learner_from_defaults_and_checks():
    learner = learner_from(" ca-on ", age=30, today=date(2026, 11, 29))
    assert learner.jurisdiction == "CA-ON" and learner.tax_year == 2026
    assert learner.prior_use == {}
    with pytest.raises(ValueError, match="not both"):
        learner_from("CA", ctc_balance=1, ctc_years=1)


def test_default_currency():
    assert default_currency("CA-ON") == "CAD"
    assert default_currency("uk-eng") == "GBP"
    assert default_currency("FR") == "USD"


def test_manual_subscription_at_two_paces():
    us = learner_from("US", tax_year=2026)
    slow = manual_quote(ManualCosts(monthly=49, hours=180), us, hours_per_week=5)
    fast = manual_quote(ManualCosts(monthly=49, hours=180), us, hours_per_week=10)
    assert (slow.gross.total, slow.gross.months) == (441.0, 9)
    assert (fast.gross.total, fast.gross.months) == (245.0, 5)
    assert slow.cash[-1] == 441.0 and slow.refund_month is None
    assert set(slow.to_json()) == {"gross", "funding", "net"}
    with pytest.raises(ValueError, match="monthly price needs hours"):
        manual_quote(ManualCosts(monthly=49), us)


def test_manual_ontario_credits_come_back_in_may():
    on = learner_from("CA-ON", age=30, income=50_000, tax_year=2026, ctc_years=5)
    costs = ManualCosts(
        price=750, institution_type="public_college", weeks=8, start_date=date(2026, 9, 1)
    )
    m = manual_quote(costs, on)
    assert m.net.recovered_later == 427.5  # CTC 375 + 14% of the 375 left
    assert m.refund_month == refund_month(date(2026, 9, 1), 2026) == 9  # May 2027
    assert m.cash[0] == 750.0 and m.cash[8] == 322.5
