"""The origin calculator and the rules of origin in force; the e-COs partners sent.

Exporters check, before they apply for a certificate of origin, whether their
product originates and under which criterion; anyone can read the rules the
node applies (no token; nothing is stored). Officers read the electronic
certificates of origin received from partners and what each line has covered.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import CheckedRoute, IsoDate
from silkgate.api.problems import PROBLEM, Problem, problems
from silkgate.api.schemas import origin as out
from silkgate.api.schemas.base import Items, answer, request_body
from silkgate.origin.commands import DeterminationRequest

router = APIRouter(tags=["origin"], route_class=CheckedRoute)


def _json(payload: Any) -> Response:
    return Response(
        orjson.dumps(payload),
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=60"},
    )


@router.post(
    "/v1/origin/determinations",
    openapi_extra=request_body(DeterminationRequest),
    responses={
        200: answer(out.Determination, "The determination (nothing is stored)"),
        400: PROBLEM,
        422: PROBLEM,
        503: PROBLEM,
    },
)
async def determine(request: Request, node: NodeDep) -> Response:
    """Whether a product originates under an agreement, by which criterion, and why.

    The body names the agreement, the exporting party, the product (HS 2022
    subheading, FOB value) and its bill of materials; values in other
    currencies are converted at the customs exchange rates of the date.
    """
    raw, body = await json_body(request)

    def work() -> dict[str, Any]:
        return node.origin.determine(raw, body=body).as_json()

    return Response(orjson.dumps(await run_in_threadpool(work)), media_type="application/json")


@router.get("/v1/origin/rules", responses={200: answer(out.OriginRules), 503: PROBLEM})
def rules(node: NodeDep) -> Response:
    """The rules of origin in force: each agreement's parties and terms."""
    return _json(node.origin.describe())


@router.get(
    "/v1/origin/rules/{agreement}/{hs}",
    responses={200: answer(out.OriginRule), 404: PROBLEM, 422: PROBLEM, 503: PROBLEM},
)
def rule(
    node: NodeDep,
    agreement: Annotated[str, Path(pattern=r"^[A-Z]{2,10}$", examples=["ACFTA"])],
    hs: Annotated[str, Path(pattern=r"^[0-9]{6}$", description="HS 2022 subheading")],
    date: Annotated[IsoDate | None, Query(description="Default: today")] = None,
) -> Response:
    """The rule of ``agreement`` in force for goods of subheading ``hs`` on ``date``."""
    on = date or node.origin.today()
    found = node.origin.rule(agreement, hs, on)
    if found is None:
        raise Problem(
            404, "Not found", f"no rule of origin of {agreement} for {hs} on {on}", kind="not-found"
        )
    return _json(found)


_ERRORS = problems(401, 403, 422)


@router.get("/v1/origin/received", responses={200: answer(Items), **_ERRORS})
def received(
    node: NodeDep,
    principal: PrincipalDep,
    status: Literal["issued", "cancelled", "replaced"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The e-COs received from partners, newest first (customs staff)."""
    return json_response({"items": node.received.listing(principal, status, limit)})


@router.get(
    "/v1/origin/received/{number}",
    responses={200: answer(out.ReceivedCertificate), 404: PROBLEM, **_ERRORS},
)
def received_one(
    node: NodeDep,
    principal: PrincipalDep,
    number: Annotated[str, Path(pattern=r"^[A-Z]{2}-E-[0-9]{4}-[0-9]{6}$")],
) -> Response:
    """One e-CO received: its document, each line with what it covered, and by which items."""
    return json_response(node.received.certificate(principal, number))
