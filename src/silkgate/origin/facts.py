"""A case reduced to what the criteria of a rule read, computed once per determination.

:class:`Facts` holds the values in the FOB currency (:class:`Valuation`, at
the customs exchange rates of the date), which materials count as originating
(their proof, their origin, cumulation), the value of non-originating
materials (VNM), the RVC both ways, and the sentences that say so.
"""

from __future__ import annotations

import functools
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from silkgate.origin.case import Case, Material, Money
from silkgate.origin.rulebook import AgreementTerms, Cumulation, dotted
from silkgate.origin.rules import process_name

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    """An amount as shown: two decimals, rounded half up ("300.00")."""
    return str(value.quantize(CENT, ROUND_HALF_UP))


def percent(value: Decimal) -> str:
    """A percentage as shown: two decimals, rounded down, so it never overstates ("69.99")."""
    return format(value.quantize(CENT, ROUND_FLOOR), "f")


class Line:
    """A material of the bill, its value in the FOB currency, whether it counts as originating."""

    __slots__ = ("index", "material", "originating", "value")

    def __init__(self, index: int, material: Material, value: Decimal, originating: bool) -> None:
        self.index = index
        self.material = material
        self.value = value
        self.originating = originating

    @property
    def name(self) -> str:
        hs = self.material.hs
        return f"{self.material.description}, {dotted(hs)}" if hs else self.material.description


class Valuation:
    """Amounts in the FOB currency, at the customs exchange rates of the date.

    ``rates`` is the national currency per unit of each currency (the FOB's
    included); an amount is multiplied before it is divided, then rounded to
    the cent, as a customs conversion is.
    """

    def __init__(self, target: str, rates: dict[str, Decimal]) -> None:
        self.target = target
        self.rates = rates
        self.base = rates.get(target, Decimal(1))

    def __call__(self, m: Money) -> Decimal:
        if m.currency == self.target:
            return m.amount
        return (m.amount * self.rates[m.currency] / self.base).quantize(CENT, ROUND_HALF_UP)

    def describe(self, on: object) -> str:
        used = ", ".join(f"{c} {format(r, 'f')}" for c, r in sorted(self.rates.items()))
        return (
            f"Values in other currencies are in {self.target} at the customs exchange rates "
            f"of {on} (national currency per unit: {used})."
        )


class Facts:
    """The figures every criterion reads, computed once per case."""

    def __init__(self, case: Case, terms: AgreementTerms, convert: Valuation) -> None:
        self.case = case
        self.terms = terms
        self.fob = case.fob.amount
        self.currency = case.fob.currency
        # One pass over the materials: this loop runs for every material of every
        # determination, so it only adds up; what is said of each is written when read.
        non_originating: list[Line] = []
        counted: list[bool] = []
        values: list[Decimal] = []
        vnm = vom = ZERO
        exporter, currency, parties = case.exporting_country, self.currency, terms.parties
        anywhere = terms.cumulation is not Cumulation.NONE
        rates, base = convert.rates, convert.base
        for i, m in enumerate(case.materials):
            given = m.value
            if given.currency == currency:
                value = given.amount
            else:  # as Valuation.__call__, inline: the hottest lines of the calculator
                value = (given.amount * rates[given.currency] / base).quantize(CENT, ROUND_HALF_UP)
            origin = m.origin
            counts = m.originating and origin in parties and (anywhere or origin == exporter)
            values.append(value)
            counted.append(counts)
            if counts:
                vom += value
            else:
                non_originating.append(Line(i, m, value, counts))
                vnm += value
        self.count = len(case.materials)
        self.non_originating, self.vnm, self.vom = non_originating, vnm, vom
        self._convert, self._values, self._counted = convert, values, counted
        self.processes = tuple(dict.fromkeys(map(process_name, case.processes)))
        # Thresholds are compared without dividing (numerator * 100 >= threshold * FOB), so
        # a quotient's last digit never decides; the percentages are for showing.
        self.kept = self.fob - self.vnm
        self.rvc = self.kept * HUNDRED / self.fob
        self.costs = [(n, convert(v)) for n, v in case.build_up.given()] if case.build_up else []
        self.added: Decimal | None = None
        self.rvc_build_up: Decimal | None = None
        if case.build_up is not None:
            self.added = self.vom + sum([v for _, v in self.costs], ZERO)
            self.rvc_build_up = self.added * HUNDRED / self.fob

    @functools.cached_property
    def material_notes(self) -> list[str]:
        """What the materials are worth and why each counts as it does, in sentences."""
        case, terms, currency = self.case, self.terms, self.currency
        exporter = case.exporting_country
        said_in: list[str] = []  # originating
        said_out: list[str] = []  # non-originating
        for m, value, counts in zip(case.materials, self._values, self._counted, strict=True):
            given = m.value
            if given.currency == currency:
                shown = money(value)
            else:
                shown = f"{money(given.amount)} {given.currency} = {value}"
            said = f"{m.description}{_hs_label(m.hs)} ({_status(m, exporter, terms)}; {shown})"
            (said_in if counts else said_out).append(said)
        convert = self._convert
        notes = [convert.describe(case.date)] if len(convert.rates) > 1 else []
        if said_in:
            notes.append(
                f"Originating materials, {money(self.vom)} {currency}: {'; '.join(said_in)}."
            )
        if said_out:
            notes.append(
                f"Non-originating materials, VNM {money(self.vnm)} {currency}: "
                f"{'; '.join(said_out)}."
            )
        return notes

    def at_least(self, numerator: Decimal | None, threshold: Decimal) -> bool:
        """Whether ``numerator`` is at least ``threshold`` % of the FOB value."""
        return numerator is not None and numerator * HUNDRED >= threshold * self.fob


@functools.lru_cache(maxsize=65536)
def _hs_label(hs: str | None) -> str:
    """ ", 8473.30" after a material's description, or nothing."""
    return f", {dotted(hs)}" if hs else ""


def _status(material: Material, exporter: str, terms: AgreementTerms) -> str:
    """Why a material counts as it does, in a few words."""
    origin, code = material.origin, terms.code
    if origin is None:
        return (
            "marked originating, but of unknown origin"
            if material.originating
            else ("origin unknown")
        )
    if origin not in terms.parties:
        claimed = "marked originating, but " if material.originating else ""
        return f"{origin}, {claimed}not a party to {code}"
    if not material.originating:
        return f"{origin}, no proof of origin"
    if origin == exporter:
        return f"{origin}, with proof of origin"
    if terms.cumulation is Cumulation.NONE:
        return f"{origin}, with proof of origin, but {code} allows no cumulation"
    return f"{origin}, a party, with proof of origin under {code}: cumulation"
