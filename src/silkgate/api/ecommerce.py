"""``/v1/ecommerce``: cross-border e-commerce parcels, in bulk.

Each party posts its list as NDJSON (``application/x-ndjson``: one JSON record a
line), up to 10,000 records and ``SILKGATE_ECOMMERCE_MAX_BYTES`` a request, and gets
one NDJSON result line per record, in order: ``accepted``, ``unchanged`` (sent
before, same body) or ``refused`` with the errors' JSON pointers. A request over
either limit is refused whole (413) and changes nothing. ``docs/ecommerce.md``
has the records' fields and an example.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import CheckedRoute, IsoDate, limit
from silkgate.api.problems import Problem, problems
from silkgate.api.schemas.base import Items, Shape, answer, parse, request_body, schema_of
from silkgate.ecommerce.commands import GuaranteeAccepted, ParcelReturn
from silkgate.ecommerce.records import MODELS, Kind
from silkgate.ecommerce.services import MAX_RECORDS
from silkgate.kernel.wording import pattern

router = APIRouter(tags=["e-commerce"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 422)
NDJSON = "application/x-ndjson"
ORDER_NO = pattern(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$",
    "a number of up to 40 letters, digits and . _ / -, starting with a letter or digit",
)
PARTY = pattern(r"^[A-Z0-9]{1,35}$", "a party id of up to 35 capitals and digits")
Platform = Annotated[str | None, Query(pattern=PARTY, description="The platform's party id")]


class Figures(Shape):
    date: str
    currency: str
    parcels: int
    by_status: dict[str, int]
    value: str
    tax: str


class RecordResult(Shape):
    """One line of the answer to a bulk list: the record's fate, in the order sent."""

    line: int
    id: str | None
    status: Literal["accepted", "unchanged", "refused"]
    errors: list[dict[str, str]] | None = None  # refused: pointer, code, detail
    parcel: str | None = None  # the parcel's status, when this record completed it
    reasons: list[dict[str, str]] | None = None  # why the parcel was held or refused


class Guarantee(Shape):
    agent: str
    currency: str
    amount: str
    drawn: str
    left: str


async def _lines(request: Request, max_bytes: int) -> list[bytes]:
    """The request's non-empty lines, read as they stream in; 415 or 413 as a problem."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != NDJSON:
        raise Problem(
            415,
            "Unsupported media type",
            f"send the list as {NDJSON}",
            kind="unsupported-media-type",
        )
    lines: list[bytes] = []
    rest = b""
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > max_bytes:
            raise Problem(
                413,
                "Request too large",
                f"a request holds at most {max_bytes} bytes; nothing was stored",
                kind="too-large",
            )
        *complete, rest = (rest + chunk).split(b"\n")
        lines.extend(line for line in complete if line.strip())
        if len(lines) > MAX_RECORDS:
            break
    if rest.strip():
        lines.append(rest)
    if len(lines) > MAX_RECORDS:
        raise Problem(
            413,
            "Too many records",
            f"a request holds at most {MAX_RECORDS} records; send the rest in another; "
            "nothing was stored",
            kind="too-many-records",
        )
    if not lines:
        raise Problem(
            400, "Malformed request", "the request holds no record", kind="malformed-json"
        )
    return lines


def _bulk(kind: Kind) -> Any:
    async def receive(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
        lines = await _lines(request, node.settings.ecommerce_max_bytes)
        results = await run_in_threadpool(node.ecommerce.receive, principal, kind, lines)
        body = b"\n".join(orjson.dumps(r) for r in results) + b"\n"
        return Response(body, media_type=NDJSON)

    receive.__name__ = f"send_{kind.value}"
    receive.__doc__ = (
        f"Send {kind.value} in bulk (NDJSON, one record a line; "
        f"sent by the {'agent' if kind is Kind.PARCELS else kind.value[:-1]} role).\n\n"
        "Answers one NDJSON line per record, in order, with the parcel's status when "
        "the record completed it."
    )
    return receive


for _kind in Kind:
    router.post(
        f"/v1/ecommerce/{_kind.value}",
        response_class=Response,  # NDJSON, as documented below; no JSON answer
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {NDJSON: {"schema": schema_of(MODELS[_kind])}},
            }
        },
        responses={
            200: {
                "content": {NDJSON: {"schema": schema_of(RecordResult)}},
                "description": "One result line per record (NDJSON)",
            },
            **problems(400, 401, 403, 413, 415),
        },
    )(_bulk(_kind))


@router.get("/v1/ecommerce/parcels", responses={200: answer(Items), **_ERRORS})
def parcel_list(
    node: NodeDep,
    principal: PrincipalDep,
    status: Literal["pending", "released", "held", "refused", "returned"] | None = None,
    limit: Annotated[int, limit(1000)] = 100,
) -> Response:
    """The parcels, newest first: a platform's own, an agent's own, every one for customs."""
    return json_response({"items": node.ecommerce.parcels(principal, status, limit)})


@router.get("/v1/ecommerce/held", responses={200: answer(Items), **_ERRORS})
def held(
    node: NodeDep, principal: PrincipalDep, limit: Annotated[int, limit(1000)] = 100
) -> Response:
    """The parcels held, with the reasons (mismatched lists, incomplete, tax not secured,
    selected for inspection), newest first."""
    return json_response({"items": node.ecommerce.parcels(principal, "held", limit)})


@router.get("/v1/ecommerce/parcels/{order_no}", responses={200: answer(Items), **_ERRORS})
def parcel(
    node: NodeDep,
    principal: PrincipalDep,
    order_no: Annotated[str, Path(pattern=ORDER_NO, description="The platform's order number")],
    platform: Platform = None,
) -> Response:
    """A parcel's status and reason by its order number (the consumer is never shown)."""
    return json_response({"items": node.ecommerce.parcel(principal, order_no, platform)})


