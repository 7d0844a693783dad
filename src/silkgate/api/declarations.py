"""``/v1/declarations``: lodge, read, list, amend, cancel, and the officers' decisions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api import links
from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep, current_principal, get_node
from silkgate.api.params import (
    HS_PREFIX,
    CheckedRoute,
    IsoDateTime,
    MrnPath,
    VersionNumber,
    VersionQuery,
    header_text,
)
from silkgate.api.problems import PROBLEM, Problem, problems
from silkgate.api.schemas import declarations as out
from silkgate.api.schemas.base import answer, schema_of
from silkgate.declarations.commands import (
    Decision,
    InformationAnswer,
    InformationRequest,
    PaymentBody,
    ReasonedDecision,
)
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.services import DeclarationService, Outcome, request_fingerprint
from silkgate.declarations.states import REASON_REQUIRED, Action, Status
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import FieldError, InvalidRequest
from silkgate.store.declarations import Filters

router = APIRouter(prefix="/v1/declarations", tags=["declarations"], route_class=CheckedRoute)

# Bodies above this size are validated on a worker thread, not on the event loop.
_VALIDATE_INLINE_BYTES = 64 * 1024

_READ_ERRORS = problems(401, 403, 404)
_IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Makes retries safe: a repeated request with the same key and body returns "
    "the first response and lodges nothing.",
}
_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": schema_of(DeclarationDocument)}},
    }
}


# Shared with the other routers: one way to answer JSON and to read it.
_json = json_response
_json_body = json_body


@router.post(
    "",
    status_code=201,
    openapi_extra={**_DOCUMENT_BODY, "parameters": [_IDEMPOTENCY_HEADER]},
    responses={
        201: answer(
            out.DeclarationSummary,
            "Lodged (or the replay of an earlier lodging with the same Idempotency-Key)",
        ),
        400: PROBLEM,
        401: PROBLEM,
        403: PROBLEM,
        413: PROBLEM,
        415: PROBLEM,
        422: PROBLEM,
    },
)
async def lodge(request: Request) -> Response:
    """Lodge an import or export declaration (before arrival is allowed).

    The answer is 201 only once the declaration and its journal entry are
    committed. Send an `Idempotency-Key` header to make retries safe: the same
    key with the same body returns the first response; with another body, 422.
    Invalid declarations are answered 422 with every error and its JSON pointer.
    """
    # The hot path: the node, the principal and the header are taken by hand
    # rather than through dependency injection, which costs more than validation.
    node = get_node(request)
    principal = await current_principal(request, node)
    idempotency_key = _idempotency_key(request)
    raw, body = await _json_body(request)
    service = node.declarations
    fingerprint = request_fingerprint(body) if idempotency_key else None
    try:
        if len(body) > _VALIDATE_INLINE_BYTES:
            lodging = await run_in_threadpool(
                service.prepare,
                principal,
                raw,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                body=body,
            )
        else:
            # Validating a typical declaration takes a fraction of a millisecond:
            # cheaper here than the hop to a worker thread.
            lodging = service.prepare(
                principal, raw, idempotency_key=idempotency_key, fingerprint=fingerprint, body=body
            )
    except InvalidRequest:
        if idempotency_key is not None:
            replay = await _earlier_answer(service, principal, idempotency_key, fingerprint)
            if replay is not None:
                return replay
        raise
    return _lodged(await asyncio.wrap_future(node.lodgings.submit(lodging)))


def _idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header, if sent; 422 if it is empty, too long or not text."""
    key = header_text("Idempotency-Key", request.headers.get("idempotency-key"))
    if key is not None and not 0 < len(key) <= 255:
        where = "/Idempotency-Key"
        raise InvalidRequest(
            [FieldError(where, "invalid", "must be 1 to 255 characters", "header")]
        )
    return key


async def _earlier_answer(
    service: DeclarationService,
    principal: Principal,
    idempotency_key: str,
    fingerprint: str | None,
) -> Response | None:
    """The first answer to a retried lodging refused today, or None if there was none.

    A retry of a request that was accepted earlier gets the first answer even if
    the same document would not pass today (dates move on). Accepted retries are
    recognised by the group commit, at no extra cost; only refusals come here.
    """
    replay = await run_in_threadpool(service.replay, principal, idempotency_key, fingerprint)
    if replay is None:
        return None
    headers = {"Location": links.declaration(replay["mrn"]), "Idempotent-Replayed": "true"}
    return _json(links.assessed(replay), 201, headers)


