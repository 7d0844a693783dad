"""Licences, permits, certificates and others (LPCO, in the WCO Data Model's terms), pure.

An LPCO is issued by one agency of the single window to one holder (a trader
identifier), for goods by HS code, in one flow (import, export or transit),
for a quantity or a value with a unit, over a validity, at one office or any,
from or to one country or any, under conditions in words. Its ``balance`` is
what is left to draw: lodgings draw it down, amendments and cancellations give
back. The agency amends, suspends, reinstates or revokes it; a suspended or
revoked LPCO covers nothing.

A quantity's unit is a UN/ECE Rec 20 code silkgate converts with pint (KGM,
TNE, NAR, LTR...); a value's unit is an ISO 4217 currency.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from silkgate.declarations.document import DeclarationDocument, Item
from silkgate.tariff import units

# National currency per unit of a currency on a date (None: no rate in force).
NationalRate = Callable[[str, dt.date], Decimal | None]


class Kind(StrEnum):
    """What an LPCO is, and the document code an item cites it with unless a requirement
    says another."""

    IMPORT_LICENCE = "import_licence"
    EXPORT_LICENCE = "export_licence"
    PERMIT = "permit"  # a CITES permit, and other permits
    AUTOMATIC_LICENCE = "automatic_licence"
    CONFORMITY_CERTIFICATE = "conformity_certificate"
    QUOTA_ALLOCATION = "quota_allocation"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


# Illustrative document codes (the requirements file may name others).
DOCUMENT_CODES = {
    Kind.IMPORT_LICENCE: "L100",
    Kind.EXPORT_LICENCE: "L200",
    Kind.PERMIT: "C400",
    Kind.AUTOMATIC_LICENCE: "L300",
    Kind.CONFORMITY_CERTIFICATE: "C012",
    Kind.QUOTA_ALLOCATION: "Q100",
}


class Flow(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    TRANSIT = "transit"


def flow_of(doc: DeclarationDocument) -> Flow:
    return Flow.IMPORT if doc.type == "IM" else Flow.EXPORT


class Status(StrEnum):
    ISSUED = "issued"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    # A partner's LPCO received over the exchange, until the agency here accepts it (then
    # issued) or refuses it.
    RECEIVED = "received"
    REFUSED = "refused"


@dataclass(frozen=True)
class Licence:
    """One LPCO as it stands."""

    id: int
    number: str
    agency: str
    kind: Kind
    holder: str  # the trader identifier (the importer for imports, the exporter for exports)
    holder_name: str
    hs: str  # an HS prefix of 4 to 10 digits
    description: str
    flow: Flow
    country: str | None  # origin (import) or destination (export); None: any
    office: str | None  # None: any office
    unit: str
    quantity: Decimal
    balance: Decimal
    valid_from: dt.date
    valid_until: dt.date
    conditions: str
    status: Status
    # A condition that the agency examines the goods at the border (joint inspection).
    examine: bool = False
    # A partner's LPCO (received over the exchange): the administration that issued it
    # (None: an agency of this node did), the agency here that accepts it, the importer it
    # names (None: any).
    administration: str | None = None
    acceptor: str | None = None
    consignee: str | None = None

    @property
    def of_value(self) -> bool:
        """Whether the LPCO covers a value (its unit a currency) rather than a quantity."""
        return is_currency(self.unit)


def is_currency(unit: str) -> bool:
    return len(unit) == 3 and unit.isalpha() and unit.isupper() and not units.is_convertible(unit)


def trader_of(doc: DeclarationDocument) -> str | None:
    """Who must hold an LPCO for the declaration's goods: the importer or the exporter."""
    party = doc.importer if doc.type == "IM" else doc.exporter
    return party.id


def country_of(doc: DeclarationDocument, item: Item) -> str:
    """The country a requirement or an LPCO is for: origin of an import, destination of an
    export."""
    return item.origin if doc.type == "IM" else doc.transport.destination_country


@dataclass(frozen=True)
class Amount:
    """What an item draws on an LPCO, in the LPCO's unit, or why it cannot be said."""

    value: Decimal | None
    field: str  # the item's field the amount comes from (a pointer's last part)
    problem: str | None = None


def amount_of(
    doc: DeclarationDocument, item: Item, unit: str, on: dt.date, to_national: NationalRate
) -> Amount:
    """The item's quantity (or value) in ``unit``: net mass for mass units, the
    supplementary quantity for others, the item's value for a currency."""
    if is_currency(unit):
        return _value_in(doc, item, unit, on, to_national)
    try:
        if _is_mass(unit):
            return Amount(units.convert(item.net_mass_kg, "KGM", unit), "net_mass_kg")
        declared = item.supplementary_quantity
        if declared is None:
            return Amount(None, "supplementary_quantity", f"a quantity in {unit} is needed")
        return Amount(
            units.convert(declared.value, declared.unit, unit), "supplementary_quantity/unit"
        )
    except units.UnitError as exc:
        return Amount(None, "supplementary_quantity/unit", str(exc))


def _value_in(
    doc: DeclarationDocument, item: Item, unit: str, on: dt.date, to_national: NationalRate
) -> Amount:
    currency = doc.invoice.currency
    if currency == unit:
        return Amount(item.value, "value")
    have, want = to_national(currency, on), to_national(unit, on)
    if have is None or want is None:
        return Amount(None, "value", f"no customs rate converts {currency} to {unit}")
    return Amount((item.value * have / want).quantize(Decimal("0.01")), "value")


@functools.cache
def _is_mass(unit: str) -> bool:
    return units.dimension(unit) == "mass"


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros (1E+3 is 1000)."""
    text = format(value.normalize(), "f")
    return text
