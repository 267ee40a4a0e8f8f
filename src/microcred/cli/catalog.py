"""Catalog commands (a stable contract; scripts use them):

microcred catalog import FILE [--sample]
    FILE is the catalog CSV template (docs/catalog-csv.md) or CTDL JSON-LD (.json, .jsonld),
    told by its extension, else by its first character. Prints the counts; or prints every
    rejected record (line or record index, and reason) on stderr, stores nothing, exits 1.
microcred catalog export --format csv|ctdl [-o FILE]
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


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
