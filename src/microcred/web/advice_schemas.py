"""Request and response shapes of the learner's API: true cost, comparison, advice.

``LearnerIn`` is the one definition of a learner's fields and their limits: the API takes it
in its bodies (a bad value is a 400 naming its JSON path, ``body.learner.age: ...``), and the
``/cost``, ``/catalog/compare`` and ``/advisor`` pages validate their GET forms with the same
models (a bad value is a message naming the field). Limits keep the month-by-month schedules
small: at most 10,000 hours at no less than half an hour a week, 50 years of renewals.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microcred.advisor.funding import Learner
from microcred.advisor.inputs import ManualCosts, learner_from
from microcred.advisor.quote import MAX_COMPARE, MIN_COMPARE

INSTITUTION_TYPES = (
    "public_college",
    "university",
    "indigenous_institute",
    "certified",
    "private",
    "platform",
)
RESIDENCIES = ("citizen", "permanent_resident", "protected_person", "other")
InstitutionType = Literal[INSTITUTION_TYPES]  # type: ignore[valid-type]
Residency = Literal[RESIDENCIES]  # type: ignore[valid-type]
MONEY_MAX = 1e9
JURISDICTION_PATTERN = r"^[A-Za-z]{2,5}(-[A-Za-z]{2,3})?$"
PROGRAM_ID_MAX = 200


def _money(description: str, default: float | None = 0.0) -> Any:
    return Field(default, ge=0, le=MONEY_MAX, allow_inf_nan=False, description=description)


Amount = Annotated[float, Field(ge=0, le=MONEY_MAX, allow_inf_nan=False)]
HoursPerWeek = Field(
    None,
    ge=0.5,
    le=168,
    allow_inf_nan=False,
    description="Hours the learner studies a week (default: the program's pace, else 5).",
)
HorizonYears = Field(3, ge=0, le=50, description="Years of renewal fees to count.")


class LearnerIn(BaseModel):
    """Who is paying: where they live and what the funding rules look at."""

    model_config = ConfigDict(extra="forbid")

    jurisdiction: str = Field(
        pattern=JURISDICTION_PATTERN,
        description="Where the learner lives: CA-ON, CA-BC, CA, US, SG, UK-ENG, ...",
        examples=["CA-ON"],
    )
    age: int | None = Field(None, ge=0, le=130, description="Age at the end of the tax year.")
    income: float | None = Field(
        None,
        ge=-MONEY_MAX,
        le=MONEY_MAX,
        allow_inf_nan=False,
        description="Income (working/net income; MAGI in the US).",
    )
    filing_status: Literal["single", "joint"] = Field("single", description="US filing status.")
    tax_year: int | None = Field(None, ge=2000, le=2100, description="Default: this year.")
    residency: Residency = "citizen"
    family_size: int = Field(1, ge=1, le=50, description="Family size (OSAP).")
    ctc_balance: float | None = _money("Canada Training Credit limit available.", None)
    ctc_years: int | None = Field(
        None, ge=0, le=100, description="Or: eligible years accumulated since 2019."
    )
    employer_assistance: float = _money("What the employer pays or reimburses.")
    prior_use: dict[Annotated[str, Field(max_length=100)], Amount] = Field(
        default_factory=dict,
        max_length=50,
        description="Rule id -> amount already used of a lifetime limit "
        '(`{"SG/skillsfuture_credit": 200}`).',
    )

    @model_validator(mode="after")
    def _one_ctc(self) -> LearnerIn:
        if self.ctc_balance is not None and self.ctc_years is not None:
            raise ValueError("give ctc_balance or ctc_years, not both")
        return self

    def learner(self) -> Learner:
        return learner_from(
            self.jurisdiction,
            age=self.age,
            income=self.income,
            filing_status=self.filing_status,
            tax_year=self.tax_year,
            residency=self.residency,
            family_size=self.family_size,
            ctc_balance=self.ctc_balance,
            ctc_years=self.ctc_years,
            employer_assistance=self.employer_assistance,
            prior_use=self.prior_use,
        )


class CostsIn(BaseModel):
    """A program described by hand (as `microcred cost --price ... --monthly ...`)."""

    model_config = ConfigDict(extra="forbid")

    price: float = _money("One-time price or tuition.")
    monthly: float = _money("Subscription price per month.")
    hours: float | None = Field(
        None, gt=0, le=10_000, allow_inf_nan=False, description="Hours of study needed."
    )
    exam_fee: float = _money("Certification exam fee.")
    retake_fee: float = _money("Exam retake fee.")
    retakes: int = Field(0, ge=0, le=20, description="Retakes to budget for.")
    renewal_fee: float = _money("Renewal fee.")
    renewal_every: int = Field(0, ge=0, le=50, description="Years between renewals.")
    currency: str | None = Field(
        None, pattern=r"^[A-Za-z]{3}$", description="ISO 4217; default from the jurisdiction."
    )
    institution_type: InstitutionType | None = None
    weeks: int | None = Field(None, ge=1, le=10_000, description="The program's length in weeks.")
    approved: bool = Field(False, description="Approved or designated by the funder.")
    federal_aid_eligible: bool = Field(
        False, description="US: the institution is eligible for federal student aid."
    )
    level: int | None = Field(None, ge=0, le=8, description="Qualification level (England 4-6).")
    start_date: dt.date | None = None

    def manual(self, start: dt.date | None = None) -> ManualCosts:
        return ManualCosts(
            price=self.price,
            monthly=self.monthly,
            hours=self.hours,
            exam_fee=self.exam_fee,
            retake_fee=self.retake_fee,
            retakes=self.retakes,
            renewal_fee=self.renewal_fee,
            renewal_every=self.renewal_every,
            currency=self.currency,
            institution_type=self.institution_type,
            weeks=self.weeks,
            approved=self.approved,
            federal_aid_eligible=self.federal_aid_eligible,
            level=self.level,
            start_date=self.start_date or start,
        )


class CostRequest(BaseModel):
    """Exactly one of `program` (a catalog id) and `costs` (described by hand)."""

    model_config = ConfigDict(extra="forbid")

    program: str | None = Field(None, min_length=1, max_length=PROGRAM_ID_MAX)
    costs: CostsIn | None = None
    learner: LearnerIn
    hours_per_week: float | None = HoursPerWeek
    horizon_years: int = HorizonYears
    start: dt.date | None = Field(
        None, description="Start date (default: next cohort, else today)."
    )

    @model_validator(mode="after")
    def _program_or_costs(self) -> CostRequest:
        if (self.program is None) == (self.costs is None):
            raise ValueError("give program (a catalog id) or costs, exactly one of the two")
        return self


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programs: list[str] = Field(
        min_length=MIN_COMPARE,
        max_length=MAX_COMPARE,
        description=f"{MIN_COMPARE} to {MAX_COMPARE} catalog program ids.",
    )
    learner: LearnerIn
    hours_per_week: float | None = HoursPerWeek
    horizon_years: int = HorizonYears
    start: dt.date | None = None


class AdviseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: str = Field(
        min_length=1,
        max_length=500,
        description="An occupation (name, URI, ISCO or O*NET-SOC code) or comma-separated skills.",
        examples=["data scientist"],
    )
    have: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list,
        max_length=100,
        description="Skills the learner has (names or URIs; an item may be `a, b`).",
    )
    use_wallet: bool = Field(
        False,
        description="Also count the skills of the signed-in learner's wallet (its verified "
        "credentials; the session cookie) as theirs. Ignored without a session.",
    )
    learner: LearnerIn
    budget: float | None = _money("Most the learner wants to pay (net).", None)
    hours_per_week: float | None = HoursPerWeek
    format: Literal["online", "hybrid", "in_person"] | None = None
    horizon_years: int = HorizonYears
    limit: int = Field(10, ge=1, le=100)


# ---- responses (the JSON the CLI prints, documented) --------------------------------------
class GrossOut(BaseModel):
    currency: str
    weeks: int | None = Field(description="Weeks of study at the learner's pace.")
    months: int = Field(description="Months of subscription billed (0 without one).")
    tuition: float
    exam: float
    renewals: float
    renewal_count: int
    horizon_years: int
    total: float
    schedule: list[float] = Field(description="Cumulative spend at the end of month i.")


class FundingLineOut(BaseModel):
    program: str
    amount: float
    currency: str
    timing: str = Field(description="up_front | later (tax return) | loan | tax_free")
    applies: bool
    reason: str
    source: str = Field(description="Title <URL> of the rule's source.")
    status: str = Field(description="verified | unverified | outdated | learner_input")
    rule: str


class NetOut(BaseModel):
    currency: str
    gross: float
    grants_up_front: float
    recovered_later: float
    loans: float
    net: float = Field(description="Gross minus grants and credits (loans are still a cost).")
    cash_up_front: float


class CaveatOut(BaseModel):
    code: str
    message: str


class ProgramRef(BaseModel):
    id: str
    name: str
    start: dt.date


class CostAnswer(BaseModel):
    """`microcred cost --json`: gross, funding lines, net; for a catalog program also the
    program, the cumulative cash per month, the month credits come back, and warnings."""

    program: ProgramRef | None = None
    gross: GrossOut
    funding: list[FundingLineOut]
    net: NetOut
    cash: list[float] | None = None
    refund_month: int | None = None
    warnings: list[CaveatOut] | None = None


class QuoteOut(BaseModel):
    program: str
    name: str
    currency: str
    hours_per_week: float | None
    start: dt.date
    gross: GrossOut
    funding: list[FundingLineOut]
    net: NetOut
    cash: list[float]
    refund_month: int | None
    warnings: list[CaveatOut]


class ChartSeries(BaseModel):
    program: str
    name: str
    currency: str
    gross: list[float] = Field(description="Cumulative gross spend, one value per month.")
    cash: list[float] = Field(description="Cumulative cash out of pocket, one value per month.")


class ComparisonOut(BaseModel):
    programs: list[QuoteOut]
    months: int
    currencies: list[str]
    notes: list[str]
    chart: list[ChartSeries]


class SkillRefOut(BaseModel):
    uri: str
    label: str
    essential: bool


class GoalOut(BaseModel):
    label: str
    occupation: str | None
    code: str | None
    skills: list[SkillRefOut]


class RecommendationOut(BaseModel):
    program: str
    name: str
    provider: str
    provider_type: str
    score: float
    parts: dict[str, float]
    covers: list[SkillRefOut]
    gross: float
    net: float
    currency: str
    weeks: int | None
    cost: QuoteOut
    reasons: list[str]
    warnings: list[CaveatOut]


class AdviceOut(BaseModel):
    goal: GoalOut
    have: list[SkillRefOut]
    gap: list[SkillRefOut]
    considered: int
    recommendations: list[RecommendationOut]
    notes: list[str]
