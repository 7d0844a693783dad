"""The declaration document: WCO Data Model essentials, as lodged by a declarant.

These pydantic models check *structure* (types, lengths, patterns, required
fields). Whether a code exists in the reference data and whether the figures
add up is checked in :mod:`validation`, so one rejection can list every error.

Money and quantities are ``Decimal`` and travel as JSON strings or numbers;
dates are ISO 8601. Unknown fields are refused rather than silently dropped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Printable text: no control characters other than none at all.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


def text(max_length: int, min_length: int = 1) -> object:
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_PRINTABLE
    )


Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Locode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")]
UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,3}$")]
PackageKind = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")]
# HS six-digit subheading, optionally extended to a national 8- or 10-digit line.
CommodityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}([0-9]{2}([0-9]{2})?)?$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9./_-]{0,34}$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=3, allow_inf_nan=False)]
PositiveMoney = Annotated[
    Decimal, Field(gt=0, max_digits=18, decimal_places=3, allow_inf_nan=False)
]
Mass = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=3, allow_inf_nan=False)]

# Incoterms 2020.
Incoterm = Literal["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
# UN/ECE Recommendation 19: mode of transport at the border.
TransportMode = Literal[1, 2, 3, 4, 5, 7, 8, 9]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Address(_Strict):
    street: Annotated[str, text(140)] | None = None
    city: Annotated[str, text(70)]
    postcode: Annotated[str, text(17)] | None = None
    country: Country


class Party(_Strict):
    """A trader: importer, exporter, declarant, consignee or carrier."""

    id: Identifier | None = None  # TIN / USCC / EORI-like identifier
    name: Annotated[str, text(140)]
    address: Address | None = None


class Declarant(_Strict):
    id: Identifier
    name: Annotated[str, text(140)]
    # Acting for itself, as a (direct or indirect) customs broker, or as an e-commerce platform.
    role: Literal["self", "direct_agent", "indirect_agent", "platform"] = "self"


class TransportDocument(_Strict):
    type: Literal["BL", "SWB", "AWB", "HAWB", "CMR", "CIM", "POSTAL", "OTHER"]
    number: Annotated[str, text(35)]


class Transport(_Strict):
    mode: TransportMode
    means_id: Annotated[str, text(35)] | None = None  # vessel IMO, flight, truck plate, train
    nationality: Country | None = None
    document: TransportDocument
    containers: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{4}[0-9]{7}$")]] = Field(
        default_factory=list, max_length=999
    )
    loading_place: Locode
    discharge_place: Locode
    goods_location: Annotated[str, text(35)] | None = None
    dispatch_country: Country
    destination_country: Country
    arrival_date: dt.date | None = None  # expected or actual; lodging before arrival is allowed


class Invoice(_Strict):
    number: Annotated[str, text(35)]
    date: dt.date
    currency: CurrencyCode
    amount: PositiveMoney
    incoterm: Incoterm
    incoterm_place: Annotated[str, text(70)]
    freight: Money | None = None
    insurance: Money | None = None
    # WTO Valuation Agreement art. 8: costs borne by the buyer but not in the price
    # (commissions, packing, assists, royalties); and costs after importation
    # included in the price (D-terms), which are not part of the customs value.
    additions: Money | None = None
    deductions: Money | None = None
    # WTO Customs Valuation Agreement method, articles 1 (transaction value) to 7.
    valuation_method: int = Field(default=1, ge=1, le=7)


class Totals(_Strict):
    gross_mass_kg: Mass
    packages: int = Field(ge=0, le=10_000_000)
    items: int = Field(ge=1, le=999)


class Document(_Strict):
    """An attached document: licence, SPS / ePhyto or origin certificate, permit, earlier entry."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,4}$")]
    reference: Annotated[str, text(70)]
    date: dt.date | None = None
    issuing_country: Country | None = None


class OriginProof(_Strict):
    type: Literal["FORM_E", "FORM_D", "RCEP_CO", "E_CO", "ORIGIN_DECLARATION"]
    reference: Annotated[str, text(35)]
    date: dt.date
    # The certificate line the item is covered by (default: the line of its HS code).
    line: int | None = Field(default=None, ge=1, le=999)
    # The goods passed through a non-party with transit operations only (through documents).
    transit: bool = False


class Preference(_Strict):
    agreement: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{2,10}$")]
    proof: OriginProof


class Quantity(_Strict):
    value: PositiveMoney
    unit: UnitCode


class Packages(_Strict):
    count: int = Field(ge=0, le=10_000_000)
    kind: PackageKind
    marks: Annotated[str, text(140)] | None = None


class Item(_Strict):
    seq: int = Field(ge=1, le=999)
    description: Annotated[str, text(512)]
    hs_code: CommodityCode
    origin: Country
    preference: Preference | None = None
    net_mass_kg: Mass
    supplementary_quantity: Quantity | None = None
    packages: Packages
    value: Money  # in the invoice currency
    procedure: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    documents: list[Document] = Field(default_factory=list, max_length=99)


class DeclarationDocument(_Strict):
    """One import (IM) or export (EX) declaration, as lodged or amended."""

    type: Literal["IM", "EX"]
    procedure: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    lrn: Identifier  # the declarant's own (local) reference number
    ucr: Annotated[str, text(35)] | None = None
    office: Locode
    declarant: Declarant
    importer: Party
    exporter: Party
    consignee: Party | None = None
    carrier: Party | None = None
    transport: Transport
    invoice: Invoice
    totals: Totals
    items: list[Item] = Field(min_length=1, max_length=999)
    documents: list[Document] = Field(default_factory=list, max_length=99)
