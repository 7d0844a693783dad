"""The Time Release Study in the console: how long goods wait, published."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.web.pages import node_of, render, today
from silkgate.web.routing import console_router
from silkgate.web.session import OptionalPrincipal

router = console_router()

# The period shown when none is asked for, or one that cannot be read.
_DEFAULT_PERIOD = dt.timedelta(days=30)


@router.get("/trs")
async def trs_page(
    request: Request,
    principal: OptionalPrincipal,
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
    by: Annotated[str, Query(pattern="^(office|channel|mode)$")] = "channel",
) -> Response:
    """The Time Release Study, published: no login needed."""
    node = node_of(request)
    on = today(node)
    try:
        end = dt.date.fromisoformat(until) if until else on
        start = dt.date.fromisoformat(since) if since else end - _DEFAULT_PERIOD
    except ValueError:
        end, start = on, on - _DEFAULT_PERIOD
    if start > end:
        start, end = end, start  # a reversed period is read the right way round
    result = await run_in_threadpool(node.trs.report, start, end, by)
    return render(request, "trs.html", principal, r=result)
