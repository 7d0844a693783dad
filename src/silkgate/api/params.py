"""What a request's path, query and headers may hold, checked before anything reads them.

- **Exactly what the OpenAPI document says.** pydantic reads a number as a
  Unix time, so ``?lodged_to=0.5`` would be taken for 1970-01-01: a date
  parameter accepts only an ISO 8601 date (:data:`IsoDate`), and a date-time
  parameter only an ISO 8601 date-time (:data:`IsoDateTime`).
- **No refused character** (:mod:`silkgate.kernel.text`): a control character
  or an invisible formatting character in any path or query parameter is
  answered 422 naming the parameter, by :class:`CheckedRoute`, the route class
  of every API and console router, before the parameters are parsed.
  PostgreSQL cannot even compare a text with a NUL in it.
- **Bounded integers**: versions are the store's INTEGER columns
  (:data:`VersionNumber`), ids at most 64 bits (:data:`RowId`, which the
  stores check against their columns), list sizes are :func:`limit`: a
  larger number names nothing, and no driver would take it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from silkgate.kernel import text
from silkgate.kernel.errors import FieldError, InvalidRequest
from silkgate.kernel.wording import pattern
from silkgate.store.tables import MAX_ID

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not _DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "a date as YYYY-MM-DD, e.g. 2026-06-30")
    return value


def _iso_date_time(value: Any) -> Any:
    if isinstance(value, str) and not _DATE_TIME.match(value):
        raise PydanticCustomError(
            "datetime_format",
            "a date and time in ISO 8601 with its offset, e.g. 2026-06-30T08:00:00Z",
        )
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_date_time)]


MRN = pattern(
    r"^[0-9]{2}[A-Z0-9]{16}$",
    "a Movement Reference Number: 2 digits, then 16 capitals or digits, e.g. 26CN2S6UW8ONPHRXW1",
)
HS_PREFIX = pattern(r"^[0-9]{2,10}$", "an HS code or its first digits: 2 to 10 digits, e.g. 0810")
MrnPath = Annotated[str, Path(pattern=MRN, description="Movement Reference Number")]
# A task's id beyond the INTEGER column is simply not found (the store checks, and a
# declarant cannot tell it from another's); beyond 64 bits it is no id at all.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A number this node issued")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_ID, description="A version, from 1")]
VersionQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Default: the current version")
]


def limit(most: int) -> object:
    """The ``limit`` query parameter of a list: 1 to ``most``."""
    return Query(ge=1, le=most, description=f"How many to list, at most {most}")


def header_text(name: str, value: str | None) -> str | None:
    """A header's value, or :class:`InvalidRequest` if it holds a refused character."""
    char = text.refused(value) if value is not None else None
    if char is not None:
        raise InvalidRequest([FieldError(f"/{name}", text.CODE, text.why(char), "header")])
    return value


class CheckedRoute(APIRoute):
    """A route whose path and query parameters are checked for refused characters first.

    Every router of the API and the console is made with it; the check is a
    regular-expression search of each parameter the request carries, before
    FastAPI parses them, so nothing downstream ever sees such a character.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def checked_handler(request: Request) -> Response:
            faults = parameter_faults(request)
            if faults:
                raise InvalidRequest(faults)
            return await handle(request)

        return checked_handler


def parameter_faults(request: Request) -> list[FieldError]:
    """Each path or query parameter of ``request`` that holds a refused character."""
    faults = [
        FieldError(f"/{name}", text.CODE, text.why(char), "path")
        for name, value in request.path_params.items()
        if isinstance(value, str) and (char := text.refused(value)) is not None
    ]
    if request.scope.get("query_string"):
        for name, value in request.query_params.multi_items():
            char = text.refused(name) or text.refused(value)
            if char is not None:
                faults.append(FieldError(f"/{name}", text.CODE, text.why(char), "query"))
    return faults
