"""Funding as a rules engine.

Each funding program is a data file ``rules/<jurisdiction>/<program>.json`` holding its
numbers (amounts, thresholds, rates), its tax year and effective dates, its source, whether
its facts are verified, and a ``kind`` that selects one evaluator function below. Rules run
in their ``order``: in Canada the Canada Training Credit runs before the tuition tax credit,
whose base is reduced by the training credit claimed; in the United States the section 127
exclusion runs before the Lifetime Learning Credit, whose expenses exclude tax-free
assistance. Employer tuition assistance is the learner's own input and runs first: fees an
employer paid are not the learner's to claim.

A rule never silently applies out of its years: asked for a tax year after the file's
``tax_year`` it yields a line with ``applies=False``, ``status="outdated"`` and the reason
"rates for YEAR not published in this rule file (has YEAR0)". A rule whose facts are not yet
confirmed carries ``status: unverified`` and a note, and its lines say so in their reason.
A file's ``effective_from`` is the first date its figures are asserted for (not necessarily
the program's creation), and ``tax_year`` the last year they are known to hold.

Simplifications (documented, deliberate): ``Learner.age`` is the age at the end of the tax
year; ``Learner.income`` stands for working income, net income and MAGI alike; the program
is treated as one institution (the Canadian $100 floor applies to its fees together); the
jurisdiction given is taken as the learner's residence for the whole year.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from microcred.advisor.cost import GrossCost

RULES_DIR = Path(__file__).parent / "rules"

Timing = Literal["up_front", "later", "loan", "tax_free"]
CANADIAN_ELIGIBLE = ("public_college", "university", "indigenous_institute", "certified")
_SYMBOL = {"CAD": "$", "USD": "$", "SGD": "S$", "GBP": "£"}


@dataclass(frozen=True)
class Learner:
    jurisdiction: str  # CA-ON, CA-BC, US, SG, UK-ENG, ...
    age: int | None = None  # at the end of the tax year
    income: float | None = None  # working/net income (CA), MAGI (US), family income (OSAP)
    filing_status: Literal["single", "joint"] = "single"
    tax_year: int = field(default_factory=lambda: date.today().year)
    residency: str = "citizen"  # citizen | permanent_resident | protected_person | other
    files_tax_return: bool = True
    family_size: int = 1
    ctc_balance: float | None = None  # Canada Training Credit limit available this year
    ctc_years: int | None = None  # or: eligible years accumulated since 2019
    employer_assistance: float = 0.0  # what the employer pays or reimburses
    prior_use: dict[str, float] = field(default_factory=dict)  # rule id -> amount already used
    loan_default: bool = False

    @property
    def country(self) -> str:
        return self.jurisdiction.upper().split("-")[0]


@dataclass(frozen=True)
class Program:
    """The program's attributes that funding rules look at."""

    institution_type: str | None = None  # public_college | university | indigenous_institute
    # | certified (ESDC-certified occupational skills) | private | platform
    weeks: int | None = None
    clock_hours: float | None = None
    approved: bool = False  # approved/designated by the program's funder (ministry, state, ...)
    # or: the funders that designated it, as the tokens rule files name in ``designation``
    # (``ontario_osap_approved``, ``skillsfuture_eligible``, ...): a catalog program's list
    designations: frozenset[str] = frozenset()
    federal_aid_eligible: bool = False  # US: institution eligible for federal student aid
    level: int | None = None  # qualification level (England: RQF 4-6)
    eqf_level: int | None = None  # or the EQF level, when the national level is not given
    start_date: date | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    jurisdiction: str
    kind: str
    order: int
    tax_year: int
    effective_from: date
    effective_to: date | None
    currency: str
    timing: Timing
    status: str  # verified | unverified
    note: str
    parameters: dict[str, Any]
    source: dict[str, Any]

    @property
    def source_text(self) -> str:
        url = self.source.get("url")
        title = self.source.get("title", "")
        return f"{title} <{url}>" if url else title

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        return cls(
            id=data["id"],
            name=data["name"],
            jurisdiction=data["jurisdiction"],
            kind=data["kind"],
            order=int(data.get("order", 50)),
            tax_year=int(data["tax_year"]),
            effective_from=date.fromisoformat(data["effective_from"]),
            effective_to=date.fromisoformat(data["effective_to"])
            if data.get("effective_to")
            else None,
            currency=data["currency"],
            timing=data["timing"],
            status=data.get("status", "verified"),
            note=data.get("note", ""),
            parameters=data["parameters"],
            source=data["source"],
        )


