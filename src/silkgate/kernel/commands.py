"""Commands: what a use case is asked to do, as typed values validated once at the edge.

A capability defines its commands as :class:`Command` models in its core
(``<capability>/commands.py``); the edges (API, console, CLI) turn what they
received into one with :func:`parse`, and the services take the typed command.
Rules that need the node's data (a user's role, a partner's agreements) stay
in the services.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

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
