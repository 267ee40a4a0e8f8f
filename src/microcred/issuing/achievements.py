"""Achievements: the micro-credential definitions an organisation awards.

A definition is JSON (the CLI's ACHIEVEMENT.json, the API's body, the console's form):
Open Badges ``Achievement`` fields, the EU Council Recommendation's standard elements
(2022/C 243/02), skills alignment and a validity period. Everything lands in the issued
credential: in Open Badges fields where one exists, otherwise as terms of microcred's
bundled extension context ``https://w3id.org/microcred/eu-mc/v1``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.store.models import Achievement, Organisation, new_id
from microcred.vc import openbadges

EU_CONTEXT = "https://w3id.org/microcred/eu-mc/v1"
PARTICIPATION = ("online", "hybrid", "on-site")
# the EU elements microcred carries as terms of its own context (OB 3.0 has no field)
EU_TERMS = (
    "learningOutcome",
    "workloadHours",
    "ects",
    "eqfLevel",
    "assessmentType",
    "participationForm",
    "qualityAssurance",
    "prerequisites",
    "supervisedAssessment",
    "identityVerified",
    "gradingScheme",
    "integration",
    "furtherInformation",
    "awardingBody",
    "country",
)
OB_FIELDS = (
    "name",
    "description",
    "criteria",
    "image",
    "achievementType",
    "creditsAvailable",
    "resultDescription",
    "tag",
    "alignment",
    "inLanguage",
    "version",
    "humanCode",
    "fieldOfStudy",
    "specialization",
)
KNOWN = {*OB_FIELDS, *EU_TERMS, "validity", "renewal", "id"}
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


class DefinitionError(MicrocredError):
    code = "bad_input"


def validity_days(value: Any, where: str = "$.validity") -> int | None:
    """'P2Y', 'P18M', 'P90D' or a number of days -> days. None for no expiry."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and (m := _DURATION.match(value)) and any(m.groups()):
        y, mo, d = (int(g or 0) for g in m.groups())
        return y * 365 + mo * 30 + d
    raise DefinitionError(
        f"{where}: give an ISO 8601 duration such as 'P2Y' or 'P90D', "
        f"or a number of days; found {value!r}"
    )


def check_definition(data: Any) -> dict[str, Any]:
    """Validate an achievement definition; returns it normalised. Raises DefinitionError
    naming the JSON path of the first problem."""
    if not isinstance(data, dict):
        raise DefinitionError("$: an achievement definition is a JSON object")
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        raise DefinitionError(
            f"$.{unknown[0]}: unknown field; known fields: {', '.join(sorted(KNOWN))}"
        )
    out = dict(data)
    for field in ("name", "description"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise DefinitionError(f"$.{field}: required, a non-empty string")
    criteria = data.get("criteria")
    if isinstance(criteria, str):
        out["criteria"] = {"narrative": criteria}
    elif not (isinstance(criteria, dict) and (criteria.get("narrative") or criteria.get("id"))):
        raise DefinitionError("$.criteria: required, a narrative (string) or {narrative, id}")
    at = data.get("achievementType", "MicroCredential")
    if not openbadges.is_valid_achievement_type(at):
        raise DefinitionError(
            f"$.achievementType: {at!r} is not an Open Badges achievement type "
            "(or an 'ext:' custom type)"
        )
    out["achievementType"] = at
    lo = data.get("learningOutcome")
    if lo is not None and not (isinstance(lo, list) and all(isinstance(x, str) and x for x in lo)):
        raise DefinitionError("$.learningOutcome: a list of statements (strings)")
    for field in ("workloadHours", "ects", "creditsAvailable"):
        v = data.get(field)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0):
            raise DefinitionError(
                f"$.{field}: a number of {'hours' if field == 'workloadHours' else 'credits'}"
                " (0 or more)"
            )
    eqf = data.get("eqfLevel")
    if eqf is not None and (not isinstance(eqf, int) or isinstance(eqf, bool) or not 1 <= eqf <= 8):
        raise DefinitionError("$.eqfLevel: an EQF level, 1 to 8")
    pf = data.get("participationForm")
    if pf is not None and pf not in PARTICIPATION:
        raise DefinitionError(f"$.participationForm: one of {', '.join(PARTICIPATION)}")
    for i, a in enumerate(data.get("alignment") or []):
        if not isinstance(a, dict) or not a.get("targetName") or not a.get("targetUrl"):
            raise DefinitionError(
                f"$.alignment[{i}]: needs targetName and targetUrl (e.g. an ESCO or O*NET skill)"
            )
    if "ects" in data and "creditsAvailable" not in data:
        out["creditsAvailable"] = data["ects"]
    validity_days(data.get("validity"))
    renewal = data.get("renewal")
    if renewal is not None and not isinstance(renewal, dict):
        raise DefinitionError(
            '$.renewal: an object, e.g. {"renewable": true, "requires": "refresher course"}'
        )
    return out


def create_achievement(
    session: Session, org: Organisation, data: Any, *, is_sample: bool = False
) -> Achievement:
    definition = check_definition(data)
    ach = Achievement(
        id=new_id(),
        org_id=org.id,
        name=definition["name"].strip(),
        definition=definition,
        validity_days=validity_days(definition.get("validity")),
        is_sample=is_sample,
    )
    session.add(ach)
    session.flush()
    return ach


def update_achievement(session: Session, ach: Achievement, data: Any) -> Achievement:
    definition = check_definition(data)
    ach.definition = definition
    ach.name = definition["name"].strip()
    ach.validity_days = validity_days(definition.get("validity"))
    ach.updated_at = datetime.now(UTC)
    session.flush()
    return ach


def get_achievement(session: Session, org: Organisation, achievement_id: str) -> Achievement:
    ach = session.scalar(
        select(Achievement).where(Achievement.id == achievement_id, Achievement.org_id == org.id)
    )
    if ach is None:
        raise MicrocredError(
            f"organisation {org.slug!r} has no achievement {achievement_id!r}", code="not_found"
        )
    return ach


def achievement_json(
    ach: Achievement, *, base_url: str, issuer_profile: dict[str, Any]
) -> dict[str, Any]:
    """The OB 3.0 Achievement for credentials, with the EU elements as extension terms."""
    d = ach.definition
    out: dict[str, Any] = {
        "id": d.get("id") or f"{base_url}/achievements/{ach.id}",
        "type": ["Achievement"],
        "achievementType": d.get("achievementType", "MicroCredential"),
        "name": d["name"],
        "description": d["description"],
        "criteria": d["criteria"],
        "creator": issuer_profile,
    }
    for field in OB_FIELDS:
        if field in d and field not in out:
            out[field] = d[field]
    if isinstance(out.get("image"), str):
        out["image"] = {"id": out["image"], "type": "Image"}
    if out.get("alignment"):
        out["alignment"] = [{"type": ["Alignment"], **a} for a in out["alignment"]]
    if out.get("resultDescription"):
        out["resultDescription"] = [
            {"type": ["ResultDescription"], **r} for r in out["resultDescription"]
        ]
    for term in EU_TERMS:
        if d.get(term) is not None:
            out[term] = d[term]
    out.setdefault("awardingBody", issuer_profile.get("name"))
    return out


def uses_eu_terms(achievement: dict[str, Any]) -> bool:
    return any(term in achievement for term in EU_TERMS)
