"""The one settings object, read from ``MICROCRED_*`` environment variables.

Build it with :func:`get_settings` and pass it on (``create_app(settings)``); nothing reads
the environment at import time. Every field is documented in ``docs/configuration.md`` (a
test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from microcred.errors import MicrocredError


class Settings(BaseSettings):
    """Process-wide settings. Field names map to ``MICROCRED_<NAME>`` variables."""

    model_config = SettingsConfigDict(env_prefix="MICROCRED_", extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"), description="Directory for the database and other local data."
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy database URL; empty means SQLite at <data_dir>/microcred.db.",
    )
    public_base_url: str | None = Field(
        default=None, description="The URL the site is reached at (for links in credentials)."
    )
    host: str = Field(default="127.0.0.1", description="Interface `microcred serve` binds to.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `microcred serve` uses.")
    fetch_allow_loopback: bool = Field(
        default=False,
        description="Let the fetcher reach 127.0.0.1/::1 (plain http allowed there). Tests only.",
    )
    fetch_timeout: float = Field(
        default=5.0, gt=0, description="Seconds a fetch may take (connect, each read, overall)."
    )
    fetch_max_bytes: int = Field(
        default=1_000_000, gt=0, description="Largest response body the fetcher accepts."
    )
    fetch_cache_ttl: float = Field(
        default=300.0,
        ge=0,
        description="The most seconds a fetched document is reused, and only as long as its "
        "HTTP caching headers allow; 0 disables.",
    )
    environment: str = Field(
        default="development",
        pattern="^(development|production)$",
        description="development or production. In production the secret key is required "
        "and demo data is off by default.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key-encryption secret: signing keys are encrypted at rest under a key "
        "derived from it. Required in production; in development one is made and kept in "
        "<data_dir>/secret.key.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail; unset: mail is kept in the outbox only."
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port.")
    smtp_username: str | None = Field(default=None, description="SMTP user name, if any.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password, if any.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the SMTP server.")
    mail_from: str = Field(
        default="microcred <no-reply@localhost>", description="Sender of the e-mails."
    )
    reminder_days: int = Field(
        default=30, ge=1, description="Days before validUntil that an expiry reminder is sent."
    )
    demo: bool = Field(
        default=True,
        description="Serve demo credentials (signed by a demo issuer under <data_dir>/demo) "
        "for trying the verifier page.",
    )
    upload_max_bytes: int = Field(
        default=5_000_000, gt=0, description="Largest request body (upload or JSON) accepted."
    )
    trust_registries: str = Field(
        default="",
        description="Trust registries (comma-separated file paths or https URLs) whose issuers "
        "the verifier names as registered; this server's organisations always are.",
    )

    @field_validator("trust_registries")
    @classmethod
    def _registry_sources(cls, value: str) -> str:
        for source in (s.strip() for s in value.split(",")):
            scheme = source.split("://", 1)[0].lower() if "://" in source else None
            if scheme not in (None, "https", "http"):
                raise ValueError(f"{source}: a trust registry is a file path or an https:// URL")
        return value

    def trust_registry_sources(self) -> list[str]:
        """``trust_registries`` as a list, blanks dropped."""
        return [s.strip() for s in self.trust_registries.split(",") if s.strip()]

    @model_validator(mode="after")
    def _default_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'microcred.db'}"
        if self.environment == "production" and self.secret_key is None:
            raise ValueError(
                "MICROCRED_SECRET_KEY is required when MICROCRED_ENVIRONMENT=production"
            )
        return self

    def key_encryption_secret(self) -> bytes:
        """The key-encryption secret; in development, made once and kept in the data directory."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode("utf-8")
        path = self.data_dir / "secret.key"
        if not path.exists():
            import os
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32))
        return path.read_text("utf-8").strip().encode("utf-8")


def get_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment (and ``overrides``, which win).

    Raises MicrocredError (code ``config``) naming each variable that holds an unusable value.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"MICROCRED_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise MicrocredError(f"invalid settings: {problems}", code="config") from exc
