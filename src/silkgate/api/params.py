"""Types for query parameters that accept exactly what the OpenAPI document says.

pydantic reads a number as a Unix time, so ``?lodged_to=0.5`` would be taken
for 1970-01-01: a date parameter accepts only an ISO 8601 date, and a
date-time parameter only an ISO 8601 date-time.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

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
