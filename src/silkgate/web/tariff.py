"""The published tariff in the console: search by words, or look up a code."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.tariff.services import TariffNotLoaded
from silkgate.web.pages import FLASH, node_of, render, today
from silkgate.web.routing import console_router
from silkgate.web.session import OptionalPrincipal

router = console_router()


@router.get("/tariff")
async def tariff_page(
    request: Request,
    principal: OptionalPrincipal,
    q: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=10)] = "",
    date: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The published tariff: search by words, or look up a code; no login needed."""
    node = node_of(request)
    try:
        on = dt.date.fromisoformat(date) if date else today(node)
    except ValueError:
        on = today(node)
    context: dict[str, Any] = {"q": q, "code": code, "date": on.isoformat()}

    def load() -> None:
        schedule = node.tariff.schedule()
        context["tariff"] = node.tariff.describe(schedule)
        if code.strip():
            context["found"] = node.tariff.lookup(code.strip(), on)
            context["looked_up"] = True
        elif q.strip():
            context["results"] = node.tariff.search(q, on, 50)["results"]

    try:
        await run_in_threadpool(load)
    except TariffNotLoaded as exc:
        context["error"] = str(exc)
    response = render(request, "tariff.html", principal, **context)
    if principal is None and FLASH not in request.cookies and "error" not in context:
        # The published tariff, as anyone sees it, may be kept a minute; a logged-in
        # page (it names the user) is not (no-store, by default).
        response.headers["Cache-Control"] = "public, max-age=60"
        response.headers["Vary"] = "Cookie"
    return response
