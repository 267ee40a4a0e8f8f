"""What the cost CLI and the web API share: a learner from its fields, the true cost of a
program described by hand (no catalog), and the JSON both answer.

Pure: nothing here reads a database, parses flags or sees a request. The callers (the
``microcred cost`` command, ``POST /api/v1/cost``, the ``/cost`` page) validate their input
their own way and then build the same values here, so all three answer the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from microcred.advisor.cost import CostProfile, GrossCost, gross_cost
from microcred.advisor.funding import FundingLine, Learner, NetCost, Program, evaluate, net_cost
from microcred.advisor.quote import CURRENCY_OF_COUNTRY, Quote, cash_schedule, refund_month


def default_currency(jurisdiction: str) -> str:
    """The currency of the learner's country (``CA-ON`` -> ``CAD``), else USD."""
    return CURRENCY_OF_COUNTRY.get(jurisdiction.upper().split("-")[0], "USD")


def learner_from(
    jurisdiction: str,
    *,
    age: int | None = None,
    income: float | None = None,
    filing_status: Literal["single", "joint"] = "single",
    tax_year: int | None = None,
    residency: str = "citizen",
    family_size: int = 1,
    ctc_balance: float | None = None,
    ctc_years: int | None = None,
    employer_assistance: float = 0.0,
    prior_use: Mapping[str, float] | None = None,
    today: date | None = None,
) -> Learner:
    """A ``Learner``; the tax year defaults to this year. ``ValueError`` when both the
    Canada Training Credit balance and its years are given."""
    if ctc_balance is not None and ctc_years is not None:
        raise ValueError("give the Canada Training Credit balance or its years, not both")
    return Learner(
        jurisdiction=jurisdiction.strip().upper(),
        age=age,
        income=income,
        filing_status=filing_status,
        tax_year=tax_year or (today or date.today()).year,
        residency=residency,
        family_size=family_size,
        ctc_balance=ctc_balance,
        ctc_years=ctc_years,
        employer_assistance=employer_assistance,
        prior_use=dict(prior_use or {}),
    )


@dataclass(frozen=True)
class ManualCosts:
    """A program described by hand: what it charges and what the funding rules look at."""

    price: float = 0.0  # one-time price or tuition
    monthly: float = 0.0  # subscription price per month
    hours: float | None = None  # hours of study needed
    exam_fee: float = 0.0
    retake_fee: float = 0.0
    retakes: int = 0
    renewal_fee: float = 0.0
    renewal_every: int = 0  # years between renewals
    currency: str | None = None  # ISO 4217; default from the jurisdiction
    institution_type: str | None = None  # public_college, university, ..., platform
    weeks: int | None = None  # the program's stated length
    approved: bool = False  # approved or designated by the funder
    federal_aid_eligible: bool = False  # US
    level: int | None = None  # qualification level (England 4-6)
    start_date: date | None = None


@dataclass(frozen=True)
class ManualQuote:
    gross: GrossCost
    funding: list[FundingLine]
    net: NetCost
    start: date
    cash: list[float]  # cumulative cash out of pocket at the end of month i (1 = start)
    refund_month: int | None  # the month tax credits come back, when any apply

    def to_json(self) -> dict[str, Any]:
        """What ``microcred cost --json`` prints (without ``--program``)."""
        return {
            "gross": self.gross.to_json(),
            "funding": [ln.to_json() for ln in self.funding],
            "net": self.net.to_json(),
        }


def manual_quote(
    costs: ManualCosts,
    learner: Learner,
    *,
    hours_per_week: float | None = None,
    horizon_years: int = 3,
    today: date | None = None,
) -> ManualQuote:
    """The true cost of a program described by hand. ``ValueError`` for costs that cannot
    be worked out (a subscription without hours and pace or weeks, a negative amount)."""
    profile = CostProfile(
        one_time=costs.price,
        monthly=costs.monthly,
        exam_fee=costs.exam_fee,
        retake_fee=costs.retake_fee,
        retakes=costs.retakes,
        renewal_fee=costs.renewal_fee,
        renewal_every_years=costs.renewal_every,
        currency=(costs.currency or default_currency(learner.jurisdiction)).upper(),
    )
    gross = gross_cost(
        profile,
        hours=costs.hours,
        hours_per_week=hours_per_week,
        weeks=costs.weeks,
        horizon_years=horizon_years,
    )
    prog = Program(
        institution_type=costs.institution_type,
        weeks=costs.weeks,
        clock_hours=costs.hours,
        approved=costs.approved,
        federal_aid_eligible=costs.federal_aid_eligible,
        level=costs.level,
        start_date=costs.start_date,
    )
    lines = evaluate(learner, prog, gross)
    net = net_cost(gross, lines)
    start = costs.start_date or today or date.today()
    refund = refund_month(start, learner.tax_year) if net.recovered_later > 0 else None
    return ManualQuote(
        gross=gross,
        funding=lines,
        net=net,
        start=start,
        cash=cash_schedule(gross, net, refund),
        refund_month=refund,
    )


def quote_json(q: Quote) -> dict[str, Any]:
    """What ``microcred cost --json --program ID`` prints."""
    return {
        "program": {"id": q.program_id, "name": q.name, "start": q.start.isoformat()},
        "gross": q.gross.to_json(),
        "funding": [ln.to_json() for ln in q.funding],
        "net": q.net.to_json(),
        "cash": q.cash,
        "refund_month": q.refund_month,
        "warnings": [w.to_json() for w in q.warnings],
    }
