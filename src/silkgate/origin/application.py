"""An exporter's application for a certificate of origin (Form E), checked once at the edge.

Every box of the form is a field (``docs/origin.md`` lists them): the exporter
and consignee (boxes 1 and 2), the route (box 3), one line per good (boxes 5
to 10) and the tick boxes of box 13 with the third-party invoicing company.
Each line carries the bill of materials that supports its origin criterion,
in the calculator's shape (:mod:`silkgate.origin.commands`), so that the node
determines the line's origin itself. Box 8 (the criterion) and the FOB value
of box 9 are not asked: they are the determination's.

What needs the node's data (code lists, the agreement's parties, who the
applicant is) is checked by the service (:mod:`silkgate.origin.services.applying`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool
from pydantic_core import PydanticCustomError

from silkgate.kernel import amounts
from silkgate.kernel.commands import Command
from silkgate.kernel.errors import FieldError, pointer
from silkgate.kernel.text import Line, Text
from silkgate.origin.commands import (
    BuildUpIn,
    Country,
    DeterminationRequest,
    MaterialIn,
    MoneyIn,
    Process,
    ProductIn,
    Subheading,
    TransitIn,
)

__all__ = ["Application", "ApplicationLine", "Approval", "Bill", "Cancellation", "Decision"]

Name = Annotated[Line, Field(min_length=1, max_length=200)]
Short = Annotated[Line, Field(min_length=1, max_length=70)]
Address = Annotated[Text, Field(min_length=1, max_length=500)]
Quantity = Annotated[Decimal, amounts.bounds(positive=True), amounts.AMOUNT_SCHEMA]
Locode = Annotated[Line, Field(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$", examples=["VNHPH"])]


class Exporter(Command):
    """Box 1: who consigns the goods; ``id`` is the applicant's trader identifier."""

    id: Annotated[Line, Field(min_length=1, max_length=35)]
    name: Name
    address: Address
    country: Country


class Consignee(Command):
    """Box 2: who the goods are consigned to, in the importing party."""

    id: Annotated[Line, Field(min_length=1, max_length=35)] | None = None
    name: Name
    address: Address
    country: Country


class Packages(Command):
    count: Annotated[int, Field(ge=1, le=10**9)]
    kind: Annotated[Line, Field(pattern=r"^[A-Z0-9]{2}$", description="UN/ECE Rec 21 (CT)")]


class LineQuantity(Command):
    value: Quantity
    unit: Annotated[Line, Field(pattern=r"^[A-Z0-9]{3}$", description="UN/ECE Rec 20 (NAR)")]


class Invoice(Command):
    number: Short
    date: dt.date


class Bill(Command):
    """What supports the line's origin: its FOB value, materials and processes (the calculator's
    input without the agreement, the exporting party, the date and the product's code)."""

    fob: Annotated[MoneyIn, Field(description="FOB value of the goods of this line")]
    materials: Annotated[tuple[MaterialIn, ...], Field(max_length=1000)] = ()
    processes: Annotated[tuple[Process, ...], Field(max_length=50)] = ()
    wholly_obtained: StrictBool = False
    minimal_operations_only: StrictBool = False
    build_up: BuildUpIn | None = None


class ApplicationLine(Command):
    """Boxes 5 to 10 for one good; its item number (box 5) is its position, from 1."""

    marks: Annotated[Text, Field(min_length=1, max_length=500)]
    packages: Packages
    description: Annotated[Text, Field(min_length=1, max_length=350)]
    hs: Subheading
    quantity: Annotated[LineQuantity, Field(description="What the line covers in all")]
    gross_mass_kg: Quantity
    invoice: Invoice
    bill: Bill


class ThirdParty(Command):
    name: Name
    country: Country


class ExporterDeclaration(Command):
    """Box 11: where, when and by whom the exporter declared the goods originate."""

    place: Name
    date: dt.date
    signatory: Name


