"""The transit capability's wiring: the movements, the guarantee register and the transit
messages with the partners on the route (called by :mod:`silkgate.bootstrap`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from silkgate.exchange.services import ExchangeService
from silkgate.exchange.services.transit import TransitMessages, receivers
from silkgate.store import refdata
from silkgate.store.db import reading
from silkgate.tariff.schedule import TariffLine
from silkgate.tariff.services import TariffNotLoaded, TariffService
from silkgate.transit import messages as msg
from silkgate.transit.offices import shipped
from silkgate.transit.ports import TransitLicences
from silkgate.transit.services import Guarantees, Node, TransitService

if TYPE_CHECKING:
    from silkgate.bootstrap import _Base as Base


def transit(
    base: Base,
    tariff: TariffService,
    exchange: ExchangeService,
    licences: TransitLicences | None = None,
) -> tuple[TransitService, TransitMessages]:
    """Transit at this node; its inbound messages registered with the exchange's inbox."""

    def own_offices() -> frozenset[str]:
        with reading(base.engine) as conn:
            return frozenset(o.code for o in refdata.all_offices(conn))

    node = Node(
        engine=base.engine,
        bus=base.bus,
        journal_keys=base.journal_keys,
        administration=base.settings.administration,
        offices=shipped(),
        partners=lambda: exchange.partners_with(msg.AGREEMENT),
        own_offices=own_offices,
        zone=base.zone,
        clock=base.clock,
        minor_unit=tariff.policy.minor_unit,
    )

    def lines_under(hs_code: str) -> list[TariffLine]:
        try:
            schedule = tariff.schedule()
        except TariffNotLoaded:
            return []  # no tariff: nothing can be reckoned at stake (the node's to load one)
        return [schedule.lines[code] for code in schedule.under(hs_code)]

    def to_national(currency: str, on: dt.date) -> Decimal | None:
        return tariff.national_rate(currency, on)

    guarantees = Guarantees(
        node,
        currency=tariff.policy.currency,
        minor_unit=tariff.policy.minor_unit,
        lines_under=lines_under,
        to_national=to_national,
    )
    service = TransitService(node, guarantees, licences)
    messages = TransitMessages(exchange, receivers(service))
    return service, messages
