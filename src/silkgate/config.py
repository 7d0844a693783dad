"""Settings: the one object that carries configuration, read from ``SILKGATE_*`` variables.

Outside demo mode a node refuses to start with a secret the project publishes
(the default, the demo pair's), and a production node with a secret that is
not at least 32 random bytes (:mod:`silkgate.secret_key`): a production node
can never hash tokens with a key printed in the README.
"""

from __future__ import annotations

import socket
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from silkgate import secret_key
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.secret_key import DEFAULT_SECRET

__all__ = ["DEFAULT_SECRET", "Mode", "Settings"]
# Listening addresses that are not addresses a partner can send to.
_EVERY_INTERFACE = frozenset({"0.0.0.0", "::", ""})


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
    # Messages a source may have refused at the inbox in one window before it is answered
    # 429; the window is also the span of one row of the refusal log (per source and code).
    inbox_refusal_limit: int = Field(default=1000, ge=1)
    inbox_window_seconds: int = Field(default=60, ge=1, le=86_400)
    # Failed authentications (API token, console login) a source may make in one window
    # before the failures are answered 429 instead of 401; counted in the database.
    auth_failure_limit: int = Field(default=20, ge=1)
    auth_failure_window_seconds: int = Field(default=300, ge=1, le=86_400)
    # A console login lasts a working day, and ends sooner after this long unused.
    console_session_seconds: int = Field(default=12 * 3600, ge=60)
    console_idle_seconds: int = Field(default=2 * 3600, ge=60)
    # Addresses of the reverse proxies whose X-Forwarded-For names the client (uvicorn's
    # forwarded_allow_ips): the source address every limit above is counted per.
    forwarded_allow_ips: str = "127.0.0.1"
    # The journal key new entries are sealed with, derived from the secret (docs/journal.md).
    journal_key_id: str = Field(default="j1", pattern=r"^[A-Za-z0-9._-]{1,16}$")
    # Journal keys sealed under an earlier secret: key id -> that secret (JSON object).
    journal_retired_secrets: dict[str, str] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a time zone") from None
        return zone

    # How long a preference claimed on an e-CO not received yet waits for it (assessed at the
    # general rate meanwhile); after that the preference is not given.
    origin_wait_hours: float = Field(default=72.0, ge=0, le=24 * 366)
    # Cross-border e-commerce: the terms file (limits, tax, waiting time; docs/ecommerce.md),
    # None for the one shipped (China's), and the byte limit of one bulk request.
    ecommerce_terms: str | None = None
    ecommerce_max_bytes: int = Field(default=16_000_000, ge=1024)
    # The trader's portal (docs/portal.md): the directory uploaded documents are kept in
    # (None: "documents" beside an SQLite database file, else ./var/documents), the largest
    # document taken (never more than SILKGATE_MAX_BODY_BYTES allows a form to carry), and
    # whether a payment or guarantee the trader records waits for an officer to confirm it.
    portal_documents: str | None = None
    portal_max_upload_bytes: int = Field(default=10_000_000, ge=1024)
    portal_payments_confirmed: bool = True
    # Deliver the traders' webhook notifications from this process.
    portal_webhooks: bool = True
    # How often a serving node holds the parcels not complete in time (0: never).
    ecommerce_sweep_seconds: float = Field(default=300.0, ge=0, le=86_400)

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        why = secret_key.refusal(self.secret_key, self.mode.value)
        if why is not None:
            raise ValueError(why)
        return self

    @model_validator(mode="after")
    def _check_journal_keys(self) -> Settings:
        self.journal_keys()  # raises on a bad key id
        return self

    def journal_keys(self) -> JournalKeys:
        """The journal's keys: derived from the secret, never stored in the database.

        A new ring each call (the node builds one at start and keeps it).
        """
        return JournalKeys(self.secret_key, self.journal_key_id, self.journal_retired_secrets)

    @property
    def endpoint(self) -> str:
        """The base URL partners send to: ``public_url``, or the address the node serves on
        (this machine's name when it listens on every interface)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = socket.getfqdn() if self.host in _EVERY_INTERFACE else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def database_location(self) -> str:
        """Where the database is, for people: an SQLite file's absolute path, or the URL
        without its password."""
        path = self.sqlite_path()
        if path is not None:
            return str(path.resolve())
        if self.is_sqlite:
            return "in memory"
        scheme, _, rest = self.database_url.partition("://")
        credentials, at, place = rest.rpartition("@")
        if at and ":" in credentials:
            rest = f"{credentials.split(':', 1)[0]}:***@{place}"
        return f"{scheme}://{rest}"

    def documents_directory(self) -> Path:
        """Where the portal keeps uploaded documents (``portal_documents``, or a default)."""
        if self.portal_documents:
            return Path(self.portal_documents)
        db = self.sqlite_path()
        return db.parent / "documents" if db is not None else Path("var") / "documents"

    def upload_limit(self) -> int:
        """The largest document a form may carry: the portal's limit, within the body's
        (less room for the form's other fields)."""
        return min(self.portal_max_upload_bytes, self.max_body_bytes - 16_384)

    def sqlite_path(self) -> Path | None:
        """The database file of an SQLite URL, or None (memory or another engine)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


# What a refused setting must be, in words (pydantic's own messages name patterns).
_EXPECTED = {
    "mode": "demo, test or production",
    "administration": "an ISO 3166 country code in capitals, such as CN",
    "currency": "an ISO 4217 currency code in capitals, such as CNY",
    "port": "a port number from 1 to 65535",
    "workers": "a whole number from 1 to 64",
    "max_body_bytes": "a whole number of bytes, at least 1024",
    "ecommerce_max_bytes": "a whole number of bytes, at least 1024",
    "portal_max_upload_bytes": "a whole number of bytes, at least 1024",
    "ecommerce_sweep_seconds": "seconds from 0 (never) to 86400",
    "exchange_max_attempts": "a whole number from 1 to 100",
    "presumed_insurance": "a fraction from 0 to 0.1, such as 0.003",
    "exchange_dispatch": "true or false",
    "timezone": "an IANA time zone, such as Asia/Shanghai",
}
_SECRETS = frozenset({"secret_key", "database_url"})


def settings_problem(exc: ValidationError) -> str:
    """Why the settings were refused, as sentences that name the variables (no secret shown)."""
    sentences = []
    for error in exc.errors(include_url=False):
        if not error["loc"]:  # a rule across settings: its message names them
            sentences.append(error["msg"].removeprefix("Value error, "))
            continue
        field = str(error["loc"][0])
        name = f"SILKGATE_{field.upper()}"
        given = "refused" if field in _SECRETS else f"{error['input']!r}"
        if field == "secret_key":
            sentences.append(f"{name} is too short: use at least 16 characters")
        elif field in _EXPECTED:
            sentences.append(f"{name} is {given}: it must be {_EXPECTED[field]}")
        else:
            message = error["msg"]
            sentences.append(f"{name} is {given}: {message[:1].lower()}{message[1:]}")
    return "; ".join(sentences)
