"""The duties at stake on a transit movement, and the guarantee's arithmetic.

Releasing a movement reserves on its guarantee the duties and taxes the goods
would owe if they left customs control on the way. As NCTS computes the
reference amount, they are reckoned at the **highest rates** the tariff in
force applies to the goods: of every national line under the declared
subheading, the one whose duty, excise and VAT together come highest. The
departure node holds its own tariff only, so that tariff stands for the
route (the partners' tariffs are not exchanged); a measure specific per
kilogram counts on the gross mass, one per another unit by its ad valorem
part alone.

A comprehensive guarantee is drawn on by many movements up to its reference
amount; an individual guarantee covers one movement. The balance never goes
below zero: the store reserves with one conditional update (``balance >=
amount``), so of two releases racing for the last of a balance only one
passes (``store/transit.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from silkgate.tariff.schedule import MeasureKind, TariffLine

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Stake:
    """The duties at stake on one item, at the highest rates, and the line that gave them."""

    hs_code: str
    line: str | None  # the national line of the highest rates; None: no line, nothing at stake
    duty: Decimal
    excise: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.duty + self.excise + self.vat

    def as_json(self) -> dict[str, str | None]:
        return {
            "hs_code": self.hs_code,
            "line": self.line,
            "duty": str(self.duty),
            "excise": str(self.excise),
            "vat": str(self.vat),
        }


def _due(line: TariffLine, kind: MeasureKind, base: Decimal, mass: Decimal, on: dt.date) -> Decimal:
    measure = line.measure(kind, on)
    if measure is None:
        return ZERO
    return measure.amount(base, mass if measure.unit == "KGM" else None)


def item_stake(
    hs_code: str, lines: Iterable[TariffLine], value: Decimal, mass: Decimal, on: dt.date
) -> Stake:
    """The highest duties and taxes among ``lines`` on goods worth ``value`` (national currency)."""
    best = Stake(hs_code, None, ZERO, ZERO, ZERO)
    for line in lines:
        duty = _due(line, MeasureKind.DUTY, value, mass, on)
        excise = _due(line, MeasureKind.EXCISE, value + duty, mass, on)
        vat = _due(line, MeasureKind.VAT, value + duty + excise, mass, on)
        found = Stake(hs_code, line.code, duty, excise, vat)
        if found.total > best.total or best.line is None:
            best = found
    return best


def reserved_amount(stakes: Iterable[Stake], minor_unit: int) -> Decimal:
    """What the release reserves: the stakes' total, rounded up to the currency's minor unit
    (a guarantee never covers a fraction less than the duty)."""
    total = sum((s.total for s in stakes), ZERO)
    return total.quantize(Decimal(1).scaleb(-minor_unit), rounding=ROUND_CEILING)


def covers(kind: str, balance: Decimal, uses: int, amount: Decimal) -> bool:
    """Whether a guarantee can take a reservation of ``amount`` (the rule the store's
    conditional update enforces in one statement)."""
    if kind != "comprehensive" and uses > 0:
        return False
    return balance >= amount
