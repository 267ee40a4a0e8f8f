"""Wallet commands (a stable contract; scripts use them):

microcred wallet import --user EMAIL FILE_OR_URL...
    Verifies and stores each file's credentials (JSON, JSON Lines, VC-JWT, baked PNG/SVG)
    or each URL's, with the trust registries (this deployment's organisations and
    MICROCRED_TRUST_REGISTRIES: a credential bearing a registered issuer's name that this
    issuer did not sign fails). One line per credential on stdout: "imported ID NAME" or
    "already in wallet ID NAME". A file that cannot be read, or holding a credential that
    fails verification, is refused with its reason on stderr and nothing from it is
    stored; the other files still import. Exit 1 when any file was refused (or a trust
    registry file cannot be used), else 0.
microcred wallet list --user EMAIL [--json]
    One line per credential: id, state, name, issuer, valid until. --json: a JSON array
    (each with "issuer_identity": who issued it as the last check established, or null).
microcred wallet export --user EMAIL -o FILE.zip [--clr]
    Every credential as imported plus manifest.json (and with --clr a CLR 2.0 transcript
    signed by the platform); the file is written all or nothing.
microcred present --user EMAIL --credential ID... --challenge C --domain D
                  [--expires ISO] -o VP.json
    A verifiable presentation of the learner's credentials, signed with their key.

Unknown user: exit 1, "no learner account for EMAIL (create one: microcred learner create …)".
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from microcred.cli.issuing import Runtime, closing, runtime
from microcred.errors import MicrocredError

wallet_app = typer.Typer(no_args_is_help=True, help="A learner's wallet of credentials.")
MAX_FILE = 5 * 1024 * 1024


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"microcred: {message}", err=True)
    return typer.Exit(code)


def _learner(session: Any, email: str) -> Any:
    from microcred.accounts.learners import find_learner

    learner = find_learner(session, email)
    if learner is None:
        raise MicrocredError(
            f"no learner account for {email} (create one: microcred learner create --email {email})"
        )
    return learner


def _fetch(rt: Runtime) -> Any:
    """This deployment's status lists and DID documents from the database; every other
    URL through the guarded fetcher."""
    from microcred.config import get_settings
    from microcred.issuing.public import LocalFirstFetch
    from microcred.verifying.fetcher import Fetcher

    fetcher = Fetcher.from_settings(get_settings())
    return fetcher, LocalFirstFetch(rt.engine, rt.ctx, fetcher)


def _trust(rt: Runtime, fetcher: Any) -> Any:
    """The trust registries to verify with, read now: this deployment's organisations and
    every source of ``MICROCRED_TRUST_REGISTRIES``. Raises RegistryError for a registry
    file that cannot be used; an unreachable URL is a warning, printed."""
    from microcred.config import get_settings
    from microcred.verifying.trust import load_registries

    trust = load_registries(get_settings(), fetch=fetcher, engine=rt.engine)
    for warning in trust.warnings:
        typer.echo(f"microcred: warning: {warning}", err=True)
    return trust


def _read(path: str) -> bytes:
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except OSError as exc:
        raise MicrocredError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_FILE:
        raise MicrocredError(f"{path} is larger than the 5 MB limit")
    return data


def _write_whole(output: Path, data: bytes) -> None:
    tmp = output.with_name(output.name + ".part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MicrocredError(f"{output}: cannot write ({exc.strerror})") from None


@wallet_app.command("import")
@closing
def wallet_import(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files (JSON, .jsonl, JWT, PNG, SVG) or https URLs."),
    ],
    user: Annotated[str, typer.Option("--user", help="The learner's e-mail address.")],
) -> None:
    """Verify and store credentials in a learner's wallet (failed ones are refused)."""
    from microcred.store.db import session_scope
    from microcred.wallet import holdings

    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            _learner(s, user)
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    fetcher, fetch = _fetch(rt)
    refused = 0
    try:
        try:
            trust = _trust(rt, fetcher)
        except MicrocredError as exc:
            raise _fail(exc.user_message) from None
        for item in inputs:
            try:
                with session_scope(rt.engine) as s:  # one transaction per file: all or none
                    learner = _learner(s, user)
                    if item.startswith(("https://", "http://")):
                        done = holdings.import_url(s, learner, item, fetch=fetch, trust=trust)
                    else:
                        done = holdings.import_credentials(
                            s,
                            learner,
                            _read(item),
                            source=Path(item).name,
                            fetch=fetch,
                            trust=trust,
                        )
                    for d in done:
                        row = d.credential
                        what = "imported" if d.created else "already in wallet"
                        state = f" ({row.verdict})" if row.verdict != "verified" else ""
                        typer.echo(f"{item}: {what} {row.id} {row.name}{state}")
            except MicrocredError as exc:
                refused += 1
                message = exc.user_message
                typer.echo(
                    f"microcred: {message if message.startswith(item) else f'{item}: {message}'}",
                    err=True,
                )
    finally:
        fetcher.close()
    raise typer.Exit(1 if refused else 0)


