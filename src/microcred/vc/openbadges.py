"""Open Badges 3.0 and CLR 2.0 documents: builders.

Builders (``achievement``, ``profile``, ``alignment``, ``result``, ``result_description``,
``evidence``, ``association``, ``identity_object``, ``open_badge_credential``,
``clr_credential``) are keyword-only functions returning plain JSON dicts with the
specifications' names. They raise ``ShapeError`` on caller mistakes; the two credential
builders also run ``check_shape`` on what they built and raise if it finds anything.

``check_shape`` and ``Problem`` live in ``shape`` and are re-exported here:
``check_shape(doc)`` never raises for a bad document: it returns one ``Problem`` per broken
rule, each naming a JSON path (``$.credentialSubject.result[0].type``) and saying what is
wrong in a plain sentence. It covers the VC 2.0 and VC 1.1 data models, Open Badges 3.0
(OpenBadgeCredential, AchievementCredential, EndorsementCredential) and CLR 2.0
(ClrCredential); any other VerifiableCredential gets the VC-level rules only. Proofs are not
checked here (see ``proofs``), nor whether a context is bundled (see ``jsonld``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from microcred.vc._ob_vocab import (
    ACHIEVEMENT_TYPES,
    ALIGNMENT_TARGET_TYPES,
    EXT_RE,
    URI_RE,
    URL_RE,
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    Json,
    is_valid_achievement_type,
    parse_date_time,
)
from microcred.vc.errors import VCError
from microcred.vc.shape import Problem, check_shape

__all__ = [
    "ACHIEVEMENT_TYPES",
    "CLR_CONTEXT",
    "OB_CONTEXT",
    "Problem",
    "ShapeError",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "achievement",
    "alignment",
    "association",
    "check_shape",
    "clr_credential",
    "evidence",
    "identity_matches",
    "identity_object",
    "is_valid_achievement_type",
    "open_badge_credential",
    "profile",
    "result",
    "result_description",
]

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-{version}.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
_OB_VERSIONS = ("3.0.2", "3.0.3")  # the OB 3.0 contexts written for the VC 2.0 data model

_RESULT_TYPES = frozenset(
    {
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    }
)
_RESULT_STATUSES = frozenset(
    {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}
)
_IDENTITY_TYPES = frozenset(
    {
        "sourcedId",
        "systemId",
        "productId",
        "userName",
        "accountId",
        "emailAddress",
        "nationalIdentityNumber",
        "isbn",
        "issn",
        "lisSourcedId",
        "oneRosterSourcedId",
        "sisSourcedId",
        "ltiContextId",
        "ltiDeploymentId",
        "ltiToolId",
        "ltiPlatformId",
        "ltiUserId",
        "identifier",
    }
)
_ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANG_RE = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


class ShapeError(VCError):
    """A builder was given something that cannot make a valid OB 3.0 / CLR 2.0 document."""

    code = "shape"


# --------------------------------------------------------------------------- builders


def achievement(
    *,
    id: str,
    name: str,
    description: str,
    criteria_narrative: str | None = None,
    criteria_id: str | None = None,
    image: str | Json | None = None,
    achievement_type: str | None = None,
    credits_available: float | None = None,
    result_description: list[Json] | None = None,
    tag: list[str] | None = None,
    alignment: list[Json] | None = None,
    in_language: str | None = None,
    version: str | None = None,
    field_of_study: str | None = None,
    human_code: str | None = None,
    specialization: str | None = None,
    creator: Json | None = None,
) -> Json:
    """An OB 3.0 ``Achievement``. Criteria need a narrative (Markdown), a URL, or both.

    Raises ShapeError on a missing or malformed field (bad URI, unknown achievementType,
    negative credits, a language tag that is not BCP 47 shaped).
    """
    _require_uri(id, "achievement id")
    _require_text(name, "achievement name")
    _require_text(description, "achievement description")
    if not criteria_narrative and not criteria_id:
        raise ShapeError("an achievement needs criteria: a narrative, a criteria URL, or both")
    criteria: Json = {}
    if criteria_id:
        _require_uri(criteria_id, "criteria id")
        criteria["id"] = criteria_id
    if criteria_narrative:
        criteria["narrative"] = criteria_narrative
    out: Json = {
        "id": id,
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": criteria,
    }
    if achievement_type is not None:
        if not is_valid_achievement_type(achievement_type):
            raise ShapeError(
                f"achievementType {achievement_type!r} is neither an Open Badges 3.0 value "
                "(e.g. Badge, Certificate, MicroCredential) nor of the form ext:Name "
                "(letters, digits, '.', '-', '_')"
            )
        out["achievementType"] = achievement_type
    if credits_available is not None:
        if (
            isinstance(credits_available, bool)
            or not isinstance(credits_available, int | float)
            or credits_available < 0
        ):
            raise ShapeError("creditsAvailable must be a number of credits, zero or more")
        out["creditsAvailable"] = credits_available
    if in_language is not None:
        if not _LANG_RE.match(in_language):
            raise ShapeError(f"inLanguage {in_language!r} is not a language code like en or fr-CA")
        out["inLanguage"] = in_language
    if tag is not None:
        if not all(isinstance(t, str) and t for t in tag):
            raise ShapeError("every tag must be a non-empty string")
        out["tag"] = list(tag)
    for key, value in (
        ("version", version),
        ("fieldOfStudy", field_of_study),
        ("humanCode", human_code),
        ("specialization", specialization),
    ):
        if value is not None:
            _require_text(value, key)
            out[key] = value
    if image is not None:
        out["image"] = _image(image)
    if alignment:
        out["alignment"] = _objects(alignment, "alignment")
    if result_description:
        out["resultDescription"] = _objects(result_description, "resultDescription")
    if creator is not None:
        out["creator"] = _profile_of(creator)
    return out


def profile(
    *,
    id: str,
    name: str | None = None,
    url: str | None = None,
    email: str | None = None,
    image: str | Json | None = None,
    description: str | None = None,
    address: Json | None = None,
    phone: str | None = None,
    parent_org: Json | None = None,
) -> Json:
    """An issuer ``Profile`` (type ["Profile"]). ``address`` uses the spec's names
    (``addressCountry``, ``postalCode``...). Raises ShapeError on a bad id, url or e-mail."""
    _require_uri(id, "profile id")
    out: Json = {"id": id, "type": ["Profile"]}
    if name is not None:
        out["name"] = _require_text(name, "profile name")
    if url is not None:
        if not URL_RE.match(url):
            raise ShapeError(f"profile url {url!r} is not an http(s) URL")
        out["url"] = url
    if email is not None:
        if not _EMAIL_RE.match(email):
            raise ShapeError(f"profile email {email!r} is not an e-mail address")
        out["email"] = email
    if phone is not None:
        out["phone"] = _require_text(phone, "profile phone")
    if description is not None:
        out["description"] = _require_text(description, "profile description")
    if image is not None:
        out["image"] = _image(image)
    if address is not None:
        if not isinstance(address, dict):
            raise ShapeError("address must be an object with addressCountry, postalCode, ...")
        out["address"] = {"type": ["Address"], **{k: v for k, v in address.items() if k != "type"}}
    if parent_org is not None:
        out["parentOrg"] = _profile_of(parent_org)
    return out


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_code: str | None = None,
    target_framework: str | None = None,
    target_type: str | None = None,
    target_description: str | None = None,
) -> Json:
    """An ``Alignment`` to a framework node (a skill, a competency, a CTDL credential).

    Raises ShapeError on a missing name, a target URL that is not a URI, or a targetType
    outside the OB 3.0 vocabulary (CFItem, CTDL, ceasn:Competency, ... or ext:Name)."""
    out: Json = {
        "type": ["Alignment"],
        "targetName": _require_text(target_name, "targetName"),
        "targetUrl": _require_uri(target_url, "targetUrl"),
    }
    if target_type is not None:
        if target_type not in ALIGNMENT_TARGET_TYPES and not EXT_RE.match(target_type):
            raise ShapeError(f"targetType {target_type!r} is not an OB 3.0 alignment target type")
        out["targetType"] = target_type
    for key, value in (
        ("targetCode", target_code),
        ("targetFramework", target_framework),
        ("targetDescription", target_description),
    ):
        if value is not None:
            out[key] = _require_text(value, key)
    return out


def result_description(
    *,
    id: str,
    name: str,
    result_type: str,
    allowed_value: list[str] | None = None,
    required_value: str | None = None,
    value_min: str | None = None,
    value_max: str | None = None,
    required_level: str | None = None,
    rubric_criterion_level: list[Json] | None = None,
    alignment: list[Json] | None = None,
) -> Json:
    """A ``ResultDescription`` (what results an achievement can carry). Raises ShapeError on
    a bad id or a resultType outside the OB 3.0 vocabulary (LetterGrade, Status, ... ext:)."""
    _require_uri(id, "resultDescription id")
    if result_type not in _RESULT_TYPES and not EXT_RE.match(result_type):
        raise ShapeError(f"resultType {result_type!r} is not an OB 3.0 result type")
    out: Json = {
        "id": id,
        "type": ["ResultDescription"],
        "name": _require_text(name, "resultDescription name"),
        "resultType": result_type,
    }
    if allowed_value is not None:
        out["allowedValue"] = [_require_text(v, "allowedValue") for v in allowed_value]
    for key, value in (
        ("requiredValue", required_value),
        ("valueMin", value_min),
        ("valueMax", value_max),
        ("requiredLevel", required_level),
    ):
        if value is not None:
            out[key] = _require_text(value, key)
    if rubric_criterion_level:
        out["rubricCriterionLevel"] = _objects(rubric_criterion_level, "rubricCriterionLevel")
    if alignment:
        out["alignment"] = _objects(alignment, "alignment")
    return out


def result(
    *,
    result_description: str | None = None,
    value: str | None = None,
    status: str | None = None,
    achieved_level: str | None = None,
    alignment: list[Json] | None = None,
) -> Json:
    """A ``Result`` for the credentialSubject. ``result_description`` is the id of the
    achievement's ResultDescription. Raises ShapeError on an unknown status or an empty
    result."""
    out: Json = {"type": ["Result"]}
    if result_description is not None:
        out["resultDescription"] = _require_uri(result_description, "resultDescription")
    if value is not None:
        out["value"] = _require_text(value, "result value")
    if status is not None:
        if status not in _RESULT_STATUSES:
            raise ShapeError(f"result status {status!r} is not one of {sorted(_RESULT_STATUSES)}")
        out["status"] = status
    if achieved_level is not None:
        out["achievedLevel"] = _require_uri(achieved_level, "achievedLevel")
    if alignment:
        out["alignment"] = _objects(alignment, "alignment")
    if len(out) == 1:
        raise ShapeError("a result needs a value, a status, an achieved level or alignments")
    return out


def evidence(
    *,
    id: str | None = None,
    narrative: str | None = None,
    name: str | None = None,
    description: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> Json:
    """An ``Evidence`` entry: a URL (``id``), a narrative, or both. Raises ShapeError when
    both are missing or the URL is not a URI."""
    if not id and not narrative:
        raise ShapeError("evidence needs a URL (id), a narrative, or both")
    out: Json = {"type": ["Evidence"]}
    if id:
        out["id"] = _require_uri(id, "evidence id")
    for key, value in (
        ("narrative", narrative),
        ("name", name),
        ("description", description),
        ("genre", genre),
        ("audience", audience),
    ):
        if value is not None:
            out[key] = _require_text(value, f"evidence {key}")
    return out


def association(*, association_type: str, source_id: str, target_id: str) -> Json:
    """A CLR 2.0 ``Association`` between two achievements (e.g. ``isParentOf``)."""
    if association_type not in _ASSOCIATION_TYPES:
        raise ShapeError(
            f"associationType {association_type!r} is not one of {sorted(_ASSOCIATION_TYPES)}"
        )
    return {
        "type": "Association",
        "associationType": association_type,
        "sourceId": _require_uri(source_id, "sourceId"),
        "targetId": _require_uri(target_id, "targetId"),
    }


def identity_object(
    email_or_value: str,
    *,
    salt: str | None = None,
    identity_type: str = "emailAddress",
) -> Json:
    """A hashed ``IdentityObject``: identityHash = "sha256$" + hex(sha256(value + salt)).

    A random salt is generated when none is given (unsalted hashes of e-mail addresses are
    easy to reverse). Raises ShapeError on an empty value or an unknown identityType.
    """
    _require_text(email_or_value, "identity value")
    if identity_type not in _IDENTITY_TYPES and not EXT_RE.match(identity_type):
        raise ShapeError(f"identityType {identity_type!r} is not an OB 3.0 identifier type")
    if salt is None:
        salt = secrets.token_hex(16)
    digest = hashlib.sha256((email_or_value + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "identityType": identity_type,
        "salt": salt,
    }


def identity_matches(identity_object: Json, value: str) -> bool:
    """True when ``value`` is the identity the IdentityObject names (hashed or plain).

    Supports the spec's two algorithms, sha256 and md5. A malformed object is no match.
    """
    if not isinstance(identity_object, dict) or not isinstance(value, str):
        return False
    stored = identity_object.get("identityHash")
    if not isinstance(stored, str):
        return False
    if identity_object.get("hashed") is not True:
        return hmac.compare_digest(stored.encode("utf-8"), value.encode("utf-8"))
    algorithm, _, expected = stored.partition("$")
    salt = identity_object.get("salt") or ""
    if not isinstance(salt, str):
        return False
    data = (value + salt).encode("utf-8")
    if algorithm == "sha256":
        actual = hashlib.sha256(data).hexdigest()
    elif algorithm == "md5":
        actual = hashlib.md5(data, usedforsecurity=False).hexdigest()
    else:
        return False
    return hmac.compare_digest(actual, expected.lower())


def open_badge_credential(
    *,
    id: str,
    issuer: Json | str,
    achievement: Json,
    subject_id: str | None = None,
    identifier: list[Json] | Json | None = None,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    name: str | None = None,
    result: list[Json] | Json | None = None,
    evidence: list[Json] | Json | None = None,
    credential_status: list[Json] | Json | None = None,
    context_version: str = "3.0.3",
) -> Json:
    """An unsigned ``OpenBadgeCredential`` (VC 2.0 data model).

    ``issuer`` is a Profile (see ``profile``; a bare id becomes a minimal Profile). The
    subject is named by ``subject_id`` (a DID or URL), by ``identifier`` (IdentityObjects),
    or both. ``name`` defaults to the achievement's. Dates are timezone-aware datetimes or
    RFC 3339 strings. Raises ShapeError on caller mistakes, including anything
    ``check_shape`` finds in the result.
    """
    subject: Json = {"type": ["AchievementSubject"]}
    _subject_ids(subject, subject_id, identifier)
    subject["achievement"] = achievement
    if result is not None:
        subject["result"] = _objects(_listify(result), "result")
    doc = _credential_base(
        id, ["OpenBadgeCredential"], [_ob_context(context_version)], issuer, valid_from, valid_until
    )
    if name is None and isinstance(achievement, dict):
        name = achievement.get("name")
    doc["name"] = name
    doc["credentialSubject"] = subject
    if evidence is not None:
        doc["evidence"] = _objects(_listify(evidence), "evidence")
    if credential_status is not None:
        doc["credentialStatus"] = credential_status
    return _checked(doc)


def clr_credential(
    *,
    id: str,
    issuer: Json | str,
    name: str,
    verifiable_credentials: list[Json],
    valid_from: datetime | str,
    subject_id: str | None = None,
    identifier: list[Json] | Json | None = None,
    achievements: list[Json] | None = None,
    associations: list[Json] | None = None,
    valid_until: datetime | str | None = None,
    description: str | None = None,
    credential_status: list[Json] | Json | None = None,
    context_version: str = "3.0.3",
) -> Json:
    """An unsigned CLR 2.0 ``ClrCredential`` bundling (signed) AchievementCredentials.

    Raises ShapeError on caller mistakes, including anything ``check_shape`` finds.
    """
    if not verifiable_credentials:
        raise ShapeError("a CLR needs at least one verifiable credential")
    subject: Json = {"type": ["ClrSubject"]}
    _subject_ids(subject, subject_id, identifier)
    subject["verifiableCredential"] = list(verifiable_credentials)
    if achievements:
        subject["achievement"] = _objects(achievements, "achievement")
    if associations:
        subject["association"] = _objects(associations, "association")
    doc = _credential_base(
        id,
        ["ClrCredential"],
        [CLR_CONTEXT, _ob_context(context_version)],
        issuer,
        valid_from,
        valid_until,
    )
    doc["name"] = _require_text(name, "CLR name")
    if description is not None:
        doc["description"] = _require_text(description, "CLR description")
    doc["credentialSubject"] = subject
    if credential_status is not None:
        doc["credentialStatus"] = credential_status
    return _checked(doc)


def _credential_base(
    id: str,
    types: list[str],
    contexts: list[str],
    issuer: Json | str,
    valid_from: datetime | str,
    valid_until: datetime | str | None,
) -> Json:
    doc: Json = {
        "@context": [VC_V2_CONTEXT, *contexts],
        "id": _require_uri(id, "credential id"),
        "type": ["VerifiableCredential", *types],
        "issuer": _profile_of(issuer),
        "validFrom": _date_time(valid_from, "validFrom"),
    }
    if valid_until is not None:
        doc["validUntil"] = _date_time(valid_until, "validUntil")
        start, end = parse_date_time(doc["validFrom"]), parse_date_time(doc["validUntil"])
        if start is not None and end is not None and end < start:
            raise ShapeError("validUntil is earlier than validFrom")
    return doc


def _subject_ids(subject: Json, subject_id: str | None, identifier: Any) -> None:
    if subject_id is None and not identifier:
        raise ShapeError("name the recipient: a subject id (DID or URL), identifiers, or both")
    if subject_id is not None:
        subject["id"] = _require_uri(subject_id, "subject id")
    if identifier:
        subject["identifier"] = _objects(_listify(identifier), "identifier")


def _checked(doc: Json) -> Json:
    problems = check_shape(doc)
    if problems:
        listed = "; ".join(f"{p.path}: {p.message}" for p in problems[:5])
        raise ShapeError(
            f"the credential is not valid: {listed}",
            detail="\n".join(f"{p.path}: {p.message}" for p in problems),
        )
    return doc


def _ob_context(version: str) -> str:
    if version not in _OB_VERSIONS:
        raise ShapeError(f"Open Badges context version {version!r} is not one of {_OB_VERSIONS}")
    return OB_CONTEXT.format(version=version)


def _profile_of(value: Json | str) -> Json:
    if isinstance(value, str):
        return profile(id=value)
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise ShapeError("a profile must be an id or an object with an id (see profile())")
    return value


def _image(value: str | Json) -> Json:
    if isinstance(value, str):
        return {"id": _require_uri(value, "image"), "type": "Image"}
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise ShapeError("an image must be a URL or an object with an id")
    return {**value, "type": "Image"}


def _objects(values: Any, what: str) -> list[Json]:
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise ShapeError(f"{what} must be a list of objects")
    return list(values)


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _require_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ShapeError(f"{what} must be a non-empty string")
    return value


def _require_uri(value: Any, what: str) -> str:
    if not isinstance(value, str) or not URI_RE.match(value):
        raise ShapeError(
            f"{what} must be a URI (https://..., urn:uuid:..., did:...), got {value!r}"
        )
    return value


def _date_time(value: datetime | str, what: str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ShapeError(f"{what} must be a timezone-aware datetime")
        text = value.astimezone(UTC).isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")
    if parse_date_time(value) is None:
        raise ShapeError(
            f"{what} {value!r} is not a date-time with a time zone, e.g. 2025-01-31T12:00:00Z"
        )
    return value
