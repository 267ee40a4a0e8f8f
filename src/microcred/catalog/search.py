"""Full-text search of the catalog, with filters and facet counts.

The words of a program (name, learning outcomes, skill URIs, topics, provider name) are kept
in ``program.search_text``; SQLite indexes them in the external-content FTS5 table
``program_fts`` (kept in sync by ``catalog.store.import_programs``), PostgreSQL with a GIN
index on ``to_tsvector('simple', coalesce(search_text, ''))`` (migration 0004).

A query is reduced to its words, each quoted, so FTS syntax (``"``, ``*``, ``NEAR``, ``-``,
``:``, ``OR``) is matched as text and never raises; every word must match. Results are
ordered by relevance (bm25 / ts_rank), then name. Facet counts cover the filtered set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Integer, Select, and_, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from microcred.catalog.model import CREDENTIAL_TYPES, FORMATS, PROOFS, PROVIDER_TYPES, Program
from microcred.store.models import CatalogProgram, CatalogProvider

_WORD = re.compile(r"[^\W_]+")
_URI_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.IGNORECASE)
FACETS: dict[str, Sequence[str]] = {
    "provider_type": PROVIDER_TYPES,
    "format": FORMATS,
    "credential_type": tuple(CREDENTIAL_TYPES),
    "proof": PROOFS,
}
UNKNOWN = "unknown"  # the facet value of a program that does not say (format or proof)
MAX_LIMIT = 500


def words(value: str) -> list[str]:
    """The words of ``value``, lower case (letters and digits; everything else separates)."""
    return _WORD.findall(value.lower())


def document_text(program: Program) -> str:
    """What search matches a program on: its words, normalised the same way as queries."""
    parts: list[str] = [program.name, program.provider.name]
    parts += program.learning_outcomes
    # a skill URI by its path (``/esco/skill/analyse-data``): every ESCO URI has the same host
    parts += [_URI_HOST.sub("", uri) for uri in program.skills]
    parts += program.topics
    return " ".join(w for part in parts for w in words(part))


def document_tags(program: Program) -> str:
    """Exact-match filter values: ``\\nt:topic\\ns:skill\\nf:funding\\no:occupation\\n``
    (lower case)."""
    tags = [f"t:{t.strip().lower()}" for t in program.topics]
    tags += [f"s:{s.strip().lower()}" for s in program.skills]
    tags += [f"f:{f.strip().lower()}" for f in program.funding]
    tags += [f"o:{o.strip().lower()}" for o in program.occupations]
    return "\n" + "".join(f"{t}\n" for t in tags)


def fts_query(q: str) -> str:
    """``q`` as a safe query: every word quoted (``"data" "analysis"``); '' when no words."""
    return " ".join(f'"{w}"' for w in words(q))


@dataclass(frozen=True)
class SearchHit:
    id: str
    program: Program
    score: float  # relevance: higher is better (0 without a query)


@dataclass(frozen=True)
class SearchResult:
    items: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _empty_facets() -> dict[str, dict[str, int]]:
    return {name: {v: 0 for v in values} for name, values in FACETS.items()}


def tag_filter(prefix: str, value: str) -> ColumnElement[bool]:
    needle = f"\n{prefix}:{value.strip().lower()}\n"
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return CatalogProgram.search_tags.like(f"%{escaped}%", escape="\\")


def search(
    session: Session,
    *,
    q: str | None = None,
    topic: str | None = None,
    skill: str | None = None,
    provider_type: str | None = None,
    format: str | None = None,
    max_cost: float | None = None,
    max_weeks: int | None = None,
    funding: bool | str | None = None,
    proof: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Programs matching every word of ``q`` and every filter given.

    ``max_cost`` compares the price hint (gross cost at 5 hours a week, in the program's own
    currency); ``max_weeks`` the longest duration (``weeks_max``, else ``weeks_min``);
    ``funding`` True for any funding, or a funding token (``skillsfuture_eligible``).
    A query without words (only punctuation) does not filter."""
    limit = max(0, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    conds: list[ColumnElement[bool]] = []
    if topic:
        conds.append(tag_filter("t", topic))
    if skill:
        conds.append(tag_filter("s", skill))
    if provider_type is not None:
        conds.append(CatalogProvider.provider_type == provider_type)
    if format is not None:
        conds.append(CatalogProgram.format == format)
    if max_cost is not None:
        conds.append(CatalogProgram.price_hint <= max_cost)
    if max_weeks is not None:
        conds.append(func.coalesce(CatalogProgram.weeks_max, CatalogProgram.weeks_min) <= max_weeks)
    if funding is True:
        conds.append(CatalogProgram.has_funding.is_(True))
    elif funding is False:
        conds.append(CatalogProgram.has_funding.is_(False))
    elif isinstance(funding, str) and funding:
        conds.append(tag_filter("f", funding))
    if proof is not None:
        conds.append(CatalogProgram.proof == proof)

    query = fts_query(q) if q else ""
    score: ColumnElement[Any]

    def base(*cols: Any) -> Select[Any]:
        return select(*cols).select_from(CatalogProgram).join(CatalogProvider)

    dialect = session.get_bind().dialect.name
    if not query:
        score = literal_column("0.0", Float)

        def with_text(stmt: Select[Any]) -> Select[Any]:
            return stmt
    elif dialect == "sqlite":
        fts = (
            text(
                "SELECT rowid AS rid, -bm25(program_fts) AS score FROM program_fts "
                "WHERE program_fts MATCH :fts_q"
            )
            .bindparams(fts_q=query)
            .columns(rid=Integer, score=Float)
            .subquery("fts")
        )
        score = fts.c.score

        def with_text(stmt: Select[Any]) -> Select[Any]:
            return stmt.join(fts, fts.c.rid == literal_column("program.rowid"))
    else:
        tsq = func.websearch_to_tsquery(literal_column("'simple'::regconfig"), query)
        tsv = func.to_tsvector(
            literal_column("'simple'::regconfig"),
            func.coalesce(CatalogProgram.search_text, literal_column("''::text")),
        )
        score = func.ts_rank(tsv, tsq)
        conds.append(tsv.op("@@")(tsq))

        def with_text(stmt: Select[Any]) -> Select[Any]:
            return stmt

    where = and_(*conds) if conds else None

    # facets and total in one grouped query
    cols = (
        CatalogProvider.provider_type,
        CatalogProgram.format,
        CatalogProgram.credential_type,
        CatalogProgram.proof,
    )
    grouped = with_text(base(*cols, func.count().label("n")))
    if where is not None:
        grouped = grouped.where(where)
    grouped = grouped.group_by(*cols)
    facets = _empty_facets()
    total = 0
    for ptype, fmt, ctype, prf, n in session.execute(grouped):
        total += n
        for name, value in zip(FACETS, (ptype, fmt, ctype, prf), strict=True):
            key = value if value is not None else UNKNOWN
            facets[name][key] = facets[name].get(key, 0) + n
    if total == 0 or limit == 0:
        return SearchResult([], total, facets)

    order = [score.desc()] if query else []
    rows = with_text(base(CatalogProgram.id, CatalogProgram.data, score.label("score")))
    if where is not None:
        rows = rows.where(where)
    rows = rows.order_by(*order, CatalogProgram.name, CatalogProgram.id).limit(limit).offset(offset)
    items = [
        SearchHit(id=pid, program=Program.from_json(data), score=float(s or 0.0))
        for pid, data, s in session.execute(rows)
    ]
    return SearchResult(items, total, facets)


def reindex_sqlite(session: Session, changes: Iterable[tuple[str, str | None, str]]) -> None:
    """Bring the FTS5 table up to date for programs ``(id, old_text, new_text)`` (flushed):
    an external-content table is told the old text to remove, then the new text."""
    changes = list(changes)
    if not changes:
        return
    rowids: dict[str, int] = {}
    ids = [c[0] for c in changes]
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rowid: ColumnElement[int] = literal_column("program.rowid", Integer)
        stmt = select(CatalogProgram.id, rowid).where(CatalogProgram.id.in_(chunk))
        rowids.update({pid: rid for pid, rid in session.execute(stmt)})
    deletes = [{"rid": rowids[pid], "t": old} for pid, old, _ in changes if old is not None]
    inserts = [{"rid": rowids[pid], "t": new} for pid, _, new in changes]
    if deletes:
        session.execute(
            text(
                "INSERT INTO program_fts(program_fts, rowid, search_text) "
                "VALUES ('delete', :rid, :t)"
            ),
            deletes,
        )
    session.execute(text("INSERT INTO program_fts(rowid, search_text) VALUES (:rid, :t)"), inserts)
