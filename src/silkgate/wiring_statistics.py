"""The statistics capability's wiring: the US dollar rate and the tariff's statistical units
(called by :mod:`silkgate.bootstrap`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from silkgate.statistics.services import StatisticsService
from silkgate.tariff.services import TariffNotLoaded, TariffService

if TYPE_CHECKING:
    from silkgate.bootstrap import _Base as Base


def statistics(base: Base, tariff: TariffService) -> StatisticsService:
    """Values in US dollars at the node's rate of the day; units from the tariff in force."""

    def usd_rate(on: dt.date) -> Decimal | None:
        if tariff.policy.currency == "USD":
            return Decimal(1)
        return tariff.national_rate("USD", on)

    def unit_of(code: str) -> str | None:
        try:
            schedule = tariff.schedule()
        except TariffNotLoaded:
            return None
        line = schedule.lines.get(code)
        if line is None:
            under = schedule.under(code[:6])
            line = schedule.lines[under[0]] if under else None
        return None if line is None else line.unit

    return StatisticsService(base.engine, usd_rate, unit_of)
