"""Vocabulary, patterns and the date-time parser shared by the Open Badges 3.0 / CLR 2.0
builders (``openbadges``) and shape checks (``shape``).

Private: import the public names from ``openbadges``, which re-exports them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"

ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)
ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)
# The OB 3.0 / CLR 2.0 JSON schemas write the ext: pattern as ^ext:[a-z|A-Z|0-9|.|-|_]+$.
# That is the common character-class mistake: inside brackets "|" is a literal, so the
# class admits "|", and "|-|" is a range from "|" to "|", so "-" is NOT admitted. The
# intent (letters, digits, '.', '-', '_') is what we implement: "ext:dash-ed" is accepted
# and "ext:a|b" refused. A validator reading the schema literally disagrees on exactly
# those two characters.
EXT_RE = re.compile(r"^ext:[A-Za-z0-9._-]+$")
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$"
)


def is_valid_achievement_type(value: object) -> bool:
    """True for a value of the OB 3.0 AchievementType vocabulary or an ``ext:`` extension."""
    return isinstance(value, str) and (value in ACHIEVEMENT_TYPES or bool(EXT_RE.match(value)))


def parse_time(value: Any) -> datetime | None:
    """A date-time as the verifier reads it (a missing time zone is UTC), or None. The shape
    check holds credentials to ``parse_date_time``; the clock checks read with this."""
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def parse_date_time(value: Any) -> datetime | None:
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
