"""The advise command (a stable contract; scripts use it):

microcred advise --goal OCCUPATION_OR_SKILLS [--have SKILLS]... --jurisdiction J [--json]
                 [--budget B] [--hours-per-week W] [--format online|hybrid|in_person]
                 [--age A] [--income I] [--filing-status single|joint] [--tax-year Y]
                 [--ctc-balance B | --ctc-years N] [--employer-assistance E] [--limit N]

The goal is an occupation (its name, ESCO URI, ISCO or O*NET-SOC code) or a comma-separated
list of skills (names or URIs); ``--have`` names the skills the learner has (repeatable, or
comma-separated). Ranks the catalog's programs and prints, for each, the skills of the goal
it covers that the learner lacks, net cost after funding, time, and the reasons and warnings.
``--user EMAIL`` adds the skills of the verified credentials in that learner's wallet.
``--json`` prints ``{"goal", "have", "gap", "considered", "recommendations", "notes"}``.
Exit 1 on an input error (a goal nothing matches included).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from microcred.advisor.advise import Advice, Preferences
from microcred.advisor.inputs import learner_from
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


class Format(StrEnum):
    online = "online"
    hybrid = "hybrid"
    in_person = "in_person"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"microcred: {message}", err=True)
    return typer.Exit(1)


def advise(
    goal: Annotated[
        str,
        typer.Option(help="Target occupation (name, URI or code) or comma-separated skills."),
    ],
    jurisdiction: Jurisdiction,
    have: Annotated[
        list[str] | None,
        typer.Option(help="Skills the learner has (names or URIs; repeatable or a,b,c)."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", help="A learner's e-mail: their wallet's verified skills count as had."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    budget: Annotated[
        float | None, typer.Option(min=0, help="Most the learner wants to pay (net).")
    ] = None,
    hours_per_week: Annotated[
        float | None, typer.Option(min=0.5, help="Hours the learner studies a week.")
    ] = None,
    format: Annotated[Format | None, typer.Option(help="Preferred format.")] = None,
    horizon_years: Annotated[int, typer.Option(min=0, help="Years of renewals to count.")] = 3,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many programs.")] = 10,
    age: Age = None,
    income: Income = None,
    filing_status: Filing = FilingStatus.single,
    tax_year: TaxYear = None,
    residency: Residency = "citizen",
    family_size: FamilySize = 1,
    ctc_balance: CtcBalance = None,
    ctc_years: CtcYears = None,
    employer_assistance: EmployerAssistance = 0.0,
) -> None:
    """Rank the catalog's programs for a career goal, and say why."""
    from microcred.catalog.service import advise_learner, skills_source
    from microcred.cli.issuing import closing_engines, runtime
    from microcred.errors import MicrocredError
    from microcred.store.db import session_scope

    if ctc_balance is not None and ctc_years is not None:
        raise _fail("pass --ctc-balance or --ctc-years, not both")
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
    )
    prefs = Preferences(
        budget=budget,
        hours_per_week=hours_per_week,
        format=format.value if format else None,
        horizon_years=horizon_years,
        limit=limit,
    )
    try:
        rt = runtime()
        with session_scope(rt.engine) as session:
            skills = list(have or [])
            if user is not None:
                skills += _wallet_skills(session, user)
            result = advise_learner(
                session, skills_source(rt.engine), goal, learner, prefs, have=skills
            )
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    finally:
        closing_engines()
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    _print(result)


def _wallet_skills(session: Any, email: str) -> list[str]:
    """The skill URIs of the verified credentials in ``email``'s wallet."""
    from microcred.accounts.learners import find_learner
    from microcred.errors import MicrocredError
    from microcred.wallet.organise import have_uris

    learner = find_learner(session, email)
    if learner is None:
        raise MicrocredError(
            f"no learner account for {email} (create one: microcred learner create --email {email})"
        )
    return have_uris(session, learner)


def _print(a: Advice) -> None:
    lacking = ", ".join(s.label for s in a.gap) or "none"
    typer.echo(f"goal: {a.goal.label}")
    typer.echo(f"skills you lack: {lacking}")
    for i, r in enumerate(a.recommendations, start=1):
        q = r.quote
        weeks = f", {q.weeks} weeks" if q.weeks else ""
        typer.echo(
            f"\n{i}. {r.name} — {r.provider} (score {r.score:.2f}; net {q.net.net:,.2f} "
            f"{q.currency}{weeks}) [{r.program_id}]"
        )
        for reason in r.reasons:
            typer.echo(f"   + {reason}")
        for w in r.warnings:
            typer.echo(f"   ! {w.message}")
    for note in a.notes:
        typer.echo(f"\nnote: {note}")
    typer.echo(f"\n{len(a.recommendations)} of {a.considered} program(s) considered shown")


def register(app: typer.Typer) -> None:
    app.command("advise")(advise)
