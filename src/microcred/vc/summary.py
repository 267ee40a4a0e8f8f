"""A plain summary of what a credential says, for reports and pages (whether or not it verified)."""

from __future__ import annotations

from typing import Any

from microcred.vc.report import Summary


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _text(value: Any) -> str | None:
    """A string, or the first string of a language map / list of language objects.

    Only what is in the signed graph: a value object gives its ``@value`` when that is a
    string (never its ``@index`` or another keyword's value: ``{"@value": null, "@index":
    "Harvard University"}`` is not in the graph at all); a list gives its first text."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), None)
    if isinstance(value, dict):
        if "@value" in value:
            return _str(value["@value"])
        return next(
            (v for k, v in value.items() if not k.startswith("@") and _str(v)),
            None,
        )
    return None


def _image(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _str(value.get("id"))
    return None


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def summarize(doc: dict[str, Any]) -> Summary:
    s = Summary()
    s.id = _str(doc.get("id"))
    t = doc.get("type")
    s.type = [x for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)]
    s.name = _text(doc.get("name"))
    s.description = _text(doc.get("description"))
    issuer = doc.get("issuer")
    if isinstance(issuer, str):
        s.issuer_id = issuer
    elif isinstance(issuer, dict):
        s.issuer_id = _str(issuer.get("id"))
        s.issuer_name = _text(issuer.get("name"))
    s.valid_from = _str(doc.get("validFrom")) or _str(doc.get("issuanceDate"))
    s.valid_until = _str(doc.get("validUntil")) or _str(doc.get("expirationDate"))
    s.image = _image(doc.get("image"))
    subject = _first(doc.get("credentialSubject"))
    if isinstance(subject, dict):
        s.subject_id = _str(subject.get("id"))
        s.subject_name = _text(subject.get("name"))
        if s.subject_id is None:
            ident = _first(subject.get("identifier"))
            if isinstance(ident, dict):
                kind = _str(ident.get("identityType")) or "identifier"
                s.subject_name = s.subject_name or (
                    f"{kind} (hashed)" if ident.get("hashed") else _str(ident.get("identityHash"))
                )
        achievement = subject.get("achievement")
        if isinstance(achievement, dict):
            s.achievement_name = _text(achievement.get("name"))
            at = achievement.get("achievementType")
            s.achievement_type = _str(at)
            s.achievement_description = _text(achievement.get("description"))
            criteria = achievement.get("criteria")
            if isinstance(criteria, dict):
                s.criteria = _text(criteria.get("narrative")) or _str(criteria.get("id"))
            s.image = s.image or _image(achievement.get("image"))
            aligns = achievement.get("alignment")
            for a in aligns if isinstance(aligns, list) else [aligns] if aligns else []:
                if isinstance(a, dict):
                    s.skills.append(
                        {
                            k: a[k]
                            for k in ("targetName", "targetUrl", "targetCode", "targetFramework")
                            if isinstance(a.get(k), str)
                        }
                    )
    s.name = s.name or s.achievement_name
    return s