@dataclass(frozen=True)
class FundingLine:
    program: str
    amount: float
    timing: Timing
    applies: bool
    reason: str
    source: str
    status: str = "verified"  # verified | unverified | outdated | learner_input
    rule_id: str = ""
    currency: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "amount": self.amount,
            "currency": self.currency,
            "timing": self.timing,
            "applies": self.applies,
            "reason": self.reason,
            "source": self.source,
            "status": self.status,
            "rule": self.rule_id,
        }


@dataclass(frozen=True)
class NetCost:
    currency: str
    gross: float
    grants_up_front: float  # grants, employer and tax-free assistance: never paid by the learner
    recovered_later: float  # refundable and non-refundable tax credits, a year later
    loans: float  # lowers the cash needed now, but must be repaid
    net: float  # gross minus grants and credits (loans are still the learner's cost)
    cash_up_front: float  # what the learner pays before any credit comes back

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


# ---- helpers --------------------------------------------------------------------------------
def _money(x: float) -> float:
    return round(x + 0.0, 2)


def _fmt(x: float, currency: str) -> str:
    return f"{_SYMBOL.get(currency, currency + ' ')}{x:,.2f}"


@dataclass
class _Context:
    learner: Learner
    program: Program
    gross: GrossCost
    employer_paid: float = 0.0
    tax_free: float = 0.0
    ctc_claimed: float = 0.0

    @property
    def tuition(self) -> float:
        """Tuition the learner pays (employer-paid part removed)."""
        return max(0.0, self.gross.tuition - self.employer_paid)

    @property
    def credit_fees(self) -> float:
        """Fees a Canadian credit can see: tuition and exam fees, less what the employer paid."""
        return max(0.0, self.gross.tuition + self.gross.exam - self.employer_paid)


def _line(rule: Rule, ctx: _Context, applies: bool, amount: float, reason: str) -> FundingLine:
    status = rule.status
    if status == "unverified":
        reason = f"{reason} [rule unverified: {rule.note}]"
    return FundingLine(
        program=rule.name,
        amount=_money(amount) if applies else 0.0,
        timing=rule.timing,
        applies=applies,
        reason=reason,
        source=rule.source_text,
        status=status,
        rule_id=rule.id,
        currency=rule.currency,
    )


def _no(rule: Rule, ctx: _Context, reason: str) -> FundingLine:
    return _line(rule, ctx, False, 0.0, reason)


def _approved(rule: Rule, program: Program) -> bool:
    """Approved by this rule's funder: the learner said so, or the program carries the
    rule's ``designation`` token."""
    token = rule.parameters.get("designation")
    return program.approved or (token is not None and token in program.designations)


def _by_year(table: dict[str, Any], year: int) -> Any:
    return table.get(str(year))


# ---- Canada ---------------------------------------------------------------------------------
def ctc_accrues(rule: Rule, learner: Learner) -> tuple[bool, str]:
    """Whether the tax year adds the yearly amount to the learner's Canada Training Credit
    limit (the limit available from the next year)."""
    p = rule.parameters
    year = learner.tax_year
    if year < p["first_year"]:
        return False, f"the credit accumulates from {p['first_year']}"
    thresholds = _by_year(p["income_thresholds"], year)
    if thresholds is None:
        return False, f"income thresholds for {year} not in this rule file"
    low, high = thresholds
    if learner.age is None:
        return False, "age not given"
    if not (p["accrue_min_age"] <= learner.age < p["accrue_max_age_exclusive"]):
        return False, (
            f"age {learner.age}: accumulating needs {p['accrue_min_age']} or older and under "
            f"{p['accrue_max_age_exclusive']} at year end"
        )
    if not learner.files_tax_return:
        return False, "no tax return filed"
    if learner.income is None:
        return False, "income not given"
    if not (low <= learner.income <= high):
        return False, f"income {learner.income:,.0f} outside {year} thresholds {low:,}–{high:,}"
    return True, f"{year} adds ${p['accrual_per_year']} to next year's limit"


def _ctc_balance(rule: Rule, learner: Learner) -> float | None:
    p = rule.parameters
    if learner.ctc_balance is not None:
        return float(min(learner.ctc_balance, p["lifetime_limit"]))
    if learner.ctc_years is not None:
        return float(min(p["accrual_per_year"] * learner.ctc_years, p["lifetime_limit"]))
    return None


