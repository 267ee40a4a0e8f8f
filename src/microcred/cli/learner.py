"""Learner account commands (a stable contract; scripts use them):

microcred learner create --email E [--name N] [--password-stdin] [--verified]
    Creates a learner account with its own did:key and prints the DID, nothing else.
    --password-stdin reads the password from the first line of stdin (without it the
    account signs in by e-mail link only); --verified marks the address as confirmed (no
    mail is sent either way). Never prints a secret. Errors: one line on stderr, exit 1.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from microcred.cli.issuing import _fail, closing, runtime
from microcred.errors import MicrocredError

learner_app = typer.Typer(no_args_is_help=True, help="Learner accounts (wallet holders).")


@learner_app.command("create")
@closing
def learner_create(
    email: Annotated[str, typer.Option(help="The learner's e-mail address.")],
    name: Annotated[str | None, typer.Option(help="The learner's display name.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from stdin (first line)."),
    ] = False,
    verified: Annotated[
        bool, typer.Option("--verified", help="Mark the e-mail address as confirmed.")
    ] = False,
) -> None:
    """Create a learner account; prints its DID."""
    from microcred.accounts import auth
    from microcred.store.db import session_scope

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise _fail("--password-stdin: no password on stdin")
    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            learner = auth.create_account(
                s,
                email=email,
                secret=rt.ctx.secret,
                password=password,
                display_name=name,
                verified=verified,
            )
            did = learner.did
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(did)  # only after the transaction committed


def register(app: typer.Typer) -> None:
    app.add_typer(learner_app, name="learner")
