"""Ed25519 Multikey keys: generate, load and export in @digitalbazaar/ed25519-multikey's shape.

Key file (JSON)::

    {"@context": "https://w3id.org/security/multikey/v1", "id": "did:key:z6Mk…#z6Mk…",
     "type": "Multikey", "controller": "did:key:z6Mk…",
     "publicKeyMultibase": "z6Mk…", "secretKeyMultibase": "zrv…"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from microcred.vc.errors import KeyFormatError
from microcred.vc.multibase import (
    ED25519_PRIV,
    ED25519_PUB,
    decode_ed25519_public,
    decode_ed25519_secret,
    encode_z,
)

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def public_multibase(raw_public: bytes) -> str:
    return encode_z(ED25519_PUB + raw_public)


@dataclass(frozen=True)
class Ed25519Multikey:
    """An Ed25519 key pair (or public key alone) with its verification method id and controller."""

    public_key_multibase: str
    id: str | None = None
    controller: str | None = None
    _secret: Ed25519PrivateKey | None = None

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def generate(cls, *, controller: str | None = None) -> Ed25519Multikey:
        return cls._from_private(Ed25519PrivateKey.generate(), controller=controller)

    @classmethod
    def from_seed(cls, seed: bytes, *, controller: str | None = None) -> Ed25519Multikey:
        if len(seed) != 32:
            raise KeyFormatError("an Ed25519 seed is 32 bytes")
        return cls._from_private(Ed25519PrivateKey.from_private_bytes(seed), controller=controller)

    @classmethod
    def from_public(
        cls, public_key_multibase: str, *, id: str | None = None, controller: str | None = None
    ) -> Ed25519Multikey:
        decode_ed25519_public(public_key_multibase)
        return cls(public_key_multibase, id=id, controller=controller)

    @classmethod
    def _from_private(cls, priv: Ed25519PrivateKey, *, controller: str | None) -> Ed25519Multikey:
        raw = priv.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        pub = public_multibase(raw)
        if controller is None:
            controller = f"did:key:{pub}"
        return cls(pub, id=f"{controller}#{pub}", controller=controller, _secret=priv)

    @classmethod
    def from_json(cls, data: Any, *, source: str = "key file") -> Ed25519Multikey:
        """Load the JSON shape exported by @digitalbazaar/ed25519-multikey.

        Raises KeyFormatError naming the field that is wrong.
        """
        if not isinstance(data, dict):
            raise KeyFormatError(f"{source}: a key file is a JSON object")
        pub = data.get("publicKeyMultibase")
        if not isinstance(pub, str):
            raise KeyFormatError(f"{source}: $.publicKeyMultibase is missing")
        raw_pub = decode_ed25519_public(pub, what=f"{source}: $.publicKeyMultibase")
        secret = data.get("secretKeyMultibase") or data.get("privateKeyMultibase")
        priv = None
        if secret is not None:
            seed = decode_ed25519_secret(secret, what=f"{source}: $.secretKeyMultibase")
            priv = Ed25519PrivateKey.from_private_bytes(seed)
            derived = priv.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            if derived != raw_pub:
                raise KeyFormatError(
                    f"{source}: $.secretKeyMultibase does not belong to $.publicKeyMultibase"
                )
        controller = data.get("controller")
        kid = data.get("id")
        if controller is None and kid is None:
            controller = f"did:key:{pub}"  # a bare key is its own did:key
        if kid is None and controller:
            kid = f"{controller}#{pub}"
        return cls(pub, id=kid, controller=controller, _secret=priv)

    @classmethod
    def load(cls, path: str | Path) -> Ed25519Multikey:
        p = Path(path)
        try:
            data = json.loads(p.read_text("utf-8"))
        except OSError as exc:
            raise KeyFormatError(f"{p}: cannot read key file ({exc.strerror})") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise KeyFormatError(f"{p}: not JSON ({exc})") from None
        return cls.from_json(data, source=str(p))

    # ---- use ----------------------------------------------------------------------------
    @property
    def has_secret(self) -> bool:
        return self._secret is not None

    @cached_property
    def public_bytes(self) -> bytes:
        return decode_ed25519_public(self.public_key_multibase)

    @cached_property
    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_bytes)

    @property
    def private_key(self) -> Ed25519PrivateKey:
        if self._secret is None:
            raise KeyFormatError("this key has no secret part: it can verify but not sign")
        return self._secret

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.public_key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def secret_multibase(self) -> str:
        seed = self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return encode_z(ED25519_PRIV + seed)

    def to_json(self, *, include_secret: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"@context": MULTIKEY_CONTEXT, "id": self.id, "type": "Multikey"}
        if self.controller:
            out["controller"] = self.controller
        out["publicKeyMultibase"] = self.public_key_multibase
        if include_secret:
            out["secretKeyMultibase"] = self.secret_multibase()
        return {k: v for k, v in out.items() if v is not None}

    def with_controller(self, controller: str, *, id: str | None = None) -> Ed25519Multikey:
        return Ed25519Multikey(
            self.public_key_multibase,
            id=id or f"{controller}#{self.public_key_multibase}",
            controller=controller,
            _secret=self._secret,
        )

    def __repr__(self) -> str:  # never print the secret
        return f"Ed25519Multikey(id={self.id!r}, controller={self.controller!r})"
