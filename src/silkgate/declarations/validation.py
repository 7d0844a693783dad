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
from typing import Any

from pydantic import ValidationError

from silkgate.declarations.checks import Checker
from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.errors import FieldError, InvalidRequest, pointer

__all__ = ["CodeLists", "FieldError", "InvalidDeclaration", "InvalidRequest", "pointer", "validate"]


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
    errors: list[FieldError] = []
    document: DeclarationDocument | None = None
    try:
        if body is not None:
            document = DeclarationDocument.model_validate_json(body)
        else:
            document = DeclarationDocument.model_validate(raw)
    except ValidationError as exc:
        errors.extend(_structure_errors(exc))
    if isinstance(raw, dict):
        reported = {e.pointer for e in errors}
        errors.extend(e for e in Checker(raw, codes, today).run() if e.pointer not in reported)
    if errors or document is None:
        raise InvalidDeclaration(errors)
    return document


def _structure_errors(exc: ValidationError) -> Iterator[FieldError]:
    for err in exc.errors(include_url=False, include_input=False):
        loc = err["loc"]
        kind = err["type"]
        if kind == "missing":
            detail = "is required"
        elif kind == "extra_forbidden":
            detail = "is not a field of a declaration"
        elif kind == "literal_error":
            detail = err["msg"].replace("Input should be", "must be")
        else:
            detail = err["msg"][0].lower() + err["msg"][1:]
        yield FieldError(pointer(*loc), kind, detail)
