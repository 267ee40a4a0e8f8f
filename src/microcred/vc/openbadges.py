"""Open Badges 3.0 and CLR 2.0 documents: builders and shape checks.

Builders (``achievement``, ``profile``, ``alignment``, ``result``, ``result_description``,
``evidence``, ``association``, ``identity_object``, ``open_badge_credential``,
``clr_credential``) are keyword-only functions returning plain JSON dicts with the
specifications' names. They raise ``ShapeError`` on caller mistakes; the two credential
builders also run ``check_shape`` on what they built and raise if it finds anything.

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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from microcred.vc.errors import VCError

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

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-{version}.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
_OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
_CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"
_OB_VERSIONS = ("3.0.2", "3.0.3")  # the OB 3.0 contexts written for the VC 2.0 data model

ACHIEVEMENT_TYPES = frozenset({
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
    "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion",
    "Certification", "CommunityService", "Competency", "Course", "CoCurricular", "Degree",
    "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership",
    "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree",
    "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
})
_ALIGNMENT_TARGET_TYPES = frozenset({
    "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
    "CFRubricCriterionLevel", "CTDL",
})
_RESULT_TYPES = frozenset({
    "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore",
    "RawScore", "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore",
    "ScaledScore", "Status",
})
_RESULT_STATUSES = frozenset(
    {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}
)
_IDENTITY_TYPES = frozenset({
    "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
    "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
    "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
    "ltiUserId", "identifier",
})
_ASSOCIATION_TYPES = frozenset({
    "exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo",
    "precedes", "replacedBy",
})
_OB_KINDS = {
    "OpenBadgeCredential": "ob", "AchievementCredential": "ob",
    "EndorsementCredential": "endorsement", "ClrCredential": "clr",
}
_STATUS_LIST_ENTRIES = ("BitstringStatusListEntry", "StatusList2021Entry")

# The specification's pattern, taken literally (as JSON Schema validators do): inside the
# brackets "|" is a literal and "|-|" a one-character range, so "-" is NOT allowed.
_EXT_RE = re.compile(r"^ext:[a-z|A-Z|0-9|.|-|_]+$")
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANG_RE = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$"
)
_IDENTITY_HASH_RE = re.compile(r"^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$")
_JWS_RE = re.compile(r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Json = dict[str, Any]
_Check = Callable[[Json, str, list["Problem"]], None]


class ShapeError(VCError):
    """A builder was given something that cannot make a valid OB 3.0 / CLR 2.0 document."""

    code = "shape"


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (a JSON path from ``$``) and what, in a plain sentence."""

    path: str
    message: str


# --------------------------------------------------------------------------- builders


def is_valid_achievement_type(value: object) -> bool:
    """True for a value of the OB 3.0 AchievementType vocabulary or an ``ext:`` extension."""
    return isinstance(value, str) and (value in ACHIEVEMENT_TYPES or bool(_EXT_RE.match(value)))


