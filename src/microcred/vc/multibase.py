"""Multibase (base58btc, 'z' prefix) and the multicodec prefixes used for Ed25519 keys."""

from __future__ import annotations

import base58

from microcred.vc.errors import KeyFormatError

ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


def encode_z(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def decode_z(value: str, *, what: str = "value") -> bytes:
    """Decode a base58btc multibase string. Raises KeyFormatError naming ``what``."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise KeyFormatError(f"{what} must be a base58btc multibase string starting with 'z'")
    try:
        return base58.b58decode(value[1:])
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