def _canadian_fees_ok(ctx: _Context, floor: float) -> str | None:
    """Why the fees are not eligible for the tuition credit (None when they are)."""
    itype = ctx.program.institution_type
    if itype not in CANADIAN_ELIGIBLE:
        return (
            f"institution type {itype or 'unknown'} is not an eligible institution "
            "(Canadian university, college, Indigenous Institute or ESDC-certified)"
        )
    if ctx.credit_fees <= floor:
        return f"fees {ctx.credit_fees:,.2f} are not more than ${floor:,.0f} per institution"
    return None


def eval_ca_training_credit(rule: Rule, ctx: _Context) -> FundingLine:
    p, lr = rule.parameters, ctx.learner
    accrues, accrual = ctc_accrues(rule, lr)
    accrual = accrual if accrues else f"no accrual this year ({accrual})"
    if lr.age is None:
        return _no(rule, ctx, f"age not given; {accrual}")
    if not (p["claim_min_age"] <= lr.age < p["claim_max_age_exclusive"]):
        return _no(
            rule,
            ctx,
            f"age {lr.age}: claiming needs {p['claim_min_age']} or older and under "
            f"{p['claim_max_age_exclusive']} at year end; {accrual}",
        )
    why = _canadian_fees_ok(ctx, p["min_fees_per_institution"])
    if why:
        return _no(rule, ctx, f"{why}; {accrual}")
    balance = _ctc_balance(rule, lr)
    if not balance:
        return _no(
            rule, ctx, f"no accumulated limit (pass --ctc-balance or --ctc-years); {accrual}"
        )
    half = ctx.credit_fees * p["claim_share"]
    claim = min(balance, half)
    ctx.ctc_claimed = _money(claim)
    return _line(
        rule,
        ctx,
        True,
        claim,
        f"lesser of the accumulated limit {_fmt(balance, rule.currency)} and half of eligible "
        f"fees {_fmt(half, rule.currency)}; refundable, with the return; {accrual}",
    )


def eval_ca_tuition_credit(rule: Rule, ctx: _Context) -> FundingLine:
    p, lr = rule.parameters, ctx.learner
    rate = _by_year(p["rate_by_year"], lr.tax_year)
    if rate is None:
        return _no(rule, ctx, f"no rate for {lr.tax_year} in this rule file")
    why = _canadian_fees_ok(ctx, p["min_fees_per_institution"])
    if why:
        return _no(rule, ctx, why)
    if ctx.program.institution_type == "certified" and (lr.age or 0) < p["occupational_min_age"]:
        return _no(rule, ctx, f"occupational-skills courses need age {p['occupational_min_age']}+")
    base = max(0.0, ctx.credit_fees - ctx.ctc_claimed)
    amount = base * rate
    return _line(
        rule,
        ctx,
        amount > 0,
        amount,
        f"{rate:.1%} ({lr.tax_year} lowest federal rate) of fees {_fmt(ctx.credit_fees, 'CAD')} "
        f"less the training credit claimed {_fmt(ctx.ctc_claimed, 'CAD')}; non-refundable: "
        "lowers tax owed (unused amounts carry forward)",
    )


def eval_ca_on_osap_micro(rule: Rule, ctx: _Context) -> FundingLine:
    p, lr, pr = rule.parameters, ctx.learner, ctx.program
    if lr.residency not in p["residency"]:
        return _no(rule, ctx, f"residency {lr.residency}: needs citizen, PR or protected person")
    if not _approved(rule, pr):
        return _no(rule, ctx, "program is not a ministry-approved micro-credential")
    if pr.institution_type not in p["institution_types"]:
        return _no(rule, ctx, f"institution type {pr.institution_type or 'unknown'} is not public")
    if pr.weeks is None or pr.weeks >= p["max_weeks_exclusive"]:
        return _no(rule, ctx, f"length {pr.weeks} weeks: must be under {p['max_weeks_exclusive']}")
    if pr.clock_hours is not None and not (p["min_hours"] <= pr.clock_hours <= p["max_hours"]):
        return _no(
            rule, ctx, f"{pr.clock_hours:g} hours: outside {p['min_hours']}–{p['max_hours']}"
        )
    if lr.loan_default:
        return _no(rule, ctx, "a student loan in default")
    if lr.income is None:
        return _no(rule, ctx, "income not given")
    limit = p["income_limit_single"] if lr.family_size <= 1 else p["income_limit_family"]
    if lr.income > limit:
        return _no(
            rule, ctx, f"income {lr.income:,.0f} over {limit:,} (family of {lr.family_size})"
        )
    return _line(
        rule,
        ctx,
        ctx.tuition > 0,
        ctx.tuition,
        f"approved, {pr.weeks} weeks at a public institution, income within {limit:,}; up to "
        "tuition and mandatory fees, shown as a loan until OSAP assesses the grant/loan split",
    )


