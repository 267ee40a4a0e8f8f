"""Issuing commands (a stable contract; scripts use them):

microcred org create --slug S --name N [--type T]
microcred achievement create --org S --file ACHIEVEMENT.json     (prints the id)
microcred issue --org S --achievement ID (--csv FILE | --email E --name N | --did D --name N)
                [--grade G] [--dry-run] [--on-duplicate skip|reissue|fail]
microcred revoke CREDENTIAL_ID --reason TEXT      (also: suspend, unsuspend)
microcred export --org S -o FILE.jsonl
microcred worker [--once]
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from microcred.errors import MicrocredError

org_app = typer.Typer(no_args_is_help=True, help="Organisations (issuers).")
achievement_app = typer.Typer(
    no_args_is_help=True, help="Achievements (micro-credential definitions)."
)


class Duplicate(StrEnum):
    skip = "skip"
    reissue = "reissue"
    fail = "fail"


@dataclass
class Runtime:
    engine: Engine
    ctx: Any


_OPEN: list[Engine] = []


def runtime() -> Runtime:
    """The database (migrated) and issuing context of a command (closed by ``closing``)."""
    from microcred.config import get_settings
    from microcred.issuing.context import context_from_settings
    from microcred.store.migrate import open_database

    settings = get_settings()
    engine = open_database(settings.database_url)
    _OPEN.append(engine)
    return Runtime(engine, context_from_settings(settings, actor="cli"))


def closing_engines() -> None:
    """Close every database connection opened with ``runtime`` so far."""
    while _OPEN:
        _OPEN.pop().dispose()


def closing(command: Callable[..., None]) -> Callable[..., None]:
    """Close every database connection a command opened, however it ends."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        finally:
            while _OPEN:
                _OPEN.pop().dispose()

    return wrapper


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"microcred: {message}", err=True)
    return typer.Exit(code)


@org_app.command("create")
@closing
def org_create(
    slug: Annotated[str, typer.Option(help="Short name used in URLs, e.g. acme-college.")],
    name: Annotated[str, typer.Option(help="The organisation's name.")],
    type: Annotated[
        str,
        typer.Option(
            "--type",
            help="university_college | employer_vendor | online_platform | nonprofit_industry",
        ),
    ] = "university_college",
    url: Annotated[str | None, typer.Option(help="Its web site.")] = None,
    email: Annotated[str | None, typer.Option(help="A contact address.")] = None,
) -> None:
    """Create an organisation and its first signing key; prints its issuer id."""
    from microcred.issuing import orgs
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            org = orgs.create_organisation(
                s, rt.ctx, slug=slug, name=name, provider_type=type, url=url, email=email
            )
            typer.echo(orgs.issuer_id(org, rt.ctx, s))
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None


@achievement_app.command("create")
@closing
def achievement_create(
    org: Annotated[str, typer.Option(help="The organisation's slug.")],
    file: Annotated[
        Path, typer.Option(help="The definition (JSON): OB Achievement fields and the EU elements.")
    ],
) -> None:
    """Define a micro-credential; prints its id."""
    from microcred.issuing import achievements, orgs
    from microcred.store.db import session_scope

    try:
        try:
            data = json.loads(file.read_text("utf-8"))
        except OSError as exc:
            raise MicrocredError(f"{file}: cannot read ({exc.strerror})") from None
        except json.JSONDecodeError as exc:
            raise MicrocredError(
                f"{file}, line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"
            ) from None
        rt = runtime()
        with session_scope(rt.engine) as s:
            ach = achievements.create_achievement(s, orgs.get_organisation(s, org), data)
            typer.echo(ach.id)
    except MicrocredError as exc:
        raise _fail(
            f"{file}: {exc.user_message}" if exc.user_message.startswith("$") else exc.user_message
        ) from None


