"""W3C Bitstring Status List v1.0: the list, its credential, entries, and the status check.

The bitstring is GZIP-compressed and written as multibase base64url without padding (``u``
prefix). Index 0 is the left-most (most significant) bit of the first byte; an entry of
``statusSize`` bits starts at bit ``index * statusSize``. A list holds at least 131,072 bits
(16 KB), so that one credential hides among many.

``check_status`` is the spec's validate algorithm, run *after* the caller verified the proof
of the status list credential. Its errors, all ``StatusListError`` with a plain sentence:

- code ``status_verification`` (spec: STATUS_VERIFICATION_ERROR): purpose or size mismatch,
  malformed entry or list credential, list credential not valid at ``now``;
- code ``status_list_length`` (STATUS_LIST_LENGTH_ERROR): the list is shorter than 16 KB;
- code ``status_list_range`` (RANGE_ERROR): the index is past the end of the list;
- code ``status_list_decode``: ``encodedList`` is not base64url GZIP;
- ``UnsupportedStatus`` (code ``status_unsupported``): a status method this verifier does not
  read, such as 1EdTech's ``1EdTechRevocationList``. The verifier reports "could not check".

The legacy ``StatusList2021Entry`` / ``StatusList2021Credential`` use the same bit format and
are read too.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from microcred.vc.errors import StatusListError

MIN_BITS = 131_072  # 16 KB
MAX_BYTES = 16 * 1024 * 1024  # a decoded list larger than this is refused (GZIP bomb)
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"

_ENTRY_TYPES = {"BitstringStatusListEntry": "bitstring", "StatusList2021Entry": "2021"}
_LIST_TYPES = {
    "bitstring": ("BitstringStatusListCredential", "BitstringStatusList"),
    "2021": ("StatusList2021Credential", "StatusList2021"),
}
_WORDS = {"revocation": "revoked", "suspension": "suspended"}


class UnsupportedStatus(StatusListError):
    """The credential uses a status method this verifier does not read: could not check."""

    code = "status_unsupported"


def _error(message: str, code: str = "status_verification") -> StatusListError:
    return StatusListError(message, code=code)


# ---- the bitstring ------------------------------------------------------------------------
class StatusList:
    """``length`` statuses of ``status_size`` bits each, all 0 at first."""

    def __init__(self, length: int = MIN_BITS, status_size: int = 1):
        _check_size(status_size)
        if length < 1 or length * status_size < MIN_BITS:
            raise _error(
                f"a status list holds at least {MIN_BITS:,} bits (16 KB); "
                f"{length:,} statuses of {status_size} bit(s) are too few",
                "status_list_length",
            )
        self.status_size = status_size
        self.length = length
        self._bits = bytearray((length * status_size + 7) // 8)

    @classmethod
    def _from_bytes(cls, raw: bytes, status_size: int) -> StatusList:
        obj = cls.__new__(cls)
        obj.status_size = status_size
        obj.length = len(raw) * 8 // status_size
        obj._bits = bytearray(raw)
        return obj

    @classmethod
    def from_bytes(cls, raw: bytes, *, status_size: int = 1) -> StatusList:
        """A list over the raw bitstring ``raw`` (index 0 = the first byte's top bit)."""
        return cls._from_bytes(raw, status_size)

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise _error(f"a status list index is a whole number ≥ 0, not {index!r}")
        if index >= self.length:
            raise _error(
                f"index {index:,} is outside the status list, which holds {self.length:,} statuses",
                "status_list_range",
            )

    def get(self, index: int) -> int:
        """The status at ``index``. Raises StatusListError (range)."""
        self._check_index(index)
        value = 0
        start = index * self.status_size
        for bit in range(start, start + self.status_size):
            value = (value << 1) | ((self._bits[bit >> 3] >> (7 - (bit & 7))) & 1)
        return value

    def set(self, index: int, value: int | bool) -> None:
        """Set the status at ``index``. Raises StatusListError (range, value too wide)."""
        self._check_index(index)
        value = int(value)
        if not 0 <= value < (1 << self.status_size):
            raise _error(f"status {value} does not fit in {self.status_size} bit(s)")
        start = index * self.status_size
        for i in range(self.status_size):
            bit = start + i
            mask = 1 << (7 - (bit & 7))
            if (value >> (self.status_size - 1 - i)) & 1:
                self._bits[bit >> 3] |= mask
            else:
                self._bits[bit >> 3] &= ~mask & 0xFF

    def encode(self) -> str:
        """``encodedList``: ``u`` + base64url (no padding) of the GZIP-compressed bitstring."""
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(
        cls, encoded: str, *, status_size: int = 1, minimum_bits: int = MIN_BITS
    ) -> StatusList:
        """Read an ``encodedList``; the legacy form without the ``u`` prefix is accepted.

        Raises StatusListError (not base64url GZIP: ``status_list_decode``; shorter than
        ``minimum_bits``: ``status_list_length``).
        """
        _check_size(status_size)
        text = encoded.strip()
        if text.startswith("u"):
            text = text[1:]
        elif not text.startswith("H4sI"):  # base64 of the GZIP magic: StatusList2021's form
            raise _error(
                "encodedList is not multibase base64url (it should start with 'u')",
                "status_list_decode",
            )
        text = text.rstrip("=").replace("+", "-").replace("/", "_")
        if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
            raise _error("encodedList is not base64url", "status_list_decode")
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise _error("encodedList is not valid base64url", "status_list_decode") from None
        raw = _gunzip(compressed)
        if len(raw) * 8 < minimum_bits:
            raise _error(
                f"the status list has {len(raw) * 8:,} bits; a status list holds at least "
                f"{minimum_bits:,} (16 KB)",
                "status_list_length",
            )
        return cls._from_bytes(raw, status_size)


def _check_size(status_size: Any) -> None:
    if (
        isinstance(status_size, bool)
        or not isinstance(status_size, int)
        or not (1 <= status_size <= 16)
    ):
        raise _error(f"statusSize must be a whole number from 1 to 16, not {status_size!r}")


def _gunzip(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        raise _error("encodedList is not GZIP-compressed", "status_list_decode")
    d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = d.decompress(data, MAX_BYTES)
    except zlib.error:
        raise _error(
            "encodedList is corrupt (GZIP data does not inflate)", "status_list_decode"
        ) from None
    if d.unconsumed_tail:
        raise _error("the status list inflates to more than 16 MB", "status_list_decode")
    if not d.eof:
        raise _error("encodedList is corrupt (the GZIP data is cut short)", "status_list_decode")
    return raw


# ---- documents ----------------------------------------------------------------------------
def status_list_credential(
    *,
    id: str,
    issuer: str | dict[str, Any],
    purpose: str | list[str],
    encoded_list: str,
    valid_from: str,
    valid_until: str | None = None,
    ttl: int | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential (VC 2.0); its subject is ``{id}#list``.

    statusSize and statusMessage belong to each entry (``status_entry``), as the VC 2.0
    context defines them there.
    """
    subject: dict[str, Any] = {
        "id": f"{id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encoded_list,
    }
    if ttl is not None:
        subject["ttl"] = ttl
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    if name is not None:
        credential["name"] = name
    credential["credentialSubject"] = subject
    return credential


def status_entry(
    *,
    list_url: str,
    index: int,
    purpose: str,
    status_size: int = 1,
    status_messages: dict[int, str] | None = None,
) -> dict[str, Any]:
    """A BitstringStatusListEntry for ``credentialStatus``.

    With ``status_size`` > 1, ``status_messages`` ({value: message}) must name every value.
    Raises StatusListError.
    """
    _check_size(status_size)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise _error(f"a status list index is a whole number ≥ 0, not {index!r}")
    entry: dict[str, Any] = {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if status_size > 1 or status_messages:
        messages = status_messages or {}
        if sorted(messages) != list(range(1 << status_size)):
            raise _error(
                f"a status of {status_size} bits has {1 << status_size} values; "
                "statusMessage must give a message for each"
            )
        if status_size > 1:
            entry["statusSize"] = status_size
        entry["statusMessage"] = [
            {"status": f"0x{value:x}", "message": messages[value]} for value in sorted(messages)
        ]
    return entry


# ---- the check ----------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusResult:
    """The status found: ``set`` is value ≠ 0; ``message`` says what that means."""

    purpose: str
    value: int
    set: bool
    message: str
    warnings: list[str] = field(default_factory=list)
    #: departures from the specification that do not change the answer (a short list)
    conformance: list[str] = field(default_factory=list)


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def _date(value: Any, what: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise _error(f"the status list credential's {what} {value!r} is not a date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def check_status(
    entry: dict[str, Any],
    list_credential: dict[str, Any],
    *,
    now: datetime | None = None,
    minimum_bits: int = MIN_BITS,
) -> StatusResult:
    """The status ``entry`` points at in ``list_credential`` (whose proof the caller verified).

    ``now``: when given, the list credential must be valid at that time. ``minimum_bits``:
    a list shorter than this is refused (the specification's 131,072 by default); a list
    read below the specification's minimum is noted in ``conformance``.
    Raises UnsupportedStatus (another status method), StatusListError (see the module doc).
    """
    if not isinstance(entry, dict):
        raise _error("credentialStatus is not an object")
    entry_types = _types(entry.get("type"))
    kind = next((_ENTRY_TYPES[t] for t in entry_types if t in _ENTRY_TYPES), None)
    if kind is None:
        named = ", ".join(entry_types) or "no type"
        raise UnsupportedStatus(
            f"the credential's status uses {named}, which this verifier cannot check "
            "(it reads BitstringStatusListEntry and StatusList2021Entry)"
        )
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise _error("the status entry has no statusPurpose")
    index = _index(entry.get("statusListIndex"))
    status_size = entry.get("statusSize", 1)
    _check_size(status_size)

    if not isinstance(list_credential, dict):
        raise _error("the status list credential is not a JSON object")
    credential_type, subject_type = _LIST_TYPES[kind]
    if credential_type not in _types(list_credential.get("type")):
        raise _error(f"the status list credential is not a {credential_type}")
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise _error("the status list credential has no credentialSubject object")
    if subject_type not in _types(subject.get("type")):
        raise _error(f"the status list's credentialSubject is not a {subject_type}")
    list_purposes = _types(subject.get("statusPurpose"))
    if purpose not in list_purposes:
        raise _error(
            f"the entry's statusPurpose {purpose!r} is not the list's "
            f"({', '.join(map(repr, list_purposes)) or 'none'})"
        )
    if "statusSize" in subject and subject["statusSize"] != status_size:
        raise _error(
            f"the entry's statusSize {status_size} differs from the list's "
            f"{subject['statusSize']!r}"
        )
    if now is not None:
        _check_validity(list_credential, now)

    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise _error("the status list has no encodedList", "status_list_decode")
    bits = StatusList.decode(encoded, status_size=status_size, minimum_bits=minimum_bits)
    if index >= bits.length:
        raise _error(
            f"statusListIndex {index:,} is outside the status list, which holds "
            f"{bits.length:,} statuses",
            "status_list_range",
        )
    value = bits.get(index)
    warnings: list[str] = []
    listed = entry.get("statusListCredential")
    if isinstance(listed, str) and list_credential.get("id") not in (None, listed):
        warnings.append(
            f"the status list credential's id {list_credential.get('id')!r} is not the "
            f"statusListCredential URL the entry names ({listed})"
        )
    messages = entry.get("statusMessage", subject.get("statusMessage"))
    if status_size > 1 and not messages:
        warnings.append("the status entry has statusSize > 1 but no statusMessage")
    result = StatusResult(purpose, value, value != 0, _message(purpose, value, messages), warnings)
    if bits.length * status_size < MIN_BITS:
        result.conformance.append(
            f"the status list holds {bits.length * status_size:,} bits; Bitstring Status List "
            f"asks for at least {MIN_BITS:,} (so that one credential's status does not stand out)"
        )
    return result


def _index(value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value  # seen in the wild (1EdTech's samples); the spec asks for a string
    raise _error(f"statusListIndex {value!r} is not a whole number ≥ 0 written as a string")


def _check_validity(list_credential: dict[str, Any], now: datetime) -> None:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    start = list_credential.get("validFrom")
    end = list_credential.get("validUntil")
    if start is not None and now < _date(start, "validFrom"):
        raise _error(f"the status list credential is not valid before {start}")
    if end is not None and now > _date(end, "validUntil"):
        raise _error(f"the status list credential expired on {end}")


def _message(purpose: str, value: int, messages: Any) -> str:
    if isinstance(messages, list):
        for m in messages:
            if not isinstance(m, dict) or not isinstance(m.get("message"), str):
                continue
            try:
                if int(str(m.get("status")), 16) == value:
                    return str(m["message"])
            except ValueError:
                continue
    word = _WORDS.get(purpose)
    if word is not None:
        return word if value else f"not {word}"
    return f"{purpose}: status 0x{value:x}"
