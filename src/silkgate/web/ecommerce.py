"""Cross-border e-commerce in the console: a platform's (or agent's) parcel list, the held
parcels with their reasons, and the daily figures. Customs and analysts see every parcel."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.params import IsoDate
from silkgate.web.pages import node_of, render
from silkgate.web.routing import console_router
from silkgate.web.session import PagePrincipal

router = console_router()
Status = Literal["pending", "released", "held", "refused", "returned"]


@router.get("/ecommerce")
async def parcels_page(
    request: Request,
    principal: PagePrincipal,
    status: Annotated[Status | None, Query()] = None,
) -> Response:
    """The newest parcels (200), a status at a time when asked."""
    node = node_of(request)
    items = await run_in_threadpool(node.ecommerce.parcels, principal, status, 200)
    return render(
        request, "ecommerce.html", principal, items=items, chosen=status,
        statuses=("pending", "released", "held", "refused", "returned"),
    )  # fmt: skip


@router.get("/ecommerce/held")
async def held_page(request: Request, principal: PagePrincipal) -> Response:
    """The held parcels with the reasons, newest first."""
    node = node_of(request)
    items = await run_in_threadpool(node.ecommerce.parcels, principal, "held", 500)
    return render(request, "ecommerce_held.html", principal, items=items)


@router.get("/ecommerce/figures")
async def figures_page(
    request: Request,
    principal: PagePrincipal,
    date: Annotated[IsoDate | None, Query()] = None,
) -> Response:
    """The day's parcels by status, with their value and tax."""
    node = node_of(request)
    figures = await run_in_threadpool(node.ecommerce.figures, principal, date)
    return render(request, "ecommerce_figures.html", principal, figures=figures)
