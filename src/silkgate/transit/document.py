"""The transit declaration as the holder lodges it at the office of departure.

Its essentials follow NCTS phase 5's IE015 (declaration data): the holder of
the procedure, the goods (HS code, mass, packages, value), the means of
transport, the seals, the itinerary (office of departure, offices of transit
per country crossed, office of destination, countries of routing), the time
limit and the guarantee. The shapes are checked here; what needs the node's
data (the customs office list, the partners, the clock, the guarantee
register) is checked by the lodging use case.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from silkgate.kernel.amounts import AMOUNT_SCHEMA, AS_MONEY, PositiveMoney, bounds
from silkgate.kernel.commands import Command, Country, Currency, Subheading, coded
from silkgate.kernel.text import Line

_code = coded  # the kernel's, under the name this module's types use


Office = Annotated[
    str, *_code("^[A-Z]{2}[A-Z2-9]{3}$", "invalid_office", "a UN/LOCODE of 5 characters (CNHRS)")
]
PackageKind = Annotated[
    str, *_code("^[0-9A-Z]{2}$", "invalid_package", "a UN/ECE Rec 21 package code (CT)")
]
Seal = Annotated[
    str, *_code("^[0-9A-Z-]{1,20}$", "invalid_seal", "a seal number: 1 to 20 letters, digits, -")
]
Reference = Annotated[
    str,
    *_code("^[0-9A-Z-]{1,24}$", "invalid_reference", "a reference: 1 to 24 letters, digits, -"),
]
Carnet = Annotated[
    str, *_code("^[A-Z]{2}[0-9]{8}$", "invalid_carnet", "a TIR carnet: 2 letters, 8 digits")
]
Mass = Annotated[Decimal, AS_MONEY, bounds(positive=True), AMOUNT_SCHEMA]
Name = Annotated[Line, Field(min_length=1, max_length=200)]


class Holder(Command):
    """The holder of the transit procedure (principal): liable for the duties at stake."""

    party_id: Annotated[Line, Field(min_length=1, max_length=35)]
    name: Name


class Document(Command):
    """A document the goods travel under: a licence or permit for transit (an LPCO, by the
    code the requirements give it and its number), or another."""

    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{1,4}$")]
    reference: Annotated[Line, Field(min_length=1, max_length=70)]


class Goods(Command):
    hs_code: Subheading
    description: Annotated[Line, Field(min_length=1, max_length=512)]
    gross_mass_kg: Mass
    packages: Annotated[int, Field(ge=1, le=999_999)]
    package_kind: PackageKind = "PK"
    value: PositiveMoney  # in the declaration's currency
    documents: Annotated[list[Document], Field(default_factory=list, max_length=20)]


class Transport(Command):
    mode: Literal["road", "rail"]
    identity: Annotated[Line, Field(min_length=1, max_length=35)]  # plate, wagon
    nationality: Country


def _distinct_seals(value: list[str]) -> list[str]:
    seen: set[str] = set()
    for i, seal in enumerate(value):
        if seal in seen:
            raise PydanticCustomError(
                "duplicate_seal",
                "seal {seal} is given twice (at {i})",
                {"seal": seal, "i": i, "code": "duplicate_seal"},
            )
        seen.add(seal)
    return value


class Itinerary(Command):
    """Where the goods go: the offices in the order they are passed, and the countries."""

    departure: Office
    transit: Annotated[list[Office], Field(default_factory=list, max_length=9)]
    destination: Office
    routing: Annotated[list[Country], Field(min_length=1, max_length=10)]


class TransitDeclaration(Command):
    """A transit declaration (NCTS IE015's essentials)."""

    lrn: Reference
    holder: Holder
    goods: Annotated[list[Goods], Field(min_length=1, max_length=99)]
    currency: Currency
    transport: Transport
    seals: Annotated[
        list[Seal], Field(default_factory=list, max_length=99), AfterValidator(_distinct_seals)
    ]
    itinerary: Itinerary
    time_limit: dt.date  # the goods must reach the office of destination by this date
    guarantee: Reference  # a guarantee reference number (GRN) in the register

    @property
    def value(self) -> Decimal:
        return sum((g.value for g in self.goods), Decimal(0))

    @property
    def gross_mass(self) -> Decimal:
        return sum((g.gross_mass_kg for g in self.goods), Decimal(0))


class Release(Command):
    """The departure officer's release for transit; ``seals_checked`` when risk asked for it."""

    seals_checked: bool = False
    note: Annotated[Line, Field(max_length=500)] | None = None


class Cancellation(Command):
    """The holder (or the departure's officer) withdraws a movement not yet released (NCTS
    IE014, declaration invalidation)."""

    reason: Annotated[Line, Field(min_length=1, max_length=500)]


class Crossing(Command):
    """An office of transit records the goods crossing its frontier (NCTS IE118)."""

    office: Office
    seals_intact: bool = True
    note: Annotated[Line, Field(max_length=500)] | None = None


class Arrival(Command):
    """The goods presented at an office of destination (NCTS IE006)."""

    office: Office
    note: Annotated[Line, Field(max_length=500)] | None = None


class ControlResults(Command):
    """The destination's control results (NCTS IE018): satisfactory ends the movement.
    ``examined``: the goods were physically examined (required after an incident en route)."""

    result: Literal["satisfactory", "unsatisfactory"]
    seals_intact: bool = True
    examined: bool = False
    note: Annotated[Line, Field(max_length=500)] | None = None


class Incident(Command):
    """An incident en route, recorded by the office that finds it (the office of incident
    registration, NCTS IE180): a seal broken, the goods transhipped to other means of
    transport, an accident; with the new seals the office affixed, if it did."""

    office: Office
    kind: Literal["seals_broken", "transhipment", "accident"]
    note: Annotated[Line, Field(min_length=1, max_length=500)]
    new_seals: Annotated[
        list[Seal], Field(default_factory=list, max_length=99), AfterValidator(_distinct_seals)
    ]
    transport: Transport | None = None  # after a transhipment: the new means (required then)


class GuaranteeRegistration(Command):
    """A guarantee registered by the office of guarantee: comprehensive (a reference amount
    drawn on by many movements), individual (one movement), or a TIR carnet (one transport,
    its number and vouchers given; the amount is its guarantee level)."""

    reference: Reference
    holder: Annotated[Line, Field(min_length=1, max_length=35)]  # the holder's party id
    kind: Literal["comprehensive", "individual", "tir"]
    amount: PositiveMoney  # in the national currency
    carnet: Carnet | None = None
    vouchers: Annotated[int, Field(ge=4, le=20)] | None = None
