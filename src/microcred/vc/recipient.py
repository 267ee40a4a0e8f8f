"""To whom a credential was issued: does its subject name the holder?

``issued_to(doc, emails=..., dids=...)`` reads the credential's ``credentialSubject``
(one object or a list) and says whether it names one of the holder's DIDs or verified
e-mail addresses, how, and in a plain sentence:

- the subject's ``id`` is one of ``dids`` (compared exactly) -> ``how="did"``;
- an Open Badges 3.0 ``identifier`` IdentityObject with ``identityType: emailAddress``,
  ``hashed: true``: ``identityHash`` is ``"sha256$" + hex(sha256(address + salt))`` (or
  ``md5$``, which the spec also allows) of one of ``emails`` -> ``how="email-hashed"``.
  Addresses are trimmed and lower-cased before hashing, as microcred's issuing side does;
- the same with ``hashed: false`` (the plain address), or a ``mailto:`` subject id,
  compared ignoring case and surrounding spaces -> ``how="email-plain"``.

The caller passes only addresses it has verified belong to the holder: this module checks
the credential's words, not who the holder is. Pure: no web, database or network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from microcred.vc.openbadges import identity_matches

__all__ = ["RecipientMatch", "describe_subject", "issued_to", "names_email", "names_recipient"]

_EMAIL_TYPE = "emailAddress"


@dataclass(frozen=True)
class RecipientMatch:
    """``matched``: the credential names the holder; ``how``: ``"did"``,
    ``"email-hashed"`` or ``"email-plain"`` (None when not matched); ``sentence``: the
    answer in plain words, starting in lower case ("issued to the holder's DID …")."""

    matched: bool
    how: str | None
    sentence: str


def _subjects(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        return []
    subjects = doc.get("credentialSubject")
    items = subjects if isinstance(subjects, list) else [subjects]
    return [s for s in items if isinstance(s, dict)]


def _identifiers(subject: dict[str, Any]) -> list[dict[str, Any]]:
    idents = subject.get("identifier")
    items = idents if isinstance(idents, list) else [idents]
    return [i for i in items if isinstance(i, dict)]


def _norm_email(value: str) -> str:
    return value.strip().lower()


def _mailto(value: Any) -> str | None:
    if isinstance(value, str) and value[:7].lower() == "mailto:":
        return _norm_email(value[7:].split("?", 1)[0])
    return None


def issued_to(
    doc: dict[str, Any], *, emails: Iterable[str] = (), dids: Iterable[str] = ()
) -> RecipientMatch:
    """Whether ``doc``'s subject is the holder known by ``emails`` (verified addresses)
    and ``dids``; see the module's docstring. Never raises for a malformed document."""
    addresses = [_norm_email(e) for e in emails if isinstance(e, str) and e.strip()]
    own_dids = [d for d in dids if isinstance(d, str) and d]
    subjects = _subjects(doc)
    for subject in subjects:  # a DID match is the strongest: look for it first
        sid = subject.get("id")
        if isinstance(sid, str) and sid in own_dids:
            return RecipientMatch(True, "did", f"issued to the holder's DID {sid}")
    for subject in subjects:
        for ident in _identifiers(subject):
            if ident.get("identityType") != _EMAIL_TYPE or ident.get("hashed") is not True:
                continue
            if any(identity_matches(ident, a) for a in addresses):
                return RecipientMatch(
                    True, "email-hashed", "issued to the holder's verified e-mail address"
                )
    for subject in subjects:
        plain = [_mailto(subject.get("id"))]
        plain += [
            _norm_email(i["identityHash"])
            for i in _identifiers(subject)
            if i.get("identityType") == _EMAIL_TYPE
            and i.get("hashed") is not True
            and isinstance(i.get("identityHash"), str)
        ]
        if any(p is not None and p in addresses for p in plain):
            return RecipientMatch(
                True, "email-plain", "issued to the holder's verified e-mail address"
            )
    return RecipientMatch(
        False, None, f"issued to someone else: this credential's subject is {describe_subject(doc)}"
    )


def names_email(subject: dict[str, Any]) -> bool:
    """Does this subject name its recipient by e-mail (a ``mailto:`` id or an
    ``emailAddress`` identifier, hashed or not)?"""
    if _mailto(subject.get("id")) is not None:
        return True
    return any(i.get("identityType") == _EMAIL_TYPE for i in _identifiers(subject))


def names_recipient(doc: dict[str, Any], kind: str) -> bool:
    """Does ``doc``'s subject name its recipient in a way an e-mail address (``kind``
    "email") or a DID ("did") can be compared with?"""
    for subject in _subjects(doc):
        sid = subject.get("id")
        if kind == "did" and isinstance(sid, str) and sid.startswith("did:"):
            return True
        if kind == "email" and names_email(subject):
            return True
    return False


def describe_subject(doc: dict[str, Any]) -> str:
    """Who the credential's subject is, in words, as far as the credential says: its id
    (a DID, a URL), its e-mail address, "a hashed e-mail address", or that it names no
    one. Several subjects are joined with "; "."""
    subjects = _subjects(doc)
    if not subjects:
        return "not given (the credential has no credentialSubject)"
    parts: list[str] = []
    for subject in subjects:
        names: list[str] = []
        sid = subject.get("id")
        mail = _mailto(sid)
        if mail is not None:
            names.append(f"the e-mail address {mail}")
        elif isinstance(sid, str) and sid:
            names.append(sid)
        for ident in _identifiers(subject):
            if ident.get("identityType") != _EMAIL_TYPE:
                continue
            value = ident.get("identityHash")
            if ident.get("hashed") is True:
                names.append("a hashed e-mail address")
            elif isinstance(value, str) and value.strip():
                names.append(f"the e-mail address {_norm_email(value)}")
        unique = list(dict.fromkeys(names))
        parts.append(
            " and ".join(unique) if unique else "not named (no subject id and no e-mail identifier)"
        )
    return "; ".join(dict.fromkeys(parts))
