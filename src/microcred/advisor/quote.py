"""A catalog program's true cost for one learner: gross, funding lines, net, the cash a month
at a time, and the warnings a learner should read before enrolling. And the side-by-side
comparison of two to four programs.

Pure: the caller hands in catalog programs (``microcred.catalog.model.Program``) and a
``Learner``; nothing here reads a database.

How a catalog program meets the funding rules (``funding_program``):

- its ``funding`` tokens are the designations rule files name (``ontario_osap_approved``,
  ``bc_future_skills_designated``, ``workforce_pell_eligible``, ``skillsfuture_eligible``,
  ``lle_designated``) and ``federal_aid_eligible`` (US Title IV);
- its institution type is the provider's ``institution_type`` when the catalog gives it;
  otherwise it is guessed from the provider: a recognised (``provider_recognised`` or the
  ``recognised_institution`` token) university or college is ``university`` when its name
  says so, else ``public_college`` when it carries ``public_institution``, else ``certified``
  (an ESDC-certified occupational-skills institution in Canadian terms); an online platform
  is ``platform``; anything else ``private``;
- its length for eligibility is its stated length (``weeks_max``, else ``weeks_min``), not the
  learner's pace; its clock hours are its workload; its level is its national
  ``qualification_level`` (England: RQF), else its EQF level; its start date is the
  learner's, else the next cohort date on or after today, else today.

The cash schedule: month 1 is the start month. Up-front funding (grants, employer and
tax-free assistance) and loans cover payments as they fall due; tax credits come back in
the May after the tax year (returns are filed by 30 April). Loans are still the learner's
cost: the schedule shows cash, ``net`` shows cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from microcred.advisor.cost import GrossCost, gross_cost
from microcred.advisor.funding import (
    FundingLine,
    Learner,
    NetCost,
    Rule,
    evaluate,
    load_rules,
    net_cost,
)
from microcred.advisor.funding import Program as FundingProgram
from microcred.catalog.model import HINT_HOURS_PER_WEEK, Program

CURRENCY_OF_COUNTRY = {"CA": "CAD", "US": "USD", "SG": "SGD", "UK": "GBP"}
REFUND_MONTH = 5  # credits claimed with the return (due 30 April) arrive about May
PROOF_WORDS = {
    "ob3_vc": "a verifiable credential (Open Badges 3.0)",
    "ob2": "an Open Badges 2.0 badge (hosted, not signed)",
    "pdf": "a PDF certificate only",
    "none": "no certificate or badge",
}


@dataclass(frozen=True)
class Caveat:
    code: str  # subscription_pace | no_verifiable_proof | expires | no_funding | currency | ...
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Quote:
    program_id: str
    name: str
    currency: str
    hours_per_week: float | None
    start: date
    gross: GrossCost
    funding: list[FundingLine]
    net: NetCost
    cash: list[float]  # cumulative cash out of pocket at the end of month i (month 1 = start)
    refund_month: int | None  # the month tax credits come back, when any apply
    warnings: list[Caveat] = field(default_factory=list)

    @property
    def weeks(self) -> int | None:
        return self.gross.weeks

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program_id,
            "name": self.name,
            "currency": self.currency,
            "hours_per_week": self.hours_per_week,
            "start": self.start.isoformat(),
            "gross": self.gross.to_json(),
            "funding": [ln.to_json() for ln in self.funding],
            "net": self.net.to_json(),
            "cash": self.cash,
            "refund_month": self.refund_month,
            "warnings": [w.to_json() for w in self.warnings],
        }


def stated_weeks(program: Program) -> int | None:
    return program.weeks_max or program.weeks_min


def institution_type(program: Program) -> str:
    prov = program.provider
    if prov.institution_type:
        return prov.institution_type
    tokens = set(program.funding)
    recognised = prov.recognised_institution or "recognised_institution" in tokens
    if prov.provider_type == "online_platform":
        return "platform"
    if recognised and prov.provider_type == "university_college":
        if "universit" in prov.name.lower():
            return "university"
        if "public_institution" in tokens:
            return "public_college"
        return "certified"
    if recognised:
        return "certified"
    return "private"


def start_date(program: Program, today: date, start: date | None = None) -> date:
    if start is not None:
        return start
    upcoming = sorted(d for d in program.cohort_dates if d >= today)
    return upcoming[0] if upcoming else today


def funding_program(program: Program, start: date) -> FundingProgram:
    """What the funding rules look at, from a catalog program (see the module docstring)."""
    tokens = frozenset(t.strip().lower() for t in program.funding)
    return FundingProgram(
        institution_type=institution_type(program),
        weeks=stated_weeks(program),
        clock_hours=program.hours,
        designations=tokens,
        federal_aid_eligible="federal_aid_eligible" in tokens,
        level=program.qualification_level,
        eqf_level=program.eqf_level,
        start_date=start,
    )


def learner_pace(program: Program, hours_per_week: float | None) -> float | None:
    """Hours a week: the learner's, else the program's stated pace; without either, the
    program's stated weeks decide (None), else 5 hours a week."""
    pace = hours_per_week or program.hours_per_week
    if pace:
        return pace
    if stated_weeks(program) is None and program.hours:
        return HINT_HOURS_PER_WEEK
    return None


