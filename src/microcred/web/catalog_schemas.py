"""Request and response shapes of the public catalog API (``/api/v1/catalog``).

``CatalogQuery`` is the one definition of the search parameters and their limits: the API
takes it as its query parameters (a bad value is a 400 naming the parameter) and the
catalog page validates its form with it (a bad value is a message naming the field).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from microcred.catalog.model import CREDENTIAL_TYPES, FORMATS, PROOFS, PROVIDER_TYPES
from microcred.catalog.search import MAX_LIMIT

ProviderType = Literal[PROVIDER_TYPES]  # type: ignore[valid-type]
Format = Literal[FORMATS]  # type: ignore[valid-type]
Proof = Literal[PROOFS]  # type: ignore[valid-type]
MAX_WEEKS = 10_000
MAX_OFFSET = 1_000_000_000
FUNDING_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
PAGE_SIZE = 20
_DEFAULTS = {"limit": PAGE_SIZE, "offset": 0}


class CatalogQuery(BaseModel):
    """Search words and filters; an empty value is the same as leaving the parameter out."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(
        None,
        max_length=500,
        description="Words to search for (name, learning outcomes, skills, topics, provider); "
        "every word must match.",
    )
    topic: str | None = Field(None, max_length=300, description="A topic (exact, any case).")
    skill: str | None = Field(None, max_length=2000, description="A skill URI (ESCO, O*NET).")
    provider_type: ProviderType | None = Field(None, description="The provider's type.")
    format: Format | None = Field(None, description="How it is taught.")
    max_cost: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        description="Highest price hint (gross cost at 5 h/week, in the program's currency).",
    )
    max_weeks: int | None = Field(
        None, ge=0, le=MAX_WEEKS, description="Longest duration in weeks (weeks_max)."
    )
    funding: str | None = Field(
        None,
        pattern=FUNDING_PATTERN,
        description="`true`: eligible for any funding; `false`: for none; or a funding token "
        "(`skillsfuture_eligible`).",
    )
    proof: Proof | None = Field(None, description="The proof a learner gets.")
    limit: int = Field(PAGE_SIZE, ge=0, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not value.strip():
            return _DEFAULTS.get(info.field_name or "")
        return value

    def search_args(self) -> dict[str, Any]:
        """Keyword arguments for ``catalog.search.search``."""
        funding: bool | str | None = self.funding
        if funding == "true":
            funding = True
        elif funding == "false":
            funding = False
        return {
            "q": self.q,
            "topic": self.topic,
            "skill": self.skill,
            "provider_type": self.provider_type,
            "format": self.format,
            "max_cost": self.max_cost,
            "max_weeks": self.max_weeks,
            "funding": funding,
            "proof": self.proof,
            "limit": self.limit,
            "offset": self.offset,
        }


# ---- responses ----------------------------------------------------------------------------
class ProviderPublic(BaseModel):
    name: str
    provider_type: str = Field(description=" | ".join(PROVIDER_TYPES))
    accrediting_body: str | None = Field(None, description="Quality assurance: who accredits it.")
    recognised_institution: bool = Field(
        False, description="A recognised post-secondary institution."
    )
    url: str | None = None
    country: str | None = Field(None, description="ISO 3166 country or region (CA, CA-ON).")
    institution_type: str | None = Field(
        None, description="What funding rules call the institution (public_college, ...)."
    )


class ProviderBrief(BaseModel):
    name: str
    provider_type: str


class CostItemPublic(BaseModel):
    kind: str = Field(description="one_time | per_course | monthly | exam | retake | renewal")
    amount: float
    currency: str = Field(description="ISO 4217")
    courses: int | None = Field(None, description="per_course: how many courses.")
    every_years: int | None = Field(None, description="renewal: every how many years.")


class RecognitionPublic(BaseModel):
    kind: str = Field(description="endorsement | survey")
    text: str
    source: str
    date: dt.date | None = None


class ProgramSummary(BaseModel):
    id: str
    name: str
    provider: ProviderBrief
    credential_type: str = Field(description=" | ".join(CREDENTIAL_TYPES))
    description: str
    hours: float | None
    weeks_min: int | None
    weeks_max: int | None
    format: str | None
    language: str | None
    proof: str | None
    price_hint: float | None = Field(
        description="Gross cost at 5 hours a week, in `currency` (null when it cannot be told)."
    )
    currency: str | None
    funding: list[str]
    topics: list[str]
    is_sample: bool = Field(description="Sample data, true as of `as_of`, not a real offer.")
    as_of: dt.date | None
    score: float = Field(description="Relevance to `q` (higher is better; 0 without `q`).")


class CatalogFacets(BaseModel):
    """Counts over every program matching the query and filters (not only this page); a
    program that does not state its format or proof counts as `unknown`."""

    provider_type: dict[str, int]
    format: dict[str, int]
    credential_type: dict[str, int]
    proof: dict[str, int]


class CatalogList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ProgramSummary]
    facets: CatalogFacets


class ProgramDetail(BaseModel):
    """The whole program (the catalog's data model), its id, whether it is sample data and
    its price hint."""

    id: str
    is_sample: bool
    price_hint: float | None
    external_id: str
    name: str
    provider: ProviderPublic
    credential_type: str
    description: str = ""
    url: str | None = None
    learning_outcomes: list[str] = []
    hours: float | None = Field(None, description="Workload in hours.")
    ects: float | None = None
    eqf_level: int | None = None
    qualification_level: int | None = Field(None, description="National framework level.")
    assessment: str | None = None
    participation: str | None = Field(None, description="Form of participation.")
    quality_assurance: str | None = None
    prerequisites: list[str] = []
    stackability: str | None = None
    stacks_into: list[str] = []
    has_parts: list[str] = []
    skills: list[str] = Field([], description="ESCO / O*NET URIs.")
    occupations: list[str] = []
    topics: list[str] = []
    weeks_min: int | None = None
    weeks_max: int | None = None
    hours_per_week: float | None = None
    pacing: str | None = Field(None, description="self_paced | cohort")
    cohort_dates: list[dt.date] = []
    format: str | None = None
    language: str | None = None
    cost: list[CostItemPublic] = []
    funding: list[str] = []
    proof: str | None = Field(None, description=" | ".join(PROOFS))
    validity_months: int | None = None
    renewal: str | None = None
    recognition: list[RecognitionPublic] = []
    as_of: dt.date | None = None
