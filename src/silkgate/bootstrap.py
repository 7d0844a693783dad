"""The one place where a node is wired: services by constructor, event handlers on the bus.

Capabilities meet here and nowhere else. Lodging, amendment and decisions
raise events; the handlers below react in the same transaction:

==========================  =================================================
event                       handlers
==========================  =================================================
``Lodged``                  exchange: link the import's advance data, or wait
``AdvanceLinked``           exchange: apply partner results that waited for it
``ChannelAssigned``         inspection: plan the joint inspection
``Amended``                 exchange: compare the advance data again
``Released``                exchange: advance data to the partner's outbox
``Decided``                 inspection: close the task; a seizure opens a case;
                            origin: a cancelled or rejected import gives back
                            the e-CO lines it covered
``InspectionCompleted``     risk: the control's outcome; exchange: the result
                            of an export's inspection to the partner
==========================  =================================================

A new capability registers its handlers in :func:`register_handlers` and, when
it must hold release or add a risk signal at lodging, passes a gate or a
signal source into the declarations' context (``declarations/ports.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from silkgate.config import Settings
from silkgate.declarations import events as declaration_events
from silkgate.declarations.group_commit import GroupCommitter
from silkgate.declarations.services import DeclarationService
from silkgate.declarations.services.context import Context
from silkgate.declarations.validation import CodeLists
from silkgate.exchange.messages import ORIGIN_CERTIFICATE
from silkgate.exchange.services import ExchangeService
from silkgate.exchange.services.assistance import Assistance
from silkgate.exchange.services.register import AeoRegister
from silkgate.exchange.services.trade import AdvanceLinked, TradeExchange
from silkgate.inspection.events import InspectionCompleted
from silkgate.inspection.services import InspectionService, planning
from silkgate.inspection.services.certificates import RecognisedResults
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.events import MessageBus, Noted, UnitOfWork
from silkgate.node import Node, NodeNotReady, TokenResolver
from silkgate.origin import case as origin_case
from silkgate.origin.services import OriginService
from silkgate.origin.services.claims import PreferenceCheck
from silkgate.origin.services.received import ReceivedCertificates
from silkgate.risk.commands import ControlOutcome
from silkgate.risk.services import RiskService
from silkgate.risk.services.control import record_outcome_in
from silkgate.risk.services.ports import Scorer
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

    @property
    def ttl(self) -> float:
        return self.settings.tariff_refresh_seconds

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.bus)


def open_node(
    settings: Settings, engine: sa.Engine | None = None, *, clock: Clock = system_clock
) -> Node:
    """Open the database, check it is ready, build the services and register the handlers."""
    engine = engine or make_engine(settings.database_url)
    base = _Base(
        settings, engine, _code_lists(settings, engine), clock, ZoneInfo(settings.timezone),
        MessageBus(),
    )  # fmt: skip
    tariff = _tariff(base)
    sps = SpsService(engine, countries=base.codes.countries, ttl=base.ttl, clock=clock)
    exchange = _exchange(base)
    risk = RiskService(
        engine,
        ttl=base.ttl,
        load_model=load_scorer,
        sps=sps,
        zone=base.zone,
        mra_partners=lambda: exchange.partners_with("aeo_mra"),
        # The register is built next (it refreshes risk when a partner's list arrives).
        on_aeo_change=lambda conn, at: aeo.changed(conn, at),
        clock=clock,
    )
    aeo = AeoRegister(exchange, risk=risk)
    trade = TradeExchange(
        exchange,
        base.bus,
        timezone=base.zone,
        to_national=tariff.national_rate,
        inspections=RecognisedResults(),
    )
    origin = _origin(base, tariff)
    claims, received = _origin_claims(base, origin, tariff, exchange)
    declarations = DeclarationService(_declarations_context(base, tariff, risk, trade, claims))
    inspections = _inspections(base, declarations)
    register_handlers(base.bus, trade, claims)
    return Node(
        settings=settings,
        engine=engine,
        codes=base.codes,
        declarations=declarations,
        tariff=tariff,
        risk=risk,
        sps=sps,
        origin=origin,
        claims=claims,
        certificates=received,
        inspections=inspections,
        trs=TrsService(engine),
        tokens=TokenResolver(engine, settings.secret_key, settings.token_cache_seconds),
        lodgings=GroupCommitter(declarations.commit),
        exchange=exchange,
        trade=trade,
        aeo=aeo,
        assistance=Assistance(exchange, clock=clock),
        bus=base.bus,
        clock=clock,
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


def _inspections(base: _Base, declarations: DeclarationService) -> InspectionService:
    return InspectionService(
        base.engine,
        base.unit_of_work,
        administration=base.settings.administration,
        countries=frozenset(base.codes.countries),
        clock=base.clock,
        corrections=declarations.amendments,
    )


def _origin(base: _Base, tariff: TariffService) -> OriginService:
    """The origin calculator values materials at the tariff's customs exchange rates."""
    codes = base.codes
    return OriginService(
        base.engine,
        codes=origin_case.CodeLists(
            hs_subheadings=codes.hs_subheadings,
            countries=frozenset(codes.countries),
            currencies=codes.currencies,
        ),
        national_rate=tariff.national_rate,
        zone=base.zone,
        ttl=base.ttl,
        clock=base.clock,
    )