def eval_ca_bc_future_skills(rule: Rule, ctx: _Context) -> FundingLine:
    p, lr, pr = rule.parameters, ctx.learner, ctx.program
    if lr.residency not in p["residency"]:
        return _no(rule, ctx, f"residency {lr.residency}: needs citizen, PR or protected person")
    if lr.age is None or lr.age < p["min_age"]:
        return _no(
            rule,
            ctx,
            f"age {lr.age}: needs {p['min_age']}+ (grade 12 graduates also qualify: not modelled)",
        )
    if not _approved(rule, pr):
        return _no(rule, ctx, "program is not designated for the grant")
    if pr.institution_type not in p["institution_types"]:
        return _no(rule, ctx, f"institution type {pr.institution_type or 'unknown'} is not public")
    left = max(0.0, p["lifetime_limit"] - lr.prior_use.get(rule.id, 0.0))
    amount = min(left, ctx.tuition)
    return _line(
        rule,
        ctx,
        amount > 0,
        amount,
        f"lesser of tuition {_fmt(ctx.tuition, 'CAD')} and the lifetime limit left "
        f"{_fmt(left, 'CAD')}; paid to the institution; may be taxable",
    )


# ---- United States --------------------------------------------------------------------------
def eval_us_section_127(rule: Rule, ctx: _Context) -> FundingLine:
    p = rule.parameters
    paid = ctx.employer_paid
    if paid <= 0:
        return _no(rule, ctx, "no employer assistance given (--employer-assistance)")
    tax_free = min(paid, p["annual_limit"])
    ctx.tax_free = tax_free
    extra = paid - tax_free
    note = f"; the other {_fmt(extra, 'USD')} is taxable wages (next line)" if extra > 0 else ""
    return _line(
        rule,
        ctx,
        True,
        tax_free,
        f"employer pays {_fmt(paid, 'USD')}; {_fmt(tax_free, 'USD')} excluded from income "
        f"(limit {_fmt(p['annual_limit'], 'USD')} a year, written plan){note}",
    )


def eval_us_lifetime_learning(rule: Rule, ctx: _Context) -> FundingLine:
    p, lr = rule.parameters, ctx.learner
    if not ctx.program.federal_aid_eligible:
        return _no(rule, ctx, "institution not eligible for federal student aid")
    if lr.income is None:
        return _no(rule, ctx, "MAGI not given (--income): the phase-out cannot be applied")
    low, high = p["phase_out"][lr.filing_status]
    expenses = max(0.0, ctx.gross.tuition - ctx.tax_free)
    base = min(expenses, p["expense_limit"]) * p["rate"]
    factor = min(1.0, max(0.0, (high - lr.income) / (high - low)))
    amount = base * factor
    if amount <= 0:
        why = f"MAGI {lr.income:,.0f} at or over {high:,}" if factor == 0 else "no expenses"
        return _no(rule, ctx, why)
    return _line(
        rule,
        ctx,
        True,
        amount,
        f"{p['rate']:.0%} of {_fmt(min(expenses, p['expense_limit']), 'USD')} × {factor:.0%} "
        f"(phase-out {low:,}–{high:,} {lr.filing_status}); non-refundable, with the return",
    )


def eval_us_workforce_pell(rule: Rule, ctx: _Context) -> FundingLine:
    p, pr = rule.parameters, ctx.program
    start = pr.start_date
    starts = date.fromisoformat(p["programs_from"])
    if start is None:
        return _no(rule, ctx, f"program start date not given: only from {starts}")
    if start < starts:
        return _no(rule, ctx, f"starts {start}: Workforce Pell applies from {starts}")
    h = pr.clock_hours
    if h is None or not (p["min_clock_hours"] <= h <= p["max_clock_hours"]):
        return _no(
            rule, ctx, f"{h} clock hours: needs {p['min_clock_hours']}–{p['max_clock_hours']}"
        )
    w = pr.weeks
    if w is None or not (p["min_weeks"] <= w < p["max_weeks_exclusive"]):
        return _no(
            rule,
            ctx,
            f"{w} weeks: needs {p['min_weeks']} to under {p['max_weeks_exclusive']}",
        )
    if not _approved(rule, pr):
        return _no(rule, ctx, "program not approved by the state (in-demand jobs) or not eligible")
    return _line(
        rule,
        ctx,
        True,
        0.0,
        "program eligible; the award is need-based (Student Aid Index) and not estimated here",
    )


