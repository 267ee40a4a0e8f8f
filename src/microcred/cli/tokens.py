"""API token commands (a stable contract; scripts use them):

microcred token create --org S --name N --role owner|issuer|viewer   (prints the token, once)
microcred token list --org S
microcred token revoke TOKEN_ID

``create`` prints the token and nothing else on stdout, so ``TOKEN=$(microcred token create
...)`` works; it cannot be shown again (only its SHA-256 is kept). Errors: one line on
stderr, exit 1.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from microcred.cli.issuing import _fail, closing, runtime
from microcred.errors import MicrocredError

token_app = typer.Typer(
    no_args_is_help=True, help="API tokens (Authorization: Bearer) for the organisation API."
)


class Role(StrEnum):
    owner = "owner"
    issuer = "issuer"
    viewer = "viewer"


@token_app.command("create")
@closing
def token_create(
    org: Annotated[str, typer.Option(help="The organisation's slug.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'registrar script'.")],
    role: Annotated[
        Role, typer.Option(help="viewer: read; issuer: award and revoke; owner: also keys.")
    ],
) -> None:
    """Create a token; prints it once (store it now: it cannot be shown again)."""
    from microcred.issuing import orgs, tokens
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            token = tokens.create_token(
                s, orgs.get_organisation(s, org), name=name, role=role.value, actor=rt.ctx.actor
            )
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(token)  # only after the transaction committed


@token_app.command("list")
@closing
def token_list(org: Annotated[str, typer.Option(help="The organisation's slug.")]) -> None:
    """The organisation's tokens: id, role, created, revoked, name (never the secret)."""
    from microcred.issuing import orgs, tokens
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            infos = tokens.list_tokens(s, orgs.get_organisation(s, org))
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    for t in infos:
        revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        typer.echo(
            f"{t.id}  {t.role:<6}  created {t.created_at:%Y-%m-%d %H:%M}  {revoked}  {t.name}"
        )


@token_app.command("revoke")
@closing
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (from `microcred token list`).")],
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
) -> None:
    """Revoke a token: its next request is refused (401)."""
    from microcred.issuing import tokens
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            tokens.revoke_token(s, token_id, actor=rt.ctx.actor, reason=reason)
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(f"revoked {token_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