def _origin_claims(
    base: _Base, origin: OriginService, tariff: TariffService, exchange: ExchangeService
) -> tuple[PreferenceCheck, ReceivedCertificates]:
    """Preference claims checked against the e-COs partners send under ``origin_certificates``.

    The received certificates are the inbox's handler of ``origin_certificate``; box 4
    goes back through the outbox.
    """
    claims = PreferenceCheck(
        base.engine,
        administration=base.settings.administration,
        terms=origin,
        to_national=tariff.national_rate,
        expecting=lambda issuer: exchange.agreed(issuer, "origin_certificates"),
        outbox=exchange.enqueue_many,
        wait=dt.timedelta(hours=base.settings.origin_wait_hours),
        zone=base.zone,
        clock=base.clock,
    )
    received = ReceivedCertificates(
        base.engine,
        check=claims,
        bus=base.bus,
        reassess=tariff.assess,
        zone=base.zone,
        clock=base.clock,
    )
    exchange.handle(ORIGIN_CERTIFICATE, received.receive)
    return claims, received


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
    )
    try:
        exchange.check_identity()
    except RuntimeError as exc:
        raise NodeNotReady(str(exc)) from exc
    return exchange


def _declarations_context(
    base: _Base,
    tariff: TariffService,
    risk: RiskService,
    trade: TradeExchange,
    claims: PreferenceCheck,
) -> Context:
    """The declarations' collaborators: the joint inspection holds release and amendment,
    exchange raises signals at lodging, origin checks preference claims."""
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
        gates=(inspection,),
        amendment_gates=(inspection,),
        signals=(trade,),
        inspection=planning.InspectionReader(),
        origin=claims,
    )


def register_handlers(
    bus: MessageBus, trade: TradeExchange, claims: PreferenceCheck | None = None
) -> None:
    """Every reaction of one capability to another's events (the table in the docstring)."""
    bus.subscribe(declaration_events.Lodged, trade.on_lodged)
    bus.subscribe(AdvanceLinked, trade.on_advance_linked)
    bus.subscribe(declaration_events.ChannelAssigned, planning.plan_inspection)
    bus.subscribe(declaration_events.Amended, trade.on_amended)
    bus.subscribe(declaration_events.Released, trade.on_released)
    bus.subscribe(declaration_events.Decided, planning.close_on_decision)
    if claims is not None:
        bus.subscribe(declaration_events.Decided, claims.on_decided)
    bus.subscribe(InspectionCompleted, record_control_outcome)
    bus.subscribe(InspectionCompleted, trade.on_inspected)


def record_control_outcome(event: InspectionCompleted, uow: UnitOfWork) -> None:
    """A completed joint inspection is the control's outcome: the risk model learns from it."""
    failed = event.failed
    revenue = sum((Decimal((c["finding"] or {}).get("revenue") or "0") for c in failed), Decimal(0))
    critical = any(
        c["service"] == "sps" and (c["finding"] or {}).get("kind") in ("pest", "lab", "prohibited")
        for c in failed
    )
    notes = "; ".join((c["finding"] or {}).get("note", "") for c in failed if c["finding"])
    recovered = max(revenue, Decimal(0)).quantize(Decimal("0.01"))
    outcome = ControlOutcome(
        # Revenue recovered (or a critical finding) is fraud, whichever service found it.
        fraud=any(c["service"] == "customs" for c in failed) or critical or recovered > 0,
        critical=critical,
        revenue_recovered=recovered,
        note=f"joint inspection: {notes}"[:1000] if notes else "joint inspection",
    )
    _, note = record_outcome_in(
        uow.connection,
        declaration_id=event.declaration_id,
        outcome=outcome,
        at=event.at,
        actor=event.actor,
    )
    uow.collect(Noted.of(note))


def _code_lists(settings: Settings, engine: sa.Engine) -> CodeLists:
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
    return codes


def load_scorer(row: dict[str, Any] | None) -> Scorer | None:
    """The scorer of a stored model (LightGBM is imported only when a model exists)."""
    if row is None:
        return None
    from silkgate.risk.model import StoredScorer

    return StoredScorer.from_row(row)