# ---- elsewhere ------------------------------------------------------------------------------
def eval_sg_skillsfuture(rule: Rule, ctx: _Context) -> FundingLine:
    p, lr, pr = rule.parameters, ctx.learner, ctx.program
    if lr.age is None or lr.age < p["base_age"]:
        return _no(rule, ctx, f"age {lr.age}: the credit starts at {p['base_age']}")
    if not _approved(rule, pr):
        return _no(rule, ctx, "course is not SkillsFuture Credit-eligible")
    total = p["base_credit"]
    as_of = pr.start_date or date(lr.tax_year, 12, 31)
    if lr.age >= p["topup_age"] and as_of >= date.fromisoformat(p["topup_from"]):
        total += p["topup_credit"]
    left = max(0.0, total - lr.prior_use.get(rule.id, 0.0))
    amount = min(left, ctx.tuition)
    return _line(
        rule,
        ctx,
        amount > 0,
        amount,
        f"lesser of fees {_fmt(ctx.tuition, 'SGD')} and credit left {_fmt(left, 'SGD')}",
    )


def eval_uk_eng_lle(rule: Rule, ctx: _Context) -> FundingLine:
    p, lr, pr = rule.parameters, ctx.learner, ctx.program
    starts = date.fromisoformat(p["courses_from"])
    if pr.start_date is None or pr.start_date < starts:
        return _no(rule, ctx, f"for courses and modules starting from {starts}")
    if pr.level is not None:
        if pr.level not in p["levels"]:
            return _no(
                rule, ctx, f"level {pr.level}: levels {p['levels'][0]}–{p['levels'][-1]} only"
            )
    elif pr.eqf_level is not None:
        # RQF 4 and 5 are referenced to EQF 5, RQF 6 to EQF 6
        if pr.eqf_level not in p["eqf_levels"]:
            return _no(
                rule,
                ctx,
                f"EQF level {pr.eqf_level}: levels {p['levels'][0]}–{p['levels'][-1]} "
                f"(EQF {p['eqf_levels'][0]}–{p['eqf_levels'][-1]}) only",
            )
    else:
        return _no(rule, ctx, f"level not given: levels {p['levels'][0]}–{p['levels'][-1]} only")
    if not _approved(rule, pr):
        return _no(rule, ctx, "course or module not designated for the entitlement")
    left = max(0.0, p["lifetime_limit"] - lr.prior_use.get(rule.id, 0.0))
    amount = min(left, ctx.tuition)
    return _line(
        rule, ctx, amount > 0, amount, f"tuition loan, entitlement left {_fmt(left, 'GBP')}"
    )


EVALUATORS: dict[str, Callable[[Rule, _Context], FundingLine]] = {
    "ca_training_credit": eval_ca_training_credit,
    "ca_tuition_credit": eval_ca_tuition_credit,
    "ca_on_osap_micro": eval_ca_on_osap_micro,
    "ca_bc_future_skills": eval_ca_bc_future_skills,
    "us_section_127": eval_us_section_127,
    "us_lifetime_learning": eval_us_lifetime_learning,
    "us_workforce_pell": eval_us_workforce_pell,
    "sg_skillsfuture": eval_sg_skillsfuture,
    "uk_eng_lle": eval_uk_eng_lle,
}


# ---- loading and evaluating -----------------------------------------------------------------
def load_rules(jurisdiction: str, rules_dir: Path = RULES_DIR) -> list[Rule]:
    """The rules that can concern a learner in ``jurisdiction``: the country's and, for
    ``CA-ON``, Ontario's; for a bare country code, every region's (they then explain that
    they are for that region's residents only)."""
    code = jurisdiction.upper()
    country = code.split("-")[0]
    rules: list[Rule] = []
    for d in sorted(rules_dir.iterdir()):
        name = d.name.upper()
        if not d.is_dir() or name.split("-")[0] != country:
            continue
        if name != country and code != country and name != code:
            continue
        for f in sorted(d.glob("*.json")):
            rule = Rule.from_json(json.loads(f.read_text("utf-8")))
            if rule.kind not in EVALUATORS:
                raise ValueError(f"{f}: unknown kind {rule.kind!r}")
            rules.append(rule)
    return sorted(rules, key=lambda r: (r.order, r.id))


