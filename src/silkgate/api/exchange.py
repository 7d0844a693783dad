"""``/v1/exchange``, ``/v1/aeo``, ``/v1/assistance``: the node's side of partner exchange.

The inbox is the one route without a bearer token: a partner's message is
authenticated by its signature. Everything else is for this node's staff.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep, source_of, too_many
from silkgate.api.params import CheckedRoute, MrnPath, limit
from silkgate.api.problems import PROBLEM, Problem, problems
from silkgate.api.schemas import exchange as out
from silkgate.api.schemas.base import Items, answer, parse, request_body, schema_of
from silkgate.exchange.aeo import AeoAction
from silkgate.exchange.commands import (
    AeoCommand,
    AssistanceCase,
    AssistanceReply,
    InboxBatch,
    PartnerRegistration,
    aeo_command,
)
from silkgate.exchange.envelope import MAX_BYTES, Refused
from silkgate.kernel import text
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.node import Node

router = APIRouter(tags=["exchange"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 422)
MAX_BATCH = 500
JOSE = "application/jose"
_AEO_ACTIONS = frozenset(a.value for a in AeoAction)

Reference = Annotated[str, Path(min_length=1, max_length=40)]
PartyId = Annotated[str, Path(min_length=1, max_length=35)]
Limit = Annotated[int, limit(1000)]
Status = Annotated[str | None, Query(max_length=20)]


# -- the inbox (partners) ----------------------------------------------------------------------


@router.post(
    "/v1/exchange/inbox",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                JOSE: {"schema": {"type": "string", "description": "One compact JWS"}},
                "application/json": {"schema": schema_of(InboxBatch)},
            },
        }
    },
    responses={
        200: {
            "description": "The signed receipt of one message, or the results of a batch",
            # The batch's JSON answer is documented by the model, the receipt here.
            "content": {JOSE: {"schema": {"type": "string", "description": "A compact JWS"}}},
            "model": out.BatchAnswer,
        },
        400: PROBLEM,
        401: PROBLEM,
        409: PROBLEM,
        413: PROBLEM,
        415: PROBLEM,
        429: PROBLEM,
    },
)
async def inbox(request: Request, node: NodeDep) -> Response:
    """Receive signed messages from a partner node.

    ``application/jose``: one compact JWS; the answer is this node's signed
    receipt (``application/jose``), or a problem document saying why the
    message was refused (401 unknown sender or bad signature, 400 expired,
    misaddressed or malformed, 413 too large). ``application/json``:
    ``{"messages": [JWS, ...]}`` (up to 500); the answer is
    ``{"results": [{"status": "accepted|duplicate|refused|deferred", "code"?,
    "detail"?}, ...], "receipt": JWS}``, results in the same order, and one
    signed receipt listing every message accepted or recognised as a duplicate.

    A source (client address) that has had too many messages refused in a
    window is answered 429 with ``Retry-After`` until the window ends.
    """
    remote = source_of(request)
    wait = node.exchange.inbox_busy(remote)
    if wait is not None:
        raise too_many(wait, "too many messages from this address were refused", "throttled")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == JOSE:
        return await _one_message(node, body, remote)
    if content_type != "application/json":
        exc = Refused("media_type", "send a signed message as application/jose", 415)
        await run_in_threadpool(
            node.exchange.log_refusal, body[:300].decode(errors="replace"), exc, remote
        )
        raise Problem(415, "Unsupported media type", exc.detail, kind="unsupported-media-type")
    raw, _ = await json_body(request)
    messages = raw.get("messages") if isinstance(raw, dict) else None
    if not (
        isinstance(raw, dict)
        and raw.keys() == {"messages"}
        and isinstance(messages, list)
        and 1 <= len(messages) <= MAX_BATCH
        and all(isinstance(t, str) for t in messages)
    ):
        exc = Refused(
            "malformed", f'send {{"messages": [compact JWS, ...]}} with 1 to {MAX_BATCH} messages'
        )
        await run_in_threadpool(
            node.exchange.log_refusal, body[:300].decode(errors="replace"), exc, remote
        )
        raise Problem(400, "Malformed request", exc.detail, kind="malformed")
    _printable({f"/messages/{i}": token for i, token in enumerate(messages)})
    return json_response(await run_in_threadpool(node.exchange.answer_batch, messages, remote))


async def _one_message(node: Node, body: bytes, remote: str) -> Response:
    """One JWS: this node's signed receipt, or the problem that says why it was refused."""
    token = body.decode("ascii", errors="replace").strip()
    _printable({"": token})
    if len(body) > MAX_BYTES:
        exc = Refused("too_large", f"a message may not exceed {MAX_BYTES} bytes", 413)
        await run_in_threadpool(node.exchange.log_refusal, token[:300], exc, remote)
        raise Problem(413, "Message refused", exc.detail, kind=exc.code)
    result = await run_in_threadpool(node.exchange.answer_one, token, remote)
    if result.receipt is None:
        raise Problem(
            result.http_status if result.status == "refused" else 409,
            "Message refused",
            result.detail,
            kind=result.code or result.status,
        )
    return Response(
        result.receipt, media_type=JOSE, headers={"Silkgate-Receipt-Status": result.status}
    )


