"""The cost command (a stable contract; scripts use it):

microcred cost [--json] (--price P | --monthly M --hours H --hours-per-week W | ...)
               --jurisdiction CA-ON|CA-BC|US|SG|UK-ENG [--age A] [--income I]
               [--filing-status single|joint] [--tax-year Y] [--ctc-balance B | --ctc-years N]
               [--employer-assistance E] ...

microcred cost [--json] --program ID --jurisdiction ... [learner options]

Prints the gross cost for this learner's pace, one line per funding program (program,
amount, timing, applies, reason, source) and the net cost. With ``--program`` the costs,
length, institution type and funding designations come from the catalog program (the cost
options are then refused), and the warnings and the month-by-month cash are printed too.
Exit 1 on an input error (an unknown program included).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from microcred.advisor.cost import GrossCost
from microcred.advisor.funding import FundingLine, Learner, NetCost
from microcred.advisor.inputs import ManualCosts, learner_from, manual_quote, quote_json
from microcred.advisor.quote import Quote
from microcred.cli.learner_options import (
    Age,
    CtcBalance,
    CtcYears,
    EmployerAssistance,
    FamilySize,
    Filing,
    FilingStatus,
    Income,
    Jurisdiction,
    Residency,
    TaxYear,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"microcred: {message}", err=True)
    return typer.Exit(1)


def cost(
    jurisdiction: Jurisdiction,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    program: Annotated[
        str | None, typer.Option("--program", help="Catalog program ID (instead of the costs).")
    ] = None,
    price: Annotated[float, typer.Option(min=0, help="One-time price or tuition.")] = 0.0,
    monthly: Annotated[float, typer.Option(min=0, help="Subscription price per month.")] = 0.0,
    hours: Annotated[float | None, typer.Option(min=0, help="Hours of study needed.")] = None,
    exam_fee: Annotated[float, typer.Option(min=0, help="Certification exam fee.")] = 0.0,
    retake_fee: Annotated[float, typer.Option(min=0, help="Exam retake fee.")] = 0.0,
    retakes: Annotated[int, typer.Option(min=0, help="Retakes to budget for.")] = 0,
    renewal_fee: Annotated[float, typer.Option(min=0, help="Renewal fee.")] = 0.0,
    renewal_every: Annotated[int, typer.Option(min=0, help="Years between renewals.")] = 0,
    horizon_years: Annotated[int, typer.Option(min=0, help="Years of renewals to count.")] = 3,
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 code; default from the jurisdiction.")
    ] = None,
    institution_type: Annotated[
        str | None,
        typer.Option(
            help="public_college, university, indigenous_institute, certified, private, platform."
        ),
    ] = None,
    weeks: Annotated[int | None, typer.Option(min=1, help="The program's length in weeks.")] = None,
    approved: Annotated[
        bool, typer.Option(help="Approved or designated by the funder (ministry, state, ...).")
    ] = False,
    federal_aid_eligible: Annotated[
        bool, typer.Option(help="US: the institution is eligible for federal student aid.")
    ] = False,
    level: Annotated[int | None, typer.Option(help="Qualification level (England 4-6).")] = None,
    start_date: Annotated[str | None, typer.Option(help="Program start date (YYYY-MM-DD).")] = None,
    age: Age = None,
    income: Income = None,
    filing_status: Filing = FilingStatus.single,
    tax_year: TaxYear = None,
    hours_per_week: Annotated[
        float | None, typer.Option(min=0, help="Hours the learner studies a week.")
    ] = None,
    residency: Residency = "citizen",
    family_size: FamilySize = 1,
    ctc_balance: CtcBalance = None,
    ctc_years: CtcYears = None,
    employer_assistance: EmployerAssistance = 0.0,
    prior_use: Annotated[
        list[str] | None,
        typer.Option(help="RULE_ID=AMOUNT already used of a lifetime limit (repeatable)."),
    ] = None,
) -> None:
    """The true cost of a program for a learner, after funding."""

    if program is not None:
        given = [
            flag
            for flag, value in (
                ("--price", price),
                ("--monthly", monthly),
                ("--hours", hours),
                ("--exam-fee", exam_fee),
                ("--retake-fee", retake_fee),
                ("--retakes", retakes),
                ("--renewal-fee", renewal_fee),
                ("--renewal-every", renewal_every),
                ("--currency", currency),
                ("--institution-type", institution_type),
                ("--weeks", weeks),
                ("--approved", approved),
                ("--federal-aid-eligible", federal_aid_eligible),
                ("--level", level),
            )
            if value
        ]
        if given:
            raise _fail(f"--program takes its costs from the catalog: drop {', '.join(given)}")
    if ctc_balance is not None and ctc_years is not None:
        raise _fail("pass --ctc-balance or --ctc-years, not both")
    try:
        start = date.fromisoformat(start_date) if start_date else None
        used: dict[str, float] = {}
        for item in prior_use or []:
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--prior-use {item!r} must be RULE_ID=AMOUNT")
            used[key] = float(value)
        learner = learner_from(
            jurisdiction,
            age=age,
            income=income,
            filing_status=filing_status.value,  # type: ignore[arg-type]
            tax_year=tax_year,
            residency=residency,
            family_size=family_size,
            ctc_balance=ctc_balance,
            ctc_years=ctc_years,
            employer_assistance=employer_assistance,
            prior_use=used,
        )
        if program is not None:
            _print_quote(
                _program_quote(program, learner, hours_per_week, horizon_years, start), as_json
            )
            return
        costs = ManualCosts(
            price=price,
            monthly=monthly,
            hours=hours,
            exam_fee=exam_fee,
            retake_fee=retake_fee,
            retakes=retakes,
            renewal_fee=renewal_fee,
            renewal_every=renewal_every,
            currency=currency,
            institution_type=institution_type,
            weeks=weeks,
            approved=approved,
            federal_aid_eligible=federal_aid_eligible,
            level=level,
            start_date=start,
        )
        result = manual_quote(
            costs, learner, hours_per_week=hours_per_week, horizon_years=horizon_years
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    _print_lines(result.gross, result.funding, result.net)


def _program_quote(
    program_id: str,
    learner: Learner,
    hours_per_week: float | None,
    horizon_years: int,
    start: date | None,
) -> Quote:
    from microcred.catalog.service import quote_program
    from microcred.cli.issuing import closing_engines, runtime
    from microcred.errors import MicrocredError
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as session:
            return quote_program(
                session,
                program_id,
                learner,
                hours_per_week=hours_per_week,
                horizon_years=horizon_years,
                start=start,
            )
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    finally:
        closing_engines()


def _print_quote(q: Quote, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(quote_json(q), indent=2, ensure_ascii=False))
        return
    pace = f", {q.hours_per_week:g} h/week" if q.hours_per_week else ""
    weeks = f"{q.weeks} weeks" if q.weeks else "length not stated"
    typer.echo(f"{q.name} ({q.program_id}): starts {q.start}, {weeks}{pace}")
    _print_lines(q.gross, q.funding, q.net)
    for w in q.warnings:
        typer.echo(f"  ! {w.message}")


def _print_lines(gross: GrossCost, lines: list[FundingLine], net: NetCost) -> None:
    cur = gross.currency
    typer.echo(f"gross: {gross.total:,.2f} {cur}")
    for ln in lines:
        mark = "yes" if ln.applies else "no "
        typer.echo(f"  [{mark}] {ln.program}: {ln.amount:,.2f} ({ln.timing}) — {ln.reason}")
    typer.echo(
        f"net: {net.net:,.2f} {cur} (cash up front {net.cash_up_front:,.2f}, "
        f"back later {net.recovered_later:,.2f}, loans {net.loans:,.2f})"
    )


def register(app: typer.Typer) -> None:
    app.command("cost")(cost)
