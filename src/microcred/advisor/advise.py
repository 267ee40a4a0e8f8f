"""The advisor: rank programs for a learner's goal, and say why.

The goal is a target occupation (its essential and optional skills, from the skills
taxonomy) or a list of skills. The learner's own skills are taken away; what is left is the
gap. Each candidate program gets a score from six parts, each between 0 and 1:

====================  ======  ==================================================================
part                  weight  how
====================  ======  ==================================================================
skills                0.45    gap skills it covers: essential ones count twice; a program made
                              for the goal occupation gets at least 0.25
cost                  0.20    net cost after funding: ``1 - net / budget / 2`` within the budget
                              and 0 over it; without a budget ``1 / (1 + net / 1000)``
time                  0.10    ``1 / (1 + weeks / 26)`` at the learner's pace
proof                 0.10    Open Badges 3.0 1, Open Badges 2.0 0.6, PDF 0.3, none 0
recognition & QA      0.10    employer recognition evidence 0.5, quality assurance 0.5
format                0.05    the preferred format 1, hybrid for either 0.5, else 0
====================  ======  ==================================================================

Programs that cover none of the gap and are not made for the goal occupation are left out.
Of the rest, the ``shortlist`` (200) that cover the most of the gap are priced and ranked:
pricing every candidate of a large catalog is what costs time, and a program outside that
list covers less of the gap than 200 others.
Ties are broken by net cost, then name. Each recommendation carries its reasons (the facts
behind the score, in words) and its warnings (the cost caveats of ``quote``, plus over
budget, format and skills already held). Pure: candidates are handed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from microcred.advisor.funding import Learner, load_rules
from microcred.advisor.quote import CURRENCY_OF_COUNTRY, Caveat, Quote, quote
from microcred.catalog.model import Program

WEIGHTS = {
    "skills": 0.45,
    "cost": 0.20,
    "time": 0.10,
    "proof": 0.10,
    "recognition": 0.10,
    "format": 0.05,
}
PROOF_SCORE = {"ob3_vc": 1.0, "ob2": 0.6, "pdf": 0.3, "none": 0.0}
PROOF_NAME = {
    "ob3_vc": "an Open Badges 3.0 verifiable credential",
    "ob2": "an Open Badges 2.0 badge (not signed: checked against the issuer's server)",
    "pdf": "a PDF certificate only",
    "none": "no certificate",
}
OCCUPATION_FLOOR = 0.25


class SkillLike(Protocol):
    @property
    def uri(self) -> str: ...
    @property
    def label(self) -> str: ...


class OccupationLike(Protocol):
    @property
    def uri(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def essential_skills(self) -> tuple[str, ...]: ...
    @property
    def optional_skills(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SkillRef:
    uri: str
    label: str
    essential: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"uri": self.uri, "label": self.label, "essential": self.essential}


@dataclass(frozen=True)
class Goal:
    """What the learner aims at: an occupation's skills, or skills named directly."""

    label: str
    occupation_uri: str | None
    occupation_code: str | None
    skills: tuple[SkillRef, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "occupation": self.occupation_uri,
            "code": self.occupation_code,
            "skills": [s.to_json() for s in self.skills],
        }


@dataclass(frozen=True)
class Recommendation:
    program_id: str
    name: str
    provider: str
    provider_type: str
    score: float
    parts: dict[str, float]
    covers: list[SkillRef]
    quote: Quote
    reasons: list[str]
    warnings: list[Caveat] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program_id,
            "name": self.name,
            "provider": self.provider,
            "provider_type": self.provider_type,
            "score": self.score,
            "parts": self.parts,
            "covers": [s.to_json() for s in self.covers],
            "gross": self.quote.gross.total,
            "net": self.quote.net.net,
            "currency": self.quote.currency,
            "weeks": self.quote.weeks,
            "cost": self.quote.to_json(),
            "reasons": self.reasons,
            "warnings": [w.to_json() for w in self.warnings],
        }


@dataclass(frozen=True)
class Advice:
    goal: Goal
    have: list[SkillRef]
    gap: list[SkillRef]
    considered: int
    recommendations: list[Recommendation]
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "goal": self.goal.to_json(),
            "have": [s.to_json() for s in self.have],
            "gap": [s.to_json() for s in self.gap],
            "considered": self.considered,
            "recommendations": [r.to_json() for r in self.recommendations],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Preferences:
    budget: float | None = None  # in the learner's currency
    hours_per_week: float | None = None
    format: str | None = None  # online | hybrid | in_person
    horizon_years: int = 3
    limit: int = 10
    shortlist: int = 200  # candidates priced and ranked, the best on skills first


