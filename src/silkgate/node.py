"""A running node's parts: settings, engine, code lists, services, tokens and console sessions.

Built once by :func:`silkgate.bootstrap.open_node`; the API, the web console
and the CLI all use the same object.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from silkgate.access.principals import hash_token, is_demo_token
from silkgate.access.services.sessions import ConsoleSessions
from silkgate.access.services.throttle import AuthThrottle
from silkgate.config import Settings
from silkgate.declarations.group_commit import GroupCommitter
from silkgate.declarations.services import DeclarationService, Lodging, Outcome
from silkgate.declarations.services.journal import JournalService
from silkgate.declarations.validation import CodeLists
from silkgate.ecommerce.services import EcommerceService
from silkgate.ecommerce.services.sweeper import Sweeper
from silkgate.exchange.services import ExchangeService
from silkgate.exchange.services.assistance import Assistance
from silkgate.exchange.services.dispatcher import Dispatcher
from silkgate.exchange.services.register import AeoRegister
from silkgate.exchange.services.trade import TradeExchange
from silkgate.inspection.services import InspectionService
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.events import MessageBus
from silkgate.lpco.services import LpcoService
from silkgate.origin.services import OriginService
from silkgate.origin.services.certification import Certification
from silkgate.origin.services.claims import PreferenceCheck
from silkgate.origin.services.received import ReceivedCertificates
from silkgate.origin.services.verification import Verifications
from silkgate.portal.services import PortalService
from silkgate.risk.services import RiskService
from silkgate.sps.services import SpsService
from silkgate.statistics.services import StatisticsService
from silkgate.store import principals as principal_store
from silkgate.store.db import reading
from silkgate.tariff.services import TariffService
from silkgate.transit.services import TransitService
from silkgate.trs.services import TrsService


class NodeNotReady(RuntimeError):
    """The database is not migrated or holds no reference data."""


@dataclass
class TokenResolver:
    """Bearer token -> principal, with a short in-memory cache.

    The cache keeps the hot path (every API request) off the database; a
    revoked token stops working within ``ttl`` seconds. Without ``demo_tokens``
    (a production node) a token shaped like a derived demo token is refused
    without a look-up.
    """

    engine: sa.Engine
    secret_key: str
    ttl: float
    demo_tokens: bool = True
    _cache: dict[str, tuple[float, Principal | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, token: str) -> tuple[bool, Principal | None]:
        """``(True, principal)`` when the cache answers, ``(False, None)`` when it cannot."""
        if len(token) > 200 or (not self.demo_tokens and is_demo_token(token)):
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
    origin: OriginService
    certificates: Certification  # the certificates of origin this node issues
    claims: PreferenceCheck  # preference claims checked against the e-COs received
    received: ReceivedCertificates  # the e-COs partners sent
    verifications: Verifications  # retroactive verification requests, sent and received
    lpco: LpcoService  # the agencies' licences, permits and certificates, and their requirements
    transit: TransitService  # transit movements and the guarantee register
    ecommerce: EcommerceService  # cross-border e-commerce parcels (docs/ecommerce.md)
    inspections: InspectionService
    trs: TrsService
    statistics: StatisticsService  # stage times, trade statistics, releases (docs/statistics.md)
    tokens: TokenResolver
    sessions: ConsoleSessions
    auth_throttle: AuthThrottle
    lodgings: GroupCommitter[Lodging, Outcome]
    portal: PortalService  # the trader's portal: drafts, questions, documents, notifications
    exchange: ExchangeService
    trade: TradeExchange
    aeo: AeoRegister
    assistance: Assistance
    journal: JournalService
    bus: MessageBus
    clock: Clock = system_clock
    dispatcher: Dispatcher | None = None
    sweeper: Sweeper | None = None

    def start_dispatcher(self) -> None:
        """Deliver the outbox from this process (when this process holds the lease)."""
        if self.dispatcher is None:
            self.dispatcher = Dispatcher(
                self.exchange, max_attempts=self.settings.exchange_max_attempts, clock=self.clock
            )
            self.dispatcher.start()

    def stop_dispatcher(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
            self.dispatcher = None

    def start_sweeper(self) -> None:
        """Hold the e-commerce parcels not complete in time, every so often, from this process."""
        if self.sweeper is None and self.settings.ecommerce_sweep_seconds > 0:
            self.sweeper = Sweeper(
                lambda limit: self.ecommerce.sweep(None, limit),
                self.settings.ecommerce_sweep_seconds,
            )
            self.sweeper.start()

    def stop_sweeper(self) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()
            self.sweeper = None

    def close(self) -> None:
        self.stop_sweeper()
        self.stop_dispatcher()
        self.lodgings.close()
        self.engine.dispose()
