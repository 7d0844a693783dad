"""Answers of the origin routes: the calculator's determination, the rules published."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from silkgate.api.schemas.base import Shape


class Amount(Shape):
    amount: str = Field(examples=["1000.00"])
    currency: str = Field(examples=["USD"])


class AppliedRule(Shape):
    """The rule the product was judged by, and where it comes from."""

    text: str = Field(description="The criteria applied", examples=["WO or PE or RVC 40% or CTH"])
    product_rule: str = Field(description="The rule in force for the product")
    scope: str = Field(examples=["general rule", "heading 1516"])
    hs: str | None
    source: str
    illustrative: bool = Field(description="Written for the demonstration, not the agreement's")
    valid_from: str
    valid_to: str | None
    version: int = Field(description="The loaded version of the rules")


class FailingMaterial(Shape):
    index: int = Field(description="Position in the bill of materials, from 0")
    description: str
    hs: str | None
    origin: str | None
    value: Amount
    fails: list[str] = Field(description="The tariff-change criteria it fails", examples=[["CTH"]])


class Determination(Shape):
    """Whether the product originates, by which criterion, and why, step by step."""

    agreement: str
    exporting_country: str
    date: str
    product: dict[str, Any]
    originating: bool
    criterion: str | None = Field(
        description="Form E box 8: WO, PE, RVC, CC, CTH, CTSH or PSR; null if not originating"
    )
    box8: str | None = Field(description="Box 8 as written", examples=["RVC 70%"])
    fob: Amount | None = Field(description="Box 9: the FOB value, only when an RVC was used")
    rvc: str = Field(description="Regional value content, build-down, in %", examples=["70.00"])
    rvc_build_up: str | None = Field(
        description="Build-down's counterpart, when cost elements are given"
    )
    vnm: Amount = Field(description="Value of non-originating materials")
    originating_materials: Amount
    rule: AppliedRule
    failing_materials: list[FailingMaterial]
    direct_consignment: bool
    eligible: bool = Field(description="Originating and directly consigned")
    explanation: list[str]


class OriginRules(Shape):
    """The rules of origin in force: their version and each agreement's terms."""

    version: int
    title: str
    agreements: list[dict[str, Any]]


class OriginRule(Shape):
    agreement: str
    hs: str | None
    scope: str
    text: str
    applied: str
    valid_from: str
    valid_to: str | None
    source: str
    illustrative: bool
    date: str
    version: int


# -- certificates of origin (issuing) -----------------------------------------------------------


class Treatment(Shape):
    """Form E box 4 as the importing partner reported it, for one line."""

    sender: str = Field(examples=["VN"])
    declaration: str = Field(description="The importing declaration")
    item: int
    line: int = Field(description="The certificate's line")
    treatment: str = Field(examples=["given", "not_given"])
    reason_code: str | None
    reason: str | None
    decided_on: str
    received_at: str


class CertificateEntry(Shape):
    """A certificate in the register of this node (its document apart)."""

    number: str = Field(examples=["CN-E-2026-000123"])
    status: str = Field(examples=["issued", "cancelled", "replaced"])
    application_id: int
    applicant: str
    importing_country: str
    issued_on: str
    valid_until: str
    hash: str = Field(description="sha256: and the hex digest of the canonical document")
    replaces: str | None
    replaced_by: str | None
    issued_at: str
    issued_by: str
    changed_at: str | None
    changed_by: str | None
    reason: str | None = Field(description="Why it was cancelled, or what replaced it")
    treatments: list[Treatment] = Field(description="Box 4 from the importing side (officers)")


class Certificates(Shape):
    items: list[CertificateEntry]


class Signature(Shape):
    """This node's detached JWS over the certificate's canonical document."""

    alg: str = Field(examples=["Ed25519"])
    kid: str = Field(description="The node's key (on its card, GET /v1/exchange/card)")
    jws: str = Field(description="Compact JWS with the payload detached (header..signature)")
    verified: bool


class Certificate(CertificateEntry):
    """A certificate with the document of the contract between nodes, and its signature."""

    document: dict[str, Any]
    signature: Signature


class CertificateStatus(Shape):
    """What anyone may read of a certificate: nothing commercial."""

    number: str
    issuer: str
    status: str
    issued_on: str
    valid_until: str
    hash: str


class ApplicationSummary(Shape):
    """An application for a certificate of origin, as a list shows it."""

    id: int
    status: str = Field(examples=["submitted", "approved", "refused"])
    agreement: str
    importing_country: str
    applicant: str
    exporter: str
    consignee: str
    lines: int
    originating: bool = Field(description="Every line originates (it may be approved)")
    submitted_at: str
    submitted_by: str
    decided_at: str | None
    decided_by: str | None
    reason: str | None = Field(description="Why it was refused")
    certificate_number: str | None


class Applications(Shape):
    items: list[ApplicationSummary]


class Application(ApplicationSummary):
    """An application: its boxes, each line's determination, its certificate."""

    application: dict[str, Any]
    determinations: list[Determination]
    certificate: CertificateEntry | None


# -- certificates received (importing) ----------------------------------------------------


class ReceivedLine(Shape):
    line: int
    hs: str
    unit: str = Field(description="UN/ECE Rec 20 unit of the line's quantity")
    quantity: str = Field(description="What the line covers in all")
    covered: str = Field(description="Covered by declarations not cancelled or rejected")
    left: str


class CertificateUse(Shape):
    line: int
    mrn: str
    version: int
    item: int
    quantity: str
    used_at: str
    released_at: str | None = Field(description="When its declaration gave the quantity back")


class ReceivedCertificate(Shape):
    """An e-CO a partner sent: its status, what its lines covered, the document itself."""

    number: str = Field(examples=["CN-E-2026-000123"])
    issuer: str
    agreement: str
    status: str = Field(examples=["issued", "cancelled", "replaced"])
    replaces: str | None
    replaced_by: str | None
    issued_on: str
    valid_until: str
    exporter: str
    consignee: str
    importing_country: str
    hash: str
    received_at: str
    updated_at: str
    lines: list[ReceivedLine]
    uses: list[CertificateUse]
    document: dict[str, Any]


class Recovery(Shape):
    """The duty recovered on one declaration whose preference a verification withdrew."""

    mrn: str
    status: str
    version: int = Field(description="The declaration's version that withdrew the preference")
    amount: str = Field(description="The difference assessed, national currency")
    at: str | None


class Verification(Shape):
    """A retroactive verification request, sent (importing side) or received (issuing side)."""

    id: int
    side: str = Field(examples=["sent", "received"])
    reference: str = Field(examples=["VN-V-4F2A9C01B3D7"])
    number: str = Field(examples=["CN-E-2026-000123"])
    issuer: str
    requester: str
    agreement: str
    reason: str
    documents: list[str]
    findings: str | None
    status: str = Field(examples=["open", "confirmed", "not_confirmed", "overdue"])
    requested_on: str
    deadline: str
    overdue: bool
    requested_by: str
    answered_at: str | None
    answered_by: str | None
    recovered: str | None = Field(default=None, description="Sent only: the duty recovered")
    recoveries: list[Recovery] | None = None
