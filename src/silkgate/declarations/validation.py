"""Validation of a declaration: structure, code lists, dates and arithmetic.

:func:`validate` returns *every* error at once, each with the RFC 6901 JSON
pointer of the field it is about, so a declarant fixes everything in one
round trip. Code-list and arithmetic checks run on the raw JSON even when the
structure is broken elsewhere, and skip any field already reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from silkgate.declarations.checks import Checker
from silkgate.declarations.document import DeclarationDocument, DraftDeclaration
from silkgate.kernel import wording
from silkgate.kernel.errors import FieldError, InvalidRequest, pointer

__all__ = [
    "CodeLists",
    "FieldError",
    "InvalidDeclaration",
    "InvalidRequest",
    "pointer",
    "validate",
    "validate_draft",
]

D = TypeVar("D", bound=DraftDeclaration)


@dataclass(frozen=True)
class CodeLists:
    """The reference data a node validates against (loaded once, held in memory)."""

    administration: str  # ISO country of the administration running the node
    hs_subheadings: frozenset[str]
    countries: frozenset[str]
    currencies: Mapping[str, int | None]  # code -> minor unit
    units: frozenset[str]
    package_types: frozenset[str]
    locations: frozenset[str]
    offices: frozenset[str]


class InvalidDeclaration(InvalidRequest):
    title = "The declaration is invalid"


def validate(
    raw: Any, codes: CodeLists, today: dt.date, *, body: bytes | None = None
) -> DeclarationDocument:
    """The declaration in ``raw`` (parsed JSON), or :class:`InvalidDeclaration` with every error.

    ``body``, the JSON text ``raw`` was parsed from, lets pydantic validate
    straight from JSON, which is faster than from Python objects.
    """
    return _validate(DeclarationDocument, raw, codes, today, body)


def validate_draft(
    raw: Any, codes: CodeLists, today: dt.date, *, body: bytes | None = None
) -> DraftDeclaration:
    """Like :func:`validate`, for the duty calculator: the LRN and the declarant may be left out."""
    return _validate(DraftDeclaration, raw, codes, today, body)


def _validate(model: type[D], raw: Any, codes: CodeLists, today: dt.date, body: bytes | None) -> D:
    errors: list[FieldError] = []
    document: D | None = None
    try:
        if body is not None:
            document = model.model_validate_json(body)
        else:
            document = model.model_validate(raw)
    except ValidationError as exc:
        errors.extend(_structure_errors(exc))
    if isinstance(raw, dict):
        reported = {e.pointer for e in errors}
        errors.extend(e for e in Checker(raw, codes, today).run() if e.pointer not in reported)
    if errors or document is None:
        raise InvalidDeclaration(errors)
    return document


def _structure_errors(exc: ValidationError) -> Iterator[FieldError]:
    # The input is kept for the words about a refused character; it is never echoed.
    for err in exc.errors(include_url=False):
        kind = err["type"]
        detail = (
            "is not a field of a declaration" if kind == "extra_forbidden" else wording.explain(err)
        )
        yield FieldError(pointer(*err["loc"]), wording.named_code(err) or kind, detail)
