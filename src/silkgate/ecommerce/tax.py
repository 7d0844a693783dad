"""The tax on a parcel inside the consumer's limits, from the tariff in force.

Per goods line, as a normal import would be assessed (``tariff/assessment.py``):
the customs value (the line's price, with its share of freight and insurance by
value) converted to the national currency and rounded; the general duty on it
times the terms' duty share; excise on value plus that duty; VAT on value plus
duty plus excise, each with the tariff line's own measures (ad valorem parts; a
specific part needs a supplementary quantity the list does not carry). Then the
terms' shares of excise and VAT are collected (China: duty 0 %, excise and VAT
70 % of what a normal import pays), each rounded to the minor unit.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from silkgate.ecommerce.matching import Body
from silkgate.ecommerce.terms import Terms
from silkgate.tariff.money import ZERO, round_money
from silkgate.tariff.schedule import Measure, MeasureKind, TariffLine

LineOf = Callable[[str], TariffLine]


@dataclass(frozen=True)
class ParcelTax:
    customs_value: Decimal  # national currency
    duty: Decimal
    excise: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.duty + self.excise + self.vat


def _shares(entry: Body) -> list[Decimal]:
    """Each line's value with its share of freight and insurance (the last takes the rest)."""
    values = [Decimal(g["unit_price"]) * g["quantity"] for g in entry["goods"]]
    extra = Decimal(entry["freight"]) + Decimal(entry["insurance"])
    total = sum(values, ZERO)
    if not extra:
        return values
    shares: list[Decimal] = []
    left = extra
    for i, value in enumerate(values):
        if i == len(values) - 1:
            part = left
        else:
            part = extra * value / total if total else extra / len(values)
            left -= part
        shares.append(value + part)
    return shares


MeasureOf = Callable[[str, MeasureKind], Measure | None]  # an HS code's measure of a kind


def measures(line_of: LineOf, on: dt.date) -> MeasureOf:
    """The measures in force on ``on`` by HS code and kind, each looked up once (a batch of
    parcels names a few hundred codes at most)."""

    @functools.cache
    def measure_of(code: str, kind: MeasureKind) -> Measure | None:
        return line_of(code).measure(kind, on)

    return measure_of


def _amount(measure: Measure | None, base: Decimal) -> Decimal:
    return measure.amount(base, None) if measure is not None else ZERO


def assess_parcel(
    entry: Body,
    *,
    line_of: LineOf,
    rate: Decimal,
    on: dt.date,
    terms: Terms,
    minor_unit: int,
    measure_of: MeasureOf | None = None,
) -> ParcelTax:
    """The parcel's duty and taxes due inside the limits, in the national currency.

    ``rate``: national currency per unit of the parcel's currency on ``on``;
    ``measure_of``: the batch's :func:`measures` (by default, looked up each time).
    """
    found = measure_of or measures(line_of, on)
    value = duty = excise = vat = ZERO
    for goods, share in zip(entry["goods"], _shares(entry), strict=True):
        code = goods["hs_code"]
        cv = round_money(share * rate, minor_unit)
        # The duty collected (0 inside China's limits) is what the taxes' bases include.
        line_duty = round_money(
            _amount(found(code, MeasureKind.DUTY), cv) * terms.duty_share, minor_unit
        )
        full_excise = _amount(found(code, MeasureKind.EXCISE), cv + line_duty)
        full_vat = _amount(found(code, MeasureKind.VAT), cv + line_duty + full_excise)
        value += cv
        duty += line_duty
        excise += round_money(full_excise * terms.excise_share, minor_unit)
        vat += round_money(full_vat * terms.vat_share, minor_unit)
    return ParcelTax(value, duty, excise, vat)
