"""The skills taxonomy in the database: the ESCO import (all or nothing) and reading it.

``import_esco(session, path)`` runs in the caller's transaction (``with
session_scope(engine) as s:``). It streams ``catalog.esco``'s records into the tables in
batches while it reads, and stops writing at the first problem but reads on, so that it
can name every one; then it raises ``SkillsImportError`` and the caller's transaction
rolls back: nothing is stored. A concept already stored (same URI) is updated: labels,
description, type; an imported occupation's relations are replaced by the file's.
Concepts stored before and absent from the file are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from microcred.advisor.skills import (
    OCCUPATION_THRESHOLD,
    SKILL_THRESHOLD,
    Occupation,
    Skill,
    SkillMatch,
    split_items,
    words,
)
from microcred.catalog.esco import (
    MAX_BYTES,
    EscoReader,
    OccupationRecord,
    RelationRecord,
    SkillRecord,
    batched,
    normalise,
    open_esco,
)
from microcred.catalog.model import Problem
from microcred.errors import MicrocredError
from microcred.store.db import session_factory
from microcred.store.models import (
    Base,
    OccupationSkill,
    TaxonomyOccupation,
    TaxonomySkill,
    utcnow,
)

BATCH = 5000
ESCO = "esco"


class SkillsImportError(MicrocredError):
    """Rows were rejected; ``problems`` lists each with its file, line and column."""

    code = "bad_input"

    def __init__(self, problems: Sequence[Problem], total: int | None = None):
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        more = self.total - len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        if more > 0:
            lines += f"\n… and {more} more"
        super().__init__(f"{self.total} problem(s), nothing imported:\n{lines}")


@dataclass(frozen=True)
class SkillsImportResult:
    skills_created: int
    skills_updated: int
    occupations_created: int
    occupations_updated: int
    relations: int
    skipped_not_released: int
    skipped_relations: int
    duplicates: int

    @property
    def skills(self) -> int:
        return self.skills_created + self.skills_updated

    @property
    def occupations(self) -> int:
        return self.occupations_created + self.occupations_updated


def terms_of(label: str, alt_labels: Iterable[str]) -> str:
    """``"\\n" + each label, normalised, + "\\n"``: what the LIKE lookups search."""
    seen = dict.fromkeys(normalise(x) for x in (label, *alt_labels))
    return "\n" + "\n".join(k for k in seen if k) + "\n"


def import_esco(
    session: Session,
    path: Path,
    *,
    include_obsolete: bool = False,
    language: str = "en",
    max_bytes: int = MAX_BYTES,
    batch_size: int = BATCH,
) -> SkillsImportResult:
    """Import ESCO's skills, occupations and occupation-skill relations from ``path`` (a
    directory or the download's zip). Only concepts whose status is ``released`` unless
    ``include_obsolete``. Raises ``SkillsImportError`` (every problem) or
    ``EscoInputError`` (the download as a whole), having written nothing that stays."""
    skills = [0, 0]  # created, updated
    occupations = [0, 0]
    relations = 0
    with open_esco(path, language=language, max_bytes=max_bytes) as files:
        reader = EscoReader(files, include_obsolete=include_obsolete)
        for skill_batch in batched(reader.skills(), batch_size):
            if not reader.problem_count:
                _write_skills(session, skill_batch, skills)
        for occ_batch in batched(reader.occupations(), batch_size):
            if not reader.problem_count:
                _write_occupations(session, occ_batch, occupations)
        for rel_batch in batched(reader.relations(), batch_size):
            if not reader.problem_count:
                _write_relations(session, rel_batch)
                relations += len(rel_batch)
    if reader.problem_count:
        raise SkillsImportError(reader.problems, reader.problem_count)
    session.flush()
    c = reader.counts
    return SkillsImportResult(
        skills_created=skills[0],
        skills_updated=skills[1],
        occupations_created=occupations[0],
        occupations_updated=occupations[1],
        relations=relations,
        skipped_not_released=c.skipped_not_released,
        skipped_relations=c.skipped_relations,
        duplicates=c.duplicates,
    )


def _table(name: str) -> Table:
    """The Core table: executemany without the ORM's per-row bookkeeping."""
    return Base.metadata.tables[name]


