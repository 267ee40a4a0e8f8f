"""The ``microcred`` command line. Its contract (commands, options, exit codes) is stable:
other tools script against it.

    microcred key new [--controller DID_OR_URL] -o KEY.json
    microcred sign --key KEY.json [--suite eddsa-rdfc-2022|eddsa-jcs-2022|vc-jwt] INPUT [-o OUTPUT]
    microcred verify [--json] [--at ISO_TIME] [--fixture URL=FILE]... [--challenge C]
                     [--domain D] [--trust-registry FILE_OR_URL]... INPUT...
    microcred bake --credential FILE IMAGE -o OUT
    microcred unbake IMAGE
    microcred serve [--host H] [--port P]

verify exits 0 when every credential (or presentation) verified, 1 when any failed (or could
not be read), 2 when none failed but some are indeterminate. Other commands exit 1 on an
error, with a one-line message on stderr and never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from microcred.errors import MicrocredError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="microcred: verify, sign and bake Open Badges 3.0 micro-credentials.",
)
key_app = typer.Typer(no_args_is_help=True, help="Signing keys (Ed25519 Multikey).")
app.add_typer(key_app, name="key")

MAX_INPUT = 5 * 1024 * 1024


class Suite(StrEnum):
    rdfc = "eddsa-rdfc-2022"
    jcs = "eddsa-jcs-2022"
    jwt = "vc-jwt"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"microcred: {message}", err=True)
    return typer.Exit(code)


def _read_input(path: str) -> tuple[bytes, str]:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        try:
            with p.open("rb") as fh:
                data = fh.read(MAX_INPUT + 1)
        except OSError as exc:
            raise MicrocredError(f"{path}: cannot read ({exc.strerror})") from None
        name = path
    if len(data) > MAX_INPUT:
        raise MicrocredError(f"{name} is larger than the 5 MB limit")
    return data, name


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    _write_whole(output, text.encode("utf-8"))


def _write_whole(output: Path, data: bytes) -> None:
    """Write ``data`` to ``output`` all or nothing (a temporary file, then a rename)."""
    tmp = output.with_name(output.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, output)


# ---- key ------------------------------------------------------------------------------------
@key_app.command("new")
def key_new(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the key file (JSON).")
    ],
    controller: Annotated[
        str | None, typer.Option(help="DID or URL that controls the key; default: its did:key.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Create an Ed25519 key file in the shape @digitalbazaar/ed25519-multikey exports."""
    from microcred.vc.keys import Ed25519Multikey

    if output.exists() and not force:
        raise _fail(f"{output} exists; pass --force to overwrite it")
    key = Ed25519Multikey.generate(controller=controller)
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(key.to_json(include_secret=True), fh, indent=2)
        fh.write("\n")
    typer.echo(key.id)


