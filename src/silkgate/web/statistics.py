"""Trade statistics and release times in the console: public pages, drawn on the server."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.node import Node
from silkgate.web.pages import node_of, render, today
from silkgate.web.routing import console_router
from silkgate.web.session import OptionalPrincipal
from silkgate.web.statistics_charts import monthly_trend, ranking, release_times

router = console_router()


def _month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def _month_end(month: str) -> dt.date:
    start = _month_start(month)
    return (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _months_back(on: dt.date, count: int) -> list[str]:
    out, year, month = [], on.year, on.month
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _figures(node: Node, month: str, flow: str) -> dict[str, Any]:
    tables = node.statistics.trade
    partners = tables.table(month, flow, ("partner",))
    chapters = tables.table(month, flow, ("chapter",))
    points = []
    for m in _months_back(_month_start(month), 12):
        overall = node.trs.report(_month_start(m), _month_end(m), "channel")["overall"]
        points.append((m, overall["median_hours"], overall["p90_hours"]))
    months = tables.months()
    return {
        "partners": partners,
        "chapters": chapters,
        "months": months,
        "trend": monthly_trend(months),
        "partner_bars": ranking(partners["cells"], "partner"),
        "chapter_bars": ranking(chapters["cells"], "chapter"),
        "release_bars": release_times(points),
        "release_points": points,
    }


@router.get("/statistics")
async def statistics_page(
    request: Request,
    principal: OptionalPrincipal,
    month: Annotated[str, Query(max_length=7)] = "",
    flow: Annotated[str, Query(pattern="^(M|X)$")] = "M",
) -> Response:
    """A month's trade and the release times: published, no login needed."""
    node = node_of(request)
    on = today(node)
    valid = len(month) == 7 and month[4] == "-" and month[:4].isdigit() and month[5:].isdigit()
    if not valid or not 1 <= int(month[5:]) <= 12:
        month = f"{on.year:04d}-{on.month:02d}"
    figures = await run_in_threadpool(_figures, node, month, flow)
    return render(request, "statistics.html", principal, month=month, flow=flow, **figures)
