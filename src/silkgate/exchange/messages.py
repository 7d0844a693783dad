"""The kinds of message partners exchange, the agreement each needs, and their payloads.

Payloads are checked with pydantic on arrival; a payload that does not fit
is refused (and the sender parks the message) rather than half-processed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from silkgate.lpco.partner import PartnerLpco
from silkgate.origin.received import NUMBER, Certificate
from silkgate.origin.verification import AnswerMessage, RequestMessage
from silkgate.transit import messages as transit

ADVANCE_EXPORT = "advance_export_data"
AEO_LIST = "aeo_list"
INSPECTION_RESULT = "inspection_result"
ASSISTANCE = "assistance"
ORIGIN_CERTIFICATE = "origin_certificate"  # issued, cancelled or replaced (the exporting side)
ORIGIN_TREATMENT = "origin_treatment"  # Form E box 4, from the importing side
ORIGIN_VERIFICATION = "origin_verification"  # a retroactive verification request, to the issuer
ORIGIN_VERIFICATION_ANSWER = "origin_verification_answer"  # the issuer's answer
PARTNER_CARD = "partner_card"
PARTNER_LPCO = "lpco"  # an export licence or permit issued, or changed, for the importing side
RECEIPT = "receipt"

# The agreement under which each kind may be sent (None: any registered partner).
AGREEMENT_OF: dict[str, str | None] = {
    ADVANCE_EXPORT: "advance_export_data",
    AEO_LIST: "aeo_mra",
    INSPECTION_RESULT: "inspection_results",
    ASSISTANCE: "mutual_assistance",
    ORIGIN_CERTIFICATE: "origin_certificates",
    ORIGIN_TREATMENT: "origin_certificates",
    ORIGIN_VERIFICATION: "origin_certificates",
    ORIGIN_VERIFICATION_ANSWER: "origin_certificates",
    PARTNER_CARD: None,
    PARTNER_LPCO: "lpco",
    # Transit movements (NCTS IE050, IE001, IE118, IE006, IE018, IE045, IE142, IE143).
    **dict.fromkeys(transit.KINDS, transit.AGREEMENT),
}


class PayloadError(ValueError):
    pass


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class AdvanceItem(_Open):
    seq: int
    hs_code: str = Field(pattern=r"^[0-9]{6}$")
    net_mass_kg: str
    origin: str = Field(pattern=r"^[A-Z]{2}$")
    value: str
    quantity: dict[str, str]


class AdvanceExport(_Open):
    export_declaration: str = Field(min_length=1, max_length=40)
    ucr: str | None = Field(default=None, max_length=35)
    exporter: dict[str, Any]
    consignee: dict[str, Any] | None = None
    transport: dict[str, Any]
    invoice: dict[str, str]
    items: list[AdvanceItem] = Field(min_length=1)


class AeoEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    party_id: str = Field(min_length=1, max_length=35)
    name: str = Field(min_length=1, max_length=200)
    status: Literal["granted", "suspended", "revoked"]
    valid_from: dt.date
    valid_to: dt.date | None = None


class AeoList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: dt.datetime
    operators: list[AeoEntry]


class InspectionResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    export_declaration: str = Field(min_length=1, max_length=40)
    reference: str = Field(min_length=1, max_length=70)
    result: Literal["compliant", "non_compliant"]
    checks: list[str] = Field(min_length=1)
    inspected_on: dt.date
    note: str | None = Field(default=None, max_length=1000)


class Assistance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reference: str = Field(min_length=1, max_length=40)
    action: Literal["open", "reply", "close"]
    kind: Literal["alert", "verify_shipment", "verify_operator"] | None = None
    subject: str | None = Field(default=None, max_length=300)
    mrn: str | None = Field(default=None, max_length=40)
    author: str = Field(min_length=1, max_length=140)
    body: str = Field(min_length=1, max_length=10_000)


class OriginTreatment(BaseModel):
    """Form E box 4: whether the importing side gave the preference on a certificate line."""

    model_config = ConfigDict(extra="allow", frozen=True)
    number: str = Field(pattern=NUMBER)
    declaration: str = Field(min_length=1, max_length=40)  # the importing MRN
    item: int = Field(ge=1, le=999)
    line: int = Field(ge=0, le=999)  # 0: no line of the certificate could be matched
    treatment: Literal["given", "not_given"]
    reason_code: str | None = Field(default=None, max_length=24)
    reason: str | None = Field(default=None, max_length=1000)
    decided_on: dt.date


MODELS: dict[str, type[BaseModel]] = {
    ADVANCE_EXPORT: AdvanceExport,
    AEO_LIST: AeoList,
    INSPECTION_RESULT: InspectionResult,
    ASSISTANCE: Assistance,
    ORIGIN_CERTIFICATE: Certificate,
    ORIGIN_TREATMENT: OriginTreatment,
    ORIGIN_VERIFICATION: RequestMessage,
    ORIGIN_VERIFICATION_ANSWER: AnswerMessage,
    PARTNER_LPCO: PartnerLpco,
    **transit.MODELS,
}


def parse(kind: str, payload: dict[str, Any]) -> BaseModel | dict[str, Any]:
    model = MODELS.get(kind)
    if model is None:
        return payload
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/" + "/".join(str(p) for p in first["loc"])
        raise PayloadError(f"{kind} payload: {where}: {first['msg']}") from exc
