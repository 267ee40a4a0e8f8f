"""E-mail and sample-data commands (a stable contract; scripts use them):

microcred mail send [--limit N]        send the outbox (what is due; failed mails retry later)
microcred mail reminders [--days D]    queue expiry reminders (default MICROCRED_REMINDER_DAYS)
microcred seed [--force]               add the sample issuers and awards (once; a no-op after)
"""

from __future__ import annotations

from typing import Annotated

import typer

from microcred.cli.issuing import _fail, closing, runtime
from microcred.errors import MicrocredError

mail_app = typer.Typer(no_args_is_help=True, help="E-mail: the outbox and expiry reminders.")


@mail_app.command("send")
@closing
def mail_send(
    limit: Annotated[int, typer.Option(min=1, help="At most this many mails.")] = 100,
) -> None:
    """Send the mails that are due (without MICROCRED_SMTP_HOST they stay in the outbox)."""
    from microcred.config import get_settings
    from microcred.issuing import notify
    from microcred.issuing.mailer import NullMailer, mailer_from_settings
    from microcred.store.db import session_scope

    try:
        settings = get_settings()
        mailer = mailer_from_settings(settings)
        rt = runtime()
        sent = notify.send_outbox(rt.engine, mailer, limit=limit)
        with session_scope(rt.engine) as s:
            waiting = notify.pending_count(s)
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    if isinstance(mailer, NullMailer):
        typer.echo(
            f"no SMTP server configured (MICROCRED_SMTP_HOST): {waiting} mail(s) kept in the outbox"
        )
        return
    typer.echo(f"{sent} sent, {waiting} not sent")


@mail_app.command("reminders")
@closing
def mail_reminders(
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Credentials expiring within this many days (default: setting)."),
    ] = None,
) -> None:
    """Queue one expiry reminder for each credential expiring soon (never twice)."""
    from microcred.config import get_settings
    from microcred.issuing import notify
    from microcred.store.db import session_scope

    try:
        settings = get_settings()
        rt = runtime()
        with session_scope(rt.engine) as s:
            n = notify.queue_expiry_reminders(s, rt.ctx, days=days or settings.reminder_days)
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(f"{n} reminder(s) queued")


@closing
def seed(
    force: Annotated[
        bool, typer.Option(help="Seed even with MICROCRED_ENVIRONMENT=production.")
    ] = False,
) -> None:
    """Add sample issuers and a few hundred awards (once; no e-mail is sent for them)."""
    from microcred.config import get_settings
    from microcred.issuing.seed import seed_samples

    try:
        settings = get_settings()
        if settings.environment == "production" and not force:
            raise MicrocredError(
                "sample data is for development; pass --force to add it in production"
            )
        rt = runtime()
        result = seed_samples(rt.engine, rt.ctx, demo_learner=settings.environment != "production")
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    what = "added" if result.created else "already there"
    typer.echo(
        f"sample data {what}: {result.organisations} organisations, "
        f"{result.achievements} achievements, {result.credentials} credentials "
        f"({result.revoked} revoked); catalog: {result.catalog_programs} sample programs "
        f"({result.catalog_changed} added or updated)"
    )
    if result.demo_learner:
        from microcred.issuing.seed import DEMO_PASSWORD

        typer.echo(
            f"demo wallet: sign in at /account/signin as {result.demo_learner} "
            f"with the password {DEMO_PASSWORD} (development only)"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(mail_app, name="mail")
    app.command("seed")(seed)
