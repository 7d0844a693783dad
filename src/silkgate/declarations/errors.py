"""What can go wrong with a request about a declaration, independent of HTTP."""

from __future__ import annotations

from silkgate.declarations.states import IllegalTransition
from silkgate.declarations.validation import FieldError, InvalidDeclaration, InvalidRequest

__all__ = [
    "Conflict",
    "FieldError",
    "Forbidden",
    "IdempotencyKeyReused",
    "IllegalTransition",
    "InvalidDeclaration",
    "InvalidRequest",
    "NotFound",
    "PreconditionFailed",
    "Unpaid",
]


class NotFound(Exception):
    """No such declaration (or version)."""


class Forbidden(Exception):
    """The principal may not do this; the message names no data it may not see."""


class PreconditionFailed(Exception):
    """The declaration changed since the version the client based its amendment on."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was already used for a different request body."""


class Unpaid(Exception):
    """Release is refused: duties and taxes are neither paid nor guaranteed."""


class Conflict(Exception):
    """The request does not fit the declaration's state (a payment on a cancelled one)."""
