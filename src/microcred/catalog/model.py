"""A catalog program (a micro-credential offering) as plain data, and its validation.

Pure: no database, web or CLI code. ``validate(program)`` returns every problem with the
path of the field (``cost[1].amount``); importers prefix the record's place in the file.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from microcred.advisor.cost import CostProfile, gross_cost

# the same keys as microcred.issuing.orgs.PROVIDER_TYPES (a test keeps them equal)
PROVIDER_TYPES = ("university_college", "employer_vendor", "online_platform", "nonprofit_industry")

# our credential type -> its CTDL class
CREDENTIAL_TYPES: dict[str, str] = {
    "micro_credential": "ceterms:MicroCredential",
    "certificate": "ceterms:Certificate",
    "certificate_of_completion": "ceterms:CertificateOfCompletion",
    "certification": "ceterms:Certification",
    "badge": "ceterms:Badge",
    "digital_badge": "ceterms:DigitalBadge",
    "open_badge": "ceterms:OpenBadge",
    "learning_program": "ceterms:LearningProgram",
    "course": "ceterms:Course",
}
FORMATS = ("online", "hybrid", "in_person")
# what the funding rules call the institution (see advisor/quote.py); optional
INSTITUTION_TYPES = (
    "public_college",
    "university",
    "indigenous_institute",
    "certified",
    "private",
    "platform",
)
PACING = ("self_paced", "cohort")
# what proof a learner gets: Open Badges 3.0 / verifiable credential, Open Badges 2.0, a PDF
PROOFS = ("ob3_vc", "ob2", "pdf", "none")
COST_KINDS = ("one_time", "per_course", "monthly", "exam", "retake", "renewal")
RECOGNITION_KINDS = ("endorsement", "survey")
# kinds that may appear once in a program's cost (one-time and exam fees add up)
_SINGLE_COST_KINDS = ("per_course", "monthly", "retake", "renewal")

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URI = re.compile(r"^https?://\S+$")
_COUNTRY = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")  # ISO 3166-1 alpha-2, or 3166-2
HINT_HOURS_PER_WEEK = 5.0


@dataclass(frozen=True)
class Problem:
    """Something wrong with one record: where (``line 3, column cost``) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def within(self, prefix: str) -> Problem:
        return Problem(f"{prefix}, {self.where}" if self.where else prefix, self.message)


@dataclass
class Provider:
    name: str
    provider_type: str
    accrediting_body: str | None = None  # quality assurance: who accredits it
    recognised_institution: bool = False  # a recognised post-secondary institution
    url: str | None = None
    country: str | None = None  # country or region of the provider: CA, CA-ON, GB-ENG, DE
    institution_type: str | None = None  # one of INSTITUTION_TYPES, when known


@dataclass
class CostItem:
    kind: str  # one of COST_KINDS
    amount: float
    currency: str
    courses: int | None = None  # per_course: how many courses
    every_years: int | None = None  # renewal: every how many years


@dataclass
class Recognition:
    """Evidence that employers recognise the credential."""

    kind: str  # endorsement | survey
    text: str
    source: str
    date: date | None = None


