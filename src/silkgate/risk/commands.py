"""The risk capability's commands: profiles, the selectivity budget, control outcomes.

Each is checked once, at the edge (:func:`silkgate.kernel.commands.parse`);
what needs the node's data stays with the services: compiling a profile's
condition (and, reported with it, a score profile's points), the budget's
shares against the settings they leave unchanged, who may record an outcome.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from silkgate.kernel.amounts import AMOUNT_SCHEMA, AS_MONEY, bounds
from silkgate.kernel.commands import Command
from silkgate.kernel.text import Line, Text
from silkgate.risk.profiles import Effect


def _blank_is_none(value: Any) -> Any:
    # The console's and the CLI's empty fields mean "not given".
    return None if isinstance(value, str) and not value.strip() else value


OptionalDate = Annotated[
    dt.date | None,
    BeforeValidator(_blank_is_none),
    Field(description="A date, YYYY-MM-DD", examples=["2026-11-20"]),
]


def _not_a_boolean(value: Any) -> Any:
    # pydantic would read true as 1 and false as 0; a share or a count is a number.
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "a number, not true or false")
    return value


Share = Annotated[float, BeforeValidator(_not_a_boolean), Field(ge=0, le=1)]
Window = Annotated[int, BeforeValidator(_not_a_boolean), Field(ge=100, le=1_000_000)]


class ControlOutcome(Command):
    """The outcome of a control: fraud found or not, how critical, the revenue recovered.

    A critical finding or recovered revenue is fraud (``/fraud``, ``inconsistent``).
    """

    critical: StrictBool = False
    revenue_recovered: Annotated[
        Decimal,
        AS_MONEY,
        bounds(positive=False, decimal_places=2),
        AMOUNT_SCHEMA,
        Field(description="An amount >= 0 with at most 2 decimals, as a string"),
    ] = Decimal(0)
    note: Annotated[Text, Field(max_length=1000)] | None = None
    # Last, so that its check sees the finding and the revenue it must agree with.
    fraud: StrictBool

    @field_validator("fraud")
    @classmethod
    def _consistent(cls, fraud: bool, info: ValidationInfo) -> bool:
        critical = info.data.get("critical", False)
        revenue = info.data.get("revenue_recovered", Decimal(0))
        if not fraud and (critical or revenue > 0):
            raise PydanticCustomError(
                "inconsistent",
                "a critical finding or recovered revenue is fraud",
                {"code": "inconsistent"},
            )
        return fraud

    def described(self) -> str:
        """The journal's account of it (at most 1000 characters)."""
        return (
            ("fraud found" if self.fraud else "no fraud found")
            + (", critical" if self.critical else "")
            + (f", {self.revenue_recovered} recovered" if self.revenue_recovered else "")
            + (f": {self.note}" if self.note else "")
        )[:1000]


def _reason_given(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PydanticCustomError(
            "missing", "say why the outcome is corrected", {"code": "missing"}
        )
    return value


class OutcomeCorrection(ControlOutcome):
    """A corrected outcome of a control, replacing the one in force, and why (required).

    A control has one outcome; changing it is this explicit correction, journaled
    with its reason, never a second outcome.
    """

    reason: Annotated[
        Text,
        BeforeValidator(_reason_given),
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    ]


def _condition_given(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("missing", "is required", {"code": "missing"})
    return value


class RiskProfileCommand(Command):
    """A risk profile, or a new version of the one with the same name.

    ``points`` (0 < points <= 100) are what a ``score`` profile adds; the service
    requires them of a score profile while compiling the condition, so that
    both faults are reported together.
    """

    name: Annotated[Line, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    condition: Annotated[Text, BeforeValidator(_condition_given)]
    effect: Effect
    points: (
        Annotated[float, BeforeValidator(_not_a_boolean), Field(gt=0, le=100, allow_inf_nan=False)]
        | None
    ) = None
    valid_from: OptionalDate = None
    valid_to: OptionalDate = None
    description: Text | None = None

    @field_validator("valid_to")
    @classmethod
    def _not_before_start(cls, valid_to: dt.date | None, info: ValidationInfo) -> dt.date | None:
        valid_from = info.data.get("valid_from")
        if valid_to is not None and valid_from is not None and valid_to < valid_from:
            raise PydanticCustomError(
                "before_start", "is before valid_from", {"code": "before_start"}
            )
        return valid_to


class BudgetCommand(Command):
    """Any of the selectivity budget's settings; those left out keep their value.

    That red and yellow shares stay within 1, and exploration within red, is
    checked by the service against the settings left unchanged.
    """

    red_share: Share | None = None
    yellow_share: Share | None = None
    exploration_share: Share | None = None
    window: Annotated[int, BeforeValidator(_not_a_boolean), Field(ge=100, le=1_000_000)] | None = (
        None
    )
    aeo_factor: Share | None = None
