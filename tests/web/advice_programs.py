"""Programs for the cost, compare and advisor tests (web and browser):
import_advice_catalog(engine) -> {external_id: id}. Their skills are curated ESCO URIs
(``microcred/advisor/data/skills_curated.json``), so the advisor matches "data scientist"."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from microcred.advisor.funding import Learner
from microcred.catalog.model import CostItem, Program, Provider
from microcred.catalog.store import import_programs
from microcred.store.db import session_scope
from microcred.store.models import CatalogProgram

ESCO_SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
ESCO_PY = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
ESCO_SHEETS = "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"
XSS = "<script>alert(1)</script>"
START = date(2026, 12, 1)
# the learner of issue 4's Ontario example, as query parameters and as a Learner
ONTARIO = {
    "jurisdiction": "CA-ON",
    "age": "30",
    "income": "50000",
    "ctc_years": "5",
    "tax_year": "2026",
}
ON_LEARNER = Learner(jurisdiction="CA-ON", age=30, income=50_000, tax_year=2026, ctc_years=5)

LAKESHORE = Provider(
    name="Lakeshore College",
    provider_type="university_college",
    recognised_institution=True,
    url="https://lakeshore.example.edu",
)
LEARNLY = Provider(name="Learnly", provider_type="online_platform")

PROGRAMS = [
    # an Ontario public college program under 12 weeks: CTC, tuition credit, OSAP loan
    Program(
        external_id="ON",
        name="SQL and Python for Analysts",
        provider=LAKESHORE,
        credential_type="micro_credential",
        hours=40,
        weeks_min=8,
        cost=[CostItem("one_time", 750, "CAD")],
        funding=["public_institution", "ontario_osap_approved"],
        skills=[ESCO_SQL, ESCO_PY],
        proof="ob3_vc",
        format="online",
        quality_assurance="Ontario College Quality Assurance Service",
        as_of=date(2026, 10, 1),
    ),
    # a $49/month subscription of 180 hours: 441 at 5 h/week, 245 at 10
    Program(
        external_id="SUB",
        name="Spreadsheets and SQL at Work",
        provider=LEARNLY,
        credential_type="certificate",
        hours=180,
        cost=[CostItem("monthly", 49, "CAD")],
        skills=[ESCO_SHEETS, ESCO_SQL],
        proof="pdf",
        format="online",
    ),
    Program(
        external_id="US",
        name="Data Wrangling (US)",
        provider=LEARNLY,
        credential_type="certificate",
        hours=30,
        weeks_min=6,
        cost=[CostItem("one_time", 300, "USD")],
        skills=[ESCO_PY],
        proof="ob2",
        format="online",
    ),
    Program(
        external_id="XSS",
        name=f"{XSS} Data Safety",
        provider=Provider(name=f"{XSS} Academy", provider_type="online_platform"),
        credential_type="certificate",
        hours=10,
        weeks_min=2,
        cost=[CostItem("one_time", 20, "CAD")],
        skills=[ESCO_SHEETS],
        proof="pdf",
    ),
    Program(
        external_id="WELD",
        name="Welding",
        provider=LAKESHORE,
        credential_type="certificate",
        hours=100,
        weeks_min=10,
        cost=[CostItem("one_time", 500, "CAD")],
    ),
]


def import_advice_catalog(engine) -> dict[str, str]:
    with session_scope(engine) as s:
        import_programs(s, PROGRAMS, is_sample=True)
    with session_scope(engine) as s:
        return dict(s.execute(select(CatalogProgram.external_id, CatalogProgram.id)).all())