def skill_weight(skill: SkillRef) -> int:
    """An essential skill of the goal counts twice."""
    return 2 if skill.essential else 1


def skills_part(covers: Sequence[SkillRef], gap_weight: int, targets: bool) -> float:
    """The skills part of the score: the share of the gap's weight that ``covers`` teaches,
    at least ``OCCUPATION_FLOOR`` for a program made for the goal occupation."""
    part = sum(skill_weight(s) for s in covers) / gap_weight if gap_weight else 0.0
    return max(part, OCCUPATION_FLOOR) if targets else part


def goal_from_occupation(occ: OccupationLike, label_of: dict[str, str]) -> Goal:
    skills = [SkillRef(u, label_of.get(u, u), True) for u in occ.essential_skills]
    seen = set(occ.essential_skills)
    skills += [SkillRef(u, label_of.get(u, u), False) for u in occ.optional_skills if u not in seen]
    return Goal(occ.label, occ.uri, occ.code, tuple(skills))


def goal_from_skills(label: str, skills: Sequence[SkillLike]) -> Goal:
    seen: dict[str, SkillRef] = {}
    for s in skills:
        seen.setdefault(s.uri, SkillRef(s.uri, s.label, True))
    return Goal(label, None, None, tuple(seen.values()))


def _targets(program: Program, goal: Goal) -> bool:
    marks = {goal.occupation_uri, goal.occupation_code} - {None}
    return any(o in marks for o in program.occupations)


def _list(items: Sequence[str], limit: int = 5) -> str:
    shown = list(items[:limit])
    more = len(items) - len(shown)
    text = ", ".join(shown)
    return f"{text} and {more} more" if more > 0 else text


def advise(
    goal: Goal,
    have: Sequence[SkillRef],
    candidates: Sequence[tuple[str, Program, bool]],
    learner: Learner,
    prefs: Preferences,
    *,
    today: date | None = None,
) -> Advice:
    """Rank ``candidates`` (``(id, program, is_sample)``) for ``goal``."""
    have_uris = {s.uri for s in have}
    gap = [s for s in goal.skills if s.uri not in have_uris]
    gap_weight = sum(skill_weight(s) for s in gap)
    notes: list[str] = []
    if goal.skills and not gap:
        notes.append(
            f"You already have every skill we know for {goal.label}: programs are ranked on "
            "the rest (cost, time, proof, recognition)."
        )
    rules = load_rules(learner.jurisdiction)
    home_currency = CURRENCY_OF_COUNTRY.get(learner.country)
    # the skills part first (cheap); only the best ``shortlist`` are priced and ranked
    matched: list[tuple[float, str, Program, bool, set[str], list[SkillRef], bool]] = []
    for pid, prog, sample in candidates:
        prog_skills = set(prog.skills)
        covers = [s for s in gap if s.uri in prog_skills]
        targets = _targets(prog, goal)
        if not covers and not targets and gap:
            continue
        part = skills_part(covers, gap_weight, targets)
        matched.append((part, pid, prog, sample, prog_skills, covers, targets))
    matched.sort(key=lambda m: -m[0])
    recs: list[Recommendation] = []
    for part, pid, prog, sample, prog_skills, covers, targets in matched[: prefs.shortlist]:
        try:
            q = quote(
                pid,
                prog,
                learner,
                hours_per_week=prefs.hours_per_week,
                horizon_years=prefs.horizon_years,
                today=today,
                rules=rules,
                is_sample=sample,
            )
        except ValueError:
            continue  # its cost cannot be told (a subscription without hours or weeks)
        parts, reasons, warnings = _score(
            goal, gap, part, covers, targets, prog, q, prefs, home_currency
        )
        warnings = [*q.warnings, *warnings]
        if prefs.budget is not None and home_currency and q.currency != home_currency:
            warnings.append(
                Caveat(
                    "budget_currency",
                    f"Priced in {q.currency}: not compared with your budget in {home_currency}.",
                )
            )
        held = [s.label for s in goal.skills if s.uri in have_uris and s.uri in prog_skills]
        if held:
            warnings.append(Caveat("already_have", f"Also teaches skills you have: {_list(held)}."))
        score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)
        recs.append(
            Recommendation(
                program_id=pid,
                name=prog.name,
                provider=prog.provider.name,
                provider_type=prog.provider.provider_type,
                score=score,
                parts={k: round(v, 4) for k, v in parts.items()},
                covers=covers,
                quote=q,
                reasons=reasons,
                warnings=warnings,
            )
        )
    recs.sort(key=lambda r: (-r.score, r.quote.net.net, r.name))
    return Advice(
        goal=goal,
        have=list(have),
        gap=gap,
        considered=len(candidates),
        recommendations=recs[: max(0, prefs.limit)],
        notes=notes,
    )


