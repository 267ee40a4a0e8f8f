"""What the wallet reads out of a credential (pure: no database, no network).

``fields_of(doc)`` gives the columns a wallet row keeps beside the credential itself: its
name, issuer, dates, id, skills (from the achievement's and the results' alignments) and a
renewal link when the issuer gave one. ``content_hash(doc)`` identifies a credential
whatever it came in (JSON, a baked PNG or SVG): the SHA-256 of its JCS form.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from microcred.vc import jcs
from microcred.vc.summary import summarize

ESCO_PREFIX = "http://data.europa.eu/esco/"
_ONET = re.compile(
    r"^https?://(www\.)?(onetonline\.org|onetcenter\.org|services\.onetcenter\.org)/"
)
MAX_NAME = 500
MAX_URL = 2000
MAX_SKILLS = 200


@dataclass
class Fields:
    name: str
    issuer_id: str | None = None
    issuer_name: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    credential_id: str | None = None
    skills: list[dict[str, Any]] = field(default_factory=list)
    renewal_url: str | None = None


def content_hash(doc: Any) -> str:
    """SHA-256 (hex) of the credential's canonical JSON (RFC 8785)."""
    return hashlib.sha256(jcs.dumps(doc)).hexdigest()


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        inner = value.get("@value")
        if isinstance(inner, str):
            return inner.strip() or None
        return next((v.strip() for v in value.values() if isinstance(v, str) and v.strip()), None)
    return None


def _cap(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _url(value: Any) -> str | None:
    """An http(s) URL that fits the column, else None (never truncated: it would break)."""
    if (
        isinstance(value, str)
        and value.startswith(("https://", "http://"))
        and len(value) <= MAX_URL
    ):
        return value
    return None


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def subjects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _listed(doc.get("credentialSubject")) if isinstance(s, dict)]


def achievement_of(doc: dict[str, Any]) -> dict[str, Any] | None:
    for subject in subjects(doc):
        ach = subject.get("achievement")
        if isinstance(ach, dict):
            return ach
    return None


def framework_of(alignment: dict[str, Any], uri: str | None) -> str | None:
    given = _text(alignment.get("targetFramework"))
    if given:
        return given[:200]
    if uri and uri.startswith(ESCO_PREFIX):
        return "ESCO"
    if uri and _ONET.match(uri):
        return "O*NET"
    return None


def _skill(alignment: Any) -> dict[str, Any] | None:
    if not isinstance(alignment, dict):
        return None
    uri = alignment.get("targetUrl")
    uri = uri if isinstance(uri, str) and uri.strip() and len(uri) <= MAX_URL else None
    label = _cap(_text(alignment.get("targetName")), 300)
    if uri is None and label is None:
        return None
    return {"uri": uri, "label": label or uri, "framework": framework_of(alignment, uri)}


def skills_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{uri, label, framework}]`` from the achievement's alignments and the results'
    alignments, each skill once (by URI, else by label)."""
    found: list[Any] = []
    for subject in subjects(doc):
        ach = subject.get("achievement")
        if isinstance(ach, dict):
            found.extend(_listed(ach.get("alignment")))
        for res in _listed(subject.get("result")):
            if isinstance(res, dict):
                found.extend(_listed(res.get("alignment")))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for a in found:
        skill = _skill(a)
        if skill is None:
            continue
        key = skill["uri"] or f"label:{str(skill['label']).lower()}"
        if key in seen:
            continue
        seen.add(key)
        out.append(skill)
        if len(out) >= MAX_SKILLS:
            break
    return out


def renewal_url_of(doc: dict[str, Any]) -> str | None:
    """The issuer's renewal link: ``renewal.url`` of the achievement or of the credential
    (microcred's achievement definitions express renewal as ``{"renewable", "requires",
    "url", ...}``). OB 3.0 has no renewal field of its own (``refreshService`` is a
    machine protocol for a fresh copy, not a page for the learner), so None otherwise."""
    for holder in (achievement_of(doc), doc):
        if isinstance(holder, dict):
            renewal = holder.get("renewal")
            if isinstance(renewal, dict):
                url = _url(renewal.get("url"))
                if url:
                    return url
    return None


def _type_name(doc: dict[str, Any]) -> str:
    types = [t for t in _listed(doc.get("type")) if isinstance(t, str)]
    specific = [t for t in types if t != "VerifiableCredential"]
    return (specific or types or ["Credential"])[-1]


def fields_of(doc: dict[str, Any]) -> Fields:
    """The wallet's columns for credential ``doc`` (never raises for an odd document)."""
    summary = summarize(doc)
    name = summary.achievement_name or _text(doc.get("name")) or _type_name(doc)
    cred_id = doc.get("id")
    return Fields(
        name=_cap(name, MAX_NAME) or "Credential",
        issuer_id=summary.issuer_id
        if summary.issuer_id and len(summary.issuer_id) <= MAX_URL
        else None,
        issuer_name=_cap(summary.issuer_name, MAX_NAME),
        valid_from=parse_time(doc.get("validFrom")) or parse_time(doc.get("issuanceDate")),
        valid_until=parse_time(doc.get("validUntil") or doc.get("expirationDate")),
        credential_id=cred_id if isinstance(cred_id, str) and len(cred_id) <= MAX_URL else None,
        skills=skills_of(doc),
        renewal_url=renewal_url_of(doc),
    )


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe slug of ``text`` (ASCII letters, digits and '-')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:limit].rstrip("-") or "credential"
