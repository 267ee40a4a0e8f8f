"""Sample data for a new deployment: four issuers (one of each provider type), twelve
micro-credentials with the EU standard elements and skills alignment, and a few hundred
signed awards to made-up learners (``learner-NNN@example.org``), spread over the last
twelve months, a few of them revoked.

It also imports the sample catalog (``microcred.catalog.sample``: some 80 programs across the
four provider types, several jurisdictions and currencies) with ``is_sample=True``.

Everything is marked ``is_sample`` and no e-mail is queued for it. :func:`seed_samples`
does nothing when sample organisations exist already and the sample catalog is up to date,
so ``make run`` calls it every time.

SAMPLE DATA: the organisations, people, addresses and URLs below are invented (``.example``
and ``example.org`` are reserved names). The O*NET-SOC codes are real occupation codes;
an ESCO skill the curated taxonomy (``advisor/data/skills_curated.json``) has under the same
label gets its real URI, so the advisor can count it from a wallet; any other ESCO skill URI
is a UUID-shaped identifier made up for the demo (derived from the skill's label), not
looked up in the ESCO dataset.
"""

from __future__ import annotations

import functools
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from microcred.catalog.sample import load_sample_programs
from microcred.catalog.store import import_programs
from microcred.issuing import achievements, awards, orgs, status
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import (
    Achievement,
    CatalogProgram,
    CatalogProvider,
    Credential,
    Event,
    Organisation,
)

LEARNERS = 160
COHORTS = 5  # each achievement is awarded in this many cohorts over the last year


@dataclass
class SeedSummary:
    """What is there after seeding. ``created`` is False when samples existed already."""

    created: bool
    organisations: int = 0
    achievements: int = 0
    credentials: int = 0
    revoked: int = 0
    by_provider_type: dict[str, int] = field(default_factory=dict)  # credentials per type
    catalog_programs: int = 0  # sample catalog programs stored
    catalog_changed: int = 0  # sample catalog programs added or updated by this run
    demo_learner: str = ""  # the demo learner's address, when one was made by this run


@functools.cache
def _curated_esco() -> dict[str, str]:
    """The curated taxonomy's ESCO skills, label -> URI."""
    from microcred.advisor.skills import load_curated

    return {s.label: s.uri for s in load_curated().skills if s.taxonomy == "esco"}


def _esco(label: str) -> dict[str, str]:
    """An ESCO skill alignment: the curated set's real URI for ``label``, else a made-up
    UUID (see the module docstring)."""
    url = _curated_esco().get(label)
    if url is None:
        url = "http://data.europa.eu/esco/skill/" + str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"microcred-sample-esco:{label}")
        )
    code = url.rsplit("/", 1)[1]
    return {"targetName": label, "targetUrl": url, "targetFramework": "ESCO", "targetCode": code}


def _onet(code: str, title: str) -> dict[str, str]:
    """An O*NET-SOC occupation alignment (a real O*NET code; sample data)."""
    return {
        "targetName": title,
        "targetUrl": f"https://www.onetonline.org/link/summary/{code}",
        "targetFramework": "O*NET-SOC",
        "targetCode": code,
    }


def _grades(slug: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"urn:microcred:sample:{slug}:final-grade",
            "name": "Final grade",
            "resultType": "LetterGrade",
            "allowedValue": ["Pass", "Merit", "Distinction"],
        }
    ]