def achievement(
    *, id: str, name: str, description: str, criteria_narrative: str | None = None,
    criteria_id: str | None = None, image: str | Json | None = None,
    achievement_type: str | None = None, credits_available: float | None = None,
    result_description: list[Json] | None = None, tag: list[str] | None = None,
    alignment: list[Json] | None = None, in_language: str | None = None,
    version: str | None = None, field_of_study: str | None = None,
    human_code: str | None = None, specialization: str | None = None,
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
    out: Json = {"id": id, "type": ["Achievement"], "name": name, "description": description,
                 "criteria": criteria}
    if achievement_type is not None:
        if not is_valid_achievement_type(achievement_type):
            raise ShapeError(
                f"achievementType {achievement_type!r} is neither an Open Badges 3.0 value "
                "(e.g. Badge, Certificate, MicroCredential) nor of the form ext:Name "
                "(letters, digits, '.', '_')"
            )
        out["achievementType"] = achievement_type
    if credits_available is not None:
        if isinstance(credits_available, bool) or not isinstance(credits_available, int | float) \
                or credits_available < 0:
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
    for key, value in (("version", version), ("fieldOfStudy", field_of_study),
                       ("humanCode", human_code), ("specialization", specialization)):
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
    *, id: str, name: str | None = None, url: str | None = None, email: str | None = None,
    image: str | Json | None = None, description: str | None = None,
    address: Json | None = None, phone: str | None = None, parent_org: Json | None = None,
) -> Json:
    """An issuer ``Profile`` (type ["Profile"]). ``address`` uses the spec's names
    (``addressCountry``, ``postalCode``...). Raises ShapeError on a bad id, url or e-mail."""
    _require_uri(id, "profile id")
    out: Json = {"id": id, "type": ["Profile"]}
    if name is not None:
        out["name"] = _require_text(name, "profile name")
    if url is not None:
        if not _URL_RE.match(url):
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
    *, target_name: str, target_url: str, target_code: str | None = None,
    target_framework: str | None = None, target_type: str | None = None,
    target_description: str | None = None,
) -> Json:
    """An ``Alignment`` to a framework node (a skill, a competency, a CTDL credential).

    Raises ShapeError on a missing name, a target URL that is not a URI, or a targetType
    outside the OB 3.0 vocabulary (CFItem, CTDL, ceasn:Competency, ... or ext:Name)."""
    out: Json = {"type": ["Alignment"], "targetName": _require_text(target_name, "targetName"),
                 "targetUrl": _require_uri(target_url, "targetUrl")}
    if target_type is not None:
        if target_type not in _ALIGNMENT_TARGET_TYPES and not _EXT_RE.match(target_type):
            raise ShapeError(f"targetType {target_type!r} is not an OB 3.0 alignment target type")
        out["targetType"] = target_type
    for key, value in (("targetCode", target_code), ("targetFramework", target_framework),
                       ("targetDescription", target_description)):
        if value is not None:
            out[key] = _require_text(value, key)
    return out


def result_description(
    *, id: str, name: str, result_type: str, allowed_value: list[str] | None = None,
    required_value: str | None = None, value_min: str | None = None,
    value_max: str | None = None, required_level: str | None = None,
    rubric_criterion_level: list[Json] | None = None, alignment: list[Json] | None = None,
) -> Json:
    """A ``ResultDescription`` (what results an achievement can carry). Raises ShapeError on
    a bad id or a resultType outside the OB 3.0 vocabulary (LetterGrade, Status, ... ext:)."""
    _require_uri(id, "resultDescription id")
    if result_type not in _RESULT_TYPES and not _EXT_RE.match(result_type):
        raise ShapeError(f"resultType {result_type!r} is not an OB 3.0 result type")
    out: Json = {"id": id, "type": ["ResultDescription"],
                 "name": _require_text(name, "resultDescription name"), "resultType": result_type}
    if allowed_value is not None:
        out["allowedValue"] = [_require_text(v, "allowedValue") for v in allowed_value]
    for key, value in (("requiredValue", required_value), ("valueMin", value_min),
                       ("valueMax", value_max), ("requiredLevel", required_level)):
        if value is not None:
            out[key] = _require_text(value, key)
    if rubric_criterion_level:
        out["rubricCriterionLevel"] = _objects(rubric_criterion_level, "rubricCriterionLevel")
    if alignment:
        out["alignment"] = _objects(alignment, "alignment")
    return out


def result(
    *, result_description: str | None = None, value: str | None = None,
    status: str | None = None, achieved_level: str | None = None,
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
    *, id: str | None = None, narrative: str | None = None, name: str | None = None,
    description: str | None = None, genre: str | None = None, audience: str | None = None,
) -> Json:
    """An ``Evidence`` entry: a URL (``id``), a narrative, or both. Raises ShapeError when
    both are missing or the URL is not a URI."""
    if not id and not narrative:
        raise ShapeError("evidence needs a URL (id), a narrative, or both")
    out: Json = {"type": ["Evidence"]}
    if id:
        out["id"] = _require_uri(id, "evidence id")
    for key, value in (("narrative", narrative), ("name", name), ("description", description),
                       ("genre", genre), ("audience", audience)):
        if value is not None:
            out[key] = _require_text(value, f"evidence {key}")
    return out


def association(*, association_type: str, source_id: str, target_id: str) -> Json:
    """A CLR 2.0 ``Association`` between two achievements (e.g. ``isParentOf``)."""
    if association_type not in _ASSOCIATION_TYPES:
        raise ShapeError(f"associationType {association_type!r} is not one of "
                         f"{sorted(_ASSOCIATION_TYPES)}")
    return {"type": "Association", "associationType": association_type,
            "sourceId": _require_uri(source_id, "sourceId"),
            "targetId": _require_uri(target_id, "targetId")}


