"""Assessment: each item's customs value, duty, excise and VAT, and the declaration's totals.

Pure: it reads the document, the active tariff schedule and the exchange
rates, and touches nothing else, so the same code serves lodging, amendment,
the public duty calculator and the benchmark.

Order and rounding follow customs practice (China's Customs Law, the EU's
UCC alike): per item, the customs value is converted to the national currency
and rounded; duty is computed on it and rounded; excise on value plus duty,
rounded; VAT on value plus duty plus excise, rounded. Declaration totals are
the sums of the rounded item amounts, so they always add up.

A preference is granted when the item claims an agreement (validation has
checked that the origin country and this administration are parties to it and
that a proof is referenced), the line has a preferential rate under that
agreement on the date, and that rate is lower than the general one. It is
granted *subject to origin verification*: the duty forgone is kept with the
item so that it can be recovered if verification fails.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from silkgate.declarations.document import DraftDeclaration, Item
from silkgate.declarations.validation import InvalidDeclaration
from silkgate.kernel.errors import FieldError
from silkgate.tariff import units
from silkgate.tariff.money import ZERO, plain, round_money
from silkgate.tariff.rates import ExchangeRates, MissingRate
from silkgate.tariff.schedule import Measure, MeasureKind, Schedule, TariffLine, UnknownLine
from silkgate.tariff.valuation import Basis, basis, item_bases

# How a preference claim ended.
GRANTED = "granted_subject_to_origin_verification"
NO_PREFERENTIAL_RATE = "not_applied_no_preferential_rate"
NOT_LOWER = "not_applied_preferential_rate_not_lower"


@dataclass(frozen=True)
class Policy:
    """An administration's assessment settings."""

    currency: str  # national currency
    minor_unit: int  # of the national currency
    presumed_insurance: Decimal = Decimal("0.003")  # of cost and freight, when none is declared


class NotAssessable(InvalidDeclaration):
    """The declaration cannot be assessed: each error names the field to correct."""

    title = "The declaration cannot be assessed"


@dataclass(frozen=True, slots=True)
class Charge:
    """One duty or tax on one item."""

    amount: Decimal
    measure: Measure | None
    base: Decimal

    def as_json(self, currency: str, minor: int) -> dict[str, Any] | None:
        if self.measure is None:
            return None
        return {
            "amount": _money(self.amount, minor),
            "base": _money(self.base, minor),
            "measure": self.measure.label(currency),
            "type": self.measure.type,
            "agreement": self.measure.agreement,
        }


@dataclass(frozen=True, slots=True)
class ItemAssessment:
    seq: int
    tariff_line: str
    origin: str
    basis_amount: Decimal  # in the invoice currency, unrounded
    customs_value: Decimal  # national currency, rounded
    quantity: Decimal | None  # in the unit of the specific measure, if any
    quantity_unit: str | None
    duty: Charge
    excise: Charge
    vat: Charge
    preference: str | None  # the agreement claimed
    preference_status: str | None
    duty_forgone: Decimal  # general duty minus the preferential duty applied

    @property
    def total(self) -> Decimal:
        return self.duty.amount + self.excise.amount + self.vat.amount

    def as_json(self, currency: str, minor: int) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "tariff_line": self.tariff_line,
            "origin": self.origin,
            "customs_value": _money(self.customs_value, minor),
            "quantity": None if self.quantity is None else plain(self.quantity),
            "quantity_unit": self.quantity_unit,
            "duty": self.duty.as_json(currency, minor),
            "excise": self.excise.as_json(currency, minor),
            "vat": self.vat.as_json(currency, minor),
            "preference": self.preference,
            "preference_status": self.preference_status,
            "duty_forgone": _money(self.duty_forgone, minor),
            "total": _money(self.total, minor),
        }