# --- the issuers and what they award (sample data) ------------------------------------------

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "slug": "northbridge-college",
        "name": "Northbridge College of Applied Sciences",
        "provider_type": "university_college",
        "url": "https://northbridge-college.example",
        "email": "credentials@northbridge-college.example",
        "description": "A public college of applied sciences offering part-time, "
        "credit-bearing short courses for working adults.",
        "address": {"addressLocality": "Cork", "addressCountry": "Ireland"},
        "quality_assurance": {
            "accrediting_body": "National Qualifications Authority (sample)",
            "recognised_institution": True,
        },
    },
    {
        "slug": "cumulo-cloud",
        "name": "Cumulo Cloud Systems",
        "provider_type": "employer_vendor",
        "url": "https://cumulo-cloud.example",
        "email": "certification@cumulo-cloud.example",
        "description": "A cloud platform and payroll software vendor certifying the "
        "people who run its products.",
        "address": {"addressLocality": "Tallinn", "addressCountry": "Estonia"},
        "quality_assurance": {"recognised_institution": False, "iso_17024": True},
    },
    {
        "slug": "learnwise-online",
        "name": "Learnwise Online",
        "provider_type": "online_platform",
        "url": "https://learnwise.example",
        "email": "support@learnwise.example",
        "description": "An online learning platform with proctored, project-based courses.",
        "address": {"addressLocality": "Lisbon", "addressCountry": "Portugal"},
        "quality_assurance": {
            "accrediting_body": "Partner university review board (sample)",
            "recognised_institution": False,
        },
    },
    {
        "slug": "lifeline-skills",
        "name": "Lifeline Skills Foundation",
        "provider_type": "nonprofit_industry",
        "url": "https://lifeline-skills.example",
        "email": "training@lifeline-skills.example",
        "description": "A non-profit training body for first aid, mental health first aid "
        "and site safety.",
        "address": {"addressLocality": "Utrecht", "addressCountry": "Netherlands"},
        "quality_assurance": {
            "accrediting_body": "European Resuscitation Council guidelines (sample)",
            "recognised_institution": True,
        },
    },
]

COLLEGE_QA = "Internal quality assurance, validated by the National Qualifications Authority"