def identity_object(
    email_or_value: str, *, salt: str | None = None, identity_type: str = "emailAddress",
) -> Json:
    """A hashed ``IdentityObject``: identityHash = "sha256$" + hex(sha256(value + salt)).

    A random salt is generated when none is given (unsalted hashes of e-mail addresses are
    easy to reverse). Raises ShapeError on an empty value or an unknown identityType.
    """
    _require_text(email_or_value, "identity value")
    if identity_type not in _IDENTITY_TYPES and not _EXT_RE.match(identity_type):
        raise ShapeError(f"identityType {identity_type!r} is not an OB 3.0 identifier type")
    if salt is None:
        salt = secrets.token_hex(16)
    digest = hashlib.sha256((email_or_value + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "hashed": True, "identityHash": f"sha256${digest}",
            "identityType": identity_type, "salt": salt}


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
    *, id: str, issuer: Json | str, achievement: Json, subject_id: str | None = None,
    identifier: list[Json] | Json | None = None, valid_from: datetime | str,
    valid_until: datetime | str | None = None, name: str | None = None,
    result: list[Json] | Json | None = None, evidence: list[Json] | Json | None = None,
    credential_status: list[Json] | Json | None = None, context_version: str = "3.0.3",
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
    doc = _credential_base(id, ["OpenBadgeCredential"], [_ob_context(context_version)],
                           issuer, valid_from, valid_until)
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
    *, id: str, issuer: Json | str, name: str, verifiable_credentials: list[Json],
    valid_from: datetime | str, subject_id: str | None = None,
    identifier: list[Json] | Json | None = None, achievements: list[Json] | None = None,
    associations: list[Json] | None = None, valid_until: datetime | str | None = None,
    description: str | None = None, credential_status: list[Json] | Json | None = None,
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
    doc = _credential_base(id, ["ClrCredential"], [CLR_CONTEXT, _ob_context(context_version)],
                           issuer, valid_from, valid_until)
    doc["name"] = _require_text(name, "CLR name")
    if description is not None:
        doc["description"] = _require_text(description, "CLR description")
    doc["credentialSubject"] = subject
    if credential_status is not None:
        doc["credentialStatus"] = credential_status
    return _checked(doc)


def _credential_base(id: str, types: list[str], contexts: list[str], issuer: Json | str,
                     valid_from: datetime | str, valid_until: datetime | str | None) -> Json:
    doc: Json = {"@context": [VC_V2_CONTEXT, *contexts], "id": _require_uri(id, "credential id"),
                 "type": ["VerifiableCredential", *types], "issuer": _profile_of(issuer),
                 "validFrom": _date_time(valid_from, "validFrom")}
    if valid_until is not None:
        doc["validUntil"] = _date_time(valid_until, "validUntil")
        start, end = _parse_date_time(doc["validFrom"]), _parse_date_time(doc["validUntil"])
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
        raise ShapeError(f"the credential is not valid: {listed}",
                         detail="\n".join(f"{p.path}: {p.message}" for p in problems))
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
    if not isinstance(value, str) or not _URI_RE.match(value):
        raise ShapeError(f"{what} must be a URI (https://..., urn:uuid:..., did:...), "
                         f"got {value!r}")
    return value


def _date_time(value: datetime | str, what: str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ShapeError(f"{what} must be a timezone-aware datetime")
        text = value.astimezone(UTC).isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")
    if _parse_date_time(value) is None:
        raise ShapeError(f"{what} {value!r} is not a date-time with a time zone, "
                         "e.g. 2025-01-31T12:00:00Z")
    return value


def _parse_date_time(value: Any) -> datetime | None:
    """An xsd:dateTimeStamp / RFC 3339 date-time with a time zone, or None."""
    if not isinstance(value, str):
        return None
    m = _DATETIME_RE.match(value)
    if not m or (m.group(9) and (int(m.group(9)) > 14 or int(m.group(10)) > 59)):
        return None
    fraction = (m.group(7) or "")[:7]
    zone = "+00:00" if m.group(8) == "Z" else m.group(8)
    try:
        return datetime.fromisoformat(value[:19] + fraction + zone)
    except ValueError:
        return None


# ------------------------------------------------------------------------ shape checks


def check_shape(doc: Any) -> list[Problem]:
    """Every shape problem of a credential, in document order; [] when it is well formed."""
    out: list[Problem] = []
    _check_credential(doc, "$", out)
    return out


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if _NAME_RE.match(key) else f"{path}['{key}']"


def _entries(value: Any, path: str) -> list[tuple[Any, str]]:
    if isinstance(value, list):
        return [(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return [(value, path)]


def _types(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _check_type(obj: Json, path: str, wanted: str, out: list[Problem]) -> bool:
    types = _types(obj.get("type"))
    if types is None or wanted not in types:
        out.append(Problem(_key(path, "type"), f"type must include {wanted!r}, "
                                               f"found {obj.get('type')!r}"))
        return False
    return True


def _is_object(value: Any, path: str, what: str, out: list[Problem]) -> bool:
    if not isinstance(value, dict):
        out.append(Problem(path, f"must be an object ({what})"))
        return False
    return True


def _check_uri(obj: Json, key: str, path: str, out: list[Problem], *, required: bool) -> None:
    value = obj.get(key)
    if value is None:
        if required:
            out.append(Problem(_key(path, key), f"{key} is required"))
    elif not isinstance(value, str) or not _URI_RE.match(value):
        out.append(Problem(_key(path, key), f"{key} must be a URI, found {value!r}"))


def _check_text(obj: Json, key: str, path: str, out: list[Problem], *, required: bool) -> None:
    value = obj.get(key)
    if value is None:
        if required:
            out.append(Problem(_key(path, key), f"{key} is required"))
    elif not isinstance(value, str) or not value.strip():
        out.append(Problem(_key(path, key), f"{key} must be a non-empty string"))


def _check_date(obj: Json, key: str, path: str, out: list[Problem]) -> None:
    if key in obj and _parse_date_time(obj[key]) is None:
        out.append(Problem(_key(path, key), f"{key} must be a date-time with a time zone "
                                            f"(e.g. 2025-01-31T12:00:00Z), found {obj[key]!r}"))


def _check_context(doc: Json, path: str, out: list[Problem]) -> tuple[str | None, list[Any]]:
    ctx = doc.get("@context")
    contexts = ctx if isinstance(ctx, list) else [ctx] if ctx is not None else []
    where = _key(path, "@context")
    if not contexts:
        out.append(Problem(where, f"@context is required, starting with {VC_V2_CONTEXT!r}"))
        return None, []
    if contexts[0] == VC_V2_CONTEXT:
        return "v2", contexts
    if contexts[0] == VC_V1_CONTEXT:
        return "v1", contexts
    out.append(Problem(where, f"the first @context must be {VC_V2_CONTEXT!r} (or "
                              f"{VC_V1_CONTEXT!r} for VC 1.1), found {contexts[0]!r}"))
    return None, contexts


def _check_credential(doc: Any, path: str, out: list[Problem]) -> None:
    if not _is_object(doc, path, "a verifiable credential", out):
        return
    version, contexts = _check_context(doc, path, out)
    types = _types(doc.get("type")) or []
    if "VerifiableCredential" not in types:
        out.append(Problem(_key(path, "type"), "type must include 'VerifiableCredential', "
                                               f"found {doc.get('type')!r}"))
    kind = next((_OB_KINDS[t] for t in types if t in _OB_KINDS), None)
    uses_ob = any(isinstance(c, str) and c.startswith((_OB_CONTEXT_PREFIX, _CLR_CONTEXT_PREFIX))
                  for c in contexts)
    if kind is None and uses_ob:
        out.append(Problem(_key(path, "type"), "an Open Badges / CLR credential's type must "
                           "include OpenBadgeCredential, AchievementCredential, "
                           f"EndorsementCredential or ClrCredential, found {doc.get('type')!r}"))
    elif kind is not None:
        prefix, spec = ((_CLR_CONTEXT_PREFIX, "CLR 2.0") if kind == "clr"
                        else (_OB_CONTEXT_PREFIX, "Open Badges 3.0"))
        if not any(isinstance(c, str) and c.startswith(prefix) for c in contexts):
            out.append(Problem(_key(path, "@context"), f"@context must include the {spec} context"))
    _check_uri(doc, "id", path, out, required=False)
    _check_issuer(doc, path, out, profile_required=kind is not None)
    _check_dates(doc, path, out, version, required=kind is not None)
    subject = doc.get("credentialSubject")
    sub_path = _key(path, "credentialSubject")
    if subject is None:
        out.append(Problem(sub_path, "credentialSubject is required"))
    elif kind == "ob":
        _check_achievement_subject(subject, sub_path, out)
    elif kind == "endorsement":
        if _is_object(subject, sub_path, "an EndorsementSubject", out):
            _check_type(subject, sub_path, "EndorsementSubject", out)
            _check_uri(subject, "id", sub_path, out, required=True)
    elif kind == "clr":
        _check_clr_subject(subject, sub_path, out)
    else:
        for item, item_path in _entries(subject, sub_path):
            if _is_object(item, item_path, "a credential subject", out):
                _check_uri(item, "id", item_path, out, required=False)
    if kind is not None:
        _check_text(doc, "name", path, out, required=False)
        _check_text(doc, "description", path, out, required=False)
        _check_image(doc, path, out)
    _check_listed(doc, "evidence", path, out, "Evidence")
    _check_endorsements(doc, path, out)
    _check_status(doc, path, out)
    for item, item_path in _entries(doc.get("credentialSchema", []), _key(path,
                                                                          "credentialSchema")):
        if _is_object(item, item_path, "a credential schema", out):
            _check_uri(item, "id", item_path, out, required=True)
            _check_text(item, "type", item_path, out, required=True)


def _check_issuer(doc: Json, path: str, out: list[Problem], *, profile_required: bool) -> None:
    issuer, where = doc.get("issuer"), _key(path, "issuer")
    if issuer is None:
        out.append(Problem(where, "issuer is required"))
    elif isinstance(issuer, str):
        if not _URI_RE.match(issuer):
            out.append(Problem(where, f"issuer must be a URI, found {issuer!r}"))
        elif profile_required:
            out.append(Problem(where, "issuer must be a Profile object with an id and "
                                      "type 'Profile', not a bare URI"))
    elif not isinstance(issuer, dict):
        out.append(Problem(where, "issuer must be a URI or an object with an id"))
    elif profile_required:
        _check_profile(issuer, where, out)
    else:
        _check_uri(issuer, "id", where, out, required=True)


def _check_dates(doc: Json, path: str, out: list[Problem], version: str | None,
                 *, required: bool) -> None:
    if version == "v1" and "issuanceDate" not in doc:
        out.append(Problem(_key(path, "issuanceDate"), "issuanceDate is required (VC 1.1)"))
    elif version == "v2" and required and "validFrom" not in doc:
        hint = " (issuanceDate is the VC 1.1 name)" if "issuanceDate" in doc else ""
        out.append(Problem(_key(path, "validFrom"), f"validFrom is required{hint}"))
    elif version is None and required and not ({"validFrom", "issuanceDate"} & doc.keys()):
        out.append(Problem(_key(path, "validFrom"), "validFrom is required"))
    for key in ("validFrom", "validUntil", "issuanceDate", "expirationDate", "awardedDate"):
        _check_date(doc, key, path, out)


def _check_subject_ids(subject: Json, path: str, out: list[Problem]) -> None:
    identifier = subject.get("identifier")
    if subject.get("id") is None and not identifier:
        out.append(Problem(path, "the subject needs an id or at least one identifier"))
    _check_uri(subject, "id", path, out, required=False)
    if identifier is None:
        return
    if not isinstance(identifier, list):
        out.append(Problem(_key(path, "identifier"), "identifier must be a list"))
        return
    for item, item_path in _entries(identifier, _key(path, "identifier")):
        if not _is_object(item, item_path, "an IdentityObject", out):
            continue
        _check_type(item, item_path, "IdentityObject", out)
        if not isinstance(item.get("hashed"), bool):
            out.append(Problem(_key(item_path, "hashed"), "hashed must be true or false"))
        _check_text(item, "identityHash", item_path, out, required=True)
        _check_text(item, "identityType", item_path, out, required=True)
        if "salt" in item and not isinstance(item["salt"], str):
            out.append(Problem(_key(item_path, "salt"), "salt must be a string"))
        value = item.get("identityHash")
        if item.get("hashed") is True and isinstance(value, str) \
                and not _IDENTITY_HASH_RE.match(value):
            out.append(Problem(_key(item_path, "identityHash"), "a hashed identityHash must be "
                               "'sha256$' + 64 hex digits or 'md5$' + 32 hex digits"))


def _check_achievement_subject(subject: Any, path: str, out: list[Problem]) -> None:
    if not _is_object(subject, path, "a single AchievementSubject", out):
        return
    _check_type(subject, path, "AchievementSubject", out)
    _check_subject_ids(subject, path, out)
    if subject.get("achievement") is None:
        out.append(Problem(_key(path, "achievement"), "achievement is required"))
    else:
        _check_achievement(subject["achievement"], _key(path, "achievement"), out)
    for item, item_path in _check_listed(subject, "result", path, out, "Result"):
        _check_listed(item, "alignment", item_path, out, "Alignment", _check_alignment)
    if subject.get("source") is not None:
        _check_profile(subject["source"], _key(path, "source"), out)
    _check_image(subject, path, out)
    for key in ("activityStartDate", "activityEndDate"):
        _check_date(subject, key, path, out)


def _check_clr_subject(subject: Any, path: str, out: list[Problem]) -> None:
    if not _is_object(subject, path, "a ClrSubject", out):
        return
    _check_type(subject, path, "ClrSubject", out)
    _check_subject_ids(subject, path, out)
    creds, where = subject.get("verifiableCredential"), _key(path, "verifiableCredential")
    if not isinstance(creds, list) or not creds:
        out.append(Problem(where, "verifiableCredential must be a non-empty list of credentials"))
        creds = []
    for item, item_path in _entries(creds, where):
        if isinstance(item, str) and _JWS_RE.match(item):
            continue  # a VC-JWT: its payload is checked when it is verified
        _check_credential(item, item_path, out)
    for item, item_path in _entries(subject.get("achievement", []), _key(path, "achievement")):
        _check_achievement(item, item_path, out)
    for item, item_path in _check_listed(subject, "association", path, out, "Association"):
        _check_text(item, "associationType", item_path, out, required=True)
        _check_uri(item, "sourceId", item_path, out, required=True)
        _check_uri(item, "targetId", item_path, out, required=True)


def _check_achievement(value: Any, path: str, out: list[Problem]) -> None:
    if not _is_object(value, path, "an Achievement", out):
        return
    _check_uri(value, "id", path, out, required=True)
    _check_type(value, path, "Achievement", out)
    _check_text(value, "name", path, out, required=True)
    _check_text(value, "description", path, out, required=True)
    criteria, where = value.get("criteria"), _key(path, "criteria")
    if criteria is None:
        out.append(Problem(where, "criteria is required (a narrative, an id, or both)"))
    elif not isinstance(criteria, dict) or not (criteria.get("id") or criteria.get("narrative")):
        out.append(Problem(where, "criteria must be an object with an id, a narrative, or both"))
    if "achievementType" in value and not is_valid_achievement_type(value["achievementType"]):
        out.append(Problem(_key(path, "achievementType"),
                           f"achievementType {value['achievementType']!r} is neither an Open "
                           "Badges 3.0 value nor of the form ext:Name"))
    credits = value.get("creditsAvailable")
    if credits is not None and (isinstance(credits, bool) or not isinstance(credits, int | float)):
        out.append(Problem(_key(path, "creditsAvailable"), "creditsAvailable must be a number"))
    tags = value.get("tag")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        out.append(Problem(_key(path, "tag"), "tag must be a list of strings"))
    _check_listed(value, "alignment", path, out, "Alignment", _check_alignment)
    for item, item_path in _check_listed(value, "resultDescription", path, out,
                                         "ResultDescription"):
        _check_uri(item, "id", item_path, out, required=True)
        _check_text(item, "name", item_path, out, required=True)
        _check_text(item, "resultType", item_path, out, required=True)
        _check_listed(item, "alignment", item_path, out, "Alignment", _check_alignment)
        _check_listed(item, "rubricCriterionLevel", item_path, out, "RubricCriterionLevel")
    if value.get("creator") is not None:
        _check_profile(value["creator"], _key(path, "creator"), out)
    _check_identifier_entries(value, path, out)
    _check_endorsements(value, path, out)
    _check_image(value, path, out)


def _check_alignment(item: Json, path: str, out: list[Problem]) -> None:
    _check_text(item, "targetName", path, out, required=True)
    _check_uri(item, "targetUrl", path, out, required=True)
    target_type = item.get("targetType")
    if target_type is not None and target_type not in _ALIGNMENT_TARGET_TYPES and not (
            isinstance(target_type, str) and _EXT_RE.match(target_type)):
        out.append(Problem(_key(path, "targetType"), f"targetType {target_type!r} is not an "
                                                     "OB 3.0 alignment target type"))


def _check_profile(value: Any, path: str, out: list[Problem]) -> None:
    if not _is_object(value, path, "a Profile", out):
        return
    _check_uri(value, "id", path, out, required=True)
    _check_type(value, path, "Profile", out)
    _check_identifier_entries(value, path, out)
    if value.get("parentOrg") is not None:
        _check_profile(value["parentOrg"], _key(path, "parentOrg"), out)
    address = value.get("address")
    if address is not None and _is_object(address, _key(path, "address"), "an Address", out):
        _check_type(address, _key(path, "address"), "Address", out)
    _check_endorsements(value, path, out)
    _check_image(value, path, out)


def _check_identifier_entries(value: Json, path: str, out: list[Problem]) -> None:
    for item, item_path in _check_listed(value, "otherIdentifier", path, out, "IdentifierEntry"):
        _check_text(item, "identifier", item_path, out, required=True)
        _check_text(item, "identifierType", item_path, out, required=True)


def _check_image(value: Json, path: str, out: list[Problem]) -> None:
    image, where = value.get("image"), _key(path, "image")
    if image is None:
        return
    if not isinstance(image, dict):
        out.append(Problem(where, "image must be an object with an id and type 'Image'"))
        return
    _check_uri(image, "id", where, out, required=True)
    _check_type(image, where, "Image", out)


def _check_endorsements(value: Json, path: str, out: list[Problem]) -> None:
    for item, item_path in _entries(value.get("endorsement", []), _key(path, "endorsement")):
        _check_credential(item, item_path, out)
        if isinstance(item, dict) and "EndorsementCredential" not in (_types(item.get("type"))
                                                                       or []):
            out.append(Problem(_key(item_path, "type"),
                               "an endorsement's type must include 'EndorsementCredential'"))
    for item, item_path in _entries(value.get("endorsementJwt", []), _key(path,
                                                                          "endorsementJwt")):
        if not isinstance(item, str) or not _JWS_RE.match(item):
            out.append(Problem(item_path, "endorsementJwt entries must be compact JWS strings"))


def _check_listed(value: Json, key: str, path: str, out: list[Problem], wanted: str,
                  then: _Check | None = None) -> list[tuple[Json, str]]:
    """Check every entry of value[key] (an object or a list) is an object of type ``wanted``;
    return the entries that are objects, for further checks."""
    good: list[tuple[Json, str]] = []
    if value.get(key) is None:
        return good
    for item, item_path in _entries(value[key], _key(path, key)):
        if _is_object(item, item_path, f"a {wanted}", out):
            _check_type(item, item_path, wanted, out)
            if then is not None:
                then(item, item_path, out)
            good.append((item, item_path))
    return good


def _check_status(doc: Json, path: str, out: list[Problem]) -> None:
    for item, item_path in _entries(doc.get("credentialStatus", []), _key(path,
                                                                          "credentialStatus")):
        if not _is_object(item, item_path, "a credential status entry", out):
            continue
        _check_uri(item, "id", item_path, out, required=False)
        types = _types(item.get("type"))
        if types is None:
            out.append(Problem(_key(item_path, "type"), "type is required"))
            continue
        if not any(t in _STATUS_LIST_ENTRIES for t in types):
            continue
        _check_text(item, "statusPurpose", item_path, out, required=True)
        index = item.get("statusListIndex")
        # The spec says a string of digits; 1EdTech's own samples use a JSON integer,
        # which every validator in the field accepts, so both are taken.
        if not ((isinstance(index, str) and index.isdecimal() and index.isascii())
                or (isinstance(index, int) and not isinstance(index, bool) and index >= 0)):
            out.append(Problem(_key(item_path, "statusListIndex"), "statusListIndex must be a "
                               f"non-negative integer written as a string, found {index!r}"))
        url = item.get("statusListCredential")
        if not isinstance(url, str) or not _URL_RE.match(url):
            out.append(Problem(_key(item_path, "statusListCredential"),
                               f"statusListCredential must be an http(s) URL, found {url!r}"))
