"""The advisor's ranking: which programs come first for a goal, and the reasons and warnings
each gives."""

from __future__ import annotations

from datetime import date

import pytest

from microcred.advisor.advise import (
    WEIGHTS,
    Goal,
    Preferences,
    SkillRef,
    advise,
    goal_from_occupation,
)
from microcred.advisor.funding import Learner
from microcred.catalog.model import CostItem, Program, Provider, Recognition

TODAY = date(2026, 11, 29)
S = "https://example.org/skill/"
SQL, VIZ, STATS, PY, EXCEL = (
    SkillRef(S + n, n.upper(), e)
    for n, e in [("sql", True), ("viz", True), ("stats", True), ("python", False), ("excel", False)]
)
GOAL = Goal(
    "Data analyst", "https://example.org/occ/da", "15-2051.01", (SQL, VIZ, STATS, PY, EXCEL)
)
US = Learner(jurisdiction="US", age=30, income=50_000, tax_year=2026)


def prog(pid: str, skills, **kw) -> tuple[str, Program, bool]:
    base = dict(
        external_id=pid,
        name=f"Program {pid}",
        provider=Provider(name=f"Provider {pid}", provider_type="online_platform"),
        credential_type="certificate",
        hours=40,
        cost=[CostItem("one_time", 200, "USD")],
        skills=[s.uri for s in skills],
        proof="ob3_vc",
        format="online",
    )
    base.update(kw)
    return (pid, Program(**base), False)


def test_essential_skills_weigh_twice_and_order_follows_the_score():
    broad = prog("broad", [SQL, VIZ, STATS])  # 6 of 8
    narrow = prog("narrow", [PY, EXCEL])  # 2 of 8
    unrelated = prog("other", [SkillRef(S + "welding", "Welding")])
    advice = advise(GOAL, [], [narrow, unrelated, broad], US, Preferences(), today=TODAY)
    ids = [r.program_id for r in advice.recommendations]
    assert ids == ["broad", "narrow"]  # the unrelated program is left out
    broad_rec = advice.recommendations[0]
    assert broad_rec.parts["skills"] == pytest.approx(6 / 8)
    assert advice.recommendations[1].parts["skills"] == pytest.approx(2 / 8)
    assert broad_rec.score == pytest.approx(
        round(sum(WEIGHTS[k] * v for k, v in broad_rec.parts.items()), 4)
    )
    assert broad_rec.reasons[0] == (
        "Covers 3 of the 5 skills you lack for Data analyst: SQL, VIZ, STATS (essential)."
    )
    assert advice.considered == 3


def test_skills_held_are_taken_off_the_gap():
    a = prog("a", [SQL, PY])
    advice = advise(GOAL, [SQL], [a], US, Preferences(), today=TODAY)
    assert [s.uri for s in advice.gap] == [VIZ.uri, STATS.uri, PY.uri, EXCEL.uri]
    rec = advice.recommendations[0]
    assert [s.uri for s in rec.covers] == [PY.uri]
    assert rec.parts["skills"] == pytest.approx(1 / 6, abs=1e-4)  # 1 of 2+2+1+1
    assert any(w.code == "already_have" and "SQL" in w.message for w in rec.warnings)


def test_a_program_made_for_the_occupation_counts_without_skills():
    made_for = prog("mf", [], occupations=["15-2051.01"])
    advice = advise(GOAL, [], [made_for], US, Preferences(), today=TODAY)
    [rec] = advice.recommendations
    assert rec.parts["skills"] == 0.25
    assert "Made for the occupation Data analyst." in rec.reasons


def test_budget_and_format():
    cheap = prog("cheap", [SQL], cost=[CostItem("one_time", 100, "USD")])
    dear = prog("dear", [SQL], cost=[CostItem("one_time", 900, "USD")], format="in_person")
    advice = advise(
        GOAL, [], [dear, cheap], US, Preferences(budget=500, format="online"), today=TODAY
    )
    first, second = advice.recommendations
    assert first.program_id == "cheap"
    assert first.parts["cost"] == pytest.approx(1 - 100 / 500 / 2)
    assert second.parts["cost"] == 0.0
    assert second.parts["format"] == 0.0
    codes = {w.code for w in second.warnings}
    assert {"over_budget", "format"} <= codes
    over = next(w for w in second.warnings if w.code == "over_budget")
    assert over.message == "Net cost 900.00 USD is over your budget of 500.00 USD."


def test_subscription_warning_and_proof_reasons_come_through():
    sub = prog(
        "sub",
        [SQL, VIZ],
        hours=180,
        cost=[CostItem("monthly", 49, "USD")],
        proof="pdf",
        recognition=[Recognition("survey", "96% of employers say it helps", "Vendor survey")],
        quality_assurance="Reviewed by an industry board",
    )
    advice = advise(GOAL, [], [sub], US, Preferences(hours_per_week=5), today=TODAY)
    [rec] = advice.recommendations
    codes = [w.code for w in rec.warnings]
    assert "subscription_pace" in codes and "no_verifiable_proof" in codes
    assert rec.parts["proof"] == 0.3
    assert rec.parts["recognition"] == 1.0
    assert any(
        r.startswith("Net cost 441.00 USD (gross 441.00); paid monthly over 9") for r in rec.reasons
    )
    assert "Takes about 36 weeks at 5 hours a week." in rec.reasons
    assert any("96% of employers" in r for r in rec.reasons)


def test_limit_and_json_shape():
    cands = [prog(str(i), [SQL]) for i in range(5)]
    advice = advise(GOAL, [], cands, US, Preferences(limit=2), today=TODAY)
    assert len(advice.recommendations) == 2
    data = advice.to_json()
    assert data["goal"]["label"] == "Data analyst"
    rec = data["recommendations"][0]
    assert {"program", "score", "parts", "covers", "net", "reasons", "warnings", "cost"} <= set(rec)


def test_nothing_left_to_learn_is_said():
    a = prog("a", [SQL])
    advice = advise(GOAL, list(GOAL.skills), [a], US, Preferences(), today=TODAY)
    assert advice.gap == []
    assert "already have every skill" in advice.notes[0]
    assert [r.program_id for r in advice.recommendations] == ["a"]


def test_goal_from_occupation_labels_and_marks_optional():
    class Occ:
        uri = "https://example.org/occ/x"
        label = "X"
        code = None
        essential_skills = (SQL.uri,)
        optional_skills = (SQL.uri, PY.uri)

    goal = goal_from_occupation(Occ(), {SQL.uri: "SQL"})
    assert [(s.label, s.essential) for s in goal.skills] == [("SQL", True), (PY.uri, False)]