ACHIEVEMENTS: dict[str, list[dict[str, Any]]] = {
    "northbridge-college": [
        {
            "name": "Project Management Fundamentals",
            "description": "Plans, runs and closes small and medium projects with a "
            "predictive or an agile approach.",
            "criteria": "Pass a written case study (60%) and a team project plan (40%).",
            "achievementType": "MicroCredential",
            "learningOutcome": [
                "Writes a project charter and a work breakdown structure",
                "Builds a schedule and a budget and tracks them with earned value",
                "Runs a sprint with a backlog, a review and a retrospective",
                "Identifies, rates and responds to project risks",
            ],
            "workloadHours": 125,
            "ects": 5,
            "eqfLevel": 6,
            "assessmentType": "written case study and team project, graded",
            "participationForm": "hybrid",
            "qualityAssurance": COLLEGE_QA,
            "supervisedAssessment": True,
            "identityVerified": True,
            "gradingScheme": "Pass / Merit / Distinction",
            "resultDescription": _grades("pm"),
            "alignment": [
                _esco("project management principles"),
                _esco("plan resource allocation"),
                _onet("13-1082.00", "Project Management Specialists"),
            ],
            "tag": ["project management", "agile"],
            "inLanguage": "en",
        },
        {
            "name": "Financial Accounting for Small Businesses",
            "description": "Keeps double-entry books and prepares year-end accounts for a "
            "small business.",
            "criteria": "Pass two practical bookkeeping tasks and a final examination.",
            "learningOutcome": [
                "Records transactions in a double-entry ledger",
                "Prepares a trial balance, an income statement and a balance sheet",
                "Accounts for VAT, depreciation and accruals",
            ],
            "workloadHours": 125,
            "ects": 5,
            "eqfLevel": 5,
            "assessmentType": "practical tasks and a supervised written examination",
            "participationForm": "on-site",
            "qualityAssurance": COLLEGE_QA,
            "supervisedAssessment": True,
            "gradingScheme": "Pass / Merit / Distinction",
            "resultDescription": _grades("accounting"),
            "alignment": [
                _esco("perform accounting duties"),
                _esco("prepare financial statements"),
                _onet("13-2011.00", "Accountants and Auditors"),
            ],
            "tag": ["accounting", "finance"],
            "inLanguage": "en",
        },
        {
            "name": "Leading Teams",
            "description": "Leads a team through goals, feedback, delegation and change.",
            "criteria": "Complete a reflective leadership portfolio and a coaching role play.",
            "learningOutcome": [
                "Sets team goals and agrees how progress is measured",
                "Gives and receives feedback that changes behaviour",
                "Delegates work and leads a team through a change",
            ],
            "workloadHours": 75,
            "ects": 3,
            "eqfLevel": 6,
            "assessmentType": "portfolio and observed role play",
            "participationForm": "hybrid",
            "qualityAssurance": COLLEGE_QA,
            "alignment": [
                _esco("lead others"),
                _esco("provide feedback"),
                _onet("11-1021.00", "General and Operations Managers"),
            ],
            "tag": ["leadership", "management"],
            "inLanguage": "en",
        },
    ],
    "cumulo-cloud": [
        {
            "name": "Cumulo Certified Cloud Administrator",
            "description": "Deploys, secures and operates workloads on the Cumulo cloud platform.",
            "criteria": "Pass the proctored 90-minute certification exam (score 70% or more).",
            "achievementType": "Certification",
            "learningOutcome": [
                "Deploys virtual machines, containers and managed databases",
                "Configures identity, access policies and network isolation",
                "Monitors workloads and restores them from backups",
            ],
            "workloadHours": 40,
            "eqfLevel": 5,
            "assessmentType": "proctored online examination",
            "participationForm": "online",
            "qualityAssurance": "Exam programme run to ISO/IEC 17024 (sample)",
            "supervisedAssessment": True,
            "identityVerified": True,
            "validity": "P3Y",
            "renewal": {
                "renewable": True,
                "requires": "passing the current recertification exam (45 minutes, online)",
                "window": "in the 6 months before the expiry date",
                "url": "https://cumulo-cloud.example/certification/renew",
            },
            "alignment": [
                _esco("cloud technologies"),
                _esco("manage cloud data and storage"),
                _onet("15-1244.00", "Network and Computer Systems Administrators"),
            ],
            "tag": ["cloud", "vendor certification"],
            "inLanguage": "en",
        },
        {
            "name": "Cybersecurity Essentials for Operations Staff",
            "description": "Recognises, prevents and reports common attacks on an "
            "organisation's systems.",
            "criteria": "Complete three hands-on labs and pass the final quiz.",
            "learningOutcome": [
                "Recognises phishing, credential stuffing and ransomware",
                "Applies patching, least privilege and multi-factor authentication",
                "Reports an incident following an incident-response plan",
            ],
            "workloadHours": 30,
            "eqfLevel": 4,
            "assessmentType": "hands-on labs and an online quiz",
            "participationForm": "online",
            "qualityAssurance": "Reviewed yearly by Cumulo's security team (sample)",
            "alignment": [
                _esco("implement ICT safety policies"),
                _esco("identify ICT security risks"),
                _onet("15-1212.00", "Information Security Analysts"),
            ],
            "tag": ["cybersecurity"],
            "inLanguage": "en",
        },
        {
            "name": "Cumulo Payroll Practitioner",
            "description": "Runs a compliant monthly payroll in Cumulo Payroll, including "
            "leavers, benefits and statutory reports.",
            "criteria": "Run a full test payroll for a sample company without errors.",
            "learningOutcome": [
                "Sets up employees, pay elements and pension schemes",
                "Runs, checks and closes a monthly payroll",
                "Produces statutory payroll reports and payslips",
            ],
            "workloadHours": 24,
            "eqfLevel": 4,
            "assessmentType": "practical assessment in a test environment",
            "participationForm": "online",
            "qualityAssurance": "Reviewed yearly by Cumulo's product team (sample)",
            "alignment": [
                _esco("manage payrolls"),
                _onet("43-3051.00", "Payroll and Timekeeping Clerks"),
            ],
            "tag": ["payroll", "HR"],
            "inLanguage": "en",
        },
    ],
    "learnwise-online": [
        {
            "name": "Data Analysis with Spreadsheets and SQL",
            "description": "Cleans, queries, summarises and visualises tabular data.",
            "criteria": "Submit a graded analysis project on a public data set.",
            "learningOutcome": [
                "Cleans and joins tabular data with spreadsheets and SQL",
                "Summarises data with aggregates, pivot tables and window functions",
                "Presents findings in clear charts with their caveats",
            ],
            "workloadHours": 100,
            "ects": 4,
            "eqfLevel": 5,
            "assessmentType": "project, graded by two reviewers",
            "participationForm": "online",
            "qualityAssurance": "Course reviewed by a partner university board (sample)",
            "gradingScheme": "Pass / Merit / Distinction",
            "resultDescription": _grades("data"),
            "alignment": [
                _esco("manage quantitative data"),
                _esco("use databases"),
                _onet("15-2051.00", "Data Scientists"),
            ],
            "tag": ["data", "SQL"],
            "inLanguage": "en",
        },
        {
            "name": "Python Programming Foundations",
            "description": "Writes, tests and packages small Python programs.",
            "criteria": "Pass automated tests on five exercises and a reviewed final project.",
            "learningOutcome": [
                "Writes Python functions, classes and modules",
                "Tests code with pytest and reads tracebacks",
                "Reads and writes CSV and JSON files",
            ],
            "workloadHours": 75,
            "ects": 3,
            "eqfLevel": 4,
            "assessmentType": "automated tests and a reviewed project",
            "participationForm": "online",
            "qualityAssurance": "Course reviewed by a partner university board (sample)",
            "gradingScheme": "Pass / Merit / Distinction",
            "resultDescription": _grades("python"),
            "alignment": [
                _esco("Python (computer programming)"),
                _onet("15-1252.00", "Software Developers"),
            ],
            "tag": ["Python", "programming"],
            "inLanguage": "en",
        },
        {
            "name": "Digital Marketing Essentials",
            "description": "Plans and measures a small digital marketing campaign.",
            "criteria": "Submit a campaign plan and its results report.",
            "learningOutcome": [
                "Defines audiences, goals and a campaign budget",
                "Runs search, social and e-mail campaigns",
                "Measures results with analytics and reports them",
            ],
            "workloadHours": 50,
            "ects": 2,
            "eqfLevel": 4,
            "assessmentType": "campaign plan and report, peer-reviewed",
            "participationForm": "online",
            "qualityAssurance": "Course reviewed by a partner university board (sample)",
            "alignment": [
                _esco("plan digital marketing"),
                _onet("13-1161.00", "Market Research Analysts and Marketing Specialists"),
            ],
            "tag": ["marketing"],
            "inLanguage": "en",
        },
    ],
    "lifeline-skills": [
        {
            "name": "Basic Life Support and AED",
            "description": "Performs adult cardiopulmonary resuscitation and uses an "
            "automated external defibrillator.",
            "criteria": "Pass the practical assessment on a manikin, observed by an instructor.",
            "achievementType": "Certificate",
            "learningOutcome": [
                "Recognises cardiac arrest and calls for help",
                "Performs high-quality adult chest compressions and rescue breaths",
                "Uses an AED safely",
            ],
            "workloadHours": 4,
            "eqfLevel": 2,
            "assessmentType": "practical assessment, observed",
            "participationForm": "on-site",
            "qualityAssurance": "Follows the European Resuscitation Council guidelines (sample)",
            "supervisedAssessment": True,
            "validity": "P2Y",
            "renewal": {
                "renewable": True,
                "requires": "a 3-hour refresher course with a practical re-assessment",
                "window": "in the 3 months before the expiry date",
                "url": "https://lifeline-skills.example/renew/bls",
            },
            "alignment": [
                _esco("perform cardiopulmonary resuscitation"),
                _esco("use an automated external defibrillator"),
                _onet("29-2042.00", "Emergency Medical Technicians"),
            ],
            "tag": ["first aid", "health and safety"],
            "inLanguage": "en",
        },
        {
            "name": "Mental Health First Aid",
            "description": "Recognises a mental health problem or crisis and gives initial "
            "help until professional help is found.",
            "criteria": "Attend all four sessions and pass the scenario assessment.",
            "achievementType": "Certificate",
            "learningOutcome": [
                "Recognises signs of common mental health problems",
                "Listens non-judgementally and gives support and information",
                "Guides a person in crisis to appropriate professional help",
            ],
            "workloadHours": 12,
            "eqfLevel": 3,
            "assessmentType": "scenario-based assessment",
            "participationForm": "hybrid",
            "qualityAssurance": "Programme reviewed by a clinical advisory panel (sample)",
            "validity": "P3Y",
            "renewal": {
                "renewable": True,
                "requires": "a half-day refresher session",
                "url": "https://lifeline-skills.example/renew/mhfa",
            },
            "alignment": [
                _esco("provide first aid"),
                _esco("support mental health"),
                _onet("21-1014.00", "Mental Health Counselors"),
            ],
            "tag": ["mental health", "wellbeing"],
            "inLanguage": "en",
        },
        {
            "name": "Construction Site Safety Awareness",
            "description": "Works safely on a construction site and follows its safety rules.",
            "criteria": "Attend the one-day course and pass the multiple-choice test.",
            "achievementType": "License",
            "learningOutcome": [
                "Identifies hazards on a construction site",
                "Uses personal protective equipment correctly",
                "Follows site rules for working at height and near machinery",
            ],
            "workloadHours": 8,
            "eqfLevel": 2,
            "assessmentType": "supervised multiple-choice test",
            "participationForm": "on-site",
            "qualityAssurance": "Approved by the national construction industry council (sample)",
            "supervisedAssessment": True,
            "identityVerified": True,
            "validity": "P4Y",
            "renewal": {
                "renewable": False,
                "requires": "attending the full course again",
            },
            "alignment": [
                _esco("follow safety precautions in work practices"),
                _onet("47-1011.00", "First-Line Supervisors of Construction Trades"),
            ],
            "tag": ["construction", "health and safety"],
            "inLanguage": "en",
        },
    ],
}

