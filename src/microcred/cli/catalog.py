"""Catalog commands (a stable contract; scripts use them):

microcred catalog import FILE [--sample]
    FILE is the catalog CSV template (docs/catalog-csv.md) or CTDL JSON-LD (.json, .jsonld),
    told by its extension, else by its first character. Prints the counts; or prints every
    rejected record (line or record index, and reason) on stderr, stores nothing, exits 1.
microcred catalog export --format csv|ctdl [-o FILE]
microcred catalog search QUERY [--json] [--topic T] [--skill URI] [--provider-type T]
    [--format F] [--max-cost N] [--max-weeks N] [--funding | --funding-token TOKEN]
    [--proof P] [--limit N]
    Full-text search (name, outcomes, skills, topics, provider), best match first. Prints
    one line per program and the total; --json prints {"total", "items", "facets"}.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from microcred.cli.issuing import closing, runtime
from microcred.errors import MicrocredError

catalog_app = typer.Typer(no_args_is_help=True, help="The program catalog.")
MAX_FILE = 20 * 1024 * 1024


class ExportFormat(StrEnum):
    csv = "csv"
    ctdl = "ctdl"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"microcred: {message}", err=True)
    return typer.Exit(code)


def _is_json(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return False
    if suffix in (".json", ".jsonld"):
        return True
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


@catalog_app.command("import")
@closing
def catalog_import(
    file: Annotated[Path, typer.Argument(help="Catalog CSV or CTDL JSON-LD file.")],
    sample: Annotated[bool, typer.Option("--sample", help="Mark the programs as samples.")] = False,
) -> None:
    """Import programs: all of them, or none and every rejected record with its reason."""
    from microcred.catalog.csv_io import read_csv
    from microcred.catalog.ctdl import read_ctdl
    from microcred.catalog.store import CatalogImportError, import_programs
    from microcred.store.db import session_scope

    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except OSError as exc:
        raise _fail(f"{file}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_FILE:
        raise _fail(f"{file} is larger than the 20 MB limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(f"{file}: not UTF-8 text") from None
    programs, problems = read_ctdl(text) if _is_json(file, text) else read_csv(text)
    if not problems and not programs:
        raise _fail(f"{file}: no programs in the file")
    if problems:
        for p in problems:
            typer.echo(f"{file}: {p}", err=True)
        raise _fail(f"{len(problems)} problem(s); nothing imported")
    try:
        rt = runtime()
        with session_scope(rt.engine) as session:
            result = import_programs(session, programs, is_sample=sample)
    except CatalogImportError as exc:
        for p in exc.problems:
            typer.echo(f"{file}: {p}", err=True)
        raise _fail(f"{len(exc.problems)} problem(s); nothing imported") from None
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(
        f"imported {result.total} program(s): {result.created} new, {result.updated} updated"
    )


@catalog_app.command("export")
@closing
def catalog_export(
    format: Annotated[ExportFormat, typer.Option("--format", help="csv or ctdl.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Output file; default stdout.")
    ] = None,
) -> None:
    """Export every program as the CSV template or as CTDL JSON-LD."""
    from microcred.catalog.csv_io import write_csv
    from microcred.catalog.ctdl import write_ctdl
    from microcred.catalog.store import list_programs
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as session:
            programs = [s.program for s in list_programs(session, limit=1_000_000)]
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    if format is ExportFormat.csv:
        text = write_csv(programs)
    else:
        text = json.dumps(write_ctdl(programs), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, "utf-8")


@catalog_app.command("search")
@closing
def catalog_search(
    query: Annotated[str, typer.Argument(help="Words to find (all must match).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    topic: Annotated[str | None, typer.Option("--topic", help="A topic or keyword.")] = None,
    skill: Annotated[str | None, typer.Option("--skill", help="A skill URI.")] = None,
    funding: Annotated[
        bool, typer.Option("--funding", help="Only programs eligible for some funding.")
    ] = False,
    funding_token: Annotated[
        str | None,
        typer.Option("--funding-token", help="Only programs with this funding token."),
    ] = None,
    provider_type: Annotated[
        str | None, typer.Option("--provider-type", help="e.g. university_college.")
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="online, hybrid or in_person.")
    ] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="Highest price hint.", min=0)
    ] = None,
    max_weeks: Annotated[
        int | None, typer.Option("--max-weeks", help="Longest duration in weeks.", min=1)
    ] = None,
    proof: Annotated[str | None, typer.Option("--proof", help="ob3_vc, ob2, pdf or none.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many.", min=1, max=500)] = 20,
) -> None:
    """Search the catalog: best match first, with facet counts."""
    from microcred.catalog.search import search
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as session:
            result = search(
                session,
                q=query,
                topic=topic,
                skill=skill,
                funding=funding_token or (True if funding else None),
                provider_type=provider_type,
                format=format,
                max_cost=max_cost,
                max_weeks=max_weeks,
                proof=proof,
                limit=limit,
            )
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    if as_json:
        doc = {
            "total": result.total,
            "items": [
                {
                    "id": h.id,
                    "name": h.program.name,
                    "provider": h.program.provider.name,
                    "provider_type": h.program.provider.provider_type,
                    "credential_type": h.program.credential_type,
                    "format": h.program.format,
                    "proof": h.program.proof,
                    "price_hint": h.program.price_hint(),
                    "currency": h.program.currency,
                    "score": h.score,
                }
                for h in result.items
            ],
            "facets": result.facets,
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    for h in result.items:
        p = h.program
        typer.echo(f"{h.id}  {p.name} ({p.provider.name}; {p.credential_type})")
    typer.echo(f"{result.total} program(s) found, {len(result.items)} shown")


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
