"""Signing keys at rest: the Ed25519 seed encrypted with AES-256-GCM under a key derived
(HKDF-SHA256) from the deployment's key-encryption secret, bound to the key's id.

Nothing here returns or logs a secret; callers get an ``Ed25519Multikey`` to sign with.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from microcred.errors import MicrocredError
from microcred.vc.keys import Ed25519Multikey

_VERSION = b"\x01"
_INFO = b"microcred signing-key encryption v1"


def _kek(secret: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
    return AESGCM(key)


def seal(key: Ed25519Multikey, *, key_id: str, secret: bytes) -> bytes:
    """The encrypted form of ``key``'s seed (version byte, nonce, ciphertext+tag)."""
    seed = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = os.urandom(12)
    return _VERSION + nonce + _kek(secret).encrypt(nonce, seed, key_id.encode())


def unseal(
    blob: bytes, *, key_id: str, secret: bytes, controller: str, vm_id: str
) -> Ed25519Multikey:
    """The key sealed in ``blob``. Raises MicrocredError when the secret is not the one used."""
    if blob[:1] != _VERSION or len(blob) < 1 + 12 + 16:
        raise MicrocredError("a stored signing key is damaged", code="keystore")
    try:
        seed = _kek(secret).decrypt(blob[1:13], blob[13:], key_id.encode())
    except InvalidTag:
        raise MicrocredError(
            "a stored signing key cannot be decrypted: MICROCRED_SECRET_KEY is not the secret "
            "it was encrypted with",
            code="keystore",
        ) from None
    return Ed25519Multikey.from_seed(seed, controller=controller).with_controller(
        controller, id=vm_id
    )
