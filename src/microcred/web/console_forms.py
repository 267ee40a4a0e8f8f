"""The console's achievement form, to and from an achievement definition.

The form shows the Open Badges fields and the EU standard elements as plain inputs (one
learning outcome per line; one alignment per line as ``targetName | targetUrl |
framework | code``). What the user typed is handed to ``achievements.check_definition``
as it is where it cannot be read (``workloadHours=abc`` stays the text "abc"), so its
problem names the JSON path (``$.workloadHours: ...``) and the form is shown again with
the values entered. Fields of a definition the form does not show (image, tags, result
descriptions, ...) are kept when it is edited.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from microcred.issuing.achievements import PARTICIPATION
from microcred.vc.openbadges import ACHIEVEMENT_TYPES

FIELDS = (
    "name",
    "description",
    "criteria",
    "achievementType",
    "workloadHours",
    "ects",
    "eqfLevel",
    "assessmentType",
    "participationForm",
    "qualityAssurance",
    "learningOutcome",
    "alignment",
    "validity",
    "renewal",
)
TYPES = sorted(ACHIEVEMENT_TYPES)
PARTICIPATION_FORMS = PARTICIPATION
EQF_LEVELS = tuple(range(1, 9))
_ALIGNMENT_KEYS = ("targetName", "targetUrl", "targetFramework", "targetCode")
_PATH = re.compile(r"^\$\.([A-Za-z]+)")
_INT = re.compile(r"^[+-]?\d+$")


def empty_form() -> dict[str, str]:
    return {field: "" for field in FIELDS} | {"achievementType": "MicroCredential"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_from_definition(d: Mapping[str, Any]) -> dict[str, str]:
    """The form's values for definition ``d``."""
    form = empty_form()
    for field in ("name", "description", "achievementType", "assessmentType", "validity"):
        if d.get(field) is not None:
            form[field] = _text(d[field])
    for field in ("workloadHours", "ects", "eqfLevel", "participationForm", "qualityAssurance"):
        form[field] = _text(d.get(field))
    criteria = d.get("criteria")
    form["criteria"] = (
        _text(criteria.get("narrative")) if isinstance(criteria, Mapping) else _text(criteria)
    )
    outcomes = d.get("learningOutcome")
    if isinstance(outcomes, list):
        form["learningOutcome"] = "\n".join(_text(o) for o in outcomes)
    lines = []
    for a in d.get("alignment") or []:
        if isinstance(a, Mapping):
            parts = [_text(a.get(k)) for k in _ALIGNMENT_KEYS]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(" | ".join(parts))
    form["alignment"] = "\n".join(lines)
    renewal = d.get("renewal")
    if isinstance(renewal, Mapping):
        form["renewal"] = _text(renewal.get("requires") or renewal.get("howTo"))
    return form


def _number(text: str) -> Any:
    """A number where the text is one; the text itself otherwise (the check names it)."""
    if _INT.match(text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _alignment(text: str, before: list[Any]) -> list[dict[str, Any]]:
    out = []
    for i, line in enumerate(x for x in text.splitlines() if x.strip()):
        parts = [p.strip() for p in line.split("|")]
        item: dict[str, Any] = {k: v for k, v in zip(_ALIGNMENT_KEYS, parts, strict=False) if v}
        if len(parts) > len(_ALIGNMENT_KEYS):  # a fifth part: keep it visible to the check
            item["targetCode"] = " | ".join(parts[3:])
        old = before[i] if i < len(before) and isinstance(before[i], Mapping) else {}
        if old and old.get("targetUrl") == item.get("targetUrl"):  # keep what the form hides
            item = {**{k: v for k, v in old.items() if k not in _ALIGNMENT_KEYS}, **item}
        out.append(item)
    return out


def definition_from_form(
    form: Mapping[str, str], before: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The definition the form describes (``before``: the definition being edited, whose
    fields the form does not show are kept). Not checked here: see check_definition."""
    f = {field: (form.get(field) or "").strip() for field in FIELDS}
    d: dict[str, Any] = {k: v for k, v in (before or {}).items() if k not in FIELDS}
    if (
        before
        and "creditsAvailable" in before
        and before.get("creditsAvailable") == before.get("ects")
    ):
        d.pop("creditsAvailable", None)  # derived from ects: derived again
    d["name"] = f["name"]
    d["description"] = f["description"]
    old_criteria = (before or {}).get("criteria")
    if isinstance(old_criteria, Mapping) and old_criteria.get("id"):
        d["criteria"] = (
            {**old_criteria, "narrative": f["criteria"]}
            if f["criteria"]
            else {k: v for k, v in old_criteria.items() if k != "narrative"}
        )
    else:
        d["criteria"] = f["criteria"]
    if f["achievementType"]:
        d["achievementType"] = f["achievementType"]
    for field in ("workloadHours", "ects", "eqfLevel"):
        if f[field]:
            d[field] = _number(f[field])
    for field in ("assessmentType", "participationForm", "qualityAssurance", "validity"):
        if f[field]:
            d[field] = f[field]
    outcomes = [line.strip() for line in f["learningOutcome"].splitlines() if line.strip()]
    if outcomes:
        d["learningOutcome"] = outcomes
    before_alignment = (before or {}).get("alignment")
    alignment = _alignment(
        f["alignment"], before_alignment if isinstance(before_alignment, list) else []
    )
    if alignment:
        d["alignment"] = alignment
    old_renewal = (before or {}).get("renewal")
    rest = (
        {k: v for k, v in old_renewal.items() if k not in ("requires", "howTo")}
        if isinstance(old_renewal, Mapping)
        else {}
    )
    if f["renewal"]:
        d["renewal"] = {"renewable": True, **rest, "requires": f["renewal"]}
    elif set(rest) - {"renewable"}:
        d["renewal"] = rest
    return d


def field_of(message: str) -> str | None:
    """The form field a check_definition message is about ("$.eqfLevel: ..." -> eqfLevel);
    None when the form has no such field."""
    m = _PATH.match(message)
    if m is None:
        return None
    field = m.group(1)
    return field if field in FIELDS else None
