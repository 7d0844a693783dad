"""The declaration document: WCO Data Model essentials, as lodged by a declarant.

These pydantic models check *structure* (types, lengths, formats, required
fields). Whether a code exists in the reference data and whether the figures
add up is checked in :mod:`validation`, so one rejection can list every error.

Money travels as JSON strings (``"40500.00"``; a number is refused by the
code-list pass, see :mod:`silkgate.kernel.amounts`), quantities as strings or
numbers, all within 15 digits before the point and 3 after; dates are ISO
8601. Text is one line without control or invisible formatting characters
(:mod:`silkgate.kernel.text`). Unknown fields are refused rather than
silently dropped. Each format says in words what it wants
(:func:`silkgate.kernel.wording.shaped`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from silkgate.kernel import amounts
from silkgate.kernel.text import LINE_PATTERN, escaped_json
from silkgate.kernel.wording import shaped


def text(max_length: int, min_length: int = 1) -> object:
    """One line of text, stripped, of ``min_length`` to ``max_length`` characters."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=LINE_PATTERN
    )


Country = Annotated[str, shaped(r"^[A-Z]{2}$", "a 2-letter ISO 3166 country code, e.g. CN")]
CurrencyCode = Annotated[str, shaped(r"^[A-Z]{3}$", "a 3-letter ISO 4217 currency code, e.g. USD")]
Locode = Annotated[str, shaped(r"^[A-Z]{2}[A-Z2-9]{3}$", "a 5-character UN/LOCODE, e.g. CNSGH")]
UnitCode = Annotated[
    str,
    shaped(r"^[A-Z0-9]{2,3}$", "a UN/ECE Recommendation 20 unit code such as KGM or NAR"),
]
PackageKind = Annotated[
    str, shaped(r"^[A-Z0-9]{2}$", "a 2-character UN/ECE Recommendation 21 package code, e.g. CT")
]
# HS six-digit subheading, optionally extended to a national 8- or 10-digit line.
CommodityCode = Annotated[
    str,
    shaped(r"^[0-9]{6}([0-9]{2}([0-9]{2})?)?$", "an HS code of 6, 8 or 10 digits, e.g. 08109040"),
]
Identifier = Annotated[
    str,
    shaped(
        r"^[A-Za-z0-9][A-Za-z0-9./_-]{0,34}$",
        "an identifier of up to 35 letters, digits and . / _ -, starting with a letter or digit",
    ),
]
ContainerNumber = Annotated[
    str,
    shaped(r"^[A-Z]{4}[0-9]{7}$", "an ISO 6346 container number: 4 capitals, 7 digits"),
]
DocumentCode = Annotated[
    str, shaped(r"^[A-Z0-9]{1,4}$", "a document code of 1 to 4 capitals or digits, e.g. N853")
]
AgreementCode = Annotated[
    str, shaped(r"^[A-Z0-9-]{2,10}$", "an agreement code of 2 to 10 capitals, e.g. ACFTA")
]
ProcedureCode = Annotated[str, shaped(r"^[0-9]{4}$", "a 4-digit customs procedure code, e.g. 4000")]
Money = Annotated[Decimal, amounts.bounds(positive=False), amounts.AMOUNT_SCHEMA]
PositiveMoney = Annotated[Decimal, amounts.bounds(positive=True), amounts.AMOUNT_SCHEMA]
Measure = Annotated[Decimal, amounts.bounds(positive=True)]  # a mass or a quantity

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
    containers: list[ContainerNumber] = Field(default_factory=list, max_length=999)
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
    gross_mass_kg: Measure
    packages: int = Field(ge=0, le=10_000_000)
    items: int = Field(ge=1, le=999)


class Document(_Strict):
    """An attached document: licence, SPS / ePhyto or origin certificate, permit, earlier entry."""

    code: DocumentCode
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
    agreement: AgreementCode
    proof: OriginProof


class Quantity(_Strict):
    value: Measure
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
    net_mass_kg: Measure
    supplementary_quantity: Quantity | None = None
    packages: Packages
    value: Money  # in the invoice currency
    procedure: ProcedureCode | None = None
    documents: list[Document] = Field(default_factory=list, max_length=99)


class DraftDeclaration(_Strict):
    """A declaration as the duty calculator prices it: the LRN and the declarant may be left out.

    A lodged declaration (:class:`DeclarationDocument`) must have both.
    """

    type: Literal["IM", "EX"]
    procedure: ProcedureCode | None = None
    lrn: Identifier | None = None  # the declarant's own (local) reference number
    ucr: Annotated[str, text(35)] | None = None
    office: Locode
    declarant: Declarant | None = None
    importer: Party
    exporter: Party
    consignee: Party | None = None
    carrier: Party | None = None
    transport: Transport
    invoice: Invoice
    totals: Totals
    items: list[Item] = Field(min_length=1, max_length=999)
    documents: list[Document] = Field(default_factory=list, max_length=99)


class DeclarationDocument(DraftDeclaration):
    """One import (IM) or export (EX) declaration, as lodged or amended."""

    lrn: Identifier
    declarant: Declarant

    @classmethod
    def stored(cls, raw: Any) -> DeclarationDocument:
        """A version read back from the store.

        A version lodged before invisible formatting and C1 control characters
        were refused still loads, with those characters written out (``\\u202e``).
        """
        try:
            return cls.model_validate(raw)
        except ValidationError:
            return cls.model_validate(escaped_json(raw))