FIRST_NAMES = [
    "Aoife", "Liam", "Sofia", "Mateo", "Emma", "Noah", "Zoë", "Lukas", "Chloé", "Jakub",
    "Ingrid", "Mehmet", "Amara", "Søren", "Giulia", "Tomás", "Hana", "Oliver", "Leila",
    "Piotr", "Elena", "Kwame", "Saoirse", "Nikos", "Freya", "Andrés", "Maja", "Yusuf",
    "Clara", "Dmitri", "Ana", "Rahul", "Eva", "Jonas", "Fatima", "Marek", "Lucía", "Ciarán",
    "Ines", "Henrik",
]  # fmt: skip
LAST_NAMES = [
    "Murphy", "García", "Rossi", "Novak", "Müller", "Jansen", "Kowalski", "Dubois",
    "Andersen", "Papadopoulos", "Ferreira", "Nieminen", "O'Brien", "Horváth", "Popescu",
    "Lindqvist", "Yilmaz", "Costa", "Van den Berg", "Ivanova", "Walsh", "Schmidt", "Moreau",
    "Bianchi", "Kaur", "Okafor", "Svensson", "Fernández", "Nowak", "Byrne",
]  # fmt: skip
REVOCATION_REASONS = [
    "issued in error: the learner was enrolled in another cohort",
    "assessment irregularity found on review",
    "the learner withdrew before the final assessment",
    "replaced by a corrected record",
]


