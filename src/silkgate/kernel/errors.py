"""What can go wrong with a request, independent of HTTP.

The edges map each to a status code (``api/problems.py``) or a message (the
console, the CLI); the capabilities raise them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, as an RFC 6901 pointer, a stable code and a sentence."""

    pointer: str  # RFC 6901, e.g. "/items/0/hs_code"
    code: str  # stable, machine-readable
    detail: str  # for a person
    where: str | None = None  # "path", "query" or "header" when not in the body

    def as_dict(self) -> dict[str, str]:
        found = {"pointer": self.pointer, "code": self.code, "detail": self.detail}
        if self.where is not None:
            found["in"] = self.where
        return found


def pointer(*parts: str | int) -> str:
    """The RFC 6901 pointer of a path (``pointer("items", 0, "hs_code")``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class InvalidRequest(Exception):
    """The request cannot be carried out as sent; ``errors`` says where and why."""

    title = "The request is invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def invalid(where: str, code: str, detail: str) -> InvalidRequest:
    """An :class:`InvalidRequest` about one field."""
    return InvalidRequest([FieldError(where, code, detail)])


class NotFound(Exception):
    """No such thing (declaration, version, task, case, partner...)."""


class Gone(Exception):
    """The thing existed and was withdrawn (a retired profile); its history may remain."""


class Forbidden(Exception):
    """The principal may not do this; the message names no data it may not see."""


class PreconditionFailed(Exception):
    """The thing changed since the version the client based its change on."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was already used for a different request body."""


class Unpaid(Exception):
    """Release is refused: duties and taxes are neither paid nor guaranteed."""


class Conflict(Exception):
    """The request does not fit the current state (a payment on a cancelled declaration)."""
