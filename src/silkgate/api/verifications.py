"""``/v1/origin/verifications``: retroactive verification of certificates of origin.

Customs officers of the importing node ask the issuer of a certificate
received to verify it, and list the requests sent; the issuing node's origin
officers list the requests received and answer them. The list of requests
sent is checked against the node's clock first: an overdue request is closed
and the preference it covered withdrawn.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import CheckedRoute, limit
from silkgate.api.problems import problems
from silkgate.api.schemas import origin as out
from silkgate.api.schemas.base import Items, answer, parse, request_body
from silkgate.origin.verification import VerificationAnswer, VerificationRequest

router = APIRouter(tags=["origin verification"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 422)

VerificationId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="The request's number on this node")
]
Side = Annotated[
    Literal["sent", "received"] | None,
    Query(
        description="sent: asked by this node (customs); received: asked of it (origin "
        "officers). Default: received for an origin officer, sent for anyone else"
    ),
]


@router.post(
    "/v1/origin/verifications",
    status_code=201,
    openapi_extra=request_body(VerificationRequest),
    responses={201: answer(out.Verification), **_ERRORS},
)
async def open_request(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Ask the issuer of a certificate received to verify it (customs officer).

    The deadline defaults to the agreement's term (``verification_days`` of
    the rules of origin in force); the request goes to the issuer as an
    ``origin_verification`` message.
    """
    raw, _ = await json_body(request)
    command = parse(VerificationRequest, raw)
    found = await run_in_threadpool(node.verifications.open, principal, command)
    return json_response(found, 201)


@router.get("/v1/origin/verifications", responses={200: answer(Items), **_ERRORS})
def listing(
    node: NodeDep,
    principal: PrincipalDep,
    side: Side = None,
    overdue: bool = False,
    status: Literal["open", "confirmed", "not_confirmed", "overdue"] | None = None,
    limit: Annotated[int, limit(500)] = 100,
) -> Response:
    """The requests sent (customs) or received (origin officers), newest first;
    ``overdue=true``: only open ones past their deadline."""
    items = node.verifications.listing(principal, side, overdue=overdue, status=status, limit=limit)
    return json_response({"items": items})


@router.get(
    "/v1/origin/verifications/{verification_id}",
    responses={200: answer(out.Verification), **_ERRORS},
)
def show(
    node: NodeDep, principal: PrincipalDep, verification_id: VerificationId, side: Side = None
) -> Response:
    """One request, with the duty it recovered (sent)."""
    return json_response(node.verifications.show(principal, side, verification_id))


@router.post(
    "/v1/origin/verifications/{verification_id}/answer",
    openapi_extra=request_body(VerificationAnswer),
    responses={200: answer(out.Verification), **problems(401, 403, 404, 409, 422)},
)
async def answer_request(
    request: Request, node: NodeDep, principal: PrincipalDep, verification_id: VerificationId
) -> Response:
    """Answer a request received: ``confirmed`` or ``not_confirmed``, with the findings
    (origin officer); the answer goes back to the requesting partner."""
    raw, _ = await json_body(request)
    command = parse(VerificationAnswer, raw)
    found = await run_in_threadpool(node.verifications.answer, principal, verification_id, command)
    return json_response(found)
