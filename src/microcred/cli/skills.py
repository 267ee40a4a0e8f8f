"""Skills taxonomy commands (a stable contract; scripts use them):

microcred skills import PATH [--include-obsolete] [--language en]
    PATH is the directory of ESCO's CSV download or its zip (skills_en.csv,
    occupations_en.csv, occupationSkillRelations_en.csv). Prints the counts; or prints every
    problem (file, line, column and reason) on stderr, stores nothing, exits 1.
microcred skills show OCCUPATION_OR_URI [--json]
    An occupation (by URI, ESCO code or label) with its essential and optional skills.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from microcred.cli.issuing import closing, runtime
from microcred.errors import MicrocredError

skills_app = typer.Typer(no_args_is_help=True, help="The skills taxonomy (ESCO).")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"microcred: {message}", err=True)
    return typer.Exit(code)


@skills_app.command("import")
@closing
def skills_import(
    path: Annotated[Path, typer.Argument(help="ESCO's CSV download: its directory or zip.")],
    include_obsolete: Annotated[
        bool,
        typer.Option("--include-obsolete", help="Also concepts whose status is not released."),
    ] = False,
    language: Annotated[
        str, typer.Option("--language", help="Which language's files to read.")
    ] = "en",
) -> None:
    """Import ESCO's skills, occupations and their relations: all, or nothing and every
    problem with its file, line and column."""
    from microcred.catalog.skills_store import SkillsImportError, import_esco
    from microcred.store.db import session_scope

    try:
        rt = runtime()
        with session_scope(rt.engine) as session:
            r = import_esco(session, path, include_obsolete=include_obsolete, language=language)
    except SkillsImportError as exc:
        for p in exc.problems:
            typer.echo(str(p), err=True)
        more = exc.total - len(exc.problems)
        if more > 0:
            typer.echo(f"… and {more} more", err=True)
        raise _fail(f"{exc.total} problem(s); nothing imported") from None
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None
    typer.echo(
        f"imported {r.skills} skill(s) ({r.skills_created} new, {r.skills_updated} updated), "
        f"{r.occupations} occupation(s) ({r.occupations_created} new, "
        f"{r.occupations_updated} updated), {r.relations} occupation-skill relation(s)"
    )
    skipped = r.skipped_not_released + r.skipped_relations
    if skipped or r.duplicates:
        typer.echo(
            f"left out: {r.skipped_not_released} concept(s) not released and "
            f"{r.skipped_relations} relation(s) of them (--include-obsolete keeps them); "
            f"{r.duplicates} repeated row(s)"
        )


@skills_app.command("show")
@closing
def skills_show(
    occupation: Annotated[
        str, typer.Argument(help="An occupation's URI, ESCO code (2512.4) or label.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show an occupation with the skills it needs (essential first)."""
    from microcred.catalog.skills_store import DatabaseSkills

    try:
        rt = runtime()
        source = DatabaseSkills(rt.engine)
        occ = source.occupation(occupation)
        if occ is None:
            raise _fail(
                f"no occupation matches {occupation!r} (import ESCO: microcred skills import)"
            )
        labels = source.labels(occ.essential_skills + occ.optional_skills)
    except MicrocredError as exc:
        raise _fail(exc.user_message) from None

    def items(uris: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"uri": u, "label": labels.get(u, u)} for u in uris]

    if as_json:
        doc = {
            "uri": occ.uri,
            "label": occ.label,
            "code": occ.code,
            "taxonomy": occ.taxonomy,
            "alt_labels": list(occ.alt_labels),
            "essential_skills": items(occ.essential_skills),
            "optional_skills": items(occ.optional_skills),
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{occ.label}" + (f" ({occ.code})" if occ.code else ""))
    typer.echo(f"  {occ.uri}")
    typer.echo(f"essential skills ({len(occ.essential_skills)}):")
    for s in items(occ.essential_skills):
        typer.echo(f"  {s['label']}  <{s['uri']}>")
    typer.echo(f"optional skills: {len(occ.optional_skills)} (--json lists them)")


def register(app: typer.Typer) -> None:
    app.add_typer(skills_app, name="skills")
