"""The learner's services on SQLite and PostgreSQL: a catalog program's cost, comparison,
candidates for advice, and ``microcred cost --program``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from microcred.advisor.advise import Goal, SkillRef
from microcred.advisor.funding import Learner
from microcred.catalog.model import CostItem, Program, Provider
from microcred.catalog.service import (
    BadAdviceInput,
    NotFound,
    candidates,
    compare_programs,
    quote_program,
)
from microcred.catalog.store import import_programs
from microcred.store.db import session_scope
from microcred.store.models import CatalogProgram
from tests.integration.test_issuing import CTX

TODAY = date(2026, 11, 29)
SQL = "https://example.org/skill/sql"
VIZ = "https://example.org/skill/viz"


def programs() -> list[Program]:
    college = Provider(
        name="Lakeshore College", provider_type="university_college", recognised_institution=True
    )
    return [
        Program(
            external_id="PM",
            name="Project Management Essentials",
            provider=college,
            credential_type="micro_credential",
            hours=40,
            weeks_min=8,
            cost=[CostItem("one_time", 750, "CAD")],
            funding=["public_institution", "ontario_osap_approved"],
            skills=[SQL],
            proof="ob3_vc",
        ),
        Program(
            external_id="DA",
            name="Data Analytics Certificate",
            provider=Provider(name="Learnly", provider_type="online_platform"),
            credential_type="certificate",
            hours=180,
            cost=[CostItem("monthly", 49, "CAD")],
            skills=[SQL, VIZ],
            occupations=["15-2051.01"],
            proof="pdf",
        ),
        Program(
            external_id="W",
            name="Welding",
            provider=college,
            credential_type="certificate",
            hours=100,
            cost=[CostItem("one_time", 500, "CAD")],
        ),
    ]


@pytest.fixture
def ids(engine) -> dict[str, str]:
    with session_scope(engine) as s:
        import_programs(s, programs(), is_sample=True)
    with session_scope(engine) as s:
        return {r.external_id: r.id for r in s.query(CatalogProgram)}


ON = Learner(jurisdiction="CA-ON", age=30, income=50_000, tax_year=2026, ctc_years=5)


def test_quote_a_catalog_program(engine, ids):
    with session_scope(engine) as s:
        q = quote_program(s, ids["PM"], ON, start=date(2026, 12, 1), today=TODAY)
    assert q.gross.total == 750.0
    assert q.net.net == 322.5  # 750 - CTC 375 - 14% of 375
    assert q.net.loans == 750.0  # OSAP
    assert any(w.code == "as_of" and "Sample data" in w.message for w in q.warnings)
    with session_scope(engine) as s, pytest.raises(NotFound, match="no program with id 'nope'"):
        quote_program(s, "nope", ON)


def test_compare_programs(engine, ids):
    with session_scope(engine) as s:
        c = compare_programs(s, [ids["PM"], ids["DA"]], ON, hours_per_week=5, today=TODAY)
    assert [q.name for q in c.quotes] == [
        "Project Management Essentials",
        "Data Analytics Certificate",
    ]
    assert c.quotes[1].gross.total == 441.0
    with session_scope(engine) as s, pytest.raises(BadAdviceInput, match="twice"):
        compare_programs(s, [ids["PM"], ids["PM"]], ON)
    with session_scope(engine) as s, pytest.raises(BadAdviceInput, match="2 to 4"):
        compare_programs(s, [ids["PM"]], ON)


def test_candidates_by_skill_or_occupation(engine, ids):
    goal = Goal("Analyst", None, None, (SkillRef(VIZ, "Viz"),))
    with session_scope(engine) as s:
        assert [pid for pid, _, _ in candidates(s, goal)] == [ids["DA"]]
    goal = Goal("Analyst", "https://example.org/occ/da", "15-2051.01", (SkillRef(SQL, "SQL"),))
    with session_scope(engine) as s:
        found = {pid for pid, _, _ in candidates(s, goal)}
    assert found == {ids["DA"], ids["PM"]}
    with session_scope(engine) as s:
        assert candidates(s, Goal("x", None, None, ())) == []


def _cli(engine, tmp_path, *args):
    env = {
        **os.environ,
        "MICROCRED_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "MICROCRED_SECRET_KEY": CTX.secret.decode(),
        "MICROCRED_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "microcred.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cost_program_cli(engine, ids, tmp_path):
    args = ["--jurisdiction", "CA-ON", "--age", "30", "--income", "50000", "--tax-year", "2026"]
    r = _cli(engine, tmp_path, "cost", "--json", "--program", ids["DA"], *args)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["program"]["name"] == "Data Analytics Certificate"
    # no pace given: 180 hours at 5 hours a week, 36 weeks, 9 months of 49 CAD
    assert doc["gross"]["total"] == 441.0
    assert {"gross", "funding", "net", "warnings", "cash"} <= set(doc)
    assert {w["code"] for w in doc["warnings"]} >= {"subscription_pace", "no_verifiable_proof"}
    for ln in doc["funding"]:
        assert {"program", "amount", "timing", "applies", "reason", "source"} <= set(ln)

    r = _cli(engine, tmp_path, "cost", "--program", ids["DA"], "--hours-per-week", "10", *args)
    assert r.returncode == 0, r.stderr
    assert "gross: 245.00 CAD" in r.stdout
    assert "! A subscription keeps charging" in r.stdout

    r = _cli(engine, tmp_path, "cost", "--program", "missing", *args)
    assert r.returncode == 1
    assert "no program with id 'missing' in the catalog" in r.stderr


# ---- advice with the curated taxonomy ---------------------------------------------------------
ESCO_SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
ESCO_PY = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
ESCO_SHEETS = "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"


@pytest.fixture
def data_programs(engine) -> dict[str, str]:
    learnly = Provider(name="Learnly", provider_type="online_platform")
    college = Provider(
        name="Lakeshore College", provider_type="university_college", recognised_institution=True
    )
    with session_scope(engine) as s:
        import_programs(
            s,
            [
                Program(
                    external_id="SQLPY",
                    name="SQL and Python for Analysts",
                    provider=college,
                    credential_type="micro_credential",
                    hours=60,
                    weeks_min=10,
                    cost=[CostItem("one_time", 900, "CAD")],
                    funding=["public_institution", "ontario_osap_approved"],
                    skills=[ESCO_SQL, ESCO_PY],
                    proof="ob3_vc",
                    format="online",
                ),
                Program(
                    external_id="SHEETS",
                    name="Spreadsheets at Work",
                    provider=learnly,
                    credential_type="certificate",
                    hours=20,
                    cost=[CostItem("monthly", 39, "CAD")],
                    skills=[ESCO_SHEETS],
                    proof="pdf",
                    format="online",
                ),
                Program(
                    external_id="WELD",
                    name="Welding",
                    provider=college,
                    credential_type="certificate",
                    hours=100,
                    cost=[CostItem("one_time", 500, "CAD")],
                ),
            ],
        )
    with session_scope(engine) as s:
        return {r.external_id: r.id for r in s.query(CatalogProgram)}


def test_advise_for_an_occupation(engine, data_programs):
    from microcred.advisor.advise import Preferences
    from microcred.catalog.service import advise_learner, skills_source

    with session_scope(engine) as s:
        advice = advise_learner(
            s,
            skills_source(),
            "data scientist",
            ON,
            Preferences(hours_per_week=5),
            have=["python", "juggling"],
            today=TODAY,
        )
    assert advice.goal.label == "Data Scientists"
    assert ESCO_PY not in {g.uri for g in advice.gap}  # the learner has it
    ids = [r.program_id for r in advice.recommendations]
    assert ids == [data_programs["SQLPY"], data_programs["SHEETS"]]  # welding is left out
    top = advice.recommendations[0]
    assert [c.label for c in top.covers] == ["SQL"]
    assert any(w.code == "already_have" for w in top.warnings)
    assert "Not recognised among your skills (not counted): juggling." in advice.notes


def test_advise_errors_name_the_goal(engine, data_programs):
    from microcred.advisor.advise import Preferences
    from microcred.catalog.service import advise_learner, skills_source

    with session_scope(engine) as s, pytest.raises(BadAdviceInput, match="no occupation or skill"):
        advise_learner(s, skills_source(), "zzqx", ON, Preferences())
    with session_scope(engine) as s, pytest.raises(BadAdviceInput, match="goal: name"):
        advise_learner(s, skills_source(), "  ", ON, Preferences())


def test_advise_cli(engine, data_programs, tmp_path):
    args = ["--jurisdiction", "CA-ON", "--age", "30", "--income", "50000", "--tax-year", "2026"]
    r = _cli(engine, tmp_path, "advise", "--goal", "SQL, spreadsheets", "--json", *args)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [s["label"] for s in doc["goal"]["skills"]] == ["SQL", "use spreadsheets software"]
    names = [rec["name"] for rec in doc["recommendations"]]
    assert set(names) == {"SQL and Python for Analysts", "Spreadsheets at Work"}
    for rec in doc["recommendations"]:
        assert rec["reasons"] and {"net", "currency", "warnings", "covers"} <= set(rec)

    r = _cli(engine, tmp_path, "advise", "--goal", "data scientist", "--budget", "100", *args)
    assert r.returncode == 0, r.stderr
    assert "goal: Data Scientists" in r.stdout
    assert "! Net cost" in r.stdout and "is over your budget of 100.00 CAD" in r.stdout

    r = _cli(engine, tmp_path, "advise", "--goal", "zzqx", *args)
    assert r.returncode == 1
    assert "goal: no occupation or skill matches 'zzqx'" in r.stderr


def test_tags_follow_a_reimport(engine, ids):
    from sqlalchemy import select

    from microcred.store.models import CatalogProgramTag

    goal = Goal("Analyst", None, None, (SkillRef(VIZ, "Viz"),))
    changed = programs()[0]
    changed.skills = [VIZ]  # the college program now teaches VIZ, no longer SQL
    with session_scope(engine) as s:
        import_programs(s, [changed], is_sample=True)
    with session_scope(engine) as s:
        assert {pid for pid, _, _ in candidates(s, goal)} == {ids["DA"], ids["PM"]}
        tags = set(
            s.scalars(
                select(CatalogProgramTag.tag).where(CatalogProgramTag.program_id == ids["PM"])
            )
        )
    assert tags == {f"s:{VIZ}", "f:public_institution", "f:ontario_osap_approved"}


def test_migration_0006_tags_programs_stored_before_it(sqlite_engine):
    from alembic import command
    from sqlalchemy import select

    from microcred.store.migrate import alembic_config, upgrade
    from microcred.store.models import CatalogProgramTag

    with session_scope(sqlite_engine) as s:
        import_programs(s, programs())
    cfg = alembic_config()
    with sqlite_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0005")
    upgrade(sqlite_engine)
    with session_scope(sqlite_engine) as s:
        rows = set(
            s.execute(
                select(CatalogProgramTag.tag, CatalogProgram.external_id).join(
                    CatalogProgram, CatalogProgram.id == CatalogProgramTag.program_id
                )
            )
        )
    assert ("o:15-2051.01", "DA") in rows
    assert (f"s:{VIZ}", "DA") in rows and (f"s:{SQL}", "PM") in rows


def test_advise_cli_counts_the_wallets_verified_skills(engine, data_programs, tmp_path):
    from microcred.accounts.learners import create_learner
    from microcred.store.models import LearnerAccount
    from microcred.vc import openbadges, proofs
    from microcred.vc.keys import Ed25519Multikey
    from microcred.wallet.holdings import import_credentials

    issuer = Ed25519Multikey.generate()
    with session_scope(engine) as s:  # the wallet takes only a credential issued to ada
        ada = create_learner(s, email="ada@example.org", secret=CTX.secret)
        ada_id, ada_did = ada.id, ada.did
    doc = openbadges.open_badge_credential(
        id="urn:uuid:6d1f7f2e-0c55-4f57-9d5c-3c3f2b9e8a01",
        issuer=openbadges.profile(id=issuer.controller, name="Example College"),
        achievement=openbadges.achievement(
            id="https://example.edu/achievements/sql",
            name="SQL Basics",
            description="Queries relational data.",
            criteria_narrative="Pass the test.",
            alignment=[
                openbadges.alignment(
                    target_name="SQL", target_url=ESCO_SQL, target_framework="ESCO"
                )
            ],
        ),
        subject_id=ada_did,
        valid_from="2025-01-01T00:00:00Z",
        name="SQL Basics",
    )
    with session_scope(engine) as s:
        import_credentials(
            s,
            s.get(LearnerAccount, ada_id),
            json.dumps(proofs.sign(doc, issuer)).encode(),
            source="sql.json",
            fetch=None,
        )
    args = ["--jurisdiction", "CA-ON", "--tax-year", "2026", "--json"]
    r = _cli(engine, tmp_path, "advise", "--goal", "SQL, spreadsheets", *args)
    assert [s["label"] for s in json.loads(r.stdout)["gap"]] == ["SQL", "use spreadsheets software"]
    r = _cli(
        engine,
        tmp_path,
        "advise",
        "--goal",
        "SQL, spreadsheets",
        "--user",
        "ada@example.org",
        *args,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [s["label"] for s in doc["have"]] == ["SQL"]
    assert [s["label"] for s in doc["gap"]] == ["use spreadsheets software"]
    r = _cli(engine, tmp_path, "advise", "--goal", "SQL", "--user", "nobody@example.org", *args)
    assert r.returncode == 1 and "no learner account for nobody@example.org" in r.stderr
