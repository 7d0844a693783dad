"""Answers of the statistics routes: trade tables and a month's releases."""

from __future__ import annotations

from typing import Any

from silkgate.api.schemas.base import Shape


class TradeTable(Shape):
    """A month's imports or exports by one or two dimensions; suppressed cells withheld."""

    month: str
    flow: str
    by: list[str]
    cells: list[dict[str, Any]]
    totals: dict[str, Any]
    total: dict[str, Any]
    release: dict[str, Any]


class TradeRelease(Shape):
    month: str
    version: int
    changes: list[dict[str, Any]]
    cells: int


class TradeReleases(Shape):
    month: str
    releases: list[dict[str, Any]]


class TradeMonths(Shape):
    months: list[dict[str, Any]]
