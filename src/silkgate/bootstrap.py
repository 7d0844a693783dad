"""The one place where a node is wired: services by constructor, event handlers on the bus
(:mod:`silkgate.handlers` lists which capability reacts to which event).

A new capability registers its handlers in :func:`silkgate.handlers.register_handlers`
and, when it must hold release or add a risk signal at lodging, passes a gate or a
signal source into the declarations' context (``declarations/ports.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from joserfc.jwk import OKPKey

from silkgate import (
    wiring_ecommerce,
    wiring_lpco,
    wiring_origin,
    wiring_portal,
    wiring_statistics,
    wiring_transit,
)
from silkgate.access.services.sessions import ConsoleSessions
from silkgate.access.services.throttle import AuthThrottle
from silkgate.config import Mode, Settings
from silkgate.declarations.group_commit import GroupCommitter
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.declarations.services import DeclarationService
from silkgate.declarations.services.context import Context
from silkgate.declarations.services.journal import JournalService
from silkgate.declarations.validation import CodeLists
from silkgate.exchange.services import ExchangeService
from silkgate.exchange.services.assistance import Assistance
from silkgate.exchange.services.keys import NodeKeys
from silkgate.exchange.services.lpco import LpcoMessages
from silkgate.exchange.services.origin import CertificateMessages
from silkgate.exchange.services.register import AeoRegister
from silkgate.exchange.services.trade import TradeExchange
from silkgate.handlers import register_handlers
from silkgate.inspection.services import InspectionService, planning
from silkgate.inspection.services.certificates import RecognisedResults
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.events import MessageBus
from silkgate.lpco.services import LicenceCheck
from silkgate.node import Node, NodeNotReady, TokenResolver
from silkgate.origin.services.claims import PreferenceCheck
from silkgate.risk.services import RiskService
from silkgate.risk.services.ports import AeoChanged, Scorer
from silkgate.sps.services import SpsService
from silkgate.store import refdata
from silkgate.store.db import make_engine
from silkgate.store.uow import SqlUnitOfWork
from silkgate.tariff.services import TariffService
from silkgate.trs.services import TrsService


@dataclass(frozen=True)
class _Base:
    """What every part of a node is built on."""

    settings: Settings
    engine: sa.Engine
    codes: CodeLists
    clock: Clock
    zone: ZoneInfo
    bus: MessageBus
    journal_keys: JournalKeys

    @property
    def ttl(self) -> float:
        return self.settings.tariff_refresh_seconds

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.bus, self.journal_keys)


def open_node(
    settings: Settings, engine: sa.Engine | None = None, *, clock: Clock = system_clock
) -> Node:
    """Open the database, check it is ready, build the services and register the handlers."""
    engine = engine or make_engine(settings.database_url)
    base = _Base(
        settings, engine, _code_lists(settings, engine), clock, ZoneInfo(settings.timezone),
        MessageBus(), settings.journal_keys(),
    )  # fmt: skip
    tariff = _tariff(base)
    sps = SpsService(engine, countries=base.codes.countries, ttl=base.ttl, clock=clock)
    exchange = _exchange(base)
    # The register is built next (it refreshes risk when a partner's list arrives).
    risk = _risk(base, sps, exchange, on_aeo_change=lambda conn, at: aeo.changed(conn, at))
    aeo = AeoRegister(exchange, risk=risk)
    trade = _trade(base, exchange, tariff)
    origin = wiring_origin.origin(base, tariff)
    claims, received = wiring_origin.origin_claims(base, origin, tariff, exchange)
    lpco = wiring_lpco.lpco(base, tariff)
    declarations = DeclarationService(
        _declarations_context(base, tariff, risk, trade, claims, lpco.check)
    )
    inspections = _inspections(base, declarations)
    certificates = wiring_origin.certification(base, origin, exchange)
    verifications = wiring_origin.verifications(base, origin, tariff, exchange)
    transit, transit_messages = wiring_transit.transit(base, tariff, exchange, lpco.check)
    statistics = wiring_statistics.statistics(base, tariff)
    register_handlers(
        base.bus,
        trade,
        CertificateMessages(exchange, certificates),
        claims,
        verifications,
        lpco.check,
        transit=transit_messages,
        statistics=statistics,
        lpcos=LpcoMessages(exchange, lpco.partner),
    )
    ecommerce = wiring_ecommerce.ecommerce(base, tariff, risk)
    return Node(
        settings=settings,
        engine=engine,
        codes=base.codes,
        declarations=declarations,
        tariff=tariff,
        risk=risk,
        sps=sps,
        origin=origin,
        certificates=certificates,
        claims=claims,
        received=received,
        verifications=verifications,
        lpco=lpco,
        transit=transit,
        ecommerce=ecommerce,
        inspections=inspections,
        trs=TrsService(engine),
        statistics=statistics,
        tokens=TokenResolver(
            engine, settings.secret_key, settings.token_cache_seconds, demo_tokens=_demo(settings)
        ),
        sessions=_sessions(settings, engine),
        # Failed logins are counted on real time, whatever clock the node's business keeps.
        auth_throttle=AuthThrottle(
            engine, limit=settings.auth_failure_limit, window=settings.auth_failure_window_seconds
        ),
        lodgings=GroupCommitter(declarations.commit),
        portal=wiring_portal.portal(base, declarations),
        exchange=exchange,
        trade=trade,
        aeo=aeo,
        assistance=Assistance(exchange, clock=clock),
        journal=open_journal(
            settings, engine, node_keys=exchange.keyring, keys=base.journal_keys, clock=clock
        ),
        bus=base.bus,
        clock=clock,
    )


def _trade(base: _Base, exchange: ExchangeService, tariff: TariffService) -> TradeExchange:
    return TradeExchange(
        exchange,
        base.bus,
        base.journal_keys,
        timezone=base.zone,
        to_national=tariff.national_rate,
        inspections=RecognisedResults(),
    )


def _demo(settings: Settings) -> bool:
    """Whether derived demo tokens may log in: on any node but a production one."""
    return settings.mode is not Mode.PRODUCTION


def _sessions(settings: Settings, engine: sa.Engine) -> ConsoleSessions:
    # Logins last on real time, whatever clock the node's business keeps (a simulation's).
    return ConsoleSessions(
        engine,
        settings.secret_key,
        lifetime=settings.console_session_seconds,
        idle=settings.console_idle_seconds,
        demo_tokens=_demo(settings),
    )


def _inspections(base: _Base, declarations: DeclarationService) -> InspectionService:
    return InspectionService(
        base.engine,
        base.unit_of_work,
        administration=base.settings.administration,
        countries=frozenset(base.codes.countries),
        clock=base.clock,
        corrections=declarations.amendments,
    )


def _risk(
    base: _Base, sps: SpsService, exchange: ExchangeService, *, on_aeo_change: AeoChanged
) -> RiskService:
    return RiskService(
        base.engine,
        unit_of_work=base.unit_of_work,
        ttl=base.ttl,
        load_model=load_scorer,
        sps=sps,
        zone=base.zone,
        mra_partners=lambda: exchange.partners_with("aeo_mra"),
        on_aeo_change=on_aeo_change,
        clock=base.clock,
    )


def _tariff(base: _Base) -> TariffService:
    settings, codes = base.settings, base.codes
    return TariffService(
        base.engine,
        clock=base.clock,
        administration=settings.administration,
        currency=settings.currency,
        minor_unit=codes.currencies[settings.currency] or 0,
        subheadings=codes.hs_subheadings,
        currencies=dict(codes.currencies),
        presumed_insurance=settings.presumed_insurance,
        ttl=base.ttl,
    )


def _exchange(base: _Base) -> ExchangeService:
    settings = base.settings
    exchange = ExchangeService(
        base.engine,
        administration=settings.administration,
        name=settings.administration_name or f"Customs administration of {settings.administration}",
        endpoint=settings.endpoint,
        secret=settings.secret_key,
        countries=frozenset(base.codes.countries),
        ttl=base.ttl,
        clock=base.clock,
        zone=base.zone,
        refusal_limit=settings.inbox_refusal_limit,
        refusal_window=settings.inbox_window_seconds,
    )
    try:
        exchange.check_identity()
    except RuntimeError as exc:
        raise NodeNotReady(str(exc)) from exc
    return exchange


def open_journal(
    settings: Settings,
    engine: sa.Engine,
    *,
    node_keys: NodeKeys | None = None,
    keys: JournalKeys | None = None,
    clock: Clock = system_clock,
) -> JournalService:
    """The journal's use cases alone (the CLI verifies without opening a whole node).

    Anchors are signed with the key the node signs its partner messages with.
    """
    signing = node_keys or NodeKeys(
        engine,
        administration=settings.administration,
        name=settings.administration_name or settings.administration,
        endpoint=settings.endpoint,
        secret=settings.secret_key,
        clock=clock,
    )

    def signer() -> tuple[str, OKPKey]:
        try:
            return signing.signer()
        except RuntimeError:  # no key yet: the node's first, as for its partner card
            signing.ensure_key()
            return signing.signer()

    return JournalService(
        engine,
        keys or settings.journal_keys(),
        administration=settings.administration,
        signer=signer,
        public_keys=signing.public_key,
        clock=clock,
    )


def _declarations_context(
    base: _Base,
    tariff: TariffService,
    risk: RiskService,
    trade: TradeExchange,
    claims: PreferenceCheck,
    licences: LicenceCheck,
) -> Context:
    """The declarations' collaborators: the joint inspection holds release and amendment,
    exchange raises signals at lodging, origin checks preference claims, the agencies'
    LPCOs are checked and drawn down at lodging and hold release while missing."""
    inspection = planning.InspectionGates()
    return Context(
        engine=base.engine,
        unit_of_work=base.unit_of_work,
        codes=base.codes,
        tariff=tariff,
        currency=tariff.policy.currency,
        minor_unit=tariff.policy.minor_unit,
        zone=base.zone,
        clock=base.clock,
        risk=risk,
        gates=(inspection, licences),
        amendment_gates=(inspection,),
        signals=(trade,),
        inspection=planning.InspectionReader(),
        origin=claims,
        lpco=licences,
    )


def _code_lists(settings: Settings, engine: sa.Engine) -> CodeLists:
    try:
        codes = refdata.code_lists(engine, settings.administration)
    except sa.exc.OperationalError as exc:
        raise NodeNotReady(
            f"the database at {settings.database_location()} is not ready ({exc.orig}); "
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
    return codes


def load_scorer(row: dict[str, Any] | None) -> Scorer | None:
    """The scorer of a stored model (LightGBM is imported only when a model exists)."""
    if row is None:
        return None
    from silkgate.risk.model import StoredScorer

    return StoredScorer.from_row(row)
