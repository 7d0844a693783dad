"""The duties of one item: its charges, a preference claimed, what the e-CO check decided.

Used by :mod:`silkgate.tariff.assessment`, which adds up the items. A
preference's outcome is one of the statuses below; ``preference_withheld`` is
what a claimed preference would save (the duty, and the excise and VAT on it)
that is assessed all the same because its e-CO did not match or has not
arrived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from silkgate.declarations.document import Item
from silkgate.kernel.errors import FieldError
from silkgate.origin.claims import NONE, PAPER, Verdict
from silkgate.tariff import units
from silkgate.tariff.money import ZERO, plain, round_money
from silkgate.tariff.schedule import Measure, MeasureKind, TariffLine

# How a preference claim ended.
GRANTED = "granted_subject_to_origin_verification"
GIVEN = "given_on_e_co"  # the e-CO received matches the claim
NOT_GIVEN = "not_given_e_co_mismatch"  # it does not: general rate, the reason with the item
AWAITING = "awaiting_e_co"  # not received yet: general rate meanwhile
NO_PREFERENTIAL_RATE = "not_applied_no_preferential_rate"
NOT_LOWER = "not_applied_preferential_rate_not_lower"


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
            "amount": money(self.amount, minor),
            "base": money(self.base, minor),
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
    # The duties and taxes a preference would save, assessed all the same until its e-CO
    # matches (the duty, and the excise and VAT on it).
    preference_withheld: Decimal = ZERO
    origin_proof: str = NONE  # what the claim rests on (risk facts: item.origin_proof)
    verdict: Verdict | None = None  # the e-CO check, when there was one

    @property
    def total(self) -> Decimal:
        return self.duty.amount + self.excise.amount + self.vat.amount

    def as_json(self, currency: str, minor: int) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "tariff_line": self.tariff_line,
            "origin": self.origin,
            "customs_value": money(self.customs_value, minor),
            "quantity": None if self.quantity is None else plain(self.quantity),
            "quantity_unit": self.quantity_unit,
            "duty": self.duty.as_json(currency, minor),
            "excise": self.excise.as_json(currency, minor),
            "vat": self.vat.as_json(currency, minor),
            "preference": self.preference,
            "preference_status": self.preference_status,
            "duty_forgone": money(self.duty_forgone, minor),
            "total": money(self.total, minor),
            **self._origin_json(minor),
        }

    def _origin_json(self, minor: int) -> dict[str, Any]:
        """What the e-CO check found, when an e-CO was claimed (the declarant sees why)."""
        if self.verdict is None:
            return {"origin_proof": self.origin_proof} if self.preference else {}
        return {
            **self.verdict.as_json(),
            "preference_withheld": money(self.preference_withheld, minor),
        }


_NONE = Charge(ZERO, None, ZERO)


def money(amount: Decimal, minor: int) -> str:
    """``amount`` rounded half-up to ``minor`` decimals, as plain text ("1234.50")."""
    # A decimal quantized to 0-6 decimals prints without an exponent: str() is format(.., "f").
    return str(round_money(amount, minor))


class ItemErrors(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors


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
            except ItemErrors as exc:
                self.errors.extend(exc.errors)
                self.by_unit[m.unit] = ZERO
        return self.by_unit[m.unit]


def assess_item(
    i: int,
    item: Item,
    line: TariffLine,
    amount: Decimal,
    value: Decimal,
    on: dt.date,
    minor: int,
    exporting: bool,
    verdict: Verdict | None = None,
) -> ItemAssessment:
    quantities = _Quantities(i, item, line)
    pref = item.preference.agreement if item.preference else None
    status = None
    forgone = withheld = ZERO
    if exporting:
        m = line.measure(MeasureKind.EXPORT_DUTY, on)
        duty = _charge(m, value, quantities.of(m), minor)
        excise = vat = _NONE
        pref = verdict = None
    else:
        duty, status, forgone = _import_duty(i, line, value, on, minor, pref, quantities)
        excise, vat = _taxes(line, value, duty, on, minor, quantities)
        if verdict is not None and status == GRANTED:
            status = GIVEN if verdict.given else AWAITING if verdict.waiting else NOT_GIVEN
            if not verdict.given:
                m = line.measure(MeasureKind.DUTY, on)
                general = _charge(m, value, quantities.of(m), minor)
                g_excise, g_vat = _taxes(line, value, general, on, minor, quantities)
                # What the preference would save: the duty, and the excise and VAT on it.
                withheld = sum((c.amount for c in (general, g_excise, g_vat)), ZERO) - sum(
                    (c.amount for c in (duty, excise, vat)), ZERO
                )
                duty, excise, vat, forgone = general, g_excise, g_vat, ZERO
    if quantities.errors:
        raise ItemErrors(quantities.errors)
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
        preference_withheld=withheld,
        origin_proof=verdict.proof if verdict else (PAPER if pref else NONE),
        verdict=verdict,
    )


def _taxes(
    line: TariffLine,
    value: Decimal,
    duty: Charge,
    on: dt.date,
    minor: int,
    quantities: _Quantities,
) -> tuple[Charge, Charge]:
    """Excise on value plus duty, then VAT on value plus duty plus excise."""
    m = line.measure(MeasureKind.EXCISE, on)
    excise = _charge(m, value + duty.amount, quantities.of(m), minor)
    m = line.measure(MeasureKind.VAT, on)
    vat = _charge(m, value + duty.amount + excise.amount, None, minor)
    return excise, vat


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
        raise ItemErrors(
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
            raise ItemErrors(
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
        raise ItemErrors(
            [
                FieldError(
                    f"/items/{i}/supplementary_quantity/unit",
                    "unit_dimension_mismatch",
                    f"tariff line {line.code} is charged per {unit}: {exc}",
                )
            ]
        ) from None
