"""Command models: the write bodies the API accepts, checked at the edge.

They check the shape of a body (types, required fields, unknown fields,
enumerations); the rules that need the node's data (a user's role, a
partner's agreements, a profile's condition) stay with the services, which
the CLI and the console call too. Services still receive the body as sent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from silkgate.api.schemas.base import Command

Outcome = Literal["compliant", "non_compliant"]


class Decision(Command):
    """The reason for an officer's decision or a cancellation (required to hold, reject, cancel)."""

    reason: Annotated[str, Field(max_length=1000)] | None = None


class PaymentBody(Command):
    """A payment received (confirmed by the treasury or the bank) or a guarantee accepted."""

    kind: Literal["payment", "guarantee"]
    amount: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=3, allow_inf_nan=False)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    reference: Annotated[str, Field(min_length=1, max_length=70)]


class Assignment(Command):
    """Who carries out an inspection: an officer and/or an SPS inspector (user names)."""

    officer: str | None = None
    sps_inspector: str | None = None


class CheckResult(Command):
    """The result of one check of an inspection, with the finding when not compliant."""

    status: Outcome
    finding: dict[str, Any] | None = Field(
        default=None,
        description='What was found: {"kind", "note", "item"?, "corrected"?, "pest"?, "lab"?}',
    )


class PartnerInspectionResult(Command):
    """A partner administration's inspection result for the goods of a declaration."""

    administration: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    reference: Annotated[str, Field(min_length=1, max_length=70)]
    result: Outcome
    checks: Annotated[list[str], Field(min_length=1)]
    inspected_on: dt.date
    note: str | None = None
