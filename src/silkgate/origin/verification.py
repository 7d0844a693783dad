"""Retroactive verification of a certificate of origin: what the importing side asks, and
what the issuing side answers.

The importing administration doubts a certificate it received and asks its
issuer to verify it: the documents it wants to see, and a deadline that
follows the agreement (``verification_days`` of its terms). The issuer
answers ``confirmed`` or ``not_confirmed`` with its findings. A certificate
not confirmed, or a request left unanswered past its deadline, loses the
preference it gave (``origin/services/verification.py``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from silkgate.kernel.commands import Command
from silkgate.origin.application import Reason
from silkgate.origin.commands import _code

# What the importing side may ask the issuer to show (a small, documented set).
DOCUMENTS = (
    "bill_of_materials",
    "production_records",
    "invoices",
    "supplier_declarations",
    "cost_statements",
    "transport_documents",
)
Document = Literal[
    "bill_of_materials",
    "production_records",
    "invoices",
    "supplier_declarations",
    "cost_statements",
    "transport_documents",
]
CertificateNumber = Annotated[
    str,
    *_code(
        r"^[A-Z]{2}-E-[0-9]{4}-[0-9]{6}$",
        "invalid_number",
        "a certificate number such as CN-E-2026-000123",
    ),
]


class Status(StrEnum):
    OPEN = "open"  # asked, not answered
    CONFIRMED = "confirmed"  # the issuer confirms the certificate
    NOT_CONFIRMED = "not_confirmed"  # the issuer does not: the preference is withdrawn
    OVERDUE = "overdue"  # no answer by the deadline: the preference is withdrawn


class Result(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"


def _distinct(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise PydanticCustomError("duplicate", "each document once", {"code": "duplicate"})
    return value


class VerificationRequest(Command):
    """An importing officer's request: the certificate, why, what to show, by when.

    Without a deadline, the agreement's term applies (``verification_days``).
    """

    number: CertificateNumber
    reason: Reason
    documents: Annotated[list[Document], Field(min_length=1), AfterValidator(_distinct)]
    deadline: dt.date | None = None


class VerificationAnswer(Command):
    """The issuing origin officer's answer, with the findings (required)."""

    result: Result
    findings: Reason


class RequestMessage(BaseModel):
    """The ``origin_verification`` payload, as the issuing node receives it (unknown fields
    are kept and ignored, as in every partner message)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    reference: Annotated[str, Field(pattern=r"^[A-Z]{2}-V-[0-9A-F]{12}$")]
    number: CertificateNumber
    agreement: Annotated[str, Field(pattern=r"^[A-Z]{2,10}$")]
    reason: Reason
    documents: Annotated[list[Document], Field(min_length=1)]
    deadline: dt.date
    requested_on: dt.date


class AnswerMessage(BaseModel):
    """The ``origin_verification_answer`` payload, as the importing node receives it."""

    model_config = ConfigDict(extra="allow", frozen=True)

    reference: Annotated[str, Field(pattern=r"^[A-Z]{2}-V-[0-9A-F]{12}$")]
    number: CertificateNumber
    result: Result
    findings: Reason
    answered_on: dt.date


def deadline_for(requested_on: dt.date, days: int) -> dt.date:
    """The last day the issuer may answer: ``days`` after the request."""
    return requested_on + dt.timedelta(days=days)


def is_overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
    """An open request whose deadline has passed."""
    return status == Status.OPEN and today > deadline


def withdrawal_reason(reference: str, status: str) -> str:
    """The journal's reason for a preference withdrawn after a verification."""
    why = "not confirmed by the issuer" if status == Status.NOT_CONFIRMED else "overdue"
    return f"verification {reference} {why}: preference withdrawn"


def payload_of(row: dict[str, Any]) -> dict[str, Any]:
    """The request's message payload (what the issuer is sent)."""
    return {
        "reference": row["reference"],
        "number": row["number"],
        "agreement": row["agreement"],
        "reason": row["reason"],
        "documents": list(row["documents"]),
        "deadline": row["deadline"].isoformat(),
        "requested_on": row["requested_on"].isoformat(),
    }