@router.get("/v1/ecommerce/figures", responses={200: answer(Figures), **_ERRORS})
def figures(
    node: NodeDep,
    principal: PrincipalDep,
    date: Annotated[IsoDate | None, Query(description="Default: today")] = None,
) -> Response:
    """The day's parcels (first seen that day, the administration's local day): how many
    by status, their value (limits' currency) and tax secured (national currency)."""
    return json_response(node.ecommerce.figures(principal, date))


@router.post(
    "/v1/ecommerce/returns",
    openapi_extra=request_body(ParcelReturn),
    responses={200: answer(Items), **problems(401, 403, 404, 409, 422)},
)
async def returns(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """A released parcel returned within the terms' days (30): its tax goes back to the
    agent's guarantee and its value to the consumer's annual quota (the agent)."""
    raw, _ = await json_body(request)
    command = parse(ParcelReturn, raw)
    found = await run_in_threadpool(
        node.ecommerce.return_parcel, principal, command.platform, command.order_no
    )
    return json_response({"items": [found]})


@router.post(
    "/v1/ecommerce/guarantees",
    openapi_extra=request_body(GuaranteeAccepted),
    responses={200: answer(Guarantee), **problems(401, 403, 409, 422)},
)
async def accept_guarantee(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Accept an agent's general guarantee for parcels' tax, as its new total (customs staff)."""
    raw, _ = await json_body(request)
    command = parse(GuaranteeAccepted, raw)
    found = await run_in_threadpool(
        node.ecommerce.set_guarantee, principal, command.agent, command.amount, command.reference
    )
    return json_response(found)


@router.get("/v1/ecommerce/guarantees/{agent}", responses={200: answer(Guarantee), **_ERRORS})
def guarantee(
    node: NodeDep,
    principal: PrincipalDep,
    agent: Annotated[str, Path(pattern=PARTY, description="The agent's party id")],
) -> Response:
    """An agent's guarantee: amount, drawn by parcels' tax, left (the agent, customs)."""
    return json_response(node.ecommerce.guarantee(principal, agent))


@router.post("/v1/ecommerce/sweep", responses={200: answer(Shape), **problems(401, 403)})
async def sweep(node: NodeDep, principal: PrincipalDep) -> Response:
    """Hold the parcels whose records are not all there within the terms' time, with
    what each lacks (customs staff; the node's own loop does it too)."""
    held = await run_in_threadpool(node.ecommerce.sweep, principal)
    return json_response({"held": held})