# ---- sign -----------------------------------------------------------------------------------
@app.command()
def sign(
    input: Annotated[
        str, typer.Argument(help="A JSON credential, a .jsonl file of them, or - for stdin.")
    ],
    key: Annotated[Path, typer.Option("--key", help="Key file from `microcred key new`.")],
    suite: Annotated[Suite, typer.Option(help="Proof suite.")] = Suite.rdfc,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Output file; default stdout.")
    ] = None,
) -> None:
    """Sign a credential (or one per line of a .jsonl file); `created` is now."""
    from microcred.vc import proofs, vcjwt
    from microcred.vc.keys import Ed25519Multikey

    try:
        signing_key = Ed25519Multikey.load(key)
        data, name = _read_input(input)
        text = data.decode("utf-8-sig")
        jsonl = input.endswith(".jsonl") or (output is not None and output.suffix == ".jsonl")
        docs = _parse_docs(text, name, jsonl)
        out = []
        for where, doc in docs:
            try:
                if suite is Suite.jwt:
                    out.append(vcjwt.sign_vc_jwt(doc, signing_key))
                else:
                    out.append(proofs.sign(doc, signing_key, cryptosuite=suite.value))
            except MicrocredError as exc:
                raise MicrocredError(f"{where}: {exc.user_message}") from None
    except UnicodeDecodeError:
        raise _fail(f"{input}: not UTF-8 text") from None
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    if jsonl:
        text_out = "".join(
            (o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in out
        )
    else:
        o = out[0]
        text_out = (o if isinstance(o, str) else json.dumps(o, indent=2, ensure_ascii=False)) + "\n"
    _write_output(text_out, output)


def _parse_docs(text: str, name: str, jsonl: bool) -> list[tuple[str, Any]]:
    from microcred.vc.jsondocs import parse_documents

    docs = parse_documents(text, name, lines=jsonl)
    for where, doc in docs:
        if not isinstance(doc, dict):
            raise MicrocredError(f"{where}: a credential must be a JSON object")
    return docs


# ---- verify ---------------------------------------------------------------------------------
@app.command()
def verify(
    inputs: Annotated[
        list[str], typer.Argument(help="Files (JSON, .jsonl, JWT, PNG, SVG), URLs, or - for stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one report per credential as a JSON array.")
    ] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="Verify as of this time (ISO 8601).")
    ] = None,
    fixture: Annotated[
        list[str] | None,
        typer.Option("--fixture", help="URL=FILE: answer URL from FILE, never the network."),
    ] = None,
    challenge: Annotated[
        str | None,
        typer.Option(help="Presentations: the challenge their proof must carry."),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option(help="Presentations: the domain their proof must be made for."),
    ] = None,
    trust_registry: Annotated[
        list[str] | None,
        typer.Option(
            "--trust-registry",
            metavar="FILE_OR_URL",
            help="A trust registry (JSON file or https URL, docs/trust-registries.md) whose "
            "issuers are named as registered; after those of MICROCRED_TRUST_REGISTRIES.",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Fail departures from Open Badges 3.0 that do not change what a credential "
            "says (by default they are reported as conformance problems).",
        ),
    ] = False,
) -> None:
    """Verify credentials or presentations. Exit 0: all verified; 1: any failed; 2: some
    indeterminate."""
    from datetime import UTC

    from microcred.config import get_settings
    from microcred.vc.presentations import PresentationReport, presentation_in, verify_presentation
    from microcred.vc.report import Check, Report, Summary
    from microcred.vc.verifier import verify_bytes, verify_url
    from microcred.verifying.fetcher import Fetcher
    from microcred.verifying.trust import existing_database, load_registries

    try:
        now = _parse_at(at)
        fixtures = _parse_fixtures(fixture or [])
        settings = get_settings()
    except MicrocredError as exc:
        raise _fail(exc.user_message, 2) from None
    fetch = Fetcher.from_settings(settings, fixtures=fixtures)
    engine = existing_database(settings)
    try:
        trust = load_registries(settings, fetch=fetch, engine=engine, extra=trust_registry or [])
    except MicrocredError as exc:
        fetch.close()
        raise _fail(exc.user_message, 2) from None
    finally:
        if engine is not None:
            engine.dispose()
    for warning in trust.warnings:
        typer.echo(f"microcred: warning: {warning}", err=True)
    reports: list[Report | PresentationReport] = []
    try:
        for item in inputs:
            try:
                if item.startswith(("https://", "http://")):
                    reports.extend(
                        verify_url(item, now=now, fetch=fetch, trust=trust, strict=strict)
                    )
                    continue
                data, name = _read_input(item)
                vp = presentation_in(data)
                if vp is not None:
                    report = verify_presentation(
                        vp,
                        challenge=challenge,
                        domain=domain,
                        now=now or datetime.now(UTC),
                        fetch=fetch,
                        trust=trust,
                        strict=strict,
                    )
                    report.source = name
                    reports.append(report)
                else:
                    reports.extend(
                        verify_bytes(
                            data, filename=name, now=now, fetch=fetch, trust=trust, strict=strict
                        )
                    )
            except MicrocredError as exc:
                reports.append(
                    Report(
                        "failed",
                        [Check("format", "failed", exc.user_message)],
                        [],
                        Summary(),
                        source=item,
                    )
                )
    finally:
        fetch.close()
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in reports], indent=2, ensure_ascii=False))
    else:
        for r in reports:
            typer.echo(_human(r))
    verdicts = {r.verdict for r in reports}
    raise typer.Exit(1 if "failed" in verdicts else 2 if "indeterminate" in verdicts else 0)


_MARK = {"passed": "ok  ", "failed": "FAIL", "could_not_check": "??  ", "skipped": "-   "}


