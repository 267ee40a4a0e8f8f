"""Shape checks for Open Badges 3.0 and CLR 2.0 credentials (and plain VCs).

``check_shape(doc)`` never raises for a bad document: it returns one ``Problem`` per broken
rule, each naming a JSON path (``$.credentialSubject.result[0].type``) and saying what is
wrong in a plain sentence. It covers the VC 2.0 and VC 1.1 data models, Open Badges 3.0
(OpenBadgeCredential, AchievementCredential, EndorsementCredential) and CLR 2.0
(ClrCredential); any other VerifiableCredential gets the VC-level rules only. Proofs are not
checked here (see ``proofs``), nor whether a context is bundled (see ``jsonld``).

``openbadges`` re-exports ``check_shape`` and ``Problem``; its credential builders run
``check_shape`` on what they build.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from microcred.vc._ob_vocab import (
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

__all__ = ["Problem", "check_shape"]

_OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
_CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"
_OB_KINDS = {
    "OpenBadgeCredential": "ob",
    "AchievementCredential": "ob",
    "EndorsementCredential": "endorsement",
    "ClrCredential": "clr",
}
_STATUS_LIST_ENTRIES = ("BitstringStatusListEntry", "StatusList2021Entry")
_IDENTITY_HASH_RE = re.compile(r"^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$")
_JWS_RE = re.compile(r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_Check = Callable[[Json, str, list["Problem"]], None]


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (a JSON path from ``$``) and what, in a plain sentence.

    ``trust``: the rule decides what the credential says or whether it can be judged at all
    (its contexts, that it is a credential, who issued it, its subject, its dates, its status
    entries): a verifier fails the credential. Every other rule is conformance to Open Badges
    3.0 / CLR 2.0: a departure that does not change what the credential says, reported apart
    (``docs/decisions/0006-trust-and-conformance.md``).
    """

    path: str
    message: str
    trust: bool = False


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
        out.append(
            Problem(_key(path, "type"), f"type must include {wanted!r}, found {obj.get('type')!r}")
        )
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
    elif not isinstance(value, str) or not URI_RE.match(value):
        out.append(Problem(_key(path, key), f"{key} must be a URI, found {value!r}"))


def _check_text(obj: Json, key: str, path: str, out: list[Problem], *, required: bool) -> None:
    value = obj.get(key)
    if value is None:
        if required:
            out.append(Problem(_key(path, key), f"{key} is required"))
    elif not isinstance(value, str) or not value.strip():
        out.append(Problem(_key(path, key), f"{key} must be a non-empty string"))


def _check_date(obj: Json, key: str, path: str, out: list[Problem], *, trust: bool = False) -> None:
    if key in obj and parse_date_time(obj[key]) is None:
        out.append(
            Problem(
                _key(path, key),
                f"{key} must be a date-time with a time zone "
                f"(e.g. 2025-01-31T12:00:00Z), found {obj[key]!r}",
                trust,
            )
        )


def _check_context(doc: Json, path: str, out: list[Problem]) -> tuple[str | None, list[Any]]:
    ctx = doc.get("@context")
    contexts = ctx if isinstance(ctx, list) else [ctx] if ctx is not None else []
    where = _key(path, "@context")
    if not contexts:
        out.append(Problem(where, f"@context is required, starting with {VC_V2_CONTEXT!r}", True))
        return None, []
    if contexts[0] == VC_V2_CONTEXT:
        return "v2", contexts
    if contexts[0] == VC_V1_CONTEXT:
        return "v1", contexts
    out.append(
        Problem(
            where,
            f"the first @context must be {VC_V2_CONTEXT!r} (or "
            f"{VC_V1_CONTEXT!r} for VC 1.1), found {contexts[0]!r}",
            True,
        )
    )
    return None, contexts


def _check_credential(doc: Any, path: str, out: list[Problem]) -> None:
    if not _is_object(doc, path, "a verifiable credential", out):
        return
    version, contexts = _check_context(doc, path, out)
    types = _types(doc.get("type")) or []
    if "VerifiableCredential" not in types:
        out.append(
            Problem(
                _key(path, "type"),
                f"type must include 'VerifiableCredential', found {doc.get('type')!r}",
                True,
            )
        )
    kind = next((_OB_KINDS[t] for t in types if t in _OB_KINDS), None)
    uses_ob = any(
        isinstance(c, str) and c.startswith((_OB_CONTEXT_PREFIX, _CLR_CONTEXT_PREFIX))
        for c in contexts
    )
    if kind is None and uses_ob:
        out.append(
            Problem(
                _key(path, "type"),
                "an Open Badges / CLR credential's type must "
                "include OpenBadgeCredential, AchievementCredential, "
                f"EndorsementCredential or ClrCredential, found {doc.get('type')!r}",
            )
        )
    elif kind is not None:
        prefix, spec = (
            (_CLR_CONTEXT_PREFIX, "CLR 2.0")
            if kind == "clr"
            else (_OB_CONTEXT_PREFIX, "Open Badges 3.0")
        )
        if not any(isinstance(c, str) and c.startswith(prefix) for c in contexts):
            out.append(Problem(_key(path, "@context"), f"@context must include the {spec} context"))
    _check_uri(doc, "id", path, out, required=False)
    _check_issuer(doc, path, out, profile_required=kind is not None)
    _check_dates(doc, path, out, version, required=kind is not None)
    subject = doc.get("credentialSubject")
    sub_path = _key(path, "credentialSubject")
    if subject is None:
        out.append(Problem(sub_path, "credentialSubject is required", True))
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
    for item, item_path in _entries(
        doc.get("credentialSchema", []), _key(path, "credentialSchema")
    ):
        if _is_object(item, item_path, "a credential schema", out):
            _check_uri(item, "id", item_path, out, required=True)
            _check_text(item, "type", item_path, out, required=True)


