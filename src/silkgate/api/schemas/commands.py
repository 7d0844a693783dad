"""Command models: the write bodies the API accepts, checked at the edge.

They check the shape of a body (types, required fields, unknown fields,
enumerations); the rules that need the node's data (a user's role, a
partner's agreements, a profile's condition) stay with the services, which
the CLI and the console call too. Services still receive the body as sent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field

from silkgate.api.schemas.base import Command

Date = Annotated[str, Field(description="A date, YYYY-MM-DD", examples=["2026-11-20"])]


class ControlOutcome(Command):
    """The outcome of a control: fraud found or not, how critical, the revenue recovered."""

    fraud: bool
    critical: bool = False
    revenue_recovered: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] = Decimal(0)
    note: Annotated[str, Field(max_length=1000)] | None = None


class RiskProfileCommand(Command):
    """A risk profile, or a new version of the one with the same name."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    condition: str
    effect: Literal["score", "yellow", "red", "sps"]
    points: float | None = None
    valid_from: Date | None = None
    valid_to: Date | None = None
    description: str | None = None


class BudgetCommand(Command):
    """Any of the selectivity budget's settings; those left out keep their value."""

    red_share: Annotated[float, Field(ge=0, le=1)] | None = None
    yellow_share: Annotated[float, Field(ge=0, le=1)] | None = None
    exploration_share: Annotated[float, Field(ge=0, le=1)] | None = None
    window: Annotated[int, Field(ge=100, le=1_000_000)] | None = None
    aeo_factor: Annotated[float, Field(ge=0, le=1)] | None = None


class AeoCommand(Command):
    """The body of an action on the AEO register (empty for validate and reinstate)."""

    name: str | None = Field(default=None, description="The operator's name (apply)")
    reason: str | None = Field(default=None, description="Required to suspend, revoke, refuse")
    valid_from: Date | None = Field(default=None, description="Required to grant")
    valid_to: Date | None = None


class AssistanceCase(Command):
    """An alert or a verification request sent to a partner administration."""

    partner: str
    kind: Literal["alert", "verify_shipment", "verify_operator"]
    subject: str
    body: str
    mrn: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class AssistanceReply(Command):
    """A message in a case's thread; ``close`` closes the case on both sides."""

    body: str
    close: bool = False


class PartnerRegistration(Command):
    """A partner's card and the agreements in force (by default those the card proposes)."""

    card: dict[str, Any] = Field(description="The partner's card, as GET /v1/exchange/card")
    agreements: list[str] | None = None


class InboxBatch(Command):
    """Signed messages from a partner node, in compact JWS serialisation."""

    messages: Annotated[list[str], Field(min_length=1, max_length=500)]