@dataclass(frozen=True)
class Assessment:
    on: dt.date
    currency: str
    tariff_version: int
    rate: dict[str, Any]  # the exchange rate applied
    basis: dict[str, Any]
    items: list[ItemAssessment]
    notes: list[str] = field(default_factory=list)
    minor_unit: int = 2  # of the national currency

    def total(self, name: str) -> Decimal:
        if name == "customs_value":
            return sum((i.customs_value for i in self.items), ZERO)
        if name == "total":
            return sum((i.total for i in self.items), ZERO)
        if name == "duty_forgone":
            return sum((i.duty_forgone for i in self.items), ZERO)
        return sum((getattr(i, name).amount for i in self.items), ZERO)

    @functools.cached_property
    def totals(self) -> dict[str, Decimal]:
        return {
            name: self.total(name)
            for name in ("customs_value", "duty", "excise", "vat", "total", "duty_forgone")
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.on.isoformat(),
            "currency": self.currency,
            "tariff_version": self.tariff_version,
            "exchange_rate": self.rate,
            "valuation": self.basis,
            "items": [i.as_json(self.currency, self.minor_unit) for i in self.items],
            "totals": {k: _money(v, self.minor_unit) for k, v in self.totals.items()},
            "notes": self.notes,
        }


_NONE = Charge(ZERO, None, ZERO)


def _money(amount: Decimal, minor: int) -> str:
    return format(round_money(amount, minor), "f")


def assess(
    doc: DraftDeclaration,
    schedule: Schedule,
    rates: ExchangeRates,
    on: dt.date,
    policy: Policy,
) -> Assessment:
    """The assessment of ``doc`` as of ``on``, or :class:`NotAssessable` listing every error."""
    errors: list[FieldError] = []
    b, basis_errors = basis(doc, policy.presumed_insurance)
    errors.extend(basis_errors)
    rate = None
    try:
        rate = rates.rate(doc.invoice.currency, on)
    except MissingRate as exc:
        errors.append(FieldError("/invoice/currency", "no_exchange_rate", str(exc)))
    lines: list[TariffLine | None] = []
    for i, item in enumerate(doc.items):
        try:
            lines.append(schedule.line(item.hs_code))
        except UnknownLine as exc:
            lines.append(None)
            errors.append(_unknown_line(i, exc, schedule))
    exporting = doc.type == "EX"
    notes: list[str] = []
    if b is None:
        # Without a valuation basis the items can still be checked (lines, quantities).
        b = Basis(ZERO, ZERO, False, ZERO, ZERO)
    else:
        notes.extend(b.notes)
    if b.insurance_presumed:
        notes.append(
            f"insurance not declared: presumed at {policy.presumed_insurance * 1000:f}‰ "
            "of cost and freight"
        )
    items = []
    minor = policy.minor_unit
    factor = rate.rate if rate is not None else Decimal(1)
    for i, (item, line, amount) in enumerate(
        zip(doc.items, lines, item_bases(doc, b), strict=True)
    ):
        if line is None:
            continue
        value = round_money(amount * factor, minor)
        try:
            items.append(_assess_item(i, item, line, amount, value, on, minor, exporting))
        except _ItemErrors as exc:
            errors.extend(exc.errors)
    if errors or rate is None:
        raise NotAssessable(errors)
    return Assessment(
        on=on,
        currency=policy.currency,
        tariff_version=schedule.version,
        rate=rate.as_json(),
        basis=b.as_json(),
        items=items,
        notes=notes,
        minor_unit=policy.minor_unit,
    )