def _score(
    goal: Goal,
    gap: list[SkillRef],
    skills: float,
    covers: list[SkillRef],
    targets: bool,
    prog: Program,
    q: Quote,
    prefs: Preferences,
    home_currency: str | None,
) -> tuple[dict[str, float], list[str], list[Caveat]]:
    reasons: list[str] = []
    warnings: list[Caveat] = []
    cur = q.currency

    # skills (the part itself is ``skills_part``'s)
    if covers:
        essential = [s.label for s in covers if s.essential]
        optional = [s.label for s in covers if not s.essential]
        text = f"Covers {len(covers)} of the {len(gap)} skills you lack for {goal.label}"
        if essential:
            text += f": {_list(essential)} (essential)"
        if optional:
            text += f"{';' if essential else ':'} {_list(optional)} (optional)"
        reasons.append(text + ".")
    if targets:
        reasons.append(f"Made for the occupation {goal.label}.")

    # cost
    net = q.net.net
    if prefs.budget is not None and prefs.budget > 0 and cur == (home_currency or cur):
        cost = max(0.0, 1 - net / prefs.budget / 2) if net <= prefs.budget else 0.0
        if net > prefs.budget:
            warnings.append(
                Caveat(
                    "over_budget",
                    f"Net cost {net:,.2f} {cur} is over your budget of {prefs.budget:,.2f} {cur}.",
                )
            )
    else:
        cost = 1 / (1 + net / 1000)
    reasons.append(_cost_reason(q))

    # time
    weeks = q.weeks
    time = 1 / (1 + weeks / 26) if weeks else 0.5
    if weeks:
        pace = f" at {q.hours_per_week:g} hours a week" if q.hours_per_week else ""
        reasons.append(f"Takes about {weeks} weeks{pace}.")

    # proof
    proof = PROOF_SCORE.get(prog.proof or "none", 0.0)
    if prog.proof == "ob3_vc":
        reasons.append("Gives verifiable proof: an Open Badges 3.0 credential employers can check.")
    elif prog.proof:
        reasons.append(f"Gives {PROOF_NAME[prog.proof]}.")

    # recognition and quality assurance
    recognition = 0.0
    if prog.recognition:
        recognition += 0.5
        r = prog.recognition[0]
        when = f", {r.date.isoformat()}" if r.date else ""
        reasons.append(f"Employer recognition: {r.text} ({r.source}{when}).")
    qa = prog.quality_assurance or prog.provider.accrediting_body
    if qa or prog.provider.recognised_institution:
        recognition += 0.5
        if qa:
            reasons.append(f"Quality assurance: {qa}.")
        else:
            reasons.append(f"{prog.provider.name} is a recognised post-secondary institution.")

    # format
    fmt = 1.0
    if prefs.format:
        if prog.format == prefs.format:
            fmt = 1.0
        elif prog.format == "hybrid" or prefs.format == "hybrid":
            fmt = 0.5
        else:
            fmt = 0.0
        if prog.format != prefs.format:
            shown = (prog.format or "not stated").replace("_", " ")
            warnings.append(
                Caveat(
                    "format",
                    f"Format {shown}, not the {prefs.format.replace('_', ' ')} you prefer.",
                )
            )

    if prog.stacks_into:
        reasons.append(f"Stacks into: {_list(prog.stacks_into, 3)}.")
    parts = {
        "skills": skills,
        "cost": cost,
        "time": time,
        "proof": proof,
        "recognition": recognition,
        "format": fmt,
    }
    return parts, reasons, warnings


def _cost_reason(q: Quote) -> str:
    cur, net, gross = q.currency, q.net, q.gross
    parts = [f"Net cost {net.net:,.2f} {cur} (gross {gross.total:,.2f})"]
    if gross.months:
        parts.append(f"paid monthly over {gross.months} months")
    if net.grants_up_front:
        parts.append(f"{net.grants_up_front:,.2f} covered up front")
    if net.recovered_later:
        parts.append(f"{net.recovered_later:,.2f} back later with your tax return")
    if net.loans:
        parts.append(f"{net.loans:,.2f} as a loan to repay")
    return "; ".join(parts) + "."