def _printable(tokens: dict[str, str]) -> None:
    """Refuse (422, and record nothing) messages with a control or invisible character.

    A compact JWS is base64url and dots: such a character is no message, and no
    refusal log should have to hold it.
    """
    errors = [
        FieldError(where, text.CODE, text.why(char))
        for where, token in tokens.items()
        if (char := text.refused(token)) is not None
    ]
    if errors:
        raise InvalidRequest(errors)


@router.get("/v1/exchange/card", responses={200: answer(out.Card), 404: PROBLEM})
def card(node: NodeDep) -> Response:
    """This node's partner card: administration, endpoint, public keys (no secret)."""
    try:
        return json_response(node.exchange.card().as_json())
    except RuntimeError as exc:
        raise NotFound(str(exc)) from exc


# -- administration -------------------------------------------------------------------------------


@router.get("/v1/exchange", responses={200: answer(out.Overview), **_ERRORS})
def overview(node: NodeDep, principal: PrincipalDep) -> Response:
    """Partners, outbox and inbox counts (admin)."""
    return json_response(node.exchange.status(principal))


@router.get("/v1/exchange/partners", responses={200: answer(out.Partners), **_ERRORS})
def partners(node: NodeDep, principal: PrincipalDep) -> Response:
    _staff(principal)
    return json_response({"items": node.exchange.partners()})


