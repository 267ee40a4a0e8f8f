"""The catalog's services for learners: a program's true cost, a comparison, and advice.

They read programs from the database (in the caller's session) and hand them to the pure
advisor (``microcred.advisor.quote`` and ``advise``). The web pages, the API and the CLI call
these, so all three answer the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from microcred.advisor.advise import (
    Advice,
    Goal,
    Preferences,
    SkillRef,
    advise,
    goal_from_occupation,
    goal_from_skills,
    skill_weight,
)
from microcred.advisor.funding import Learner
from microcred.advisor.quote import Comparison, Quote, compare, quote
from microcred.advisor.skills import ChainedSkills, SkillsSource, load_curated, split_items
from microcred.catalog.model import Program
from microcred.catalog.store import MAX_TAG
from microcred.errors import MicrocredError
from microcred.store.models import CatalogProgram, CatalogProgramTag

SHORTLIST = 200  # candidates loaded, priced and ranked (see advisor.advise)


class NotFound(MicrocredError):
    code = "not_found"


class BadAdviceInput(MicrocredError):
    code = "bad_input"


def load(session: Session, ids: Sequence[str]) -> list[tuple[str, Program, bool]]:
    """Programs by id, in the order given; ``NotFound`` naming the first unknown id."""
    rows = {
        r.id: r
        for r in session.scalars(select(CatalogProgram).where(CatalogProgram.id.in_(list(ids))))
    }
    out = []
    for pid in ids:
        row = rows.get(pid)
        if row is None:
            raise NotFound(f"no program with id {pid!r} in the catalog")
        out.append((row.id, Program.from_json(row.data), row.is_sample))
    return out


def quote_program(
    session: Session,
    program_id: str,
    learner: Learner,
    *,
    hours_per_week: float | None = None,
    horizon_years: int = 3,
    start: date | None = None,
    today: date | None = None,
) -> Quote:
    [(pid, prog, sample)] = load(session, [program_id])
    try:
        return quote(
            pid,
            prog,
            learner,
            hours_per_week=hours_per_week,
            horizon_years=horizon_years,
            start=start,
            today=today,
            is_sample=sample,
        )
    except ValueError as exc:
        raise BadAdviceInput(f"program {pid}: {exc}") from None


def compare_programs(
    session: Session,
    ids: Sequence[str],
    learner: Learner,
    *,
    hours_per_week: float | None = None,
    horizon_years: int = 3,
    start: date | None = None,
    today: date | None = None,
) -> Comparison:
    if len(set(ids)) != len(ids):
        raise BadAdviceInput("the same program is named twice")
    try:
        return compare(
            load(session, ids),
            learner,
            hours_per_week=hours_per_week,
            horizon_years=horizon_years,
            start=start,
            today=today,
        )
    except ValueError as exc:
        raise BadAdviceInput(str(exc)) from None


# ---- advice ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Resolved:
    goal: Goal
    have: list[SkillRef]
    unknown_goal: list[str]  # items of the goal the taxonomy does not know
    unknown_have: list[str]  # skills the learner has that the taxonomy does not know


def _match(source: SkillsSource, items: Sequence[str]) -> tuple[list[SkillRef], list[str]]:
    """Each typed skill (a URI or a name) as a taxonomy skill, and those not found."""
    found: dict[str, SkillRef] = {}
    unknown: list[str] = []
    for item in items:
        matched = source.match_skills(item)
        if not matched.skills:
            unknown.append(item)
        for skill in matched.skills[:1]:
            found.setdefault(skill.uri, SkillRef(skill.uri, skill.label, True))
    return list(found.values()), unknown


def skills_source(engine: Engine | None = None) -> SkillsSource:
    """The imported taxonomy (``microcred skills import``) first, then the curated set."""
    curated = load_curated()
    if engine is None:
        return curated
    from microcred.catalog.skills_store import DatabaseSkills

    return ChainedSkills(DatabaseSkills(engine), curated)


def resolve(source: SkillsSource, goal: str, have: Sequence[str] = ()) -> Resolved:
    """The goal as an occupation (by URI, code or name), else as a list of skills."""
    text = goal.strip()
    if not text:
        raise BadAdviceInput("goal: name an occupation or skills")
    # a list ("SQL, data visualisation") names skills; one phrase may name an occupation
    items = split_items(text)
    occ = source.occupation(text) if len(items) == 1 else None
    if occ is not None:
        labels = {}
        for uri in (*occ.essential_skills, *occ.optional_skills):
            s = source.skill(uri)
            if s is not None:
                labels[uri] = s.label
        g = goal_from_occupation(occ, labels)
        unknown: list[str] = []
    else:
        skills, unknown = _match(source, items)
        if not skills:
            near = [o.label for o in source.search_occupations(text, 5)]
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise BadAdviceInput(
                f"goal: no occupation or skill matches {text!r}{hint}"
                if not unknown or len(unknown) == 1
                else f"goal: none of {', '.join(map(repr, unknown))} is a known skill "
                f"or occupation{hint}"
            )
        g = goal_from_skills(", ".join(s.label for s in skills), skills)
    have_refs, unknown_have = _match(source, [x for item in have for x in split_items(item)])
    return Resolved(g, have_refs, unknown, unknown_have)


def candidates(
    session: Session, goal: Goal, *, have: Sequence[SkillRef] = (), limit: int = SHORTLIST
) -> list[tuple[str, Program, bool]]:
    """Programs that teach a skill of the goal or are made for its occupation: the ``limit``
    that cover most of the gap (essential skills count twice), read from their tags first
    so that only those are loaded whole."""
    held = {s.uri for s in have}
    weights = {
        f"s:{s.uri.strip().lower()}": skill_weight(s) for s in goal.skills if s.uri not in held
    }
    if not weights:  # nothing left to learn: every program teaching the goal's skills
        weights = {f"s:{s.uri.strip().lower()}": 1 for s in goal.skills}
    marks = {f"o:{m.strip().lower()}" for m in (goal.occupation_uri, goal.occupation_code) if m}
    tags = [t for t in [*weights, *marks] if len(t) <= MAX_TAG]
    if not tags:
        return []
    found: dict[str, set[str]] = {}
    for i in range(0, len(tags), 500):
        stmt = select(CatalogProgramTag.program_id, CatalogProgramTag.tag).where(
            CatalogProgramTag.tag.in_(tags[i : i + 500])
        )
        for pid, tag in session.execute(stmt):
            found.setdefault(pid, set()).add(tag)
    scored = []
    for pid, own in found.items():
        score = sum(w for tag, w in weights.items() if tag in own)
        scored.append((-(score + (100 if own & marks else 0)), pid))
    scored.sort()
    ids = [pid for _, pid in scored[:limit]]
    rows = session.execute(
        select(CatalogProgram.id, CatalogProgram.data, CatalogProgram.is_sample).where(
            CatalogProgram.id.in_(ids)
        )
    )
    loaded = {pid: (pid, Program.from_json(data), sample) for pid, data, sample in rows}
    return [loaded[pid] for pid in ids if pid in loaded]


def advise_learner(
    session: Session,
    source: SkillsSource,
    goal: str,
    learner: Learner,
    prefs: Preferences,
    *,
    have: Sequence[str] = (),
    today: date | None = None,
) -> Advice:
    """Advice for ``goal``; its notes name what the learner typed that was not recognised."""
    r = resolve(source, goal, have)
    found = candidates(session, r.goal, have=r.have, limit=prefs.shortlist)
    advice = advise(r.goal, r.have, found, learner, prefs, today=today)
    if r.unknown_goal:
        advice.notes.append(f"Not recognised in your goal: {', '.join(r.unknown_goal)}.")
    if r.unknown_have:
        advice.notes.append(
            f"Not recognised among your skills (not counted): {', '.join(r.unknown_have)}."
        )
    if not advice.recommendations:
        advice.notes.append(
            f"No program in the catalog teaches the skills of {r.goal.label} you lack."
        )
    return advice