def _employer_line(ctx: _Context, currency: str) -> FundingLine:
    return FundingLine(
        program="Employer tuition assistance",
        amount=ctx.employer_paid,
        timing="up_front",
        applies=True,
        reason=f"learner's input: the employer pays {_fmt(ctx.employer_paid, currency)}",
        source="learner input",
        status="learner_input",
        rule_id="employer",
        currency=currency,
    )


def evaluate(
    learner: Learner,
    program: Program,
    gross: GrossCost,
    *,
    rules: list[Rule] | None = None,
) -> list[FundingLine]:
    """One line per funding program that can concern this learner, in evaluation order."""
    if rules is None:
        rules = load_rules(learner.jurisdiction)
    rules = sorted(rules, key=lambda r: (r.order, r.id))
    ctx = _Context(learner, program, gross)
    ctx.employer_paid = _money(min(max(learner.employer_assistance, 0.0), gross.total))
    lines: list[FundingLine] = []
    if ctx.employer_paid > 0 and not any(r.kind == "us_section_127" for r in rules):
        lines.append(_employer_line(ctx, gross.currency))
    code = learner.jurisdiction.upper()
    for rule in rules:
        year = learner.tax_year
        if year > rule.tax_year:
            lines.append(
                FundingLine(
                    program=rule.name,
                    amount=0.0,
                    timing=rule.timing,
                    applies=False,
                    reason=(
                        f"rates for {year} not published in this rule file (has {rule.tax_year})"
                    ),
                    source=rule.source_text,
                    status="outdated",
                    rule_id=rule.id,
                    currency=rule.currency,
                )
            )
            continue
        if year < rule.effective_from.year or (
            rule.effective_to is not None and year > rule.effective_to.year
        ):
            lines.append(_no(rule, ctx, f"not in effect in {year}"))
            continue
        if "-" in rule.jurisdiction and rule.jurisdiction.upper() != code:
            lines.append(_no(rule, ctx, f"for residents of {rule.jurisdiction} only"))
            continue
        if rule.currency != gross.currency:
            lines.append(
                _no(
                    rule,
                    ctx,
                    f"the program is priced in {gross.currency} and this rule counts "
                    f"{rule.currency}: no exchange rate is applied (give the fees in "
                    f"{rule.currency} to evaluate it)",
                )
            )
            continue
        lines.append(EVALUATORS[rule.kind](rule, ctx))
        if rule.kind == "us_section_127" and ctx.employer_paid > ctx.tax_free:
            excess = _money(ctx.employer_paid - ctx.tax_free)
            lines.append(
                FundingLine(
                    program="Employer assistance above the section 127 limit",
                    amount=excess,
                    timing="up_front",
                    applies=True,
                    reason=f"learner's input: paid by the employer as taxable wages "
                    f"({_fmt(excess, 'USD')})",
                    source="learner input",
                    status="learner_input",
                    rule_id="employer",
                    currency=rule.currency,
                )
            )
    return lines


def net_cost(gross: GrossCost, lines: list[FundingLine]) -> NetCost:
    """Gross less what funding covers; loans lower the cash needed now, not the cost."""
    applied = [ln for ln in lines if ln.applies]
    up_front = sum(ln.amount for ln in applied if ln.timing in ("up_front", "tax_free"))
    later = sum(ln.amount for ln in applied if ln.timing == "later")
    loans = sum(ln.amount for ln in applied if ln.timing == "loan")
    up_front = min(up_front, gross.total)
    net = max(0.0, gross.total - up_front - later)
    cash = max(0.0, gross.total - up_front - loans)
    return NetCost(
        currency=gross.currency,
        gross=gross.total,
        grants_up_front=_money(up_front),
        recovered_later=_money(later),
        loans=_money(loans),
        net=_money(net),
        cash_up_front=_money(cash),
    )


__all__ = [
    "EVALUATORS",
    "FundingLine",
    "Learner",
    "NetCost",
    "Program",
    "Rule",
    "ctc_accrues",
    "evaluate",
    "load_rules",
    "net_cost",
]
