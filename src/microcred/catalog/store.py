"""Catalog persistence: import (all or nothing, upsert by provider and external id), read.

Runs in the caller's transaction (``with session_scope(engine) as s:``): on any invalid
record ``import_programs`` raises ``CatalogImportError`` with every problem before it
writes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from microcred.catalog.model import Problem, Program, duplicates, validate
from microcred.catalog.search import document_tags, document_text, reindex_sqlite
from microcred.errors import MicrocredError
from microcred.store.models import CatalogProgram, CatalogProgramTag, CatalogProvider, utcnow


class CatalogImportError(MicrocredError):
    """Records were rejected; ``problems`` lists each with its place and reason."""

    code = "bad_input"

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s), nothing imported:\n{lines}")


MAX_TAG = 512  # program_tag.tag


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class StoredProgram:
    id: str
    program: Program
    is_sample: bool


def import_programs(
    session: Session,
    programs: Sequence[Program] | Sequence[tuple[str, Program]],
    *,
    is_sample: bool = False,
) -> ImportResult:
    """Store ``programs`` (each optionally with its place, e.g. ``line 3``): all, or none
    and ``CatalogImportError``. A program already stored for the same provider and
    external id is replaced; a provider is found by name and updated."""
    placed: list[tuple[str, Program]] = [
        item if isinstance(item, tuple) else (f"record {i}", item)
        for i, item in enumerate(programs)
    ]
    problems: list[Problem] = []
    for where, prog in placed:
        problems.extend(p.within(where) for p in validate(prog))
    problems.extend(duplicates(placed))
    if problems:
        raise CatalogImportError(problems)
    created = updated = 0
    # (program, text before the change): the SQLite full-text index is told both
    changed: list[tuple[CatalogProgram, str | None]] = []
    providers: dict[str, CatalogProvider] = {}
    for _, prog in placed:
        provider = providers.get(prog.provider.name.strip())
        if provider is None:
            provider = _upsert_provider(session, prog, is_sample)
            providers[provider.name] = provider
        row = session.scalar(
            select(CatalogProgram).where(
                CatalogProgram.provider_id == provider.id,
                CatalogProgram.external_id == prog.external_id.strip(),
            )
        )
        if row is None:
            row = CatalogProgram(provider_id=provider.id, external_id=prog.external_id.strip())
            session.add(row)
            created += 1
        else:
            updated += 1
        changed.append((row, row.search_text))
        _fill(row, prog, is_sample)
    session.flush()
    _retag(session, [r for r, _ in changed])
    if session.get_bind().dialect.name == "sqlite":
        reindex_sqlite(session, [(r.id, old, r.search_text or "") for r, old in changed])
    return ImportResult(created=created, updated=updated)


def _retag(session: Session, rows: Sequence[CatalogProgram]) -> None:
    """Replace the ``program_tag`` rows of ``rows`` (flushed) with their current tags."""
    ids = [r.id for r in rows]
    for i in range(0, len(ids), 500):
        session.execute(
            delete(CatalogProgramTag).where(CatalogProgramTag.program_id.in_(ids[i : i + 500]))
        )
    values = [
        {"tag": tag, "program_id": r.id}
        for r in rows
        for tag in sorted(set((r.search_tags or "").split("\n")) - {""})
        if len(tag) <= MAX_TAG  # longer ones are still matched by search's LIKE filters
    ]
    for i in range(0, len(values), 5000):
        session.execute(insert(CatalogProgramTag), values[i : i + 5000])


def _upsert_provider(session: Session, prog: Program, is_sample: bool) -> CatalogProvider:
    name = prog.provider.name.strip()
    provider = session.scalar(select(CatalogProvider).where(CatalogProvider.name == name))
    if provider is None:
        provider = CatalogProvider(name=name, is_sample=is_sample)
        session.add(provider)
    provider.provider_type = prog.provider.provider_type
    provider.accrediting_body = prog.provider.accrediting_body
    provider.recognised_institution = prog.provider.recognised_institution
    provider.url = prog.provider.url
    session.flush()
    return provider


def _fill(row: CatalogProgram, prog: Program, is_sample: bool) -> None:
    row.name = prog.name.strip()
    row.credential_type = prog.credential_type
    row.format = prog.format
    row.language = prog.language
    row.hours = prog.hours
    row.weeks_min = prog.weeks_min
    row.weeks_max = prog.weeks_max
    row.ects = prog.ects
    row.eqf_level = prog.eqf_level
    row.proof = prog.proof
    row.has_funding = bool(prog.funding)
    row.price_hint = prog.price_hint()
    row.currency = prog.currency
    row.data = prog.to_json()
    row.is_sample = is_sample
    row.as_of = prog.as_of
    row.updated_at = utcnow()
    row.search_text = document_text(prog)
    row.search_tags = document_tags(prog)


def get_program(session: Session, program_id: str) -> StoredProgram | None:
    row = session.get(CatalogProgram, program_id)
    return _stored(row) if row is not None else None


def list_programs(
    session: Session,
    *,
    credential_type: str | None = None,
    format: str | None = None,
    provider: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[StoredProgram]:
    """Programs ordered by name, optionally filtered."""
    q = select(CatalogProgram).order_by(CatalogProgram.name, CatalogProgram.id)
    if credential_type is not None:
        q = q.where(CatalogProgram.credential_type == credential_type)
    if format is not None:
        q = q.where(CatalogProgram.format == format)
    if provider is not None:
        q = q.join(CatalogProvider).where(CatalogProvider.name == provider)
    return [_stored(r) for r in session.scalars(q.limit(limit).offset(offset))]


def _stored(row: CatalogProgram) -> StoredProgram:
    return StoredProgram(id=row.id, program=Program.from_json(row.data), is_sample=row.is_sample)