@dataclass
class Program:
    external_id: str  # the provider's (or the registry's) id; unique per provider
    name: str
    provider: Provider
    credential_type: str
    description: str = ""
    url: str | None = None
    # EU standard elements
    learning_outcomes: list[str] = field(default_factory=list)
    hours: float | None = None  # workload in hours
    ects: float | None = None
    eqf_level: int | None = None
    qualification_level: int | None = None  # national framework level (e.g. England's RQF)
    assessment: str | None = None
    participation: str | None = None  # form of participation (e.g. "online, supervised")
    quality_assurance: str | None = None
    prerequisites: list[str] = field(default_factory=list)
    stackability: str | None = None
    stacks_into: list[str] = field(default_factory=list)  # ids/URIs of larger credentials
    has_parts: list[str] = field(default_factory=list)
    # topics and skills
    skills: list[str] = field(default_factory=list)  # ESCO / O*NET URIs
    occupations: list[str] = field(default_factory=list)  # URIs or codes (SOC, O*NET)
    topics: list[str] = field(default_factory=list)  # subjects and keywords
    # duration
    weeks_min: int | None = None
    weeks_max: int | None = None
    hours_per_week: float | None = None
    pacing: str | None = None  # self_paced | cohort
    cohort_dates: list[date] = field(default_factory=list)  # cohort start dates
    format: str | None = None  # online | hybrid | in_person
    language: str | None = None  # BCP 47, e.g. "en", "fr-CA"
    cost: list[CostItem] = field(default_factory=list)
    funding: list[str] = field(default_factory=list)  # e.g. skillsfuture_eligible
    proof: str | None = None  # one of PROOFS; None when unknown
    validity_months: int | None = None  # expiry: months a credential stays valid
    renewal: str | None = None  # how it is renewed
    recognition: list[Recognition] = field(default_factory=list)
    as_of: date | None = None  # when the information was checked

    # ---- JSON (the ``data`` column) ------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["cohort_dates"] = [d.isoformat() for d in self.cohort_dates]
        out["as_of"] = self.as_of.isoformat() if self.as_of else None
        for r in out["recognition"]:
            r["date"] = r["date"].isoformat() if r["date"] else None
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Program:
        d = dict(data)
        d["provider"] = Provider(**d["provider"])
        d["cost"] = [CostItem(**c) for c in d.get("cost", [])]
        d["recognition"] = [
            Recognition(**{**r, "date": _date_or_none(r.get("date"))})
            for r in d.get("recognition", [])
        ]
        d["cohort_dates"] = [date.fromisoformat(x) for x in d.get("cohort_dates", [])]
        d["as_of"] = _date_or_none(d.get("as_of"))
        return cls(**d)

    # ---- derived -------------------------------------------------------------------------
    @property
    def currency(self) -> str | None:
        return self.cost[0].currency if self.cost else None

    def cost_profile(self) -> CostProfile:
        """The advisor's CostProfile (call on a valid program: one currency)."""
        values: dict[str, Any] = {"currency": self.currency or "USD"}
        for c in self.cost:
            if c.kind == "one_time":
                values["one_time"] = values.get("one_time", 0.0) + c.amount
            elif c.kind == "exam":
                values["exam_fee"] = values.get("exam_fee", 0.0) + c.amount
            elif c.kind == "per_course":
                values["per_course"] = c.amount
                values["courses"] = c.courses or 1
            elif c.kind == "monthly":
                values["monthly"] = c.amount
            elif c.kind == "retake":
                values["retake_fee"] = c.amount
            elif c.kind == "renewal":
                values["renewal_fee"] = c.amount
                values["renewal_every_years"] = c.every_years or 0
        return CostProfile(**values)

    def price_hint(self) -> float | None:
        """Gross cost at 5 hours a week (None when it cannot be told: no cost, or a
        subscription without hours or weeks)."""
        if not self.cost:
            return None
        try:
            if self.hours:
                g = gross_cost(
                    self.cost_profile(), hours=self.hours, hours_per_week=HINT_HOURS_PER_WEEK
                )
            else:
                g = gross_cost(self.cost_profile(), weeks=self.weeks_min)
        except ValueError:
            return None
        return g.total