def _lodged(outcome: Outcome) -> Response:
    """The 201 answer to a committed lodging, or its failure raised."""
    if isinstance(outcome, Exception):
        raise outcome
    result, replayed = outcome
    links.assessed(result)
    headers = {"Location": result["links"]["self"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _json(result, 201, headers)


@router.get(
    "",
    responses={200: answer(out.DeclarationPage), 401: PROBLEM, 403: PROBLEM, 422: PROBLEM},
)
def list_declarations(
    node: NodeDep,
    principal: PrincipalDep,
    status: Status | None = None,
    type: Annotated[str | None, Query(pattern="^(IM|EX)$")] = None,
    office: Annotated[str | None, Query(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")] = None,
    declarant_id: Annotated[str | None, Query(max_length=35)] = None,
    lrn: Annotated[str | None, Query(max_length=35)] = None,
    hs_code: Annotated[str | None, Query(pattern=HS_PREFIX)] = None,
    lodged_from: IsoDateTime | None = None,
    lodged_to: IsoDateTime | None = None,
    channel: Annotated[str | None, Query(pattern="^(green|yellow|red|blue)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern="^[0-9a-f]{1,8}$")] = None,
) -> Response:
    """Declarations, newest first, filtered; page with `cursor` from `next_cursor`.

    A declarant sees only its own declarations.
    """
    for name, value in (("lodged_from", lodged_from), ("lodged_to", lodged_to)):
        if value is not None and value.tzinfo is None:
            raise Problem(
                422,
                "The request is invalid",
                kind="invalid-request",
                errors=[
                    {
                        "pointer": f"/{name}",
                        "in": "query",
                        "code": "naive_datetime",
                        "detail": "needs a time zone, e.g. 2026-11-01T00:00:00Z",
                    }
                ],
            )
    page = node.declarations.search(
        principal,
        Filters(
            status=status.value if status else None,
            type=type,
            office=office,
            declarant_id=declarant_id,
            lrn=lrn,
            hs_code=hs_code,
            lodged_from=lodged_from,
            lodged_to=lodged_to,
            channel=channel,
        ),
        limit=limit,
        cursor=cursor,
    )
    items = [links.summary(item) for item in page.items]
    return _json({"items": items, "next_cursor": page.next_cursor})


@router.get("/{mrn}", responses={200: answer(out.Declaration), **_READ_ERRORS})
def get_declaration(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """One declaration: its status, its current document and the actions open to you."""
    result = links.summary(node.declarations.get(principal, mrn))
    return _json(result, headers={"ETag": f'"{result["version"]}"'})


@router.put(
    "/{mrn}",
    openapi_extra=_DOCUMENT_BODY,
    responses={
        200: answer(out.DeclarationSummary, "Amended: the new version"),
        400: PROBLEM,
        401: PROBLEM,
        403: PROBLEM,
        404: PROBLEM,
        409: PROBLEM,
        412: PROBLEM,
        422: PROBLEM,
    },
)
async def amend_declaration(
    request: Request,
    node: NodeDep,
    principal: PrincipalDep,
    mrn: MrnPath,
    if_match: Annotated[str | None, Header(max_length=20)] = None,
    reason: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    """Amend: the whole document again, as a new version; earlier versions are kept.

    Send `If-Match` with the ETag you read to refuse the amendment (412) if
    someone changed the declaration in between.
    """
    version = None
    if if_match is not None:
        try:
            version = int(if_match.strip().strip('"').removeprefix("W/").strip('"'))
        except ValueError:
            raise Problem(
                400,
                "Malformed request",
                'If-Match must be an ETag such as "2"',
                kind="malformed-header",
            ) from None
    raw, _ = await _json_body(request)
    result = await run_in_threadpool(
        node.declarations.amend, principal, mrn, raw, if_match=version, reason=reason
    )
    return _json(links.assessed(result), headers={"ETag": f'"{result["version"]}"'})


@router.get("/{mrn}/versions", responses={200: answer(out.Versions), **_READ_ERRORS})
def list_versions(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """Every version of the declaration, oldest first."""
    return _json({"items": links.versions(mrn, node.declarations.versions(principal, mrn))})


@router.get(
    "/{mrn}/versions/{version}",
    responses={200: answer(out.DocumentVersion), **_READ_ERRORS},
)
def get_version(
    node: NodeDep,
    principal: PrincipalDep,
    mrn: MrnPath,
    version: VersionNumber,
) -> Response:
    """The document exactly as it stood in one version."""
    return _json(node.declarations.version(principal, mrn, version))


@router.get("/{mrn}/journal", responses={200: answer(out.Timeline), **_READ_ERRORS})
def timeline(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """The declaration's timeline from the journal: every event, who, when, and why."""
    return _json({"items": node.declarations.timeline(principal, mrn)})


_NO_REASON = Decision()


def _reasoned(action: Action) -> Callable[..., Response]:
    """A decision that must say why: the body and its reason are required."""

    def decide(
        node: NodeDep, principal: PrincipalDep, mrn: MrnPath, decision: ReasonedDecision
    ) -> Response:
        return _json(links.summary(node.declarations.act(principal, mrn, action, decision)))

    return decide


def _unreasoned(action: Action) -> Callable[..., Response]:
    """A decision whose reason is optional, as is the body."""

    def decide(
        node: NodeDep, principal: PrincipalDep, mrn: MrnPath, decision: Decision | None = None
    ) -> Response:
        answer = node.declarations.act(principal, mrn, action, decision or _NO_REASON)
        return _json(links.summary(answer))

    return decide


def _decision_route(action: Action, summary: str) -> None:
    decide = _reasoned(action) if action in REASON_REQUIRED else _unreasoned(action)
    decide.__doc__ = summary
    router.add_api_route(
        f"/{{mrn}}/{action.value}",
        decide,
        methods=["POST"],
        name=f"{action.value}_declaration",
        summary=summary.split(".")[0],
        responses={
            200: answer(out.DeclarationSummary),
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
            422: PROBLEM,
        },
    )


_decision_route(Action.CONTROL, "Take the declaration under control (officer).")
_decision_route(Action.HOLD, "Hold the goods, with a reason (officer).")
_decision_route(Action.RESUME, "Lift a hold and resume control (officer).")
_decision_route(Action.RELEASE, "Release the goods (officer).")
_decision_route(Action.REJECT, "Reject the declaration, with a reason (officer).")
_decision_route(
    Action.CONDITIONAL_RELEASE,
    "Release under a condition stated as the reason (officer), e.g. pending a lab result.",
)
_decision_route(Action.RETURN, "Refuse entry: the goods go back, with a reason (officer).")
_decision_route(Action.DESTROY, "Destroy the goods under supervision, with a reason (officer).")
_decision_route(
    Action.SEIZE, "Seize the goods and open an enforcement case, with a reason (officer)."
)
_decision_route(
    Action.CANCEL,
    "Cancel (invalidate) the declaration, with a reason (its declarant, or an officer).",
)

_ASKED: dict[int | str, dict[str, Any]] = {
    200: answer(out.DeclarationSummary),
    **{s: PROBLEM for s in (401, 403, 404, 409, 422)},
}


@router.post("/{mrn}/request_information", responses=_ASKED)
def request_information(
    node: NodeDep, principal: PrincipalDep, mrn: MrnPath, body: InformationRequest
) -> Response:
    """Ask the trader a question, optionally by a deadline (officer): the declaration waits
    (``awaiting_information``) until the trader answers and an officer resumes."""
    asked = node.declarations.information.request(principal, mrn, body.question, body.deadline)
    return _json(links.summary(asked))


@router.post("/{mrn}/answers", responses=_ASKED)
def answer_information(
    node: NodeDep, principal: PrincipalDep, mrn: MrnPath, body: InformationAnswer
) -> Response:
    """Answer the question the declaration waits on (its declarant); an officer resumes."""
    return _json(links.summary(node.declarations.information.answer(principal, mrn, body.answer)))


# --- assessment, payments and guarantees ---------------------------------------


@router.get("/{mrn}/assessment", responses={200: answer(out.Assessment), **_READ_ERRORS})
def assessment(
    node: NodeDep,
    principal: PrincipalDep,
    mrn: MrnPath,
    version: VersionQuery = None,
) -> Response:
    """The assessment of the declaration: per item the customs value, duty, excise, VAT."""
    return _json(node.declarations.assessment(principal, mrn, version))


@router.get("/{mrn}/payments", responses={200: answer(out.Account), **_READ_ERRORS})
def account(node: NodeDep, principal: PrincipalDep, mrn: MrnPath) -> Response:
    """What is assessed, paid, guaranteed and still due on the declaration."""
    return _json(node.declarations.account(principal, mrn))


@router.post(
    "/{mrn}/payments",
    status_code=201,
    responses={201: answer(out.Account), **_READ_ERRORS, 422: PROBLEM},
)
def record_payment(
    node: NodeDep, principal: PrincipalDep, mrn: MrnPath, body: PaymentBody
) -> Response:
    """Record a payment or a guarantee against the amount due (customs staff)."""
    return _json(node.declarations.record_payment(principal, mrn, body), 201)