class _ItemErrors(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors


def _unknown_line(i: int, exc: UnknownLine, schedule: Schedule) -> FieldError:
    where = f"/items/{i}/hs_code"
    if exc.candidates:
        return FieldError(
            where,
            "national_line_required",
            f"{exc.code} is not a line of the tariff; declare one of " + ", ".join(exc.candidates),
        )
    return FieldError(where, "not_in_tariff", f"{exc.code} is not in the tariff ({schedule.title})")


class _Quantities:
    """The quantities of one item in the units its measures charge per, each worked out once.

    A quantity that cannot be worked out is recorded in ``errors`` and counts as
    zero meanwhile, so that every error of the item is reported at once.
    """

    __slots__ = ("_i", "_item", "_line", "by_unit", "errors")

    def __init__(self, i: int, item: Item, line: TariffLine) -> None:
        self._i = i
        self._item = item
        self._line = line
        self.errors: list[FieldError] = []
        self.by_unit: dict[str, Decimal] = {}

    def of(self, m: Measure | None) -> Decimal | None:
        """The quantity ``m`` is charged on; None if it charges on value alone."""
        if m is None or not m.needs_quantity:
            return None
        assert m.unit is not None
        if m.unit not in self.by_unit:
            try:
                self.by_unit[m.unit] = _quantity(self._i, self._item, m.unit, self._line)
            except _ItemErrors as exc:
                self.errors.extend(exc.errors)
                self.by_unit[m.unit] = ZERO
        return self.by_unit[m.unit]


def _assess_item(
    i: int,
    item: Item,
    line: TariffLine,
    amount: Decimal,
    value: Decimal,
    on: dt.date,
    minor: int,
    exporting: bool,
) -> ItemAssessment:
    quantities = _Quantities(i, item, line)
    pref = item.preference.agreement if item.preference else None
    status = None
    forgone = ZERO
    if exporting:
        m = line.measure(MeasureKind.EXPORT_DUTY, on)
        duty = _charge(m, value, quantities.of(m), minor)
        excise = vat = _NONE
        pref = None
    else:
        duty, status, forgone = _import_duty(i, line, value, on, minor, pref, quantities)
        m = line.measure(MeasureKind.EXCISE, on)
        excise = _charge(m, value + duty.amount, quantities.of(m), minor)
        m = line.measure(MeasureKind.VAT, on)
        vat = _charge(m, value + duty.amount + excise.amount, None, minor)
    if quantities.errors:
        raise _ItemErrors(quantities.errors)
    unit = next(iter(quantities.by_unit), None)
    return ItemAssessment(
        seq=item.seq,
        tariff_line=line.code,
        origin=item.origin,
        basis_amount=amount,
        customs_value=value,
        quantity=quantities.by_unit[unit] if unit else None,
        quantity_unit=unit,
        duty=duty,
        excise=excise,
        vat=vat,
        preference=pref,
        preference_status=status,
        duty_forgone=forgone,
    )


def _import_duty(
    i: int,
    line: TariffLine,
    value: Decimal,
    on: dt.date,
    minor: int,
    pref: str | None,
    quantities: _Quantities,
) -> tuple[Charge, str | None, Decimal]:
    """The import duty, the preference status and the duty forgone.

    The preferential rate of the agreement claimed applies only when it is lower
    than the general one; the general duty must be in force either way.
    """
    general = line.measure(MeasureKind.DUTY, on)
    if general is None:
        raise _ItemErrors(
            [
                FieldError(
                    f"/items/{i}/hs_code",
                    "no_duty_in_force",
                    f"tariff line {line.code} has no duty in force on {on}",
                )
            ]
        )
    duty = _charge(general, value, quantities.of(general), minor)
    if pref is None:
        return duty, None, ZERO
    preferential = line.measure(MeasureKind.DUTY, on, pref)
    if preferential is None:
        return duty, NO_PREFERENTIAL_RATE, ZERO
    offered = _charge(preferential, value, quantities.of(preferential), minor)
    if offered.amount < duty.amount:
        return offered, GRANTED, duty.amount - offered.amount
    return duty, NOT_LOWER, ZERO


def _charge(m: Measure | None, base: Decimal, quantity: Decimal | None, minor: int) -> Charge:
    if m is None:
        return _NONE
    return Charge(round_money(m.amount(base, quantity), minor), m, base)


_MASS = "mass"


def _quantity(i: int, item: Item, unit: str, line: TariffLine) -> Decimal:
    """The item's quantity in ``unit``: net mass for mass units, else the supplementary quantity."""
    try:
        dimension = units.dimension(unit)
        if dimension == _MASS:
            return units.convert(item.net_mass_kg, "KGM", unit)
        declared = item.supplementary_quantity
        if declared is None:
            raise _ItemErrors(
                [
                    FieldError(
                        f"/items/{i}/supplementary_quantity",
                        "required_by_tariff",
                        f"required: tariff line {line.code} is charged per {unit} "
                        f"({dimension or 'a unit'})",
                    )
                ]
            )
        return units.convert(declared.value, declared.unit, unit)
    except units.UnitError as exc:
        raise _ItemErrors(
            [
                FieldError(
                    f"/items/{i}/supplementary_quantity/unit",
                    "unit_dimension_mismatch",
                    f"tariff line {line.code} is charged per {unit}: {exc}",
                )
            ]
        ) from None