def _date_or_none(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def validate(program: Program) -> list[Problem]:
    """Every problem of ``program``, each with the path of its field."""
    p: list[Problem] = []

    def bad(where: str, message: str) -> None:
        p.append(Problem(where, message))

    if not program.external_id or not program.external_id.strip():
        bad("external_id", "a program needs an id")
    elif len(program.external_id) > 300:
        bad("external_id", "at most 300 characters")
    if not program.name or not program.name.strip():
        bad("name", "a program needs a name")
    elif len(program.name) > 300:
        bad("name", "at most 300 characters")
    prov = program.provider
    if not prov.name or not prov.name.strip():
        bad("provider.name", "a program needs a provider")
    elif len(prov.name) > 300:
        bad("provider.name", "at most 300 characters")
    if prov.provider_type not in PROVIDER_TYPES:
        bad(
            "provider.provider_type",
            f"{prov.provider_type!r}: use one of {_one_of(PROVIDER_TYPES)}",
        )
    if program.credential_type not in CREDENTIAL_TYPES:
        bad(
            "credential_type",
            f"{program.credential_type!r}: use one of {_one_of(CREDENTIAL_TYPES)}",
        )
    for name in ("url",):
        value = getattr(program, name)
        if value is not None and not _URI.match(value):
            bad(name, f"{value!r} is not an http(s) URL")
    if prov.url is not None and not _URI.match(prov.url):
        bad("provider.url", f"{prov.url!r} is not an http(s) URL")
    for i, uri in enumerate(program.skills):
        if not _URI.match(uri):
            bad(
                f"skills[{i}]",
                f"{uri!r} is not a URI (ESCO or O*NET, e.g. http://data.europa.eu/esco/skill/...)",
            )
    for name in ("hours", "ects", "hours_per_week"):
        value = getattr(program, name)
        if value is not None and not value > 0:
            bad(name, "must be a positive number")
    if program.eqf_level is not None and not 1 <= program.eqf_level <= 8:
        bad("eqf_level", "the EQF has levels 1 to 8")
    if program.qualification_level is not None and not 0 <= program.qualification_level <= 8:
        bad("qualification_level", "a national framework level from 0 (entry) to 8")
    if prov.country is not None and not _COUNTRY.match(prov.country):
        bad(
            "provider.country",
            f"{prov.country!r}: an ISO 3166 code in capitals (CA, CA-ON, GB-ENG, DE)",
        )
    if prov.institution_type is not None and prov.institution_type not in INSTITUTION_TYPES:
        bad(
            "provider.institution_type",
            f"{prov.institution_type!r}: use one of {_one_of(INSTITUTION_TYPES)}",
        )
    for name in ("weeks_min", "weeks_max", "validity_months"):
        value = getattr(program, name)
        if value is not None and value <= 0:
            bad(name, "must be a positive whole number")
    if (
        program.weeks_min is not None
        and program.weeks_max is not None
        and program.weeks_min > program.weeks_max
    ):
        bad("weeks_max", "must not be less than weeks_min")
    if program.pacing is not None and program.pacing not in PACING:
        bad("pacing", f"{program.pacing!r}: use one of {_one_of(PACING)}")
    if program.cohort_dates and program.pacing == "self_paced":
        bad("cohort_dates", "a self-paced program has no cohort dates")
    if program.format is not None and program.format not in FORMATS:
        bad("format", f"{program.format!r}: use one of {_one_of(FORMATS)}")
    if program.language is not None and not _LANGUAGE.match(program.language):
        bad("language", f"{program.language!r} is not a language tag (e.g. en, fr-CA)")
    if program.proof is not None and program.proof not in PROOFS:
        bad("proof", f"{program.proof!r}: use one of {_one_of(PROOFS)}")
    for i, token in enumerate(program.funding):
        if not _TOKEN.match(token):
            bad(f"funding[{i}]", f"{token!r}: use lower-case letters, digits, '_' and '-'")
    currencies = set()
    seen: set[str] = set()
    for i, c in enumerate(program.cost):
        where = f"cost[{i}]"
        if c.kind not in COST_KINDS:
            bad(f"{where}.kind", f"{c.kind!r}: use one of {_one_of(COST_KINDS)}")
        elif c.kind in _SINGLE_COST_KINDS and c.kind in seen:
            bad(f"{where}.kind", f"more than one {c.kind} cost")
        seen.add(c.kind)
        if not c.amount >= 0:
            bad(f"{where}.amount", "must not be negative")
        if not _CURRENCY.match(c.currency or ""):
            bad(f"{where}.currency", f"{c.currency!r} is not an ISO 4217 code (e.g. CAD)")
        currencies.add(c.currency)
        if c.courses is not None and (c.kind != "per_course" or c.courses <= 0):
            bad(f"{where}.courses", "only a per_course cost has a positive number of courses")
        if c.every_years is not None and (c.kind != "renewal" or c.every_years <= 0):
            bad(f"{where}.every_years", "only a renewal cost has a positive number of years")
    if len(currencies) > 1:
        bad("cost", f"one currency per program, not {', '.join(sorted(currencies))}")
    for i, r in enumerate(program.recognition):
        where = f"recognition[{i}]"
        if r.kind not in RECOGNITION_KINDS:
            bad(f"{where}.kind", f"{r.kind!r}: use one of {_one_of(RECOGNITION_KINDS)}")
        if not r.text.strip():
            bad(f"{where}.text", "say what the evidence is")
        if not r.source.strip():
            bad(f"{where}.source", "name the source of the evidence")
    return p


def duplicates(programs: list[tuple[str, Program]]) -> list[Problem]:
    """Records that repeat a (provider, external_id) pair of an earlier record."""
    first: dict[tuple[str, str], str] = {}
    out: list[Problem] = []
    for where, prog in programs:
        key = (prog.provider.name.strip(), prog.external_id.strip())
        if key in first:
            out.append(Problem(where, f"repeats program {key[1]!r} of {key[0]!r} ({first[key]})"))
        else:
            first[key] = where
    return out


def _one_of(values: Any) -> str:
    return ", ".join(values)
