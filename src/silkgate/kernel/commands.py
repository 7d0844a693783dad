"""Commands: what a use case is asked to do, as typed values validated once at the edge.

A capability defines its commands as :class:`Command` models in its core
(``<capability>/commands.py``); the edges (API, console, CLI) turn what they
received into one with :func:`parse`, and the services take the typed command.
Rules that need the node's data (a user's role, a partner's agreements) stay
in the services.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from silkgate.kernel import wording
from silkgate.kernel.errors import FieldError, InvalidRequest, pointer

# Pydantic's error types, as the codes the services use for the same faults.
_CODES = {"extra_forbidden": "unknown_field", "missing": "missing"}

C = TypeVar("C", bound="Command")


class Command(BaseModel):
    """A write body: unknown fields are refused; the value cannot change once parsed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse(model: type[C], raw: Any) -> C:
    """``raw`` as a ``model``, or :class:`InvalidRequest` naming each field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidRequest(
            [
                FieldError(pointer(*err["loc"]), _field_code(err), wording.explain(err))
                for err in exc.errors(include_url=False)
            ]
        ) from None


def _field_code(err: Any) -> str:
    # A validator may name its own code: PydanticCustomError(code, message, {"code": ...}).
    return wording.named_code(err) or _CODES.get(err["type"], "invalid")


def coded(pattern: str, code: str, message: str) -> Any:
    """Validators of a string that must match ``pattern``, refused with ``message`` (pydantic's
    own message for a pattern quotes the regular expression); the schema keeps the pattern.
    Use as ``Annotated[str, *coded(...)]``."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(code, message, {"code": code})
        return value

    return AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern})


# The code lists every capability's commands share (their existence is checked by the services).
Country = Annotated[
    str, *coded("^[A-Z]{2}$", "invalid_country", "an ISO 3166 alpha-2 country code (CN)")
]
Currency = Annotated[
    str, *coded("^[A-Z]{3}$", "invalid_currency", "an ISO 4217 currency code (USD)")
]
Subheading = Annotated[
    str, *coded("^[0-9]{6}$", "invalid_hs_code", "an HS 2022 subheading of 6 digits (847130)")
]