class Application(Command):
    """The whole Form E as an exporter applies for it."""

    agreement: Annotated[Line, Field(pattern=r"^[A-Z]{2,10}$", examples=["ACFTA"])]
    importing_country: Country
    exporter: Exporter
    consignee: Consignee
    departure_date: Annotated[dt.date, Field(description="Box 3: the date of exportation")]
    vessel_flight: Annotated[Line, Field(min_length=1, max_length=100)] | None = None
    port_of_discharge: Locode
    direct_consignment: StrictBool = True
    transit: TransitIn | None = None
    lines: Annotated[tuple[ApplicationLine, ...], Field(min_length=1, max_length=50)]
    third_party_invoicing: StrictBool = False
    third_party: ThirdParty | None = None
    back_to_back: StrictBool = False
    retroactive: StrictBool = False
    exhibition: StrictBool = False
    exporter_declaration: ExporterDeclaration

    def faults(self) -> list[FieldError]:
        """What is wrong across fields: the third-party invoicing company named exactly when
        box 13 says the goods are invoiced by a third party."""
        if self.third_party_invoicing and self.third_party is None:
            return [
                FieldError(
                    "/third_party",
                    "missing",
                    "the third-party invoicing company (name, country) is required when "
                    "third_party_invoicing is true",
                )
            ]
        if not self.third_party_invoicing and self.third_party is not None:
            return [
                FieldError(
                    "/third_party",
                    "invalid",
                    "a third-party invoicing company is named only when third_party_invoicing "
                    "is true",
                )
            ]
        return []

    def request(self, i: int) -> DeterminationRequest:
        """Line ``i``'s question to the origin calculator."""
        line = self.lines[i]
        bill = line.bill
        return DeterminationRequest(
            agreement=self.agreement,
            exporting_country=self.exporter.country,
            date=self.departure_date,
            product=ProductIn(hs=line.hs, description=line.description, fob=bill.fob),
            materials=bill.materials,
            processes=bill.processes,
            wholly_obtained=bill.wholly_obtained,
            minimal_operations_only=bill.minimal_operations_only,
            direct_consignment=self.direct_consignment,
            transit=self.transit,
            build_up=bill.build_up,
        )


def calculator_request(raw: Any, i: int) -> dict[str, Any]:
    """Line ``i`` of a raw application as the calculator's raw request (for its code checks,
    which read raw JSON so that they run whatever else is wrong)."""
    app = raw if isinstance(raw, dict) else {}
    lines = app.get("lines")
    line = _obj(lines[i]) if isinstance(lines, list) and i < len(lines) else {}
    bill = _obj(line.get("bill"))
    return {
        "agreement": app.get("agreement"),
        "exporting_country": _obj(app.get("exporter")).get("country"),
        "product": {
            "hs": line.get("hs"),
            "description": line.get("description"),
            "fob": bill.get("fob"),
        },
        "materials": bill.get("materials"),
        "transit": app.get("transit"),
        "build_up": bill.get("build_up"),
    }


# Where a calculator's field is in the application (the rest is under the line's bill).
_AT_APPLICATION = {
    "agreement": ("agreement",),
    "exporting_country": ("exporter", "country"),
    "date": ("departure_date",),
    "direct_consignment": ("direct_consignment",),
    "transit": ("transit",),
}
_AT_LINE = {"hs": ("hs",), "description": ("description",)}


def application_pointer(calculator: str, i: int) -> str:
    """The application's JSON pointer of a calculator's pointer for line ``i``.

    ``/product/hs`` is the line's ``hs``, ``/materials/0/value`` its bill's,
    ``/date`` the departure date, ``/exporting_country`` the exporter's country.
    """
    parts = calculator.lstrip("/").split("/") if calculator else []
    if not parts:
        return pointer("lines", i)
    head, rest = parts[0], parts[1:]
    if head in _AT_APPLICATION:
        return pointer(*_AT_APPLICATION[head], *rest)
    if head == "product" and rest and rest[0] in _AT_LINE:
        return pointer("lines", i, *_AT_LINE[rest[0]], *rest[1:])
    if head == "product":
        return pointer("lines", i, "bill", *rest)
    return pointer("lines", i, "bill", head, *rest)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- the issuing authority's commands --------------------------------------------------------


class Approval(Command):
    """Approving an application: where the certificate is issued (box 12; default: where the
    exporter declared, box 11)."""

    place: Annotated[Line, Field(min_length=1, max_length=200)] | None = None


def _required_reason(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise PydanticCustomError("missing", "a reason is required", {"code": "missing"})


Reason = Annotated[Text, BeforeValidator(_required_reason), Field(max_length=1000)]


class Decision(Command):
    """Refusing an application: the reason is required and is shown to the exporter."""

    reason: Reason


class Cancellation(Command):
    """Cancelling a certificate: the reason is required."""

    reason: Reason
