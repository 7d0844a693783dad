"""Official customs exchange rates: the rate in force on a date, never a guess.

An administration publishes, per foreign currency, how many units of its
national currency one unit is worth for customs purposes, valid over a period
(a week or a month). Assessment converts with the rate in force on the date of
the declaration; a currency with no rate in force is an error, not 1.0.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Rate:
    currency: str
    valid_from: dt.date | None  # None only for the national currency (always 1)
    valid_to: dt.date | None  # inclusive; None: until the next rate
    rate: Decimal  # national currency per one unit of ``currency``
    line: int = 0  # the line of the file it was read from, for error messages

    @property
    def start(self) -> dt.date:
        """The first day of a published rate; only the national currency's has none."""
        if self.valid_from is None:
            raise ValueError(f"the {self.currency} rate has no start date")
        return self.valid_from

    def as_json(self) -> dict[str, str | None]:
        return {
            "currency": self.currency,
            "rate": format(self.rate.normalize(), "f"),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


class MissingRate(LookupError):
    def __init__(self, currency: str, on: dt.date) -> None:
        super().__init__(currency, on)
        self.currency = currency
        self.on = on

    def __str__(self) -> str:
        return f"no official customs exchange rate for {self.currency} is in force on {self.on}"


class ExchangeRates:
    """The rates a node converts with, indexed per currency by start date."""

    def __init__(self, national: str, rates: Iterable[Rate], version: int = 0) -> None:
        self.national = national
        self.version = version
        self._starts: dict[str, list[dt.date]] = {}
        self._rates: dict[str, list[Rate]] = {}
        for r in sorted(rates, key=lambda r: (r.currency, r.valid_from)):
            self._starts.setdefault(r.currency, []).append(r.start)
            self._rates.setdefault(r.currency, []).append(r)

    def rate(self, currency: str, on: dt.date) -> Rate:
        """The rate in force for ``currency`` on ``on``; :class:`MissingRate` if none."""
        if currency == self.national:
            return Rate(currency, None, None, Decimal(1))
        starts = self._starts.get(currency)
        if starts:
            i = bisect.bisect_right(starts, on) - 1
            if i >= 0:
                found = self._rates[currency][i]
                if found.valid_to is None or on <= found.valid_to:
                    return found
        raise MissingRate(currency, on)

    def currencies(self) -> list[str]:
        return sorted(self._rates)

    def history(self, currency: str) -> list[Rate]:
        return list(self._rates.get(currency, ()))

    def __len__(self) -> int:
        return sum(len(v) for v in self._rates.values())
