"""The one settings object, read from ``MICROCRED_*`` environment variables.

Build it with :func:`get_settings` and pass it on (``create_app(settings)``); nothing reads
the environment at import time. Every field is documented in ``docs/configuration.md`` (a
test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
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
        default=300.0, ge=0, description="Seconds a fetched document is reused; 0 disables."
    )
    demo: bool = Field(
        default=True,
        description="Serve demo credentials (signed by a demo issuer under <data_dir>/demo) "
        "for trying the verifier page.",
    )
    upload_max_bytes: int = Field(
        default=5_000_000, gt=0, description="Largest request body (upload or JSON) accepted."
    )

    @model_validator(mode="after")
    def _default_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'microcred.db'}"
        return self


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
