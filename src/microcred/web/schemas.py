"""Request and response shapes of the organisation API.

Requests (``*Create``, ``*Change``) and responses (``*Public``) are separate models, and a
response model lists every field it shows: a column such as a sealed signing key, a token
hash or a claim token hash cannot reach a response by being added to a table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from microcred.issuing import cohort_csv

Duplicate = Literal["skip", "reissue", "fail"]
State = Literal["active", "revoked", "suspended", "expired"]
ROTATE_REASON = "rotated through the API"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- organisation -------------------------------------------------------------------------
class KeyPublic(BaseModel):
    public_key_multibase: str
    created_at: datetime
    retired_at: datetime | None


class OrgPublic(BaseModel):
    slug: str
    name: str
    issuer_id: str = Field(description="The organisation's DID: credentials name it as issuer.")
    provider_type: str
    url: str | None
    email: str | None
    description: str | None
    keys: list[KeyPublic] = Field(description="Public keys, newest first (current and retired).")
    token_role: str = Field(description="The role of the token that made this request.")


# ---- achievements -------------------------------------------------------------------------
class AchievementCreate(RootModel[dict[str, Any]]):
    """An achievement definition: Open Badges Achievement fields (name, description,
    criteria, achievementType, alignment, ...), the EU standard elements (learningOutcome,
    workloadHours, ects, eqfLevel, ...) and validity (e.g. "P2Y"). Problems are answered
    400, naming the JSON path."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Basic Life Support",
                    "description": "Adult CPR and defibrillator use.",
                    "criteria": "Pass the practical assessment.",
                    "achievementType": "Certificate",
                    "workloadHours": 8,
                    "eqfLevel": 3,
                    "validity": "P2Y",
                }
            ]
        }
    )


class AchievementPublic(BaseModel):
    id: str
    name: str
    definition: dict[str, Any]
    validity_days: int | None
    created_at: datetime
    updated_at: datetime


# ---- awards -------------------------------------------------------------------------------
class AwardCreate(_Request):
    achievement_id: str
    email: str | None = Field(None, description="The recipient's e-mail address (or a did).")
    did: str | None = Field(None, description="The recipient's DID (or an email).")
    name: str | None = Field(None, max_length=cohort_csv.MAX_NAME)
    grade: str | None = Field(None, max_length=cohort_csv.MAX_GRADE)
    score: float | None = Field(None, allow_inf_nan=False)
    evidence_url: str | None = Field(None, max_length=cohort_csv.MAX_URL)
    evidence_narrative: str | None = Field(None, max_length=cohort_csv.MAX_NARRATIVE)
    narrative: str | None = Field(None, max_length=cohort_csv.MAX_NARRATIVE)
    on_duplicate: Duplicate = Field(
        "fail", description="When the recipient already holds it: fail (409), skip, reissue."
    )
    notify: bool = Field(True, description="E-mail the recipient a claim link.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and (problem := cohort_csv._check_email(value.strip())):
            raise ValueError(problem)
        return value.strip() if value else value

    @field_validator("did")
    @classmethod
    def _did(cls, value: str | None) -> str | None:
        if value is not None and not cohort_csv._DID_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a DID (did:<method>:<id>)")
        return value

    @field_validator("evidence_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme != "https" or not parts.hostname or " " in value:
                raise ValueError(f"{value!r} is not an https URL")
        return value

    @field_validator("name", "grade")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and cohort_csv._ONE_LINE_BAD.search(value):
            raise ValueError("contains a line break or control character")
        return value

    @model_validator(mode="after")
    def _one_recipient(self) -> AwardCreate:
        if bool(self.email) == bool(self.did):
            raise ValueError("give the recipient's email or did (one of them)")
        return self


class AwardPublic(BaseModel):
    credential_id: str
    status: Literal["issued", "reissued", "skipped"]
    url: str
    replaced: list[str] = Field(description="Credentials revoked because this one replaces them.")
    credential: dict[str, Any] = Field(description="The signed OpenBadgeCredential.")


# ---- cohorts and jobs ---------------------------------------------------------------------
class RowProblemPublic(BaseModel):
    line: int
    column: str | None
    message: str


class CohortReport(BaseModel):
    ok: bool = Field(description="True when the file can be issued as it is.")
    rows: int
    valid: int
    problem_count: int
    problems: list[RowProblemPublic]
    duplicates_in_file: list[tuple[int, int]] = Field(
        description="(first line, repeated line) of each recipient given twice."
    )


class JobAccepted(BaseModel):
    job_id: str
    total: int
    status_url: str


class JobFailure(BaseModel):
    line: int
    error: str | None


class JobPublic(BaseModel):
    job_id: str
    state: str
    total: int
    done: int
    skipped: int
    failed: int
    failures: list[JobFailure] = Field(description="The first 100 rows that failed.")


# ---- credentials --------------------------------------------------------------------------
class CredentialPublic(BaseModel):
    id: str
    achievement_id: str
    achievement_name: str
    recipient_kind: str
    recipient: str = Field(description="The e-mail address (lower-cased) or DID.")
    recipient_name: str | None
    state: State
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    suspended: bool
    replaced_by: str | None
    job_id: str | None
    url: str


class CredentialDetail(CredentialPublic):
    credential: dict[str, Any] = Field(description="The signed credential.")


class CredentialList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CredentialPublic]


class StatusChange(_Request):
    reason: str = Field(min_length=1, max_length=2000, description="Kept in the audit log.")


# ---- audit and keys -----------------------------------------------------------------------
class AuditPublic(BaseModel):
    id: int
    actor: str
    action: str
    subject: str | None
    reason: str | None
    at: datetime


class AuditList(BaseModel):
    total: int
    items: list[AuditPublic]


class KeyRotate(_Request):
    reason: str = Field(
        ROTATE_REASON, min_length=1, max_length=2000, description="For the audit log."
    )


class KeyRotated(BaseModel):
    public_key_multibase: str = Field(description="The new current key (the old one stays).")


# ---- W3C VC API ---------------------------------------------------------------------------
class IssueRequest(BaseModel):
    credential: dict[str, Any] = Field(description="The unsigned credential.")
    options: dict[str, Any] = Field(
        default_factory=dict, description='Optional: {"cryptosuite": "eddsa-jcs-2022"}.'
    )


class IssueResponse(BaseModel):
    verifiableCredential: dict[str, Any]  # noqa: N815 - the VC API's name
