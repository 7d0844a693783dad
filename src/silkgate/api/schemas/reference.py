"""Answers of the public routes: tariff, exchange rates, SPS requirements, the TRS."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from silkgate.api.schemas.base import Shape


class TariffInfo(Shape):
    """The tariff schedule in force: its version, title, currency, number of lines."""

    lines: int


class TariffSearch(Shape):
    query: str
    date: str
    results: list[dict[str, Any]]
    tariff: dict[str, Any]


class TariffLines(Shape):
    code: str
    date: str
    path: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    truncated: bool
    tariff: dict[str, Any]


class Rate(Shape):
    currency: str
    rate: str
    valid_from: str
    valid_to: str | None


class ExchangeRates(Shape):
    date: str
    national_currency: str
    rates: list[Rate]


class SpsRequirements(Shape):
    hs_code: str
    origin: str | None
    date: str
    requirements: list[dict[str, Any]]


class TimeReleaseStudy(Shape):
    """Release times overall and per group, and the stages since lodging."""

    from_: str = Field(alias="from")
    to: str
    by: str
    overall: dict[str, Any]
    groups: dict[str, Any]
    percentiles: str = Field(
        default="exact", description="exact, or the sketch's accuracy for a large period"
    )
