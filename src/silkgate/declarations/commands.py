"""The declaration's commands besides its document: an officer's decision, a payment.

The shape of each is checked here, once. What needs the node's data stays in
the services: the national currency and its decimals, the amount due, and
whether the action taken needs a reason (the action is the route's, not the
body's).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from silkgate.declarations.document import CurrencyCode
from silkgate.kernel.amounts import PositiveMoney
from silkgate.kernel.commands import Command
from silkgate.kernel.text import Line, Text


class Decision(Command):
    """The reason for an officer's decision or a cancellation (required to hold, reject, cancel).

    A blank reason is no reason.
    """

    reason: Annotated[Text, Field(max_length=1000)] | None = None

    @field_validator("reason")
    @classmethod
    def _stripped(cls, reason: str | None) -> str | None:
        return (reason or "").strip() or None


def _said(reason: Any) -> Any:
    if isinstance(reason, str) and not reason.strip():
        raise PydanticCustomError("missing", "say why: a reason is required", {"code": "missing"})
    return reason


class ReasonedDecision(Decision):
    """A decision that must say why (hold, reject, cancel, return, destroy, seize) or on
    what condition (conditional release): the trader and the auditor read it."""

    reason: Annotated[Text, Field(max_length=1000), BeforeValidator(_said)]


class PaymentBody(Command):
    """A payment received (confirmed by the treasury or the bank) or a guarantee accepted."""

    kind: Literal["payment", "guarantee"]
    amount: PositiveMoney
    currency: CurrencyCode
    reference: Annotated[Line, Field(min_length=1, max_length=70)]

    @field_validator("reference")
    @classmethod
    def _referenced(cls, reference: str) -> str:
        if not reference.strip():
            raise PydanticCustomError("payment_rule", "is required", {"code": "missing"})
        return reference.strip()


class InformationRequest(Command):
    """An officer's question to the trader, and by when it is to be answered (optional)."""

    question: Annotated[Text, Field(min_length=1, max_length=1000), BeforeValidator(_said)]
    deadline: dt.date | None = None


class InformationAnswer(Command):
    """The trader's answer to the question its declaration waits on."""

    answer: Annotated[Text, Field(min_length=1, max_length=1000), BeforeValidator(_said)]
