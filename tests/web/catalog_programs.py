"""A small catalog for the web and browser tests: import_catalog(engine) -> {external_id: id}."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from microcred.catalog.model import CostItem, Program, Provider, Recognition
from microcred.catalog.store import import_programs
from microcred.store.db import session_scope
from microcred.store.models import CatalogProgram

ESCO = "http://data.europa.eu/esco/skill/"
ACME = Provider(
    name="Acme College",
    provider_type="university_college",
    accrediting_body="Ministry of Colleges",
    recognised_institution=True,
    url="https://acme.example.edu",
)
NIMBUS = Provider(name="Nimbus Cloud Academy", provider_type="employer_vendor")
LEARNLY = Provider(name="Learnly", provider_type="online_platform")
XSS = "<script>alert(1)</script>"


def prog(external_id: str, name: str, provider: Provider = ACME, **kw: Any) -> Program:
    base: dict[str, Any] = dict(
        external_id=external_id,
        name=name,
        provider=provider,
        credential_type="micro_credential",
        format="online",
        proof="ob3_vc",
        cost=[CostItem("one_time", 100, "USD")],
        weeks_min=4,
        weeks_max=6,
    )
    base.update(kw)
    return Program(**base)


DATA = prog(
    "P1",
    "Data Analytics Foundations",
    description="Clean, explore and chart tabular data.",
    learning_outcomes=["Cleans tabular data with spreadsheets", "Builds pivot tables"],
    hours=40,
    ects=1.5,
    eqf_level=5,
    assessment="A final project, graded by an instructor",
    participation="online, supervised",
    quality_assurance="Internal review by the college senate",
    prerequisites=["Basic spreadsheet use"],
    stackability="Stacks into the Data Analyst certificate",
    stacks_into=["https://acme.example.edu/programs/data-analyst", "DA-CERT"],
    has_parts=["DA-101"],
    skills=[ESCO + "analyse-data"],
    occupations=["15-2051.00"],
    topics=["data analysis"],
    hours_per_week=5,
    pacing="cohort",
    cohort_dates=[date(2027, 1, 11), date(2027, 4, 5)],
    language="en",
    cost=[
        CostItem("per_course", 300, "CAD", courses=3),
        CostItem("exam", 150, "CAD"),
        CostItem("retake", 75, "CAD"),
        CostItem("renewal", 50, "CAD", every_years=2),
    ],
    funding=["skillsfuture_eligible", "employer_sponsored"],
    validity_months=24,
    renewal="Complete 10 hours of continuing education",
    recognition=[
        Recognition(
            "endorsement",
            "Endorsed by the Data Employers Council",
            "https://council.example.org/endorsements",
            date(2026, 3, 1),
        ),
        Recognition("survey", "8 in 10 hiring managers know it", "Hiring survey 2026"),
    ],
    as_of=date(2026, 10, 1),
)
CATALOG = [
    DATA,
    prog(
        "P2",
        "Cloud Practitioner",
        NIMBUS,
        credential_type="certification",
        format="hybrid",
        proof="pdf",
        cost=[CostItem("exam", 300, "USD")],
        weeks_min=10,
        weeks_max=12,
        learning_outcomes=["Deploys containers to a managed cluster"],
        topics=["cloud computing"],
    ),
    prog(
        "P3",
        "Welding Basics",
        learning_outcomes=["Performs safe arc welding"],
        skills=[ESCO + "metal-joining"],
        topics=["trades"],
        format="in_person",
        proof=None,
        credential_type="badge",
    ),
    prog(
        "P4",
        "Data Visualisation",
        LEARNLY,
        proof="ob2",
        cost=[CostItem("monthly", 20, "USD")],
        hours=20,
        learning_outcomes=["Builds dashboards"],
        topics=["data analysis", "design"],
    ),
    prog(
        "P5",
        f"{XSS} Data Safety",
        LEARNLY,
        description=f"<img src=x onerror=alert(2)> {XSS}",
        proof="none",
        stacks_into=["javascript:alert(3)"],
        recognition=[Recognition("survey", "Liked", "javascript:alert(4)")],
        topics=["security"],
        learning_outcomes=[f"Knows {XSS}"],
    ),
]


def import_catalog(engine: Any, programs: list[Program] | None = None) -> dict[str, str]:
    """Import ``programs`` (the sample CATALOG by default) as sample data; their ids by
    external id."""
    with session_scope(engine) as s:
        import_programs(s, programs or CATALOG, is_sample=True)
        rows = s.execute(select(CatalogProgram.external_id, CatalogProgram.id)).all()
    return {ext: pid for ext, pid in rows}


def fillers(n: int) -> list[Program]:
    """``n`` plain programs named "Filler 01", ... (for pagination)."""
    return [prog(f"F{i:02d}", f"Filler {i:02d}", topics=["filler"]) for i in range(1, n + 1)]
