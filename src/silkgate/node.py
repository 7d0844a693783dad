"""A running node's parts: settings, engine, code lists, services and the token resolver.

Built once by :func:`open_node`; the API, the web console and the CLI all use
the same object, so there is one place where real adapters are wired in.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from silkgate.access.principals import hash_token
from silkgate.config import Settings
from silkgate.declarations.group_commit import GroupCommitter
from silkgate.declarations.service import DeclarationService, Lodging, Outcome
from silkgate.declarations.validation import CodeLists
from silkgate.exchange.assistance import Assistance
from silkgate.exchange.register import AeoRegister
from silkgate.exchange.service import ExchangeService
from silkgate.exchange.trade import TradeExchange
from silkgate.inspection.service import InspectionService
from silkgate.kernel.actors import Principal
from silkgate.risk.service import RiskService
from silkgate.sps.service import SpsService
from silkgate.store import principals as principal_store
from silkgate.store import refdata
from silkgate.store.db import make_engine, reading
from silkgate.tariff.service import TariffService
from silkgate.trs.service import TrsService


class NodeNotReady(RuntimeError):
    """The database is not migrated or holds no reference data."""


@dataclass
class TokenResolver:
    """Bearer token -> principal, with a short in-memory cache.

    The cache keeps the hot path (every API request) off the database; a
    revoked token stops working within ``ttl`` seconds.
    """

    engine: sa.Engine
    secret_key: str
    ttl: float
    _cache: dict[str, tuple[float, Principal | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, token: str) -> tuple[bool, Principal | None]:
        """``(True, principal)`` when the cache answers, ``(False, None)`` when it cannot."""
        if len(token) > 200:
            return True, None
        hit = self._cache.get(hash_token(self.secret_key, token))
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def resolve(self, token: str) -> Principal | None:
        known, principal = self.cached(token)
        if known:
            return principal
        digest = hash_token(self.secret_key, token)
        now = time.monotonic()
        with reading(self.engine) as conn:
            principal = principal_store.principal_for_token(conn, digest)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now + self.ttl, principal)
        return principal

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()


@dataclass
class Node:
    settings: Settings
    engine: sa.Engine
    codes: CodeLists
    declarations: DeclarationService
    tariff: TariffService
    risk: RiskService
    sps: SpsService
    inspections: InspectionService
    trs: TrsService
    tokens: TokenResolver
    lodgings: GroupCommitter[Lodging, Outcome]
    exchange: ExchangeService
    trade: TradeExchange
    aeo: AeoRegister
    assistance: Assistance
    dispatcher: Any = None

    def start_dispatcher(self) -> None:
        """Deliver the outbox from this process (when this process holds the lease)."""
        from silkgate.exchange.dispatcher import Dispatcher

        if self.dispatcher is None:
            self.dispatcher = Dispatcher(
                self.exchange, max_attempts=self.settings.exchange_max_attempts
            )
            self.dispatcher.start()

    def stop_dispatcher(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
            self.dispatcher = None

    def close(self) -> None:
        self.stop_dispatcher()
        self.lodgings.close()
        self.engine.dispose()


def open_node(settings: Settings, engine: sa.Engine | None = None) -> Node:
    engine = engine or make_engine(settings.database_url)
    try:
        codes = refdata.code_lists(engine, settings.administration)
    except sa.exc.OperationalError as exc:
        raise NodeNotReady(
            f"the database at {settings.database_url} is not ready ({exc.orig}); "
            "run `silkgate db upgrade` and `silkgate refdata load`"
        ) from exc
    except sa.exc.ProgrammingError as exc:
        raise NodeNotReady(
            "the database is not migrated; run `silkgate db upgrade` and `silkgate refdata load`"
        ) from exc
    if not codes.hs_subheadings:
        raise NodeNotReady("no reference data loaded; run `silkgate refdata load`")
    if settings.currency not in codes.currencies or codes.currencies[settings.currency] is None:
        raise NodeNotReady(f"SILKGATE_CURRENCY {settings.currency} is not an ISO 4217 currency")
    tariff = TariffService(
        engine,
        administration=settings.administration,
        currency=settings.currency,
        minor_unit=codes.currencies[settings.currency] or 0,
        subheadings=codes.hs_subheadings,
        currencies=dict(codes.currencies),
        presumed_insurance=settings.presumed_insurance,
        ttl=settings.tariff_refresh_seconds,
    )
    risk = RiskService(engine, ttl=settings.tariff_refresh_seconds, load_model=load_scorer)
    sps = SpsService(engine, countries=codes.countries, ttl=settings.tariff_refresh_seconds)
    risk.sps = sps
    inspections = InspectionService(engine)
    inspections.risk = risk
    inspections.administration = settings.administration
    inspections.countries = codes.countries
    declarations = DeclarationService(
        engine, codes, tariff, risk, inspections, timezone=settings.timezone
    )
    inspections.declarations = declarations
    exchange = ExchangeService(
        engine,
        administration=settings.administration,
        name=settings.administration_name or f"Customs administration of {settings.administration}",
        endpoint=settings.endpoint,
        secret=settings.secret_key,
        countries=frozenset(codes.countries),
        ttl=settings.tariff_refresh_seconds,
    )
    try:
        exchange.check_identity()
    except RuntimeError as exc:
        raise NodeNotReady(str(exc)) from exc
    exchange.zone = declarations.zone
    risk.zone = declarations.zone
    trade = TradeExchange(exchange, timezone=declarations.zone)
    trade.inspections = inspections
    trade.to_national = tariff.national_rate
    declarations.trade = trade
    inspections.trade = trade
    aeo = AeoRegister(exchange)
    aeo.risk = risk
    risk.mra_partners = lambda: exchange.partners_with("aeo_mra")
    risk.on_aeo_change = aeo.changed
    return Node(
        settings=settings,
        engine=engine,
        codes=codes,
        declarations=declarations,
        tariff=tariff,
        risk=risk,
        sps=sps,
        inspections=inspections,
        trs=TrsService(engine),
        tokens=TokenResolver(engine, settings.secret_key, settings.token_cache_seconds),
        lodgings=GroupCommitter(declarations.commit),
        exchange=exchange,
        trade=trade,
        aeo=aeo,
        assistance=Assistance(exchange),
    )


def load_scorer(row: dict | None):  # type: ignore[no-untyped-def, type-arg]
    """The scorer of a stored model (LightGBM is imported only when a model exists)."""
    if row is None:
        return None
    from silkgate.risk.model import StoredScorer

    return StoredScorer.from_row(row)