def _human(r: Any) -> str:
    if hasattr(r, "holder"):
        return _human_presentation(r)
    c = r.credential
    lines = [f"{r.source or 'credential'}: {r.verdict.upper()}"]
    if r.issuer_identity is not None:  # who issued it comes first, in plain words
        lines.append(f"  who: {r.issuer_identity.sentence()}")
    if c.name:
        lines.append(f"  {c.name}")
    for check in r.checks:
        lines.append(f"  [{_MARK.get(check.status, check.status)}] {check.name}: {check.message}")
    for w in r.warnings:
        lines.append(f"  warning: {w}")
    if r.conformance:
        lines.append("  does not fully follow Open Badges 3.0 (--strict makes these failures):")
        lines.extend(f"    - {p}" for p in r.conformance)
    for i, inner in enumerate(r.nested, 1):
        inner.source = inner.source or f"credential {i} inside"
        lines.append("\n".join("  " + line for line in _human(inner).splitlines()))
    return "\n".join(lines)


def _human_presentation(r: Any) -> str:
    lines = [f"{r.source or 'presentation'}: {r.verdict.upper()} (presentation)"]
    if r.holder:
        lines.append(f"  held by {r.holder}")
    for check in r.checks:
        lines.append(f"  [{_MARK.get(check.status, check.status)}] {check.name}: {check.message}")
    for w in r.warnings:
        lines.append(f"  warning: {w}")
    for i, cred in enumerate(r.credentials, 1):
        cred.source = cred.source or f"credential {i}"
        lines.append("\n".join("  " + line for line in _human(cred).splitlines()))
    return "\n".join(lines)


def _parse_at(at: str | None) -> datetime | None:
    if at is None:
        return None
    try:
        t = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        raise MicrocredError(
            f"--at {at!r} is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)"
        ) from None
    if t.tzinfo is None:
        raise MicrocredError(f"--at {at!r} needs a time zone (e.g. a trailing Z)")
    return t


def _parse_fixtures(items: list[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for item in items:
        url, sep, file = item.partition("=")
        if not sep or not url or not file:
            raise MicrocredError(f"--fixture {item!r} must be URL=FILE")
        if not Path(file).is_file():
            raise MicrocredError(f"--fixture {item!r}: {file} is not a file")
        out[url] = Path(file)
    return out


# ---- baking ---------------------------------------------------------------------------------
@app.command()
def bake(
    image: Annotated[Path, typer.Argument(help="A PNG or SVG badge image.")],
    credential: Annotated[
        Path, typer.Option("--credential", help="The signed credential (JSON) or VC-JWT.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the baked image.")],
) -> None:
    """Embed a credential in a badge image (replacing any credential already there)."""
    from microcred.vc import baking

    try:
        payload = credential.read_text("utf-8").strip()
        baked = baking.bake(image.read_bytes(), payload)
    except OSError as exc:
        raise _fail(f"{exc.filename}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise _fail(f"{credential}: not UTF-8 text") from None
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    _write_whole(output, baked)


@app.command()
def unbake(image: Annotated[Path, typer.Argument(help="A baked PNG or SVG.")]) -> None:
    """Print the credential baked into an image."""
    from microcred.vc import baking

    try:
        typer.echo(baking.unbake(image.read_bytes()))
    except OSError as exc:
        raise _fail(f"{image}: cannot read ({exc.strerror})") from None
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None


# ---- serve ----------------------------------------------------------------------------------
@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Run the web app (verifier page, API, OpenAPI docs at /docs)."""
    import uvicorn

    from microcred.config import get_settings
    from microcred.web.app import create_app

    try:
        settings = get_settings()
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        web = create_app(settings)
    except MicrocredError as exc:  # e.g. a trust registry file that cannot be used
        raise _fail(exc.user_message) from None
    uvicorn.run(web, host=host or settings.host, port=port or settings.port)


from microcred.cli.advise import register as _register_advise  # noqa: E402
from microcred.cli.catalog import register as _register_catalog  # noqa: E402
from microcred.cli.cost import register as _register_cost  # noqa: E402
from microcred.cli.issuing import register as _register_issuing  # noqa: E402
from microcred.cli.learner import register as _register_learner  # noqa: E402
from microcred.cli.mail import register as _register_mail  # noqa: E402
from microcred.cli.skills import register as _register_skills  # noqa: E402
from microcred.cli.tokens import register as _register_tokens  # noqa: E402
from microcred.cli.wallet import register as _register_wallet  # noqa: E402

_register_issuing(app)
_register_tokens(app)
_register_mail(app)
_register_cost(app)
_register_advise(app)
_register_catalog(app)
_register_skills(app)
_register_wallet(app)
_register_learner(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
