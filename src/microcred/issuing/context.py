"""What the issuing services need from the deployment, passed in (never read globally)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IssuingContext:
    """``base_url``: where this deployment's pages and status lists are reached (no trailing
    slash). ``secret``: the key-encryption secret. ``did_web``: issuer ids are did:web under
    base_url (https deployments); otherwise each organisation is the did:key of its key."""

    base_url: str
    secret: bytes
    actor: str = "system"

    @property
    def did_web(self) -> bool:
        return self.base_url.startswith("https://")


def context_from_settings(settings: object, *, actor: str = "system") -> IssuingContext:
    from microcred.config import Settings

    assert isinstance(settings, Settings)
    base = settings.public_base_url or f"http://{settings.host}:{settings.port}"
    return IssuingContext(
        base_url=base.rstrip("/"), secret=settings.key_encryption_secret(), actor=actor
    )