def program_gross(program: Program, hours_per_week: float | None, horizon_years: int) -> GrossCost:
    """Gross cost at ``learner_pace``, else over the program's stated weeks."""
    profile = program.cost_profile()
    pace = learner_pace(program, hours_per_week)
    if program.hours and pace:
        return gross_cost(
            profile, hours=program.hours, hours_per_week=pace, horizon_years=horizon_years
        )
    return gross_cost(profile, weeks=stated_weeks(program), horizon_years=horizon_years)


def quote(
    program_id: str,
    program: Program,
    learner: Learner,
    *,
    hours_per_week: float | None = None,
    horizon_years: int = 3,
    start: date | None = None,
    today: date | None = None,
    rules: list[Rule] | None = None,
    is_sample: bool = False,
) -> Quote:
    """The true cost of ``program`` for ``learner``. ``ValueError`` when the program's cost
    cannot be worked out (a subscription without hours or weeks)."""
    today = today or date.today()
    begins = start_date(program, today, start)
    gross = program_gross(program, hours_per_week, horizon_years)
    if rules is None:
        rules = load_rules(learner.jurisdiction)
    lines = evaluate(learner, funding_program(program, begins), gross, rules=rules)
    net = net_cost(gross, lines)
    refund = refund_month(begins, learner.tax_year) if net.recovered_later > 0 else None
    cash = cash_schedule(gross, net, refund)
    q = Quote(
        program_id=program_id,
        name=program.name,
        currency=gross.currency,
        hours_per_week=learner_pace(program, hours_per_week),
        start=begins,
        gross=gross,
        funding=lines,
        net=net,
        cash=cash,
        refund_month=refund,
        warnings=[],
    )
    q.warnings.extend(
        cost_warnings(program, q, learner, horizon_years=horizon_years, is_sample=is_sample)
    )
    return q


def refund_month(start: date, tax_year: int) -> int:
    """Month (1 = the start month) in which credits for ``tax_year`` come back."""
    return max(1, (tax_year + 1 - start.year) * 12 + REFUND_MONTH - start.month + 1)


def cash_schedule(gross: GrossCost, net: NetCost, refund_month: int | None) -> list[float]:
    """Cumulative cash out of pocket per month (see the module docstring)."""
    months = list(gross.schedule)
    if refund_month is not None and refund_month > len(months):
        months += [months[-1] if months else 0.0] * (refund_month - len(months))
    covered = net.grants_up_front + net.loans
    out: list[float] = []
    for i, spent in enumerate(months, start=1):
        cash = max(0.0, spent - covered)
        if refund_month is not None and i >= refund_month:
            cash = max(0.0, cash - net.recovered_later)
        out.append(round(cash, 2))
    return out


def _money(x: float, currency: str) -> str:
    return f"{x:,.2f} {currency}"


