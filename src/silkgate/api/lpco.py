"""``/v1/lpcos`` and ``/v1/requirements``: the single window's licences, permits, certificates.

An agency officer issues LPCOs for its agency, amends, suspends, reinstates and
revokes them, and lists them with their balances and draw-downs; customs staff
read every LPCO, a declarant those it holds. Anyone may look up which LPCOs
goods need (``/v1/requirements``). An officer reads the LPCOs of a declaration.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import HS_PREFIX, CheckedRoute, IsoDate, MrnPath, limit
from silkgate.api.problems import PROBLEM, problems
from silkgate.api.schemas import lpco as out
from silkgate.api.schemas.base import Items, answer, parse, request_body
from silkgate.kernel.wording import pattern
from silkgate.lpco.commands import AmendLpco, IssueLpco, LpcoDecision
from silkgate.lpco.licence import Flow

router = APIRouter(tags=["single window (LPCO)"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 409, 422)

NUMBER = pattern(
    r"^([A-Za-z]{2}-)?[A-Za-z][A-Za-z0-9]{1,9}-[0-9]{4}-[0-9]{6}$",
    "an LPCO number: agency, year and six digits, e.g. CHEM-2026-000001 (a partner's: "
    "the administration first, e.g. CN-CITES-2026-000001)",
)
Number = Annotated[str, Path(pattern=NUMBER, description="The LPCO's number")]


@router.get("/v1/requirements", responses={200: answer(out.LpcoRequirements), 422: PROBLEM})
def requirements(
    node: NodeDep,
    hs: Annotated[str, Query(pattern=HS_PREFIX, description="HS code or its first digits")],
    country: Annotated[
        str | None,
        Query(pattern=r"^[A-Z]{2}$", description="Origin (import) or destination (export)"),
    ] = None,
    flow: Annotated[Literal["import", "export", "transit"] | None, Query()] = None,
    date: Annotated[IsoDate | None, Query(description="Default: today")] = None,
) -> Response:
    """Which LPCOs (licences, permits, certificates) goods of ``hs`` need (public)."""
    on: dt.date = date or node.declarations.today(node.declarations.clock())
    found = node.lpco.requirements.lookup(hs, country, Flow(flow) if flow else None, on)
    payload = {"hs": hs, "country": country, "flow": flow, "date": on.isoformat()}
    return json_response(
        {**payload, "requirements": found}, headers={"Cache-Control": "public, max-age=60"}
    )


@router.get("/v1/lpcos", responses={200: answer(Items), **_ERRORS})
def listing(
    node: NodeDep,
    principal: PrincipalDep,
    holder: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9./_-]{0,34}$", description="Holder")
    ] = None,
    limit: Annotated[int, limit(500)] = 100,
) -> Response:
    """The LPCOs the caller may read, newest first: its agency's (agency officer), every one
    (customs staff), those it holds (declarant); each with its balance."""
    return json_response(
        {"items": node.lpco.register.listing(principal, holder=holder, limit=limit)}
    )


@router.post(
    "/v1/lpcos",
    status_code=201,
    openapi_extra=request_body(IssueLpco),
    responses={201: answer(out.Lpco), **_ERRORS},
)
async def issue(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Issue an LPCO for the caller's agency (agency officer)."""
    raw, _ = await json_body(request)
    command = parse(IssueLpco, raw)
    found = await run_in_threadpool(node.lpco.register.issue, principal, command)
    return json_response(found, 201)


@router.get("/v1/lpcos/{number}", responses={200: answer(out.Lpco), **_ERRORS})
def show(node: NodeDep, principal: PrincipalDep, number: Number) -> Response:
    """One LPCO with its journal of changes and its draw-downs."""
    return json_response(node.lpco.register.get(principal, number))


@router.post(
    "/v1/lpcos/{number}/amend",
    openapi_extra=request_body(AmendLpco),
    responses={200: answer(out.Lpco), **_ERRORS},
)
async def amend(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Amend an LPCO of the caller's agency: what is sent changes, with the reason."""
    raw, _ = await json_body(request)
    command = parse(AmendLpco, raw)
    found = await run_in_threadpool(node.lpco.register.amend, principal, number, command)
    return json_response(found)


async def _decide(
    request: Request, node: NodeDep, principal: PrincipalDep, number: str, action: str
) -> Response:
    raw, _ = await json_body(request)
    command = parse(LpcoDecision, raw)
    found = await run_in_threadpool(node.lpco.register.decide, principal, number, action, command)
    return json_response(found)


@router.post(
    "/v1/lpcos/{number}/suspend",
    openapi_extra=request_body(LpcoDecision),
    responses={200: answer(out.Lpco), **_ERRORS},
)
async def suspend(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Suspend an LPCO: it covers nothing until reinstated; the declarations relying on it,
    not yet released, go under control with the reason."""
    return await _decide(request, node, principal, number, "suspend")


@router.post(
    "/v1/lpcos/{number}/reinstate",
    openapi_extra=request_body(LpcoDecision),
    responses={200: answer(out.Lpco), **_ERRORS},
)
async def reinstate(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Reinstate a suspended LPCO."""
    return await _decide(request, node, principal, number, "reinstate")


@router.post(
    "/v1/lpcos/{number}/revoke",
    openapi_extra=request_body(LpcoDecision),
    responses={200: answer(out.Lpco), **_ERRORS},
)
async def revoke(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Revoke an LPCO for good; the declarations relying on it, not yet released, go under
    control with the reason, and their release waits."""
    return await _decide(request, node, principal, number, "revoke")


@router.post(
    "/v1/lpcos/{number}/accept",
    openapi_extra=request_body(LpcoDecision),
    responses={200: answer(out.Lpco), **_ERRORS},
)
async def accept(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Accept a partner's LPCO received over the exchange (the agency here that the
    requirements name): from then on it covers imports, and is drawn down."""
    return await _decide(request, node, principal, number, "accept")


@router.post(
    "/v1/lpcos/{number}/refuse",
    openapi_extra=request_body(LpcoDecision),
    responses={200: answer(out.Lpco), **_ERRORS},
)
async def refuse(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Refuse a partner's LPCO received over the exchange: it covers nothing here."""
    return await _decide(request, node, principal, number, "refuse")


@router.get(
    "/v1/declarations/{mrn}/lpcos", responses={200: answer(out.DeclarationLpcos), **_ERRORS}
)
def of_declaration(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """The LPCOs each item of a declaration needs, as checked, with each LPCO's status now."""
    return json_response({"mrn": mrn, "items": node.lpco.check.of_mrn(principal, mrn)})
