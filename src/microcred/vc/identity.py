"""Who issued a credential: the identity level every report carries, and trust registries.

A signature proves that whoever holds a key signed; it says nothing about a name. The level
says how far the issuer's identity was established, in plain words:

- ``domain``: the issuer is a did:web, or an https id whose own document (served by that
  domain) lists the signing key: "issued by the owner of ox.ac.uk";
- ``registered``: the issuer's id is listed in a trust registry this verifier is configured
  with (the deployment's own organisations always are);
- ``self-asserted``: a did:key, or an issuer that cannot be bound to the key: "calls itself
  X; anyone can create such a key".

A trust registry is passed in by the caller (``TrustRegistry``); the core never reads one
itself. ``normalise_name`` folds Unicode, case and punctuation so that "Northbridge College"
and "NORTHBRIDGE  college." compare equal when the verifier looks for impersonation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

__all__ = [
    "IdentityLevel",
    "IssuerIdentity",
    "RegistryEntry",
    "TrustRegistry",
    "StaticRegistry",
    "normalise_name",
    "domain_of",
]

IdentityLevel = Literal["domain", "registered", "self-asserted"]


@dataclass(frozen=True)
class RegistryEntry:
    """One issuer listed in a trust registry."""

    id: str  # the issuer's id: a DID or an https URL
    name: str
    registry: str  # the registry's own name, shown to people ("this server", "DCC Sandbox")
    url: str | None = None  # the issuer's web site, when the registry gives one


class TrustRegistry(Protocol):
    """What the verifier asks of the registries it is configured with."""

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        """The entry listing exactly ``issuer_id``, or None."""
        ...

    def named(self, name: str) -> list[RegistryEntry]:
        """Every entry whose name equals ``name`` after ``normalise_name``."""
        ...


class StaticRegistry:
    """A registry held in memory (tests, and the composition of several registries)."""

    def __init__(self, entries: list[RegistryEntry] | tuple[RegistryEntry, ...] = ()):
        self._by_id: dict[str, RegistryEntry] = {}
        self._by_name: dict[str, list[RegistryEntry]] = {}
        for e in entries:
            self.add(e)

    def add(self, entry: RegistryEntry) -> None:
        self._by_id.setdefault(entry.id, entry)
        key = normalise_name(entry.name)
        if key:
            self._by_name.setdefault(key, []).append(entry)

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        return self._by_id.get(issuer_id)

    def named(self, name: str) -> list[RegistryEntry]:
        return list(self._by_name.get(normalise_name(name), []))

    def __len__(self) -> int:
        return len(self._by_id)


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """``name`` folded for comparison: NFKC, case-folded, accents removed, every run of
    punctuation and spaces one space. "Université  Laval." -> "universite laval"."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _PUNCT.sub(" ", text).strip()


def domain_of(issuer_id: str) -> str | None:
    """The DNS name a did:web or https issuer id lives at (no port), else None."""
    from urllib.parse import unquote, urlsplit

    if issuer_id.startswith("did:web:"):
        host = unquote(issuer_id[len("did:web:") :].split(":", 1)[0].split("#", 1)[0])
        return host.split(":", 1)[0].lower() or None
    if issuer_id.startswith("https://"):
        return (urlsplit(issuer_id).hostname or "").lower() or None
    return None


@dataclass
class IssuerIdentity:
    """How far the issuer's identity was established (see the module's docstring)."""

    level: IdentityLevel
    id: str | None = None
    name: str | None = None
    domain: str | None = None
    registry: str | None = None

    def sentence(self) -> str:
        """The identity in plain words, for pages and the CLI."""
        who = f"“{self.name}”" if self.name else (self.id or "an unnamed issuer")
        if self.level == "registered":
            return f"issued by {who}, listed in {self.registry or 'a trust registry'}"
        if self.level == "domain":
            return f"issued by the owner of {self.domain}" + (
                f", who calls itself {who}" if self.name else ""
            )
        if not self.name and not self.id:
            return "names no issuer that could be checked"
        return f"calls itself {who}; anyone can create such a key, so the name is not proven"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "sentence": self.sentence()}