def _iso(t: datetime | None) -> str | None:
    from microcred.wallet.holdings import utc

    return utc(t).isoformat().replace("+00:00", "Z") if t is not None else None


@wallet_app.command("list")
@closing
def wallet_list(
    user: Annotated[str, typer.Option("--user", help="The learner's e-mail address.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List a learner's credentials, newest first, with their state (expiry by date)."""
    from microcred.store.db import session_scope
    from microcred.wallet import holdings, organise

    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            learner = _learner(s, user)
            rows = organise.list_credentials(s, learner)
            items = []
            for row in rows:
                status = holdings.status_of(row)
                identity = holdings.identity_of(row)
                items.append(
                    {
                        "id": row.id,
                        "name": row.name,
                        "issuer": row.issuer_name or row.issuer_id,
                        "issuer_id": row.issuer_id,
                        "verdict": row.verdict,
                        "state": status.state,
                        "reason": status.reason,
                        "valid_from": _iso(row.valid_from),
                        "valid_until": _iso(row.valid_until),
                        "tags": list(row.tags),
                        "skills": [k.get("label") for k in row.skills if isinstance(k, dict)],
                        "source": row.source,
                        "issuer_identity": identity.to_json() if identity else None,
                    }
                )
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    if as_json:
        typer.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    for it in items:
        until = f" until {it['valid_until'][:10]}" if it["valid_until"] else ""
        typer.echo(f"{it['id']}  {it['state']:<13} {it['name']} — {it['issuer']}{until}")
    typer.echo(f"{len(items)} credential{'s' * (len(items) != 1)}")


@wallet_app.command("export")
@closing
def wallet_export(
    user: Annotated[str, typer.Option("--user", help="The learner's e-mail address.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The ZIP file to write.")],
    clr: Annotated[
        bool, typer.Option("--clr", help="Add a CLR 2.0 transcript signed by the platform.")
    ] = False,
) -> None:
    """Export a wallet: every credential as imported, and manifest.json (a ZIP)."""
    from microcred.store.db import session_scope
    from microcred.wallet import export

    try:
        rt = runtime()
        with session_scope(rt.engine) as s:
            learner = _learner(s, user)
            signer = export.platform_signer(s, rt.ctx) if clr else None
            data = export.export_zip(s, learner, signer=signer)
        _write_whole(output, data)
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(f"wrote {output}")


@closing
def present(
    user: Annotated[str, typer.Option("--user", help="The learner's e-mail address.")],
    credential: Annotated[
        list[str], typer.Option("--credential", help="A wallet credential id (repeat).")
    ],
    challenge: Annotated[str, typer.Option(help="The verifier's challenge (nonce).")],
    domain: Annotated[str, typer.Option(help="The verifier's domain.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write VP.json.")],
    expires: Annotated[
        str | None, typer.Option(help="When the presentation's proof expires (ISO 8601).")
    ] = None,
) -> None:
    """Sign a verifiable presentation of wallet credentials with the learner's key."""
    from microcred.store.db import session_scope
    from microcred.wallet import export

    try:
        until = _parse_time(expires, "--expires") if expires else None
        rt = runtime()
        with session_scope(rt.engine) as s:
            learner = _learner(s, user)
            vp = export.present(
                s,
                learner,
                credential,
                challenge=challenge,
                domain=domain,
                secret=rt.ctx.secret,
                expires=until,
            )
        _write_whole(output, (json.dumps(vp, indent=2, ensure_ascii=False) + "\n").encode())
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(f"wrote {output}")


def _parse_time(value: str, what: str) -> datetime:
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MicrocredError(
            f"{what} {value!r} is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)"
        ) from None
    if t.tzinfo is None:
        raise MicrocredError(f"{what} {value!r} needs a time zone (e.g. a trailing Z)")
    return t


def register(app: typer.Typer) -> None:
    app.add_typer(wallet_app, name="wallet")
    app.command("present")(present)
