"""Gross cost of a program for one learner's pace.

How long a subscription runs: the learner studies ``hours_per_week``, so the program takes
``weeks = ceil(hours / hours_per_week)`` weeks, and a subscription is billed for
``months = ceil(weeks / 4)`` months (a billing month counted as four weeks of study: a
conservative rounding that matches the worked figures in issue 4: 180 hours at 5 hours a
week is 36 weeks, 9 months, $441 at $49/month; at 10 hours a week 18 weeks, 5 months, $245).

Exam fees and retakes fall in the last month of study; a renewal fee falls every
``renewal_every_years`` after completion, within ``horizon_years`` of completing.
Amounts are rounded to cents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

WEEKS_PER_BILLED_MONTH = 4


@dataclass(frozen=True)
class CostProfile:
    """What a program charges (one currency)."""

    one_time: float = 0.0  # tuition or price paid once, at the start
    per_course: float = 0.0
    courses: int = 0
    monthly: float = 0.0  # subscription price per month
    exam_fee: float = 0.0  # certification exam, paid at the end of study
    retake_fee: float = 0.0
    retakes: int = 0
    renewal_fee: float = 0.0
    renewal_every_years: int = 0
    currency: str = "USD"

    def __post_init__(self) -> None:
        for name in ("one_time", "per_course", "monthly", "exam_fee", "retake_fee", "renewal_fee"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.courses < 0 or self.retakes < 0 or self.renewal_every_years < 0:
            raise ValueError("courses, retakes and renewal_every_years must not be negative")


@dataclass(frozen=True)
class GrossCost:
    currency: str
    weeks: int | None  # weeks of study (None when unknown and not needed)
    months: int  # months of subscription billed (0 without a subscription)
    tuition: float  # one-time + per-course + subscription: what funding rules call tuition
    exam: float  # exam fee plus retakes
    renewals: float  # renewal fees over the horizon
    renewal_count: int
    horizon_years: int
    total: float
    schedule: list[float] = field(default_factory=list)  # cumulative spend at the end of month i

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "weeks": self.weeks,
            "months": self.months,
            "tuition": self.tuition,
            "exam": self.exam,
            "renewals": self.renewals,
            "renewal_count": self.renewal_count,
            "horizon_years": self.horizon_years,
            "total": self.total,
            "schedule": self.schedule,
        }


def _money(x: float) -> float:
    return round(x + 0.0, 2)


def study_weeks(hours: float, hours_per_week: float) -> int:
    if hours <= 0 or hours_per_week <= 0:
        raise ValueError("hours and hours per week must be positive")
    return math.ceil(hours / hours_per_week - 1e-9)


def study_months(weeks: int) -> int:
    """Months billed for ``weeks`` of study: ``ceil(weeks / 4)``."""
    return math.ceil(weeks / WEEKS_PER_BILLED_MONTH)


def gross_cost(
    profile: CostProfile,
    *,
    hours: float | None = None,
    hours_per_week: float | None = None,
    weeks: int | None = None,
    horizon_years: int = 3,
) -> GrossCost:
    """The learner's gross cost. Study length comes from ``hours``/``hours_per_week`` when both
    are given, else from ``weeks`` (the program's stated length); a subscription needs one."""
    if horizon_years < 0:
        raise ValueError("horizon_years must not be negative")
    if hours is not None and hours_per_week is not None:
        study = study_weeks(hours, hours_per_week)
    elif weeks is not None:
        if weeks <= 0:
            raise ValueError("weeks must be positive")
        study = weeks
    else:
        study = None
    if profile.monthly > 0:
        if study is None:
            raise ValueError("a monthly price needs hours and hours per week (or weeks)")
        months = study_months(study)
    else:
        months = study_months(study) if study is not None else 0
    billed = months if profile.monthly > 0 else 0
    upfront = profile.one_time + profile.per_course * profile.courses
    tuition = upfront + profile.monthly * billed
    exam = profile.exam_fee + profile.retake_fee * profile.retakes
    every = profile.renewal_every_years
    count = horizon_years // every if every and profile.renewal_fee else 0
    renewals = profile.renewal_fee * count

    # cumulative schedule: study months, then the horizon after completion
    length = max(months, 1) + 12 * horizon_years
    last_study = max(months, 1)
    spent = 0.0
    schedule: list[float] = []
    for m in range(1, length + 1):
        if m == 1:
            spent += upfront
        if m <= billed:
            spent += profile.monthly
        if m == last_study:
            spent += exam
        if count and m > last_study and (m - last_study) % (12 * every) == 0:
            if (m - last_study) // (12 * every) <= count:
                spent += profile.renewal_fee
        schedule.append(_money(spent))
    total = _money(tuition + exam + renewals)
    assert schedule[-1] == total
    return GrossCost(
        currency=profile.currency,
        weeks=study,
        months=billed,
        tuition=_money(tuition),
        exam=_money(exam),
        renewals=_money(renewals),
        renewal_count=count,
        horizon_years=horizon_years,
        total=total,
        schedule=schedule,
    )
