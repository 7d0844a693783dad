"""``/v1/statistics``: trade statistics as open data (no token), and closing a month.

Anyone reads a month's imports or exports by HS chapter, heading or
subheading, partner, procedure or mode of transport, as JSON or CSV, with
cells that would tell one trader's business withheld and marked. A risk
analyst (the node's statistics role) or an administrator closes a month; a
later close is a revision, which says what changed.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import CheckedRoute
from silkgate.api.problems import PROBLEM, problems
from silkgate.api.schemas import statistics as out
from silkgate.api.schemas.base import answer
from silkgate.i18n import _
from silkgate.kernel.actors import Role
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest
from silkgate.statistics.services.export import to_csv
from silkgate.statistics.services.tables import MONTH, TableError

router = APIRouter(tags=["statistics"], route_class=CheckedRoute)

Month = Annotated[str, Path(pattern=MONTH.pattern, description="YYYY-MM")]
# Published figures change only as goods are released: a minute's cache is fresh enough.
_CACHE = "public, max-age=300"
CLOSERS = (Role.ANALYST, Role.ADMIN)


def _cached(request: Request, body: bytes, media_type: str) -> Response:
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"Cache-Control": _CACHE, "ETag": tag, "Vary": "Accept"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get(
    "/v1/statistics/trade",
    responses={200: answer(out.TradeTable), 422: PROBLEM},
)
def trade(
    request: Request,
    node: NodeDep,
    month: Annotated[str, Query(description="YYYY-MM", max_length=7)],
    flow: Annotated[Literal["M", "X"], Query(description="M imports, X exports")] = "M",
    by: Annotated[
        str,
        Query(
            max_length=40,
            description="One or two of chapter, heading, subheading, partner, procedure, "
            "mode, comma-separated",
        ),
    ] = "chapter",
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """A month's trade by the dimensions asked (public); confidential cells withheld."""
    try:
        table = node.statistics.trade.table(month, flow, tuple(by.split(",")))
    except TableError as e:
        raise InvalidRequest([FieldError(e.pointer, "invalid", str(e), "query")]) from e
    if format == "csv":
        return _cached(request, to_csv(table).encode(), "text/csv; charset=utf-8")
    return _cached(request, orjson.dumps(table), "application/json")


@router.get("/v1/statistics/trade/months", responses={200: answer(out.TradeMonths)})
def months(request: Request, node: NodeDep) -> Response:
    """Each month's imports and exports in national currency, and the duties collected."""
    return _cached(
        request, orjson.dumps({"months": node.statistics.trade.months()}), "application/json"
    )


@router.get(
    "/v1/statistics/trade/{month}/releases",
    responses={200: answer(out.TradeReleases), 422: PROBLEM},
)
def releases(node: NodeDep, month: Month) -> Response:
    """A month's releases: when each was closed, by whom, and what each revision changed."""
    found = node.statistics.trade.releases(month)
    for r in found:
        r["closed_at"] = r["closed_at"].isoformat().replace("+00:00", "Z")
    return json_response({"month": month, "releases": found})


@router.post(
    "/v1/statistics/trade/{month}/close",
    status_code=201,
    responses={201: answer(out.TradeRelease), **problems(401, 403, 422)},
)
async def close(node: NodeDep, principal: PrincipalDep, month: Month) -> Response:
    """Close a month (its first release) or publish a revision (analyst, administrator)."""
    if principal.role not in CLOSERS:
        raise Forbidden(_("a month is closed by the statistics role (analyst) or an admin"))
    at = node.declarations.clock()
    release = await run_in_threadpool(node.statistics.trade.close, month, principal.name, at)
    return json_response(release, 201)