@router.post(
    "/v1/exchange/partners",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"anyOf": [schema_of(PartnerRegistration), schema_of(out.Card)]}
                }
            },
        }
    },
    responses={201: answer(out.Partner), **_ERRORS},
)
async def add_partner(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Register (or update) a partner from its card (admin).

    Body: the card, or ``{"card": {...}, "agreements": [...]}`` to name the
    agreements in force (by default those the card proposes).
    """
    if principal.role.value != "admin":
        raise Forbidden("partners are registered by the node's administrators")
    raw, _ = await json_body(request)
    if isinstance(raw, dict) and "card" not in raw:
        raw = {"card": raw}  # the card alone: the agreements it proposes
    registration = parse(PartnerRegistration, raw)
    return json_response(await run_in_threadpool(node.exchange.add_partner, registration), 201)


@router.get("/v1/exchange/outbox", responses={200: answer(out.Messages), **_ERRORS})
def outbox(
    node: NodeDep, principal: PrincipalDep, status: Status = None, limit: Limit = 100
) -> Response:
    """Outgoing messages, newest first; ``status=parked`` lists those waiting for an admin."""
    return json_response(node.exchange.outbox(principal, status, limit))


@router.post("/v1/exchange/outbox/retry", responses={200: answer(out.Retried), **_ERRORS})
def retry_all(
    node: NodeDep,
    principal: PrincipalDep,
    partner: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    """Send every parked message again, or those of one ``partner`` (admin)."""
    return json_response({"retried": node.exchange.retry_all(principal, partner)})


@router.post(
    "/v1/exchange/outbox/{message_id}/retry",
    responses={200: answer(out.OutgoingMessage), **_ERRORS},
)
def retry(
    node: NodeDep, principal: PrincipalDep, message_id: Annotated[str, Path(max_length=64)]
) -> Response:
    """Send a parked message again (admin)."""
    return json_response(node.exchange.retry(principal, message_id))


@router.get("/v1/exchange/inbox", responses={200: answer(out.Messages), **_ERRORS})
def received(node: NodeDep, principal: PrincipalDep, limit: Limit = 100) -> Response:
    """Messages received and what each did (admin)."""
    return json_response(node.exchange.inbox(principal, limit))


@router.get("/v1/exchange/refusals", responses={200: answer(Items), **_ERRORS})
def refusals(node: NodeDep, principal: PrincipalDep, limit: Limit = 100) -> Response:
    """Messages refused at the inbox: forged, replayed, unsigned, misaddressed (admin)."""
    return json_response({"items": node.exchange.refusals(principal, limit)})


@router.get("/v1/exchange/advance-data", responses={200: answer(Items), **_ERRORS})
def advance_data(
    node: NodeDep, principal: PrincipalDep, linked: bool | None = None, limit: Limit = 100
) -> Response:
    """Advance export data received from partners (officers)."""
    _staff(principal)
    return json_response({"items": node.trade.listing(linked, limit)})


@router.get(
    "/v1/declarations/{mrn}/advance-data", responses={200: answer(out.AdvanceData), **_ERRORS}
)
def advance_of(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """The partner's export data linked to an import declaration, and the mismatches."""
    from silkgate.store import declarations as declaration_store
    from silkgate.store.db import reading

    with reading(node.engine) as conn:
        d = declaration_store.get(conn, mrn)
        # A trader is refused only on its own: any other MRN is unknown to it.
        if d is None or not principal.may_see(d.declarant_id):
            raise NotFound(f"no declaration {mrn}")
        _staff(principal)
        return json_response({"mrn": mrn, "items": node.trade.of_declaration(conn, d.id)})


# -- AEO ------------------------------------------------------------------------------------------


@router.get("/v1/aeo", responses={200: answer(out.Operators), **_ERRORS})
def aeo_register(node: NodeDep, principal: PrincipalDep) -> Response:
    """This administration's AEO register."""
    return json_response({"items": node.aeo.register(principal)})


@router.get("/v1/aeo/partners", responses={200: answer(Items), **_ERRORS})
def aeo_partners(
    node: NodeDep,
    principal: PrincipalDep,
    administration: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    """Partners' AEOs received under mutual recognition, and whether each is honoured today."""
    return json_response({"items": node.aeo.partner_operators(principal, administration)})


@router.get("/v1/aeo/{party_id}", responses={200: answer(out.Operator), **_ERRORS})
def aeo_operator(node: NodeDep, principal: PrincipalDep, party_id: PartyId) -> Response:
    return json_response(node.aeo.operator(principal, party_id))


@router.post(
    "/v1/aeo/{party_id}/{action}",
    openapi_extra=request_body(AeoCommand, required=False),
    responses={200: answer(out.Operator), **_ERRORS, 409: PROBLEM},
)
async def aeo_act(
    request: Request, node: NodeDep, principal: PrincipalDep, party_id: PartyId, action: str
) -> Response:
    """apply (``name``), validate, grant (``valid_from``, ``valid_to``), suspend, reinstate,
    revoke, refuse (``reason`` for the last three)."""
    raw = await _optional_body(request)
    # An unknown action is the service's 404, whatever the body.
    command = parse(aeo_command(AeoAction(action)), raw) if action in _AEO_ACTIONS else AeoCommand()
    return json_response(
        await run_in_threadpool(node.aeo.act, principal, party_id, action, command)
    )


# -- mutual administrative assistance ------------------------------------------------------


@router.get("/v1/assistance", responses={200: answer(out.AssistanceCases), **_ERRORS})
def cases(node: NodeDep, principal: PrincipalDep, status: Status = None) -> Response:
    return json_response({"items": node.assistance.cases(principal, status)})


@router.post(
    "/v1/assistance",
    status_code=201,
    openapi_extra=request_body(AssistanceCase),
    responses={201: answer(out.AssistanceCase), **_ERRORS},
)
async def open_case(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Send an alert or a verification request: ``{"partner", "kind": "alert|verify_shipment|
    verify_operator", "subject", "body", "mrn"?}``."""
    raw, _ = await json_body(request)
    case = parse(AssistanceCase, raw)
    return json_response(await run_in_threadpool(node.assistance.open, principal, case), 201)


@router.get("/v1/assistance/{reference}", responses={200: answer(out.AssistanceCase), **_ERRORS})
def case(node: NodeDep, principal: PrincipalDep, reference: Reference) -> Response:
    """A case and its thread, both administrations' messages in order."""
    return json_response(node.assistance.case(principal, reference))


@router.post(
    "/v1/assistance/{reference}/messages",
    openapi_extra=request_body(AssistanceReply),
    responses={200: answer(out.AssistanceCase), **_ERRORS, 409: PROBLEM},
)
async def reply(
    request: Request, node: NodeDep, principal: PrincipalDep, reference: Reference
) -> Response:
    """Reply in a case's thread: ``{"body", "close"?: true}``."""
    message = parse(AssistanceReply, (await json_body(request))[0])
    return json_response(
        await run_in_threadpool(node.assistance.reply, principal, reference, message)
    )


def _staff(principal: Any) -> None:
    if not principal.is_staff:
        raise Forbidden("for customs officers")


async def _optional_body(request: Request) -> Any:
    if not await request.body():
        return {}
    raw, _ = await json_body(request)
    return raw
