"""The four records of a cross-border e-commerce parcel, as each party sends them.

* the platform's **order** (what the consumer bought, for how much);
* the payment company's **payment** (who paid, how much);
* the logistics company's **waybill** (which parcel carries the order, to whom);
* the customs agent's **declaration list entry** (one per parcel: the goods with their
  HS codes, quantities, prices, freight and insurance; the consumer; the order and
  waybill numbers).

A parcel is known by its platform and order number; each record names both. Money
travels as JSON strings (``"129.90"``), as everywhere on the node. The consumer's
identity number arrives in the order, the payment (the payer's) and the list; the
node keeps only its keyed hash (:mod:`silkgate.ecommerce.identity`) and never
returns it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from silkgate.declarations.document import CommodityCode, Country, CurrencyCode
from silkgate.kernel.actors import Role
from silkgate.kernel.text import LINE_PATTERN
from silkgate.kernel.wording import shaped


def text(max_length: int) -> object:
    """One line of text, stripped, of 1 to ``max_length`` characters."""
    return StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length, pattern=LINE_PATTERN
    )


RecordId = Annotated[
    str,
    shaped(
        r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
        "a record id of up to 64 letters, digits and . _ : -, starting with a letter or digit",
    ),
]
Number = Annotated[
    str,
    shaped(
        r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$",
        "a number of up to 40 letters, digits and . _ / -, starting with a letter or digit",
    ),
]
PartyId = Annotated[str, shaped(r"^[A-Z0-9]{1,35}$", "a party id of up to 35 capitals and digits")]
IdNumber = Annotated[
    str,
    shaped(r"^[A-Za-z0-9]{6,32}$", "an identity document number of 6 to 32 letters and digits"),
]
Quantity = Annotated[int, Field(gt=0, le=1_000_000)]
# Money as the string sent, checked by its pattern in pydantic's core (a bulk list has
# hundreds of thousands of amounts: the decimal validators cost more than the rest of
# the record). The same bounds as everywhere: 15 digits, 3 decimals, never negative.
Money = Annotated[
    str,
    shaped(
        r"^[0-9]{1,15}(\.[0-9]{1,3})?$",
        'an amount as a string: up to 15 digits, a point and 3 decimals, e.g. "40500.00"',
    ),
]


class Kind(StrEnum):
    """The record kinds, as the bulk API names them (``POST /v1/ecommerce/{kind}``)."""

    ORDERS = "orders"
    PAYMENTS = "payments"
    WAYBILLS = "waybills"
    PARCELS = "parcels"  # the agent's declaration list entries


# Who sends which list.
SENDER = {
    Kind.ORDERS: Role.PLATFORM,
    Kind.PAYMENTS: Role.PAYMENT,
    Kind.WAYBILLS: Role.LOGISTICS,
    Kind.PARCELS: Role.ECOMMERCE_AGENT,
}


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: RecordId  # the sender's own id of this record: a re-sent record changes nothing
    platform: PartyId  # the e-commerce platform's party id
    order_no: Number


class Person(BaseModel):
    """The consumer (or the payer): name and identity number (kept only as a keyed hash)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: Annotated[str, text(70)]
    id_number: IdNumber


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    sku: Annotated[str, text(40)]
    description: Annotated[str, text(200)]
    quantity: Quantity
    unit_price: Money


class Order(_Record):
    """The platform's order."""

    ordered_at: dt.datetime | None = None
    currency: CurrencyCode
    goods: Annotated[list[OrderLine], Field(min_length=1, max_length=50)]
    freight: Money
    insurance: Money
    total: Money  # what the consumer pays: goods + freight + insurance
    consumer: Person


class Payment(_Record):
    """The payment company's record of what the consumer paid for the order."""

    payment_no: Number
    currency: CurrencyCode
    amount: Money
    payer: Person


class Waybill(_Record):
    """The logistics company's waybill of the parcel that carries the order."""

    waybill_no: Number
    consignee: Annotated[str, text(70)]
    address: Annotated[str, text(200)]
    gross_mass_kg: Annotated[float, Field(gt=0, le=1000)] | None = None


class ListLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    sku: Annotated[str, text(40)]
    description: Annotated[str, text(200)]
    hs_code: CommodityCode
    origin: Country
    quantity: Quantity
    unit_price: Money


class ListEntry(_Record):
    """The agent's declaration list entry: one parcel."""

    waybill_no: Number
    currency: CurrencyCode
    goods: Annotated[list[ListLine], Field(min_length=1, max_length=50)]
    freight: Money
    insurance: Money
    consumer: Person


MODELS: dict[Kind, type[_Record]] = {
    Kind.ORDERS: Order,
    Kind.PAYMENTS: Payment,
    Kind.WAYBILLS: Waybill,
    Kind.PARCELS: ListEntry,
}

Record = Order | Payment | Waybill | ListEntry