def issue(
    org: Annotated[str, typer.Option(help="The organisation's slug.")],
    achievement: Annotated[str, typer.Option(help="The achievement id.")],
    csv: Annotated[
        Path | None, typer.Option(help="A cohort CSV (columns: email or did, name, grade, ...).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="One recipient's e-mail address.")] = None,
    did: Annotated[str | None, typer.Option(help="One recipient's DID.")] = None,
    name: Annotated[str | None, typer.Option(help="The recipient's name.")] = None,
    grade: Annotated[str | None, typer.Option(help="The recipient's grade, if any.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, sign nothing.")
    ] = False,
    on_duplicate: Annotated[
        Duplicate, typer.Option(help="When the recipient already holds it.")
    ] = Duplicate.fail,
) -> None:
    """Award a micro-credential to one recipient or a cohort (CSV)."""
    from microcred.issuing import achievements as achs
    from microcred.issuing import awards, jobs, orgs
    from microcred.store.db import session_scope

    if (csv is None) == (email is None and did is None):
        raise _fail("give either --csv FILE, or --email/--did (with --name) for one recipient", 2)
    try:
        rt = runtime()
        if csv is not None:
            _issue_cohort(rt, org, achievement, csv, dry_run, on_duplicate.value)
            return
        recipient = awards.Recipient(email=email, did=did, name=name, grade=grade)
        with session_scope(rt.engine) as s:
            o = orgs.get_organisation(s, org)
            a = achs.get_achievement(s, o, achievement)
            if dry_run:
                typer.echo(f"dry run: {recipient.key} would receive {a.name!r}")
                return
            out = awards.issue_award(
                s,
                rt.ctx,
                org=o,
                achievement=a,
                recipient=recipient,
                on_duplicate=on_duplicate.value,
            )
            typer.echo(f"{out.status} {out.credential.id}")
        _ = jobs  # cohort path above
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None


def _issue_cohort(
    rt: Runtime, org: str, achievement: str, csv: Path, dry_run: bool, on_duplicate: str
) -> None:
    from microcred.issuing import achievements as achs
    from microcred.issuing import jobs, orgs
    from microcred.issuing.signing import ParallelSigner
    from microcred.store.db import session_scope

    def open_stream() -> Any:
        try:
            return csv.open("rb")  # bytes: the reader names the line of a bad UTF-8 byte
        except OSError as exc:
            raise MicrocredError(f"{csv}: cannot read ({exc.strerror})") from None

    with session_scope(rt.engine) as s:
        o = orgs.get_organisation(s, org)
        a = achs.get_achievement(s, o, achievement)
        if dry_run:
            with open_stream() as stream:
                report = jobs.dry_run(stream, a)
            _print_report(report, csv)
            raise typer.Exit(1 if report.problems or report.duplicates_in_file else 0)
        try:
            job = jobs.create_job(
                s,
                org=o,
                achievement=a,
                open_stream=open_stream,
                source=str(csv),
                on_duplicate=on_duplicate,
            )
        except jobs.CohortRejected as exc:
            _print_report(exc.report, csv)
            raise typer.Exit(1) from None
        job_id, total = job.id, job.total
    typer.echo(f"job {job_id}: {total} rows", err=True)
    with typer.progressbar(length=total, label="issuing", file=sys.stderr) as bar:
        seen = 0

        def tick(p: jobs.Progress) -> None:
            nonlocal seen
            bar.update(p.finished - seen)
            seen = p.finished

        with ParallelSigner() as signer:
            final = jobs.run_job(rt.engine, rt.ctx, job_id, on_progress=tick, sign_many=signer)
    typer.echo(f"job {job_id}: {final.done} issued, {final.skipped} skipped, {final.failed} failed")
    if final.failed:
        with session_scope(rt.engine) as s:
            for row in jobs.rows_of(s, job_id):
                typer.echo(f"  line {row.line}: {row.error}", err=True)
        raise typer.Exit(1)


def _print_report(report: Any, csv: Path) -> None:
    for p in report.problems:
        where = f"{csv}, line {p.line}" + (f", column {p.column}" if p.column else "")
        typer.echo(f"{where}: {p.message}", err=True)
    for a, b in report.duplicates_in_file:
        typer.echo(f"{csv}, line {b}: the same recipient as on line {a}", err=True)
    typer.echo(
        f"{report.rows} rows, {report.valid} valid, "
        f"{len(report.problems) + len(report.duplicates_in_file)} problem(s)"
    )


def _status_command(action: str) -> Any:
    def command(
        credential_id: Annotated[str, typer.Argument(help="The credential's id.")],
        reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
    ) -> None:
        from microcred.issuing import awards, status
        from microcred.store.db import session_scope

        try:
            rt = runtime()
            with session_scope(rt.engine) as s:
                status.change_status(
                    s, rt.ctx, awards.get_credential(s, credential_id), action, reason=reason
                )
            typer.echo(
                f"{action}d {credential_id}"
                if action.endswith("e")
                else f"{action}ed {credential_id}"
            )
        except MicrocredError as exc:
            raise _fail(exc.user_message) from None

    command.__doc__ = f"{action.capitalize()} a credential (its status list changes at once)."
    return command


def export(
    org: Annotated[str, typer.Option(help="The organisation's slug.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The JSON Lines file to write.")],
) -> None:
    """Every signed credential of the organisation, one per line (written all or nothing)."""
    from microcred.issuing import awards, orgs
    from microcred.store.db import session_scope

    tmp = output.with_name(output.name + ".part")
    try:
        rt = runtime()
        n = 0
        with session_scope(rt.engine) as s, tmp.open("w", encoding="utf-8") as fh:
            for cred in awards.iter_credentials(s, orgs.get_organisation(s, org)):
                fh.write(
                    json.dumps(cred.document, ensure_ascii=False, separators=(",", ":")) + "\n"
                )
                n += 1
        os.replace(tmp, output)
        typer.echo(f"{n} credentials written to {output}")
    except MicrocredError as exc:
        tmp.unlink(missing_ok=True)
        raise _fail(exc.user_message) from None


def worker(
    once: Annotated[bool, typer.Option(help="Run what is pending, then stop.")] = False,
) -> None:
    """Issue pending cohort rows; any number of workers share the queue (PostgreSQL)."""
    from microcred.issuing import jobs

    try:
        rt = runtime()
        jobs.work(rt.engine, rt.ctx, once=once)
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")
    app.add_typer(achievement_app, name="achievement")
    app.command()(closing(issue))
    for action in ("revoke", "suspend", "unsuspend"):
        app.command(action)(closing(_status_command(action)))
    app.command()(closing(export))
    app.command()(closing(worker))