def _check_issuer(doc: Json, path: str, out: list[Problem], *, profile_required: bool) -> None:
    issuer, where = doc.get("issuer"), _key(path, "issuer")
    if issuer is None:
        out.append(Problem(where, "issuer is required", True))
    elif isinstance(issuer, str):
        if not URI_RE.match(issuer):
            out.append(Problem(where, f"issuer must be a URI, found {issuer!r}", True))
        elif profile_required:
            out.append(
                Problem(
                    where,
                    "issuer must be a Profile object with an id and type 'Profile', not a bare URI",
                )
            )
    elif not isinstance(issuer, dict):
        out.append(Problem(where, "issuer must be a URI or an object with an id", True))
    else:
        ids: list[Problem] = []
        _check_uri(issuer, "id", where, ids, required=True)
        out.extend(replace(p, trust=True) for p in ids)  # who issued it: a trust rule
        if profile_required:
            _check_profile(issuer, where, out, check_id=False)


def _check_dates(
    doc: Json, path: str, out: list[Problem], version: str | None, *, required: bool
) -> None:
    if version == "v1" and "issuanceDate" not in doc:
        out.append(Problem(_key(path, "issuanceDate"), "issuanceDate is required (VC 1.1)"))
    elif version == "v2" and required and "validFrom" not in doc:
        hint = " (issuanceDate is the VC 1.1 name)" if "issuanceDate" in doc else ""
        out.append(Problem(_key(path, "validFrom"), f"validFrom is required{hint}"))
    elif version is None and required and not ({"validFrom", "issuanceDate"} & doc.keys()):
        out.append(Problem(_key(path, "validFrom"), "validFrom is required"))
    for key in ("validFrom", "validUntil", "issuanceDate", "expirationDate"):
        _check_date(doc, key, path, out, trust=True)  # the verifier judges these
    _check_date(doc, "awardedDate", path, out)


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
        if (
            item.get("hashed") is True
            and isinstance(value, str)
            and not _IDENTITY_HASH_RE.match(value)
        ):
            out.append(
                Problem(
                    _key(item_path, "identityHash"),
                    "a hashed identityHash must be "
                    "'sha256$' + 64 hex digits or 'md5$' + 32 hex digits",
                )
            )


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
        out.append(
            Problem(
                _key(path, "achievementType"),
                f"achievementType {value['achievementType']!r} is neither an Open "
                "Badges 3.0 value nor of the form ext:Name",
            )
        )
    credits = value.get("creditsAvailable")
    if credits is not None and (isinstance(credits, bool) or not isinstance(credits, int | float)):
        out.append(Problem(_key(path, "creditsAvailable"), "creditsAvailable must be a number"))
    tags = value.get("tag")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        out.append(Problem(_key(path, "tag"), "tag must be a list of strings"))
    _check_listed(value, "alignment", path, out, "Alignment", _check_alignment)
    for item, item_path in _check_listed(
        value, "resultDescription", path, out, "ResultDescription"
    ):
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
    if (
        target_type is not None
        and target_type not in ALIGNMENT_TARGET_TYPES
        and not (isinstance(target_type, str) and EXT_RE.match(target_type))
    ):
        out.append(
            Problem(
                _key(path, "targetType"),
                f"targetType {target_type!r} is not an OB 3.0 alignment target type",
            )
        )


def _check_profile(value: Any, path: str, out: list[Problem], *, check_id: bool = True) -> None:
    if not _is_object(value, path, "a Profile", out):
        return
    if check_id:
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
        inner: list[Problem] = []
        _check_credential(item, item_path, inner)
        # an endorsement is a credential of its own: its flaws do not change what this says
        out.extend(replace(p, trust=False) for p in inner)
        if isinstance(item, dict) and "EndorsementCredential" not in (
            _types(item.get("type")) or []
        ):
            out.append(
                Problem(
                    _key(item_path, "type"),
                    "an endorsement's type must include 'EndorsementCredential'",
                )
            )
    for item, item_path in _entries(value.get("endorsementJwt", []), _key(path, "endorsementJwt")):
        if not isinstance(item, str) or not _JWS_RE.match(item):
            out.append(Problem(item_path, "endorsementJwt entries must be compact JWS strings"))


def _check_listed(
    value: Json, key: str, path: str, out: list[Problem], wanted: str, then: _Check | None = None
) -> list[tuple[Json, str]]:
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
    """Status entries decide whether the credential was revoked: every rule is a trust rule."""
    found: list[Problem] = []
    _check_status_entries(doc, path, found)
    out.extend(replace(p, trust=True) for p in found)


def _check_status_entries(doc: Json, path: str, out: list[Problem]) -> None:
    for item, item_path in _entries(
        doc.get("credentialStatus", []), _key(path, "credentialStatus")
    ):
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
        if not (
            (isinstance(index, str) and index.isdecimal() and index.isascii())
            or (isinstance(index, int) and not isinstance(index, bool) and index >= 0)
        ):
            out.append(
                Problem(
                    _key(item_path, "statusListIndex"),
                    "statusListIndex must be a "
                    f"non-negative integer written as a string, found {index!r}",
                )
            )
        url = item.get("statusListCredential")
        if not isinstance(url, str) or not URL_RE.match(url):
            out.append(
                Problem(
                    _key(item_path, "statusListCredential"),
                    f"statusListCredential must be an http(s) URL, found {url!r}",
                )
            )
