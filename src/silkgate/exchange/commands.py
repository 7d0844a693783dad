"""The exchange capability's commands: the AEO register, assistance cases, partners.

Each is checked once, at the edge (:func:`silkgate.kernel.commands.parse`);
what needs the node's data stays with the services: whether a partner has a
mutual assistance agreement, a partner's card (its country, its keys), the
register's transitions.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from silkgate.declarations.document import Country
from silkgate.exchange.aeo import REASON_REQUIRED, AeoAction
from silkgate.exchange.identity import AGREEMENTS
from silkgate.kernel.commands import Command
from silkgate.kernel.text import FreeJson, Line, Text


def _blank_is_none(value: Any) -> Any:
    # The console's empty fields mean "not given".
    return None if isinstance(value, str) and not value.strip() else value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _required_text(limit: int, detail: str) -> Any:
    """A validator: text of 1 to ``limit`` characters once stripped, else ``missing``."""

    def check(value: Any) -> str:
        if not (isinstance(value, str) and 1 <= len(value.strip()) <= limit):
            raise PydanticCustomError("missing", detail, {"code": "missing"})
        return value.strip()

    return BeforeValidator(check)


def _date_given(value: Any) -> Any:
    if _blank_is_none(value) is None:
        raise PydanticCustomError("missing", "a date (YYYY-MM-DD)", {"code": "missing"})
    return value


OptionalDate = Annotated[
    dt.date | None,
    BeforeValidator(_blank_is_none),
    Field(description="A date, YYYY-MM-DD", examples=["2026-11-20"]),
]
OptionalText = Annotated[
    Annotated[Text, Field(max_length=1000)] | None,
    BeforeValidator(_blank_is_none),
    AfterValidator(_stripped),
]

# -- the AEO register ---------------------------------------------------------------------------


class AeoCommand(Command):
    """The body of an action on the AEO register (empty for validate and reinstate).

    Each action parses with its own model (:func:`aeo_command`), which says
    what it requires; fields another action uses are accepted and ignored.
    """

    name: Annotated[
        Annotated[Line, Field(max_length=200)] | None,
        BeforeValidator(_blank_is_none),
        AfterValidator(_stripped),
    ] = Field(default=None, description="The operator's name (apply)")
    reason: OptionalText = Field(default=None, description="Required to suspend, revoke, refuse")
    valid_from: OptionalDate = Field(default=None, description="Required to grant")
    valid_to: OptionalDate = None

    @field_validator("valid_to")
    @classmethod
    def _not_before_start(cls, valid_to: dt.date | None, info: ValidationInfo) -> dt.date | None:
        valid_from = info.data.get("valid_from")
        if valid_to is not None and valid_from is not None and valid_to < valid_from:
            raise PydanticCustomError("invalid", "ends before valid_from", {"code": "invalid"})
        return valid_to


class AeoApplication(AeoCommand):
    """An operator's application: its name is required."""

    name: Annotated[Line, _required_text(200, "the operator's name")]


class AeoGrant(AeoCommand):
    """A grant of the status from ``valid_from`` (to ``valid_to``, open-ended without)."""

    valid_from: Annotated[dt.date, BeforeValidator(_date_given)]


class AeoDecision(AeoCommand):
    """A suspension, a revocation or a refusal: the reason is required."""

    reason: Annotated[Text, _required_text(1000, "a reason is required to suspend, revoke, refuse")]


def aeo_command(action: AeoAction) -> type[AeoCommand]:
    """The model the body of ``action`` parses with."""
    if action is AeoAction.APPLY:
        return AeoApplication
    if action is AeoAction.GRANT:
        return AeoGrant
    if action in REASON_REQUIRED:
        return AeoDecision
    return AeoCommand


# -- mutual administrative assistance -------------------------------------------------------------


class AssistanceCase(Command):
    """An alert or a verification request sent to a partner administration.

    The partner must have a mutual assistance agreement (checked by the service).
    """

    partner: Country
    kind: Literal["alert", "verify_shipment", "verify_operator"]
    subject: Annotated[Line, _required_text(300, "text of 1 to 300 characters")]
    body: Annotated[Text, _required_text(10_000, "text of 1 to 10000 characters")]
    mrn: Annotated[Line, Field(min_length=1, max_length=40)] | None = None


class AssistanceReply(Command):
    """A message in a case's thread; ``close`` closes the case on both sides."""

    body: Annotated[Text, _required_text(10_000, "text of 1 to 10000 characters")]
    close: StrictBool = False


# -- partners -------------------------------------------------------------------------------------


class PartnerRegistration(Command):
    """A partner's card and the agreements in force (by default those the card proposes).

    The card is read by the service (:func:`silkgate.exchange.identity.parse_card`):
    its country must be one the node knows.
    """

    card: Annotated[dict[str, Any], FreeJson] = Field(
        description="The partner's card, as GET /v1/exchange/card"
    )
    agreements: list[str] | None = None

    @field_validator("agreements")
    @classmethod
    def _known(cls, agreements: list[str] | None) -> list[str] | None:
        unknown = sorted(set(agreements or ()) - set(AGREEMENTS))
        if unknown:
            raise PydanticCustomError(
                "invalid", "unknown agreement(s): {names}", {"names": ", ".join(unknown)}
            )
        return agreements


class InboxBatch(Command):
    """Signed messages from a partner node, in compact JWS serialisation."""

    messages: Annotated[list[Line], Field(min_length=1, max_length=500)]
