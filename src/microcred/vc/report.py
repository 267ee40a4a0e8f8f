"""The verification report: a verdict, the checks, warnings and a summary.

verdict: ``verified`` (every check that applies passed), ``failed`` (some check failed),
``indeterminate`` (nothing failed but some check could not be made, e.g. a status list or
DID document that could not be fetched: never reported as "not revoked").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from microcred.vc.identity import IssuerIdentity

CheckName = Literal[
    "format",
    "context",
    "shape",
    "proof",
    "key",
    "issuer",
    "not_yet_valid",
    "expiry",
    "status",
    "credentials",
]
CheckStatus = Literal["passed", "failed", "skipped", "could_not_check"]
Verdict = Literal["verified", "failed", "indeterminate"]

CHECK_ORDER: tuple[str, ...] = (
    "format",
    "context",
    "shape",
    "proof",
    "key",
    "issuer",
    "not_yet_valid",
    "expiry",
    "status",
    "credentials",
)


@dataclass
class Check:
    name: str
    status: str
    message: str


@dataclass
class Summary:
    """What the credential says (taken from the document, whether or not it verified)."""

    id: str | None = None
    type: list[str] = field(default_factory=list)
    name: str | None = None
    description: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    subject_id: str | None = None
    subject_name: str | None = None
    achievement_name: str | None = None
    achievement_type: str | None = None
    achievement_description: str | None = None
    criteria: str | None = None
    image: str | None = None
    skills: list[dict[str, str]] = field(default_factory=list)
    valid_from: str | None = None
    valid_until: str | None = None
    format: str | None = None


@dataclass
class Report:
    verdict: str
    checks: list[Check]
    warnings: list[str]
    credential: Summary
    document: dict[str, Any] | None = None  # the credential as JSON (decoded from a JWT/image)
    source: str | None = None  # file name or URL it came from
    #: who issued it, and how far that is established (always set by the verifier)
    issuer_identity: IssuerIdentity | None = None
    #: departures from Open Badges 3.0 / CLR 2.0 that do not change what the credential says
    #: (failures only under ``strict``); [] when it follows the specification
    conformance: list[str] = field(default_factory=list)
    #: the identifier the signing key is proven to belong to (None: nothing proves it)
    signer: str | None = None
    #: that key's material (a Multikey, or a JWK's public members): one key can be named by
    #: two identifiers, a did:web and a did:key
    signer_key: str | None = None
    #: the reports of the credentials a CLR (or any credential) carries inside it
    nested: list[Report] = field(default_factory=list)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "checks": [asdict(c) for c in self.checks],
            "warnings": list(self.warnings),
            "credential": asdict(self.credential),
            "issuer_identity": (
                self.issuer_identity.to_json() if self.issuer_identity is not None else None
            ),
            "conformance": {
                "follows": not self.conformance,
                "problems": list(self.conformance),
            },
        }
        if self.nested:
            out["credentials"] = [r.to_json() for r in self.nested]
        if self.source is not None:
            out["source"] = self.source
        return out


def verdict_of(checks: list[Check]) -> str:
    if any(c.status == "failed" for c in checks):
        return "failed"
    if any(c.status == "could_not_check" for c in checks):
        return "indeterminate"
    return "verified"