def _learners(rng: random.Random) -> list[tuple[str, str]]:
    return [
        (f"learner-{n:03d}@example.org", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
        for n in range(1, LEARNERS + 1)
    ]


def summary(engine: Engine, *, created: bool) -> SeedSummary:
    """Counts of the sample data that is there now."""
    with session_scope(engine) as s:
        out = SeedSummary(created=created)
        out.organisations = int(
            s.scalar(select(func.count()).where(Organisation.is_sample.is_(True))) or 0
        )
        out.achievements = int(
            s.scalar(select(func.count()).where(Achievement.is_sample.is_(True))) or 0
        )
        sample = Credential.is_sample.is_(True)
        out.credentials = int(s.scalar(select(func.count()).where(sample)) or 0)
        out.revoked = int(
            s.scalar(select(func.count()).where(sample, Credential.revoked_at.is_not(None))) or 0
        )
        rows = s.execute(
            select(Organisation.provider_type, func.count(Credential.id))
            .join(Credential, Credential.org_id == Organisation.id)
            .where(sample)
            .group_by(Organisation.provider_type)
        ).all()
        out.by_provider_type = {str(kind): int(n) for kind, n in rows}
        out.catalog_programs = int(
            s.scalar(select(func.count()).where(CatalogProgram.is_sample.is_(True))) or 0
        )
    return out


def seed_catalog(engine: Engine) -> int:
    """Import the bundled sample catalog with ``is_sample=True``, in one transaction: only
    the programs that are missing or differ from the stored sample copy (so a second run
    changes nothing). Never touches real data: a program stored by a real import, or any
    program of a real provider with a sample provider's name, is left alone. Returns how
    many programs were added or updated. Raises SampleCatalogError if the bundled file is
    invalid."""
    programs = load_sample_programs()
    with session_scope(engine) as s:
        real_providers = set(
            s.scalars(select(CatalogProvider.name).where(CatalogProvider.is_sample.is_(False)))
        )
        stored = {
            (name, ext): (data, is_sample)
            for name, ext, data, is_sample in s.execute(
                select(
                    CatalogProvider.name,
                    CatalogProgram.external_id,
                    CatalogProgram.data,
                    CatalogProgram.is_sample,
                ).join(CatalogProvider, CatalogProgram.provider_id == CatalogProvider.id)
            )
        }
        todo = []
        for prog in programs:
            name = prog.provider.name.strip()
            if name in real_providers:
                continue
            have = stored.get((name, prog.external_id.strip()))
            if have is not None and (not have[1] or have[0] == prog.to_json()):
                continue  # a real record, or the sample as it is now
            todo.append(prog)
        if todo:
            import_programs(s, todo, is_sample=True)
    return len(todo)


DEMO_PASSWORD = "microcred-demo-wallet"  # noqa: S105 - development demo only, printed by seed


def seed_demo_learner(engine: Engine, ctx: IssuingContext, *, now: datetime | None = None) -> str:
    """A learner account for the sample recipient with the most credentials, e-mail
    confirmed, password ``DEMO_PASSWORD``, their sample credentials in the wallet (verified
    against this deployment's own status lists). Once: an existing account is left alone.
    Returns the address. Never call it in production (a known password)."""
    from microcred.accounts.auth import create_account
    from microcred.accounts.learners import find_learner
    from microcred.issuing.public import LocalFirstFetch
    from microcred.wallet.errors import CredentialRefused, WalletError
    from microcred.wallet.holdings import add_issued

    with session_scope(engine) as s:
        row = s.execute(
            select(Credential.recipient_key, func.count(Credential.id).label("n"))
            .where(
                Credential.is_sample.is_(True),
                Credential.recipient_kind == "email",
                Credential.revoked_at.is_(None),
            )
            .group_by(Credential.recipient_key)
            .order_by(func.count(Credential.id).desc(), Credential.recipient_key)
            .limit(1)
        ).first()
        if row is None:
            return ""
        email = str(row[0])
        if find_learner(s, email) is not None:
            return email
        name = s.scalar(
            select(Credential.recipient_name).where(Credential.recipient_key == email).limit(1)
        )
        learner = create_account(
            s,
            email=email,
            secret=ctx.secret,
            password=DEMO_PASSWORD,
            display_name=name,
            verified=True,
        )
        fetch = LocalFirstFetch(engine, ctx, None)
        creds = s.scalars(
            select(Credential).where(
                Credential.recipient_key == email,
                Credential.is_sample.is_(True),
                Credential.revoked_at.is_(None),
            )
        ).all()
        for cred in creds:
            try:
                add_issued(s, learner, cred, fetch=fetch, now=now)
            except (WalletError, CredentialRefused):
                continue  # e.g. expired: the demo wallet simply goes without it
        return email


def seed_samples(
    engine: Engine,
    ctx: IssuingContext,
    *,
    awards_per_achievement: int = 25,
    now: datetime | None = None,
    rng_seed: int = 2026,
    demo_learner: bool = False,
) -> SeedSummary:
    """Create the sample organisations, achievements and awards in one transaction, unless
    sample organisations exist (then they are left as they are), and bring the sample
    catalog up to date (:func:`seed_catalog`). Returns what is there afterwards.
    Raises MicrocredError if a sample slug is taken by a real organisation."""
    changed = seed_catalog(engine)
    with session_scope(engine) as s:
        if s.scalar(select(Organisation.id).where(Organisation.is_sample.is_(True)).limit(1)):
            out = summary(engine, created=False)
            out.catalog_changed = changed
            return out
    now = now or datetime.now(UTC)
    rng = random.Random(rng_seed)  # noqa: S311 (sample data, deterministic on purpose)
    learners = _learners(rng)
    per = max(0, min(awards_per_achievement, len(learners)))
    with session_scope(engine) as s:
        for spec in ORGANISATIONS:
            org = orgs.create_organisation(s, ctx, **spec, is_sample=True)
            for n, definition in enumerate(ACHIEVEMENTS[spec["slug"]]):
                ach = achievements.create_achievement(s, org, definition, is_sample=True)
                people = rng.sample(learners, per)
                # one revoked award in the first achievement of each issuer (four in all)
                _award_sample(s, ctx, org, ach, people, rng, now, revoke=1 if n == 0 else 0)
    out = summary(engine, created=True)
    out.catalog_changed = changed
    if demo_learner:
        out.demo_learner = seed_demo_learner(engine, ctx)  # verified at the current time
    return out


def _award_sample(
    s: Session,
    ctx: IssuingContext,
    org: Organisation,
    ach: Achievement,
    people: list[tuple[str, str]],
    rng: random.Random,
    now: datetime,
    *,
    revoke: int,
) -> None:
    graded = bool(ach.definition.get("resultDescription"))
    prepared = awards._prepare(s, ctx, org, ach)  # signer and profile once per achievement
    size = max(1, -(-len(people) // COHORTS))
    for start in range(0, len(people), size):
        # a cohort somewhere in the last twelve months, awarded on one day
        day = now - timedelta(days=rng.randint(3, 362), hours=rng.randint(0, 8))
        recipients = [
            awards.Recipient(
                email=email,
                name=name,
                grade=rng.choice(("Pass", "Pass", "Merit", "Distinction")) if graded else None,
                valid_from=day,
            )
            for email, name in people[start : start + size]
        ]
        outcomes = awards.issue_batch(
            s,
            ctx,
            org=org,
            achievement=ach,
            recipients=recipients,
            on_duplicate="skip",
            notify=False,
            is_sample=True,
            now=day,
            prepared=prepared,
        )
        for outcome in outcomes:
            cred = outcome.credential
            if rng.random() < 0.6:  # most learners claimed theirs and show their name
                cred.claimed_at = day + timedelta(days=rng.randint(0, 10))
                cred.show_recipient = rng.random() < 0.8
                s.add(
                    Event(org_id=org.id, credential_id=cred.id, kind="claimed", at=cred.claimed_at)
                )
        for outcome in outcomes[:revoke]:
            status.change_status(
                s, ctx, outcome.credential, "revoke", reason=rng.choice(REVOCATION_REASONS)
            )
        revoke -= len(outcomes[:revoke])