def _insert(session: Session, name: str, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` in as few statements as the driver allows. On PostgreSQL, with
    RETURNING, SQLAlchemy sends multi-row VALUES (1,000 rows a statement); without it
    psycopg sends one statement a row (pipelined), which made the whole ESCO import about
    a quarter slower. SQLite's executemany is fast as it is."""
    table = _table(name)
    stmt = insert(table)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(stmt.returning(*table.primary_key.columns), rows).close()
    else:
        session.execute(stmt, rows)


def _existing(session: Session, column: Any, uris: list[str]) -> set[str]:
    return set(session.scalars(select(column).where(column.in_(uris))))


def _write_skills(session: Session, batch: list[SkillRecord], counts: list[int]) -> None:
    existing = _existing(session, TaxonomySkill.uri, [r.uri for r in batch])
    now = utcnow()
    new: list[dict[str, Any]] = []
    old: list[dict[str, Any]] = []
    for r in batch:
        row = {
            "uri": r.uri,
            "label": r.label,
            "label_key": normalise(r.label),
            "alt_labels": "\n".join(r.alt_labels) or None,
            "terms": terms_of(r.label, r.alt_labels),
            "skill_type": r.skill_type,
            "taxonomy": ESCO,
            "description": r.description,
            "updated_at": now,
        }
        (old if r.uri in existing else new).append(row)
    if new:
        _insert(session, "skill", new)
    if old:
        session.execute(update(TaxonomySkill), old)
    counts[0] += len(new)
    counts[1] += len(old)


def _write_occupations(session: Session, batch: list[OccupationRecord], counts: list[int]) -> None:
    existing = _existing(session, TaxonomyOccupation.uri, [r.uri for r in batch])
    now = utcnow()
    new: list[dict[str, Any]] = []
    old: list[dict[str, Any]] = []
    for r in batch:
        row = {
            "uri": r.uri,
            "label": r.label,
            "label_key": normalise(r.label),
            "alt_labels": "\n".join(r.alt_labels) or None,
            "terms": terms_of(r.label, r.alt_labels),
            "code": r.code,
            "isco_group": r.isco_group,
            "taxonomy": ESCO,
            "description": r.description,
            "updated_at": now,
        }
        (old if r.uri in existing else new).append(row)
    if new:
        _insert(session, "occupation", new)
    if old:
        # the file's relations replace the stored ones
        session.execute(
            delete(OccupationSkill).where(
                OccupationSkill.occupation_uri.in_([r["uri"] for r in old])
            )
        )
        session.execute(update(TaxonomyOccupation), old)
    counts[0] += len(new)
    counts[1] += len(old)


def _write_relations(session: Session, batch: list[RelationRecord]) -> None:
    _insert(
        session,
        "occupation_skill",
        [
            {"occupation_uri": r.occupation_uri, "skill_uri": r.skill_uri, "relation": r.relation}
            for r in batch
        ],
    )


# ---- reading: the advisor's SkillsSource over the tables ---------------------------------------
_CANDIDATES = 60  # rows scored in Python after SQL counted their matching words


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _code_key(text: str) -> str:
    t = text.strip()
    return f"{t}.00" if re.fullmatch(r"\d{2}-\d{4}", t) else t


class DatabaseSkills:
    """``advisor.skills.SkillsSource`` over the ``skill``, ``occupation`` and
    ``occupation_skill`` tables (the ESCO import), with the same matching rules as
    ``CuratedSkills``: by URI, by code, by exact label or alternative label, else the best
    word overlap (Dice coefficient of the word sets). SQL narrows the rows (an indexed
    label lookup, then LIKE on each word, rows with most words first); Python scores the
    few candidates. Each call uses its own short session."""

    def __init__(self, source: Engine | sessionmaker[Session]) -> None:
        self._factory = source if isinstance(source, sessionmaker) else session_factory(source)

    # ---- SkillsSource ------------------------------------------------------------------------
    def occupation(self, query: str) -> Occupation | None:
        q = query.strip()
        if not q:
            return None
        with self._factory() as s:
            row = self._occupation_exact(s, q)
            if row is None:
                ranked = self._ranked(s, TaxonomyOccupation, q, OCCUPATION_THRESHOLD, 1)
                row = ranked[0] if ranked else None
            return self._occupations(s, [row])[0] if row is not None else None

    def skill(self, uri: str) -> Skill | None:
        with self._factory() as s:
            row = s.get(TaxonomySkill, uri.strip())
            return _skill(row) if row is not None else None

    def match_skills(self, text: str) -> SkillMatch:
        result = SkillMatch()
        with self._factory() as s:
            for item in split_items(text):
                row = self._skill_match(s, item)
                if row is None:
                    result.unknown.append(item)
                    continue
                skill = _skill(row)
                if skill not in result.skills:
                    result.skills.append(skill)
        return result

    def search_occupations(self, text: str, limit: int = 10) -> list[Occupation]:
        q = text.strip()
        if not q or limit <= 0:
            return []
        with self._factory() as s:
            exact = s.get(TaxonomyOccupation, q) or s.scalar(
                select(TaxonomyOccupation).where(TaxonomyOccupation.code == _code_key(q)).limit(1)
            )
            rows = (
                [exact] if exact is not None else self._ranked(s, TaxonomyOccupation, q, 0.0, limit)
            )
            return self._occupations(s, rows)

    # ---- more than the protocol ---------------------------------------------------------------
    def labels(self, uris: Sequence[str]) -> dict[str, str]:
        """The label of each skill URI that is stored."""
        out: dict[str, str] = {}
        with self._factory() as s:
            for chunk in batched(iter(list(dict.fromkeys(uris))), 1000):
                q = select(TaxonomySkill.uri, TaxonomySkill.label).where(
                    TaxonomySkill.uri.in_(chunk)
                )
                out.update({uri: label for uri, label in s.execute(q)})
        return out

    def counts(self) -> dict[str, int]:
        """How many skills, occupations and relations are stored."""
        with self._factory() as s:
            return {
                "skills": s.scalar(select(func.count()).select_from(TaxonomySkill)) or 0,
                "occupations": s.scalar(select(func.count()).select_from(TaxonomyOccupation)) or 0,
                "relations": s.scalar(select(func.count()).select_from(OccupationSkill)) or 0,
            }

    # ---- matching ----------------------------------------------------------------------------
    def _occupation_exact(self, s: Session, q: str) -> TaxonomyOccupation | None:
        row = s.get(TaxonomyOccupation, q)
        if row is None:
            row = s.scalar(
                select(TaxonomyOccupation).where(TaxonomyOccupation.code == _code_key(q)).limit(1)
            )
        if row is None:
            row = _by_label(s, TaxonomyOccupation, q)
        return row

    def _skill_match(self, s: Session, item: str) -> TaxonomySkill | None:
        row = s.get(TaxonomySkill, item)
        if row is None:
            row = _by_label(s, TaxonomySkill, item)
        if row is None:
            ranked = self._ranked(s, TaxonomySkill, item, SKILL_THRESHOLD, 1)
            row = ranked[0] if ranked else None
        return row

    def _ranked(
        self, s: Session, model: type[_Concept], text: str, threshold: float, limit: int
    ) -> list[_Concept]:
        """Rows whose labels share words with ``text``, best Dice score first (at least
        ``threshold`` and above 0); ties: a preferred label before an alternative one, the
        shorter label, then the label. One scan: LIKE on each word."""
        w = words(text)
        key = normalise(text)
        if not w:
            return []
        likes = [
            model.terms.like(f"%{_like_escape(_like_stem(x))}%", escape="\\") for x in sorted(w)
        ]
        hits = sum((case((like, 1), else_=0) for like in likes), start=literal(0))
        # a label or alternative label that is the query itself comes first
        exact = model.terms.like(f"%\n{_like_escape(key)}\n%", escape="\\")
        q = (
            select(model.uri, model.label, model.terms)
            .where(or_(*likes))
            .order_by(case((exact, 0), else_=1), hits.desc(), func.length(model.label), model.label)
            .limit(_CANDIDATES)
        )
        scored: list[tuple[float, int, int, str, str]] = []
        for uri, label, terms in s.execute(q):
            names = [words(n) for n in terms.strip("\n").split("\n")]
            score, first = max(((1.0 if n == w else _dice(w, n)), -i) for i, n in enumerate(names))
            if score > 0 and score >= threshold:
                scored.append((score, -first, len(label), label, uri))
        scored.sort(key=lambda t: (-t[0], t[1] > 0, t[2], t[3]))
        winners = [t[4] for t in scored[:limit]]
        if not winners:
            return []
        found = {r.uri: r for r in s.scalars(select(model).where(model.uri.in_(winners)))}
        return [found[u] for u in winners if u in found]

    def _occupations(self, s: Session, rows: Sequence[TaxonomyOccupation]) -> list[Occupation]:
        """The rows as ``Occupation``s with their skills (essential and optional, each by
        label)."""
        uris = [r.uri for r in rows]
        essential: dict[str, list[str]] = {u: [] for u in uris}
        optional: dict[str, list[str]] = {u: [] for u in uris}
        if uris:
            q = (
                select(
                    OccupationSkill.occupation_uri,
                    OccupationSkill.skill_uri,
                    OccupationSkill.relation,
                )
                .join(TaxonomySkill, TaxonomySkill.uri == OccupationSkill.skill_uri)
                .where(OccupationSkill.occupation_uri.in_(uris))
                .order_by(TaxonomySkill.label_key, TaxonomySkill.uri)
            )
            for occ, skill, relation in s.execute(q):
                (essential if relation == "essential" else optional)[occ].append(skill)
        return [
            Occupation(
                uri=r.uri,
                label=r.label,
                taxonomy=r.taxonomy,
                code=r.code,
                alt_labels=_alt(r.alt_labels),
                essential_skills=tuple(essential[r.uri]),
                optional_skills=tuple(optional[r.uri]),
            )
            for r in rows
        ]


_Concept = TypeVar("_Concept", TaxonomySkill, TaxonomyOccupation)


def _like_stem(word: str) -> str:
    """What LIKE looks for: a stem ``words`` made from ``-ies`` ends in y, which the
    stored word lacks (technologies -> technology -> technolog)."""
    return word[:-1] if len(word) > 3 and word.endswith("y") else word


def _by_label(s: Session, model: type[_Concept], text: str) -> _Concept | None:
    """The row whose label is ``text`` (case-insensitive; an indexed lookup)."""
    key = normalise(text)
    if not key:
        return None
    return s.scalar(select(model).where(model.label_key == key).order_by(model.uri).limit(1))


def _alt(text: str | None) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def _skill(row: TaxonomySkill) -> Skill:
    return Skill(
        uri=row.uri, label=row.label, taxonomy=row.taxonomy, alt_labels=_alt(row.alt_labels)
    )
