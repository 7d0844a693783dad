"""The origin calculator's request, checked once at the edge and turned into a Case.

The body is the JSON an exporter (or the console, or ``silkgate origin
determine``) sends; :func:`parse_request` checks its structure and returns the
plain :class:`~silkgate.origin.case.Case` the calculator works on. What needs
the node's data (code lists, the rules in force, exchange rates) is checked by
the service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StrictBool, ValidationError

from silkgate.kernel.commands import Command, Country, Currency, Subheading, coded, parse
from silkgate.kernel.text import Line
from silkgate.origin.case import Case, CostElements, Material, Money, Transit

__all__ = ["DeterminationRequest", "parse_request"]


_code = coded  # the kernel's, under the name this module's types use


MaterialCode = Annotated[
    str,
    *_code(
        "^[0-9]{2}([0-9]{2}([0-9]{2})?)?$",
        "invalid_hs_code",
        "an HS chapter, heading or subheading: 2, 4 or 6 digits (a national line of 8 or 10 "
        "digits is refused)",
    ),
]
# One line of text: no control, direction or invisible characters (the node's text rule).
Text = Annotated[Line, Field(min_length=1, max_length=350)]
Process = Annotated[
    str, Field(min_length=1, max_length=100, examples=["assembly", "chemical reaction"])
]


class MoneyIn(Command):
    amount: Annotated[
        Decimal,
        Field(gt=0, max_digits=18, decimal_places=6, allow_inf_nan=False, examples=["1000.00"]),
    ]
    currency: Annotated[Currency, Field(description="ISO 4217")]

    def value(self) -> Money:
        return Money(self.amount, self.currency)


class CostIn(MoneyIn):
    """A cost element of the build-up method: zero is allowed."""

    amount: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6, allow_inf_nan=False)]


class ProductIn(Command):
    hs: Annotated[Subheading, Field(description="HS 2022 subheading", examples=["847130"])]
    description: Text
    fob: Annotated[MoneyIn, Field(description="Free-on-board value of the product")]


class MaterialIn(Command):
    description: Text
    hs: Annotated[
        MaterialCode | None,
        Field(description="HS 2022 chapter, heading or subheading (at most 6 digits)"),
    ] = None
    origin: Annotated[Country | None, Field(description="Country of origin; none: unknown")] = None
    originating: Annotated[
        StrictBool,
        Field(description="Has a proof of origin under the same agreement (cumulation)"),
    ] = False
    value: MoneyIn


class TransitIn(Command):
    via: Annotated[tuple[Country, ...], Field(max_length=20)]
    operations: Annotated[tuple[Process, ...], Field(max_length=20)] = ()


class BuildUpIn(Command):
    direct_labour: CostIn | None = None
    direct_overhead: CostIn | None = None
    other_cost: CostIn | None = None
    profit: CostIn | None = None


class DeterminationRequest(Command):
    """A product, its bill of materials and how it was made, to determine its origin."""

    agreement: Annotated[str, Field(pattern=r"^[A-Z]{2,10}$", examples=["ACFTA"])]
    exporting_country: Country
    date: Annotated[
        dt.date | None, Field(description="The date of exportation (default: today)")
    ] = None
    product: ProductIn
    materials: Annotated[tuple[MaterialIn, ...], Field(max_length=1000)] = ()
    processes: Annotated[tuple[Process, ...], Field(max_length=50)] = ()
    wholly_obtained: StrictBool = False
    minimal_operations_only: StrictBool = False
    direct_consignment: StrictBool = True
    transit: TransitIn | None = None
    build_up: BuildUpIn | None = None

    def case(self, today: dt.date) -> Case:
        """The request as the calculator's :class:`Case` (``today`` when no date is given)."""
        build_up = self.build_up
        return Case(
            agreement=self.agreement,
            exporting_country=self.exporting_country,
            date=self.date or today,
            hs=self.product.hs,
            description=self.product.description,
            fob=self.product.fob.value(),
            materials=tuple(
                Material(m.description, m.value.value(), m.hs, m.origin, m.originating)
                for m in self.materials
            ),
            processes=self.processes,
            wholly_obtained=self.wholly_obtained,
            minimal_operations_only=self.minimal_operations_only,
            direct_consignment=self.direct_consignment,
            transit=Transit(self.transit.via, self.transit.operations) if self.transit else None,
            build_up=CostElements(
                *(
                    c.value() if c else None
                    for c in (
                        build_up.direct_labour,
                        build_up.direct_overhead,
                        build_up.other_cost,
                        build_up.profit,
                    )
                )
            )
            if build_up
            else None,
        )


def parse_request(raw: Any, today: dt.date, *, body: bytes | None = None) -> Case:
    """The :class:`Case` in ``raw`` (or its JSON ``body``); :class:`InvalidRequest` otherwise."""
    if body is not None:
        try:
            return DeterminationRequest.model_validate_json(body).case(today)
        except ValidationError:
            pass  # the same errors, with their pointers, from the parsed value below
    return parse(DeterminationRequest, raw).case(today)
