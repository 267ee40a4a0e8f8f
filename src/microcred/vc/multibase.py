"""Multibase (base58btc, 'z' prefix) and the multicodec prefixes used for Ed25519 keys.

base58btc is written here rather than taken from the ``base58`` package: it is a dozen
lines, and verifying a proof decodes two or three values, where the package's decoder
took as long as the JCS hashing it sits beside.
"""

from __future__ import annotations

from microcred.vc.errors import KeyFormatError

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_ALPHABET[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Raises ValueError for a character outside the base58btc alphabet."""
    n = 0
    try:
        for c in text:
            n = n * 58 + _INDEX[c]
    except KeyError:
        raise ValueError(f"invalid base58btc character {c!r}") from None
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + n.to_bytes((n.bit_length() + 7) // 8, "big")


ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


def encode_z(data: bytes) -> str:
    return "z" + b58encode(data)


def decode_z(value: object, *, what: str = "value") -> bytes:
    """Decode a base58btc multibase string. Raises KeyFormatError naming ``what``."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise KeyFormatError(f"{what} must be a base58btc multibase string starting with 'z'")
    try:
        return b58decode(value[1:])
    except ValueError:
        raise KeyFormatError(f"{what} is not valid base58btc") from None


def decode_ed25519_public(value: str, *, what: str = "publicKeyMultibase") -> bytes:
    raw = decode_z(value, what=what)
    if raw[:2] != ED25519_PUB or len(raw) != 34:
        raise KeyFormatError(f"{what} is not an Ed25519 public key (expected the 0xed01 prefix)")
    return raw[2:]


def decode_ed25519_secret(value: str, *, what: str = "secretKeyMultibase") -> bytes:
    raw = decode_z(value, what=what)
    if raw[:2] != ED25519_PRIV or len(raw) not in (34, 66):
        raise KeyFormatError(f"{what} is not an Ed25519 secret key (expected the 0x8026 prefix)")
    return raw[2:34]
