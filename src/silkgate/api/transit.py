"""``/v1/transit``: transit movements across partner administrations, and guarantees.

The holder lodges at the office of departure; its officers release; the
officers of the offices of transit and destination record the crossing, the
arrival and the control results, which reach the departure as messages; the
departure discharges and frees the guarantee (``docs/transit.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import MRN, CheckedRoute, limit
from silkgate.api.problems import problems
from silkgate.api.schemas import transit as out
from silkgate.api.schemas.base import Items, answer, parse, request_body
from silkgate.kernel.commands import Command
from silkgate.transit.document import (
    Arrival,
    Cancellation,
    ControlResults,
    Crossing,
    GuaranteeRegistration,
    Incident,
    Release,
    TransitDeclaration,
)

router = APIRouter(tags=["transit"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 409, 422)
MrnPath = Annotated[str, Path(pattern=MRN, description="The transit movement's MRN")]
GuaranteeRef = Annotated[
    str, Path(pattern=r"^[0-9A-Z-]{1,24}$", description="The guarantee reference number")
]
OfficeQuery = Annotated[
    str | None, Query(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$", description="An office's list")
]


@router.post(
    "/v1/transit/movements",
    status_code=201,
    openapi_extra=request_body(TransitDeclaration),
    responses={201: answer(out.Movement), **_ERRORS},
)
async def lodge(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Lodge a transit declaration at the office of departure (its holder)."""
    raw, _ = await json_body(request)
    command = parse(TransitDeclaration, raw)
    found = await run_in_threadpool(node.transit.departure.lodge, principal, command)
    return json_response(found, 201)


@router.get("/v1/transit/movements", responses={200: answer(Items), **_ERRORS})
def listing(
    node: NodeDep,
    principal: PrincipalDep,
    office: OfficeQuery = None,
    view: Literal[
        "expected", "en_route", "overdue", "arrived", "discharged", "enquiry", "all"
    ] = "all",
    limit: Annotated[int, limit(500)] = 100,
) -> Response:
    """The holder's movements, or an office's list: expected arrivals, en route, overdue (past
    the time limit, not arrived or not controlled), arrived, discharged, under enquiry."""
    items = node.transit.listing(principal, office=office, view=view, limit=limit)
    return json_response({"items": items})


@router.get("/v1/transit/movements/{mrn}", responses={200: answer(out.Movement), **_ERRORS})
def show(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """A movement with its steps, its declaration and the duties at stake."""
    return json_response(node.transit.show(principal, mrn))


async def _step(
    request: Request, model: type[Command], call: Callable[..., Any], principal: Any, mrn: str
) -> Response:
    raw = (await json_body(request))[0] if await request.body() else {}
    command = parse(model, raw)
    return json_response(await run_in_threadpool(call, principal, mrn, command))


@router.post(
    "/v1/transit/movements/{mrn}/release",
    openapi_extra=request_body(Release, required=False),
    responses={200: answer(out.Movement), **_ERRORS},
)
async def release(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """Release for transit: the duties at stake reserved, the records sent along the route."""
    return await _step(request, Release, node.transit.departure.release, principal, mrn)


@router.post(
    "/v1/transit/movements/{mrn}/crossing",
    openapi_extra=request_body(Crossing),
    responses={200: answer(out.Movement), **_ERRORS},
)
async def crossing(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """The goods crossed the frontier at an office of transit of this node (IE118)."""
    return await _step(request, Crossing, node.transit.journey.cross, principal, mrn)


@router.post(
    "/v1/transit/movements/{mrn}/arrival",
    openapi_extra=request_body(Arrival),
    responses={200: answer(out.Movement), **_ERRORS},
)
async def arrival(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """The goods presented at an office of this node (IE006; elsewhere: a diversion)."""
    return await _step(request, Arrival, node.transit.journey.arrive, principal, mrn)


@router.post(
    "/v1/transit/movements/{mrn}/control",
    openapi_extra=request_body(ControlResults),
    responses={200: answer(out.Movement), **_ERRORS},
)
async def control(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """The destination's control results (IE018); satisfactory ends the movement."""
    return await _step(request, ControlResults, node.transit.journey.control, principal, mrn)


@router.post(
    "/v1/transit/movements/{mrn}/cancel",
    openapi_extra=request_body(Cancellation),
    responses={200: answer(out.Movement), **_ERRORS},
)
async def cancel(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """Withdraw a movement not yet released (its holder, or an officer at departure; IE014)."""
    return await _step(request, Cancellation, node.transit.departure.cancel, principal, mrn)


@router.post(
    "/v1/transit/movements/{mrn}/incident",
    openapi_extra=request_body(Incident),
    responses={200: answer(out.Movement), **_ERRORS},
)
async def incident(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """An incident en route found at an office of this node: a seal broken, a transhipment,
    an accident, with the new seals (IE180 to departure; the destination then examines)."""
    return await _step(request, Incident, node.transit.incidents.record, principal, mrn)


@router.post(
    "/v1/transit/movements/{mrn}/diversion",
    responses={200: answer(out.Movement), **_ERRORS},
)
def accept_diversion(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """The departure accepts an arrival at an office not on the itinerary."""
    return json_response(node.transit.departure.accept_diversion(principal, mrn))


@router.post("/v1/transit/sweep", responses={200: answer(out.Sweep), **_ERRORS})
async def sweep(node: NodeDep, principal: PrincipalDep) -> Response:
    """Open an enquiry (IE142) on each movement declared here past its time limit and grace
    period, and recover the duty on each enquiry left unanswered by its deadline (staff)."""
    return json_response(await run_in_threadpool(node.transit.enquiries.sweep, principal))


@router.post(
    "/v1/transit/guarantees",
    status_code=201,
    openapi_extra=request_body(GuaranteeRegistration),
    responses={201: answer(out.Guarantee), **_ERRORS},
)
async def register(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Register a comprehensive or individual guarantee for a holder (officer)."""
    raw, _ = await json_body(request)
    command = parse(GuaranteeRegistration, raw)
    found = await run_in_threadpool(node.transit.guarantees.register, principal, command)
    return json_response(found, 201)


@router.get("/v1/transit/guarantees", responses={200: answer(Items), **_ERRORS})
def guarantees(node: NodeDep, principal: PrincipalDep) -> Response:
    """The holder's guarantees and their balances (an officer: every one)."""
    return json_response({"items": node.transit.guarantees.listing(principal)})


@router.get("/v1/transit/guarantees/{reference}", responses={200: answer(out.Guarantee), **_ERRORS})
def balance(node: NodeDep, principal: PrincipalDep, reference: GuaranteeRef) -> Response:
    """A guarantee's balance and what each movement holds of it."""
    return json_response(node.transit.guarantees.balance(principal, reference))


@router.get("/v1/transit/offices", responses={200: answer(Items), **problems(422)})
def offices(node: NodeDep) -> Response:
    """The customs office list for transit (illustrative reference data)."""
    return json_response({"items": node.transit.offices()})
