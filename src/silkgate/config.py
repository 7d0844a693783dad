"""Settings: the one object that carries configuration, read from ``SILKGATE_*`` variables.

Outside demo and test mode a node refuses to start with the well-known default
secret, so a production node can never sign tokens with a key printed in the
README.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "silkgate-demo-secret-do-not-use-in-production"


class Mode(StrEnum):
    DEMO = "demo"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Configuration of one node. Every field maps to ``SILKGATE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SILKGATE_", extra="ignore", frozen=True)

    mode: Mode = Mode.PRODUCTION
    database_url: str = "sqlite:///./var/silkgate.db"
    secret_key: str = Field(default=DEFAULT_SECRET, min_length=16)
    administration: str = Field(default="CN", pattern=r"^[A-Z]{2}$")
    # Local dates (an invoice dated "today", arrival "tomorrow") are read in this zone.
    timezone: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Worker processes for `silkgate serve`; each has its own pool and group-commit writer.
    workers: int = Field(default=1, ge=1, le=64)
    # A declaration of 999 items with long descriptions stays well under 1 MB.
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # How long a resolved token stays cached in memory before it is looked up again.
    token_cache_seconds: float = Field(default=30.0, ge=0)
    # The national currency duties and taxes are assessed and paid in.
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    # Insurance presumed when a price excludes it and none is declared, as a fraction of
    # cost and freight (China: 3 per mille).
    presumed_insurance: Decimal = Field(default=Decimal("0.003"), ge=0, le=Decimal("0.1"))
    # How often a worker checks for a newly loaded tariff or exchange-rate file.
    tariff_refresh_seconds: float = Field(default=5.0, ge=0)
    # The administration's name, and the base URL partners reach this node at (on its card).
    administration_name: str | None = None
    public_url: str | None = None
    # Deliver the outbox to partners from this process (one process of a node holds a lease).
    exchange_dispatch: bool = True
    # Failed deliveries of one message before it is parked for an administrator.
    exchange_max_attempts: int = Field(default=12, ge=1, le=100)
    # How long a preference claimed on an e-CO not received yet waits for it (assessed at the
    # general rate meanwhile); after that the preference is not given.
    origin_wait_hours: float = Field(default=72.0, ge=0, le=24 * 366)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.mode is Mode.PRODUCTION and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "SILKGATE_SECRET_KEY is the public default; set a secret of your own "
                "(or SILKGATE_MODE=demo for a demonstration node)"
            )
        return self

    @property
    def endpoint(self) -> str:
        """The base URL partners send to: ``public_url``, or this node's own address."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of an SQLite URL, or None (memory or another engine)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)