def cost_warnings(
    program: Program,
    q: Quote,
    learner: Learner,
    *,
    horizon_years: int,
    is_sample: bool,
) -> list[Caveat]:
    out: list[Caveat] = []
    cur = q.currency
    profile = program.cost_profile()
    if profile.monthly > 0 and program.hours:
        pace = q.hours_per_week or 5.0
        slower = max(1.0, pace / 2)
        if slower < pace:
            at_slower = gross_cost(
                profile, hours=program.hours, hours_per_week=slower, horizon_years=horizon_years
            )
            out.append(
                Caveat(
                    "subscription_pace",
                    f"A subscription keeps charging while you study: "
                    f"{_money(profile.monthly, cur)} a month. At {pace:g} hours a week it runs "
                    f"{q.gross.months} months ({_money(q.gross.total, cur)}); at {slower:g} "
                    f"hours a week, {at_slower.months} months "
                    f"({_money(at_slower.total, cur)}).",
                )
            )
    elif profile.monthly > 0:
        out.append(
            Caveat(
                "subscription_pace",
                "A subscription keeps charging while you study; the program does not give its "
                "hours, so the cost assumes its stated weeks.",
            )
        )
    if program.proof in (None, "pdf", "none"):
        what = PROOF_WORDS.get(program.proof or "", "no stated proof")
        out.append(
            Caveat(
                "no_verifiable_proof",
                f"It gives {what}: an employer cannot check it cryptographically.",
            )
        )
    if program.validity_months:
        years = program.validity_months / 12
        span = (
            f"{years:g} years"
            if program.validity_months % 12 == 0
            else (f"{program.validity_months} months")
        )
        renewal = f" Renewal: {program.renewal}." if program.renewal else ""
        fees = (
            f" Renewal fees over {horizon_years} years: {_money(q.gross.renewals, cur)}."
            if q.gross.renewals
            else ""
        )
        out.append(Caveat("expires", f"Expires {span} after issue.{renewal}{fees}"))
    counted = [
        ln for ln in q.funding if ln.applies and ln.status != "learner_input" and ln.amount > 0
    ]
    if not counted:
        out.append(
            Caveat(
                "no_funding",
                f"No funding program applies in {learner.jurisdiction} with what you told us "
                "(each line says why).",
            )
        )
    expected = CURRENCY_OF_COUNTRY.get(learner.country)
    if expected and expected != cur:
        out.append(
            Caveat(
                "currency",
                f"Priced in {cur}, not {expected}: amounts are not converted, and funding "
                f"rules counted in {expected} were not applied.",
            )
        )
    for ln in q.funding:
        if ln.applies and ln.status == "unverified":
            out.append(
                Caveat("unverified_rule", f"{ln.program}: its figures are not yet confirmed.")
            )
        if ln.status == "outdated":
            out.append(Caveat("outdated_rule", f"{ln.program}: {ln.reason}."))
    if is_sample or program.as_of is not None:
        when = program.as_of.isoformat() if program.as_of else "an unknown date"
        label = "Sample data" if is_sample else "Catalog data"
        out.append(Caveat("as_of", f"{label} as of {when}: check the provider's current price."))
    return out


# ---- comparison -----------------------------------------------------------------------------
MIN_COMPARE, MAX_COMPARE = 2, 4


@dataclass(frozen=True)
class Comparison:
    quotes: list[Quote]
    months: int  # the length of the chart's axis: the longest study plus 12 months
    currencies: list[str]
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "programs": [q.to_json() for q in self.quotes],
            "months": self.months,
            "currencies": self.currencies,
            "notes": self.notes,
            "chart": [
                {
                    "program": q.program_id,
                    "name": q.name,
                    "currency": q.currency,
                    "gross": series(q.gross.schedule, self.months),
                    "cash": series(q.cash, self.months),
                }
                for q in self.quotes
            ],
        }


def series(values: Sequence[float], months: int) -> list[float]:
    """``values`` cut or extended (with its last value) to ``months`` points."""
    vals = list(values[:months])
    if len(vals) < months:
        vals += [vals[-1] if vals else 0.0] * (months - len(vals))
    return vals


def compare(
    programs: Sequence[tuple[str, Program, bool]],
    learner: Learner,
    *,
    hours_per_week: float | None = None,
    horizon_years: int = 3,
    start: date | None = None,
    today: date | None = None,
) -> Comparison:
    """Quotes for two to four programs ``(id, program, is_sample)`` on one time axis."""
    if not MIN_COMPARE <= len(programs) <= MAX_COMPARE:
        raise ValueError(f"compare {MIN_COMPARE} to {MAX_COMPARE} programs, not {len(programs)}")
    ids = [pid for pid, _, _ in programs]
    if len(set(ids)) != len(ids):
        raise ValueError("the same program is named twice")
    rules = load_rules(learner.jurisdiction)
    quotes = [
        quote(
            pid,
            prog,
            learner,
            hours_per_week=hours_per_week,
            horizon_years=horizon_years,
            start=start,
            today=today,
            rules=rules,
            is_sample=sample,
        )
        for pid, prog, sample in programs
    ]
    longest = max(max(q.gross.months, _study_months(q)) for q in quotes)
    refunds = [q.refund_month for q in quotes if q.refund_month]
    months = max([longest + 12, *refunds])
    currencies = sorted({q.currency for q in quotes})
    notes = []
    if len(currencies) > 1:
        notes.append(
            f"Prices are in {', '.join(currencies)}: they are shown as they are, not converted."
        )
    return Comparison(quotes=quotes, months=months, currencies=currencies, notes=notes)


def _study_months(q: Quote) -> int:
    return -(-(q.gross.weeks or 4) // 4)
