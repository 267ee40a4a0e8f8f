"""Request and response shapes of the wallet's JSON API (``/api/v1/wallet``).

Requests forbid unknown members (a typo is a 400 naming it); every id is the wallet's own
(a credential, collection or share link id of the signed-in learner: another learner's is
a 404, the same as one that does not exist).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from microcred.wallet import organise, shares

Id = Annotated[str, Field(min_length=1, max_length=100)]
Ids = Annotated[list[Id], Field(min_length=1, max_length=500)]
State = Literal["verified", "indeterminate", "expired", "revoked", "suspended", "failed"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- credentials ----------------------------------------------------------------------------
class StatusOut(BaseModel):
    verdict: Literal["verified", "failed", "indeterminate"] = Field(
        description="The verifier's verdict at the last check."
    )
    state: State = Field(description="What the learner sees (expiry by date counts at once).")
    reason: str | None = Field(description="Why, unless verified.")
    checked_at: dt.datetime = Field(description="When the verifier last checked it.")


class IssuerIdentityOut(BaseModel):
    level: Literal["domain", "registered", "self-asserted"] = Field(
        description="How far the issuer's identity is established: `domain` (its own "
        "document, served by its domain, lists the key), `registered` (listed in a trust "
        "registry of this server), `self-asserted` (anyone can create such a key)."
    )
    id: str | None
    name: str | None = Field(description="The name the credential gives its issuer.")
    domain: str | None
    registry: str | None = Field(description="The registry listing it (`registered`).")
    sentence: str = Field(description="The identity in plain words.")


class SkillOut(BaseModel):
    uri: str | None
    label: str
    framework: str | None


class CredentialOut(BaseModel):
    id: str = Field(description="The wallet's id for it.")
    name: str = Field(description="The achievement's name.")
    issuer_id: str | None
    issuer_name: str | None
    credential_id: str | None = Field(description="The credential's own `id`.")
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    added_at: dt.datetime
    media_type: str = Field(description="How it was imported: JSON-LD, VC-JWT, PNG, SVG.")
    source: str | None = Field(description="The file name or URL it came from.")
    tags: list[str]
    note: str | None
    skills: list[SkillOut]
    renewal_url: str | None
    issued_credential_id: str | None = Field(
        description="This deployment's credential id, when it was issued here."
    )
    status: StatusOut
    issuer_identity: IssuerIdentityOut | None = Field(
        default=None,
        description="Who issued it, as the last check established (null before a check "
        "that says so).",
    )


class CollectionRef(BaseModel):
    id: str
    name: str


class CredentialDetail(CredentialOut):
    document: dict[str, Any] = Field(description="The credential (a VC-JWT's payload).")
    report: dict[str, Any] = Field(description="The verifier's last report.")
    collections: list[CollectionRef]


class CredentialList(BaseModel):
    total: int
    items: list[CredentialOut]


class ImportedOut(BaseModel):
    id: str
    name: str
    created: bool = Field(description="False: it was in the wallet already (nothing changed).")
    status: StatusOut


class ImportResult(BaseModel):
    created: int
    duplicates: int
    credentials: list[ImportedOut]


class TagsIn(_In):
    tags: list[Annotated[str, Field(max_length=200)]] = Field(
        max_length=organise.MAX_TAGS * 2,
        description=f"The credential's tags (replaces them; at most {organise.MAX_TAGS}).",
    )


class TagsOut(BaseModel):
    tags: list[str]


class NoteIn(_In):
    note: str | None = Field(
        max_length=organise.MAX_NOTE * 2, description="The note; null or blank clears it."
    )


class NoteOut(BaseModel):
    note: str | None


# ---- collections ----------------------------------------------------------------------------
class CollectionIn(_In):
    name: str = Field(min_length=1, max_length=organise.MAX_COLLECTION_NAME * 2)
    description: str | None = Field(None, max_length=organise.MAX_COLLECTION_DESCRIPTION * 2)


class CollectionPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=organise.MAX_COLLECTION_NAME * 2)
    description: str | None = Field(None, max_length=organise.MAX_COLLECTION_DESCRIPTION * 2)


class CollectionOut(BaseModel):
    id: str
    name: str
    description: str | None
    count: int = Field(description="How many credentials it holds.")
    created_at: dt.datetime


class CollectionList(BaseModel):
    items: list[CollectionOut]


class CredentialIds(_In):
    credentials: Ids = Field(description="Wallet credential ids.")


class ChangedOut(BaseModel):
    changed: int = Field(description="How many were added (or removed).")


# ---- views ----------------------------------------------------------------------------------
class TimelineEventOut(BaseModel):
    at: dt.datetime
    kind: Literal["issued", "expires", "expired"]
    credential_id: str
    name: str


class TimelineOut(BaseModel):
    events: list[TimelineEventOut]


class ExpiringOut(BaseModel):
    credential_id: str
    name: str
    valid_until: dt.datetime
    days_left: int
    renewal_url: str | None


class ExpiringList(BaseModel):
    days: int
    items: list[ExpiringOut]


class SkillEntryOut(BaseModel):
    uri: str | None
    label: str
    framework: str | None
    credentials: list[str] = Field(description="The wallet credentials showing it.")


class SkillsProfile(BaseModel):
    skills: list[SkillEntryOut]
    have: list[str] = Field(description="The skill URIs: what the advisor's `have` takes.")


# ---- transcript, presentations --------------------------------------------------------------
class TranscriptIn(_In):
    credentials: Ids
    name: str | None = Field(None, max_length=300, description="The transcript's name.")


class PresentationIn(_In):
    credentials: Ids
    challenge: str = Field(min_length=1, max_length=500, description="The verifier's nonce.")
    domain: str = Field(min_length=1, max_length=500, description="The verifier's domain.")
    expires: AwareDatetime | None = Field(
        None, description="When the presentation's proof expires (with a time zone)."
    )


# ---- share links ----------------------------------------------------------------------------
class ShareIn(_In):
    target_kind: Literal["credential", "collection"]
    target_id: Id
    expires_at: AwareDatetime | None = Field(None, description="With a time zone; null: never.")
    show_name: bool = Field(False, description="Show the learner's display name.")
    show_email: bool = Field(False, description="Show the learner's e-mail address.")
    label: str | None = Field(None, max_length=shares.MAX_LABEL * 2)


class ShareOut(BaseModel):
    id: str
    target_kind: str
    target_id: str
    label: str | None
    show_name: bool
    show_email: bool
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    state: Literal["active", "expired", "revoked"]
    views: int


class ShareCreated(ShareOut):
    url: str = Field(description="The public link: shown this once, never again.")


class ShareList(BaseModel):
    items: list[ShareOut]
